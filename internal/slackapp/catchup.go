package slackapp

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ladderapp/ladder/internal/ladder"
)

// This file is the start-up catch-up: answers stored but never confirmed
// (the process stopped in between) are confirmed at the next start, unless
// the confirmation went out and only its record was lost.

// missedWindow is how far back confirmMissed looks: an answer older than a day
// that was never confirmed is better left alone than confirmed out of the blue.
const missedWindow = 24 * time.Hour

// defaultCatchUpEvery spaces the catch-up's calls to each conversations.*
// method. Those methods are Tier 3, 50 calls a minute per app and workspace
// (api.slack.com/apis/rate-limits); 40 a minute leaves room for the lookups
// that live traffic makes meanwhile.
const defaultCatchUpEvery = 1500 * time.Millisecond

// maxCatchUpAttempts bounds how often one answer's lookup is tried after
// failures other than a 429; a 429 is waited out as often as Slack asks.
const maxCatchUpAttempts = 5

func confirmKey(id int64) string { return fmt.Sprintf("confirm:%d", id) }

// confirmMissed confirms each answer of the past day that was stored but never
// confirmed. It first looks in the DM, by the confirmation's key, for one that
// went out unrecorded, pacing those lookups within Slack's Tier 3 and waiting
// out any 429, so that every answer is settled however many there are. A
// confirmation still to post goes to the worker pool, keyed by member, like
// any other post. It runs in its own goroutine until done or ctx ends: a
// worker never sleeps for its pacing. Only answers stored before started are
// its business: those stored since, as the inbox replays the events a stop
// left unhandled, are being confirmed by their own workers.
func (a *App) confirmMissed(ctx context.Context, started time.Time) {
	all, err := a.db.Unconfirmed(ctx, a.now().Add(-missedWindow), 1000)
	if err != nil {
		if ctx.Err() == nil {
			a.log.Error("look for unconfirmed answers", "err", err)
		}
		return
	}
	var es []ladder.Evidence
	for _, ev := range all {
		if ev.Created.Before(started) {
			es = append(es, ev)
		}
	}
	if len(es) == 0 {
		return
	}
	a.log.Info("confirming answers a restart left unconfirmed", "answers", len(es), "every", a.cfg.CatchUpEvery)
	p := newPacer(a.cfg.CatchUpEvery)
	since := a.now().Add(-missedWindow)
	for _, ev := range es {
		if !a.catchUp(ctx, p, ev, since) {
			return
		}
	}
}

// catchUp settles one unconfirmed answer. It reports false once ctx has ended.
func (a *App) catchUp(ctx context.Context, p *pacer, ev ladder.Evidence, since time.Time) bool {
	wait := time.Second
	for attempt := 1; ; attempt++ {
		_, _, found, err := a.lookPosted(ctx, lookup{
			userID: ev.UserID, channel: ev.Channel, key: confirmKey(ev.ID), threadTS: ev.Thread, since: since, pace: p.wait,
		})
		var se *ladder.Error
		switch {
		case ctx.Err() != nil:
			return false
		case err == nil && found:
			if err := a.db.MarkConfirmed(ctx, ev.UserID, ev.ID, a.now()); err != nil {
				a.log.Error("mark confirmed", "user", ev.UserID, "err", err)
			}
			return true
		case err == nil:
			return a.queueConfirm(ctx, ev)
		case errors.As(err, &se) && se.Code == ladder.ERateLimited:
			a.log.Warn("rate limited while looking for a lost confirmation; waiting", "method", se.Op, "retry_after", se.RetryAfter)
			p.hold(se.Op, se.RetryAfter)
			continue
		case attempt == maxCatchUpAttempts:
			a.log.Warn("cannot tell whether an answer was confirmed; leaving it for the next start", "user", ev.UserID, "err", err)
			return true
		}
		if sleep(ctx, wait) != nil {
			return false
		}
		wait = min(2*wait, 30*time.Second)
	}
}

// queueConfirm hands the confirmation of ev to the worker pool, waiting for
// room in the member's queue if it is full. It reports false once ctx has
// ended.
func (a *App) queueConfirm(ctx context.Context, ev ladder.Evidence) bool {
	job := func(ctx context.Context) {
		m, err := a.db.Member(ctx, ev.UserID)
		if err != nil {
			a.log.Warn("cannot confirm a missed answer: member not found", "user", ev.UserID, "err", err)
			return
		}
		a.confirm(ctx, m, ev)
	}
	for !a.pool.submit(ev.UserID, job) {
		if sleep(ctx, 100*time.Millisecond) != nil {
			return false
		}
	}
	return true
}

// pacer spaces the calls to each Web API method by a fixed interval, on the
// real clock: Slack's limits run on Slack's time. One goroutine uses it.
type pacer struct {
	every time.Duration
	next  map[string]time.Time
}

func newPacer(every time.Duration) *pacer {
	return &pacer{every: every, next: map[string]time.Time{}}
}

// wait returns once a call to method is due, or ctx's error.
func (p *pacer) wait(ctx context.Context, method string) error {
	now := time.Now()
	at := p.next[method]
	if at.Before(now) {
		at = now
	}
	p.next[method] = at.Add(p.every)
	return sleep(ctx, at.Sub(now))
}

// hold makes the next call to method wait at least d, as a 429's Retry-After
// asks.
func (p *pacer) hold(method string, d time.Duration) {
	if t := time.Now().Add(d); t.After(p.next[method]) {
		p.next[method] = t
	}
}
