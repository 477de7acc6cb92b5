package slacktest

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

// limits holds the per-method budgets and the forced failures. Guarded by Server.mu.
type limits struct {
	buckets  map[string]*bucket
	failures map[string][]Failure
	revoked  bool
}

func newLimits() limits {
	return limits{buckets: map[string]*bucket{}, failures: map[string][]Failure{}}
}

// bucket is a token bucket: it holds up to rate tokens and gains rate per second.
type bucket struct {
	rate   float64
	tokens float64
	last   time.Time
}

// take spends a token, or reports how many whole seconds until one is there.
func (b *bucket) take(now time.Time) (ok bool, retryAfter int) {
	b.tokens = math.Min(b.rate, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, max(1, int(math.Ceil((1-b.tokens)/b.rate)))
}

// Limit gives method a budget of perSecond calls a second, with bursts of
// perSecond, refilled by the server's clock (see WithClock). A call over budget
// gets a 429 with Retry-After and delivers nothing.
// A perSecond of zero or less removes the limit. The method "response_url"
// covers posts to response URLs.
func (s *Server) Limit(method string, perSecond int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if perSecond <= 0 {
		delete(s.limits.buckets, method)
		return
	}
	r := float64(perSecond)
	s.limits.buckets[method] = &bucket{rate: r, tokens: r, last: s.cfg.now()}
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
	if b := s.limits.buckets[c.Method]; b != nil {
		if ok, after := b.take(s.cfg.now()); !ok {
			return &reply{status: http.StatusTooManyRequests, retryAfter: after, err: "ratelimited"}
		}
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
