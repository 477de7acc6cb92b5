package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ladderapp/ladder/internal/fakeslack"
	"github.com/ladderapp/ladder/internal/store"
)

// TestMain lets a test run the binary as a child process: with BOT_CHILD set,
// the test binary is the bot, so SIGTERM and kill -9 hit a real process. Its
// clock starts at BOT_NOW (RFC 3339), as if the process started then.
func TestMain(m *testing.M) {
	if os.Getenv("BOT_CHILD") == "1" {
		args := strings.Fields(os.Getenv("BOT_ARGS"))
		start, err := time.Parse(time.RFC3339, os.Getenv("BOT_NOW"))
		if err != nil {
			fmt.Fprintf(os.Stderr, "BOT_NOW: %v\n", err)
			os.Exit(2)
		}
		err = run(context.Background(), args, os.Getenv, startingAt(start), os.Stdin, os.Stdout, os.Stderr)
		os.Exit(exitCode(err, os.Stderr))
	}
	os.Exit(m.Run())
}

// testDay is when the tests that do not set their own clock run: a Monday
// morning in the middle of a month, so that nothing they do crosses a day, a
// week or a month, whatever today is.
var testDay = time.Date(2026, 11, 16, 9, 0, 0, 0, time.UTC)

// startingAt is a clock that reads start when it is made and runs on in real
// time from there: the program as if it had been started at start.
func startingAt(start time.Time) func() time.Time {
	began := time.Now()
	return func() time.Time { return start.Add(time.Since(began)) }
}

func TestNoTokensExitsTwoWithSetupHelp(t *testing.T) {
	t.Setenv("SLACK_APP_TOKEN", "")
	t.Setenv("SLACK_BOT_TOKEN", "")
	var out, errOut bytes.Buffer
	err := run(context.Background(), nil, os.Getenv, startingAt(testDay), strings.NewReader(""), &out, &errOut)
	if code := exitCode(err, &errOut); code != 2 {
		t.Fatalf("exit code: got %d, want 2", code)
	}
	for _, want := range []string{"SLACK_APP_TOKEN is not set", "manifest.yaml", "connections:write", "bot try"} {
		if !strings.Contains(errOut.String(), want) {
			t.Errorf("message %q lacks %q", errOut.String(), want)
		}
	}
	t.Setenv("SLACK_APP_TOKEN", "xoxb-wrong-kind")
	t.Setenv("SLACK_BOT_TOKEN", "xoxb-fine")
	errOut.Reset()
	if code := exitCode(run(context.Background(), nil, os.Getenv, startingAt(testDay), nil, &out, &errOut), &errOut); code != 2 {
		t.Errorf("malformed app token: exit %d, want 2", code)
	}
	if strings.Contains(errOut.String(), "xoxb-wrong-kind") || strings.Contains(errOut.String(), "xoxb-fine") {
		t.Errorf("the message echoes a token: %s", errOut.String())
	}
}

// child starts the bot as a separate process against the fake Slack, logging
// at debug level, and kills it when the test ends.
func child(t *testing.T, fake *fakeslack.Server, db string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	cmd, stderr, _ := startChild(t, fake, db, "debug", testDay)
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd, stderr
}

// startChild starts the test binary as the bot (see TestMain), serving
// against the fake Slack with the database db and a clock that starts at now,
// and returns it with its standard error and the time it was started.
func startChild(tb testing.TB, fake *fakeslack.Server, db, logLevel string, now time.Time) (*exec.Cmd, *bytes.Buffer, time.Time) {
	tb.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cmd.Env = append(os.Environ(),
		"BOT_CHILD=1", "BOT_ARGS=serve",
		"SLACK_APP_TOKEN="+fake.AppToken, "SLACK_BOT_TOKEN="+fake.BotToken, "SLACK_API_URL="+fake.APIURL(),
		"LADDER_DB="+db, "LADDER_HTTP_ADDR=127.0.0.1:0", "LADDER_LOG_LEVEL="+logLevel,
		"BOT_NOW="+now.Format(time.RFC3339),
	)
	start := time.Now()
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	return cmd, &stderr, start
}

func TestKill9KeepsConfirmedAnswersAndSIGTERMExitsZero(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	fake := fakeslack.New(fakeslack.WithPingInterval(2*time.Second), fakeslack.WithClock(startingAt(testDay)))
	defer fake.Close()
	fake.AddUser(fakeslack.User{ID: "UALICE", Name: "alice", TZ: "Europe/Berlin"})
	db := filepath.Join(t.TempDir(), "ladder.db")

	first, stderr := child(t, fake, db)
	if err := fake.WaitConnections(ctx, 1); err != nil {
		t.Fatalf("child never connected: %v\n%s", err, stderr)
	}
	env, _ := fake.SendSlash(fakeslack.SlashCommand{UserID: "UALICE", Text: "prompt"})
	fake.WaitAck(ctx, env)
	answers := []string{"first confirmed answer", "second confirmed answer"}
	for _, a := range answers {
		ts := fake.NewTS()
		fake.SendEvent("", fake.DMEvent("UALICE", a, ts), 0)
		err := fake.WaitFor(ctx, func(s *fakeslack.Snapshot) bool {
			for _, m := range s.Messages {
				if m.ThreadTS == ts && strings.Contains(m.Text, "Saved to") {
					return true
				}
			}
			return false
		})
		if err != nil {
			t.Fatalf("no confirmation: %v\n%s", err, stderr)
		}
	}
	// kill -9 right after the confirmations: nothing confirmed may be lost.
	first.Process.Signal(syscall.SIGKILL)
	first.Wait()
	s, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	es, err := s.AllEvidence(ctx, "UALICE")
	s.Close()
	if err != nil || len(es) != 2 || es[0].Text != answers[0] || es[1].Text != answers[1] {
		t.Fatalf("after kill -9: got %+v, %v; want both confirmed answers", es, err)
	}

	second, stderr2 := child(t, fake, db)
	if err := fake.WaitConnections(ctx, 2); err != nil {
		t.Fatalf("second child never connected: %v\n%s", err, stderr2)
	}
	env, _ = fake.SendSlash(fakeslack.SlashCommand{UserID: "UALICE", Text: "gaps"})
	fake.WaitAck(ctx, env)
	start := time.Now()
	second.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- second.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("after SIGTERM: %v (want exit 0)\n%s", err, stderr2)
		}
		t.Logf("SIGTERM to exit: %v", time.Since(start))
	case <-time.After(10 * time.Second):
		t.Fatal("no exit within 10s of SIGTERM")
	}
	logs := stderr.String() + stderr2.String()
	if !strings.Contains(logs, "ladder stopped cleanly") {
		t.Errorf("the log does not say it stopped cleanly:\n%s", stderr2)
	}
	for _, tok := range []string{fake.AppToken, fake.BotToken} {
		if strings.Contains(logs, tok) {
			t.Errorf("a token appears in the debug logs")
		}
	}
}

// A token pasted wrong (invalid_auth) stops the app. A token that worked and
// was revoked (token_revoked) is an uninstall instead: TestUninstall.
func TestRejectedTokensExitThree(t *testing.T) {
	fake := fakeslack.New()
	defer fake.Close()
	const wrong = "xoxb-1-not-the-installed-token"
	t.Setenv("SLACK_APP_TOKEN", fake.AppToken)
	t.Setenv("SLACK_BOT_TOKEN", wrong)
	t.Setenv("SLACK_API_URL", fake.APIURL())
	t.Setenv("LADDER_DB", filepath.Join(t.TempDir(), "ladder.db"))
	t.Setenv("LADDER_HTTP_ADDR", "")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var out, errOut bytes.Buffer
	code := exitCode(run(ctx, nil, os.Getenv, startingAt(testDay), nil, &out, &errOut), &errOut)
	if code != 3 {
		t.Fatalf("exit code: got %d, want 3\n%s", code, errOut.String())
	}
	if !strings.Contains(errOut.String(), "rejected the tokens") || strings.Contains(errOut.String(), wrong) {
		t.Errorf("message: %q", errOut.String())
	}
}

// TestSocketModeTurnedOffExitsFour: when an admin turns Socket Mode off,
// Slack sends disconnect with reason link_disabled and refuses new
// connections. The app stops with exit status 4 and names the setting,
// rather than reconnecting forever behind a failing /healthz.
func TestSocketModeTurnedOffExitsFour(t *testing.T) {
	fake := fakeslack.New(fakeslack.WithClock(startingAt(testDay)))
	defer fake.Close()
	t.Setenv("SLACK_APP_TOKEN", fake.AppToken)
	t.Setenv("SLACK_BOT_TOKEN", fake.BotToken)
	t.Setenv("SLACK_API_URL", fake.APIURL())
	t.Setenv("LADDER_DB", filepath.Join(t.TempDir(), "ladder.db"))
	t.Setenv("LADDER_HTTP_ADDR", "")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var out bytes.Buffer
	errOut := &lockedBuffer{}
	done := make(chan error, 1)
	go func() { done <- run(ctx, nil, os.Getenv, startingAt(testDay), nil, &out, errOut) }()
	if err := fake.WaitConnected(ctx); err != nil {
		t.Fatalf("never connected: %v", err)
	}
	fake.DisableSocketMode()
	select {
	case err := <-done:
		if code := exitCode(err, errOut); code != 4 {
			t.Fatalf("exit code: got %d, want 4\n%s", code, errOut.String())
		}
	case <-ctx.Done():
		t.Fatalf("still running 20s after Socket Mode was turned off\n%s", errOut.String())
	}
	if msg := errOut.String(); !strings.Contains(msg, "Enable Socket Mode") || strings.Contains(msg, fake.AppToken) {
		t.Errorf("message: %q", msg)
	}
}

// lockedBuffer is a writer that the app's logger and the test may use at once.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestKill9AfterABurstLosesNothingAcked kills the bot the moment Slack has
// the acks of a burst of answers: every acked answer must be stored and
// confirmed exactly once after the restart. Slack never sends an acked event
// again, so an answer that is acked only survives if it was committed first.
func TestKill9AfterABurstLosesNothingAcked(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	const members, answers = 12, 120
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	fake := fakeslack.New(fakeslack.WithPingInterval(2*time.Second), fakeslack.WithClock(startingAt(testDay)))
	defer fake.Close()
	fake.SetTiers(false) // the burst is about durability, not chat.postMessage's pace
	var users []string
	for i := range members {
		u := fmt.Sprintf("UK9%02d", i)
		users = append(users, u)
		fake.AddUser(fakeslack.User{ID: u, Name: strings.ToLower(u), TZ: "Europe/Berlin"})
	}
	db := filepath.Join(t.TempDir(), "ladder.db")

	first, stderr, _ := startChild(t, fake, db, "info", testDay)
	t.Cleanup(func() { first.Process.Kill(); first.Wait() })
	if err := fake.WaitConnections(ctx, 1); err != nil {
		t.Fatalf("child never connected: %v\n%s", err, stderr)
	}
	for _, u := range users {
		env, _ := fake.SendSlash(fakeslack.SlashCommand{UserID: u, Text: "prompt"})
		if _, err := fake.WaitAck(ctx, env); err != nil {
			t.Fatal(err)
		}
	}
	err := fake.WaitFor(ctx, func(s *fakeslack.Snapshot) bool {
		n := 0
		for _, m := range s.Messages {
			if strings.Contains(m.Text, "Reflection") {
				n++
			}
		}
		return n >= members
	})
	if err != nil {
		t.Fatalf("prompts: %v", err)
	}

	texts := map[string]string{} // by ts
	var envs []string
	for i := range answers {
		u := users[i%members]
		ts := fake.NewTS()
		texts[ts] = fmt.Sprintf("answer %d from %s", i, u)
		env, err := fake.SendEvent("", fake.DMEvent(u, texts[ts], ts), 0)
		if err != nil {
			t.Fatal(err)
		}
		envs = append(envs, env)
	}
	for _, env := range envs {
		if _, err := fake.WaitAck(ctx, env); err != nil {
			t.Fatalf("answer not acked: %v", err)
		}
	}
	first.Process.Signal(syscall.SIGKILL)
	first.Wait()
	s, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	stored := 0
	for _, u := range users {
		es, err := s.AllEvidence(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		stored += len(es)
	}
	s.Close()
	t.Logf("kill -9 after %d acks: %d answers stored at the kill, %d to replay", answers, stored, answers-stored)

	second, stderr2, _ := startChild(t, fake, db, "info", testDay.Add(time.Minute))
	t.Cleanup(func() { second.Process.Kill(); second.Wait() })
	if err := fake.WaitConnections(ctx, 2); err != nil {
		t.Fatalf("second child never connected: %v", err)
	}
	replies := func(s *fakeslack.Snapshot) map[string]int {
		n := map[string]int{}
		for _, m := range s.Messages {
			if _, ok := texts[m.ThreadTS]; ok && m.Kind == "post" {
				n[m.ThreadTS]++
			}
		}
		return n
	}
	err = fake.WaitFor(ctx, func(s *fakeslack.Snapshot) bool { return len(replies(s)) == answers })
	if err != nil {
		got := fake.Snapshot()
		t.Fatalf("confirmed %d of %d acked answers: %v", len(replies(&got)), answers, err)
	}
	// Confirmations the first child posted but had not recorded when it was
	// killed are found in the DM by the start-up catch-up, which paces its
	// lookups: wait for their record too.
	s, err = store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	for {
		es, err := s.Unconfirmed(ctx, testDay.Add(-time.Hour), 1000)
		if err != nil {
			t.Fatal(err)
		}
		if len(es) == 0 {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("%d answers never recorded as confirmed", len(es))
		}
		time.Sleep(200 * time.Millisecond)
	}
	s.Close()
	second.Process.Signal(syscall.SIGTERM)
	if err := second.Wait(); err != nil {
		t.Errorf("after SIGTERM: %v\n%s", err, stderr2)
	}

	snap := fake.Snapshot()
	for ts, n := range replies(&snap) {
		if n != 1 {
			t.Errorf("answer %q: %d confirmations, want 1", texts[ts], n)
		}
	}
	storedOnce(t, db, users, texts, true)
	if t.Failed() {
		t.Logf("first child:\n%s\nsecond child:\n%s", stderr, stderr2)
	}
}

// TestSIGTERMWithASlowSlackLosesNothingAcked stops the bot while a slow
// Slack (2.5 s a post) holds a member's answers in the drain: what the drain
// does not finish is handled at the next start, each answer stored and
// confirmed once.
func TestSIGTERMWithASlowSlackLosesNothingAcked(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	fake := fakeslack.New(fakeslack.WithPingInterval(2*time.Second), fakeslack.WithClock(startingAt(testDay)))
	defer fake.Close()
	fake.SetTiers(false)
	fake.AddUser(fakeslack.User{ID: "UALICE", Name: "alice", TZ: "Europe/Berlin"})
	db := filepath.Join(t.TempDir(), "ladder.db")

	first, stderr := child(t, fake, db)
	if err := fake.WaitConnections(ctx, 1); err != nil {
		t.Fatalf("child never connected: %v\n%s", err, stderr)
	}
	env, _ := fake.SendSlash(fakeslack.SlashCommand{UserID: "UALICE", Text: "prompt"})
	fake.WaitAck(ctx, env)
	if _, err := fake.WaitMessages(ctx, 2); err != nil { // the welcome and the prompt
		t.Fatal(err)
	}
	fake.FailNext("chat.postMessage", 8, fakeslack.Delayed(2500*time.Millisecond))
	texts := map[string]string{}
	for i := range 8 {
		ts := fake.NewTS()
		texts[ts] = fmt.Sprintf("answer %d before SIGTERM", i)
		env, _ := fake.SendEvent("", fake.DMEvent("UALICE", texts[ts], ts), 0)
		if _, err := fake.WaitAck(ctx, env); err != nil {
			t.Fatal(err)
		}
	}
	first.Process.Signal(syscall.SIGTERM)
	if err := first.Wait(); err != nil {
		t.Errorf("after SIGTERM: %v\n%s", err, stderr)
	}
	s, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	es, _ := s.AllEvidence(ctx, "UALICE")
	s.Close()
	t.Logf("SIGTERM with Slack at 2.5 s a post: %d of 8 acked answers stored when the drain ended", len(es))

	second, stderr2 := child(t, fake, db)
	if err := fake.WaitConnections(ctx, 2); err != nil {
		t.Fatalf("second child never connected: %v\n%s", err, stderr2)
	}
	confirmations := func(s *fakeslack.Snapshot) map[string]int {
		n := map[string]int{}
		for _, m := range s.Messages {
			if _, ok := texts[m.ThreadTS]; ok && m.Kind == "post" {
				n[m.ThreadTS]++
			}
		}
		return n
	}
	if err := fake.WaitFor(ctx, func(s *fakeslack.Snapshot) bool { return len(confirmations(s)) == len(texts) }); err != nil {
		t.Fatalf("not every acked answer was confirmed: %v\n%s", err, stderr2)
	}
	second.Process.Signal(syscall.SIGTERM)
	second.Wait()
	snap := fake.Snapshot()
	for ts, n := range confirmations(&snap) {
		if n != 1 {
			t.Errorf("answer %q: %d confirmations, want 1", texts[ts], n)
		}
	}
	storedOnce(t, db, []string{"UALICE"}, texts, false)
}

// storedOnce checks that the database at path holds each answer of texts (by
// ts) exactly once, with its text, and nothing else from users; with
// confirmed, that each is recorded as confirmed too.
func storedOnce(t *testing.T, path string, users []string, texts map[string]string, confirmed bool) {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got := map[string]int{}
	for _, u := range users {
		es, err := s.AllEvidence(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range es {
			if texts[e.TS] != e.Text {
				t.Errorf("stored %q for ts %s, want %q", e.Text, e.TS, texts[e.TS])
			}
			if confirmed && e.Confirmed.IsZero() {
				t.Errorf("answer %q is not recorded as confirmed", e.Text)
			}
			got[e.TS]++
		}
	}
	for ts, text := range texts {
		if got[ts] != 1 {
			t.Errorf("answer %q stored %d times, want once", text, got[ts])
		}
	}
}
