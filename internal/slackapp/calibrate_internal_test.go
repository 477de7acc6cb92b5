package slackapp

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"github.com/ladderapp/ladder/internal/fakeslack"
	"github.com/ladderapp/ladder/internal/ladder"
	"github.com/ladderapp/ladder/internal/store"
)

// TestCalibrateButtonsFollowTheirReports renders the digest of a manager
// with more reports than one message holds, a third of them sharing
// nothing, and answers in a script of three bytes a character, which make
// the text take more blocks: each part carries a Calibrate button for each report of its own
// who shares full or summary, and for no one else, in actions blocks Slack
// accepts (at most 25 elements each, 50 blocks a message).
func TestCalibrateButtonsFollowTheirReports(t *testing.T) {
	w := newPropWorld(t, propInput{answers: "私はチームの採用計画を作り直し、面接の質を上げた。" + answerSep + "採用", scale: 10, reports: 255, name: "Boss"})
	parts, _, err := w.app.digestParts(context.Background(), propManager, propNow, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(parts) < 2 {
		t.Fatalf("%d part(s), want the digest split", len(parts))
	}
	members := map[string]ladder.Member{}
	for _, id := range w.reports {
		m, err := w.db.Member(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		members[id] = m
	}
	seen := map[string]int{}
	for i, p := range parts {
		raw, err := json.Marshal(p.msg.Blocks)
		if err != nil {
			t.Fatal(err)
		}
		if err := fakeslack.CheckBlocks(fakeslack.SurfaceMessage, raw); err != nil {
			t.Errorf("part %d: Slack would refuse it: %v", i+1, err)
		}
		buttons := map[string]bool{}
		for _, b := range p.msg.Blocks {
			a, ok := b.(*slack.ActionBlock)
			if !ok {
				continue
			}
			for _, el := range a.Elements.ElementSet {
				if btn, ok := el.(*slack.ButtonBlockElement); ok && isCalibrate(btn.ActionID) {
					buttons[btn.Value] = true
					seen[btn.Value]++
				}
			}
		}
		for id, m := range members {
			inPart := strings.Contains(p.msg.Text, "<@"+id+">")
			if want := inPart && m.Share != ladder.ShareOff; buttons[id] != want {
				t.Errorf("part %d: Calibrate button for %s (shares %s, in this part: %v) = %v, want %v", i+1, id, m.Share, inPart, buttons[id], want)
			}
		}
	}
	for id, m := range members {
		if want := map[bool]int{true: 1, false: 0}[m.Share != ladder.ShareOff]; seen[id] != want {
			t.Errorf("%s (shares %s) has %d Calibrate buttons across the digest, want %d", id, m.Share, seen[id], want)
		}
	}
}

// TestManagerViewFlagsTwoSteps renders the report's side: each area's two
// steps, the flag only where they are two apart, and the note escaped.
func TestManagerViewFlagsTwoSteps(t *testing.T) {
	r := ladder.Readiness{Areas: []ladder.AreaReadiness{
		{Area: ladder.Area{ID: ladder.People, Name: "People"}, Status: ladder.StatusStrong},
		{Area: ladder.Area{ID: ladder.Execution, Name: "Execution"}, Status: ladder.StatusThin},
		{Area: ladder.Area{ID: ladder.Technical, Name: "Technical"}, Status: ladder.StatusGap},
		{Area: ladder.Area{ID: ladder.Strategy, Name: "Strategy"}, Status: ladder.StatusOnTrack},
	}}
	c := store.Calibration{Manager: "UBOB", Created: propNow, Note: "see <!here> & <https://x.example|this>", Areas: map[ladder.AreaID]string{
		ladder.People: "not_seen", ladder.Execution: "at_target", ladder.Technical: "at_target", ladder.Strategy: "getting_there"}}
	got := managerView(nil, r, c, propNow.Location())
	want := "*Your manager's view* (<@UBOB>, 23 Nov) beside your evidence:" +
		"\n• *People*: not seen yet · your evidence: at target · ⚠️ a conversation to have" +
		"\n• *Execution*: at target · your evidence: getting there" +
		"\n• *Technical*: at target · your evidence: not seen yet · ⚠️ a conversation to have" +
		"\n• *Strategy*: getting there · your evidence: at target" +
		"\n_Their note:_ “see &lt;!here&gt; &amp; &lt;https://x.example|this&gt;”"
	if got != want {
		t.Errorf("managerView =\n%s\nwant\n%s", got, want)
	}
}

// TestDigestTextsLeaveRoomForButtons: the split counts the blocks a part
// needs besides its text (its Calibrate buttons) against the 50 a message
// may have, and still shows every line once, in order.
func TestDigestTextsLeaveRoomForButtons(t *testing.T) {
	var lines []string
	for i := range 20 {
		lines = append(lines, fmt.Sprintf("*<@U%04d>* · a short entry\n", i))
	}
	const perLine = 12 // blocks each line's part needs besides the text
	texts, ends := digestTexts("*Monthly digest*", lines, 0, func(from, to int) int { return perLine * (to - from) })
	if len(texts) != len(ends) || ends[len(ends)-1] != len(lines) {
		t.Fatalf("ends %v for %d lines", ends, len(lines))
	}
	prev := 0
	for i, text := range texts {
		if n := len(chunks(text, maxTextObject)) + perLine*(ends[i]-prev); n > maxDigestBlocks {
			t.Errorf("part %d takes %d blocks, over %d", i+1, n, maxDigestBlocks)
		}
		for _, l := range lines[prev:ends[i]] {
			if !strings.Contains(text, l) {
				t.Errorf("part %d lacks its line %q", i+1, l)
			}
		}
		prev = ends[i]
	}
	if len(texts) < 5 {
		t.Errorf("%d parts, want at least 5 (four lines' buttons at most in each)", len(texts))
	}
}
