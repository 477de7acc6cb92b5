package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/slack-go/slack"

	"github.com/ladderapp/ladder/internal/ladder"
	"github.com/ladderapp/ladder/internal/prompts"
	"github.com/ladderapp/ladder/internal/schedule"
	"github.com/ladderapp/ladder/internal/slackapp"
	"github.com/ladderapp/ladder/internal/store"
)

// serve runs the app over Socket Mode until ctx ends.
func serve(ctx context.Context, args []string, clock func() time.Time, stderr io.Writer) error {
	if len(args) > 0 {
		return &exitError{2, fmt.Errorf("bot serve takes no arguments")}
	}
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	if err := cfg.checkTokens(); err != nil {
		return err
	}
	level, err := cfg.logLevel()
	if err != nil {
		return err
	}
	log := newLogger(stderr, level, newRedactor(cfg))
	return serveWith(ctx, cfg, log, clock, slackOptions(cfg)...)
}

func slackOptions(cfg config) []slack.Option {
	opts := []slack.Option{
		slack.OptionAppLevelToken(cfg.AppToken),
	}
	if cfg.APIURL != "" {
		opts = append(opts, slack.OptionAPIURL(cfg.APIURL))
	}
	return opts
}

// serveWith runs the app with a logger and Slack options already made; bot try
// shares it. The app and the scheduler both read clock.
func serveWith(ctx context.Context, cfg config, log *slog.Logger, clock func() time.Time, opts ...slack.Option) error {
	l, err := prompts.Open(cfg.Prompts)
	if err != nil {
		return &exitError{1, fmt.Errorf("ladder file:\n%w", err)}
	}
	slot, err := ladder.ParseSlot(cfg.DefaultSchedule)
	if err != nil {
		return &exitError{2, fmt.Errorf("LADDER_DEFAULT_SCHEDULE: %w", err)}
	}
	db, err := store.Open(ctx, cfg.DB)
	if err != nil {
		return fmt.Errorf("open database %s: %w", dbName(cfg.DB), err)
	}
	defer db.Close()

	// On an org-wide install (Enterprise Grid), Teams names each person's
	// workspace on the calls that need it; slack-go has no team_id on
	// chat.postMessage, so it does so in the HTTP client. A workspace install
	// sends what it always did. The later option replaces slackOptions' client.
	teams := slackapp.NewTeams()
	opts = append(opts, slack.OptionHTTPClient(teams.HTTPClient(&http.Client{Timeout: slackapp.WebAPITimeout})))
	api := slack.New(cfg.BotToken, opts...)
	app := slackapp.New(log, api, db, l, clock, slackapp.Config{
		Admins:        cfg.Admins,
		DefaultSlot:   slot,
		ReminderAfter: cfg.ReminderAfter,
	})
	app.UseTeams(teams)

	// Weekly prompts, reminders and digests, through the durable outbox.
	sched, err := schedule.New(log, db, app, clock, schedule.Config{
		DigestCron:    cfg.DigestCron,
		ReminderAfter: cfg.ReminderAfter,
		PostRate:      cfg.PostRate,
		SendTimeout:   cfg.SendTimeout,
		Retention:     cfg.Retention,
		// Until then the data is kept; a reinstall resumes.
		UninstallGrace: time.Duration(cfg.UninstallGrace),
		// Replicas share Slack's per-app limits: on PostgreSQL, the pace and
		// a 429's pause live in the database.
		SharedPace: store.IsPostgres(cfg.DB),
	})
	if err != nil {
		return &exitError{2, fmt.Errorf("LADDER_DIGEST_CRON: %w", err)}
	}
	// An export queued by a command goes out at once, not at the queue's
	// next look.
	app.WakeSendsWith(sched.Wake)
	app.QueueDigestsWith(sched.QueueDigests)

	stopHTTP, err := startHTTP(cfg.HTTPAddr, app.Handler(), log)
	if err != nil {
		return err
	}
	defer stopHTTP()

	log.Info("ladder starting", "db", dbName(cfg.DB), "replica", db.Owner(), "prompts", len(l.Prompts), "admins", len(cfg.Admins))
	if err := sched.Start(ctx); err != nil {
		return err
	}
	// Runs after app.Run has drained its workers and before db.Close: the
	// reverse of start. Sends still in flight after a second are cut off;
	// the next start looks for them in Slack before sending again.
	defer func() {
		stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
		defer cancel()
		if err := sched.Stop(stopCtx); err != nil {
			log.Warn("scheduler stopped with sends in flight", "err", err)
		}
	}()
	app.InstallStateFrom(sched)
	err = app.Run(ctx)
	if errors.Is(err, slackapp.ErrRevoked) {
		return stayUninstalled(ctx, app, err, log)
	}
	if errors.Is(err, slackapp.ErrAuth) {
		return &exitError{3, fmt.Errorf("%w. Check SLACK_BOT_TOKEN and SLACK_APP_TOKEN, or reinstall the app; see the README's Slack setup", err)}
	}
	if errors.Is(err, slackapp.ErrSocketModeDisabled) {
		return &exitError{4, err}
	}
	if err != nil {
		return err
	}
	log.Info("ladder stopped cleanly")
	return nil
}

// startHTTP serves /healthz and /metrics on addr; an empty addr turns them off.
func startHTTP(addr string, h http.Handler, log *slog.Logger) (stop func(), err error) {
	if addr == "" {
		return func() {}, nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, &exitError{2, fmt.Errorf("LADDER_HTTP_ADDR %s: %w", addr, err)}
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("http server", "err", err)
		}
	}()
	log.Info("serving /healthz and /metrics", "addr", ln.Addr().String())
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		<-done
	}, nil
}

// dbName is LADDER_DB as it may be shown: a PostgreSQL URL without its
// password.
func dbName(db string) string {
	if !store.IsPostgres(db) {
		return db
	}
	u, err := url.Parse(db)
	if err != nil {
		return "postgres://[unparsable URL]"
	}
	return u.Redacted()
}

// stayUninstalled keeps the process up after Slack refused the token as
// revoked: it serves no one, but the scheduler erases the data when the
// uninstall's grace period ends, and /healthz says so meanwhile. It returns
// when ctx ends (SIGTERM). A restart with a token that works resumes.
func stayUninstalled(ctx context.Context, app *slackapp.App, err error, log *slog.Logger) error {
	// Recorded even if SIGTERM came meanwhile: the next start must know.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if rerr := app.Uninstalled(rctx, "token_revoked"); rerr != nil {
		return fmt.Errorf("%w; and recording it failed: %w", err, rerr)
	}
	log.Warn("staying up without Slack, to erase the data when the grace period ends; restart with a new SLACK_BOT_TOKEN once the app is installed again", "err", err)
	<-ctx.Done()
	log.Info("ladder stopped cleanly")
	return nil
}
