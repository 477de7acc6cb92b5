package slackapp

import (
	"encoding/json"
	"regexp"
	"strings"

	"github.com/slack-go/slack"

	"github.com/ladderapp/ladder/internal/ladder"
)

// slackUserID matches a user id as Slack writes one; anything else from a
// payload is not put into mrkdwn as a mention.
var slackUserID = regexp.MustCompile(`^[UW][A-Z0-9]{1,20}$`)

// saveModal is the modal the shortcut opens on src: the message's text to
// edit, the area (suggested, if the words suggest one), a note, and the
// source's link once Slack has given it.
func saveModal(l *ladder.Ladder, src saveSource, suggested ladder.AreaID) slack.ModalViewRequest {
	meta, _ := json.Marshal(src) // the channel, ts, author and link: far below 3,000 characters

	from := "From a message."
	if slackUserID.MatchString(src.Author) {
		from = "From <@" + src.Author + ">'s message."
	}
	from += " What you save is yours: they are not told, and your manager sees only what you share."

	text := slack.NewPlainTextInputBlockElement(plain("What happened, who noticed, what changed"), inputSave)
	text.Multiline, text.MaxLength, text.InitialValue = true, maxInputText, src.Text
	textHint := ""
	if src.Cut {
		textHint = "The message is longer than the 3,000 characters this field holds, so it starts with the first 3,000. Edit it as you like."
	}

	var areas []*slack.OptionBlockObject
	for _, a := range l.Areas {
		areas = append(areas, slack.NewOptionBlockObject(string(a.ID), plain(clip(a.Name, maxOptionText)), nil))
	}
	areaHint := "Suggested from the message's words: change it if it shows another area better."
	if suggested == "" {
		areaHint = "Pick the area this is evidence for."
	}

	note := slack.NewPlainTextInputBlockElement(plain("Your part in it, or why it matters"), inputSave)
	note.Multiline, note.MaxLength = true, maxSaveNote
	noteBlock := input(blockSaveNote, "A note", "Saved below the text.", note)
	noteBlock.Optional = true

	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      callbackSave,
		PrivateMetadata: string(meta),
		Title:           plain("Save to Ladder"),
		Submit:          plain("Save"),
		Close:           plain("Cancel"),
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			slack.NewContextBlock("", mrkdwn(from)),
			input(blockSaveText, "What to keep", textHint, text),
			input(blockSaveArea, "Area", areaHint, selectMenu(inputSave, "Pick an area", areas, string(suggested))),
			noteBlock,
			slack.NewContextBlock(blockSaveSource, mrkdwn(sourceLine(src))),
		}},
	}
}

// sourceLine says where the saved text comes from: the permalink, shown as
// itself (escaped, so it is never a link whose words hide its target), or
// why there is none.
func sourceLine(src saveSource) string {
	switch {
	case src.Link != "":
		return "Source: " + escapeText(src.Link)
	case src.LinkErr != "":
		return "Source: no link, as " + src.LinkErr + ". It is saved without one."
	}
	return "Source: a link to the message is saved with it."
}

// strangerModal tells someone not enrolled how to start: there is no one
// to save the message for yet.
func strangerModal() slack.ModalViewRequest {
	return slack.ModalViewRequest{
		Type:       slack.VTModal,
		CallbackID: callbackSaveStranger,
		Title:      plain("Save to Ladder"),
		Close:      plain("OK"),
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			section("You're not enrolled in Ladder yet, so there is nowhere to save this message. " +
				"Run `/ladder start` in any conversation to enrol, then choose *Save to Ladder* on the message again."),
			slack.NewContextBlock("", mrkdwn("Ladder keeps your evidence for your next promotion. `/ladder help` says what it does.")),
		}},
	}
}

// ownEvidenceLines is evidenceLines for the evidence's own author: each
// piece saved from a message is followed by its source link, shown as
// itself.
func ownEvidenceLines(l *ladder.Ladder, es []ladder.Evidence, width int) string {
	var b strings.Builder
	for _, e := range es {
		b.WriteString(evidenceLines(l, []ladder.Evidence{e}, width))
		if e.Link != "" {
			b.WriteString("\n      source: " + escapeText(e.Link))
		}
		b.WriteString("\n")
	}
	return strings.TrimRight(b.String(), "\n")
}
