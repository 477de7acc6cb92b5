package slackapp

import (
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/ladderapp/ladder/internal/ladder"
)

// Action ids of the buttons the app posts. The value of a prompt's buttons is
// the prompt's id; the prompts_sent row is found from the message's ts.
const (
	actionAnswer  = "answer"
	actionSkip    = "skip"
	actionAnother = "another"
	actionArea    = "area" // "area:<area id>", value "<evidence id>:<area id>"; see areaAction
	actionStart   = "start"
	actionPause   = "pause"
	actionResume  = "resume"
	actionExport  = "export"
	actionHomeAsk = "home_answer"

	callbackAnswer = "answer_modal"
	blockAnswer    = "answer"
	inputAnswer    = "text"
)

// maxTextObject is Slack's limit for one text object.
const maxTextObject = 3000

func mrkdwn(s string) *slack.TextBlockObject {
	s, _ = truncate(s, maxTextObject)
	return slack.NewTextBlockObject(slack.MarkdownType, s, false, false)
}

func plain(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, s, true, false)
}

func section(s string) *slack.SectionBlock { return slack.NewSectionBlock(mrkdwn(s), nil, nil) }

func button(action, value, text string, style slack.Style) *slack.ButtonBlockElement {
	b := slack.NewButtonBlockElement(action, value, plain(text))
	if style != "" {
		b.Style = style
	}
	return b
}

// textBlocks splits long mrkdwn into sections of at most one text object each.
func textBlocks(s string) []slack.Block {
	var bs []slack.Block
	for _, c := range chunks(s, maxTextObject) {
		bs = append(bs, section(c))
	}
	return bs
}

// promptMessage is the weekly (or on-demand) reflection DM.
func promptMessage(l *ladder.Ladder, m ladder.Member, p ladder.Prompt, weekly, reminder bool) Message {
	area := areaName(l, p.Area)
	head := "Weekly reflection"
	if !weekly {
		head = "Reflection"
	}
	if reminder {
		head = "A gentle reminder"
	}
	context := fmt.Sprintf("%s · %s · toward %s (%s)", head, area, levelName(l, m.Target), promptAbout(l, m, p))
	value := p.ID
	blocks := []slack.Block{
		slack.NewContextBlock("", mrkdwn(context)),
		section("*" + p.Text + "*"),
	}
	if p.Hint != "" {
		blocks = append(blocks, slack.NewContextBlock("", mrkdwn(p.Hint)))
	}
	if lv, ok := l.Level(p.Level); ok && lv.Focus[p.Area] != "" {
		blocks = append(blocks, slack.NewContextBlock("", mrkdwn(fmt.Sprintf("Why it matters: at %s, %s", lv.Short, lowerFirst(lv.Focus[p.Area])))))
	}
	blocks = append(blocks,
		slack.NewActionBlock("prompt_actions",
			button(actionAnswer, value, "Answer", slack.StylePrimary),
			button(actionSkip, value, skipLabel(weekly), ""),
			button(actionAnother, value, "Another question", ""),
			button(actionNotYet, value, "Not yet", ""),
		),
		slack.NewContextBlock("", mrkdwn("Reply in this thread or just type here — it counts as evidence. *Not yet* keeps the question as a growth goal and asks you a smaller one.")),
	)
	text := context + "\n" + p.Text
	if reminder {
		text = "A gentle reminder: " + p.Text
	}
	return Message{Text: text, Blocks: blocks}
}

// promptAbout says which rung a question is about, in place of the ladder's
// words "stretch" and "excel".
func promptAbout(l *ladder.Ladder, m ladder.Member, p ladder.Prompt) string {
	switch {
	case p.Level == m.Target && m.Target != m.Level:
		return "a question about the next level"
	case p.Level == m.Level:
		return "a question about doing your current level well"
	}
	return "a question about " + levelName(l, p.Level)
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// answerModal is the modal the Answer button opens.
func answerModal(p ladder.Prompt) slack.ModalViewRequest {
	input := slack.NewPlainTextInputBlockElement(plain("What happened, who noticed, what changed"), inputAnswer)
	input.Multiline = true
	input.MaxLength = 3000
	block := slack.NewInputBlock(blockAnswer, plain("Your answer"), nil, input)
	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      callbackAnswer,
		PrivateMetadata: p.ID,
		Title:           plain("Answer"),
		Submit:          plain("Save"),
		Close:           plain("Cancel"),
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			section("*" + p.Text + "*"),
			slack.NewContextBlock("", mrkdwn(p.Hint)),
			block,
		}},
	}
}

// areaAction is the action_id of the area picker's button for area. Slack
// wants each action_id unique within its block and rejects the whole message
// (invalid_blocks) when one repeats, so each button names its area.
func areaAction(area ladder.AreaID) string { return actionArea + ":" + string(area) }

// areaPicker asks which area unprompted evidence belongs to.
func areaPicker(l *ladder.Ladder, evidenceID int64) Message {
	var els []slack.BlockElement
	for _, a := range l.Areas {
		els = append(els, button(areaAction(a.ID), fmt.Sprintf("%d:%s", evidenceID, a.ID), a.Name, ""))
	}
	text := "Saved. Which area does this belong to?"
	return Message{Text: text, Blocks: []slack.Block{section(text), slack.NewActionBlock("area_picker", els...)}}
}

// welcomeMessage is the DM a new member gets.
func welcomeMessage(l *ladder.Ladder, m ladder.Member, reminderAfter time.Duration) Message {
	slot := "off"
	if m.Slot.On {
		slot = fmt.Sprintf("every %s (%s)", m.Slot.Display(), zoneName(m))
	}
	text := fmt.Sprintf(`*Welcome to Ladder.* I'll help you build the case for *%s*, one reflection at a time.
• *What happens:* one question a week, %s, aimed at the area where your evidence is thinnest. Answer in the thread, as a plain message here, or with the Answer button. Each answer is saved as dated evidence. If a question goes unanswered I'll remind you once, after %s, and never again.
• *Who sees what:* your answers are yours. Your manager (set with `+"`/ladder manager @user`"+`) gets a monthly digest that shows *%s* about you: `+"`full`"+` includes excerpts of your answers, `+"`summary`"+` only counts, areas and gaps, `+"`off`"+` nothing. Admins see counts only.
• *Your settings:* level %s → target %s (`+"`/ladder level`"+`), slot `+"`/ladder schedule`"+`, sharing `+"`/ladder share`"+`.
• *Pause or leave:* `+"`/ladder pause [weeks]`"+` for holidays (paused weeks never count as missed), `+"`/ladder forget`"+` deletes everything.
Try `+"`/ladder gaps`"+` to see where you stand, or `+"`/ladder prompt`"+` for a first question now.`,
		levelName(l, m.Target), slot, humanDuration(reminderAfter), m.Share, levelName(l, m.Level), levelName(l, m.Target))
	return Message{Text: text, Blocks: textBlocks(text)}
}

func zoneName(m ladder.Member) string {
	if m.TZ == "" {
		return "UTC until Slack tells me your timezone"
	}
	return "your time, " + m.TZ
}

func humanDuration(d time.Duration) string {
	if d%(24*time.Hour) == 0 && d > 0 {
		return ladder.Plural(int(d/(24*time.Hour)), "day")
	}
	if d%time.Hour == 0 && d > 0 {
		return ladder.Plural(int(d/time.Hour), "hour")
	}
	return d.String()
}

const helpText = "*Ladder* — weekly reflections that build your case for the next level. A settings command typed alone shows its value.\n" +
	"• `/ladder gaps` — readiness for your target level, area by area, and the next step\n" +
	"• `/ladder prompt` — a reflection question now, aimed at your biggest gap\n" +
	"• `/ladder evidence [area]` — your latest evidence, optionally for one area\n" +
	"• `/ladder evidence @user` — a report's evidence (their manager only, while they share `full`)\n" +
	"• `/ladder settings` — all your settings in one form; `/ladder start` enrolls you with the defaults\n" +
	"• `/ladder level <current> [target] [since YYYY-MM]` — set your level and target\n" +
	"• `/ladder track broad|deep` — manager of managers, or deep-technical manager\n" +
	"• `/ladder schedule <day> <time>` (`mon 09:30`, `thu 5:30pm`) or `/ladder schedule off` — your weekly slot, in your timezone\n" +
	"• `/ladder pause <weeks>` (`2`, `2w`, `2 weeks`), `/ladder pause until resume`, `/ladder resume` — stop prompts for a while\n" +
	"• `/ladder manager @user` — asks that person to receive your monthly digest; nothing reaches them until they accept (`none` for nobody)\n" +
	"• `/ladder share full|summary|off` — what that digest shows of you\n" +
	"• `/ladder digest` — preview this month's digest about your reports\n" +
	"• `/ladder 1on1` — what to bring to your manager; `/ladder 1on1 @user` — an agenda for a 1:1 with a report (their manager only, while they share `full` or `summary`)\n" +
	"• `/ladder export` — your evidence as a Markdown promotion packet\n" +
	"• `/ladder forget` — delete all your data (asks to confirm)\n" +
	"• `/ladder admin enroll @a @b…`, `/ladder admin stats`, `/ladder admin digest send`, `/ladder admin audit` — admins only"
