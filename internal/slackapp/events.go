package slackapp

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack/slackevents"

	"github.com/ladderapp/ladder/internal/ladder"
	"github.com/ladderapp/ladder/internal/store"
)

// maxEvidenceRunes is Slack's own limit on message text; longer text is stored
// cut to it, and the member is told.
const maxEvidenceRunes = 40000

// linkWindow is how far back a DM answer looks for the prompt it answers.
const linkWindow = 7 * 24 * time.Hour

// slackbotID is the user Slack writes its own messages as, such as the
// tombstone left where a message with thread replies was deleted.
const slackbotID = "USLACKBOT"

// eventUser is the member an event is about, which orders their events in the
// pool. An edit or a deletion names its member in message or, for a tombstone
// (written by Slackbot) and a plain deletion, in previous_message.
func eventUser(data any) string {
	switch e := data.(type) {
	case *slackevents.MessageEvent:
		if e.User != "" {
			return e.User
		}
		if e.Message != nil && e.Message.User != "" && e.Message.User != slackbotID {
			return e.Message.User
		}
		if e.PreviousMessage != nil {
			return e.PreviousMessage.User
		}
		return ""
	case *slackevents.AppHomeOpenedEvent:
		return e.User
	}
	return ""
}

// handleEvent handles one event from the inbox. Slack's retries of an event
// are dropped there, by event_id.
func (a *App) handleEvent(ctx context.Context, inner slackevents.EventsAPIInnerEvent) {
	switch e := inner.Data.(type) {
	case *slackevents.MessageEvent:
		a.onMessage(ctx, e)
	case *slackevents.AppHomeOpenedEvent:
		if e.Tab == "home" || e.Tab == "" {
			a.refreshZone(ctx, e.User)
			a.publishHomeLogged(ctx, e.User)
		}
	case *slackevents.AppUninstalledEvent, *slackevents.TokensRevokedEvent:
		a.onUninstall(ctx, e)
	default:
		a.log.Debug("ignoring event", "type", inner.Type)
	}
}

func (a *App) onMessage(ctx context.Context, e *slackevents.MessageEvent) {
	if e.ChannelType != "" && e.ChannelType != "im" {
		return
	}
	switch e.SubType {
	case "", "file_share", "thread_broadcast":
		if e.BotID != "" || e.User == "" || e.User == a.botUserID {
			return
		}
		a.onAnswer(ctx, e)
	case "message_changed", "message_deleted":
		if m := deletedMessage(e); m != nil {
			a.onDeleted(ctx, *m)
			return
		}
		if e.Message == nil || e.SubType != "message_changed" {
			return
		}
		if e.Message.BotID != "" || e.Message.User == a.botUserID || e.Message.User == slackbotID {
			return // the app's own edits (chat.update), and Slack's
		}
		a.onEdited(ctx, e)
	}
}

// deletedMessage is the message in a DM that an event deletes, or nil if it
// is not a deletion. A member who deletes a message that has thread replies
// (such as Ladder's confirmation) leaves a tombstone in its place, which
// Slack sends as a message_changed.
func deletedMessage(data any) *store.MessageRef {
	e, ok := data.(*slackevents.MessageEvent)
	if !ok || (e.ChannelType != "" && e.ChannelType != "im") {
		return nil
	}
	switch {
	case e.SubType == "message_deleted" && e.DeletedTimeStamp != "":
		return &store.MessageRef{Channel: e.Channel, TS: e.DeletedTimeStamp}
	case e.SubType == "message_changed" && e.Message != nil && e.Message.SubType == "tombstone":
		return &store.MessageRef{Channel: e.Channel, TS: e.Message.Timestamp}
	}
	return nil
}

// onEdited keeps the evidence of an edited message in step with its text. An
// edit that leaves no words keeps the words the evidence had: Ladder keeps
// words, and a file's text removed is not an answer taken back. An edit of a
// message that is not evidence yet is kept, and applied if the message comes
// after it (as Slack's retry of it can).
func (a *App) onEdited(ctx context.Context, e *slackevents.MessageEvent) {
	if strings.TrimSpace(e.Message.Text) == "" {
		a.log.Debug("edit left no words; keeping the evidence as it was", "ts", e.Message.Timestamp)
		return
	}
	text, cut := truncateRunes(unescapeSlack(e.Message.Text))
	user := e.Message.User
	if user == "" && e.PreviousMessage != nil {
		user = e.PreviousMessage.User
	}
	ev, err := a.db.EditMessage(ctx, store.Edit{
		MessageRef: store.MessageRef{Channel: e.Channel, TS: e.Message.Timestamp},
		UserID:     user, Text: text, Truncated: cut, EditTS: e.TimeStamp, At: a.now(),
	})
	if errors.Is(err, ladder.ErrNotFound) {
		// Not evidence (yet); if it is a short message Ladder asked about,
		// the edit applies there.
		if err := a.db.EditHeld(ctx, store.Edit{MessageRef: store.MessageRef{Channel: e.Channel, TS: e.Message.Timestamp},
			UserID: user, Text: text, Truncated: cut, At: a.now()}); err != nil {
			a.log.Error("edit a held message", "err", err)
		}
		return
	}
	if err != nil {
		a.metrics.error("edit")
		a.log.Error("edit evidence", "err", err)
		return
	}
	a.publishHomeLogged(ctx, ev.UserID)
}

// onDeleted removes the evidence of the deleted message, keeps it from being
// stored later, and republishes its owner's Home tab.
func (a *App) onDeleted(ctx context.Context, m store.MessageRef) {
	ev, err := a.db.DeleteMessage(ctx, m, a.now())
	if errors.Is(err, ladder.ErrNotFound) {
		// Not evidence; if it is a short message Ladder asked about, its
		// words go now.
		if err := a.db.DropHeldMessage(ctx, m); err != nil {
			a.log.Error("drop a held message", "err", err)
		}
		return
	}
	if err != nil {
		a.metrics.error("delete")
		a.log.Error("delete evidence", "err", err)
		return
	}
	a.publishHomeLogged(ctx, ev.UserID)
}

func truncateRunes(s string) (string, bool) {
	if utf8.RuneCountInString(s) <= maxEvidenceRunes {
		return s, false
	}
	return string([]rune(s)[:maxEvidenceRunes]), true
}

// onAnswer stores a DM as evidence, then confirms it. The row is committed
// before the confirmation goes out, so a confirmed answer survives a crash.
func (a *App) onAnswer(ctx context.Context, e *slackevents.MessageEvent) {
	m, err := a.db.Member(ctx, e.User)
	if errors.Is(err, ladder.ErrNotEnrolled) {
		a.postLogged(ctx, e.User, "", Message{Text: "Hi! I'm Ladder. Run `/ladder start` to enrol (`/ladder help` says what I do); I'll keep what you write here as evidence once you're enrolled.", ThreadTS: e.TimeStamp})
		return
	}
	if err != nil {
		a.metrics.error("answer")
		a.log.Error("load member", "err", err)
		return
	}
	thread := e.ThreadTimeStamp
	if thread == "" {
		thread = e.TimeStamp
	}
	if strings.TrimSpace(e.Text) == "" {
		a.postLogged(ctx, m.UserID, "", Message{Text: noWords(e), ThreadTS: thread})
		return
	}
	now := a.now()
	var sent store.PromptSent
	found := false
	if e.ThreadTimeStamp != "" {
		sent, err = a.db.PromptByTS(ctx, e.Channel, e.ThreadTimeStamp)
		found = err == nil && sent.UserID == m.UserID
	}
	if !found {
		sent, err = a.db.LatestPrompt(ctx, m.UserID, now.Add(-linkWindow))
		found = err == nil
	}
	ev := ladder.Evidence{UserID: m.UserID, Channel: e.Channel, TS: e.TimeStamp, Created: now}
	ev.Text, ev.Truncated = truncateRunes(unescapeSlack(e.Text))
	if found {
		if p, ok := a.ladder.Prompt(sent.PromptID); ok {
			ev.PromptID, ev.Area = p.ID, p.Area
		}
	}
	if askBeforeSaving(ev.Text, found) { // short.go
		a.holdAnswer(ctx, m, ev, thread)
		return
	}
	a.storeAnswer(ctx, m, ev, thread)
}

// noWords is the reply to a message with no text, such as a file shared on its
// own: Ladder keeps words, so it stores nothing and says what would do.
func noWords(e *slackevents.MessageEvent) string {
	if e.SubType == "file_share" || (e.Message != nil && len(e.Message.Files) > 0) {
		return "Ladder keeps words, not files, so nothing is saved from this one. " +
			"Write a line about it here in the thread (what it is, and what it shows about your work), " +
			"or share it again with a description, and I'll keep that as evidence."
	}
	return "Ladder keeps words, and this message has none, so nothing is saved. " +
		"Write a line or two about what happened and I'll keep it as evidence."
}

// storeAnswer commits evidence and confirms it in thread (or, with no thread,
// in the DM). The row records where its confirmation goes and, once it went,
// when; a crash in between is made good at the next start (confirmMissed).
func (a *App) storeAnswer(ctx context.Context, m ladder.Member, ev ladder.Evidence, thread string) {
	ev.Thread = thread
	stored, created, err := a.db.AddEvidence(ctx, ev)
	if errors.Is(err, store.ErrDeleted) {
		a.log.Debug("message deleted before it was stored; not keeping it", "user", m.UserID, "ts", ev.TS)
		return
	}
	if err != nil {
		a.metrics.error("answer")
		a.log.Error("store evidence", "user", m.UserID, "err", err)
		why := "just now"
		if errors.Is(err, store.ErrUnwritable) {
			why = "because Ladder's database can't be written (read-only or a full disk; your admin will see it in the logs)"
		}
		a.postLogged(ctx, m.UserID, "", Message{ThreadTS: thread,
			Text: "I couldn't save that answer " + why + ", so it is *not* stored. Please send it again later."})
		return
	}
	if !created {
		return // the same message again: already stored and confirmed
	}
	a.confirm(ctx, m, stored, false)
	a.publishHomeLogged(ctx, m.UserID)
}

// confirm queues the message that tells the member their answer is stored,
// naming its area (or asking for one). unsure says a confirmation may have
// gone out before: the queue looks for it in the thread before posting.
func (a *App) confirm(ctx context.Context, m ladder.Member, ev ladder.Evidence, unsure bool) {
	msg := a.confirmation(ctx, m, ev, false) // confirm.go
	msg.ThreadTS = ev.Thread
	// Queueing it marks the answer confirmed, in the same transaction. If
	// the database cannot take it, it is posted at once, and the next start
	// finds it in the thread rather than posting it again.
	a.queueDMLogged(ctx, dm{to: m.UserID, key: confirmKey(ev.ID), about: m.UserID, confirms: ev.ID, msg: msg, unsure: unsure})
}

func (a *App) postLogged(ctx context.Context, userID, key string, msg Message) {
	a.queueDMLogged(ctx, dm{to: userID, key: key, msg: msg})
}
