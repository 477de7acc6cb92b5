package slackapp

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ladderapp/ladder/internal/fakeslack"
	"github.com/ladderapp/ladder/internal/ladder"
	"github.com/ladderapp/ladder/internal/prompts"
	"github.com/ladderapp/ladder/internal/store"
)

// gapsNow is the clock of the render tests: Monday 23 November 2026, 09:30.
var gapsNow = time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC)

func gapsMember(enrolled time.Time) ladder.Member {
	return ladder.Member{UserID: "U1", Level: ladder.EM, Target: ladder.SeniorEM, Track: "broad", Share: ladder.ShareSummary, EnrolledAt: enrolled}
}

func defaultLadder(t *testing.T) *ladder.Ladder {
	t.Helper()
	l, err := prompts.Default()
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestGapsText renders /ladder gaps from a readiness and its next steps,
// with no websocket: one two-line entry per area, no code block and no bar,
// "not started yet" in a new member's first two weeks, and weeks before
// joining never counted as weeks without evidence.
func TestGapsText(t *testing.T) {
	l := defaultLadder(t)
	now := gapsNow
	empty := ladder.Compute(l, ladder.SeniorEM, l.DefaultTrack(), nil, now)
	steps := prompts.Steps(l, prompts.State{Member: gapsMember(now), Readiness: empty, Now: now})
	if len(steps) != 5 {
		t.Fatalf("%d steps for an empty readiness, want 5", len(steps))
	}
	tests := []struct {
		name        string
		m           ladder.Member
		steps       []prompts.Step
		wants, nots []string
	}{
		{"enrolled today: not started yet, not a gap",
			gapsMember(now.Add(-time.Hour)), steps,
			[]string{"⚪ *People management* · not started yet\nNo answers here yet: you joined today.",
				"*Biggest gap: " + steps[0].Area.Area.Name + ".*",
				"Next question there: “" + steps[0].Prompt.Text + "”",
				"• *" + steps[1].Area.Area.Name + "* (not started yet)", "Ask yourself: “" + steps[1].Prompt.Text + "”"},
			[]string{"🔴", "no evidence in 26 weeks", "No gaps or thin areas left", "0%"}},
		{"enrolled 13 days ago: still not started",
			gapsMember(now.AddDate(0, 0, -13)), steps,
			[]string{"not started yet\nNo answers here yet: you joined 13 days ago."}, []string{"🔴"}},
		{"enrolled ten weeks ago: a gap since joining",
			gapsMember(now.AddDate(0, 0, -70)), steps,
			[]string{"🔴 *People management* · gap · 0%\nNo evidence since you joined."},
			[]string{"not started", "26 weeks"}},
		{"enrolled before the window: the whole window",
			gapsMember(now.AddDate(-1, 0, 0)), steps,
			[]string{"🔴 *Scaling the organisation* · gap · 0%\nNo evidence in the last 26 weeks."},
			[]string{"since you joined", "not started"}},
		{"a step without a question names the area and asks nothing",
			gapsMember(now.AddDate(-1, 0, 0)), []prompts.Step{{Area: steps[0].Area}},
			[]string{"*Biggest gap: " + steps[0].Area.Area.Name + ".*"}, []string{"Next question there", "Ask yourself"}},
		{"no steps: nothing short of evidence",
			gapsMember(now.AddDate(-1, 0, 0)), nil,
			[]string{"No gaps or thin areas left"}, []string{"Biggest gap"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := gapsText(l, tt.m, empty, tt.steps, nil, now)
			for _, w := range tt.wants {
				if !strings.Contains(got, w) {
					t.Errorf("gaps text lacks %q:\n%s", w, got)
				}
			}
			for _, n := range append(tt.nots, "```", "█", "░", "stretch", "excel") {
				if strings.Contains(got, n) {
					t.Errorf("gaps text has %q:\n%s", n, got)
				}
			}
			if n := strings.Count(got, "\n• *"); n != max(0, len(tt.steps)-1) {
				t.Errorf("%d steps after the biggest gap, want %d:\n%s", n, max(0, len(tt.steps)-1), got)
			}
		})
	}
}

// TestAreaText renders an area with evidence: its status word and emoji, its
// score as a percentage, and its weeks with evidence out of the weeks that
// count, with the last one.
func TestAreaText(t *testing.T) {
	l := defaultLadder(t)
	now := gapsNow
	var facts []ladder.Fact
	for i, p := range l.PromptsFor(ladder.SeniorEM, ladder.People)[:4] {
		facts = append(facts, ladder.Fact{Area: ladder.People, PromptID: p.ID, At: now.AddDate(0, 0, -7*i-3)})
	}
	r := ladder.Compute(l, ladder.SeniorEM, l.DefaultTrack(), facts, now)
	people, _ := r.ForArea(ladder.People)
	emoji, word := areaStatus(gapsMember(now.AddDate(-1, 0, 0)), people, now)
	want := emoji + " *People management* · " + word + " · " + strconv.Itoa(percent(people.Score)) + "%\nEvidence in 4 of the last 26 weeks · last 3 days ago"
	if got := areaText(gapsMember(now.AddDate(-1, 0, 0)), r, people, now); got != want {
		t.Errorf("area text:\ngot  %q\nwant %q", got, want)
	}
	// A member who joined 10 days ago (in the week before last) has had 3
	// weeks, counted Monday to Monday; evidence in them is never "not
	// started yet".
	recent := gapsMember(now.AddDate(0, 0, -10))
	ps := l.PromptsFor(ladder.SeniorEM, ladder.People)
	r = ladder.Compute(l, ladder.SeniorEM, l.DefaultTrack(), []ladder.Fact{
		{Area: ladder.People, PromptID: ps[0].ID, At: now.AddDate(0, 0, -9)},
		{Area: ladder.People, PromptID: ps[1].ID, At: now.AddDate(0, 0, -3)},
	}, now)
	people, _ = r.ForArea(ladder.People)
	if got, want := areaText(recent, r, people, now), "Evidence in 2 of 3 weeks since you joined · last 3 days ago"; !strings.HasSuffix(got, want) {
		t.Errorf("area text of a member who joined 10 days ago: %q, want it to end %q", got, want)
	}
	if _, w := areaStatus(recent, people, now); w == notStartedWord {
		t.Errorf("an area with evidence reads %q", w)
	}
	for _, tt := range []struct {
		status ladder.Status
		emoji  string
	}{{ladder.StatusStrong, "🌟"}, {ladder.StatusOnTrack, "🟢"}, {ladder.StatusThin, "🟡"}, {ladder.StatusGap, "🔴"}} {
		if e, w := areaStatus(gapsMember(now.AddDate(-1, 0, 0)), ladder.AreaReadiness{Status: tt.status, Pieces: 1}, now); e != tt.emoji || w != string(tt.status) {
			t.Errorf("%s reads %s %s, want %s %s", tt.status, e, w, tt.emoji, tt.status)
		}
	}
	if p := percent(0.354); p != 35 {
		t.Errorf("percent(0.354) = %d, want 35", p)
	}
}

// TestBiggestGapNamesUncoveredExpectations: the biggest gap lists the target
// expectations its evidence does not cover yet, a few and then how many
// more, and skips ids that are no expectation (a prompt without expects).
func TestBiggestGapNamesUncoveredExpectations(t *testing.T) {
	l := defaultLadder(t)
	lv, _ := l.Level(ladder.SeniorEM)
	var ids, texts []string
	for _, d := range ladder.Dimensions {
		for _, e := range lv.Expectations[d] {
			ids, texts = append(ids, e.ID), append(texts, e.Text)
		}
	}
	ar := ladder.AreaReadiness{Area: ladder.Area{ID: ladder.Scaling, Name: "Scaling the organisation"}, Status: ladder.StatusGap,
		Uncovered: []string{"some-prompt-id", ids[0], ids[1], "another-prompt-id", ids[2], ids[3], ids[4]}}
	got := biggestGapText(l, gapsMember(gapsNow), prompts.Step{Area: ar, Prompt: ladder.Prompt{ID: "p", Text: "What changed?"}})
	for _, w := range []string{"*Biggest gap: Scaling the organisation.*", "doesn't show yet:\n• " + texts[0] + "\n• " + texts[1] + "\n• " + texts[2] + "\n_and 2 more_\nNext question there: “What changed?”"} {
		if !strings.Contains(got, w) {
			t.Errorf("biggest gap lacks %q:\n%s", w, got)
		}
	}
	lacks := []string{texts[3], "some-prompt-id", "another-prompt-id"}
	for _, n := range lacks {
		if strings.Contains(got, n) {
			t.Errorf("biggest gap shows %q:\n%s", n, got)
		}
	}
	ar.Uncovered = []string{"only-a-prompt-id"}
	if got := biggestGapText(l, gapsMember(gapsNow), prompts.Step{Area: ar}); strings.Contains(got, "doesn't show yet") {
		t.Errorf("no known expectation, yet a list:\n%s", got)
	}
}

// TestGoalsText lists growth goals newest first with their area and date,
// leaves out goals whose question left the ladder, counts what it does not
// show, and says they are not evidence.
func TestGoalsText(t *testing.T) {
	l := defaultLadder(t)
	if got := goalsText(l, nil, time.UTC); got != "" {
		t.Errorf("no goals: %q, want nothing", got)
	}
	ps := l.PromptsFor(ladder.SeniorEM, ladder.Strategy)
	goals := []store.Goal{{PromptID: "gone-from-the-ladder", Created: gapsNow}}
	for i := range 7 {
		goals = append(goals, store.Goal{PromptID: ps[i].ID, Area: ladder.Strategy, Created: gapsNow.AddDate(0, 0, -i)})
	}
	got := goalsText(l, goals, time.UTC)
	for _, w := range []string{"*Growth goals: not yet*\n• “" + ps[0].Text + "” (Strategy & partnerships, since 23 Nov)", ps[4].Text, "_and 2 more_", "never count as evidence"} {
		if !strings.Contains(got, w) {
			t.Errorf("goals lack %q:\n%s", w, got)
		}
	}
	if strings.Contains(got, ps[5].Text) || strings.Contains(got, "gone-from-the-ladder") {
		t.Errorf("goals show more than %d, or a question the ladder lost:\n%s", maxGoalsShown, got)
	}
}

// TestGapsMessageBlockKit: the gaps reply Slack accepts, with a section per
// area, each with its own "Ask me about this" button.
func TestGapsMessageBlockKit(t *testing.T) {
	l := defaultLadder(t)
	r := ladder.Compute(l, ladder.SeniorEM, l.DefaultTrack(), nil, gapsNow)
	m := gapsMember(gapsNow.AddDate(-1, 0, 0))
	steps := prompts.Steps(l, prompts.State{Member: m, Readiness: r, Now: gapsNow})
	msg := gapsMessage(l, m, r, steps, []store.Goal{{PromptID: l.Prompts[0].ID, Created: gapsNow}}, gapsNow)
	checkMessage(t, "gaps", msg)
	raw, _ := json.Marshal(msg.Blocks)
	for _, a := range l.Areas {
		if !strings.Contains(string(raw), `"action_id":"ask_area:`+string(a.ID)+`"`) {
			t.Errorf("no Ask me about this button for %s", a.ID)
		}
	}
	if n := strings.Count(string(raw), "Ask me about this"); n != len(l.Areas) {
		t.Errorf("%d Ask me about this buttons, want %d", n, len(l.Areas))
	}
	if !strings.Contains(msg.Text, "Growth goals: not yet") {
		t.Errorf("gaps text lacks the growth goals:\n%s", msg.Text)
	}
}

// TestExpectationsModal shows every expectation of a level under its
// dimension, with a title Slack accepts, for every level of the ladder.
func TestExpectationsModal(t *testing.T) {
	l := defaultLadder(t)
	for _, lv := range l.Levels {
		v := expectationsModal(lv)
		raw, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if err := fakeslack.CheckView(raw); err != nil {
			t.Errorf("%s: Slack would refuse the modal: %v", lv.ID, err)
		}
		if n := len([]rune(v.Title.Text)); n > maxModalTitle {
			t.Errorf("%s: title %q has %d characters, over %d", lv.ID, v.Title.Text, n, maxModalTitle)
		}
		text := string(raw)
		for _, e := range l.ExpectationsFor(lv.ID) {
			if !strings.Contains(text, jsonString(e.Text)) {
				t.Errorf("%s: the modal lacks %q", lv.ID, e.Text)
			}
		}
	}
	if got := expectationsModal(ladder.Level{ID: "x", Short: "Principal Engineering Manager"}).Title.Text; got != "Expectations" {
		t.Errorf("long level name: title %q, want Expectations", got)
	}
}

// jsonString is s as it appears inside a JSON string.
func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return strings.Trim(string(b), `"`)
}

// TestPromptAbout names the rung a question is about, never "stretch" or "excel".
func TestPromptAbout(t *testing.T) {
	l := defaultLadder(t)
	m := gapsMember(gapsNow)
	for _, tt := range []struct {
		level ladder.LevelID
		want  string
	}{
		{ladder.SeniorEM, "a question about the next level"},
		{ladder.EM, "a question about doing your current level well"},
		{ladder.Director, "a question about Director"},
	} {
		if got := promptAbout(l, m, ladder.Prompt{Level: tt.level}); got != tt.want {
			t.Errorf("prompt at %s: %q, want %q", tt.level, got, tt.want)
		}
	}
}
