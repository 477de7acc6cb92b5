package slackapp

import (
	"regexp"
	"strings"
	"unicode"

	"github.com/slack-go/slack"

	"github.com/ladderapp/ladder/internal/ladder"
)

// This file decides which DMs Ladder asks about before it saves them. People
// write "thanks!", "ok" or 👍 to a bot out of habit, and each was being filed
// as evidence, and went into the promotion packet. Such a message is held
// (store.HoldAnswer) and Ladder asks "Save this as evidence?" in its thread;
// nothing is counted until the member answers, and nothing is lost meanwhile.

// A message that answers no prompt is saved without asking when it has at
// least minAnswerWords words, or minAnswerLetters letters and digits in its
// words (a long link pasted alone, a long word). A message that answers a
// prompt (in its thread, or the newest of the past 7 days) is an answer to
// that question, so a short one ("Hired two seniors") is saved as it is.
const (
	minAnswerWords   = 4
	minAnswerLetters = 40
)

// askBeforeSaving reports whether Ladder asks before saving text as evidence.
// It asks when:
//   - the text has no words at all: emoji (👍, :tada:), punctuation, blanks;
//   - every word is small talk (smallTalk): "thanks", "ok cool", "thank you
//     so much", "skip this week";
//   - or, answering no prompt (answersPrompt false), it has fewer than
//     minAnswerWords words and fewer than minAnswerLetters letters and
//     digits in them.
//
// A word is a run of characters between blanks that holds a letter or a
// digit, once Slack's emoji codes (":+1:") are taken out; a mention or a link
// counts as one word.
func askBeforeSaving(text string, answersPrompt bool) bool {
	words := answerWords(text)
	if len(words) == 0 {
		return true
	}
	chat := true
	for _, w := range words {
		if !smallTalk[w] {
			chat = false
			break
		}
	}
	return chat || (!answersPrompt && len(words) < minAnswerWords && letters(words) < minAnswerLetters)
}

// letters counts the letters and digits in words.
func letters(words []string) int {
	n := 0
	for _, w := range words {
		for _, r := range w {
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				n++
			}
		}
	}
	return n
}

// emojiCode is Slack's text form of an emoji, with an optional skin tone:
// ":+1:", ":thumbsup::skin-tone-3:".
var emojiCode = regexp.MustCompile(`:[a-z0-9_+'\-]+:(:skin-tone-[2-6]:)?`)

// answerWords are the words of text, lower-cased, without the punctuation
// around them.
func answerWords(text string) []string {
	text = emojiCode.ReplaceAllString(strings.ToLower(text), " ")
	var words []string
	for _, f := range strings.Fields(text) {
		w := strings.TrimFunc(f, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		if w != "" {
			words = append(words, w)
		}
	}
	return words
}

// smallTalk are the words of acknowledgements and pleasantries: a message
// made of nothing else is not evidence of anything, however long.
var smallTalk = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`
		thanks thank thx thnx thanx ty tysm ta cheers appreciated appreciate you u so much very many a lot
		ok okay okey k kk cool great nice awesome perfect super sure fine alright all right good
		yes yeah yep yup no nope nah got it will do sounds noted np lol haha hah
		hi hello hey bye later maybe not now please pls skip this week one for the question`) {
		m[w] = true
	}
	return m
}()

// Action ids of the buttons under "Save this as evidence?". Their value is the
// held message's id.
const (
	actionHeldSave = "held_save"
	actionHeldDrop = "held_drop"
)

// heldMessage asks whether a short message, held as h, is evidence.
func heldMessage(h ladder.Evidence) Message {
	quote := escapeText(excerpt(h.Text, 200))
	text := "*Save this as evidence?* It's short, so I'm checking before I add it to your record: “" + quote + "”"
	id := idValue(h.ID)
	return Message{
		Text: "Save this as evidence? “" + quote + "”",
		Blocks: []slack.Block{
			section(text),
			slack.NewActionBlock("held_actions",
				button(actionHeldSave, id, "Save", slack.StylePrimary),
				button(actionHeldDrop, id, "Don't save", ""),
			),
			slack.NewContextBlock("", mrkdwn("It isn't counted anywhere until you choose.")),
		},
	}
}

// heldDroppedText replaces the question once the member chose Don't save.
const heldDroppedText = "Not saved. Nothing from that message is kept as evidence."

// heldGoneText replaces the question when its message was deleted meanwhile.
const heldGoneText = "That message was deleted, so there's nothing to save."
