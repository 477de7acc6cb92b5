package slackapp

import (
	"context"
	"errors"
	"fmt"

	"github.com/slack-go/slack"

	"github.com/ladderapp/ladder/internal/ladder"
	"github.com/ladderapp/ladder/internal/prompts"
	"github.com/ladderapp/ladder/internal/store"
)

// actionNotYet is the action_id of a prompt's Not yet button; its value is
// the prompt's id.
const actionNotYet = "not_yet"

// notYet keeps the question a member answered "Not yet" as a growth goal,
// and asks a smaller one. The goal is never evidence: it shows under "Growth
// goals: not yet" in gaps and on the Home tab. A second click, or Slack's
// retry of the first, finds the goal there and does nothing more.
func (a *App) notYet(ctx context.Context, m ladder.Member, cb slack.InteractionCallback, promptID string) error {
	p, ok := a.ladder.Prompt(promptID)
	if !ok {
		return usagef("That question is no longer in the ladder, so there is nothing to keep as a goal. `/ladder prompt` gets you a fresh one.")
	}
	var sentID int64
	if cb.Container.MessageTs != "" {
		sent, err := a.db.PromptByTS(ctx, cb.Container.ChannelID, cb.Container.MessageTs)
		switch {
		case err == nil && sent.UserID == m.UserID:
			sentID = sent.ID
		case err != nil && !errors.Is(err, ladder.ErrNotFound):
			return err
		}
	}
	_, created, err := a.db.AddGoal(ctx, store.Goal{UserID: m.UserID, PromptID: p.ID, Area: p.Area, Created: a.now()}, sentID)
	if err != nil || !created {
		return err
	}
	r, err := a.readiness(ctx, m)
	if err != nil {
		return err
	}
	st, err := a.promptState(ctx, m, r, p.ID)
	if err != nil {
		return err
	}
	goals, err := a.db.Goals(ctx, m.UserID)
	if err != nil {
		return err
	}
	skip := map[string]bool{}
	for _, g := range goals {
		skip[g.PromptID] = true
	}
	smaller, ok := smallerPrompt(a.ladder, st, p, skip)
	if cb.Container.MessageTs != "" {
		a.replaceButtons(ctx, cb, notYetNote(ok))
	}
	if !ok {
		a.publishHomeLogged(ctx, m.UserID)
		return nil
	}
	return a.sendOnDemand(ctx, m, smaller, smallerMessage(a.ladder, m, p, smaller))
}

// notYetNote replaces the buttons of a question answered "Not yet".
func notYetNote(smaller bool) string {
	note := "Not yet — kept as a growth goal. It shows under *Growth goals* in `/ladder gaps` and on your Home tab, and never counts as evidence."
	if smaller {
		return note + " A smaller question follows."
	}
	return note + " `/ladder prompt` asks you another question when you're ready."
}

// smallerPrompt chooses a smaller question than goal, in its area: one from a
// level below the goal's, the nearest first (for a target-level question,
// the member's current level), else another of the goal's own level. Within
// a level it takes a question never sent, else the one sent longest ago, on
// the member's track, and never st.Exclude or one in skip (the goal itself,
// and the member's other growth goals). It reports false when the area has
// nothing else.
func smallerPrompt(l *ladder.Ladder, st prompts.State, goal ladder.Prompt, skip map[string]bool) (ladder.Prompt, bool) {
	st.Exclude = goal.ID
	at := -1
	for i, lv := range l.Levels {
		if lv.ID == goal.Level {
			at = i
		}
	}
	for i := at - 1; i >= 0; i-- {
		if p, ok := longestRested(l.PromptsFor(l.Levels[i].ID, goal.Area), st, skip); ok {
			return p, true
		}
	}
	return longestRested(l.PromptsFor(goal.Level, goal.Area), st, skip)
}

// smallerMessage asks the smaller question: the prompt DM, introduced by the
// goal it leads toward.
func smallerMessage(l *ladder.Ladder, m ladder.Member, goal, smaller ladder.Prompt) Message {
	msg := promptMessage(l, m, smaller, false, false)
	intro := fmt.Sprintf("A smaller step toward your growth goal in %s: “%s”", areaName(l, goal.Area), excerpt(goal.Text, 200))
	msg.Blocks = append([]slack.Block{slack.NewContextBlock("", mrkdwn(intro))}, msg.Blocks...)
	msg.Text = intro + "\n" + msg.Text
	return msg
}
