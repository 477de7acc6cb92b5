package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/ladderapp/ladder/internal/ladder"
)

// evidenceCols are the evidence columns in the order scanEvidence reads them.
const evidenceCols = `id, user_id, area, prompt_id, text, truncated, channel, ts, created_at, edited_at, confirm_thread, confirmed_at, link`

// AddEvidence stores e and returns it with its id and created=true. If evidence
// from the same Slack message (channel and ts) is already stored, as when Slack
// retries an event, it returns that instead, with created=false. It fails with
// ladder.ErrNotEnrolled if the user is not enrolled, and with ErrDeleted if
// the message was deleted in Slack before it was stored. An edit of the
// message that came before it (EditMessage) is applied.
func (db *DB) AddEvidence(ctx context.Context, e ladder.Evidence) (ladder.Evidence, bool, error) {
	switch {
	case e.UserID == "":
		return ladder.Evidence{}, false, errors.New("add evidence: empty user id")
	case e.Channel == "" || e.TS == "":
		return ladder.Evidence{}, false, errors.New("add evidence: empty channel or ts")
	case e.Created.IsZero():
		return ladder.Evidence{}, false, errors.New("add evidence: zero creation time")
	}
	var created bool
	err := db.write(ctx, func(tx *sql.Tx) error {
		if err := settleEarly(ctx, tx, &e); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `
			INSERT INTO evidence (user_id, area, prompt_id, text, truncated, channel, ts, created_at, edited_at, confirm_thread, confirmed_at, link)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (channel, ts) DO NOTHING`,
			e.UserID, string(e.Area), e.PromptID, e.Text, e.Truncated, e.Channel, e.TS,
			toMS(e.Created), toMS(e.Edited), e.Thread, toMS(e.Confirmed), e.Link)
		if err != nil {
			return domainErr(err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		created = n == 1
		e, err = scanEvidence(tx.QueryRowContext(ctx,
			`SELECT `+evidenceCols+` FROM evidence WHERE channel = ? AND ts = ?`, e.Channel, e.TS))
		return err
	})
	if err != nil {
		return ladder.Evidence{}, false, fmt.Errorf("add evidence: %w", err)
	}
	return e, created, nil
}

// SetEvidenceArea tags a piece of the user's evidence with an area, as when
// they pick one for an unprompted answer. Someone else's evidence is
// ladder.ErrNotFound, exactly as missing evidence is.
func (db *DB) SetEvidenceArea(ctx context.Context, userID string, id int64, area ladder.AreaID) (ladder.Evidence, error) {
	var e ladder.Evidence
	err := db.write(ctx, func(tx *sql.Tx) (err error) {
		e, err = scanEvidence(tx.QueryRowContext(ctx,
			`UPDATE evidence SET area = ? WHERE id = ? AND user_id = ? RETURNING `+evidenceCols,
			string(area), id, userID))
		return notFound(err, ladder.ErrNotFound)
	})
	if err != nil {
		return ladder.Evidence{}, fmt.Errorf("set evidence area: %w", err)
	}
	return e, nil
}

// Evidence returns the user's latest evidence, newest first: at most limit
// pieces (all of them if limit <= 0), in one area or, if area is "", in all.
func (db *DB) Evidence(ctx context.Context, userID string, area ladder.AreaID, limit int) ([]ladder.Evidence, error) {
	var lim any = limit
	if limit <= 0 {
		lim = noLimit(db.pg)
	}
	var es []ladder.Evidence
	err := db.read(ctx, func(tx *sql.Tx) (err error) {
		es, err = evidence(ctx, tx, `
			SELECT `+evidenceCols+` FROM evidence
			WHERE user_id = ? AND (? = '' OR area = ?)
			ORDER BY created_at DESC, id DESC
			LIMIT ?`,
			userID, string(area), string(area), lim)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("evidence: %w", err)
	}
	return es, nil
}

// AllEvidence returns all of the user's evidence, oldest first, for export.
func (db *DB) AllEvidence(ctx context.Context, userID string) ([]ladder.Evidence, error) {
	var es []ladder.Evidence
	err := db.read(ctx, func(tx *sql.Tx) (err error) {
		es, err = evidence(ctx, tx, `
			SELECT `+evidenceCols+` FROM evidence
			WHERE user_id = ?
			ORDER BY created_at, id`,
			userID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("all evidence: %w", err)
	}
	return es, nil
}

// Facts returns, oldest first, what readiness needs of the user's evidence
// created at or after since: its area, prompt and time, and never its text.
// Evidence still waiting for an area is left out, as readiness ignores it.
func (db *DB) Facts(ctx context.Context, userID string, since time.Time) ([]ladder.Fact, error) {
	var fs []ladder.Fact
	err := db.read(ctx, func(tx *sql.Tx) error {
		var err error
		fs, err = queryAll(ctx, tx, scanFact, `
			SELECT area, prompt_id, created_at FROM evidence
			WHERE user_id = ? AND created_at >= ? AND area != ''
			ORDER BY created_at, id`,
			userID, toMS(since))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("facts: %w", err)
	}
	return fs, nil
}

// Answered returns the ids of the prompts the user has answered since then.
func (db *DB) Answered(ctx context.Context, userID string, since time.Time) (map[string]bool, error) {
	ids := map[string]bool{}
	err := db.read(ctx, func(tx *sql.Tx) error {
		return eachRow(ctx, tx, func(s scanner) error {
			var id string
			err := s.Scan(&id)
			ids[id] = true
			return err
		}, `
			SELECT DISTINCT prompt_id FROM evidence
			WHERE user_id = ? AND created_at >= ? AND prompt_id != ''`,
			userID, toMS(since))
	})
	if err != nil {
		return nil, fmt.Errorf("answered: %w", err)
	}
	return ids, nil
}

func scanFact(s scanner) (ladder.Fact, error) {
	var (
		f    ladder.Fact
		area string
		at   int64
	)
	err := s.Scan(&area, &f.PromptID, &at)
	f.Area, f.At = ladder.AreaID(area), fromMS(at)
	return f, err
}

func evidence(ctx context.Context, tx *sql.Tx, query string, args ...any) ([]ladder.Evidence, error) {
	return queryAll(ctx, tx, scanEvidence, query, args...)
}

func scanEvidence(s scanner) (ladder.Evidence, error) {
	var (
		e                          ladder.Evidence
		area                       string
		created, edited, confirmed int64
	)
	if err := s.Scan(&e.ID, &e.UserID, &area, &e.PromptID, &e.Text, &e.Truncated,
		&e.Channel, &e.TS, &created, &edited, &e.Thread, &confirmed, &e.Link); err != nil {
		return ladder.Evidence{}, err
	}
	e.Area = ladder.AreaID(area)
	e.Created, e.Edited, e.Confirmed = fromMS(created), fromMS(edited), fromMS(confirmed)
	return e, nil
}

// MarkConfirmed records that the user was told the evidence was stored.
func (db *DB) MarkConfirmed(ctx context.Context, userID string, id int64, at time.Time) error {
	err := db.rowWrite(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx,
			`UPDATE evidence SET confirmed_at = ? WHERE id = ? AND user_id = ?`, toMS(at), id, userID)
		return err
	})
	if err != nil {
		return fmt.Errorf("mark confirmed: %w", err)
	}
	return nil
}

// Unconfirmed returns, oldest first and at most limit, the evidence stored at
// or after since whose user was never told: what a crash between committing
// an answer and confirming it leaves behind.
func (db *DB) Unconfirmed(ctx context.Context, since time.Time, limit int) ([]ladder.Evidence, error) {
	var es []ladder.Evidence
	err := db.read(ctx, func(tx *sql.Tx) error {
		var err error
		es, err = evidence(ctx, tx, `SELECT `+evidenceCols+` FROM evidence
			WHERE confirmed_at = 0 AND created_at >= ? ORDER BY created_at, id LIMIT ?`, toMS(since), limit)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("unconfirmed: %w", err)
	}
	return es, nil
}
