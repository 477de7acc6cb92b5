package main

import (
	"strings"
	"testing"
)

// TestTryExportShowsTheFile: in bot try, /ladder export shows the file
// Ladder shares in the DM, with its name and its Markdown, whole.
func TestTryExportShowsTheFile(t *testing.T) {
	tryEnv(t, "")
	out, _ := runTry(t, "/ladder prompt\nI coached two leads\n/ladder export\n")
	i := strings.Index(out, "── Ladder → alice (DM): a file ──")
	if i < 0 {
		t.Fatalf("no file shown:\n%s", out)
	}
	file := out[i:]
	order := []string{"Your promotion packet for ", "📎 ladder-packet-", ".md (\"Promotion packet for ",
		"# Promotion packet: alice", "> I coached two leads", "## Readiness", "## Gaps still open", "## Growth goals: not yet"}
	rest := file
	for _, want := range order {
		j := strings.Index(rest, want)
		if j < 0 {
			t.Fatalf("%q is missing or out of order in the file shown:\n%s", want, file)
		}
		rest = rest[j+len(want):]
	}
	if strings.Contains(out, "Promotion packet, part 1") {
		t.Error("the packet also came as messages")
	}
}
