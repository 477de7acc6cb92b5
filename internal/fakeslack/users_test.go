package fakeslack_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ladderapp/ladder/internal/fakeslack"
)

func TestUsersInfoShowsStatus(t *testing.T) {
	srv := newServer(t)
	srv.AddUser(fakeslack.User{ID: "U1", Name: "ada"})

	// No status: the three fields are there, empty.
	_, body := postForm(t, srv, "users.info", url.Values{"user": {"U1"}})
	profile := body["user"].(map[string]any)["profile"].(map[string]any)
	if profile["status_text"] != "" || profile["status_emoji"] != "" || profile["status_expiration"] != float64(0) {
		t.Errorf("profile without a status = %v", profile)
	}

	until := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	if !srv.SetStatus("U1", fakeslack.Status{Text: "On vacation", Emoji: ":palm_tree:", Expiration: until}) {
		t.Fatal("SetStatus of a known user = false")
	}
	u, err := api(srv).GetUserInfoContext(t.Context(), "U1")
	if err != nil {
		t.Fatal(err)
	}
	if p := u.Profile; p.StatusText != "On vacation" || p.StatusEmoji != ":palm_tree:" || int64(p.StatusExpiration) != until.Unix() {
		t.Errorf("status = %q %q %d, want On vacation :palm_tree: %d", p.StatusText, p.StatusEmoji, p.StatusExpiration, until.Unix())
	}

	// Slack keeps at most 100 characters of text.
	srv.SetStatus("U1", fakeslack.Status{Text: strings.Repeat("é", 150)})
	if u, err := api(srv).GetUserInfoContext(t.Context(), "U1"); err != nil || len([]rune(u.Profile.StatusText)) != 100 {
		t.Errorf("a 150-character status reads back as %d characters (%v), want 100", len([]rune(u.Profile.StatusText)), err)
	}
	if srv.SetStatus("U9", fakeslack.Status{Text: "x"}) {
		t.Error("SetStatus of a user not in the directory = true")
	}
}
