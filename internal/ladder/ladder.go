// Package ladder is Ladder's domain: the levels of the management ladder, the
// competency areas, the reflection prompts, the members who climb it, their
// evidence, and the readiness computed from that evidence.
//
// It is pure Go: it imports no Slack, SQL or cron package, so every other package
// can depend on it and it can be tested with plain tables.
package ladder

import (
	"fmt"
	"strings"
)

// AreaID names one of the competency areas, for example "people".
type AreaID string

// The five competency areas. A ladder file may describe them in its own words,
// but it must use these ids.
const (
	People    AreaID = "people"
	Execution AreaID = "execution"
	Technical AreaID = "technical"
	Strategy  AreaID = "strategy"
	Scaling   AreaID = "scaling"
)

// AreaIDs lists the area ids in their canonical order.
var AreaIDs = []AreaID{People, Execution, Technical, Strategy, Scaling}

// LevelID names a rung of the ladder, for example "senior-em".
type LevelID string

// The five rungs, lowest first.
const (
	EM       LevelID = "em"
	SeniorEM LevelID = "senior-em"
	Director LevelID = "director"
	VP       LevelID = "vp"
	CTO      LevelID = "cto"
)

// LevelIDs lists the level ids from the lowest rung to the highest.
var LevelIDs = []LevelID{EM, SeniorEM, Director, VP, CTO}

// Dimension is one of the five ways a level's expectations are described.
type Dimension string

// The dimensions of a level's expectations, as in the seed documents.
const (
	Leadership Dimension = "leadership"
	Scope      Dimension = "scope"
	Autonomy   Dimension = "autonomy"
	Impact     Dimension = "impact"
	Growth     Dimension = "growth"
)

// Dimensions lists the dimensions in display order.
var Dimensions = []Dimension{Leadership, Scope, Autonomy, Impact, Growth}

// DimensionName returns the heading a dimension is shown under.
func DimensionName(d Dimension) string {
	switch d {
	case Leadership:
		return "Leadership skills"
	case Scope:
		return "Team and project scope"
	case Autonomy:
		return "Autonomy and decision-making"
	case Impact:
		return "Impact and communication"
	case Growth:
		return "Growth indicators"
	}
	return string(d)
}

// Kind says whether a prompt evidences doing the current level well (excel) or
// operating at the next one (stretch).
type Kind string

// The two kinds of prompt.
const (
	Excel   Kind = "excel"
	Stretch Kind = "stretch"
)

// Area is a competency area.
type Area struct {
	ID          AreaID
	Name        string // "Execution & delivering results"
	Short       string // "Execution", for tight layouts
	Description string // one line
}

// Level is a rung of the ladder with what it expects.
type Level struct {
	ID    LevelID
	M     string // "M1"; empty where the ladder has no M-number
	Title string // "Senior Engineering Manager"
	Short string // "Senior EM"
	// Summary says in a sentence or two what changes on reaching this level.
	Summary string
	// Focus is, per area, one line on what this level is expected to do there.
	// It is the "next step" that gaps shows for an area with too little evidence.
	Focus map[AreaID]string
	// Expectations are the level's expectations per dimension.
	Expectations map[Dimension][]Expectation
	// TypicalYears is the usual time spent at this level before the next one,
	// as [min, max] years; zero where the ladder says nothing.
	TypicalYears [2]float64
}

// Expectation is one thing a level expects of a manager, in one dimension.
// Prompts name the expectations their answers give evidence for.
type Expectation struct {
	ID        string // kebab-case, unique in the ladder: "senior-em-scope-ambiguity"
	Dimension Dimension
	Text      string
}

// Track is a path up the ladder that weighs the areas differently.
type Track struct {
	ID          string // "broad" or "deep"
	Name        string
	Description string
	Weights     map[AreaID]float64
}

// Weight returns how much area a counts on the track; 1 where the ladder is silent.
func (t Track) Weight(a AreaID) float64 {
	if w, ok := t.Weights[a]; ok {
		return w
	}
	return 1
}

// Prompt is one reflection question.
type Prompt struct {
	ID    string
	Area  AreaID
	Level LevelID // the level whose expectations an answer evidences
	Kind  Kind
	Text  string
	Hint  string // what good evidence looks like
	// Expects names the expectations (of Level) that an answer gives evidence for.
	Expects []string
	// Track is empty for a prompt on every track, or the id of the one track
	// it belongs to.
	Track string
}

// Ladder is the whole ladder: what prompts.yaml describes.
type Ladder struct {
	Areas   []Area
	Levels  []Level // lowest first
	Tracks  []Track // the first is the default
	Prompts []Prompt
	// WindowWeeks is how far back evidence counts towards readiness.
	WindowWeeks int
}

// DefaultWindowWeeks is the readiness window when the ladder file sets none.
const DefaultWindowWeeks = 26

// Area returns the area with the given id.
func (l *Ladder) Area(id AreaID) (Area, bool) {
	for _, a := range l.Areas {
		if a.ID == id {
			return a, true
		}
	}
	return Area{}, false
}

// Level returns the level with the given id.
func (l *Ladder) Level(id LevelID) (Level, bool) {
	for _, lv := range l.Levels {
		if lv.ID == id {
			return lv, true
		}
	}
	return Level{}, false
}

// NextLevel returns the rung above id, and false at the top of the ladder.
func (l *Ladder) NextLevel(id LevelID) (Level, bool) {
	for i, lv := range l.Levels {
		if lv.ID == id && i+1 < len(l.Levels) {
			return l.Levels[i+1], true
		}
	}
	return Level{}, false
}

// Track returns the track with the given id.
func (l *Ladder) Track(id string) (Track, bool) {
	for _, t := range l.Tracks {
		if t.ID == id {
			return t, true
		}
	}
	return Track{}, false
}

// DefaultTrack returns the first track of the ladder, or an unweighted one.
func (l *Ladder) DefaultTrack() Track {
	if len(l.Tracks) > 0 {
		return l.Tracks[0]
	}
	return Track{ID: "broad", Name: "Manager of managers"}
}

// Prompt returns the prompt with the given id.
func (l *Ladder) Prompt(id string) (Prompt, bool) {
	for _, p := range l.Prompts {
		if p.ID == id {
			return p, true
		}
	}
	return Prompt{}, false
}

// PromptsFor returns the prompts of one level in one area, in file order.
func (l *Ladder) PromptsFor(level LevelID, area AreaID) []Prompt {
	var ps []Prompt
	for _, p := range l.Prompts {
		if p.Level == level && p.Area == area {
			ps = append(ps, p)
		}
	}
	return ps
}

// Expectation returns the expectation with the given id and the level it
// belongs to. Ids are unique across the ladder; the loader makes sure of it.
func (l *Ladder) Expectation(id string) (Expectation, LevelID, bool) {
	for _, lv := range l.Levels {
		for _, d := range Dimensions {
			for _, e := range lv.Expectations[d] {
				if e.ID == id {
					return e, lv.ID, true
				}
			}
		}
	}
	return Expectation{}, "", false
}

// ExpectationsFor returns the expectations of one level, in dimension order
// and, within a dimension, in file order.
func (l *Ladder) ExpectationsFor(level LevelID) []Expectation {
	lv, ok := l.Level(level)
	if !ok {
		return nil
	}
	var es []Expectation
	for _, d := range Dimensions {
		es = append(es, lv.Expectations[d]...)
	}
	return es
}

// Unevidenced returns the expectations that no prompt names, in level then
// dimension order. With a track id it counts only the prompts asked on that
// track (those without a track and those on it): an expectation that only
// deep-track prompts name is never asked of a member on the broad track.
func (l *Ladder) Unevidenced(track string) []Expectation {
	named := map[string]bool{}
	for _, p := range l.Prompts {
		if track == "" || p.Track == "" || p.Track == track {
			for _, id := range p.Expects {
				named[id] = true
			}
		}
	}
	var es []Expectation
	for _, lv := range l.Levels {
		for _, e := range l.ExpectationsFor(lv.ID) {
			if !named[e.ID] {
				es = append(es, e)
			}
		}
	}
	return es
}

// Window returns the readiness window in weeks.
func (l *Ladder) Window() int {
	if l.WindowWeeks > 0 {
		return l.WindowWeeks
	}
	return DefaultWindowWeeks
}

// ParseLevel finds a level by its id ("senior-em"), its M-number ("M2"), its
// title ("Senior Engineering Manager") or its short title ("Senior EM"), in any
// case. Spaces and hyphens are interchangeable.
func (l *Ladder) ParseLevel(s string) (Level, error) {
	key := levelKey(s)
	if key != "" {
		for _, lv := range l.Levels {
			for _, name := range []string{string(lv.ID), lv.M, lv.Title, lv.Short} {
				if name != "" && levelKey(name) == key {
					return lv, nil
				}
			}
		}
	}
	return Level{}, fmt.Errorf("%w: %q (accepted: %s)", ErrUnknownLevel, s, l.levelForms())
}

func levelKey(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.NewReplacer("-", " ", "_", " ", ".", "").Replace(s)
	return strings.Join(strings.Fields(s), " ")
}

func (l *Ladder) levelForms() string {
	var forms []string
	for _, lv := range l.Levels {
		f := string(lv.ID)
		if lv.M != "" {
			f += " (" + lv.M + ")"
		}
		forms = append(forms, f)
	}
	return strings.Join(forms, ", ")
}

// ParseArea finds an area by its id or its name, in any case, or by a unique
// prefix of either ("exec", "scal").
func (l *Ladder) ParseArea(s string) (Area, error) {
	key := strings.ToLower(strings.TrimSpace(s))
	if key != "" {
		var found []Area
		for _, a := range l.Areas {
			id, name := string(a.ID), strings.ToLower(a.Name)
			if key == id || key == name {
				return a, nil
			}
			if strings.HasPrefix(id, key) || strings.HasPrefix(name, key) {
				found = append(found, a)
			}
		}
		if len(found) == 1 {
			return found[0], nil
		}
	}
	ids := make([]string, len(l.Areas))
	for i, a := range l.Areas {
		ids[i] = string(a.ID)
	}
	return Area{}, fmt.Errorf("%w: %q (accepted: %s)", ErrUnknownArea, s, strings.Join(ids, ", "))
}
