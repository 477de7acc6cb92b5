package slackapp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"

	"github.com/slack-go/slack"

	"github.com/ladderapp/ladder/internal/ladder"
)

// This file is the "Save to Ladder" message shortcut (issue 15): on any
// message the member can see, it opens a modal at once, within the trigger's
// 3 seconds, holding the message's text to edit, a suggested area, an
// optional note and the link to the message. Submitting it stores the text
// as the member's evidence with the link. Nobody else is told: not the
// message's author, not the manager beyond what the member shares.

// callbackSaveShortcut is the callback_id of the message shortcut that
// manifest.yaml declares; callbackSave is its modal's.
const (
	callbackSaveShortcut = "save_to_ladder"
	callbackSave         = "save_modal"
	callbackSaveStranger = "save_not_enrolled"

	blockSaveText   = "save_text"
	blockSaveArea   = "save_area"
	blockSaveNote   = "save_note"
	blockSaveSource = "save_source"
	// inputSave is the action id of the input in each block: Slack wants it
	// unique within its block only.
	inputSave = "value"

	// maxInputText is the most a plain_text_input holds (its max_length, at
	// most 3,000 characters), and so the most of a message the modal offers.
	maxInputText = 3000
	// maxSaveNote bounds the note, so that text and note together stay
	// far below maxEvidenceRunes.
	maxSaveNote = 1000
	// evidenceChannelShortcut is the Channel of evidence saved with the
	// shortcut. Its TS is the modal's view id: unique per modal, and the
	// same for a submission Slack sends again. The source message's channel
	// and ts would not do: two members may save the same message.
	evidenceChannelShortcut = "shortcut"
)

// saveSource is the message a shortcut was chosen on, as the modal offers
// it, and where it is: its private_metadata, with the permalink once known.
type saveSource struct {
	Channel string `json:"c"`
	TS      string `json:"t"`
	Author  string `json:"a,omitempty"`
	Link    string `json:"l,omitempty"`
	// LinkErr is why Slack gave no permalink, once it said so.
	LinkErr string `json:"e,omitempty"`
	// Text is what the text field starts with: the message's words as
	// written, cut to maxInputText; Cut says it was cut. Neither goes into
	// private_metadata, which holds at most 3,000 characters.
	Text string `json:"-"`
	Cut  bool   `json:"-"`
}

// onShortcut handles the Save to Ladder shortcut and its modal's submission,
// and reports whether cb was one of them. The shortcut's modal opens on the
// modal path, never behind a member's worker; ctx is the socket's.
func (a *App) onShortcut(ctx context.Context, envelopeID string, cb slack.InteractionCallback) bool {
	switch {
	case cb.Type == slack.InteractionTypeMessageAction && cb.CallbackID == callbackSaveShortcut:
		open := func() { a.runSaveModal(ctx, cb) }
		// With the modal path full, the member's worker may still open it
		// in time; with both full, nothing opens and the member tries again.
		if !a.modals.start(open) && !a.pool.submit(cb.User.ID, func(context.Context) { open() }) {
			a.metrics.error("queue_full")
			a.log.Warn("no room to open the save modal", "user", cb.User.ID)
		}
		a.ack(ctx, envelopeID, nil)
		return true
	case cb.Type == slack.InteractionTypeViewSubmission && cb.View.CallbackID == callbackSave:
		a.onSaveSubmit(ctx, envelopeID, cb)
		return true
	}
	return false
}

// runSaveModal opens the Save modal within the trigger's lifetime, then
// hands the permalink to the member's worker. What goes wrong is told to
// the member from their worker.
func (a *App) runSaveModal(ctx context.Context, cb slack.InteractionCallback) {
	defer func() {
		if r := recover(); r != nil {
			a.pool.panics.Add(1)
			a.log.Error("save modal recovered from a panic", "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
		}
	}()
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), triggerTTL)
	defer cancel()
	user := cb.User.ID
	err := a.openSave(ctx, cb)
	if err == nil {
		return
	}
	msg := a.userError(err, "shortcut")
	if !a.pool.submit(user, func(ctx context.Context) { a.postLogged(ctx, user, "", Message{Text: msg}) }) {
		a.log.Warn("could not tell a member their shortcut failed", "user", user)
	}
}

// openSave opens the Save modal on cb's message, or, for someone not
// enrolled, a modal that says how to start. The only read before views.open
// is the member's row. The permalink is asked for once the modal is open,
// on the member's worker, and shown with views.update.
func (a *App) openSave(ctx context.Context, cb slack.InteractionCallback) error {
	m, err := a.db.Member(ctx, cb.User.ID)
	if errors.Is(err, ladder.ErrNotEnrolled) {
		return a.call(ctx, "views.open", func() error {
			_, err := a.api.OpenViewContext(ctx, cb.TriggerID, strangerModal())
			return err
		})
	}
	if err != nil {
		return err
	}
	src := sourceOf(cb)
	suggested := suggestArea(a.ladder, src.Text)
	var opened *slack.ViewResponse
	err = a.call(ctx, "views.open", func() (err error) {
		opened, err = a.api.OpenViewContext(ctx, cb.TriggerID, saveModal(a.ladder, src, suggested))
		return err
	})
	if err != nil {
		return err
	}
	view := opened.View
	if !a.pool.submit(m.UserID, func(ctx context.Context) { a.linkSave(ctx, view, src, suggested) }) {
		a.log.Info("no room to fetch a permalink now; the submission fetches it", "user", m.UserID)
	}
	return nil
}

// sourceOf reads the shortcut's message: its words as the member would
// type them (Slack escapes &, < and > in a message's text), cut to what the
// text field holds.
func sourceOf(cb slack.InteractionCallback) saveSource {
	src := saveSource{Channel: cb.Channel.ID, TS: cb.Message.Timestamp, Author: cb.Message.User}
	if src.TS == "" {
		src.TS = cb.MessageTs
	}
	text := unescapeSlack(cb.Message.Text)
	if r := []rune(text); len(r) > maxInputText {
		text, src.Cut = string(r[:maxInputText]), true
	}
	src.Text = text
	return src
}

// linkSave asks Slack for the message's permalink and shows it in the open
// modal, keeping what the member has typed (views.update keeps the values
// of inputs whose block and action ids stay the same). A view the member
// has already submitted or closed is left alone.
func (a *App) linkSave(ctx context.Context, view slack.View, src saveSource, suggested ladder.AreaID) {
	src.Link, src.LinkErr = a.permalink(ctx, src)
	err := a.call(ctx, "views.update", func() error {
		_, err := a.api.UpdateViewContext(ctx, saveModal(a.ladder, src, suggested), "", view.Hash, view.ID)
		return err
	})
	if err != nil {
		a.log.Debug("could not show the permalink in the save modal", "view", view.ID, "err", err)
	}
}

// permalink asks Slack for the link to src's message. A message Slack will
// not link (one deleted since, or in a conversation the app cannot see)
// is saved without a link; the reason is returned for the modal to show.
func (a *App) permalink(ctx context.Context, src saveSource) (link, why string) {
	err := a.call(ctx, "chat.getPermalink", func() (err error) {
		link, err = a.api.GetPermalinkContext(ctx, &slack.PermalinkParameters{Channel: src.Channel, Ts: src.TS})
		return err
	})
	if err == nil && link != "" {
		return link, ""
	}
	a.log.Info("no permalink for a saved message", "channel", src.Channel, "err", err)
	var se slack.SlackErrorResponse
	switch {
	case errors.As(err, &se) && se.Err == "message_not_found":
		return "", "the message seems to have been deleted"
	case errors.As(err, &se) && se.Err == "channel_not_found":
		return "", "Ladder can't see that conversation"
	}
	return "", "Slack didn't give one just now"
}

// saveForm is what the member submitted.
type saveForm struct {
	text, note string
	area       ladder.AreaID
}

// onSaveSubmit acks the Save modal: with the form's errors, or empty to
// close it, and then the member's worker stores the evidence.
func (a *App) onSaveSubmit(ctx context.Context, envelopeID string, cb slack.InteractionCallback) {
	form, errs := parseSave(a.ladder, cb.View.State)
	if len(errs) > 0 {
		a.ack(ctx, envelopeID, slack.NewErrorsViewSubmissionResponse(errs))
		return
	}
	if !a.pool.submit(cb.User.ID, func(ctx context.Context) { a.saveFromShortcut(ctx, cb, form) }) {
		a.metrics.error("queue_full")
		a.ack(ctx, envelopeID, slack.NewErrorsViewSubmissionResponse(map[string]string{
			blockSaveText: "Ladder is very busy; please press Save again in a minute.",
		}))
		return
	}
	a.ack(ctx, envelopeID, nil)
}

// parseSave reads the Save modal's inputs, and says what is wrong with them
// by block id.
func parseSave(l *ladder.Ladder, state *slack.ViewState) (saveForm, map[string]string) {
	var values map[string]map[string]slack.BlockAction
	if state != nil {
		values = state.Values
	}
	f := saveForm{
		text: strings.TrimSpace(values[blockSaveText][inputSave].Value),
		note: strings.TrimSpace(values[blockSaveNote][inputSave].Value),
		area: ladder.AreaID(values[blockSaveArea][inputSave].SelectedOption.Value),
	}
	errs := map[string]string{}
	if f.text == "" {
		errs[blockSaveText] = "Write what to keep, or press Cancel."
	}
	if _, ok := l.Area(f.area); !ok {
		errs[blockSaveArea] = "Pick the area this shows."
	}
	return f, errs
}

// saveFromShortcut stores the submitted text, with the note, as the
// member's evidence, dated now, with the source's link, and confirms it in
// their DM as any answer is.
func (a *App) saveFromShortcut(ctx context.Context, cb slack.InteractionCallback, f saveForm) {
	m, err := a.db.Member(ctx, cb.User.ID)
	if err != nil {
		a.postLogged(ctx, cb.User.ID, "", Message{Text: a.userError(err, "shortcut")})
		return
	}
	var src saveSource
	if err := json.Unmarshal([]byte(cb.View.PrivateMetadata), &src); err != nil {
		a.log.Warn("save modal without its source", "view", cb.View.ID, "err", err)
	}
	if src.Link == "" && src.Channel != "" && src.TS != "" {
		src.Link, _ = a.permalink(ctx, src)
	}
	text := f.text
	if f.note != "" {
		text += "\n\nMy note: " + f.note
	}
	ev := ladder.Evidence{UserID: m.UserID, Area: f.area, Channel: evidenceChannelShortcut, TS: cb.View.ID,
		Created: a.now(), Link: src.Link}
	ev.Text, ev.Truncated = truncateRunes(text)
	a.storeAnswer(ctx, m, ev, "")
}
