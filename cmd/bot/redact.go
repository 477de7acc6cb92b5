package main

import (
	"encoding"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"regexp"
	"strings"
)

// newLogger logs text to w, with r's secrets replaced in every attribute: the
// message, attributes given to With or to one call, inside groups, and in
// errors and other values, as the handler would print them.
func newLogger(w io.Writer, level slog.Level, r redactor) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{
		Level: level,
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			key, keyChanged := r.redact(a.Key)
			switch a.Value.Kind() {
			case slog.KindString:
				if s, ok := r.redact(a.Value.String()); ok || keyChanged {
					return slog.String(key, s)
				}
			case slog.KindAny:
				if s, ok := r.redact(printed(a.Value.Any())); ok || keyChanged {
					return slog.String(key, s)
				}
			}
			if keyChanged {
				return slog.Attr{Key: key, Value: a.Value}
			}
			return a
		},
	}))
}

// printed is v as slog's text handler prints it.
func printed(v any) string {
	if tm, ok := v.(encoding.TextMarshaler); ok {
		b, err := tm.MarshalText()
		if err != nil {
			return fmt.Sprintf("!ERROR:%v", err)
		}
		return string(b)
	}
	if b, ok := v.([]byte); ok {
		return string(b)
	}
	return fmt.Sprintf("%+v", v)
}

// redactor knows what must never reach a log: the tokens, and Slack's response
// URLs. A response URL lets anyone who reads it post as the app for 30 minutes
// (https://api.slack.com/interactivity/handling#message_responses), and
// slack-go's errors quote it in full: a timed-out reply logs
// `Post "https://hooks.slack.com/commands/T…/…/…": context deadline exceeded`.
type redactor struct {
	// tokens are replaced wherever they appear.
	tokens []string
	// apiHost and apiPath are SLACK_API_URL's. When it is set, any URL on its
	// host outside its path is treated as a response URL: that is how a proxy,
	// or the simulated Slack of bot try and the tests, hands them out.
	apiHost, apiPath string
}

// newRedactor makes the redactor for cfg's tokens and SLACK_API_URL.
func newRedactor(cfg config) redactor {
	r := redactor{tokens: []string{cfg.AppToken, cfg.BotToken}}
	// A PostgreSQL LADDER_DB may carry a password.
	if u, err := url.Parse(cfg.DB); err == nil && u.User != nil {
		if pw, ok := u.User.Password(); ok && pw != "" {
			r.tokens = append(r.tokens, pw)
		}
	}
	if u, err := url.Parse(cfg.APIURL); err == nil && u.Host != "" {
		r.apiHost, r.apiPath = strings.ToLower(u.Host), u.Path
	}
	return r
}

// hookHosts are the hosts of Slack's response URLs and incoming webhooks, in
// the commercial and the GovSlack clouds. Every path on them holds a secret.
var hookHosts = []string{"hooks.slack.com", "hooks.slack-gov.com"}

// urlPattern finds URLs in text. It stops at the quote or backslash that ends
// a URL quoted by %q, once or more.
var urlPattern = regexp.MustCompile(`(?i)\b(?:https?|wss?)://[^\s"'<>\\` + "`" + `]+`)

// redact returns s with the secrets replaced, and whether there were any.
func (r redactor) redact(s string) (string, bool) {
	changed := false
	for _, t := range r.tokens {
		if t != "" && strings.Contains(s, t) {
			s = strings.ReplaceAll(s, t, "[redacted]")
			changed = true
		}
	}
	if !strings.Contains(s, "://") {
		return s, changed
	}
	s = urlPattern.ReplaceAllStringFunc(s, func(raw string) string {
		if red, ok := r.responseURL(raw); ok {
			changed = true
			return red
		}
		return raw
	})
	return s, changed
}

// responseURL returns raw with everything after its first path segment
// replaced, when raw is a response URL: `https://hooks.slack.com/commands/[redacted]`.
func (r redactor) responseURL(raw string) (string, bool) {
	scheme, rest, _ := strings.Cut(raw, "://")
	host, path, _ := strings.Cut(rest, "/")
	if i := strings.IndexAny(host, "?#"); i >= 0 {
		host, path = host[:i], host[i:]
	}
	lower := strings.ToLower(host)
	if at := strings.LastIndex(lower, "@"); at >= 0 {
		lower = lower[at+1:]
	}
	switch {
	case isHookHost(lower):
	case r.apiHost != "" && lower == r.apiHost && !strings.HasPrefix("/"+path, r.apiPath):
	default:
		return raw, false
	}
	first, _, _ := strings.Cut(path, "/")
	if i := strings.IndexAny(first, "?#"); i >= 0 || first == "" {
		first = ""
	}
	red := scheme + "://" + host + "/"
	if first != "" {
		red += first + "/"
	}
	return red + "[redacted]", true
}

// isHookHost reports whether host, without its port, is one of hookHosts.
func isHookHost(host string) bool {
	if h, _, ok := strings.Cut(host, ":"); ok {
		host = h
	}
	for _, h := range hookHosts {
		if host == h {
			return true
		}
	}
	return false
}
