package slackapp

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"time"

	"github.com/slack-go/slack"

	"github.com/ladderapp/ladder/internal/ladder"
	"github.com/ladderapp/ladder/internal/prompts"
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
		a.queueDMLogged(ctx, dm{to: userID, key: "welcome:" + userID, about: userID,
			msg: welcomeMessage(a.ladder, m, a.cfg.ReminderAfter)})
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
	return a.sendOnDemand(ctx, m, p, promptMessage(a.ladder, m, p, false, false))
}

// newKeyID returns 16 random hex digits for a message's key: unique across
// restarts and replicas, where a counter in memory starts again at 1.
func newKeyID() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24)
	return hex.EncodeToString(b[:])
}

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
