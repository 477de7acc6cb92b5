package slackapp

import (
	"strings"
	"testing"
	"time"

	"github.com/ladderapp/ladder/internal/ladder"
)

func parseLadder() *ladder.Ladder {
	l := &ladder.Ladder{
		Levels: []ladder.Level{
			{ID: ladder.EM, M: "M1", Title: "Engineering Manager", Short: "EM"},
			{ID: ladder.SeniorEM, M: "M2", Title: "Senior Engineering Manager", Short: "Senior EM"},
			{ID: ladder.Director, Title: "Director of Engineering", Short: "Director"},
		},
		Tracks: []ladder.Track{{ID: "broad", Name: "Manager of managers"}, {ID: "deep", Name: "Deep-technical manager"}},
	}
	for _, a := range ladder.AreaIDs {
		l.Areas = append(l.Areas, ladder.Area{ID: a, Name: string(a)})
	}
	return l
}

func TestParseCommand(t *testing.T) {
	l := parseLadder()
	tests := []struct {
		in   string
		want command
	}{
		{"", command{name: "help"}},
		{"  HELP ", command{name: "help"}},
		{"gaps", command{name: "gaps"}},
		{"evidence", command{name: "evidence"}},
		{"evidence strat", command{name: "evidence", area: ladder.Strategy}},
		{"evidence <@U123|alice>", command{name: "evidence", user: "U123"}},
		{"evidence <@W9>", command{name: "evidence", user: "W9"}},
		{"level em", command{name: "level", level: ladder.EM}},
		{"level M1 m2", command{name: "level", level: ladder.EM, target: ladder.SeniorEM}},
		{"level senior em director since 2024-03", command{name: "level", level: ladder.SeniorEM, target: ladder.Director,
			since: time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)}},
		{"level Senior Engineering Manager", command{name: "level", level: ladder.SeniorEM}},
		{"track DEEP", command{name: "track", track: "deep"}},
		{"schedule tue 17:45", command{name: "schedule", slot: ladder.Slot{Day: time.Tuesday, Minute: 17*60 + 45, On: true}}},
		{"schedule off", command{name: "schedule"}},
		{"pause until resume", command{name: "pause"}},
		{"pause forever", command{name: "pause"}},
		{"pause 3", command{name: "pause", weeks: 3}},
		{"pause 2w", command{name: "pause", weeks: 2}},
		{"pause 2 weeks", command{name: "pause", weeks: 2}},
		{"pause 2 WKS", command{name: "pause", weeks: 2}},
		{"pause a week", command{name: "pause", weeks: 1}},
		{"pause four weeks", command{name: "pause", weeks: 4}},
		{"manager <@U42|bob>", command{name: "manager", user: "U42"}},
		{"manager none", command{name: "manager"}},
		{"share FULL", command{name: "share", share: ladder.ShareFull}},
		{"share sum", command{name: "share", share: ladder.ShareSummary}},
		{"settings", command{name: "settings"}},
		{"start", command{name: "start"}},
		{"level sr em", command{name: "level", level: ladder.SeniorEM}},
		{"level Sr. EM", command{name: "level", level: ladder.SeniorEM}},
		{"level m1 to snr em", command{name: "level", level: ladder.EM, target: ladder.SeniorEM}},
		{"level eng mgr", command{name: "level", level: ladder.EM}},
		{"level M2 director", command{name: "level", level: ladder.SeniorEM, target: ladder.Director}},
		{"track de", command{name: "track", track: "deep"}},
		{"track broad track", command{name: "track", track: "broad"}},
		{"track Deep-technical manager", command{name: "track", track: "deep"}},
		{"schedule Monday 9am", command{name: "schedule", slot: ladder.Slot{Day: time.Monday, Minute: 9 * 60, On: true}}},
		{"schedule thu 9:30pm", command{name: "schedule", slot: ladder.Slot{Day: time.Thursday, Minute: 21*60 + 30, On: true}}},
		{"schedule 21:30 fri", command{name: "schedule", slot: ladder.Slot{Day: time.Friday, Minute: 21*60 + 30, On: true}}},
		{"schedule wed 9.30", command{name: "schedule", slot: ladder.Slot{Day: time.Wednesday, Minute: 9*60 + 30, On: true}}},
		// A settings command alone shows its value.
		{"level", command{name: "level", show: true}},
		{"track", command{name: "track", show: true}},
		{"schedule", command{name: "schedule", show: true}},
		{"pause", command{name: "pause", show: true}},
		{"manager", command{name: "manager", show: true}},
		{"SHARE", command{name: "share", show: true}},
		{"forget", command{name: "forget"}},
		{"forget confirm", command{name: "forget", confirm: true}},
		{"admin enroll <@U1> <@U2|b>", command{name: "admin", sub: "enroll", users: []string{"U1", "U2"}}},
		{"admin stats", command{name: "admin", sub: "stats"}},
		{"admin digest send", command{name: "admin", sub: "digest"}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseCommand(l, tt.in)
			if err != nil {
				t.Fatalf("got error %v", err)
			}
			if !equalCommand(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func equalCommand(a, b command) bool {
	return a.name == b.name && a.area == b.area && a.user == b.user && strings.Join(a.users, ",") == strings.Join(b.users, ",") &&
		a.level == b.level && a.target == b.target && a.since.Equal(b.since) && a.track == b.track && a.slot == b.slot &&
		a.weeks == b.weeks && a.share == b.share && a.confirm == b.confirm && a.sub == b.sub && a.show == b.show
}

func TestParseCommandRejects(t *testing.T) {
	l := parseLadder()
	tests := []struct{ in, wantInMsg string }{
		{"dance", "/ladder help"},
		{"gap", "Did you mean `/ladder gaps`?"},
		{"gapz", "Did you mean `/ladder gaps`?"},
		{"sched mon 9am", "Did you mean `/ladder schedule`?"},
		{"setings", "Did you mean `/ladder settings`?"},
		{"evidance", "Did you mean `/ladder evidence`?"},
		{"promtp", "Did you mean `/ladder prompt`?"},
		{"settings now", "takes no arguments"},
		{"gaps now", "takes no arguments"},
		{"evidence nonsense", "`people`"},
		{"evidence <@U1> extra", "nothing after the mention"},
		{"level to", "Levels: `em` (M1)"},
		{"level M3", "`senior-em` (M2)"},
		{"level wizard", "`senior-em` (M2)"},
		{"level em since 2024", "YYYY-MM"},
		{"level em since 2024-03 extra", "at the end"},
		{"track sideways", "`broad` (Manager of managers), `deep`"},
		{"track d", "`broad`"},
		{"schedule mon", "<day> <HH:MM>"},
		{"schedule someday 09:00", "mon, tue"},
		{"schedule mon 25:00", "24-hour"},
		{"schedule mon 13pm", "12-hour 9am"},
		{"schedule every day", "thu 5:30pm"},
		{"pause always", "`2 weeks`"},
		{"pause 0", "1 to 52"},
		{"pause 53 weeks", "1 to 52"},
		{"pause 1 2", "`/ladder pause <weeks>`"},
		{"pause 2 days", "`/ladder pause until resume`"},
		{"manager none <@U1>", "`/ladder manager none`"},
		{"manager bob", "not a mention"},
		{"manager <@U1> <@U2>", "one person"},
		{"share everything", "`full`"},
		{"share s", "`summary`"},
		{"forget now", "forget confirm"},
		{"admin", "admin stats"},
		{"admin enroll", "Whom"},
		{"admin enroll bob", "not a mention"},
		{"admin digest", "digest send"},
		{"admin reboot", "Unknown admin command"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := parseCommand(l, tt.in)
			if err == nil || !isUsage(err) {
				t.Fatalf("got %v, want a usage error", err)
			}
			if !strings.Contains(err.Error(), tt.wantInMsg) {
				t.Errorf("got %q, want it to mention %q", err, tt.wantInMsg)
			}
		})
	}
}

func FuzzParseCommand(f *testing.F) {
	for _, s := range []string{"", "help", "evidence <@U123|alice>", "level senior em director since 2024-03",
		"schedule mon 09:30", "pause 2", "admin enroll <@U1> <@U2|b>", "share off", "level m1 m2 since 2025-13", "<@", "\x00\xff"} {
		f.Add(s)
	}
	l := parseLadder()
	f.Fuzz(func(t *testing.T, s string) {
		c, err := parseCommand(l, s)
		if err != nil {
			if !isUsage(err) || err.Error() == "" {
				t.Fatalf("%q: got %v, want a usage error with a message", s, err)
			}
			return
		}
		if c.name == "" {
			t.Fatalf("%q: parsed to a command with no name", s)
		}
	})
}

func TestSuggest(t *testing.T) {
	tests := []struct{ typed, want string }{
		{"gap", "gaps"},
		{"gasp", "gaps"},
		{"hepl", "help"},
		{"exp", "export"},
		{"ev", "evidence"},
		{"mgr", ""},
		{"x", ""},
		{"teleport", ""},
		{"", ""},
		{strings.Repeat("gaps", 20), ""},
	}
	for _, tt := range tests {
		if got := suggest(tt.typed, subcommands); got != tt.want {
			t.Errorf("suggest(%q): got %q, want %q", tt.typed, got, tt.want)
		}
	}
}

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"gaps", "gaps", 0}, {"gap", "gaps", 1}, {"gasp", "gaps", 2},
		{"kitten", "sitting", 3}, {"", "abc", 3}, {"évidence", "evidence", 1},
	}
	for _, tt := range tests {
		if got := editDistance(tt.a, tt.b); got != tt.want {
			t.Errorf("editDistance(%q, %q): got %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}
