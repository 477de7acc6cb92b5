package slackapp

import (
	"strings"
	"testing"
	"time"

	"github.com/ladderapp/ladder/internal/ladder"
)

// TestSkipNote: what a skipped prompt says it did, for each kind of prompt,
// and when the next weekly question comes.
func TestSkipNote(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC) // a Monday
	mon0930 := ladder.Slot{Day: time.Monday, Minute: 9*60 + 30, On: true}
	member := ladder.Member{UserID: "U1", TZ: "Europe/Berlin", Slot: mon0930}
	paused := member
	paused.PausedUntil = time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	held := member
	held.PausedUntil = forever
	off := member
	off.Slot = ladder.Slot{}
	tests := []struct {
		name   string
		m      ladder.Member
		weekly bool
		want   []string
		not    []string
	}{
		{"weekly", member, true,
			[]string{"Skipped this week's question", "no reminder", "skipped, not missed", "Mon 30 Nov at 09:30"}, []string{"extra"}},
		{"on demand", member, false,
			[]string{"Skipped this one", "nothing is recorded", "Mon 30 Nov at 09:30"}, []string{"this week", "skipped, not missed"}},
		{"paused for two weeks", paused, false, []string{"paused until Mon 7 Dec"}, []string{"comes"}},
		{"paused until resumed", held, true, []string{"/ladder resume"}, nil},
		{"no weekly slot", off, false, []string{"Weekly questions are off", "/ladder prompt"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := skipNote(tt.m, tt.weekly, now)
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("skipNote = %q, want it to contain %q", got, w)
				}
			}
			for _, w := range tt.not {
				if strings.Contains(got, w) {
					t.Errorf("skipNote = %q, want it NOT to contain %q", got, w)
				}
			}
		})
	}
	if skipLabel(true) != "Skip this week" || skipLabel(false) != "Skip this one" {
		t.Errorf("skip labels: %q, %q", skipLabel(true), skipLabel(false))
	}
}
