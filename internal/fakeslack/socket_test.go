package fakeslack_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/ladderapp/ladder/internal/fakeslack"
)

// roundTrip sends a slash command and acks it from the app, proving the
// connection works.
func roundTrip(t *testing.T, srv *fakeslack.Server, a *app, text string) {
	t.Helper()
	envID, err := srv.SendSlash(fakeslack.SlashCommand{UserID: "U1", Text: text})
	if err != nil {
		t.Fatalf("SendSlash: %v", err)
	}
	evt := a.next(t, socketmode.EventTypeSlashCommand)
	if got := evt.Data.(slack.SlashCommand).Text; got != text {
		t.Fatalf("slash text = %q, want %q", got, text)
	}
	if err := a.client.Ack(*evt.Request); err != nil {
		t.Fatalf("Ack: %v", err)
	}
	if _, err := srv.WaitAck(waitCtx(t), envID); err != nil {
		t.Fatalf("WaitAck: %v", err)
	}
}

func TestHelloAndSlashCommandAck(t *testing.T) {
	srv := newServer(t)
	srv.AddUser(fakeslack.User{ID: "U1", Name: "ada"})
	a := connect(t, srv, srv.AppToken)
	a.next(t, socketmode.EventTypeConnected)
	hello := a.next(t, socketmode.EventTypeHello)
	if hello.Request.ConnectionInfo.AppID != srv.AppID || hello.Request.NumConnections != 1 {
		t.Errorf("hello = %+v", hello.Request)
	}
	if err := srv.WaitConnected(waitCtx(t)); err != nil {
		t.Fatalf("WaitConnected: %v", err)
	}

	envID, err := srv.SendSlash(fakeslack.SlashCommand{UserID: "U1", Text: "help"})
	if err != nil {
		t.Fatalf("SendSlash: %v", err)
	}
	evt := a.next(t, socketmode.EventTypeSlashCommand)
	cmd := evt.Data.(slack.SlashCommand)
	if cmd.Command != "/ladder" || cmd.Text != "help" || cmd.UserID != "U1" || cmd.UserName != "ada" ||
		cmd.ChannelID != "DU1" || cmd.TeamID != srv.TeamID || cmd.TriggerID == "" ||
		!strings.HasPrefix(cmd.ResponseURL, strings.TrimSuffix(srv.APIURL(), "api/")) {
		t.Errorf("slash command = %+v", cmd)
	}
	if evt.Request.EnvelopeID != envID || !evt.Request.AcceptsResponsePayload {
		t.Errorf("request = %+v, want envelope %s accepting a response payload", evt.Request, envID)
	}

	if err := a.client.Ack(*evt.Request, map[string]any{"text": "Commands: gaps, prompt"}); err != nil {
		t.Fatalf("Ack: %v", err)
	}
	ack, err := srv.WaitAck(waitCtx(t), envID)
	if err != nil {
		t.Fatalf("WaitAck: %v", err)
	}
	if string(ack.Payload) != `{"text":"Commands: gaps, prompt"}` || ack.Latency <= 0 {
		t.Errorf("ack = %+v", ack)
	}
	msgs, err := srv.WaitMessages(waitCtx(t), 1)
	if err != nil {
		t.Fatalf("WaitMessages: %v", err)
	}
	if m := msgs[0]; m.Kind != "ack" || m.User != "U1" || m.Channel != "DU1" || m.Text != "Commands: gaps, prompt" {
		t.Errorf("ack message = %+v", m)
	}
}

func TestDuplicateAcksAreRecorded(t *testing.T) {
	srv := newServer(t)
	a := connect(t, srv, srv.AppToken)
	envID, err := srv.SendSlash(fakeslack.SlashCommand{UserID: "U1"})
	if err != nil {
		t.Fatalf("SendSlash: %v", err)
	}
	evt := a.next(t, socketmode.EventTypeSlashCommand)
	for range 2 {
		if err := a.client.Ack(*evt.Request, map[string]any{"text": "hi"}); err != nil {
			t.Fatalf("Ack: %v", err)
		}
	}
	err = srv.WaitFor(waitCtx(t), func(s *fakeslack.Snapshot) bool { return len(s.Acks) == 2 })
	if err != nil {
		t.Fatalf("waiting for two acks: %v", err)
	}
	for _, ack := range srv.Acks() {
		if ack.EnvelopeID != envID {
			t.Errorf("ack for %q, want %q", ack.EnvelopeID, envID)
		}
	}
	if n := len(srv.Messages()); n != 1 {
		t.Errorf("%d ack messages, want 1: Slack shows only the first ack", n)
	}
}

func TestEnvelopesWaitForAConnection(t *testing.T) {
	srv := newServer(t)
	envID, err := srv.SendSlash(fakeslack.SlashCommand{UserID: "U1", Text: "queued"})
	if err != nil {
		t.Fatalf("SendSlash: %v", err)
	}
	a := connect(t, srv, srv.AppToken)
	evt := a.next(t, socketmode.EventTypeSlashCommand)
	if evt.Request.EnvelopeID != envID {
		t.Errorf("got envelope %q, want the queued %q", evt.Request.EnvelopeID, envID)
	}
}

func TestDisconnectMakesSlackGoReconnect(t *testing.T) {
	for _, reason := range []string{"warning", "refresh_requested", "link_disabled"} {
		t.Run(reason, func(t *testing.T) {
			srv := newServer(t)
			a := connect(t, srv, srv.AppToken)
			if err := srv.WaitConnected(waitCtx(t)); err != nil {
				t.Fatalf("WaitConnected: %v", err)
			}
			srv.Disconnect(reason)
			// Sent while no connection is live, this waits for the new one.
			envID, err := srv.SendSlash(fakeslack.SlashCommand{UserID: "U1", Text: "after"})
			if err != nil {
				t.Fatalf("SendSlash: %v", err)
			}
			if err := srv.WaitConnections(waitCtx(t), 2); err != nil {
				t.Fatalf("WaitConnections(2): %v", err)
			}
			evt := a.next(t, socketmode.EventTypeSlashCommand)
			if evt.Request.EnvelopeID != envID {
				t.Errorf("got envelope %q, want %q", evt.Request.EnvelopeID, envID)
			}
			if n := len(srv.CallsTo("apps.connections.open")); n != 2 {
				t.Errorf("apps.connections.open called %d times, want 2", n)
			}
			if n := srv.Connections(); n != 2 {
				t.Errorf("Connections() = %d, want 2", n)
			}
		})
	}
}

func TestDropMakesSlackGoReconnect(t *testing.T) {
	srv := newServer(t)
	a := connect(t, srv, srv.AppToken)
	if err := srv.WaitConnected(waitCtx(t)); err != nil {
		t.Fatalf("WaitConnected: %v", err)
	}
	srv.Drop()
	if err := srv.WaitConnections(waitCtx(t), 2); err != nil {
		t.Fatalf("WaitConnections(2): %v", err)
	}
	roundTrip(t, srv, a, "after drop")
}

func TestConnectRetriesAfterServerError(t *testing.T) {
	srv := newServer(t)
	srv.FailNext("apps.connections.open", 1, fakeslack.HTTPError(http.StatusInternalServerError))
	connect(t, srv, srv.AppToken)
	if err := srv.WaitConnected(waitCtx(t)); err != nil {
		t.Fatalf("WaitConnected: %v", err)
	}
	if n := len(srv.CallsTo("apps.connections.open")); n != 2 {
		t.Errorf("apps.connections.open called %d times, want 2", n)
	}
}

func TestRunStopsOnInvalidAuth(t *testing.T) {
	t.Run("wrong app token", func(t *testing.T) {
		srv := newServer(t)
		a := connect(t, srv, "xapp-wrong")
		waitDone(t, a)
		if a.err == nil || a.err.Error() != "invalid_auth" {
			t.Errorf("RunContext = %v, want invalid_auth", a.err)
		}
	})
	t.Run("revoked after connecting", func(t *testing.T) {
		srv := newServer(t)
		a := connect(t, srv, srv.AppToken)
		if err := srv.WaitConnected(waitCtx(t)); err != nil {
			t.Fatalf("WaitConnected: %v", err)
		}
		srv.RevokeTokens()
		srv.Drop()
		waitDone(t, a)
		if a.err == nil || a.err.Error() != "invalid_auth" {
			t.Errorf("RunContext = %v, want invalid_auth", a.err)
		}
	})
}

func waitDone(t *testing.T, a *app) {
	t.Helper()
	select {
	case <-a.done:
	case <-waitCtx(t).Done():
		t.Fatal("RunContext did not return")
	}
}

func TestGarbageFramesDoNotBreakTheConnection(t *testing.T) {
	srv := newServer(t)
	a := connect(t, srv, srv.AppToken)
	for _, frame := range []string{"not json", "", `{"type":"surprise","envelope_id":"raw-1","payload":{}}`} {
		if err := srv.SendRaw([]byte(frame)); err != nil {
			t.Fatalf("SendRaw(%q): %v", frame, err)
		}
	}
	bad := a.next(t, socketmode.EventTypeErrorBadMessage).Data.(*socketmode.ErrorBadMessage)
	var raw struct {
		EnvelopeID string `json:"envelope_id"`
	}
	if err := json.Unmarshal(bad.Message, &raw); err != nil || raw.EnvelopeID != "raw-1" {
		t.Fatalf("bad message %s: %v", bad.Message, err)
	}
	// The app acks what the library could not decode, by its raw envelope_id.
	if err := a.client.AckCtx(t.Context(), raw.EnvelopeID, nil); err != nil {
		t.Fatalf("AckCtx: %v", err)
	}
	if _, err := srv.WaitAck(waitCtx(t), "raw-1"); err != nil {
		t.Fatalf("WaitAck: %v", err)
	}
	roundTrip(t, srv, a, "still here")
	if n := srv.Connections(); n != 1 {
		t.Errorf("Connections() = %d, want 1: garbage must not force a reconnect", n)
	}
}

func TestPingsAreAnswered(t *testing.T) {
	srv := newServer(t, fakeslack.WithPingInterval(10*time.Millisecond))
	connect(t, srv, srv.AppToken)
	err := srv.WaitFor(waitCtx(t), func(s *fakeslack.Snapshot) bool { return s.Pongs >= 3 })
	if err != nil {
		t.Fatalf("waiting for pongs: %v", err)
	}
	if s := srv.Snapshot(); s.Pings < s.Pongs {
		t.Errorf("%d pongs for %d pings", s.Pongs, s.Pings)
	}
}

func TestCloseWithAClientConnected(t *testing.T) {
	srv := fakeslack.New()
	connect(t, srv, srv.AppToken)
	if err := srv.WaitConnected(waitCtx(t)); err != nil {
		t.Fatalf("WaitConnected: %v", err)
	}
	srv.Close()
	if _, err := srv.SendSlash(fakeslack.SlashCommand{UserID: "U1"}); err == nil {
		t.Error("SendSlash after Close succeeded")
	}
}
