package slackapp

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/slack-go/slack"

	"github.com/ladderapp/ladder/internal/ladder"
	"github.com/ladderapp/ladder/internal/prompts"
	"github.com/ladderapp/ladder/internal/store"
)

// enroll returns the member, enrolling them first if they are new: their
// timezone and name come from users.info, the rest from the defaults, and they
// get the welcome DM.
func (a *App) enroll(ctx context.Context, userID string) (ladder.Member, bool, error) {
	m, err := a.db.Member(ctx, userID)
	if err == nil {
		return m, false, nil
	}
	if !errors.Is(err, ladder.ErrNotEnrolled) {
		return m, false, err
	}
	m = a.newMember(userID)
	if u, err := a.userInfo(ctx, userID); err == nil {
		m.TZ, m.Name = u.TZ, displayName(u)
	} else {
		// Not fatal: the member is enrolled in UTC and the zone is filled in
		// the next time Slack tells us.
		a.log.Warn("users.info failed at enrolment; using UTC for now", "user", userID, "err", err)
	}
	m, created, err := a.db.Enroll(ctx, m)
	if err != nil {
		return m, false, err
	}
	if created {
		a.log.Info("enrolled", "user", userID, "tz", m.TZ)
		if _, _, err := a.postDM(ctx, userID, "welcome:"+userID, welcomeMessage(a.ladder, m, a.cfg.ReminderAfter)); err != nil {
			a.log.Error("welcome DM failed", "user", userID, "err", err)
		}
	}
	return m, created, nil
}

func displayName(u *slack.User) string {
	if u.Profile.DisplayName != "" {
		return u.Profile.DisplayName
	}
	if u.RealName != "" {
		return u.RealName
	}
	return u.Name
}

func (a *App) userInfo(ctx context.Context, userID string) (*slack.User, error) {
	var u *slack.User
	err := a.call(ctx, "users.info", func() error {
		var err error
		u, err = a.api.GetUserInfoContext(ctx, userID)
		return err
	})
	return u, err
}

// refreshZone keeps a member's timezone and name in step with Slack.
func (a *App) refreshZone(ctx context.Context, userID string) {
	u, err := a.userInfo(ctx, userID)
	if err != nil {
		a.log.Warn("users.info failed", "user", userID, "err", err)
		return
	}
	_, err = a.db.UpdateMember(ctx, userID, func(m *ladder.Member) error {
		m.TZ, m.Name = u.TZ, displayName(u)
		return nil
	})
	if err != nil && !errors.Is(err, ladder.ErrNotEnrolled) {
		a.log.Error("update timezone", "user", userID, "err", err)
	}
}

// readiness computes a member's readiness now.
func (a *App) readiness(ctx context.Context, m ladder.Member) (ladder.Readiness, error) {
	now := a.now()
	since := now.Add(-time.Duration(a.ladder.Window()) * 7 * 24 * time.Hour)
	facts, err := a.db.Facts(ctx, m.UserID, since)
	if err != nil {
		return ladder.Readiness{}, err
	}
	return ladder.Compute(a.ladder, m.Target, a.track(m), facts, now.In(m.Location())), nil
}

func (a *App) track(m ladder.Member) ladder.Track {
	if t, ok := a.ladder.Track(m.Track); ok {
		return t
	}
	return a.ladder.DefaultTrack()
}

// nextPrompt chooses the question a member gets next.
func (a *App) nextPrompt(ctx context.Context, m ladder.Member, r ladder.Readiness, exclude string) (ladder.Prompt, error) {
	st, err := a.promptState(ctx, m, r, exclude)
	if err != nil {
		return ladder.Prompt{}, err
	}
	return prompts.Next(a.ladder, st)
}

// promptState gathers what the prompt chooser needs to know about a member.
func (a *App) promptState(ctx context.Context, m ladder.Member, r ladder.Readiness, exclude string) (prompts.State, error) {
	now := a.now()
	since := now.Add(-time.Duration(a.ladder.Window()) * 7 * 24 * time.Hour)
	answered, err := a.db.Answered(ctx, m.UserID, since)
	if err != nil {
		return prompts.State{}, err
	}
	sent, err := a.db.RecentPrompts(ctx, m.UserID, time.Time{}) // all of them: see prompts.State.Sent
	if err != nil {
		return prompts.State{}, err
	}
	return prompts.State{Member: m, Readiness: r, Answered: answered, Sent: sent, Exclude: exclude, Now: now}, nil
}

// SendPrompt sends a member a reflection question now, on demand. It is
// recorded as on-demand, so it never takes the place of the weekly prompt,
// which the scheduler sends through the outbox (see outbox.go).
func (a *App) SendPrompt(ctx context.Context, userID, exclude string) error {
	m, err := a.db.Member(ctx, userID)
	if err != nil {
		return err
	}
	r, err := a.readiness(ctx, m)
	if err != nil {
		return err
	}
	p, err := a.nextPrompt(ctx, m, r, exclude)
	if err != nil {
		return err
	}
	now := a.now()
	sent, _, err := a.db.RecordPrompt(ctx, store.PromptSent{
		UserID: userID, PromptID: p.ID, Week: ladder.WeekOf(now.In(m.Location())), Created: now,
	})
	if err != nil {
		return err
	}
	ch, ts, err := a.postDM(ctx, userID, fmt.Sprintf("ondemand:%d", sent.ID), promptMessage(a.ladder, m, p, false, false))
	if err != nil {
		return err
	}
	if err := a.db.MarkPromptPosted(ctx, sent.ID, ch, ts); err != nil {
		return err
	}
	a.publishHomeLogged(ctx, userID)
	return nil
}

// postDM sends a message to a user's DM with the app, once. Posting to the
// user id lands in the app's Messages tab without conversations.open.
//
// Every DM carries a key in its metadata (key, or a fresh random one if
// empty, so that no key repeats across restarts or replicas). A 429 is waited
// out; after a failure that may have posted anyway (a 5xx, a timeout, a
// dropped connection), the DM's history is searched for the key before trying
// again, so a retry never posts twice. If that search keeps failing, postDM
// gives up without posting: it cannot tell whether the message went out.
func (a *App) postDM(ctx context.Context, userID, key string, msg Message) (channel, ts string, err error) {
	if key == "" {
		key = "dm:" + userID + ":" + newKeyID()
	}
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
	// The history search starts from the app's clock: the program has one
	// clock, and in production it is Slack's wall clock too.
	since := a.now()
	wait := time.Second
	attempt, waits := 1, 0
	for {
		channel, ts, err = a.api.PostMessageContext(ctx, userID, opts...)
		a.countSend("chat.postMessage", err)
		if err == nil {
			return channel, ts, nil
		}
		var se *ladder.Error
		errors.As(sendError("chat.postMessage", err), &se)
		// A 429 posted nothing: Slack allows about one post a second to a
		// DM, so a member who sends several answers at once meets it as a
		// matter of course. Waiting it out is not a failed attempt.
		if se.Code == ladder.ERateLimited && waits < maxRateLimitPostWaits {
			waits++
			a.log.Info("rate limited by Slack; waiting", "method", "chat.postMessage", "user", userID, "retry_after", se.RetryAfter)
			if err := sleep(ctx, se.RetryAfter); err != nil {
				return "", "", err
			}
			continue
		}
		if se.Code == ladder.EPermanent || attempt == maxPostAttempts {
			return "", "", fmt.Errorf("post to %s: %w", userID, err)
		}
		attempt++
		a.log.Warn("post failed; retrying", "user", userID, "attempt", attempt-1, "in", wait, "err", err)
		if err := sleep(ctx, wait); err != nil {
			return "", "", err
		}
		if se.MaySent {
			ch, ts, found, err := a.settle(ctx, userID, key, msg.ThreadTS, since)
			if err != nil {
				return "", "", fmt.Errorf("post to %s: it may have gone out, and the search for it failed, so it is not posted again: %w", userID, err)
			}
			if found {
				return ch, ts, nil
			}
		}
		wait = min(2*wait, 30*time.Second)
	}
}

// settle searches userID's DM for the message carrying key, which an attempt
// that failed may have posted. A search that fails is not an answer: it waits
// (a 429's Retry-After, or a growing backoff) and searches again, and returns
// the last error only when the searches run out.
func (a *App) settle(ctx context.Context, userID, key, threadTS string, since time.Time) (channel, ts string, found bool, err error) {
	wait := time.Second
	attempt, waits := 1, 0
	for {
		channel, ts, found, err = a.findPosted(ctx, userID, key, threadTS, since)
		if err == nil {
			return channel, ts, found, nil
		}
		var se *ladder.Error
		if !errors.As(err, &se) {
			se = &ladder.Error{Code: ladder.ETransient, Err: err}
		}
		switch {
		case se.Code == ladder.ERateLimited && waits < maxRateLimitPostWaits:
			waits++
			a.log.Info("rate limited by Slack; waiting", "method", se.Op, "user", userID, "retry_after", se.RetryAfter)
			if err := sleep(ctx, se.RetryAfter); err != nil {
				return "", "", false, err
			}
			continue
		case se.Code == ladder.ERateLimited, se.Code == ladder.EPermanent, attempt == maxPostAttempts:
			return "", "", false, err
		}
		attempt++
		a.log.Warn("search for a post failed; searching again", "user", userID, "in", wait, "err", err)
		if err := sleep(ctx, wait); err != nil {
			return "", "", false, err
		}
		wait = min(2*wait, 30*time.Second)
	}
}

// newKeyID returns 16 random hex digits for a message's key: unique across
// restarts and replicas, where a counter in memory starts again at 1.
func newKeyID() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24)
	return hex.EncodeToString(b[:])
}

// maxPostAttempts bounds how often postDM tries one message, and settle one
// search, after failures that are not 429s; maxRateLimitPostWaits bounds the
// 429s each waits out.
const (
	maxPostAttempts       = 5
	maxRateLimitPostWaits = 30
)

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// maxRateLimitWaits bounds how often one call waits out a 429 before giving up.
const maxRateLimitWaits = 3

// call runs one Web API call, counting it, and waits out a 429 for as long as
// Slack's Retry-After says, a few times at most. It does not retry other
// failures: a post that may have gone through is never sent twice.
func (a *App) call(ctx context.Context, method string, fn func() error) error {
	for attempt := 0; ; attempt++ {
		err := fn()
		var rl *slack.RateLimitedError
		switch {
		case err == nil:
			a.metrics.send(method, "ok")
			return nil
		case errors.As(err, &rl) && attempt < maxRateLimitWaits:
			a.metrics.send(method, "ratelimited")
			a.log.Info("rate limited by Slack; waiting", "method", method, "retry_after", rl.RetryAfter)
			t := time.NewTimer(rl.RetryAfter)
			select {
			case <-ctx.Done():
				t.Stop()
				return ctx.Err()
			case <-t.C:
			}
		default:
			a.metrics.send(method, "error")
			return err
		}
	}
}
