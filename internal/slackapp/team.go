package slackapp

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/ladderapp/ladder/internal/store"
)

// Org-wide installs on Enterprise Grid.
//
// An org-wide install has one bot token for every workspace of the org, and
// Slack wants to be told which workspace some calls act in: "some API methods
// will require a team_id to indicate which workspace to act on", and passing
// it with a workspace token "will be accepted" and ignored
// (https://api.slack.com/enterprise/apps/changes-apis). The fake Slack's org
// mode (internal/fakeslack/enterprise.go) lists the methods and the sources.
//
// Grid's user ids are global, so a member stays keyed by user id alone: the
// same person is one member whichever workspace they use Ladder from. What
// changes is that the app remembers the workspace each person last acted in
// (a slash command, an interaction, an event) and names it on the calls that
// reach that person: the DM of a prompt or a digest, conversations.open, the
// Home tab. A person who never acted (a manager named by a report) is looked
// up once with users.info, which answers with their workspaces.
//
// slack-go cannot add team_id to chat.postMessage, conversations.open or
// views.publish, so Teams does it in the HTTP client: the calls stay as they
// are, and a workspace install (auth.test without is_enterprise_install) sends
// exactly what it sent before.

// teamMethods are the methods Teams adds team_id to on an org-wide install,
// and where each names the person the call reaches.
var teamMethods = map[string]string{
	"chat.postMessage":   "channel", // Ladder posts its DMs to the user id
	"conversations.open": "users",
	"views.publish":      "user_id",
}

// Teams adds team_id to the calls that need it on an org-wide install. Make
// one with NewTeams, give slack-go its HTTPClient, and hand it to the app
// with App.UseTeams.
type Teams struct {
	book atomic.Pointer[teamBook]
	// org is set once auth.test says the token is an org-wide install's.
	org          atomic.Bool
	enterpriseID atomic.Pointer[string]
}

// NewTeams returns a Teams not yet bound to an app.
func NewTeams() *Teams { return &Teams{} }

// HTTPClient returns a copy of base (nil for http.DefaultClient's settings)
// whose requests go through t.
func (t *Teams) HTTPClient(base *http.Client) *http.Client {
	c := &http.Client{}
	if base != nil {
		*c = *base
	}
	next := c.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	c.Transport = &teamTransport{teams: t, next: next}
	return c
}

// Org reports whether auth.test said the token is an org-wide install's, and
// the org's enterprise id.
func (t *Teams) Org() (bool, string) {
	id := ""
	if p := t.enterpriseID.Load(); p != nil {
		id = *p
	}
	return t.org.Load(), id
}

// UseTeams binds t to the app: from then on t asks the app which workspace a
// person acts in. Call it before Run.
func (a *App) UseTeams(t *Teams) {
	a.teams.log = func(enterpriseID string) {
		a.log.Info("installed org-wide on an Enterprise Grid org: naming each person's workspace (team_id) on the calls that reach them",
			"enterprise_id", enterpriseID)
	}
	t.book.Store(a.teams)
	if org, id := t.Org(); org {
		a.teams.log(id)
	}
}

// teamBook remembers the workspace each person acts in. The app always keeps
// it, org-wide install or not, so that members' rows say where they act.
type teamBook struct {
	db   *store.DB
	info func(ctx context.Context, user string) (string, error) // users.info: the person's home workspace
	log  func(enterpriseID string)

	mu   sync.Mutex
	last map[string]string // user id → the workspace they last acted in
	kept map[string]string // user id → the workspace last stored on their row
}

func newTeamBook(a *App) *teamBook {
	return &teamBook{
		db: a.db,
		info: func(ctx context.Context, user string) (string, error) {
			u, err := a.userInfo(ctx, user)
			if err != nil {
				return "", err
			}
			if len(u.Enterprise.Teams) > 0 {
				return u.Enterprise.Teams[0], nil
			}
			return u.TeamID, nil
		},
		last: map[string]string{},
		kept: map[string]string{},
	}
}

// saw notes that user acted in team, as an envelope says.
func (b *teamBook) saw(user, team string) {
	if b == nil || user == "" || team == "" {
		return
	}
	b.mu.Lock()
	b.last[user] = team
	b.mu.Unlock()
}

// keep stores on user's member row the workspace they last acted in, if it
// changed. It runs after the envelope's work, so that a member enrolled by it
// has a row to keep it on.
func (b *teamBook) keep(ctx context.Context, user string) {
	if b == nil {
		return
	}
	b.mu.Lock()
	team, kept := b.last[user], b.kept[user]
	b.mu.Unlock()
	if team == "" || team == kept {
		return
	}
	if err := b.db.SetMemberTeam(ctx, user, team); err != nil {
		return // kept again at their next envelope
	}
	b.mu.Lock()
	b.kept[user] = team
	b.mu.Unlock()
}

// teamOf is the workspace to name on a call that reaches user: where they last
// acted, else what their member row says, else their home workspace as
// users.info reports it. "" if none of these knows.
func (b *teamBook) teamOf(ctx context.Context, user string) string {
	b.mu.Lock()
	team := b.last[user]
	b.mu.Unlock()
	if team != "" {
		return team
	}
	if t, err := b.db.MemberTeam(ctx, user); err == nil && t != "" {
		team = t
	} else if t, err := b.info(ctx, user); err == nil {
		team = t
	}
	if team != "" {
		b.mu.Lock()
		if b.last[user] == "" {
			b.last[user] = team
		}
		b.mu.Unlock()
	}
	return team
}

// teamTransport adds team_id to teamMethods on an org-wide install, and learns
// from auth.test whether the install is one.
type teamTransport struct {
	teams *Teams
	next  http.RoundTripper
}

func (t *teamTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	method := req.URL.Path[strings.LastIndex(req.URL.Path, "/")+1:]
	if arg, found := teamMethods[method]; found && t.teams.org.Load() && req.Body != nil {
		if book := t.teams.book.Load(); book != nil {
			r, err := withTeam(req, arg, book)
			if err != nil {
				return nil, err
			}
			req = r
		}
	}
	resp, err := t.next.RoundTrip(req)
	if err == nil && method == "auth.test" {
		t.sniffAuthTest(resp)
	}
	return resp, err
}

// withTeam returns req with team_id set to the workspace of the person its arg
// names, unless it has one already or no workspace is known.
func withTeam(req *http.Request, arg string, book *teamBook) (*http.Request, error) {
	body, err := io.ReadAll(req.Body)
	_ = req.Body.Close()
	if err != nil {
		return nil, err
	}
	isJSON := strings.HasPrefix(req.Header.Get("Content-Type"), "application/json")
	var user string
	var form url.Values
	var fields map[string]json.RawMessage
	if isJSON {
		if json.Unmarshal(body, &fields) == nil {
			_ = json.Unmarshal(fields[arg], &user)
			if _, has := fields["team_id"]; has {
				user = ""
			}
		}
	} else if form, err = url.ParseQuery(string(body)); err == nil && form.Get("team_id") == "" {
		user = form.Get(arg)
	}
	if user != "" && !strings.Contains(user, ",") {
		if team := book.teamOf(req.Context(), user); team != "" {
			if isJSON {
				fields["team_id"], _ = json.Marshal(team)
				body, err = json.Marshal(fields)
				if err != nil {
					return nil, err
				}
			} else {
				form.Set("team_id", team)
				body = []byte(form.Encode())
			}
		}
	}
	r := req.Clone(req.Context())
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	return r, nil
}

// sniffAuthTest reads auth.test's answer for is_enterprise_install, which
// slack-go's AuthTestResponse does not keep, and puts the body back.
func (t *teamTransport) sniffAuthTest(resp *http.Response) {
	body, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if err != nil {
		return
	}
	var at struct {
		OK                  bool   `json:"ok"`
		EnterpriseID        string `json:"enterprise_id"`
		IsEnterpriseInstall bool   `json:"is_enterprise_install"`
	}
	if json.Unmarshal(body, &at) != nil || !at.OK || !at.IsEnterpriseInstall {
		return
	}
	t.teams.enterpriseID.Store(&at.EnterpriseID)
	if !t.teams.org.Swap(true) {
		if book := t.teams.book.Load(); book != nil && book.log != nil {
			book.log(at.EnterpriseID)
		}
	}
}
