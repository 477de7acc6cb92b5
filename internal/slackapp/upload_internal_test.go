package slackapp

import (
	"strings"
	"testing"
	"time"

	"github.com/ladderapp/ladder/internal/ladder"
)

// TestPacketFileClaims renders the file from evidence on its own: an answer
// sits under each expectation its question names, dated, with its source
// link when it has one; an answer to a question of another level, and
// unprompted evidence, sit under "Other evidence"; an expectation without
// evidence says so and is listed again among the open gaps.
func TestPacketFileClaims(t *testing.T) {
	l := defaultLadder(t)
	m := gapsMember(gapsNow.Add(-60 * 24 * time.Hour))
	m.Name = "Alice"
	var target, foundation ladder.Prompt
	for _, p := range l.Prompts {
		if p.Level == m.Target && p.ForTrack("broad") && len(p.Expects) >= 2 && target.ID == "" {
			target = p
		}
	}
	for _, p := range l.Prompts {
		if p.Level == m.Level && p.Area == target.Area && foundation.ID == "" {
			foundation = p
		}
	}
	if target.ID == "" || foundation.ID == "" {
		t.Fatal("the default ladder has no prompts to test with")
	}
	day := func(d int) time.Time { return gapsNow.Add(-time.Duration(d) * 24 * time.Hour) }
	es := []ladder.Evidence{
		{ID: 1, UserID: "U1", Area: target.Area, PromptID: target.ID, Text: "Answered the target question", Created: day(10)},
		{ID: 2, UserID: "U1", Area: foundation.Area, PromptID: foundation.ID, Text: "Answered an EM question", Created: day(5)},
		{ID: 3, UserID: "U1", Area: target.Area, Text: "Unprompted, with a link", Created: day(2)},
	}
	var facts []ladder.Fact
	for _, e := range es {
		facts = append(facts, ladder.Fact{Area: e.Area, PromptID: e.PromptID, At: e.Created})
	}
	links := map[int64]string{1: "https://ladder.slack.com/archives/C1/p1700000000000100"}
	doc := packetDoc{
		l: l, m: m, who: m.Name, es: es, now: gapsNow,
		r:      ladder.Compute(l, m.Target, l.DefaultTrack(), facts, gapsNow),
		name:   func(id string) string { return "@" + id },
		linkOf: func(e ladder.Evidence) string { return links[e.ID] },
	}.render()

	area, _ := l.Area(target.Area)
	for _, id := range target.Expects {
		x, _, _ := l.Expectation(id)
		i := strings.Index(doc, "### "+x.Text+"\n")
		if i < 0 {
			t.Fatalf("no heading for %q:\n%s", x.Text, doc)
		}
		under := doc[i:]
		if j := strings.Index(under[4:], "\n### "); j >= 0 {
			under = under[:j+4]
		}
		for _, want := range []string{"#### " + day(10).Format("2006-01-02") + " · " + target.Text, "> Answered the target question",
			"Source: <" + links[1] + ">"} {
			if !strings.Contains(under, want) {
				t.Errorf("under %q: no %q:\n%s", x.Text, want, under)
			}
		}
	}
	other := doc[strings.Index(doc, "### Other evidence in "+area.Name):]
	other = other[:strings.Index(other, "\n## ")]
	for _, want := range []string{"> Answered an EM question", "> Unprompted, with a link"} {
		if !strings.Contains(other, want) {
			t.Errorf("other evidence: no %q:\n%s", want, other)
		}
	}
	// The one piece with a link shows it wherever it is claimed, and no
	// other piece shows one.
	if n := strings.Count(doc, "Source: <"); n != len(target.Expects) {
		t.Errorf("source links: %d, want %d: the linked piece under each of its expectations", n, len(target.Expects))
	}
	// An expectation of the area no answer names: no evidence, and an open gap.
	for _, x := range areaExpectations(l, m.Target, "broad", target.Area) {
		if x.ID == target.Expects[0] || x.ID == target.Expects[1] {
			continue
		}
		after := doc[strings.Index(doc, "### "+x.Text+"\n"):]
		if !strings.HasPrefix(after, "### "+x.Text+"\n\n_No evidence yet._") {
			t.Errorf("%q: want no evidence yet:\n%s", x.Text, after[:min(len(after), 200)])
		}
		gaps := doc[strings.Index(doc, "## Gaps still open"):]
		if !strings.Contains(gaps, "- "+x.Text) {
			t.Errorf("%q not among the open gaps", x.Text)
		}
		break
	}
}
