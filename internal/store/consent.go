package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/ladderapp/ladder/internal/ladder"
)

// AnswerManager records manager's answer to memberID's request to be their
// manager. Accepting makes the link count: manager gets the member's digest
// and, if they share in full, their evidence. Declining, even after an
// accept, removes the link and remembers manager as declined.
//
// It fails with ladder.ErrNotFound if memberID does not name manager (any
// more): a button on an old request changes nothing.
func (db *DB) AnswerManager(ctx context.Context, memberID, manager string, accept bool) (ladder.Member, error) {
	var m ladder.Member
	err := db.write(ctx, func(tx *sql.Tx) error {
		var err error
		if m, err = member(ctx, tx, memberID); err != nil {
			return err
		}
		if manager == "" || m.Manager != manager {
			return ladder.ErrNotFound
		}
		q := `UPDATE members SET manager_pending = 0 WHERE user_id = ?`
		if !accept {
			q = `UPDATE members SET manager = '', manager_pending = 0, manager_declined = manager WHERE user_id = ?`
		}
		if _, err := tx.ExecContext(ctx, q, memberID); err != nil {
			return err
		}
		m, err = member(ctx, tx, memberID)
		return err
	})
	if err != nil {
		return ladder.Member{}, fmt.Errorf("answer manager: %w", err)
	}
	return m, nil
}
