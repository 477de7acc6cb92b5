package schedule

import (
	"fmt"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/ladderapp/ladder/internal/ladder"
	"github.com/ladderapp/ladder/internal/store"
)

// postMethod is the Web API method every outbox row is sent with.
const postMethod = "chat.postMessage"

// WeekSlot returns the time of the slot in the ISO week that contains now in
// loc, and that week. The slot is the weekday at its wall-clock time, as
// ladder.NextSlot computes it: 09:30 is 09:30 local on either side of a clock
// change; a time the change skips is moved by time.Date (02:30 becomes 03:30
// in Berlin, 01:30 in New York), and a time that happens twice is taken once.
// It returns false for a slot that is off, or that a clock change pushes out
// of the week.
func WeekSlot(s ladder.Slot, loc *time.Location, now time.Time) (time.Time, ladder.Week, bool) {
	if !s.On {
		return time.Time{}, ladder.Week{}, false
	}
	local := now.In(loc)
	week := ladder.WeekOf(local)
	monday := time.Date(local.Year(), local.Month(), local.Day()-(int(local.Weekday())+6)%7, 0, 0, 0, 0, loc)
	// A day before Monday, in case a clock change at midnight moves Monday's
	// start back into Sunday; the loop then skips last week's slot.
	t := monday.AddDate(0, 0, -1)
	for range 3 {
		t = ladder.NextSlot(s, loc, t)
		switch w := ladder.WeekOf(t.In(loc)); {
		case w == week:
			return t, week, true
		case weekAfter(w, week):
			return time.Time{}, ladder.Week{}, false
		}
	}
	return time.Time{}, ladder.Week{}, false
}

func weekAfter(a, b ladder.Week) bool {
	return a.Year > b.Year || (a.Year == b.Year && a.Week > b.Week)
}

// weeklyDue reports whether m's weekly prompt of the current week (in m's
// zone) is due at now, and returns its slot and week. It is due from the slot
// until catchUp after it, within the same week, unless m was paused at the
// slot or is paused now (a paused week is never missed, and never made up
// later), or enrolled after the slot.
func weeklyDue(m ladder.Member, now time.Time, catchUp time.Duration) (time.Time, ladder.Week, bool) {
	if m.Paused(now) {
		return time.Time{}, ladder.Week{}, false
	}
	slot, week, ok := WeekSlot(m.Slot, m.Location(), now)
	if !ok || slot.After(now) || now.Sub(slot) > catchUp || m.Paused(slot) || slot.Before(m.EnrolledAt) {
		return time.Time{}, ladder.Week{}, false
	}
	return slot, week, true
}

// promptItem is the outbox row of m's weekly prompt of week.
func promptItem(m ladder.Member, week ladder.Week, slot, now time.Time, catchUp time.Duration) store.OutboxItem {
	return store.OutboxItem{
		Key: fmt.Sprintf("prompt:%s:%s", m.UserID, week), Kind: store.OutboxPrompt, Method: postMethod,
		UserID: m.UserID, Period: week.String(), TZ: m.Location().String(),
		DueAt: slot, ExpiresAt: slot.Add(catchUp), Created: now,
	}
}

// reminderItem is the outbox row of the one reminder of prompt p.
func reminderItem(p store.PromptSent, after, catchUp time.Duration, now time.Time) store.OutboxItem {
	due := p.Created.Add(after)
	return store.OutboxItem{
		Key: fmt.Sprintf("reminder:%d", p.ID), Kind: store.OutboxReminder, Method: postMethod,
		UserID: p.UserID, PromptRef: p.ID, Period: p.Week.String(),
		DueAt: due, ExpiresAt: due.Add(catchUp), Created: now,
	}
}

// remindable reports whether prompt p may get its reminder: a weekly prompt
// whose member is enrolled and was not paused at any time since it went out.
// A pause still on, or over but not ended early, leaves PausedUntil after the
// prompt; a pause ended by resume leaves PausedUntil zero, and the store
// records the week as paused instead, so EnqueueReminder refuses it.
func remindable(p store.PromptSent, m ladder.Member, ok bool, now time.Time) bool {
	return ok && p.Weekly && !m.Paused(now) && !m.PausedUntil.After(p.Created)
}

// DigestFire returns when sched last fired in loc between from (exclusive)
// and now (inclusive), preferring the current calendar month in loc: at most
// one firing counts per tick, so a spec that fires every minute still yields
// one digest, for the month of the firing. It returns false if sched did not
// fire in that window.
func DigestFire(sched cron.Schedule, loc *time.Location, from, now time.Time) (time.Time, bool) {
	local := now.In(loc)
	monthStart := time.Date(local.Year(), local.Month(), 1, 0, 0, 0, 0, loc)
	start := from
	if start.Before(monthStart) {
		start = monthStart.Add(-time.Second) // Next is strictly after; midnight on the 1st counts
	}
	if t := sched.Next(start.In(loc)); !t.IsZero() && !t.After(now) {
		return t, true
	}
	if from.Before(monthStart) {
		if t := sched.Next(from.In(loc)); !t.IsZero() && t.Before(monthStart) && !t.After(now) {
			return t, true
		}
	}
	return time.Time{}, false
}

// digestItem is the outbox row of manager's digest for the month of fire in
// loc.
func digestItem(manager string, loc *time.Location, fire, now time.Time, catchUp time.Duration) store.OutboxItem {
	month := fire.In(loc).Format("2006-01")
	return store.OutboxItem{
		Key: fmt.Sprintf("digest:%s:%s", manager, month), Kind: store.OutboxDigest, Method: postMethod,
		UserID: manager, Period: month, TZ: loc.String(),
		DueAt: fire, ExpiresAt: fire.Add(catchUp), Created: now,
	}
}
