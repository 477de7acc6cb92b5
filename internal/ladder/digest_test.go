package ladder_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/ladderapp/ladder/internal/ladder"
)

func TestDigestPeriod(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	at := func(m time.Month, d, h int) time.Time { return time.Date(2026, m, d, h, 0, 0, 0, berlin) }
	tests := []struct {
		name     string
		now      time.Time
		from, to time.Time
	}{
		{"on the 1st: the month just ended", at(12, 1, 9), at(11, 1, 0), at(12, 1, 0)},
		{"on the 7th: still the month just ended", at(12, 7, 23), at(11, 1, 0), at(12, 1, 0)},
		{"from the 8th: the month so far", at(12, 8, 0), at(12, 1, 0), at(12, 8, 0)},
		{"in January: December of the year before", at(1, 3, 9), time.Date(2025, 12, 1, 0, 0, 0, 0, berlin), at(1, 1, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ladder.DigestPeriod(tt.now)
			if !got.From.Equal(tt.from) || !got.To.Equal(tt.to) || got.From.Location() != berlin {
				t.Errorf("DigestPeriod(%s) = %s … %s, want %s … %s in Berlin", tt.now, got.From, got.To, tt.from, tt.to)
			}
		})
	}
}

// november is the digest period of November 2026 in UTC: it overlaps ISO
// weeks 44 (Sunday the 1st) to 49 (Monday the 30th).
var november = ladder.Period{
	From: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC),
	To:   time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC),
}

// nov returns 09:30 UTC on a day of November 2026.
func nov(day int) time.Time { return time.Date(2026, 11, day, 9, 30, 0, 0, time.UTC) }

// The Mondays of November 2026, and the weekly prompts sent on them.
var mondays = []int{2, 9, 16, 23, 30}

func askedOn(days ...int) []ladder.Asked {
	var as []ladder.Asked
	for _, d := range days {
		as = append(as, ladder.Asked{PromptID: "sem-people-1", At: nov(d)})
	}
	return as
}

// answer is a piece of evidence for the weekly prompt, h hours into day.
func answerAt(day, h int) ladder.Fact {
	return ladder.Fact{Area: ladder.People, PromptID: "sem-people-1", At: nov(day).Add(time.Duration(h) * time.Hour)}
}

func TestDigestStatsWeeks(t *testing.T) {
	l := testLadder()
	longAgo := ladder.Member{UserID: "U1", Target: ladder.SeniorEM, EnrolledAt: nov(1).AddDate(0, -6, 0)}
	enrolledOn := func(t time.Time) ladder.Member { m := longAgo; m.EnrolledAt = t; return m }
	tokyo := longAgo
	tokyo.TZ = "Asia/Tokyo"
	paused := func(as []ladder.Asked, days ...int) []ladder.Asked {
		for i := range as {
			for _, d := range days {
				if as[i].At.Day() == d {
					as[i].Paused = true
				}
			}
		}
		return as
	}
	skipped := askedOn(mondays...)
	skipped[1].Skipped = true

	tests := []struct {
		name   string
		member ladder.Member
		asked  []ladder.Asked
		facts  []ladder.Fact
		// weeks, answered and skipped are what ReportStats counts.
		weeks, answered, skipped int
		joined                   time.Time
	}{
		{name: "enrolled today, before any prompt: no weeks, none missed",
			member: enrolledOn(nov(30)), joined: nov(30)},
		{name: "enrolled in the month: only the weeks since count",
			member: enrolledOn(nov(20)), asked: askedOn(23, 30), facts: []ladder.Fact{answerAt(23, 2)},
			weeks: 2, answered: 1, joined: nov(20)},
		{name: "a prompt from before enrolment is not counted",
			member: enrolledOn(nov(20)), asked: askedOn(16, 23), facts: []ladder.Fact{answerAt(23, 2)},
			weeks: 1, answered: 1, joined: nov(20)},
		{name: "a full month: every Monday's prompt, two answered",
			member: longAgo, asked: askedOn(mondays...), facts: []ladder.Fact{answerAt(2, 1), answerAt(16, 30)},
			weeks: 5, answered: 2},
		{name: "two weeks on pause are not unanswered",
			// Paused after the 9th's prompt went out until the 23rd: the 9th
			// is marked paused, and no prompt went out on the 16th.
			member: longAgo, asked: paused(askedOn(2, 9, 23, 30), 9), facts: []ladder.Fact{answerAt(2, 1)},
			weeks: 3, answered: 1},
		{name: "an answer in a paused week counts",
			member: longAgo, asked: paused(askedOn(2, 9), 9), facts: []ladder.Fact{answerAt(9, 3)},
			weeks: 2, answered: 1},
		{name: "a late answer counts for the week of its prompt",
			// Friday's prompt, answered on Monday: one week, answered.
			member: longAgo, asked: askedOn(20), facts: []ladder.Fact{answerAt(20, 72)},
			weeks: 1, answered: 1},
		{name: "an answer more than a week after the prompt counts for its own week",
			member: longAgo, asked: askedOn(2), facts: []ladder.Fact{answerAt(2, 8*24)},
			weeks: 2, answered: 1},
		{name: "an answer to another question counts for its own week",
			member: longAgo, asked: askedOn(20),
			facts: []ladder.Fact{{Area: ladder.People, PromptID: "sem-people-2", At: nov(23)}},
			weeks: 2, answered: 1},
		{name: "unprompted evidence in a week without a prompt counts, answered",
			member: longAgo, facts: []ladder.Fact{{Area: ladder.Strategy, At: nov(11)}},
			weeks: 1, answered: 1},
		{name: "a skipped week is unanswered, and said so",
			member: longAgo, asked: skipped, facts: []ladder.Fact{answerAt(2, 1)},
			weeks: 5, answered: 1, skipped: 1},
		{name: "a skipped week answered anyway is answered",
			member: longAgo, asked: skipped, facts: []ladder.Fact{answerAt(9, 1)},
			weeks: 5, answered: 1},
		{name: "evidence outside the period is not a week of it",
			member: longAgo, asked: askedOn(2),
			facts: []ladder.Fact{answerAt(2, -30*24), answerAt(30, 24+15)},
			weeks: 1, answered: 0},
		{name: "weeks are the member's own: Monday in Tokyo is Sunday in UTC",
			// The prompt at Monday 08:00 in Tokyo, an unprompted answer at
			// 12:00: both in Tokyo's week 49, though UTC has the prompt in 48.
			member: tokyo, asked: []ladder.Asked{{PromptID: "sem-people-1", At: time.Date(2026, 11, 29, 23, 0, 0, 0, time.UTC)}},
			facts: []ladder.Fact{{Area: ladder.People, At: time.Date(2026, 11, 30, 3, 0, 0, 0, time.UTC)}},
			weeks: 1, answered: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := ladder.DigestStats(l, tt.member, l.Tracks[0], tt.facts, tt.asked, november)
			if s.Weeks != tt.weeks || s.Answered != tt.answered || s.Skipped != tt.skipped {
				t.Errorf("answered %d of %d weeks, %d skipped; want %d of %d, %d skipped",
					s.Answered, s.Weeks, s.Skipped, tt.answered, tt.weeks, tt.skipped)
			}
			if !s.Joined.Equal(tt.joined) {
				t.Errorf("Joined = %v, want %v", s.Joined, tt.joined)
			}
		})
	}
}

func TestDigestStatsPaused(t *testing.T) {
	l := testLadder()
	tests := []struct {
		name  string
		until time.Time
		want  bool
	}{
		{"not paused", time.Time{}, false},
		{"a pause that ended in the month", nov(20), false},
		{"paused past the month's end", nov(20).AddDate(0, 1, 0), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := ladder.Member{UserID: "U1", Target: ladder.SeniorEM, PausedUntil: tt.until, EnrolledAt: nov(1).AddDate(-1, 0, 0)}
			if got := ladder.DigestStats(l, m, l.Tracks[0], nil, nil, november).Paused; got != tt.want {
				t.Errorf("Paused = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestDigestStatsAreasAndTrend(t *testing.T) {
	l := testLadder()
	m := ladder.Member{UserID: "U1", Target: ladder.SeniorEM, EnrolledAt: nov(1).AddDate(-1, 0, 0)}
	// Evidence in October for technical: part of readiness, not of the
	// month's areas.
	october := ladder.Fact{Area: ladder.Technical, PromptID: "sem-technical-1", At: nov(1).AddDate(0, 0, -10)}
	var lots []ladder.Fact
	for i, d := range mondays {
		lots = append(lots,
			ladder.Fact{Area: ladder.Strategy, PromptID: "sem-strategy-" + []string{"1", "2", "3"}[i%3], At: nov(d)},
			ladder.Fact{Area: ladder.People, PromptID: "sem-people-" + []string{"1", "2", "3"}[i%3], At: nov(d).Add(time.Hour)})
	}
	tests := []struct {
		name    string
		facts   []ladder.Fact
		covered []ladder.AreaID
		gaps    []ladder.AreaID
		trend   ladder.Trend
	}{
		{"no evidence: no areas, the two biggest gaps by weight, flat",
			nil, nil, []ladder.AreaID{ladder.Scaling, ladder.People}, ladder.TrendFlat},
		{"only older evidence: no areas this month, readiness fades too little to show",
			[]ladder.Fact{october}, nil, []ladder.AreaID{ladder.Scaling, ladder.People}, ladder.TrendFlat},
		{"evidence this month: its areas in ladder order, gaps elsewhere, up",
			append([]ladder.Fact{october}, lots...), []ladder.AreaID{ladder.People, ladder.Strategy},
			[]ladder.AreaID{ladder.Scaling, ladder.Execution}, ladder.TrendUp},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := ladder.DigestStats(l, m, l.Tracks[0], tt.facts, nil, november)
			if !reflect.DeepEqual(s.Covered, tt.covered) {
				t.Errorf("Covered = %v, want %v", s.Covered, tt.covered)
			}
			if !reflect.DeepEqual(s.Gaps, tt.gaps) {
				t.Errorf("Gaps = %v, want %v", s.Gaps, tt.gaps)
			}
			if s.Trend() != tt.trend {
				t.Errorf("Trend = %v (%.3f → %.3f), want %v", s.Trend(), s.Before, s.After, tt.trend)
			}
			wantBefore := ladder.Compute(l, m.Target, l.Tracks[0], tt.facts, november.From).Overall
			wantAfter := ladder.Compute(l, m.Target, l.Tracks[0], tt.facts, november.To).Overall
			if s.Before != wantBefore || s.After != wantAfter {
				t.Errorf("readiness %.3f → %.3f, want Compute's %.3f → %.3f", s.Before, s.After, wantBefore, wantAfter)
			}
		})
	}
}

func TestReportStatsTrend(t *testing.T) {
	tests := []struct {
		before, after float64
		want          ladder.Trend
	}{
		{0.40, 0.40, ladder.TrendFlat},
		{0.40, 0.404, ladder.TrendFlat}, // still 40% when rounded
		{0.40, 0.406, ladder.TrendUp},
		{0.40, 0.394, ladder.TrendDown},
		{0.40, 0.396, ladder.TrendFlat},
	}
	for _, tt := range tests {
		if got := (ladder.ReportStats{Before: tt.before, After: tt.after}).Trend(); got != tt.want {
			t.Errorf("Trend(%.3f → %.3f) = %v, want %v", tt.before, tt.after, got, tt.want)
		}
	}
}

func TestPeriodEvidence(t *testing.T) {
	// Newest first, as the store returns them.
	es := []ladder.Evidence{
		{ID: 5, Created: nov(1).AddDate(0, 1, 2)},
		{ID: 4, Created: november.To},
		{ID: 3, Created: nov(20)},
		{ID: 2, Created: nov(3)},
		{ID: 1, Created: nov(1).AddDate(0, 0, -3)},
	}
	ids := func(es []ladder.Evidence) []int64 {
		var out []int64
		for _, e := range es {
			out = append(out, e.ID)
		}
		return out
	}
	tests := []struct {
		n    int
		want []int64
	}{
		{0, nil},
		{2, []int64{4, 3}},
		{10, []int64{4, 3, 2}},
	}
	for _, tt := range tests {
		if got := ids(ladder.PeriodEvidence(es, november, tt.n)); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("PeriodEvidence(n=%d) = %v, want %v", tt.n, got, tt.want)
		}
	}
}

func TestWeeksEnrolled(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	// Monday 23 November 2026, 09:30 in Berlin.
	now := time.Date(2026, 11, 23, 9, 30, 0, 0, berlin)
	tests := []struct {
		name     string
		enrolled time.Time
		want     int
	}{
		{"enrolled a minute ago", now.Add(-time.Minute), 1},
		{"enrolled yesterday, Sunday: the week before too", now.AddDate(0, 0, -1), 2},
		{"Sunday 23:30 in UTC is already Monday in Berlin", time.Date(2026, 11, 22, 23, 30, 0, 0, time.UTC), 1},
		{"enrolled on Tuesday 20 October, across the clock change of the 25th", time.Date(2026, 10, 20, 12, 0, 0, 0, berlin), 6},
		{"enrolled before the window: the window", now.AddDate(-1, 0, 0), 26},
		{"no enrolment time: the window", time.Time{}, 26},
		{"enrolled in the future, as a clock may say: one week", now.Add(time.Hour), 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := ladder.Member{TZ: "Europe/Berlin", EnrolledAt: tt.enrolled}
			if got := ladder.WeeksEnrolled(m, now, 26); got != tt.want {
				t.Errorf("WeeksEnrolled = %d, want %d", got, tt.want)
			}
		})
	}
}
