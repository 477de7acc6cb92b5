package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ladderapp/ladder/internal/prompts"
)

// tryEnv clears the settings bot try reads, so that the machine's own
// environment cannot change what the test sees.
func tryEnv(t *testing.T, db string) {
	t.Helper()
	for _, k := range []string{"LADDER_PROMPTS", "LADDER_ADMINS", "LADDER_LOG_LEVEL", "SLACK_APP_TOKEN", "SLACK_BOT_TOKEN", "SLACK_API_URL"} {
		t.Setenv(k, "")
	}
	t.Setenv("LADDER_DB", db)
}

// runTry runs bot try on input and returns what it printed.
func runTry(t *testing.T, input string) (stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	var out, errOut bytes.Buffer
	err := run(ctx, []string{"try"}, os.Getenv, startingAt(testDay), strings.NewReader(input), &out, &errOut)
	if code := exitCode(err, &errOut); code != 0 {
		t.Fatalf("bot try: exit %d\nstderr:\n%s\nstdout:\n%s", code, errOut.String(), out.String())
	}
	return out.String(), errOut.String()
}

// TestTryPipeline is the README's first command: the whole app, from the first
// slash command to the gaps, through a simulated Slack.
func TestTryPipeline(t *testing.T) {
	tryEnv(t, "")
	out, errOut := runTry(t, "/ladder help\n/ladder prompt\nI coached two leads\n/ladder evidence\n/ladder gaps\n")

	l, err := prompts.Default()
	if err != nil {
		t.Fatal(err)
	}
	question := ""
	for _, p := range l.Prompts {
		if strings.Contains(out, "\n"+p.Text+"\n") {
			question = p.Text
		}
	}
	if question == "" {
		t.Errorf("no prompt's question appears on a line of its own")
	}
	for _, want := range []string{
		"> /ladder help",
		"/ladder gaps` — readiness", // the help, as text
		"── DM from Ladder ──",
		"[ Answer ]  [ Skip this week ]  [ Another question ]",
		"── only visible to you ──",
		"Saved to ",
		"I coached two leads", // the evidence
		"Readiness for ",
		"Biggest gap: ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the output lacks %q", want)
		}
	}
	// The order is the conversation's: each reply follows its line.
	order := []string{"> /ladder help", "> /ladder prompt", question, "> I coached two leads", "Saved to ", "> /ladder evidence", "· I coached two leads", "> /ladder gaps", "Readiness for "}
	rest := out
	for _, want := range order {
		i := strings.Index(rest, want)
		if i < 0 {
			t.Errorf("%q is missing or out of order", want)
			break
		}
		rest = rest[i+len(want):]
	}
	for _, unwanted := range []string{"*Readiness", "```", "\x1b[", "── Home tab ──", "&lt;"} {
		if strings.Contains(out, unwanted) {
			t.Errorf("the output contains %q", unwanted)
		}
	}
	if errOut != "" {
		t.Errorf("stderr: %s", errOut)
	}
	if t.Failed() {
		t.Logf("output:\n%s", out)
	}
}

// TestTryKeepsLadderDB checks that with LADDER_DB set, bot try keeps what was
// said for the next run, and that "home" shows the Home tab.
func TestTryKeepsLadderDB(t *testing.T) {
	db := filepath.Join(t.TempDir(), "try.db")
	tryEnv(t, db)
	runTry(t, "/ladder prompt\nRan the incident review with platform\n")
	if _, err := os.Stat(db); err != nil {
		t.Fatalf("the database is gone: %v", err)
	}
	out, _ := runTry(t, "/ladder evidence\nhome\n/gaps\n")
	for _, want := range []string{"Ran the incident review with platform", "── Home tab ──", "Latest evidence", "[ Answer now ]", "Only /ladder commands work here"} {
		if !strings.Contains(out, want) {
			t.Errorf("the second run lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "Welcome") {
		t.Errorf("the second run welcomed an enrolled member again:\n%s", out)
	}
}

func TestTryRejectsArguments(t *testing.T) {
	tryEnv(t, "")
	var out, errOut bytes.Buffer
	err := run(t.Context(), []string{"try", "extra"}, os.Getenv, startingAt(testDay), strings.NewReader(""), &out, &errOut)
	if code := exitCode(err, &errOut); code != 2 {
		t.Errorf("exit %d, want 2", code)
	}
}

func TestLocalZone(t *testing.T) {
	tests := []struct{ tz, want string }{
		{"America/New_York", "America/New_York"},
		{":Asia/Tokyo", "Asia/Tokyo"},
		{"/usr/share/zoneinfo/Europe/Berlin", "Europe/Berlin"},
	}
	for _, tt := range tests {
		getenv := func(k string) string {
			if k == "TZ" {
				return tt.tz
			}
			return ""
		}
		if got := localZone(getenv); got != tt.want {
			t.Errorf("TZ=%q: got %q, want %q", tt.tz, got, tt.want)
		}
	}
}
