package schedule

import (
	"context"
	"fmt"
	"time"

	"github.com/ladderapp/ladder/internal/store"
)

// This file stops the scheduler when Slack says the app was uninstalled or
// its token revoked (issue 16), and erases the data when the grace period
// has passed. The uninstall is in the store (store.MarkUninstalled), so every
// replica learns it at its next tick, and a restart does not forget it.
//
// While uninstalled, nothing is queued and the send queue claims nothing:
// what was queued stays queued, and goes out if the app is installed again
// while it is still due. Once Config.UninstallGrace has passed since the
// uninstall, the data is purged as bot purge --confirm does, once.

// DefaultUninstallGrace is how long the data is kept after an uninstall
// (LADDER_UNINSTALL_GRACE).
const DefaultUninstallGrace = 30 * 24 * time.Hour

// Uninstalled reports whether the app is uninstalled, as of the last tick or
// Halt, and since when.
func (s *Scheduler) Uninstalled() (store.Uninstall, bool) {
	u := s.uninstall.Load()
	if u == nil {
		return store.Uninstall{}, false
	}
	return *u, true
}

// Halt stops queueing and sending at once, for an uninstall this replica has
// just recorded; other replicas stop at their next tick.
func (s *Scheduler) Halt(u store.Uninstall) {
	s.uninstall.Store(&u)
	s.q.halted.Store(true)
}

// Resume is the app finding that Slack accepts its token again (it recorded
// the reinstall): the scheduler ticks at once, rather than at the next
// minute, so that sending resumes now.
func (s *Scheduler) Resume() {
	s.runMu.Lock()
	defer s.runMu.Unlock()
	if s.cron == nil || s.cfg.SendOnly {
		return
	}
	ctx := s.runCtx
	s.wg.Go(func() { s.tickLogged(ctx) })
}

// EraseAfter is when the data of an app uninstalled at u goes.
func (s *Scheduler) EraseAfter(u store.Uninstall) time.Time {
	return u.At.Add(s.cfg.UninstallGrace)
}

// checkInstall reads the install state at now: it halts or resumes the
// queue, and purges once the grace period has passed. It reports whether the
// app is uninstalled, so that the tick queues nothing.
func (s *Scheduler) checkInstall(ctx context.Context, now time.Time) (bool, error) {
	us, err := s.db.Uninstalled(ctx)
	if err != nil {
		// Not knowing, keep to what the last tick knew.
		_, halted := s.Uninstalled()
		return halted, err
	}
	if len(us) == 0 {
		if s.uninstall.Swap(nil) != nil {
			s.log.Info("Ladder is installed again: sending resumes")
			s.q.halted.Store(false)
			s.q.wake()
		}
		return false, nil
	}
	u := us[0]
	if prev := s.uninstall.Swap(&u); prev == nil {
		s.log.Warn("Ladder was uninstalled from Slack, or its token revoked: nothing is sent",
			"since", u.At, "reason", u.Reason, "data_erased_after", s.EraseAfter(u))
	}
	s.q.halted.Store(true)
	if !u.Erased.IsZero() || now.Before(s.EraseAfter(u)) {
		return true, nil
	}
	why := fmt.Sprintf("uninstalled on %s (%s); the grace period of %s ended",
		u.At.UTC().Format(time.DateOnly), u.Reason, graceText(s.cfg.UninstallGrace))
	e, err := s.db.Purge(ctx, store.ActorLadder, why, now)
	if err != nil {
		return true, err
	}
	if err := s.db.MarkErased(ctx, u.TeamID, now); err != nil {
		return true, err
	}
	// A new value: readers (/healthz) may hold the one stored above.
	erased := u
	erased.Erased = now
	s.uninstall.Store(&erased)
	s.log.Warn("the uninstall's grace period ended: every member's data is erased", "erased", e.String(), "uninstalled", u.At)
	return true, nil
}

// graceText says a grace period in days where it is whole days.
func graceText(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%d days", d/(24*time.Hour))
	}
	return d.String()
}

// revoked is the send queue finding Slack refusing the token: the uninstall
// event may have gone to another replica, or come while the app was down.
func (s *Scheduler) revoked(ctx context.Context) {
	if _, ok := s.Uninstalled(); ok {
		return
	}
	u, err := s.db.MarkUninstalled(ctx, store.Uninstall{At: s.now(), Reason: "token_revoked"})
	if err != nil {
		s.log.Error("record the revoked token", "err", err)
		s.q.halted.Store(true)
		return
	}
	s.Halt(u)
	s.log.Warn("Slack refuses Ladder's token (revoked or uninstalled): nothing more is sent",
		"data_erased_after", s.EraseAfter(u))
}
