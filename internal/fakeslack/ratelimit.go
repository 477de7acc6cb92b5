package fakeslack

import (
	"context"
	"math"
	"net/http"
	"time"
)

// Failure is an answer to force on a Web API call instead of the normal one.
// Build one with RateLimited, HTTPError, SlackError or Delayed.
type Failure struct {
	// Status is the HTTP status to answer with; zero means 200.
	Status int
	// RetryAfter is the Retry-After header of a 429, in seconds.
	RetryAfter int
	// Error is the Slack error code of an "ok": false body.
	Error string
	// Delay holds the answer back this long. A delay alone then answers normally:
	// the call succeeds, but the client may have given up on it by then.
	Delay time.Duration
}

// RateLimited is a 429 with Retry-After set to retryAfter seconds, as Slack sends it.
func RateLimited(retryAfter int) Failure {
	return Failure{Status: http.StatusTooManyRequests, RetryAfter: retryAfter, Error: "ratelimited"}
}

// HTTPError answers with the HTTP status alone, like Slack's 5xx pages.
func HTTPError(status int) Failure { return Failure{Status: status} }

// SlackError answers 200 with {"ok":false,"error":code}, for example
// "channel_not_found", "invalid_auth" or "token_revoked".
func SlackError(code string) Failure { return Failure{Error: code} }

// Delayed answers normally after d, or as soon as the client gives up, to simulate
// a slow Slack or a client timeout.
func Delayed(d time.Duration) Failure { return Failure{Delay: d} }

// Slack's rate-limit tiers, in calls a minute. Each Web API method is limited
// per app per workspace, and Slack evaluates the limits per minute
// (https://api.slack.com/apis/rate-limits, "Rate Limits": Tier 1 1+, Tier 2
// 20+, Tier 3 50+ and Tier 4 100+ per minute). The docs allow "sporadic
// bursts" without a number, so the server is strict: never more than the
// tier's number in any minute, a burst of that size included.
const (
	tier3 = 50
	tier4 = 100
)

// defaultTiers is the tier of each method the server limits by default, from
// the "Rate limits" fact of each method's page at api.slack.com/methods.
// chat.postMessage is in the special tier: see postPerChannel.
var defaultTiers = map[string]int{
	"conversations.history": tier3,
	"conversations.replies": tier3,
	"conversations.open":    tier3,
	"users.info":            tier4,
	"views.publish":         tier4,
	"views.open":            tier4,
	"views.push":            tier4,
	"views.update":          tier4,
	// files.*: "Tier 4" on both methods' pages.
	"files.getUploadURLExternal":   tier4,
	"files.completeUploadExternal": tier4,
}

// postPerChannel is chat.postMessage's own limit: "one message per second per
// channel", with "short bursts >1 allowed" (api.slack.com/apis/rate-limits,
// "Posting messages"). The strictest burst that is more than one is two.
const (
	postPerChannelRate  = 1.0
	postPerChannelBurst = 2.0
)

// limits holds the per-method budgets and the forced failures. Guarded by Server.mu.
type limits struct {
	// tiersOn turns on the tiers and chat.postMessage's limit per channel.
	tiersOn bool
	// tiers holds each method's tier budget, a sliding window of calls.
	tiers map[string]*window
	// channels holds chat.postMessage's budget per channel.
	channels map[string]*bucket
	// workspace is chat.postMessage's workspace-wide cap; nil for none.
	workspace *window
	// buckets holds the budgets set with Limit, on top of the tiers.
	buckets  map[string]*bucket
	failures map[string][]Failure
	revoked  bool
	// socketOff is set by DisableSocketMode.
	socketOff bool
	// minute is how long a rate-limit minute lasts; see SetRateMinute.
	minute time.Duration
}

func newLimits() limits {
	l := limits{
		tiersOn:  true,
		tiers:    map[string]*window{},
		channels: map[string]*bucket{},
		buckets:  map[string]*bucket{},
		failures: map[string][]Failure{},
		minute:   time.Minute,
	}
	for m, n := range defaultTiers {
		l.tiers[m] = &window{n: n, span: l.minute}
	}
	return l
}

// budget is one rate limit. wait reports how long until a call fits, zero if
// it fits now; spend records the call. A call is checked against every budget
// that applies before any is spent, so a refused call costs nothing.
type budget interface {
	wait(now time.Time) time.Duration
	spend(now time.Time)
}

// window allows n calls in any span: a sliding window over the calls made.
type window struct {
	n     int
	span  time.Duration
	calls []time.Time
}

func (w *window) prune(now time.Time) {
	// A test clock moved back: calls stamped after now are forgotten rather
	// than holding the window shut until the clock catches up with them.
	for len(w.calls) > 0 && w.calls[len(w.calls)-1].After(now) {
		w.calls = w.calls[:len(w.calls)-1]
	}
	i := 0
	for i < len(w.calls) && !w.calls[i].After(now.Add(-w.span)) {
		i++
	}
	w.calls = w.calls[i:]
}

func (w *window) wait(now time.Time) time.Duration {
	w.prune(now)
	if len(w.calls) < w.n {
		return 0
	}
	return w.calls[len(w.calls)-w.n].Add(w.span).Sub(now)
}

func (w *window) spend(now time.Time) { w.calls = append(w.calls, now) }

// bucket is a token bucket: it holds up to burst tokens and gains rate a second.
type bucket struct {
	rate   float64
	burst  float64
	tokens float64
	last   time.Time
}

func newBucket(rate, burst float64, now time.Time) *bucket {
	return &bucket{rate: rate, burst: burst, tokens: burst, last: now}
}

func (b *bucket) refill(now time.Time) {
	if now.After(b.last) {
		b.tokens = math.Min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	}
	// A test clock that moved back refills from where it now is.
	b.last = now
}

func (b *bucket) wait(now time.Time) time.Duration {
	b.refill(now)
	if b.tokens >= 1 {
		return 0
	}
	return time.Duration((1 - b.tokens) / b.rate * float64(time.Second))
}

func (b *bucket) spend(now time.Time) {
	b.refill(now)
	b.tokens--
}

// retryAfter turns a wait into Retry-After's whole seconds, at least one.
func retryAfter(d time.Duration) int {
	return max(1, int(math.Ceil(d.Seconds())))
}

// Limit gives method a budget of perSecond calls a second, with bursts of
// perSecond, refilled by the server's clock (see WithClock). A call over budget
// gets a 429 with Retry-After and delivers nothing. The budget applies on top
// of the method's tier; for chat.postMessage it is the workspace-wide cap, on
// top of the limit per channel.
// A perSecond of zero or less removes the budget. The method "response_url"
// covers posts to response URLs.
func (s *Server) Limit(method string, perSecond int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if perSecond <= 0 {
		delete(s.limits.buckets, method)
		return
	}
	r := float64(perSecond)
	s.limits.buckets[method] = newBucket(r, r, s.cfg.now())
}

// SetTier limits method to perMinute calls in any rate-limit minute (see
// WithRateMinute), like the tiers the server applies by default. A perMinute of
// zero or less removes the method's tier. Use it for a method whose tier Slack
// changed, such as conversations.history at Tier 1 (1 a minute) for apps that
// are not in the Slack Marketplace.
func (s *Server) SetTier(method string, perMinute int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if perMinute <= 0 {
		delete(s.limits.tiers, method)
		return
	}
	s.limits.tiers[method] = &window{n: perMinute, span: s.limits.minute}
}

// SetTiers turns the tiers and chat.postMessage's limit per channel on or off.
// They are on from New: a test whose clock stands still while it makes more
// calls than a tier allows turns them off, or moves its clock, since budgets
// refill only as the server's clock (WithClock) moves. Budgets set with Limit
// and SetWorkspacePostCap apply either way.
func (s *Server) SetTiers(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limits.tiersOn = on
}

// SetRateMinute sets how long the minute of the tiers and of the workspace
// post cap lasts, one minute by default, so that a test can run Slack's limits
// faster: with a second, Tier 3 allows 50 calls a second. It starts every
// budget afresh. chat.postMessage's limit per channel stays one a second.
func (s *Server) SetRateMinute(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limits.minute = d
	for _, w := range s.limits.tiers {
		*w = window{n: w.n, span: d}
	}
	if w := s.limits.workspace; w != nil {
		*w = window{n: w.n, span: d}
	}
}

// SetWorkspacePostCap caps chat.postMessage at perMinute posts in any
// rate-limit minute across the workspace, on top of the limit per channel.
// Slack keeps such a cap but publishes no number for it ("several hundred a
// minute"), so there is none until a test sets one. Zero or less removes it.
func (s *Server) SetWorkspacePostCap(perMinute int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if perMinute <= 0 {
		s.limits.workspace = nil
		return
	}
	s.limits.workspace = &window{n: perMinute, span: s.limits.minute}
}

// RateLimited429s counts the calls to method that the server answered with a
// 429, its own limits and forced failures alike.
func (s *Server) RateLimited429s(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.calls {
		if c.Method == method && c.Status == http.StatusTooManyRequests {
			n++
		}
	}
	return n
}

// FailNext makes the next n calls to method answer with f, ahead of every other
// check. Calls already queued by earlier FailNext calls come first.
func (s *Server) FailNext(method string, n int, f Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.limits.failures[method] = append(s.limits.failures[method], f)
	}
}

// RevokeTokens makes every later call fail as if the app had been uninstalled:
// apps.connections.open answers invalid_auth and every other method token_revoked.
// Open connections stay open; Drop them to make the app find out.
func (s *Server) RevokeTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limits.revoked = true
}

// gate decides whether call may go through. A non-nil reply is the answer instead.
// It waits out a Delay failure, unless ctx ends or the server closes.
func (s *Server) gate(ctx context.Context, c Call) *reply {
	s.mu.Lock()
	var forced *Failure
	if q := s.limits.failures[c.Method]; len(q) > 0 {
		forced = &q[0]
		s.limits.failures[c.Method] = q[1:]
	}
	s.mu.Unlock()

	if forced != nil {
		if forced.Delay > 0 {
			t := time.NewTimer(forced.Delay)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
			case <-s.closing:
				t.Stop()
			}
		}
		if forced.Status != 0 || forced.Error != "" {
			r := reply{status: forced.Status, retryAfter: forced.RetryAfter, err: forced.Error}
			if r.status == 0 {
				r.status = http.StatusOK
			}
			return &r
		}
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if c.Method != responseURLMethod {
		if r := s.authLocked(c); r != nil {
			return r
		}
	}
	if r := s.socketModeLocked(c); r != nil {
		return r
	}
	return s.spendLocked(c)
}

// spendLocked checks call against every budget that applies to it and, if it
// fits all of them, spends from each. Otherwise it answers 429 with the
// longest wait as Retry-After.
func (s *Server) spendLocked(c Call) *reply {
	var budgets []budget
	if w := s.limits.tiers[c.Method]; w != nil && s.limits.tiersOn {
		budgets = append(budgets, w)
	}
	if b := s.limits.buckets[c.Method]; b != nil {
		budgets = append(budgets, b)
	}
	if c.Method == "chat.postMessage" && s.limits.tiersOn {
		if s.limits.workspace != nil {
			budgets = append(budgets, s.limits.workspace)
		}
		if ch := resolveChannel(c.Params.Get("channel")); ch != "" {
			b := s.limits.channels[ch]
			if b == nil {
				b = newBucket(postPerChannelRate, postPerChannelBurst, s.cfg.now())
				s.limits.channels[ch] = b
			}
			budgets = append(budgets, b)
		}
	}
	now := s.cfg.now()
	var wait time.Duration
	for _, b := range budgets {
		wait = max(wait, b.wait(now))
	}
	if wait > 0 {
		return &reply{status: http.StatusTooManyRequests, retryAfter: retryAfter(wait), err: "ratelimited"}
	}
	for _, b := range budgets {
		b.spend(now)
	}
	return nil
}

// authLocked checks the token: the app token for apps.connections.open, the bot
// token for everything else.
func (s *Server) authLocked(c Call) *reply {
	want := s.BotToken
	if c.Method == "apps.connections.open" {
		want = s.AppToken
	}
	switch {
	case s.limits.revoked && c.Method == "apps.connections.open":
		return &reply{status: http.StatusOK, err: "invalid_auth"}
	case s.limits.revoked:
		return &reply{status: http.StatusOK, err: "token_revoked"}
	case c.Token != want:
		return &reply{status: http.StatusOK, err: "invalid_auth"}
	}
	return nil
}
