package store

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ladderapp/ladder/internal/ladder"
)

// TestAuditTrail keeps admin actions newest first, as many as asked for.
func TestAuditTrail(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	for i, a := range []string{"admin enroll", "admin digest send", "purge"} {
		if err := db.Audit(ctx, AuditEntry{At: now.Add(time.Duration(i) * time.Minute), Actor: "UADMIN", Action: a, Detail: "2 enrolled"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Audit(ctx, AuditEntry{At: now, Action: "admin enroll"}); err == nil {
		t.Error("an entry without an actor was stored")
	}
	got, err := db.AuditTrail(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Action != "purge" || got[1].Action != "admin digest send" ||
		!got[0].At.Equal(now.Add(2*time.Minute)) || got[0].Actor != "UADMIN" || got[0].Detail != "2 enrolled" {
		t.Errorf("AuditTrail(2) = %+v, want the purge then the digest send", got)
	}
}

// TestUninstallState keeps the first uninstall time however often Slack says
// so, and a reinstall clears it once.
func TestUninstallState(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	if got, err := db.Uninstalled(ctx); err != nil || len(got) != 0 {
		t.Fatalf("Uninstalled on a new database = %+v, %v", got, err)
	}
	first, err := db.MarkUninstalled(ctx, Uninstall{TeamID: "T1", At: now, Reason: "tokens_revoked"})
	if err != nil {
		t.Fatal(err)
	}
	again, err := db.MarkUninstalled(ctx, Uninstall{TeamID: "T1", At: now.Add(time.Second), Reason: "app_uninstalled"})
	if err != nil {
		t.Fatal(err)
	}
	if !again.At.Equal(now) || again.Reason != "tokens_revoked" || first != again {
		t.Errorf("second uninstall = %+v, want the first %+v kept", again, first)
	}
	if got, _ := db.Uninstalled(ctx); len(got) != 1 || got[0].TeamID != "T1" || !got[0].At.Equal(now) {
		t.Errorf("Uninstalled = %+v", got)
	}
	if was, err := db.MarkInstalled(ctx, "T1"); err != nil || !was {
		t.Errorf("MarkInstalled = %v, %v; want true", was, err)
	}
	if was, err := db.MarkInstalled(ctx, "T1"); err != nil || was {
		t.Errorf("MarkInstalled again = %v, %v; want false", was, err)
	}
	if got, _ := db.Uninstalled(ctx); len(got) != 0 {
		t.Errorf("Uninstalled after the reinstall = %+v", got)
	}
	// Uninstalled again later: the grace period counts from then.
	later, err := db.MarkUninstalled(ctx, Uninstall{TeamID: "T1", At: now.Add(time.Hour), Reason: "app_uninstalled"})
	if err != nil || !later.At.Equal(now.Add(time.Hour)) {
		t.Errorf("uninstalled again = %+v, %v", later, err)
	}
}

// TestRetention erases evidence and goals created before the cutoff, from
// the tables and from disk, and keeps the rest.
func TestRetention(t *testing.T) {
	ctx := context.Background()
	const marker = "RETENTION-MARKER-81c2"
	dsn := newTestDSN(t)
	db := mustOpenPath(t, dsn)
	m := newMember("U1")
	m.Manager = "UM" // accepted: the manager may calibrate
	if _, _, err := db.Enroll(ctx, m); err != nil {
		t.Fatal(err)
	}
	cutoff := now.AddDate(-3, 0, 0)
	for i, e := range []ladder.Evidence{
		{UserID: "U1", Area: ladder.People, Text: "old " + marker, Channel: "D1", TS: "1.0", Created: cutoff.Add(-time.Hour)},
		{UserID: "U1", Area: ladder.People, Text: "recent", Channel: "D1", TS: "2.0", Created: cutoff.Add(time.Hour)},
	} {
		if _, _, err := db.AddEvidence(ctx, e); err != nil {
			t.Fatalf("evidence %d: %v", i, err)
		}
	}
	for _, g := range []Goal{
		{UserID: "U1", PromptID: "p-old", Created: cutoff.Add(-time.Minute)},
		{UserID: "U1", PromptID: "p-new", Created: cutoff},
	} {
		if _, _, err := db.AddGoal(ctx, g, 0); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.SetCalibration(ctx, Calibration{Report: "U1", Manager: "UM", Areas: map[ladder.AreaID]string{ladder.People: "getting_there"},
		Note: "an old view", Created: cutoff.Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if !onPostgres {
		if err := db.checkpoint(ctx); err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(readAll(t, dsn), []byte(marker)) {
			t.Fatal("the marker is not on disk before the erase: the test cannot fail")
		}
	}
	before := relationFile(t, db, "evidence")

	got, err := db.EraseOlderThan(ctx, cutoff, now)
	if err != nil {
		t.Fatal(err)
	}
	if got != (Erased{Evidence: 1, Goals: 1, Calibrations: 1}) {
		t.Errorf("EraseOlderThan = %+v, want 1 piece of evidence, 1 goal and 1 manager's view", got)
	}
	if n := count(t, db, `SELECT count(*) FROM calibrations`); n != 0 {
		t.Errorf("%d calibrations left, want the old one gone", n)
	}
	es, err := db.Evidence(ctx, "U1", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 1 || es[0].Text != "recent" {
		t.Errorf("evidence left = %+v, want only the recent one", es)
	}
	if n := count(t, db, `SELECT count(*) FROM growth_goals`); n != 1 {
		t.Errorf("%d growth goals left, want 1", n)
	}
	trail, _ := db.AuditTrail(ctx, 5)
	if len(trail) != 1 || trail[0].Actor != ActorLadder || trail[0].Action != "retention" ||
		!strings.Contains(trail[0].Detail, "1 piece of evidence") || strings.Contains(trail[0].Detail, marker) {
		t.Errorf("audit trail = %+v, want one retention entry with counts", trail)
	}
	if onPostgres {
		if after := relationFile(t, db, "evidence"); after == before {
			t.Errorf("the evidence table kept its file %s: the deleted text may still be in it", after)
		}
	} else if bytes.Contains(readAll(t, dsn), []byte(marker)) {
		t.Error("the erased evidence's text is still in the database files")
	}

	// A second pass the same day finds nothing, and writes no audit entry.
	if got, err := db.EraseOlderThan(ctx, cutoff, now); err != nil || got != (Erased{}) {
		t.Errorf("second pass = %+v, %v; want nothing", got, err)
	}
	if trail, _ := db.AuditTrail(ctx, 5); len(trail) != 1 {
		t.Errorf("a pass that erased nothing was audited: %+v", trail)
	}
}

// TestPurge erases every member's data, keeps the audit trail with the purge
// in it, and leaves a database the app can use again.
func TestPurge(t *testing.T) {
	ctx := context.Background()
	const marker = "PURGE-MARKER-3d9a"
	dsn := newTestDSN(t)
	db := mustOpenPath(t, dsn)
	for _, u := range []string{"U1", "U2"} {
		mustEnroll(t, db, u)
		if _, _, err := db.AddEvidence(ctx, ladder.Evidence{UserID: u, Area: ladder.People,
			Text: u + " " + marker, Channel: "D" + u, TS: "1.0", Created: now}); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Audit(ctx, AuditEntry{At: now, Actor: "UADMIN", Action: "admin enroll", Detail: "2 enrolled"}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.MarkUninstalled(ctx, Uninstall{At: now, Reason: "app_uninstalled"}); err != nil {
		t.Fatal(err)
	}
	if !onPostgres {
		if err := db.checkpoint(ctx); err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(readAll(t, dsn), []byte(marker)) {
			t.Fatal("the marker is not on disk before the purge: the test cannot fail")
		}
	}
	before := relationFile(t, db, "evidence")

	got, err := db.Purge(ctx, ActorCLI, "", now.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if got != (Erased{Members: 2, Evidence: 2}) {
		t.Errorf("Purge = %+v, want 2 members and 2 pieces of evidence", got)
	}
	for _, table := range []string{"members", "evidence", "prompts_sent", "outbox", "inbox"} {
		if n := count(t, db, `SELECT count(*) FROM `+table); n != 0 {
			t.Errorf("%s holds %d rows after the purge", table, n)
		}
	}
	trail, _ := db.AuditTrail(ctx, 5)
	if len(trail) != 2 || trail[0].Action != "purge" || trail[0].Actor != ActorCLI ||
		trail[0].Detail != "erased 2 members, 2 pieces of evidence" || trail[1].Action != "admin enroll" {
		t.Errorf("audit trail = %+v, want the purge above the enroll", trail)
	}
	if u, _ := db.Uninstalled(ctx); len(u) != 1 {
		t.Errorf("the purge cleared the uninstall: %+v", u)
	}
	if onPostgres {
		if after := relationFile(t, db, "evidence"); after == before {
			t.Errorf("the evidence table kept its file %s", after)
		}
	} else if bytes.Contains(readAll(t, dsn), []byte(marker)) {
		t.Error("purged text is still in the database files")
	}
	mustEnroll(t, db, "U3")
}

// relationFile is where PostgreSQL keeps table's rows: a new file after a
// rewrite. On SQLite it is the database file, and the same throughout.
func relationFile(t *testing.T, db *DB, table string) string {
	t.Helper()
	if !onPostgres {
		return filepath.Base(db.path)
	}
	var p string
	if err := db.db.QueryRowContext(context.Background(), `SELECT pg_relation_filepath(?)`, table).Scan(&p); err != nil {
		t.Fatal(err)
	}
	return p
}
