package fakeslack

// Uninstalling the app, as Slack's events and Web API show it
// (https://api.slack.com/events/app_uninstalled,
// https://api.slack.com/events/tokens_revoked). Slack sends both events when
// the app is uninstalled, in no set order, and revokes the tokens: RevokeTokens.

// AppUninstalledEvent is the app_uninstalled event: it carries nothing but
// its type; the envelope's team_id says where.
func (s *Server) AppUninstalledEvent() map[string]any {
	return map[string]any{"type": "app_uninstalled"}
}

// TokensRevokedEvent is the tokens_revoked event for the bot's token: the
// lists hold user ids, never tokens. oauth lists the users whose user tokens
// were revoked; the app holds none.
func (s *Server) TokensRevokedEvent(oauth ...string) map[string]any {
	if oauth == nil {
		oauth = []string{}
	}
	return map[string]any{
		"type":   "tokens_revoked",
		"tokens": map[string]any{"oauth": oauth, "bot": []string{s.BotUserID}},
	}
}

// Reinstall installs the app again after RevokeTokens: the tokens work
// again. Slack would issue a new bot token; the fake keeps the value, which
// tests read once, and only lifts the revocation.
func (s *Server) Reinstall() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limits.revoked = false
}
