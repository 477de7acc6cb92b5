package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/ladderapp/ladder/internal/ladder"
	"github.com/ladderapp/ladder/internal/prompts"
)

const simulateUsage = `usage: bot simulate [--level L] [--target T] [--track broad|deep] [--weeks N] [--answer-rate R] [--seed S] [FILE]
  Replays N weekly prompts for one member through the real chooser and readiness,
  on a simulated clock, and prints a line per week and a summary.
  --level L        the member's level (default: the lowest)
  --target T       the level they aim for (default: the one above L)
  --track ID       a track of the ladder by id, such as broad or deep (default: its first)
  --weeks N        how many weeks, 1 to 1040 (default 52)
  --answer-rate R  the share of prompts answered, 0 to 1 (default 1)
  --seed S         the seed of the random answers, an integer (default 1)
  FILE             a ladder file (default: the embedded prompts.yaml)
Each week's line: week, area, prompt id, answered or silent, areas on track,
overall readiness. The last line is the summary:
  simulated N weeks: A of T target prompts asked, R repeats while unasked remained; K of 5 areas on track
T counts the target level's prompts on the track; R counts prompts asked again
while a prompt of the same level and area had never been asked.`

// maxSimWeeks bounds --weeks: twenty years is more than any ladder needs.
const maxSimWeeks = 1040

// simStart is the simulated clock's first Monday morning. It is fixed, so a
// run never depends on today's date.
var simStart = time.Date(2027, 1, 4, 9, 30, 0, 0, time.UTC)

// simConfig is what the flags of bot simulate ask for.
type simConfig struct {
	level, target string
	track         string
	weeks         int
	rate          float64
	seed          uint64
	file          string
}

// simulate replays a member's weekly prompts through prompts.Next and
// ladder.Compute and prints what they were asked and how ready they became.
func simulate(args []string, stdout io.Writer) error {
	cfg, err := parseSimulate(args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(stdout, simulateUsage)
		return nil
	}
	if err != nil {
		return &exitError{2, err}
	}
	l, err := prompts.Open(cfg.file)
	if err != nil {
		return &exitError{1, err}
	}
	m, track, err := simMember(l, cfg)
	if err != nil {
		return &exitError{2, err}
	}
	return runSimulation(l, m, track, cfg, stdout)
}

// parseSimulate reads the flags and the optional file, in any order. It
// returns flag.ErrHelp for -h and --help.
func parseSimulate(args []string) (simConfig, error) {
	cfg := simConfig{weeks: 52, rate: 1, seed: 1}
	fs := flag.NewFlagSet("simulate", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&cfg.level, "level", "", "")
	fs.StringVar(&cfg.target, "target", "", "")
	fs.StringVar(&cfg.track, "track", "", "")
	weeks := fs.String("weeks", "52", "")
	rate := fs.String("answer-rate", "1", "")
	seed := fs.String("seed", "1", "")
	var files []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return cfg, err
			}
			return cfg, fmt.Errorf("%v\n%s", err, simulateUsage)
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		files, args = append(files, args[0]), args[1:]
	}
	if len(files) > 1 {
		return cfg, fmt.Errorf("one ladder file at most, got %d: %s\n%s", len(files), strings.Join(files, " "), simulateUsage)
	}
	if len(files) == 1 {
		cfg.file = files[0]
	}
	n, err := strconv.Atoi(*weeks)
	if err != nil || n < 1 || n > maxSimWeeks {
		return cfg, fmt.Errorf("bad --weeks %q (accepted: a whole number from 1 to %d)", *weeks, maxSimWeeks)
	}
	cfg.weeks = n
	r, err := strconv.ParseFloat(*rate, 64)
	if err != nil || !(r >= 0 && r <= 1) {
		return cfg, fmt.Errorf("bad --answer-rate %q (accepted: a number from 0 to 1, such as 0.75)", *rate)
	}
	cfg.rate = r
	s, err := strconv.ParseUint(*seed, 10, 64)
	if err != nil {
		return cfg, fmt.Errorf("bad --seed %q (accepted: a whole number from 0 to %d)", *seed, uint64(1<<64-1))
	}
	cfg.seed = s
	return cfg, nil
}

// simMember is the simulated member the flags describe.
func simMember(l *ladder.Ladder, cfg simConfig) (ladder.Member, ladder.Track, error) {
	if len(l.Levels) < 2 {
		return ladder.Member{}, ladder.Track{}, errors.New("the ladder has fewer than two levels: nothing to climb")
	}
	from := l.Levels[0]
	if cfg.level != "" {
		lv, err := l.ParseLevel(cfg.level)
		if err != nil {
			return ladder.Member{}, ladder.Track{}, fmt.Errorf("bad --level: %w", err)
		}
		from = lv
	}
	to, ok := l.NextLevel(from.ID)
	if cfg.target != "" {
		lv, err := l.ParseLevel(cfg.target)
		if err != nil {
			return ladder.Member{}, ladder.Track{}, fmt.Errorf("bad --target: %w", err)
		}
		to, ok = lv, rank(l, lv.ID) > rank(l, from.ID)
		if !ok {
			return ladder.Member{}, ladder.Track{}, fmt.Errorf("bad --target %q: it must be above --level %s (accepted: %s)",
				cfg.target, from.ID, strings.Join(levelsAbove(l, from.ID), ", "))
		}
	}
	if !ok {
		return ladder.Member{}, ladder.Track{}, fmt.Errorf("bad --level %q: %s is the top of the ladder, with nothing above it to aim for", cfg.level, from.ID)
	}
	track := l.DefaultTrack()
	if cfg.track != "" {
		t, ok := l.Track(cfg.track)
		if !ok {
			ids := make([]string, len(l.Tracks))
			for i, t := range l.Tracks {
				ids[i] = t.ID
			}
			return ladder.Member{}, ladder.Track{}, fmt.Errorf("bad --track %q (accepted: %s)", cfg.track, strings.Join(ids, ", "))
		}
		track = t
	}
	m := ladder.Member{UserID: "USIM", Name: "simulated member", Level: from.ID, Target: to.ID, Track: track.ID,
		Slot: ladder.Slot{Day: time.Monday, Minute: 9*60 + 30, On: true}, Share: ladder.ShareSummary, EnrolledAt: simStart}
	return m, track, nil
}

func rank(l *ladder.Ladder, id ladder.LevelID) int {
	for i, lv := range l.Levels {
		if lv.ID == id {
			return i
		}
	}
	return -1
}

func levelsAbove(l *ladder.Ladder, id ladder.LevelID) []string {
	var ids []string
	for _, lv := range l.Levels[rank(l, id)+1:] {
		ids = append(ids, string(lv.ID))
	}
	return ids
}

// runSimulation is the weekly loop. Each week, on the simulated clock, the
// member gets the prompt prompts.Next chooses from their readiness and
// history, and answers it an hour later with probability cfg.rate, drawn from
// a PCG generator seeded with cfg.seed. The week's line shows readiness just
// after the answer (or the silence).
func runSimulation(l *ladder.Ladder, m ladder.Member, track ladder.Track, cfg simConfig, out io.Writer) error {
	rng := rand.New(rand.NewPCG(cfg.seed, cfg.seed))
	targetLv, _ := l.Level(m.Target)
	fromLv, _ := l.Level(m.Level)
	// pools holds the prompts on the member's track by level and area: a
	// repeat counts against the chooser while its pool still holds a prompt
	// never asked, as issue 12 puts it ("in its area").
	type key struct {
		level ladder.LevelID
		area  ladder.AreaID
	}
	pools := map[key][]string{}
	var targets []string
	for _, p := range l.Prompts {
		if p.ForTrack(track.ID) {
			pools[key{p.Level, p.Area}] = append(pools[key{p.Level, p.Area}], p.ID)
			if p.Level == m.Target {
				targets = append(targets, p.ID)
			}
		}
	}
	fmt.Fprintf(out, "%s → %s on the %s track, %d weeks, answer rate %g, seed %d\n",
		short(fromLv), short(targetLv), track.ID, cfg.weeks, cfg.rate, cfg.seed)

	window := time.Duration(l.Window()) * 7 * 24 * time.Hour
	var (
		facts   []ladder.Fact
		sent    []ladder.Sent
		asked   = map[string]bool{}
		repeats int
		r       ladder.Readiness
	)
	width := 0
	for _, p := range l.Prompts {
		width = max(width, len(p.ID))
	}
	for w := 1; w <= cfg.weeks; w++ {
		now := simStart.Add(time.Duration(w-1) * 7 * 24 * time.Hour)
		answered := map[string]bool{}
		for _, f := range facts {
			if f.PromptID != "" && now.Sub(f.At) <= window {
				answered[f.PromptID] = true
			}
		}
		st := prompts.State{
			Member:    m,
			Readiness: ladder.Compute(l, m.Target, track, facts, now),
			Answered:  answered,
			Sent:      sent,
			Now:       now,
		}
		p, err := prompts.Next(l, st)
		if err != nil {
			return fmt.Errorf("week %d: %w", w, err)
		}
		if asked[p.ID] && unasked(pools[key{p.Level, p.Area}], asked) {
			repeats++
		}
		asked[p.ID] = true
		sent = append(sent, ladder.Sent{PromptID: p.ID, At: now})
		verdict := "silent"
		at := now.Add(time.Hour)
		if rng.Float64() < cfg.rate {
			verdict = "answered"
			facts = append(facts, ladder.Fact{Area: p.Area, PromptID: p.ID, At: at})
		}
		r = ladder.Compute(l, m.Target, track, facts, at)
		fmt.Fprintf(out, "week %3d  %-9s  %-*s  %-8s  %d/%d on track  overall %3.0f%%\n",
			w, p.Area, width, p.ID, verdict, r.OnTrack(), len(r.Areas), 100*r.Overall)
	}

	n := 0
	for _, id := range targets {
		if asked[id] {
			n++
		}
	}
	fmt.Fprintf(out, "simulated %d weeks: %d of %d target prompts asked, %d repeats while unasked remained; %d of %d areas on track\n",
		cfg.weeks, n, len(targets), repeats, r.OnTrack(), len(r.Areas))
	return nil
}

// unasked reports whether any of ids was never asked.
func unasked(ids []string, asked map[string]bool) bool {
	for _, id := range ids {
		if !asked[id] {
			return true
		}
	}
	return false
}

func short(lv ladder.Level) string {
	if lv.Short != "" {
		return lv.Short
	}
	return string(lv.ID)
}
