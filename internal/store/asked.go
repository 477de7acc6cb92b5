package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/ladderapp/ladder/internal/ladder"
)

// Asked returns the weekly prompts posted to the user from from to to, both
// included, oldest first: what a digest counts a member's weeks by. A prompt
// recorded but never posted was never seen, so it is not one. Paused is the
// flag UpdateMember sets (see pausedWeek).
func (db *DB) Asked(ctx context.Context, userID string, from, to time.Time) ([]ladder.Asked, error) {
	var as []ladder.Asked
	err := db.read(ctx, func(tx *sql.Tx) error {
		var err error
		as, err = queryAll(ctx, tx, func(s scanner) (ladder.Asked, error) {
			var (
				a  ladder.Asked
				at int64
			)
			err := s.Scan(&a.PromptID, &at, &a.Skipped, &a.Paused)
			a.At = fromMS(at)
			return a, err
		}, `
			SELECT prompt_id, created_at, skipped, paused FROM prompts_sent
			WHERE user_id = ? AND kind = 'weekly' AND ts != '' AND created_at BETWEEN ? AND ?
			ORDER BY created_at, id`,
			userID, toMS(from), toMS(to))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("asked: %w", err)
	}
	return as, nil
}
