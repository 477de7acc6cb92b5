package store

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/ladderapp/ladder/internal/ladder"
)

func TestWeeklyPrompt(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	mustEnroll(t, db, "U1")
	week := ladder.WeekOf(now)
	if _, err := db.WeeklyPrompt(ctx, "U1", week); !errors.Is(err, ladder.ErrNotFound) {
		t.Fatalf("WeeklyPrompt before any = %v; want ErrNotFound", err)
	}
	// An on-demand prompt is not the weekly one.
	if _, _, err := db.RecordPrompt(ctx, PromptSent{UserID: "U1", PromptID: "od", Week: week, Created: now}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.WeeklyPrompt(ctx, "U1", week); !errors.Is(err, ladder.ErrNotFound) {
		t.Fatalf("WeeklyPrompt after an on-demand one = %v; want ErrNotFound", err)
	}
	p, _, err := db.RecordPrompt(ctx, PromptSent{UserID: "U1", PromptID: "wk", Week: week, Weekly: true, Created: now})
	if err != nil {
		t.Fatal(err)
	}
	got, err := db.WeeklyPrompt(ctx, "U1", week)
	if err != nil || got.ID != p.ID || got.PromptID != "wk" {
		t.Fatalf("WeeklyPrompt = %+v, %v; want the weekly one", got, err)
	}
	byID, err := db.PromptSentByID(ctx, p.ID)
	if err != nil || !reflect.DeepEqual(byID, got) {
		t.Fatalf("PromptSentByID = %+v, %v; want %+v", byID, err, got)
	}
	if _, err := db.PromptSentByID(ctx, 999); !errors.Is(err, ladder.ErrNotFound) {
		t.Fatalf("PromptSentByID(999) = %v; want ErrNotFound", err)
	}
}

func TestEnqueueReminderOnce(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	mustEnroll(t, db, "U1")
	p, _, err := db.RecordPrompt(ctx, PromptSent{UserID: "U1", PromptID: "wk", Weekly: true, Created: now})
	if err != nil {
		t.Fatal(err)
	}
	it := OutboxItem{Key: fmt.Sprintf("reminder:%d", p.ID), Kind: OutboxReminder, Method: "chat.postMessage",
		UserID: "U1", PromptRef: p.ID, DueAt: now, Created: now}
	for i := range 3 {
		ok, err := db.EnqueueReminder(ctx, it, now.Add(time.Duration(i)*time.Minute))
		if err != nil || ok != (i == 0) {
			t.Fatalf("EnqueueReminder #%d = %v, %v; want %v", i+1, ok, err, i == 0)
		}
	}
	if ok, err := db.claimReminder(ctx, p.ID, now); err != nil || ok {
		t.Fatalf("claimReminder after EnqueueReminder = %v, %v; want false", ok, err)
	}
	its, err := db.Outbox(ctx, OutboxReminder)
	if err != nil || len(its) != 1 || its[0].PromptRef != p.ID {
		t.Fatalf("reminders queued = %+v, %v; want one for prompt %d", its, err, p.ID)
	}
}

func TestZones(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	mustEnroll(t, db, "U1")
	v0, err := db.ScheduleVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.ZoneChecked(ctx, "M9", "Asia/Kolkata", now.Add(-2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := db.ZoneChecked(ctx, "U1", "", now.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	v1, _ := db.ScheduleVersion(ctx)
	// An empty zone keeps the one known before, and a check that finds the
	// same zone changes nothing the scheduler depends on.
	if err := db.ZoneChecked(ctx, "M9", "", now); err != nil {
		t.Fatal(err)
	}
	if err := db.ZoneChecked(ctx, "M9", "Asia/Kolkata", now); err != nil {
		t.Fatal(err)
	}
	v2, _ := db.ScheduleVersion(ctx)
	zs, err := db.Zones(ctx)
	want := map[string]Zone{"M9": {"Asia/Kolkata", now}, "U1": {"", now.Add(-time.Hour)}}
	if err != nil || !reflect.DeepEqual(zs, want) {
		t.Fatalf("Zones = %v, %v; want %v", zs, err, want)
	}
	if v1 == v0 || v2 != v1 {
		t.Errorf("versions %d, %d, %d; want a change for new zones and none for a zone read again unchanged", v0, v1, v2)
	}
	if err := db.ZoneChecked(ctx, "M9", "Europe/Berlin", now); err != nil {
		t.Fatal(err)
	}
	if v3, _ := db.ScheduleVersion(ctx); v3 == v2 {
		t.Error("a changed zone did not change the version")
	}
}

func TestScheduleVersion(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	last, err := db.ScheduleVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	changed := func(what string) {
		t.Helper()
		v, err := db.ScheduleVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if v == last {
			t.Errorf("%s did not change the schedule version", what)
		}
		last = v
	}
	mustEnroll(t, db, "U1")
	changed("enrolling")
	if _, err := db.UpdateMember(ctx, "U1", func(m *ladder.Member) error { m.Slot.Minute = 600; return nil }); err != nil {
		t.Fatal(err)
	}
	changed("a new slot")
	p, _, err := db.RecordPrompt(ctx, PromptSent{UserID: "U1", PromptID: "p", Weekly: true, Created: now})
	if err != nil {
		t.Fatal(err)
	}
	changed("a prompt")
	if err := db.MarkPromptPosted(ctx, p.ID, "DU1", "1.1"); err != nil {
		t.Fatal(err)
	}
	changed("posting it")
	if at, ok, err := db.NextReminderDue(ctx, now.Add(-time.Hour)); err != nil || !ok || !at.Equal(now) {
		t.Errorf("NextReminderDue = %s, %v, %v; want %s", at, ok, err, now)
	}
	ev, _, err := db.AddEvidence(ctx, ladder.Evidence{UserID: "U1", Text: "did it", Channel: "DU1", TS: "2.2", Created: now})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.DeleteMessage(ctx, MessageRef{Channel: ev.Channel, TS: ev.TS}, now); err != nil {
		t.Fatal(err)
	}
	changed("deleting an answer")
	if err := db.SkipWeek(ctx, "U1", p.Week); err != nil {
		t.Fatal(err)
	}
	changed("skipping the week")
	if _, ok, err := db.NextReminderDue(ctx, now.Add(-time.Hour)); err != nil || ok {
		t.Errorf("NextReminderDue after a skip = %v, %v; want none", ok, err)
	}
	if err := db.Forget(ctx, "U1"); err != nil {
		t.Fatal(err)
	}
	changed("forgetting")
}
