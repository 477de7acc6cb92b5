package slackapp

import (
	"context"
	"fmt"
	"time"

	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"github.com/ladderapp/ladder/internal/store"
)

// This file is the inbox: the durable hand-off of Events API envelopes from
// the socket's read loop to the worker pool. Slack never sends an acked event
// again, so an event is committed to the database before it is acked; one
// that was acked but not yet handled when the process stopped (kill -9, a
// drain that ran out) is handled at the next start.
//
// The read loop never touches the database: it hands each envelope to the
// inbox goroutine, which commits whatever arrived within InboxWindow in one
// transaction (a group commit), acks those envelopes, and queues their work
// in arrival order. If the database cannot be written, nothing is acked, so
// that Slack sends the events again.

const (
	// inboxLen bounds the envelopes waiting to be committed; when it is full
	// the read loop leaves envelopes unacked, for Slack to retry.
	inboxLen = 1024
	// maxBatch bounds the events committed in one transaction, and the rows
	// read back at a time.
	maxBatch = 256
	// defaultInboxWindow is how long the inbox gathers envelopes before it
	// commits them.
	defaultInboxWindow = time.Millisecond
	// inboxCommitTimeout bounds one commit. Slack wants the ack within 3
	// seconds; past that it sends the event again anyway.
	inboxCommitTimeout = 2 * time.Second
	// feedRetry is how often the inbox tries again to feed the pool from the
	// database while a worker's queue is full.
	feedRetry = 100 * time.Millisecond
	// lastRetry is the retry_attempt of Slack's last try of an event: it
	// tries again at once, after about a minute and after about five.
	lastRetry = 3
)

// received is an Events API envelope on its way to the database.
type received struct {
	envelopeID string
	retry      int       // Slack's retry_attempt
	arrived    time.Time // on the real clock, for the ack latency
	ev         store.InboxEvent
	inner      slackevents.EventsAPIInnerEvent
}

// onEventsAPI hands an Events API envelope to the inbox, which acks it once
// it is committed. If the inbox is full it does not ack, so that Slack sends
// the event again later rather than it being lost.
func (a *App) onEventsAPI(evt socketmode.Event, arrived time.Time) {
	ev, ok := evt.Data.(slackevents.EventsAPIEvent)
	if !ok || evt.Request == nil {
		return
	}
	eventID := ""
	if cb, ok := ev.Data.(*slackevents.EventsAPICallbackEvent); ok {
		eventID = cb.EventID
	}
	if eventID == "" {
		eventID = "envelope:" + evt.Request.EnvelopeID
	}
	r := received{
		envelopeID: evt.Request.EnvelopeID,
		retry:      evt.Request.RetryAttempt,
		arrived:    arrived,
		inner:      ev.InnerEvent,
		ev: store.InboxEvent{
			EventID:  eventID,
			UserID:   eventUser(ev.InnerEvent.Data),
			Payload:  evt.Request.Payload,
			Received: a.now(),
			Deletes:  deletedMessage(ev.InnerEvent.Data),
		},
	}
	select {
	case a.inbox <- r:
	default:
		a.metrics.error("queue_full")
		a.log.Warn("inbox full: leaving the event unacked so Slack retries it", "event_id", eventID)
	}
}

// runInbox commits, acks and queues the envelopes the read loop hands it
// until ctx ends. At start, and whenever a worker's queue was full, it feeds
// the pool from the database rather than from the socket, so that one
// member's events still run in the order they arrived.
func (a *App) runInbox(ctx context.Context) {
	var fed int64 // the highest inbox row handed to the pool
	backlog := a.replay(ctx, &fed)
	retry := time.NewTicker(feedRetry)
	defer retry.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case r := <-a.inbox:
			backlog = a.commit(ctx, a.gather(r), &fed, backlog)
		case <-retry.C:
		}
		if backlog {
			backlog = a.feed(ctx, &fed)
		}
	}
}

// replay queues the events a stop left unhandled, and reports whether some
// still wait for room in the pool.
func (a *App) replay(ctx context.Context, fed *int64) bool {
	backlog := a.feed(ctx, fed)
	if *fed > 0 {
		a.log.Info("handling the events received but not handled before the last stop", "up_to_row", *fed)
	}
	return backlog
}

// gather collects the envelopes that arrive within the inbox window of the
// first, and every one already waiting, up to maxBatch.
func (a *App) gather(first received) []received {
	batch := []received{first}
	window := time.NewTimer(time.Until(first.arrived.Add(a.cfg.InboxWindow)))
	defer window.Stop()
	for len(batch) < maxBatch {
		select {
		case r := <-a.inbox:
			batch = append(batch, r)
			continue
		default:
		}
		select {
		case r := <-a.inbox:
			batch = append(batch, r)
		case <-window.C:
			return batch
		}
	}
	return batch
}

// commit stores batch in one transaction, then acks each envelope and, unless
// older events wait in the database (backlog), queues its work. It returns
// whether events wait in the database for room in the pool.
func (a *App) commit(ctx context.Context, batch []received, fed *int64, backlog bool) bool {
	evs := make([]store.InboxEvent, len(batch))
	for i, r := range batch {
		evs[i] = r.ev
	}
	cctx, cancel := context.WithTimeout(ctx, inboxCommitTimeout)
	ids, err := a.db.Receive(cctx, evs)
	cancel()
	if err != nil {
		if ctx.Err() == nil {
			a.metrics.error("inbox")
			a.log.Error("cannot store events from Slack: leaving them unacked so Slack sends them again", "events", len(batch), "err", err)
			a.lastChance(ctx, batch)
		}
		return backlog
	}
	for _, r := range batch {
		a.ackReceived(ctx, r)
	}
	for i, r := range batch {
		switch {
		case ids[i] == 0:
			a.metrics.envelope("duplicate")
			a.log.Debug("duplicate event ignored", "event_id", r.ev.EventID)
		case backlog:
		case a.pool.submit(r.ev.UserID, a.inboxJob(ids[i], r.inner)):
			*fed = ids[i]
		default:
			a.metrics.error("queue_full")
			a.log.Warn("work queue full: the event waits in the inbox", "event_id", r.ev.EventID)
			backlog = true
		}
	}
	return backlog
}

func (a *App) ackReceived(ctx context.Context, r received) {
	if err := a.sm.AckCtx(ctx, r.envelopeID, nil); err != nil {
		a.metrics.error("ack")
		a.log.Error("ack failed", "envelope_id", r.envelopeID, "err", err)
		return
	}
	a.metrics.ack(time.Since(r.arrived))
}

// lastChance handles the events of a batch the database refused that Slack
// will not send again, and acks them. Their work fails in its turn for the
// same reason, but the member hears that their answer was not stored (and
// to send it again) rather than nothing at all.
func (a *App) lastChance(ctx context.Context, batch []received) {
	for _, r := range batch {
		if r.retry < lastRetry {
			continue
		}
		inner := r.inner
		if a.pool.submit(r.ev.UserID, func(ctx context.Context) { a.handleEvent(ctx, inner) }) {
			a.ackReceived(ctx, r)
		}
	}
}

// feed hands the pool, in arrival order, the events in the database after
// row *fed that are not handled yet, until a worker's queue is full. It
// reports whether events still wait.
func (a *App) feed(ctx context.Context, fed *int64) bool {
	for {
		evs, err := a.db.PendingEvents(ctx, *fed, maxBatch)
		if err != nil {
			if ctx.Err() == nil {
				a.metrics.error("inbox")
				a.log.Error("read the inbox", "err", err)
			}
			return true
		}
		for _, e := range evs {
			inner, err := innerEvent(e.Payload)
			if err != nil {
				a.metrics.error("inbox")
				a.log.Error("an event in the inbox cannot be read; dropping it", "event_id", e.EventID, "err", err)
				a.markDone(ctx, e.ID)
				*fed = e.ID
				continue
			}
			if !a.pool.submit(e.UserID, a.inboxJob(e.ID, inner)) {
				return true
			}
			*fed = e.ID
		}
		if len(evs) < maxBatch {
			return false
		}
	}
}

// innerEvent decodes a stored event_callback payload as slack-go decodes it
// off the socket.
func innerEvent(payload []byte) (slackevents.EventsAPIInnerEvent, error) {
	ev, err := slackevents.ParseEvent(payload, slackevents.OptionNoVerifyToken())
	if err != nil {
		return slackevents.EventsAPIInnerEvent{}, fmt.Errorf("parse stored event: %w", err)
	}
	return ev.InnerEvent, nil
}

// inboxJob is the work of inbox row id: it handles the event, then marks it
// done. An event whose work was cut short by the end of the drain is left
// for the next start, and so is one whose worker never got to it. A panic
// marks it done too: an event that crashes its handler is not replayed at
// every start.
func (a *App) inboxJob(id int64, inner slackevents.EventsAPIInnerEvent) func(context.Context) {
	return func(ctx context.Context) {
		if ctx.Err() != nil {
			return
		}
		defer func() {
			if ctx.Err() == nil {
				a.markDone(ctx, id)
			}
		}()
		a.handleEvent(ctx, inner)
	}
}

func (a *App) markDone(ctx context.Context, id int64) {
	if err := a.db.EventDone(ctx, id, a.now()); err != nil {
		a.metrics.error("inbox")
		a.log.Error("mark an event handled; it is handled again at the next start", "err", err)
	}
}
