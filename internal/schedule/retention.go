package schedule

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Retention is how long evidence is kept (LADDER_RETENTION): a number of
// years, months, weeks or days. The zero Retention keeps everything.
type Retention struct {
	Years, Months, Days int
}

// MinRetention is the shortest retention accepted: readiness reads evidence
// from the last 26 weeks, so a retention at least this long shrinks only the
// packet and the history, never a member's readiness.
const MinRetention = 26 * 7 * 24 * time.Hour

var retentionForm = regexp.MustCompile(`^([0-9]{1,4})(y|mo|w|d)$`)

// retentionForms names the accepted forms, for error messages.
const retentionForms = "accepted: keep (the default), or a number and a unit: 3y (years), 18mo (months), 30w (weeks) or 400d (days), at least 26 weeks (in months: 7mo), since readiness reads the last 26 weeks"

// ParseRetention reads LADDER_RETENTION.
func ParseRetention(v string) (Retention, error) {
	v = strings.ToLower(strings.TrimSpace(v))
	if v == "" || v == "keep" {
		return Retention{}, nil
	}
	m := retentionForm.FindStringSubmatch(v)
	if m == nil {
		if strings.HasSuffix(v, "m") {
			return Retention{}, fmt.Errorf("LADDER_RETENTION %q: m could mean months or minutes; write mo for months. %s", v, retentionForms)
		}
		return Retention{}, fmt.Errorf("LADDER_RETENTION %q: %s", v, retentionForms)
	}
	n, _ := strconv.Atoi(m[1])
	var r Retention
	switch m[2] {
	case "y":
		r.Years = n
	case "mo":
		r.Months = n
	case "w":
		r.Days = 7 * n
	case "d":
		r.Days = n
	}
	// The shortest the period can be is in February of a common year.
	base := time.Date(2025, time.March, 1, 0, 0, 0, 0, time.UTC)
	if base.Sub(r.Cutoff(base)) < MinRetention {
		return Retention{}, fmt.Errorf("LADDER_RETENTION %q is shorter than 26 weeks: %s", v, retentionForms)
	}
	return r, nil
}

// Decode lets envconfig read a Retention.
func (r *Retention) Decode(v string) error {
	p, err := ParseRetention(v)
	*r = p
	return err
}

// Keeps reports whether everything is kept.
func (r Retention) Keeps() bool { return r == Retention{} }

// Cutoff is the oldest time kept at now: evidence created before it goes.
func (r Retention) Cutoff(now time.Time) time.Time {
	return now.AddDate(-r.Years, -r.Months, -r.Days)
}

func (r Retention) String() string {
	switch {
	case r.Keeps():
		return "keep"
	case r.Years > 0:
		return fmt.Sprintf("%dy", r.Years)
	case r.Months > 0:
		return fmt.Sprintf("%dmo", r.Months)
	}
	return fmt.Sprintf("%dd", r.Days)
}

// retain erases what is older than the retention, once a day. Every replica
// runs it; the first finds the rows, the others find nothing.
func (s *Scheduler) retain(ctx context.Context, now time.Time) error {
	if s.cfg.Retention.Keeps() || now.Sub(s.lastRetain) < 24*time.Hour {
		return nil
	}
	cutoff := s.cfg.Retention.Cutoff(now)
	e, err := s.db.EraseOlderThan(ctx, cutoff, now)
	if err != nil {
		return err
	}
	s.lastRetain = now
	if e.Evidence+e.Goals > 0 {
		s.log.Info("retention: erased what was older than LADDER_RETENTION", "retention", s.cfg.Retention.String(),
			"before", cutoff.Format(time.DateOnly), "evidence", e.Evidence, "goals", e.Goals)
	}
	return nil
}
