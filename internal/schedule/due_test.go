package schedule

import (
	"testing"
	"time"
	_ "time/tzdata" // the zones below, wherever the tests run

	"github.com/robfig/cron/v3"

	"github.com/ladderapp/ladder/internal/ladder"
)

func mustLoc(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func slot(day time.Weekday, hh, mm int) ladder.Slot {
	return ladder.Slot{Day: day, Minute: hh*60 + mm, On: true}
}

func TestWeekSlot(t *testing.T) {
	for _, tc := range []struct {
		name string
		zone string
		slot ladder.Slot
		now  string // local wall time in zone
		want string // local wall time and offset of the slot
		week string
	}{
		{"NY before spring forward", "America/New_York", slot(time.Monday, 9, 30), "2026-03-04 12:00", "2026-03-02 09:30 -0500", "2026-W10"},
		{"NY after spring forward", "America/New_York", slot(time.Monday, 9, 30), "2026-03-10 12:00", "2026-03-09 09:30 -0400", "2026-W11"},
		{"NY skipped hour", "America/New_York", slot(time.Sunday, 2, 30), "2026-03-08 12:00", "2026-03-08 01:30 -0500", "2026-W10"},
		{"NY repeated hour", "America/New_York", slot(time.Sunday, 1, 30), "2026-11-01 12:00", "2026-11-01 01:30 -0400", "2026-W44"},
		{"NY after fall back", "America/New_York", slot(time.Monday, 9, 30), "2026-11-02 12:00", "2026-11-02 09:30 -0500", "2026-W45"},
		{"Berlin skipped hour", "Europe/Berlin", slot(time.Sunday, 2, 30), "2026-03-29 12:00", "2026-03-29 03:30 +0200", "2026-W13"},
		{"Berlin after spring forward", "Europe/Berlin", slot(time.Monday, 9, 30), "2026-03-30 12:00", "2026-03-30 09:30 +0200", "2026-W14"},
		{"Berlin repeated hour", "Europe/Berlin", slot(time.Sunday, 2, 30), "2026-10-25 12:00", "2026-10-25 02:30 +0100", "2026-W43"},
		{"Berlin after fall back", "Europe/Berlin", slot(time.Monday, 9, 30), "2026-10-26 12:00", "2026-10-26 09:30 +0100", "2026-W44"},
		{"Kolkata", "Asia/Kolkata", slot(time.Monday, 9, 30), "2026-11-16 09:29", "2026-11-16 09:30 +0530", "2026-W47"},
		{"Chatham", "Pacific/Chatham", slot(time.Monday, 9, 30), "2026-11-16 00:10", "2026-11-16 09:30 +1345", "2026-W47"},
		// Sunday evening in Chatham is still week 47 there, though UTC is on Sunday morning.
		{"Chatham Sunday", "Pacific/Chatham", slot(time.Sunday, 21, 0), "2026-11-22 23:59", "2026-11-22 21:00 +1345", "2026-W47"},
		// Monday 00:05 in Kolkata is week 48 there, though UTC is still in week 47.
		{"Kolkata Monday midnight", "Asia/Kolkata", slot(time.Monday, 0, 5), "2026-11-23 00:05", "2026-11-23 00:05 +0530", "2026-W48"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			loc := mustLoc(t, tc.zone)
			now, err := time.ParseInLocation("2006-01-02 15:04", tc.now, loc)
			if err != nil {
				t.Fatal(err)
			}
			got, week, ok := WeekSlot(tc.slot, loc, now)
			if !ok {
				t.Fatalf("WeekSlot(%s, %s) = none", tc.slot, tc.now)
			}
			if s := got.In(loc).Format("2006-01-02 15:04 -0700"); s != tc.want || week.String() != tc.week {
				t.Errorf("WeekSlot(%s, %s) = %s in %s; want %s in %s", tc.slot, tc.now, s, week, tc.want, tc.week)
			}
		})
	}
	if _, _, ok := WeekSlot(ladder.Slot{}, time.UTC, time.Date(2026, 11, 18, 12, 0, 0, 0, time.UTC)); ok {
		t.Error("WeekSlot(off) found a slot")
	}
}

func TestWeeklyDue(t *testing.T) {
	berlin := mustLoc(t, "Europe/Berlin")
	at := func(s string) time.Time {
		t.Helper()
		v, err := time.ParseInLocation("2006-01-02 15:04", s, berlin)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	base := ladder.Member{UserID: "U1", TZ: "Europe/Berlin", Slot: slot(time.Monday, 9, 30), EnrolledAt: at("2026-11-01 00:00")}
	for _, tc := range []struct {
		name   string
		change func(*ladder.Member)
		now    string
		due    bool
	}{
		{"a minute early", nil, "2026-11-16 09:29", false},
		{"at the slot", nil, "2026-11-16 09:30", true},
		{"three hours late", nil, "2026-11-16 12:30", true},
		{"twelve hours late", nil, "2026-11-16 21:30", true},
		{"thirteen hours late", nil, "2026-11-16 22:30", false},
		{"later in the week", nil, "2026-11-19 09:30", false},
		{"off", func(m *ladder.Member) { m.Slot = ladder.Slot{} }, "2026-11-16 09:30", false},
		{"paused now", func(m *ladder.Member) { m.PausedUntil = at("2026-11-20 00:00") }, "2026-11-16 09:30", false},
		{"pause over but was paused at the slot", func(m *ladder.Member) { m.PausedUntil = at("2026-11-16 10:00") }, "2026-11-16 10:30", false},
		{"pause over before the slot", func(m *ladder.Member) { m.PausedUntil = at("2026-11-16 09:00") }, "2026-11-16 09:30", true},
		{"enrolled after the slot", func(m *ladder.Member) { m.EnrolledAt = at("2026-11-16 10:00") }, "2026-11-16 10:30", false},
		{"Sunday night slot seen on Monday", func(m *ladder.Member) { m.Slot = slot(time.Sunday, 22, 0) }, "2026-11-23 01:00", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := base
			if tc.change != nil {
				tc.change(&m)
			}
			_, _, due := weeklyDue(m, at(tc.now), 12*time.Hour)
			if due != tc.due {
				t.Errorf("due at %s = %v; want %v", tc.now, due, tc.due)
			}
		})
	}
}

func TestDigestFire(t *testing.T) {
	kolkata := mustLoc(t, "Asia/Kolkata")
	monthly, _ := cron.ParseStandard("0 9 1 * *")
	minutely, _ := cron.ParseStandard("* * * * *")
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, kolkata)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, tc := range []struct {
		name     string
		sched    cron.Schedule
		from, to string
		want     string // local fire time, "" for none
	}{
		{"fires at 09:00 local", monthly, "2026-12-01 08:59", "2026-12-01 09:00", "2026-12-01 09:00"},
		{"not yet", monthly, "2026-12-01 08:58", "2026-12-01 08:59", ""},
		{"not again", monthly, "2026-12-01 09:00", "2026-12-01 09:01", ""},
		{"caught up after downtime", monthly, "2026-11-28 00:00", "2026-12-03 12:00", "2026-12-01 09:00"},
		{"last month's, caught up on the 1st before 09:00", monthly, "2026-10-31 00:00", "2026-11-01 08:00", ""},
		{"every minute: this month's first minute", minutely, "2026-11-28 00:00", "2026-12-01 00:00", "2026-12-01 00:00"},
		{"every minute: within the month", minutely, "2026-12-05 10:00", "2026-12-05 10:01", "2026-12-05 10:01"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := DigestFire(tc.sched, kolkata, at(tc.from), at(tc.to))
			switch {
			case tc.want == "" && ok:
				t.Errorf("fired at %s; want no firing", got.In(kolkata))
			case tc.want != "" && (!ok || !got.Equal(at(tc.want))):
				t.Errorf("fired at %s (%v); want %s", got.In(kolkata), ok, tc.want)
			}
		})
	}
}
