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
// again, so an event is written to the journal (store.Journal, a file the
// kernel holds once write(2) returns) before it is acked; then it is
// committed to the inbox table, and only then handed to the pool. One that
// was acked but not yet handled when the process stopped (kill -9, a drain
// that ran out) is handled at the next start: the journal's records are
// committed to the table first, then the table's pending rows replayed.
//
// The read loop never touches the disk: it hands each envelope to the inbox
// goroutine, which gathers whatever arrives within InboxWindow, writes it to
// the journal in one write, acks it, and passes the batch to the commit
// goroutine. That one commits each batch in one transaction (a group
// commit), queues its work in arrival order, and settles the batch's
// records, which empties the journal once none is pending. So the ack waits
// for a write of a few microseconds, never for SQLite. If the journal cannot
// be written, nothing is acked, so that Slack sends the events again. If the
// table cannot be written, the acked events are handled anyway, so that the
// member hears their answer was not stored.

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
	// inboxCommitTimeout bounds one commit. The events are acked by then,
	// so past it they are handled without their inbox row.
	inboxCommitTimeout = 2 * time.Second
	// acked bounds the acked batches waiting for their commit; when it is
	// full the inbox stops acking, and the read loop then stops too.
	ackedLen = 64
	// feedRetry is how often the inbox tries again to feed the pool from the
	// database while a worker's queue is full.
	feedRetry = 100 * time.Millisecond
	// inboxRenew is how often a replica renews its inbox leases and looks
	// for rows to adopt: well within store.InboxLease.
	inboxRenew = store.InboxLease / 3
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
	// id is the event's inbox row once committed before the ack (on
	// PostgreSQL, see store.Journal.Direct); 0 for a retry already there.
	id     int64
	stored bool
}

// onEventsAPI hands an Events API envelope to the inbox, which acks it once
// it is in the journal. If the inbox is full it does not ack, so that Slack sends
// the event again later rather than it being lost.
func (a *App) onEventsAPI(evt socketmode.Event, arrived time.Time) {
	ev, ok := evt.Data.(slackevents.EventsAPIEvent)
	if !ok || evt.Request == nil {
		return
	}
	eventID := ""
	if cb, ok := ev.Data.(*slackevents.EventsAPICallbackEvent); ok {
		eventID = cb.EventID
		a.teams.saw(eventUser(ev.InnerEvent.Data), cb.TeamID) // team.go; kept by the next slash command or click
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

// runInbox writes to the journal, acks and passes on to runCommits the
// envelopes the read loop hands it, until ctx ends; then it waits for
// runCommits to commit what it passed on.
func (a *App) runInbox(ctx context.Context) {
	acked := make(chan []received, ackedLen)
	committed := make(chan struct{})
	go func() {
		defer close(committed)
		a.runCommits(ctx, acked)
	}()
	defer func() {
		close(acked)
		<-committed
	}()
	for {
		select {
		case <-ctx.Done():
			return
		case r := <-a.inbox:
			batch := a.gather(r)
			if !a.journalAndAck(ctx, batch) {
				continue
			}
			select {
			case acked <- batch:
			case <-ctx.Done():
				// Acked and in the journal: committed at the next start.
				return
			}
		}
	}
}

// journalAndAck writes batch to the journal and acks its envelopes. If the
// journal cannot be written, it acks none (but see lastChance), and reports
// false.
func (a *App) journalAndAck(ctx context.Context, batch []received) bool {
	evs := make([]store.InboxEvent, len(batch))
	for i, r := range batch {
		evs[i] = r.ev
	}
	if a.journal.Direct() {
		return a.commitAndAck(ctx, batch, evs)
	}
	if err := a.journal.Append(evs); err != nil {
		a.metrics.error("inbox")
		a.log.Error("cannot store events from Slack: leaving them unacked so Slack sends them again", "events", len(batch), "err", err)
		a.lastChance(ctx, batch)
		return false
	}
	for _, r := range batch {
		a.ackReceived(ctx, r)
	}
	return true
}

// commitAndAck is journalAndAck where there is no journal: it commits batch
// to the inbox table, the record every replica shares, and then acks it.
// An event another replica stored already (Slack's retry of it, sent
// here) comes back with id 0, and is acked and not handled again.
func (a *App) commitAndAck(ctx context.Context, batch []received, evs []store.InboxEvent) bool {
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), inboxCommitTimeout)
	ids, err := a.db.Receive(cctx, evs)
	cancel()
	if err != nil {
		a.metrics.error("inbox")
		a.log.Error("cannot store events from Slack: leaving them unacked so Slack sends them again", "events", len(batch), "err", err)
		a.lastChance(ctx, batch)
		return false
	}
	for i := range batch {
		batch[i].id, batch[i].stored = ids[i], true
		a.ackReceived(ctx, batch[i])
	}
	return true
}

// runCommits commits the acked batches to the inbox table and feeds the
// pool, until acked is closed. At start, and whenever a worker's queue was
// full, it feeds the pool from the database rather than from the socket, so
// that one member's events still run in the order they arrived.
func (a *App) runCommits(ctx context.Context, acked <-chan []received) {
	var fed int64 // the highest inbox row handed to the pool
	backlog := a.replay(ctx, &fed)
	retry := time.NewTicker(feedRetry)
	defer retry.Stop()
	// Replicas keep their inbox rows' leases and adopt a dead one's rows.
	var lease <-chan time.Time
	if a.journal.Direct() {
		t := time.NewTicker(inboxRenew)
		defer t.Stop()
		lease = t.C
		a.adopt(ctx)
	}
	for {
		select {
		case batch, ok := <-acked:
			if !ok {
				return
			}
			backlog = a.commit(ctx, batch, &fed, backlog)
		case <-retry.C:
		case <-lease:
			if err := a.db.RenewInbox(ctx, a.now()); err != nil && ctx.Err() == nil {
				a.metrics.error("inbox")
				a.log.Error("renew the leases on this replica's inbox rows", "err", err)
			}
			a.adopt(ctx)
		}
		if backlog && ctx.Err() == nil {
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

// commit stores batch in one transaction, settles its journal records, and
// unless older events wait in the database (backlog), queues its work. It
// returns whether events wait in the database for room in the pool. The
// batch is acked already, so it is committed even after ctx ends, as the
// inbox stops; if the database refuses it, its events are handled without
// their inbox rows.
func (a *App) commit(ctx context.Context, batch []received, fed *int64, backlog bool) bool {
	ids := make([]int64, len(batch))
	if batch[0].stored {
		for i, r := range batch {
			ids[i] = r.id
		}
	} else {
		evs := make([]store.InboxEvent, len(batch))
		for i, r := range batch {
			evs[i] = r.ev
		}
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), inboxCommitTimeout)
		var err error
		ids, err = a.db.Receive(cctx, evs)
		cancel()
		if err != nil {
			a.metrics.error("inbox")
			a.log.Error("cannot store acked events in the inbox: handling them without it", "events", len(batch), "err", err)
			a.handleUnstored(batch)
			return backlog
		}
		a.settleJournal(len(batch))
	}
	for i, r := range batch {
		switch {
		case ids[i] == 0:
			a.metrics.envelope("duplicate")
			a.log.Debug("duplicate event ignored", "event_id", r.ev.EventID)
		case backlog:
		case a.pool.submit(r.ev.UserID, a.inboxJob(ids[i], r.ev.UserID, r.inner)):
			*fed = ids[i]
		default:
			a.metrics.error("queue_full")
			a.log.Warn("work queue full: the event waits in the inbox", "event_id", r.ev.EventID)
			backlog = true
		}
	}
	return backlog
}

// handleUnstored queues the work of acked events the inbox table refused.
// Their work fails in its turn for the same reason, but the member hears
// that their answer was not stored (and to send it again) rather than
// nothing at all. Each one's journal record is settled once its work is
// done, so that one cut short by a stop is handled at the next start.
func (a *App) handleUnstored(batch []received) {
	for _, r := range batch {
		inner := r.inner
		job := func(ctx context.Context) {
			if ctx.Err() != nil {
				return
			}
			a.handleEvent(ctx, inner)
			if ctx.Err() == nil {
				a.settleJournal(1)
			}
		}
		if !a.pool.submit(r.ev.UserID, job) {
			a.metrics.error("queue_full")
			a.log.Warn("work queue full: the event waits in the journal until the next start", "event_id", r.ev.EventID)
		}
	}
}

// settleJournal records that n journal records are committed or handled.
func (a *App) settleJournal(n int) {
	if err := a.journal.Settle(n); err != nil {
		a.metrics.error("inbox")
		a.log.Error("empty the inbox journal; it is emptied at the next commit or start", "err", err)
	}
}

func (a *App) ackReceived(ctx context.Context, r received) {
	if err := a.sm.AckCtx(ctx, r.envelopeID, nil); err != nil {
		a.metrics.error("ack")
		a.log.Error("ack failed", "envelope_id", r.envelopeID, "err", err)
		return
	}
	a.metrics.ack(time.Since(r.arrived))
}

// lastChance handles the events of a batch the journal refused that Slack
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
			if !a.submitStored(ctx, e) {
				return true
			}
			*fed = e.ID
		}
		if len(evs) < maxBatch {
			return false
		}
	}
}

// submitStored hands the pool the work of an event read back from the
// inbox, and reports false if the pool has no room for it. One that cannot
// be read is marked done and dropped, and counts as handed over.
func (a *App) submitStored(ctx context.Context, e store.InboxEvent) bool {
	inner, err := innerEvent(e.Payload)
	if err != nil {
		a.metrics.error("inbox")
		a.log.Error("an event in the inbox cannot be read; dropping it", "event_id", e.EventID, "err", err)
		a.markDone(ctx, e.ID)
		return true
	}
	return a.pool.submit(e.UserID, a.inboxJob(e.ID, e.UserID, inner))
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
//
// Replicas handle one member's events one at a time: the job holds the
// member's lock (store.LockMember, nothing on SQLite) while it runs.
func (a *App) inboxJob(id int64, userID string, inner slackevents.EventsAPIInnerEvent) func(context.Context) {
	return func(ctx context.Context) {
		if ctx.Err() != nil {
			return
		}
		unlock, err := a.db.LockMember(ctx, userID)
		if err != nil {
			// The event stays in the inbox, for a replica (this one
			// included) to adopt.
			a.metrics.error("inbox")
			a.log.Error("lock the member to handle their event; it waits in the inbox", "err", err)
			a.release(ctx, id)
			return
		}
		defer unlock()
		defer func() {
			if ctx.Err() == nil {
				a.markDone(ctx, id)
			}
		}()
		a.handleEvent(ctx, inner)
	}
}

// adopt hands the pool the events of replicas whose leases ran out: acked
// by a replica that died before it handled them. One the pool has no room
// for is released for the next round.
func (a *App) adopt(ctx context.Context) {
	evs, err := a.db.AdoptEvents(ctx, a.now(), maxBatch)
	if err != nil {
		if ctx.Err() == nil {
			a.metrics.error("inbox")
			a.log.Error("adopt the events of a replica that stopped", "err", err)
		}
		return
	}
	if len(evs) > 0 {
		a.log.Info("handling the events another replica acked and did not handle", "events", len(evs))
	}
	for i, e := range evs {
		if !a.submitStored(ctx, e) {
			for _, e := range evs[i:] {
				a.release(ctx, e.ID)
			}
			return
		}
	}
}

func (a *App) release(ctx context.Context, id int64) {
	if err := a.db.ReleaseEvent(context.WithoutCancel(ctx), id); err != nil {
		a.metrics.error("inbox")
		a.log.Error("release an inbox row", "err", err)
	}
}

func (a *App) markDone(ctx context.Context, id int64) {
	if err := a.db.EventDone(ctx, id, a.now()); err != nil {
		a.metrics.error("inbox")
		a.log.Error("mark an event handled; it is handled again at the next start", "err", err)
	}
}
