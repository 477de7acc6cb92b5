package schedule

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ladderapp/ladder/internal/ladder"
	"github.com/ladderapp/ladder/internal/store"
)

// This file holds a member's weekly question while their Slack status says
// they are away (ladder.Away decides what counts). The status is read just
// before the question or its reminder is posted, after stillDue, so that it
// is as fresh as it can be: one users.info call per weekly question and per
// reminder, within users.info's budget like the zone reads of a pass.

// statusMethod is the Web API method a status is read with.
const statusMethod = "users.info"

// holdIfAway reads the recipient's status before a weekly prompt or a
// reminder is posted, and reports whether it has dealt with the row:
//   - away at a weekly prompt: the week is recorded as away (so it is never
//     counted as missed, and the member is told of it when they are back) and
//     the row is dropped; with no prompt posted, no reminder follows;
//   - away at a reminder: the prompt's week is marked paused, as a pause
//     after the prompt would, and the reminder is dropped;
//   - no users.info token now, or a 429: the status kept from the member's
//     daily zone read decides, if it is fresh (lastStatus); with none, the
//     question goes. Waiting for users.info would hold a fan-out to its 100
//     or so calls a minute (BenchmarkFanout1000At50 delivered 134 of 1,000
//     in 70 s that way, against 20 s without the status read).
//
// A status that cannot be read (any other users.info failure) does not hold
// the question: it is sent, since a question too many is better than a
// question lost. Other rows are not its business.
func (q *queue) holdIfAway(ctx context.Context, it store.OutboxItem) bool {
	if it.Kind != store.OutboxPrompt && it.Kind != store.OutboxReminder {
		return false
	}
	now := q.now()
	wait, err := q.take(ctx, statusMethod, now)
	switch {
	case err != nil:
		q.log.Warn("cannot read the users.info budget; sending without reading the status", "key", it.Key, "err", err)
		return false
	case wait > 0:
		// No read now: the kept status decides, and without one the question
		// goes, as when a read fails, rather than wait behind users.info.
		if !q.lastStatus(ctx, it, now) {
			return false
		}
		return q.hold(ctx, it, now)
	}
	sctx, cancel := context.WithTimeout(ctx, q.cfg.SendTimeout)
	away, err := q.slack.Away(sctx, it.UserID)
	cancel()
	if err != nil {
		if e := failureOf(err); e.Code == ladder.ERateLimited {
			until := now.Add(e.RetryAfter)
			q.limited(ctx, statusMethod, now, until)
			if !q.lastStatus(ctx, it, now) {
				return false
			}
			return q.hold(ctx, it, now)
		}
		q.log.Warn("users.info failed; sending without reading the status", "key", it.Key, "err", err)
		return false
	}
	if !away {
		return false
	}
	return q.hold(ctx, it, now)
}

// statusMaxAge is how old a status kept from the daily zone read
// (lastStatus) may be and still decide: a zone is read about once a day.
const statusMaxAge = zoneMaxAge + 6*time.Hour

// lastStatus reports whether the status kept from the member's last zone
// read, if it is at most statusMaxAge old, says they are away at now. It is
// what decides when users.info's budget is spent: in a large fan-out, one
// read per question would hold the questions to users.info's 100 or so a
// minute, while chat.postMessage allows more. A status set or cleared since that read is
// missed, but one with an expiration is judged by it at now.
func (q *queue) lastStatus(ctx context.Context, it store.OutboxItem, now time.Time) bool {
	s, ok, err := q.db.LastStatus(ctx, it.UserID)
	if err != nil {
		q.log.Warn("cannot read the kept status", "key", it.Key, "err", err)
		return false
	}
	return ok && now.Sub(s.Checked) <= statusMaxAge && s.AwayAt(now)
}

// hold holds row it of a member who is away, and reports that it dealt with
// the row.
func (q *queue) hold(ctx context.Context, it store.OutboxItem, now time.Time) bool {
	if err := q.recordAway(ctx, it, now); errors.Is(err, ladder.ErrNotEnrolled) || errors.Is(err, ladder.ErrNotFound) {
		q.finish(ctx, it, store.OutboxDropped, "no longer due: "+err.Error())
		return true
	} else if err != nil {
		// Not recorded: neither posted nor dropped. The status is read again
		// at the next attempt.
		q.retried.Add(1)
		q.retry(ctx, it, now.Add(q.backoff(it.Attempts)), it.Unsure, true, "recording an away week: "+err.Error())
		return true
	}
	q.finish(ctx, it, store.OutboxDropped, "no longer due: away by their Slack status")
	return true
}

// recordAway records what an away status at row it means: a weekly
// prompt's week held as away, or a reminder's prompt's week marked paused.
func (q *queue) recordAway(ctx context.Context, it store.OutboxItem, now time.Time) error {
	bctx, cancel := bookkeeping(ctx)
	defer cancel()
	if it.Kind == store.OutboxReminder {
		return q.db.AwayAfterPrompt(bctx, it.PromptRef)
	}
	week, err := it.Week()
	if err != nil {
		// A row no attempt can read: the post would fail the same way.
		return fmt.Errorf("%w: %w", ladder.ErrNotFound, err)
	}
	_, err = q.db.RecordWeekOff(bctx, it.UserID, week, store.OffAway, now)
	return err
}

// recordPausedWeeks records as paused the week of each member whose slot
// passed, within CatchUp, while they were paused: no question went out, and
// the Home tab's streak leaves the week out as it does an away week. A
// member's week is recorded once per process; the store keeps it once.
func (s *Scheduler) recordPausedWeeks(ctx context.Context, p *pass) error {
	if s.pausedWeeks == nil {
		s.pausedWeeks = map[string]ladder.Week{}
	}
	var errs []error
	for _, m := range p.members {
		slot, week, ok := WeekSlot(m.Slot, m.Location(), p.now)
		if !ok || slot.After(p.now) || p.now.Sub(slot) > s.cfg.CatchUp || !m.Paused(slot) ||
			slot.Before(m.EnrolledAt) || s.pausedWeeks[m.UserID] == week {
			continue
		}
		if _, err := s.db.RecordWeekOff(ctx, m.UserID, week, store.OffPaused, p.now); err != nil && !errors.Is(err, ladder.ErrNotEnrolled) {
			errs = append(errs, fmt.Errorf("record a paused week: %w", err))
			continue
		}
		s.pausedWeeks[m.UserID] = week
	}
	return errors.Join(errs...)
}
