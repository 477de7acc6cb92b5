package slackapp

import (
	"testing"
	"time"

	"github.com/ladderapp/ladder/internal/ladder"
	"github.com/ladderapp/ladder/internal/prompts"
)

// smallLadder has three levels and, in one area, questions at each; one EM
// question is for the deep track only.
func smallLadder() *ladder.Ladder {
	p := func(id string, level ladder.LevelID, area ladder.AreaID, track string) ladder.Prompt {
		return ladder.Prompt{ID: id, Level: level, Area: area, Kind: ladder.Stretch, Text: id + "?", Track: track}
	}
	return &ladder.Ladder{
		Areas:  []ladder.Area{{ID: ladder.People, Name: "People"}, {ID: ladder.Scaling, Name: "Scaling"}},
		Levels: []ladder.Level{{ID: ladder.EM, Short: "EM"}, {ID: ladder.SeniorEM, Short: "Senior EM"}, {ID: ladder.Director, Short: "Director"}},
		Tracks: []ladder.Track{{ID: "broad"}, {ID: "deep"}},
		Prompts: []ladder.Prompt{
			p("em-deep", ladder.EM, ladder.Scaling, "deep"),
			p("em-1", ladder.EM, ladder.Scaling, ""),
			p("em-2", ladder.EM, ladder.Scaling, ""),
			p("sem-1", ladder.SeniorEM, ladder.Scaling, ""),
			p("sem-2", ladder.SeniorEM, ladder.Scaling, ""),
			p("dir-1", ladder.Director, ladder.Scaling, ""),
			p("em-people", ladder.EM, ladder.People, ""),
			p("sem-people", ladder.SeniorEM, ladder.People, ""),
		},
	}
}

// TestSmallerPrompt chooses the smaller question after a Not yet: the
// nearest level below, in the goal's area and on the member's track, never
// sent first, then the one sent longest ago, never another goal; else a
// question of the goal's own level; else none.
func TestSmallerPrompt(t *testing.T) {
	l := smallLadder()
	now := time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC)
	sent := func(ids ...string) []ladder.Sent {
		var ss []ladder.Sent
		for i, id := range ids {
			ss = append(ss, ladder.Sent{PromptID: id, At: now.AddDate(0, 0, -30+i)})
		}
		return ss
	}
	goal := func(id string) ladder.Prompt { p, _ := l.Prompt(id); return p }
	tests := []struct {
		name  string
		track string
		goal  string
		sent  []ladder.Sent
		skip  []string
		want  string
	}{
		{"a target question: the current level's first never sent", "broad", "sem-1", nil, nil, "em-1"},
		{"the deep track's own question counts on the deep track", "deep", "sem-1", nil, nil, "em-deep"},
		{"never sent beats sent", "broad", "sem-1", sent("em-1"), nil, "em-2"},
		{"all sent: the one sent longest ago", "broad", "sem-1", sent("em-2", "em-1"), nil, "em-2"},
		{"another goal is never the smaller question", "broad", "sem-1", nil, []string{"em-1"}, "em-2"},
		{"a director question: the nearest level below, Senior EM", "broad", "dir-1", nil, nil, "sem-1"},
		{"below is all goals: the next level down", "broad", "dir-1", nil, []string{"sem-1", "sem-2"}, "em-1"},
		{"the bottom rung: another of the same level", "broad", "em-1", nil, nil, "em-2"},
		{"nothing else in the area", "broad", "em-people", nil, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			skip := map[string]bool{tt.goal: true}
			for _, id := range tt.skip {
				skip[id] = true
			}
			st := prompts.State{Member: ladder.Member{Level: ladder.EM, Target: ladder.SeniorEM, Track: tt.track}, Sent: tt.sent, Now: now}
			got, ok := smallerPrompt(l, st, goal(tt.goal), skip)
			if got.ID != tt.want || ok != (tt.want != "") {
				t.Errorf("smaller question after %s: got %q, %v; want %q", tt.goal, got.ID, ok, tt.want)
			}
		})
	}
}

// TestPromptIn chooses the question "Ask me about this" asks: the chooser's
// choice within the area, and when every question there was asked recently,
// the area's question asked longest ago, never one of another area.
func TestPromptIn(t *testing.T) {
	l := smallLadder()
	now := time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC)
	m := ladder.Member{Level: ladder.EM, Target: ladder.SeniorEM, Track: "broad"}
	r := ladder.Compute(l, ladder.SeniorEM, l.Tracks[0], nil, now)
	st := prompts.State{Member: m, Readiness: r, Now: now}
	if p, ok := promptIn(l, st, ladder.Scaling); !ok || p.ID != "sem-1" {
		t.Errorf("nothing asked yet: %q, %v; want sem-1", p.ID, ok)
	}
	st.Sent = []ladder.Sent{{PromptID: "sem-1", At: now.AddDate(0, 0, -1)}}
	if p, ok := promptIn(l, st, ladder.Scaling); !ok || p.ID != "sem-2" {
		t.Errorf("sem-1 asked: %q, %v; want sem-2", p.ID, ok)
	}
	// Everything in People asked yesterday: still a People question, the
	// one asked longest ago.
	st.Sent = []ladder.Sent{{PromptID: "em-people", At: now.AddDate(0, 0, -2)}, {PromptID: "sem-people", At: now.AddDate(0, 0, -1)}}
	if p, ok := promptIn(l, st, ladder.People); !ok || p.ID != "sem-people" {
		t.Errorf("People all asked: %q, %v; want sem-people, the target level's", p.ID, ok)
	}
	if _, ok := promptIn(l, st, ladder.Technical); ok {
		t.Error("an area without questions gave one")
	}
}
