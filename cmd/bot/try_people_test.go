package main

import (
	"testing"

	"github.com/ladderapp/ladder/internal/blocktext"
	"github.com/ladderapp/ladder/internal/fakeslack"
)

// newTrySession is a bot try session on a simulated workspace without the
// app, for what bot try does on its own; out is what it printed.
func newTrySession(t *testing.T) (*trySession, *lockedBuffer) {
	t.Helper()
	fake := fakeslack.New()
	t.Cleanup(fake.Close)
	people := tryPeople("Europe/Berlin")
	for _, p := range people {
		fake.AddUser(p.User)
	}
	out := &lockedBuffer{}
	return &trySession{
		fake: fake, out: &syncWriter{w: out}, render: blocktext.Renderer{Name: fake.UserName},
		people: people, user: people[0].ID, modals: map[string][]*tryModal{}, next: 1,
	}, out
}

func TestTryMentions(t *testing.T) {
	s, _ := newTrySession(t)
	tests := []struct {
		text        string
		slash       bool
		want        string
		wantUnknown []string
	}{
		{"manager @bob", true, "manager <@UBOB|bob>", nil},
		{"manager @Bob", true, "manager <@UBOB|bob>", nil},
		{"evidence @alice", true, "evidence <@UALICE|alice>", nil},
		{"thanks @bob.", false, "thanks <@UBOB>.", nil},
		{"@carol and @bob (with @alice)", false, "<@UCAROL> and <@UBOB> (with <@UALICE>)", nil},
		{"mail bob@example.com", false, "mail bob@example.com", nil},
		{"already <@UBOB>", false, "already <@UBOB>", nil},
		{"admin enroll @bob @dave @erin", true, "admin enroll <@UBOB|bob> @dave @erin", []string{"@dave", "@erin"}},
	}
	for _, tt := range tests {
		got, unknown := s.mentions(tt.text, tt.slash)
		if got != tt.want || len(unknown) != len(tt.wantUnknown) {
			t.Errorf("mentions(%q, slash %v) = %q, unknown %q; want %q, unknown %q", tt.text, tt.slash, got, unknown, tt.want, tt.wantUnknown)
			continue
		}
		for i := range unknown {
			if unknown[i] != tt.wantUnknown[i] {
				t.Errorf("mentions(%q): unknown %q, want %q", tt.text, unknown, tt.wantUnknown)
			}
		}
	}
}

func TestRecipient(t *testing.T) {
	tests := []struct {
		m    fakeslack.Message
		want string
	}{
		{fakeslack.Message{Kind: "post", Channel: "DUBOB"}, "UBOB"},
		{fakeslack.Message{Kind: "ephemeral", Channel: "DUALICE", User: "UALICE"}, "UALICE"},
		{fakeslack.Message{Kind: "ack", Channel: "DUCAROL", User: "UCAROL"}, "UCAROL"},
		{fakeslack.Message{Kind: "post", Channel: "C0GENERAL"}, ""},
	}
	for _, tt := range tests {
		if got := recipient(tt.m); got != tt.want {
			t.Errorf("recipient(%+v) = %q, want %q", tt.m, got, tt.want)
		}
	}
}

// TestTryLabelsEveryMessage: each message names whom it went to, and
// buttons in someone else's DM say whose they are.
func TestTryLabelsEveryMessage(t *testing.T) {
	s, out := newTrySession(t)
	buttons := []byte(`[{"type":"actions","block_id":"b","elements":[{"type":"button","action_id":"ok","text":{"type":"plain_text","text":"OK"}}]}]`)
	s.onMessage(fakeslack.Message{Kind: "post", Channel: "DUALICE", Text: "to alice", Blocks: buttons, TS: "1.1"})
	s.onMessage(fakeslack.Message{Kind: "post", Channel: "DUBOB", Text: "to bob", Blocks: buttons, TS: "1.2"})
	s.onMessage(fakeslack.Message{Kind: "post", Channel: "DUBOB", Text: "in the thread", ThreadTS: "1.2", TS: "1.3"})
	s.onMessage(fakeslack.Message{Kind: "ephemeral", Channel: "DUCAROL", User: "UCAROL", Text: "for carol only"})
	want := "── Ladder → alice (DM) ──\n[1] OK\n\n" +
		"── Ladder → bob (DM) ──\n[2] OK\n(These are bob's: `as @bob` to press them.)\n\n" +
		"── Ladder → bob (DM, in the thread) ──\nin the thread\n\n" +
		"── only visible to carol ──\nfor carol only\n\n"
	if got := out.String(); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}
