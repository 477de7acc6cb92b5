package fakeslack_test

import (
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/ladderapp/ladder/internal/fakeslack"
)

func TestFailNextRateLimitedSurfacesAsRateLimitedError(t *testing.T) {
	srv := newServer(t)
	srv.FailNext("chat.postMessage", 2, fakeslack.RateLimited(3))
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
	srv := newServer(t, fakeslack.WithClock(clock))
	srv.AddUser(fakeslack.User{ID: "U1", Name: "ada"})
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

	srv.FailNext("chat.postMessage", 1, fakeslack.HTTPError(http.StatusInternalServerError))
	_, _, err := web.PostMessage("U1", slack.MsgOptionText("hi", false))
	var sc slack.StatusCodeError
	if !errors.As(err, &sc) || sc.Code != http.StatusInternalServerError {
		t.Errorf("after HTTPError(500): %v, want a StatusCodeError 500", err)
	}

	srv.FailNext("chat.postMessage", 1, fakeslack.SlackError("channel_not_found"))
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

// frozen is a clock the test moves by hand.
type frozen struct {
	mu  sync.Mutex
	now time.Time
}

func (f *frozen) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *frozen) Add(d time.Duration) {
	f.mu.Lock()
	f.now = f.now.Add(d)
	f.mu.Unlock()
}

func newFrozen() *frozen { return &frozen{now: time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)} }

func history(web *slack.Client) error {
	_, err := web.GetConversationHistory(&slack.GetConversationHistoryParameters{ChannelID: "DU1"})
	return err
}

func TestTier3AllowsFiftyCallsInAnyMinute(t *testing.T) {
	clock := newFrozen()
	srv := newServer(t, fakeslack.WithClock(clock.Now))
	web := api(srv)

	// Spread over the first 50 seconds, one a second.
	for i := range 50 {
		if err := history(web); err != nil {
			t.Fatalf("call %d within Tier 3: %v", i+1, err)
		}
		clock.Add(time.Second)
	}
	err := history(web)
	var rl *slack.RateLimitedError
	if !errors.As(err, &rl) || rl.RetryAfter != 10*time.Second {
		t.Fatalf("51st call in a minute = %v, want a RateLimitedError with RetryAfter 10s (when the first call leaves the minute)", err)
	}
	// Other Tier 3 methods have budgets of their own.
	if _, _, _, err := web.GetConversationReplies(&slack.GetConversationRepliesParameters{ChannelID: "DU1", Timestamp: "1.000001"}); err != nil && errors.As(err, &rl) {
		t.Errorf("conversations.replies limited by conversations.history's budget: %v", err)
	}
	clock.Add(10 * time.Second)
	if err := history(web); err != nil {
		t.Errorf("once the first call is a minute old: %v", err)
	}
	if err := history(web); !errors.As(err, &rl) {
		t.Errorf("a second call at that moment = %v, want a RateLimitedError", err)
	}
	if n := srv.RateLimited429s("conversations.history"); n != 2 {
		t.Errorf("RateLimited429s = %d, want 2", n)
	}

	// Burst: a fresh minute takes all 50 at once, and not one more.
	srv.SetRateMinute(time.Minute)
	for i := range 50 {
		if err := history(web); err != nil {
			t.Fatalf("burst call %d: %v", i+1, err)
		}
	}
	if err := history(web); !errors.As(err, &rl) || rl.RetryAfter != time.Minute {
		t.Errorf("51st call of a burst = %v, want RetryAfter 60s", err)
	}
}

func TestTiersOfMethods(t *testing.T) {
	clock := newFrozen()
	srv := newServer(t, fakeslack.WithClock(clock.Now))
	srv.AddUser(fakeslack.User{ID: "U1", Name: "ada"})
	web := api(srv)
	var rl *slack.RateLimitedError
	count := func(call func() error) int {
		for i := 0; ; i++ {
			if err := call(); errors.As(err, &rl) {
				return i
			} else if err != nil {
				t.Fatalf("call %d: %v", i+1, err)
			}
			if i > 1000 {
				t.Fatal("no limit")
			}
		}
	}
	for _, c := range []struct {
		method string
		want   int
		call   func() error
	}{
		{"conversations.open", 50, func() error {
			_, _, _, err := web.OpenConversation(&slack.OpenConversationParameters{Users: []string{"U1"}})
			return err
		}},
		{"users.info", 100, func() error { _, err := web.GetUserInfo("U1"); return err }},
		{"views.publish", 100, func() error {
			_, err := web.PublishView("U1", slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: []slack.Block{
				slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "hi", false, false), nil, nil)}}}, "")
			return err
		}},
	} {
		if got := count(c.call); got != c.want {
			t.Errorf("%s: %d calls in a minute, want %d", c.method, got, c.want)
		}
	}

	srv.SetTiers(false)
	if _, err := web.GetUserInfo("U1"); err != nil {
		t.Errorf("users.info with the tiers off: %v", err)
	}
	srv.SetTiers(true)
	srv.SetTier("users.info", 0)
	if _, err := web.GetUserInfo("U1"); err != nil {
		t.Errorf("users.info with its tier removed: %v", err)
	}
	srv.SetTier("conversations.history", 1) // Tier 1, as for apps outside the Marketplace
	if err := history(web); err != nil {
		t.Fatal(err)
	}
	if err := history(web); !errors.As(err, &rl) || rl.RetryAfter != time.Minute {
		t.Errorf("second call at Tier 1 = %v, want RetryAfter 60s", err)
	}
}

func TestPostMessageOnePerSecondPerChannel(t *testing.T) {
	clock := newFrozen()
	srv := newServer(t, fakeslack.WithClock(clock.Now))
	web := api(srv)
	post := func(ch string) error {
		_, _, err := web.PostMessage(ch, slack.MsgOptionText("hi", false))
		return err
	}
	var rl *slack.RateLimitedError
	// A short burst of two, then one a second.
	for i := range 2 {
		if err := post("U1"); err != nil {
			t.Fatalf("post %d of a burst: %v", i+1, err)
		}
	}
	if err := post("DU1"); !errors.As(err, &rl) || rl.RetryAfter != time.Second {
		t.Fatalf("third post to the same DM (by its channel id) = %v, want RetryAfter 1s", err)
	}
	if err := post("U2"); err != nil {
		t.Errorf("another channel has its own budget: %v", err)
	}
	clock.Add(time.Second)
	if err := post("U1"); err != nil {
		t.Errorf("a second later: %v", err)
	}
	if err := post("U1"); !errors.As(err, &rl) {
		t.Errorf("two in that second = %v, want a RateLimitedError", err)
	}
	if n := len(srv.Messages()); n != 4 {
		t.Errorf("%d messages delivered, want 4: a limited post delivers nothing", n)
	}
}

func TestWorkspacePostCap(t *testing.T) {
	clock := newFrozen()
	srv := newServer(t, fakeslack.WithClock(clock.Now))
	srv.SetWorkspacePostCap(3)
	web := api(srv)
	var rl *slack.RateLimitedError
	for i := range 3 {
		if _, _, err := web.PostMessage(fmt.Sprintf("U%d", i), slack.MsgOptionText("hi", false)); err != nil {
			t.Fatalf("post %d: %v", i+1, err)
		}
	}
	_, _, err := web.PostMessage("U9", slack.MsgOptionText("hi", false))
	if !errors.As(err, &rl) || rl.RetryAfter != time.Minute {
		t.Fatalf("fourth post in a minute = %v, want RetryAfter 60s", err)
	}
	// The refused post spent nothing: U9's channel still has its burst.
	clock.Add(time.Minute)
	for i := range 2 {
		if _, _, err := web.PostMessage("U9", slack.MsgOptionText("hi", false)); err != nil {
			t.Errorf("post %d to U9 after the minute: %v", i+1, err)
		}
	}
}

// A test clock may move back (Slack's never does). The budgets then refill
// from where the clock now is, instead of staying spent until it catches up.
func TestBudgetsSurviveAClockMovedBack(t *testing.T) {
	clock := newFrozen()
	srv := newServer(t, fakeslack.WithClock(clock.Now))
	web := api(srv)
	post := func() error {
		_, _, err := web.PostMessage("U1", slack.MsgOptionText("hi", false))
		return err
	}
	for range 2 {
		if err := post(); err != nil {
			t.Fatalf("post within the burst: %v", err)
		}
		if err := history(web); err != nil {
			t.Fatalf("history: %v", err)
		}
	}
	if err := post(); err == nil {
		t.Fatal("a third post in the same instant went through")
	}
	clock.Add(-time.Hour)
	if err := post(); err == nil {
		t.Fatal("the clock moved back refilled the per-channel budget at once")
	}
	clock.Add(time.Second)
	if err := post(); err != nil {
		t.Errorf("a second after the clock moved back: %v, want the post through", err)
	}
	if err := history(web); err != nil {
		t.Errorf("Tier 3 after the clock moved back: %v", err)
	}
}
