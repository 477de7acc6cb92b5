package store

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/ladderapp/ladder/internal/ladder"
)

// TestGoals records growth goals: one per member and question however often
// the click comes, newest first, apart from evidence, and gone with forget.
func TestGoals(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	mustEnroll(t, db, "U1")
	mustEnroll(t, db, "U2")

	weekly, _, err := db.RecordPrompt(ctx, PromptSent{UserID: "U1", PromptID: "p-scaling", Weekly: true, Created: now.Add(-time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.MarkPromptPosted(ctx, weekly.ID, "DU1", "1.0"); err != nil {
		t.Fatal(err)
	}
	other, _, err := db.RecordPrompt(ctx, PromptSent{UserID: "U2", PromptID: "p-scaling", Weekly: true, Created: now.Add(-time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.MarkPromptPosted(ctx, other.ID, "DU2", "2.0"); err != nil {
		t.Fatal(err)
	}
	first, created, err := db.AddGoal(ctx, Goal{UserID: "U1", PromptID: "p-scaling", Area: ladder.Scaling, Created: now}, weekly.ID)
	if err != nil || !created {
		t.Fatalf("AddGoal = %+v, %v, %v; want a new goal", first, created, err)
	}
	// Slack retries the click, an hour later: the goal stays as it was.
	again, created, err := db.AddGoal(ctx, Goal{UserID: "U1", PromptID: "p-scaling", Area: ladder.People, Created: now.Add(time.Hour)}, weekly.ID)
	if err != nil || created {
		t.Fatalf("AddGoal again = %+v, %v, %v; want the same goal, not created", again, created, err)
	}
	if again != first {
		t.Errorf("AddGoal again returned %+v, want the first %+v", again, first)
	}
	// The question set aside gets no reminder; U2's, which nobody set
	// aside, still does, and naming it from U1's goal changes nothing.
	due, err := db.DueReminders(ctx, now.Add(-24*time.Hour), now.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(due) != 1 || due[0].ID != other.ID {
		t.Errorf("due reminders after Not yet: %+v, want only U2's prompt %d", due, other.ID)
	}
	if _, _, err := db.AddGoal(ctx, Goal{UserID: "U1", PromptID: "p-other", Created: now}, other.ID); err != nil {
		t.Fatal(err)
	}
	if due, _ := db.DueReminders(ctx, now.Add(-24*time.Hour), now.Add(24*time.Hour)); len(due) != 1 {
		t.Errorf("U1's goal claimed U2's reminder: due %+v", due)
	}
	if _, _, err := db.AddGoal(ctx, Goal{UserID: "U1", PromptID: "p-people", Area: ladder.People, Created: now.Add(24 * time.Hour)}, 0); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.AddGoal(ctx, Goal{UserID: "U2", PromptID: "p-scaling", Area: ladder.Scaling, Created: now}, 0); err != nil {
		t.Fatal(err)
	}

	got, err := db.Goals(ctx, "U1")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, g := range got {
		ids = append(ids, g.PromptID)
	}
	if want := []string{"p-people", "p-other", "p-scaling"}; !reflect.DeepEqual(ids, want) {
		t.Errorf("U1's goals: got %v, want %v, newest first", ids, want)
	}
	if got[2] != first || got[2].Area != ladder.Scaling || !got[2].Created.Equal(now) {
		t.Errorf("stored goal: got %+v, want %+v", got[2], first)
	}
	// A goal is never evidence.
	if es, err := db.Evidence(ctx, "U1", "", 0); err != nil || len(es) != 0 {
		t.Errorf("evidence after goals: %d pieces, %v; want none", len(es), err)
	}
	if fs, err := db.Facts(ctx, "U1", time.Time{}); err != nil || len(fs) != 0 {
		t.Errorf("readiness facts after goals: %v, %v; want none", fs, err)
	}

	if _, _, err := db.AddGoal(ctx, Goal{UserID: "UNOBODY", PromptID: "p", Created: now}, 0); !errors.Is(err, ladder.ErrNotEnrolled) {
		t.Errorf("AddGoal for a stranger = %v, want ErrNotEnrolled", err)
	}
	for _, bad := range []Goal{{PromptID: "p", Created: now}, {UserID: "U1", Created: now}, {UserID: "U1", PromptID: "p"}} {
		if _, _, err := db.AddGoal(ctx, bad, 0); err == nil {
			t.Errorf("AddGoal(%+v) = nil error, want one", bad)
		}
	}

	if _, err := db.ForgetMember(ctx, "U1"); err != nil {
		t.Fatal(err)
	}
	if n := count(t, db, `SELECT count(*) FROM growth_goals WHERE member_id = 'U1'`); n != 0 {
		t.Errorf("growth_goals rows after forget: %d, want 0", n)
	}
	if gs, err := db.Goals(ctx, "U2"); err != nil || len(gs) != 1 {
		t.Errorf("U2's goals after U1 forgot: %d, %v; want 1", len(gs), err)
	}
}
