package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/ladderapp/ladder/internal/ladder"
)

func TestRecordPromptWeeklyOncePerWeek(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	mustEnroll(t, db, "U1")
	w47 := ladder.Week{Year: 2026, Week: 47}

	first, created, err := db.RecordPrompt(ctx, PromptSent{UserID: "U1", PromptID: "people-1", Week: w47, Weekly: true, Created: now})
	if err != nil {
		t.Fatal(err)
	}
	want := PromptSent{ID: first.ID, UserID: "U1", PromptID: "people-1", Week: w47, Weekly: true, Created: now}
	if !created || !reflect.DeepEqual(first, want) {
		t.Errorf("RecordPrompt = %+v, %v\nwant %+v, true", first, created, want)
	}

	// The scheduler fires again, or a second process races it: no second prompt.
	again, created, err := db.RecordPrompt(ctx, PromptSent{UserID: "U1", PromptID: "strategy-2", Week: w47, Weekly: true, Created: now.Add(time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	if created || !reflect.DeepEqual(again, want) {
		t.Errorf("second weekly RecordPrompt = %+v, %v\nwant the first %+v, false", again, created, want)
	}

	// On-demand prompts in the same week are separate, and so is next week's.
	for i, p := range []PromptSent{
		{UserID: "U1", PromptID: "od-1", Week: w47, Created: now.Add(time.Hour)},
		{UserID: "U1", PromptID: "od-2", Week: w47, Created: now.Add(2 * time.Hour)},
		{UserID: "U1", PromptID: "people-2", Week: ladder.Week{Year: 2026, Week: 48}, Weekly: true, Created: now.AddDate(0, 0, 7)},
	} {
		if _, created, err := db.RecordPrompt(ctx, p); err != nil || !created {
			t.Errorf("prompt %d: created = %v, err = %v; want a new row", i, created, err)
		}
	}
	if n := count(t, db, `SELECT count(*) FROM prompts_sent WHERE user_id = 'U1' AND week = '2026-W47'`); n != 3 {
		t.Errorf("%d prompts in week 47, want 3 (one weekly, two on demand)", n)
	}

	// A zero week is taken from the creation time.
	p, _, err := db.RecordPrompt(ctx, PromptSent{UserID: "U1", PromptID: "od-3", Created: time.Date(2027, 1, 1, 12, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	if p.Week != (ladder.Week{Year: 2026, Week: 53}) {
		t.Errorf("week = %v, want 2026-W53", p.Week)
	}
}

func TestRecordPromptConcurrent(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	mustEnroll(t, db, "U1")
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		created int
	)
	for range 10 {
		wg.Go(func() {
			_, c, err := db.RecordPrompt(ctx, PromptSent{UserID: "U1", PromptID: "p", Weekly: true, Week: ladder.WeekOf(now), Created: now})
			if err != nil {
				t.Error(err)
			}
			if c {
				mu.Lock()
				created++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if created != 1 {
		t.Errorf("%d callers were told to post, want 1", created)
	}
}

func TestPromptLifecycle(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	mustEnroll(t, db, "U1")
	mustEnroll(t, db, "U2")
	w := ladder.WeekOf(now)

	p, _, err := db.RecordPrompt(ctx, PromptSent{UserID: "U1", PromptID: "people-1", Week: w, Weekly: true, Created: now})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.PromptByTS(ctx, "D1", "5.5"); !errors.Is(err, ladder.ErrNotFound) {
		t.Errorf("PromptByTS before posting = %v, want ErrNotFound", err)
	}
	if err := db.MarkPromptPosted(ctx, p.ID, "D1", "5.5"); err != nil {
		t.Fatal(err)
	}
	if err := db.MarkPromptPosted(ctx, 9999, "D1", "5.6"); !errors.Is(err, ladder.ErrNotFound) {
		t.Errorf("MarkPromptPosted(unknown) = %v, want ErrNotFound", err)
	}
	got, err := db.PromptByTS(ctx, "D1", "5.5")
	if err != nil {
		t.Fatal(err)
	}
	p.Channel, p.TS = "D1", "5.5"
	if !reflect.DeepEqual(got, p) {
		t.Errorf("PromptByTS = %+v\nwant %+v", got, p)
	}
	if _, err := db.PromptByTS(ctx, "D2", "5.5"); !errors.Is(err, ladder.ErrNotFound) {
		t.Errorf("PromptByTS in another channel = %v, want ErrNotFound", err)
	}

	if err := db.SkipWeek(ctx, "U1", w); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.PromptByTS(ctx, "D1", "5.5"); !got.Skipped {
		t.Error("not skipped after SkipWeek")
	}
	if err := db.SkipWeek(ctx, "U2", w); !errors.Is(err, ladder.ErrNotFound) {
		t.Errorf("SkipWeek without a weekly prompt = %v, want ErrNotFound", err)
	}
}

func TestRecentAndLatestPrompts(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	mustEnroll(t, db, "U1")
	mustEnroll(t, db, "U2")
	day := 24 * time.Hour
	record := func(user, id string, at time.Time, weekly bool) PromptSent {
		t.Helper()
		p, _, err := db.RecordPrompt(ctx, PromptSent{UserID: user, PromptID: id, Week: ladder.WeekOf(at), Weekly: weekly, Created: at})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	record("U1", "old", now.Add(-20*day), true)
	record("U1", "a", now.Add(-6*day), false)
	b := record("U1", "b", now.Add(-1*day), false)
	record("U2", "other", now, true)

	sent, err := db.RecentPrompts(ctx, "U1", now.Add(-7*day))
	if err != nil {
		t.Fatal(err)
	}
	want := []ladder.Sent{{PromptID: "a", At: now.Add(-6 * day)}, {PromptID: "b", At: now.Add(-1 * day)}}
	if !reflect.DeepEqual(sent, want) {
		t.Errorf("RecentPrompts = %+v, want %+v", sent, want)
	}

	latest, err := db.LatestPrompt(ctx, "U1", now.Add(-7*day))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(latest, b) {
		t.Errorf("LatestPrompt = %+v, want %+v", latest, b)
	}
	if _, err := db.LatestPrompt(ctx, "U1", now); !errors.Is(err, ladder.ErrNotFound) {
		t.Errorf("LatestPrompt with none since = %v, want ErrNotFound", err)
	}
}

func TestReminders(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	day := 24 * time.Hour
	sent := now.Add(-3 * day)
	post := func(user string, skip bool) PromptSent {
		t.Helper()
		mustEnroll(t, db, user)
		p, _, err := db.RecordPrompt(ctx, PromptSent{UserID: user, PromptID: "p", Weekly: true, Week: ladder.WeekOf(sent), Created: sent})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.MarkPromptPosted(ctx, p.ID, "D"+user, "1.0"); err != nil {
			t.Fatal(err)
		}
		if skip {
			if err := db.SkipWeek(ctx, user, p.Week); err != nil {
				t.Fatal(err)
			}
		}
		return p
	}
	due := post("UDUE", false)
	post("USKIP", true)
	post("UANSWER", false)
	addEvidence(t, db, "UANSWER", "DUANSWER", "2.0", ladder.People, "p", sent.Add(time.Hour))
	mustEnroll(t, db, "UUNPOSTED")
	if _, _, err := db.RecordPrompt(ctx, PromptSent{UserID: "UUNPOSTED", PromptID: "p", Weekly: true, Created: sent}); err != nil {
		t.Fatal(err)
	}

	ps, err := db.DueReminders(ctx, now.Add(-7*day), now.Add(-2*day))
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 1 || ps[0].UserID != "UDUE" {
		t.Fatalf("DueReminders = %+v, want only UDUE's prompt", ps)
	}
	if ps, _ := db.DueReminders(ctx, now.Add(-7*day), now.Add(-4*day)); len(ps) != 0 {
		t.Errorf("DueReminders before the prompt was sent = %+v, want none", ps)
	}

	first, err := db.claimReminder(ctx, due.ID, now)
	if err != nil || !first {
		t.Fatalf("claimReminder = %v, %v; want true", first, err)
	}
	again, err := db.claimReminder(ctx, due.ID, now.Add(time.Hour))
	if err != nil || again {
		t.Errorf("second claimReminder = %v, %v; want false", again, err)
	}
	if ps, _ := db.DueReminders(ctx, now.Add(-7*day), now.Add(-2*day)); len(ps) != 0 {
		t.Errorf("DueReminders after the reminder = %+v, want none", ps)
	}
	got, _ := db.PromptByTS(ctx, "DUDUE", "1.0")
	if !got.Reminded.Equal(now) {
		t.Errorf("Reminded = %v, want %v", got.Reminded, now)
	}
}

func TestParseWeek(t *testing.T) {
	for _, s := range []string{"2026-W01", "2026-W47", "2020-W53"} {
		w, err := parseWeek(s)
		if err != nil || w.String() != s {
			t.Errorf("parseWeek(%q) = %v, %v", s, w, err)
		}
	}
	for _, s := range []string{"", "2026-47", "2026-W4", "2026-W47x"} {
		if _, err := parseWeek(s); err == nil {
			t.Errorf("parseWeek(%q): no error", s)
		}
	}
}

// claimReminder records that the prompt's reminder goes out at at. It returns
// true only the first time, so a prompt never gets a second reminder. It is
// the claim EnqueueReminder makes, on its own, for the tests of DueReminders.
func (db *DB) claimReminder(ctx context.Context, id int64, at time.Time) (bool, error) {
	if at.IsZero() {
		return false, errors.New("claim reminder: zero time")
	}
	var first bool
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx,
			`UPDATE prompts_sent SET reminded_at = ? WHERE id = ? AND reminded_at = 0`, toMS(at), id)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		first = n == 1
		return err
	})
	if err != nil {
		return false, fmt.Errorf("claim reminder: %w", err)
	}
	return first, nil
}
