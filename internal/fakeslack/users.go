package fakeslack

import (
	"time"
	"unicode/utf8"
)

// Status is a user's custom status, as Slack's presence-and-status guide
// describes it (api.slack.com/apis/presence-and-status): users.info (scope
// users:read) shows it in the user's profile as status_text, at most 100
// characters; status_emoji, an emoji name with colons; and
// status_expiration, in seconds since the epoch, 0 for a status that never
// ends.
//
// Slack resets a status when its expiration comes, by a job that runs
// later, not at that instant: the fake does not reset it, and shows an
// expired status as it was set, with its expiration, so that an app must
// read status_expiration rather than trust the status to be current.
type Status struct {
	Text       string
	Emoji      string
	Expiration time.Time // zero: never
}

// maxStatusText is the most characters a status text holds.
const maxStatusText = 100

// SetStatus sets the custom status of the user with id in the directory, as
// the user would in Slack; a zero Status clears it. It returns false if the
// directory has no such user. A text longer than Slack's 100 characters is
// cut there, as Slack refuses to store more.
func (s *Server) SetStatus(id string, st Status) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[id]
	if !ok {
		return false
	}
	if utf8.RuneCountInString(st.Text) > maxStatusText {
		st.Text = string([]rune(st.Text)[:maxStatusText])
	}
	u.Status = st
	s.users[id] = u
	return true
}

// profile adds the status to a users.info profile. Slack shows the three
// fields on every profile, empty (and 0) when no status is set.
func (st Status) profile(p map[string]any) map[string]any {
	var exp int64
	if !st.Expiration.IsZero() {
		exp = st.Expiration.Unix()
	}
	p["status_text"] = st.Text
	p["status_emoji"] = st.Emoji
	p["status_expiration"] = exp
	return p
}
