package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
)

// inOrder checks that each of want appears in out, each after the one before.
func inOrder(t *testing.T, out string, want ...string) {
	t.Helper()
	rest := out
	for _, w := range want {
		i := strings.Index(rest, w)
		if i < 0 {
			t.Errorf("%q is missing, or out of order", w)
			return
		}
		rest = rest[i+len(w):]
	}
}

// after is what out prints after the line typed, up to the next line typed.
func after(out, typed string) string {
	i := strings.Index(out, typed+"\n")
	if i < 0 {
		return ""
	}
	rest := out[i+len(typed)+1:]
	if j := regexp.MustCompile(`(?m)^[a-z]+> `).FindStringIndex(rest); j != nil {
		rest = rest[:j[0]]
	}
	return rest
}

// TestTryPressAnswerAndSubmitTheModal: Answer opens the modal, its input is
// numbered, an empty submit is held back as Slack's client holds it, and the
// submitted answer is saved as evidence.
func TestTryPressAnswerAndSubmitTheModal(t *testing.T) {
	tryEnv(t, "")
	out, errOut := runTry(t, "/ladder prompt\npress Answer\nsubmit\nset 1 Ran the cross-team incident review\nsubmit\nsubmit\n/ladder evidence\n")
	inOrder(t, out,
		"alice> /ladder prompt", "[1] Answer  [2] Skip this one  [3] Another question",
		"alice> press Answer", "── Ladder → alice: dialog ──", "1. Your answer", "[ Cancel ]  [ Save ]", "`set 1 …`, then `submit`",
		"alice> submit", "1. Your answer is required",
		"alice> set 1 Ran the cross-team incident review", `1. Your answer: "Ran the cross-team incident review"`,
		"alice> submit", "── Ladder → alice (DM) ──", "Saved to ",
		// The dialog closed with the submission.
		"alice> submit", "No dialog is open for alice",
		"alice> /ladder evidence", "Ran the cross-team incident review")
	if errOut != "" {
		t.Errorf("stderr: %s", errOut)
	}
	if t.Failed() {
		t.Logf("output:\n%s", out)
	}
}

// TestTryPressByNumber presses Skip by its number: Ladder edits the prompt,
// whose buttons give way to a note, and the old numbers say so when pressed.
func TestTryPressByNumber(t *testing.T) {
	tryEnv(t, "")
	out, _ := runTry(t, "/ladder prompt\npress 2\npress 1\n")
	skipped := after(out, "alice> press 2")
	if !strings.Contains(skipped, "── Ladder → alice (DM): Ladder edited its message ──") || strings.Contains(skipped, "Skip this week  [") {
		t.Errorf("after press 2, the prompt was not edited without its buttons:\n%s", skipped)
	}
	if got := after(out, "alice> press 1"); !strings.Contains(got, "[1] Answer is no longer there") {
		t.Errorf("a button Ladder removed was pressed anyway:\n%s", got)
	}
	if t.Failed() {
		t.Logf("output:\n%s", out)
	}
}

// TestTryManagerAndDigest is the manager's side: alice names @bob, which
// reaches Ladder as a mention; the request is printed as bob's, and only bob
// can press it; as bob, Accept and the digest preview name alice.
func TestTryManagerAndDigest(t *testing.T) {
	tryEnv(t, "")
	out, errOut := runTry(t, "/ladder share full\n/ladder manager @bob\npress Accept\nas @bob\npress Accept\n/ladder digest\n/ladder evidence @alice\nas alice\n/ladder gaps\n")

	named := after(out, "alice> /ladder manager @bob")
	for _, want := range []string{"── Ladder → bob (DM) ──", "@alice named you as their manager", "[1] Accept  [2] Decline",
		"(These are bob's: `as @bob` to press them.)", "── only visible to alice ──", "Waiting for @bob to accept"} {
		if !strings.Contains(named, want) {
			t.Errorf("after /ladder manager @bob, %q is missing:\n%s", want, named)
		}
	}
	if got := after(out, "alice> press Accept"); !strings.Contains(got, `"Accept" button is in bob's DM: type `+"`as @bob`"+` first`) {
		t.Errorf("alice pressed bob's button:\n%s", got)
	}
	inOrder(t, out, "alice> as @bob", "You are now @bob (Bob Okafor, America/New_York)",
		"bob> press Accept", "── Ladder → ", "accepted being your manager",
		"bob> /ladder digest", "── only visible to bob ──", "@alice",
		"bob> /ladder evidence @alice", "── only visible to bob ──", "@alice shares in full",
		"bob> as alice", "You are now @alice", "alice> /ladder gaps", "── only visible to alice ──", "Readiness for ")
	accepted := after(out, "bob> press Accept")
	if !strings.Contains(accepted, "── Ladder → bob (DM): Ladder edited its message ──") ||
		!strings.Contains(accepted, "── Ladder → alice (DM) ──\n@bob accepted") {
		t.Errorf("after Accept, the request was not edited in bob's DM, or alice was not told in hers:\n%s", accepted)
	}
	// Every message names one of the two: none is printed as nobody's.
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "── Ladder → ") && !strings.HasPrefix(line, "── Ladder → alice") && !strings.HasPrefix(line, "── Ladder → bob") {
			t.Errorf("a message to someone else: %q", line)
		}
	}
	if errOut != "" {
		t.Errorf("stderr: %s", errOut)
	}
	if t.Failed() {
		t.Logf("output:\n%s", out)
	}
}

// TestTryHomeButtons: buttons on the Home tab are numbered and pressed like
// any other; a press there shows the Home tab as Ladder republishes it.
func TestTryHomeButtons(t *testing.T) {
	tryEnv(t, "")
	out, errOut := runTry(t, "/ladder start\nhome\npress Pause\npress Answer now\ncancel\n")
	inOrder(t, out, "alice> home", "── alice's Home tab ──", "[1] Answer now  [2] Pause  [3] Export",
		"[4] Ask me about this", "[10] Settings",
		"alice> press Pause", "── alice's Home tab ──", "[11] Answer now  [12] Resume  [13] Export",
		"alice> press Answer now", "── Ladder → alice: dialog ──", "1. Your answer",
		"alice> cancel", "Closed the dialog Answer without saving.")
	if errOut != "" {
		t.Errorf("stderr: %s", errOut)
	}
	if t.Failed() {
		t.Logf("output:\n%s", out)
	}
}

// TestTryBadInput: what bot try cannot do, it says, naming what it takes.
func TestTryBadInput(t *testing.T) {
	tryEnv(t, "")
	out, _ := runTry(t, "press\npress 9\npress Nope\nset 1 hello\nsubmit\ncancel\nas @dave\n/ladder manager @dave\nsay\n/gaps\n")
	for typed, want := range map[string]string{
		"press":                 "`press <number>` or `press <label>`",
		"press 9":               "There is no button [9]. No message to alice has buttons yet",
		"press Nope":            `No button called "Nope".`,
		"set 1 hello":           "No dialog is open for alice. A button such as Answer opens one.",
		"submit":                "No dialog is open for alice, so there is nothing to submit.",
		"cancel":                "No dialog is open for alice.",
		"as @dave":              "There is no @dave here. Type `as` and one of @alice, @bob and @carol",
		"/ladder manager @dave": "No one here is called @dave. The people here are @alice, @bob and @carol.",
		"say":                   "`say <text>` sends the text to Ladder as a DM.",
		"/gaps":                 "Only /ladder commands work here",
	} {
		if got := after(out, "alice> "+typed); !strings.Contains(got, "── bot try ──\n"+want) && !strings.Contains(got, want) {
			t.Errorf("%s: got\n%s\nwant %q", typed, got, want)
		}
	}
	// None of it reached Ladder: nothing was enrolled, nothing was saved.
	if strings.Contains(out, "── Ladder → ") || strings.Contains(out, "only visible to") {
		t.Errorf("a mistyped command reached Ladder:\n%s", out)
	}
}

// TestTryHelpAndCommandWordsInDMs: help lists bot try's own commands, and a
// DM that merely starts with one of their words still reaches Ladder.
func TestTryHelpAndCommandWordsInDMs(t *testing.T) {
	tryEnv(t, "")
	out, _ := runTry(t, "/ladder start\nhelp\nsay press release went out on time\nset up the hiring loop for two teams\nas discussed with payments, we moved the launch\n/ladder evidence\n")
	help := after(out, "alice> help")
	for _, want := range []string{"press <n>", "press <label>", "set <n> <value>", "submit", "cancel", "as @<name>", "who", "home", "say <text>", "@name"} {
		if !strings.Contains(help, want) {
			t.Errorf("help lacks %q:\n%s", want, help)
		}
	}
	evidence := after(out, "alice> /ladder evidence")
	for _, want := range []string{"press release went out on time", "set up the hiring loop for two teams", "as discussed with payments, we moved the launch"} {
		if !strings.Contains(evidence, want) {
			t.Errorf("the DM %q is not in the evidence:\n%s", want, evidence)
		}
	}
}

// TestTryServesHealthz: while bot try runs, /healthz answers 200 (connected
// to the simulated Slack) and /metrics has Ladder's metrics, on the address
// it prints.
func TestTryServesHealthz(t *testing.T) {
	tryEnv(t, "")
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	in, typing := io.Pipe()
	out := &lockedBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"try"}, os.Getenv, startingAt(testDay), in, out, io.Discard)
	}()

	addrRE := regexp.MustCompile(`Health and metrics: (http://127\.0\.0\.1:\d+)/healthz and /metrics`)
	var base string
	for base == "" {
		if m := addrRE.FindStringSubmatch(out.String()); m != nil {
			base = m[1]
			break
		}
		select {
		case err := <-done:
			t.Fatalf("bot try ended: %v\n%s", err, out.String())
		case <-ctx.Done():
			t.Fatalf("no address printed:\n%s", out.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	if _, err := io.WriteString(typing, "/ladder help\n"); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{"/healthz": "", "/metrics": "ladder_envelopes_total"} {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), want) {
			t.Errorf("GET %s: %s\n%s", path, resp.Status, body)
		}
	}
	typing.Close()
	if err := <-done; err != nil {
		t.Fatalf("bot try: %v", err)
	}
}

// TestTryHTTPAddrTaken: with LADDER_HTTP_ADDR taken, as inside Ladder's own
// container, bot try serves on another port and says so; empty turns it off.
func TestTryHTTPAddrTaken(t *testing.T) {
	got, note, err := tryHTTPAddr("127.0.0.1:0")
	if err != nil || !strings.HasPrefix(got, "127.0.0.1:") || got == "127.0.0.1:0" || note != "" {
		t.Fatalf("port 0: %q %q %v", got, note, err)
	}
	// Hold the port, as the real app would.
	held, err := net.Listen("tcp", got)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	other, note, err := tryHTTPAddr(got)
	if err != nil || other == got || !strings.HasPrefix(other, "127.0.0.1:") || !strings.Contains(note, got+" is taken") {
		t.Errorf("taken: %q %q %v", other, note, err)
	}
	if got, note, err := tryHTTPAddr(""); got != "" || note != "" || err != nil {
		t.Errorf("empty: %q %q %v", got, note, err)
	}
}

// TestTryFirstMonthWalk runs the README's walk through the first month of a
// member and her manager, testdata/try-first-month.txt, and checks what each
// step shows.
func TestTryFirstMonthWalk(t *testing.T) {
	tryEnv(t, "")
	script, err := os.ReadFile("testdata/try-first-month.txt")
	if err != nil {
		t.Fatal(err)
	}
	out, errOut := runTry(t, string(script))
	if n := strings.Count(out, "── Ladder → alice (DM) ──\nWelcome to Ladder"); n != 1 {
		t.Errorf("welcome DMs to alice: %d, want 1", n)
	}
	inOrder(t, out,
		// The welcome DM goes through the send queue, so it may print
		// before or after the command's reply: checked below.
		"alice> /ladder level em senior-em since 2024-03", "You're at EM, aiming for Senior EM",
		"alice> /ladder schedule mon 09:30", "Monday 09:30",
		"alice> /ladder share full", "Sharing is now full",
		"alice> /ladder settings", "Your Ladder settings", "4. Weekly question: day",
		"alice> set 4 Tuesday", "alice> submit", "Settings saved.", "every Tuesday 09:30",
		"alice> /ladder manager @bob", "Waiting for @bob",
		"alice> as @bob", "bob> press Accept", "accepted being your manager",
		"bob> as @alice", "alice> /ladder prompt", "] Answer  [",
		"alice> press Answer", "1. Your answer",
		"alice> set 1 Ran the cross-team incident review", "alice> submit", "Saved to ",
		"alice> Hired two senior engineers", "Saved to ", "] Undo  [",
		"alice> press Undo", "Undone. “Hired two senior engineers",
		"alice> thanks!", "Save this as evidence?", "alice> press Don't save", "Not saved.",
		"alice> /ladder gaps", "Readiness for Senior EM",
		"alice> as @bob", "bob> /ladder digest", "── only visible to bob ──", "@alice",
		"bob> /ladder evidence @alice", "Ran the cross-team incident review",
		"bob> as @alice", "alice> home", "── alice's Home tab ──", "Latest evidence",
		"alice> /ladder export", "# Promotion packet", "Ran the cross-team incident review")
	// Undone and not saved: neither reaches the manager or the packet.
	for _, gone := range []string{"Hired two senior engineers", "thanks!"} {
		if strings.Contains(after(out, "bob> /ladder evidence @alice"), "· "+gone) {
			t.Errorf("%q is in alice's evidence after Undo or Don't save", gone)
		}
	}
	if errOut != "" {
		t.Errorf("stderr: %s", errOut)
	}
	if t.Failed() {
		t.Logf("output:\n%s", out)
	}
}
