package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ladderapp/ladder/internal/ladder"
	"github.com/ladderapp/ladder/internal/prompts"
	"github.com/ladderapp/ladder/internal/store"
)

// tryEnv clears the settings bot try reads, so that the machine's own
// environment cannot change what the test sees. db is LADDER_DB, which bot try
// must ignore. Alice is in Berlin; /healthz is served on a free port.
func tryEnv(t *testing.T, db string) {
	t.Helper()
	for _, k := range []string{"LADDER_PROMPTS", "LADDER_ADMINS", "LADDER_LOG_LEVEL", "SLACK_APP_TOKEN", "SLACK_BOT_TOKEN", "SLACK_API_URL"} {
		t.Setenv(k, "")
	}
	t.Setenv("LADDER_DB", db)
	t.Setenv("LADDER_HTTP_ADDR", "127.0.0.1:0")
	t.Setenv("TZ", "Europe/Berlin")
}

// runTry runs bot try on input and returns what it printed.
func runTry(t *testing.T, input string, args ...string) (stdout, stderr string) {
	t.Helper()
	return runTryAt(t, startingAt(testDay), input, args...)
}

// runTryAt runs bot try on clock.
func runTryAt(t *testing.T, clock func() time.Time, input string, args ...string) (stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	var out, errOut bytes.Buffer
	err := run(ctx, append([]string{"try"}, args...), os.Getenv, clock, strings.NewReader(input), &out, &errOut)
	if code := exitCode(err, &errOut); code != 0 {
		t.Fatalf("bot try: exit %d\nstderr:\n%s\nstdout:\n%s", code, errOut.String(), out.String())
	}
	return out.String(), errOut.String()
}

// TestTryPipeline is the README's first command: the whole app, from the first
// slash command to the gaps, through a simulated Slack.
func TestTryPipeline(t *testing.T) {
	tryEnv(t, "")
	out, errOut := runTry(t, "/ladder help\n/ladder prompt\nI coached two leads\n/ladder evidence\n/ladder gaps\n/ladder export\n")

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
		"alice> /ladder help",
		"/ladder gaps` — readiness", // the help, as text
		"── Ladder → alice (DM) ──",
		"[1] Answer  [2] Skip this one  [3] Another question", // an on-demand question
		"── only visible to alice ──",
		"Saved to ",
		"I coached two leads", // the evidence
		"Readiness for ",
		"Biggest gap: ",
		// The reply to export, and the packet, race: either may come first.
		"packet is on its way",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the output lacks %q", want)
		}
	}
	// The order is the conversation's: each reply follows its line.
	order := []string{"alice> /ladder help", "alice> /ladder prompt", question, "alice> I coached two leads", "Saved to ", "alice> /ladder evidence", "· I coached two leads", "alice> /ladder gaps", "Readiness for ",
		"alice> /ladder export", "# Promotion packet"}
	rest := out
	for _, want := range order {
		i := strings.Index(rest, want)
		if i < 0 {
			t.Errorf("%q is missing or out of order", want)
			break
		}
		rest = rest[i+len(want):]
	}
	for _, unwanted := range []string{"*Readiness", "```", "\x1b[", "Home tab ──", "&lt;"} {
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

// TestTryKeepsDB checks that with --db, bot try keeps what was said for the
// next run, and that "home" shows the Home tab.
func TestTryKeepsDB(t *testing.T) {
	tryEnv(t, "")
	db := filepath.Join(t.TempDir(), "try.db")
	out, _ := runTry(t, "/ladder prompt\nRan the incident review with platform\n", "--db", db)
	if want := "Database: " + db + " (kept, from --db)\n"; !strings.HasPrefix(out, want) {
		t.Errorf("the output does not start with %q:\n%s", want, out)
	}
	if _, err := os.Stat(db); err != nil {
		t.Fatalf("the database is gone: %v", err)
	}
	out, _ = runTry(t, "/ladder evidence\nhome\n/gaps\n", "--db", db)
	for _, want := range []string{"Ran the incident review with platform", "── alice's Home tab ──", "Latest evidence", "] Answer now", "Only /ladder commands work here"} {
		if !strings.Contains(out, want) {
			t.Errorf("the second run lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "Welcome") {
		t.Errorf("the second run welcomed an enrolled member again:\n%s", out)
	}
}

// TestTryLeavesLadderDB is `docker exec ladder /bot try` in the image, which
// sets LADDER_DB for every process: bot try must not run a second scheduler on
// the production database. The database holds a member whose weekly prompt is
// due when bot try starts; after it, the file is as it was, and no -wal file
// was left beside it.
func TestTryLeavesLadderDB(t *testing.T) {
	prod := filepath.Join(t.TempDir(), "ladder.db")
	due := time.Date(2026, 11, 16, 9, 30, 0, 0, time.UTC) // a Monday
	enroll(t, prod, ladder.Member{UserID: "UALICE", Name: "alice", TZ: "UTC", Level: ladder.EM, Target: ladder.SeniorEM,
		Track: "broad", Slot: ladder.Slot{Day: time.Monday, Minute: 9*60 + 30, On: true}, Share: ladder.ShareSummary,
		EnrolledAt: due.AddDate(0, -1, 0)})
	before, err := os.ReadFile(prod)
	if err != nil {
		t.Fatal(err)
	}
	old := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	if err := os.Chtimes(prod, old, old); err != nil {
		t.Fatal(err)
	}
	tryEnv(t, prod)

	// The first tick runs as the app starts; the settle after each line gives
	// the scheduler time to send what is due.
	out, _ := runTryAt(t, startingAt(due.Add(time.Minute)), "/ladder help\nhello\n")
	if !strings.Contains(out, "(temporary, deleted on exit;") || !strings.Contains(out, "LADDER_DB ("+prod+") is not used") {
		t.Errorf("the banner does not say which database bot try uses:\n%s", out)
	}

	after, err := os.ReadFile(prod)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) {
		t.Errorf("bot try changed the database LADDER_DB names")
	}
	fi, err := os.Stat(prod)
	if err != nil {
		t.Fatal(err)
	}
	if !fi.ModTime().Equal(old) {
		t.Errorf("bot try wrote to the database LADDER_DB names: modified at %v", fi.ModTime())
	}
	if _, err := os.Stat(prod + "-wal"); err == nil {
		t.Errorf("bot try opened the database LADDER_DB names: %s-wal exists", prod)
	}
	db, err := store.Open(t.Context(), prod)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if sent, err := db.RecentPrompts(t.Context(), "UALICE", due.AddDate(0, 0, -7)); err != nil || len(sent) != 0 {
		t.Errorf("the production member's prompts: %v, %v; want none sent", sent, err)
	}
}

func TestTryRejectsArguments(t *testing.T) {
	tryEnv(t, "")
	for _, args := range [][]string{{"extra"}, {"--db"}, {"--database", "x.db"}, {"--db", "x.db", "extra"}} {
		var out, errOut bytes.Buffer
		err := run(t.Context(), append([]string{"try"}, args...), os.Getenv, startingAt(testDay), strings.NewReader(""), &out, &errOut)
		if code := exitCode(err, &errOut); code != 2 {
			t.Errorf("bot try %q: exit %d, want 2", args, code)
		}
		if !strings.Contains(errOut.String(), "usage:") {
			t.Errorf("bot try %q: the message lacks the usage: %s", args, errOut.String())
		}
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

// TestTryShowsAPacketSlackHeldBack: the welcome DM, the area picker and the
// packet are three posts to one DM within a second, so Slack answers the
// third with a 429 and the send queue posts it a second later. bot try waits
// for it rather than moving on as if the app were done.
func TestTryShowsAPacketSlackHeldBack(t *testing.T) {
	tryEnv(t, "")
	out, errOut := runTry(t, "/ladder start\nI coached two leads\n/ladder export\n")
	if !strings.Contains(out, "# Promotion packet") {
		t.Errorf("the packet never printed:\n%s", out)
	}
	if errOut != "" {
		t.Errorf("stderr: %s", errOut)
	}
}
