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

// ParseShare accepts full, summary or off, in any case, a prefix of one of
// them of two letters or more ("sum"), and none or nothing for off.
func ParseShare(s string) (Share, error) {
	key := strings.ToLower(strings.TrimSpace(s))
	switch key {
	case "none", "nothing":
		return ShareOff, nil
	}
	if len(key) >= 2 {
		for _, sh := range []Share{ShareFull, ShareSummary, ShareOff} {
			if strings.HasPrefix(string(sh), key) {
				return sh, nil
			}
		}
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

// ParseSlot parses a weekly slot as people type it: a day and a time, in
// either order, or "off". Days are mon…sun, full day names, plurals
// ("mondays") and short forms such as "tues" or "thurs", in any case. Times
// are what ParseClock accepts. Filler words go unnoticed: "every monday at
// 9am" is mon 09:00.
func ParseSlot(s string) (Slot, error) {
	f := strings.Fields(strings.NewReplacer(",", " ", ";", " ").Replace(strings.ToLower(s)))
	if len(f) == 1 && (f[0] == "off" || f[0] == "none") {
		return Slot{}, nil
	}
	var words []string
	for i := 0; i < len(f); i++ {
		w := f[i]
		if w == "at" || w == "every" || w == "on" {
			continue
		}
		// "9 am", "9:30 p.m.": the meridiem belongs to the time before it.
		if i+1 < len(f) && isMeridiem(f[i+1]) {
			w += f[i+1]
			i++
		}
		words = append(words, w)
	}
	var (
		slot             Slot
		haveDay, haveMin bool
	)
	for _, w := range words {
		if d, ok := parseDay(w); ok && !haveDay {
			slot.Day, haveDay = d, true
			continue
		}
		m, isClock := ParseClock(w)
		if isClock && !haveMin {
			slot.Minute, haveMin = m, true
			continue
		}
		switch {
		case !isClock && looksLikeTime(w):
			return Slot{}, fmt.Errorf("%w: unknown time %q (accepted: 24-hour 09:30 or 17:00, or 12-hour 9am or 5:30pm)", ErrBadSchedule, w)
		case len(words) == 2 && !haveDay:
			return Slot{}, fmt.Errorf("%w: unknown day %q (accepted: mon, tue, wed, thu, fri, sat, sun or full day names)", ErrBadSchedule, w)
		}
		return Slot{}, fmt.Errorf("%w: %q (accepted: a day and a time, for example mon 09:30, monday 9am or thu 5:30pm; or off)", ErrBadSchedule, s)
	}
	if !haveDay || !haveMin {
		return Slot{}, fmt.Errorf("%w: %q (accepted: a day and a time, for example mon 09:30, monday 9am or thu 5:30pm; or off)", ErrBadSchedule, s)
	}
	slot.On = true
	return slot, nil
}

// dayAliases are the short forms of day names that are not a prefix of the
// name itself.
var dayAliases = map[string]time.Weekday{"weds": time.Wednesday}

// parseDay reads a day: its full name, or a prefix of it of two letters or
// more that only it has ("tu", "thurs"), or a plural ("mondays"), with or
// without a full stop.
func parseDay(s string) (time.Weekday, bool) {
	s = strings.TrimSuffix(s, ".")
	if d, ok := dayAliases[s]; ok {
		return d, true
	}
	for _, w := range []string{s, strings.TrimSuffix(s, "s")} {
		if len(w) < 2 {
			continue
		}
		found, n := time.Sunday, 0
		for d := time.Sunday; d <= time.Saturday; d++ {
			if strings.HasPrefix(strings.ToLower(d.String()), w) {
				found, n = d, n+1
			}
		}
		if n == 1 {
			return found, true
		}
	}
	return 0, false
}

func isMeridiem(s string) bool {
	switch strings.ReplaceAll(s, ".", "") {
	case "am", "pm":
		return true
	}
	return false
}

// looksLikeTime reports whether s starts with a digit: a time that did not
// parse rather than a day.
func looksLikeTime(s string) bool { return s != "" && s[0] >= '0' && s[0] <= '9' }

// ParseClock reads a time of day and returns minutes after midnight. It
// accepts 24-hour times ("09:30", "9:30", "21.30", "0930", "17"), 12-hour
// times ("9am", "9:30pm", "12 a.m."), and "noon" and "midnight". Minutes,
// when given, are two digits.
func ParseClock(s string) (int, bool) {
	s = strings.ToLower(strings.Join(strings.Fields(s), ""))
	switch s {
	case "noon":
		return 12 * 60, true
	case "midnight":
		return 0, true
	}
	s = strings.ReplaceAll(s, "a.m.", "am")
	s = strings.ReplaceAll(s, "p.m.", "pm")
	meridiem := ""
	if strings.HasSuffix(s, "am") || strings.HasSuffix(s, "pm") {
		s, meridiem = s[:len(s)-2], s[len(s)-2:]
	}
	var h, m string
	if i := strings.IndexAny(s, ":.h"); i >= 0 {
		h, m = s[:i], s[i+1:]
		if len(m) != 2 {
			return 0, false
		}
	} else if len(s) >= 3 {
		h, m = s[:len(s)-2], s[len(s)-2:] // "0930", "930pm"
	} else {
		h, m = s, "00"
	}
	if len(h) < 1 || len(h) > 2 || !allDigits(h) || !allDigits(m) {
		return 0, false
	}
	hh, _ := strconv.Atoi(h)
	mm, _ := strconv.Atoi(m)
	if mm > 59 {
		return 0, false
	}
	switch meridiem {
	case "":
		if hh > 23 {
			return 0, false
		}
	default:
		if hh < 1 || hh > 12 {
			return 0, false
		}
		hh %= 12
		if meridiem == "pm" {
			hh += 12
		}
	}
	return hh*60 + mm, true
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
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
func (m Member) Location() *time.Location { return Zone(m.TZ) }

// Zone is the timezone named tz (an IANA name, as Slack's users.info gives
// it), or UTC for an empty or unknown name. Every place that reads a
// member's or a manager's zone goes through it.
func Zone(tz string) *time.Location {
	if tz != "" {
		if loc, err := time.LoadLocation(tz); err == nil {
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
	// Link is the permalink of the Slack message the evidence was saved
	// from with the "Save to Ladder" shortcut; "" for any other evidence.
	Link string
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
