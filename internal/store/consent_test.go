package store

import (
	"context"
	"errors"
	"testing"

	"github.com/ladderapp/ladder/internal/ladder"
)

// TestManagerConsent walks a link through its states: named (pending, so not
// a report), accepted, changed (pending again), declined.
func TestManagerConsent(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	mustEnroll(t, db, "U1")
	name := func(manager string) ladder.Member {
		t.Helper()
		m, err := db.UpdateMember(ctx, "U1", func(m *ladder.Member) error {
			m.Manager = manager
			m.ManagerPending = false // fn cannot accept on the manager's behalf
			m.ManagerDeclined = "UX"
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	reports := func(manager string) string {
		t.Helper()
		rs, err := db.Reports(ctx, manager)
		if err != nil {
			t.Fatal(err)
		}
		return ids(rs)
	}
	managers := func() int {
		t.Helper()
		ms, err := db.Managers(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return len(ms)
	}

	if m := name("UA"); !m.ManagerPending || m.ManagerDeclined != "" {
		t.Errorf("after naming UA: pending %v, declined %q; want pending, none declined", m.ManagerPending, m.ManagerDeclined)
	}
	if got := reports("UA"); got != "" || managers() != 0 {
		t.Errorf("before UA accepts: Reports = %q, %d managers; want none", got, managers())
	}
	if _, err := db.AnswerManager(ctx, "U1", "UB", true); !errors.Is(err, ladder.ErrNotFound) {
		t.Errorf("accept by someone not named = %v, want ErrNotFound", err)
	}
	if m, err := db.AnswerManager(ctx, "U1", "UA", true); err != nil || m.ManagerPending {
		t.Fatalf("accept = %+v, %v", m, err)
	}
	if got := reports("UA"); got != "U1" || managers() != 1 {
		t.Errorf("after UA accepts: Reports = %q, %d managers; want U1, 1", got, managers())
	}
	if m := name("UA"); m.ManagerPending {
		t.Error("naming the same manager again made them pending again")
	}
	if m := name("UB"); !m.ManagerPending {
		t.Error("a new manager is not pending")
	}
	if got := reports("UA") + reports("UB"); got != "" {
		t.Errorf("after changing manager: reports %q, want none", got)
	}
	m, err := db.AnswerManager(ctx, "U1", "UB", false)
	if err != nil {
		t.Fatal(err)
	}
	if m.Manager != "" || m.ManagerPending || m.ManagerDeclined != "UB" {
		t.Errorf("after UB declines: %+v; want no manager, UB declined", m)
	}
	if _, err := db.AnswerManager(ctx, "U1", "UB", true); !errors.Is(err, ladder.ErrNotFound) {
		t.Errorf("accept after declining = %v, want ErrNotFound", err)
	}
}
