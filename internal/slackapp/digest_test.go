package slackapp_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ladderapp/ladder/internal/ladder"
	"github.com/ladderapp/ladder/internal/slacktest"
	"github.com/ladderapp/ladder/internal/store"
)

// TestDigestCountsOnlyWeeksAsked sends bob the digest of November so far
// (the clock is Monday 23 November) about three reports: alice, who enrolled
// this morning; carol, who paused for two weeks of the month; and dan, who
// was asked every week and never answered. Neither alice's weeks before she
// joined nor carol's paused weeks are shown as missed, in the digest posted
// or in its preview; dan's silence still is.
func TestDigestCountsOnlyWeeksAsked(t *testing.T) {
	h := newHarness(t)
	h.slash(alice, "start") // enrols alice now
	h.nameAndAccept(alice, bob)

	day := 24 * time.Hour
	nov2 := time.Date(2026, 11, 2, 9, 30, 0, 0, time.UTC) // the first Monday of November
	longAgo := nov2.AddDate(0, -6, 0)
	for _, id := range []string{carol, "UDAN"} {
		m := ladder.Member{UserID: id, TZ: "Europe/Berlin", Level: ladder.EM, Target: ladder.SeniorEM, Track: "broad",
			Manager: bob, Share: ladder.ShareSummary, EnrolledAt: longAgo}
		if _, _, err := h.db.Enroll(h.ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	ask := func(user string, at time.Time) ladder.Prompt {
		t.Helper()
		p := h.ladder.PromptsFor(ladder.SeniorEM, ladder.People)[0]
		sent, _, err := h.db.RecordPrompt(h.ctx, store.PromptSent{UserID: user, PromptID: p.ID, Weekly: true, Created: at,
			Week: ladder.WeekOf(at)})
		if err != nil {
			t.Fatal(err)
		}
		if err := h.db.MarkPromptPosted(h.ctx, sent.ID, "D"+user, fmt.Sprintf("%d.000100", at.Unix())); err != nil {
			t.Fatal(err)
		}
		return p
	}

	// carol answers the 2nd's prompt, pauses after the 9th's until the 23rd
	// at 06:30 (so no prompt on the 16th), and is asked again this morning.
	p := ask(carol, nov2)
	if _, _, err := h.db.AddEvidence(h.ctx, ladder.Evidence{UserID: carol, Area: p.Area, PromptID: p.ID,
		Text: "Coached a new lead through her first hiring loop.", Channel: "D" + carol, TS: "1.000001", Created: nov2.Add(3 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	ask(carol, nov2.Add(7*day))
	if _, err := h.db.UpdateMember(h.ctx, carol, func(m *ladder.Member) error {
		m.PausedUntil = nov2.Add(21*day - 3*time.Hour)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	ask(carol, nov2.Add(21*day-2*time.Hour))
	// dan is asked every Monday, the 23rd too, and never answers.
	for w := range 4 {
		ask("UDAN", nov2.Add(time.Duration(w)*7*day-2*time.Hour))
	}

	h.digestSend()
	posted := h.waitPost(bob, func(m slacktest.Message) bool { return strings.Contains(m.Text, "Monthly digest") })
	preview := h.slash(bob, "digest")
	for what, digest := range map[string]string{"digest": posted.Text, "preview": preview} {
		contains(t, what, digest, "November 2026")

		a := lineWith(digest, "<@UALICE>")
		contains(t, what+": alice, enrolled today", a, "joined Nov 23", "no weekly question yet")
		lacks(t, what+": alice, enrolled today", a, "answered", "weeks")

		c := lineWith(digest, "<@UCAROL>")
		contains(t, what+": carol, paused two weeks", c, "answered 1 of 2 weeks")
		lacks(t, what+": carol, paused two weeks", c, "joined", "on pause")

		d := lineWith(digest, "<@UDAN>")
		contains(t, what+": dan, never answering", d, "answered 0 of 4 weeks")
	}
}
