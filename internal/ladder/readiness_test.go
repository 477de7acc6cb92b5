package ladder_test

import (
	"testing"
	"time"

	"github.com/ladderapp/ladder/internal/ladder"
)

// testLadder is a small ladder: five areas, two levels, three senior-em prompts
// per area.
func testLadder() *ladder.Ladder {
	l := &ladder.Ladder{WindowWeeks: 26}
	for _, id := range ladder.AreaIDs {
		l.Areas = append(l.Areas, ladder.Area{ID: id, Name: string(id)})
	}
	l.Levels = []ladder.Level{
		{ID: ladder.EM, M: "M1", Title: "Engineering Manager", Short: "EM"},
		{ID: ladder.SeniorEM, M: "M2", Title: "Senior Engineering Manager", Short: "Senior EM",
			Focus: map[ladder.AreaID]string{ladder.Scaling: "improve how the wider org works"}},
		{ID: ladder.Director, Title: "Director of Engineering", Short: "Director"},
	}
	l.Tracks = []ladder.Track{
		{ID: "broad", Weights: map[ladder.AreaID]float64{ladder.Scaling: 1.2, ladder.Technical: 0.8}},
		{ID: "deep", Weights: map[ladder.AreaID]float64{ladder.Technical: 1.4}},
	}
	for _, a := range ladder.AreaIDs {
		for _, n := range []string{"1", "2", "3"} {
			l.Prompts = append(l.Prompts, ladder.Prompt{
				ID: "sem-" + string(a) + "-" + n, Area: a, Level: ladder.SeniorEM, Kind: ladder.Stretch, Text: "?",
			})
		}
	}
	return l
}

var now = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

func weeksAgo(n int) time.Time { return now.Add(-time.Duration(n) * 7 * 24 * time.Hour) }

func compute(facts ...ladder.Fact) ladder.Readiness {
	l := testLadder()
	return ladder.Compute(l, ladder.SeniorEM, l.Tracks[0], facts, now)
}

func area(t *testing.T, r ladder.Readiness, id ladder.AreaID) ladder.AreaReadiness {
	t.Helper()
	a, ok := r.ForArea(id)
	if !ok {
		t.Fatalf("no readiness for area %s", id)
	}
	return a
}

func TestReadinessProperties(t *testing.T) {
	t.Run("no evidence: every area is a gap", func(t *testing.T) {
		r := compute()
		if len(r.Areas) != 5 {
			t.Fatalf("got %d areas, want 5", len(r.Areas))
		}
		for _, a := range r.Areas {
			if a.Status != ladder.StatusGap || a.Score != 0 {
				t.Errorf("%s: got %s (score %.2f), want gap (0)", a.Area.ID, a.Status, a.Score)
			}
		}
		if r.OnTrack() != 0 || r.Overall != 0 {
			t.Errorf("got %d on track, overall %.2f; want 0, 0", r.OnTrack(), r.Overall)
		}
	})

	t.Run("evidence in an area reduces that gap and no other", func(t *testing.T) {
		before := compute()
		after := compute(ladder.Fact{Area: ladder.Strategy, PromptID: "sem-strategy-1", At: weeksAgo(1)})
		for i, a := range after.Areas {
			b := before.Areas[i]
			if a.Area.ID == ladder.Strategy {
				if a.Deficit() >= b.Deficit() || a.Status == ladder.StatusGap {
					t.Errorf("strategy: got deficit %.3f status %s, want below %.3f and not gap", a.Deficit(), a.Status, b.Deficit())
				}
				continue
			}
			if a.Score != b.Score || a.Status != b.Status {
				t.Errorf("%s changed: got %.3f %s, want %.3f %s", a.Area.ID, a.Score, a.Status, b.Score, b.Status)
			}
		}
	})

	t.Run("evidence older than the window no longer counts", func(t *testing.T) {
		inside := compute(ladder.Fact{Area: ladder.People, PromptID: "sem-people-1", At: weeksAgo(25)})
		outside := compute(ladder.Fact{Area: ladder.People, PromptID: "sem-people-1", At: weeksAgo(27)})
		if got := area(t, inside, ladder.People).Status; got == ladder.StatusGap {
			t.Errorf("25 weeks old: got %s, want counted", got)
		}
		if got := area(t, outside, ladder.People); got.Status != ladder.StatusGap || got.Pieces != 0 {
			t.Errorf("27 weeks old: got %s with %d pieces, want gap with 0", got.Status, got.Pieces)
		}
	})

	t.Run("breadth beats repetition", func(t *testing.T) {
		at := weeksAgo(2)
		different := compute(
			ladder.Fact{Area: ladder.Execution, PromptID: "sem-execution-1", At: at},
			ladder.Fact{Area: ladder.Execution, PromptID: "sem-execution-2", At: at},
		)
		same := compute(
			ladder.Fact{Area: ladder.Execution, PromptID: "sem-execution-1", At: at},
			ladder.Fact{Area: ladder.Execution, PromptID: "sem-execution-1", At: at},
		)
		d, s := area(t, different, ladder.Execution), area(t, same, ladder.Execution)
		if d.Score <= s.Score {
			t.Errorf("two different prompts scored %.3f, the same prompt twice %.3f; want different > same", d.Score, s.Score)
		}
	})

	t.Run("consistency matters", func(t *testing.T) {
		var spread, bunched []ladder.Fact
		for i := 0; i < 4; i++ {
			spread = append(spread, ladder.Fact{Area: ladder.Technical, PromptID: "sem-technical-1", At: weeksAgo(1 + 3*i)})
			bunched = append(bunched, ladder.Fact{Area: ladder.Technical, PromptID: "sem-technical-1", At: weeksAgo(1).Add(-time.Duration(i) * time.Hour)})
		}
		sp, bu := area(t, compute(spread...), ladder.Technical), area(t, compute(bunched...), ladder.Technical)
		if sp.Weeks != 4 || bu.Weeks != 1 {
			t.Fatalf("got %d and %d distinct weeks, want 4 and 1", sp.Weeks, bu.Weeks)
		}
		if sp.Score <= bu.Score {
			t.Errorf("spread over 4 weeks scored %.3f, bunched in one %.3f; want spread > bunched", sp.Score, bu.Score)
		}
	})
}

func TestReadinessStatuses(t *testing.T) {
	var full []ladder.Fact
	for i := 0; i < 8; i++ {
		full = append(full, ladder.Fact{Area: ladder.People, PromptID: "sem-people-" + string(rune('1'+i%3)), At: weeksAgo(i)})
	}
	tests := []struct {
		name  string
		facts []ladder.Fact
		want  ladder.Status
	}{
		{"none", nil, ladder.StatusGap},
		{"one old unprompted answer", []ladder.Fact{{Area: ladder.People, At: weeksAgo(20)}}, ladder.StatusThin},
		{"eight weeks, every prompt", full, ladder.StatusStrong},
		{"four weeks, two prompts", []ladder.Fact{
			{Area: ladder.People, PromptID: "sem-people-1", At: weeksAgo(0)},
			{Area: ladder.People, PromptID: "sem-people-2", At: weeksAgo(1)},
			{Area: ladder.People, PromptID: "sem-people-1", At: weeksAgo(2)},
			{Area: ladder.People, At: weeksAgo(3)},
		}, ladder.StatusOnTrack},
		{"one week, one prompt", full[:1], ladder.StatusThin},
		{"unassigned area is ignored", []ladder.Fact{{Area: "", At: weeksAgo(1)}}, ladder.StatusGap},
		{"future evidence is ignored", []ladder.Fact{{Area: ladder.People, At: now.Add(time.Hour)}}, ladder.StatusGap},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := area(t, compute(tt.facts...), ladder.People)
			if got.Status != tt.want {
				t.Errorf("got %s (score %.3f), want %s", got.Status, got.Score, tt.want)
			}
		})
	}
}

func TestReadinessDeterministicRanking(t *testing.T) {
	facts := []ladder.Fact{
		{Area: ladder.People, PromptID: "sem-people-1", At: weeksAgo(1)},
		{Area: ladder.Strategy, PromptID: "sem-strategy-1", At: weeksAgo(3)},
	}
	first := compute(facts...).Ranked()
	for i := 0; i < 20; i++ {
		again := compute(facts...).Ranked()
		for j := range first {
			if again[j].Area.ID != first[j].Area.ID {
				t.Fatalf("run %d: position %d got %s, want %s", i, j, again[j].Area.ID, first[j].Area.ID)
			}
		}
	}
	// Broad weighs scaling 1.2, so with no evidence there it is the biggest gap.
	if first[0].Area.ID != ladder.Scaling {
		t.Errorf("biggest gap: got %s, want scaling", first[0].Area.ID)
	}
	if first[0].Focus != "improve how the wider org works" {
		t.Errorf("focus: got %q", first[0].Focus)
	}
}

func TestTrackChangesWeights(t *testing.T) {
	l := testLadder()
	deep := ladder.Compute(l, ladder.SeniorEM, l.Tracks[1], nil, now).Ranked()
	if deep[0].Area.ID != ladder.Technical {
		t.Errorf("deep track biggest gap: got %s, want technical", deep[0].Area.ID)
	}
}
