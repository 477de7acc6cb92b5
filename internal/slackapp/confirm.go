package slackapp

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/slack-go/slack"

	"github.com/ladderapp/ladder/internal/ladder"
)

// This file builds the confirmation of a piece of evidence, and the messages
// its buttons turn it into. Every confirmation carries Undo and Move to
// another area (undo.go handles them); none of these functions sends
// anything.

// Action ids of a confirmation's buttons, and of the Move picker's. The value
// of each is the evidence id, except move_to's: "<evidence id>:<area id>".
const (
	actionUndo     = "undo"
	actionMove     = "move"
	actionMoveTo   = "move_to" // "move_to:<area id>", like the area picker's
	actionMoveKeep = "move_keep"
)

func idValue(id int64) string { return strconv.FormatInt(id, 10) }

// confirmMessage is the confirmation of ev, filed (or, with moved, moved) under
// its area: the area, the week, how many weeks that area now has evidence in,
// and the Undo and Move buttons. r is the member's readiness with ev counted;
// a zero r leaves the count out. Unfiled evidence gets the area picker, with
// Undo. The caller sets ThreadTS.
func confirmMessage(l *ladder.Ladder, m ladder.Member, ev ladder.Evidence, r ladder.Readiness, now time.Time, moved bool) Message {
	var msg Message
	if ev.Area == "" {
		msg = areaPicker(l, ev.ID)
		msg.Blocks = append(msg.Blocks, slack.NewActionBlock("evidence_actions", button(actionUndo, idValue(ev.ID), "Undo", "")))
	} else {
		t := savedSentence(l, m, ev, r, now, moved)
		msg = Message{Text: t, Blocks: []slack.Block{
			section(t),
			slack.NewActionBlock("evidence_actions",
				button(actionUndo, idValue(ev.ID), "Undo", ""),
				button(actionMove, idValue(ev.ID), "Move to another area", ""),
			),
		}}
	}
	if ev.Truncated {
		note := fmt.Sprintf("It was longer than Slack's %d characters, so I kept the first %d.", maxEvidenceRunes, maxEvidenceRunes)
		msg.Text += "\n" + note
		msg.Blocks = append(msg.Blocks, slack.NewContextBlock("", mrkdwn("_"+note+"_")))
	}
	return msg
}

// savedSentence says where ev is filed and what that did for its area: "Saved
// to People management (week 47). That area now has evidence in 3 of the
// last 26 weeks." A member with Ladder for fewer weeks than the window hears
// of their own weeks instead, never of weeks before they joined.
func savedSentence(l *ladder.Ladder, m ladder.Member, ev ladder.Evidence, r ladder.Readiness, now time.Time, moved bool) string {
	at := ev.Created
	if at.IsZero() {
		at = now
	}
	verb := "Saved to"
	if moved {
		verb = "Moved to"
	}
	t := fmt.Sprintf("%s %s (week %d).", verb, areaName(l, ev.Area), ladder.WeekOf(at.In(m.Location())).Week)
	ar, ok := r.ForArea(ev.Area)
	if !ok || r.Window == 0 {
		return t
	}
	return t + " " + areaWeeks(ar.Weeks, r.Window, ladder.WeeksEnrolled(m, now, r.Window))
}

// areaWeeks says in how many weeks an area has evidence: of the readiness
// window's, or, for a member enrolled fewer weeks than that, of theirs.
func areaWeeks(weeks, window, enrolled int) string {
	switch {
	case enrolled >= window:
		return fmt.Sprintf("That area now has evidence in %d of the last %d weeks.", weeks, window)
	case enrolled == 1 && weeks >= 1:
		return "That area now has evidence in your first week with Ladder."
	}
	return fmt.Sprintf("That area now has evidence in %d of your %d weeks with Ladder.", min(weeks, enrolled), enrolled)
}

// confirmation is confirmMessage for m's evidence ev as it stands now. If
// readiness cannot be read, the confirmation goes without its count.
func (a *App) confirmation(ctx context.Context, m ladder.Member, ev ladder.Evidence, moved bool) Message {
	r, err := a.readiness(ctx, m)
	if err != nil {
		a.log.Warn("readiness for a confirmation", "user", m.UserID, "err", err)
		r = ladder.Readiness{}
	}
	return confirmMessage(a.ladder, m, ev, r, a.now(), moved)
}

// moveMessage offers the areas ev could move to, and a button to keep it
// where it is.
func moveMessage(l *ladder.Ladder, ev ladder.Evidence) Message {
	var els []slack.BlockElement
	for _, ar := range l.Areas {
		if ar.ID == ev.Area {
			continue
		}
		els = append(els, button(actionMoveTo+":"+string(ar.ID), fmt.Sprintf("%d:%s", ev.ID, ar.ID), ar.Name, ""))
	}
	els = append(els, button(actionMoveKeep, idValue(ev.ID), "Keep it in "+areaShort(l, ev.Area), ""))
	t := fmt.Sprintf("Move this answer to which area? It's under *%s* now.", areaName(l, ev.Area))
	return Message{Text: t, Blocks: []slack.Block{
		section(t),
		slack.NewContextBlock("", mrkdwn("“"+escapeText(excerpt(ev.Text, 150))+"”")),
		slack.NewActionBlock("move_picker", els...),
	}}
}

// areaShort is an area's short name, for tight places such as a button.
func areaShort(l *ladder.Ladder, id ladder.AreaID) string {
	if a, ok := l.Area(id); ok && a.Short != "" {
		return a.Short
	}
	return areaName(l, id)
}

// undoneMessage replaces a confirmation whose evidence the member undid.
func undoneMessage(ev ladder.Evidence) Message {
	t := "Undone. “" + escapeText(excerpt(ev.Text, 150)) + "” is no longer saved as evidence: it won't count toward readiness or appear in your export."
	return Message{Text: t, Blocks: []slack.Block{section(t)}}
}

// goneText replaces a confirmation whose evidence is gone already: undone by
// an earlier press, or deleted with its message.
const goneText = "That answer is no longer saved as evidence (it was undone, or its message deleted), so there's nothing to change."

// textMessage is a message of text alone, as one section: a chat.update
// that gives its blocks removes the buttons the message had.
func textMessage(t string) Message { return Message{Text: t, Blocks: []slack.Block{section(t)}} }
