package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/ladderapp/ladder/internal/ladder"
)

// addEvidence stores a piece of evidence whose text names its message.
func addEvidence(tb testing.TB, db *DB, userID, channel, ts string, area ladder.AreaID, promptID string, at time.Time) ladder.Evidence {
	tb.Helper()
	e, created, err := db.AddEvidence(context.Background(), ladder.Evidence{
		UserID: userID, Area: area, PromptID: promptID,
		Text: "answer in " + channel + "/" + ts, Channel: channel, TS: ts, Created: at,
	})
	if err != nil {
		tb.Fatalf("AddEvidence(%s/%s): %v", channel, ts, err)
	}
	if !created {
		tb.Fatalf("AddEvidence(%s/%s): created = false", channel, ts)
	}
	return e
}

func TestAddEvidence(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	mustEnroll(t, db, "U1")

	in := ladder.Evidence{UserID: "U1", Area: ladder.Strategy, PromptID: "strategy-1", Text: "Dropped the rewrite.",
		Channel: "D1", TS: "1700000000.000100", Truncated: true, Created: now.Add(1500 * time.Microsecond)}
	got, created, err := db.AddEvidence(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if !created || got.ID == 0 {
		t.Errorf("created = %v, id = %d; want true and an id", created, got.ID)
	}
	want := in
	want.ID = got.ID
	want.Created = now.Add(time.Millisecond) // stored in milliseconds
	if !reflect.DeepEqual(got, want) {
		t.Errorf("AddEvidence = %+v\nwant %+v", got, want)
	}

	// Slack retries the event: the same message is stored once.
	retry := in
	retry.Text = "a retried copy"
	again, created, err := db.AddEvidence(ctx, retry)
	if err != nil {
		t.Fatal(err)
	}
	if created {
		t.Error("second AddEvidence of the same message: created = true")
	}
	if !reflect.DeepEqual(again, want) {
		t.Errorf("second AddEvidence = %+v\nwant the stored %+v", again, want)
	}
	if n := count(t, db, `SELECT count(*) FROM evidence`); n != 1 {
		t.Errorf("%d evidence rows, want 1", n)
	}

	// The same ts in another channel is another message.
	addEvidence(t, db, "U1", "D2", in.TS, ladder.People, "", now)

	for name, e := range map[string]ladder.Evidence{
		"no user":    {Channel: "D1", TS: "2", Created: now},
		"no channel": {UserID: "U1", TS: "2", Created: now},
		"no ts":      {UserID: "U1", Channel: "D1", Created: now},
		"no time":    {UserID: "U1", Channel: "D1", TS: "2"},
	} {
		if _, _, err := db.AddEvidence(ctx, e); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestEditAndDeleteEvidence(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	mustEnroll(t, db, "U1")
	orig := addEvidence(t, db, "U1", "D1", "1.0", ladder.People, "p1", now)

	edited, err := db.EditMessage(ctx, Edit{MessageRef: MessageRef{Channel: "D1", TS: "1.0"}, UserID: "U1", Text: "better words", Truncated: true, At: now.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	want := orig
	want.Text, want.Truncated, want.Edited = "better words", true, now.Add(time.Hour)
	if !reflect.DeepEqual(edited, want) {
		t.Errorf("EditMessage = %+v\nwant %+v", edited, want)
	}
	if got, _ := db.evidenceByID(ctx, "U1", orig.ID); !reflect.DeepEqual(got, want) {
		t.Errorf("stored after edit = %+v\nwant %+v", got, want)
	}
	if _, err := db.EditMessage(ctx, Edit{MessageRef: MessageRef{Channel: "D1", TS: "404.0"}, UserID: "U1", Text: "x", At: now}); !errors.Is(err, ladder.ErrNotFound) {
		t.Errorf("EditMessage of an unknown message = %v, want ErrNotFound", err)
	}

	deleted, err := db.DeleteMessage(ctx, MessageRef{Channel: "D1", TS: "1.0"}, now)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(deleted, want) {
		t.Errorf("DeleteMessage = %+v\nwant %+v", deleted, want)
	}
	if _, err := db.evidenceByID(ctx, "U1", orig.ID); !errors.Is(err, ladder.ErrNotFound) {
		t.Errorf("evidenceByID after delete = %v, want ErrNotFound", err)
	}
	if _, err := db.DeleteMessage(ctx, MessageRef{Channel: "D1", TS: "1.0"}, now); !errors.Is(err, ladder.ErrNotFound) {
		t.Errorf("second DeleteMessage = %v, want ErrNotFound", err)
	}
}

func TestSetEvidenceArea(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	mustEnroll(t, db, "U1")
	mustEnroll(t, db, "U2")
	e := addEvidence(t, db, "U1", "D1", "1.0", "", "", now)

	if _, err := db.SetEvidenceArea(ctx, "U2", e.ID, ladder.Scaling); !errors.Is(err, ladder.ErrNotFound) {
		t.Errorf("SetEvidenceArea by another user = %v, want ErrNotFound", err)
	}
	got, err := db.SetEvidenceArea(ctx, "U1", e.ID, ladder.Scaling)
	if err != nil {
		t.Fatal(err)
	}
	if got.Area != ladder.Scaling || got.ID != e.ID {
		t.Errorf("SetEvidenceArea = %+v, want area scaling", got)
	}
	if got, _ := db.evidenceByID(ctx, "U1", e.ID); got.Area != ladder.Scaling {
		t.Errorf("stored area = %q, want scaling", got.Area)
	}
	if _, err := db.evidenceByID(ctx, "U2", e.ID); !errors.Is(err, ladder.ErrNotFound) {
		t.Errorf("evidenceByID by another user = %v, want ErrNotFound", err)
	}
}

func TestEvidenceQueries(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	mustEnroll(t, db, "U1")
	mustEnroll(t, db, "U2")
	day := 24 * time.Hour
	// Added out of order, to show the queries sort by time.
	e3 := addEvidence(t, db, "U1", "D1", "3", ladder.People, "p2", now.Add(-1*day))
	e1 := addEvidence(t, db, "U1", "D1", "1", ladder.People, "p1", now.Add(-30*day))
	e2 := addEvidence(t, db, "U1", "D1", "2", ladder.Strategy, "s1", now.Add(-10*day))
	e4 := addEvidence(t, db, "U1", "D1", "4", "", "", now) // awaits its area
	e0 := addEvidence(t, db, "U1", "D1", "0", ladder.People, "p1", now.Add(-400*day))
	addEvidence(t, db, "U2", "D2", "1", ladder.People, "p9", now)

	evIDs := func(es []ladder.Evidence) []int64 {
		var ids []int64
		for _, e := range es {
			ids = append(ids, e.ID)
		}
		return ids
	}
	tests := []struct {
		name  string
		area  ladder.AreaID
		limit int
		want  []int64
	}{
		{"all areas, no limit", "", 0, []int64{e4.ID, e3.ID, e2.ID, e1.ID, e0.ID}},
		{"all areas, limit 2", "", 2, []int64{e4.ID, e3.ID}},
		{"people", ladder.People, 10, []int64{e3.ID, e1.ID, e0.ID}},
		{"people, limit 1", ladder.People, 1, []int64{e3.ID}},
		{"scaling", ladder.Scaling, 10, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			es, err := db.Evidence(ctx, "U1", tt.area, tt.limit)
			if err != nil {
				t.Fatal(err)
			}
			if got := evIDs(es); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Evidence(U1, %q, %d) = %v, want %v", tt.area, tt.limit, got, tt.want)
			}
		})
	}

	all, err := db.AllEvidence(ctx, "U1")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := evIDs(all), []int64{e0.ID, e1.ID, e2.ID, e3.ID, e4.ID}; !reflect.DeepEqual(got, want) {
		t.Errorf("AllEvidence = %v, want oldest first %v", got, want)
	}

	facts, err := db.Facts(ctx, "U1", now.Add(-30*day))
	if err != nil {
		t.Fatal(err)
	}
	wantFacts := []ladder.Fact{
		{Area: ladder.People, PromptID: "p1", At: now.Add(-30 * day)}, // since is inclusive
		{Area: ladder.Strategy, PromptID: "s1", At: now.Add(-10 * day)},
		{Area: ladder.People, PromptID: "p2", At: now.Add(-1 * day)},
	}
	if !reflect.DeepEqual(facts, wantFacts) {
		t.Errorf("Facts = %+v\nwant %+v", facts, wantFacts)
	}

	answered, err := db.Answered(ctx, "U1", now.Add(-30*day))
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]bool{"p1": true, "s1": true, "p2": true}; !reflect.DeepEqual(answered, want) {
		t.Errorf("Answered = %v, want %v", answered, want)
	}
	if got, err := db.Answered(ctx, "nobody", now.Add(-30*day)); err != nil || len(got) != 0 {
		t.Errorf("Answered(nobody) = %v, %v; want empty", got, err)
	}
}

func TestConcurrentAddEvidence(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	mustEnroll(t, db, "U1")
	const n = 20
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			// Each writes twice: a retried event must not add a row either.
			for range 2 {
				_, _, err := db.AddEvidence(ctx, ladder.Evidence{UserID: "U1", Area: ladder.People,
					Text: "concurrent", Channel: "D1", TS: strconv.Itoa(i), Created: now})
				if err != nil {
					t.Errorf("AddEvidence %d: %v", i, err)
				}
			}
		})
	}
	close(start)
	wg.Wait()
	if got := count(t, db, `SELECT count(*) FROM evidence`); got != n {
		t.Errorf("%d evidence rows, want %d", got, n)
	}
}

// benchLadder is a small ladder shaped like prompts.yaml: five areas, five
// levels, four senior-em prompts and two em prompts per area.
func benchLadder() *ladder.Ladder {
	l := &ladder.Ladder{WindowWeeks: 26}
	for _, a := range ladder.AreaIDs {
		l.Areas = append(l.Areas, ladder.Area{ID: a, Name: string(a)})
	}
	for _, lv := range ladder.LevelIDs {
		l.Levels = append(l.Levels, ladder.Level{ID: lv, Focus: map[ladder.AreaID]string{}})
	}
	l.Tracks = []ladder.Track{{ID: "broad", Weights: map[ladder.AreaID]float64{ladder.Scaling: 1.5}}}
	for _, a := range ladder.AreaIDs {
		for i := range 6 {
			lv, kind := ladder.SeniorEM, ladder.Stretch
			if i >= 4 {
				lv, kind = ladder.EM, ladder.Excel
			}
			l.Prompts = append(l.Prompts, ladder.Prompt{ID: fmt.Sprintf("%s-%d", a, i), Area: a, Level: lv, Kind: kind})
		}
	}
	return l
}

// seed fills the database quickly, in one transaction with prepared
// statements: members U00000… each with perMember pieces of evidence.
func seed(tb testing.TB, db *DB, members, perMember int) {
	tb.Helper()
	ctx := context.Background()
	err := db.write(ctx, func(tx *sql.Tx) error {
		addM, err := tx.PrepareContext(ctx, `
			INSERT INTO members (user_id, name, level, target, track, slot_on, slot_day, slot_minute, share, enrolled_at)
			VALUES (?, ?, 'em', 'senior-em', 'broad', 1, 1, 570, 'summary', ?)`)
		if err != nil {
			return err
		}
		defer addM.Close()
		addE, err := tx.PrepareContext(ctx, `
			INSERT INTO evidence (user_id, area, prompt_id, text, channel, ts, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer addE.Close()
		for i := range members {
			id := fmt.Sprintf("U%05d", i)
			if _, err := addM.ExecContext(ctx, id, "Member "+id, toMS(now)); err != nil {
				return err
			}
			for j := range perMember {
				area := ladder.AreaIDs[j%5]
				if _, err := addE.ExecContext(ctx, id, string(area), fmt.Sprintf("%s-%d", area, j%6),
					"some answer of a typical length, a sentence or three about what happened and why", "D"+id,
					strconv.Itoa(j), toMS(now.Add(-time.Duration(j)*7*24*time.Hour))); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatalf("seed: %v", err)
	}
}

// BenchmarkGapsInputs measures what /ladder gaps does for a member with five
// years of weekly evidence, in a database of 10,000 members: read the facts
// of the window and compute readiness.
func BenchmarkGapsInputs(b *testing.B) {
	ctx := context.Background()
	db := MustOpen(b)
	seed(b, db, 10_000, 10)
	const user = "UBENCH"
	mustEnroll(b, db, user)
	seedUser(b, db, user, 5*52)

	l := benchLadder()
	track := l.DefaultTrack()
	since := now.Add(-time.Duration(l.Window()) * 7 * 24 * time.Hour)
	if facts, _ := db.Facts(ctx, user, since); len(facts) < 26 || len(facts) > 27 {
		b.Fatalf("%d facts in the window, want 26 or 27", len(facts))
	}
	b.ReportAllocs()
	var r ladder.Readiness
	for b.Loop() {
		facts, err := db.Facts(ctx, user, since)
		if err != nil {
			b.Fatal(err)
		}
		r = ladder.Compute(l, ladder.SeniorEM, track, facts, now)
	}
	if r.OnTrack() == 0 {
		b.Errorf("no area on track with weekly evidence: %+v", r)
	}
}

// seedUser gives one member a piece of evidence every week for weeks weeks,
// going round the areas and their prompts.
func seedUser(tb testing.TB, db *DB, userID string, weeks int) {
	tb.Helper()
	ctx := context.Background()
	err := db.write(ctx, func(tx *sql.Tx) error {
		add, err := tx.PrepareContext(ctx, `
			INSERT INTO evidence (user_id, area, prompt_id, text, channel, ts, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer add.Close()
		for w := range weeks {
			area := ladder.AreaIDs[w%5]
			if _, err := add.ExecContext(ctx, userID, string(area), fmt.Sprintf("%s-%d", area, (w/5)%6),
				"a weekly answer", "D"+userID, strconv.Itoa(w),
				toMS(now.Add(-time.Duration(w)*7*24*time.Hour-time.Hour))); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatalf("seed %s: %v", userID, err)
	}
}

func TestUnconfirmedAndMarkConfirmed(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	mustEnroll(t, db, "U1")
	mustEnroll(t, db, "U2")
	add := func(user, ts string, at time.Time) ladder.Evidence {
		e, _, err := db.AddEvidence(ctx, ladder.Evidence{UserID: user, Area: ladder.People, Text: "x", Channel: "D" + user, TS: ts, Thread: ts, Created: at})
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	add("U1", "1.0", now.Add(-48*time.Hour)) // too old to confirm out of the blue
	a := add("U1", "2.0", now.Add(-time.Hour))
	b := add("U2", "3.0", now)
	got, err := db.Unconfirmed(ctx, now.Add(-24*time.Hour), 10)
	if err != nil || len(got) != 2 || got[0].ID != a.ID || got[1].ID != b.ID || got[0].Thread != "2.0" {
		t.Fatalf("unconfirmed: got %+v, %v; want the two answers of the past day, oldest first, with their threads", got, err)
	}
	if err := db.MarkConfirmed(ctx, "U2", a.ID, now); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.Unconfirmed(ctx, now.Add(-24*time.Hour), 10); len(got) != 2 {
		t.Errorf("another user's MarkConfirmed changed a row: %d unconfirmed, want 2", len(got))
	}
	if err := db.MarkConfirmed(ctx, "U1", a.ID, now); err != nil {
		t.Fatal(err)
	}
	got, _ = db.Unconfirmed(ctx, now.Add(-24*time.Hour), 10)
	if len(got) != 1 || got[0].ID != b.ID {
		t.Errorf("after MarkConfirmed: got %+v, want only %d", got, b.ID)
	}
	if e, _ := db.evidenceByID(ctx, "U1", a.ID); !e.Confirmed.Equal(now.Truncate(time.Millisecond)) {
		t.Errorf("confirmed at: got %v, want %v", e.Confirmed, now)
	}
}

// evidenceByID returns one piece of the user's evidence. Someone else's
// evidence is ladder.ErrNotFound, exactly as missing evidence is. The app reads
// evidence by member and area; the tests read one piece back.
func (db *DB) evidenceByID(ctx context.Context, userID string, id int64) (ladder.Evidence, error) {
	var e ladder.Evidence
	err := db.read(ctx, func(tx *sql.Tx) (err error) {
		e, err = scanEvidence(tx.QueryRowContext(ctx,
			`SELECT `+evidenceCols+` FROM evidence WHERE id = ? AND user_id = ?`, id, userID))
		return notFound(err, ladder.ErrNotFound)
	})
	if err != nil {
		return ladder.Evidence{}, fmt.Errorf("evidence %d: %w", id, err)
	}
	return e, nil
}
