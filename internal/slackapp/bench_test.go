package slackapp_test

// The benchmarks in this file measure SPEC's performance targets over the real
// socket: the fake Slack writes envelopes, slack-go reads them, the app acks
// and answers. They run only under -bench, for example
//
//	go test -run='^$' -bench=. -benchtime=10x ./internal/slackapp/
//
// and -cpu=1,2,4 repeats them with GOMAXPROCS set to each value. The database
// holds 10,000 members with 50 weeks of evidence each (500,000 rows) plus one
// member with five years of weekly evidence; it is built once, cached in the
// system's temporary directory, and copied for each benchmark.
//
// BenchmarkIngestPostgres runs on PostgreSQL: set LADDER_TEST_POSTGRES (see
// package pgtest) to a database the benchmark may create a schema in.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/ladderapp/ladder/internal/fakeslack"
	"github.com/ladderapp/ladder/internal/ladder"
	"github.com/ladderapp/ladder/internal/pgtest"
	"github.com/ladderapp/ladder/internal/prompts"
	"github.com/ladderapp/ladder/internal/schedule"
	"github.com/ladderapp/ladder/internal/slackapp"
	"github.com/ladderapp/ladder/internal/store"
	"github.com/ladderapp/ladder/internal/store/storetest"
)

// benchNow is the benchmarks' clock at the start; the seeded evidence ends an
// hour before it.
var benchNow = monday

// The seeded workspace: 10,000 members with 50 weekly answers each, and one
// heavy member with five years of them.
var (
	benchSpec = storetest.SeedSpec{Prefix: "U", Members: 10_000, Weeks: 50}
	heavySpec = storetest.SeedSpec{Prefix: "UHEAVY", Members: 1, Weeks: 5 * 52}
)

// seedSpecs returns the seeded workspace as of now: every member's weekly
// question is one of a senior EM's, and everyone's slot is Monday 09:30.
func seedSpecs(tb testing.TB, now time.Time) []storetest.SeedSpec {
	tb.Helper()
	l, err := prompts.Default()
	if err != nil {
		tb.Fatal(err)
	}
	var target []ladder.Prompt
	for _, p := range l.Prompts {
		if p.Level == ladder.SeniorEM {
			target = append(target, p)
		}
	}
	slot, _ := ladder.ParseSlot("mon 09:30")
	specs := []storetest.SeedSpec{benchSpec, heavySpec}
	for i := range specs {
		specs[i].Now, specs[i].Prompts, specs[i].Slot = now, target, slot
	}
	return specs
}

// seededDB returns a fresh copy, in tb's temporary directory, of the seeded
// database as of now, which storetest.SeedFile builds once and caches.
func seededDB(tb testing.TB, now time.Time) string {
	tb.Helper()
	start := time.Now()
	cached, err := storetest.SeedFile(context.Background(), os.TempDir(), seedSpecs(tb, now)...)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Logf("seeded database %s ready in %v", cached, time.Since(start).Round(time.Millisecond))
	dst := filepath.Join(tb.TempDir(), "ladder.db")
	copyFile(tb, cached, dst)
	return dst
}

// seededPostgres returns the URL of a new PostgreSQL schema (see pgtest)
// seeded as seededDB's file is. Nothing caches it: each benchmark seeds its
// own, which takes about as long as building the SQLite file once. It skips
// tb when LADDER_TEST_POSTGRES is not set.
func seededPostgres(tb testing.TB, now time.Time) string {
	tb.Helper()
	dsn := pgtest.DSN(tb)
	start := time.Now()
	for _, spec := range seedSpecs(tb, now) {
		if err := storetest.Seed(context.Background(), dsn, spec); err != nil {
			tb.Fatal(err)
		}
	}
	tb.Logf("seeded PostgreSQL schema in %v", time.Since(start).Round(time.Millisecond))
	return dsn
}

func copyFile(tb testing.TB, src, dst string) {
	tb.Helper()
	in, err := os.Open(src)
	if err != nil {
		tb.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		tb.Fatal(err)
	}
	if err := out.Close(); err != nil {
		tb.Fatal(err)
	}
}

// benchApp is the real app on a seeded database, connected to the fake Slack,
// with a clock that starts at benchNow and runs at the real pace.
type benchApp struct {
	fake *fakeslack.Server
	db   *store.DB
	app  *slackapp.App
	ctx  context.Context
	logs *syncBuffer

	mu    sync.Mutex
	seen  []seenMessage // responses and threaded posts, as they arrive
	wake  chan struct{}
	start time.Time
}

// seenMessage is a message the fake recorded, with the time it did.
type seenMessage struct {
	fakeslack.Message
	at time.Time
}

// newBenchApp starts the app with workers workers (0 for the default), each
// with a queue long enough for a whole burst.
func newBenchApp(b *testing.B, dsn string, workers int) *benchApp {
	b.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	fake := fakeslack.New(fakeslack.WithPingInterval(5 * time.Second))
	db, err := store.Open(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	l, err := prompts.Default()
	if err != nil {
		b.Fatal(err)
	}
	ba := &benchApp{fake: fake, db: db, ctx: ctx, logs: &syncBuffer{}, wake: make(chan struct{}, 1), start: time.Now()}
	fake.OnMessage(func(m fakeslack.Message) {
		if !isReply(m) && m.ThreadTS == "" {
			return
		}
		ba.mu.Lock()
		ba.seen = append(ba.seen, seenMessage{m, time.Now()})
		ba.mu.Unlock()
		select {
		case ba.wake <- struct{}{}:
		default:
		}
	})
	log := slog.New(slog.NewTextHandler(ba.logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	api := slack.New(fake.BotToken, slack.OptionAPIURL(fake.APIURL()), slack.OptionAppLevelToken(fake.AppToken))
	slot, _ := ladder.ParseSlot("mon 09:30")
	clock := func() time.Time { return benchNow.Add(time.Since(ba.start)) }
	ba.app = slackapp.New(log, api, db, l, clock, slackapp.Config{
		DefaultSlot: slot, ReminderAfter: 48 * time.Hour, Workers: workers, QueueLen: 2 * burstSize,
	})
	done := make(chan error, 1)
	go func() { done <- ba.app.Run(ctx) }()
	b.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			b.Errorf("Run: %v", err)
		}
		db.Close()
		fake.Close()
		if b.Failed() {
			b.Logf("logs:\n%s", ba.logs)
		}
	})
	wctx, wcancel := context.WithTimeout(ctx, 10*time.Second)
	defer wcancel()
	if err := fake.WaitConnected(wctx); err != nil {
		b.Fatalf("never connected: %v\n%s", err, ba.logs)
	}
	return ba
}

// startSends starts the send queue, which posts the DMs the app queues
// (confirmations among them), with cfg and SendOnly, on the app's clock. It
// stops when b ends, before the app does.
func (ba *benchApp) startSends(b *testing.B, cfg schedule.Config) *schedule.Scheduler {
	b.Helper()
	log := slog.New(slog.NewTextHandler(ba.logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	cfg.SendOnly = true
	sched, err := schedule.New(log, ba.db, ba.app, func() time.Time { return benchNow.Add(time.Since(ba.start)) }, cfg)
	if err != nil {
		b.Fatal(err)
	}
	ba.app.WakeSendsWith(sched.Wake)
	if err := sched.Start(ba.ctx); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = sched.Stop(context.Background()) })
	return sched
}

// seenSince returns the messages seen from index i on.
func (ba *benchApp) seenSince(i int) []seenMessage {
	ba.mu.Lock()
	defer ba.mu.Unlock()
	return slices.Clone(ba.seen[i:])
}

func (ba *benchApp) seenCount() int {
	ba.mu.Lock()
	defer ba.mu.Unlock()
	return len(ba.seen)
}

// waitSeen waits until at least n messages have been seen in all.
func (ba *benchApp) waitSeen(b *testing.B, n int) {
	b.Helper()
	deadline := time.NewTimer(30 * time.Second)
	defer deadline.Stop()
	for ba.seenCount() < n {
		select {
		case <-ba.wake:
		case <-deadline.C:
			b.Fatalf("saw %d messages after 30s, want %d\nlogs:\n%s", ba.seenCount(), n, ba.logs)
		}
	}
}

// waitAcks waits until the fake holds n acks in all and returns them.
func waitAcks(b *testing.B, fake *fakeslack.Server, n int) []fakeslack.Ack {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var acks []fakeslack.Ack
	err := fake.WaitFor(ctx, func(s *fakeslack.Snapshot) bool {
		acks = s.Acks
		return len(s.Acks) >= n
	})
	if err != nil {
		b.Fatalf("%d acks of %d: %v", len(acks), n, err)
	}
	return acks
}

// latencies collects durations across a benchmark's iterations and reports
// their percentiles.
type latencies []time.Duration

func (l latencies) pct(p float64) time.Duration {
	s := slices.Clone(l)
	slices.Sort(s)
	i := int(float64(len(s))*p+0.999999) - 1
	return s[max(0, min(i, len(s)-1))]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// report reports p50, p99 and the maximum in milliseconds, named with prefix.
func (l latencies) report(b *testing.B, prefix string) {
	if len(l) == 0 {
		return
	}
	b.ReportMetric(ms(l.pct(0.50)), prefix+"p50-ms")
	b.ReportMetric(ms(l.pct(0.99)), prefix+"p99-ms")
	b.ReportMetric(ms(l.pct(1)), prefix+"max-ms")
}

// burstSize is SPEC's burst: 300 slash commands.
const burstSize = 300

// burstUsers are the seeded members who send the burst, ten commands each.
func burstUsers() []string {
	var us []string
	for i := range 30 {
		us = append(us, benchSpec.UserID(i))
	}
	return us
}

// burstResult is one burst's ack latencies, by position in the burst.
type burstResult struct {
	envs  []string
	lat   []time.Duration // by envelope, in the order sent
	write time.Duration   // how long the fake took to write the whole burst
	acks  map[string]fakeslack.Ack
}

// runBurst sends n envelopes with send, as fast as the fake writes them, then
// waits for their acks.
func runBurst(b *testing.B, fake *fakeslack.Server, n int, send func(i int) (string, error)) burstResult {
	b.Helper()
	base := len(fake.Acks())
	envs := make([]string, n)
	start := time.Now()
	for i := range n {
		env, err := send(i)
		if err != nil {
			b.Fatal(err)
		}
		envs[i] = env
	}
	res := burstResult{envs: envs, write: time.Since(start), lat: make([]time.Duration, n), acks: map[string]fakeslack.Ack{}}
	for _, a := range waitAcks(b, fake, base+n)[base:] {
		res.acks[a.EnvelopeID] = a
	}
	for i, env := range envs {
		a, ok := res.acks[env]
		if !ok {
			b.Fatalf("envelope %d (%s) not acked", i, env)
		}
		res.lat[i] = a.Latency
	}
	return res
}

// burstStats gathers bursts: every ack's latency, and the latency of each
// burst's first and last envelope.
type burstStats struct {
	all, first, last, write latencies
}

func (s *burstStats) add(r burstResult) {
	s.all = append(s.all, r.lat...)
	s.first = append(s.first, r.lat[0])
	s.last = append(s.last, r.lat[len(r.lat)-1])
	s.write = append(s.write, r.write)
}

func (s *burstStats) report(b *testing.B) {
	s.all.report(b, "ack-")
	b.ReportMetric(ms(s.first.pct(0.5)), "first-ack-ms")
	b.ReportMetric(ms(s.last.pct(0.5)), "last-ack-ms")
	b.ReportMetric(ms(s.write.pct(0.5)), "write-burst-ms")
	b.ReportMetric(0, "ns/op")
}

// stamps records, by envelope, when a client had an envelope in hand and when
// it was about to write (raw) or queue (slack-go) the ack, to split the fake's
// measured latency into delivery (fake writes → client has it, decoded), the
// client's own time, and the return (client acks → fake has read the ack).
type stamps struct {
	mu      sync.Mutex
	got, ok map[string]time.Time
	deliver latencies
	client  latencies
	ret     latencies
}

func newStamps() *stamps {
	return &stamps{got: map[string]time.Time{}, ok: map[string]time.Time{}}
}

func (s *stamps) mark(env string, got, acked time.Time) {
	s.mu.Lock()
	s.got[env], s.ok[env] = got, acked
	s.mu.Unlock()
}

// add splits one burst's latencies. The fake wrote each envelope at its ack's
// At less its Latency.
func (s *stamps) add(r burstResult) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, env := range r.envs {
		a := r.acks[env]
		written := a.At.Add(-a.Latency)
		s.deliver = append(s.deliver, s.got[env].Sub(written))
		s.client = append(s.client, s.ok[env].Sub(s.got[env]))
		s.ret = append(s.ret, a.At.Sub(s.ok[env]))
	}
}

func (s *stamps) report(b *testing.B) {
	s.deliver.report(b, "deliver-")
	s.client.report(b, "client-")
	s.ret.report(b, "return-")
}

// reportAppAck reports the app's own ack latency, from its metrics: the mean,
// and the bound of the histogram bucket that holds the 99th percentile.
func reportAppAck(b *testing.B, app *slackapp.App) {
	rec := httptest.NewRecorder()
	app.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	var (
		bounds []float64
		cums   []float64
		sum    float64
		count  float64
	)
	for _, line := range strings.Split(rec.Body.String(), "\n") {
		var le string
		var v float64
		switch {
		case strings.HasPrefix(line, "ladder_ack_latency_seconds_bucket"):
			if _, err := fmt.Sscanf(line, "ladder_ack_latency_seconds_bucket{le=%q} %g", &le, &v); err != nil || le == "+Inf" {
				continue
			}
			var bound float64
			fmt.Sscan(le, &bound)
			bounds, cums = append(bounds, bound), append(cums, v)
		case strings.HasPrefix(line, "ladder_ack_latency_seconds_sum "):
			fmt.Sscan(strings.TrimPrefix(line, "ladder_ack_latency_seconds_sum "), &sum)
		case strings.HasPrefix(line, "ladder_ack_latency_seconds_count "):
			fmt.Sscan(strings.TrimPrefix(line, "ladder_ack_latency_seconds_count "), &count)
		}
	}
	if count == 0 {
		return
	}
	b.ReportMetric(sum/count*1e6, "app-ack-mean-us")
	for i, c := range cums {
		if c >= 0.99*count {
			b.ReportMetric(bounds[i]*1e3, "app-ack-p99-under-ms")
			return
		}
	}
}

// gaps runs /ladder gaps as user and returns, from the moment the fake wrote
// the envelope, how long the reply and the ack took, and the reply's Kind
// ("ack" when it rode in the ack).
func (ba *benchApp) gaps(b *testing.B, user string) (reply, ack time.Duration, kind string) {
	b.Helper()
	base := ba.seenCount()
	env, err := ba.fake.SendSlash(fakeslack.SlashCommand{UserID: user, Text: "gaps"})
	if err != nil {
		b.Fatal(err)
	}
	ba.waitSeen(b, base+1)
	m := ba.seenSince(base)[0]
	if !strings.Contains(m.Text, "Readiness for") {
		b.Fatalf("reply: %.200q", m.Text)
	}
	a, err := ba.fake.WaitAck(ba.ctx, env)
	if err != nil {
		b.Fatal(err)
	}
	return m.at.Sub(a.At.Add(-a.Latency)), a.Latency, m.Kind
}

// BenchmarkGapsReply measures SPEC's "gaps reply p99, end to end over the
// socket": from the fake Slack sending /ladder gaps to its recording the
// reply, for a member with five years of weekly evidence in a database of
// 10,000 members. Commands go one at a time. The reply rides in the ack, so
// the benchmark also reports the ack's latency over the same commands, both
// from the moment the fake wrote the envelope, and reply-vs-ack-p99, the
// ratio of their 99th percentiles (issue 11: within 1.2).
func BenchmarkGapsReply(b *testing.B) {
	b.ReportAllocs()
	ba := newBenchApp(b, seededDB(b, benchNow), 0)
	user := heavySpec.UserID(0)
	var reply, ack latencies
	inAck := 0
	for b.Loop() {
		r, a, kind := ba.gaps(b, user)
		reply, ack = append(reply, r), append(ack, a)
		if kind == "ack" {
			inAck++
		}
	}
	reply.report(b, "reply-")
	ack.report(b, "ack-")
	b.ReportMetric(float64(reply.pct(0.99))/float64(ack.pct(0.99)), "reply-vs-ack-p99")
	b.ReportMetric(float64(inAck)/float64(len(reply)), "in-ack-fraction")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkIngest measures durable answers per second: each iteration sends
// a batch of 500 DM answers, from 500 different members, at once, and ends
// when every answer is committed and confirmed in its thread. Each member
// answers this week's seeded question, so every confirmation says "Saved
// to …". After the run, the evidence table must hold exactly one new row per
// answer.
//
// Confirmations go through the send queue, as every DM does. Its pace for
// chat.postMessage is set far above the batch, so that the figure is the
// app's and the database's: in production the queue starts at 5 posts a
// second and finds Slack's cap, at most LADDER_POST_RATE (100 a second by
// default), which a batch of 500 would wait for on any database. The
// benchmark also reports the part before the queue: stored/s, answers
// stored (with their confirmations queued) per second of the batches, and
// store-*, from an answer's sending to its storing.
func BenchmarkIngest(b *testing.B) {
	benchIngest(b, seededDB(b, benchNow))
}

// BenchmarkIngestPostgres is BenchmarkIngest on PostgreSQL (issue 14): the
// same workspace, seeded into a schema of LADDER_TEST_POSTGRES, and one
// replica of the app. It is skipped when LADDER_TEST_POSTGRES is not set.
func BenchmarkIngestPostgres(b *testing.B) {
	benchIngest(b, seededPostgres(b, benchNow))
}

// benchIngest is BenchmarkIngest on the seeded database that dsn names.
func benchIngest(b *testing.B, dsn string) {
	b.ReportAllocs()
	const batch = 500
	ba := newBenchApp(b, dsn, 0)
	unpaced := schedule.Budget{PerSecond: 100 * batch, Burst: batch}
	ba.startSends(b, schedule.Config{PostRate: unpaced.PerSecond,
		Budgets: map[string]schedule.Budget{"chat.postMessage": unpaced}})
	before, err := ba.db.Stats(ba.ctx, benchNow)
	if err != nil {
		b.Fatal(err)
	}
	type answer struct {
		batch int
		at    time.Time
	}
	var (
		lat     latencies
		sent    int
		elapsed time.Duration
		starts  []time.Time             // each batch's
		answers = map[string][]answer{} // each member's, in the order sent
	)
	for b.Loop() {
		base := ba.seenCount()
		sentAt := map[string]time.Time{}
		start := time.Now()
		starts = append(starts, start)
		for i := range batch {
			u := benchSpec.UserID((sent + i) % benchSpec.Members)
			ts := ba.fake.NewTS()
			now := time.Now()
			sentAt[ts] = now
			answers[u] = append(answers[u], answer{len(starts) - 1, now})
			if _, err := ba.fake.SendEvent("", ba.fake.DMEvent(u, fmt.Sprintf("answer %d from %s", sent+i, u), ts), 0); err != nil {
				b.Fatal(err)
			}
		}
		ba.waitSeen(b, base+batch)
		elapsed += time.Since(start)
		sent += batch
		for _, m := range ba.seenSince(base) {
			t, ok := sentAt[m.ThreadTS]
			if !ok || !strings.HasPrefix(m.Text, "Saved to") {
				b.Fatalf("unexpected message in thread %s: %.200q", m.ThreadTS, m.Text)
			}
			delete(sentAt, m.ThreadTS)
			lat = append(lat, m.at.Sub(t))
		}
	}
	after, err := ba.db.Stats(ba.ctx, benchNow)
	if err != nil {
		b.Fatal(err)
	}
	if got := after.Evidence - before.Evidence; got != sent {
		b.Fatalf("evidence rows: %d new, want %d", got, sent)
	}
	// Each answer's confirmation was queued in the transaction that stored
	// it, and the queue's row says when, on the app's clock: the moment the
	// answer was stored, apart from the send queue's part. A member's answers
	// are stored in the order they came.
	dms, err := ba.db.Outbox(ba.ctx, store.OutboxDM)
	if err != nil {
		b.Fatal(err)
	}
	var stored latencies
	storedBy := make([]time.Duration, len(starts)) // each batch's last, from its start
	for _, it := range dms {
		if !strings.HasPrefix(it.Key, "confirm:") { // the app's key for a confirmation
			continue
		}
		as := answers[it.UserID]
		if len(as) == 0 {
			b.Fatalf("a confirmation queued for %s, who sent no answer left unconfirmed", it.UserID)
		}
		a := as[0]
		answers[it.UserID] = as[1:]
		at := ba.start.Add(it.Created.Sub(benchNow)) // back from the app's clock
		stored = append(stored, at.Sub(a.at))
		storedBy[a.batch] = max(storedBy[a.batch], at.Sub(starts[a.batch]))
	}
	if len(stored) != sent {
		b.Fatalf("confirmations queued: %d, want %d", len(stored), sent)
	}
	var storing time.Duration
	for _, d := range storedBy {
		storing += d
	}
	b.ReportMetric(float64(sent)/elapsed.Seconds(), "answers/s")
	lat.report(b, "confirm-")
	b.ReportMetric(float64(sent)/storing.Seconds(), "stored/s")
	stored.report(b, "store-")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkGapsReplyWhileSendsWait is issue 11's "gaps reply p99 while the
// workspace is rate limited and 600 welcome DMs are queued": the send queue
// runs at its production settings against a workspace that takes 5 posts a
// second, with 600 interactive DMs waiting, while /ladder gaps is asked one
// command at a time. Sending never runs on the workers that handle commands,
// so the reply does not wait for it (target: p99 under 50 ms).
func BenchmarkGapsReplyWhileSendsWait(b *testing.B) {
	ba := newBenchApp(b, seededDB(b, benchNow), 0)
	sched := ba.startSends(b, schedule.Config{})
	ba.fake.Limit("chat.postMessage", 5)
	payload, _ := json.Marshal(map[string]any{"text": "Welcome to Ladder."})
	items := make([]store.OutboxItem, 600)
	for i := range items {
		u := fmt.Sprintf("UWELCOME%03d", i)
		items[i] = store.OutboxItem{Key: "welcome:" + u, Kind: store.OutboxDM, Method: "chat.postMessage", UserID: u,
			Lane: store.LaneInteractive, Payload: payload, DueAt: benchNow, Created: benchNow}
	}
	if _, err := ba.db.Enqueue(ba.ctx, items...); err != nil {
		b.Fatal(err)
	}
	sched.Wake()

	user := heavySpec.UserID(0)
	var reply latencies
	for b.Loop() {
		r, _, _ := ba.gaps(b, user)
		reply = append(reply, r)
	}
	counts, _ := ba.db.OutboxCounts(ba.ctx)
	reply.report(b, "reply-")
	b.ReportMetric(float64(counts[store.OutboxPending]), "dms-still-queued")
	b.ReportMetric(float64(ba.fake.RateLimited429s("chat.postMessage")), "429s")
	b.ReportMetric(0, "ns/op")
}
