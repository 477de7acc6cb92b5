package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/ladderapp/ladder/internal/ladder"
)

// TestForgetWithAReader forgets a member while another program (a backup,
// Litestream, a sqlite3 shell: here a second connection pool with an open
// read transaction) reads the database. Forget cannot erase then, and says
// so; once the reader is done, the erase completes, in the background or on
// a second Forget of the member who is already gone.
func TestForgetWithAReader(t *testing.T) {
	const marker = "READER-MARKER-91c2"
	setup := func(t *testing.T) (*DB, string, *sql.Tx) {
		ctx := context.Background()
		path := filepath.Join(t.TempDir(), "ladder.db")
		db := mustOpenPath(t, path)
		mustEnroll(t, db, "UKEEP")
		mustEnroll(t, db, "UGONE")
		if _, _, err := db.AddEvidence(ctx, ladder.Evidence{UserID: "UGONE", Area: ladder.People,
			Text: "said " + marker, Channel: "DG", TS: "1.0", Created: now}); err != nil {
			t.Fatal(err)
		}
		other, err := sql.Open("sqlite", "file:"+path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { other.Close() })
		reader, err := other.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { reader.Rollback() })
		var n int
		if err := reader.QueryRowContext(ctx, `SELECT count(*) FROM evidence`).Scan(&n); err != nil || n != 1 {
			t.Fatalf("reader sees %d pieces, %v; want 1", n, err)
		}
		start := time.Now()
		err = db.Forget(ctx, "UGONE")
		if !errors.Is(err, ErrNotErased) {
			t.Fatalf("Forget with a reader = %v, want ErrNotErased", err)
		}
		if d := time.Since(start); d > 2*eraseWait {
			t.Errorf("Forget took %v, want about %v at most", d, eraseWait)
		}
		if _, err := db.Member(ctx, "UGONE"); !errors.Is(err, ladder.ErrNotEnrolled) {
			t.Errorf("Member after Forget = %v, want ErrNotEnrolled: the rows are deleted", err)
		}
		if !bytes.Contains(readAll(t, path), []byte(marker)) {
			t.Fatal("marker already gone from disk while the reader holds it: the test cannot fail")
		}
		return db, path, reader
	}

	t.Run("a second forget finishes the erase", func(t *testing.T) {
		db, path, reader := setup(t)
		if err := db.Forget(context.Background(), "UGONE"); !errors.Is(err, ErrNotErased) {
			t.Errorf("second Forget with the reader still open = %v, want ErrNotErased", err)
		}
		reader.Rollback()
		if err := db.Forget(context.Background(), "UGONE"); !errors.Is(err, ladder.ErrNotEnrolled) {
			t.Errorf("Forget after the reader is done = %v, want ErrNotEnrolled and nothing else", err)
		}
		if bytes.Contains(readAll(t, path), []byte(marker)) {
			t.Error("marker still on disk after the second Forget")
		}
	})

	t.Run("the background erase finishes it", func(t *testing.T) {
		db, path, reader := setup(t)
		done := make(chan error, 1)
		if !db.EraseLater(time.Minute, func(err error) { done <- err }) {
			t.Fatal("EraseLater did not start")
		}
		if db.EraseLater(time.Minute, nil) {
			t.Error("a second EraseLater started while one runs")
		}
		time.Sleep(300 * time.Millisecond)
		reader.Rollback()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("background erase: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("background erase never finished")
		}
		if bytes.Contains(readAll(t, path), []byte(marker)) {
			t.Error("marker still on disk after the background erase")
		}
		if _, err := db.Member(context.Background(), "UKEEP"); err != nil {
			t.Errorf("the other member: %v", err)
		}
	})

	t.Run("close stops the background erase", func(t *testing.T) {
		db, _, _ := setup(t)
		done := make(chan error, 1)
		db.EraseLater(time.Hour, func(err error) { done <- err })
		db.Close()
		select {
		case err := <-done:
			if !errors.Is(err, ErrNotErased) {
				t.Errorf("background erase stopped by Close = %v, want ErrNotErased", err)
			}
		default:
			t.Error("Close returned before the background erase stopped")
		}
	})
}

// TestForgetDigests forgets a report and then a manager: the digests that
// mention the report are listed until their DMs are deleted, and the
// manager's own digests and links go with them.
func TestForgetDigests(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	for _, id := range []string{"U1", "U2", "U3"} {
		mustEnroll(t, db, id)
	}
	link := func(id, manager string) {
		t.Helper()
		if _, err := db.UpdateMember(ctx, id, func(m *ladder.Member) error { m.Manager = manager; return nil }); err != nil {
			t.Fatal(err)
		}
		if _, err := db.AnswerManager(ctx, id, manager, true); err != nil {
			t.Fatal(err)
		}
	}
	link("U1", "UM")
	link("U2", "UM")
	link("U3", "UOTHER")
	for _, d := range []struct{ manager, month, ts string }{
		{"UM", "2026-10", "1.1"}, {"UM", "2026-11", "2.2"}, {"UOTHER", "2026-11", "3.3"},
	} {
		if _, err := db.ClaimDigest(ctx, d.manager, d.month, now); err != nil {
			t.Fatal(err)
		}
		if err := db.MarkDigestSent(ctx, d.manager, d.month, "D"+d.manager, d.ts, now); err != nil {
			t.Fatal(err)
		}
	}

	f, err := db.ForgetMember(ctx, "U1")
	if err != nil {
		t.Fatal(err)
	}
	want := Forgotten{Enrolled: true, Digests: []SentDigest{{"UM", "DUM", "1.1"}, {"UM", "DUM", "2.2"}}}
	if !reflect.DeepEqual(f, want) {
		t.Errorf("ForgetMember(U1) = %+v, want %+v", f, want)
	}
	if err := db.DigestDeleted(ctx, "DUM", "1.1"); err != nil {
		t.Fatal(err)
	}
	// The DM of November could not be deleted: a later forget finds it again.
	f, err = db.ForgetMember(ctx, "U1")
	if err != nil {
		t.Fatal(err)
	}
	want = Forgotten{Digests: []SentDigest{{"UM", "DUM", "2.2"}}}
	if !reflect.DeepEqual(f, want) {
		t.Errorf("ForgetMember(U1) again = %+v, want %+v", f, want)
	}
	if n := count(t, db, `SELECT count(*) FROM digests_sent WHERE manager = 'UM'`); n != 2 {
		t.Errorf("UM has %d digests_sent rows after a report forgot, want 2: they name no report", n)
	}

	// The manager forgets: their digests, their reports' links, and every
	// reference to them go.
	f, err = db.ForgetMember(ctx, "UM")
	if err != nil {
		t.Fatal(err)
	}
	want = Forgotten{Reports: []string{"U2"}}
	if !reflect.DeepEqual(f, want) {
		t.Errorf("ForgetMember(UM) = %+v, want %+v", f, want)
	}
	for q, wantN := range map[string]int{
		`SELECT count(*) FROM digests_sent WHERE manager = 'UM'`:     0,
		`SELECT count(*) FROM digest_subjects WHERE manager = 'UM'`:  0,
		`SELECT count(*) FROM members WHERE manager = 'UM'`:          0,
		`SELECT count(*) FROM digests_sent WHERE manager = 'UOTHER'`: 1,
		`SELECT count(*) FROM digest_subjects WHERE user_id = 'U3'`:  1,
	} {
		if n := count(t, db, q); n != wantN {
			t.Errorf("%s = %d, want %d", q, n, wantN)
		}
	}
	if rs, err := db.Reports(ctx, "UM"); err != nil || len(rs) != 0 {
		t.Errorf("Reports(UM) after UM forgot = %v, %v; want none", ids(rs), err)
	}
}

// A digest split across messages quoted each report in one part: forget
// lists that part's DM, whichever part it was, and a forgotten manager's part
// records go with them.
func TestForgetFindsTheDigestPartThatQuotedThem(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	for _, id := range []string{"U1", "U2", "U3", "UM"} {
		mustEnroll(t, db, id)
	}
	for _, id := range []string{"U1", "U2", "U3"} {
		if _, err := db.UpdateMember(ctx, id, func(m *ladder.Member) error { m.Manager = "UM"; return nil }); err != nil {
			t.Fatal(err)
		}
		if _, err := db.AnswerManager(ctx, id, "UM", true); err != nil {
			t.Fatal(err)
		}
	}
	// Part 1 shows U1 and U2, part 2 shows U3.
	for _, p := range []DigestPart{
		{Manager: "UM", Month: "2026-11", Part: 1, Through: "U2", TS: "1.1"},
		{Manager: "UM", Month: "2026-11", Part: 2, Through: "U3", Last: true, TS: "1.2"},
	} {
		ts := p.TS
		p.TS, p.Begun = "", now
		if err := db.BeginDigestPart(ctx, p); err != nil {
			t.Fatal(err)
		}
		if err := db.PostedDigestPart(ctx, p.Manager, p.Month, p.Part, "DUM", ts); err != nil {
			t.Fatal(err)
		}
	}
	for user, want := range map[string][]SentDigest{
		"U2": {{"UM", "DUM", "1.1"}},
		"U3": {{"UM", "DUM", "1.2"}},
	} {
		f, err := db.ForgetMember(ctx, user)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(f.Digests, want) {
			t.Errorf("ForgetMember(%s).Digests = %+v, want %+v", user, f.Digests, want)
		}
	}
	if _, err := db.ForgetMember(ctx, "UM"); err != nil {
		t.Fatal(err)
	}
	if n := count(t, db, `SELECT count(*) FROM digest_parts WHERE manager = 'UM'`); n != 0 {
		t.Errorf("%d digest_parts rows left after the manager forgot, want 0", n)
	}
}
