package slackapp

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics counts what the app does, for /metrics. Each App has a registry of
// its own rather than Prometheus's global one, so that several apps in one
// process (tests, bot try) keep their counts apart.
type metrics struct {
	connected atomic.Bool

	reg       *prometheus.Registry
	envelopes *prometheus.CounterVec // by envelope type
	errors    *prometheus.CounterVec // by where they happened
	sends     *prometheus.CounterVec // Web API calls by method and outcome
	acks      prometheus.Histogram

	// watch registers the App's collector, once; see Handler.
	watch sync.Once
}

// ackBuckets are the upper bounds, in seconds, of the ack latency histogram:
// from 50µs, where an ack from the read loop lands, to Slack's 3 s limit and
// beyond.
var ackBuckets = []float64{
	50e-6, 100e-6, 250e-6, 500e-6,
	0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
	1, 2.5, 5,
}

// Series that exist from the start, at zero, so that a dashboard's rate()
// sees the first one happen rather than a series appearing.
var (
	envelopeKinds = []string{"events_api", "slash_commands", "interactive", "undecodable", "duplicate"}
	errorPlaces   = []string{"ack", "connection", "database", "inbox", "incoming", "queue_full"}
)

func newMetrics() *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		envelopes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ladder_envelopes_total", Help: "Socket Mode envelopes received, by type.",
		}, []string{"type"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ladder_errors_total", Help: "Errors, by where they happened.",
		}, []string{"where"}),
		sends: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ladder_slack_calls_total", Help: "Slack Web API calls, by method and outcome.",
		}, []string{"method", "outcome"}),
		acks: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "ladder_ack_latency_seconds", Help: "Time from reading an envelope to queueing its ack.",
			Buckets: ackBuckets,
		}),
	}
	for _, k := range envelopeKinds {
		m.envelopes.WithLabelValues(k)
	}
	for _, w := range errorPlaces {
		m.errors.WithLabelValues(w)
	}
	m.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		buildInfo(),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "ladder_connected", Help: "Whether the Socket Mode connection is up.",
		}, func() float64 {
			if m.connected.Load() {
				return 1
			}
			return 0
		}),
		m.envelopes, m.errors, m.sends, m.acks,
	)
	return m
}

func (m *metrics) envelope(kind string)        { m.envelopes.WithLabelValues(kind).Inc() }
func (m *metrics) error(where string)          { m.errors.WithLabelValues(where).Inc() }
func (m *metrics) send(method, outcome string) { m.sends.WithLabelValues(method, outcome).Inc() }
func (m *metrics) ack(d time.Duration)         { m.acks.Observe(d.Seconds()) }

// buildInfo is ladder_build_info: always 1, with the binary's version, VCS
// revision and Go version as labels, read from what the Go toolchain stamped
// into the binary.
func buildInfo() prometheus.Collector {
	version, revision, goversion := "unknown", "unknown", runtime.Version()
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" {
			version = bi.Main.Version
		}
		if bi.GoVersion != "" {
			goversion = bi.GoVersion
		}
		dirty := false
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				revision = s.Value
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
		if dirty && revision != "unknown" {
			revision += "-dirty"
		}
	}
	g := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "ladder_build_info", Help: "Always 1; the labels say which build of Ladder is running.",
		ConstLabels: prometheus.Labels{"version": version, "revision": revision, "goversion": goversion},
	})
	g.Set(1)
	return g
}

// failedWindow is how far back ladder_send_queue_failed_24h looks.
const failedWindow = 24 * time.Hour

// scrapeTimeout bounds the database reads of one scrape.
const scrapeTimeout = 2 * time.Second

var (
	queueDepthDesc = prometheus.NewDesc("ladder_queue_depth",
		"Work waiting for a worker.", nil, nil)
	inboxBacklogDesc = prometheus.NewDesc("ladder_inbox_backlog",
		"Events acked and stored but not yet handled.", nil, nil)
	sendPendingDesc = prometheus.NewDesc("ladder_send_queue_pending",
		"Messages queued to send and not sent yet: waiting for their time, or being sent.", nil, nil)
	sendFailedDesc = prometheus.NewDesc("ladder_send_queue_failed_24h",
		"Messages that failed for good in the last 24 hours: Slack refused them, or their attempts ran out.", nil, nil)
	sendOldestDesc = prometheus.NewDesc("ladder_send_queue_oldest_age_seconds",
		"How long ago the oldest message not sent yet was queued; 0 when none is waiting.", nil, nil)
)

// appCollector reads, at each scrape, what the App keeps elsewhere: the work
// waiting for a worker, and the inbox and the send queue in the database.
// Only counts and ages leave it, never a user, a token or a text.
type appCollector struct{ a *App }

func (c appCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{queueDepthDesc, inboxBacklogDesc, sendPendingDesc, sendFailedDesc, sendOldestDesc} {
		ch <- d
	}
}

// Collect reports a figure it cannot read as an error of the scrape, which
// the handler logs while serving every other metric (ContinueOnError).
func (c appCollector) Collect(ch chan<- prometheus.Metric) {
	gauge := func(d *prometheus.Desc, v float64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v)
	}
	gauge(queueDepthDesc, float64(c.a.pool.depth.Load()))

	ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
	defer cancel()
	if n, err := c.a.db.InboxBacklog(ctx); err != nil {
		ch <- prometheus.NewInvalidMetric(inboxBacklogDesc, err)
	} else {
		gauge(inboxBacklogDesc, float64(n))
	}
	now := c.a.now()
	st, err := c.a.db.OutboxStats(ctx, now.Add(-failedWindow))
	if err != nil {
		for _, d := range []*prometheus.Desc{sendPendingDesc, sendFailedDesc, sendOldestDesc} {
			ch <- prometheus.NewInvalidMetric(d, err)
		}
		return
	}
	gauge(sendPendingDesc, float64(st.Pending))
	gauge(sendFailedDesc, float64(st.Failed))
	age := 0.0
	if !st.Oldest.IsZero() && now.After(st.Oldest) {
		age = now.Sub(st.Oldest).Seconds()
	}
	gauge(sendOldestDesc, age)
}

// promLog hands the metrics handler's errors to slog.
type promLog struct{ log *slog.Logger }

func (l promLog) Println(v ...any) { l.log.Warn("metrics scrape", "err", fmt.Sprint(v...)) }

// Handler serves /healthz (200 while connected to Slack, 503 otherwise, with
// the reason: not connected, or uninstalled) and
// /metrics, in the Prometheus exposition format.
func (a *App) Handler() http.Handler {
	// The App's collector is registered here rather than in newMetrics,
	// which runs before the App it reads exists.
	a.metrics.watch.Do(func() { a.metrics.reg.MustRegister(appCollector{a}) })
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		// Uninstalled, the app serves no one, and a restart would not
		// change it: it says why, and stays up to erase the data in time.
		if msg, ok := a.healthUninstalled(); ok {
			http.Error(w, msg, http.StatusServiceUnavailable)
			return
		}
		if !a.metrics.connected.Load() {
			http.Error(w, "not connected to Slack", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(a.metrics.reg, promhttp.HandlerOpts{
		ErrorLog:      promLog{a.log.With("component", "metrics")},
		ErrorHandling: promhttp.ContinueOnError,
		Registry:      a.metrics.reg, // counts failed scrapes in promhttp_metric_handler_errors_total
	}))
	return mux
}
