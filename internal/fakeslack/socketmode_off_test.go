package fakeslack_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"testing"

	"github.com/gorilla/websocket"
	"github.com/slack-go/slack"
)

func TestDisableSocketMode(t *testing.T) {
	srv := newServer(t)
	web := api(srv)
	_, url, err := web.StartSocketModeContext(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	ws, resp, err := websocket.DefaultDialer.DialContext(waitCtx(t), url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	defer ws.Close()
	var hello struct{ Type string }
	if err := ws.ReadJSON(&hello); err != nil || hello.Type != "hello" {
		t.Fatalf("first frame: %+v, %v", hello, err)
	}

	srv.DisableSocketMode()
	_, frame, err := ws.ReadMessage()
	if err != nil {
		t.Fatal(err)
	}
	var dis struct{ Type, Reason string }
	if err := json.Unmarshal(frame, &dis); err != nil || dis.Type != "disconnect" || dis.Reason != "link_disabled" {
		t.Errorf("frame after DisableSocketMode: %s, want a disconnect with reason link_disabled", frame)
	}

	_, _, err = web.StartSocketModeContext(t.Context())
	var se slack.SlackErrorResponse
	if !errors.As(err, &se) || se.Err != "access_denied" {
		t.Errorf("apps.connections.open with Socket Mode off: %v, want access_denied", err)
	}
	calls := srv.CallsTo("apps.connections.open")
	if last := calls[len(calls)-1]; last.Status != http.StatusOK || last.Error != "access_denied" {
		t.Errorf("recorded as %+v", last)
	}
	// The rest of the Web API still works.
	if _, err := web.AuthTest(); err != nil {
		t.Errorf("auth.test with Socket Mode off: %v", err)
	}

	srv.EnableSocketMode()
	if _, _, err := web.StartSocketModeContext(t.Context()); err != nil {
		t.Errorf("apps.connections.open once Socket Mode is back on: %v", err)
	}
}
