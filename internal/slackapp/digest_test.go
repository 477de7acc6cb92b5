package slackapp_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ladderapp/ladder/internal/fakeslack"
	"github.com/ladderapp/ladder/internal/ladder"
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
	posted := h.waitPost(bob, func(m fakeslack.Message) bool { return strings.Contains(m.Text, "Monthly digest") })
	preview := h.slash(bob, "digest")
	contains(t, "digest", posted.Text, "*Monthly digest · November 2026 · your reports*")
	contains(t, "preview", preview, "*Monthly digest · November so far · your reports*")
	for what, digest := range map[string]string{"digest": posted.Text, "preview": preview} {
		a := blockWith(digest, "<@UALICE>")
		contains(t, what+": alice, enrolled today", a, "Weeks answered: none asked yet (joined Nov 23)")
		lacks(t, what+": alice, enrolled today", a, " of ")

		c := blockWith(digest, "<@UCAROL>")
		contains(t, what+": carol, paused two weeks", c, "Weeks answered: 1 of 2\n", "Areas covered: People", "Readiness: ")
		lacks(t, what+": carol, paused two weeks", c, "joined", "on pause")

		d := blockWith(digest, "<@UDAN>")
		contains(t, what+": dan, never answering", d, "Weeks answered: 0 of 4\n", "Areas covered: none")
	}
}

// blockWith returns the entry of a digest that contains s: its lines from
// that one to the next blank line.
func blockWith(text, s string) string {
	i := strings.Index(text, s)
	if i < 0 {
		return ""
	}
	start := strings.LastIndex(text[:i], "\n") + 1
	end := strings.Index(text[start:], "\n\n")
	if end < 0 {
		return text[start:]
	}
	return text[start : start+end]
}

// TestDigestPreviewEarlyInTheMonth: on the 2nd of December the preview shows
// December so far, as help promises, while the digest sent that day covers
// November and names it. Each report is a block of its own, with readiness
// and its trend, and an excerpt for a report who shares in full.
func TestDigestPreviewEarlyInTheMonth(t *testing.T) {
	h := newHarness(t)
	h.slash(alice, "help")
	h.nameAndAccept(alice, bob)
	if _, err := h.db.UpdateMember(h.ctx, alice, func(m *ladder.Member) error { m.Share = ladder.ShareFull; return nil }); err != nil {
		t.Fatal(err)
	}
	h.prompt(alice)
	h.dm(alice, "Ran the cross-team incident review with platform & payments <!channel>.")

	h.clock.Add(9 * 24 * time.Hour) // Wednesday 2 December
	preview := h.slash(bob, "digest")
	contains(t, "preview", preview, "Preview — your digest as it stands for December so far.",
		"*Monthly digest · December so far · your reports*", "Weeks answered: no weekly question yet")
	lacks(t, "preview", preview, "November", "Ran the cross-team")

	h.slash(admin, "admin digest send")
	posted := h.waitPost(bob, func(m fakeslack.Message) bool { return strings.Contains(m.Text, "Monthly digest") })
	contains(t, "digest", posted.Text, "*Monthly digest · November 2026 · your reports*")
	a := blockWith(posted.Text, "<@UALICE>")
	contains(t, "alice's entry", a, "Senior EM target · shares full", "Weeks answered: 1 of 1 since joining on Nov 23",
		"Readiness: 0% → ", "% ↑", "> “Ran the cross-team incident review with platform &amp; payments &lt;!channel&gt;.” (Nov 23)")
	if n := strings.Count(a, "\n"); n < 5 {
		t.Errorf("alice's entry has %d lines, want a block of at least 6:\n%s", n+1, a)
	}
}
