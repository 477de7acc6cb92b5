package slackapp

import (
	"fmt"
	"strings"
	"time"

	"github.com/ladderapp/ladder/internal/ladder"
	"github.com/ladderapp/ladder/internal/store"
)

// This file writes the promotion packet as one Markdown file (upload.go
// sends it). It is organised by what the target level expects: per area,
// each expectation the area's questions ask about, with the evidence claimed
// against it; then the area's other evidence; then readiness per area, the
// gaps still open and the growth goals marked "not yet".
//
// A piece of evidence is claimed against an expectation when it answers a
// question that names the expectation (expects: in the ladder file) and sits
// in the area where the target level's questions name it: the rule readiness
// counts coverage by (ladder.Compute). Evidence older than the readiness
// window is listed too, since the packet is the whole record; the gaps come
// from readiness, so they are what the window still lacks.
//
// The file goes only to its member, and a file is not mrkdwn, so the text is
// as they wrote it, with Slack's markup turned into Markdown and mentions
// into names (slackToMarkdown), as in the packet sent as messages.

// packetDoc is what the file is made of.
type packetDoc struct {
	l      *ladder.Ladder
	m      ladder.Member
	who    string // the name on the packet
	r      ladder.Readiness
	es     []ladder.Evidence // oldest first
	goals  []store.Goal
	now    time.Time // in the member's zone
	name   func(id string) string
	linkOf func(ladder.Evidence) string
}

// evidenceLink is the link to where a piece of evidence came from (the
// permalink a "Save to Ladder" shortcut stored), "" if it has none.
func evidenceLink(e ladder.Evidence) string { return e.Link }

// packetFileName is the file's name: the target level and the day.
func packetFileName(m ladder.Member, at time.Time) string {
	return fmt.Sprintf("ladder-packet-%s-%s.md", fileSafe(string(m.Target)), at.Format("2006-01-02"))
}

// packetTitle is the file's title in Slack. It names the minute the packet
// was asked for, which is how a share whose outcome was lost is found again
// (upload.go).
func packetTitle(l *ladder.Ladder, m ladder.Member, at time.Time) string {
	return fmt.Sprintf("Promotion packet for %s, as of %s", levelName(l, m.Target), at.Format("2006-01-02 15:04"))
}

// fileSafe keeps letters, digits, '-' and '_' of s, lower-cased; "level"
// if nothing is left.
func fileSafe(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '_':
			b.WriteRune(r)
		case r == ' ':
			b.WriteRune('-')
		}
	}
	if b.Len() == 0 {
		return "level"
	}
	return b.String()
}

// areaExpectations lists the target expectations the area's questions name
// on the member's track, in the order they name them, as readiness counts
// them; ids the ladder does not know as expectations are left out.
func areaExpectations(l *ladder.Ladder, target ladder.LevelID, track string, area ladder.AreaID) []ladder.Expectation {
	seen := map[string]bool{}
	var out []ladder.Expectation
	for _, p := range l.Prompts {
		if p.Level != target || p.Area != area || !p.ForTrack(track) {
			continue
		}
		for _, id := range p.Evidences() {
			if seen[id] {
				continue
			}
			seen[id] = true
			if e, _, ok := l.Expectation(id); ok {
				out = append(out, e)
			}
		}
	}
	return out
}

// render writes the file.
func (d packetDoc) render() string {
	var b strings.Builder
	line := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	who := d.who
	if who == "" {
		who = d.m.UserID
	}
	target := levelName(d.l, d.m.Target)
	line("# Promotion packet: %s", who)
	line("")
	line("- Current level: %s", levelName(d.l, d.m.Level))
	line("- Target level: %s (%s track)", target, trackName(d.l, d.m.Track))
	if !d.m.LevelSince.IsZero() {
		line("- At the current level since %s (%s)", d.m.LevelSince.Format("2006-01"), tenure(d.m.LevelSince, d.now))
	}
	line("- Exported %s · %s of evidence", d.now.Format("2006-01-02"), ladder.Plural(len(d.es), "piece"))
	line("")
	line("Organised by what %s expects: under each expectation, the evidence that answers a question about it.", target)

	for _, area := range d.l.Areas {
		line("")
		line("## %s", area.Name)
		exps := areaExpectations(d.l, d.m.Target, d.r.Track.ID, area.ID)
		ids := map[string]bool{}
		for _, e := range exps {
			ids[e.ID] = true
		}
		claimed := map[string][]ladder.Evidence{}
		var other []ladder.Evidence
		for _, e := range d.es {
			if e.Area != area.ID {
				continue
			}
			n := 0
			if p, ok := d.l.Prompt(e.PromptID); ok {
				for _, id := range p.Evidences() {
					if ids[id] {
						claimed[id] = append(claimed[id], e)
						n++
					}
				}
			}
			if n == 0 {
				other = append(other, e)
			}
		}
		if len(exps) == 0 {
			line("")
			line("_%s's questions here name no expectations._", target)
		}
		for _, x := range exps {
			line("")
			line("### %s", x.Text)
			if len(claimed[x.ID]) == 0 {
				line("")
				line("_No evidence yet._")
			}
			for _, e := range claimed[x.ID] {
				d.evidence(&b, e)
			}
		}
		if len(other) > 0 {
			line("")
			line("### Other evidence in %s", area.Name)
			for _, e := range other {
				d.evidence(&b, e)
			}
		}
	}
	var unfiled []ladder.Evidence
	for _, e := range d.es {
		if _, ok := d.l.Area(e.Area); !ok {
			unfiled = append(unfiled, e)
		}
	}
	if len(unfiled) > 0 {
		line("")
		line("## Not yet filed under an area")
		for _, e := range unfiled {
			d.evidence(&b, e)
		}
	}

	line("")
	line("## Readiness")
	line("")
	line("| Area | Status | Expectations with evidence | Weeks with evidence (last %d) |", d.r.Window)
	line("|---|---|---|---|")
	for _, ar := range d.r.Areas {
		_, word := areaStatus(d.m, ar, d.now)
		line("| %s | %s | %d of %d | %d |", ar.Area.Name, word, ar.Covered, ar.Expectations, ar.Weeks)
	}

	line("")
	line("## Gaps still open")
	open := 0
	for _, ar := range d.r.Areas {
		var texts []string
		for _, id := range ar.Uncovered {
			if e, _, ok := d.l.Expectation(id); ok {
				texts = append(texts, e.Text)
			}
		}
		if len(texts) == 0 {
			continue
		}
		open += len(texts)
		line("")
		line("### %s", ar.Area.Name)
		line("")
		for _, t := range texts {
			line("- %s", t)
		}
	}
	if open == 0 {
		line("")
		line("None: every expectation of %s that the questions name has evidence in the last %d weeks.", target, d.r.Window)
	} else {
		line("")
		line("_What %s expects that has no evidence in the last %d weeks._", target, d.r.Window)
	}

	line("")
	line("## Growth goals: not yet")
	line("")
	goals := 0
	for _, g := range d.goals {
		p, ok := d.l.Prompt(g.PromptID)
		if !ok {
			continue
		}
		goals++
		line("- “%s” (%s, since %s)", p.Text, areaName(d.l, p.Area), g.Created.In(d.now.Location()).Format("2006-01-02"))
	}
	if goals == 0 {
		line("None.")
	} else {
		line("")
		line("_Questions answered “Not yet”: something to grow into. They never count as evidence._")
	}
	return b.String()
}

// evidence writes one piece: its date and question, the text quoted, its
// source link, and when it was edited.
func (d packetDoc) evidence(b *strings.Builder, e ladder.Evidence) {
	title := "#### " + e.Created.In(d.now.Location()).Format("2006-01-02")
	if p, ok := d.l.Prompt(e.PromptID); ok {
		title += " · " + p.Text
	}
	fmt.Fprintf(b, "\n%s\n\n", title)
	text := slackToMarkdown(strings.TrimSpace(e.Text), func(id, _ string) string { return d.name(id) })
	for _, l := range strings.Split(text, "\n") {
		b.WriteString(strings.TrimRight("> "+l, " ") + "\n")
	}
	if link := d.linkOf(e); link != "" {
		fmt.Fprintf(b, "\nSource: <%s>\n", link)
	}
	if !e.Edited.IsZero() {
		fmt.Fprintf(b, "\n_(edited %s)_\n", e.Edited.In(d.now.Location()).Format("2006-01-02"))
	}
}
