package slackapp

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/slack-go/slack/slackevents"

	"github.com/ladderapp/ladder/internal/store"
)

// This file handles Slack uninstalling the app (issue 16): the
// app_uninstalled and tokens_revoked events, and a token Slack refuses as
// revoked, at start or on the socket. Each is recorded in the store, so that
// every replica, and this one after a restart, knows. The scheduler then
// queues and sends nothing, and erases the data when the grace period ends
// (schedule/install.go). A start whose token works again clears it.

// ErrRevoked means Slack refuses the app's token as revoked: the app was
// uninstalled. The app cannot serve Slack, but the process stays up so that
// the data is erased when the grace period ends.
var ErrRevoked = errors.New("slack says the app was uninstalled or its token revoked")

// InstallState is what the app needs from the scheduler about an uninstall:
// schedule.Scheduler implements it.
type InstallState interface {
	// Uninstalled reports the uninstall, if any, as of the last check.
	Uninstalled() (store.Uninstall, bool)
	// EraseAfter is when the data of an app uninstalled at u goes.
	EraseAfter(u store.Uninstall) time.Time
	// Halt stops queueing and sending at once.
	Halt(u store.Uninstall)
	// Resume looks again at once, after a reinstall was recorded.
	Resume()
}

// InstallStateFrom tells the app where the uninstall state lives: cmd/bot
// passes the scheduler.
func (a *App) InstallStateFrom(s InstallState) { a.install.Store(&s) }

func (a *App) installState() InstallState {
	if s := a.install.Load(); s != nil {
		return *s
	}
	return nil
}

// onUninstall handles app_uninstalled, and tokens_revoked when it names a bot
// token: the app has one, its bot's. A revoked user token alone changes
// nothing; the app holds none.
func (a *App) onUninstall(ctx context.Context, data any) {
	reason := "app_uninstalled"
	if e, ok := data.(*slackevents.TokensRevokedEvent); ok {
		if len(e.Tokens.Bot) == 0 {
			a.log.Info("tokens_revoked named no bot token: nothing to do")
			return
		}
		reason = "tokens_revoked"
	}
	if err := a.Uninstalled(ctx, reason); err != nil {
		a.log.Error("record the uninstall", "err", err)
	}
}

// Uninstalled records that Slack said the app is uninstalled, for reason,
// stops sending and says plainly what happens to the data.
func (a *App) Uninstalled(ctx context.Context, reason string) error {
	u, err := a.db.MarkUninstalled(ctx, store.Uninstall{At: a.now(), Reason: reason})
	if err != nil {
		return err
	}
	erase := "when the grace period (LADDER_UNINSTALL_GRACE) ends"
	if s := a.installState(); s != nil {
		s.Halt(u)
		erase = s.EraseAfter(u).UTC().Format(time.RFC3339)
	}
	a.log.Warn(fmt.Sprintf("Slack says Ladder was uninstalled (%s). Nothing more is sent. "+
		"Every member's data is kept until %s and then erased from disk, as /ladder forget erases; "+
		"installing the app again before then resumes where it stopped. To erase it all now: bot purge --confirm.", u.Reason, erase),
		"since", u.At, "reason", u.Reason)
	return nil
}

// installedAgain clears an uninstall once Slack accepts the token again.
func (a *App) installedAgain(ctx context.Context) {
	was, err := a.db.MarkInstalled(ctx, "")
	if err != nil {
		a.log.Error("record the reinstall", "err", err)
		return
	}
	if was {
		if s := a.installState(); s != nil {
			s.Resume()
		}
		a.log.Info("Slack accepts Ladder's token again: it is installed, and sending resumes with the data kept since the uninstall")
	}
}

// uninstalledSince reads the store: whether Slack said the app is
// uninstalled, which makes a refused token an uninstall and not a mistake.
func (a *App) uninstalledSince(ctx context.Context) bool {
	us, err := a.db.Uninstalled(ctx)
	return err == nil && len(us) > 0
}

// healthUninstalled is /healthz's answer while the app is uninstalled.
func (a *App) healthUninstalled() (string, bool) {
	s := a.installState()
	if s == nil {
		return "", false
	}
	u, ok := s.Uninstalled()
	if !ok {
		return "", false
	}
	if !u.Erased.IsZero() {
		return fmt.Sprintf("uninstalled from Slack since %s (%s): nothing is sent; every member's data was erased at %s",
			u.At.UTC().Format(time.RFC3339), u.Reason, u.Erased.UTC().Format(time.RFC3339)), true
	}
	return fmt.Sprintf("uninstalled from Slack since %s (%s): nothing is sent; every member's data is erased after %s unless the app is installed again",
		u.At.UTC().Format(time.RFC3339), u.Reason, s.EraseAfter(u).UTC().Format(time.RFC3339)), true
}
