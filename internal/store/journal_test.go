package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/ladderapp/ladder/internal/ladder"
)

// journalEvents are events as the inbox writes them to the journal.
func journalEvents(ids ...string) []InboxEvent {
	var evs []InboxEvent
	for _, id := range ids {
		evs = append(evs, InboxEvent{
			EventID:  id,
			UserID:   "U1",
			Payload:  []byte(`{"event_id":"` + id + `"}`),
			Received: now,
			Deletes:  &MessageRef{Channel: "D1", TS: "1.000" + id[len(id)-1:]},
		})
	}
	return evs
}

// pendingIDs returns the event ids of the inbox's pending rows, in order.
func pendingIDs(t *testing.T, db *DB) []string {
	t.Helper()
	evs, err := db.PendingEvents(context.Background(), 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, e := range evs {
		ids = append(ids, e.EventID)
	}
	return ids
}

func journalSize(t *testing.T, db *DB) int64 {
	t.Helper()
	fi, err := os.Stat(db.path + journalSuffix)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

func equalIDs(got []string, want ...string) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i] != want[i] {
			return false
		}
	}
	return true
}

// TestJournalRecordsReachTheInboxAtTheNextOpen appends events and stops
// without committing them, as a kill -9 would: the next OpenJournal commits
// each once, with its deletion, and empties the journal.
func TestJournalRecordsReachTheInboxAtTheNextOpen(t *testing.T) {
	sqliteOnly(t) // the journal is a file beside a SQLite database
	ctx := context.Background()
	db := MustOpen(t)
	// Ev1 was committed before the stop too: it is not received twice.
	if _, err := db.Receive(ctx, journalEvents("Ev1")); err != nil {
		t.Fatal(err)
	}
	j, err := db.OpenJournal(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Append(journalEvents("Ev1", "Ev2")); err != nil {
		t.Fatal(err)
	}
	if err := j.Append(journalEvents("Ev3")); err != nil {
		t.Fatal(err)
	}
	j.Close()

	j, err = db.OpenJournal(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	if got := pendingIDs(t, db); !equalIDs(got, "Ev1", "Ev2", "Ev3") {
		t.Errorf("pending after reopen: got %v, want [Ev1 Ev2 Ev3]", got)
	}
	evs, _ := db.PendingEvents(ctx, 0, 100)
	if len(evs) == 3 && string(evs[2].Payload) != `{"event_id":"Ev3"}` {
		t.Errorf("payload: got %s", evs[2].Payload)
	}
	mustEnroll(t, db, "U1")
	_, _, err = db.AddEvidence(ctx, ladder.Evidence{UserID: "U1", Channel: "D1", TS: "1.0003", Text: "deleted", Created: now})
	if !errors.Is(err, ErrDeleted) {
		t.Errorf("AddEvidence of a message whose deletion was in the journal = %v; want ErrDeleted", err)
	}
	if n := journalSize(t, db); n != 0 {
		t.Errorf("journal after reopen: %d bytes, want 0", n)
	}
}

// TestJournalDropsATornOrGarbageTail cuts the last record short, or follows
// the records with garbage: the whole records before it are committed, the
// rest is dropped, and the journal is usable again.
func TestJournalDropsATornOrGarbageTail(t *testing.T) {
	sqliteOnly(t) // the journal is a file beside a SQLite database
	tails := map[string]func(path string) error{
		"torn": func(path string) error {
			fi, err := os.Stat(path)
			if err != nil {
				return err
			}
			return os.Truncate(path, fi.Size()-5)
		},
		"garbage": func(path string) error {
			f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
			if err != nil {
				return err
			}
			defer f.Close()
			_, err = f.Write([]byte("\x00\x00\x00\x10\xde\xad\xbe\xefnot a record at all"))
			return err
		},
		"bad checksum": func(path string) error {
			f, err := os.OpenFile(path, os.O_RDWR, 0)
			if err != nil {
				return err
			}
			defer f.Close()
			fi, err := f.Stat()
			if err != nil {
				return err
			}
			_, err = f.WriteAt([]byte("X"), fi.Size()-3) // inside Ev3's JSON
			return err
		},
	}
	for name, spoil := range tails {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			db := mustOpenPath(t, filepath.Join(t.TempDir(), "ladder.db"))
			j, err := db.OpenJournal(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if err := j.Append(journalEvents("Ev1", "Ev2")); err != nil {
				t.Fatal(err)
			}
			if err := j.Append(journalEvents("Ev3")); err != nil {
				t.Fatal(err)
			}
			j.Close()
			if err := spoil(db.path + journalSuffix); err != nil {
				t.Fatal(err)
			}

			j, err = db.OpenJournal(ctx)
			if err != nil {
				t.Fatalf("open a journal with a %s tail: %v", name, err)
			}
			defer j.Close()
			want := []string{"Ev1", "Ev2", "Ev3"}
			if name != "garbage" {
				want = want[:2]
			}
			if got := pendingIDs(t, db); !equalIDs(got, want...) {
				t.Errorf("pending: got %v, want %v", got, want)
			}
			if n := journalSize(t, db); n != 0 {
				t.Errorf("journal after reopen: %d bytes, want 0", n)
			}
			// Appended after the recovery, Ev4 is read back whole.
			if err := j.Append(journalEvents("Ev4")); err != nil {
				t.Fatal(err)
			}
			j.Close()
			again, err := db.OpenJournal(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer again.Close()
			if got := pendingIDs(t, db); !equalIDs(got, append(want, "Ev4")...) {
				t.Errorf("pending after Ev4: got %v, want %v", got, append(want, "Ev4"))
			}
		})
	}
}

// TestJournalEmptiesOnceEverythingIsSettled checks the truncation rule: the
// journal keeps its records while any is pending, and is empty once all are
// settled.
func TestJournalEmptiesOnceEverythingIsSettled(t *testing.T) {
	sqliteOnly(t) // the journal is a file beside a SQLite database
	ctx := context.Background()
	db := MustOpen(t)
	j, err := db.OpenJournal(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Append(journalEvents("Ev1", "Ev2")); err != nil {
		t.Fatal(err)
	}
	if err := j.Append(journalEvents("Ev3")); err != nil {
		t.Fatal(err)
	}
	full := journalSize(t, db)
	if err := j.Settle(2); err != nil {
		t.Fatal(err)
	}
	if n := journalSize(t, db); n != full {
		t.Errorf("with Ev3 pending: %d bytes, want %d", n, full)
	}
	if err := j.Settle(1); err != nil {
		t.Fatal(err)
	}
	if n := journalSize(t, db); n != 0 {
		t.Errorf("with nothing pending: %d bytes, want 0", n)
	}
	// A stop now leaves nothing to recover: Ev1 to Ev3 were never received.
	j.Close()
	j, err = db.OpenJournal(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	if got := pendingIDs(t, db); len(got) != 0 {
		t.Errorf("pending after an emptied journal: %v", got)
	}
}

// A second process serving the same database would truncate the first one's
// journal: it is refused while the journal is open, and welcome once closed.
func TestJournalIsHeldByOneProcess(t *testing.T) {
	sqliteOnly(t) // the journal is a file beside a SQLite database
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "ladder.db")
	first := mustOpenPath(t, path)
	j, err := first.OpenJournal(ctx)
	if err != nil {
		t.Fatal(err)
	}
	second := mustOpenPath(t, path)
	if _, err := second.OpenJournal(ctx); !errors.Is(err, ErrJournalInUse) {
		t.Fatalf("a second OpenJournal while the first is open = %v, want ErrJournalInUse", err)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	j2, err := second.OpenJournal(ctx)
	if err != nil {
		t.Fatalf("OpenJournal once the first closed: %v", err)
	}
	j2.Close()
}
