package slackapp

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/ladderapp/ladder/internal/ladder"
)

// triggerTTL is how long a trigger_id lets views.open open a modal: "Pass a
// valid trigger_id within 3 seconds of receiving it"
// (https://api.slack.com/methods/views.open).
const triggerTTL = 3 * time.Second

// modalSlots bounds the clicks whose modal is being opened at once. views.open
// is Tier 4 (100+ a minute), so more would only meet 429s.
const modalSlots = 16

// modals runs the clicks that open a modal, each on a goroutine of its own,
// so that views.open never waits behind a member's worker: a worker may be
// waiting out another member's 429 for longer than the trigger lives.
type modals struct {
	slots chan struct{}
	wg    sync.WaitGroup
}

func newModals() *modals { return &modals{slots: make(chan struct{}, modalSlots)} }

// start runs fn on a goroutine of its own and reports true, unless
// modalSlots clicks are in flight already.
func (m *modals) start(fn func()) bool {
	select {
	case m.slots <- struct{}{}:
	default:
		return false
	}
	m.wg.Go(func() {
		defer func() { <-m.slots }()
		fn()
	})
	return true
}

// wait waits for the modals being opened; each has triggerTTL at most.
func (m *modals) wait() { m.wg.Wait() }

// opensModal reports whether act is a click that opens a modal.
func opensModal(act *slack.BlockAction) bool {
	return act.ActionID == actionAnswer || act.ActionID == actionHomeAsk || act.ActionID == actionExpectations ||
		act.ActionID == actionOpenSettings || isCalibrate(act.ActionID)
}

// splitModalActions starts the clicks of cb that open a modal on the modal
// path and returns the actions left for the member's worker; open reports
// whether it started any. A click the modal path has no room for is left for
// the worker too. ctx is the socket's: a modal outlives it by its trigger's
// lifetime at most.
func (a *App) splitModalActions(ctx context.Context, cb slack.InteractionCallback) (open bool, rest []*slack.BlockAction) {
	if cb.Type != slack.InteractionTypeBlockActions {
		return false, nil
	}
	for _, act := range cb.ActionCallback.BlockActions {
		if opensModal(act) && a.modals.start(func() { a.runModal(ctx, cb, act) }) {
			open = true
			continue
		}
		rest = append(rest, act)
	}
	return open, rest
}

// runModal opens the modal of act within the trigger's lifetime. What goes
// wrong is told to the member from their worker, which may wait on Slack.
func (a *App) runModal(ctx context.Context, cb slack.InteractionCallback, act *slack.BlockAction) {
	defer func() {
		if r := recover(); r != nil {
			a.pool.panics.Add(1)
			a.log.Error("modal recovered from a panic", "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
		}
	}()
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), triggerTTL)
	defer cancel()
	err := a.openModal(ctx, cb, act)
	if err == nil {
		return
	}
	msg, user := a.userError(err, "action "+act.ActionID), cb.User.ID
	if !a.pool.submit(user, func(ctx context.Context) { a.postLogged(ctx, user, "", Message{Text: msg}) }) {
		a.log.Warn("could not tell a member their modal failed", "user", user)
	}
}

// openModal opens the modal a click asks for, with only the reads it needs
// before views.open: the question named by the Answer button, or the Home
// tab's current question.
func (a *App) openModal(ctx context.Context, cb slack.InteractionCallback, act *slack.BlockAction) error {
	if isCalibrate(act.ActionID) { // calibrate.go
		return a.openCalibrate(ctx, cb, act.Value)
	}
	var p ladder.Prompt
	switch act.ActionID {
	case actionAnswer:
		var ok bool
		if p, ok = a.ladder.Prompt(act.Value); !ok {
			return usagef("That question is no longer in the ladder. `/ladder prompt` gets you a fresh one.")
		}
	case actionOpenSettings:
		return a.openSettings(ctx, cb.User.ID, cb.TriggerID) // settings.go
	case actionHomeAsk:
		m, err := a.db.Member(ctx, cb.User.ID)
		if err != nil {
			return err
		}
		if p, err = a.currentPrompt(ctx, m); err != nil {
			return err
		}
	case actionExpectations: // expectations.go
		return a.openExpectations(ctx, cb.TriggerID, act.Value)
	default:
		return fmt.Errorf("action %s opens no modal", act.ActionID)
	}
	return a.openAnswer(ctx, cb.TriggerID, p)
}

// currentPrompt is the question the Home tab's Answer now button answers: the
// newest prompt of the past week, or else the next one.
func (a *App) currentPrompt(ctx context.Context, m ladder.Member) (ladder.Prompt, error) {
	if sent, err := a.db.LatestPrompt(ctx, m.UserID, a.now().Add(-linkWindow)); err == nil {
		if p, ok := a.ladder.Prompt(sent.PromptID); ok {
			return p, nil
		}
	} else if !errors.Is(err, ladder.ErrNotFound) {
		return ladder.Prompt{}, err
	}
	r, err := a.readiness(ctx, m)
	if err != nil {
		return ladder.Prompt{}, err
	}
	return a.nextPrompt(ctx, m, r, "")
}

func (a *App) openAnswer(ctx context.Context, triggerID string, p ladder.Prompt) error {
	return a.call(ctx, "views.open", func() error {
		_, err := a.api.OpenViewContext(ctx, triggerID, answerModal(p))
		return err
	})
}
