package schedule

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ladderapp/ladder/internal/ladder"
	"github.com/ladderapp/ladder/internal/store"
)

// This file is the scheduler's full pass: read the members, managers and
// zones once, refresh the zones that are a day old, and queue what is due.

// zoneMaxAge is how old a timezone may get before it is read again.
const zoneMaxAge = 24 * time.Hour

// maxScanGap is the longest a full pass waits, whatever the next event: a
// safety net, since only the clock and the data decide what is due.
const maxScanGap = 6 * time.Hour

// pass is what a full pass reads once and its steps share.
type pass struct {
	now      time.Time
	members  []ladder.Member
	byID     map[string]ladder.Member
	managers []string
	zones    map[string]store.Zone
}

// scan is a full pass: it reads the members, managers and zones, queues
// what is due at now, and returns what it read and when something next falls
// due by the clock alone (a slot, a reminder or a zone to read again; the
// digest's next firing is kept apart, in nextDigest).
func (s *Scheduler) scan(ctx context.Context, now time.Time) (*pass, time.Time, error) {
	p := &pass{now: now}
	var err error
	if p.members, err = s.db.Members(ctx); err != nil {
		return nil, now, err
	}
	if p.managers, err = s.db.Managers(ctx); err != nil {
		return nil, now, err
	}
	if p.zones, err = s.db.Zones(ctx); err != nil {
		return nil, now, err
	}
	next := now.Add(maxScanGap)
	var errs []error
	// Zones first, so that a member who moved is scheduled where they are.
	if at, err := s.syncZones(ctx, p); err != nil {
		errs = append(errs, err)
	} else if at.Before(next) {
		next = at
	}
	p.byID = make(map[string]ladder.Member, len(p.members))
	for _, m := range p.members {
		p.byID[m.UserID] = m
	}
	queued := 0
	for _, step := range []func(context.Context, *pass) (time.Time, int, error){s.queuePrompts, s.queueReminders} {
		at, n, err := step(ctx, p)
		if err != nil {
			errs = append(errs, err)
		}
		queued += n
		if !at.IsZero() && at.Before(next) {
			next = at
		}
	}
	if err := s.recordPausedWeeks(ctx, p); err != nil {
		errs = append(errs, err)
	}
	n, err := s.queueDigests(ctx, p)
	if err != nil {
		errs = append(errs, err)
	}
	if queued+n > 0 {
		s.q.wake()
	}
	return p, next, errors.Join(errs...)
}

// queuePrompts queues the weekly prompt of every member whose slot is due,
// and returns the next slot to come.
func (s *Scheduler) queuePrompts(ctx context.Context, p *pass) (time.Time, int, error) {
	now := p.now
	var (
		items []store.OutboxItem
		next  time.Time
	)
	for _, m := range p.members {
		if slot, week, ok := weeklyDue(m, now, s.cfg.CatchUp); ok {
			items = append(items, promptItem(m, week, slot, now, s.cfg.CatchUp))
		}
		if at := ladder.NextSlot(m.Slot, m.Location(), now); !at.IsZero() && (next.IsZero() || at.Before(next)) {
			next = at
		}
	}
	if len(items) == 0 {
		return next, 0, nil
	}
	n, err := s.db.Enqueue(ctx, items...)
	if err != nil {
		return next, 0, fmt.Errorf("queue weekly prompts: %w", err)
	}
	if n > 0 {
		s.log.Info("weekly prompts queued", "count", n)
	}
	return next, n, nil
}

// queueReminders queues the one reminder of each weekly prompt that went out
// ReminderAfter ago (up to CatchUp more) and is still unanswered, and returns
// when the next may fall due.
func (s *Scheduler) queueReminders(ctx context.Context, pa *pass) (time.Time, int, error) {
	now, after := pa.now, s.cfg.ReminderAfter
	var next time.Time
	if at, ok, err := s.db.NextReminderDue(ctx, now.Add(-after)); err != nil {
		return now, 0, fmt.Errorf("queue reminders: %w", err)
	} else if ok {
		next = at.Add(after)
	}
	due, err := s.db.DueReminders(ctx, now.Add(-after-s.cfg.CatchUp), now.Add(-after))
	if err != nil {
		return now, 0, fmt.Errorf("queue reminders: %w", err)
	}
	n := 0
	for _, p := range due {
		m, ok := pa.byID[p.UserID]
		if !remindable(p, m, ok, now) {
			continue
		}
		first, err := s.db.EnqueueReminder(ctx, reminderItem(p, after, s.cfg.CatchUp, now), now)
		if err != nil {
			return now, n, fmt.Errorf("queue reminders: %w", err)
		}
		if first {
			n++
		}
	}
	if n > 0 {
		s.log.Info("reminders queued", "count", n)
	}
	return next, n, nil
}

// queueDigests queues the digest of every manager for whom the digest cron
// fired, in their own timezone, since the last check (or within
// DigestCatchUp at the first), and sets nextDigest to the next firing.
func (s *Scheduler) queueDigests(ctx context.Context, p *pass) (int, error) {
	now := p.now
	from := s.lastDigest
	if earliest := now.Add(-s.cfg.DigestCatchUp); from.Before(earliest) {
		from = earliest
	}
	var (
		items []store.OutboxItem
		next  = now.Add(maxScanGap)
	)
	for _, mgr := range p.managers {
		loc := zoneOf(mgr, p.byID, p.zones)
		if fire, ok := DigestFire(s.digest, loc, from, now); ok {
			if it := digestItem(mgr, loc, fire, now, s.cfg.DigestCatchUp); s.digested[mgr] != it.Period {
				items = append(items, it)
			}
		}
		if at := s.digest.Next(now.In(loc)); !at.IsZero() && at.Before(next) {
			next = at
		}
	}
	n, err := s.db.Enqueue(ctx, items...)
	if err != nil {
		return 0, fmt.Errorf("queue digests: %w", err)
	}
	for _, it := range items {
		s.digested[it.UserID] = it.Period
	}
	s.lastDigest, s.nextDigest = now, next
	if n > 0 {
		s.log.Info("digests queued", "count", n)
	}
	return n, nil
}

// zoneOf is a manager's timezone: their member record's, else the one last
// read from Slack, else UTC.
func zoneOf(userID string, members map[string]ladder.Member, zones map[string]store.Zone) *time.Location {
	if m, ok := members[userID]; ok && m.TZ != "" {
		return m.Location()
	}
	return ladder.Zone(zones[userID].TZ)
}

// syncZones reads from users.info the zones of the members and managers
// whose zone is a day old or was never read, oldest first, at most
// ZonesPerTick a pass and within users.info's budget. Spread over the minutes
// of a day, each zone is read about once a day. It updates p with what it
// reads, and returns when the next zone turns a day old.
func (s *Scheduler) syncZones(ctx context.Context, p *pass) (time.Time, error) {
	type user struct {
		id      string
		checked time.Time
	}
	var (
		due  []user
		next time.Time
		seen = map[string]bool{}
	)
	add := func(id string) {
		if seen[id] {
			return
		}
		seen[id] = true
		checked := p.zones[id].Checked
		if at := checked.Add(zoneMaxAge); checked.IsZero() || !at.After(p.now) {
			due = append(due, user{id, checked})
		} else if next.IsZero() || at.Before(next) {
			next = at
		}
	}
	for _, m := range p.members {
		add(m.UserID)
	}
	for _, id := range p.managers {
		add(id)
	}
	slices.SortFunc(due, func(a, b user) int {
		if c := a.checked.Compare(b.checked); c != 0 {
			return c
		}
		return strings.Compare(a.id, b.id)
	})
	if len(due) > s.cfg.ZonesPerTick {
		due = due[:s.cfg.ZonesPerTick]
		next = p.now.Add(time.Minute) // behind: more at the next tick
	}
	const method = "users.info"
	for i, u := range due {
		wait, err := s.q.take(ctx, method, p.now)
		if err != nil {
			return p.now.Add(time.Minute), err
		}
		if wait > 0 {
			return p.now.Add(max(wait, time.Minute)), nil
		}
		sctx, cancel := context.WithTimeout(ctx, s.cfg.SendTimeout)
		tz, err := s.slack.SyncZone(sctx, u.id)
		cancel()
		switch ladder.ErrorCode(err) {
		case "": // read
		case ladder.ERateLimited:
			wait := failureOf(err).RetryAfter
			s.q.limited(ctx, method, p.now, p.now.Add(wait))
			return p.now.Add(max(wait, time.Minute)), nil
		case ladder.EPermanent:
			// The user is gone from Slack: keep the zone we had, and do not
			// ask again today.
			s.log.Debug("users.info refused", "user", u.id, "err", err)
			tz = ""
		default:
			s.log.Warn("users.info failed; trying again at the next tick", "user", u.id, "err", err)
			return p.now.Add(time.Minute), nil
		}
		if err := s.db.ZoneChecked(ctx, u.id, tz, p.now); err != nil {
			return p.now, fmt.Errorf("sync zones: %w", err)
		}
		if tz != "" {
			p.zones[u.id] = store.Zone{TZ: tz, Checked: p.now}
			for j := range p.members {
				if p.members[j].UserID == u.id {
					p.members[j].TZ = tz
				}
			}
		}
		if i == len(due)-1 && next.IsZero() {
			next = p.now.Add(zoneMaxAge)
		}
	}
	return next, nil
}

// QueueDigests queues this month's digest, in each manager's own timezone,
// for every manager whose digest has not been queued or sent this month, to
// go out now whatever the digest cron says: admin digest send through the
// outbox. It returns how many it queued, and how many managers' digests had
// already gone out or were queued this month.
func (s *Scheduler) QueueDigests(ctx context.Context) (queued, already int, err error) {
	members, err := s.db.Members(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("queue digests: %w", err)
	}
	managers, err := s.db.Managers(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("queue digests: %w", err)
	}
	zones, err := s.db.Zones(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("queue digests: %w", err)
	}
	byID := make(map[string]ladder.Member, len(members))
	for _, m := range members {
		byID[m.UserID] = m
	}
	now := s.now()
	var items []store.OutboxItem
	for _, mgr := range managers {
		it := digestItem(mgr, zoneOf(mgr, byID, zones), now, now, s.cfg.DigestCatchUp)
		if sent, err := s.db.DigestSent(ctx, mgr, it.Period); err != nil {
			return 0, 0, fmt.Errorf("queue digests: %w", err)
		} else if !sent {
			items = append(items, it)
		}
	}
	n, err := s.db.Enqueue(ctx, items...)
	if err != nil {
		return 0, 0, fmt.Errorf("queue digests: %w", err)
	}
	if n > 0 {
		s.q.wake()
	}
	return n, len(managers) - n, nil
}
