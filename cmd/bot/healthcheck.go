package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

// healthcheckTimeout bounds the probe, well inside Docker's default 30s.
const healthcheckTimeout = 3 * time.Second

// healthcheck asks the running app's /healthz whether it is connected to Slack.
// The distroless image has no curl, so the Dockerfile's HEALTHCHECK runs this.
func healthcheck(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) > 0 {
		return &exitError{2, errors.New("bot healthcheck takes no arguments: it probes /healthz on LADDER_HTTP_ADDR")}
	}
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	url, err := healthURL(cfg.HTTPAddr)
	if err != nil {
		return &exitError{1, fmt.Errorf("unhealthy: %w", err)}
	}
	ctx, cancel := context.WithTimeout(ctx, healthcheckTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return &exitError{1, fmt.Errorf("unhealthy: %w", err)}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return &exitError{1, fmt.Errorf("unhealthy: %w", err)}
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
	reason := strings.Join(strings.Fields(string(body)), " ")
	if resp.StatusCode != http.StatusOK {
		return &exitError{1, fmt.Errorf("unhealthy: %s answered %s: %s", url, resp.Status, reason)}
	}
	fmt.Fprintf(stdout, "healthy: %s answered %s\n", url, reason)
	return nil
}

// healthURL is the /healthz URL of an app listening on addr. An app listening
// on every interface is probed on loopback.
func healthURL(addr string) (string, error) {
	if addr == "" {
		return "", errors.New("LADDER_HTTP_ADDR is empty, so /healthz is off")
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("LADDER_HTTP_ADDR %q: %w", addr, err)
	}
	switch host {
	case "", "0.0.0.0":
		host = "127.0.0.1"
	case "::":
		host = "::1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/healthz", nil
}
