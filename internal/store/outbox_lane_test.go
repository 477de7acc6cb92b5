package store

import (
	"context"
	"testing"
	"time"

	"github.com/ladderapp/ladder/internal/ladder"
)

func dmItem(key, userID string, lane Lane, due time.Time) OutboxItem {
	return OutboxItem{
		Key: key, Kind: OutboxDM, Method: "chat.postMessage", UserID: userID, Subject: userID,
		Lane: lane, Payload: []byte(`{"text":"hello"}`), DueAt: due, Created: due,
	}
}

// An interactive row due now goes before every bulk row, however long the
// bulk rows have waited; the bulk lane is left alone when asked.
func TestClaimInteractiveFirst(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	for _, u := range []string{"U1", "U2", "U3"} {
		mustEnroll(t, db, u)
	}
	week := ladder.WeekOf(now)
	if _, err := db.Enqueue(ctx,
		promptItem("U1", week, now.Add(-time.Hour)),
		promptItem("U2", week, now.Add(-time.Hour)),
		dmItem("dm:U3:1", "U3", LaneInteractive, now)); err != nil {
		t.Fatal(err)
	}
	first := mustClaim(t, db, now, "a")
	if first.Kind != OutboxDM || first.Lane != LaneInteractive || string(first.Payload) != `{"text":"hello"}` || first.Subject != "U3" {
		t.Fatalf("first claim = %+v; want the interactive dm with its payload", first)
	}
	if _, ok, err := db.ClaimOutbox(ctx, Claim{Method: "chat.postMessage", Now: now, Lease: time.Minute, Token: "b", InteractiveOnly: true}); ok || err != nil {
		t.Fatalf("interactive-only claim with only bulk rows left = %v, %v; want none", ok, err)
	}
	// A recipient in Skip is passed over: their DM had a post within the second.
	it, ok, err := db.ClaimOutbox(ctx, Claim{Method: "chat.postMessage", Now: now, Lease: time.Minute, Token: "c", Skip: []string{"U1"}})
	if err != nil || !ok || it.UserID != "U2" {
		t.Fatalf("claim skipping U1 = %+v, %v, %v; want U2's prompt", it, ok, err)
	}
}

// A dm row keeps its message only until it is done; one that confirms an
// answer marks the answer confirmed when it is queued; one that asks a
// question records the message on the question's row when it is posted; and
// forgetting the member it is about drops it.
func TestDMRows(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	mustEnroll(t, db, "U1")
	mustEnroll(t, db, "U2")
	ev := addEvidence(t, db, "U1", "D1", "1.1", ladder.People, "", now)
	sent, _, err := db.RecordPrompt(ctx, PromptSent{UserID: "U1", PromptID: "em-people-1", Week: ladder.WeekOf(now), Created: now})
	if err != nil {
		t.Fatal(err)
	}
	confirm := dmItem("confirm:1", "U1", LaneInteractive, now)
	confirm.Confirms = ev.ID
	ask := dmItem("ondemand:1", "U1", LaneInteractive, now.Add(time.Second))
	ask.PromptRef = sent.ID
	if _, err := db.Enqueue(ctx, confirm, ask, dmItem("welcome:U2", "U2", LaneInteractive, now.Add(time.Hour))); err != nil {
		t.Fatal(err)
	}
	if n := count(t, db, `SELECT count(*) FROM evidence WHERE id = ? AND confirmed_at != 0`, ev.ID); n != 1 {
		t.Errorf("evidence confirmed when its confirmation was queued: %d rows, want 1", n)
	}

	c := mustClaim(t, db, now.Add(time.Second), "a")
	if err := db.CompleteOutbox(ctx, c, "D1", "2.1", now); err != nil {
		t.Fatal(err)
	}
	q := mustClaim(t, db, now.Add(time.Second), "b")
	if q.Key != "ondemand:1" {
		t.Fatalf("second claim = %s, want ondemand:1", q.Key)
	}
	if err := db.CompleteOutbox(ctx, q, "D1", "3.1", now); err != nil {
		t.Fatal(err)
	}
	if n := count(t, db, `SELECT count(*) FROM prompts_sent WHERE id = ? AND ts = '3.1'`, sent.ID); n != 1 {
		t.Errorf("question's message recorded on its prompts_sent row: %d rows, want 1", n)
	}
	if n := count(t, db, `SELECT count(*) FROM outbox WHERE payload != '' AND state = 'sent'`); n != 0 {
		t.Errorf("%d sent rows still hold their message; want none", n)
	}
	if err := db.Forget(ctx, "U2"); err != nil {
		t.Fatal(err)
	}
	if n := count(t, db, `SELECT count(*) FROM outbox WHERE key = 'welcome:U2'`); n != 0 {
		t.Errorf("forgotten member's queued dm still there")
	}
}
