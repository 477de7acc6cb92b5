package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/ladderapp/ladder/internal/ladder"
)

// Goal is a growth goal: a question a member answered with "Not yet". It is
// not evidence and never counts toward readiness.
type Goal struct {
	ID       int64
	UserID   string
	PromptID string
	Area     ladder.AreaID // the question's area when the goal was set
	Created  time.Time
}

// goalCols are the growth_goals columns in the order scanGoal reads them.
const goalCols = `id, member_id, prompt_id, area, created_at`

func scanGoal(s scanner) (Goal, error) {
	var (
		g  Goal
		at int64
	)
	err := s.Scan(&g.ID, &g.UserID, &g.PromptID, &g.Area, &at)
	g.Created = fromMS(at)
	return g, err
}

// AddGoal records a growth goal and returns it with created=true. A member
// has one goal per question: if the goal exists, as when Slack retries the
// click, AddGoal returns it unchanged with created=false. It fails with
// ladder.ErrNotEnrolled if the member is not enrolled.
//
// sent, unless 0, is the recorded prompt (prompts_sent) whose message the
// member answered "Not yet": in the same transaction its one reminder is
// claimed, so that no reminder asks them the question they just set aside.
func (db *DB) AddGoal(ctx context.Context, g Goal, sent int64) (Goal, bool, error) {
	switch {
	case g.UserID == "" || g.PromptID == "":
		return Goal{}, false, errors.New("add goal: empty user or prompt id")
	case g.Created.IsZero():
		return Goal{}, false, errors.New("add goal: zero creation time")
	}
	var created bool
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `
			INSERT INTO growth_goals (member_id, prompt_id, area, created_at)
			VALUES (?, ?, ?, ?)
			ON CONFLICT (member_id, prompt_id) DO NOTHING`,
			g.UserID, g.PromptID, string(g.Area), toMS(g.Created))
		if err != nil {
			return domainErr(err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		created = n == 1
		if sent != 0 {
			if _, err := tx.ExecContext(ctx,
				`UPDATE prompts_sent SET reminded_at = ? WHERE id = ? AND user_id = ? AND reminded_at = 0`,
				toMS(g.Created), sent, g.UserID); err != nil {
				return err
			}
		}
		g, err = scanGoal(tx.QueryRowContext(ctx,
			`SELECT `+goalCols+` FROM growth_goals WHERE member_id = ? AND prompt_id = ?`, g.UserID, g.PromptID))
		return err
	})
	if err != nil {
		return Goal{}, false, fmt.Errorf("add goal: %w", err)
	}
	return g, created, nil
}

// Goals returns a member's growth goals, newest first.
func (db *DB) Goals(ctx context.Context, userID string) ([]Goal, error) {
	var gs []Goal
	err := db.read(ctx, func(tx *sql.Tx) error {
		var err error
		gs, err = queryAll(ctx, tx, scanGoal, `
			SELECT `+goalCols+` FROM growth_goals
			WHERE member_id = ?
			ORDER BY created_at DESC, id DESC`, userID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("goals: %w", err)
	}
	return gs, nil
}
