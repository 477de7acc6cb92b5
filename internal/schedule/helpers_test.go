package schedule_test

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the zones the tests use, wherever they run

	"github.com/slack-go/slack"

	"github.com/ladderapp/ladder/internal/clocktest"
	"github.com/ladderapp/ladder/internal/fakeslack"
	"github.com/ladderapp/ladder/internal/ladder"
	"github.com/ladderapp/ladder/internal/prompts"
	"github.com/ladderapp/ladder/internal/schedule"
	"github.com/ladderapp/ladder/internal/slackapp"
	"github.com/ladderapp/ladder/internal/store"
)

// env is a scheduler wired to the real app, a real SQLite file and the fake
// Slack, all on one fake clock.
type env struct {
	t      testing.TB
	ctx    context.Context
	clock  *clocktest.Clock
	slack  *fakeslack.Server
	path   string
	db     *store.DB
	ladder *ladder.Ladder
	app    *slackapp.App
	sched  *schedule.Scheduler
	cfg    schedule.Config
	// wrap, when set, stands between the scheduler and the app.
	wrap func(schedule.Poster) schedule.Poster
}

// testLog logs warnings and errors to the test's log.
func testLog(t testing.TB) *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

type tWriter struct{ t testing.TB }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// newEnv makes an env whose clock stands at start until the test moves it.
func newEnv(t testing.TB, start time.Time, cfg schedule.Config, opts ...fakeslack.Option) *env {
	t.Helper()
	return makeEnv(t, clocktest.Frozen(start), cfg, opts...)
}

// newRunningEnv makes an env whose clock starts at start and runs on in real
// time.
func newRunningEnv(t testing.TB, start time.Time, cfg schedule.Config, opts ...fakeslack.Option) *env {
	t.Helper()
	return makeEnv(t, clocktest.Running(start), cfg, opts...)
}

func makeEnv(t testing.TB, c *clocktest.Clock, cfg schedule.Config, opts ...fakeslack.Option) *env {
	t.Helper()
	srv := fakeslack.New(append([]fakeslack.Option{fakeslack.WithClock(c.Now)}, opts...)...)
	// Cleanups run last first: this one runs after the app has stopped.
	t.Cleanup(func() {
		for _, r := range srv.Rejected() {
			t.Errorf("Slack would have refused this Block Kit: %s", r)
		}
	})
	t.Cleanup(srv.Close)
	l, err := prompts.Default()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Workers == 0 {
		cfg.Workers = 4
	}
	if cfg.Workers < 0 {
		cfg.Workers = 0 // the default
	}
	if _, ok := cfg.Budgets["chat.postMessage"]; !ok && !c.Running() {
		// A clock that stands still refills no bucket: the pace starts
		// with room for the sends a test makes at one instant.
		budgets := map[string]schedule.Budget{"chat.postMessage": {PerSecond: 50, Burst: 50}}
		for m, b := range cfg.Budgets {
			budgets[m] = b
		}
		cfg.Budgets = budgets
	}
	if _, ok := cfg.Budgets["users.info"]; !ok && !c.Running() {
		// Each weekly prompt and reminder reads a status first: no budget
		// here either, or a fan-out at one instant would wait for ever. The
		// fake Slack still holds users.info to its tier.
		budgets := map[string]schedule.Budget{"users.info": {}}
		for m, b := range cfg.Budgets {
			budgets[m] = b
		}
		cfg.Budgets = budgets
	}
	e := &env{t: t, ctx: t.Context(), clock: c, slack: srv, path: filepath.Join(t.TempDir(), "ladder.db"), ladder: l, cfg: cfg}
	e.open()
	return e
}

// open opens the database and makes a new app and scheduler, as a process
// starting would.
func (e *env) open() {
	e.t.Helper()
	db, err := store.Open(e.ctx, e.path)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { db.Close() })
	e.db = db
	api := slack.New(e.slack.BotToken, slack.OptionAPIURL(e.slack.APIURL()), slack.OptionAppLevelToken(e.slack.AppToken))
	log := testLog(e.t)
	e.app = slackapp.New(log, api, db, e.ladder, e.clock.Now, slackapp.Config{ReminderAfter: e.cfg.ReminderAfter})
	var sl schedule.Poster = e.app
	if e.wrap != nil {
		sl = e.wrap(sl)
	}
	e.sched, err = schedule.New(log, db, sl, e.clock.Now, e.cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	e.app.WakeSendsWith(e.sched.Wake)
	e.app.QueueDigestsWith(e.sched.QueueDigests)
}

// restart closes the database as a dying process leaves it, and opens it
// again with a new app and scheduler.
func (e *env) restart() {
	e.t.Helper()
	if err := e.db.Close(); err != nil {
		e.t.Fatal(err)
	}
	e.open()
}

// enroll stores a member enrolled long ago, and tells the fake Slack their
// zone.
func (e *env) enroll(id, tz string, s ladder.Slot, change ...func(*ladder.Member)) ladder.Member {
	e.t.Helper()
	m := ladder.Member{
		UserID: id, Name: id, TZ: tz, Level: ladder.EM, Target: ladder.SeniorEM, Track: "broad",
		Slot: s, Share: ladder.ShareSummary, EnrolledAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	for _, f := range change {
		f(&m)
	}
	m, _, err := e.db.Enroll(e.ctx, m)
	if err != nil {
		e.t.Fatal(err)
	}
	e.slack.AddUser(fakeslack.User{ID: id, Name: id, RealName: id, TZ: tz})
	return m
}

func (e *env) update(id string, f func(*ladder.Member)) {
	e.t.Helper()
	if _, err := e.db.UpdateMember(e.ctx, id, func(m *ladder.Member) error { f(m); return nil }); err != nil {
		e.t.Fatal(err)
	}
}

// tick runs one tick at t and sends what it queued.
func (e *env) tick(t time.Time) {
	e.t.Helper()
	e.clock.Set(t)
	if err := e.sched.Tick(e.ctx); err != nil {
		e.t.Fatalf("Tick at %s: %v", t, err)
	}
	e.sched.Flush(e.ctx)
}

// run ticks every step from from until before to, and calls each (if not
// nil) after each tick.
func (e *env) run(from, to time.Time, step time.Duration, each func(time.Time)) {
	e.t.Helper()
	for t := from; t.Before(to); t = t.Add(step) {
		e.tick(t)
		if each != nil {
			each(t)
		}
	}
}

// post is a message the bot posted, with the fake clock's time it went out.
type post struct {
	fakeslack.Message
	At time.Time
}

// posts returns the bot's posts to user whose text starts with prefix.
func (e *env) posts(user, prefix string) []post {
	var out []post
	for _, m := range e.slack.Messages() {
		if m.Kind == "post" && m.Channel == "D"+user && strings.HasPrefix(m.Text, prefix) {
			out = append(out, post{m, tsTime(m.TS)})
		}
	}
	return out
}

// The text each kind of post starts with.
const (
	weeklyText   = "Weekly reflection"
	reminderText = "A gentle reminder"
	ondemandText = "Reflection"
	digestText   = "*Monthly digest"
)

// tsTime reads a Slack timestamp, which the fake Slack takes from the fake clock.
func tsTime(ts string) time.Time {
	sec, frac, _ := strings.Cut(ts, ".")
	s, _ := strconv.ParseInt(sec, 10, 64)
	us, _ := strconv.ParseInt((frac + "000000")[:6], 10, 64)
	return time.Unix(s, us*1000)
}

// localTimes renders the posts' times in loc.
func localTimes(ps []post, loc *time.Location) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.At.In(loc).Format("Mon 2006-01-02 15:04 -0700"))
	}
	return out
}

func mustLoc(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func slotAt(day time.Weekday, hh, mm int) ladder.Slot {
	return ladder.Slot{Day: day, Minute: hh*60 + mm, On: true}
}

// onePerChannel checks that each of users got exactly one post with prefix.
func (e *env) onePerChannel(users []string, prefix string) {
	e.t.Helper()
	counts := map[string]int{}
	for _, m := range e.slack.Messages() {
		if m.Kind == "post" && strings.HasPrefix(m.Text, prefix) {
			counts[m.Channel]++
		}
	}
	bad := 0
	for _, u := range users {
		if n := counts["D"+u]; n != 1 && bad < 10 {
			bad++
			e.t.Errorf("%s got %d posts starting %q; want exactly 1", u, n, prefix)
		}
	}
}

// midweek is when the tests on a running clock start: a Wednesday at noon
// UTC, so that a slot at that minute stays in its ISO week, its day and its
// month for as long as any of them runs.
var midweek = time.Date(2026, 11, 18, 12, 0, 0, 0, time.UTC)

// dueAt returns a zone and a slot that fall at t's minute there.
func dueAt(t time.Time) (string, ladder.Slot) {
	t = t.UTC()
	return "UTC", slotAt(t.Weekday(), t.Hour(), t.Minute())
}
