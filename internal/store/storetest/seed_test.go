package storetest_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ladderapp/ladder/internal/ladder"
	"github.com/ladderapp/ladder/internal/pgtest"
	"github.com/ladderapp/ladder/internal/store"
	"github.com/ladderapp/ladder/internal/store/storetest"
)

var now = time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)

func TestSeed(t *testing.T) {
	testSeed(t, filepath.Join(t.TempDir(), "ladder.db"))
}

func TestSeedPostgres(t *testing.T) {
	testSeed(t, pgtest.DSN(t))
}

// testSeed seeds the empty database dsn names, reads the workspace back
// through store, and seeds it again, which must fail.
func testSeed(t *testing.T, dsn string) {
	ctx := context.Background()
	slot, _ := ladder.ParseSlot("tue 10:00")
	spec := storetest.SeedSpec{Prefix: "USEED", Members: 3, Weeks: 4, Now: now, Slot: slot,
		Prompts: []ladder.Prompt{{ID: "p-people", Area: ladder.People}, {ID: "p-scaling", Area: ladder.Scaling}}}
	if err := storetest.Seed(ctx, dsn, spec); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	s, err := db.Stats(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	if s.Members != 3 || s.Evidence != 12 {
		t.Errorf("got %d members and %d pieces of evidence, want 3 and 12", s.Members, s.Evidence)
	}
	m, err := db.Member(ctx, spec.UserID(2))
	if err != nil {
		t.Fatal(err)
	}
	if m.UserID != "USEED00002" || m.Slot != slot || m.Target != ladder.SeniorEM {
		t.Errorf("member: got %+v", m)
	}
	facts, err := db.Facts(ctx, m.UserID, now.Add(-5*7*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(facts) != 4 || facts[3].At != now.Add(-time.Hour) || facts[3].PromptID == "" {
		t.Errorf("facts: got %+v, want 4, the newest an hour ago, with prompts", facts)
	}
	latest, err := db.LatestPrompt(ctx, m.UserID, now.Add(-7*24*time.Hour))
	if err != nil || latest.PromptID != facts[3].PromptID || latest.TS == "" {
		t.Errorf("latest prompt: got %+v, %v; want the one the newest answer answered, posted", latest, err)
	}
	if s.PromptsThisWeek != 3 {
		t.Errorf("prompts this week: got %d, want 3", s.PromptsThisWeek)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := storetest.Seed(ctx, dsn, spec); err == nil {
		t.Error("seeding the same members twice: got nil, want an error")
	}
}

func TestSeedFileBuildsOnceAndCaches(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	spec := storetest.SeedSpec{Prefix: "US", Members: 3, Weeks: 2, Now: now}
	path, err := storetest.SeedFile(ctx, dir, spec)
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	again, err := storetest.SeedFile(ctx, dir, spec)
	if err != nil || again != path {
		t.Fatalf("second call: got %q, %v; want the cached %q", again, err, path)
	}
	if info2, _ := os.Stat(again); !info2.ModTime().Equal(info.ModTime()) {
		t.Error("the cached file was rebuilt")
	}
	other, err := storetest.SeedFile(ctx, dir, storetest.SeedSpec{Prefix: "US", Members: 4, Weeks: 2, Now: spec.Now})
	if err != nil || other == path {
		t.Fatalf("a different spec: got %q, %v; want a new file", other, err)
	}
	left, err := filepath.Glob(filepath.Join(dir, "*"))
	if err != nil || len(left) != 2 {
		t.Errorf("files in dir: got %q, %v; want only the two seeded databases", left, err)
	}
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ms, err := db.Members(ctx)
	if err != nil || len(ms) != 3 {
		t.Fatalf("members in the seeded file: got %d, %v; want 3", len(ms), err)
	}
}
