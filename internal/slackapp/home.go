package slackapp

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/ladderapp/ladder/internal/ladder"
)

// maxViewBlocks is Slack's limit of blocks in a Home tab.
const maxViewBlocks = 100

// publishHomeLogged publishes a user's Home tab, logging a failure: the Home
// tab is a view of the data, so a failed publish loses nothing.
func (a *App) publishHomeLogged(ctx context.Context, userID string) {
	if err := a.PublishHome(ctx, userID); err != nil {
		a.metrics.error("home")
		a.log.Warn("views.publish failed", "user", userID, "err", err)
	}
}

// PublishHome renders and publishes a user's Home tab.
func (a *App) PublishHome(ctx context.Context, userID string) error {
	view, err := a.homeView(ctx, userID)
	if err != nil {
		return err
	}
	return a.callLater(ctx, "views.publish", func() error {
		_, err := a.api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: userID, View: view})
		return err
	})
}

func (a *App) homeView(ctx context.Context, userID string) (slack.HomeTabViewRequest, error) {
	view := slack.HomeTabViewRequest{Type: slack.VTHomeTab}
	m, err := a.db.Member(ctx, userID)
	if errors.Is(err, ladder.ErrNotEnrolled) {
		view.Blocks.BlockSet = []slack.Block{
			slack.NewHeaderBlock(plain("Ladder")),
			section("One reflection question a week, at a time that suits you, aimed at the thinnest part of your case for the next level. Your answers become dated evidence; `/ladder gaps` shows where you stand, and `/ladder export` turns it into a promotion packet."),
			section("Your answers are yours. Your manager sees only what you choose to share, and admins see counts only."),
			slack.NewActionBlock("home_start", button(actionStart, "start", "Start", slack.StylePrimary)),
		}
		return view, nil
	}
	if err != nil {
		return view, err
	}
	r, err := a.readiness(ctx, m)
	if err != nil {
		return view, err
	}
	now := a.now()
	bs := []slack.Block{
		slack.NewHeaderBlock(plain(fmt.Sprintf("Toward %s", levelName(a.ladder, m.Target)))),
		slack.NewContextBlock("", mrkdwn(fmt.Sprintf("You: *%s* → target *%s* · %s track · %d of %d areas on track",
			levelName(a.ladder, m.Level), levelName(a.ladder, m.Target), m.Track, r.OnTrack(), len(r.Areas)))),
	}
	var bars strings.Builder
	for _, ar := range r.Areas {
		fmt.Fprintf(&bars, "%s  %-8s  %s\n", bar(ar.Score), ar.Status, ar.Area.Name)
	}
	bs = append(bs, section("*Readiness*\n```\n"+strings.TrimRight(bars.String(), "\n")+"\n```"))

	next := "Weekly questions are off (`/ladder schedule mon 09:30` turns them on)."
	switch {
	case m.Paused(now) && m.PausedUntil.Equal(forever):
		next = "Paused until you resume."
	case m.Paused(now):
		next = "Paused until " + m.PausedUntil.In(m.Location()).Format("Mon 2 Jan") + "."
	case m.Slot.On:
		t := ladder.NextSlot(m.Slot, m.Location(), now)
		next = fmt.Sprintf("Next question: *%s* (%s).", t.Format("Mon 2 Jan, 15:04"), zoneName(m))
	}
	bs = append(bs, section(next), slack.NewContextBlock("", mrkdwn(managerStatus(m))))

	pauseBtn := button(actionPause, "pause", "Pause", "")
	if m.Paused(now) {
		pauseBtn = button(actionResume, "resume", "Resume", "")
	}
	bs = append(bs, slack.NewActionBlock("home_actions",
		button(actionHomeAsk, "answer", "Answer now", slack.StylePrimary), pauseBtn, button(actionExport, "export", "Export", "")))

	es, err := a.db.Evidence(ctx, m.UserID, "", 5)
	if err != nil {
		return view, err
	}
	bs = append(bs, slack.NewDividerBlock(), section("*Latest evidence*"))
	if len(es) == 0 {
		bs = append(bs, slack.NewContextBlock("", mrkdwn("Nothing yet. Answer a question, or just write to me in the Messages tab.")))
	}
	for _, e := range es {
		bs = append(bs, section(fmt.Sprintf("*%s* · %s\n%s", e.Created.Format("2006-01-02"), areaName(a.ladder, e.Area), escapeText(excerpt(e.Text, 300)))))
	}

	if lv, ok := a.ladder.Level(m.Target); ok {
		bs = append(bs, slack.NewDividerBlock(), section(fmt.Sprintf("*What %s expects*", lv.Title)))
		if lv.Summary != "" {
			bs = append(bs, slack.NewContextBlock("", mrkdwn(lv.Summary)))
		}
		for _, d := range ladder.Dimensions {
			var items []string
			for _, e := range lv.Expectations[d] {
				items = append(items, e.Text)
			}
			if len(items) == 0 {
				continue
			}
			bs = append(bs, section(fmt.Sprintf("*%s*\n• %s", ladder.DimensionName(d), strings.Join(items, "\n• "))))
		}
	}
	if len(bs) > maxViewBlocks {
		bs = bs[:maxViewBlocks]
	}
	view.Blocks.BlockSet = bs
	return view, nil
}
