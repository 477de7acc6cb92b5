package slackapp_test

import (
	"bytes"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ladderapp/ladder/internal/fakeslack"
)

// onDisk reports whether the database file or any file SQLite keeps beside
// it (-wal, -shm) holds s.
func (h *harness) onDisk(s string) bool {
	h.t.Helper()
	files, err := filepath.Glob(h.dbFile + "*")
	if err != nil {
		h.t.Fatal(err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			h.t.Fatal(err)
		}
		if bytes.Contains(b, []byte(s)) {
			return true
		}
	}
	return false
}

// openReader opens the database as another program would (a backup,
// Litestream, a sqlite3 shell) and holds a read transaction on it; the
// returned func ends it.
func (h *harness) openReader() func() {
	h.t.Helper()
	other, err := sql.Open("sqlite", "file:"+h.dbFile)
	if err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(func() { other.Close() })
	tx, err := other.BeginTx(h.ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		h.t.Fatal(err)
	}
	var n int
	if err := tx.QueryRowContext(h.ctx, `SELECT count(*) FROM evidence`).Scan(&n); err != nil {
		h.t.Fatal(err)
	}
	return func() { tx.Rollback() }
}

// TestForgetWithAReader forgets a member while another program reads the
// database, which keeps SQLite from erasing the text from disk. The member is
// told the truth, and the erase completes once the reader is done: by itself
// in the background, or when the member runs forget again.
func TestForgetWithAReader(t *testing.T) {
	for _, retry := range []string{"in the background", "by the member"} {
		t.Run(retry, func(t *testing.T) {
			h := newHarness(t)
			secret := "SECRET-READER-5d1e shipped the billing migration"
			h.slash(alice, "start")
			h.dm(alice, secret)
			release := h.openReader()

			reply := h.slash(alice, "forget confirm")
			contains(t, "forget with a reader", reply, "deleted from its database", "not yet erased from disk",
				"another program is reading", "/ladder forget confirm` again")
			lacks(t, "forget with a reader", reply, "nothing was changed", "erased from the database file on disk too")
			if _, err := h.db.Member(h.ctx, alice); err == nil {
				t.Error("alice is still stored")
			}
			if !h.onDisk(secret) {
				t.Fatal("the text is off disk while the reader holds it: the test cannot fail")
			}
			release()

			switch retry {
			case "in the background":
				err := h.fake.WaitFor(h.ctx, func(s *fakeslack.Snapshot) bool {
					for _, m := range s.Messages {
						if isReply(m) && m.User == alice && strings.Contains(m.Text, "now erased") {
							return true
						}
					}
					return false
				})
				if err != nil {
					t.Fatalf("no word that the erase finished: %v\nlogs:\n%s", err, h.logs)
				}
			case "by the member":
				// The background erase may answer first; the member's
				// reply is the one that says their data was already gone.
				h.slash(alice, "forget confirm")
				var again string
				err := h.fake.WaitFor(h.ctx, func(s *fakeslack.Snapshot) bool {
					for _, m := range s.Messages {
						if isReply(m) && m.User == alice && strings.Contains(m.Text, "already gone") {
							again = m.Text
							return true
						}
					}
					return false
				})
				if err != nil {
					t.Fatalf("no reply to the second forget: %v", err)
				}
				contains(t, "forget again", again, "erased from the database file on disk too")
				lacks(t, "forget again", again, "not enrolled", "not yet erased")
			}
			if h.onDisk(secret) {
				t.Error("the text is still on disk after the erase")
			}
		})
	}
}

// TestForgetDeletesDigests forgets a report whose words a digest quoted, then
// the manager: the digest DM is deleted in Slack, and the manager's report is
// told they no longer have one.
func TestForgetDeletesDigests(t *testing.T) {
	h := newHarness(t)
	secret := "SECRET-DIGEST-2b7c led the reorg of the platform teams"
	h.slash(alice, "share full")
	h.dm(alice, secret)
	h.nameAndAccept(alice, bob)
	h.nameAndAccept(carol, bob)
	contains(t, "digest send", h.digestSend(), "1 queued")
	digest := h.waitPost(bob, func(m fakeslack.Message) bool { return strings.Contains(m.Text, "Monthly digest") })
	contains(t, "the digest", digest.Text, secret[:40], "<@UCAROL>")

	reply := h.slash(alice, "forget confirm")
	contains(t, "forget", reply, "everything Ladder held about you is deleted", "deleted 1 digest that mentioned you")
	deleted := h.count(func(m fakeslack.Message) bool {
		return m.Kind == "delete" && m.Channel == digest.Channel && m.TS == digest.TS
	})
	if deleted != 1 {
		t.Errorf("chat.delete of the digest that quoted alice: %d calls, want 1\nmessages:%s", deleted, h.dump())
	}
	// digests_sent names no report: bob's row stays, so this month's digest
	// is not sent a second time.
	contains(t, "digest send after forget", h.digestSend(), "0 queued", "1 had already gone out")
	if h.onDisk(secret) {
		t.Error("the text is still on disk after forget")
	}

	// The manager forgets: carol no longer has one, and is told.
	contains(t, "manager forgets", h.slash(bob, "forget confirm"), "1 member named you as their manager")
	h.waitPost(carol, func(m fakeslack.Message) bool { return strings.Contains(m.Text, "<@UBOB> asked Ladder to forget them") })
	m, err := h.db.Member(h.ctx, carol)
	if err != nil {
		t.Fatal(err)
	}
	if m.Manager != "" {
		t.Errorf("carol's manager after bob forgot: %q, want none", m.Manager)
	}
	contains(t, "digest send after the manager forgot", h.digestSend(), "0 queued", "0 had already")
}
