package slackapp

import (
	"context"
	"fmt"

	"github.com/slack-go/slack"

	"github.com/ladderapp/ladder/internal/ladder"
	"github.com/ladderapp/ladder/internal/prompts"
	"github.com/ladderapp/ladder/internal/store"
)

// actionAskArea is the action_id prefix of an area's "Ask me about this"
// button in gaps and on the Home tab: "ask_area:<area id>", with the area id
// as its value. Each button names its area, so that two of them never share
// an action_id, whatever block they end up in.
const actionAskArea = "ask_area"

func askAction(area ladder.AreaID) string { return actionAskArea + ":" + string(area) }

func askButton(area ladder.AreaID) *slack.ButtonBlockElement {
	return button(askAction(area), string(area), "Ask me about this", "")
}

// askArea sends the member a question in one area now, on demand, as
// /ladder prompt does for the biggest gap.
func (a *App) askArea(ctx context.Context, m ladder.Member, id string) error {
	area, ok := a.ladder.Area(ladder.AreaID(id))
	if !ok {
		return usagef("That button is out of date. `/ladder gaps` shows your areas with fresh buttons.")
	}
	r, err := a.readiness(ctx, m)
	if err != nil {
		return err
	}
	st, err := a.promptState(ctx, m, r, "")
	if err != nil {
		return err
	}
	p, ok := promptIn(a.ladder, st, area.ID)
	if !ok {
		return usagef("The ladder has no question about %s for your levels. `/ladder prompt` asks about your biggest gap.", area.Name)
	}
	return a.sendOnDemand(ctx, m, p, promptMessage(a.ladder, m, p, false, false))
}

// promptIn chooses a question in one area: the one prompts.Next chooses when
// only that area ranks, as prompts.Steps does, so the chooser's rules hold
// (never-asked first, the most uncovered expectations). When Next would ask
// elsewhere, because every question of the area was asked recently, it is
// the area's question asked longest ago: target level first, then current.
func promptIn(l *ladder.Ladder, st prompts.State, area ladder.AreaID) (ladder.Prompt, bool) {
	if ar, ok := st.Readiness.ForArea(area); ok {
		one := st
		one.Readiness.Areas = []ladder.AreaReadiness{ar}
		if p, err := prompts.Next(l, one); err == nil && p.Area == area {
			return p, true
		}
	}
	for _, level := range []ladder.LevelID{st.Member.Target, st.Member.Level} {
		if p, ok := longestRested(l.PromptsFor(level, area), st, nil); ok {
			return p, true
		}
	}
	return ladder.Prompt{}, false
}

// longestRested returns the prompt of ps on the member's track, not in skip
// and not st.Exclude, that was never sent (the first in file order) or else
// was sent longest ago.
func longestRested(ps []ladder.Prompt, st prompts.State, skip map[string]bool) (ladder.Prompt, bool) {
	last := map[string]int64{}
	for _, s := range st.Sent {
		if t := s.At.UnixMilli(); t > last[s.PromptID] {
			last[s.PromptID] = t
		}
	}
	var best ladder.Prompt
	found := false
	for _, p := range ps {
		if !p.ForTrack(st.Member.Track) || p.ID == st.Exclude || skip[p.ID] {
			continue
		}
		if !found || last[p.ID] < last[best.ID] {
			best, found = p, true
		}
	}
	return best, found
}

// sendOnDemand records p as a question asked now and queues msg, which asks
// it, for the member's DM: recorded first, so that an answer links to it;
// posting it records its message there (store.CompleteOutbox).
func (a *App) sendOnDemand(ctx context.Context, m ladder.Member, p ladder.Prompt, msg Message) error {
	now := a.now()
	sent, _, err := a.db.RecordPrompt(ctx, store.PromptSent{
		UserID: m.UserID, PromptID: p.ID, Week: ladder.WeekOf(now.In(m.Location())), Created: now,
	})
	if err != nil {
		return err
	}
	return a.queueDM(ctx, dm{to: m.UserID, key: fmt.Sprintf("ondemand:%d", sent.ID), about: m.UserID, question: sent.ID, msg: msg})
}
