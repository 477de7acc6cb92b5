package slackapp

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/ladderapp/ladder/internal/ladder"
)

// form is a submitted settings modal's state with every field filled, and
// the fields in change changed.
func form(change map[string]string) map[string]map[string]slack.BlockAction {
	v := map[string]string{
		fieldLevel: "em", fieldTarget: "senior-em", fieldTrack: "broad", fieldDay: "mon", fieldTime: "09:30",
		fieldManager: "", fieldShare: "summary", fieldPause: pauseNone,
	}
	for k, x := range change {
		v[k] = x
	}
	out := map[string]map[string]slack.BlockAction{}
	for field, x := range v {
		act := slack.BlockAction{ActionID: field, BlockID: field}
		switch field {
		case fieldTime:
			act.SelectedTime = x
		case fieldManager:
			act.SelectedUser = x
		default:
			act.SelectedOption = slack.OptionBlockObject{Value: x}
		}
		out[field] = map[string]slack.BlockAction{field: act}
	}
	return out
}

func TestParseSettings(t *testing.T) {
	l := parseLadder()
	l.Tracks[0].Name = "Manager of managers"
	tests := []struct {
		name    string
		change  map[string]string
		errs    []string // the fields in error
		checkFn func(f settingsForm) bool
	}{
		{"defaults", nil, nil, func(f settingsForm) bool {
			return f.level == ladder.EM && f.target == ladder.SeniorEM && f.slot.String() == "mon 09:30" && f.share == ladder.ShareSummary
		}},
		{"day off ignores the time", map[string]string{fieldDay: dayOff, fieldTime: ""}, nil, func(f settingsForm) bool { return !f.slot.On }},
		{"evening slot", map[string]string{fieldDay: "sun", fieldTime: "21:05"}, nil, func(f settingsForm) bool { return f.slot.String() == "sun 21:05" }},
		{"top rung aims for itself", map[string]string{fieldLevel: "director", fieldTarget: "director"}, nil, nil},
		{"target below", map[string]string{fieldLevel: "senior-em", fieldTarget: "em"}, []string{fieldTarget}, nil},
		{"target equal below the top", map[string]string{fieldTarget: "em"}, []string{fieldTarget}, nil},
		{"unknown level", map[string]string{fieldLevel: "wizard"}, []string{fieldLevel}, nil},
		{"no day", map[string]string{fieldDay: ""}, []string{fieldDay}, nil},
		{"tampered day", map[string]string{fieldDay: "someday"}, []string{fieldDay}, nil},
		{"no time", map[string]string{fieldTime: ""}, []string{fieldTime}, nil},
		{"own manager", map[string]string{fieldManager: "UME"}, []string{fieldManager}, nil},
		{"tampered pause", map[string]string{fieldPause: "99"}, []string{fieldPause}, nil},
		{"tampered share", map[string]string{fieldShare: "everyone"}, []string{fieldShare}, nil},
		{"pause 4", map[string]string{fieldPause: "4"}, nil, func(f settingsForm) bool { return f.pause == "4" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, errs := parseSettings(l, "UME", form(tt.change))
			var got []string
			for k := range errs {
				got = append(got, k)
			}
			slices.Sort(got)
			want := slices.Sorted(slices.Values(tt.errs))
			if !slices.Equal(got, want) {
				t.Errorf("errors: got %v, want errors for %v", errs, tt.errs)
			}
			if tt.checkFn != nil && !tt.checkFn(f) {
				t.Errorf("form: got %+v", f)
			}
		})
	}
}

func TestSettingsFormApply(t *testing.T) {
	now := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	paused := now.Add(3 * 24 * time.Hour)
	tests := []struct {
		pause string
		was   time.Time
		want  time.Time
	}{
		{pauseNone, paused, time.Time{}},
		{pauseKeep, paused, paused},
		{pauseUntil, time.Time{}, forever},
		{"2", paused, now.Add(14 * 24 * time.Hour)},
	}
	for _, tt := range tests {
		m := ladder.Member{PausedUntil: tt.was, Manager: "UOLD", ManagerDeclined: "UNO"}
		settingsForm{pause: tt.pause, manager: "UNO"}.apply(&m, now)
		if !m.PausedUntil.Equal(tt.want) {
			t.Errorf("pause %q from %v: got %v, want %v", tt.pause, tt.was, m.PausedUntil, tt.want)
		}
		if m.Manager != "UOLD" {
			t.Errorf("a manager who declined was named again: %q", m.Manager)
		}
	}
}

func TestClip(t *testing.T) {
	long := "The specialist path: lead in a deep domain such as search, infrastructure or ML, with leverage."
	got := clip(long, maxOptionText)
	if n := len([]rune(got)); n > maxOptionText || !strings.HasSuffix(got, "…") || strings.Contains(got, "infrastructure o…") {
		t.Errorf("clip: got %q (%d runes), want at most %d, cut between words", got, n, maxOptionText)
	}
	if got := clip("short", maxOptionText); got != "short" {
		t.Errorf("clip of a short text: got %q", got)
	}
}
