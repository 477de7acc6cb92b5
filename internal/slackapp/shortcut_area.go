package slackapp

import (
	"regexp"
	"strings"

	"github.com/ladderapp/ladder/internal/ladder"
)

// areaWords are the words that suggest an area for a saved message. The
// suggestion is only where the area select starts: the member sees it and
// changes it when it is wrong, so a short list of plain words is enough.
// Each is matched at the start of a word, case-insensitively ("promot"
// matches "promoted" and "promotion").
var areaWords = map[ladder.AreaID][]string{
	ladder.People: {"feedback", "coach", "mentor", "career", "promot", "1:1", "one-on-one", "grow",
		"performance review", "kudos", "shout-out", "shoutout", "thank"},
	ladder.Execution: {"ship", "launch", "release", "deliver", "deadline", "milestone", "on time",
		"okr", "metric", "velocity", "done", "unblock"},
	ladder.Technical: {"design", "architecture", "tech debt", "refactor", "incident", "outage",
		"postmortem", "post-mortem", "reliab", "migration", "latency", "rfc", "on-call", "oncall", "code review"},
	ladder.Strategy: {"customer", "product", "roadmap", "strateg", "stakeholder", "partner",
		"business", "revenue", "charter", "priorit", "vision"},
	ladder.Scaling: {"hiring", "hire", "interview", "onboard", "recruit", "culture", "process",
		"reorg", "handbook", "guild", "cross-team", "org-wide"},
}

// areaPatterns are areaWords compiled, one pattern per area.
var areaPatterns = func() map[ladder.AreaID]*regexp.Regexp {
	out := map[ladder.AreaID]*regexp.Regexp{}
	for id, words := range areaWords {
		quoted := make([]string, len(words))
		for i, w := range words {
			quoted[i] = regexp.QuoteMeta(w)
		}
		out[id] = regexp.MustCompile(`(?i)(^|[^\pL\pN])(` + strings.Join(quoted, "|") + `)`)
	}
	return out
}()

// suggestArea is the area of l whose words text uses most, the first in the
// ladder's order on a tie, or "" if it uses none.
func suggestArea(l *ladder.Ladder, text string) ladder.AreaID {
	var best ladder.AreaID
	most := 0
	for _, a := range l.Areas {
		re := areaPatterns[a.ID]
		if re == nil {
			continue
		}
		if n := len(re.FindAllStringIndex(text, -1)); n > most {
			best, most = a.ID, n
		}
	}
	return best
}
