package slackapp

import (
	"testing"

	"github.com/ladderapp/ladder/internal/ladder"
	"github.com/ladderapp/ladder/internal/prompts"
)

func TestSuggestArea(t *testing.T) {
	l, err := prompts.Default()
	if err != nil {
		t.Fatal(err)
	}
	for text, want := range map[string]ladder.AreaID{
		"Thanks for the thoughtful feedback and for coaching Sam to a promotion": ladder.People,
		"We shipped the launch on time, two days before the deadline":            ladder.Execution,
		"Great postmortem on the outage; the migration plan cut latency by half": ladder.Technical,
		"The customer roadmap review with product went really well":              ladder.Strategy,
		"Onboarding and the new hiring loop helped us recruit three engineers":   ladder.Scaling,
		"SHIPPED IT":                  ladder.Execution, // any case
		"See you at lunch":            "",               // no clue: no suggestion
		"relaunched, redesigned":      "",               // words start where a word starts
		"feedback; shipped; shipped!": ladder.Execution, // the most words win
		"feedback, shipped":           ladder.People,    // a tie goes to the ladder's order
	} {
		if got := suggestArea(l, text); got != want {
			t.Errorf("suggestArea(%q) = %q, want %q", text, got, want)
		}
	}
}
