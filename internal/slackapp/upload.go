package slackapp

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/ladderapp/ladder/internal/ladder"
	"github.com/ladderapp/ladder/internal/store"
)

// This file sends the promotion packet as one Markdown file in the member's
// DM, through the send queue: /ladder export queues one outbox row (an export
// row, so that it goes in the interactive lane and survives a restart), and
// the queue calls PostOutbox, which renders the file as of the time it was
// asked for and uploads it with Slack's external upload:
//
//  1. files.getUploadURLExternal (filename, length) answers an upload URL
//     and a file id; nothing is shown to anyone yet.
//  2. The bytes are POSTed to the upload URL.
//  3. files.completeUploadExternal shares the file in the DM (channel_id, so
//     conversations.open first) with a short initial_comment. This is the
//     step the member sees.
//
// Sending exactly once. Steps 1 and 2 are safe to repeat: a file that is
// never completed is discarded by Slack. Step 3 is not: when it times out (or
// Slack answers a 5xx) after Slack shared the file, starting again would
// share a second file. The call cannot be repeated with the same file id
// either ("This method can only be called once"), and it takes no message
// metadata to carry the row's key. So such a failure is reported as maybe
// sent, and before the queue tries again it calls FindPosted, which looks in
// the DM's history for the bot's share since the row was made whose file has
// this packet's name and title; the title names the minute the packet was
// asked for. Found, the row is recorded as sent and nothing is uploaded again.
// What is left: two exports asked for in the same minute, the first of which
// timed out, are settled as one file (the member gets one, never two); and a
// share that Slack has not yet listed in history when the queue looks (it
// waits its backoff first, 5 seconds or more) is sent again.
//
// An install older than files:write answers files.getUploadURLExternal with
// missing_scope. Then the packet goes as before, as DM messages (export.go),
// after a message that says how to grant the scope.

// fileRowPrefix starts the key of an export row that sends the packet as a
// file. The rows of a packet sent as messages keep "export:".
const fileRowPrefix = "export-file:"

// isFileRow reports whether it sends the packet as a file.
func isFileRow(it store.OutboxItem) bool {
	return it.Kind == store.OutboxExport && strings.HasPrefix(it.Key, fileRowPrefix)
}

// scopeHelp is what the member is told when the install lacks files:write.
const scopeHelp = "Your packet comes as messages below, not as a file: this Ladder install can't upload files yet (it needs the `files:write` permission). " +
	"To get the packet as one Markdown file next time, ask a Slack admin of the workspace to reinstall Ladder from its manifest " +
	"(api.slack.com/apps → Ladder → Manifest, which lists `files:write`, then *Install App* → *Reinstall to Workspace*)."

// queueExportFile queues m's packet as it stands now, as one file, and
// returns how many pieces of evidence it holds.
func (a *App) queueExportFile(ctx context.Context, m ladder.Member) (int, error) {
	at := a.now()
	es, err := a.evidenceAsOf(ctx, m.UserID, at)
	if err != nil || len(es) == 0 {
		return 0, err
	}
	_, err = a.db.Enqueue(ctx, store.OutboxItem{
		Key:  fileRowPrefix + m.UserID + ":" + newKeyID(),
		Kind: store.OutboxExport, Method: "chat.postMessage", UserID: m.UserID, Part: 1,
		DueAt: at, Created: at,
	})
	if err != nil {
		return 0, err
	}
	a.wakeSends()
	return len(es), nil
}

// evidenceAsOf is the member's evidence stored by at, oldest first.
func (a *App) evidenceAsOf(ctx context.Context, userID string, at time.Time) ([]ladder.Evidence, error) {
	all, err := a.db.AllEvidence(ctx, userID)
	if err != nil {
		return nil, err
	}
	var es []ladder.Evidence
	for _, e := range all {
		if !e.Created.After(at) {
			es = append(es, e)
		}
	}
	return es, nil
}

// packetFile renders m's packet as of at: the file's content and the number
// of pieces of evidence in it.
func (a *App) packetFile(ctx context.Context, m ladder.Member, at time.Time) (string, int, error) {
	es, err := a.evidenceAsOf(ctx, m.UserID, at)
	if err != nil || len(es) == 0 {
		return "", 0, err
	}
	since := at.Add(-time.Duration(a.ladder.Window()) * 7 * 24 * time.Hour)
	facts, err := a.db.Facts(ctx, m.UserID, since)
	if err != nil {
		return "", 0, err
	}
	kept := facts[:0]
	for _, f := range facts {
		if !f.At.After(at) {
			kept = append(kept, f)
		}
	}
	goals, err := a.db.Goals(ctx, m.UserID)
	if err != nil {
		return "", 0, err
	}
	var keptGoals []store.Goal
	for _, g := range goals {
		if !g.Created.After(at) {
			keptGoals = append(keptGoals, g)
		}
	}
	local := at.In(m.Location())
	names := map[string]string{}
	doc := packetDoc{
		l: a.ladder, m: m, who: m.Name, es: es, goals: keptGoals, now: local,
		r: ladder.Compute(a.ladder, m.Target, a.track(m), kept, local),
		name: func(id string) string {
			if n, ok := names[id]; ok {
				return n
			}
			names[id] = a.personName(ctx, id)
			return names[id]
		},
		linkOf: evidenceLink,
	}
	return doc.render(), len(es), nil
}

// postExportFile uploads the packet of a file row and shares it in the DM.
// It returns the DM's id; the share's ts is not in Slack's answer, so it is
// left empty. An error is a *ladder.Error.
func (a *App) postExportFile(ctx context.Context, it store.OutboxItem) (channel, ts string, err error) {
	m, err := a.db.Member(ctx, it.UserID)
	if errors.Is(err, ladder.ErrNotEnrolled) {
		return "", "", notDue("not enrolled")
	}
	if err != nil {
		return "", "", before(err)
	}
	content, pieces, err := a.packetFile(ctx, m, it.Created)
	if err != nil {
		return "", "", before(err)
	}
	if pieces == 0 {
		return "", "", notDue("no evidence left to export")
	}
	local := it.Created.In(m.Location())
	name, title := packetFileName(m, local), packetTitle(a.ladder, m, local)

	up, err := a.api.GetUploadURLExternalContext(ctx, slack.GetUploadURLExternalParameters{FileName: name, FileSize: len(content)})
	a.countSend("files.getUploadURLExternal", err)
	if slackCode(err) == "missing_scope" {
		return "", "", a.fallBackToMessages(ctx, it)
	}
	if err != nil {
		return "", "", nothingSent(sendError("files.getUploadURLExternal", err))
	}
	err = a.api.UploadToURL(ctx, slack.UploadToURLParameters{UploadURL: up.UploadURL, Content: content, Filename: name})
	a.countSend("upload_url", err)
	if err != nil {
		return "", "", nothingSent(sendError("upload_url", err))
	}
	c, _, _, err := a.api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{it.UserID}, ReturnIM: true})
	a.countSend("conversations.open", err)
	if err != nil {
		return "", "", nothingSent(sendError("conversations.open", err))
	}
	_, err = a.api.CompleteUploadExternalContext(ctx, slack.CompleteUploadExternalParameters{
		Files:          []slack.FileSummary{{ID: up.FileID, Title: title}},
		Channel:        c.ID,
		InitialComment: exportComment(a.ladder, m, pieces),
	})
	a.countSend("files.completeUploadExternal", err)
	if err != nil {
		// A timeout or a 5xx may have shared it: sendError says MaySent,
		// and FindPosted settles it before any new upload.
		return "", "", sendError("files.completeUploadExternal", err)
	}
	return c.ID, "", nil
}

// exportComment is the message the file comes with. It holds no member text:
// only the ladder's names, escaped, and counts.
func exportComment(l *ladder.Ladder, m ladder.Member, pieces int) string {
	return escapeText(fmt.Sprintf("Your promotion packet for %s: %s of evidence, organised by what %s expects, then readiness, open gaps and your growth goals. It is Markdown: open it, or copy it into a doc.",
		levelName(l, m.Target), ladder.Plural(pieces, "piece"), levelName(l, m.Target)))
}

// fallBackToMessages queues the packet of file row it as DM messages, as of
// the same time, after a message on how to grant files:write, and drops the
// row. The keys come from the row's, so a second attempt queues nothing new.
func (a *App) fallBackToMessages(ctx context.Context, it store.OutboxItem) error {
	id := strings.TrimPrefix(it.Key, fileRowPrefix+it.UserID+":")
	m, err := a.db.Member(ctx, it.UserID)
	if errors.Is(err, ladder.ErrNotEnrolled) {
		return notDue("not enrolled")
	}
	if err != nil {
		return before(err)
	}
	layout, _, _, err := a.packet(ctx, m, it.Created)
	if err != nil {
		return before(err)
	}
	if err := a.queueDM(ctx, dm{to: it.UserID, key: "export-scope:" + it.UserID + ":" + id, msg: text("%s", scopeHelp), about: it.UserID}); err != nil {
		return before(err)
	}
	now := a.now()
	items := make([]store.OutboxItem, len(layout))
	for i := range layout {
		items[i] = store.OutboxItem{
			Key:  fmt.Sprintf("export:%s:%s:%d", it.UserID, id, i+1),
			Kind: store.OutboxExport, Method: "chat.postMessage", UserID: it.UserID, Part: i + 1,
			DueAt: now.Add(time.Duration(i+1) * exportPace), Created: it.Created,
		}
	}
	if _, err := a.db.Enqueue(ctx, items...); err != nil {
		return before(err)
	}
	a.log.Warn("the install lacks files:write; the packet goes as messages", "user", it.UserID)
	a.wakeSends()
	return notDue("files:write not granted: sent as messages instead")
}

// findExportFile looks in the DM for the share an earlier attempt at file
// row it may have made: a bot message since the row was made, sharing a file
// with this packet's name and title.
func (a *App) findExportFile(ctx context.Context, it store.OutboxItem) (channel, ts string, found bool, err error) {
	m, err := a.db.Member(ctx, it.UserID)
	if errors.Is(err, ladder.ErrNotEnrolled) {
		return "", "", false, nil // PostOutbox drops it
	}
	if err != nil {
		return "", "", false, before(err)
	}
	local := it.Created.In(m.Location())
	name, title := packetFileName(m, local), packetTitle(a.ladder, m, local)
	c, _, _, err := a.api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{it.UserID}, ReturnIM: true})
	a.countSend("conversations.open", err)
	if err != nil {
		return "", "", false, sendError("conversations.open", err)
	}
	cursor := ""
	for range historyPages {
		h, err := a.api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{
			ChannelID: c.ID, Oldest: slackTS(it.Created.Add(-clockSlack)), Limit: 200, Cursor: cursor})
		a.countSend("conversations.history", err)
		if err != nil {
			return "", "", false, sendError("conversations.history", err)
		}
		for _, msg := range h.Messages {
			if msg.BotID == "" && (a.botUserID == "" || msg.User != a.botUserID) {
				continue
			}
			for _, f := range msg.Files {
				if f.Name == name && f.Title == title {
					return c.ID, msg.Timestamp, true, nil
				}
			}
		}
		if !h.HasMore || h.ResponseMetaData.NextCursor == "" {
			return c.ID, "", false, nil
		}
		cursor = h.ResponseMetaData.NextCursor
	}
	return "", "", false, &ladder.Error{Code: ladder.ETransient, Op: "conversations.history",
		Err: fmt.Errorf("more than %d pages since %s: cannot tell whether %s went out", historyPages, it.Created, it.Key)}
}

// slackCode is the Slack error code in err's chain, "" if none.
func slackCode(err error) string {
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		return se.Err
	}
	return ""
}

// nothingSent marks a failure before the share: whatever it was, nothing
// reached the member, so the next attempt need not look first.
func nothingSent(err error) error {
	var e *ladder.Error
	if errors.As(err, &e) {
		e.MaySent = false
	}
	return err
}
