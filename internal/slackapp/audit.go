package slackapp

import (
	"context"
	"fmt"
	"strings"

	"github.com/ladderapp/ladder/internal/store"
)

// This file keeps the admins' audit trail (issue 16): every admin command
// is written to the audit table, and logged, before its answer goes out: who,
// what, when, and counts, never evidence text. /ladder admin audit shows the
// last auditShown entries. Reading the trail is not itself recorded, so that
// looking at it does not push the actions off it.

// auditShown is how many entries /ladder admin audit shows.
const auditShown = 20

// audit records that actor did action, with counts in detail.
func (a *App) audit(ctx context.Context, actor, action, detail string) error {
	if err := a.db.Audit(ctx, store.AuditEntry{At: a.now(), Actor: actor, Action: action, Detail: detail}); err != nil {
		return err
	}
	a.log.Info("admin action", "actor", actor, "action", action, "detail", detail)
	return nil
}

// auditTrail answers /ladder admin audit.
func (a *App) auditTrail(ctx context.Context) (Message, error) {
	trail, err := a.db.AuditTrail(ctx, auditShown)
	if err != nil {
		return Message{}, err
	}
	if len(trail) == 0 {
		return text("No admin actions recorded yet."), nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "*The last %d admin actions*, newest first (times in UTC; counts only):", len(trail))
	for _, e := range trail {
		fmt.Fprintf(&b, "\n• %s — %s: %s", e.At.Format("2006-01-02 15:04"), auditActor(e.Actor), e.Action)
		if e.Detail != "" {
			b.WriteString(", " + escapeText(e.Detail))
		}
	}
	return text("%s", b.String()), nil
}

// auditActor names who acted: an admin by mention, or the server.
func auditActor(actor string) string {
	switch actor {
	case store.ActorCLI:
		return "the server (`bot` command)"
	case store.ActorLadder:
		return "Ladder itself"
	}
	return "<@" + actor + ">"
}
