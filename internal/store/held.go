package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/ladderapp/ladder/internal/ladder"
)

// This file keeps the messages Ladder asks about before it saves them
// (held_answers, 0012_held_answers.sql), and the member's own undo of a
// piece of evidence.

const heldCols = `id, user_id, area, prompt_id, text, truncated, channel, ts, created_at, edited_at, thread`

func scanHeld(s scanner) (ladder.Evidence, error) {
	var (
		e               ladder.Evidence
		area            string
		created, edited int64
	)
	if err := s.Scan(&e.ID, &e.UserID, &area, &e.PromptID, &e.Text, &e.Truncated,
		&e.Channel, &e.TS, &created, &edited, &e.Thread); err != nil {
		return ladder.Evidence{}, err
	}
	e.Area = ladder.AreaID(area)
	e.Created, e.Edited = fromMS(created), fromMS(edited)
	return e, nil
}

// HoldAnswer keeps e, a message the member has not yet said is evidence, and
// returns it with its held id and created=true. It returns created=false, and
// keeps nothing new, when the message is already held or already evidence, as
// when Slack's retry of it comes again. Like AddEvidence, it fails with
// ErrDeleted if the message was deleted before it came, takes an edit that
// came first, and fails with ladder.ErrNotEnrolled for a user not enrolled.
func (db *DB) HoldAnswer(ctx context.Context, e ladder.Evidence) (ladder.Evidence, bool, error) {
	switch {
	case e.UserID == "" || e.Channel == "" || e.TS == "":
		return ladder.Evidence{}, false, errors.New("hold answer: empty user, channel or ts")
	case e.Created.IsZero():
		return ladder.Evidence{}, false, errors.New("hold answer: zero creation time")
	}
	var created bool
	err := db.write(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx,
			`SELECT count(*) FROM evidence WHERE channel = ? AND ts = ?`, e.Channel, e.TS).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return nil // saved already: nothing to ask
		}
		if err := settleEarly(ctx, tx, &e); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `
			INSERT INTO held_answers (user_id, area, prompt_id, text, truncated, channel, ts, thread, created_at, edited_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (channel, ts) DO NOTHING`,
			e.UserID, string(e.Area), e.PromptID, e.Text, e.Truncated, e.Channel, e.TS, e.Thread,
			toMS(e.Created), toMS(e.Edited))
		if err != nil {
			return domainErr(err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		created = true
		e, err = scanHeld(tx.QueryRowContext(ctx,
			`SELECT `+heldCols+` FROM held_answers WHERE channel = ? AND ts = ?`, e.Channel, e.TS))
		return err
	})
	if err != nil {
		return ladder.Evidence{}, false, fmt.Errorf("hold answer: %w", err)
	}
	return e, created, nil
}

// HeldAnswer returns the user's held message id. Someone else's, or one no
// longer held, is ladder.ErrNotFound.
func (db *DB) HeldAnswer(ctx context.Context, userID string, id int64) (ladder.Evidence, error) {
	var e ladder.Evidence
	err := db.read(ctx, func(tx *sql.Tx) (err error) {
		e, err = scanHeld(tx.QueryRowContext(ctx,
			`SELECT `+heldCols+` FROM held_answers WHERE id = ? AND user_id = ?`, id, userID))
		return notFound(err, ladder.ErrNotFound)
	})
	if err != nil {
		return ladder.Evidence{}, fmt.Errorf("held answer: %w", err)
	}
	return e, nil
}

// SaveHeld makes the user's held message id evidence, in one transaction,
// and returns the evidence with created=true. If the message is evidence
// already (a second press of Save), it returns that, with created=false. A
// message no longer held is ladder.ErrNotFound; one deleted in Slack
// meanwhile (DropHeldMessage) is dropped, and fails with ErrDeleted.
func (db *DB) SaveHeld(ctx context.Context, userID string, id int64) (ladder.Evidence, bool, error) {
	var (
		e             ladder.Evidence
		created, gone bool
	)
	err := db.write(ctx, func(tx *sql.Tx) error {
		h, err := scanHeld(tx.QueryRowContext(ctx,
			`DELETE FROM held_answers WHERE id = ? AND user_id = ? RETURNING `+heldCols, id, userID))
		if err != nil {
			return notFound(err, ladder.ErrNotFound)
		}
		var n int
		if err := tx.QueryRowContext(ctx,
			`SELECT count(*) FROM deleted_messages WHERE channel = ? AND ts = ?`, h.Channel, h.TS).Scan(&n); err != nil {
			return err
		}
		if gone = n > 0 || h.Text == ""; gone {
			return nil // and commit the drop
		}
		res, err := tx.ExecContext(ctx, `
			INSERT INTO evidence (user_id, area, prompt_id, text, truncated, channel, ts, created_at, edited_at, confirm_thread, confirmed_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)
			ON CONFLICT (channel, ts) DO NOTHING`,
			h.UserID, string(h.Area), h.PromptID, h.Text, h.Truncated, h.Channel, h.TS,
			toMS(h.Created), toMS(h.Edited), h.Thread)
		if err != nil {
			return domainErr(err)
		}
		added, err := res.RowsAffected()
		if err != nil {
			return err
		}
		created = added == 1
		e, err = scanEvidence(tx.QueryRowContext(ctx,
			`SELECT `+evidenceCols+` FROM evidence WHERE channel = ? AND ts = ?`, h.Channel, h.TS))
		return err
	})
	if err == nil && gone {
		err = ErrDeleted
	}
	if err != nil {
		return ladder.Evidence{}, false, fmt.Errorf("save held: %w", err)
	}
	return e, created, nil
}

// DiscardHeld drops the user's held message id without saving it, and
// records the message as never to be stored, so that a replay of its event
// does not ask again. It returns what it dropped; a message no longer held
// is ladder.ErrNotFound.
func (db *DB) DiscardHeld(ctx context.Context, userID string, id int64, at time.Time) (ladder.Evidence, error) {
	var e ladder.Evidence
	err := db.write(ctx, func(tx *sql.Tx) (err error) {
		e, err = scanHeld(tx.QueryRowContext(ctx,
			`DELETE FROM held_answers WHERE id = ? AND user_id = ? RETURNING `+heldCols, id, userID))
		if err != nil {
			return notFound(err, ladder.ErrNotFound)
		}
		return markDeleted(ctx, tx, MessageRef{Channel: e.Channel, TS: e.TS}, at)
	})
	if err != nil {
		return ladder.Evidence{}, fmt.Errorf("discard held: %w", err)
	}
	return e, nil
}

// EditHeld applies a member's edit to their held message, if it is one; a
// message that is not held is no error.
func (db *DB) EditHeld(ctx context.Context, e Edit) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `
			UPDATE held_answers SET text = ?, truncated = ?, edited_at = ?
			WHERE channel = ? AND ts = ? AND user_id = ?`,
			e.Text, e.Truncated, toMS(e.At), e.Channel, e.TS, e.UserID)
		return err
	})
	if err != nil {
		return fmt.Errorf("edit held: %w", err)
	}
	return nil
}

// DropHeldMessage erases the text of the held message m, deleted in Slack,
// if it is one. The row stays, without words, so that a later press of Save
// can say the message is gone (SaveHeld fails with ErrDeleted); it goes then,
// or with its member.
func (db *DB) DropHeldMessage(ctx context.Context, m MessageRef) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE held_answers SET text = '' WHERE channel = ? AND ts = ?`, m.Channel, m.TS)
		return err
	})
	if err != nil {
		return fmt.Errorf("drop held message: %w", err)
	}
	return nil
}

// EvidenceByID returns the user's piece of evidence id. Someone else's, or
// one that is gone, is ladder.ErrNotFound.
func (db *DB) EvidenceByID(ctx context.Context, userID string, id int64) (ladder.Evidence, error) {
	var e ladder.Evidence
	err := db.read(ctx, func(tx *sql.Tx) (err error) {
		e, err = scanEvidence(tx.QueryRowContext(ctx,
			`SELECT `+evidenceCols+` FROM evidence WHERE id = ? AND user_id = ?`, id, userID))
		return notFound(err, ladder.ErrNotFound)
	})
	if err != nil {
		return ladder.Evidence{}, fmt.Errorf("evidence by id: %w", err)
	}
	return e, nil
}

// UndoEvidence deletes the user's piece of evidence id, at their request, and
// records its message as never to be stored again, so that a replay of the
// message's event does not bring it back. It returns what it deleted; evidence
// that is gone already (a second press of Undo) is ladder.ErrNotFound.
func (db *DB) UndoEvidence(ctx context.Context, userID string, id int64, at time.Time) (ladder.Evidence, error) {
	var e ladder.Evidence
	err := db.write(ctx, func(tx *sql.Tx) (err error) {
		e, err = scanEvidence(tx.QueryRowContext(ctx,
			`DELETE FROM evidence WHERE id = ? AND user_id = ? RETURNING `+evidenceCols, id, userID))
		if err != nil {
			return notFound(err, ladder.ErrNotFound)
		}
		return markDeleted(ctx, tx, MessageRef{Channel: e.Channel, TS: e.TS}, at)
	})
	if err != nil {
		return ladder.Evidence{}, fmt.Errorf("undo evidence: %w", err)
	}
	return e, nil
}
