package slackapp

import (
	"fmt"
	"time"

	"github.com/ladderapp/ladder/internal/ladder"
)

// showSetting is what a settings command typed with no arguments answers:
// the member's current value of the setting name, and how to change it.
func showSetting(l *ladder.Ladder, m ladder.Member, name string, now time.Time) string {
	var cur, change string
	switch name {
	case "level":
		cur = fmt.Sprintf("You're at *%s*, aiming for *%s*.", levelTitle(l, m.Level), levelTitle(l, m.Target))
		if !m.LevelSince.IsZero() {
			cur += fmt.Sprintf(" At your level since %s.", m.LevelSince.Format("2006-01"))
		}
		change = "`/ladder level <current> [target] [since YYYY-MM]`, for example `/ladder level m1 senior em since 2024-03`. Levels: " + levelForms(l) + "."
	case "track":
		cur = fmt.Sprintf("Your track is %s.", trackLabel(l, m.Track))
		if t, ok := l.Track(m.Track); ok && t.Description != "" {
			cur += " " + t.Description
		}
		change = "`/ladder track <track>`, with " + trackForms(l) + "."
	case "schedule":
		if m.Slot.On {
			next := ladder.NextSlot(m.Slot, m.Location(), now).In(m.Location())
			cur = fmt.Sprintf("Your weekly question comes every *%s*, %s. Next: %s.", m.Slot.Display(), zoneName(m), next.Format("Mon 2 Jan, 15:04"))
		} else {
			cur = "Weekly questions are off. `/ladder prompt` asks you one any time."
		}
		if p := pauseStatus(m, now); m.Paused(now) {
			cur += " " + p
		}
		change = "`/ladder schedule <day> <time>`, for example `/ladder schedule mon 09:30`, `/ladder schedule thu 5:30pm` or `/ladder schedule off`."
	case "pause":
		cur = pauseStatus(m, now)
		change = fmt.Sprintf("`/ladder pause <weeks>` (1 to %d: `2`, `2w` or `2 weeks`), `/ladder pause until resume`, or `/ladder resume` to end a pause.", maxPauseWeeks)
	case "manager":
		cur = managerStatus(m)
		change = "`/ladder manager @user`, or `/ladder manager none` for nobody."
	case "share":
		cur = fmt.Sprintf("Sharing is *%s*: %s", m.Share, shareMeaning(m.Share))
		change = "`/ladder share full`, `/ladder share summary` or `/ladder share off`."
	default:
		return "Try `/ladder settings`."
	}
	return cur + "\nTo change it: " + change + " Or `/ladder settings` for all your settings at once."
}

// notEnrolledSetting is what a settings command typed with no arguments
// answers someone not enrolled: that they have no settings, and what
// enrolling would give them.
func notEnrolledSetting(l *ladder.Ladder, defaults ladder.Member) string {
	slot := "off"
	if defaults.Slot.On {
		slot = "every " + defaults.Slot.Display()
	}
	return fmt.Sprintf("You're not enrolled, so you have no settings yet. `/ladder start` enrolls you as *%s* aiming for *%s*, "+
		"with a weekly question %s in your timezone and sharing *%s*; `/ladder settings` lets you choose them first.",
		levelTitle(l, defaults.Level), levelTitle(l, defaults.Target), slot, defaults.Share)
}

// pauseStatus says whether the member is paused at now, and until when.
func pauseStatus(m ladder.Member, now time.Time) string {
	switch {
	case m.Paused(now) && m.PausedUntil.Equal(forever):
		return "Paused until you `/ladder resume`. Paused weeks never count as missed."
	case m.Paused(now):
		return fmt.Sprintf("Paused until %s. Paused weeks never count as missed.", m.PausedUntil.In(m.Location()).Format("Mon 2 Jan"))
	}
	return "Not paused."
}

// levelTitle names a level with its M-number: "Senior EM (M2)".
func levelTitle(l *ladder.Ladder, id ladder.LevelID) string {
	if lv, ok := l.Level(id); ok && lv.M != "" {
		return levelName(l, id) + " (" + lv.M + ")"
	}
	return levelName(l, id)
}
