package ladder

import (
	"math"
	"sort"
	"time"
)

// Status is how ready an area is.
type Status string

// The four statuses, from worst to best.
const (
	StatusGap     Status = "gap"
	StatusThin    Status = "thin"
	StatusOnTrack Status = "on track"
	StatusStrong  Status = "strong"
)

// The readiness model's constants. Compute's comment and the README state the
// formula with them.
const (
	// WeeksForFull is how many distinct weeks with new evidence in an area
	// count as full consistency: two months of showing something new.
	WeeksForFull = 8
	// FoundationForFull is how many of the foundation level's expectations in
	// an area count as a full foundation (fewer when the area has fewer).
	FoundationForFull = 2
	// CoverageWeight, ConsistencyWeight, RecencyWeight and FoundationWeight
	// add up to 1.
	CoverageWeight    = 0.4
	ConsistencyWeight = 0.25
	RecencyWeight     = 0.15
	FoundationWeight  = 0.2
	// MinCoverage is the share of an area's target expectations that must be
	// covered before the area can be on track. An area short of it, or with
	// no foundation evidence, scores at most UngroundedMax: it is thin, and
	// ranks as a bigger gap than any area on track.
	MinCoverage   = 0.35
	UngroundedMax = 0.45
	// ThinBelow and StrongFrom split the score into statuses.
	ThinBelow  = 0.5
	StrongFrom = 0.8
)

// AreaReadiness is one area's part of readiness.
type AreaReadiness struct {
	Area   Area
	Weight float64 // the track's weight for the area
	// Prompts counts the target level's prompts in the area on the track,
	// and Answered the distinct ones of those answered in the window.
	Prompts  int
	Answered int
	// Expectations counts the target expectations the area's prompts name,
	// Covered those with evidence in the window, and Uncovered lists the
	// rest by id, in the order the prompts name them. A prompt that names no
	// expectation stands for one of its own, under the prompt's id.
	Expectations int
	Covered      int
	Uncovered    []string
	// FoundationExpectations and FoundationCovered are the same two counts
	// for the foundation level: the rung below the target.
	FoundationExpectations int
	FoundationCovered      int
	Pieces                 int // pieces of evidence in the window
	Weeks                  int // distinct ISO weeks with evidence in the window
	// FreshWeeks counts the distinct ISO weeks with new evidence: an
	// unprompted piece, or the first answer in the window to a prompt.
	FreshWeeks  int
	Last        time.Time
	Coverage    float64 // 0..1
	Consistency float64 // 0..1
	Recency     float64 // 0..1
	Foundation  float64 // 0..1
	Score       float64 // 0..1
	Status      Status
	Focus       string // what the target level expects in this area
}

// Deficit is how much this area holds readiness back: the track's weight times
// the missing score. Bigger is a bigger gap.
func (a AreaReadiness) Deficit() float64 { return a.Weight * (1 - a.Score) }

// Readiness is a member's readiness for their target level.
type Readiness struct {
	Target Level
	// Foundation is the rung below the target, whose expectations the member
	// must show they meet well; zero at the bottom of the ladder.
	Foundation Level
	Track      Track
	Window     int             // weeks
	Areas      []AreaReadiness // in the ladder's area order
	// Overall is the track-weighted mean of the area scores.
	Overall float64
}

// OnTrack counts the areas that are on track or strong.
func (r Readiness) OnTrack() int {
	n := 0
	for _, a := range r.Areas {
		if a.Status == StatusOnTrack || a.Status == StatusStrong {
			n++
		}
	}
	return n
}

// Ranked returns the areas biggest gap first. Ties keep the ladder's order, so
// the ranking is deterministic.
func (r Readiness) Ranked() []AreaReadiness {
	rs := append([]AreaReadiness(nil), r.Areas...)
	sort.SliceStable(rs, func(i, j int) bool {
		return rs[i].Deficit() > rs[j].Deficit()+1e-12
	})
	return rs
}

// ForArea returns the readiness of one area.
func (r Readiness) ForArea(id AreaID) (AreaReadiness, bool) {
	for _, a := range r.Areas {
		if a.Area.ID == id {
			return a, true
		}
	}
	return AreaReadiness{}, false
}

// ForTrack reports whether the prompt is asked on the track with the given id:
// it is for every track, or for that one.
func (p Prompt) ForTrack(track string) bool {
	return p.Track == "" || p.Track == track
}

// Evidences returns the ids of the expectations an answer to the prompt gives
// evidence for. A prompt that names none stands for one expectation of its
// own, under the prompt's id, so a ladder without expectation ids still
// measures breadth: then each distinct prompt answered counts once.
func (p Prompt) Evidences() []string {
	if len(p.Expects) == 0 {
		return []string{p.ID}
	}
	return p.Expects
}

// Compute works out readiness for the target level on the track, from the facts
// of a member's evidence, as of now. The foundation level is the rung below
// the target.
//
// Only evidence inside the window (default 26 weeks) counts, in its own area.
// Per area:
//
//   - coverage C is the share of the area's target expectations that are
//     covered. The area's target expectations are those named by the target
//     level's prompts in the area on the track; one is covered when a piece of
//     evidence answers a prompt that names it. Answering a prompt again adds
//     nothing.
//   - foundation B is the number of the foundation level's expectations in the
//     area (named the same way by that level's prompts) that are covered, over
//     FoundationForFull (2), or over how many there are if fewer, capped at 1.
//     It is 1 when the foundation level has no prompts in the area.
//   - consistency K is the number of distinct ISO weeks with new evidence
//     (an unprompted piece, or the first answer in the window to a prompt)
//     over WeeksForFull (8), capped at 1. Repeating a prompt adds no week.
//   - recency R falls from 1 on the day of the last evidence to 0 at the
//     window's edge.
//
// The score is 0.4·C + 0.25·K + 0.15·R + 0.2·B, but at most UngroundedMax
// (0.45) while C is below MinCoverage (0.35) or B is 0. An area with no
// evidence in the window is a gap (score 0); below 0.5 it is thin; from 0.8
// it is strong; in between it is on track. Facts about one area never touch
// another.
func Compute(l *Ladder, target LevelID, track Track, facts []Fact, now time.Time) Readiness {
	lv, _ := l.Level(target)
	window := l.Window()
	since := now.Add(-time.Duration(window) * 7 * 24 * time.Hour)
	r := Readiness{Target: lv, Track: track, Window: window}
	for i, x := range l.Levels {
		if x.ID == target && i > 0 {
			r.Foundation = l.Levels[i-1]
		}
	}

	// expects maps each area to the expectation ids its prompts of one level
	// name, in the order they name them, and each prompt to its ids.
	type named struct {
		order  map[AreaID][]string
		inArea map[AreaID]map[string]bool
		prompt map[string][]string
	}
	name := func(level LevelID) named {
		n := named{order: map[AreaID][]string{}, inArea: map[AreaID]map[string]bool{}, prompt: map[string][]string{}}
		if level == "" {
			return n
		}
		for _, p := range l.Prompts {
			if p.Level != level || !p.ForTrack(track.ID) {
				continue
			}
			n.prompt[p.ID] = p.Evidences()
			if n.inArea[p.Area] == nil {
				n.inArea[p.Area] = map[string]bool{}
			}
			for _, id := range p.Evidences() {
				if !n.inArea[p.Area][id] {
					n.inArea[p.Area][id] = true
					n.order[p.Area] = append(n.order[p.Area], id)
				}
			}
		}
		return n
	}
	tgt, base := name(target), name(r.Foundation.ID)

	type acc struct {
		answered, covered, base map[string]bool
		weeks, fresh            map[Week]bool
		pieces                  int
		last                    time.Time
	}
	byArea := make(map[AreaID]*acc, len(l.Areas))
	inWindow := make([]Fact, 0, len(facts))
	for _, f := range facts {
		if f.Area != "" && !f.At.Before(since) && !f.At.After(now) {
			inWindow = append(inWindow, f)
		}
	}
	// The first answer to a prompt is the one that counts as new, whatever
	// order the facts came in.
	sort.SliceStable(inWindow, func(i, j int) bool { return inWindow[i].At.Before(inWindow[j].At) })
	seen := map[string]bool{}
	for _, f := range inWindow {
		a := byArea[f.Area]
		if a == nil {
			a = &acc{answered: map[string]bool{}, covered: map[string]bool{}, base: map[string]bool{},
				weeks: map[Week]bool{}, fresh: map[Week]bool{}}
			byArea[f.Area] = a
		}
		a.pieces++
		wk := WeekOf(f.At.In(now.Location()))
		a.weeks[wk] = true
		if f.PromptID == "" || !seen[f.PromptID] {
			a.fresh[wk] = true
		}
		if f.PromptID != "" {
			seen[f.PromptID] = true
		}
		if f.At.After(a.last) {
			a.last = f.At
		}
		if ids, ok := tgt.prompt[f.PromptID]; ok {
			a.answered[f.PromptID] = true
			for _, id := range ids {
				if tgt.inArea[f.Area][id] {
					a.covered[id] = true
				}
			}
		}
		for _, id := range base.prompt[f.PromptID] {
			if base.inArea[f.Area][id] {
				a.base[id] = true
			}
		}
	}

	var sumW, sumWS float64
	for _, area := range l.Areas {
		ar := AreaReadiness{
			Area:                   area,
			Weight:                 track.Weight(area.ID),
			Expectations:           len(tgt.order[area.ID]),
			FoundationExpectations: len(base.order[area.ID]),
			Focus:                  lv.Focus[area.ID],
			Status:                 StatusGap,
		}
		for _, p := range l.Prompts {
			if p.Level == target && p.Area == area.ID && p.ForTrack(track.ID) {
				ar.Prompts++
			}
		}
		a := byArea[area.ID]
		if a == nil {
			a = &acc{}
		}
		for _, id := range tgt.order[area.ID] {
			if !a.covered[id] {
				ar.Uncovered = append(ar.Uncovered, id)
			}
		}
		ar.Answered = len(a.answered)
		ar.Covered = len(a.covered)
		ar.FoundationCovered = len(a.base)
		ar.Foundation = 1
		if ar.FoundationExpectations > 0 {
			full := min(FoundationForFull, ar.FoundationExpectations)
			ar.Foundation = math.Min(1, float64(ar.FoundationCovered)/float64(full))
		}
		if a.pieces > 0 {
			ar.Pieces = a.pieces
			ar.Weeks = len(a.weeks)
			ar.FreshWeeks = len(a.fresh)
			ar.Last = a.last
			if ar.Expectations > 0 {
				ar.Coverage = float64(ar.Covered) / float64(ar.Expectations)
			}
			ar.Consistency = math.Min(1, float64(ar.FreshWeeks)/WeeksForFull)
			age := now.Sub(a.last).Hours() / 24
			ar.Recency = math.Max(0, 1-age/float64(window*7))
			ar.Score = CoverageWeight*ar.Coverage + ConsistencyWeight*ar.Consistency +
				RecencyWeight*ar.Recency + FoundationWeight*ar.Foundation
			if ar.Coverage < MinCoverage || ar.Foundation == 0 {
				ar.Score = math.Min(ar.Score, UngroundedMax)
			}
			switch {
			case ar.Score >= StrongFrom:
				ar.Status = StatusStrong
			case ar.Score >= ThinBelow:
				ar.Status = StatusOnTrack
			default:
				ar.Status = StatusThin
			}
		}
		sumW += ar.Weight
		sumWS += ar.Weight * ar.Score
		r.Areas = append(r.Areas, ar)
	}
	if sumW > 0 {
		r.Overall = sumWS / sumW
	}
	return r
}
