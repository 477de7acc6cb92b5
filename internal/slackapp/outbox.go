package slackapp

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/slack-go/slack"

	"github.com/ladderapp/ladder/internal/ladder"
	"github.com/ladderapp/ladder/internal/store"
)

// This file is what the scheduler's send queue (package schedule) needs from
// the app: it renders an outbox row at send time, posts it, finds a post whose
// outcome was lost, and reads timezones. These methods call the Web API
// directly rather than through call, which waits out a 429: the queue must see
// a 429 at once to pause the whole method, and it decides about retries.

// outboxEvent is the event_type of the metadata on every message the outbox
// posts, with the row's key as the payload. Finding it in the DM's history is
// how a send whose outcome was lost (a crash, a timeout, a 5xx) is settled
// without posting twice.
const outboxEvent = "ladder_outbox"

// Tuning for FindPosted.
const (
	// clockSlack widens the history search for a difference between our clock
	// and Slack's.
	clockSlack = 10 * time.Minute
	// historyPages bounds the search: a DM with the bot holds few messages
	// in the hours an outbox row lives.
	historyPages = 5
)

// permanentCodes are Slack errors that no retry will fix.
var permanentCodes = map[string]bool{
	"channel_not_found": true, "user_not_found": true, "users_not_found": true, "not_in_channel": true,
	"is_archived": true, "cannot_dm_bot": true, "user_disabled": true, "user_is_bot": true,
	"msg_too_long": true, "no_text": true, "too_many_attachments": true,
	"invalid_blocks": true, "invalid_blocks_format": true, "invalid_arguments": true,
	"invalid_metadata_format": true, "invalid_metadata_schema": true, "metadata_too_large": true,
	"missing_scope": true, "not_allowed_token_type": true, "method_deprecated": true,
}

// revokedCodes are Slack's answers to a token that worked and no longer
// does: the app was uninstalled or its token revoked. invalid_auth is not
// among them: it is as likely a token pasted wrong, which the start catches.
var revokedCodes = map[string]bool{"token_revoked": true, "account_inactive": true}

// maybeSentCodes are Slack errors after which a post may have gone through.
var maybeSentCodes = map[string]bool{"internal_error": true, "fatal_error": true, "service_unavailable": true}

// sendError translates err from a call to method into a *ladder.Error: this
// is where Slack's failures become the codes the send queue acts on. A 429 is
// ERateLimited with its Retry-After. Slack's own refusals ("ok": false) mean
// nothing happened, and so does any 4xx; the refusals no retry fixes are
// EPermanent. Token errors are not permanent for the message: they are
// ERevoked, the send queue stops, and the message goes out if the app is
// installed again in time. After a 5xx, a
// timeout or a broken connection the post may have gone out (MaySent).
func sendError(method string, err error) error {
	if err == nil {
		return nil
	}
	e := &ladder.Error{Code: ladder.ETransient, Op: method, Err: err}
	var (
		rl *slack.RateLimitedError
		se slack.SlackErrorResponse
		sc slack.StatusCodeError
	)
	switch {
	case errors.As(err, &rl):
		e.Code, e.RetryAfter = ladder.ERateLimited, max(rl.RetryAfter, time.Second)
	case errors.As(err, &se) && se.Err == "ratelimited":
		e.Code, e.RetryAfter = ladder.ERateLimited, time.Second
	case errors.As(err, &se) && permanentCodes[se.Err]:
		e.Code = ladder.EPermanent
	case errors.As(err, &se) && revokedCodes[se.Err]:
		e.Code = ladder.ERevoked
	case errors.As(err, &se):
		e.MaySent = maybeSentCodes[se.Err]
	case errors.As(err, &sc):
		e.MaySent = sc.Code >= 500
	default:
		// A timeout or a broken connection: the request may have arrived.
		e.MaySent = true
	}
	return e
}

// before marks a failure that came before any call, such as a database
// error: nothing was posted, and a retry may succeed.
func before(err error) error { return &ladder.Error{Code: ladder.ETransient, Err: err} }

// permanent marks a row that no attempt can send, such as one whose week
// cannot be read.
func permanent(err error) error { return &ladder.Error{Code: ladder.EPermanent, Err: err} }

// notDue is an outbox row that no longer needs sending, for reason. The
// queue drops it.
func notDue(reason string) error {
	return &ladder.Error{Code: ladder.ENotDue, Err: errors.New("no longer due: " + reason)}
}

// PostOutbox renders an outbox row as it stands now and posts it to the
// recipient's DM, with the row's key in the message metadata. It returns the
// message's channel and ts. Whether the row is still due is the send queue's
// decision, made just before (schedule's stillDue); an error is a
// *ladder.Error whose code is ENotDue only when the row cannot be rendered
// any more (the member left meanwhile, the prompt is gone from the ladder). A
// weekly prompt is recorded in prompts_sent before it is posted, once per
// member and week.
func (a *App) PostOutbox(ctx context.Context, it store.OutboxItem) (channel, ts string, err error) {
	var msg Message
	switch it.Kind {
	case store.OutboxPrompt:
		var told []ladder.Week
		msg, told, channel, ts, err = a.outboxPrompt(ctx, it)
		if err != nil || ts != "" {
			return channel, ts, err
		}
		channel, ts, err = a.postOnce(ctx, it.UserID, it.Key, msg)
		if err == nil {
			a.toldAway(ctx, it.UserID, told)
		}
		return channel, ts, err
	case store.OutboxReminder:
		msg, err = a.outboxReminder(ctx, it)
	case store.OutboxDigest:
		return a.outboxDigest(ctx, it)
	case store.OutboxExport:
		if isFileRow(it) {
			return a.postExportFile(ctx, it)
		}
		msg, err = a.outboxExport(ctx, it)
	case store.OutboxDM:
		msg, err = dmMessage(it)
	default:
		return "", "", permanent(fmt.Errorf("unknown outbox kind %q", it.Kind))
	}
	if err != nil {
		return "", "", err
	}
	return a.postOnce(ctx, it.UserID, it.Key, msg)
}

// postOnce posts msg to userID's DM with key in its metadata, once: it leaves
// retries to the send queue. An error is a *ladder.Error.
func (a *App) postOnce(ctx context.Context, userID, key string, msg Message) (channel, ts string, err error) {
	opts := []slack.MsgOption{
		slack.MsgOptionText(msg.Text, false),
		slack.MsgOptionMetadata(slack.SlackMetadata{EventType: outboxEvent, EventPayload: map[string]any{"key": key}}),
	}
	if len(msg.Blocks) > 0 {
		opts = append(opts, slack.MsgOptionBlocks(msg.Blocks...))
	}
	if msg.ThreadTS != "" {
		opts = append(opts, slack.MsgOptionTS(msg.ThreadTS))
	}
	channel, ts, err = a.api.PostMessageContext(ctx, userID, opts...)
	a.countSend("chat.postMessage", err)
	if err != nil {
		return "", "", sendError("chat.postMessage", err)
	}
	return channel, ts, nil
}

// outboxPrompt renders a weekly prompt. It chooses the question the first
// time and records it; a later attempt reuses it. If the week's prompt was
// already posted, it returns that message's channel and ts instead. The
// question starts with the weeks held while the member was away that they
// were not told of yet, which it returns (welcomeBack).
func (a *App) outboxPrompt(ctx context.Context, it store.OutboxItem) (Message, []ladder.Week, string, string, error) {
	m, err := a.db.Member(ctx, it.UserID)
	if errors.Is(err, ladder.ErrNotEnrolled) {
		return Message{}, nil, "", "", notDue("not enrolled")
	}
	if err != nil {
		return Message{}, nil, "", "", before(err)
	}
	now := a.now()
	week, err := it.Week()
	if err != nil {
		return Message{}, nil, "", "", permanent(err)
	}
	sent, err := a.db.WeeklyPrompt(ctx, m.UserID, week)
	if errors.Is(err, ladder.ErrNotFound) {
		sent, err = a.recordWeekly(ctx, m, week, now)
	}
	if err != nil {
		return Message{}, nil, "", "", before(err)
	}
	if sent.TS != "" {
		return Message{}, nil, sent.Channel, sent.TS, nil
	}
	p, ok := a.ladder.Prompt(sent.PromptID)
	if !ok {
		return Message{}, nil, "", "", notDue("prompt " + sent.PromptID + " is no longer in the ladder")
	}
	msg, told := a.welcomeBack(ctx, m, promptMessage(a.ladder, m, p, true, false))
	return msg, told, "", "", nil
}

// recordWeekly chooses the member's weekly question and records it.
func (a *App) recordWeekly(ctx context.Context, m ladder.Member, week ladder.Week, now time.Time) (store.PromptSent, error) {
	r, err := a.readiness(ctx, m)
	if err != nil {
		return store.PromptSent{}, err
	}
	p, err := a.nextPrompt(ctx, m, r, "")
	if err != nil {
		return store.PromptSent{}, err
	}
	sent, _, err := a.db.RecordPrompt(ctx, store.PromptSent{
		UserID: m.UserID, PromptID: p.ID, Week: week, Weekly: true, Created: now,
	})
	return sent, err
}

// outboxReminder renders the one reminder of a weekly prompt.
func (a *App) outboxReminder(ctx context.Context, it store.OutboxItem) (Message, error) {
	sent, err := a.db.PromptSentByID(ctx, it.PromptRef)
	if errors.Is(err, ladder.ErrNotFound) {
		return Message{}, notDue("prompt gone")
	}
	if err != nil {
		return Message{}, before(err)
	}
	m, err := a.db.Member(ctx, sent.UserID)
	if errors.Is(err, ladder.ErrNotEnrolled) {
		return Message{}, notDue("not enrolled")
	}
	if err != nil {
		return Message{}, before(err)
	}
	p, ok := a.ladder.Prompt(sent.PromptID)
	if !ok {
		return Message{}, notDue("prompt " + sent.PromptID + " is no longer in the ladder")
	}
	return promptMessage(a.ladder, m, p, true, true), nil
}

// outboxDigest sends a manager's digest with the same renderer as the
// /ladder digest preview, as of the time the schedule fired in the manager's
// zone, so a late send still covers the right month; in as many parts as it
// takes (sendDigest), and returns the last part's channel and ts. It claims
// the digest in digests_sent first, as the row's key, so that admin digest
// send and the queue never both send it, while a retry of the row finishes
// the parts at once; a claim held elsewhere is retried after the queue's
// backoff.
func (a *App) outboxDigest(ctx context.Context, it store.OutboxItem) (string, string, error) {
	loc := ladder.Zone(it.TZ)
	claimed, err := a.db.ClaimDigestAs(ctx, it.UserID, it.Period, it.Key, a.now())
	if err != nil {
		return "", "", before(err)
	}
	if !claimed {
		return "", "", before(fmt.Errorf("digest %s of %s is claimed by another sender", it.Period, it.UserID))
	}
	ch, ts, ok, err := a.sendDigest(ctx, it.UserID, it.Period, it.DueAt.In(loc))
	if err != nil {
		return "", "", err
	}
	if !ok {
		return "", "", notDue("no reports")
	}
	return ch, ts, nil
}

// FindPosted looks in the recipient's DM for the message an earlier attempt
// at the row may have posted: a bot message since the row was created whose
// metadata carries the row's key. It opens the DM (conversations.open), then
// reads its history (conversations.history, scope im:history). An error is a
// *ladder.Error whose Op names the method that failed.
//
// A digest goes out in parts (sendDigest): it is found when its last part
// was posted. A part whose outcome was lost is looked for when the row is
// posted again, which then sends only the parts still missing.
func (a *App) FindPosted(ctx context.Context, it store.OutboxItem) (channel, ts string, found bool, err error) {
	if it.Kind == store.OutboxDigest {
		parts, err := a.db.DigestParts(ctx, it.UserID, it.Period)
		if err != nil {
			return "", "", false, before(err)
		}
		if len(parts) > 0 {
			last := parts[len(parts)-1]
			return last.Channel, last.TS, last.Last && last.TS != "", nil
		}
		// None begun: an earlier version posted a digest whole, under the
		// row's own key.
	}
	if isFileRow(it) {
		return a.findExportFile(ctx, it)
	}
	thread := ""
	if it.Kind == store.OutboxDM {
		msg, err := dmMessage(it)
		if err != nil {
			return "", "", false, err
		}
		thread = msg.ThreadTS
	}
	return a.findPosted(ctx, it.UserID, it.Key, thread, it.Created)
}

// findPosted looks for the bot's message carrying key in userID's DM, since
// since: in the thread of threadTS (conversations.replies), or else among the
// top-level messages (conversations.history), which never list thread replies.
func (a *App) findPosted(ctx context.Context, userID, key, threadTS string, since time.Time) (channel, ts string, found bool, err error) {
	return a.lookPosted(ctx, lookup{userID: userID, key: key, threadTS: threadTS, since: since})
}

// lookup is one search for a message the bot posted, for lookPosted.
type lookup struct {
	userID, key, threadTS string
	since                 time.Time
	// channel is the DM's id if known; otherwise conversations.open finds it.
	channel string
	// pace, if set, is called before each Web API call with its method, and
	// may wait: the start-up catch-up keeps its calls within Slack's tier so.
	pace func(ctx context.Context, method string) error
}

// lookPosted is findPosted with the DM's id if known, and pacing.
func (a *App) lookPosted(ctx context.Context, q lookup) (channel, ts string, found bool, err error) {
	pace := func(method string) error {
		if q.pace == nil {
			return nil
		}
		return q.pace(ctx, method)
	}
	userID, key, threadTS, since := q.userID, q.key, q.threadTS, q.since
	channel = q.channel
	if channel == "" {
		if err := pace("conversations.open"); err != nil {
			return "", "", false, before(err)
		}
		c, _, _, err := a.api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{userID}, ReturnIM: true})
		a.countSend("conversations.open", err)
		if err != nil {
			return "", "", false, sendError("conversations.open", err)
		}
		channel = c.ID
	}
	oldest := slackTS(since.Add(-clockSlack))
	method := "conversations.history"
	if threadTS != "" {
		method = "conversations.replies"
	}
	cursor := ""
	for range historyPages {
		var (
			msgs []slack.Message
			next string
		)
		if err := pace(method); err != nil {
			return "", "", false, before(err)
		}
		if threadTS != "" {
			msgs, _, next, err = a.api.GetConversationRepliesContext(ctx, &slack.GetConversationRepliesParameters{
				ChannelID: channel, Timestamp: threadTS, Oldest: oldest, Limit: 200, IncludeAllMetadata: true, Cursor: cursor})
		} else {
			var h *slack.GetConversationHistoryResponse
			h, err = a.api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{
				ChannelID: channel, Oldest: oldest, Limit: 200, IncludeAllMetadata: true, Cursor: cursor})
			if err == nil {
				msgs = h.Messages
				if h.HasMore {
					next = h.ResponseMetaData.NextCursor
				}
			}
		}
		a.countSend(method, err)
		if err != nil {
			return "", "", false, sendError(method, err)
		}
		for _, m := range msgs {
			if m.Metadata.EventType == outboxEvent && fmt.Sprint(m.Metadata.EventPayload["key"]) == key &&
				(m.BotID != "" || (a.botUserID != "" && m.User == a.botUserID)) {
				return channel, m.Timestamp, true, nil
			}
		}
		if next == "" {
			return channel, "", false, nil
		}
		cursor = next
	}
	return "", "", false, &ladder.Error{Code: ladder.ETransient, Op: method,
		Err: fmt.Errorf("more than %d pages since %s: cannot tell whether %s went out", historyPages, since, key)}
}

// SyncZone reads the user's timezone from users.info and returns it, and
// keeps an enrolled member's zone and name in step, and what their status
// says (keepStatus). An error is a *ladder.Error.
func (a *App) SyncZone(ctx context.Context, userID string) (string, error) {
	u, err := a.api.GetUserInfoContext(ctx, userID)
	a.countSend("users.info", err)
	if err != nil {
		return "", sendError("users.info", err)
	}
	m, err := a.db.Member(ctx, userID)
	if errors.Is(err, ladder.ErrNotEnrolled) {
		return u.TZ, nil
	}
	if err != nil {
		return u.TZ, before(err)
	}
	a.keepStatus(ctx, u)
	if name := displayName(u); m.TZ != u.TZ || m.Name != name {
		_, err = a.db.UpdateMember(ctx, userID, func(m *ladder.Member) error {
			m.TZ, m.Name = u.TZ, name
			return nil
		})
		if err != nil && !errors.Is(err, ladder.ErrNotEnrolled) {
			return u.TZ, before(err)
		}
		if m.TZ != u.TZ {
			a.log.Info("timezone changed", "user", userID, "from", m.TZ, "to", u.TZ)
		}
	}
	return u.TZ, nil
}

// countSend counts one Web API call in the metrics.
func (a *App) countSend(method string, err error) {
	var rl *slack.RateLimitedError
	switch {
	case err == nil:
		a.metrics.send(method, "ok")
	case errors.As(err, &rl):
		a.metrics.send(method, "ratelimited")
	default:
		a.metrics.send(method, "error")
	}
}

// slackTS renders t as a Slack message timestamp.
func slackTS(t time.Time) string {
	if t.Before(time.Unix(0, 0)) {
		return "0"
	}
	us := t.UnixMicro()
	return strconv.FormatInt(us/1e6, 10) + "." + fmt.Sprintf("%06d", us%1e6)
}
