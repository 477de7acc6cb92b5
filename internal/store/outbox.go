package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/ladderapp/ladder/internal/ladder"
)

// OutboxKind is what an outbox row sends.
type OutboxKind string

// The kinds of scheduled send.
const (
	OutboxPrompt   OutboxKind = "prompt"   // the weekly prompt of Period (an ISO week)
	OutboxReminder OutboxKind = "reminder" // the one reminder of prompt PromptRef
	OutboxDigest   OutboxKind = "digest"   // a manager's digest of Period (a month)
	// OutboxExport is message Part of a member's promotion packet, as of
	// Created. A member's export rows are sent one at a time, in id order.
	OutboxExport OutboxKind = "export"
	// OutboxDM is a message rendered when it was queued, held in Payload: a
	// confirmation, a welcome, a consent request, a question asked for now.
	OutboxDM OutboxKind = "dm"
)

// Lane orders the claims: every due interactive row goes before any bulk one.
type Lane int

// The lanes.
const (
	// LaneInteractive is a send a person is waiting for: a confirmation, a
	// reply to a click, a welcome, a packet.
	LaneInteractive Lane = 0
	// LaneBulk is a send nobody is waiting for: weekly prompts, reminders and
	// digests.
	LaneBulk Lane = 1
)

// OutboxState is where an outbox row is in its life.
type OutboxState string

// The states of an outbox row. Sent, failed and dropped are final.
const (
	OutboxPending OutboxState = "pending" // waiting for DueAt
	OutboxSending OutboxState = "sending" // claimed by a sender until LeaseUntil
	OutboxSent    OutboxState = "sent"    // posted as Channel/TS
	OutboxFailed  OutboxState = "failed"  // Slack refused it for good, or attempts ran out
	OutboxDropped OutboxState = "dropped" // no longer due: expired, paused, answered, already sent
)

// ErrLeaseLost means an outbox row is no longer claimed by the caller: its
// lease ran out and another sender claimed it.
var ErrLeaseLost = errors.New("outbox lease lost")

// OutboxItem is one row of the outbox. Most rows hold references only, and
// the message is rendered from them when it is sent; a dm row holds its
// message in Payload until it is done.
type OutboxItem struct {
	ID        int64
	Key       string // unique: "prompt:U1:2026-W47", "reminder:42", "digest:M1:2026-11"
	Kind      OutboxKind
	Method    string // the Web API method whose budget the send spends
	UserID    string // the recipient
	PromptRef int64  // a reminder's prompts_sent id; 0 otherwise
	Period    string // a prompt's ISO week or a digest's month
	Part      int    // an export's message, from 1; 0 otherwise
	TZ        string // the zone Period is read in
	Lane      Lane   // prompts, reminders and digests are bulk, whatever it says
	// Payload is a dm row's message, as JSON; empty once the row is done.
	Payload []byte
	// Subject is the member a dm row is about: forgetting them drops it. It
	// is left out when they are not enrolled (any more).
	Subject string
	// Confirms is the evidence a dm row confirms: queueing the row marks the
	// evidence confirmed, in the same transaction.
	Confirms int64
	State    OutboxState
	// Unsure is set when an earlier attempt may have posted: the sender must
	// look for the message in Slack before posting again.
	Unsure     bool
	Attempts   int
	DueAt      time.Time
	ExpiresAt  time.Time // zero: never
	ClaimedAt  time.Time
	LeaseUntil time.Time
	Token      string // the claim's token; only its holder may finish the claim
	DoneAt     time.Time
	Channel    string
	TS         string
	LastError  string
	Created    time.Time
}

// Week returns the ISO week of a prompt row.
func (it OutboxItem) Week() (ladder.Week, error) { return parseWeek(it.Period) }

// outboxCols are the outbox columns in the order scanOutbox reads them.
const outboxCols = `id, key, kind, method, user_id, coalesce(prompt_ref, 0), period, tz, state, unsure,
	attempts, due_at, expires_at, claimed_at, lease_until, claim_token, done_at, channel, ts, last_error, created_at, part,
	lane, payload, coalesce(member_id, '')`

// Enqueue adds the items whose key is not in the outbox yet, and returns how
// many it added. A key seen before is never added again, however often the
// scheduler asks, so each send is queued once. A prompt or reminder for a
// member who is no longer enrolled is left out. Items start pending; one
// marked Unsure is looked for in Slack before it is posted.
func (db *DB) Enqueue(ctx context.Context, items ...OutboxItem) (int, error) {
	added := 0
	err := db.write(ctx, func(tx *sql.Tx) error {
		added = 0
		for _, it := range items {
			n, err := enqueue(ctx, tx, it)
			if err != nil {
				return fmt.Errorf("%s: %w", it.Key, err)
			}
			added += n
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("enqueue: %w", err)
	}
	return added, nil
}

// enqueue inserts one item unless its key exists, and returns 1 if it did.
func enqueue(ctx context.Context, tx *sql.Tx, it OutboxItem) (int, error) {
	switch {
	case it.Key == "" || it.UserID == "" || it.Method == "":
		return 0, errors.New("empty key, user or method")
	case it.DueAt.IsZero() || it.Created.IsZero():
		return 0, errors.New("zero due or creation time")
	}
	var member, ref any // NULL unless set
	lane, payload := LaneBulk, ""
	switch it.Kind {
	case OutboxPrompt:
		member = it.UserID
	case OutboxReminder:
		member, ref = it.UserID, it.PromptRef
	case OutboxDigest:
	case OutboxExport:
		if it.Part < 1 {
			return 0, errors.New("an export part counts from 1")
		}
		member, lane = it.UserID, LaneInteractive
	case OutboxDM:
		if len(it.Payload) == 0 {
			return 0, errors.New("a dm without a message")
		}
		lane, payload = it.Lane, string(it.Payload)
		if it.Subject != "" {
			member = it.Subject
		}
		if it.PromptRef != 0 {
			ref = it.PromptRef
		}
	default:
		return 0, fmt.Errorf("unknown kind %q", it.Kind)
	}
	if it.Confirms != 0 {
		if _, err := tx.ExecContext(ctx, `UPDATE evidence SET confirmed_at = ? WHERE id = ? AND user_id = ?`,
			toMS(it.Created), it.Confirms, it.UserID); err != nil {
			return 0, err
		}
	}
	// The SELECT … WHERE keeps a member who was just forgotten from failing
	// the whole batch on the foreign key: their row is simply not added.
	res, err := tx.ExecContext(ctx, `
		INSERT INTO outbox (key, kind, method, user_id, member_id, prompt_ref, period, tz,
			state, due_at, expires_at, created_at, part, lane, payload, unsure)
		SELECT CAST(?1 AS TEXT), CAST(?2 AS TEXT), CAST(?3 AS TEXT), CAST(?4 AS TEXT), CAST(?5 AS TEXT),
			CAST(?6 AS BIGINT), CAST(?7 AS TEXT), CAST(?8 AS TEXT), 'pending', CAST(?9 AS BIGINT),
			CAST(?10 AS BIGINT), CAST(?11 AS BIGINT), CAST(?12 AS BIGINT), CAST(?13 AS BIGINT),
			CAST(?14 AS TEXT), CAST(?15 AS BIGINT)
		WHERE (CAST(?5 AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM members WHERE user_id = ?5))
			AND (CAST(?6 AS BIGINT) IS NULL OR EXISTS (SELECT 1 FROM prompts_sent WHERE id = ?6))
		ON CONFLICT (key) DO NOTHING`,
		it.Key, string(it.Kind), it.Method, it.UserID, member, ref, it.Period, it.TZ,
		toMS(it.DueAt), toMS(it.ExpiresAt), toMS(it.Created), it.Part, int(lane), payload, it.Unsure)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// Claim is what ClaimOutbox claims, and for whom.
type Claim struct {
	Method string        // the Web API method whose rows to claim
	Now    time.Time     // rows due by now
	Lease  time.Duration // how long the claim holds before another sender may take it over
	Token  string        // the claim's token, unique to this claim
	// Busy lists the rows the caller knows to be still in flight, its own
	// claims: they are not taken over, whatever the wall clock says of their
	// leases. A lease is a wall-clock time, so a clock that jumps forward
	// ends it early; only a sender that knows the row is still being sent
	// can tell.
	Busy []int64
	// Skip lists recipients not to post to now: Slack allows about one post
	// a second in a DM, and these had one within the second.
	Skip []string
	// InteractiveOnly leaves the bulk lane alone: the caller's budget has
	// room for a person waiting, not for a fan-out.
	InteractiveOnly bool
}

// ClaimOutbox claims the next row due: on PostgreSQL with SELECT … FOR UPDATE
// SKIP LOCKED, so that replicas claiming at once each take a different row
// without waiting for each other; on SQLite, whose one writer at a time gives
// the same, with a plain SELECT. Inside one write transaction it picks a sending row whose
// lease has run out, or else the oldest pending interactive row due by now,
// or else the oldest pending bulk row (an export row only once the member's
// earlier export rows are done, so that a packet arrives in order), and marks
// it sending under the token until now+lease, with one more attempt. Two
// senders never claim the same row. A row taken over from an expired lease
// comes back Unsure, because its sender may have posted it before it died.
// It returns false when nothing is due.
func (db *DB) ClaimOutbox(ctx context.Context, c Claim) (OutboxItem, bool, error) {
	if c.Token == "" {
		return OutboxItem{}, false, errors.New("claim outbox: empty token")
	}
	busy, err := json.Marshal(append([]int64{}, c.Busy...))
	if err != nil {
		return OutboxItem{}, false, fmt.Errorf("claim outbox: %w", err)
	}
	skip, err := json.Marshal(append([]string{}, c.Skip...))
	if err != nil {
		return OutboxItem{}, false, fmt.Errorf("claim outbox: %w", err)
	}
	lanes := []Lane{LaneInteractive, LaneBulk}
	if c.InteractiveOnly {
		lanes = lanes[:1]
	}
	var (
		it    OutboxItem
		found bool
	)
	err = db.rowWrite(ctx, func(tx *sql.Tx) error {
		// One indexed lookup per state and lane rather than one query over
		// all, so a claim costs the same with ten rows queued or ten
		// thousand. A row whose sender died goes first: it has waited
		// longest.
		var id int64
		err := tx.QueryRowContext(ctx, `
			SELECT id FROM outbox WHERE state = 'sending' AND method = ?1 AND lease_until <= ?2
				AND id NOT IN (SELECT CAST(value AS BIGINT) FROM `+db.jsonValues(3)+`)
				AND user_id NOT IN (SELECT value FROM `+db.jsonValues(4)+`)
				AND lane <= ?5
			ORDER BY lease_until LIMIT 1`+db.skipLocked(), c.Method, toMS(c.Now), string(busy), string(skip), int(lanes[len(lanes)-1])).Scan(&id)
		for _, lane := range lanes {
			if !errors.Is(err, sql.ErrNoRows) {
				break
			}
			err = tx.QueryRowContext(ctx, `
				SELECT id FROM outbox WHERE state = 'pending' AND method = ?1 AND lane = ?2 AND due_at <= ?3
					AND user_id NOT IN (SELECT value FROM `+db.jsonValues(4)+`)
					AND `+notHeldBack+`
				ORDER BY due_at, id LIMIT 1`+db.skipLocked(), c.Method, int(lane), toMS(c.Now), string(skip)).Scan(&id)
		}
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := execOne(ctx, tx, `
			UPDATE outbox SET state = 'sending', unsure = CASE WHEN state = 'sending' THEN 1 ELSE unsure END,
				attempts = attempts + 1, claimed_at = ?, lease_until = ?, claim_token = ?
			WHERE id = ?`,
			toMS(c.Now), toMS(c.Now.Add(c.Lease)), c.Token, id); err != nil {
			return err
		}
		found = true
		it, err = scanOutbox(tx.QueryRowContext(ctx, `SELECT `+outboxCols+` FROM outbox WHERE id = ?`, id))
		return err
	})
	if err != nil {
		return OutboxItem{}, false, fmt.Errorf("claim outbox: %w", err)
	}
	return it, found, nil
}

// notHeldBack is the condition on an outbox row that it is not held back
// behind another: an export row waits until every earlier export row of its
// member is sent, failed or dropped.
const notHeldBack = `(kind <> 'export' OR NOT EXISTS (
	SELECT 1 FROM outbox AS e WHERE e.kind = 'export' AND e.user_id = outbox.user_id
		AND e.id < outbox.id AND e.state IN ('pending', 'sending')))`

// CompleteOutbox records that the claimed item was posted as channel/ts, in
// the same transaction as what the send means for the rest of the data: a
// weekly prompt's prompts_sent row gets the message, and a digest is marked
// sent in digests_sent. It fails with ErrLeaseLost if the claim is no longer
// the caller's.
func (db *DB) CompleteOutbox(ctx context.Context, it OutboxItem, channel, ts string, at time.Time) error {
	err := db.rowWrite(ctx, func(tx *sql.Tx) error {
		if err := finish(ctx, tx, it, OutboxSent, channel, ts, "", at); err != nil {
			return err
		}
		switch it.Kind {
		case OutboxPrompt:
			_, err := tx.ExecContext(ctx, `
				UPDATE prompts_sent SET channel = ?, ts = ?
				WHERE user_id = ? AND week = ? AND kind = 'weekly' AND ts = ''`,
				channel, ts, it.UserID, it.Period)
			return err
		case OutboxDM:
			if it.PromptRef == 0 {
				return nil
			}
			_, err := tx.ExecContext(ctx, `UPDATE prompts_sent SET channel = ?, ts = ? WHERE id = ? AND ts = ''`,
				channel, ts, it.PromptRef)
			return err
		case OutboxDigest:
			_, err := tx.ExecContext(ctx, `
				INSERT INTO digests_sent (manager, month, claimed_at, sent_at, channel, ts)
				VALUES (?, ?, ?, ?, ?, ?)
				ON CONFLICT (manager, month) DO UPDATE SET
					sent_at = excluded.sent_at, channel = excluded.channel, ts = excluded.ts`,
				it.UserID, it.Period, toMS(at), toMS(at), channel, ts)
			return err
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("complete outbox %s: %w", it.Key, err)
	}
	return nil
}

// RetryOutbox gives a claimed item back to the queue, due again at due.
// unsure records that this attempt may have posted. An attempt that Slack
// turned away before doing anything (a 429) does not count against the
// item's attempts when counted is false.
func (db *DB) RetryOutbox(ctx context.Context, it OutboxItem, due time.Time, unsure, counted bool, reason string) error {
	err := db.rowWrite(ctx, func(tx *sql.Tx) error {
		uncount := 0
		if !counted {
			uncount = 1
		}
		res, err := tx.ExecContext(ctx, `
			UPDATE outbox SET state = 'pending', due_at = ?1, unsure = CASE WHEN ?2 != 0 THEN 1 ELSE unsure END,
				attempts = CASE WHEN attempts > ?5 THEN attempts - ?5 ELSE 0 END, lease_until = 0, claim_token = '', last_error = ?3
			WHERE id = ?4 AND state = 'sending' AND claim_token = ?6`,
			toMS(due), unsure, reason, it.ID, uncount, it.Token)
		return leaseHeld(res, err)
	})
	if err != nil {
		return fmt.Errorf("retry outbox %s: %w", it.Key, err)
	}
	return nil
}

// FinishOutbox ends a claimed item without a message: OutboxFailed when Slack
// refused it for good or its attempts ran out, OutboxDropped when it is no
// longer due.
func (db *DB) FinishOutbox(ctx context.Context, it OutboxItem, state OutboxState, reason string, at time.Time) error {
	if state != OutboxFailed && state != OutboxDropped {
		return fmt.Errorf("finish outbox %s: state %q is not failed or dropped", it.Key, state)
	}
	err := db.rowWrite(ctx, func(tx *sql.Tx) error {
		return finish(ctx, tx, it, state, "", "", reason, at)
	})
	if err != nil {
		return fmt.Errorf("finish outbox %s: %w", it.Key, err)
	}
	return nil
}

func finish(ctx context.Context, tx *sql.Tx, it OutboxItem, state OutboxState, channel, ts, reason string, at time.Time) error {
	res, err := tx.ExecContext(ctx, `
		UPDATE outbox SET state = ?, done_at = ?, channel = ?, ts = ?, last_error = ?,
			lease_until = 0, claim_token = '', payload = ''
		WHERE id = ? AND state = 'sending' AND claim_token = ?`,
		string(state), toMS(at), channel, ts, reason, it.ID, it.Token)
	return leaseHeld(res, err)
}

// leaseHeld turns an update that matched no row into ErrLeaseLost.
func leaseHeld(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return ErrLeaseLost
	}
	return nil
}

// OutboxHeld reports whether the caller still holds its claim on it: the row
// is sending under it.Token. A sender asks just before it posts, so that a row
// another sender has taken over in the meantime is not posted twice.
func (db *DB) OutboxHeld(ctx context.Context, it OutboxItem) (bool, error) {
	var held bool
	err := db.read(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `
			SELECT EXISTS (SELECT 1 FROM outbox WHERE id = ? AND state = 'sending' AND claim_token = ?)`,
			it.ID, it.Token).Scan(&held)
	})
	if err != nil {
		return false, fmt.Errorf("outbox held %s: %w", it.Key, err)
	}
	return held, nil
}

// NextOutboxDue returns when the next row of method can be claimed: the
// earliest due time of a pending row or lease end of a sending one, leaving
// out the busy rows and the rows held back, as ClaimOutbox does. It returns false when there is
// none.
func (db *DB) NextOutboxDue(ctx context.Context, method string, busy ...int64) (time.Time, bool, error) {
	ids, err := json.Marshal(append([]int64{}, busy...))
	if err != nil {
		return time.Time{}, false, fmt.Errorf("next outbox due: %w", err)
	}
	var next sql.NullInt64
	err = db.read(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `
			SELECT min(t) FROM (
				SELECT min(due_at) AS t FROM outbox WHERE state = 'pending' AND method = ?1
					AND `+notHeldBack+`
				UNION ALL
				SELECT min(lease_until) FROM outbox WHERE state = 'sending' AND method = ?1
					AND id NOT IN (SELECT CAST(value AS BIGINT) FROM `+db.jsonValues(2)+`)
			) AS due`, method, string(ids)).Scan(&next)
	})
	if err != nil {
		return time.Time{}, false, fmt.Errorf("next outbox due: %w", err)
	}
	if !next.Valid {
		return time.Time{}, false, nil
	}
	return fromMS(next.Int64), true, nil
}

// Outbox returns the rows of kind, or every row for an empty kind, oldest
// first. It is for tests and operations.
func (db *DB) Outbox(ctx context.Context, kind OutboxKind) ([]OutboxItem, error) {
	var its []OutboxItem
	err := db.read(ctx, func(tx *sql.Tx) error {
		var err error
		its, err = queryAll(ctx, tx, scanOutbox, `SELECT `+outboxCols+` FROM outbox
			WHERE ? = '' OR kind = ? ORDER BY id`, string(kind), string(kind))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("outbox: %w", err)
	}
	return its, nil
}

// OutboxCounts counts the rows in each state.
func (db *DB) OutboxCounts(ctx context.Context) (map[OutboxState]int, error) {
	counts := map[OutboxState]int{}
	err := db.read(ctx, func(tx *sql.Tx) error {
		return eachRow(ctx, tx, func(sc scanner) error {
			var (
				s string
				n int
			)
			err := sc.Scan(&s, &n)
			counts[OutboxState(s)] = n
			return err
		}, `SELECT state, count(*) FROM outbox GROUP BY state`)
	})
	if err != nil {
		return nil, fmt.Errorf("outbox counts: %w", err)
	}
	return counts, nil
}

// PruneOutbox deletes the rows that finished before before, and returns how
// many. Keys stay unique for as long as a row is kept, so before must be
// older than any period that could be queued again (weeks and months).
func (db *DB) PruneOutbox(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `
			DELETE FROM outbox WHERE state IN ('sent', 'failed', 'dropped') AND done_at < ?`, toMS(before))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("prune outbox: %w", err)
	}
	return n, nil
}

func scanOutbox(s scanner) (OutboxItem, error) {
	var (
		it                                 OutboxItem
		kind, state, payload               string
		due, expires, claimed, lease, done int64
		created                            int64
	)
	if err := s.Scan(&it.ID, &it.Key, &kind, &it.Method, &it.UserID, &it.PromptRef, &it.Period, &it.TZ,
		&state, &it.Unsure, &it.Attempts, &due, &expires, &claimed, &lease, &it.Token, &done,
		&it.Channel, &it.TS, &it.LastError, &created, &it.Part, &it.Lane, &payload, &it.Subject); err != nil {
		return OutboxItem{}, err
	}
	it.Kind, it.State = OutboxKind(kind), OutboxState(state)
	if payload != "" {
		it.Payload = []byte(payload)
	}
	it.DueAt, it.ExpiresAt, it.ClaimedAt = fromMS(due), fromMS(expires), fromMS(claimed)
	it.LeaseUntil, it.DoneAt, it.Created = fromMS(lease), fromMS(done), fromMS(created)
	return it, nil
}
