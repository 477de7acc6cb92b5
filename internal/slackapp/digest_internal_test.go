package slackapp

import (
	"testing"
	"time"

	"github.com/ladderapp/ladder/internal/ladder"
	"github.com/ladderapp/ladder/internal/prompts"
)

// TestReportLine renders a report's digest entry from its statistics, with
// no websocket: one block per report, with the weeks as counted, the joining
// date in the manager's zone, the words for a member who was never asked,
// and readiness with the way it moved.
func TestReportLine(t *testing.T) {
	l, err := prompts.Default()
	if err != nil {
		t.Fatal(err)
	}
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	// soFar is November so far, in the manager's zone; november is the
	// whole month, gone by.
	soFar := ladder.DigestPeriod(time.Date(2026, 11, 23, 3, 0, 0, 0, ny))
	november := ladder.DigestPeriod(time.Date(2026, 12, 1, 9, 0, 0, 0, ny))
	alice := ladder.Member{UserID: "UALICE", Target: ladder.SeniorEM, Share: ladder.ShareSummary}
	// 01:00 on the 23rd in UTC is still the 22nd in New York.
	joined := time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC)
	const head = "*<@UALICE>* · Senior EM target · shares summary"
	block := func(head, weeks, covered, gaps, readiness string) string {
		return head + "\n• Weeks answered: " + weeks + "\n• Areas covered: " + covered + "\n• Biggest gaps: " + gaps + "\n• Readiness: " + readiness
	}
	tests := []struct {
		name   string
		member ladder.Member
		stats  ladder.ReportStats
		period ladder.Period
		want   string
	}{
		{"not sharing says nothing else", ladder.Member{UserID: "UALICE", Share: ladder.ShareOff},
			ladder.ReportStats{Weeks: 4, Answered: 1}, soFar, "*<@UALICE>* · not sharing"},
		{"a full month, readiness up",
			alice, ladder.ReportStats{Weeks: 4, Answered: 2, Covered: []ladder.AreaID{ladder.People, ladder.Strategy},
				Gaps: []ladder.AreaID{ladder.Scaling, ladder.Technical}, Before: 0.2, After: 0.35}, november,
			block(head, "2 of 4", "People, Strategy", "Scaling, Technical", "20% → 35% ↑")},
		{"one week, a skip, readiness flat",
			alice, ladder.ReportStats{Weeks: 1, Answered: 0, Skipped: 1, Before: 0.3, After: 0.3}, soFar,
			block(head, "0 of 1 (1 skipped)", "none", "none", "30%, unchanged")},
		{"joined this month, not asked yet: no missed weeks",
			alice, ladder.ReportStats{Joined: joined, Gaps: []ladder.AreaID{ladder.Scaling, ladder.People}}, soFar,
			block(head, "none asked yet (joined Nov 22)", "none", "Scaling, People", "0%, unchanged")},
		{"joined in a month gone by, never asked",
			alice, ladder.ReportStats{Joined: joined}, november,
			block(head, "no weekly question in November (joined Nov 22)", "none", "none", "0%, unchanged")},
		{"joined this month and answered",
			alice, ladder.ReportStats{Joined: joined, Weeks: 1, Answered: 1, Covered: []ladder.AreaID{ladder.People}, Before: 0, After: 0.1}, soFar,
			block(head, "1 of 1 since joining on Nov 22", "People", "none", "0% → 10% ↑")},
		{"on pause all month so far, readiness down",
			alice, ladder.ReportStats{Paused: true, Before: 0.5, After: 0.4}, soFar,
			block(head+" · on pause", "no weekly question yet", "none", "none", "50% → 40% ↓")},
		{"on pause all of a month gone by",
			alice, ladder.ReportStats{Paused: true, Before: 0.5, After: 0.4}, november,
			block(head+" · on pause", "no weekly question in November", "none", "none", "50% → 40% ↓")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := reportLine(l, tt.member, tt.stats, tt.period); got != tt.want {
				t.Errorf("reportLine =\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}
