package slackapp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/ladderapp/ladder/internal/fakeslack"
	"github.com/ladderapp/ladder/internal/ladder"
)

// want is what sendError should make of a failure.
type want struct {
	code       string
	retryAfter time.Duration
	maySent    bool
}

// check compares err, from sendError on cause, with w.
func (w want) check(t *testing.T, cause, err error) {
	t.Helper()
	var e *ladder.Error
	if !errors.As(err, &e) {
		t.Fatalf("sendError(%v) = %T %v; want a *ladder.Error", cause, err, err)
	}
	if e.Code != w.code || e.RetryAfter != w.retryAfter || e.MaySent != w.maySent {
		t.Errorf("sendError(%v) = code %q, RetryAfter %s, MaySent %t; want %q, %s, %t",
			cause, e.Code, e.RetryAfter, e.MaySent, w.code, w.retryAfter, w.maySent)
	}
	if e.Op != "chat.postMessage" || !strings.HasPrefix(err.Error(), "chat.postMessage: ") {
		t.Errorf("sendError(%v) names %q, reads %q; want chat.postMessage", cause, e.Op, err)
	}
	// DeepEqual, not errors.Is: slack.SlackErrorResponse is not comparable.
	if !reflect.DeepEqual(e.Err, cause) {
		t.Errorf("sendError(%v) wraps %v; want its cause", cause, e.Err)
	}
}

// TestSendError translates each kind of slack-go failure into the code the
// send queue acts on.
func TestSendError(t *testing.T) {
	var (
		limited   = want{code: ladder.ERateLimited, retryAfter: 3 * time.Second}
		permanent = want{code: ladder.EPermanent}
		notSent   = want{code: ladder.ETransient}
		maySent   = want{code: ladder.ETransient, maySent: true}
	)
	refused := func(code string) error { return slack.SlackErrorResponse{Err: code} }
	for _, tc := range []struct {
		name string
		err  error
		want want
	}{
		{"429 with Retry-After", &slack.RateLimitedError{RetryAfter: 3 * time.Second}, limited},
		{"429 with Retry-After 0", &slack.RateLimitedError{}, want{code: ladder.ERateLimited, retryAfter: time.Second}},
		{"ratelimited in the body", refused("ratelimited"), want{code: ladder.ERateLimited, retryAfter: time.Second}},
		{"channel_not_found", refused("channel_not_found"), permanent},
		{"user_not_found", refused("user_not_found"), permanent},
		{"is_archived", refused("is_archived"), permanent},
		{"cannot_dm_bot", refused("cannot_dm_bot"), permanent},
		{"user_disabled", refused("user_disabled"), permanent},
		{"msg_too_long", refused("msg_too_long"), permanent},
		{"invalid_blocks", refused("invalid_blocks"), permanent},
		{"missing_scope", refused("missing_scope"), permanent},
		{"wrapped refusal", fmt.Errorf("post: %w", refused("user_not_found")), permanent},
		// A revoked token is an uninstall: the queue stops and the message
		// goes out if the app is installed again in time. invalid_auth is
		// retried as any refusal.
		{"invalid_auth", refused("invalid_auth"), notSent},
		{"token_revoked", refused("token_revoked"), want{code: ladder.ERevoked}},
		{"account_inactive", refused("account_inactive"), want{code: ladder.ERevoked}},
		{"an unknown refusal", refused("some_new_error"), notSent},
		{"internal_error", refused("internal_error"), maySent},
		{"fatal_error", refused("fatal_error"), maySent},
		{"service_unavailable", refused("service_unavailable"), maySent},
		{"500", slack.StatusCodeError{Code: 500, Status: "500 Internal Server Error"}, maySent},
		{"503", slack.StatusCodeError{Code: 503, Status: "503 Service Unavailable"}, maySent},
		{"400", slack.StatusCodeError{Code: 400, Status: "400 Bad Request"}, notSent},
		{"404", slack.StatusCodeError{Code: 404, Status: "404 Not Found"}, notSent},
		{"429 without Retry-After", slack.StatusCodeError{Code: 429, Status: "429 Too Many Requests"}, notSent},
		{"timeout", &url.Error{Op: "Post", URL: "https://slack.com/api/chat.postMessage", Err: context.DeadlineExceeded}, maySent},
		{"connection reset", &url.Error{Op: "Post", URL: "https://slack.com/api/chat.postMessage", Err: syscall.ECONNRESET}, maySent},
		{"cut short", io.ErrUnexpectedEOF, maySent},
		{"context canceled", context.Canceled, maySent},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.want.check(t, tc.err, sendError("chat.postMessage", tc.err))
		})
	}
	if err := sendError("chat.postMessage", nil); err != nil {
		t.Errorf("sendError(nil) = %v; want nil", err)
	}
}

// TestSendErrorFromSlack makes slack-go meet each failure from the fake
// Slack over HTTP, so that the errors sendError reads are the ones slack-go
// really returns.
func TestSendErrorFromSlack(t *testing.T) {
	srv := fakeslack.New()
	t.Cleanup(srv.Close)
	srv.AddUser(fakeslack.User{ID: "U1", Name: "alice"})
	api := slack.New(srv.BotToken, slack.OptionAPIURL(srv.APIURL()))
	for _, tc := range []struct {
		name    string
		failure fakeslack.Failure
		timeout time.Duration // the client's; 0 for none
		want    want
	}{
		{"429", fakeslack.RateLimited(3), 0, want{code: ladder.ERateLimited, retryAfter: 3 * time.Second}},
		{"user_not_found", fakeslack.SlackError("user_not_found"), 0, want{code: ladder.EPermanent}},
		{"channel_not_found", fakeslack.SlackError("channel_not_found"), 0, want{code: ladder.EPermanent}},
		{"is_archived", fakeslack.SlackError("is_archived"), 0, want{code: ladder.EPermanent}},
		{"token_revoked", fakeslack.SlackError("token_revoked"), 0, want{code: ladder.ERevoked}},
		{"internal_error", fakeslack.SlackError("internal_error"), 0, want{code: ladder.ETransient, maySent: true}},
		{"500", fakeslack.HTTPError(500), 0, want{code: ladder.ETransient, maySent: true}},
		{"503", fakeslack.HTTPError(503), 0, want{code: ladder.ETransient, maySent: true}},
		{"400", fakeslack.HTTPError(400), 0, want{code: ladder.ETransient}},
		{"timeout", fakeslack.Delayed(5 * time.Second), 100 * time.Millisecond, want{code: ladder.ETransient, maySent: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv.FailNext("chat.postMessage", 1, tc.failure)
			ctx := t.Context()
			if tc.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tc.timeout)
				defer cancel()
			}
			_, _, cause := api.PostMessageContext(ctx, "U1", slack.MsgOptionText("hello", false))
			if cause == nil {
				t.Fatal("the post succeeded; want it to fail")
			}
			tc.want.check(t, cause, sendError("chat.postMessage", cause))
		})
	}
}
