package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ladderapp/ladder/internal/ladder"
)

func holdThanks(t *testing.T, db *DB, ts string) ladder.Evidence {
	t.Helper()
	h, created, err := db.HoldAnswer(context.Background(), ladder.Evidence{UserID: "U1", Area: ladder.People, PromptID: "people-1",
		Text: "thanks!", Channel: "D1", TS: ts, Thread: ts, Created: now})
	if err != nil || !created || h.ID == 0 {
		t.Fatalf("HoldAnswer = %+v, %v, %v; want it held", h, created, err)
	}
	return h
}

// TestHeldAnswerSaved: a held message is not evidence until saved; saving it
// makes it evidence once, with its area, prompt, thread and latest edit.
func TestHeldAnswerSaved(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	mustEnroll(t, db, "U1")
	h := holdThanks(t, db, "1.000100")

	if _, again, err := db.HoldAnswer(ctx, ladder.Evidence{UserID: "U1", Text: "thanks!", Channel: "D1", TS: "1.000100", Created: now}); err != nil || again {
		t.Errorf("holding the same message again: created = %v, %v; want false", again, err)
	}
	if n := count(t, db, `SELECT count(*) FROM evidence`); n != 0 {
		t.Fatalf("a held message is evidence already: %d rows", n)
	}
	if err := db.EditHeld(ctx, Edit{MessageRef: MessageRef{Channel: "D1", TS: "1.000100"}, UserID: "U1", Text: "thanks! it worked", At: now.Add(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.SaveHeld(ctx, "U2", h.ID); !errors.Is(err, ladder.ErrNotFound) {
		t.Errorf("someone else saving it: %v, want ErrNotFound", err)
	}
	e, created, err := db.SaveHeld(ctx, "U1", h.ID)
	if err != nil || !created {
		t.Fatalf("SaveHeld = %v, %v", created, err)
	}
	if e.Text != "thanks! it worked" || e.Area != ladder.People || e.PromptID != "people-1" || e.Thread != "1.000100" || e.Edited.IsZero() {
		t.Errorf("saved %+v; want the edited text, its area, prompt and thread", e)
	}
	if _, _, err := db.SaveHeld(ctx, "U1", h.ID); !errors.Is(err, ladder.ErrNotFound) {
		t.Errorf("saving twice: %v, want ErrNotFound", err)
	}
	if n := count(t, db, `SELECT count(*) FROM held_answers`); n != 0 {
		t.Errorf("%d held rows after the save, want none", n)
	}
	// A replay of the message's event finds it saved, and holds nothing.
	if _, again, err := db.HoldAnswer(ctx, ladder.Evidence{UserID: "U1", Text: "thanks!", Channel: "D1", TS: "1.000100", Created: now}); err != nil || again {
		t.Errorf("holding a saved message: created = %v, %v; want false", again, err)
	}
}

// TestHeldAnswerDiscardedOrDeleted: Don't save drops the text and keeps a
// replay from holding it again; a message deleted in Slack is not saved.
func TestHeldAnswerDiscardedOrDeleted(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	mustEnroll(t, db, "U1")

	h := holdThanks(t, db, "1.000100")
	if got, err := db.DiscardHeld(ctx, "U1", h.ID, now); err != nil || got.Text != "thanks!" {
		t.Fatalf("DiscardHeld = %+v, %v", got, err)
	}
	if _, err := db.DiscardHeld(ctx, "U1", h.ID, now); !errors.Is(err, ladder.ErrNotFound) {
		t.Errorf("discarding twice: %v, want ErrNotFound", err)
	}
	if _, _, err := db.HoldAnswer(ctx, ladder.Evidence{UserID: "U1", Text: "thanks!", Channel: "D1", TS: "1.000100", Created: now}); !errors.Is(err, ErrDeleted) {
		t.Errorf("holding a discarded message again: %v, want ErrDeleted", err)
	}

	h = holdThanks(t, db, "2.000100")
	if _, err := db.DeleteMessage(ctx, MessageRef{Channel: "D1", TS: "2.000100"}, now); !errors.Is(err, ladder.ErrNotFound) {
		t.Fatalf("DeleteMessage of a held message: %v, want ErrNotFound (it is not evidence)", err)
	}
	if _, _, err := db.SaveHeld(ctx, "U1", h.ID); !errors.Is(err, ErrDeleted) {
		t.Errorf("saving a deleted message: %v, want ErrDeleted", err)
	}
	if n := count(t, db, `SELECT count(*) FROM evidence`) + count(t, db, `SELECT count(*) FROM held_answers`); n != 0 {
		t.Errorf("%d rows left of a deleted message, want none", n)
	}

	// The deletion erases the words at once; a later Save says it is gone,
	// even once the record of the deletion is pruned.
	h = holdThanks(t, db, "3.000100")
	if err := db.DropHeldMessage(ctx, MessageRef{Channel: "D1", TS: "3.000100"}); err != nil {
		t.Fatal(err)
	}
	if n := count(t, db, `SELECT count(*) FROM held_answers WHERE text != ''`); n != 0 {
		t.Errorf("%d held rows with words after DropHeldMessage, want none", n)
	}
	if _, _, err := db.SaveHeld(ctx, "U1", h.ID); !errors.Is(err, ErrDeleted) {
		t.Errorf("saving a message deleted in Slack: %v, want ErrDeleted", err)
	}
	if n := count(t, db, `SELECT count(*) FROM held_answers`) + count(t, db, `SELECT count(*) FROM evidence`); n != 0 {
		t.Errorf("%d rows left of a deleted message, want none", n)
	}
}

// TestForgetDropsHeldAnswers: a member who forgets leaves no held text.
func TestForgetDropsHeldAnswers(t *testing.T) {
	db := MustOpen(t)
	mustEnroll(t, db, "U1")
	holdThanks(t, db, "1.000100")
	if _, err := db.ForgetMember(context.Background(), "U1"); err != nil {
		t.Fatal(err)
	}
	if n := count(t, db, `SELECT count(*) FROM held_answers`); n != 0 {
		t.Errorf("%d held rows after forget, want none", n)
	}
}

// TestUndoEvidence deletes a piece of evidence once, for its owner only, and
// keeps a replay of its message from storing it again.
func TestUndoEvidence(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	mustEnroll(t, db, "U1")
	mustEnroll(t, db, "U2")
	e := addEvidence(t, db, "U1", "D1", "1.000100", ladder.People, "", now)

	if got, err := db.EvidenceByID(ctx, "U1", e.ID); err != nil || got.Text != e.Text {
		t.Errorf("EvidenceByID = %+v, %v", got, err)
	}
	if _, err := db.EvidenceByID(ctx, "U2", e.ID); !errors.Is(err, ladder.ErrNotFound) {
		t.Errorf("EvidenceByID of someone else's: %v, want ErrNotFound", err)
	}
	if _, err := db.UndoEvidence(ctx, "U2", e.ID, now); !errors.Is(err, ladder.ErrNotFound) {
		t.Errorf("UndoEvidence of someone else's: %v, want ErrNotFound", err)
	}
	if got, err := db.UndoEvidence(ctx, "U1", e.ID, now); err != nil || got.ID != e.ID {
		t.Fatalf("UndoEvidence = %+v, %v", got, err)
	}
	if _, err := db.UndoEvidence(ctx, "U1", e.ID, now); !errors.Is(err, ladder.ErrNotFound) {
		t.Errorf("a second undo: %v, want ErrNotFound", err)
	}
	if _, _, err := db.AddEvidence(ctx, ladder.Evidence{UserID: "U1", Text: "again", Channel: "D1", TS: "1.000100", Created: now}); !errors.Is(err, ErrDeleted) {
		t.Errorf("storing an undone message again: %v, want ErrDeleted", err)
	}
}
