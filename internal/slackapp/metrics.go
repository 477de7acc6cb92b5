package slackapp

import (
	"fmt"
	"io"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// metrics counts what the app does, for /metrics in Prometheus's text format.
// It is written by hand: a handful of counters and one histogram do not justify
// the Prometheus client and its dependencies.
type metrics struct {
	connected atomic.Bool

	mu        sync.Mutex
	envelopes map[string]int64 // by envelope type
	errors    map[string]int64 // by where
	sends     map[string]int64 // Web API calls by method and outcome ("chat.postMessage ok")

	ackBuckets [len(ackBounds) + 1]atomic.Int64
	ackSum     atomic.Int64 // nanoseconds
	ackCount   atomic.Int64
}

// ackBounds are the upper bounds, in seconds, of the ack latency histogram.
var ackBounds = [...]float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1}

func newMetrics() *metrics {
	return &metrics{envelopes: map[string]int64{}, errors: map[string]int64{}, sends: map[string]int64{}}
}

func (m *metrics) envelope(kind string) { m.inc(m.envelopes, kind) }
func (m *metrics) error(where string)   { m.inc(m.errors, where) }
func (m *metrics) send(method, outcome string) {
	m.inc(m.sends, method+"\x00"+outcome)
}

func (m *metrics) inc(c map[string]int64, key string) {
	m.mu.Lock()
	c[key]++
	m.mu.Unlock()
}

func (m *metrics) ack(d time.Duration) {
	s := d.Seconds()
	i := 0
	for i < len(ackBounds) && s > ackBounds[i] {
		i++
	}
	m.ackBuckets[i].Add(1)
	m.ackSum.Add(int64(d))
	m.ackCount.Add(1)
}

// write renders every metric. queueDepth is the work waiting in the pool.
func (m *metrics) write(w io.Writer, queueDepth int64) {
	up := 0
	if m.connected.Load() {
		up = 1
	}
	fmt.Fprintf(w, "# HELP ladder_connected Whether the Socket Mode connection is up.\n# TYPE ladder_connected gauge\nladder_connected %d\n", up)
	fmt.Fprintf(w, "# HELP ladder_queue_depth Work waiting for a worker.\n# TYPE ladder_queue_depth gauge\nladder_queue_depth %d\n", queueDepth)

	m.mu.Lock()
	writeCounter(w, "ladder_envelopes_total", "Socket Mode envelopes received, by type.", m.envelopes, func(k string) string {
		return fmt.Sprintf("type=%q", k)
	})
	writeCounter(w, "ladder_errors_total", "Errors, by where they happened.", m.errors, func(k string) string {
		return fmt.Sprintf("where=%q", k)
	})
	writeCounter(w, "ladder_slack_calls_total", "Slack Web API calls, by method and outcome.", m.sends, func(k string) string {
		method, outcome, _ := cut0(k)
		return fmt.Sprintf("method=%q,outcome=%q", method, outcome)
	})
	m.mu.Unlock()

	fmt.Fprintf(w, "# HELP ladder_ack_latency_seconds Time from reading an envelope to queueing its ack.\n# TYPE ladder_ack_latency_seconds histogram\n")
	var cum int64
	for i, b := range ackBounds {
		cum += m.ackBuckets[i].Load()
		fmt.Fprintf(w, "ladder_ack_latency_seconds_bucket{le=\"%g\"} %d\n", b, cum)
	}
	cum += m.ackBuckets[len(ackBounds)].Load()
	fmt.Fprintf(w, "ladder_ack_latency_seconds_bucket{le=\"+Inf\"} %d\n", cum)
	fmt.Fprintf(w, "ladder_ack_latency_seconds_sum %g\n", time.Duration(m.ackSum.Load()).Seconds())
	fmt.Fprintf(w, "ladder_ack_latency_seconds_count %d\n", m.ackCount.Load())
}

func writeCounter(w io.Writer, name, help string, c map[string]int64, labels func(string) string) {
	fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s counter\n", name, help, name)
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(w, "%s{%s} %d\n", name, labels(k), c[k])
	}
}

func cut0(s string) (string, string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

// Handler serves /healthz (200 while connected to Slack, 503 otherwise) and
// /metrics.
func (a *App) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		if !a.metrics.connected.Load() {
			http.Error(w, "not connected to Slack", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		a.metrics.write(w, a.pool.depth.Load())
		if n, err := a.db.InboxBacklog(r.Context()); err == nil {
			fmt.Fprintf(w, "# HELP ladder_inbox_backlog Events acked and stored but not yet handled.\n# TYPE ladder_inbox_backlog gauge\nladder_inbox_backlog %d\n", n)
		}
	})
	return mux
}
