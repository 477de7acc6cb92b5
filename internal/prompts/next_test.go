package prompts

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/ladderapp/ladder/internal/ladder"
)

var now = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)

const week = 7 * 24 * time.Hour

// climber is an EM aiming at senior EM on the broad track.
var climber = ladder.Member{UserID: "U1", Level: ladder.EM, Target: ladder.SeniorEM, Track: "broad"}

// chooserLadder is a small ladder for the chooser: five areas, three levels.
//
//   - EM: em-<area>-1 and -2, one expectation each.
//   - Senior EM: sem-<area>-1 names x1; -2 names x2 and x3; -3 names x3.
//     Technical has sem-technical-deep too, on the deep track only.
//   - Director: dir-<area>-1.
func chooserLadder() *ladder.Ladder {
	l := &ladder.Ladder{WindowWeeks: 26}
	for _, id := range ladder.AreaIDs {
		l.Areas = append(l.Areas, ladder.Area{ID: id, Name: string(id)})
	}
	l.Levels = []ladder.Level{{ID: ladder.EM}, {ID: ladder.SeniorEM}, {ID: ladder.Director}}
	l.Tracks = []ladder.Track{
		{ID: "broad", Weights: map[ladder.AreaID]float64{ladder.People: 1.2, ladder.Scaling: 1.2, ladder.Technical: 0.8}},
		{ID: "deep", Weights: map[ladder.AreaID]float64{ladder.Technical: 1.4}},
	}
	add := func(id string, a ladder.AreaID, lv ladder.LevelID, kind ladder.Kind, expects ...string) {
		l.Prompts = append(l.Prompts, ladder.Prompt{ID: id, Area: a, Level: lv, Kind: kind, Text: "?", Expects: expects})
	}
	for _, a := range ladder.AreaIDs {
		add(fmt.Sprintf("em-%s-1", a), a, ladder.EM, ladder.Excel, fmt.Sprintf("em-%s-y1", a))
		add(fmt.Sprintf("em-%s-2", a), a, ladder.EM, ladder.Excel, fmt.Sprintf("em-%s-y2", a))
		x := func(n int) string { return fmt.Sprintf("sem-%s-x%d", a, n) }
		add(fmt.Sprintf("sem-%s-1", a), a, ladder.SeniorEM, ladder.Stretch, x(1))
		add(fmt.Sprintf("sem-%s-2", a), a, ladder.SeniorEM, ladder.Stretch, x(2), x(3))
		add(fmt.Sprintf("sem-%s-3", a), a, ladder.SeniorEM, ladder.Stretch, x(3))
		add(fmt.Sprintf("dir-%s-1", a), a, ladder.Director, ladder.Stretch, fmt.Sprintf("dir-%s-z1", a))
	}
	l.Prompts = append(l.Prompts, ladder.Prompt{ID: "sem-technical-deep", Area: ladder.Technical, Level: ladder.SeniorEM,
		Kind: ladder.Stretch, Text: "?", Track: "deep", Expects: []string{"sem-technical-xdeep"}})
	return l
}

// ranked returns a senior-em readiness whose areas rank in the given order,
// biggest gap first; areas left out come last. Every area is thin, with
// nothing covered and a full foundation.
func ranked(l *ladder.Ladder, order ...ladder.AreaID) ladder.Readiness {
	r := ladder.Readiness{Target: ladder.Level{ID: ladder.SeniorEM}, Track: l.Tracks[0]}
	for _, a := range l.Areas {
		score := 0.9
		if i := slices.Index(order, a.ID); i >= 0 {
			score = float64(i) / 10
		}
		ar := ladder.AreaReadiness{Area: a, Weight: 1, Score: score, Status: ladder.StatusThin, Foundation: 1}
		for _, p := range l.PromptsFor(ladder.SeniorEM, a.ID) {
			for _, id := range p.Evidences() {
				if !slices.Contains(ar.Uncovered, id) {
					ar.Uncovered = append(ar.Uncovered, id)
				}
			}
		}
		r.Areas = append(r.Areas, ar)
	}
	return r
}

// with changes one area of a readiness.
func with(r ladder.Readiness, id ladder.AreaID, change func(*ladder.AreaReadiness)) ladder.Readiness {
	r.Areas = slices.Clone(r.Areas)
	for i := range r.Areas {
		if r.Areas[i].Area.ID == id {
			change(&r.Areas[i])
		}
	}
	return r
}

func onTrack(a *ladder.AreaReadiness) { a.Status = ladder.StatusOnTrack }

// allOnTrack marks every area of a readiness on track.
func allOnTrack(r ladder.Readiness) ladder.Readiness {
	for _, a := range ladder.AreaIDs {
		r = with(r, a, onTrack)
	}
	return r
}

func sent(id string, ago time.Duration) ladder.Sent {
	return ladder.Sent{PromptID: id, At: now.Add(-ago)}
}

// sentAll says every prompt of l at the level went out at the given age,
// except those in ages.
func sentAll(l *ladder.Ladder, level ladder.LevelID, ago time.Duration, ages map[string]time.Duration) []ladder.Sent {
	var ss []ladder.Sent
	for _, p := range l.Prompts {
		if p.Level != level {
			continue
		}
		a, ok := ages[p.ID]
		if !ok {
			a = ago
		}
		ss = append(ss, sent(p.ID, a))
	}
	return ss
}

// padded adds on-demand sends of director prompts, long ago, until the
// history holds n sends: it sets where the rhythm stands.
func padded(n int, ss ...ladder.Sent) []ladder.Sent {
	for i := 0; len(ss) < n; i++ {
		ss = append(ss, sent(fmt.Sprintf("dir-%s-1", ladder.AreaIDs[i%5]), 100*week))
	}
	return ss
}

func TestNext(t *testing.T) {
	l := chooserLadder()
	broad := l.Tracks[0]
	peopleFirst := ranked(l, ladder.People, ladder.Scaling, ladder.Execution)
	strategyFirstForDirector := ranked(l, ladder.Strategy)
	strategyFirstForDirector.Target = ladder.Level{ID: ladder.Director}
	deepTechnicalFirst := ranked(l, ladder.Technical)
	deepTechnicalFirst.Track = l.Tracks[1]
	allPeopleLongAgo := []ladder.Sent{sent("sem-people-1", 60*week), sent("sem-people-2", 60*week), sent("sem-people-3", 40*week)}

	tests := []struct {
		name  string
		state State
		want  string
	}{
		{"no evidence: the biggest gap by track weight, the prompt naming most uncovered expectations",
			State{Member: climber, Readiness: ladder.Compute(l, ladder.SeniorEM, broad, nil, now)},
			"sem-people-2"},
		{"a zero readiness walks the areas in file order, prompts in file order",
			State{Member: climber},
			"sem-people-1"},
		{"the ranking decides, not the file order",
			State{Member: climber, Readiness: ranked(l, ladder.Strategy)},
			"sem-strategy-2"},
		{"a prompt naming only covered expectations comes last among the unasked",
			State{Member: climber, Readiness: with(peopleFirst, ladder.People, func(a *ladder.AreaReadiness) {
				a.Uncovered = []string{"sem-people-x1"}
			}), Sent: padded(4, sent("sem-people-1", 60*week))},
			"sem-people-2"},
		{"never asked beats asked a year ago, whatever the window",
			State{Member: climber, Readiness: peopleFirst, Sent: []ladder.Sent{sent("sem-people-1", 60*week), sent("sem-people-2", 60*week)}},
			"sem-people-3"},
		{"a thin area, all asked: the rested prompt that would cover something, before another area",
			State{Member: climber, Readiness: with(peopleFirst, ladder.People, func(a *ladder.AreaReadiness) {
				a.Uncovered = []string{"sem-people-x1"}
			}), Sent: allPeopleLongAgo},
			"sem-people-1"},
		{"a thin area, all asked, nothing it would cover: the next area's unasked prompt",
			State{Member: climber, Readiness: with(peopleFirst, ladder.People, func(a *ladder.AreaReadiness) {
				a.Uncovered = nil
			}), Sent: allPeopleLongAgo},
			"sem-scaling-2"},
		{"an area on track, all asked: the next area's unasked prompt",
			State{Member: climber, Readiness: with(peopleFirst, ladder.People, onTrack), Sent: allPeopleLongAgo},
			"sem-scaling-2"},
		{"a repeat rests RepeatAfter first",
			State{Member: climber, Readiness: with(peopleFirst, ladder.People, func(a *ladder.AreaReadiness) {
				a.Uncovered = []string{"sem-people-x1"}
			}), Sent: []ladder.Sent{sent("sem-people-1", 8*week-time.Minute), sent("sem-people-2", 30*week), sent("sem-people-3", 30*week)}},
			"sem-scaling-2"},
		{"everything asked and on track: the biggest gap's prompt unanswered in the window",
			State{Member: climber, Readiness: allOnTrack(peopleFirst),
				Answered: map[string]bool{"sem-people-1": true, "sem-people-3": true},
				Sent:     sentAll(l, ladder.SeniorEM, 20*week, map[string]time.Duration{"sem-people-1": 40 * week, "sem-people-2": 10 * week})},
			"sem-people-2"},
		{"everything asked and on track, all answered: the one that rested longest",
			State{Member: climber, Readiness: allOnTrack(peopleFirst),
				Answered: map[string]bool{"sem-people-1": true, "sem-people-2": true, "sem-people-3": true},
				Sent:     sentAll(l, ladder.SeniorEM, 20*week, map[string]time.Duration{"sem-people-3": 30 * week})},
			"sem-people-3"},
		{"everything sent within RepeatAfter: the biggest gap's that rested longest",
			State{Member: climber, Readiness: peopleFirst,
				Sent: append(sentAll(l, ladder.SeniorEM, 2*week, map[string]time.Duration{"sem-people-3": 5 * week, "sem-scaling-1": 7 * week}),
					sentAll(l, ladder.EM, week, nil)...)},
			"sem-people-3"},
		{"everything sent within RepeatAfter: never the excluded one while another is left",
			State{Member: climber, Readiness: peopleFirst, Exclude: "sem-people-3",
				Sent: append(sentAll(l, ladder.SeniorEM, 2*week, map[string]time.Duration{"sem-people-3": 5 * week}),
					sentAll(l, ladder.EM, week, nil)...)},
			"sem-people-1"},
		{"Exclude is skipped",
			State{Member: climber, Readiness: peopleFirst, Exclude: "sem-people-2"},
			"sem-people-1"},
		{"the deep track's own prompt, on the deep track",
			State{Member: ladder.Member{Level: ladder.EM, Target: ladder.SeniorEM, Track: "deep"}, Readiness: deepTechnicalFirst,
				Sent: []ladder.Sent{sent("sem-technical-1", 30*week), sent("sem-technical-2", 30*week), sent("sem-technical-3", 30*week)}},
			"sem-technical-deep"},
		{"never another track's prompt",
			State{Member: climber, Readiness: with(ranked(l, ladder.Technical), ladder.Technical, onTrack),
				Sent: []ladder.Sent{sent("sem-technical-1", 30*week), sent("sem-technical-2", 30*week), sent("sem-technical-3", 30*week)}},
			"sem-people-2"},
		{"the sixth send is a foundation one, in the thinnest foundation",
			State{Member: climber, Readiness: with(peopleFirst, ladder.Strategy, func(a *ladder.AreaReadiness) { a.Foundation = 0.5 }),
				Sent: padded(5)},
			"em-strategy-1"},
		{"the fifth send is not",
			State{Member: climber, Readiness: with(peopleFirst, ladder.Strategy, func(a *ladder.AreaReadiness) { a.Foundation = 0.5 }),
				Sent: padded(4)},
			"sem-people-2"},
		{"the twelfth is: a foundation tie goes to the biggest gap, and the unasked first",
			State{Member: climber, Readiness: peopleFirst, Sent: padded(11, sent("em-people-1", 50*week))},
			"em-people-2"},
		{"a foundation area with all asked repeats its rested one",
			State{Member: climber, Readiness: with(peopleFirst, ladder.Scaling, func(a *ladder.AreaReadiness) { a.Foundation = 0 }),
				Sent: padded(5, sent("em-scaling-1", 30*week), sent("em-scaling-2", 40*week))},
			"em-scaling-2"},
		{"no foundation prompt rested: a target one after all",
			State{Member: climber, Readiness: peopleFirst, Sent: padded(5, sentAll(l, ladder.EM, week, nil)...)},
			"sem-people-2"},
		{"out of rhythm, a foundation one when the biggest gap lacks only its foundation",
			State{Member: climber, Readiness: with(peopleFirst, ladder.People, func(a *ladder.AreaReadiness) {
				a.Coverage, a.Foundation = ladder.MinCoverage, 0
			})},
			"em-people-1"},
		{"but not while it lacks coverage too",
			State{Member: climber, Readiness: with(peopleFirst, ladder.People, func(a *ladder.AreaReadiness) {
				a.Coverage, a.Foundation = ladder.MinCoverage-0.01, 0
			})},
			"sem-people-2"},
		{"no target set: the readiness's target",
			State{Member: ladder.Member{Level: ladder.SeniorEM}, Readiness: strategyFirstForDirector},
			"dir-strategy-1"},
		{"at the top: current-level prompts, and no foundation turn",
			State{Member: ladder.Member{Level: ladder.Director, Target: ladder.Director}, Readiness: strategyFirstForDirector, Sent: padded(5)},
			"dir-strategy-1"},
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
			// The same state gives the same prompt, whatever the order of Sent.
			tt.state.Sent = slices.Clone(tt.state.Sent)
			slices.Reverse(tt.state.Sent)
			if again, _ := Next(l, tt.state); again.ID != got.ID {
				t.Errorf("Next again = %s, want %s again", again.ID, got.ID)
			}
		})
	}
}

// TestNextWeekly asks Next every week for three years, as the scheduler
// would, for a member who answers every prompt, one who answers one in three,
// and one who never answers.
func TestNextWeekly(t *testing.T) {
	l := chooserLadder()
	for _, every := range []int{1, 3, 0} {
		t.Run(fmt.Sprintf("answering one in %d", every), func(t *testing.T) {
			s := State{Member: climber}
			var facts []ladder.Fact
			firstAll := map[ladder.LevelID]int{}
			foundation := 0
			for w := range 156 {
				s.Now = now.Add(time.Duration(w) * week)
				s.Readiness = ladder.Compute(l, climber.Target, l.DefaultTrack(), facts, s.Now)
				s.Answered = map[string]bool{}
				for _, f := range facts {
					if s.Now.Sub(f.At) < 26*week {
						s.Answered[f.PromptID] = true
					}
				}
				p, err := Next(l, s)
				if err != nil {
					t.Fatalf("week %d: Next: %v", w, err)
				}
				if p.Level != climber.Level && p.Level != climber.Target || !p.ForTrack("broad") {
					t.Fatalf("week %d: %s is at level %s on track %q", w, p.ID, p.Level, p.Track)
				}
				asked := lastSent(s.Sent)
				if at, ok := asked[p.ID]; ok {
					if s.Now.Sub(at) < RepeatAfter {
						t.Fatalf("week %d: %s again after %v", w, p.ID, s.Now.Sub(at))
					}
					for _, q := range l.PromptsFor(p.Level, p.Area) {
						if _, ok := asked[q.ID]; !ok && q.ForTrack("broad") {
							t.Fatalf("week %d: %s repeated while %s was never asked", w, p.ID, q.ID)
						}
					}
				}
				if p.Level == climber.Level {
					foundation++
				}
				s.Sent = append(s.Sent, ladder.Sent{PromptID: p.ID, At: s.Now})
				for _, lv := range []ladder.LevelID{climber.Level, climber.Target} {
					if _, done := firstAll[lv]; !done && allAsked(l, lv, lastSent(s.Sent)) {
						firstAll[lv] = w
					}
				}
				if every > 0 && w%every == 0 {
					facts = append(facts, ladder.Fact{Area: p.Area, PromptID: p.ID, At: s.Now.Add(time.Hour)})
				}
			}
			// Fifteen target prompts: all asked within 40 weeks. Ten
			// foundation prompts, one send in six at least: within 60.
			if w, ok := firstAll[climber.Target]; !ok || w >= 40 {
				t.Errorf("every target prompt asked by week %d (done %v), want before 40", w, ok)
			}
			if w, ok := firstAll[climber.Level]; !ok || w >= 60 {
				t.Errorf("every foundation prompt asked by week %d (done %v), want before 60", w, ok)
			}
			if foundation < 156/ExcelEvery {
				t.Errorf("%d foundation prompts in 156 weeks, want at least %d", foundation, 156/ExcelEvery)
			}
			if every == 1 {
				if r := ladder.Compute(l, climber.Target, l.DefaultTrack(), facts, s.Now); r.OnTrack() != 5 {
					t.Errorf("answering every week: %d of 5 areas on track after three years, want 5", r.OnTrack())
				}
			}
		})
	}
}

func allAsked(l *ladder.Ladder, lv ladder.LevelID, asked map[string]time.Time) bool {
	for _, p := range l.Prompts {
		if _, ok := asked[p.ID]; p.Level == lv && p.ForTrack("broad") && !ok {
			return false
		}
	}
	return true
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
			State{Member: climber, Exclude: "only", Sent: []ladder.Sent{sent("only", week)}},
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
