package ladder

import (
	"errors"
	"time"
)

// Error codes for a failed send: what the sender may do about it. Slack's
// own error strings stay in slackapp, which translates them into these.
const (
	// ERateLimited is a 429: nothing was done, and the operation must rest
	// for RetryAfter.
	ERateLimited = "rate_limited"
	// EPermanent is a refusal that no retry can fix: the user or channel is
	// gone, or the message itself is refused.
	EPermanent = "permanent"
	// ETransient is a failure that a later attempt may get past: a timeout,
	// a 5xx, a database error. MaySent says whether the message may have
	// gone out all the same.
	ETransient = "transient"
	// ENotDue is a message that no longer needs sending: the member paused,
	// answered or left, or it went out by another path. It is dropped.
	ENotDue = "not_due"
	// ERevoked is Slack refusing the app's token: it was uninstalled or its
	// token revoked. Nothing was sent, and nothing can be until it is
	// installed again: the sender stops, and keeps the message.
	ERevoked = "revoked"
)

// Error is a failure that crosses a package line with what the caller needs
// to act on it: a code, and for a send, how long to wait and whether the
// message may have gone out. The sentinels (ErrNotFound, ErrNotEnrolled, …)
// say what is missing; an Error says what the sender may do, and may wrap a
// sentinel, which errors.Is then finds.
type Error struct {
	// Code is one of the E… codes.
	Code string
	// Op is the operation that failed, for a send the Web API method, such
	// as "chat.postMessage"; empty when the failure came before any call.
	Op string
	// RetryAfter is how long the operation must rest (ERateLimited).
	RetryAfter time.Duration
	// MaySent reports that the message may have gone out although the call
	// failed (a timeout, a dropped connection, a 5xx), so the next attempt
	// must look for it before posting again.
	MaySent bool
	// Err is the underlying error.
	Err error
}

// Error returns the operation and the underlying error, or the code if there
// is none.
func (e *Error) Error() string {
	msg := e.Code
	if e.Err != nil {
		msg = e.Err.Error()
	}
	if e.Op == "" {
		return msg
	}
	return e.Op + ": " + msg
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// ErrorCode returns the code of the first *Error in err's chain, "" for a nil
// err, and ETransient for an error that carries no code: nothing says that
// a retry cannot help.
func ErrorCode(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Code
	}
	return ETransient
}
