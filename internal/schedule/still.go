package schedule

import (
	"context"
	"errors"

	"github.com/ladderapp/ladder/internal/ladder"
	"github.com/ladderapp/ladder/internal/store"
)

// stillDue decides, just before a send, whether the row still needs sending:
// the one place that does. It returns "" when it does, or why not (the
// member left, paused, answered or skipped the week, turned their weekly
// question off, or the digest already went out or has no one to cover). A
// read that fails is an error, and the row is tried again.
func (q *queue) stillDue(ctx context.Context, it store.OutboxItem) (string, error) {
	switch it.Kind {
	case store.OutboxPrompt:
		m, err := q.db.Member(ctx, it.UserID)
		if errors.Is(err, ladder.ErrNotEnrolled) {
			return "not enrolled", nil
		}
		if err != nil {
			return "", err
		}
		switch {
		case !m.Slot.On:
			return "weekly questions are off", nil
		case m.Paused(q.now()):
			return "paused", nil
		}
	case store.OutboxReminder:
		sent, err := q.db.PromptSentByID(ctx, it.PromptRef)
		if errors.Is(err, ladder.ErrNotFound) {
			return "prompt gone", nil
		}
		if err != nil {
			return "", err
		}
		m, err := q.db.Member(ctx, sent.UserID)
		if errors.Is(err, ladder.ErrNotEnrolled) {
			return "not enrolled", nil
		}
		if err != nil {
			return "", err
		}
		switch {
		case sent.Skipped:
			return "week skipped", nil
		case m.Paused(q.now()):
			return "paused", nil
		}
		latest, err := q.db.Evidence(ctx, m.UserID, "", 1)
		if err != nil {
			return "", err
		}
		if len(latest) > 0 && !latest[0].Created.Before(sent.Created) {
			return "answered", nil
		}
	case store.OutboxDigest:
		sent, err := q.db.DigestSent(ctx, it.UserID, it.Period)
		if err != nil {
			return "", err
		}
		if sent {
			return "digest already sent this month", nil
		}
		reports, err := q.db.Reports(ctx, it.UserID)
		if err != nil {
			return "", err
		}
		if len(reports) == 0 {
			return "no reports", nil
		}
	}
	return "", nil
}
