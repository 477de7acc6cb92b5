package prompts

import (
	"testing"

	"github.com/ladderapp/ladder/internal/ladder"
)

// standing returns a readiness in which each area has the given score, and
// the status that score has; areas left out are strong.
func standing(l *ladder.Ladder, scores map[ladder.AreaID]float64) ladder.Readiness {
	r := ladder.Readiness{}
	for _, a := range l.Areas {
		score, ok := scores[a.ID]
		if !ok {
			score = 0.9
		}
		status := ladder.StatusStrong
		switch {
		case score == 0:
			status = ladder.StatusGap
		case score < ladder.ThinBelow:
			status = ladder.StatusThin
		case score < ladder.StrongFrom:
			status = ladder.StatusOnTrack
		}
		r.Areas = append(r.Areas, ladder.AreaReadiness{Area: a, Weight: 1, Score: score, Status: status})
	}
	return r
}

func TestSteps(t *testing.T) {
	l := mustLoad(t, "valid.yaml")
	// Scaling is a gap, people and technical are thin, execution is on track.
	mixed := standing(l, map[ladder.AreaID]float64{
		ladder.Scaling: 0, ladder.People: 0.2, ladder.Technical: 0.4, ladder.Execution: 0.6,
	})
	// step is an area and the question wanted there ("" for none).
	type step struct {
		area   ladder.AreaID
		prompt string
	}
	tests := []struct {
		name  string
		state State
		want  []step
	}{
		{"one step per gap or thin area, biggest gap first; none for on track or strong",
			State{Member: climber, Readiness: mixed},
			[]step{{ladder.Scaling, "sem-scaling-structure"}, {ladder.People, "sem-people-mentor"}, {ladder.Technical, "sem-technical-strategy"}}},
		{"nothing short of evidence: no steps",
			State{Member: climber, Readiness: standing(l, map[ladder.AreaID]float64{ladder.People: 0.6})},
			nil},
		{"each area's question follows the chooser: not one sent recently while another is left",
			State{Member: climber, Readiness: mixed,
				Sent: []ladder.Sent{sent("sem-scaling-structure", week), sent("sem-people-mentor", 2*week)}},
			[]step{{ladder.Scaling, "sem-scaling-ambiguity"}, {ladder.People, "sem-people-bench"}, {ladder.Technical, "sem-technical-strategy"}}},
		{"each area's question follows the chooser: not the excluded one",
			State{Member: climber, Readiness: mixed, Exclude: "sem-technical-strategy"},
			[]step{{ladder.Scaling, "sem-scaling-structure"}, {ladder.People, "sem-people-mentor"}, {ladder.Technical, "em-technical-health"}}},
		{"an area with no question at either level gets a step without one",
			// Director and VP have no people prompts in valid.yaml.
			State{Member: ladder.Member{Level: ladder.Director, Target: ladder.VP},
				Readiness: standing(l, map[ladder.AreaID]float64{ladder.People: 0, ladder.Scaling: 0.1})},
			[]step{{ladder.People, ""}, {ladder.Scaling, "vp-scaling-org"}}},
		{"a thin area with only current-level questions gets one of those",
			State{Member: ladder.Member{Level: ladder.SeniorEM, Target: ladder.Director},
				Readiness: standing(l, map[ladder.AreaID]float64{ladder.Execution: 0.3})},
			[]step{{ladder.Execution, "sem-execution-crossteam"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.state.Now = now
			got := Steps(l, tt.state)
			if len(got) != len(tt.want) {
				t.Fatalf("Steps = %v, want %v", stepIDs(got), tt.want)
			}
			for i, w := range tt.want {
				if got[i].Area.Area.ID != w.area || got[i].Prompt.ID != w.prompt {
					t.Errorf("step %d = %s %q, want %s %q", i, got[i].Area.Area.ID, got[i].Prompt.ID, w.area, w.prompt)
				}
				if got[i].Prompt.ID != "" && got[i].Prompt.Area != w.area {
					t.Errorf("step %d asks about %s, not its area %s", i, got[i].Prompt.Area, w.area)
				}
			}
			// Where the chooser asks about the biggest gap next, the first
			// step's question is the one it asks.
			if len(got) > 0 && got[0].Prompt.ID != "" {
				next, err := Next(l, tt.state)
				if err == nil && next.Area == got[0].Area.Area.ID && next.ID != got[0].Prompt.ID {
					t.Errorf("Next = %s, %v; want the first step's %s", next.ID, err, got[0].Prompt.ID)
				}
			}
		})
	}
}

func stepIDs(steps []Step) []string {
	var out []string
	for _, s := range steps {
		out = append(out, string(s.Area.Area.ID)+" "+s.Prompt.ID)
	}
	return out
}
