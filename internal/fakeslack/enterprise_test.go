package fakeslack_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/ladderapp/ladder/internal/fakeslack"
)

// post calls method on srv with the bot token and form params, and returns
// Slack's JSON answer.
func post(t *testing.T, srv *fakeslack.Server, method string, params url.Values) map[string]any {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, srv.APIURL()+method, strings.NewReader(params.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Bearer "+srv.BotToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatalf("%s: %v: %s", method, err, body)
	}
	return out
}

func orgServer(t *testing.T) *fakeslack.Server {
	srv := newServer(t, fakeslack.WithEnterprise("E1", "T1", "T2"))
	srv.AddOrgUser(fakeslack.User{ID: "WALICE", Name: "alice"}, "T1")
	srv.AddOrgUser(fakeslack.User{ID: "WBOB", Name: "bob"}, "T2", "T1")
	// Each chat.postMessage case has its own DM: Slack allows about one
	// post a second in each.
	for _, id := range []string{"WCAROL", "WDAN", "WEVE"} {
		srv.AddOrgUser(fakeslack.User{ID: id, Name: id}, "T1")
	}
	return srv
}

func TestOrgMethodsNeedTheWorkspace(t *testing.T) {
	srv := orgServer(t)
	blocks := `[{"type":"section","text":{"type":"mrkdwn","text":"hi"}}]`
	for _, tc := range []struct {
		method string
		params url.Values
		want   string // Slack's error, or "" for ok
	}{
		{"chat.postMessage", url.Values{"channel": {"WALICE"}, "text": {"hi"}}, "missing_argument"},
		{"chat.postMessage", url.Values{"channel": {"WCAROL"}, "text": {"hi"}, "team_id": {"T9"}}, "team_access_not_granted"},
		{"chat.postMessage", url.Values{"channel": {"WDAN"}, "text": {"hi"}, "team_id": {"T2"}}, "channel_not_found"},
		{"chat.postMessage", url.Values{"channel": {"WEVE"}, "text": {"hi"}, "team_id": {"T1"}}, ""},
		{"chat.postMessage", url.Values{"channel": {"WBOB"}, "text": {"hi"}, "team_id": {"T1"}}, ""},
		{"conversations.open", url.Values{"users": {"WBOB"}}, "missing_argument"},
		{"conversations.open", url.Values{"users": {"WALICE"}, "team_id": {"T2"}}, "user_not_found"},
		{"conversations.open", url.Values{"users": {"WBOB"}, "team_id": {"T2"}}, ""},
		{"views.publish", url.Values{"user_id": {"WBOB"}, "view": {`{"type":"home","blocks":` + blocks + `}`}}, "missing_argument"},
		{"views.publish", url.Values{"user_id": {"WBOB"}, "team_id": {"T2"}, "view": {`{"type":"home","blocks":` + blocks + `}`}}, ""},
		// A global user id names one person in the whole org.
		{"users.info", url.Values{"user": {"WBOB"}}, ""},
	} {
		out := post(t, srv, tc.method, tc.params)
		got, _ := out["error"].(string)
		if got != tc.want {
			t.Errorf("%s %v: error %q, want %q", tc.method, tc.params, got, tc.want)
		}
		if tc.want == "missing_argument" && out["arg"] != "team_id" {
			t.Errorf("%s: missing_argument names %v, want team_id", tc.method, out["arg"])
		}
	}
}

func TestOrgUsersInfoListsTheWorkspaces(t *testing.T) {
	srv := orgServer(t)
	out := post(t, srv, "users.info", url.Values{"user": {"WBOB"}})
	u, _ := out["user"].(map[string]any)
	eu, _ := u["enterprise_user"].(map[string]any)
	if u["team_id"] != "T2" || eu["enterprise_id"] != "E1" {
		t.Fatalf("users.info = %v", out)
	}
	teams, _ := eu["teams"].([]any)
	if len(teams) != 2 || teams[0] != "T2" || teams[1] != "T1" {
		t.Errorf("enterprise_user.teams = %v, want [T2 T1]", teams)
	}
	at := post(t, srv, "auth.test", nil)
	if at["enterprise_id"] != "E1" || at["is_enterprise_install"] != true {
		t.Errorf("auth.test = %v", at)
	}
}

func TestWorkspaceInstallNeedsNoTeam(t *testing.T) {
	srv := newServer(t)
	srv.AddUser(fakeslack.User{ID: "UALICE", Name: "alice"})
	if out := post(t, srv, "chat.postMessage", url.Values{"channel": {"UALICE"}, "text": {"hi"}}); out["ok"] != true {
		t.Errorf("chat.postMessage = %v", out)
	}
	if at := post(t, srv, "auth.test", nil); at["is_enterprise_install"] != nil {
		t.Errorf("auth.test = %v", at)
	}
}

// TestOrgEnvelopesSayWhere: in org mode a slash command, an event and a click
// carry the org and the workspace the user acted in, as Slack sends them to
// an org-wide install, and slack-go reads them.
func TestOrgEnvelopesSayWhere(t *testing.T) {
	srv := orgServer(t)
	a := connect(t, srv, srv.AppToken)

	if _, err := srv.SendSlash(fakeslack.SlashCommand{UserID: "WBOB", Text: "help", Team: "T1"}); err != nil {
		t.Fatal(err)
	}
	sc := a.next(t, socketmode.EventTypeSlashCommand).Data.(slack.SlashCommand)
	if sc.TeamID != "T1" || sc.EnterpriseID != "E1" || !sc.IsEnterpriseInstall {
		t.Errorf("slash command from T1: team %q, enterprise %q, org install %v", sc.TeamID, sc.EnterpriseID, sc.IsEnterpriseInstall)
	}

	srv.ActIn("WALICE", "T1")
	if _, err := srv.SendEvent("", srv.DMEvent("WALICE", "hi", srv.NewTS()), 0); err != nil {
		t.Fatal(err)
	}
	ev := a.next(t, socketmode.EventTypeEventsAPI)
	var outer struct {
		TeamID         string `json:"team_id"`
		EnterpriseID   string `json:"enterprise_id"`
		Authorizations []struct {
			EnterpriseID        string  `json:"enterprise_id"`
			TeamID              *string `json:"team_id"`
			IsEnterpriseInstall bool    `json:"is_enterprise_install"`
		} `json:"authorizations"`
	}
	if err := json.Unmarshal(ev.Request.Payload, &outer); err != nil {
		t.Fatal(err)
	}
	if outer.TeamID != "T1" || outer.EnterpriseID != "E1" || len(outer.Authorizations) != 1 ||
		!outer.Authorizations[0].IsEnterpriseInstall || outer.Authorizations[0].EnterpriseID != "E1" || outer.Authorizations[0].TeamID != nil {
		t.Errorf("event payload = %s", ev.Request.Payload)
	}

	srv.ActIn("WBOB", "T1")
	if _, err := srv.SendInteractive(srv.BlockAction("WBOB", "manager_accept", "WALICE", "", "")); err != nil {
		t.Fatal(err)
	}
	cb := a.next(t, socketmode.EventTypeInteractive).Data.(slack.InteractionCallback)
	if cb.Team.ID != "T1" || cb.Enterprise.ID != "E1" || !cb.IsEnterpriseInstall {
		t.Errorf("click from T1: team %q, enterprise %q, org install %v", cb.Team.ID, cb.Enterprise.ID, cb.IsEnterpriseInstall)
	}
}
