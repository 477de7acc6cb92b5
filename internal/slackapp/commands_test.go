package slackapp_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ladderapp/ladder/internal/fakeslack"
	"github.com/ladderapp/ladder/internal/ladder"
)

func TestSettingsCommands(t *testing.T) {
	h := newHarness(t)
	h.slash(alice, "start")
	tests := []struct {
		cmd   string
		wants []string
		check func(m ladder.Member) bool
	}{
		{"level senior-em director since 2024-03", []string{"You're at *Senior EM*", "aiming for *Director*", "since 2024-03"},
			func(m ladder.Member) bool {
				return m.Level == ladder.SeniorEM && m.Target == ladder.Director && m.LevelSince.Format("2006-01") == "2024-03"
			}},
		{"level M1", []string{"*EM*", "*Senior EM*"}, func(m ladder.Member) bool { return m.Level == ladder.EM && m.Target == ladder.SeniorEM }},
		{"level cto", []string{"*CTO*"}, func(m ladder.Member) bool { return m.Level == ladder.CTO && m.Target == ladder.CTO }},
		{"level em senior-em", []string{"Senior EM"}, func(m ladder.Member) bool { return m.Target == ladder.SeniorEM }},
		{"track deep", []string{"*deep*"}, func(m ladder.Member) bool { return m.Track == "deep" }},
		{"schedule thursday 17:45", []string{"Thursday 17:45", "Europe/Berlin"}, func(m ladder.Member) bool { return m.Slot.String() == "thu 17:45" }},
		{"schedule off", []string{"off"}, func(m ladder.Member) bool { return !m.Slot.On }},
		{"schedule mon 09:30", []string{"Monday 09:30"}, func(m ladder.Member) bool { return m.Slot.On }},
		{"pause 2", []string{"Paused for 2 weeks", "never count as missed"}, func(m ladder.Member) bool {
			d := m.PausedUntil.Sub(monday.Add(14 * 24 * time.Hour))
			return d >= 0 && d < time.Minute // the test's clock runs on from monday
		}},
		{"resume", []string{"Welcome back"}, func(m ladder.Member) bool { return m.PausedUntil.IsZero() }},
		{"pause until resume", []string{"until you `/ladder resume`"}, func(m ladder.Member) bool { return m.Paused(monday.AddDate(5, 0, 0)) }},
		{"resume", []string{"Welcome back"}, func(m ladder.Member) bool { return !m.Paused(monday) }},
		{"manager <@UBOB|bob>", []string{"Waiting for <@UBOB> to accept", "*summary*"}, func(m ladder.Member) bool { return m.Manager == bob && m.ManagerPending }},
		{"share full", []string{"*full*", "excerpts"}, func(m ladder.Member) bool { return m.Share == ladder.ShareFull }},
	}
	for _, tt := range tests {
		got := h.slash(alice, tt.cmd)
		contains(t, tt.cmd, got, tt.wants...)
		m, err := h.db.Member(h.ctx, alice)
		if err != nil {
			t.Fatal(err)
		}
		if !tt.check(m) {
			t.Errorf("%s: stored member %+v", tt.cmd, m)
		}
	}
}

func TestWrongArgumentsNameTheAcceptedForms(t *testing.T) {
	h := newHarness(t)
	h.slash(alice, "start")
	for cmd, want := range map[string]string{
		"level wizard":           "`senior-em` (M2)",
		"level director em":      "has to be above",
		"level em since 2099-01": "in the future",
		"schedule noon":          "<day> <HH:MM>",
		"share everyone":         "`summary`",
		"manager <@UALICE>":      "your own manager",
		"teleport":               "/ladder help",
		"evidence finance":       "`people`",
	} {
		contains(t, cmd, h.slash(alice, cmd), want)
	}
	m, _ := h.db.Member(h.ctx, alice)
	if m.Level != ladder.EM || m.Manager != "" || m.Share != ladder.ShareSummary {
		t.Errorf("a rejected command changed the member: %+v", m)
	}
}

func TestPrivacy(t *testing.T) {
	h := newHarness(t)
	secret := "Negotiated the payments roadmap with finance"
	h.nameAndAccept(alice, bob)
	h.prompt(alice)
	h.dm(alice, secret)
	h.slash(bob, "start")
	h.slash(carol, "start")

	// summary: the manager sees no text, in evidence or in the digest preview.
	refusal := h.slash(bob, "evidence <@UALICE|alice>")
	lacks(t, "manager under summary", refusal, secret)
	contains(t, "manager under summary", refusal, "only while they share it in full")
	digest := h.slash(bob, "digest")
	contains(t, "digest under summary", digest, "<@UALICE>", "shares summary", "Weeks answered: 1 of")
	lacks(t, "digest under summary", digest, secret)

	// full: the manager sees it; a stranger never does, and learns nothing.
	h.slash(alice, "share full")
	contains(t, "manager under full", h.slash(bob, "evidence <@UALICE>"), secret)
	contains(t, "digest under full", h.slash(bob, "digest"), secret[:40])
	stranger := h.slash(carol, "evidence <@UALICE>")
	nobody := h.slash(carol, "evidence <@UNOBODY>")
	lacks(t, "stranger", stranger, secret)
	if stranger != nobody {
		t.Errorf("the refusal differs for a member (%q) and a non-member (%q): it reveals who is enrolled", stranger, nobody)
	}

	// off: "not sharing", nothing else.
	h.slash(alice, "share off")
	lacks(t, "manager under off", h.slash(bob, "evidence <@UALICE>"), secret)
	digest = h.slash(bob, "digest")
	contains(t, "digest under off", digest, "*<@UALICE>* · not sharing")
	lacks(t, "digest under off", digest, secret, "answered")

	// Admins see counts only.
	stats := h.slash(admin, "admin stats")
	contains(t, "admin stats", stats, "Members: 3", "Pieces of evidence: 1")
	lacks(t, "admin stats", stats, secret)
	contains(t, "non-admin", h.slash(alice, "admin stats"), "for Ladder's admins")
	contains(t, "digest preview with no reports", h.slash(carol, "digest"), "Nobody names you")
}

func TestAdminEnrollAndDigestSendIdempotent(t *testing.T) {
	h := newHarness(t)
	got := h.slash(admin, "admin enroll <@UALICE|alice> <@UCAROL>")
	contains(t, "admin enroll", got, "Enrolled 2", "<@UALICE>", "<@UCAROL>")
	for _, u := range []string{alice, carol} {
		h.waitPost(u, func(m fakeslack.Message) bool { return strings.Contains(m.Text, "Welcome to Ladder") })
	}
	contains(t, "enroll again", h.slash(admin, "admin enroll <@UALICE>"), "Already enrolled: <@UALICE>")

	h.nameAndAccept(alice, bob)
	h.nameAndAccept(carol, bob)
	contains(t, "first send", h.digestSend(), "1 queued")
	contains(t, "second send", h.digestSend(), "0 queued", "1 had already gone out")
	digests := h.count(func(m fakeslack.Message) bool {
		return m.Kind == "post" && strings.HasSuffix(m.Channel, bob) && strings.Contains(m.Text, "Monthly digest")
	})
	if digests != 1 {
		t.Errorf("digests to bob: got %d, want 1", digests)
	}

	// Each action above is on the audit trail, newest first, as counts.
	// Members do not see it.
	contains(t, "audit for a member", h.slash(alice, "admin audit"), "for Ladder's admins")
	audit := h.slash(admin, "admin audit")
	contains(t, "admin audit", audit, "The last 4 admin actions",
		"<@"+admin+">: admin digest send, 0 queued, 1 already sent or queued this month",
		"<@"+admin+">: admin enroll, 0 enrolled, 1 already enrolled",
		"<@"+admin+">: admin enroll, 2 enrolled, 0 already enrolled")
	if first, last := strings.Index(audit, "1 queued"), strings.Index(audit, "2 enrolled"); first < 0 || last < first {
		t.Errorf("audit not newest first:\n%s", audit)
	}
	trail, err := h.db.AuditTrail(context.Background(), 10)
	if err != nil || len(trail) != 4 || trail[3].Action != "admin enroll" || trail[3].Actor != admin {
		t.Errorf("audit rows = %+v, %v; want the 4 actions, the first an enroll by the admin", trail, err)
	}
	contains(t, "audit takes no arguments", h.slash(admin, "admin audit everything"), "takes no arguments")
}

func TestExportAndForget(t *testing.T) {
	h := newHarness(t)
	h.slash(alice, "start")
	contains(t, "export with nothing", h.slash(alice, "export"), "no evidence to export")
	h.prompt(alice)
	secret := "SECRET-7f3a coached the on-call rotation"
	h.dm(alice, secret)
	h.clock.Add(8 * 24 * time.Hour)
	h.dm(alice, "an unfiled note about hiring")

	contains(t, "export", h.slash(alice, "export"), "on its way to our DM", "2 pieces of evidence")
	h.sendQueued()
	packet := string(h.files(alice, 1)[0].Content)
	contains(t, "packet", packet, "# Promotion packet: alice", "## Readiness", secret, "2026-11-23", "Not yet filed under an area")

	contains(t, "forget asks", h.slash(alice, "forget"), "2 pieces of evidence", "/ladder forget confirm")
	if len(h.evidence(alice)) != 2 {
		t.Fatal("forget without confirm deleted something")
	}
	contains(t, "forget confirm", h.slash(alice, "forget confirm"), "everything Ladder held about you is deleted", "erased from the database file on disk too")
	if _, err := h.db.Member(h.ctx, alice); err == nil {
		t.Error("member still stored after forget")
	}
	h.shutdown()
	h.db.Close()
	dir := filepath.Dir(h.dbFile)
	files, _ := filepath.Glob(filepath.Join(dir, "ladder.db*"))
	for _, f := range files {
		b, _ := os.ReadFile(f)
		if strings.Contains(string(b), "SECRET-7f3a") {
			t.Errorf("%s still holds the forgotten text", filepath.Base(f))
		}
	}
}

func TestHomeTab(t *testing.T) {
	h := newHarness(t)
	h.fake.SendEvent("", h.fake.AppHomeOpenedEvent(carol), 0)
	h.waitView(carol, "Start")
	if _, err := h.db.Member(h.ctx, carol); err == nil {
		t.Fatal("opening the Home tab enrolled a user")
	}
	env, _ := h.fake.SendInteractive(h.fake.BlockAction(carol, "start", "start", "", ""))
	h.fake.WaitAck(h.ctx, env)
	h.waitPost(carol, func(m fakeslack.Message) bool { return strings.Contains(m.Text, "Welcome to Ladder") })
	v := h.waitView(carol, "Readiness")
	contains(t, "home", v, "Toward Senior EM", "Next question", "Answer now", "Pause", "Export", "Latest evidence", "What Senior EM expects")

	h.dm(carol, "Ran the hiring loop for two teams")
	h.waitView(carol, "Ran the hiring loop")
	env, _ = h.fake.SendInteractive(h.fake.BlockAction(carol, "pause", "pause", "", ""))
	h.fake.WaitAck(h.ctx, env)
	v = h.waitView(carol, "Paused until you resume")
	contains(t, "paused home", v, "Resume")
	for _, view := range h.fake.Views() {
		var obj struct {
			Blocks []json.RawMessage `json:"blocks"`
		}
		json.Unmarshal(view.View, &obj)
		if len(obj.Blocks) > 100 {
			t.Errorf("a view has %d blocks, over Slack's 100", len(obj.Blocks))
		}
	}
}

// waitView waits for a Home tab published to user that contains want, and
// returns its JSON.
func (h *harness) waitView(user, want string) string {
	h.t.Helper()
	var got string
	err := h.fake.WaitFor(h.ctx, func(s *fakeslack.Snapshot) bool {
		for i := len(s.Views) - 1; i >= 0; i-- {
			v := s.Views[i]
			if v.Kind == "publish" && v.UserID == user {
				got = string(v.View)
				return strings.Contains(got, want)
			}
		}
		return false
	})
	if err != nil {
		h.t.Fatalf("no Home tab for %s containing %q; last: %.400s", user, want, got)
	}
	return got
}

func TestSkipAndAnotherQuestion(t *testing.T) {
	h := newHarness(t)
	h.slash(alice, "start")
	first := h.prompt(alice)
	var firstID string
	for _, m := range strings.Split(string(first.Blocks), `"value":"`)[1:] {
		firstID = m[:strings.Index(m, `"`)]
		break
	}
	env, _ := h.fake.SendInteractive(h.fake.BlockAction(alice, "another", firstID, "", first.TS))
	h.fake.WaitAck(h.ctx, env)
	second := h.waitPost(alice, func(m fakeslack.Message) bool { return strings.Contains(m.Text, "Reflection") && m.TS != first.TS })
	if strings.Contains(string(second.Blocks), `"value":"`+firstID+`"`) {
		t.Errorf("Another question repeated the same prompt %s", firstID)
	}
	env, _ = h.fake.SendInteractive(h.fake.BlockAction(alice, "skip", firstID, "", first.TS))
	h.fake.WaitAck(h.ctx, env)
	h.fake.WaitFor(h.ctx, func(s *fakeslack.Snapshot) bool {
		for _, m := range s.Messages {
			if m.Kind == "update" && m.TS == first.TS && strings.Contains(m.Text, "Skipped") {
				return true
			}
		}
		return false
	})
}
