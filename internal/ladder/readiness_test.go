package ladder_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ladderapp/ladder/internal/ladder"
)

// testLadder is a small ladder: five areas and three levels.
//
//   - EM has two prompts per area, em-<area>-1 and -2, each naming one
//     expectation of its own (em-<area>-y1, -y2).
//   - Senior EM has five per area, sem-<area>-1 … -5, naming five
//     expectations sem-<area>-x1 … -x5; sem-<area>-4 names x4 and also x1.
//     Technical has a sixth, deep-track prompt, sem-technical-deep.
//   - Director has six per area, dir-<area>-1 … -6, one expectation each.
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
	add := func(level ladder.LevelID, prefix string, a ladder.AreaID, n int, expects ...string) {
		l.Prompts = append(l.Prompts, ladder.Prompt{
			ID: fmt.Sprintf("%s-%s-%d", prefix, a, n), Area: a, Level: level, Kind: ladder.Stretch, Text: "?", Expects: expects,
		})
	}
	for _, a := range ladder.AreaIDs {
		for n := 1; n <= 2; n++ {
			add(ladder.EM, "em", a, n, fmt.Sprintf("em-%s-y%d", a, n))
		}
		for n := 1; n <= 5; n++ {
			x := fmt.Sprintf("sem-%s-x%d", a, n)
			if n == 4 {
				add(ladder.SeniorEM, "sem", a, n, x, fmt.Sprintf("sem-%s-x1", a))
				continue
			}
			add(ladder.SeniorEM, "sem", a, n, x)
		}
		for n := 1; n <= 6; n++ {
			add(ladder.Director, "dir", a, n, fmt.Sprintf("dir-%s-z%d", a, n))
		}
	}
	l.Prompts = append(l.Prompts, ladder.Prompt{ID: "sem-technical-deep", Area: ladder.Technical, Level: ladder.SeniorEM,
		Kind: ladder.Stretch, Text: "?", Track: "deep", Expects: []string{"sem-technical-xdeep"}})
	return l
}

var now = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

func weeksAgo(n int) time.Time { return now.Add(-time.Duration(n) * 7 * 24 * time.Hour) }

// answer is a fact answering prompt id (its area taken from the id) at t.
func answer(id string, at time.Time) ladder.Fact {
	area := strings.Split(id, "-")[1]
	if strings.HasPrefix(id, "sem-technical") {
		area = "technical"
	}
	return ladder.Fact{Area: ladder.AreaID(area), PromptID: id, At: at}
}

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

// weekly answers ids in turn, one a week, the last one week ago.
func weekly(ids ...string) []ladder.Fact {
	var fs []ladder.Fact
	for i, id := range ids {
		fs = append(fs, answer(id, weeksAgo(len(ids)-i)))
	}
	return fs
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
		if r.Foundation.ID != ladder.EM {
			t.Errorf("foundation level: got %q, want em", r.Foundation.ID)
		}
	})

	t.Run("evidence in an area reduces that gap and no other", func(t *testing.T) {
		before := compute()
		after := compute(answer("sem-strategy-1", weeksAgo(1)))
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
		inside := compute(answer("sem-people-1", weeksAgo(25)))
		outside := compute(answer("sem-people-1", weeksAgo(27)))
		if got := area(t, inside, ladder.People); got.Status == ladder.StatusGap || got.Covered != 1 {
			t.Errorf("25 weeks old: got %s with %d covered, want counted and 1", got.Status, got.Covered)
		}
		if got := area(t, outside, ladder.People); got.Status != ladder.StatusGap || got.Pieces != 0 || got.Covered != 0 {
			t.Errorf("27 weeks old: got %s with %d pieces, %d covered; want gap with 0, 0", got.Status, got.Pieces, got.Covered)
		}
	})

	t.Run("coverage counts expectations, not prompts", func(t *testing.T) {
		// sem-execution-4 names x4 and x1, so sem-execution-1 adds nothing after it.
		four := area(t, compute(answer("sem-execution-4", weeksAgo(2))), ladder.Execution)
		both := area(t, compute(answer("sem-execution-4", weeksAgo(2)), answer("sem-execution-1", weeksAgo(1))), ladder.Execution)
		if four.Covered != 2 || both.Covered != 2 || both.Coverage != four.Coverage {
			t.Errorf("covered: 4 alone %d (%.2f), 4 then 1 %d (%.2f); want 2 and 2, same coverage",
				four.Covered, four.Coverage, both.Covered, both.Coverage)
		}
		if four.Expectations != 5 {
			t.Errorf("execution names %d expectations, want 5", four.Expectations)
		}
		if got, want := strings.Join(both.Uncovered, " "), "sem-execution-x2 sem-execution-x3 sem-execution-x5"; got != want {
			t.Errorf("uncovered: got %q, want %q", got, want)
		}
		if both.Answered != 2 {
			t.Errorf("answered: got %d distinct prompts, want 2", both.Answered)
		}
	})

	t.Run("repeating a prompt adds nothing", func(t *testing.T) {
		once := area(t, compute(answer("sem-technical-1", weeksAgo(5))), ladder.Technical)
		var again []ladder.Fact
		for w := 5; w >= 1; w-- {
			again = append(again, answer("sem-technical-1", weeksAgo(w)))
		}
		rep := area(t, compute(again...), ladder.Technical)
		if rep.Coverage != once.Coverage || rep.Consistency != once.Consistency || rep.FreshWeeks != 1 {
			t.Errorf("five answers to one prompt: coverage %.2f, consistency %.2f, %d fresh weeks; want %.2f, %.2f, 1",
				rep.Coverage, rep.Consistency, rep.FreshWeeks, once.Coverage, once.Consistency)
		}
		if rep.Weeks != 5 || rep.Pieces != 5 {
			t.Errorf("got %d weeks, %d pieces; want 5 and 5 (shown to the member as they are)", rep.Weeks, rep.Pieces)
		}
	})

	t.Run("repeating the same prompts cannot make an area on track", func(t *testing.T) {
		// Twenty-six weeks answering the same target prompt every week, on a
		// firm foundation: full recency, yet thin.
		facts := []ladder.Fact{answer("em-people-1", weeksAgo(20)), answer("em-people-2", weeksAgo(10))}
		for w := 25; w >= 0; w-- {
			facts = append(facts, answer("sem-people-2", weeksAgo(w)))
		}
		got := area(t, compute(facts...), ladder.People)
		if got.Status != ladder.StatusThin || got.Score > ladder.UngroundedMax {
			t.Errorf("got %s (score %.2f, coverage %.2f), want thin at most %.2f", got.Status, got.Score, got.Coverage, ladder.UngroundedMax)
		}
		// Unprompted pieces every week do not stand in for coverage either.
		for w := 25; w >= 0; w-- {
			facts = append(facts, ladder.Fact{Area: ladder.People, At: weeksAgo(w).Add(time.Hour)})
		}
		if got := area(t, compute(facts...), ladder.People); got.Status != ladder.StatusThin {
			t.Errorf("with an unprompted piece every week: got %s (score %.2f), want thin", got.Status, got.Score)
		}
	})

	t.Run("the foundation counts", func(t *testing.T) {
		target := weekly("sem-strategy-1", "sem-strategy-2", "sem-strategy-3", "sem-strategy-5")
		without := area(t, compute(target...), ladder.Strategy)
		if without.Status != ladder.StatusThin || without.Foundation != 0 {
			t.Errorf("no EM evidence: got %s (foundation %.2f, score %.2f), want thin with foundation 0", without.Status, without.Foundation, without.Score)
		}
		one := area(t, compute(append(target, answer("em-strategy-1", weeksAgo(6)))...), ladder.Strategy)
		two := area(t, compute(append(target, answer("em-strategy-1", weeksAgo(6)), answer("em-strategy-2", weeksAgo(7)))...), ladder.Strategy)
		if one.Status != ladder.StatusOnTrack || one.Foundation != 0.5 {
			t.Errorf("one EM answer: got %s (foundation %.2f, score %.2f), want on track with foundation 0.5", one.Status, one.Foundation, one.Score)
		}
		if two.Foundation != 1 || two.Score <= one.Score {
			t.Errorf("two EM answers: foundation %.2f, score %.2f; want 1 and above %.2f", two.Foundation, two.Score, one.Score)
		}
		// Evidence for another area's foundation does not count here.
		other := area(t, compute(append(target, answer("em-people-1", weeksAgo(6)))...), ladder.Strategy)
		if other.Foundation != 0 {
			t.Errorf("EM people evidence: strategy foundation %.2f, want 0", other.Foundation)
		}
	})

	t.Run("consistency counts weeks with something new", func(t *testing.T) {
		ids := []string{"sem-technical-1", "sem-technical-2", "sem-technical-3", "sem-technical-5"}
		var spread, bunched []ladder.Fact
		for i, id := range ids {
			spread = append(spread, answer(id, weeksAgo(1+3*i)))
			bunched = append(bunched, answer(id, weeksAgo(1).Add(-time.Duration(i)*time.Hour)))
		}
		base := []ladder.Fact{answer("em-technical-1", weeksAgo(20)), answer("em-technical-2", weeksAgo(20))}
		sp, bu := area(t, compute(append(spread, base...)...), ladder.Technical), area(t, compute(append(bunched, base...)...), ladder.Technical)
		if sp.FreshWeeks != 5 || bu.FreshWeeks != 2 {
			t.Fatalf("got %d and %d fresh weeks, want 5 and 2", sp.FreshWeeks, bu.FreshWeeks)
		}
		if sp.Score <= bu.Score {
			t.Errorf("spread over 4 weeks scored %.3f, bunched in one %.3f; want spread > bunched", sp.Score, bu.Score)
		}
	})

	t.Run("recency fades over the window", func(t *testing.T) {
		recent := area(t, compute(answer("sem-scaling-1", weeksAgo(1))), ladder.Scaling)
		old := area(t, compute(answer("sem-scaling-1", weeksAgo(20))), ladder.Scaling)
		if !(recent.Recency > old.Recency && old.Recency > 0) {
			t.Errorf("recency: 1 week ago %.2f, 20 weeks ago %.2f; want falling but above 0", recent.Recency, old.Recency)
		}
	})

	t.Run("a prompt off the member's track counts for nothing", func(t *testing.T) {
		l := testLadder()
		facts := []ladder.Fact{answer("sem-technical-deep", weeksAgo(1))}
		broad := area(t, ladder.Compute(l, ladder.SeniorEM, l.Tracks[0], facts, now), ladder.Technical)
		deep := area(t, ladder.Compute(l, ladder.SeniorEM, l.Tracks[1], facts, now), ladder.Technical)
		if broad.Prompts != 5 || broad.Expectations != 5 || broad.Covered != 0 {
			t.Errorf("broad: %d prompts, %d expectations, %d covered; want 5, 5, 0", broad.Prompts, broad.Expectations, broad.Covered)
		}
		if deep.Prompts != 6 || deep.Expectations != 6 || deep.Covered != 1 {
			t.Errorf("deep: %d prompts, %d expectations, %d covered; want 6, 6, 1", deep.Prompts, deep.Expectations, deep.Covered)
		}
	})

	t.Run("a prompt without expectation ids stands for itself", func(t *testing.T) {
		l := testLadder()
		for i := range l.Prompts {
			l.Prompts[i].Expects = nil
		}
		r := ladder.Compute(l, ladder.SeniorEM, l.Tracks[0], weekly("sem-people-1", "sem-people-4", "sem-people-1"), now)
		got := area(t, r, ladder.People)
		if got.Expectations != 5 || got.Covered != 2 {
			t.Errorf("got %d of %d covered, want 2 of 5: one per distinct prompt", got.Covered, got.Expectations)
		}
		if want := []string{"sem-people-2", "sem-people-3", "sem-people-5"}; !slices.Equal(got.Uncovered, want) {
			t.Errorf("uncovered: got %v, want the unanswered prompts' ids %v", got.Uncovered, want)
		}
	})
}

// TestReadinessOverTime checks the claims the README makes about time.
func TestReadinessOverTime(t *testing.T) {
	l := testLadder()
	broad := l.Tracks[0]
	var semIDs, emIDs, dirIDs []string
	for _, p := range l.Prompts {
		if !p.ForTrack(broad.ID) {
			continue
		}
		switch p.Level {
		case ladder.EM:
			emIDs = append(emIDs, p.ID)
		case ladder.SeniorEM:
			semIDs = append(semIDs, p.ID)
		case ladder.Director:
			dirIDs = append(dirIDs, p.ID)
		}
	}
	// byArea interleaves the ids area by area: people-1, execution-1, …
	byArea := func(ids []string) []string {
		slices.SortStableFunc(ids, func(a, b string) int {
			return strings.Compare(a[strings.LastIndex(a, "-"):], b[strings.LastIndex(b, "-"):])
		})
		return ids
	}
	semIDs, emIDs, dirIDs = byArea(semIDs), byArea(emIDs), byArea(dirIDs)

	// aYear answers one prompt a week for weeks weeks, ending now: every
	// fourth week the next foundation prompt, otherwise the next target one,
	// going round the ladder area by area.
	aYear := func(weeks int, target, foundation []string) []ladder.Fact {
		var fs []ladder.Fact
		ti, fi := 0, 0
		for w := weeks - 1; w >= 0; w-- {
			if w%4 == 3 {
				fs = append(fs, answer(foundation[fi%len(foundation)], weeksAgo(w)))
				fi++
				continue
			}
			fs = append(fs, answer(target[ti%len(target)], weeksAgo(w)))
			ti++
		}
		return fs
	}

	t.Run("a year of weekly answers across the ladder reaches on track everywhere", func(t *testing.T) {
		r := ladder.Compute(l, ladder.SeniorEM, broad, aYear(52, semIDs, emIDs), now)
		if r.OnTrack() != 5 {
			for _, a := range r.Areas {
				t.Logf("%s: %s, score %.2f, coverage %.2f, foundation %.2f", a.Area.ID, a.Status, a.Score, a.Coverage, a.Foundation)
			}
			t.Errorf("got %d of 5 areas on track, want 5", r.OnTrack())
		}
	})

	t.Run("a month of answers is not enough", func(t *testing.T) {
		r := ladder.Compute(l, ladder.SeniorEM, broad, aYear(4, semIDs, emIDs), now)
		if r.OnTrack() != 0 {
			t.Errorf("got %d areas on track after 4 weeks, want 0", r.OnTrack())
		}
	})

	t.Run("Director readiness can't be faked by answering the same 12 prompts 4-6 times each in 26 weeks", func(t *testing.T) {
		// Twelve Director prompts: three in people and execution, two in the
		// other areas, with two Senior EM answers per area as foundation.
		var twelve []string
		for _, a := range ladder.AreaIDs {
			n := 2
			if a == ladder.People || a == ladder.Execution {
				n = 3
			}
			for i := 1; i <= n; i++ {
				twelve = append(twelve, fmt.Sprintf("dir-%s-%d", a, i))
			}
		}
		var facts []ladder.Fact
		i := 0
		for w := 25; w >= 0; w-- {
			// 2 or 3 answers a week: each prompt 4 to 6 times over 26 weeks.
			for k := 0; k < 2+w%2; k++ {
				facts = append(facts, answer(twelve[i%len(twelve)], weeksAgo(w).Add(time.Duration(k)*time.Hour)))
				i++
			}
		}
		for i, a := range ladder.AreaIDs {
			facts = append(facts, answer(fmt.Sprintf("sem-%s-1", a), weeksAgo(3+i)), answer(fmt.Sprintf("sem-%s-2", a), weeksAgo(10+i)))
		}
		counts := map[string]int{}
		for _, f := range facts {
			counts[f.PromptID]++
		}
		for _, id := range twelve {
			if counts[id] < 4 || counts[id] > 6 {
				t.Fatalf("%s answered %d times, want 4 to 6", id, counts[id])
			}
		}
		r := ladder.Compute(l, ladder.Director, broad, facts, now)
		if r.OnTrack() >= 3 {
			for _, a := range r.Areas {
				t.Logf("%s: %s, score %.2f, coverage %.2f, consistency %.2f", a.Area.ID, a.Status, a.Score, a.Coverage, a.Consistency)
			}
			t.Errorf("got %d of 5 areas on track, want at most 2", r.OnTrack())
		}
		for _, a := range r.Areas {
			if a.Answered == 2 && a.Status != ladder.StatusThin {
				t.Errorf("%s: 2 of 6 prompts answered over and over: got %s (score %.2f), want thin", a.Area.ID, a.Status, a.Score)
			}
		}

		// The same 26 weeks answered across Director's 30 prompts, one a week,
		// with the foundation every fourth week, is on track everywhere.
		var semBroad []string
		for _, id := range semIDs {
			if !strings.HasSuffix(id, "-4") {
				semBroad = append(semBroad, id)
			}
		}
		honest := ladder.Compute(l, ladder.Director, broad, aYear(26, dirIDs, semBroad), now)
		if honest.OnTrack() != 5 {
			t.Errorf("26 weekly answers across the ladder: got %d of 5 on track, want 5", honest.OnTrack())
		}
	})
}

func TestReadinessStatuses(t *testing.T) {
	foundation := []ladder.Fact{answer("em-people-1", weeksAgo(9)), answer("em-people-2", weeksAgo(10))}
	var full []ladder.Fact
	for i := 0; i < 8; i++ {
		full = append(full, answer(fmt.Sprintf("sem-people-%d", 1+i%5), weeksAgo(i)))
	}
	tests := []struct {
		name  string
		facts []ladder.Fact
		want  ladder.Status
	}{
		{"none", nil, ladder.StatusGap},
		{"one old unprompted answer", []ladder.Fact{{Area: ladder.People, At: weeksAgo(20)}}, ladder.StatusThin},
		{"eight weeks, every prompt, on a foundation", append(full, foundation...), ladder.StatusStrong},
		{"eight weeks, every prompt, no foundation", full, ladder.StatusThin},
		{"four weeks, two prompts, on a foundation", append([]ladder.Fact{
			answer("sem-people-1", weeksAgo(0)),
			answer("sem-people-2", weeksAgo(1)),
			answer("sem-people-1", weeksAgo(2)),
			{Area: ladder.People, At: weeksAgo(3)},
		}, foundation...), ladder.StatusOnTrack},
		{"one week, one prompt", full[:1], ladder.StatusThin},
		{"foundation alone", foundation, ladder.StatusThin},
		{"unassigned area is ignored", []ladder.Fact{{Area: "", At: weeksAgo(1)}}, ladder.StatusGap},
		{"future evidence is ignored", []ladder.Fact{{Area: ladder.People, At: now.Add(time.Hour)}}, ladder.StatusGap},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := area(t, compute(tt.facts...), ladder.People)
			if got.Status != tt.want {
				t.Errorf("got %s (score %.3f, coverage %.2f, foundation %.2f), want %s", got.Status, got.Score, got.Coverage, got.Foundation, tt.want)
			}
		})
	}
}

func TestReadinessAtTheBottom(t *testing.T) {
	// EM has no rung below it: nothing to stand on, so nothing is missing.
	l := testLadder()
	r := ladder.Compute(l, ladder.EM, l.Tracks[0], weekly("em-people-1", "em-people-2"), now)
	got := area(t, r, ladder.People)
	if r.Foundation.ID != "" || got.Foundation != 1 || got.Status != ladder.StatusStrong {
		t.Errorf("got foundation level %q, foundation %.2f, %s; want none, 1, strong", r.Foundation.ID, got.Foundation, got.Status)
	}
}

func TestReadinessDeterministicRanking(t *testing.T) {
	facts := []ladder.Fact{answer("sem-people-1", weeksAgo(1)), answer("sem-strategy-1", weeksAgo(3))}
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
	// The order of the facts does not matter: the first answer is the new one.
	reversed := slices.Clone(facts)
	slices.Reverse(reversed)
	if a, b := compute(facts...), compute(reversed...); a.Overall != b.Overall {
		t.Errorf("overall: %.4f in order, %.4f reversed", a.Overall, b.Overall)
	}
}

func TestTrackChangesWeights(t *testing.T) {
	l := testLadder()
	deep := ladder.Compute(l, ladder.SeniorEM, l.Tracks[1], nil, now).Ranked()
	if deep[0].Area.ID != ladder.Technical {
		t.Errorf("deep track biggest gap: got %s, want technical", deep[0].Area.ID)
	}
}
