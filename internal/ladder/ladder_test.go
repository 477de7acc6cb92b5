package ladder_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ladderapp/ladder/internal/ladder"
)

func TestParseLevel(t *testing.T) {
	l := testLadder()
	tests := []struct {
		in   string
		want ladder.LevelID
	}{
		{"em", ladder.EM},
		{"M1", ladder.EM},
		{"m2", ladder.SeniorEM},
		{"Senior-EM", ladder.SeniorEM},
		{"senior em", ladder.SeniorEM},
		{"Senior Engineering Manager", ladder.SeniorEM},
		{"engineering manager", ladder.EM},
		{"DIRECTOR", ladder.Director},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := l.ParseLevel(tt.in)
			if err != nil || got.ID != tt.want {
				t.Errorf("got %q, %v; want %q", got.ID, err, tt.want)
			}
		})
	}
	for _, bad := range []string{"", "m9", "boss", "senior"} {
		_, err := l.ParseLevel(bad)
		if !errors.Is(err, ladder.ErrUnknownLevel) || !strings.Contains(err.Error(), "senior-em (M2)") {
			t.Errorf("%q: got %v, want ErrUnknownLevel naming the accepted forms", bad, err)
		}
	}
}

func TestParseArea(t *testing.T) {
	l := testLadder()
	l.Areas[1].Name = "Execution & delivering results"
	for in, want := range map[string]ladder.AreaID{
		"people": ladder.People, "EXEC": ladder.Execution, "execution & delivering results": ladder.Execution, "scal": ladder.Scaling,
	} {
		got, err := l.ParseArea(in)
		if err != nil || got.ID != want {
			t.Errorf("%q: got %q, %v; want %q", in, got.ID, err, want)
		}
	}
	for _, bad := range []string{"", "x", "hr"} {
		if _, err := l.ParseArea(bad); !errors.Is(err, ladder.ErrUnknownArea) || !strings.Contains(err.Error(), "people, execution") {
			t.Errorf("%q: got %v, want ErrUnknownArea naming the accepted ids", bad, err)
		}
	}
}

func TestNextLevel(t *testing.T) {
	l := testLadder()
	if got, ok := l.NextLevel(ladder.EM); !ok || got.ID != ladder.SeniorEM {
		t.Errorf("after em: got %q %v, want senior-em", got.ID, ok)
	}
	if _, ok := l.NextLevel(ladder.Director); ok {
		t.Errorf("after the top rung: got a level, want none")
	}
}

func TestParseSlot(t *testing.T) {
	tests := []struct {
		in   string
		want ladder.Slot
	}{
		{"mon 09:30", ladder.Slot{Day: time.Monday, Minute: 570, On: true}},
		{"Monday 9:30", ladder.Slot{Day: time.Monday, Minute: 570, On: true}},
		{"SUN 23:59", ladder.Slot{Day: time.Sunday, Minute: 1439, On: true}},
		{"thu 00:00", ladder.Slot{Day: time.Thursday, Minute: 0, On: true}},
		{"off", ladder.Slot{}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ladder.ParseSlot(tt.in)
			if err != nil || got != tt.want {
				t.Errorf("got %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
	for _, bad := range []string{"", "mon", "mon 24:00", "mon 9:3", "funday 09:30", "mon 09:60", "mon -1:30", "mon 09:30 extra"} {
		if _, err := ladder.ParseSlot(bad); !errors.Is(err, ladder.ErrBadSchedule) || !strings.Contains(err.Error(), "accepted") {
			t.Errorf("%q: got %v, want ErrBadSchedule naming the accepted forms", bad, err)
		}
	}
	if got := (ladder.Slot{Day: time.Monday, Minute: 570, On: true}).String(); got != "mon 09:30" {
		t.Errorf("String: got %q, want mon 09:30", got)
	}
}

func TestParseShare(t *testing.T) {
	for _, in := range []string{"full", "SUMMARY", " off "} {
		if _, err := ladder.ParseShare(in); err != nil {
			t.Errorf("%q: %v", in, err)
		}
	}
	if _, err := ladder.ParseShare("all"); err == nil || !strings.Contains(err.Error(), "full, summary, off") {
		t.Errorf("all: got %v, want an error naming the accepted forms", err)
	}
}

func TestMemberPausedAndLocation(t *testing.T) {
	m := ladder.Member{TZ: "Asia/Kolkata", PausedUntil: now.Add(time.Hour)}
	if !m.Paused(now) || m.Paused(now.Add(2*time.Hour)) {
		t.Errorf("paused: got %v then %v, want true then false", m.Paused(now), m.Paused(now.Add(2*time.Hour)))
	}
	if got := m.Location().String(); got != "Asia/Kolkata" {
		t.Errorf("location: got %s", got)
	}
	if got := (ladder.Member{TZ: "Mars/Base"}).Location(); got != time.UTC {
		t.Errorf("bad zone: got %s, want UTC", got)
	}
}

func TestExpectationLookups(t *testing.T) {
	l := &ladder.Ladder{Levels: []ladder.Level{
		{ID: ladder.EM, Expectations: map[ladder.Dimension][]ladder.Expectation{
			ladder.Growth:     {{ID: "em-grows", Dimension: ladder.Growth, Text: "grows"}},
			ladder.Leadership: {{ID: "em-leads", Dimension: ladder.Leadership, Text: "leads"}, {ID: "em-coaches", Dimension: ladder.Leadership, Text: "coaches"}},
		}},
		{ID: ladder.SeniorEM, Expectations: map[ladder.Dimension][]ladder.Expectation{
			ladder.Scope: {{ID: "sem-scope", Dimension: ladder.Scope, Text: "several teams"}},
		}},
	}}
	var ids []string
	for _, e := range l.ExpectationsFor(ladder.EM) {
		ids = append(ids, e.ID)
	}
	if got, want := strings.Join(ids, " "), "em-leads em-coaches em-grows"; got != want {
		t.Errorf("ExpectationsFor(em): got %q, want %q (dimension order, then file order)", got, want)
	}
	if got := l.ExpectationsFor(ladder.CTO); got != nil {
		t.Errorf("ExpectationsFor(cto): got %v, want none", got)
	}
	e, lv, ok := l.Expectation("sem-scope")
	if !ok || lv != ladder.SeniorEM || e.Text != "several teams" || e.Dimension != ladder.Scope {
		t.Errorf("Expectation(sem-scope): got %+v %q %v", e, lv, ok)
	}
	if _, _, ok := l.Expectation("nope"); ok {
		t.Errorf("Expectation(nope): found, want not found")
	}
}

func TestUnevidenced(t *testing.T) {
	l := &ladder.Ladder{
		Levels: []ladder.Level{{ID: ladder.EM, Expectations: map[ladder.Dimension][]ladder.Expectation{
			ladder.Leadership: {{ID: "em-a"}, {ID: "em-b"}},
			ladder.Scope:      {{ID: "em-c"}},
		}}},
		Prompts: []ladder.Prompt{
			{ID: "p1", Level: ladder.EM, Expects: []string{"em-a"}},
			{ID: "p2", Level: ladder.EM, Expects: []string{"em-b"}, Track: "deep"},
		},
	}
	ids := func(es []ladder.Expectation) string {
		var s []string
		for _, e := range es {
			s = append(s, e.ID)
		}
		return strings.Join(s, " ")
	}
	for _, tt := range []struct{ track, want string }{
		{"", "em-c"},           // any prompt counts
		{"deep", "em-c"},       // p2 is asked on deep
		{"broad", "em-b em-c"}, // p2 is not asked on broad
	} {
		if got := ids(l.Unevidenced(tt.track)); got != tt.want {
			t.Errorf("Unevidenced(%q) = %q, want %q", tt.track, got, tt.want)
		}
	}
}

func TestZone(t *testing.T) {
	for tz, want := range map[string]string{"": "UTC", "Nowhere/Else": "UTC", "Europe/Berlin": "Europe/Berlin", "Asia/Kolkata": "Asia/Kolkata"} {
		if got := ladder.Zone(tz).String(); got != want {
			t.Errorf("Zone(%q) = %s, want %s", tz, got, want)
		}
	}
}
