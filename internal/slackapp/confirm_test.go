package slackapp

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/ladderapp/ladder/internal/fakeslack"
	"github.com/ladderapp/ladder/internal/ladder"
	"github.com/ladderapp/ladder/internal/prompts"
)

// TestAreaWeeks: a confirmation counts weeks with evidence out of the window,
// or, for someone newer than the window, out of their own weeks.
func TestAreaWeeks(t *testing.T) {
	tests := []struct {
		weeks, window, enrolled int
		want                    string
	}{
		{3, 26, 26, "That area now has evidence in 3 of the last 26 weeks."},
		{1, 26, 1, "That area now has evidence in your first week with Ladder."},
		{2, 26, 3, "That area now has evidence in 2 of your 3 weeks with Ladder."},
		{5, 26, 3, "That area now has evidence in 3 of your 3 weeks with Ladder."},
	}
	for _, tt := range tests {
		if got := areaWeeks(tt.weeks, tt.window, tt.enrolled); got != tt.want {
			t.Errorf("areaWeeks(%d, %d, %d) = %q, want %q", tt.weeks, tt.window, tt.enrolled, got, tt.want)
		}
	}
}

// TestConfirmMessage: every confirmation carries Undo, and Move when it has
// an area; the blocks pass Slack's checks.
func TestConfirmMessage(t *testing.T) {
	l, err := prompts.Default()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	m := ladder.Member{UserID: "U1", Target: ladder.SeniorEM, EnrolledAt: now.Add(-time.Hour)}
	ev := ladder.Evidence{ID: 42, UserID: "U1", Area: ladder.People, Text: "Coached a lead", Created: now}
	r := ladder.Compute(l, ladder.SeniorEM, l.DefaultTrack(), []ladder.Fact{{Area: ladder.People, At: now}}, now)
	for _, tt := range []struct {
		name    string
		ev      ladder.Evidence
		moved   bool
		text    []string
		buttons []string
	}{
		{"filed", ev, false, []string{"Saved to People management (week 48).", "your first week with Ladder"}, []string{"undo=42", "move=42"}},
		{"moved", ev, true, []string{"Moved to People management"}, []string{"undo=42", "move=42"}},
		{"unfiled", ladder.Evidence{ID: 7, UserID: "U1", Text: "x", Created: now}, false, []string{"Which area"}, []string{"area:people=7:people", "undo=7"}},
		{"cut", ladder.Evidence{ID: 8, UserID: "U1", Area: ladder.People, Truncated: true, Created: now}, false, []string{"kept the first 40000"}, []string{"undo=8", "move=8"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			msg := confirmMessage(l, m, tt.ev, r, now, tt.moved)
			for _, w := range tt.text {
				if !strings.Contains(msg.Text, w) {
					t.Errorf("text %q lacks %q", msg.Text, w)
				}
			}
			raw, err := json.Marshal(msg.Blocks)
			if err != nil {
				t.Fatal(err)
			}
			if err := fakeslack.CheckBlocks(fakeslack.SurfaceMessage, raw); err != nil {
				t.Errorf("Slack would refuse it: %v", err)
			}
			got := map[string]bool{}
			var bs []struct {
				Elements []struct {
					ActionID string `json:"action_id"`
					Value    string `json:"value"`
				} `json:"elements"`
			}
			json.Unmarshal(raw, &bs)
			for _, b := range bs {
				for _, el := range b.Elements {
					got[el.ActionID+"="+el.Value] = true
				}
			}
			for _, w := range tt.buttons {
				if !got[w] {
					t.Errorf("no button %s in %v", w, got)
				}
			}
		})
	}
}

// TestMoveMessage offers every other area, and a way to keep it.
func TestMoveMessage(t *testing.T) {
	l, err := prompts.Default()
	if err != nil {
		t.Fatal(err)
	}
	msg := moveMessage(l, ladder.Evidence{ID: 9, Area: ladder.People, Text: "<!channel> see <https://x|y>"})
	raw, _ := json.Marshal(msg.Blocks)
	if err := fakeslack.CheckBlocks(fakeslack.SurfaceMessage, raw); err != nil {
		t.Errorf("Slack would refuse it: %v", err)
	}
	s := string(raw)
	for _, a := range l.Areas {
		has := strings.Contains(s, `"move_to:`+string(a.ID)+`"`)
		if has == (a.ID == ladder.People) {
			t.Errorf("move picker: button for %s present = %v", a.ID, has)
		}
	}
	if !strings.Contains(s, `"move_keep"`) || !strings.Contains(s, "Keep it in People") {
		t.Errorf("no Keep button: %s", s)
	}
	if strings.Contains(s, "<!channel>") {
		t.Errorf("the member's words are not escaped: %s", s)
	}
}
