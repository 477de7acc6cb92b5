package store

import (
	"context"
	"testing"
	"time"

	"github.com/ladderapp/ladder/internal/ladder"
)

func TestSeed(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	slot, _ := ladder.ParseSlot("tue 10:00")
	spec := SeedSpec{Prefix: "USEED", Members: 3, Weeks: 4, Now: now, Slot: slot,
		Prompts: []ladder.Prompt{{ID: "p-people", Area: ladder.People}, {ID: "p-scaling", Area: ladder.Scaling}}}
	if err := db.Seed(ctx, spec); err != nil {
		t.Fatal(err)
	}
	s, err := db.Stats(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	if s.Members != 3 || s.Evidence != 12 {
		t.Errorf("got %d members and %d pieces of evidence, want 3 and 12", s.Members, s.Evidence)
	}
	m, err := db.Member(ctx, spec.SeedUserID(2))
	if err != nil {
		t.Fatal(err)
	}
	if m.UserID != "USEED00002" || m.Slot != slot || m.Target != ladder.SeniorEM {
		t.Errorf("member: got %+v", m)
	}
	facts, err := db.Facts(ctx, m.UserID, now.Add(-5*7*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(facts) != 4 || facts[3].At != now.Add(-time.Hour) || facts[3].PromptID == "" {
		t.Errorf("facts: got %+v, want 4, the newest an hour ago, with prompts", facts)
	}
	latest, err := db.LatestPrompt(ctx, m.UserID, now.Add(-7*24*time.Hour))
	if err != nil || latest.PromptID != facts[3].PromptID || latest.TS == "" {
		t.Errorf("latest prompt: got %+v, %v; want the one the newest answer answered, posted", latest, err)
	}
	if s.PromptsThisWeek != 3 {
		t.Errorf("prompts this week: got %d, want 3", s.PromptsThisWeek)
	}
	if err := db.Seed(ctx, spec); err == nil {
		t.Error("seeding the same members twice: got nil, want an error")
	}
}
