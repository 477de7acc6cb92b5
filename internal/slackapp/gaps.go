package slackapp

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/ladderapp/ladder/internal/ladder"
	"github.com/ladderapp/ladder/internal/prompts"
	"github.com/ladderapp/ladder/internal/store"
)

// This file renders readiness the way /ladder gaps and the Home tab show it:
// one short section per area, which reads on a phone as well as on a
// desktop. There are no code blocks and no bars: a bar in a code block wraps
// into a mess at phone width.

// startGrace is how long after enrolling an area without evidence reads "not
// started yet" rather than "gap". Two weeks always hold the member's first
// weekly question (unless they turned the slot off or paused at once), so
// after that an empty area is a gap like any other.
const startGrace = 14 * 24 * time.Hour

// notStartedWord is the status word of an area in its start grace.
const notStartedWord = "not started yet"

// maxUncoveredShown and maxGoalsShown bound the lists gaps and the Home tab
// show; the rest is counted ("and 3 more").
const (
	maxUncoveredShown = 3
	maxGoalsShown     = 5
)

// justJoined reports whether the member enrolled less than startGrace ago.
func justJoined(m ladder.Member, now time.Time) bool {
	return !m.EnrolledAt.IsZero() && now.Sub(m.EnrolledAt) < startGrace
}

// areaStatus is the emoji and the word an area's status reads as. An area
// with no evidence is a gap, except in a new member's first two weeks, when
// it has not started yet.
func areaStatus(m ladder.Member, ar ladder.AreaReadiness, now time.Time) (emoji, word string) {
	switch ar.Status {
	case ladder.StatusStrong:
		return "🌟", string(ladder.StatusStrong)
	case ladder.StatusOnTrack:
		return "🟢", string(ladder.StatusOnTrack)
	case ladder.StatusThin:
		return "🟡", string(ladder.StatusThin)
	}
	if ar.Pieces == 0 && justJoined(m, now) {
		return "⚪", notStartedWord
	}
	return "🔴", string(ladder.StatusGap)
}

// statusLegend says what the status words shown for r mean, once, under
// the areas, in the order of the statuses from worst to best.
func statusLegend(m ladder.Member, r ladder.Readiness, now time.Time) string {
	shown := map[string]bool{}
	for _, ar := range r.Areas {
		_, word := areaStatus(m, ar, now)
		shown[word] = true
	}
	var parts []string
	for _, s := range []struct{ word, meaning string }{
		{notStartedWord, "⚪ not started yet: you joined less than two weeks ago"},
		{string(ladder.StatusGap), "🔴 gap: no evidence yet"},
		{string(ladder.StatusThin), "🟡 thin: some evidence, not enough yet"},
		{string(ladder.StatusOnTrack), "🟢 on track: enough for now, keep it coming"},
		{string(ladder.StatusStrong), "🌟 strong"},
	} {
		if shown[s.word] {
			parts = append(parts, s.meaning)
		}
	}
	t := strings.Join(parts, " · ")
	if !shown[notStartedWord] || len(parts) > 1 {
		t += ". The percentage is the area's readiness score."
	}
	return t
}

// percent renders a score from 0 to 1 as a whole percentage.
func percent(score float64) int { return int(math.Round(max(0, min(1, score)) * 100)) }

// areaText renders one area in two lines: its status, then its weeks with
// evidence and the last one. Weeks before the member joined are never
// counted as weeks without evidence.
func areaText(m ladder.Member, r ladder.Readiness, ar ladder.AreaReadiness, now time.Time) string {
	emoji, word := areaStatus(m, ar, now)
	var b strings.Builder
	fmt.Fprintf(&b, "%s *%s* · %s", emoji, ar.Area.Name, word)
	if word != notStartedWord {
		fmt.Fprintf(&b, " · %d%%", percent(ar.Score))
	}
	b.WriteString("\n")
	joined := ladder.WeeksEnrolled(m, now, r.Window)
	span := fmt.Sprintf("the last %d weeks", r.Window)
	if joined < r.Window {
		span = ladder.Plural(joined, "week") + " since you joined"
	}
	switch {
	case word == notStartedWord:
		fmt.Fprintf(&b, "No answers here yet: you joined %s.", ago(now, m.EnrolledAt))
	case ar.Pieces == 0 && joined < r.Window:
		b.WriteString("No evidence since you joined.")
	case ar.Pieces == 0:
		fmt.Fprintf(&b, "No evidence in %s.", span)
	default:
		fmt.Fprintf(&b, "Evidence in %d of %s · last %s", ar.Weeks, span, ago(now, ar.Last))
	}
	return b.String()
}

// gapsHead is the first line of gaps: the target, the track, how many areas
// are on track, and the time at the current level against the typical range.
func gapsHead(l *ladder.Ladder, m ladder.Member, r ladder.Readiness, now time.Time) string {
	var b strings.Builder
	fmt.Fprintf(&b, "*Readiness for %s* (%s track) · %d of %d areas on track",
		levelName(l, m.Target), trackName(l, m.Track), r.OnTrack(), len(r.Areas))
	if !m.LevelSince.IsZero() {
		fmt.Fprintf(&b, " · %s since %s (%s", levelName(l, m.Level), m.LevelSince.Format("2006-01"), tenure(m.LevelSince, now))
		if lv, ok := l.Level(m.Level); ok && lv.TypicalYears[1] > 0 {
			fmt.Fprintf(&b, "; typical %g–%gy", lv.TypicalYears[0], lv.TypicalYears[1])
		}
		b.WriteString(")")
	}
	return b.String()
}

// uncovered returns the text of the target expectations an area still has
// no evidence for, the first few of them, and how many more there are. Ids
// the ladder does not know as expectations (a prompt without expects stands
// for one under its own id) are left out.
func uncovered(l *ladder.Ladder, ar ladder.AreaReadiness) (shown []string, more int) {
	for _, id := range ar.Uncovered {
		e, _, ok := l.Expectation(id)
		if !ok {
			continue
		}
		if len(shown) < maxUncoveredShown {
			shown = append(shown, e.Text)
		} else {
			more++
		}
	}
	return shown, more
}

// biggestGapText renders the first step: the area, what the target level
// expects there, the expectations still without evidence, and the question
// asked next there.
func biggestGapText(l *ladder.Ladder, m ladder.Member, s prompts.Step) string {
	var b strings.Builder
	fmt.Fprintf(&b, "*Biggest gap: %s.*", s.Area.Area.Name)
	if s.Area.Focus != "" {
		fmt.Fprintf(&b, " At %s: %s", levelName(l, m.Target), s.Area.Focus)
	}
	if shown, more := uncovered(l, s.Area); len(shown) > 0 {
		fmt.Fprintf(&b, "\nWhat %s expects there that your evidence doesn't show yet:", levelName(l, m.Target))
		for _, t := range shown {
			b.WriteString("\n• " + t)
		}
		if more > 0 {
			fmt.Fprintf(&b, "\n_and %d more_", more)
		}
	}
	if s.Prompt.ID != "" {
		fmt.Fprintf(&b, "\nNext question there: “%s”", s.Prompt.Text)
	}
	return b.String()
}

// stepsText renders the next steps, biggest gap first; each area after the
// first in a line of its own.
func stepsText(l *ladder.Ladder, m ladder.Member, steps []prompts.Step, now time.Time) string {
	if len(steps) == 0 {
		return "No gaps or thin areas left. Keep the evidence coming, and when it has been so for a few months, `/ladder export` gives you the packet for the promotion conversation."
	}
	var b strings.Builder
	b.WriteString(biggestGapText(l, m, steps[0]))
	for _, s := range steps[1:] {
		_, word := areaStatus(m, s.Area, now)
		fmt.Fprintf(&b, "\n• *%s* (%s)", s.Area.Area.Name, word)
		if s.Area.Focus != "" {
			fmt.Fprintf(&b, ": %s", s.Area.Focus)
		}
		if s.Prompt.ID != "" {
			fmt.Fprintf(&b, " Ask yourself: “%s”", s.Prompt.Text)
		}
	}
	return b.String()
}

// goalsText renders a member's growth goals, newest first: the questions
// they answered "Not yet". They are never evidence, and it says so. Goals
// whose question has left the ladder are left out; "" when none is left.
func goalsText(l *ladder.Ladder, goals []store.Goal, loc *time.Location) string {
	var lines []string
	more := 0
	for _, g := range goals {
		p, ok := l.Prompt(g.PromptID)
		if !ok {
			continue
		}
		if len(lines) == maxGoalsShown {
			more++
			continue
		}
		lines = append(lines, fmt.Sprintf("• “%s” (%s, since %s)", p.Text, areaName(l, p.Area), g.Created.In(loc).Format("2 Jan")))
	}
	if len(lines) == 0 {
		return ""
	}
	t := "*Growth goals: not yet*\n" + strings.Join(lines, "\n")
	if more > 0 {
		t += fmt.Sprintf("\n_and %d more_", more)
	}
	return t + "\n_Questions you answered *Not yet*: something to grow into. They never count as evidence._"
}

// gapsText is /ladder gaps as plain mrkdwn: the message's text, and what a
// client without blocks shows.
func gapsText(l *ladder.Ladder, m ladder.Member, r ladder.Readiness, steps []prompts.Step, goals []store.Goal, now time.Time) string {
	parts := []string{gapsHead(l, m, r, now)}
	for _, ar := range r.Areas {
		parts = append(parts, areaText(m, r, ar, now))
	}
	parts = append(parts, stepsText(l, m, steps, now))
	if g := goalsText(l, goals, now.Location()); g != "" {
		parts = append(parts, g)
	}
	return strings.Join(parts, "\n")
}

// gapsMessage is the reply to /ladder gaps: the head, a section per area in
// the ladder's order with an "Ask me about this" button, the next steps, the
// growth goals, and what the statuses mean. now is in the member's zone.
func gapsMessage(l *ladder.Ladder, m ladder.Member, r ladder.Readiness, steps []prompts.Step, goals []store.Goal, now time.Time) Message {
	bs := []slack.Block{section(gapsHead(l, m, r, now))}
	bs = append(bs, areaBlocks(m, r, now)...)
	bs = append(bs, textBlocks(stepsText(l, m, steps, now))...)
	if g := goalsText(l, goals, now.Location()); g != "" {
		bs = append(bs, section(g))
	}
	bs = append(bs, slack.NewContextBlock("", mrkdwn(statusLegend(m, r, now))))
	return Message{Text: gapsText(l, m, r, steps, goals, now), Blocks: bs}
}

// areaBlocks is a section per area, each with its "Ask me about this" button.
func areaBlocks(m ladder.Member, r ladder.Readiness, now time.Time) []slack.Block {
	var bs []slack.Block
	for _, ar := range r.Areas {
		bs = append(bs, slack.NewSectionBlock(mrkdwn(areaText(m, r, ar, now)), nil,
			slack.NewAccessory(askButton(ar.Area.ID))))
	}
	return bs
}
