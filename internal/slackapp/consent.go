package slackapp

import (
	"context"
	"errors"
	"fmt"

	"github.com/slack-go/slack"

	"github.com/ladderapp/ladder/internal/ladder"
)

// Action ids of the buttons on a manager's consent request. Their value is the
// user id of the member who named the manager.
const (
	actionManagerAccept  = "manager_accept"
	actionManagerDecline = "manager_decline"
)

// consentRequest is the DM that asks a named manager to accept a member's
// digest. Until they press Accept, they get nothing about the member.
func consentRequest(m ladder.Member) Message {
	t := fmt.Sprintf("<@%s> named you as their manager in Ladder, the app that helps managers collect evidence for their growth. "+
		"If you accept, you get a monthly digest about them, which shows what they choose to share (now *%s*), "+
		"and, while they share in full, `/ladder evidence @them`. Nothing about them reaches you until you accept.", m.UserID, m.Share)
	return Message{Text: t, Blocks: []slack.Block{
		section(t),
		slack.NewActionBlock("manager_consent",
			button(actionManagerAccept, m.UserID, "Accept", slack.StylePrimary),
			button(actionManagerDecline, m.UserID, "Decline", slack.StyleDanger)),
	}}
}

// askManager DMs the member's named manager the request to accept.
func (a *App) askManager(ctx context.Context, m ladder.Member) error {
	return a.queueDM(ctx, dm{to: m.Manager, about: m.UserID, msg: consentRequest(m)})
}

// managerStatus says, for the member, who gets their digest.
func managerStatus(m ladder.Member) string {
	switch {
	case m.Manager == "":
		return "No manager named: nobody gets a digest about you. `/ladder manager @user` names one."
	case m.ManagerPending:
		return fmt.Sprintf("Waiting for <@%s> to accept being your manager: until they do, they get no digest and can't see your evidence.", m.Manager)
	}
	return fmt.Sprintf("<@%s> gets your monthly digest, which shows *%s* about you.", m.Manager, m.Share)
}

// nameManager makes manager the member's manager, pending their consent, and
// asks them for it.
func (a *App) nameManager(ctx context.Context, m ladder.Member, manager string) (Message, error) {
	if manager == m.UserID {
		return Message{}, usagef("You can't be your own manager. Usage: `/ladder manager @user`.")
	}
	if manager == m.ManagerDeclined {
		return text("<@%s> declined to receive your digest, so I won't ask them again. `/ladder manager @user` names someone else.", manager), nil
	}
	m, err := a.update(ctx, m.UserID, func(m *ladder.Member) error { m.Manager = manager; return nil })
	if err != nil {
		return Message{}, err
	}
	if !m.ManagerPending {
		return text("%s", managerStatus(m)), nil
	}
	// Asked again while pending, the request goes again: the first may
	// never have arrived.
	if err := a.askManager(ctx, m); err != nil {
		a.log.Error("consent request failed", "user", m.UserID, "manager", manager, "err", err)
		return text("<@%s> is now your manager, waiting for them to accept, but I couldn't send them the request just now. Run `/ladder manager <@%s>` again in a minute.", manager, manager), nil
	}
	return text("Waiting for <@%s> to accept being your manager: I've sent them a request. Until they accept, they get no digest and can't see your evidence; once they do, their digest shows *%s* about you (`/ladder share` changes that).",
		manager, m.Share), nil
}

// onManagerAnswer handles a press of Accept or Decline on a consent request.
// The one who pressed is the manager; the button names the member. A manager
// need not be enrolled.
func (a *App) onManagerAnswer(ctx context.Context, cb slack.InteractionCallback, act *slack.BlockAction) error {
	manager, memberID := cb.User.ID, act.Value
	accept := act.ActionID == actionManagerAccept
	m, err := a.db.AnswerManager(ctx, memberID, manager, accept)
	if errors.Is(err, ladder.ErrNotFound) || errors.Is(err, ladder.ErrNotEnrolled) {
		a.replaceButtons(ctx, cb, fmt.Sprintf("This request is no longer open: <@%s> no longer names you as their manager.", memberID))
		return nil
	}
	if err != nil {
		return err
	}
	if accept {
		a.replaceButtons(ctx, cb, fmt.Sprintf("Accepted: you'll get <@%s>'s monthly digest. `/ladder digest` previews it.", memberID))
		a.postLogged(ctx, memberID, "", text("<@%s> accepted being your manager. %s", manager, managerStatus(m)))
	} else {
		a.replaceButtons(ctx, cb, fmt.Sprintf("Declined: you get nothing about <@%s>, and Ladder won't ask you again for them.", memberID))
		a.postLogged(ctx, memberID, "", text("<@%s> declined to be your manager in Ladder, so nothing about you is shared with them. `/ladder manager @user` names someone else.", manager))
	}
	a.publishHomeLogged(ctx, memberID)
	return nil
}
