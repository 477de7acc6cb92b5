package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ladderapp/ladder/internal/ladder"
)

func TestReceiveDedupesAndKeepsOrderUntilDone(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	ids, err := db.Receive(ctx, []InboxEvent{
		{EventID: "Ev1", UserID: "U1", Payload: []byte(`{"a":1}`), Received: now},
		{EventID: "Ev2", UserID: "U2", Payload: []byte(`{"a":2}`), Received: now},
		{EventID: "Ev1", UserID: "U1", Payload: []byte(`{"a":1}`), Received: now}, // a retry in the same batch
	})
	if err != nil {
		t.Fatal(err)
	}
	if ids[0] == 0 || ids[1] <= ids[0] || ids[2] != 0 {
		t.Fatalf("ids = %v; want two rising ids and 0 for the retry", ids)
	}
	again, err := db.Receive(ctx, []InboxEvent{{EventID: "Ev2", Payload: []byte(`{}`), Received: now}})
	if err != nil || again[0] != 0 {
		t.Fatalf("Receive(Ev2 again) = %v, %v; want 0", again, err)
	}
	if first, err := db.seenEvent(ctx, "Ev1", now); err != nil || first {
		t.Errorf("seenEvent(Ev1) = %v, %v; want false: the inbox has it", first, err)
	}

	pending, err := db.PendingEvents(ctx, 0, 10)
	if err != nil || len(pending) != 2 || pending[0].EventID != "Ev1" || pending[1].EventID != "Ev2" ||
		string(pending[1].Payload) != `{"a":2}` || pending[1].UserID != "U2" {
		t.Fatalf("PendingEvents = %+v, %v; want Ev1 then Ev2 with their payloads", pending, err)
	}
	if after, _ := db.PendingEvents(ctx, ids[0], 10); len(after) != 1 || after[0].ID != ids[1] {
		t.Errorf("PendingEvents after %d = %+v; want Ev2 only", ids[0], after)
	}

	if err := db.EventDone(ctx, ids[0], now.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	pending, _ = db.PendingEvents(ctx, 0, 10)
	if len(pending) != 1 || pending[0].EventID != "Ev2" {
		t.Errorf("PendingEvents after Ev1 is done = %+v; want Ev2", pending)
	}
	var payload []byte
	if err := db.db.QueryRow(`SELECT payload FROM inbox WHERE id = ?`, ids[0]).Scan(&payload); err != nil || len(payload) != 0 {
		t.Errorf("a done event keeps its payload %q (%v); want it cleared", payload, err)
	}

	// Pruning takes the done rows of before the cutoff, never a pending one.
	n, err := db.PruneEvents(ctx, now.Add(time.Hour))
	if err != nil || n != 1 {
		t.Errorf("PruneEvents = %d, %v; want 1", n, err)
	}
	if pending, _ := db.PendingEvents(ctx, 0, 10); len(pending) != 1 {
		t.Errorf("after pruning, pending = %+v; want Ev2 still", pending)
	}
}

func TestEditBeforeItsMessageIsApplied(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	mustEnroll(t, db, "U1")
	msg := MessageRef{Channel: "D1", TS: "100.000001"}
	edit := func(text, editTS string) error {
		_, err := db.EditMessage(ctx, Edit{MessageRef: msg, UserID: "U1", Text: text, EditTS: editTS, At: now})
		return err
	}
	if err := edit("second version", "100.000003"); !errors.Is(err, ladder.ErrNotFound) {
		t.Fatalf("EditMessage before the message = %v; want ErrNotFound", err)
	}
	if err := edit("first version", "100.000002"); !errors.Is(err, ladder.ErrNotFound) {
		t.Fatalf("EditMessage (older edit) = %v; want ErrNotFound", err)
	}
	// The message comes after its edits, as Slack's retry of it can.
	ev, created, err := db.AddEvidence(ctx, ladder.Evidence{UserID: "U1", Channel: msg.Channel, TS: msg.TS, Text: "original", Created: now})
	if err != nil || !created {
		t.Fatalf("AddEvidence = %v, %v", created, err)
	}
	if ev.Text != "second version" || ev.Edited.IsZero() {
		t.Errorf("stored %q (edited %v); want the latest edit, %q", ev.Text, ev.Edited, "second version")
	}
	// Someone else's edit of the message is never kept for it.
	mustEnroll(t, db, "U2")
	other := MessageRef{Channel: "D1", TS: "100.000009"}
	if _, err := db.EditMessage(ctx, Edit{MessageRef: other, UserID: "U2", Text: "not U1's", EditTS: "1", At: now}); !errors.Is(err, ladder.ErrNotFound) {
		t.Fatal(err)
	}
	ev, _, err = db.AddEvidence(ctx, ladder.Evidence{UserID: "U1", Channel: other.Channel, TS: other.TS, Text: "U1's own", Created: now})
	if err != nil || ev.Text != "U1's own" {
		t.Errorf("AddEvidence = %q, %v; want U1's own text", ev.Text, err)
	}
}

func TestEditOfANonMemberIsNotKept(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	_, err := db.EditMessage(ctx, Edit{MessageRef: MessageRef{Channel: "D9", TS: "1.1"}, UserID: "U9", Text: "private", EditTS: "1.2", At: now})
	if !errors.Is(err, ladder.ErrNotFound) {
		t.Fatal(err)
	}
	var n int
	db.db.QueryRow(`SELECT count(*) FROM early_edits`).Scan(&n)
	if n != 0 {
		t.Errorf("early_edits holds %d rows for someone not enrolled; want 0", n)
	}
}

func TestDeleteBeforeItsMessageKeepsItOut(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	mustEnroll(t, db, "U1")
	gone := MessageRef{Channel: "D1", TS: "200.000001"}
	if _, err := db.DeleteMessage(ctx, gone, now); !errors.Is(err, ladder.ErrNotFound) {
		t.Fatalf("DeleteMessage before the message = %v; want ErrNotFound", err)
	}
	_, _, err := db.AddEvidence(ctx, ladder.Evidence{UserID: "U1", Channel: gone.Channel, TS: gone.TS, Text: "deleted", Created: now})
	if !errors.Is(err, ErrDeleted) {
		t.Fatalf("AddEvidence of a deleted message = %v; want ErrDeleted", err)
	}

	// A deletion received with its inbox row keeps out a message not yet handled.
	queued := MessageRef{Channel: "D1", TS: "200.000002"}
	if _, err := db.Receive(ctx, []InboxEvent{{EventID: "EvDel", UserID: "U1", Payload: []byte(`{}`), Received: now, Deletes: &queued}}); err != nil {
		t.Fatal(err)
	}
	_, _, err = db.AddEvidence(ctx, ladder.Evidence{UserID: "U1", Channel: queued.Channel, TS: queued.TS, Text: "deleted too", Created: now})
	if !errors.Is(err, ErrDeleted) {
		t.Fatalf("AddEvidence of a message whose deletion was received = %v; want ErrDeleted", err)
	}
	if es, _ := db.Evidence(ctx, "U1", "", 0); len(es) != 0 {
		t.Errorf("evidence = %+v; want none", es)
	}

	// A day later the record is pruned.
	if n, err := db.PruneEvents(ctx, now.Add(25*time.Hour)); err != nil || n < 2 {
		t.Errorf("PruneEvents = %d, %v; want the two deletion records", n, err)
	}
}

func TestForgetClearsTheInbox(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	mustEnroll(t, db, "U1")
	if _, err := db.Receive(ctx, []InboxEvent{{EventID: "EvSecret", UserID: "U1", Payload: []byte(`{"text":"secret"}`), Received: now}}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.EditMessage(ctx, Edit{MessageRef: MessageRef{Channel: "D1", TS: "3.1"}, UserID: "U1", Text: "secret edit", EditTS: "3.2", At: now}); !errors.Is(err, ladder.ErrNotFound) {
		t.Fatal(err)
	}
	if _, err := db.db.Exec(`DELETE FROM members WHERE user_id = 'U1'`); err != nil {
		t.Fatal(err)
	}
	if p, _ := db.PendingEvents(ctx, 0, 10); len(p) != 0 {
		t.Errorf("pending after forget = %+v; want none", p)
	}
	var n int
	db.db.QueryRow(`SELECT count(*) FROM inbox WHERE length(payload) > 0`).Scan(&n)
	var e int
	db.db.QueryRow(`SELECT count(*) FROM early_edits`).Scan(&e)
	if n != 0 || e != 0 {
		t.Errorf("after forget: %d inbox payloads, %d kept edits; want none", n, e)
	}
}
