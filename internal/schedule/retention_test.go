package schedule_test

import (
	"strings"
	"testing"
	"time"

	"github.com/ladderapp/ladder/internal/ladder"
	"github.com/ladderapp/ladder/internal/schedule"
)

func TestParseRetention(t *testing.T) {
	for in, want := range map[string]schedule.Retention{
		"":     {},
		"keep": {},
		"3y":   {Years: 3},
		"18MO": {Months: 18},
		"30w":  {Days: 210},
		"400d": {Days: 400},
		"26w":  {Days: 182},
		"7mo":  {Months: 7},
	} {
		got, err := schedule.ParseRetention(in)
		if err != nil || got != want {
			t.Errorf("ParseRetention(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for in, says := range map[string]string{
		"18m":     "write mo for months",
		"3 years": "accepted: keep",
		"-1y":     "accepted: keep",
		"0d":      "shorter than 26 weeks",
		"25w":     "shorter than 26 weeks",
		"6mo":     "in months: 7mo",
		"forever": "3y (years), 18mo (months)",
	} {
		if _, err := schedule.ParseRetention(in); err == nil || !strings.Contains(err.Error(), says) {
			t.Errorf("ParseRetention(%q) = %v; want an error saying %q", in, err, says)
		}
	}
}

// TestRetentionErasesOnceADay: with LADDER_RETENTION=3y, the scheduler's
// daily housekeeping erases evidence older than three years, records it on
// the audit trail once, and keeps the rest until its own time comes.
func TestRetentionErasesOnceADay(t *testing.T) {
	start := time.Date(2026, time.March, 2, 12, 0, 0, 0, time.UTC)
	e := newEnv(t, start, schedule.Config{Retention: schedule.Retention{Years: 3}})
	e.enroll("UOLD", "UTC", ladder.Slot{Day: time.Monday, Minute: 9 * 60, On: true})
	for i, at := range []time.Time{
		start.AddDate(-3, 0, -1),                    // past the retention now
		start.AddDate(-3, 0, 0).Add(36 * time.Hour), // a day and a half from it
		start.AddDate(-1, 0, 0),                     // kept
	} {
		if _, _, err := e.db.AddEvidence(e.ctx, ladder.Evidence{UserID: "UOLD", Area: ladder.People,
			Text: "evidence " + at.Format(time.DateOnly), Channel: "DUOLD", TS: time.Duration(i + 1).String(), Created: at}); err != nil {
			t.Fatal(err)
		}
	}
	texts := func() []string {
		es, err := e.db.Evidence(e.ctx, "UOLD", "", 0)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, ev := range es {
			out = append(out, ev.Text)
		}
		return out
	}

	e.tick(start)
	if got := texts(); len(got) != 2 || strings.Contains(strings.Join(got, ","), "2023-03-01") {
		t.Errorf("after the first day's pass: %v, want the two newer pieces", got)
	}
	// The same day again: nothing more to erase, nothing more audited.
	e.tick(start.Add(time.Hour))
	e.tick(start.Add(25 * time.Hour))
	if got := texts(); len(got) != 2 {
		t.Errorf("a day later: %v, want two pieces still (the second turns 3 years old 11 hours later)", got)
	}
	e.tick(start.Add(50 * time.Hour))
	if got := texts(); len(got) != 1 || got[0] != "evidence "+start.AddDate(-1, 0, 0).Format(time.DateOnly) {
		t.Errorf("two days later: %v, want only the piece from a year ago", got)
	}
	trail, err := e.db.AuditTrail(e.ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(trail) != 2 || trail[0].Action != "retention" || trail[0].Actor != "ladder" ||
		!strings.Contains(trail[1].Detail, "1 piece of evidence created before 2023-03-02") {
		t.Errorf("audit trail = %+v, want two retention entries of one piece each", trail)
	}
}
