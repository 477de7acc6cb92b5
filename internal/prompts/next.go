package prompts

import (
	"fmt"
	"slices"
	"time"

	"github.com/ladderapp/ladder/internal/ladder"
)

// RepeatAfter is how long a prompt rests after it was sent before Next offers
// it again.
const RepeatAfter = 8 * 7 * 24 * time.Hour

// ExcelEvery is the rhythm of foundation questions: one send in ExcelEvery
// asks about the member's current level rather than the target.
const ExcelEvery = 6

// State is what Next needs to know about a member.
type State struct {
	Member    ladder.Member
	Readiness ladder.Readiness // ladder.Compute for the member's target and track
	Answered  map[string]bool  // prompt ids with evidence inside the readiness window
	// Sent is every prompt ever sent to the member, weekly and on demand, in
	// any order. Next needs all of it: a prompt asked a year ago is not a
	// prompt never asked.
	Sent    []ladder.Sent
	Exclude string // a prompt id to avoid now, e.g. the one the member just asked to replace
	Now     time.Time
}

// Next chooses the prompt to ask a member now. The choice depends on l and s
// alone.
//
// It draws from two pools, each limited to the member's track (prompts for
// every track, and those for theirs) and without s.Exclude: the target
// level's prompts, and the current level's, which are the foundation that
// readiness asks for (for an EM, the "excel" prompts).
//
// Most sends ask from the target pool: see pickTarget. A send asks from the
// foundation pool instead (see pickFoundation) when either
//   - it is the 6th, 12th, 18th … send: len(s.Sent) leaves ExcelEvery-1
//     after division by ExcelEvery, on demand sends included; or
//   - the biggest gap is held back by its foundation alone: it has evidence
//     and coverage of at least ladder.MinCoverage, but no foundation.
//
// Neither happens where the current level is the target. In either pool, no
// prompt is repeated while a prompt of its area was never sent, whatever the
// window, and a repeat has rested RepeatAfter. A foundation turn with nothing
// to offer asks from the target pool. When every prompt was sent within
// RepeatAfter, Next repeats the one that rested longest: target level first,
// biggest gap first, and s.Exclude only if nothing else is left.
func Next(l *ladder.Ladder, s State) (ladder.Prompt, error) {
	if l == nil {
		return ladder.Prompt{}, fmt.Errorf("next prompt: no ladder: %w", ladder.ErrNotFound)
	}
	target := s.Member.Target
	if target == "" {
		target = s.Readiness.Target.ID
	}
	track := s.Readiness.Track.ID
	if track == "" {
		track = s.Member.Track
	}
	if track == "" {
		track = l.DefaultTrack().ID
	}
	c := chooser{l: l, s: s, track: track, last: lastSent(s.Sent), gaps: rankedAreas(l, s.Readiness)}

	if c.foundationTurn() {
		if p, ok := c.pickFoundation(); ok {
			return p, nil
		}
	}
	if p, ok := c.pickTarget(target); ok {
		return p, nil
	}

	// Everything was asked recently. The pools after the areas only matter for
	// a ladder without target-level prompts where the member needs them.
	var pools [][]ladder.Prompt
	for _, area := range c.gaps {
		pools = append(pools, c.pool(target, area))
	}
	pools = append(pools,
		filter(l.Prompts, func(p ladder.Prompt) bool { return p.Level == target }),
		filter(l.Prompts, func(p ladder.Prompt) bool { return p.Level == s.Member.Level }),
		l.Prompts)
	for _, allowExclude := range []bool{false, true} {
		for _, pool := range pools {
			if p, ok := rested(pool, c.last, s.Exclude, allowExclude); ok {
				return p, nil
			}
		}
	}
	return ladder.Prompt{}, fmt.Errorf("next prompt for level %q: %w", target, ladder.ErrNotFound)
}

// chooser holds what one call of Next works from.
type chooser struct {
	l     *ladder.Ladder
	s     State
	track string
	last  map[string]time.Time // when each prompt was last sent
	gaps  []ladder.AreaID      // biggest gap first
}

// pool returns a level's prompts in an area on the member's track, without
// s.Exclude, in file order.
func (c chooser) pool(level ladder.LevelID, area ladder.AreaID) []ladder.Prompt {
	return filter(c.l.PromptsFor(level, area), func(p ladder.Prompt) bool {
		return p.ForTrack(c.track) && p.ID != c.s.Exclude
	})
}

// foundationTurn reports whether this send asks about the current level:
// one send in ExcelEvery, and any send while the biggest gap is held back by
// its foundation alone (covered enough, but with no foundation evidence).
func (c chooser) foundationTurn() bool {
	current := c.s.Member.Level
	if current == "" || current == c.s.Member.Target || current == c.s.Readiness.Target.ID {
		return false
	}
	if len(c.s.Sent)%ExcelEvery == ExcelEvery-1 {
		return true
	}
	if len(c.s.Readiness.Areas) == 0 {
		return false
	}
	top := c.s.Readiness.Ranked()[0]
	return top.Status != ladder.StatusGap && top.Coverage >= ladder.MinCoverage &&
		top.Foundation == 0 && len(c.pool(current, top.Area.ID)) > 0
}

// pickFoundation chooses a current-level prompt. It walks the areas thinnest
// foundation first (ties: biggest gap first) and takes, in the first area
// that has one:
//   - a prompt never sent, in file order;
//   - in an area with evidence but no foundation in the window, the best
//     repeat that has rested RepeatAfter;
//
// and when no area has either, the best repeat that has rested RepeatAfter,
// in the same order.
func (c chooser) pickFoundation() (ladder.Prompt, bool) {
	areas := thinnestFoundation(c.gaps, c.s.Readiness)
	for _, area := range areas {
		ps := c.pool(c.s.Member.Level, area)
		for _, p := range ps {
			if _, sent := c.last[p.ID]; !sent {
				return p, true
			}
		}
		if ar, ok := c.s.Readiness.ForArea(area); !ok || ar.Status == ladder.StatusGap || ar.Foundation > 0 {
			continue
		}
		if p, ok := c.repeat(ps); ok {
			return p, true
		}
	}
	for _, area := range areas {
		if p, ok := c.repeat(c.pool(c.s.Member.Level, area)); ok {
			return p, true
		}
	}
	return ladder.Prompt{}, false
}

// pickTarget chooses a target-level prompt. It walks the areas biggest gap
// first and takes, in the first area that has one:
//   - a prompt never sent, naming the most uncovered expectations (ties: file
//     order);
//   - in a thin area (some evidence, not yet on track), a prompt that has
//     rested RepeatAfter and names an uncovered expectation: its earlier
//     answer left the window, or never came, and a new one would count;
//
// and when no area has either, the best repeat that has rested RepeatAfter,
// biggest gap first.
func (c chooser) pickTarget(target ladder.LevelID) (ladder.Prompt, bool) {
	for _, area := range c.gaps {
		ar, _ := c.s.Readiness.ForArea(area)
		uncovered := map[string]bool{}
		for _, id := range ar.Uncovered {
			uncovered[id] = true
		}
		news := func(p ladder.Prompt) int {
			n := 0
			for _, id := range p.Evidences() {
				if uncovered[id] {
					n++
				}
			}
			return n
		}
		ps := c.pool(target, area)
		var best ladder.Prompt
		bestNew := -1
		for _, p := range ps {
			if _, sent := c.last[p.ID]; !sent && news(p) > bestNew {
				best, bestNew = p, news(p)
			}
		}
		if bestNew >= 0 {
			return best, true
		}
		if ar.Status != ladder.StatusThin {
			continue
		}
		if p, ok := c.repeat(filter(ps, func(p ladder.Prompt) bool { return news(p) > 0 })); ok {
			return p, true
		}
	}
	for _, area := range c.gaps {
		if p, ok := c.repeat(c.pool(target, area)); ok {
			return p, true
		}
	}
	return ladder.Prompt{}, false
}

// repeat returns the prompt of ps that is best asked again, among those that
// have rested RepeatAfter.
func (c chooser) repeat(ps []ladder.Prompt) (ladder.Prompt, bool) {
	var best ladder.Prompt
	found := false
	for _, p := range ps {
		if c.s.Now.Sub(c.last[p.ID]) < RepeatAfter {
			continue
		}
		if !found || c.staler(p, best) {
			best, found = p, true
		}
	}
	return best, found
}

// staler reports whether p is a better repeat than q: unanswered in the
// window beats answered, then the longer rest wins.
func (c chooser) staler(p, q ladder.Prompt) bool {
	if pa, qa := c.s.Answered[p.ID], c.s.Answered[q.ID]; pa != qa {
		return !pa
	}
	return c.last[p.ID].Before(c.last[q.ID])
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

// thinnestFoundation reorders areas, given biggest gap first, so that the
// thinnest foundation comes first; ties keep the gap order.
func thinnestFoundation(areas []ladder.AreaID, r ladder.Readiness) []ladder.AreaID {
	out := slices.Clone(areas)
	foundation := func(id ladder.AreaID) float64 {
		if ar, ok := r.ForArea(id); ok {
			return ar.Foundation
		}
		return 0
	}
	slices.SortStableFunc(out, func(a, b ladder.AreaID) int {
		fa, fb := foundation(a), foundation(b)
		switch {
		case fa < fb-1e-12:
			return -1
		case fb < fa-1e-12:
			return 1
		}
		return 0
	})
	return out
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
