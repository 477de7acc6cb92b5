package slackapp_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/ladderapp/ladder/internal/clocktest"
	"github.com/ladderapp/ladder/internal/fakeslack"
	"github.com/ladderapp/ladder/internal/ladder"
	"github.com/ladderapp/ladder/internal/prompts"
	"github.com/ladderapp/ladder/internal/schedule"
	"github.com/ladderapp/ladder/internal/slackapp"
	"github.com/ladderapp/ladder/internal/store"
)

// syncBuffer is a log sink that is safe to read while the app writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// harness is the real app, on a real SQLite file, connected over a real Socket
// Mode websocket to the fake Slack.
type harness struct {
	t      *testing.T
	ctx    context.Context
	fake   *fakeslack.Server
	db     *store.DB
	ladder *ladder.Ladder
	clock  *clocktest.Clock // the app's and the fake Slack's, from monday on in real time
	app    *slackapp.App
	sched  *schedule.Scheduler // the app's send queue, without the minute tick
	// channelGap is the send queue's least time between two posts to one
	// DM; zero for Slack's second.
	channelGap time.Duration
	logs       *syncBuffer
	dbFile     string
	apiOpts    []slack.Option
	stop       context.CancelFunc
	done       chan error
}

const (
	alice = "UALICE" // a member
	bob   = "UBOB"   // alice's manager
	carol = "UCAROL" // a stranger
	admin = "UADMIN"
)

// monday is a Monday morning in November 2026, UTC.
var monday = time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)

func newHarness(t *testing.T, apiOpts ...slack.Option) *harness {
	t.Helper()
	return newHarnessWithin(t, 30*time.Second, apiOpts...)
}

// newHarnessWithin is newHarness for a test that may take up to d in all.
func newHarnessWithin(t *testing.T, d time.Duration, apiOpts ...slack.Option) *harness {
	t.Helper()
	// Each harness has its own fake Slack, database and clock, and much of a
	// test is waiting on them in real time (a Retry-After, a per-channel
	// budget): two at once keep the package's run short.
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	h := &harness{t: t, ctx: ctx, clock: clocktest.Running(monday), logs: &syncBuffer{}, done: make(chan error, 1)}
	h.fake = fakeslack.New(fakeslack.WithPingInterval(2*time.Second), fakeslack.WithClock(h.clock.Now))
	t.Cleanup(h.fake.Close)
	// Cleanups run last first: this runs after the app has stopped, so every
	// call it made is in.
	t.Cleanup(func() {
		for _, r := range h.fake.Rejected() {
			t.Errorf("Slack would have refused this Block Kit: %s", r)
		}
		acked := map[string]int{}
		for _, a := range h.fake.Acks() {
			if acked[a.EnvelopeID]++; acked[a.EnvelopeID] == 2 {
				t.Errorf("envelope %s acked more than once", a.EnvelopeID)
			}
		}
	})
	for _, u := range []fakeslack.User{
		{ID: alice, Name: "alice", RealName: "Alice Liddell", TZ: "Europe/Berlin"},
		{ID: bob, Name: "bob", RealName: "Bob Manager", TZ: "America/New_York"},
		{ID: carol, Name: "carol", TZ: "Asia/Kolkata"},
		{ID: admin, Name: "admin", TZ: "UTC"},
	} {
		h.fake.AddUser(u)
	}
	var err error
	h.ladder, err = prompts.Default()
	if err != nil {
		t.Fatal(err)
	}
	h.dbFile = filepath.Join(t.TempDir(), "ladder.db")
	h.db, err = store.Open(ctx, h.dbFile)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.db.Close() })
	h.apiOpts = apiOpts
	h.start()
	return h
}

func (h *harness) start() {
	h.t.Helper()
	opts := append([]slack.Option{slack.OptionAPIURL(h.fake.APIURL()), slack.OptionAppLevelToken(h.fake.AppToken)}, h.apiOpts...)
	api := slack.New(h.fake.BotToken, opts...)
	log := slog.New(slog.NewTextHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	slot, _ := ladder.ParseSlot("mon 09:30")
	h.app = slackapp.New(log, api, h.db, h.ladder, h.clock.Now, slackapp.Config{
		Admins: []string{admin}, DefaultSlot: slot, ReminderAfter: 48 * time.Hour,
	})
	h.startSends()
	runCtx, stop := context.WithCancel(h.ctx)
	h.stop = stop
	h.done = make(chan error, 1)
	// A connection of this app, not one of an app before it that the fake
	// has not yet seen close: an envelope sent to that one is lost.
	n := h.fake.Connections()
	go func() { h.done <- h.app.Run(runCtx) }()
	h.t.Cleanup(h.shutdown)
	if err := h.fake.WaitConnections(h.ctx, n+1); err != nil {
		h.t.Fatalf("app never connected: %v\nlogs:\n%s", err, h.logs)
	}
}

// startSends starts the app's send queue, as cmd/bot does, without the
// scheduler's minute tick: a test ticks by hand (sendWeekly, sendQueued).
// Its pace starts at 50 posts a second rather than Slack's documented 5, so
// that a test does not wait for it to find the fake's limits.
func (h *harness) startSends() {
	h.t.Helper()
	h.startSendsWith(schedule.Config{
		SendOnly: true, Backoff: time.Second, ChannelGap: h.channelGap,
		Budgets: map[string]schedule.Budget{
			"chat.postMessage": {PerSecond: 50, Burst: 50},
			// The fake's minute may be a second (SetRateMinute).
			"conversations.open":    {PerSecond: 40, Burst: 5},
			"conversations.history": {PerSecond: 40, Burst: 5},
			"conversations.replies": {PerSecond: 40, Burst: 5},
		},
	})
}

// startSendsWith starts the app's send queue with cfg.
func (h *harness) startSendsWith(cfg schedule.Config) {
	h.t.Helper()
	log := slog.New(slog.NewTextHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	sched, err := schedule.New(log, h.db, h.app, h.clock.Now, cfg)
	if err != nil {
		h.t.Fatal(err)
	}
	if err := sched.Start(h.ctx); err != nil {
		h.t.Fatal(err)
	}
	h.sched = sched
	h.app.WakeSendsWith(sched.Wake)
	h.app.QueueDigestsWith(sched.QueueDigests)
}

// digestSend runs /ladder admin digest send and waits until the send queue
// has sent what it queued. It returns the reply.
func (h *harness) digestSend() string {
	h.t.Helper()
	reply := h.slash(admin, "admin digest send")
	h.drainSends()
	return reply
}

// drainSends waits until the send queue holds nothing pending or in flight.
func (h *harness) drainSends() {
	h.t.Helper()
	for {
		counts, err := h.db.OutboxCounts(h.ctx)
		if err != nil {
			h.t.Fatal(err)
		}
		if counts[store.OutboxPending]+counts[store.OutboxSending] == 0 {
			return
		}
		select {
		case <-h.ctx.Done():
			h.t.Fatalf("the send queue never emptied: %v\nlogs:\n%s", counts, h.logs)
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// fastDMs turns off the fake's rate limits and the send queue's pace in a DM,
// for a test about something else that sends bursts to one member.
func (h *harness) fastDMs() {
	h.t.Helper()
	h.fake.SetTiers(false)
	h.channelGap = time.Millisecond
	h.stopSends()
	h.startSends()
}

// stopSends stops the harness's send queue, for a test that runs queues of
// its own, as processes that stop and start.
func (h *harness) stopSends() {
	h.t.Helper()
	if h.sched == nil {
		return
	}
	if err := h.sched.Stop(h.ctx); err != nil {
		h.t.Errorf("send queue: %v", err)
	}
	h.sched = nil
}

// shutdown stops the app and then its send queue, and waits for both.
func (h *harness) shutdown() {
	if h.stop == nil {
		return
	}
	h.stop()
	h.stop = nil
	select {
	case err := <-h.done:
		if err != nil {
			h.t.Errorf("Run returned %v", err)
		}
	case <-time.After(10 * time.Second):
		h.t.Error("Run did not return within 10s of cancel")
	}
	if h.sched != nil {
		if err := h.sched.Stop(h.ctx); err != nil {
			h.t.Errorf("send queue: %v", err)
		}
		h.sched = nil
	}
}

// isReply reports whether m is a slash command's reply: in the command's ack
// (Kind "ack"), or through its response_url (Kind "response").
func isReply(m fakeslack.Message) bool { return m.Kind == "ack" || m.Kind == "response" }

// slash runs a /ladder command as user and returns the ephemeral reply, which
// came in the ack or through the response_url.
func (h *harness) slash(user, text string) string {
	h.t.Helper()
	before := h.count(func(m fakeslack.Message) bool { return isReply(m) && m.User == user })
	env, err := h.fake.SendSlash(fakeslack.SlashCommand{UserID: user, Text: text})
	if err != nil {
		h.t.Fatal(err)
	}
	if _, err := h.fake.WaitAck(h.ctx, env); err != nil {
		h.t.Fatalf("/ladder %s: no ack: %v\nlogs:\n%s", text, err, h.logs)
	}
	var reply fakeslack.Message
	err = h.fake.WaitFor(h.ctx, func(s *fakeslack.Snapshot) bool {
		n := 0
		for _, m := range s.Messages {
			if isReply(m) && m.User == user {
				n++
				if n > before {
					reply = m
					return true
				}
			}
		}
		return false
	})
	if err != nil {
		h.t.Fatalf("/ladder %s: no reply: %v\nlogs:\n%s", text, err, h.logs)
	}
	if reply.ResponseType != "ephemeral" {
		h.t.Errorf("/ladder %s: reply response_type %q, want ephemeral", text, reply.ResponseType)
	}
	return reply.Text
}

func (h *harness) count(f func(fakeslack.Message) bool) int {
	n := 0
	for _, m := range h.fake.Messages() {
		if f(m) {
			n++
		}
	}
	return n
}

// waitPost waits for a message posted to user's DM that matches f, and returns it.
func (h *harness) waitPost(user string, f func(fakeslack.Message) bool) fakeslack.Message {
	h.t.Helper()
	var got fakeslack.Message
	err := h.fake.WaitFor(h.ctx, func(s *fakeslack.Snapshot) bool {
		for _, m := range s.Messages {
			if m.Kind == "post" && strings.HasSuffix(m.Channel, user) && f(m) {
				got = m
				return true
			}
		}
		return false
	})
	if err != nil {
		h.t.Fatalf("no matching DM to %s: %v\nmessages: %s\nlogs:\n%s", user, err, h.dump(), h.logs)
	}
	return got
}

func (h *harness) dump() string {
	var b strings.Builder
	for _, m := range h.fake.Messages() {
		fmt.Fprintf(&b, "\n  %s %s %s thread=%s: %.120q", m.Kind, m.Channel, m.User, m.ThreadTS, m.Text)
	}
	return b.String()
}

// dm sends text as user's DM to the bot and waits for the reply in its thread.
func (h *harness) dm(user, text string) (ts string, reply fakeslack.Message) {
	h.t.Helper()
	ts = h.fake.NewTS()
	if _, err := h.fake.SendEvent("", h.fake.DMEvent(user, text, ts), 0); err != nil {
		h.t.Fatal(err)
	}
	reply = h.waitPost(user, func(m fakeslack.Message) bool { return m.ThreadTS == ts })
	return ts, reply
}

// evidence returns user's stored evidence, newest first.
func (h *harness) evidence(user string) []ladder.Evidence {
	h.t.Helper()
	es, err := h.db.Evidence(h.ctx, user, "", 0)
	if err != nil {
		h.t.Fatal(err)
	}
	return es
}

// lastPromptTS enrols nothing: it asks for a prompt and returns the DM's ts and
// the prompt's text.
func (h *harness) prompt(user string) fakeslack.Message {
	h.t.Helper()
	before := h.count(func(m fakeslack.Message) bool { return m.Kind == "post" && strings.Contains(m.Text, "Reflection") })
	h.slash(user, "prompt")
	n := 0
	return h.waitPost(user, func(m fakeslack.Message) bool {
		if strings.Contains(m.Text, "Reflection") {
			n++
			return n > before
		}
		return false
	})
}

func contains(t *testing.T, what, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("%s: got %q, want it to contain %q", what, got, w)
		}
	}
}

func lacks(t *testing.T, what, got string, nots ...string) {
	t.Helper()
	for _, w := range nots {
		if strings.Contains(got, w) {
			t.Errorf("%s: got %q, want it NOT to contain %q", what, got, w)
		}
	}
}
