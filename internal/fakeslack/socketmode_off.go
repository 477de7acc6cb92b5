package fakeslack

import "net/http"

// socketModeOffError is what apps.connections.open answers once Socket Mode is
// off. Slack's page for the method (api.slack.com/methods/apps.connections.open)
// does not say which error it returns then; of the errors it lists,
// access_denied ("Access to a resource specified in the request is denied")
// fits, and it is one that no client retries into success.
const socketModeOffError = "access_denied"

// DisableSocketMode acts as if an admin had turned Socket Mode off in the
// app's settings: every live connection gets a disconnect frame with reason
// "link_disabled" (Slack's Socket Mode docs list it among the reasons of a
// disconnect, for a link the app's settings disabled), and every later
// apps.connections.open fails with access_denied, so the app cannot connect
// again until EnableSocketMode.
func (s *Server) DisableSocketMode() {
	s.mu.Lock()
	s.limits.socketOff = true
	s.mu.Unlock()
	s.Disconnect("link_disabled")
}

// EnableSocketMode turns Socket Mode back on: apps.connections.open hands out
// URLs again.
func (s *Server) EnableSocketMode() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limits.socketOff = false
}

// socketModeLocked refuses apps.connections.open while Socket Mode is off.
// The caller holds s.mu.
func (s *Server) socketModeLocked(c Call) *reply {
	if s.limits.socketOff && c.Method == "apps.connections.open" {
		return &reply{status: http.StatusOK, err: socketModeOffError}
	}
	return nil
}
