package slackapp

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/ladderapp/ladder/internal/ladder"
)

// onInteractive acks a button press or a modal submission and hands it on: a
// click that opens a modal to the modal path, which calls views.open before
// anything else, everything else to the member's worker. An empty ack closes
// a submitted modal. ctx is the socket's.
func (a *App) onInteractive(ctx context.Context, evt socketmode.Event) {
	cb, ok := evt.Data.(slack.InteractionCallback)
	if !ok || evt.Request == nil {
		return
	}
	if a.onShortcut(ctx, evt.Request.EnvelopeID, cb) { // shortcut.go: Save to Ladder and its modal
		return
	}
	if cb.Type == slack.InteractionTypeViewSubmission && cb.View.CallbackID == callbackSettings {
		a.onSettingsSubmit(ctx, evt.Request.EnvelopeID, cb) // settings.go: acks with the form's errors
		return
	}
	if cb.Type == slack.InteractionTypeViewSubmission && cb.View.CallbackID == callbackCalibrate {
		a.onCalibrateSubmit(ctx, evt.Request.EnvelopeID, cb) // calibrate.go: stores, then acks
		return
	}
	if open, rest := a.splitModalActions(ctx, cb); open {
		if len(rest) == 0 {
			a.ack(ctx, evt.Request.EnvelopeID, nil)
			return
		}
		cb.ActionCallback.BlockActions = rest
	}
	if !a.pool.submit(cb.User.ID, func(ctx context.Context) { a.handleInteraction(ctx, cb) }) {
		a.metrics.error("queue_full")
		if cb.Type == slack.InteractionTypeViewSubmission {
			a.ack(ctx, evt.Request.EnvelopeID, slack.NewErrorsViewSubmissionResponse(map[string]string{
				blockAnswer: "Ladder is very busy; please press Save again in a minute.",
			}))
			return
		}
	}
	a.ack(ctx, evt.Request.EnvelopeID, nil)
}

func (a *App) handleInteraction(ctx context.Context, cb slack.InteractionCallback) {
	a.teams.saw(cb.User.ID, cb.Team.ID) // team.go
	defer a.teams.keep(ctx, cb.User.ID)
	a.log.Debug("interaction", "type", cb.Type, "callback_id", cb.View.CallbackID, "actions", len(cb.ActionCallback.BlockActions))
	switch cb.Type {
	case slack.InteractionTypeBlockActions:
		for _, act := range cb.ActionCallback.BlockActions {
			if err := a.onAction(ctx, cb, act); err != nil {
				msg := a.userError(err, "action "+act.ActionID)
				a.postLogged(ctx, cb.User.ID, "", Message{Text: msg})
			}
		}
	case slack.InteractionTypeViewSubmission:
		if cb.View.CallbackID == callbackAnswer {
			a.onModalAnswer(ctx, cb)
		}
	default:
		a.log.Debug("ignoring interaction", "type", cb.Type)
	}
}

func (a *App) onAction(ctx context.Context, cb slack.InteractionCallback, act *slack.BlockAction) error {
	user := cb.User.ID
	switch act.ActionID {
	case actionStart:
		_, _, err := a.enroll(ctx, user)
		if err == nil {
			a.publishHomeLogged(ctx, user)
		}
		return err
	case actionManagerAccept, actionManagerDecline: // consent.go; the manager need not be enrolled
		return a.onManagerAnswer(ctx, cb, act)
	case actionAnswer, actionHomeAsk, actionExpectations, actionOpenSettings: // here only when the modal path was full
		return a.openModal(ctx, cb, act)
	}
	if isCalibrate(act.ActionID) { // here only when the modal path was full; the manager need not be enrolled
		return a.openModal(ctx, cb, act)
	}
	m, err := a.db.Member(ctx, user)
	if err != nil {
		return err
	}
	if act.ActionID == actionArea {
		return a.refile(ctx, m, cb, "", act.Value, false)
	}
	if area, ok := strings.CutPrefix(act.ActionID, actionArea+":"); ok {
		return a.refile(ctx, m, cb, area, act.Value, false)
	}
	if ok, err := a.onEvidenceAction(ctx, m, cb, act); ok { // undo.go
		return err
	}
	if area, ok := strings.CutPrefix(act.ActionID, actionAskArea+":"); ok { // ask.go
		return a.askArea(ctx, m, area)
	}
	switch act.ActionID {
	case actionSkip:
		return a.skip(ctx, m, cb)
	case actionAnother:
		return a.SendPrompt(ctx, user, act.Value)
	case actionNotYet: // notyet.go
		return a.notYet(ctx, m, cb, act.Value)
	case actionPause:
		_, err := a.update(ctx, user, func(m *ladder.Member) error { m.PausedUntil = forever; return nil })
		return err
	case actionResume:
		_, err := a.update(ctx, user, func(m *ladder.Member) error { m.PausedUntil = time.Time{}; return nil })
		return err
	case actionExport:
		_, err := a.export(ctx, m)
		return err
	}
	a.log.Debug("ignoring unknown action", "action_id", act.ActionID)
	return nil
}

func (a *App) skip(ctx context.Context, m ladder.Member, cb slack.InteractionCallback) error {
	sent, err := a.db.PromptByTS(ctx, cb.Container.ChannelID, cb.Container.MessageTs)
	weekly := err == nil && sent.UserID == m.UserID && sent.Weekly
	if weekly {
		if err := a.db.SkipWeek(ctx, m.UserID, sent.Week); err != nil {
			return err
		}
	} else if err != nil && !errors.Is(err, ladder.ErrNotFound) {
		return err
	}
	a.replaceButtons(ctx, cb, skipNote(m, weekly, a.now())) // skip.go
	return nil
}

// replaceButtons edits a prompt message so its buttons give way to a note.
func (a *App) replaceButtons(ctx context.Context, cb slack.InteractionCallback, note string) {
	var kept []slack.Block
	for _, b := range cb.Message.Blocks.BlockSet {
		if b.BlockType() != slack.MBTAction {
			kept = append(kept, b)
		}
	}
	kept = append(kept, slack.NewContextBlock("", mrkdwn(note)))
	err := a.callLater(ctx, "chat.update", func() error {
		_, _, _, err := a.api.UpdateMessageContext(ctx, cb.Container.ChannelID, cb.Container.MessageTs,
			slack.MsgOptionText(note, false), slack.MsgOptionBlocks(kept...))
		return err
	})
	if err != nil {
		a.log.Warn("chat.update failed", "err", err)
	}
}

// onModalAnswer stores an answer given in the modal, then confirms it in the DM.
func (a *App) onModalAnswer(ctx context.Context, cb slack.InteractionCallback) {
	m, err := a.db.Member(ctx, cb.User.ID)
	if err != nil {
		a.postLogged(ctx, cb.User.ID, "", Message{Text: a.userError(err, "modal")})
		return
	}
	var text string
	if cb.View.State != nil {
		text = cb.View.State.Values[blockAnswer][inputAnswer].Value
	}
	if strings.TrimSpace(text) == "" {
		return
	}
	ev := ladder.Evidence{UserID: m.UserID, Channel: "modal", TS: cb.View.ID, Created: a.now()}
	ev.Text, ev.Truncated = truncateRunes(text)
	if p, ok := a.ladder.Prompt(cb.View.PrivateMetadata); ok {
		ev.PromptID, ev.Area = p.ID, p.Area
	}
	a.storeAnswer(ctx, m, ev, "")
}
