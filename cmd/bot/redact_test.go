package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ladderapp/ladder/internal/fakeslack"
)

func TestRedact(t *testing.T) {
	r := newRedactor(config{AppToken: "xapp-1-A0-secret", BotToken: "xoxb-2-secret", APIURL: "http://127.0.0.1:4711/api/"})
	tests := []struct{ in, want string }{
		{`Post "https://hooks.slack.com/commands/T0ABC/1234567890/XyZsecret": context deadline exceeded`,
			`Post "https://hooks.slack.com/commands/[redacted]": context deadline exceeded`},
		{"https://hooks.slack.com/actions/T0ABC/1234567890/XyZsecret", "https://hooks.slack.com/actions/[redacted]"},
		{"https://hooks.slack.com/services/T0ABC/B0123/XyZsecret", "https://hooks.slack.com/services/[redacted]"},
		{"https://hooks.slack.com/app/T0ABC/1234567890/XyZsecret", "https://hooks.slack.com/app/[redacted]"}, // shortcuts
		{"HTTPS://Hooks.Slack.com:443/commands/T0ABC/1/XyZsecret", "HTTPS://Hooks.Slack.com:443/commands/[redacted]"},
		{"https://hooks.slack-gov.com/actions/T0ABC/1/XyZsecret?x=1", "https://hooks.slack-gov.com/actions/[redacted]"},
		{"https://hooks.slack.com?XyZsecret", "https://hooks.slack.com/[redacted]"},
		// Quoted twice, as an error quoted inside another error is.
		{`failed: "Post \"https://hooks.slack.com/commands/T0ABC/1/XyZsecret\": EOF"`,
			`failed: "Post \"https://hooks.slack.com/commands/[redacted]\": EOF"`},
		{"http://127.0.0.1:4711/response/TFAKE/12", "http://127.0.0.1:4711/response/[redacted]"},
		{"tokens xapp-1-A0-secret and xoxb-2-secret", "tokens [redacted] and [redacted]"},
	}
	for _, tt := range tests {
		got, ok := r.redact(tt.in)
		if got != tt.want || !ok {
			t.Errorf("redact(%q) = %q, %v; want %q, true", tt.in, got, ok, tt.want)
		}
	}
	for _, keep := range []string{
		"http://127.0.0.1:4711/api/chat.postMessage", // the Web API holds no secret in its URL
		"https://slack.com/api/chat.postMessage",
		"https://example.com/commands/T0ABC/1/x",
		"http://127.0.0.1:9999/response/TFAKE/12", // another server
		"no URL at all",
	} {
		if got, ok := r.redact(keep); got != keep || ok {
			t.Errorf("redact(%q) = %q, %v; want it unchanged", keep, got, ok)
		}
	}
}

// secretURL is a response URL as Slack hands them out; secretParts are the
// pieces of its path, any one of which must not be logged.
const secretURL = "https://hooks.slack.com/commands/T0ABC/1234567890/XyZsecret"

var secretParts = []string{"T0ABC", "1234567890", "XyZsecret", "xoxb-2-secret"}

// urlValue is a value that prints the URL the way the handler prints structs.
type urlValue struct {
	Where string
	Err   error
}

// logValuer hides the URL until the handler resolves it.
type logValuer struct{ err error }

func (v logValuer) LogValue() slog.Value { return slog.AnyValue(v.err) }

// TestLoggerRedactsResponseURLs logs a timed-out reply through response_url,
// as slack-go returns it, in every way a log call can carry it.
func TestLoggerRedactsResponseURLs(t *testing.T) {
	var buf bytes.Buffer
	log := newLogger(&buf, slog.LevelDebug, newRedactor(config{BotToken: "xoxb-2-secret"}))
	uerr := &url.Error{Op: "Post", URL: secretURL, Err: context.DeadlineExceeded}
	err := fmt.Errorf("reply: %w", uerr)

	for _, level := range []slog.Level{slog.LevelDebug, slog.LevelInfo, slog.LevelWarn, slog.LevelError} {
		log.Log(t.Context(), level, "reply through response_url failed", "err", err)
	}
	log.Error("as a string", "err", err.Error())
	log.Error("in the message: " + err.Error())
	log.Error("as an error", slog.Any("err", errors.Join(io.EOF, err)))
	log.Error("in a struct", "v", urlValue{Where: "respond", Err: err}, "p", &urlValue{Err: uerr})
	log.Error("in a slice", "v", []any{1, err})
	log.Error("as bytes", "v", []byte(secretURL))
	log.Error("in a group", slog.Group("call", slog.String("url", secretURL), slog.Any("err", err)))
	log.Error("in a log valuer", "v", logValuer{err})
	log.With("err", err).With(slog.Group("g", "url", secretURL)).Warn("through With")
	log.WithGroup("outer").With("url", secretURL).Info("through WithGroup")
	log.Error("as a key", secretURL, 1)
	log.Info("with the token", "token", "xoxb-2-secret")

	out := buf.String()
	if n := strings.Count(out, "hooks.slack.com/commands/[redacted]"); n < 15 {
		t.Errorf("%d redacted URLs, want at least 15:\n%s", n, out)
	}
	for _, p := range secretParts {
		if strings.Contains(out, p) {
			t.Errorf("the log holds %q:\n%s", p, out)
		}
	}
	if lines := strings.Count(out, "\n"); lines != 16 {
		t.Errorf("%d lines logged, want 16:\n%s", lines, out)
	}
}

// hookTimeout gives up on posts to a response URL after d, as the app's HTTP
// client does after slackapp.WebAPITimeout, so that the test need not wait 15
// seconds for each of the app's three attempts. Other requests pass through.
// It records the URLs it gave up on.
type hookTimeout struct {
	base http.RoundTripper
	d    time.Duration
	urls chan string
}

func (h hookTimeout) RoundTrip(req *http.Request) (*http.Response, error) {
	if !strings.HasPrefix(req.URL.Path, "/response/") {
		return h.base.RoundTrip(req)
	}
	select {
	case h.urls <- req.URL.String():
	default:
	}
	ctx, cancel := context.WithTimeout(req.Context(), h.d)
	resp, err := h.base.RoundTrip(req.WithContext(ctx))
	if err != nil {
		cancel()
		return nil, err
	}
	resp.Body = cancelOnClose{resp.Body, cancel}
	return resp, nil
}

type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (c cancelOnClose) Close() error {
	defer c.cancel()
	return c.ReadCloser.Close()
}

// TestResponseURLNotLogged runs bot serve, sends a slash command, and holds
// back every post to its response_url until the app gives up: the app logs
// the failure, and the log does not hold the URL, with which anyone could post
// as the app for 30 minutes.
func TestResponseURLNotLogged(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	// The app's reply client uses the default transport.
	orig := http.DefaultTransport
	urls := make(chan string, 10)
	http.DefaultTransport = hookTimeout{base: orig, d: 200 * time.Millisecond, urls: urls}
	t.Cleanup(func() { http.DefaultTransport = orig })

	fake := fakeslack.New(fakeslack.WithClock(startingAt(testDay)))
	defer fake.Close()
	fake.AddUser(fakeslack.User{ID: "UALICE", Name: "alice"})
	fake.FailNext("response_url", 3, fakeslack.Delayed(time.Minute))
	// A reply ready within the budget rides in the ack: hold back the
	// users.info that the first command's enrolment makes, so that the reply
	// misses the budget and goes to the response URL.
	fake.FailNext("users.info", 1, fakeslack.Delayed(3*time.Second))
	for k, v := range map[string]string{
		"SLACK_APP_TOKEN": fake.AppToken, "SLACK_BOT_TOKEN": fake.BotToken, "SLACK_API_URL": fake.APIURL(),
		"LADDER_DB": filepath.Join(t.TempDir(), "ladder.db"), "LADDER_HTTP_ADDR": "", "LADDER_LOG_LEVEL": "debug",
		"LADDER_PROMPTS": "", "LADDER_ADMINS": "",
	} {
		t.Setenv(k, v)
	}
	var logs lockedBuffer
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- run(runCtx, []string{"serve"}, os.Getenv, startingAt(testDay), nil, io.Discard, &logs) }()
	defer func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("bot serve: %v", err)
		}
	}()
	if err := fake.WaitConnected(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := fake.SendSlash(fakeslack.SlashCommand{UserID: "UALICE", Text: "start"}); err != nil {
		t.Fatal(err)
	}
	if _, err := fake.WaitCalls(ctx, "response_url", 3); err != nil {
		t.Fatal(err)
	}
	const failed = "Web API call failed for good"
	for !strings.Contains(logs.String(), failed) {
		select {
		case <-ctx.Done():
			t.Fatalf("the app did not log the failed reply:\n%s", logs.String())
		case <-time.After(20 * time.Millisecond):
		}
	}

	responseURL := <-urls
	_, path, ok := strings.Cut(responseURL, "/response/")
	if !ok || path == "" {
		t.Fatalf("the app posted its reply to %q, not a response URL", responseURL)
	}
	out := logs.String()
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, failed) && !strings.Contains(line, "/response/[redacted]") {
			t.Errorf("the failure is logged without the redacted URL: %s", line)
		}
	}
	if strings.Contains(out, path) || strings.Contains(out, responseURL) {
		t.Errorf("the log holds the response URL %s:\n%s", responseURL, out)
	}
}

// TestDatabasePasswordNeverShown: a PostgreSQL LADDER_DB's password is
// redacted from the log, and left out wherever the database is named.
func TestDatabasePasswordNeverShown(t *testing.T) {
	const db = "postgres://ladder:Pa55-secret@db.internal:5432/ladder?sslmode=require"
	r := newRedactor(config{DB: db})
	got, ok := r.redact("failed to connect to `user=ladder database=ladder`: password Pa55-secret rejected")
	if strings.Contains(got, "Pa55-secret") || !ok {
		t.Errorf("redact = %q, %v; want the password gone", got, ok)
	}
	if name := dbName(db); strings.Contains(name, "Pa55-secret") || !strings.Contains(name, "db.internal:5432/ladder") {
		t.Errorf("dbName = %q; want the host and database, without the password", name)
	}
	if name := dbName("/var/lib/ladder/ladder.db"); name != "/var/lib/ladder/ladder.db" {
		t.Errorf("dbName(file) = %q; want the path as it is", name)
	}
}
