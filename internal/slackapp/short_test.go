package slackapp

import (
	"strings"
	"testing"
)

// TestAskBeforeSaving is the rule for which DMs Ladder asks about before it
// saves them as evidence.
func TestAskBeforeSaving(t *testing.T) {
	tests := []struct {
		text          string
		answersPrompt bool
		ask           bool
	}{
		// No words at all: always asked, even as a prompt's answer.
		{"👍", false, true},
		{"👍", true, true},
		{":+1:", true, true},
		{":thumbsup::skin-tone-3: 🎉", false, true},
		{"!!!", false, true},
		{"...?", true, true},
		// Small talk, however long, and wherever it is.
		{"thanks", false, true},
		{"thx!", false, true},
		{"ok", true, true},
		{"Thank you so much!", false, true},
		{"thanks for the question :pray:", true, true},
		{"ok cool, sounds good", false, true},
		{"Skip this week", true, true},
		// Short, answering no prompt: asked.
		{"Hired two seniors", false, true},
		{"see doc", false, true},
		{"<https://docs.example/q3|Q3 review>", false, true},
		// Few words, but long ones: a document's link pasted alone.
		{"<https://docs.google.com/document/d/1AbCdEfGhIjKlMnOp/edit|Q3 incident review>", false, false},
		{strings.Repeat("é", 45000), false, false},
		// Short, but the answer to a prompt: saved.
		{"Hired two seniors", true, false},
		{"Q3 review doc", true, false},
		// Four words or more, with something said: saved.
		{"Hired two senior engineers", false, false},
		{"I coached two leads", false, false},
		{"thanks — shipped the migration plan", false, false},
		{"Ran the cross-team incident review with platform and payments.", false, false},
		{"ok 👍 reorganised on-call rota", false, false},
	}
	for _, tt := range tests {
		if got := askBeforeSaving(tt.text, tt.answersPrompt); got != tt.ask {
			t.Errorf("askBeforeSaving(%q, answersPrompt=%v) = %v, want %v (words %q)", tt.text, tt.answersPrompt, got, tt.ask, answerWords(tt.text))
		}
	}
}
