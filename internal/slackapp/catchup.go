package slackapp

import (
	"context"
	"fmt"
	"time"
)

// This file is the start-up catch-up: answers stored but whose confirmation
// was never queued (the process stopped in between) get it at the next start.
// Queueing a confirmation marks its answer confirmed in the same transaction,
// so an unconfirmed answer has none in the queue; the catch-up queues it as
// unsure all the same, so that one posted by a version before the queue is
// found in the thread rather than posted twice. The queue keeps those lookups
// within their tier.

// missedWindow is how far back confirmMissed looks: an answer older than a day
// that was never confirmed is better left alone than confirmed out of the blue.
const missedWindow = 24 * time.Hour

func confirmKey(id int64) string { return fmt.Sprintf("confirm:%d", id) }

// confirmMissed queues the confirmation of each answer of the past day that
// was stored before started and never confirmed. Answers stored since, as the
// inbox replays the events a stop left unhandled, are confirmed by their own
// workers.
func (a *App) confirmMissed(ctx context.Context, started time.Time) {
	all, err := a.db.Unconfirmed(ctx, a.now().Add(-missedWindow), 1000)
	if err != nil {
		if ctx.Err() == nil {
			a.log.Error("look for unconfirmed answers", "err", err)
		}
		return
	}
	n := 0
	for _, ev := range all {
		if !ev.Created.Before(started) {
			continue
		}
		m, err := a.db.Member(ctx, ev.UserID)
		if err != nil {
			a.log.Warn("cannot confirm a missed answer", "user", ev.UserID, "err", err)
			continue
		}
		a.confirm(ctx, m, ev, true)
		n++
	}
	if n > 0 {
		a.log.Info("queued the confirmations a restart left out", "answers", n)
	}
}
