package store

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ladderapp/ladder/internal/ladder"
)

func TestEnroll(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)

	want := newMember("U1")
	want.LevelSince = time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	got, created, err := db.Enroll(ctx, want)
	if err != nil {
		t.Fatal(err)
	}
	if !created {
		t.Error("first Enroll: created = false")
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Enroll = %+v, want %+v", got, want)
	}

	// Enrolling again changes nothing and returns the stored member.
	other := newMember("U1")
	other.Level, other.Name = ladder.Director, "Someone else"
	got, created, err = db.Enroll(ctx, other)
	if err != nil {
		t.Fatal(err)
	}
	if created {
		t.Error("second Enroll: created = true")
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("second Enroll = %+v, want the first %+v", got, want)
	}
	if n := count(t, db, `SELECT count(*) FROM members`); n != 1 {
		t.Errorf("%d members, want 1", n)
	}

	if _, _, err := db.Enroll(ctx, ladder.Member{EnrolledAt: now}); err == nil {
		t.Error("Enroll without a user id: no error")
	}
}

func TestUpdateMember(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	mustEnroll(t, db, "U1")

	berlin, _ := time.LoadLocation("Europe/Berlin")
	got, err := db.UpdateMember(ctx, "U1", func(m *ladder.Member) error {
		m.Name = "Alice"
		m.TZ = "America/New_York"
		m.Level, m.Target = ladder.SeniorEM, ladder.Director
		m.LevelSince = time.Date(2025, 7, 1, 0, 0, 0, 0, berlin) // still July in UTC terms
		m.Track = "deep"
		m.Slot = ladder.Slot{Day: time.Friday, Minute: 17 * 60, On: true}
		m.PausedUntil = now.Add(21*24*time.Hour + 123*time.Microsecond)
		m.Manager = "UBOSS"
		m.Share = ladder.ShareFull
		m.EnrolledAt = now.Add(time.Hour) // cannot change
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := ladder.Member{
		UserID: "U1", Name: "Alice", TZ: "America/New_York",
		Level: ladder.SeniorEM, Target: ladder.Director,
		LevelSince:  time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC),
		Track:       "deep",
		Slot:        ladder.Slot{Day: time.Friday, Minute: 17 * 60, On: true},
		PausedUntil: now.Add(21 * 24 * time.Hour), // milliseconds, in UTC
		Manager:     "UBOSS",
		// A new manager has not accepted yet, whatever fn says.
		ManagerPending: true,
		Share:          ladder.ShareFull,
		EnrolledAt:     now,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("UpdateMember = %+v\nwant %+v", got, want)
	}
	stored, err := db.Member(ctx, "U1")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(stored, want) {
		t.Errorf("Member after update = %+v\nwant %+v", stored, want)
	}

	t.Run("fn error aborts", func(t *testing.T) {
		boom := errors.New("boom")
		_, err := db.UpdateMember(ctx, "U1", func(m *ladder.Member) error {
			m.Name = "Changed"
			return boom
		})
		if !errors.Is(err, boom) {
			t.Errorf("err = %v, want boom", err)
		}
		if m, _ := db.Member(ctx, "U1"); m.Name != "Alice" {
			t.Errorf("name = %q after aborted update, want Alice", m.Name)
		}
	})
	t.Run("user id cannot change", func(t *testing.T) {
		_, err := db.UpdateMember(ctx, "U1", func(m *ladder.Member) error { m.UserID = "U2"; return nil })
		if err == nil {
			t.Error("no error")
		}
	})
	t.Run("slot off and pause cleared", func(t *testing.T) {
		m, err := db.UpdateMember(ctx, "U1", func(m *ladder.Member) error {
			m.Slot = ladder.Slot{}
			m.PausedUntil = time.Time{}
			m.LevelSince = time.Time{}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if m.Slot != (ladder.Slot{}) || !m.PausedUntil.IsZero() || !m.LevelSince.IsZero() {
			t.Errorf("got slot %v, paused %v, since %v; want all zero", m.Slot, m.PausedUntil, m.LevelSince)
		}
	})
	t.Run("not enrolled", func(t *testing.T) {
		called := false
		_, err := db.UpdateMember(ctx, "nobody", func(*ladder.Member) error { called = true; return nil })
		if !errors.Is(err, ladder.ErrNotEnrolled) {
			t.Errorf("err = %v, want ErrNotEnrolled", err)
		}
		if called {
			t.Error("fn called for a member who is not enrolled")
		}
	})
}

func TestMembersReportsManagers(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	for _, id := range []string{"U3", "U1", "U2", "U4"} {
		mustEnroll(t, db, id)
	}
	setManager := func(id, manager string) {
		t.Helper()
		if _, err := db.UpdateMember(ctx, id, func(m *ladder.Member) error { m.Manager = manager; return nil }); err != nil {
			t.Fatal(err)
		}
		if _, err := db.AnswerManager(ctx, id, manager, true); err != nil {
			t.Fatal(err)
		}
	}
	setManager("U1", "U4")    // an enrolled manager
	setManager("U2", "UBOSS") // a manager who is not enrolled
	setManager("U3", "UBOSS")
	mustEnroll(t, db, "U5")
	// A manager who has not accepted has no reports.
	if _, err := db.UpdateMember(ctx, "U5", func(m *ladder.Member) error { m.Manager = "UPENDING"; return nil }); err != nil {
		t.Fatal(err)
	}

	ms, err := db.Members(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(ms); got != "U1 U2 U3 U4 U5" {
		t.Errorf("Members = %s, want U1 U2 U3 U4 U5", got)
	}
	rs, err := db.Reports(ctx, "UBOSS")
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(rs); got != "U2 U3" {
		t.Errorf("Reports(UBOSS) = %s, want U2 U3", got)
	}
	if rs, _ := db.Reports(ctx, "U1"); len(rs) != 0 {
		t.Errorf("Reports(U1) = %s, want none", ids(rs))
	}
	mgrs, err := db.Managers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(mgrs, " "); got != "U4 UBOSS" {
		t.Errorf("Managers = %s, want U4 UBOSS", got)
	}
}

func ids(ms []ladder.Member) string {
	var s []string
	for _, m := range ms {
		s = append(s, m.UserID)
	}
	return strings.Join(s, " ")
}

func TestForgetCascades(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	mustEnroll(t, db, "U1")
	mustEnroll(t, db, "U2")
	for _, id := range []string{"U1", "U2"} {
		addEvidence(t, db, id, "D"+id, "1.0", ladder.People, "p1", now)
		if _, _, err := db.RecordPrompt(ctx, PromptSent{UserID: id, PromptID: "p1", Weekly: true, Created: now}); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Forget(ctx, "U1"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Member(ctx, "U1"); !errors.Is(err, ladder.ErrNotEnrolled) {
		t.Errorf("Member after forget: %v, want ErrNotEnrolled", err)
	}
	for _, table := range []string{"members", "evidence", "prompts_sent"} {
		if n := count(t, db, `SELECT count(*) FROM `+table+` WHERE user_id = 'U1'`); n != 0 {
			t.Errorf("%s still has %d rows of U1", table, n)
		}
		if n := count(t, db, `SELECT count(*) FROM `+table+` WHERE user_id = 'U2'`); n != 1 {
			t.Errorf("%s has %d rows of U2, want 1: forget touched someone else", table, n)
		}
	}
	if err := db.Forget(ctx, "U1"); !errors.Is(err, ladder.ErrNotEnrolled) {
		t.Errorf("second Forget = %v, want ErrNotEnrolled", err)
	}

	// The foreign keys cascade on their own too.
	if _, err := db.db.ExecContext(ctx, `DELETE FROM members WHERE user_id = 'U2'`); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"evidence", "prompts_sent"} {
		if n := count(t, db, `SELECT count(*) FROM `+table); n != 0 {
			t.Errorf("%s has %d rows after deleting the last member, want 0", table, n)
		}
	}
}

// TestForgetLeavesNoBytes checks the promise of /ladder forget: afterwards the
// text is in neither the database file nor its WAL.
func TestForgetLeavesNoBytes(t *testing.T) {
	const marker = "SECRET-MARKER-7f3a"
	// A long text also fills overflow pages, which are freed rather than edited.
	long := strings.Repeat("long answer "+marker+" ", 800)

	setup := func(t *testing.T) (*DB, string) {
		ctx := context.Background()
		path := filepath.Join(t.TempDir(), "ladder.db")
		db, err := Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		mustEnroll(t, db, "UKEEP")
		addEvidence(t, db, "UKEEP", "DK", "1.0", ladder.People, "p1", now)
		m := newMember("UGONE")
		m.Name = "Name " + marker
		if _, _, err := db.Enroll(ctx, m); err != nil {
			t.Fatal(err)
		}
		for i, text := range []string{"short " + marker, long} {
			e := ladder.Evidence{UserID: "UGONE", Area: ladder.People, Text: text,
				Channel: "DG", TS: strconv.Itoa(i) + ".0", Created: now}
			if _, _, err := db.AddEvidence(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		// Move the text from the WAL into the database file, as the automatic
		// checkpoint eventually would, so the file itself has it to lose.
		if err := db.checkpoint(ctx); err != nil {
			t.Fatal(err)
		}
		// And some only in the WAL.
		if _, _, err := db.AddEvidence(ctx, ladder.Evidence{UserID: "UGONE", Area: ladder.Scaling,
			Text: "in the wal " + marker, Channel: "DG", TS: "9.0", Created: now}); err != nil {
			t.Fatal(err)
		}
		return db, path
	}

	t.Run("without forget the marker is on disk", func(t *testing.T) {
		db, path := setup(t)
		if !bytes.Contains(readAll(t, path), []byte(marker)) {
			t.Fatal("marker not in the database file while open")
		}
		db.Close()
		if !bytes.Contains(readAll(t, path), []byte(marker)) {
			t.Fatal("marker not in the database file after close: the test cannot fail")
		}
	})

	t.Run("after forget it is nowhere", func(t *testing.T) {
		db, path := setup(t)
		if err := db.Forget(context.Background(), "UGONE"); err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(readAll(t, path), []byte(marker)) {
			t.Error("marker still in the database or its WAL right after Forget")
		}
		if _, err := db.Member(context.Background(), "UKEEP"); err != nil {
			t.Errorf("the other member: %v", err)
		}
		db.Close()
		if bytes.Contains(readAll(t, path), []byte(marker)) {
			t.Error("marker still in the database or its WAL after close")
		}
	})
}

// readAll returns the bytes of the database file and of every file beside it
// that SQLite made for it (-wal, -shm, -journal).
func readAll(t *testing.T, path string) []byte {
	t.Helper()
	files, err := filepath.Glob(path + "*")
	if err != nil {
		t.Fatal(err)
	}
	var all []byte
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, b...)
	}
	return all
}

// TestUpdateMemberRecordsPausedWeeks changes members' pauses after their
// weekly prompt went out at now: a week with any paused time is recorded as
// paused, and stays so after a resume erases paused_until; a pause that was
// over before the prompt, or an update that leaves the pause alone, is not.
func TestUpdateMemberRecordsPausedWeeks(t *testing.T) {
	ctx := context.Background()
	day := 24 * time.Hour
	pause := func(until time.Time) func(*ladder.Member) { return func(m *ladder.Member) { m.PausedUntil = until } }
	rename := func(m *ladder.Member) { m.Name = "Renamed" }
	for _, tc := range []struct {
		name    string
		before  time.Time // paused_until when the prompt went out
		changes []func(*ladder.Member)
		want    bool
	}{
		{"pause then resume", time.Time{}, []func(*ladder.Member){pause(now.Add(14 * day)), pause(time.Time{})}, true},
		{"pause until resume, then resume", time.Time{}, []func(*ladder.Member){pause(now.AddDate(100, 0, 0)), pause(time.Time{})}, true},
		{"pause that ends by itself", time.Time{}, []func(*ladder.Member){pause(now.Add(time.Hour))}, true},
		{"resume of a pause over before the prompts", now.Add(-8 * day), []func(*ladder.Member){pause(time.Time{})}, false},
		{"another change", time.Time{}, []func(*ladder.Member){rename}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := MustOpen(t)
			mustEnroll(t, db, "U1")
			if _, err := db.UpdateMember(ctx, "U1", func(m *ladder.Member) error { m.PausedUntil = tc.before; return nil }); err != nil {
				t.Fatal(err)
			}
			// Last week's prompt, and this week's, whose reminder waits in the outbox.
			old, _, err := db.RecordPrompt(ctx, PromptSent{UserID: "U1", PromptID: "p0", Weekly: true,
				Week: ladder.WeekOf(now.Add(-7 * day)), Created: now.Add(-7 * day)})
			if err != nil {
				t.Fatal(err)
			}
			p, _, err := db.RecordPrompt(ctx, PromptSent{UserID: "U1", PromptID: "p1", Weekly: true, Week: ladder.WeekOf(now), Created: now})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.Enqueue(ctx, OutboxItem{Key: "reminder:1", Kind: OutboxReminder, Method: "chat.postMessage",
				UserID: "U1", PromptRef: p.ID, DueAt: now.Add(2 * day), Created: now.Add(2 * day)}); err != nil {
				t.Fatal(err)
			}
			for _, f := range tc.changes {
				if _, err := db.UpdateMember(ctx, "U1", func(m *ladder.Member) error { f(m); return nil }); err != nil {
					t.Fatal(err)
				}
			}
			if got, err := db.WeekPaused(ctx, p.ID); err != nil || got != tc.want {
				t.Errorf("WeekPaused(this week) = %v, %v; want %v", got, err, tc.want)
			}
			if got, err := db.WeekPaused(ctx, old.ID); err != nil || got {
				t.Errorf("WeekPaused(last week) = %v, %v; want false: that week was over", got, err)
			}
			first, err := db.EnqueueReminder(ctx, OutboxItem{Key: "reminder:again", Kind: OutboxReminder, Method: "chat.postMessage",
				UserID: "U1", PromptRef: p.ID, DueAt: now.Add(2 * day), Created: now.Add(2 * day)}, now.Add(2*day))
			if err != nil || first == tc.want {
				t.Errorf("EnqueueReminder = %v, %v; want %v", first, err, !tc.want)
			}
			its, err := db.Outbox(ctx, OutboxReminder)
			if err != nil || len(its) == 0 {
				t.Fatalf("reminder rows = %+v, %v", its, err)
			}
			if dropped := its[0].State == OutboxDropped; dropped != tc.want {
				t.Errorf("queued reminder = %s; want dropped %v", its[0].State, tc.want)
			}
		})
	}
	db := MustOpen(t)
	if _, err := db.WeekPaused(ctx, 42); !errors.Is(err, ladder.ErrNotFound) {
		t.Errorf("WeekPaused(unknown) = %v; want ErrNotFound", err)
	}
}
