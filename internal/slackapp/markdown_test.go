package slackapp

import "testing"

// TestSlackToMarkdown: Slack's markup in a member's words becomes Markdown a
// review doc reads; what the member typed in angle brackets stays.
func TestSlackToMarkdown(t *testing.T) {
	names := map[string]string{"U0BOSS": "Bob Manager"}
	name := func(id, label string) string {
		if n := names[id]; n != "" {
			return n
		}
		if label != "" {
			return label
		}
		return "@" + id
	}
	tests := []struct{ in, want string }{
		{"Paired with <@U0BOSS> on it", "Paired with Bob Manager on it"},
		{"thanks <@U0BOSS|bob>", "thanks Bob Manager"},
		{"cc <@U0NEW|newbie> and <@W0GONE>", "cc newbie and @W0GONE"},
		{"see <#C0INC|incidents> and <#C0X>", "see #incidents and #C0X"},
		{"<https://docs.example/q3|Q3 review>", "[Q3 review](https://docs.example/q3)"},
		{"<https://docs.example/q3>", "<https://docs.example/q3>"},
		{"<https://x.example/a?b=1&amp;c=2|a [draft] doc>", `[a \[draft\] doc](https://x.example/a?b=1&c=2)`},
		{"<https://en.wikipedia.org/wiki/Go_(game)|Go>", "[Go](https://en.wikipedia.org/wiki/Go_%28game%29)"},
		{"<mailto:bob@example.com|bob@example.com>", "bob@example.com"},
		{"<!here> <!channel> <!everyone>", "@here @channel @everyone"},
		{"<!subteam^S0PLAT|@platform> on call", "@platform on call"},
		{"<!date^1392734382^{date_short}|Feb 18, 2014>", "Feb 18, 2014"},
		{"R&amp;D &lt;3 &gt; ops", "R&D <3 > ops"},
		{"a < b > c, and <b>bold</b>", "a < b > c, and <b>bold</b>"},
		{"<- this one", "<- this one"},
	}
	for _, tt := range tests {
		if got := slackToMarkdown(tt.in, name); got != tt.want {
			t.Errorf("slackToMarkdown(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
