package slackapp

import (
	"time"

	"github.com/ladderapp/ladder/internal/ladder"
)

// Skip does different things to the two kinds of prompt, and its button and
// reply say which. A weekly prompt's skip marks that week skipped: its one
// reminder never comes, and the manager's digest counts the week as skipped
// rather than unanswered. A question asked for on demand (/ladder prompt,
// Another question) has no reminder and is no week's question, so skipping it
// records nothing; the weekly question comes at the slot all the same.

// skipLabel is the text of a prompt's skip button.
func skipLabel(weekly bool) string {
	if weekly {
		return "Skip this week"
	}
	return "Skip this one"
}

// skipNote is what a prompt says once skipped: what the skip did, and when
// the next weekly question comes.
func skipNote(m ladder.Member, weekly bool, now time.Time) string {
	if weekly {
		return "Skipped this week's question: no reminder will follow, and the week counts as skipped, not missed. " + nextQuestion(m, now)
	}
	return "Skipped this one. It was an extra question, so nothing is recorded and no reminder follows. " + nextQuestion(m, now)
}

// nextQuestion says when m's next weekly question comes, if one does.
func nextQuestion(m ladder.Member, now time.Time) string {
	switch {
	case m.Paused(now) && m.PausedUntil.Equal(forever):
		return "Weekly questions are paused until you `/ladder resume`."
	case m.Paused(now):
		return "Weekly questions are paused until " + m.PausedUntil.In(m.Location()).Format("Mon 2 Jan") + "."
	case !m.Slot.On:
		return "Weekly questions are off; `/ladder prompt` asks one any time."
	}
	t := ladder.NextSlot(m.Slot, m.Location(), now)
	return "Your next weekly question comes " + t.Format("Mon 2 Jan at 15:04") + " (your time)."
}
