// Package slackapp is Ladder's Slack surface: Socket Mode envelopes in, domain
// calls, Block Kit out. It is the only package that imports slack-go.
package slackapp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/ladderapp/ladder/internal/ladder"
	"github.com/ladderapp/ladder/internal/store"
)

// Config holds the app's settings, as plain values.
type Config struct {
	Admins        []string      // Slack user ids allowed to run /ladder admin
	DefaultSlot   ladder.Slot   // weekly slot for new members
	ReminderAfter time.Duration // shown in the welcome DM
	Workers       int           // default 8
	QueueLen      int           // per worker; default 256
	DrainTimeout  time.Duration // how long shutdown waits for work in flight; default 8s
	// InboxWindow is how long the inbox gathers Events API envelopes before
	// it commits them in one transaction and acks them; default 1ms.
	InboxWindow time.Duration
	// ReplyBudget is how long a slash command's ack waits for the reply to
	// carry it; default 1.5s (see defaultReplyBudget).
	ReplyBudget time.Duration
}

// WebAPITimeout bounds one call to Slack, so that a hung call never holds a
// worker. cmd/bot gives slack-go an HTTP client with it.
const WebAPITimeout = 15 * time.Second

// Clock tells the time. Tests inject one they control.
type Clock func() time.Time

// ErrAuth means Slack rejected the tokens: the app cannot run and retrying will
// not help.
var ErrAuth = errors.New("slack rejected the tokens")

// ErrSocketModeDisabled means Slack will not open a Socket Mode connection
// for the app: an admin turned Socket Mode off in the app's settings (Slack
// then sends the live connections a disconnect with reason link_disabled), or
// the app-level token may not open one. Reconnecting cannot help until it is
// turned back on.
var ErrSocketModeDisabled = errors.New("slack refuses Socket Mode connections for this app: " +
	"turn \"Enable Socket Mode\" back on in the app's settings (api.slack.com/apps → your app → Socket Mode), " +
	"and check that the app-level token (SLACK_APP_TOKEN) has the connections:write scope")

// App is the Slack app.
type App struct {
	log     *slog.Logger
	api     *slack.Client
	sm      *socketmode.Client
	db      *store.DB
	ladder  *ladder.Ladder
	now     Clock
	cfg     Config
	pool    *pool
	metrics *metrics
	// stopped is set when Run returns: a call retried in the background
	// (callLater) is then dropped.
	stopped atomic.Bool
	// inbox carries Events API envelopes from the read loop to runInbox.
	inbox chan received
	// journal holds the acked events not yet in the inbox table; Run opens it.
	journal *store.Journal

	// botUserID is the app's own user, learned from auth.test; its messages are
	// never evidence.
	botUserID string
	// queueDigests queues this month's digests; see QueueDigestsWith.
	queueDigests atomic.Pointer[func(ctx context.Context) (queued, already int, err error)]
	// wake wakes the send queue; see WakeSendsWith.
	wake atomic.Pointer[func()]
	// install is where the uninstall state lives (uninstall.go).
	install atomic.Pointer[InstallState]
	// webhooks posts to response_url, with a timeout.
	webhooks *http.Client
	// acks counts the slash commands whose ack budget is running.
	acks sync.WaitGroup
	// modals opens modals off the pool; see interactions.go.
	modals *modals
	// teams is the workspace each person acts in (team.go).
	teams *teamBook
}

// Message is a DM as the app composes it, before it reaches Slack.
type Message struct {
	Text     string
	Blocks   []slack.Block
	ThreadTS string
}

// New builds the app. api must carry both tokens (slack.OptionAppLevelToken).
func New(log *slog.Logger, api *slack.Client, db *store.DB, l *ladder.Ladder, clock Clock, cfg Config) *App {
	if cfg.Workers <= 0 {
		cfg.Workers = 8
	}
	if cfg.QueueLen <= 0 {
		cfg.QueueLen = 256
	}
	if cfg.DrainTimeout <= 0 {
		cfg.DrainTimeout = 8 * time.Second
	}
	if cfg.InboxWindow <= 0 {
		cfg.InboxWindow = defaultInboxWindow
	}
	if cfg.ReplyBudget <= 0 {
		cfg.ReplyBudget = defaultReplyBudget
	}
	if clock == nil {
		clock = time.Now
	}
	log = log.With("component", "slackapp")
	a := &App{
		log:      log,
		api:      api,
		db:       db,
		ladder:   l,
		now:      clock,
		cfg:      cfg,
		pool:     newPool(log, cfg.Workers, cfg.QueueLen),
		metrics:  newMetrics(),
		inbox:    make(chan received, inboxLen),
		webhooks: &http.Client{Timeout: WebAPITimeout},
		modals:   newModals(),
	}
	a.teams = newTeamBook(a)
	a.sm = socketmode.New(api, socketmode.OptionLog(slogAdapter{log.With("component", "socketmode")}))
	return a
}

// Connected reports whether the Socket Mode connection is up.
func (a *App) Connected() bool { return a.metrics.connected.Load() }

// Run connects to Slack and serves until ctx ends, then stops reading the socket,
// drains the work in flight and returns nil. It returns ErrAuth if Slack rejects
// the tokens, and ErrSocketModeDisabled if Slack refuses Socket Mode
// connections, as it does once Socket Mode is turned off in the app's settings.
func (a *App) Run(ctx context.Context) error {
	botUser, err := a.whoAmI(ctx)
	if err != nil || botUser == "" {
		return err
	}
	a.botUserID = botUser
	a.installedAgain(ctx)
	defer a.stopped.Store(true)
	// The events a stop left in the journal go to the inbox table before
	// the inbox replays it. The journal closes last, after the drain.
	a.journal, err = a.db.OpenJournal(ctx)
	if err != nil {
		return fmt.Errorf("inbox: %w", err)
	}
	defer a.journal.Close()

	// Work outlives the socket by the drain timeout, so that an answer being
	// stored when SIGTERM arrives is stored and confirmed.
	workCtx, cancelWork := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelWork()
	started := a.now()
	a.pool.start(workCtx)
	// The inbox stops with the socket: what it has not committed is not
	// acked, and Slack sends it again.
	inboxCtx, stopInbox := context.WithCancel(context.WithoutCancel(ctx))
	defer stopInbox()
	inboxDone := make(chan struct{})
	go func() {
		defer close(inboxDone)
		a.runInbox(inboxCtx)
	}()
	// The catch-up paces itself over minutes, so it stops with ctx rather
	// than outliving it by the drain timeout.
	catchCtx, stopCatchUp := context.WithCancel(ctx)
	defer stopCatchUp()
	catchUpDone := make(chan struct{})
	go func() {
		defer close(catchUpDone)
		a.confirmMissed(catchCtx, started)
	}()

	sockCtx, cancelSock := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelSock()
	sockErr := make(chan error, 1)
	go func() { sockErr <- a.sm.RunContext(sockCtx) }()

	var fatal error
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case err := <-sockErr:
			sockErr = nil
			switch {
			case isAuthError(err) && a.uninstalledSince(ctx):
				fatal = fmt.Errorf("%w: %w", ErrRevoked, err)
			case isAuthError(err):
				fatal = fmt.Errorf("%w: %s", ErrAuth, err)
			default:
				fatal = fmt.Errorf("socket mode: %w", err)
			}
			break loop
		case evt := <-a.sm.Events:
			if err := a.dispatch(sockCtx, evt); err != nil {
				fatal = err
				break loop
			}
		}
	}

	// Stop in the reverse of start: the socket first, then the workers.
	a.log.Info("shutting down: draining work in flight")
	a.metrics.connected.Store(false)
	cancelSock()
	stopInbox()
	<-inboxDone
	stopCatchUp()
	<-catchUpDone
	// A modal being opened has its trigger's 3 seconds at most.
	a.modals.wait()
	if !a.pool.close(a.cfg.DrainTimeout) {
		a.log.Warn("shutdown: work still running after the drain timeout", "timeout", a.cfg.DrainTimeout)
	}
	// The budgets of slash commands whose work never ran run out within
	// ReplyBudget; their acks fail at once, as the socket is closed.
	a.acks.Wait()
	if sockErr != nil {
		select {
		case <-sockErr:
		case <-time.After(2 * time.Second):
		}
	}
	return fatal
}

// whoAmI asks Slack who the app is, retrying with backoff while Slack cannot be
// reached: a network blip at start must not stop the app, but rejected tokens
// must. It returns "" and no error if ctx ends first.
func (a *App) whoAmI(ctx context.Context) (string, error) {
	for n := 1; ; n++ {
		resp, err := a.api.AuthTestContext(ctx)
		switch {
		case err == nil:
			return resp.UserID, nil
		case isRevoked(err):
			return "", fmt.Errorf("%w: %w", ErrRevoked, err)
		case isAuthError(err):
			return "", fmt.Errorf("%w: %s", ErrAuth, err)
		case ctx.Err() != nil:
			return "", nil
		}
		wait, _ := startPolicy.next(n, err)
		a.log.Warn("cannot reach Slack; retrying", "err", err, "in", wait)
		if sleep(ctx, wait) != nil {
			return "", nil
		}
	}
}

// dispatch handles one event from slack-go. It runs on the read loop, so it only
// acks and queues: anything slow goes to the pool. ctx is the socket's.
func (a *App) dispatch(ctx context.Context, evt socketmode.Event) error {
	start := time.Now()
	switch evt.Type {
	case socketmode.EventTypeConnecting:
		a.log.Debug("connecting to Slack")
	case socketmode.EventTypeConnected, socketmode.EventTypeHello:
		if !a.metrics.connected.Swap(true) {
			a.log.Info("connected to Slack")
		}
	case socketmode.EventTypeConnectionError:
		a.metrics.connected.Store(false)
		a.metrics.error("connection")
		if err := socketModeRefused(evt.Data); err != nil {
			return err
		}
		a.log.Warn("connection to Slack failed; slack-go retries with backoff", "err", errString(evt.Data))
	case socketmode.EventTypeInvalidAuth:
		if a.uninstalledSince(ctx) {
			return ErrRevoked
		}
		return ErrAuth
	case socketmode.EventTypeIncomingError:
		a.metrics.error("incoming")
		a.log.Warn("unreadable frame from Slack", "err", errString(evt.Data))
	case socketmode.EventTypeErrorBadMessage:
		a.metrics.envelope("undecodable")
		a.ackUndecodable(ctx, evt.Data)
		a.metrics.ack(time.Since(start))
	case socketmode.EventTypeEventsAPI:
		a.metrics.envelope("events_api")
		a.onEventsAPI(evt, start) // acked by the inbox once committed
	case socketmode.EventTypeSlashCommand:
		a.metrics.envelope("slash_commands")
		a.onSlash(ctx, evt, start) // acked with the reply, or when its budget runs out
	case socketmode.EventTypeInteractive:
		a.metrics.envelope("interactive")
		a.onInteractive(ctx, evt)
		a.metrics.ack(time.Since(start))
	default:
		a.log.Debug("ignoring socket mode event", "type", evt.Type)
	}
	return nil
}

// ackUndecodable acks an envelope slack-go could not decode, so Slack does not
// send it again, taking the envelope_id from the raw frame.
func (a *App) ackUndecodable(ctx context.Context, data any) {
	bad, ok := data.(*socketmode.ErrorBadMessage)
	if !ok {
		return
	}
	kind, id := envelopeHeader(bad.Message)
	a.log.Warn("envelope slack-go could not decode", "type", kind, "envelope_id", id, "err", bad.Cause, "bytes", len(bad.Message))
	if id != "" {
		a.ack(ctx, id, nil)
	}
}

// maxEnvelopeID bounds the envelope id we echo back: Slack's are UUIDs.
const maxEnvelopeID = 200

// envelopeHeader reads the type and envelope_id of a raw Socket Mode frame,
// however broken the rest of it is. An id that is not a short string is none.
func envelopeHeader(raw []byte) (kind, envelopeID string) {
	var h struct {
		Type       json.RawMessage `json:"type"`
		EnvelopeID json.RawMessage `json:"envelope_id"`
	}
	if json.Unmarshal(raw, &h) != nil {
		return "", ""
	}
	_ = json.Unmarshal(h.Type, &kind)
	_ = json.Unmarshal(h.EnvelopeID, &envelopeID)
	if len(envelopeID) > maxEnvelopeID {
		envelopeID = ""
	}
	return kind, envelopeID
}

// transientCodes are the errors of apps.connections.open after which a new
// attempt may succeed.
var transientCodes = map[string]bool{
	"internal_error": true, "fatal_error": true, "service_unavailable": true,
	"request_timeout": true, "ratelimited": true,
}

// socketModeRefused returns ErrSocketModeDisabled if a failed connection
// attempt was Slack refusing apps.connections.open outright ("ok": false with
// a code no retry fixes), as it does once Socket Mode is turned off. slack-go
// retries every such refusal forever, and it hides the disconnect frame whose
// reason, link_disabled, says why, so the refusal is where the app learns it.
// Network failures, 5xx answers and 429s are left to slack-go's retries.
func socketModeRefused(data any) error {
	ce, ok := data.(*slack.ConnectionErrorEvent)
	if !ok || ce.ErrorObj == nil {
		return nil
	}
	var se slack.SlackErrorResponse
	if !errors.As(ce.ErrorObj, &se) || transientCodes[se.Err] || isAuthError(ce.ErrorObj) {
		return nil
	}
	return fmt.Errorf("%w (apps.connections.open answered %s)", ErrSocketModeDisabled, se.Err)
}

// isRevoked reports whether Slack refused a token that worked before.
func isRevoked(err error) bool {
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		return revokedCodes[se.Err]
	}
	return err != nil && revokedCodes[err.Error()]
}

func isAuthError(err error) bool {
	if err == nil {
		return false
	}
	switch err.Error() {
	case "invalid_auth", "not_authed", "token_revoked", "account_inactive":
		return true
	}
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		switch se.Err {
		case "invalid_auth", "not_authed", "token_revoked", "account_inactive":
			return true
		}
	}
	return false
}

func errString(v any) string {
	if e, ok := v.(error); ok {
		return e.Error()
	}
	return fmt.Sprint(v)
}

// slogAdapter hands slack-go's Output-style logger to slog.
type slogAdapter struct{ l *slog.Logger }

func (s slogAdapter) Output(_ int, msg string) error {
	s.l.Debug(msg)
	return nil
}
