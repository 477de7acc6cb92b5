package slackapp_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/slack-go/slack"

	"github.com/ladderapp/ladder/internal/prompts"
	"github.com/ladderapp/ladder/internal/slackapp"
	"github.com/ladderapp/ladder/internal/store"
)

// scrape GETs /metrics from h as Prometheus would, and returns the body and
// its metric families, parsed by Prometheus's own parser.
func scrape(t *testing.T, h http.Handler) (string, map[string]*dto.MetricFamily) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("/metrics: status %d: %s", rec.Code, rec.Body)
	}
	body := rec.Body.String()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(strings.NewReader(body))
	if err != nil {
		t.Fatalf("/metrics is not the Prometheus text format: %v\n%s", err, body)
	}
	return body, fams
}

// gaugeValue returns the value of the one series of gauge name.
func gaugeValue(t *testing.T, fams map[string]*dto.MetricFamily, name string) float64 {
	t.Helper()
	f, ok := fams[name]
	if !ok {
		t.Errorf("/metrics has no %s", name)
		return -1
	}
	if f.GetType() != dto.MetricType_GAUGE || len(f.GetMetric()) != 1 {
		t.Errorf("%s: %s with %d series; want one gauge", name, f.GetType(), len(f.GetMetric()))
		return -1
	}
	return f.GetMetric()[0].GetGauge().GetValue()
}

// bareApp is an App that is never run, on a database of its own and a clock
// that stands still, so that every figure it reports is known.
func bareApp(t *testing.T, now time.Time) (*slackapp.App, *store.DB, *strings.Builder) {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "ladder.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	l, err := prompts.Default()
	if err != nil {
		t.Fatal(err)
	}
	logs := &strings.Builder{}
	log := slog.New(slog.NewTextHandler(logs, nil))
	app := slackapp.New(log, slack.New("xoxb-never-used"), db, l, func() time.Time { return now }, slackapp.Config{})
	return app, db, logs
}

// digestRow is a send queue row that needs no member: a manager's digest.
func digestRow(manager, method string, due, created time.Time) store.OutboxItem {
	return store.OutboxItem{
		Key: "digest:" + manager + ":2026-11", Kind: store.OutboxDigest, Method: method,
		UserID: manager, Period: "2026-11", TZ: "UTC", DueAt: due, Created: created,
	}
}

// TestMetricsFamilies scrapes /metrics through the app's handler and checks
// what a dashboard relies on: the Go runtime's and the process's metrics, the
// build, the send queue read from the database, and the ack latency histogram
// with buckets fine enough for acks that take microseconds.
func TestMetricsFamilies(t *testing.T) {
	ctx := context.Background()
	now := monday
	app, db, _ := bareApp(t, now)

	// The send queue: one row waiting since three hours ago, one being sent,
	// one that failed two hours ago, and one that failed before the last day.
	const method = "test.method" // a method no sender claims rows for
	enqueue := func(it store.OutboxItem) {
		t.Helper()
		if n, err := db.Enqueue(ctx, it); err != nil || n != 1 {
			t.Fatalf("Enqueue %s = %d, %v", it.Key, n, err)
		}
	}
	claim := func() store.OutboxItem {
		t.Helper()
		it, ok, err := db.ClaimOutbox(ctx, store.Claim{Method: method, Now: now, Lease: time.Hour, Token: "t" + now.String()})
		if err != nil || !ok {
			t.Fatalf("ClaimOutbox = %v, %v", ok, err)
		}
		return it
	}
	enqueue(digestRow("MWAITING", "chat.postMessage", now.Add(30*24*time.Hour), now.Add(-3*time.Hour)))
	enqueue(digestRow("MOLDFAIL", method, now.Add(-40*time.Hour), now.Add(-40*time.Hour)))
	if err := db.FinishOutbox(ctx, claim(), store.OutboxFailed, "user_not_found", now.Add(-30*time.Hour)); err != nil {
		t.Fatal(err)
	}
	enqueue(digestRow("MFAILED", method, now.Add(-3*time.Hour), now.Add(-3*time.Hour)))
	if err := db.FinishOutbox(ctx, claim(), store.OutboxFailed, "user_not_found", now.Add(-2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	enqueue(digestRow("MSENDING", method, now.Add(-time.Minute), now.Add(-time.Minute)))
	claim()

	_, fams := scrape(t, app.Handler())

	for _, name := range []string{"go_goroutines", "go_memstats_heap_alloc_bytes", "process_start_time_seconds", "process_resident_memory_bytes"} {
		if gaugeValue(t, fams, name) <= 0 {
			t.Errorf("%s: want a positive value", name)
		}
	}
	if f := fams["process_cpu_seconds_total"]; f.GetType() != dto.MetricType_COUNTER {
		t.Errorf("process_cpu_seconds_total: got %v; want a counter", f)
	}

	if gaugeValue(t, fams, "ladder_build_info") != 1 {
		t.Error("ladder_build_info: want 1")
	}
	if f := fams["ladder_build_info"]; f != nil {
		labels := map[string]string{}
		for _, l := range f.GetMetric()[0].GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		if labels["goversion"] != runtime.Version() || labels["version"] == "" || labels["revision"] == "" {
			t.Errorf("ladder_build_info labels = %v; want goversion %s, and a version and a revision", labels, runtime.Version())
		}
	}

	for name, want := range map[string]float64{
		"ladder_connected":                     0, // never run
		"ladder_queue_depth":                   0,
		"ladder_inbox_backlog":                 0,
		"ladder_send_queue_pending":            2,
		"ladder_send_queue_failed_24h":         1,
		"ladder_send_queue_oldest_age_seconds": (3 * time.Hour).Seconds(),
	} {
		if got := gaugeValue(t, fams, name); got != want {
			t.Errorf("%s = %g; want %g", name, got, want)
		}
	}

	acks := fams["ladder_ack_latency_seconds"]
	if acks.GetType() != dto.MetricType_HISTOGRAM {
		t.Fatalf("ladder_ack_latency_seconds: got %v; want a histogram", acks)
	}
	buckets := acks.GetMetric()[0].GetHistogram().GetBucket()
	if first, last := buckets[0].GetUpperBound(), buckets[len(buckets)-1].GetUpperBound(); first != 50e-6 || last < 5 {
		t.Errorf("ack buckets run from %gs to %gs; want from 50µs to at least 5s", first, last)
	}

	// Known places and kinds are there at zero before anything happens.
	for name, label := range map[string]string{"ladder_errors_total": "database", "ladder_envelopes_total": "slash_commands"} {
		f := fams[name]
		if f.GetType() != dto.MetricType_COUNTER {
			t.Errorf("%s: got %v; want a counter", name, f)
			continue
		}
		found := false
		for _, m := range f.GetMetric() {
			found = found || m.GetLabel()[0].GetValue() == label && m.GetCounter().GetValue() == 0
		}
		if !found {
			t.Errorf("%s: no series %q at 0 in %v", name, label, f)
		}
	}
}

// TestMetricsWithoutTheDatabase checks that a scrape the database cannot
// answer still serves every other metric, and says what went wrong in the log
// and in promhttp_metric_handler_errors_total.
func TestMetricsWithoutTheDatabase(t *testing.T) {
	app, db, logs := bareApp(t, monday)
	db.Close()
	body, fams := scrape(t, app.Handler())
	if gaugeValue(t, fams, "go_goroutines") <= 0 || gaugeValue(t, fams, "ladder_queue_depth") != 0 {
		t.Errorf("the metrics that need no database are missing:\n%s", body)
	}
	for _, name := range []string{"ladder_inbox_backlog", "ladder_send_queue_pending"} {
		if _, ok := fams[name]; ok {
			t.Errorf("%s served from a closed database", name)
		}
	}
	contains(t, "log", logs.String(), "metrics scrape", "database is closed")
	// A scrape counts its own failure after it has gathered the count.
	body, _ = scrape(t, app.Handler())
	contains(t, "the next /metrics", body, `promhttp_metric_handler_errors_total{cause="gathering"} 1`)
}

// TestMetricsKeepSecrets scrapes a connected app after a member enrolled and
// saved evidence: no token, no evidence text and no user appears, and the
// slash command's ack is in the histogram.
func TestMetricsKeepSecrets(t *testing.T) {
	h := newHarness(t)
	h.slash(alice, "start")
	const answer = "Led the Falcon billing migration and wrote its rollback runbook with the on-call team"
	h.dm(alice, answer)
	if es := h.evidence(alice); len(es) != 1 || !strings.Contains(es[0].Text, "Falcon") {
		t.Fatalf("evidence = %+v; want the answer saved", es)
	}
	body, fams := scrape(t, h.app.Handler())
	lacks(t, "/metrics", body, h.fake.BotToken, h.fake.AppToken, "xoxb-", "xapp-", "Falcon", "runbook", alice)
	acks := fams["ladder_ack_latency_seconds"].GetMetric()[0].GetHistogram()
	if acks.GetSampleCount() < 1 {
		t.Errorf("ack histogram counted %d acks; want the slash command's", acks.GetSampleCount())
	}
}
