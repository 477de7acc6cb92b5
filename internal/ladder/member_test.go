package ladder_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ladderapp/ladder/internal/ladder"
)

func TestParseSlotForgives(t *testing.T) {
	on := func(d time.Weekday, h, m int) ladder.Slot { return ladder.Slot{Day: d, Minute: h*60 + m, On: true} }
	tests := []struct {
		in   string
		want ladder.Slot
	}{
		{"mon 9am", on(time.Monday, 9, 0)},
		{"mon 9 am", on(time.Monday, 9, 0)},
		{"Mon 9 A.M.", on(time.Monday, 9, 0)},
		{"tue 9:30pm", on(time.Tuesday, 21, 30)},
		{"tue 9:30 PM", on(time.Tuesday, 21, 30)},
		{"wed 21:30", on(time.Wednesday, 21, 30)},
		{"wed 9.30", on(time.Wednesday, 9, 30)},
		{"weds 0930", on(time.Wednesday, 9, 30)},
		{"thurs 17", on(time.Thursday, 17, 0)},
		{"tues 12am", on(time.Tuesday, 0, 0)},
		{"fri 12pm", on(time.Friday, 12, 0)},
		{"fri 12:15am", on(time.Friday, 0, 15)},
		{"sat noon", on(time.Saturday, 12, 0)},
		{"sun midnight", on(time.Sunday, 0, 0)},
		{"9am monday", on(time.Monday, 9, 0)},
		{"every monday at 9am", on(time.Monday, 9, 0)},
		{"Mondays, 10:00", on(time.Monday, 10, 0)},
		{"fri. 8h15", on(time.Friday, 8, 15)},
		{"th 7pm", on(time.Thursday, 19, 0)},
		{"OFF", ladder.Slot{}},
		{"none", ladder.Slot{}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ladder.ParseSlot(tt.in)
			if err != nil || got != tt.want {
				t.Errorf("got %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

func TestParseSlotRejects(t *testing.T) {
	tests := []struct{ in, wantInMsg string }{
		{"mon 13pm", "12-hour 9am"},
		{"mon 0am", "24-hour 09:30"},
		{"mon 9:5", "24-hour"},
		{"mon 25:00", "24-hour"},
		{"mon 9:60", "24-hour"},
		{"someday 9am", "mon, tue"},
		{"t 9am", "mon, tue"},
		{"s 9am", "mon, tue"},
		{"mon", "a day and a time"},
		{"9am", "a day and a time"},
		{"mon tue 9am", "a day and a time"},
		{"mon 9am 10am", "a day and a time"},
		{"", "a day and a time"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := ladder.ParseSlot(tt.in)
			if !errors.Is(err, ladder.ErrBadSchedule) || !strings.Contains(err.Error(), tt.wantInMsg) {
				t.Errorf("got %v, want ErrBadSchedule mentioning %q", err, tt.wantInMsg)
			}
		})
	}
}

func TestParseClock(t *testing.T) {
	tests := []struct {
		in   string
		want int
		ok   bool
	}{
		{"09:30", 570, true},
		{"00:00", 0, true},
		{"23:59", 1439, true},
		{"9am", 540, true},
		{"11:45pm", 1425, true},
		{"24:00", 0, false},
		{"9:3", 0, false},
		{"+9:30", 0, false},
		{"-1", 0, false},
		{"12345", 0, false},
		{"", 0, false},
		{"am", 0, false},
	}
	for _, tt := range tests {
		got, ok := ladder.ParseClock(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseClock(%q): got %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestParseShareForgives(t *testing.T) {
	tests := []struct {
		in   string
		want ladder.Share
	}{
		{"full", ladder.ShareFull},
		{"FU", ladder.ShareFull},
		{"sum", ladder.ShareSummary},
		{"Summary", ladder.ShareSummary},
		{"off", ladder.ShareOff},
		{"none", ladder.ShareOff},
		{"nothing", ladder.ShareOff},
	}
	for _, tt := range tests {
		got, err := ladder.ParseShare(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseShare(%q): got %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"f", "s", "o", "", "everyone", "fully"} {
		if _, err := ladder.ParseShare(bad); err == nil || !strings.Contains(err.Error(), "full, summary, off") {
			t.Errorf("ParseShare(%q): got %v, want an error naming the accepted forms", bad, err)
		}
	}
}
