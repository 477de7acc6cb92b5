package main

import (
	"strings"
	"testing"
)

// TestTryOneOnOne is the manager in the loop in bot try: alice names bob,
// bob accepts, alice answers a question and shares in full, and her own
// /ladder 1on1 says what to bring. As bob, /ladder 1on1 @alice gives the
// agenda, quoting her answer, and the Calibrate button in /ladder digest
// records his view; carol, a peer, is refused; alice's /ladder gaps shows
// bob's view.
func TestTryOneOnOne(t *testing.T) {
	tryEnv(t, "")
	out, errOut := runTry(t, strings.Join([]string{
		"/ladder manager @bob",
		"as @bob",
		"press Accept",
		"as @alice",
		"/ladder share full",
		"/ladder prompt",
		"I coached two leads through their first reviews",
		"/ladder 1on1",
		"as @bob",
		"/ladder 1on1 @alice",
		"/ladder digest",
		"press Calibrate alice",
		"set 1 at target",
		"set 2 not seen yet",
		"set 3 not seen yet",
		"set 4 getting there",
		"set 5 getting there",
		"set 6 Good start on coaching",
		"submit",
		"as @carol",
		"/ladder 1on1 @alice",
		"as @alice",
		"/ladder gaps",
	}, "\n")+"\n")
	order := []string{
		"alice> /ladder 1on1", "For your next 1:1 with @bob", "I coached two leads",
		"bob> /ladder 1on1 @alice", "1:1 agenda with @alice", "Biggest gap: ", "I coached two leads", "One question to ask:",
		"bob> /ladder digest", "Calibrate alice", "bob> submit",
		"carol> /ladder 1on1 @alice", "I can only give a 1:1 agenda about someone to the manager they have named",
		"alice> /ladder gaps", "Your manager's view (@bob", "Good start on coaching",
	}
	rest := out
	for _, want := range order {
		i := strings.Index(rest, want)
		if i < 0 {
			t.Errorf("%q is missing or out of order", want)
			break
		}
		rest = rest[i+len(want):]
	}
	if errOut != "" {
		t.Errorf("stderr: %s", errOut)
	}
	if t.Failed() {
		t.Logf("output:\n%s", out)
	}
}
