package store

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/ladderapp/ladder/internal/ladder"
)

func TestWeeksOff(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	mustEnroll(t, db, "U1")
	mustEnroll(t, db, "U2")
	week := func(ago int) ladder.Week { return ladder.WeekOf(now.AddDate(0, 0, -7*ago)) }
	at := func(ago int) time.Time { return now.AddDate(0, 0, -7*ago) }

	record := func(user string, ago int, reason string, want bool) {
		t.Helper()
		created, err := db.RecordWeekOff(ctx, user, week(ago), reason, at(ago))
		if err != nil || created != want {
			t.Fatalf("RecordWeekOff(%s, %s, %s) = %v, %v; want %v", user, week(ago), reason, created, err, want)
		}
	}
	record("U1", 3, OffAway, true)
	record("U1", 2, OffAway, true)
	record("U1", 2, OffAway, false) // the queue's retry: once only
	record("U1", 1, OffPaused, true)
	record("U2", 2, OffAway, true)
	if _, err := db.RecordWeekOff(ctx, "U9", week(0), OffAway, now); !errors.Is(err, ladder.ErrNotEnrolled) {
		t.Errorf("RecordWeekOff of a stranger = %v, want ErrNotEnrolled", err)
	}
	if _, err := db.RecordWeekOff(ctx, "U1", week(0), "bored", now); err == nil {
		t.Error("RecordWeekOff took an unknown reason")
	}

	// A prompt that went out, whose member was away when its reminder was due.
	p, _, err := db.RecordPrompt(ctx, PromptSent{UserID: "U1", PromptID: "p1", Weekly: true, Week: week(0), Created: at(0)})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.AwayAfterPrompt(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	if paused, err := db.WeekPaused(ctx, p.ID); err != nil || !paused {
		t.Errorf("WeekPaused after AwayAfterPrompt = %v, %v; want true: no reminder, never missed", paused, err)
	}
	if err := db.AwayAfterPrompt(ctx, p.ID+100); !errors.Is(err, ladder.ErrNotFound) {
		t.Errorf("AwayAfterPrompt of no prompt = %v, want ErrNotFound", err)
	}

	off, err := db.WeeksOff(ctx, "U1", at(2))
	if err != nil {
		t.Fatal(err)
	}
	want := map[ladder.Week]bool{week(2): true, week(1): true, week(0): true}
	if !reflect.DeepEqual(off, want) {
		t.Errorf("WeeksOff since 2 weeks ago = %v, want %v", off, want)
	}

	// The away weeks are told once, oldest first; paused weeks never.
	untold, err := db.UntoldAway(ctx, "U1")
	if err != nil || !reflect.DeepEqual(untold, []ladder.Week{week(3), week(2)}) {
		t.Fatalf("UntoldAway = %v, %v; want %v", untold, err, []ladder.Week{week(3), week(2)})
	}
	if err := db.MarkAwayTold(ctx, "U1", untold, now); err != nil {
		t.Fatal(err)
	}
	if untold, err := db.UntoldAway(ctx, "U1"); err != nil || len(untold) != 0 {
		t.Errorf("UntoldAway after MarkAwayTold = %v, %v; want none", untold, err)
	}
	if untold, err := db.UntoldAway(ctx, "U2"); err != nil || len(untold) != 1 {
		t.Errorf("UntoldAway of U2 = %v, %v; want 1 week: telling U1 touched U2", untold, err)
	}

	// Forget erases them.
	if err := db.Forget(ctx, "U1"); err != nil {
		t.Fatal(err)
	}
	if n := count(t, db, `SELECT count(*) FROM weeks_off WHERE user_id = 'U1'`); n != 0 {
		t.Errorf("weeks_off keeps %d rows of a forgotten member", n)
	}
}

func TestLastStatus(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	mustEnroll(t, db, "U1")
	if _, ok, err := db.LastStatus(ctx, "U1"); err != nil || ok {
		t.Fatalf("LastStatus before any read = %v, %v; want none", ok, err)
	}
	until := now.Add(48 * time.Hour)
	for _, s := range []AwayStatus{{Away: false, Checked: now.Add(-time.Hour)}, {Away: true, Until: until, Checked: now}} {
		if err := db.StatusRead(ctx, "U1", s); err != nil {
			t.Fatal(err)
		}
	}
	s, ok, err := db.LastStatus(ctx, "U1")
	if err != nil || !ok || !s.Away || !s.Until.Equal(until) || !s.Checked.Equal(now) {
		t.Errorf("LastStatus = %+v, %v, %v; want away until %v, read at %v", s, ok, err, until, now)
	}
	if !s.AwayAt(now) || s.AwayAt(until) {
		t.Errorf("AwayAt(now) = %v, AwayAt(until) = %v; want true, false", s.AwayAt(now), s.AwayAt(until))
	}
	if err := db.StatusRead(ctx, "U9", s); !errors.Is(err, ladder.ErrNotEnrolled) {
		t.Errorf("StatusRead of a stranger = %v, want ErrNotEnrolled", err)
	}
	if err := db.Forget(ctx, "U1"); err != nil {
		t.Fatal(err)
	}
	if n := count(t, db, `SELECT count(*) FROM away_status`); n != 0 {
		t.Errorf("away_status keeps %d rows of a forgotten member", n)
	}
}
