package slackapp

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/slack-go/slack"

	"github.com/ladderapp/ladder/internal/ladder"
	"github.com/ladderapp/ladder/internal/prompts"
	"github.com/ladderapp/ladder/internal/store"
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
	st, err := a.promptState(ctx, m, r, "")
	if err != nil {
		return view, err
	}
	goals, err := a.db.Goals(ctx, m.UserID)
	if err != nil {
		return view, err
	}
	es, err := a.db.Evidence(ctx, m.UserID, "", 5)
	if err != nil {
		return view, err
	}
	streak, err := a.streak(ctx, m)
	if err != nil {
		return view, err
	}
	bs := homeBlocks(a.ladder, m, r, prompts.Steps(a.ladder, st), goals, es, a.now())
	bs = withStreak(bs, streakText(streak))
	// The current manager's view, beside the areas (calibrate.go).
	withView, err := a.withManagerView(ctx, m, r, Message{Blocks: bs})
	if err != nil {
		return view, err
	}
	bs = withView.Blocks
	if len(bs) > maxViewBlocks {
		bs = bs[:maxViewBlocks]
	}
	view.Blocks.BlockSet = bs
	return view, nil
}

// actionSettings is the action_id of the Home tab's Settings button, which
// opens the settings modal (settings.go).
const actionSettings = "open_settings"

// homeBlocks renders a member's Home tab: what comes next and the main
// buttons, readiness a section per area with the biggest gap and the growth
// goals, the target level behind a button, the member's settings, and their
// latest evidence. now is the app's clock; the member's zone is applied here.
func homeBlocks(l *ladder.Ladder, m ladder.Member, r ladder.Readiness, steps []prompts.Step, goals []store.Goal, es []ladder.Evidence, now time.Time) []slack.Block {
	local := now.In(m.Location())
	bs := []slack.Block{
		slack.NewHeaderBlock(plain(fmt.Sprintf("Toward %s", levelName(l, m.Target)))),
		section(homeNext(m, now)),
	}
	pauseBtn := button(actionPause, "pause", "Pause", "")
	if m.Paused(now) {
		pauseBtn = button(actionResume, "resume", "Resume", "")
	}
	bs = append(bs, slack.NewActionBlock("home_actions",
		button(actionHomeAsk, "answer", "Answer now", slack.StylePrimary), pauseBtn, button(actionExport, "export", "Export", "")))

	bs = append(bs, slack.NewDividerBlock(), section(fmt.Sprintf("*Readiness for %s* · %d of %d areas on track",
		levelName(l, m.Target), r.OnTrack(), len(r.Areas))))
	bs = append(bs, areaBlocks(m, r, local)...)
	if len(steps) > 0 {
		bs = append(bs, textBlocks(biggestGapText(l, m, steps[0]))...)
	}
	if g := goalsText(l, goals, m.Location()); g != "" {
		bs = append(bs, section(g))
	}
	bs = append(bs, slack.NewContextBlock("", mrkdwn(statusLegend(m, r, local))))

	if lv, ok := l.Level(m.Target); ok {
		t := fmt.Sprintf("*Your target: %s*", lv.Title)
		if lv.Summary != "" {
			t += "\n" + lv.Summary
		}
		bs = append(bs, slack.NewDividerBlock(), slack.NewSectionBlock(mrkdwn(t), nil, slack.NewAccessory(expectationsButton(lv))))
	}

	bs = append(bs, slack.NewDividerBlock(),
		slack.NewSectionBlock(mrkdwn("*Your settings*"), settingsFields(l, m, now), slack.NewAccessory(button(actionSettings, "settings", "Settings", ""))),
		slack.NewContextBlock("", mrkdwn(managerStatus(m))))

	bs = append(bs, slack.NewDividerBlock(), section("*Latest evidence*"))
	if len(es) == 0 {
		bs = append(bs, slack.NewContextBlock("", mrkdwn("Nothing yet. Answer a question, or just write to me in the Messages tab.")))
	}
	for _, e := range es {
		bs = append(bs, section(fmt.Sprintf("*%s* · %s\n%s", e.Created.In(m.Location()).Format("2006-01-02"), areaName(l, e.Area), escapeText(excerpt(e.Text, 300)))))
	}
	return bs
}

// homeNext says when the next weekly question comes, or why none will.
func homeNext(m ladder.Member, now time.Time) string {
	switch {
	case m.Paused(now) && m.PausedUntil.Equal(forever):
		return "Paused until you resume."
	case m.Paused(now):
		return "Paused until " + m.PausedUntil.In(m.Location()).Format("Mon 2 Jan") + "."
	case m.Slot.On:
		t := ladder.NextSlot(m.Slot, m.Location(), now)
		return fmt.Sprintf("Next question: *%s* (%s).", t.Format("Mon 2 Jan, 15:04"), zoneName(m))
	}
	return "Weekly questions are off (`/ladder schedule mon 09:30` turns them on)."
}

// settingsFields are the member's settings as the Home tab shows them: level
// and target, track, weekly slot (and pause), and sharing. Who the manager
// is follows them in a line of its own (managerStatus).
func settingsFields(l *ladder.Ladder, m ladder.Member, now time.Time) []*slack.TextBlockObject {
	level := fmt.Sprintf("%s → %s", levelName(l, m.Level), levelName(l, m.Target))
	if !m.LevelSince.IsZero() {
		level += fmt.Sprintf(" (%s since %s)", levelName(l, m.Level), m.LevelSince.Format("2006-01"))
	}
	track := trackName(l, m.Track)
	if t, ok := l.Track(m.Track); ok && t.Name != "" {
		track = fmt.Sprintf("%s: %s", t.ID, t.Name)
	}
	slot := "Off"
	if m.Slot.On {
		slot = fmt.Sprintf("%s (%s)", m.Slot.Display(), zoneName(m))
	}
	switch {
	case m.Paused(now) && m.PausedUntil.Equal(forever):
		slot += " · paused until you resume"
	case m.Paused(now):
		slot += " · paused until " + m.PausedUntil.In(m.Location()).Format("Mon 2 Jan")
	}
	return []*slack.TextBlockObject{
		mrkdwn("*Level → target*\n" + level),
		mrkdwn("*Track*\n" + track),
		mrkdwn("*Weekly question*\n" + slot),
		mrkdwn(fmt.Sprintf("*Sharing with your manager*\n%s: %s", m.Share, shareShort(m.Share))),
	}
}

// shareShort says in a few words what a sharing level shows.
func shareShort(s ladder.Share) string {
	switch s {
	case ladder.ShareFull:
		return "counts, areas, gaps and excerpts of your answers"
	case ladder.ShareSummary:
		return "counts, areas and gaps, never your words"
	}
	return "nothing; you show as not sharing"
}
