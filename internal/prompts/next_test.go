package prompts

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/ladderapp/ladder/internal/ladder"
)

var now = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)

const week = 7 * 24 * time.Hour

// climber is an EM aiming at senior EM on the broad track.
var climber = ladder.Member{UserID: "U1", Level: ladder.EM, Target: ladder.SeniorEM, Track: "broad"}

// ranked returns a readiness whose areas rank in the given order, biggest gap
// first; areas left out come last.
func ranked(l *ladder.Ladder, order ...ladder.AreaID) ladder.Readiness {
	r := ladder.Readiness{}
	for _, a := range l.Areas {
		score := 0.9
		if i := slices.Index(order, a.ID); i >= 0 {
			score = float64(i) / 10
		}
		r.Areas = append(r.Areas, ladder.AreaReadiness{Area: a, Weight: 1, Score: score})
	}
	return r
}

func sent(id string, ago time.Duration) ladder.Sent {
	return ladder.Sent{PromptID: id, At: now.Add(-ago)}
}

// sentAll says every prompt of l went out within the last week, except those
// in older, which went out at the given ages.
func sentAll(l *ladder.Ladder, older map[string]time.Duration) []ladder.Sent {
	var ss []ladder.Sent
	for _, p := range l.Prompts {
		ago, ok := older[p.ID]
		if !ok {
			ago = 2 * 24 * time.Hour
		}
		ss = append(ss, sent(p.ID, ago))
	}
	return ss
}

func TestNext(t *testing.T) {
	l := mustLoad(t, "valid.yaml")
	broad := l.DefaultTrack()
	peopleFirst := ranked(l, ladder.People, ladder.Scaling, ladder.Execution)
	strategyFirstForDirector := ranked(l, ladder.Strategy)
	strategyFirstForDirector.Target, _ = l.Level(ladder.Director)

	// Eight weeks of evidence in people, answering both of its senior-em
	// prompts: people is no longer the biggest gap.
	var peopleFacts []ladder.Fact
	for i := range 8 {
		id := []string{"sem-people-mentor", "sem-people-bench"}[i%2]
		peopleFacts = append(peopleFacts, ladder.Fact{Area: ladder.People, PromptID: id, At: now.Add(-time.Duration(i) * week)})
	}

	tests := []struct {
		name  string
		state State
		want  string
	}{
		{"no evidence: the biggest gap by track weight, its first target prompt",
			State{Member: climber, Readiness: ladder.Compute(l, ladder.SeniorEM, broad, nil, now)},
			"sem-people-mentor"},
		{"evidence in people moves to the next biggest gap",
			State{Member: climber, Readiness: ladder.Compute(l, ladder.SeniorEM, broad, peopleFacts, now),
				Answered: map[string]bool{"sem-people-mentor": true, "sem-people-bench": true}},
			"sem-scaling-structure"},
		{"the ranking decides, not the file order",
			State{Member: climber, Readiness: ranked(l, ladder.Strategy)},
			"sem-strategy-leadership"},
		{"unanswered target prompts come first",
			State{Member: climber, Readiness: peopleFirst, Answered: map[string]bool{"sem-people-mentor": true}},
			"sem-people-bench"},
		{"answered target prompts come before the current level",
			State{Member: climber, Readiness: peopleFirst,
				Answered: map[string]bool{"sem-people-mentor": true, "sem-people-bench": true}},
			"sem-people-mentor"},
		{"a prompt sent within 8 weeks is not repeated",
			State{Member: climber, Readiness: peopleFirst, Recent: []ladder.Sent{sent("sem-people-mentor", 8*week-time.Minute)}},
			"sem-people-bench"},
		{"a prompt sent 8 weeks ago may come back",
			State{Member: climber, Readiness: peopleFirst, Recent: []ladder.Sent{sent("sem-people-mentor", 8*week)}},
			"sem-people-mentor"},
		{"the latest send counts",
			State{Member: climber, Readiness: peopleFirst,
				Recent: []ladder.Sent{sent("sem-people-mentor", 20*week), sent("sem-people-mentor", week)}},
			"sem-people-bench"},
		{"current-level prompts once the area's target prompts were all sent",
			State{Member: climber, Readiness: peopleFirst,
				Recent: []ladder.Sent{sent("sem-people-mentor", week), sent("sem-people-bench", 2*week)}},
			"em-people-feedback"},
		{"the next area once the biggest gap has nothing fresh",
			State{Member: climber, Readiness: peopleFirst,
				Recent: []ladder.Sent{sent("sem-people-mentor", week), sent("sem-people-bench", 2*week), sent("em-people-feedback", 3*week)}},
			"sem-scaling-structure"},
		{"Exclude is skipped",
			State{Member: climber, Readiness: peopleFirst, Exclude: "sem-people-mentor"},
			"sem-people-bench"},
		{"Exclude is skipped down to the current level",
			State{Member: climber, Readiness: peopleFirst, Exclude: "sem-people-bench",
				Recent: []ladder.Sent{sent("sem-people-mentor", week)}},
			"em-people-feedback"},
		{"everything sent: repeat the biggest gap's target prompt that rested longest",
			State{Member: climber, Readiness: peopleFirst,
				Recent: sentAll(l, map[string]time.Duration{"sem-people-bench": 5 * week, "sem-scaling-structure": 7 * week})},
			"sem-people-bench"},
		{"everything sent: never the excluded one while another is left",
			State{Member: climber, Readiness: peopleFirst, Exclude: "sem-people-bench",
				Recent: sentAll(l, map[string]time.Duration{"sem-people-bench": 5 * week})},
			"sem-people-mentor"},
		{"a zero readiness walks the areas in file order",
			State{Member: climber},
			"sem-people-mentor"},
		{"no target set: the readiness's target",
			State{Member: ladder.Member{Level: ladder.SeniorEM}, Readiness: strategyFirstForDirector},
			"director-strategy-bets"},
		{"at the top: current-level prompts",
			State{Member: ladder.Member{Level: ladder.CTO, Target: ladder.CTO}, Readiness: peopleFirst},
			"cto-technical-vision"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.state.Now = now
			got, err := Next(l, tt.state)
			if err != nil {
				t.Fatalf("Next: %v", err)
			}
			if got.ID != tt.want {
				t.Errorf("Next = %s, want %s", got.ID, tt.want)
			}
			// The same state gives the same prompt, whatever the order of Recent.
			tt.state.Recent = slices.Clone(tt.state.Recent)
			slices.Reverse(tt.state.Recent)
			if again, _ := Next(l, tt.state); again.ID != got.ID {
				t.Errorf("Next again = %s, want %s again", again.ID, got.ID)
			}
		})
	}
}

// TestNextWeekly asks Next every week for a year, as the scheduler would, for
// a member who never answers and for one who answers every prompt. No prompt
// may come back within 8 weeks: the member's two levels hold twelve prompts.
func TestNextWeekly(t *testing.T) {
	l := mustLoad(t, "valid.yaml")
	for _, answers := range []bool{false, true} {
		t.Run(map[bool]string{false: "silent", true: "answering"}[answers], func(t *testing.T) {
			s := State{Member: climber, Answered: map[string]bool{}}
			var facts []ladder.Fact
			areas := map[ladder.AreaID]bool{}
			for w := range 52 {
				s.Now = now.Add(time.Duration(w) * week)
				s.Readiness = ladder.Compute(l, climber.Target, l.DefaultTrack(), facts, s.Now)
				p, err := Next(l, s)
				if err != nil {
					t.Fatalf("week %d: Next: %v", w, err)
				}
				for _, prev := range s.Recent {
					if prev.PromptID == p.ID && s.Now.Sub(prev.At) < RepeatAfter {
						t.Fatalf("week %d: %s again after %v", w, p.ID, s.Now.Sub(prev.At))
					}
				}
				if p.Level != climber.Level && p.Level != climber.Target {
					t.Errorf("week %d: %s is at level %s", w, p.ID, p.Level)
				}
				if w < 10 {
					areas[p.Area] = true
				}
				s.Recent = append(s.Recent, ladder.Sent{PromptID: p.ID, At: s.Now})
				if answers {
					facts = append(facts, ladder.Fact{Area: p.Area, PromptID: p.ID, At: s.Now.Add(time.Hour)})
					s.Answered[p.ID] = true
				}
			}
			// Answers shrink an area's gap, so the questions move round all
			// five areas; silence keeps them on the biggest gaps.
			if answers && len(areas) != 5 {
				t.Errorf("asked about %d areas in the first 10 weeks, want all 5", len(areas))
			}
		})
	}
}

func TestNextFallback(t *testing.T) {
	areas := []ladder.Area{{ID: ladder.People, Name: "People"}, {ID: ladder.Scaling, Name: "Scaling"}}
	director := ladder.Prompt{ID: "d", Area: ladder.Scaling, Level: ladder.Director, Kind: ladder.Stretch}
	only := ladder.Prompt{ID: "only", Area: ladder.People, Level: ladder.SeniorEM, Kind: ladder.Stretch}
	tests := []struct {
		name    string
		ladder  *ladder.Ladder
		state   State
		want    string
		wantErr error
	}{
		{"no prompt at either level: any level",
			&ladder.Ladder{Areas: areas, Prompts: []ladder.Prompt{director}},
			State{Member: climber},
			"d", nil},
		{"the only prompt, excluded and just sent, still beats nothing",
			&ladder.Ladder{Areas: areas, Prompts: []ladder.Prompt{only}},
			State{Member: climber, Exclude: "only", Recent: []ladder.Sent{sent("only", week)}},
			"only", nil},
		{"no prompts at all",
			&ladder.Ladder{Areas: areas},
			State{Member: climber},
			"", ladder.ErrNotFound},
		{"no ladder",
			nil,
			State{Member: climber},
			"", ladder.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.state.Now = now
			got, err := Next(tt.ladder, tt.state)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Next error = %v, want %v", err, tt.wantErr)
			}
			if got.ID != tt.want {
				t.Errorf("Next = %q, want %q", got.ID, tt.want)
			}
		})
	}
}
