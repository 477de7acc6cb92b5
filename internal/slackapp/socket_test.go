package slackapp_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/ladderapp/ladder/internal/fakeslack"
	"github.com/ladderapp/ladder/internal/ladder"
	"github.com/ladderapp/ladder/internal/slackapp"
	"github.com/ladderapp/ladder/internal/store"
)

func TestGarbageFramesAndUnknownEnvelopesSurvived(t *testing.T) {
	h := newHarness(t)
	for _, frame := range []string{
		"", "not json", "{", `{"type":42}`, "\x00\xff\xfe",
		`{"type":"mystery","envelope_id":"env-unknown-1","payload":{}}`,
		`{"type":"events_api","envelope_id":"env-bad-events","payload":"not an object"}`,
		`{"type":"slash_commands","envelope_id":"env-bad-slash","payload":[1,2,3]}`,
		strings.Repeat("x", 100000),
	} {
		if err := h.fake.SendRaw([]byte(frame)); err != nil {
			t.Fatal(err)
		}
	}
	// Envelopes slack-go cannot decode are still acked, from the raw frame.
	for _, id := range []string{"env-unknown-1", "env-bad-events", "env-bad-slash"} {
		if _, err := h.fake.WaitAck(h.ctx, id); err != nil {
			t.Errorf("envelope %s never acked: %v", id, err)
		}
	}
	// An unknown event type inside a good envelope is acked and ignored.
	env, _ := h.fake.SendEvent("", map[string]any{"type": "reaction_added", "user": alice}, 0)
	if _, err := h.fake.WaitAck(h.ctx, env); err != nil {
		t.Error(err)
	}
	// And the app still works.
	contains(t, "after garbage", h.slash(alice, "help"), "/ladder gaps")
	if h.fake.Connections() != 1 {
		t.Logf("garbage caused %d connections (slack-go reconnects after 10 unreadable frames)", h.fake.Connections())
	}
}

func TestReconnectAfterDisconnectAndDrop(t *testing.T) {
	h := newHarness(t)
	h.slash(alice, "start")
	h.fake.Disconnect("refresh_requested")
	if err := h.fake.WaitConnections(h.ctx, 2); err != nil {
		t.Fatalf("no reconnect after refresh_requested: %v", err)
	}
	contains(t, "after refresh_requested", h.slash(alice, "gaps"), "Readiness for")
	h.fake.Drop()
	if err := h.fake.WaitConnections(h.ctx, 3); err != nil {
		t.Fatalf("no reconnect after a dropped socket: %v", err)
	}
	contains(t, "after drop", h.slash(alice, "gaps"), "Readiness for")
	if n := len(h.fake.CallsTo("apps.connections.open")); n != 3 {
		t.Errorf("apps.connections.open calls: got %d, want 3", n)
	}
}

func TestRateLimitedPostIsRetriedAfterRetryAfter(t *testing.T) {
	h := newHarness(t)
	h.slash(alice, "start")
	h.fake.FailNext("chat.postMessage", 1, fakeslack.RateLimited(1))
	start := time.Now()
	_, reply := h.dm(alice, "answer during a 429")
	if time.Since(start) < time.Second {
		t.Errorf("the confirmation came %v after a 429 with Retry-After: 1", time.Since(start))
	}
	contains(t, "confirmation after 429", reply.Text, "Saved")
	calls := h.fake.CallsTo("chat.postMessage")
	var limited int
	for _, c := range calls {
		if c.Status == 429 {
			limited++
		}
	}
	if limited != 1 {
		t.Errorf("429s: got %d, want 1", limited)
	}
	if n := len(h.evidence(alice)); n != 1 {
		t.Errorf("evidence rows: got %d, want 1", n)
	}
}

// TestInvalidAuthStopsTheApp: a token Slack does not know (invalid_auth, a
// token pasted wrong) stops the app with ErrAuth; one it revoked
// (token_revoked, an uninstall) is ErrRevoked. Neither shows the token.
func TestInvalidAuthStopsTheApp(t *testing.T) {
	fake := fakeslack.New()
	defer fake.Close()
	for _, tc := range []struct {
		name, token string
		revoke      bool
		want        error
	}{
		{"wrong token", "xoxb-1-not-the-installed-token", false, slackapp.ErrAuth},
		{"revoked token", fake.BotToken, true, slackapp.ErrRevoked},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.revoke {
				fake.RevokeTokens()
			}
			api := slack.New(tc.token, slack.OptionAPIURL(fake.APIURL()), slack.OptionAppLevelToken(fake.AppToken))
			logs := &syncBuffer{}
			app := slackapp.New(slog.New(slog.NewTextHandler(logs, nil)), api, nil, nil, nil, slackapp.Config{})
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			err := app.Run(ctx)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Run: got %v, want %v", err, tc.want)
			}
			if strings.Contains(logs.String(), tc.token) || strings.Contains(err.Error(), tc.token) {
				t.Error("the token leaked into the logs or the error")
			}
		})
	}
}

// TestAckLatencyUnderBurst sends a burst of 300 slash commands from 30 users
// and reports the ack latency the fake measured, from writing each envelope to
// reading its ack.
func TestAckLatencyUnderBurst(t *testing.T) {
	h := newHarness(t)
	var users []string
	for i := range 30 {
		u := fmt.Sprintf("UBURST%02d", i)
		h.fake.AddUser(fakeslack.User{ID: u, Name: strings.ToLower(u), TZ: "Europe/Berlin"})
		h.slash(u, "start")
		users = append(users, u)
	}
	var envs []string
	for i := 0; i < 300; i++ {
		env, err := h.fake.SendSlash(fakeslack.SlashCommand{UserID: users[i%len(users)], Text: "gaps"})
		if err != nil {
			t.Fatal(err)
		}
		envs = append(envs, env)
	}
	var lat []time.Duration
	for _, env := range envs {
		ack, err := h.fake.WaitAck(h.ctx, env)
		if err != nil {
			t.Fatal(err)
		}
		lat = append(lat, ack.Latency)
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	p50, p99 := lat[len(lat)/2], lat[len(lat)*99/100]
	t.Logf("ack latency over a burst of 300 slash commands: p50 %v, p99 %v, max %v", p50, p99, lat[len(lat)-1])
	// Every command is answered, none twice.
	err := h.fake.WaitFor(h.ctx, func(s *fakeslack.Snapshot) bool {
		n := 0
		for _, m := range s.Messages {
			if isReply(m) && strings.Contains(m.Text, "Readiness for") {
				n++
			}
		}
		return n == 300
	})
	if err != nil {
		t.Fatal(err)
	}
	acks := map[string]int{}
	for _, a := range h.fake.Acks() {
		acks[a.EnvelopeID]++
	}
	for _, env := range envs {
		if acks[env] != 1 {
			t.Fatalf("envelope %s acked %d times", env, acks[env])
		}
	}
}

func TestHealthzAndMetrics(t *testing.T) {
	h := newHarness(t)
	h.slash(alice, "start")
	h.drainSends() // the welcome DM, whose post the metrics count
	srv := httptest.NewServer(h.app.Handler())
	defer srv.Close()
	get := func(path string) (int, string) {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, _ := get("/healthz"); code != 200 {
		t.Errorf("/healthz while connected: got %d, want 200", code)
	}
	code, body := get("/metrics")
	if code != 200 {
		t.Fatalf("/metrics: got %d", code)
	}
	contains(t, "/metrics", body,
		"ladder_connected 1", `ladder_envelopes_total{type="slash_commands"} 1`,
		`ladder_slack_calls_total{method="chat.postMessage",outcome="ok"}`,
		"ladder_ack_latency_seconds_count 1", "ladder_queue_depth 0", "# TYPE ladder_errors_total counter")
	h.shutdown()
	if code, _ := get("/healthz"); code != 503 {
		t.Errorf("/healthz after shutdown: got %d, want 503", code)
	}
}

func TestStartRetriesWhileSlackIsUnreachable(t *testing.T) {
	fake := fakeslack.New()
	defer fake.Close()
	fake.FailNext("auth.test", 2, fakeslack.HTTPError(500))
	api := slack.New(fake.BotToken, slack.OptionAPIURL(fake.APIURL()), slack.OptionAppLevelToken(fake.AppToken))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "ladder.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	app := slackapp.New(slog.New(slog.NewTextHandler(io.Discard, nil)), api, db, nil, nil, slackapp.Config{})
	done := make(chan error, 1)
	go func() { done <- app.Run(ctx) }()
	if err := fake.WaitConnected(ctx); err != nil {
		t.Fatalf("never connected after two failed auth.test calls: %v", err)
	}
	if n := len(fake.CallsTo("auth.test")); n != 3 {
		t.Errorf("auth.test calls: got %d, want 3", n)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run after cancel: %v", err)
	}
}

// TestTimedOutPostThatWentThroughIsNotPostedAgain is the hard case of exactly
// once: Slack posts the message but the answer never reaches the app. The
// retry finds the message by its metadata key instead of posting it again.
func TestTimedOutPostThatWentThroughIsNotPostedAgain(t *testing.T) {
	h := newHarness(t, slack.OptionHTTPClient(&http.Client{Timeout: 300 * time.Millisecond}))
	h.slash(alice, "start")
	h.prompt(alice)
	h.fake.FailNext("chat.postMessage", 1, fakeslack.Delayed(time.Second))
	ts, reply := h.dm(alice, "answer whose confirmation times out")
	contains(t, "confirmation", reply.Text, "Saved to")
	// Wait until the retry has looked in the history, then count.
	if _, err := h.fake.WaitCalls(h.ctx, "conversations.replies", 1); err != nil {
		t.Fatal(err)
	}
	h.dm(alice, "a later answer") // everything before it has been handled
	if n := h.count(func(m fakeslack.Message) bool { return m.Kind == "post" && m.ThreadTS == ts }); n != 1 {
		t.Errorf("confirmations of the answer: got %d, want 1", n)
	}
	if n := len(h.evidence(alice)); n != 2 {
		t.Errorf("evidence rows: got %d, want 2", n)
	}
}

// TestStartConfirmsAnswersACrashLeftUnconfirmed: an answer committed just
// before the process died is confirmed at the next start; one whose
// confirmation went out but was not recorded is found in the DM, not posted
// again; one confirmed is left alone.
func TestStartConfirmsAnswersACrashLeftUnconfirmed(t *testing.T) {
	h := newHarness(t)
	h.slash(alice, "start")
	h.prompt(alice)
	h.shutdown()

	area := h.ladder.Prompts[0]
	add := func(text string, confirmed time.Time) ladder.Evidence {
		ts := h.fake.NewTS()
		ev, _, err := h.db.AddEvidence(h.ctx, ladder.Evidence{UserID: alice, Area: area.Area, PromptID: area.ID, Text: text,
			Channel: "D" + alice, TS: ts, Thread: ts, Created: h.clock.Now(), Confirmed: confirmed})
		if err != nil {
			t.Fatal(err)
		}
		return ev
	}
	lost := add("stored, then the process died", time.Time{})
	unrecorded := add("confirmed, but the record was lost", time.Time{})
	done := add("stored and confirmed", h.clock.Now())
	h.postConfirmation(alice, "Saved to "+string(area.Area), unrecorded)

	h.start()
	h.waitPost(alice, func(m fakeslack.Message) bool {
		return m.ThreadTS == lost.Thread && strings.HasPrefix(m.Text, "Saved to")
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		es, err := h.db.Unconfirmed(h.ctx, h.clock.Now().Add(-time.Hour), 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(es) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("still unconfirmed after start: %+v", es)
		}
		// The last step, recording, makes no call to wait for: poll.
		wctx, cancel := context.WithTimeout(h.ctx, 50*time.Millisecond)
		n := len(h.fake.Calls())
		h.fake.WaitFor(wctx, func(s *fakeslack.Snapshot) bool { return len(s.Calls) > n })
		cancel()
	}
	for _, ev := range []ladder.Evidence{lost, unrecorded} {
		if n := h.count(func(m fakeslack.Message) bool { return m.Kind == "post" && m.ThreadTS == ev.Thread }); n != 1 {
			t.Errorf("%q: %d confirmations, want 1", ev.Text, n)
		}
	}
	if n := h.count(func(m fakeslack.Message) bool { return m.ThreadTS == done.Thread }); n != 0 {
		t.Errorf("a confirmed answer was confirmed again (%d messages)", n)
	}
}

// postConfirmation posts, as the bot, the confirmation of ev that the app
// would have posted before a crash lost its record. It waits out a 429 as
// the app does: alice's DM takes one post a second.
func (h *harness) postConfirmation(user, text string, ev ladder.Evidence) {
	h.t.Helper()
	api := slack.New(h.fake.BotToken, slack.OptionAPIURL(h.fake.APIURL()))
	for {
		_, _, err := api.PostMessage(user, slack.MsgOptionText(text, false), slack.MsgOptionTS(ev.Thread),
			slack.MsgOptionMetadata(slack.SlackMetadata{EventType: "ladder_outbox", EventPayload: map[string]any{"key": "confirm:" + strconv.FormatInt(ev.ID, 10)}}))
		var rl *slack.RateLimitedError
		if errors.As(err, &rl) {
			time.Sleep(rl.RetryAfter)
			continue
		}
		if err != nil {
			h.t.Fatal(err)
		}
		return
	}
}

// startWith starts the app as start does, with cfg on top of the harness's
// settings.
func (h *harness) startWith(cfg slackapp.Config) {
	h.t.Helper()
	api := slack.New(h.fake.BotToken, append([]slack.Option{slack.OptionAPIURL(h.fake.APIURL()), slack.OptionAppLevelToken(h.fake.AppToken)}, h.apiOpts...)...)
	log := slog.New(slog.NewTextHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	cfg.Admins = []string{admin}
	cfg.DefaultSlot, _ = ladder.ParseSlot("mon 09:30")
	cfg.ReminderAfter = 48 * time.Hour
	h.app = slackapp.New(log, api, h.db, h.ladder, h.clock.Now, cfg)
	h.startSends()
	runCtx, stop := context.WithCancel(h.ctx)
	h.stop = stop
	h.done = make(chan error, 1)
	go func() { h.done <- h.app.Run(runCtx) }()
	h.t.Cleanup(h.shutdown)
	if err := h.fake.WaitConnected(h.ctx); err != nil {
		h.t.Fatalf("app never connected: %v\nlogs:\n%s", err, h.logs)
	}
}

// waitAllConfirmed polls until no answer of the past hour is unconfirmed: the
// last step, recording, makes no call to wait for.
func (h *harness) waitAllConfirmed(within time.Duration) {
	h.t.Helper()
	deadline := time.Now().Add(within)
	for {
		es, err := h.db.Unconfirmed(h.ctx, h.clock.Now().Add(-time.Hour), 1000)
		if err != nil {
			h.t.Fatal(err)
		}
		if len(es) == 0 {
			return
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("%d answers still unconfirmed after %v\nlogs:\n%s", len(es), within, h.logs)
		}
		wctx, cancel := context.WithTimeout(h.ctx, 50*time.Millisecond)
		n := len(h.fake.Calls())
		_ = h.fake.WaitFor(wctx, func(s *fakeslack.Snapshot) bool { return len(s.Calls) > n })
		cancel()
	}
}

// TestStartCatchUpStaysWithinTier3: 120 answers a crash left unconfirmed, 30
// of whose confirmations went out unrecorded. At the next start each gets
// exactly one confirmation, and the lookups in the DMs (conversations.*,
// Tier 3) stay within the tier: the fake refuses none of them, and the one
// 429 forced on them is waited out for its Retry-After. Slack's minute is a
// second here, and the app's pace to match.
func TestStartCatchUpStaysWithinTier3(t *testing.T) {
	h := newHarness(t)
	h.shutdown()
	h.fake.SetRateMinute(time.Second) // Tier 3: 50 calls a second

	const answers, perMember = 120, 2
	p := h.ladder.Prompts[0]
	var evs []ladder.Evidence
	for i := range answers {
		user := fmt.Sprintf("UCATCH%03d", i/perMember)
		if i%perMember == 0 {
			next, _ := h.ladder.NextLevel(h.ladder.Levels[0].ID)
			_, _, err := h.db.Enroll(h.ctx, ladder.Member{UserID: user, Name: user, TZ: "UTC", Level: h.ladder.Levels[0].ID,
				Target: next.ID, Track: h.ladder.DefaultTrack().ID, Share: ladder.ShareSummary, EnrolledAt: h.clock.Now()})
			if err != nil {
				t.Fatal(err)
			}
		}
		ts := h.fake.NewTS()
		ev, _, err := h.db.AddEvidence(h.ctx, ladder.Evidence{UserID: user, Area: p.Area, PromptID: p.ID,
			Text: fmt.Sprintf("answer %d", i), Channel: "D" + user, TS: ts, Thread: ts, Created: h.clock.Now()})
		if err != nil {
			t.Fatal(err)
		}
		evs = append(evs, ev)
	}
	unrecorded := map[int64]bool{}
	for i, ev := range evs {
		if i%4 == 0 {
			h.postConfirmation(ev.UserID, "Saved to "+string(p.Area), ev)
			unrecorded[ev.ID] = true
		}
	}
	postsBefore := h.count(func(m fakeslack.Message) bool { return m.Kind == "post" })
	h.fake.FailNext("conversations.replies", 1, fakeslack.RateLimited(1))

	start := time.Now()
	h.start()
	h.waitAllConfirmed(25 * time.Second)
	h.drainSends()
	t.Logf("%d answers settled in %v", answers, time.Since(start).Round(10*time.Millisecond))

	for _, ev := range evs {
		if n := len(h.threadReplies(ev.Thread)); n != 1 {
			t.Errorf("%q of %s (confirmation already out: %v): %d confirmations, want 1", ev.Text, ev.UserID, unrecorded[ev.ID], n)
		}
	}
	if n := h.count(func(m fakeslack.Message) bool { return m.Kind == "post" }) - postsBefore; n != answers-len(unrecorded) {
		t.Errorf("confirmations posted at start: %d, want %d", n, answers-len(unrecorded))
	}
	for _, m := range []string{"conversations.history", "conversations.open"} {
		if n := h.fake.RateLimited429s(m); n != 0 {
			t.Errorf("%s: %d calls over Tier 3", m, n)
		}
	}
	replies := h.fake.CallsTo("conversations.replies")
	if n := h.fake.RateLimited429s("conversations.replies"); n != 1 {
		t.Errorf("conversations.replies: %d 429s, want only the forced one", n)
	}
	if len(replies) != answers+1 {
		t.Errorf("conversations.replies: %d calls, want one for each answer and one retry", len(replies))
	}
	// After the 429, no lookup starts until Retry-After is over: the ones
	// that came within 100ms were already on their way.
	for _, c := range replies {
		if c.Status != http.StatusTooManyRequests {
			continue
		}
		for _, d := range replies {
			if gap := d.At.Sub(c.At); gap > 100*time.Millisecond && gap < time.Second {
				t.Errorf("a lookup %v after a 429 with Retry-After 1", gap)
			}
		}
	}
}

// TestSocketModeTurnedOffStopsTheApp: when Socket Mode is turned off in the
// app's settings, Run returns ErrSocketModeDisabled, naming the setting,
// instead of reconnecting forever.
func TestSocketModeTurnedOffStopsTheApp(t *testing.T) {
	h := newHarness(t)
	h.slash(alice, "start")
	h.fake.DisableSocketMode()
	var err error
	select {
	case err = <-h.done:
	case <-time.After(15 * time.Second):
		t.Fatalf("Run did not return after Socket Mode was turned off\nlogs:\n%s", h.logs)
	}
	h.stop()
	h.stop = nil
	if !errors.Is(err, slackapp.ErrSocketModeDisabled) {
		t.Fatalf("Run: got %v, want ErrSocketModeDisabled", err)
	}
	contains(t, "error", err.Error(), "Enable Socket Mode", "api.slack.com/apps", "access_denied")
	if h.app.Connected() {
		t.Error("still reports connected")
	}
	if n := len(h.fake.CallsTo("apps.connections.open")); n != 2 {
		t.Errorf("apps.connections.open calls: got %d, want 2 (the first connection and the refused one)", n)
	}
}
