package slackapp

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/slack-go/slack"

	"github.com/ladderapp/ladder/internal/ladder"
	"github.com/ladderapp/ladder/internal/store"
)

// This file handles the buttons on evidence: a confirmation's Undo and Move
// to another area, the Move picker's areas, and Save / Don't save under a
// short message Ladder asked about. Each turns the message it was pressed on
// into what is true now (chat.update), so a second press of the same button
// changes nothing and says the same.

// onEvidenceAction handles act if it is one of this file's buttons, and
// reports whether it was.
func (a *App) onEvidenceAction(ctx context.Context, m ladder.Member, cb slack.InteractionCallback, act *slack.BlockAction) (bool, error) {
	switch {
	case act.ActionID == actionUndo:
		return true, a.undo(ctx, m, cb, act.Value)
	case act.ActionID == actionMove || act.ActionID == actionMoveKeep:
		return true, a.offerMove(ctx, m, cb, act.Value, act.ActionID == actionMove)
	case strings.HasPrefix(act.ActionID, actionMoveTo+":"):
		return true, a.refile(ctx, m, cb, strings.TrimPrefix(act.ActionID, actionMoveTo+":"), act.Value, true)
	case act.ActionID == actionHeldSave:
		return true, a.saveHeld(ctx, m, cb, act.Value)
	case act.ActionID == actionHeldDrop:
		return true, a.dropHeld(ctx, m, cb, act.Value)
	}
	return false, nil
}

// staleButton is the error for a button whose value Ladder cannot read.
func staleButton() error {
	return usagef("That button is out of date. `/ladder evidence` lists your evidence.")
}

func parseID(value string) (int64, error) {
	id, err := strconv.ParseInt(value, 10, 64)
	if err != nil || id <= 0 {
		return 0, staleButton()
	}
	return id, nil
}

// undo deletes the evidence of a confirmation, and says so in its place.
func (a *App) undo(ctx context.Context, m ladder.Member, cb slack.InteractionCallback, value string) error {
	id, err := parseID(value)
	if err != nil {
		return err
	}
	ev, err := a.db.UndoEvidence(ctx, m.UserID, id, a.now())
	switch {
	case errors.Is(err, ladder.ErrNotFound):
		a.updateClicked(ctx, cb, textMessage(goneText))
		return nil
	case err != nil:
		return err
	}
	a.publishHomeLogged(ctx, m.UserID)
	if err := a.updateClicked(ctx, cb, undoneMessage(ev)); err != nil {
		a.postLogged(ctx, m.UserID, "", undoneMessage(ev)) // the member must hear it was undone
	}
	return nil
}

// offerMove turns a confirmation into the Move picker; with move false (Keep
// it in …), turns the picker back into the confirmation.
func (a *App) offerMove(ctx context.Context, m ladder.Member, cb slack.InteractionCallback, value string, move bool) error {
	id, err := parseID(value)
	if err != nil {
		return err
	}
	ev, err := a.db.EvidenceByID(ctx, m.UserID, id)
	msg := textMessage(goneText)
	switch {
	case err != nil && !errors.Is(err, ladder.ErrNotFound):
		return err
	case err != nil:
	case move && ev.Area != "":
		msg = moveMessage(a.ladder, ev)
	default:
		msg = a.confirmation(ctx, m, ev, false)
	}
	a.updateClicked(ctx, cb, msg)
	return nil
}

// refile files evidence under the area a button names (the area picker's
// or, with moved, the Move picker's), and turns the message into the
// confirmation, with its Undo and Move buttons. value is "<evidence
// id>:<area id>"; actionArea, from the button's action_id, must agree with it
// unless empty (buttons posted before each had an action_id of its own).
func (a *App) refile(ctx context.Context, m ladder.Member, cb slack.InteractionCallback, actionArea, value string, moved bool) error {
	idStr, areaStr, _ := strings.Cut(value, ":")
	id, err := parseID(idStr)
	area, ok := a.ladder.Area(ladder.AreaID(areaStr))
	if err != nil || !ok || (actionArea != "" && actionArea != areaStr) {
		return staleButton()
	}
	ev, err := a.db.SetEvidenceArea(ctx, m.UserID, id, area.ID)
	switch {
	case errors.Is(err, ladder.ErrNotFound):
		a.updateClicked(ctx, cb, textMessage(goneText))
		return nil
	case err != nil:
		return err
	}
	a.publishHomeLogged(ctx, m.UserID)
	a.updateClicked(ctx, cb, a.confirmation(ctx, m, ev, moved))
	return nil
}

// saveHeld makes a held short message evidence, and turns the question into
// its confirmation. If that update fails, the confirmation is posted as any
// other is.
func (a *App) saveHeld(ctx context.Context, m ladder.Member, cb slack.InteractionCallback, value string) error {
	id, err := parseID(value)
	if err != nil {
		return err
	}
	ev, created, err := a.db.SaveHeld(ctx, m.UserID, id)
	switch {
	case errors.Is(err, ladder.ErrNotFound):
		a.log.Debug("held message decided already", "user", m.UserID, "id", id)
		return nil // the first press has changed the message
	case errors.Is(err, store.ErrDeleted):
		a.updateClicked(ctx, cb, textMessage(heldGoneText))
		return nil
	case err != nil:
		return err
	}
	if !created {
		return nil
	}
	a.publishHomeLogged(ctx, m.UserID)
	if err := a.updateClicked(ctx, cb, a.confirmation(ctx, m, ev, false)); err != nil {
		a.confirm(ctx, m, ev, false)
		return nil
	}
	if err := a.db.MarkConfirmed(ctx, m.UserID, ev.ID, a.now()); err != nil {
		a.log.Error("mark confirmed", "user", m.UserID, "err", err)
	}
	return nil
}

// dropHeld forgets a held short message, as the member asked.
func (a *App) dropHeld(ctx context.Context, m ladder.Member, cb slack.InteractionCallback, value string) error {
	id, err := parseID(value)
	if err != nil {
		return err
	}
	_, err = a.db.DiscardHeld(ctx, m.UserID, id, a.now())
	switch {
	case errors.Is(err, ladder.ErrNotFound):
		return nil // decided already: the first press has changed the message
	case err != nil:
		return err
	}
	a.updateClicked(ctx, cb, textMessage(heldDroppedText))
	return nil
}

// holdAnswer keeps a short message until the member says whether it is
// evidence, and asks them in its thread.
func (a *App) holdAnswer(ctx context.Context, m ladder.Member, ev ladder.Evidence, thread string) {
	ev.Thread = thread
	held, created, err := a.db.HoldAnswer(ctx, ev)
	switch {
	case errors.Is(err, store.ErrDeleted):
		return
	case err != nil:
		a.metrics.error("answer")
		a.log.Error("hold a short answer", "user", m.UserID, "err", err)
		a.postLogged(ctx, m.UserID, "", Message{ThreadTS: thread,
			Text: "I couldn't keep that message just now, so it is *not* stored. Please send it again later."})
		return
	case !created:
		return // asked already, or saved already
	}
	msg := heldMessage(held)
	msg.ThreadTS = thread
	a.postLogged(ctx, m.UserID, "held:"+idValue(held.ID), msg)
}

// updateClicked replaces the message a button was pressed on with msg. A
// failure is logged here; the caller decides whether the member must still
// hear of it.
func (a *App) updateClicked(ctx context.Context, cb slack.InteractionCallback, msg Message) error {
	opts := []slack.MsgOption{slack.MsgOptionText(msg.Text, false)}
	if len(msg.Blocks) > 0 {
		opts = append(opts, slack.MsgOptionBlocks(msg.Blocks...))
	}
	err := a.call(ctx, "chat.update", func() error {
		_, _, _, err := a.api.UpdateMessageContext(ctx, cb.Container.ChannelID, cb.Container.MessageTs, opts...)
		return err
	})
	if err != nil {
		a.log.Warn("chat.update failed", "err", err)
	}
	return err
}
