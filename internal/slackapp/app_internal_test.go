package slackapp

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestEnvelopeHeader(t *testing.T) {
	tests := []struct{ raw, kind, id string }{
		{`{"type":"events_api","envelope_id":"e-1","payload":"broken"}`, "events_api", "e-1"},
		{`{"type":"mystery","envelope_id":"e-2"}`, "mystery", "e-2"},
		{`{"type":42,"envelope_id":"e-3"}`, "", "e-3"},
		{`{"envelope_id":{"nested":true}}`, "", ""},
		{`not json`, "", ""},
		{``, "", ""},
		{`{"envelope_id":"` + strings.Repeat("x", 300) + `"}`, "", ""},
	}
	for _, tt := range tests {
		kind, id := envelopeHeader([]byte(tt.raw))
		if kind != tt.kind || id != tt.id {
			t.Errorf("%.40q: got (%q, %q), want (%q, %q)", tt.raw, kind, id, tt.kind, tt.id)
		}
	}
}

func FuzzEnvelopeHeader(f *testing.F) {
	for _, s := range []string{
		`{"type":"hello","num_connections":1}`,
		`{"type":"events_api","envelope_id":"e-1","payload":{"event":{"type":"message"}},"accepts_response_payload":false,"retry_attempt":0}`,
		`{"type":"slash_commands","envelope_id":"e-2","payload":{"command":"/ladder","text":"gaps"},"accepts_response_payload":true}`,
		`{"type":"interactive","envelope_id":"e-3","payload":{"type":"block_actions"}}`,
		`{"type":"disconnect","reason":"refresh_requested"}`,
		`{"type":"mystery","envelope_id":"e-4"}`, `{`, "\x00\xff",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		kind, id := envelopeHeader(raw)
		if len(id) > maxEnvelopeID {
			t.Fatalf("envelope id of %d bytes", len(id))
		}
		if !utf8.ValidString(kind) || !utf8.ValidString(id) {
			t.Fatalf("invalid UTF-8 out: %q %q", kind, id)
		}
	})
}
