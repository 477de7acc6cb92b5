package prompts

import (
	"fmt"
	"hash/fnv"
	"strings"
	"unicode"

	"github.com/ladderapp/ladder/internal/ladder"
)

// RunWords is how many words in a row, shared with a source document, count
// as copying. The ladder is written from the seed documents in our own words:
// facts and structure carry over, runs of RunWords words do not.
const RunWords = 6

// Runs returns every run of RunWords words in text, normalised so that case
// and punctuation do not hide a copy: lowercase, letters and digits only,
// words split on anything else. Each run is its words joined by one space.
func Runs(text string) []string {
	words := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	var runs []string
	for i := 0; i+RunWords <= len(words); i++ {
		runs = append(runs, strings.Join(words[i:i+RunWords], " "))
	}
	return runs
}

// RunHash is the hash a run is stored under: FNV-64a, as 16 hex digits. The
// repository keeps only these hashes of the seeds' runs, never their text.
func RunHash(run string) string {
	h := fnv.New64a()
	h.Write([]byte(run))
	return fmt.Sprintf("%016x", h.Sum64())
}

// Text is one piece of prose in a ladder, named by where it sits.
type Text struct {
	Where string // `prompt "em-people-career-plans" hint`
	Text  string
}

// Texts lists every piece of prose in a ladder: area names and descriptions,
// level titles, summaries, focus lines and expectations, track names and
// descriptions, and prompt text and hints.
func Texts(l *ladder.Ladder) []Text {
	var ts []Text
	add := func(where, text string) {
		if text != "" {
			ts = append(ts, Text{where, text})
		}
	}
	for _, a := range l.Areas {
		add(fmt.Sprintf("area %q name", a.ID), a.Name)
		add(fmt.Sprintf("area %q description", a.ID), a.Description)
	}
	for _, lv := range l.Levels {
		add(fmt.Sprintf("level %q title", lv.ID), lv.Title)
		add(fmt.Sprintf("level %q summary", lv.ID), lv.Summary)
		for _, a := range ladder.AreaIDs {
			add(fmt.Sprintf("level %q focus %s", lv.ID, a), lv.Focus[a])
		}
		for _, e := range l.ExpectationsFor(lv.ID) {
			add(fmt.Sprintf("expectation %q", e.ID), e.Text)
		}
	}
	for _, t := range l.Tracks {
		add(fmt.Sprintf("track %q name", t.ID), t.Name)
		add(fmt.Sprintf("track %q description", t.ID), t.Description)
	}
	for _, p := range l.Prompts {
		add(fmt.Sprintf("prompt %q text", p.ID), p.Text)
		add(fmt.Sprintf("prompt %q hint", p.ID), p.Hint)
	}
	return ts
}

// Copied is a run of words that a text shares with a source.
type Copied struct {
	Where string
	Run   string
}

// CopiedRuns returns the runs of texts whose hashes are in sources, in the
// order of texts, each run once per text.
func CopiedRuns(texts []Text, sources map[string]bool) []Copied {
	var found []Copied
	for _, t := range texts {
		seen := map[string]bool{}
		for _, run := range Runs(t.Text) {
			if sources[RunHash(run)] && !seen[run] {
				seen[run] = true
				found = append(found, Copied{t.Where, run})
			}
		}
	}
	return found
}
