package slacktest_test

import (
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/ladderapp/ladder/internal/slacktest"
)

func TestFailNextRateLimitedSurfacesAsRateLimitedError(t *testing.T) {
	srv := newServer(t)
	srv.FailNext("chat.postMessage", 2, slacktest.RateLimited(3))
	web := api(srv)

	for range 2 {
		_, _, err := web.PostMessage("U1", slack.MsgOptionText("hi", false))
		var rl *slack.RateLimitedError
		if !errors.As(err, &rl) || rl.RetryAfter != 3*time.Second {
			t.Fatalf("PostMessage = %v, want a RateLimitedError with RetryAfter 3s", err)
		}
	}
	if _, _, err := web.PostMessage("U1", slack.MsgOptionText("hi", false)); err != nil {
		t.Fatalf("third PostMessage: %v", err)
	}

	calls := srv.CallsTo("chat.postMessage")
	if len(calls) != 3 || calls[0].Status != http.StatusTooManyRequests || calls[2].Status != http.StatusOK {
		t.Errorf("calls = %+v", calls)
	}
	if n := len(srv.Messages()); n != 1 {
		t.Errorf("%d messages delivered, want only the last", n)
	}
}

func TestLimitIsATokenBucketPerMethod(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
	clock := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		return now
	}
	srv := newServer(t, slacktest.WithClock(clock))
	srv.AddUser(slacktest.User{ID: "U1", Name: "ada"})
	srv.Limit("users.info", 2)
	web := api(srv)

	for i := range 2 {
		if _, err := web.GetUserInfo("U1"); err != nil {
			t.Fatalf("call %d within budget: %v", i+1, err)
		}
	}
	_, err := web.GetUserInfo("U1")
	var rl *slack.RateLimitedError
	if !errors.As(err, &rl) || rl.RetryAfter != time.Second {
		t.Fatalf("call over budget = %v, want a RateLimitedError with RetryAfter 1s", err)
	}
	if calls := srv.CallsTo("users.info"); calls[2].Status != http.StatusTooManyRequests || calls[2].Error != "ratelimited" {
		t.Errorf("call over budget recorded as %+v", calls[2])
	}
	// Other methods have their own budget.
	if _, err := web.AuthTest(); err != nil {
		t.Errorf("auth.test: %v", err)
	}

	mu.Lock()
	now = now.Add(500 * time.Millisecond)
	mu.Unlock()
	if _, err := web.GetUserInfo("U1"); err != nil {
		t.Errorf("after half a second, one call is back in budget: %v", err)
	}
	if _, err := web.GetUserInfo("U1"); !errors.As(err, &rl) {
		t.Errorf("second call after half a second = %v, want a RateLimitedError", err)
	}

	srv.Limit("users.info", 0)
	if _, err := web.GetUserInfo("U1"); err != nil {
		t.Errorf("after removing the limit: %v", err)
	}
}

func TestFailNextErrors(t *testing.T) {
	srv := newServer(t)
	web := api(srv)

	srv.FailNext("chat.postMessage", 1, slacktest.HTTPError(http.StatusInternalServerError))
	_, _, err := web.PostMessage("U1", slack.MsgOptionText("hi", false))
	var sc slack.StatusCodeError
	if !errors.As(err, &sc) || sc.Code != http.StatusInternalServerError {
		t.Errorf("after HTTPError(500): %v, want a StatusCodeError 500", err)
	}

	srv.FailNext("chat.postMessage", 1, slacktest.SlackError("channel_not_found"))
	if _, _, err := web.PostMessage("U1", slack.MsgOptionText("hi", false)); err == nil || err.Error() != "channel_not_found" {
		t.Errorf("after SlackError: %v, want channel_not_found", err)
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("%d messages delivered, want none", n)
	}
}

func TestRevokeTokens(t *testing.T) {
	srv := newServer(t)
	srv.RevokeTokens()
	if _, err := api(srv).AuthTest(); err == nil || err.Error() != "token_revoked" {
		t.Errorf("auth.test after revoke: %v, want token_revoked", err)
	}
	if _, _, err := api(srv).StartSocketModeContext(t.Context()); err == nil || err.Error() != "invalid_auth" {
		t.Errorf("apps.connections.open after revoke: %v, want invalid_auth", err)
	}
}
