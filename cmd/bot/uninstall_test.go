package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ladderapp/ladder/internal/clocktest"
	"github.com/ladderapp/ladder/internal/fakeslack"
	"github.com/ladderapp/ladder/internal/ladder"
	"github.com/ladderapp/ladder/internal/store"
)

// TestUninstall runs bot serve through an uninstall (issue 16): Slack's
// tokens_revoked and app_uninstalled events stop every send, /healthz says
// what happens to the data, a start with the revoked token stays up to erase
// it, a reinstall inside the grace period resumes where it stopped, and once
// the grace period has passed every member's data is erased and audited.
func TestUninstall(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	slot := time.Date(2026, 11, 30, 9, 30, 0, 0, time.UTC) // a Monday
	uninstalled := slot.Add(-90 * time.Minute)
	clk := clocktest.Frozen(uninstalled)
	fake := fakeslack.New(fakeslack.WithClock(clk.Now))
	defer fake.Close()
	fake.AddUser(fakeslack.User{ID: "UALICE", Name: "alice", TZ: "UTC"})
	dbFile := filepath.Join(t.TempDir(), "ladder.db")
	enroll(t, dbFile, ladder.Member{UserID: "UALICE", Name: "alice", TZ: "UTC", Level: ladder.EM, Target: ladder.SeniorEM,
		Track: "broad", Slot: ladder.Slot{Day: time.Monday, Minute: 9*60 + 30, On: true}, Share: ladder.ShareSummary,
		EnrolledAt: slot.AddDate(0, -1, 0)})
	addr := freeAddr(t)
	for k, v := range map[string]string{
		"SLACK_APP_TOKEN": fake.AppToken, "SLACK_BOT_TOKEN": fake.BotToken, "SLACK_API_URL": fake.APIURL(),
		"LADDER_DB": dbFile, "LADDER_HTTP_ADDR": addr, "LADDER_UNINSTALL_GRACE": "7d", "LADDER_LOG_LEVEL": "debug",
	} {
		t.Setenv(k, v)
	}
	health := func(want string) string {
		t.Helper()
		var body string
		for ctx.Err() == nil {
			resp, err := http.Get("http://" + addr + "/healthz")
			if err == nil {
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				body = strings.TrimSpace(string(b))
				if strings.Contains(body, want) {
					return body
				}
			}
			time.Sleep(20 * time.Millisecond)
		}
		t.Fatalf("/healthz never said %q; last: %q", want, body)
		return ""
	}
	posts := func() int { return len(fake.CallsTo("chat.postMessage")) }

	// Installed: the app connects; alice's slot is 90 minutes away.
	stop := start(t, ctx, fake, clk)
	health("ok")
	// The admin uninstalls Ladder: Slack revokes the token and sends both
	// events, in no set order.
	fake.RevokeTokens()
	if _, err := fake.SendEvent("EvREVOKED", fake.TokensRevokedEvent(), 0); err != nil {
		t.Fatal(err)
	}
	if _, err := fake.SendEvent("EvUNINSTALLED", fake.AppUninstalledEvent(), 0); err != nil {
		t.Fatal(err)
	}
	said := health("uninstalled from Slack since 2026-11-30T08:00:00Z")
	for _, want := range []string{"nothing is sent", "every member's data is erased after 2026-12-07T08:00:00Z unless the app is installed again"} {
		if !strings.Contains(said, want) {
			t.Errorf("/healthz said %q, want %q", said, want)
		}
	}
	stop()

	// A start at alice's slot, with the revoked token: it stays up, sends
	// nothing, and says why.
	clk.Set(slot.Add(time.Minute))
	stop = serveOn(t, ctx, clk)
	health("uninstalled from Slack since 2026-11-30T08:00:00Z")
	if n := posts(); n != 0 {
		t.Errorf("%d posts while uninstalled, want none", n)
	}
	stop()

	// Reinstalled inside the grace period: the same start resumes, and
	// alice gets this week's question, an hour late.
	fake.Reinstall()
	stop = start(t, ctx, fake, clk)
	health("ok")
	if err := fake.WaitFor(ctx, func(s *fakeslack.Snapshot) bool {
		for _, m := range s.Messages {
			if m.Kind == "post" && strings.HasSuffix(m.Channel, "UALICE") && m.Text != "" {
				return true
			}
		}
		return false
	}); err != nil {
		t.Fatalf("no prompt for alice after the reinstall: %v", err)
	}
	stop()

	// Uninstalled again; a week later the grace period has passed, and
	// the next start erases everything.
	clk.Set(slot.Add(2 * time.Hour))
	stop = start(t, ctx, fake, clk)
	fake.RevokeTokens()
	if _, err := fake.SendEvent("EvUNINSTALLED2", fake.AppUninstalledEvent(), 0); err != nil {
		t.Fatal(err)
	}
	health("uninstalled from Slack since 2026-11-30T11:30:00Z")
	stop()
	clk.Set(slot.Add(2*time.Hour + 7*24*time.Hour + time.Minute))
	stop = serveOn(t, ctx, clk)
	said = health("every member's data was erased at")
	defer stop()
	db, err := store.Open(ctx, dbFile)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if s, err := db.Stats(ctx, clk.Now()); err != nil || s.Members != 0 || s.Evidence != 0 {
		t.Errorf("after the grace period: %+v, %v; want nothing left", s, err)
	}
	trail, err := db.AuditTrail(ctx, 5)
	if err != nil || len(trail) != 1 || trail[0].Actor != store.ActorLadder || trail[0].Action != "purge" ||
		!strings.Contains(trail[0].Detail, "erased 1 member") || !strings.Contains(trail[0].Detail, "the grace period of 7 days ended") {
		t.Errorf("audit trail = %+v, %v; want Ladder's purge at the end of the grace period", trail, err)
	}
	t.Logf("/healthz at the end: %s", said)
}

// freeAddr is a loopback address with a port nothing listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
