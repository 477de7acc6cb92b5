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

// The readiness model's constants. The README states the formula with them.
const (
	// WeeksForFull is how many distinct weeks with evidence in an area count as
	// full consistency: two months of showing it, week after week.
	WeeksForFull = 8
	// CoverageWeight, ConsistencyWeight and RecencyWeight add up to 1.
	CoverageWeight    = 0.4
	ConsistencyWeight = 0.4
	RecencyWeight     = 0.2
	// ThinBelow and StrongFrom split the score into statuses.
	ThinBelow  = 0.5
	StrongFrom = 0.8
)

// AreaReadiness is one area's part of readiness.
type AreaReadiness struct {
	Area        Area
	Weight      float64 // the track's weight for the area
	Prompts     int     // target-level prompts in the area
	Answered    int     // distinct ones of those answered in the window
	Pieces      int     // pieces of evidence in the window
	Weeks       int     // distinct ISO weeks with evidence in the window
	Last        time.Time
	Coverage    float64 // 0..1
	Consistency float64 // 0..1
	Recency     float64 // 0..1
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
	Track  Track
	Window int             // weeks
	Areas  []AreaReadiness // in the ladder's area order
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

// Compute works out readiness for the target level on the track, from the facts
// of a member's evidence, as of now.
//
// Per area, over the window (default 26 weeks):
//   - coverage is the share of the area's target-level prompts answered at least
//     once; answering the same prompt again adds nothing to it;
//   - consistency is the number of distinct ISO weeks with evidence, over 8;
//   - recency falls from 1 on the day of the last evidence to 0 at the window's edge.
//
// The score is 0.4·coverage + 0.4·consistency + 0.2·recency. An area with no
// evidence in the window is a gap; below 0.5 it is thin; from 0.8 it is strong;
// in between it is on track. Facts about one area never touch another.
func Compute(l *Ladder, target LevelID, track Track, facts []Fact, now time.Time) Readiness {
	lv, _ := l.Level(target)
	window := l.Window()
	since := now.Add(-time.Duration(window) * 7 * 24 * time.Hour)
	r := Readiness{Target: lv, Track: track, Window: window}

	type acc struct {
		answered map[string]bool
		weeks    map[Week]bool
		pieces   int
		last     time.Time
	}
	byArea := make(map[AreaID]*acc, len(l.Areas))
	targetPrompt := make(map[string]AreaID)
	for _, p := range l.Prompts {
		if p.Level == target {
			targetPrompt[p.ID] = p.Area
		}
	}
	for _, f := range facts {
		if f.Area == "" || f.At.Before(since) || f.At.After(now) {
			continue
		}
		a := byArea[f.Area]
		if a == nil {
			a = &acc{answered: map[string]bool{}, weeks: map[Week]bool{}}
			byArea[f.Area] = a
		}
		a.pieces++
		a.weeks[WeekOf(f.At.In(now.Location()))] = true
		if f.At.After(a.last) {
			a.last = f.At
		}
		if area, ok := targetPrompt[f.PromptID]; ok && area == f.Area {
			a.answered[f.PromptID] = true
		}
	}

	var sumW, sumWS float64
	for _, area := range l.Areas {
		ar := AreaReadiness{
			Area:    area,
			Weight:  track.Weight(area.ID),
			Prompts: len(l.PromptsFor(target, area.ID)),
			Focus:   lv.Focus[area.ID],
			Status:  StatusGap,
		}
		if a := byArea[area.ID]; a != nil {
			ar.Answered = len(a.answered)
			ar.Pieces = a.pieces
			ar.Weeks = len(a.weeks)
			ar.Last = a.last
			if ar.Prompts > 0 {
				ar.Coverage = float64(ar.Answered) / float64(ar.Prompts)
			}
			ar.Consistency = math.Min(1, float64(ar.Weeks)/WeeksForFull)
			age := now.Sub(a.last).Hours() / 24
			ar.Recency = math.Max(0, 1-age/float64(window*7))
			ar.Score = CoverageWeight*ar.Coverage + ConsistencyWeight*ar.Consistency + RecencyWeight*ar.Recency
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
