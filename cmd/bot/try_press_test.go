package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/ladderapp/ladder/internal/blocktext"
	"github.com/ladderapp/ladder/internal/fakeslack"
)

func TestParseClock(t *testing.T) {
	for in, want := range map[string]string{
		"9": "09:00", "9:30": "09:30", "09:30": "09:30", "21:30": "21:30", "9am": "09:00", "9:30pm": "21:30",
		"12am": "00:00", "12pm": "12:00", "9.30": "09:30", "9:30 PM": "21:30",
	} {
		if got, ok := parseClock(in); !ok || got != want {
			t.Errorf("parseClock(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "25:00", "9:5", "13pm", "0am", "noon", "9:60"} {
		if got, ok := parseClock(in); ok {
			t.Errorf("parseClock(%q) = %q; want a refusal", in, got)
		}
	}
}

func opt(text, value string) blocktext.Option { return blocktext.Option{Text: text, Value: value} }

func TestTryChoose(t *testing.T) {
	s, _ := newTrySession(t)
	pause := blocktext.Control{Type: "static_select", Label: "Pause", Options: []blocktext.Option{
		opt("1 week", "1"), opt("2 weeks", "2"), opt("4 weeks", "4"), opt("Until I resume", "forever"),
	}}
	track := blocktext.Control{Type: "radio_buttons", Label: "Track", Options: []blocktext.Option{opt("Broad", "broad"), opt("Deep", "deep")}}
	days := blocktext.Control{Type: "checkboxes", Label: "Days", Options: []blocktext.Option{opt("Monday", "mon"), opt("Tuesday", "tue")}}
	tests := []struct {
		c     blocktext.Control
		typed string
		want  string // values joined by commas, or the error's start
	}{
		{pause, "2 weeks", "2"},
		{pause, "2", "2"}, // the start of "2 weeks"
		{pause, "until", "forever"},
		{pause, "4", "4"},
		{track, "DEEP", "deep"},
		{track, "2", "deep"}, // by number
		{track, "b", "broad"},
		{days, "monday, tue", "mon,tue"},
		{blocktext.Control{Type: "users_select", Label: "Manager"}, "@bob", "UBOB"},
		{blocktext.Control{Type: "users_select", Label: "Manager"}, "carol", "UCAROL"},
		{blocktext.Control{Type: "timepicker", Label: "Time"}, "9:30pm", "21:30"},
		{blocktext.Control{Type: "plain_text_input", Label: "Answer"}, "  some text ", "some text"},
		{blocktext.Control{Type: "plain_text_input", Label: "Answer"}, "", ""},
		{track, "sideways", `error: "sideways" does not fit Track: it takes one of: Broad | Deep (or its number in that list)`},
		{blocktext.Control{Type: "users_select", Label: "Manager"}, "@dave", "error: there is no @dave here: Manager takes one of @alice, @bob and @carol"},
		{blocktext.Control{Type: "timepicker", Label: "Time"}, "teatime", `error: "teatime" does not fit Time: it takes a time, such as 09:30, 9:30am or 21:00`},
		{blocktext.Control{Type: "datepicker", Label: "From"}, "2026-13-01", `error: "2026-13-01" does not fit From: it takes a date, YYYY-MM-DD`},
	}
	for _, tt := range tests {
		values, err := s.choose(tt.c, tt.typed)
		got := strings.Join(values, ",")
		if err != nil {
			got = "error: " + err.Error()
		}
		if got != tt.want {
			t.Errorf("choose(%s, %q) = %q, want %q", tt.c.Label, tt.typed, got, tt.want)
		}
	}
}

// TestTryShowsFieldErrors: a submission Ladder refuses keeps the dialog
// open and prints each error under the number and label of its input.
func TestTryShowsFieldErrors(t *testing.T) {
	s, out := newTrySession(t)
	view := json.RawMessage(`{"type":"modal","title":{"type":"plain_text","text":"Settings"},"submit":{"type":"plain_text","text":"Save"},"blocks":[
		{"type":"input","block_id":"level","label":{"type":"plain_text","text":"Level"},"element":{"type":"plain_text_input","action_id":"level"}},
		{"type":"input","block_id":"target","label":{"type":"plain_text","text":"Target"},"element":{"type":"plain_text_input","action_id":"target"}}]}`)
	s.onView(fakeslack.View{Kind: "open", UserID: "UALICE", ID: "V1", View: view})
	m := s.modal("UALICE")
	if m == nil || len(m.inputs) != 2 {
		t.Fatalf("modal = %+v", m)
	}
	s.afterSubmit("UALICE", m, fakeslack.Ack{Payload: json.RawMessage(`{"response_action":"errors","errors":{"target":"Pick a level above EM."}}`)})
	if got := out.String(); !strings.Contains(got, "── Ladder → alice: the dialog Settings is not saved ──\n2. Target: Pick a level above EM.\n") {
		t.Errorf("the errors are not shown by input:\n%s", got)
	}
	if s.modal("UALICE") != m {
		t.Errorf("the dialog closed on errors")
	}
	s.afterSubmit("UALICE", m, fakeslack.Ack{})
	if s.modal("UALICE") != nil {
		t.Errorf("the dialog stayed open after an empty ack")
	}
}
