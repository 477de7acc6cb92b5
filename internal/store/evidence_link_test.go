package store

import (
	"context"
	"testing"

	"github.com/ladderapp/ladder/internal/ladder"
)

// TestEvidenceLink: evidence saved from a Slack message keeps the message's
// permalink through every read; other evidence has none.
func TestEvidenceLink(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	mustEnroll(t, db, "U1")

	link := "https://fake.slack.com/archives/C0LAUNCH/p1700000000000100?thread_ts=1699999999.000200&cid=C0LAUNCH"
	saved, created, err := db.AddEvidence(ctx, ladder.Evidence{
		UserID: "U1", Area: ladder.Execution, Text: "Shipped <!channel> on time", Channel: "shortcut",
		TS: "V0001", Created: now, Link: link,
	})
	if err != nil || !created {
		t.Fatalf("AddEvidence: created %v, %v", created, err)
	}
	if saved.Link != link {
		t.Errorf("AddEvidence returned link %q, want %q", saved.Link, link)
	}
	plain := addEvidence(t, db, "U1", "D1", "1700000001.000100", ladder.People, "", now.Add(1))
	if plain.Link != "" {
		t.Errorf("evidence from a DM has link %q, want none", plain.Link)
	}

	listed, err := db.Evidence(ctx, "U1", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	all, err := db.AllEvidence(ctx, "U1")
	if err != nil {
		t.Fatal(err)
	}
	links := map[int64]string{}
	for _, e := range append(listed, all...) {
		if prev, seen := links[e.ID]; seen && prev != e.Link {
			t.Errorf("evidence %d: links %q and %q from two reads", e.ID, prev, e.Link)
		}
		links[e.ID] = e.Link
	}
	if links[saved.ID] != link || links[plain.ID] != "" {
		t.Errorf("links read back: %v; want %d → %q and %d → none", links, saved.ID, link, plain.ID)
	}
}
