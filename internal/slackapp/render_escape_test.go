package slackapp

import (
	"strings"
	"testing"
)

func TestEscapeAndUnescape(t *testing.T) {
	tests := []struct{ typed, escaped string }{
		{"<!channel>", "&lt;!channel&gt;"},
		{"<https://evil.example|Q3 review doc>", "&lt;https://evil.example|Q3 review doc&gt;"},
		{"R&D", "R&amp;D"},
		{"&amp; typed out", "&amp;amp; typed out"},
		{"&lt;", "&amp;lt;"},
		{"*bold* `code` _it_", "*bold* `code` _it_"},
	}
	for _, tt := range tests {
		if got := escapeText(tt.typed); got != tt.escaped {
			t.Errorf("escapeText(%q) = %q, want %q", tt.typed, got, tt.escaped)
		}
		// Slack sends a DM's text escaped the same way; unescaping it once
		// gives back what was typed, however many entities it spells out.
		if got := unescapeSlack(tt.escaped); got != tt.typed {
			t.Errorf("unescapeSlack(%q) = %q, want %q", tt.escaped, got, tt.typed)
		}
	}
}

// TestCutsKeepEntitiesWhole cuts escaped text at every length: each piece
// holds whole entities only. The text has no ";" but the entities', so a
// piece holds as many "&" as ";" exactly when no entity is cut.
func TestCutsKeepEntitiesWhole(t *testing.T) {
	s := escapeText(strings.Repeat("a<b>&c ", 40))
	whole := func(p string) bool { return strings.Count(p, "&") == strings.Count(p, ";") }
	for n := longestEntity; n < 60; n++ {
		if cut, _ := truncate(s, n); !whole(cut) {
			t.Errorf("truncate(…, %d) = %q ends inside an entity", n, cut)
		}
		pieces := chunks(s, n)
		if strings.Join(pieces, "") != s {
			t.Fatalf("chunks(…, %d) lost or changed text", n)
		}
		for _, p := range pieces {
			if len(p) > n || !whole(p) {
				t.Errorf("chunks(…, %d): piece %q is too long or holds part of an entity", n, p)
			}
		}
	}
}

// TestExcerptThenEscape cuts a member's words inside an entity and a link:
// the cut is made on the words, so what is shown holds no half entity and no
// markup.
func TestExcerptThenEscape(t *testing.T) {
	got := escapeText(excerpt("R&D met at <https://evil.example|Q3 review doc>", 14))
	if want := "R&amp;D met at &lt;ht…"; got != want {
		t.Errorf("escaped excerpt = %q, want %q", got, want)
	}
}
