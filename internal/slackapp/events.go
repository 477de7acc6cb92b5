package slackapp

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"github.com/ladderapp/ladder/internal/ladder"
	"github.com/ladderapp/ladder/internal/store"
)

// maxEvidenceRunes is Slack's own limit on message text; longer text is stored
// cut to it, and the member is told.
const maxEvidenceRunes = 40000

// linkWindow is how far back a DM answer looks for the prompt it answers.
const linkWindow = 7 * 24 * time.Hour

// onEventsAPI queues an Events API envelope and acks it. If the pool is full it
// does not ack, so that Slack sends the event again later rather than it being
// lost.
func (a *App) onEventsAPI(evt socketmode.Event) {
	ev, ok := evt.Data.(slackevents.EventsAPIEvent)
	if !ok || evt.Request == nil {
		return
	}
	eventID := ""
	if cb, ok := ev.Data.(*slackevents.EventsAPICallbackEvent); ok {
		eventID = cb.EventID
	}
	key := eventUser(ev.InnerEvent.Data)
	if !a.pool.submit(key, func(ctx context.Context) { a.handleEvent(ctx, eventID, ev.InnerEvent) }) {
		a.metrics.error("queue_full")
		a.log.Warn("work queue full: leaving the event unacked so Slack retries it", "event_id", eventID)
		return
	}
	a.ack(evt.Request.EnvelopeID, nil)
}

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

func (a *App) handleEvent(ctx context.Context, eventID string, inner slackevents.EventsAPIInnerEvent) {
	if eventID != "" {
		first, err := a.db.SeenEvent(ctx, eventID, a.now())
		if err != nil {
			a.metrics.error("dedupe")
			a.log.Error("dedupe failed; handling the event anyway", "event_id", eventID, "err", err)
		} else if !first {
			a.metrics.envelope("duplicate")
			a.log.Debug("duplicate event ignored", "event_id", eventID)
			return
		}
	}
	switch e := inner.Data.(type) {
	case *slackevents.MessageEvent:
		a.onMessage(ctx, e)
	case *slackevents.AppHomeOpenedEvent:
		if e.Tab == "home" || e.Tab == "" {
			a.refreshZone(ctx, e.User)
			a.publishHomeLogged(ctx, e.User)
		}
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
	case "message_changed":
		if e.Message == nil {
			return
		}
		if e.Message.SubType == "tombstone" {
			// The member deleted a message that has thread replies (such as
			// Ladder's confirmation): Slack leaves a tombstone in its place.
			a.onDeleted(ctx, e.Channel, e.Message.Timestamp)
			return
		}
		if e.Message.BotID != "" || e.Message.User == a.botUserID || e.Message.User == slackbotID {
			return // the app's own edits (chat.update), and Slack's
		}
		a.onEdited(ctx, e)
	case "message_deleted":
		a.onDeleted(ctx, e.Channel, e.DeletedTimeStamp)
	}
}

// onEdited keeps the evidence of an edited message in step with its text. An
// edit that leaves no words keeps the words the evidence had: Ladder keeps
// words, and a file's text removed is not an answer taken back.
func (a *App) onEdited(ctx context.Context, e *slackevents.MessageEvent) {
	if strings.TrimSpace(e.Message.Text) == "" {
		a.log.Debug("edit left no words; keeping the evidence as it was", "ts", e.Message.Timestamp)
		return
	}
	text, cut := truncateRunes(unescapeSlack(e.Message.Text))
	ev, err := a.db.EditEvidence(ctx, e.Channel, e.Message.Timestamp, text, cut, a.now())
	if errors.Is(err, ladder.ErrNotFound) {
		return // an edit of a message that is not evidence
	}
	if err != nil {
		a.metrics.error("edit")
		a.log.Error("edit evidence", "err", err)
		return
	}
	a.publishHomeLogged(ctx, ev.UserID)
}

// onDeleted removes the evidence of the deleted message ts and republishes its
// owner's Home tab.
func (a *App) onDeleted(ctx context.Context, channel, ts string) {
	ev, err := a.db.DeleteEvidence(ctx, channel, ts)
	if errors.Is(err, ladder.ErrNotFound) {
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
		a.postLogged(ctx, e.User, "", Message{Text: "Hi! I'm Ladder. Run `/ladder help` to get started; I'll keep what you write here as evidence once you're enrolled.", ThreadTS: e.TimeStamp})
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
	a.confirm(ctx, m, stored)
	a.publishHomeLogged(ctx, m.UserID)
}

// confirm tells the member their answer is stored, naming its area (or asking
// for one), and records that it did.
func (a *App) confirm(ctx context.Context, m ladder.Member, ev ladder.Evidence) {
	var msg Message
	if ev.Area == "" {
		msg = areaPicker(a.ladder, ev.ID)
	} else {
		msg = Message{Text: a.savedText(ctx, m, ev.Area)}
	}
	if ev.Truncated {
		note := fmt.Sprintf("It was longer than Slack's %d characters, so I kept the first %d.", maxEvidenceRunes, maxEvidenceRunes)
		msg.Text += "\n" + note
		if len(msg.Blocks) > 0 {
			msg.Blocks = append(msg.Blocks, section("_"+note+"_"))
		}
	}
	msg.ThreadTS = ev.Thread
	if _, _, err := a.postDM(ctx, m.UserID, confirmKey(ev.ID), msg); err != nil {
		a.metrics.error("post")
		a.log.Error("confirmation failed; it is retried at the next start", "user", m.UserID, "err", err)
		return
	}
	if err := a.db.MarkConfirmed(ctx, m.UserID, ev.ID, a.now()); err != nil {
		a.log.Error("mark confirmed", "user", m.UserID, "err", err)
	}
}

// savedText is the confirmation for an answer filed under area.
func (a *App) savedText(ctx context.Context, m ladder.Member, area ladder.AreaID) string {
	week := ladder.WeekOf(a.now().In(m.Location())).Week
	t := fmt.Sprintf("Saved to %s (week %d).", areaName(a.ladder, area), week)
	if r, err := a.readiness(ctx, m); err == nil {
		if ar, ok := r.ForArea(area); ok {
			t += fmt.Sprintf(" That area now has evidence in %d of the last %d weeks.", ar.Weeks, r.Window)
		}
	}
	return t
}

func (a *App) postLogged(ctx context.Context, userID, key string, msg Message) {
	if _, _, err := a.postDM(ctx, userID, key, msg); err != nil {
		a.metrics.error("post")
		a.log.Error("post failed", "user", userID, "err", err)
	}
}
