package slackapp_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/ladderapp/ladder/internal/clocktest"
	"github.com/ladderapp/ladder/internal/fakeslack"
	"github.com/ladderapp/ladder/internal/ladder"
	"github.com/ladderapp/ladder/internal/prompts"
	"github.com/ladderapp/ladder/internal/slackapp"
	"github.com/ladderapp/ladder/internal/store"
)

// On an Enterprise Grid org, people have global user ids: WALICE is a member
// in workspace T1, WBOB her manager in T2, and the admin works in T1.
const (
	gridAlice = "WALICE"
	gridBob   = "WBOB"
)

// newOrgHarness is newHarness on a fake Enterprise Grid org, E1, with the
// app installed org-wide and granted T1 and T2: the fake refuses a DM, a
// conversations.open or a Home tab that does not name the person's
// workspace. The app's slack-go client goes through slackapp.Teams, as
// cmd/bot wires it.
func newOrgHarness(t *testing.T) *harness {
	t.Helper()
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	h := &harness{t: t, ctx: ctx, clock: clocktest.Running(monday), logs: &syncBuffer{}, done: make(chan error, 1)}
	h.fake = fakeslack.New(fakeslack.WithPingInterval(2*time.Second), fakeslack.WithClock(h.clock.Now),
		fakeslack.WithEnterprise("E1", "T1", "T2"))
	t.Cleanup(h.fake.Close)
	t.Cleanup(func() {
		for _, r := range h.fake.Rejected() {
			t.Errorf("Slack would have refused this Block Kit: %s", r)
		}
		for _, c := range h.fake.Calls() {
			if c.Error == "missing_argument" || c.Error == "team_access_not_granted" ||
				(c.Error == "channel_not_found" || c.Error == "user_not_found") && c.Params.Get("team_id") != "" {
				t.Errorf("Slack refused %s: %s (team_id %q)", c.Method, c.Error, c.Params.Get("team_id"))
			}
		}
	})
	h.fake.AddOrgUser(fakeslack.User{ID: gridAlice, Name: "alice", RealName: "Alice Liddell", TZ: "Europe/Berlin"}, "T1", "T2")
	h.fake.AddOrgUser(fakeslack.User{ID: gridBob, Name: "bob", RealName: "Bob Manager", TZ: "America/New_York"}, "T2")
	h.fake.AddOrgUser(fakeslack.User{ID: admin, Name: "admin", TZ: "UTC"}, "T1")
	var err error
	if h.ladder, err = prompts.Default(); err != nil {
		t.Fatal(err)
	}
	h.dbFile = filepath.Join(t.TempDir(), "ladder.db")
	if h.db, err = store.Open(ctx, h.dbFile); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.db.Close() })

	teams := slackapp.NewTeams()
	api := slack.New(h.fake.BotToken, slack.OptionAPIURL(h.fake.APIURL()), slack.OptionAppLevelToken(h.fake.AppToken),
		slack.OptionHTTPClient(teams.HTTPClient(&http.Client{Timeout: slackapp.WebAPITimeout})))
	log := slog.New(slog.NewTextHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	slot, _ := ladder.ParseSlot("mon 09:30")
	h.app = slackapp.New(log, api, h.db, h.ladder, h.clock.Now, slackapp.Config{
		Admins: []string{admin}, DefaultSlot: slot, ReminderAfter: 48 * time.Hour,
	})
	h.app.UseTeams(teams)
	h.startSends()
	runCtx, stop := context.WithCancel(h.ctx)
	h.stop = stop
	go func() { h.done <- h.app.Run(runCtx) }()
	t.Cleanup(h.shutdown)
	if err := h.fake.WaitConnections(h.ctx, 1); err != nil {
		t.Fatalf("app never connected: %v\nlogs:\n%s", err, h.logs)
	}
	return h
}

// slashIn runs a /ladder command as user from the workspace team.
func (h *harness) slashIn(team, user, text string) {
	h.t.Helper()
	env, err := h.fake.SendSlash(fakeslack.SlashCommand{UserID: user, Text: text, Team: team})
	if err != nil {
		h.t.Fatal(err)
	}
	if _, err := h.fake.WaitAck(h.ctx, env); err != nil {
		h.t.Fatalf("/ladder %s: no ack: %v\nlogs:\n%s", text, err, h.logs)
	}
}

// teamOf returns the team_id of the latest call to method that reached user.
func (h *harness) lastTeam(method, arg, user string) string {
	h.t.Helper()
	team := ""
	for _, c := range h.fake.CallsTo(method) {
		if c.Params.Get(arg) == user && c.Error == "" {
			team = c.Params.Get("team_id")
		}
	}
	return team
}

// TestOrgWideInstall: a member in T1 and her manager in T2, one org-wide
// install. Alice enrols from T1 and gets her weekly prompt there, answers
// it, and names Bob; Bob accepts from T2 and gets the monthly digest in T2.
// Then Alice uses /ladder from T2: she is the same member, with the same
// evidence, and her next DM goes to T2.
func TestOrgWideInstall(t *testing.T) {
	h := newOrgHarness(t)
	if !strings.Contains(h.logs.String(), "installed org-wide") || !strings.Contains(h.logs.String(), "enterprise_id=E1") {
		t.Errorf("the start's log does not say the install is org-wide:\n%s", h.logs)
	}

	h.slashIn("T1", gridAlice, "start")
	m, err := h.db.Member(h.ctx, gridAlice)
	if err != nil {
		t.Fatalf("alice was not enrolled: %v\nlogs:\n%s", err, h.logs)
	}

	// This week's prompt, queued as the scheduler queues it, goes out
	// through the send queue.
	week := ladder.WeekOf(h.clock.Now())
	if _, err := h.db.Enqueue(h.ctx, store.OutboxItem{
		Key: fmt.Sprintf("prompt:%s:%s", gridAlice, week), Kind: store.OutboxPrompt, Method: "chat.postMessage",
		UserID: gridAlice, Period: week.String(), TZ: m.TZ, DueAt: h.clock.Now(), Created: h.clock.Now(),
	}); err != nil {
		t.Fatal(err)
	}
	h.sched.Wake()
	h.drainSends()
	prompt := h.waitPost(gridAlice, func(m fakeslack.Message) bool { return strings.Contains(m.Text, "Weekly reflection") })
	if got := h.lastTeam("chat.postMessage", "channel", gridAlice); got != "T1" {
		t.Errorf("alice's prompt went out with team_id %q, want T1", got)
	}

	answer := "Ran the quarterly planning for both teams and cut the roadmap to three bets."
	if _, err := h.fake.SendEvent("", h.fake.ThreadReplyEvent(gridAlice, answer, h.fake.NewTS(), prompt.TS), 0); err != nil {
		t.Fatal(err)
	}
	h.waitEvidence(gridAlice, 1)

	h.slashIn("T1", gridAlice, "manager <@"+gridBob+">")
	h.fake.ActIn(gridBob, "T2")
	h.answerManager(gridAlice, gridBob, true)
	if got := h.lastTeam("chat.postMessage", "channel", gridBob); got != "T2" {
		t.Errorf("the request to bob went out with team_id %q, want T2, his workspace", got)
	}
	if m, err := h.db.Member(h.ctx, gridAlice); err != nil || m.Manager != gridBob || m.ManagerPending {
		t.Fatalf("alice's manager = %+v, %v; want bob, accepted", m, err)
	}

	h.slashIn("T1", admin, "admin digest send")
	h.drainSends()
	digest := h.waitPost(gridBob, func(m fakeslack.Message) bool { return strings.Contains(m.Text, "Monthly digest") })
	contains(t, "bob's digest", digest.Text, "<@"+gridAlice+">")
	if got := h.lastTeam("chat.postMessage", "channel", gridBob); got != "T2" {
		t.Errorf("bob's digest went out with team_id %q, want T2", got)
	}

	// Alice moves to T2: one member, one history, and her DMs follow her.
	before := len(h.fake.CallsTo("chat.postMessage"))
	h.slashIn("T2", gridAlice, "prompt")
	if _, err := h.fake.WaitCalls(h.ctx, "chat.postMessage", before+1); err != nil {
		t.Fatal(err)
	}
	if got := h.lastTeam("chat.postMessage", "channel", gridAlice); got != "T2" {
		t.Errorf("alice's prompt from T2 went out with team_id %q, want T2", got)
	}
	ms, err := h.db.Members(h.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 1 || ms[0].UserID != gridAlice {
		t.Errorf("members = %+v, want alice alone", ms)
	}
	if es := h.evidence(gridAlice); len(es) != 1 || es[0].Text != answer {
		t.Errorf("alice's evidence from T2 = %+v, want her answer from T1", es)
	}
	if team, err := h.db.MemberTeam(h.ctx, gridAlice); err != nil || team != "T2" {
		t.Errorf("alice's stored workspace = %q, %v; want T2", team, err)
	}

	// Bob, a member of T2 alone, opens Ladder's Home tab: an event, whose
	// workspace names the Home tab to publish.
	if _, err := h.fake.SendEvent("", h.fake.AppHomeOpenedEvent(gridBob), 0); err != nil {
		t.Fatal(err)
	}
	if err := h.fake.WaitFor(h.ctx, func(s *fakeslack.Snapshot) bool {
		for _, c := range s.Calls {
			if c.Method == "views.publish" && c.Params.Get("user_id") == gridBob && c.Error == "" {
				return c.Params.Get("team_id") == "T2"
			}
		}
		return false
	}); err != nil {
		t.Errorf("bob's Home tab was not published with team_id T2: %v\nlogs:\n%s", err, h.logs)
	}
}

// waitEvidence waits until user has n pieces of evidence.
func (h *harness) waitEvidence(user string, n int) {
	h.t.Helper()
	for len(h.evidence(user)) < n {
		select {
		case <-h.ctx.Done():
			h.t.Fatalf("%s has %d pieces of evidence, want %d\nmessages:%s\nlogs:\n%s", user, len(h.evidence(user)), n, h.dump(), h.logs)
		case <-time.After(10 * time.Millisecond):
		}
	}
}
