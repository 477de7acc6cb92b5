package prompts

import (
	"fmt"
	"time"

	"github.com/ladderapp/ladder/internal/ladder"
)

// RepeatAfter is how long a prompt rests after it was sent before Next offers
// it again while other prompts remain.
const RepeatAfter = 8 * 7 * 24 * time.Hour

// State is what Next needs to know about a member.
type State struct {
	Member    ladder.Member
	Readiness ladder.Readiness // ladder.Compute for the member's target and track
	Answered  map[string]bool  // prompt ids with evidence inside the readiness window
	Recent    []ladder.Sent    // prompts sent to the member (any age; only the last RepeatAfter matter)
	Exclude   string           // a prompt id to avoid now, e.g. the one the member just asked to replace
	Now       time.Time
}

// Next chooses the prompt to ask a member now.
//
// It walks the areas biggest gap first. In an area it offers, in order, the
// target level's prompts the member has not answered yet, the target level's
// prompts they have answered, and their current level's prompts, leaving out
// s.Exclude and anything sent within RepeatAfter. The first area with a
// candidate wins; within a tier the file's order decides.
//
// When every prompt was sent recently, it repeats the target-level prompt that
// has rested longest, biggest gap first, and s.Exclude only if nothing else
// is left. The choice depends on l and s alone.
func Next(l *ladder.Ladder, s State) (ladder.Prompt, error) {
	if l == nil {
		return ladder.Prompt{}, fmt.Errorf("next prompt: no ladder: %w", ladder.ErrNotFound)
	}
	target := s.Member.Target
	if target == "" {
		target = s.Readiness.Target.ID
	}
	last := lastSent(s.Recent)
	fresh := func(p ladder.Prompt) bool {
		at, sent := last[p.ID]
		return p.ID != s.Exclude && (!sent || s.Now.Sub(at) >= RepeatAfter)
	}

	areas := rankedAreas(l, s.Readiness)
	for _, area := range areas {
		targets := l.PromptsFor(target, area)
		tiers := [][]ladder.Prompt{
			filter(targets, func(p ladder.Prompt) bool { return !s.Answered[p.ID] }),
			filter(targets, func(p ladder.Prompt) bool { return s.Answered[p.ID] }),
			l.PromptsFor(s.Member.Level, area),
		}
		for _, tier := range tiers {
			for _, p := range tier {
				if fresh(p) {
					return p, nil
				}
			}
		}
	}

	// Everything was asked recently. The pools after the areas only matter for
	// a ladder without target-level prompts where the member needs them.
	var pools [][]ladder.Prompt
	for _, area := range areas {
		pools = append(pools, l.PromptsFor(target, area))
	}
	pools = append(pools,
		filter(l.Prompts, func(p ladder.Prompt) bool { return p.Level == target }),
		filter(l.Prompts, func(p ladder.Prompt) bool { return p.Level == s.Member.Level }),
		l.Prompts)
	for _, allowExclude := range []bool{false, true} {
		for _, pool := range pools {
			if p, ok := rested(pool, last, s.Exclude, allowExclude); ok {
				return p, nil
			}
		}
	}
	return ladder.Prompt{}, fmt.Errorf("next prompt for level %q: %w", target, ladder.ErrNotFound)
}

// rankedAreas lists the areas biggest gap first. Areas the readiness does not
// know, as with a zero Readiness, follow in the ladder's order.
func rankedAreas(l *ladder.Ladder, r ladder.Readiness) []ladder.AreaID {
	var ids []ladder.AreaID
	seen := map[ladder.AreaID]bool{}
	for _, ar := range r.Ranked() {
		if !seen[ar.Area.ID] {
			seen[ar.Area.ID] = true
			ids = append(ids, ar.Area.ID)
		}
	}
	for _, a := range l.Areas {
		if !seen[a.ID] {
			seen[a.ID] = true
			ids = append(ids, a.ID)
		}
	}
	return ids
}

// lastSent returns when each prompt was last sent.
func lastSent(sent []ladder.Sent) map[string]time.Time {
	last := make(map[string]time.Time, len(sent))
	for _, s := range sent {
		if at, ok := last[s.PromptID]; !ok || s.At.After(at) {
			last[s.PromptID] = s.At
		}
	}
	return last
}

// rested returns the prompt of the pool sent longest ago, never-sent ones
// first and the earlier in the file on a tie.
func rested(pool []ladder.Prompt, last map[string]time.Time, exclude string, allowExclude bool) (ladder.Prompt, bool) {
	var best ladder.Prompt
	found := false
	for _, p := range pool {
		if p.ID == exclude && !allowExclude {
			continue
		}
		if !found || last[p.ID].Before(last[best.ID]) {
			best, found = p, true
		}
	}
	return best, found
}

func filter(ps []ladder.Prompt, keep func(ladder.Prompt) bool) []ladder.Prompt {
	var out []ladder.Prompt
	for _, p := range ps {
		if keep(p) {
			out = append(out, p)
		}
	}
	return out
}
