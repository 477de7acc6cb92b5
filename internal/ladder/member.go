package ladder

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Domain errors. slackapp turns each into the sentence a user reads.
var (
	ErrUnknownLevel = errors.New("unknown level")
	ErrUnknownArea  = errors.New("unknown area")
	ErrBadSchedule  = errors.New("bad schedule")
	ErrNotFound     = errors.New("not found")
	ErrNotEnrolled  = errors.New("not enrolled")
)

// Share is what a member lets their manager's digest show.
type Share string

// The share levels.
const (
	ShareFull    Share = "full"    // counts, areas, gaps and evidence excerpts
	ShareSummary Share = "summary" // counts, areas and gaps only
	ShareOff     Share = "off"     // "not sharing"
)

// ParseShare accepts full, summary or off, in any case.
func ParseShare(s string) (Share, error) {
	switch Share(strings.ToLower(strings.TrimSpace(s))) {
	case ShareFull:
		return ShareFull, nil
	case ShareSummary:
		return ShareSummary, nil
	case ShareOff:
		return ShareOff, nil
	}
	return "", fmt.Errorf("unknown share level %q (accepted: full, summary, off)", s)
}

// Slot is a weekly time in the member's own timezone. The zero Slot is "off".
type Slot struct {
	Day    time.Weekday
	Minute int // minutes after local midnight, 0..1439
	On     bool
}

// String renders the slot the way users type it: "mon 09:30" or "off".
func (s Slot) String() string {
	if !s.On {
		return "off"
	}
	return fmt.Sprintf("%s %02d:%02d", strings.ToLower(s.Day.String()[:3]), s.Minute/60, s.Minute%60)
}

// Display renders the slot for people: "Monday 09:30".
func (s Slot) Display() string {
	if !s.On {
		return "off"
	}
	return fmt.Sprintf("%s %02d:%02d", s.Day, s.Minute/60, s.Minute%60)
}

// ParseSlot parses "mon 09:30", "monday 9:30" or "off". Days are mon…sun or
// full day names in any case; times are 24-hour HH:MM.
func ParseSlot(s string) (Slot, error) {
	f := strings.Fields(strings.ToLower(s))
	if len(f) == 1 && f[0] == "off" {
		return Slot{}, nil
	}
	if len(f) != 2 {
		return Slot{}, fmt.Errorf("%w: %q (accepted: <day> <HH:MM>, for example mon 09:30, or off)", ErrBadSchedule, s)
	}
	day, ok := parseDay(f[0])
	if !ok {
		return Slot{}, fmt.Errorf("%w: unknown day %q (accepted: mon, tue, wed, thu, fri, sat, sun or full day names)", ErrBadSchedule, f[0])
	}
	min, ok := parseClock(f[1])
	if !ok {
		return Slot{}, fmt.Errorf("%w: unknown time %q (accepted: 24-hour HH:MM, for example 09:30 or 17:00)", ErrBadSchedule, f[1])
	}
	return Slot{Day: day, Minute: min, On: true}, nil
}

func parseDay(s string) (time.Weekday, bool) {
	for d := time.Sunday; d <= time.Saturday; d++ {
		full := strings.ToLower(d.String())
		if s == full || s == full[:3] {
			return d, true
		}
	}
	return 0, false
}

func parseClock(s string) (int, bool) {
	h, m, ok := strings.Cut(s, ":")
	if !ok || len(h) < 1 || len(h) > 2 || len(m) != 2 {
		return 0, false
	}
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || hh < 0 || hh > 23 || mm < 0 || mm > 59 || h[0] == '+' || h[0] == '-' {
		return 0, false
	}
	return hh*60 + mm, true
}

// Member is an enrolled manager.
type Member struct {
	UserID string
	Name   string // display name from Slack, for digests; may be empty
	TZ     string // IANA zone from Slack's users.info, "" until known
	Level  LevelID
	Target LevelID
	// LevelSince is the month the member reached their current level; zero if unknown.
	LevelSince  time.Time
	Track       string
	Slot        Slot
	PausedUntil time.Time // zero when not paused
	Manager     string    // Slack user id of the member's manager, "" if none
	// ManagerPending is true from when the member names Manager until Manager
	// accepts: until then Manager gets no digest and no evidence.
	ManagerPending bool
	// ManagerDeclined is the last person who declined to be the member's
	// manager; Ladder does not ask them again.
	ManagerDeclined string
	Share           Share
	EnrolledAt      time.Time
}

// Location returns the member's timezone, UTC while it is unknown or invalid.
func (m Member) Location() *time.Location {
	if m.TZ != "" {
		if loc, err := time.LoadLocation(m.TZ); err == nil {
			return loc
		}
	}
	return time.UTC
}

// Paused reports whether prompts are paused at t.
func (m Member) Paused(t time.Time) bool {
	return !m.PausedUntil.IsZero() && t.Before(m.PausedUntil)
}

// Evidence is one dated answer, tagged with an area.
type Evidence struct {
	ID       int64
	UserID   string
	Area     AreaID // "" while an unprompted answer waits for its area
	PromptID string // "" for unprompted evidence
	Text     string
	// Channel and TS identify the Slack message the evidence came from; a modal
	// answer has a synthetic TS. Together they are unique.
	Channel   string
	TS        string
	Truncated bool
	Created   time.Time
	Edited    time.Time // zero if never edited
	// Thread is the thread the confirmation goes to ("" for the DM itself),
	// and Confirmed when it went; zero until the user was told.
	Thread    string
	Confirmed time.Time
}

// Fact is the part of a piece of evidence that readiness needs.
type Fact struct {
	Area     AreaID
	PromptID string
	At       time.Time
}

// Week identifies an ISO week, for example 2026-W47.
type Week struct {
	Year, Week int
}

// WeekOf returns the ISO week of t in t's own location.
func WeekOf(t time.Time) Week {
	y, w := t.ISOWeek()
	return Week{y, w}
}

// String renders the week as 2026-W47.
func (w Week) String() string { return fmt.Sprintf("%04d-W%02d", w.Year, w.Week) }

// Sent is a prompt that went out to a member.
type Sent struct {
	PromptID string
	At       time.Time
}

// NextSlot returns the first time strictly after after at which the slot falls
// in loc: the slot's weekday at its wall-clock time. On the day a clock change
// skips that time, time.Date normalises it forward (02:30 becomes 03:30); on
// the day a time repeats, it is the first occurrence. The zero time means off.
func NextSlot(s Slot, loc *time.Location, after time.Time) time.Time {
	if !s.On {
		return time.Time{}
	}
	local := after.In(loc)
	for d := 0; d <= 7; d++ {
		day := time.Date(local.Year(), local.Month(), local.Day()+d, 12, 0, 0, 0, loc)
		if day.Weekday() != s.Day {
			continue
		}
		t := time.Date(day.Year(), day.Month(), day.Day(), s.Minute/60, s.Minute%60, 0, 0, loc)
		if t.After(after) {
			return t
		}
	}
	// Unreachable for a valid slot: within 8 days the weekday recurs.
	return time.Time{}
}
