package fakeslack

import (
	"encoding/json"
	"slices"
	"strings"
)

// Org mode: the app installed org-wide on an Enterprise Grid org.
//
// What Slack documents, and so what this file enforces:
//
//   - An org-wide install has one token for every workspace of the org it was
//     granted ("Using APIs with organization-wide apps",
//     https://api.slack.com/enterprise/apps/changes-apis). auth.test answers
//     with the org's enterprise_id and is_enterprise_install: true
//     (https://api.slack.com/methods/auth.test; auth.teams.list lists the
//     workspaces, https://api.slack.com/methods/auth.teams.list).
//   - Events carry authorizations, one per installation the event is for, with
//     is_enterprise_install: true for an org-wide install; the outer team_id is
//     the workspace the event happened in and enterprise_id the org
//     (changes-apis, "Event payload overview";
//     https://api.slack.com/events/team_access_granted shows the shape).
//   - Slash commands carry team_id (where the user was), enterprise_id,
//     enterprise_name and is_enterprise_install
//     (https://api.slack.com/interactivity/slash-commands#app_command_handling;
//     slack-go's SlashCommand has the same fields). Interactions carry
//     team {id, domain}, enterprise {id, name}, is_enterprise_install and the
//     user's team_id (Bolt's org-app support, slackapi/bolt#521).
//   - Users of a Grid org have global ids (W… or U…) that are the same in every
//     workspace (https://api.slack.com/methods/migration.exchange). users.info
//     reports the workspaces in enterprise_user.teams
//     (https://docs.slack.dev/reference/objects/user-object/#fields).
//   - "Some API methods require a team_id when called by an organization-wide
//     app […] you now need to specify which workspace a method should act
//     on"; passing it with a workspace token is accepted and ignored
//     (changes-apis). Without it Slack answers
//     {"ok": false, "error": "missing_argument", "arg": "team_id"}
//     (reported for dnd.info in slack-go/slack#1157; the same for users.list
//     and conversations.list in lyft/omnibot#44).
//
// Where the docs are unclear this fake refuses. The stored copy of the
// changes-apis page lost its table of the methods that require team_id, and the
// method pages we could read (conversations.list, users.list, usergroups.list,
// users.conversations, dnd.info, migration.exchange) say team_id is "only
// relevant when using an org-level token". For the three methods by which the
// app reaches one person in one workspace — chat.postMessage (channel = a user
// id, the app's DM), conversations.open and views.publish (a Home tab is per
// workspace) — no page we found settles which workspace Slack would pick, so
// in org mode they are refused without team_id, and refused with a workspace
// the user is not in. users.info is not: a global user id names one person in
// the whole org, and its answer says which workspaces they are in.
// chat.update, chat.delete and views.open/update are not either: they name a
// channel, a message or a trigger_id, which already belong to one workspace.
//
// Errors: missing_argument (arg team_id) without it; team_access_not_granted
// for a workspace outside the install (auth.teams.list's and the
// team_access_revoked event's wording); channel_not_found (chat.postMessage) or
// user_not_found (conversations.open, views.publish) for a user who is not in
// that workspace.

// orgConfig is an org-wide install, set by WithEnterprise.
type orgConfig struct {
	enterpriseID string
	teams        []string
}

// orgState is who is where. Guarded by Server.mu.
type orgState struct {
	// teams maps a user id to the workspaces they belong to, first the home one.
	teams map[string][]string
	// acting maps a user id to the workspace they act in now.
	acting map[string]string
}

// WithEnterprise makes the server an Enterprise Grid org, enterpriseID, with the
// app installed org-wide and granted the workspaces teams (at least one; the
// first is the default). Users belong to the first workspace unless
// AddOrgUser says otherwise.
func WithEnterprise(enterpriseID string, teams ...string) Option {
	return func(c *config) {
		if len(teams) == 0 {
			panic("fakeslack: WithEnterprise needs at least one workspace")
		}
		c.org = &orgConfig{enterpriseID: enterpriseID, teams: slices.Clone(teams)}
	}
}

// orgTeamsNeeded are the methods org mode refuses without a team_id; see the
// comment at the top of this file.
var orgTeamsNeeded = map[string]bool{
	"chat.postMessage":   true,
	"conversations.open": true,
	"views.publish":      true,
}

// EnterpriseID is the org's id, or "" for a workspace install.
func (s *Server) EnterpriseID() string {
	if s.cfg.org == nil {
		return ""
	}
	return s.cfg.org.enterpriseID
}

// AddOrgUser adds u to the org as a member of the workspaces teams, the first
// being where they act until ActIn says otherwise. It panics outside org mode or
// for a workspace the app was not granted.
func (s *Server) AddOrgUser(u User, teams ...string) {
	if s.cfg.org == nil {
		panic("fakeslack: AddOrgUser needs WithEnterprise")
	}
	for _, t := range teams {
		if !slices.Contains(s.cfg.org.teams, t) {
			panic("fakeslack: AddOrgUser: workspace " + t + " is not in the org")
		}
	}
	s.AddUser(u)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.initOrgLocked()
	s.org.teams[u.ID] = slices.Clone(teams)
	s.org.acting[u.ID] = ""
}

// ActIn makes user act in the workspace team from now on: their events and
// interactions come from it. It panics if they are not a member of it.
func (s *Server) ActIn(user, team string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !slices.Contains(s.userTeamsLocked(user), team) {
		panic("fakeslack: ActIn: " + user + " is not in " + team)
	}
	s.initOrgLocked()
	s.org.acting[user] = team
}

func (s *Server) initOrgLocked() {
	if s.org.teams == nil {
		s.org.teams, s.org.acting = map[string][]string{}, map[string]string{}
	}
}

// userTeamsLocked is the workspaces user belongs to: in a workspace install,
// the one workspace.
func (s *Server) userTeamsLocked(user string) []string {
	if s.cfg.org == nil {
		return []string{s.TeamID}
	}
	if ts, found := s.org.teams[user]; found {
		return ts
	}
	return s.cfg.org.teams[:1]
}

// actingTeamLocked is the workspace user acts in now.
func (s *Server) actingTeamLocked(user string) string {
	if s.cfg.org != nil && s.org.acting[user] != "" {
		return s.org.acting[user]
	}
	return s.userTeamsLocked(user)[0]
}

// slashTeamLocked is the workspace a slash command comes from.
func (s *Server) slashTeamLocked(cmd SlashCommand) string {
	if cmd.Team != "" {
		if !slices.Contains(s.userTeamsLocked(cmd.UserID), cmd.Team) {
			panic("fakeslack: SlashCommand: " + cmd.UserID + " is not in " + cmd.Team)
		}
		return cmd.Team
	}
	return s.actingTeamLocked(cmd.UserID)
}

// orgStamp gives an envelope's payload the fields of an org-wide install. A
// workspace install's payloads are left as they are.
func (s *Server) orgStampLocked(kind string, payload any) any {
	org := s.cfg.org
	if org == nil {
		return payload
	}
	raw, err := json.Marshal(payload)
	if err != nil {
		return payload
	}
	var p map[string]any
	if json.Unmarshal(raw, &p) != nil {
		return payload
	}
	enterprise := map[string]any{"id": org.enterpriseID, "name": "Fake Org"}
	switch kind {
	case "slash_commands":
		// team_id is already the workspace the command came from.
		p["enterprise_id"], p["enterprise_name"] = org.enterpriseID, "Fake Org"
		p["is_enterprise_install"] = "true"
	case "events_api":
		ev, _ := p["event"].(map[string]any)
		user, _ := ev["user"].(string)
		team := s.actingTeamLocked(user)
		p["team_id"], p["enterprise_id"] = team, org.enterpriseID
		if _, has := ev["team"]; has {
			ev["team"] = team
		}
		p["authorizations"] = []map[string]any{{
			"enterprise_id": org.enterpriseID, "team_id": nil, "user_id": s.BotUserID,
			"is_bot": true, "is_enterprise_install": true,
		}}
	case "interactive":
		u, _ := p["user"].(map[string]any)
		user, _ := u["id"].(string)
		team := s.actingTeamLocked(user)
		u["team_id"] = team
		p["team"] = map[string]any{"id": team, "domain": strings.ToLower(team)}
		p["enterprise"], p["is_enterprise_install"] = enterprise, true
	}
	return p
}

// withOrg makes the methods in orgTeamsNeeded check team_id in org mode.
func (s *Server) withOrg(methods map[string]func(Call) reply) map[string]func(Call) reply {
	if s.cfg.org == nil {
		return methods
	}
	for name := range orgTeamsNeeded {
		h := methods[name]
		methods[name] = func(c Call) reply {
			if r := s.checkTeam(name, c); r != nil {
				return *r
			}
			return h(c)
		}
	}
	return methods
}

// checkTeam is Slack's answer to a call that names no workspace, or one the
// install or the user is not in; nil if the call may go on.
func (s *Server) checkTeam(method string, c Call) *reply {
	team := c.Params.Get("team_id")
	if team == "" {
		return &reply{status: 200, err: "missing_argument", body: map[string]any{"arg": "team_id"}}
	}
	if !slices.Contains(s.cfg.org.teams, team) {
		r := fail("team_access_not_granted")
		return &r
	}
	var user string
	switch method {
	case "chat.postMessage":
		// The fake's DM with a user is "D" + their id.
		user = strings.TrimPrefix(c.Params.Get("channel"), "D")
	case "conversations.open":
		user = c.Params.Get("users")
	case "views.publish":
		user = c.Params.Get("user_id")
	}
	s.mu.Lock()
	in := slices.Contains(s.userTeamsLocked(user), team)
	s.mu.Unlock()
	if user != "" && !strings.Contains(user, ",") && !in {
		code := "user_not_found"
		if method == "chat.postMessage" {
			code = "channel_not_found"
		}
		r := fail(code)
		return &r
	}
	return nil
}

// orgUserFieldsLocked adds to a users.info user object the org's fields: the home
// workspace as team_id and every workspace in enterprise_user.teams.
func (s *Server) orgUserFieldsLocked(m map[string]any) {
	org := s.cfg.org
	if org == nil {
		return
	}
	id, _ := m["id"].(string)
	teams := s.userTeamsLocked(id)
	m["team_id"] = teams[0]
	m["enterprise_user"] = map[string]any{
		"id": id, "enterprise_id": org.enterpriseID, "enterprise_name": "Fake Org",
		"is_admin": false, "is_owner": false, "is_primary_owner": false, "teams": slices.Clone(teams),
	}
}
