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

// This file is the app's side of a cadence that respects time off: reading
// a member's Slack status for the send queue (which holds the weekly question
// of a member who is away, see schedule's away.go), and telling the member,
// once, in their first weekly question back, which weeks were held.

// Away reads the user's custom status from users.info (scope users:read)
// and reports whether it says they are away now: ladder.Away keeps the list
// of what counts. A status_expiration of 0 never ends. An error is a
// *ladder.Error, as the send queue reads it.
func (a *App) Away(ctx context.Context, userID string) (bool, error) {
	u, err := a.api.GetUserInfoContext(ctx, userID)
	a.countSend("users.info", err)
	if err != nil {
		return false, sendError("users.info", err)
	}
	away, until := statusOf(u.Profile)
	return away && (until.IsZero() || a.now().Before(until)), nil
}

// statusOf is what a users.info profile's status says: whether it says the
// user is away, whatever its expiration, and that expiration (zero: none).
func statusOf(p slack.UserProfile) (away bool, until time.Time) {
	if exp := int64(p.StatusExpiration); exp > 0 {
		until = time.Unix(exp, 0)
	}
	return ladder.Away(p.StatusText, p.StatusEmoji, time.Time{}, time.Time{}), until
}

// keepStatus keeps what an enrolled member's status says, read with their
// zone: the send queue goes by it when users.info's budget is spent (a large
// fan-out), rather than wait. A failure only loses that shortcut.
func (a *App) keepStatus(ctx context.Context, u *slack.User) {
	away, until := statusOf(u.Profile)
	err := a.db.StatusRead(ctx, u.ID, store.AwayStatus{Away: away, Until: until, Checked: a.now()})
	if err != nil && !errors.Is(err, ladder.ErrNotEnrolled) {
		a.log.Warn("cannot keep a member's status", "user", u.ID, "err", err)
	}
}

// welcomeBack adds to a member's weekly question, at the top, the weeks
// whose question was held while they were away and that they have not been
// told of yet, and returns those weeks: once the question is posted they are
// marked told (toldAway). A failed read leaves the question as it was; the
// note waits for the next one.
func (a *App) welcomeBack(ctx context.Context, m ladder.Member, msg Message) (Message, []ladder.Week) {
	weeks, err := a.db.UntoldAway(ctx, m.UserID)
	if err != nil {
		a.log.Warn("cannot read the weeks held while away", "user", m.UserID, "err", err)
		return msg, nil
	}
	if len(weeks) == 0 {
		return msg, nil
	}
	note := welcomeBackText(weeks)
	// The text, which notifications show, starts with the question still.
	msg.Text += "\n" + note
	msg.Blocks = append([]slack.Block{slack.NewContextBlock("welcome_back", mrkdwn(note))}, msg.Blocks...)
	return msg, weeks
}

// toldAway records that the member was told of weeks. If that fails after
// the question was posted, they are told again with the next one: better
// than never.
func (a *App) toldAway(ctx context.Context, userID string, weeks []ladder.Week) {
	if len(weeks) == 0 {
		return
	}
	if err := a.db.MarkAwayTold(context.WithoutCancel(ctx), userID, weeks, a.now()); err != nil {
		a.log.Warn("cannot record that the weeks held while away were told", "user", userID, "err", err)
	}
}

// maxWeeksNamed is how many held weeks the note names before it counts the
// rest.
const maxWeeksNamed = 4

// welcomeBackText says which weeks' questions were held, oldest first, each
// by its Monday: "Welcome back! Ladder held your questions for the weeks of
// 9 Nov and 16 Nov, …".
func welcomeBackText(weeks []ladder.Week) string {
	var names []string
	for i, w := range weeks {
		if i == maxWeeksNamed {
			names = append(names, fmt.Sprintf("%d more", len(weeks)-maxWeeksNamed))
			break
		}
		names = append(names, weekMonday(w).Format("2 Jan"))
	}
	which := "your question for the week of " + names[0]
	if len(weeks) > 1 {
		which = "your questions for the weeks of " + strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
	}
	return "Welcome back! Ladder held " + which + " while your Slack status said you were away. Those weeks never count as missed."
}

// weekMonday is the Monday of an ISO week: week 1 holds 4 January.
func weekMonday(w ladder.Week) time.Time {
	jan4 := time.Date(w.Year, time.January, 4, 0, 0, 0, 0, time.UTC)
	monday := jan4.AddDate(0, 0, -((int(jan4.Weekday()) + 6) % 7))
	return monday.AddDate(0, 0, 7*(w.Week-1))
}

// streakText is the Home tab's non-punitive streak: of the last weeks the
// member was here (paused and away weeks left out), how many have evidence.
// It is empty until there is a week to count.
func streakText(s ladder.Streak) string {
	switch {
	case s.Here == 0:
		return ""
	case s.Here == 1:
		return fmt.Sprintf("Evidence in %d of 1 week you were here.", s.Evidence)
	}
	return fmt.Sprintf("Evidence in %d of the last %d weeks you were here.", s.Evidence, s.Here)
}

// streakWeeks is how many weeks the Home tab's streak looks back.
const streakWeeks = 12

// streak reads what the Home tab's streak counts: the member's evidence and
// weeks off of the last streakWeeks weeks.
func (a *App) streak(ctx context.Context, m ladder.Member) (ladder.Streak, error) {
	now := a.now()
	since := now.AddDate(0, 0, -7*(streakWeeks+1))
	off, err := a.db.WeeksOff(ctx, m.UserID, since)
	if err != nil {
		return ladder.Streak{}, err
	}
	facts, err := a.db.Facts(ctx, m.UserID, since)
	if err != nil {
		return ladder.Streak{}, err
	}
	at := make([]time.Time, len(facts))
	for i, f := range facts {
		at[i] = f.At
	}
	return ladder.StreakOf(m, at, off, now, streakWeeks), nil
}

// withStreak puts the streak line, if any, in the Home tab's blocks bs just
// before its main buttons (block home_actions): under what comes next.
func withStreak(bs []slack.Block, text string) []slack.Block {
	if text == "" {
		return bs
	}
	line := slack.NewContextBlock("home_streak", mrkdwn(text))
	for i, b := range bs {
		if a, ok := b.(*slack.ActionBlock); ok && a.BlockID == "home_actions" {
			return append(bs[:i:i], append([]slack.Block{line}, bs[i:]...)...)
		}
	}
	return append(bs, line)
}
