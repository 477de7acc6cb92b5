package store

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/ladderapp/ladder/internal/ladder"
)

// TestAsked returns the weekly prompts a member saw in a period, with the
// week's skip and pause, and leaves out on-demand prompts, prompts never
// posted, other members' and those outside the period.
func TestAsked(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	mustEnroll(t, db, "U1")
	mustEnroll(t, db, "U2")
	day := 24 * time.Hour
	record := func(p PromptSent, posted bool) PromptSent {
		t.Helper()
		p, _, err := db.RecordPrompt(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		if posted {
			if err := db.MarkPromptPosted(ctx, p.ID, "D"+p.UserID, p.PromptID+".ts"); err != nil {
				t.Fatal(err)
			}
		}
		return p
	}
	record(PromptSent{UserID: "U1", PromptID: "before", Weekly: true, Created: now.Add(-7 * day)}, true)
	record(PromptSent{UserID: "U1", PromptID: "w1", Weekly: true, Created: now}, true)
	record(PromptSent{UserID: "U1", PromptID: "od", Created: now.Add(day)}, true)
	record(PromptSent{UserID: "U2", PromptID: "other", Weekly: true, Created: now.Add(day)}, true)
	w2 := record(PromptSent{UserID: "U1", PromptID: "w2", Weekly: true, Created: now.Add(7 * day)}, true)
	if err := db.SkipWeek(ctx, "U1", w2.Week); err != nil {
		t.Fatal(err)
	}
	record(PromptSent{UserID: "U1", PromptID: "w3", Weekly: true, Created: now.Add(14 * day)}, true)
	// A pause after the third week's prompt marks that week paused.
	if _, err := db.UpdateMember(ctx, "U1", func(m *ladder.Member) error {
		m.PausedUntil = now.Add(28 * day)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	record(PromptSent{UserID: "U1", PromptID: "unposted", Weekly: true, Created: now.Add(21 * day)}, false)
	record(PromptSent{UserID: "U1", PromptID: "after", Weekly: true, Created: now.Add(35 * day)}, true)

	got, err := db.Asked(ctx, "U1", now, now.Add(28*day))
	if err != nil {
		t.Fatal(err)
	}
	want := []ladder.Asked{
		{PromptID: "w1", At: now},
		{PromptID: "w2", At: now.Add(7 * day), Skipped: true},
		{PromptID: "w3", At: now.Add(14 * day), Paused: true},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Asked =\n%+v\nwant\n%+v", got, want)
	}
}
