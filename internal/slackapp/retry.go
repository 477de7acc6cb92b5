package slackapp

import (
	"context"
	"errors"
	"time"

	"github.com/slack-go/slack"
)

// The app's Web API calls outside the send queue (package schedule, which
// has its own budgets and retries) follow one retry policy, and no goroutine
// that handles envelopes ever waits for one: call makes one attempt;
// callLater makes one and, if it fails, tries again off the caller's
// goroutine, after Retry-After for a 429 and a growing backoff otherwise.
// Only whoAmI, at start, waits in line, since nothing can happen before it.

// policy is when to try a failed call again.
type policy struct {
	attempts    int           // tries in all; 0 for as long as the context lasts
	first, most time.Duration // the first backoff, doubling up to most
}

// replyPolicy is for what a person waits to see: a reply, a Home tab, an
// edited message. Three tries in all, within about 10 seconds.
var replyPolicy = policy{attempts: 3, first: time.Second, most: 4 * time.Second}

// startPolicy is for whoAmI at start: until Slack answers.
var startPolicy = policy{first: time.Second, most: 30 * time.Second}

// next says how long to wait before try n+1 after try n failed with err, or
// false to give up. A 429 waits exactly Retry-After; a refusal that no retry
// fixes (bad tokens, a permanent Slack error) gives up at once.
func (p policy) next(n int, err error) (time.Duration, bool) {
	if p.attempts > 0 && n >= p.attempts {
		return 0, false
	}
	var rl *slack.RateLimitedError
	if errors.As(err, &rl) {
		return max(rl.RetryAfter, time.Second), true
	}
	if isAuthError(err) || permanentError(err) {
		return 0, false
	}
	d := p.first
	for i := 1; i < n && d < p.most; i++ {
		d *= 2
	}
	return min(d, p.most), true
}

// permanentError reports whether Slack refused err's call for a reason no
// retry fixes.
func permanentError(err error) bool {
	var se slack.SlackErrorResponse
	return errors.As(err, &se) && permanentCodes[se.Err]
}

// call runs one Web API call and counts it. It never waits and never tries
// again: the caller decides.
func (a *App) call(ctx context.Context, method string, fn func() error) error {
	err := fn()
	a.countSend(method, err)
	return err
}

// callLater runs one Web API call for someone waiting, and counts it. If it
// fails, it is tried again in the background, under replyPolicy, and
// callLater returns nil: the caller moves on at once. It is for calls that
// are safe to repeat (views.publish, chat.update, an ephemeral reply).
func (a *App) callLater(ctx context.Context, method string, fn func() error) error {
	err := a.call(ctx, method, fn)
	if err == nil {
		return nil
	}
	wait, again := replyPolicy.next(1, err)
	if !again {
		return err
	}
	a.log.Info("Web API call failed; trying again in the background", "method", method, "in", wait, "err", err)
	a.retryIn(ctx, method, fn, 2, wait)
	return nil
}

// retryIn makes try n of fn after wait, on a goroutine of its own, and
// schedules the next one if that fails too.
func (a *App) retryIn(ctx context.Context, method string, fn func() error, n int, wait time.Duration) {
	time.AfterFunc(wait, func() {
		if ctx.Err() != nil || a.stopped.Load() {
			return
		}
		err := a.call(ctx, method, fn)
		if err == nil {
			return
		}
		if next, again := replyPolicy.next(n, err); again {
			a.retryIn(ctx, method, fn, n+1, next)
			return
		}
		a.metrics.error(method)
		a.log.Error("Web API call failed for good", "method", method, "tries", n, "err", err)
	})
}
