package fakeslack

import (
	"slices"
	"sort"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"

	files "github.com/ladderapp/ladder"
)

// This file is the bot token's granted scopes. A method that needs a scope
// the token lacks answers Slack's missing_scope, with the scope it needs in
// needed and the token's scopes in provided, comma-separated ("missing_scope:
// The token used is not granted the specific scope permissions required to
// complete this request", in each method's errors at api.slack.com/methods;
// the two fields are in the answer itself). The token holds every bot scope of
// manifest.yaml unless a test says otherwise, as an install from the manifest
// does; an older install lacks the scopes added since, which RevokeScope
// stands for.

// methodScopes lists, per method, the bot scopes any one of which lets the
// token call it: the "Scopes" fact of each method's page at
// api.slack.com/methods. Methods not listed need none (views.*, auth.test,
// chat.getPermalink) or, like apps.connections.open, the app token's own.
var methodScopes = map[string][]string{
	"chat.postMessage":             {"chat:write"},
	"chat.postEphemeral":           {"chat:write"},
	"chat.update":                  {"chat:write"},
	"chat.delete":                  {"chat:write"},
	"conversations.open":           {"channels:manage", "groups:write", "im:write", "mpim:write"},
	"conversations.history":        {"channels:history", "groups:history", "im:history", "mpim:history"},
	"conversations.replies":        {"channels:history", "groups:history", "im:history", "mpim:history"},
	"users.info":                   {"users:read"},
	"reactions.add":                {"reactions:write"},
	"files.getUploadURLExternal":   {"files:write"},
	"files.completeUploadExternal": {"files:write"},
}

// ManifestScopes returns the bot scopes manifest.yaml asks for, sorted.
func ManifestScopes() []string {
	manifestOnce.Do(func() {
		var m struct {
			OAuth struct {
				Scopes struct {
					Bot []string `yaml:"bot"`
				} `yaml:"scopes"`
			} `yaml:"oauth_config"`
		}
		if err := yaml.Unmarshal(files.Manifest, &m); err != nil {
			panic("fakeslack: manifest.yaml: " + err.Error())
		}
		manifestScopes = append([]string(nil), m.OAuth.Scopes.Bot...)
		sort.Strings(manifestScopes)
	})
	return append([]string(nil), manifestScopes...)
}

var (
	manifestOnce   sync.Once
	manifestScopes []string
)

// scopeState is the token's granted scopes; nil until a test changes them,
// meaning the manifest's. Guarded by Server.mu.
type scopeState struct {
	granted []string
}

// SetScopes grants the bot token exactly scopes, as an install that asked for
// them would.
func (s *Server) SetScopes(scopes ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := append([]string{}, scopes...)
	sort.Strings(g)
	s.scopes.granted = slices.Compact(g)
}

// RevokeScope takes scope away from the bot token: an install made before
// the manifest asked for it.
func (s *Server) RevokeScope(scope string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.scopes.granted = slices.DeleteFunc(s.grantedLocked(), func(g string) bool { return g == scope })
}

// Scopes returns the bot token's granted scopes, sorted.
func (s *Server) Scopes() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.grantedLocked()
}

func (s *Server) grantedLocked() []string {
	if s.scopes.granted == nil {
		return ManifestScopes()
	}
	return append([]string{}, s.scopes.granted...)
}

// checkScope answers missing_scope if method needs a scope the token lacks.
func (s *Server) checkScope(method string) *reply {
	need := methodScopes[method]
	if len(need) == 0 {
		return nil
	}
	s.mu.Lock()
	granted := s.grantedLocked()
	s.mu.Unlock()
	for _, n := range need {
		if slices.Contains(granted, n) {
			return nil
		}
	}
	r := fail("missing_scope")
	r.body = map[string]any{"needed": strings.Join(need, ","), "provided": strings.Join(granted, ",")}
	return &r
}
