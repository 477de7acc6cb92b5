// Package schedule decides what is due when, and sends it: each member's
// weekly prompt at their slot in their own timezone, the one reminder for an
// unanswered prompt, and each manager's monthly digest. Schedules are data in
// the store, not cron entries: one cron job ticks every minute and reads them.
//
// Every scheduled send goes through the outbox, a durable queue in SQLite.
// A row is keyed by what it sends (a member's week, a prompt's reminder, a
// manager's month), so it is queued once however often the scheduler ticks;
// it is claimed before it is posted and marked after, so nothing is lost
// across a restart; and a row whose outcome was lost is looked for in Slack
// before it is posted again, so nothing is posted twice. Sending spends a
// budget per Web API method and pauses a method for as long as a 429 says.
//
// Every decision reads the injected clock, so tests jump it and call Tick
// and Flush without sleeping.
package schedule

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/ladderapp/ladder/internal/ladder"
	"github.com/ladderapp/ladder/internal/store"
)

// Poster is what the send queue and the scheduler need from the Slack app:
// render a row and post it, find a post, read a timezone or a status. slackapp.App
// implements it. Its errors are *ladder.Error, read by their code:
// ERateLimited pauses the method (Op) for RetryAfter, EPermanent fails the
// row, ENotDue drops it, and ETransient retries it with a backoff, looking
// for the message first if MaySent. Any other error is taken to be
// transient and maybe sent.
type Poster interface {
	// PostOutbox renders the row as it stands now and posts it, with the
	// row's key in the message metadata.
	PostOutbox(ctx context.Context, it store.OutboxItem) (channel, ts string, err error)
	// FindPosted looks in the recipient's DM for a message an earlier
	// attempt at the row posted.
	FindPosted(ctx context.Context, it store.OutboxItem) (channel, ts string, found bool, err error)
	// SyncZone reads the user's timezone from Slack, updates an enrolled
	// member's, and returns it.
	SyncZone(ctx context.Context, userID string) (string, error)
	// Away reads the user's Slack status from users.info and reports
	// whether it says they are away now (ladder.Away): the send queue then
	// holds their weekly question and its reminder (away.go).
	Away(ctx context.Context, userID string) (bool, error)
}

// Config holds the scheduler's settings. Zero fields take the defaults.
type Config struct {
	// DigestCron is when digests go out, a five-field robfig/cron spec read
	// in each manager's own timezone (LADDER_DIGEST_CRON). Default "0 9 1 * *".
	DigestCron string
	// ReminderAfter is when the one reminder for an unanswered weekly
	// prompt goes out (LADDER_REMINDER_AFTER). Default 48h.
	ReminderAfter time.Duration
	// CatchUp is how late a weekly prompt or a reminder may still go out,
	// after downtime or a backlog; later ones are skipped. Default 12h.
	CatchUp time.Duration
	// DigestCatchUp is the same for digests. Default 7 days.
	DigestCatchUp time.Duration
	// Budgets limit each Web API method; methods left out take
	// DefaultBudgets. chat.postMessage's is where its pace starts: the queue
	// then finds Slack's real limit (see pace.go).
	Budgets map[string]Budget
	// PostRate is the most chat.postMessage calls a second the pace may
	// reach (LADDER_POST_RATE). Default DefaultPostCeiling.
	PostRate float64
	// SharedPace keeps the send queue's pace (each Web API method's budget,
	// a 429's pause, and chat.postMessage's adaptive rate) in the store's
	// send_pace table, which every replica sending from the same database
	// reads and writes, instead of in this process: Slack limits an app per
	// workspace, not per process. Each token taken costs a short write
	// transaction. Default false: one process keeps its pace in memory.
	SharedPace bool
	// Workers is how many sends may be in flight at once. The budget can
	// only be spent if Workers ≥ rate × Slack's latency: 16 keeps 50 posts
	// a second going at 300ms a call. Default 16.
	Workers int
	// SendTimeout bounds one Web API call. Default 30s.
	SendTimeout time.Duration
	// Backoff is the first wait after a transient failure; it doubles with
	// each attempt, up to 10 minutes. Default 5s.
	Backoff time.Duration
	// MaxAttempts is how often a row is tried before it fails. Default 10.
	MaxAttempts int
	// ZonesPerTick is how many timezones are read from users.info each
	// minute; each user's is read at most once a day. Default 20.
	ZonesPerTick int
	// Keep is how long finished outbox rows are kept. Default 40 days.
	Keep time.Duration
	// ChannelGap is the least time between two posts to one DM. Default 1s:
	// Slack allows about one message a second in a channel.
	ChannelGap time.Duration
	// Retention is how long evidence and growth goals are kept
	// (LADDER_RETENTION); once a day, older ones are erased. Default: kept.
	Retention Retention
	// UninstallGrace is how long the data is kept after Slack says the app
	// was uninstalled (LADDER_UNINSTALL_GRACE); then it is erased. Default
	// DefaultUninstallGrace.
	UninstallGrace time.Duration
	// SendOnly runs the send workers without the minute tick: for a test
	// that ticks by hand while the app's own sends go out.
	SendOnly bool
}

func (c Config) withDefaults() Config {
	if c.ChannelGap <= 0 {
		c.ChannelGap = time.Second
	}
	if c.DigestCron == "" {
		c.DigestCron = "0 9 1 * *"
	}
	if c.ReminderAfter <= 0 {
		c.ReminderAfter = 48 * time.Hour
	}
	if c.CatchUp <= 0 {
		c.CatchUp = 12 * time.Hour
	}
	if c.DigestCatchUp <= 0 {
		c.DigestCatchUp = 7 * 24 * time.Hour
	}
	budgets := DefaultBudgets()
	for m, b := range c.Budgets {
		budgets[m] = b
	}
	c.Budgets = budgets
	if c.Workers <= 0 {
		c.Workers = 16
	}
	if c.SendTimeout <= 0 {
		c.SendTimeout = 30 * time.Second
	}
	if c.Backoff <= 0 {
		c.Backoff = 5 * time.Second
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 10
	}
	if c.ZonesPerTick <= 0 {
		c.ZonesPerTick = 20
	}
	if c.Keep <= 0 {
		c.Keep = 40 * 24 * time.Hour
	}
	if c.UninstallGrace <= 0 {
		c.UninstallGrace = DefaultUninstallGrace
	}
	return c
}

// lease is how long a claimed row stays claimed: one attempt is at most a
// search of the DM (two calls) and a post, each bounded by SendTimeout.
func (c Config) lease() time.Duration { return 3*c.SendTimeout + 30*time.Second }

// Scheduler ticks every minute, queues what is due in the outbox and sends it.
type Scheduler struct {
	log    *slog.Logger
	db     *store.DB
	slack  Poster
	now    func() time.Time
	cfg    Config
	digest cron.Schedule
	q      *queue

	tickMu     sync.Mutex // ticks never overlap
	version    int64      // store.ScheduleVersion at the last full pass
	last       *pass      // what the last full pass read, good while version stands
	nextEvent  time.Time  // when the next slot, reminder or zone falls due
	nextDigest time.Time  // when the digest cron next fires for some manager
	lastDigest time.Time  // the last digest check
	// digested is each manager's month last queued: with a cron that fires
	// every minute, it spares the store an insert that would change nothing.
	digested   map[string]string
	lastPrune  time.Time
	lastRetain time.Time // the last retention pass that completed
	// uninstall is set while the app is uninstalled (install.go).
	uninstall atomic.Pointer[store.Uninstall]

	// pausedWeeks is each member's week last recorded as paused
	// (recordPausedWeeks): a pass need not record it again.
	pausedWeeks map[string]ladder.Week

	runMu    sync.Mutex
	cron     *cron.Cron
	stopping chan struct{}
	runCtx   context.Context // the started scheduler's, for Resume
	cancel   context.CancelFunc
	wg       sync.WaitGroup
}

// New makes a scheduler. It fails if cfg.DigestCron is not a valid
// five-field cron spec.
func New(log *slog.Logger, db *store.DB, sl Poster, clock func() time.Time, cfg Config) (*Scheduler, error) {
	cfg = cfg.withDefaults()
	spec, err := cron.ParseStandard(cfg.DigestCron)
	if err != nil {
		return nil, fmt.Errorf("digest cron %q: %w", cfg.DigestCron, err)
	}
	if clock == nil {
		clock = time.Now
	}
	log = log.With("component", "schedule")
	s := &Scheduler{
		log: log, db: db, slack: sl, now: clock, cfg: cfg, digest: spec,
		q:        newQueue(log, db, sl, clock, cfg),
		version:  -1, // the first tick is a full pass
		digested: map[string]string{},
	}
	s.q.revoked = s.revoked
	return s, nil
}

// Start starts the minute tick and the send workers, and runs a first tick at
// once, so that what fell due while the app was down goes out now if it is
// still timely. Stop ends them.
func (s *Scheduler) Start(ctx context.Context) error {
	s.runMu.Lock()
	defer s.runMu.Unlock()
	if s.cron != nil {
		return errors.New("schedule: already started")
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	logger := cronLog{s.log}
	c := cron.New(cron.WithLocation(time.UTC), cron.WithLogger(logger),
		cron.WithChain(cron.Recover(logger), cron.SkipIfStillRunning(logger)))
	if _, err := c.AddFunc("* * * * *", func() { s.tickLogged(runCtx) }); err != nil {
		cancel()
		return fmt.Errorf("schedule: %w", err)
	}
	stop := make(chan struct{})
	s.cron, s.cancel, s.stopping, s.runCtx = c, cancel, stop, runCtx
	for range s.cfg.Workers {
		s.wg.Go(func() { s.q.work(runCtx, stop, true) })
	}
	if !s.cfg.SendOnly {
		s.wg.Go(func() { s.tickLogged(runCtx) })
		c.Start()
	}
	s.log.Info("scheduler started", "digest_cron", s.cfg.DigestCron, "reminder_after", s.cfg.ReminderAfter,
		"post_budget", s.cfg.Budgets[postMethod].PerSecond)
	return nil
}

// Stop stops the tick (waiting for a running one, Stop().Done()), lets the
// sends in flight finish and waits for every worker. If ctx ends first it
// cancels the sends in flight, whose rows are looked for in Slack on the next
// start, and still waits for the workers to return.
func (s *Scheduler) Stop(ctx context.Context) error {
	s.runMu.Lock()
	defer s.runMu.Unlock()
	if s.cron == nil {
		return nil
	}
	cronDone := s.cron.Stop().Done()
	close(s.stopping)
	done := make(chan struct{})
	go func() {
		<-cronDone
		s.wg.Wait()
		close(done)
	}()
	var err error
	select {
	case <-done:
	case <-ctx.Done():
		err = fmt.Errorf("stop scheduler: %w", ctx.Err())
		s.cancel()
		<-done
	}
	s.cancel()
	s.cron = nil
	s.log.Info("scheduler stopped")
	return err
}

func (s *Scheduler) tickLogged(ctx context.Context) {
	if err := s.Tick(ctx); err != nil && ctx.Err() == nil {
		s.log.Error("tick", "err", err)
	}
}

// Flush sends every outbox row that is due now, as far as the budgets allow,
// and returns when nothing more can go out without time passing. Tests call it
// after Tick; the running scheduler's workers do the same continuously. It
// looks in the outbox only when Tick queued something or a row it knows of
// has come due since the last Flush.
func (s *Scheduler) Flush(ctx context.Context) {
	if now := s.now(); now.Before(s.q.flushHint()) {
		return
	}
	var wg sync.WaitGroup
	never := make(chan struct{})
	for range s.cfg.Workers {
		wg.Go(func() { s.q.work(ctx, never, false) })
	}
	wg.Wait()
	if next, ok, err := s.db.NextOutboxDue(ctx, postMethod, s.q.busy()...); err == nil {
		if !ok {
			next = s.now().Add(24 * time.Hour) // until Tick queues something
		}
		s.q.setFlushHint(next)
	}
}

// Wake tells the send workers that rows may be due now: the app calls it
// after queueing a send of its own, such as an export, so that it goes out at
// once rather than when an idle worker next looks.
func (s *Scheduler) Wake() { s.q.wake() }

// Stats counts what the send queue did.
func (s *Scheduler) Stats() Stats { return s.q.stats() }

// Tick is one pass of the scheduler at the clock's now: it reads from Slack
// the timezones that are a day old, a few a minute, then queues the weekly
// prompts, reminders and digests that are due, and wakes the send workers.
// Running it again at the same time queues nothing new.
//
// A full pass reads every member. It runs only when something it depends on
// has changed (store.ScheduleVersion) or the clock has reached the next slot,
// reminder or zone check the last pass found, and at least every 6 hours; a
// digest firing in between reuses what the last pass read. So a tick with
// nothing to do costs two queries: the install's state (install.go) and the
// schedule's version.
func (s *Scheduler) Tick(ctx context.Context) error {
	s.tickMu.Lock()
	defer s.tickMu.Unlock()
	now := s.now()
	var errs []error
	if halted, err := s.checkInstall(ctx, now); halted || err != nil {
		return err
	}
	version, err := s.db.ScheduleVersion(ctx)
	if err != nil {
		return err
	}
	switch {
	case version != s.version || !now.Before(s.nextEvent) || s.last == nil:
		p, next, err := s.scan(ctx, now)
		if err != nil {
			errs = append(errs, err)
			next = now // look again at the next tick
		}
		s.version, s.nextEvent, s.last = version, next, p
		if p == nil {
			s.version = -1
		}
	case !now.Before(s.nextDigest):
		// Only the digest cron has fired: what the last pass read still holds.
		s.last.now = now
		if n, err := s.queueDigests(ctx, s.last); err != nil {
			errs = append(errs, err)
		} else if n > 0 {
			s.q.wake()
		}
	}
	if now.Sub(s.lastPrune) >= 24*time.Hour {
		// Housekeeping, once a day: finished sends after Keep, and the event
		// ids seen for dedupe after a day (Slack retries within minutes).
		n, err := s.db.PruneOutbox(ctx, now.Add(-s.cfg.Keep))
		if err == nil {
			var m int64
			m, err = s.db.PruneEvents(ctx, now.Add(-eventsKept))
			n += m
		}
		if err != nil {
			errs = append(errs, err)
		} else {
			s.lastPrune = now
			if n > 0 {
				s.log.Info("pruned finished sends and old event ids", "rows", n)
			}
		}
	}
	if err := s.retain(ctx, now); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// eventsKept is how long an event id is remembered for dedupe: well past
// Slack's last retry, about five minutes after the first delivery.
const eventsKept = 24 * time.Hour

// cronLog hands cron's log lines to slog.
type cronLog struct{ l *slog.Logger }

func (c cronLog) Info(msg string, kv ...any) { c.l.Debug("cron: "+msg, kv...) }

func (c cronLog) Error(err error, msg string, kv ...any) {
	c.l.Error("cron: "+msg, append(kv, "err", err)...)
}
