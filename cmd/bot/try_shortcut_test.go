package main

import (
	"strings"
	"testing"
)

// TestTryShortcut: `shortcut <text>` has carol post the text in #general and
// opens Save to Ladder on it for alice, with the text, a suggested area and
// the link; she changes the area and saves, and /ladder evidence lists it
// with its source. carol, not enrolled, gets the dialog that says how to
// start when she uses the shortcut on the newest message.
func TestTryShortcut(t *testing.T) {
	tryEnv(t, "")
	out, errOut := runTry(t, "/ladder start\n"+
		"shortcut Thanks @alice for shipping the launch on time & <!channel> cheers\n"+
		"set 2 People\nset 3 I paired with the new hires on it\nsubmit\n"+
		"/ladder evidence\n"+
		"as @carol\nshortcut\n")
	inOrder(t, out,
		"alice> shortcut Thanks @alice", "── carol in #general ──", "Thanks @alice for shipping the launch on time & <!channel> cheers",
		"── Ladder → alice: dialog ──", "Save to Ladder", "1. What to keep", "Thanks <@UALICE> for shipping", "2. Area", "Execution",
		"Source: https://fake.slack.com/archives/CGENERAL/p",
		"alice> submit", "── Ladder → alice (DM) ──", "Saved to People management",
		"alice> /ladder evidence", "Thanks <@UALICE> for shipping the launch on time & <!channel> cheers", "My note: I paired with the new hires on it",
		"source: https://fake.slack.com/archives/CGENERAL/p",
		"carol> shortcut", "── Ladder → carol: dialog ──", "not enrolled", "/ladder start")
	if errOut != "" {
		t.Errorf("stderr: %s", errOut)
	}
	if strings.Contains(after(out, "carol> shortcut"), "What to keep") {
		t.Error("carol, not enrolled, got the form to save with")
	}
	if t.Failed() {
		t.Logf("output:\n%s", out)
	}
}
