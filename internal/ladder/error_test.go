package ladder_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/ladderapp/ladder/internal/ladder"
)

func TestError(t *testing.T) {
	cause := errors.New("connection reset")
	for _, tc := range []struct {
		name string
		err  error
		msg  string
		code string
	}{
		{"nil", nil, "", ""},
		{"with op", &ladder.Error{Code: ladder.ETransient, Op: "chat.postMessage", Err: cause},
			"chat.postMessage: connection reset", ladder.ETransient},
		{"before any call", &ladder.Error{Code: ladder.ETransient, Err: cause}, "connection reset", ladder.ETransient},
		{"no cause", &ladder.Error{Code: ladder.ERateLimited, Op: "users.info", RetryAfter: time.Second},
			"users.info: rate_limited", ladder.ERateLimited},
		{"wrapped", fmt.Errorf("post to U1: %w", &ladder.Error{Code: ladder.EPermanent, Op: "chat.postMessage", Err: cause}),
			"post to U1: chat.postMessage: connection reset", ladder.EPermanent},
		{"not due", &ladder.Error{Code: ladder.ENotDue, Err: errors.New("no longer due: paused")},
			"no longer due: paused", ladder.ENotDue},
		{"without a code", cause, "connection reset", ladder.ETransient},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.err != nil {
				if got := tc.err.Error(); got != tc.msg {
					t.Errorf("Error() = %q; want %q", got, tc.msg)
				}
			}
			if got := ladder.ErrorCode(tc.err); got != tc.code {
				t.Errorf("ErrorCode = %q; want %q", got, tc.code)
			}
		})
	}
}

// TestErrorWrapsSentinels checks that a sentinel wrapped in an *Error is
// still found with errors.Is, and an *Error in a sentinel's wrapping with
// errors.As, so both kinds of error read as they did.
func TestErrorWrapsSentinels(t *testing.T) {
	err := fmt.Errorf("prompt for U1: %w", &ladder.Error{Code: ladder.ENotDue, Err: ladder.ErrNotEnrolled})
	if !errors.Is(err, ladder.ErrNotEnrolled) {
		t.Errorf("errors.Is(%v, ErrNotEnrolled) = false; want true", err)
	}
	if errors.Is(err, ladder.ErrNotFound) {
		t.Errorf("errors.Is(%v, ErrNotFound) = true; want false", err)
	}
	var e *ladder.Error
	if !errors.As(err, &e) || e.Code != ladder.ENotDue {
		t.Errorf("errors.As(%v) = %+v; want the ENotDue error", err, e)
	}
	if got := ladder.ErrorCode(ladder.ErrNotFound); got != ladder.ETransient {
		t.Errorf("ErrorCode(ErrNotFound) = %q; want %q: a sentinel carries no code", got, ladder.ETransient)
	}
}
