package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
)

func TestHealthcheck(t *testing.T) {
	tests := []struct {
		name     string
		status   int
		body     string
		wantCode int
		want     string // in stdout for 0, in stderr otherwise
	}{
		{"connected", http.StatusOK, "ok\n", 0, "healthy: "},
		{"not connected", http.StatusServiceUnavailable, "not connected to Slack\n", 1, "503 Service Unavailable: not connected to Slack"},
		{"not found", http.StatusNotFound, "404 page not found\n", 1, "404 Not Found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != "/healthz" || r.Method != http.MethodGet {
					http.NotFound(w, r)
					return
				}
				w.WriteHeader(tt.status)
				w.Write([]byte(tt.body))
			}))
			defer srv.Close()
			t.Setenv("LADDER_HTTP_ADDR", srv.Listener.Addr().String())
			var out, errOut bytes.Buffer
			code := exitCode(run(t.Context(), []string{"healthcheck"}, os.Getenv, startingAt(testDay), nil, &out, &errOut), &errOut)
			got := errOut.String()
			if tt.wantCode == 0 {
				got = out.String()
			}
			if code != tt.wantCode || !strings.Contains(got, tt.want) {
				t.Errorf("got exit %d, %q; want exit %d, %q", code, got, tt.wantCode, tt.want)
			}
			if lines := strings.Count(strings.TrimSpace(errOut.String()), "\n"); lines > 0 {
				t.Errorf("the reason is not one line: %q", errOut.String())
			}
		})
	}
}

func TestHealthcheckUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	addr := srv.Listener.Addr().String()
	srv.Close()
	t.Setenv("LADDER_HTTP_ADDR", addr)
	var out, errOut bytes.Buffer
	if code := exitCode(run(t.Context(), []string{"healthcheck"}, os.Getenv, startingAt(testDay), nil, &out, &errOut), &errOut); code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	if !strings.Contains(errOut.String(), "unhealthy: ") || !strings.Contains(errOut.String(), "refused") {
		t.Errorf("reason: %q", errOut.String())
	}

	t.Setenv("LADDER_HTTP_ADDR", "")
	errOut.Reset()
	if code := exitCode(run(t.Context(), []string{"healthcheck"}, os.Getenv, startingAt(testDay), nil, &out, &errOut), &errOut); code != 1 || !strings.Contains(errOut.String(), "LADDER_HTTP_ADDR is empty") {
		t.Errorf("empty LADDER_HTTP_ADDR: exit %d, %q", code, errOut.String())
	}
}

func TestHealthURL(t *testing.T) {
	tests := []struct{ addr, want string }{
		{"127.0.0.1:8080", "http://127.0.0.1:8080/healthz"},
		{"0.0.0.0:8080", "http://127.0.0.1:8080/healthz"},
		{":9090", "http://127.0.0.1:9090/healthz"},
		{"[::]:8080", "http://[::1]:8080/healthz"},
		{"localhost:8080", "http://localhost:8080/healthz"},
	}
	for _, tt := range tests {
		if got, err := healthURL(tt.addr); got != tt.want || err != nil {
			t.Errorf("healthURL(%q) = %q, %v; want %q", tt.addr, got, err, tt.want)
		}
	}
	if _, err := healthURL("8080"); err == nil {
		t.Errorf("healthURL(%q): no error", "8080")
	}
}
