package slackapp

import (
	"strings"
	"testing"
	"time"

	"github.com/ladderapp/ladder/internal/ladder"
	"github.com/ladderapp/ladder/internal/prompts"
)

// TestGapsText renders /ladder gaps from a readiness and its next steps,
// with no websocket.
func TestGapsText(t *testing.T) {
	l, err := prompts.Default()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC)
	member := func(enrolled time.Time) ladder.Member {
		return ladder.Member{UserID: "U1", Level: ladder.EM, Target: ladder.SeniorEM, Track: "broad", EnrolledAt: enrolled}
	}
	empty := ladder.Compute(l, ladder.SeniorEM, l.DefaultTrack(), nil, now)
	st := prompts.State{Member: member(now), Readiness: empty, Now: now}
	steps := prompts.Steps(l, st)
	if len(steps) != 5 {
		t.Fatalf("%d steps for an empty readiness, want 5", len(steps))
	}
	tests := []struct {
		name        string
		m           ladder.Member
		steps       []prompts.Step
		wants, nots []string
	}{
		{"enrolled today: no evidence since joining, not for the whole window",
			member(now.Add(-time.Hour)), steps,
			[]string{"no evidence since joining", "*Biggest gap: " + steps[0].Area.Area.Name + ".*",
				"Next question there: “" + steps[0].Prompt.Text + "”",
				"• *" + steps[1].Area.Area.Name + "* (gap)", "Ask yourself: “" + steps[1].Prompt.Text + "”"},
			[]string{"no evidence in 26 weeks", "No gaps or thin areas left"}},
		{"enrolled ten weeks ago: still since joining",
			member(now.AddDate(0, 0, -70)), steps,
			[]string{"no evidence since joining"}, []string{"no evidence in 26 weeks"}},
		{"enrolled before the window: the whole window",
			member(now.AddDate(-1, 0, 0)), steps,
			[]string{"no evidence in 26 weeks"}, []string{"since joining"}},
		{"a step without a question names the area and asks nothing",
			member(now.AddDate(-1, 0, 0)), []prompts.Step{{Area: steps[0].Area}},
			[]string{"*Biggest gap: " + steps[0].Area.Area.Name + ".*"}, []string{"Next question there", "Ask yourself"}},
		{"no steps: nothing short of evidence",
			member(now.AddDate(-1, 0, 0)), nil,
			[]string{"No gaps or thin areas left"}, []string{"Biggest gap"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := gapsText(l, tt.m, empty, tt.steps, now)
			for _, w := range tt.wants {
				if !strings.Contains(got, w) {
					t.Errorf("gaps text lacks %q:\n%s", w, got)
				}
			}
			for _, n := range tt.nots {
				if strings.Contains(got, n) {
					t.Errorf("gaps text has %q:\n%s", n, got)
				}
			}
			if n := strings.Count(got, "\n• *"); n != max(0, len(tt.steps)-1) {
				t.Errorf("%d steps after the biggest gap, want %d:\n%s", n, max(0, len(tt.steps)-1), got)
			}
		})
	}
}
