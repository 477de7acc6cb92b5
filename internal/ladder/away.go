package ladder

import (
	"strings"
	"time"
	"unicode"
)

// This file is the one place that decides whether a Slack status says a
// member is away: on holiday, off sick, on leave or out of office. A week in
// which their status says so gets no weekly question and no reminder, and is
// never counted as missed, as a paused week is not.
//
// Slack's own status presets include "Vacationing" (:palm_tree:) and "Out
// sick" (:face_with_thermometer:), which count, and "Working remotely"
// (:house_with_garden:), "In a meeting" and "Commuting", which do not: a
// member working from home is not away. :airplane: counts, although a
// traveller may be working: a week held back costs them nothing, since it
// never counts against them, while a question on a beach is nagging.

// awayEmoji are the status emoji that say a member is away, by their Slack
// names without colons.
var awayEmoji = map[string]bool{
	"palm_tree":              true, // Slack's "Vacationing" preset
	"desert_island":          true,
	"beach_with_umbrella":    true,
	"airplane":               true,
	"airplane_departure":     true,
	"face_with_thermometer":  true, // Slack's "Out sick" preset
	"face_with_head_bandage": true,
	"pill":                   true,
	"hospital":               true,
	"baby":                   true, // parental leave
	"baby_bottle":            true,
}

// awayPhrases are the words and phrases in a status text that say a member
// is away. Each matches whole words only, in any case: "sick" matches
// "Out sick" but not "homesick", "OOO" matches "OOO until Mon".
var awayPhrases = []string{
	"vacation", "vacationing", "vacay", "holiday", "holidays",
	"out of office", "out of the office", "ooo", "ooto",
	"on leave", "annual leave", "parental leave", "maternity leave", "paternity leave",
	"sick leave", "sick", "off sick", "out sick", "ill",
	"pto", "time off", "day off", "days off",
}

// Away reports whether a Slack status (its text and emoji, as users.info's
// profile.status_text and profile.status_emoji give them, and its
// status_expiration) says its member is away at now. A status whose
// expiration is set (not zero) and not after now has ended, whatever it says:
// Slack clears such a status, but only when its clearing job runs. The emoji
// may come with or without colons, and with a skin tone
// (":airplane::skin-tone-2:"); an emoji written into the text counts too.
func Away(text, emoji string, expiration, now time.Time) bool {
	if !expiration.IsZero() && !expiration.After(now) {
		return false
	}
	if awayEmoji[emojiName(emoji)] {
		return true
	}
	words := statusWords(text)
	for _, w := range words {
		if strings.HasPrefix(w, ":") && awayEmoji[emojiName(w)] {
			return true
		}
	}
	joined := " " + strings.Join(words, " ") + " "
	for _, p := range awayPhrases {
		if strings.Contains(joined, " "+p+" ") {
			return true
		}
	}
	return false
}

// emojiName is an emoji's name without colons or skin tone: ":palm_tree:"
// and "palm_tree" are "palm_tree", ":airplane::skin-tone-2:" is "airplane".
func emojiName(e string) string {
	e = strings.ToLower(strings.TrimSpace(e))
	e = strings.TrimPrefix(e, ":")
	if i := strings.Index(e, ":"); i >= 0 {
		e = e[:i]
	}
	return e
}

// statusWords splits a status text into lower-case words: runs of letters and
// digits, and :emoji: references kept whole so that their names (":sick:")
// are not taken for words.
func statusWords(text string) []string {
	var (
		words []string
		cur   strings.Builder
	)
	flush := func() {
		if cur.Len() > 0 {
			words = append(words, cur.String())
			cur.Reset()
		}
	}
	rs := []rune(strings.ToLower(text))
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		if r == ':' {
			// An :emoji: reference: up to the next colon, with no space.
			j := i + 1
			for j < len(rs) && rs[j] != ':' && !unicode.IsSpace(rs[j]) {
				j++
			}
			if j < len(rs) && rs[j] == ':' && j > i+1 {
				flush()
				words = append(words, string(rs[i:j+1]))
				i = j
				continue
			}
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			cur.WriteRune(r)
			continue
		}
		flush()
	}
	flush()
	return words
}

// Streak is the Home tab's count, kinder than a run of weeks: of the member's
// recent weeks, those they were here for and those of them with evidence.
type Streak struct {
	Evidence int // weeks, of Here, with evidence
	Here     int // weeks counted
}

// StreakOf counts the last n ISO weeks up to now's, in m's zone, from the
// week m enrolled: a week with evidence (evidence holds when each piece was
// written) always counts; a week off (paused or away, by off) without
// evidence is left out, and so is this week until it has some, since it is
// not over.
func StreakOf(m Member, evidence []time.Time, off map[Week]bool, now time.Time, n int) Streak {
	loc := m.Location()
	with := map[Week]bool{}
	for _, t := range evidence {
		with[WeekOf(t.In(loc))] = true
	}
	weeks := WeeksEnrolled(m, now, n)
	local := now.In(loc)
	// Noon, so that a clock change never moves a day across midnight.
	day := time.Date(local.Year(), local.Month(), local.Day(), 12, 0, 0, 0, loc)
	var s Streak
	for i := range weeks {
		w := WeekOf(day.AddDate(0, 0, -7*i))
		switch {
		case with[w]:
			s.Evidence++
			s.Here++
		case i == 0, off[w]:
		default:
			s.Here++
		}
	}
	return s
}
