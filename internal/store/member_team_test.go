package store

import (
	"context"
	"testing"
)

// TestMemberTeam keeps the workspace a member last acted in, on the one row
// their global user id keys: acting from another workspace moves it, and
// never makes a second member.
func TestMemberTeam(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	mustEnroll(t, db, "WALICE")
	team := func(user string) string {
		t.Helper()
		got, err := db.MemberTeam(ctx, user)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	if got := team("WALICE"); got != "" {
		t.Errorf("a new member's team = %q, want none yet", got)
	}
	for _, tm := range []string{"T1", "T2", ""} {
		if err := db.SetMemberTeam(ctx, "WALICE", tm); err != nil {
			t.Fatal(err)
		}
	}
	if got := team("WALICE"); got != "T2" {
		t.Errorf("team after T1, T2 and an envelope without one = %q, want T2", got)
	}
	if _, created, err := db.Enroll(ctx, newMember("WALICE")); err != nil || created {
		t.Errorf("enrolling WALICE again: created=%v err=%v, want the one member", created, err)
	}
	ms, err := db.Members(ctx)
	if err != nil || len(ms) != 1 {
		t.Errorf("Members = %d, %v; want 1", len(ms), err)
	}

	// Someone who is not enrolled (a manager, say) has no row to keep it in.
	if err := db.SetMemberTeam(ctx, "WBOB", "T2"); err != nil {
		t.Fatal(err)
	}
	if got := team("WBOB"); got != "" {
		t.Errorf("a stranger's team = %q, want none", got)
	}
}
