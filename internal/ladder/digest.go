package ladder

import (
	"time"
)

// Period is the stretch of time a manager's digest covers, From to To, both
// included.
type Period struct {
	From, To time.Time
}

// DigestPeriod is the month a digest sent at now covers, in now's location:
// in the first week of a month, the month just ended (the default schedule
// sends on the 1st); later, the month so far (a mid-month preview).
func DigestPeriod(now time.Time) Period {
	start := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, now.Location())
	if now.Day() <= 7 {
		return Period{From: start.AddDate(0, -1, 0), To: start}
	}
	return Period{From: start, To: now}
}

// Contains reports whether t falls in the period.
func (p Period) Contains(t time.Time) bool {
	return !t.Before(p.From) && !t.After(p.To)
}

// Asked is a weekly prompt that went out to a member, as the digest counts it.
type Asked struct {
	PromptID string
	At       time.Time
	// Skipped is set when the member pressed Skip this week.
	Skipped bool
	// Paused is set when the member was paused at some time after the prompt
	// went out: the week is never counted as unanswered.
	Paused bool
}

// answerWindow is how long after a prompt an answer to it is still that
// prompt's: an answer links to the newest prompt of the past 7 days.
const answerWindow = 7 * 24 * time.Hour

// ReportStats is what a digest says about one report over a period.
type ReportStats struct {
	// Weeks counts the member's own ISO weeks in the period in which they
	// were asked a weekly question or answered one. Weeks before they
	// enrolled and weeks with a pause are not among them unless answered:
	// nobody was waiting for an answer then.
	Weeks int
	// Answered counts the weeks, of Weeks, with an answer. An answer counts
	// for the week of the prompt it answers, even when it comes in the week
	// after.
	Answered int
	// Skipped counts the weeks, of Weeks, the member chose to skip and did
	// not answer.
	Skipped int
	// Joined is when the member enrolled, if that falls in the period; zero
	// otherwise.
	Joined time.Time
	// Paused is true when the member is on pause at the period's end.
	Paused bool
	// Covered lists the areas with evidence in the period, in the ladder's
	// order.
	Covered []AreaID
	// Gaps lists up to two gap or thin areas at the period's end, biggest
	// first.
	Gaps []AreaID
	// Before and After are the overall readiness at the period's start and
	// end.
	Before, After float64
}

// Trend is which way readiness moved over a period.
type Trend int

// The three trends.
const (
	TrendFlat Trend = iota
	TrendUp
	TrendDown
)

// Trend says which way overall readiness moved. Moves smaller than half a
// percentage point, which a rounded percentage cannot show, are flat.
func (s ReportStats) Trend() Trend {
	switch {
	case s.After > s.Before+0.005:
		return TrendUp
	case s.After < s.Before-0.005:
		return TrendDown
	}
	return TrendFlat
}

// maxDigestGaps is how many gap areas a digest names per report.
const maxDigestGaps = 2

// DigestStats works out what a digest says about member m over period p, on
// track, from the facts of their evidence (from a readiness window before
// p.From on) and the weekly prompts asked of them in p.
//
// Weeks are the member's own, in their timezone: the weeks their slot falls
// in. Only weeks in which someone was waiting for an answer count: a week
// with a weekly prompt that the member did not pause. A week before the
// member enrolled, or on pause, was never asked, so it is never unanswered;
// a week with an answer always counts, whatever else it was.
func DigestStats(l *Ladder, m Member, track Track, facts []Fact, asked []Asked, p Period) ReportStats {
	s := ReportStats{Paused: m.Paused(p.To)}
	since := p
	if m.EnrolledAt.After(p.From) {
		since.From = m.EnrolledAt
		if !m.EnrolledAt.After(p.To) {
			s.Joined = m.EnrolledAt
		}
	}
	loc := m.Location()

	expected := map[Week]bool{}
	skipped := map[Week]bool{}
	var inPeriod []Asked
	for _, a := range asked {
		if !since.Contains(a.At) {
			continue
		}
		inPeriod = append(inPeriod, a)
		w := WeekOf(a.At.In(loc))
		if !a.Paused {
			expected[w] = true
		}
		if a.Skipped && !a.Paused {
			skipped[w] = true
		}
	}

	answered := map[Week]bool{}
	covered := map[AreaID]bool{}
	for _, f := range facts {
		if !since.Contains(f.At) {
			continue
		}
		answered[answerWeek(f, inPeriod, loc)] = true
		if f.Area != "" {
			covered[f.Area] = true
		}
	}
	for w := range answered {
		expected[w] = true
	}
	s.Weeks, s.Answered = len(expected), len(answered)
	for w := range skipped {
		if !answered[w] {
			s.Skipped++
		}
	}

	before := Compute(l, m.Target, track, facts, p.From)
	after := Compute(l, m.Target, track, facts, p.To)
	s.Before, s.After = before.Overall, after.Overall
	for _, ar := range after.Areas {
		if covered[ar.Area.ID] {
			s.Covered = append(s.Covered, ar.Area.ID)
		}
	}
	for _, ar := range after.Ranked() {
		if len(s.Gaps) < maxDigestGaps && (ar.Status == StatusGap || ar.Status == StatusThin) {
			s.Gaps = append(s.Gaps, ar.Area.ID)
		}
	}
	return s
}

// answerWeek is the week an answer counts for: that of the newest prompt it
// may answer (same prompt id, at most answerWindow before it), or its own.
func answerWeek(f Fact, asked []Asked, loc *time.Location) Week {
	var best time.Time
	for _, a := range asked {
		if a.PromptID == f.PromptID && f.PromptID != "" && !a.At.After(f.At) && f.At.Sub(a.At) < answerWindow && a.At.After(best) {
			best = a.At
		}
	}
	if best.IsZero() {
		return WeekOf(f.At.In(loc))
	}
	return WeekOf(best.In(loc))
}

// PeriodEvidence returns up to n pieces of es, newest first as es is, that
// were written in p.
func PeriodEvidence(es []Evidence, p Period, n int) []Evidence {
	var out []Evidence
	for _, e := range es {
		if len(out) == n {
			break
		}
		if p.Contains(e.Created) {
			out = append(out, e)
		}
	}
	return out
}

// WeeksEnrolled counts the member's own ISO weeks from the one they enrolled
// in to the one now is in, both included, at most window: the weeks in which
// they could have given evidence. A count of weeks with evidence is out of
// these, never out of weeks before the member joined. A member with no
// enrolment time counts the whole window.
func WeeksEnrolled(m Member, now time.Time, window int) int {
	if m.EnrolledAt.IsZero() {
		return window
	}
	loc := m.Location()
	// Calendar dates in UTC, so that a clock change is no fraction of a week.
	monday := func(t time.Time) time.Time {
		t = t.In(loc)
		d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
		return d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
	}
	n := int(monday(now).Sub(monday(m.EnrolledAt)).Hours()/(7*24)) + 1
	return max(1, min(n, window))
}
