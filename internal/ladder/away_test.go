package ladder

import (
	"testing"
	"time"
)

func TestAway(t *testing.T) {
	now := time.Date(2026, 11, 16, 9, 30, 0, 0, time.UTC)
	var never time.Time
	for _, tc := range []struct {
		text, emoji string
		expiration  time.Time
		want        bool
	}{
		// Slack's presets.
		{"Vacationing", ":palm_tree:", never, true},
		{"Out sick", ":face_with_thermometer:", never, true},
		{"Working remotely", ":house_with_garden:", never, false},
		{"In a meeting", ":spiral_calendar_pad:", never, false},
		{"Commuting", ":bus:", never, false},
		// The emoji alone, in any form Slack sends it.
		{"", ":palm_tree:", never, true},
		{"", "palm_tree", never, true},
		{"", ":airplane::skin-tone-2:", never, true},
		{"", ":beach_with_umbrella:", never, true},
		{"", ":pill:", never, true},
		// Phrases, in any case, as whole words.
		{"On vacation", "", never, true},
		{"on VACATION until Monday", ":speech_balloon:", never, true},
		{"Holiday!", "", never, true},
		{"Out of office", "", never, true},
		{"OOO until 24/11", "", never, true},
		{"On leave", "", never, true},
		{"parental leave 🍼", "", never, true},
		{"PTO", "", never, true},
		{"sick", "", never, true},
		{"Homesick for Lisbon", "", never, false},
		{"Optometrist at 3", "", never, false},
		{"Focusing", ":headphones:", never, false},
		{"", "", never, false},
		// An emoji written into the text.
		{"back soon :palm_tree:", "", never, true},
		{"feeling :sick:", "", never, false},
		// Expiration: a set time not after now has ended; zero never ends.
		{"On vacation", ":palm_tree:", now.Add(-24 * time.Hour), false},
		{"On vacation", ":palm_tree:", now, false},
		{"On vacation", ":palm_tree:", now.Add(time.Hour), true},
	} {
		if got := Away(tc.text, tc.emoji, tc.expiration, now); got != tc.want {
			t.Errorf("Away(%q, %q, %v) = %v, want %v", tc.text, tc.emoji, tc.expiration, got, tc.want)
		}
	}
}

func TestStreakOf(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	now := time.Date(2026, 11, 18, 10, 0, 0, 0, berlin) // Wednesday of 2026-W47
	week := func(ago int) time.Time { return now.AddDate(0, 0, -7*ago) }
	long := Member{TZ: "Europe/Berlin", EnrolledAt: now.AddDate(-1, 0, 0)}
	for _, tc := range []struct {
		name     string
		m        Member
		evidence []time.Time
		off      []int // weeks ago
		want     Streak
	}{
		{"nothing: this week is not over, eleven weeks without", long, nil, nil, Streak{0, 11}},
		{"this week counts once it has evidence", long, []time.Time{week(0)}, nil, Streak{1, 12}},
		{"two pieces in one week are one week", long, []time.Time{week(1), week(1).Add(time.Hour), week(3)}, nil, Streak{2, 11}},
		{"weeks off are left out", long, []time.Time{week(1)}, []int{2, 3, 4}, Streak{1, 8}},
		{"a week off with evidence counts", long, []time.Time{week(2)}, []int{2}, Streak{1, 11}},
		{"evidence older than 12 weeks is not counted", long, []time.Time{week(12)}, nil, Streak{0, 11}},
		{"weeks before joining are left out", Member{TZ: "Europe/Berlin", EnrolledAt: week(3)}, []time.Time{week(2)}, nil, Streak{1, 3}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			off := map[Week]bool{}
			for _, ago := range tc.off {
				off[WeekOf(week(ago))] = true
			}
			if got := StreakOf(tc.m, tc.evidence, off, now, 12); got != tc.want {
				t.Errorf("StreakOf = %+v, want %+v", got, tc.want)
			}
		})
	}
}
