package slackapp

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/ladderapp/ladder/internal/ladder"
	"github.com/ladderapp/ladder/internal/store"
)

// How long /ladder forget tries to erase before it replies, and how long it
// goes on trying in the background after that. A reader that blocks the erase
// (a backup, Litestream, a sqlite3 shell) usually finishes within a minute.
const (
	forgetEraseWait  = 3 * time.Second
	forgetEraseLater = time.Minute
)

// forget deletes everything Ladder holds about a user, when they confirm:
// their rows, the digest DMs that mention them, and the copies SQLite keeps
// on disk. It tells them the truth about each. Run again by a user who is
// already gone, it finishes what an earlier run could not.
//
// A digest DM that mentions the user is deleted outright rather than edited:
// Ladder never stores a digest's body, so it cannot rebuild the old message
// without them, and a re-rendered one would show the other reports' numbers
// of today under an old date.
func (a *App) forget(ctx context.Context, userID string, confirm bool, responseURL string) (Message, error) {
	if !confirm {
		if _, err := a.db.Member(ctx, userID); errors.Is(err, ladder.ErrNotEnrolled) {
			return text("You're not enrolled, so Ladder holds no evidence or settings of yours. `/ladder forget confirm` still removes you as anyone's manager, and finishes an earlier forget that said your data was not yet erased from disk."), nil
		} else if err != nil {
			return Message{}, err
		}
		es, err := a.db.AllEvidence(ctx, userID)
		if err != nil {
			return Message{}, err
		}
		return text("This deletes everything Ladder holds about you: %s, your settings and your history, and the digests that mention you from your managers' DMs. It cannot be undone. `/ladder export` first if you want a copy, then type `/ladder forget confirm`.", ladder.Plural(len(es), "piece")+" of evidence"), nil
	}
	f, err := a.db.ForgetMember(ctx, userID)
	if err != nil {
		return Message{}, err
	}
	if f.Enrolled {
		a.log.Info("forgot a member at their request", "user", userID)
	}
	deleted, left := a.deleteDigests(ctx, f.Digests)
	for _, r := range f.Reports {
		a.postLogged(ctx, r, "", text("<@%s> asked Ladder to forget them, so they no longer get your monthly digest. `/ladder manager @user` names someone else.", userID))
		a.publishHomeLogged(ctx, r)
	}
	a.publishHomeLogged(ctx, userID)

	var b strings.Builder
	switch {
	case f.Enrolled:
		b.WriteString("Done: everything Ladder held about you is deleted from its database.")
	case deleted > 0 || left > 0 || len(f.Reports) > 0:
		b.WriteString("Your data was already gone from Ladder's database; I've finished what was left.")
	default:
		b.WriteString("Your data was already gone from Ladder's database.")
	}
	if len(f.Reports) > 0 {
		fmt.Fprintf(&b, " %s named you as their manager; now nobody does, and I've told them.", ladder.Plural(len(f.Reports), "member"))
	}
	if deleted > 0 {
		fmt.Fprintf(&b, " I deleted %s that mentioned you from your managers' DMs.", ladder.Plural(deleted, "digest"))
	}
	if left > 0 {
		fmt.Fprintf(&b, " %s mentioning you could not be deleted in Slack just now; run `/ladder forget confirm` again to retry.", ladder.Plural(left, "digest"))
	}
	err = a.db.Erase(ctx, forgetEraseWait)
	switch {
	case err == nil:
		b.WriteString(" It is erased from the database file on disk too.")
	case errors.Is(err, store.ErrNotErased):
		a.log.Warn("forget: not yet erased from disk; retrying in the background", "user", userID, "err", err)
		b.WriteString(" It is not yet erased from disk: another program is reading Ladder's database (a backup, for example), and SQLite keeps the old copy until it finishes. It will be erased as soon as that program is done; I'm retrying for a minute and will tell you here. Run `/ladder forget confirm` again to retry.")
		a.db.EraseLater(forgetEraseLater, func(err error) { a.erased(userID, responseURL, err) })
	default:
		a.metrics.error("forget")
		a.log.Error("forget: erasing from disk failed", "user", userID, "err", err)
		b.WriteString(" It is not yet erased from disk: that failed, and your Ladder admin will find why in the logs. Run `/ladder forget confirm` again to retry.")
	}
	if f.Enrolled {
		b.WriteString(" Any `/ladder` command enrolls you afresh.")
	}
	return text("%s", b.String()), nil
}

// erased tells a user how the background erase that their forget started
// ended. It runs on the store's goroutine, after the command has replied.
func (a *App) erased(userID, responseURL string, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err != nil {
		a.log.Warn("forget: still not erased from disk", "user", userID, "err", err)
		a.respond(ctx, responseURL, text("Your data is still not erased from disk: another program is still reading Ladder's database. Run `/ladder forget confirm` again to retry, or ask your Ladder admin to stop it."))
		return
	}
	a.log.Info("forget: erased from disk", "user", userID)
	a.respond(ctx, responseURL, text("Done: your data is now erased from Ladder's database file on disk too."))
}

// deleteDigests deletes digest DMs in Slack, and records each one that is
// gone. It counts those deleted and those left for a later try.
func (a *App) deleteDigests(ctx context.Context, ds []store.SentDigest) (deleted, left int) {
	for _, d := range ds {
		err := a.call(ctx, "chat.delete", func() error {
			_, _, err := a.api.DeleteMessageContext(ctx, d.Channel, d.TS)
			return err
		})
		var se slack.SlackErrorResponse
		// message_not_found: someone deleted it already, which is as good.
		if err != nil && !(errors.As(err, &se) && se.Err == "message_not_found") {
			a.log.Warn("forget: chat.delete of a digest failed", "manager", d.Manager, "err", err)
			left++
			continue
		}
		if err := a.db.DigestDeleted(ctx, d.Channel, d.TS); err != nil {
			a.log.Error("forget: digest deleted", "err", err)
			left++
			continue
		}
		deleted++
	}
	return deleted, left
}
