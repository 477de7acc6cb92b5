package slackapp

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/ladderapp/ladder/internal/ladder"
)

// actionExpectations is the action_id of the Home tab's "What <level>
// expects" button; its value is the level's id. It opens a modal, so it
// takes the modal path (modal.go): views.open comes first, with no read
// before it, since the button names the level.
const actionExpectations = "open_expectations"

// callbackExpectations is the callback_id of the expectations modal, which
// has nothing to submit.
const callbackExpectations = "expectations_modal"

// maxModalTitle is Slack's limit on a modal's title, in characters.
const maxModalTitle = 24

// expectationsButton opens what a level expects.
func expectationsButton(lv ladder.Level) *slack.ButtonBlockElement {
	return button(actionExpectations, string(lv.ID), fmt.Sprintf("What %s expects", levelShort(lv)), "")
}

func levelShort(lv ladder.Level) string {
	if lv.Short != "" {
		return lv.Short
	}
	return string(lv.ID)
}

// expectationsModal shows what a level expects: its summary, then its
// expectations under each dimension.
func expectationsModal(lv ladder.Level) slack.ModalViewRequest {
	title := fmt.Sprintf("What %s expects", levelShort(lv))
	if utf8.RuneCountInString(title) > maxModalTitle {
		title = "Expectations"
	}
	head := "*" + lv.Title + "*"
	if lv.Title == "" {
		head = "*" + levelShort(lv) + "*"
	}
	if lv.Summary != "" {
		head += "\n" + lv.Summary
	}
	blocks := []slack.Block{section(head)}
	for _, d := range ladder.Dimensions {
		var items []string
		for _, e := range lv.Expectations[d] {
			items = append(items, "• "+e.Text)
		}
		if len(items) > 0 {
			blocks = append(blocks, section(fmt.Sprintf("*%s*\n%s", ladder.DimensionName(d), strings.Join(items, "\n"))))
		}
	}
	if len(blocks) == 1 {
		blocks = append(blocks, section("The ladder lists no expectations for this level."))
	}
	blocks = append(blocks, slack.NewContextBlock("", mrkdwn("Your answers are evidence for these. `/ladder gaps` shows which ones your evidence doesn't cover yet.")))
	return slack.ModalViewRequest{
		Type:       slack.VTModal,
		CallbackID: callbackExpectations,
		Title:      plain(title),
		Close:      plain("Close"),
		Blocks:     slack.Blocks{BlockSet: blocks},
	}
}

// openExpectations opens the expectations of the level named by value.
func (a *App) openExpectations(ctx context.Context, triggerID, value string) error {
	lv, ok := a.ladder.Level(ladder.LevelID(value))
	if !ok {
		return usagef("That button is out of date. Your Home tab has a fresh one.")
	}
	return a.call(ctx, "views.open", func() error {
		_, err := a.api.OpenViewContext(ctx, triggerID, expectationsModal(lv))
		return err
	})
}
