package prompts

import "github.com/ladderapp/ladder/internal/ladder"

// Step is the next step for one area short of evidence: how the area stands
// (its Focus is what the target level expects there), and the question to
// answer there.
type Step struct {
	Area ladder.AreaReadiness
	// Prompt is the question Next would ask if this area were the only one;
	// zero when the ladder has none for the area.
	Prompt ladder.Prompt
}

// firstIn is the step's question when the chooser would ask elsewhere now
// (the area's questions were all asked recently, or the one left is
// excluded): the area's first target-level question on the member's track,
// else its first current-level one, leaving out s.Exclude.
func firstIn(l *ladder.Ladder, s State, area ladder.AreaID) ladder.Prompt {
	for _, level := range []ladder.LevelID{s.Member.Target, s.Member.Level} {
		for _, p := range l.PromptsFor(level, area) {
			if p.ID != s.Exclude && (p.Track == "" || p.Track == s.Member.Track) {
				return p
			}
		}
	}
	return ladder.Prompt{}
}

// Steps returns a step for each gap or thin area of s.Readiness, biggest gap
// first. Each step's question is the one Next chooses when only that area
// ranks, so that it follows the chooser's rules (what was sent recently, what
// was answered, s.Exclude); for the biggest gap it is the question asked next,
// when that area has one. Steps depends on l and s alone.
func Steps(l *ladder.Ladder, s State) []Step {
	var steps []Step
	for _, ar := range s.Readiness.Ranked() {
		if ar.Status != ladder.StatusGap && ar.Status != ladder.StatusThin {
			continue
		}
		step := Step{Area: ar}
		one := s
		one.Readiness.Areas = []ladder.AreaReadiness{ar}
		if p, err := Next(l, one); err == nil && p.Area == ar.Area.ID {
			step.Prompt = p
		} else {
			step.Prompt = firstIn(l, s, ar.Area.ID)
		}
		steps = append(steps, step)
	}
	return steps
}
