package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// simRun runs bot simulate with args and returns its output and exit code.
func simRun(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), append([]string{"simulate"}, args...), os.Getenv, startingAt(testDay), nil, &out, &errOut)
	code = exitCode(err, &errOut)
	return out.String(), errOut.String(), code
}

var (
	weekLine    = regexp.MustCompile(`^week +(\d+)  ([a-z]+) +([a-z0-9-]+) +(answered|silent) +(\d)/5 on track  overall +\d+%$`)
	summaryLine = regexp.MustCompile(`^simulated (\d+) weeks: (\d+) of (\d+) target prompts asked, (\d+) repeats while unasked remained; (\d) of 5 areas on track$`)
)

// simSummary is the summary line's numbers: weeks, asked, targets, repeats, on track.
type simSummary struct{ weeks, asked, targets, repeats, onTrack int }

// parseSim checks the shape of bot simulate's output, a header, one line per
// week and the summary, and returns the weeks' lines and the summary.
func parseSim(t *testing.T, out string, weeks int) ([][]string, simSummary) {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != weeks+2 {
		t.Fatalf("got %d lines, want a header, %d weeks and a summary:\n%s", len(lines), weeks, out)
	}
	var rows [][]string
	for i, line := range lines[1 : weeks+1] {
		m := weekLine.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("line %d: %q is not a week's line", i+2, line)
		}
		if m[1] != strconv.Itoa(i+1) {
			t.Fatalf("line %d: week %s, want %d", i+2, m[1], i+1)
		}
		rows = append(rows, m[1:])
	}
	m := summaryLine.FindStringSubmatch(lines[len(lines)-1])
	if m == nil {
		t.Fatalf("last line %q is not the summary", lines[len(lines)-1])
	}
	n := make([]int, 5)
	for i := range n {
		n[i], _ = strconv.Atoi(m[i+1])
	}
	return rows, simSummary{n[0], n[1], n[2], n[3], n[4]}
}

func TestSimulateSmallLadder(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
		// check looks at the weeks' lines.
		check func(t *testing.T, rows [][]string)
	}{
		{"every week answered: each target prompt once, then the foundation, then on track",
			[]string{"--weeks", "30", "testdata/simulate.yaml"},
			"simulated 30 weeks: 10 of 10 target prompts asked, 0 repeats while unasked remained; 5 of 5 areas on track",
			func(t *testing.T, rows [][]string) {
				areas := map[string]bool{}
				for _, r := range rows[:5] {
					if !strings.HasPrefix(r[2], "sem-") || areas[r[1]] {
						t.Errorf("week %s: %s in %s, want a Senior EM prompt in a new area", r[0], r[2], r[1])
					}
					areas[r[1]] = true
				}
				em := 0
				for _, r := range rows {
					if strings.HasPrefix(r[2], "em-") {
						em++
					}
				}
				if em < 30/6 {
					t.Errorf("%d EM prompts in 30 weeks, want at least one in six", em)
				}
				if last := rows[len(rows)-1]; last[4] != "5" || last[3] != "answered" {
					t.Errorf("last week: %v, want answered and 5/5 on track", last)
				}
			}},
		{"five weeks: half the target prompts, nothing on track yet",
			[]string{"testdata/simulate.yaml", "--weeks=5"},
			"simulated 5 weeks: 5 of 10 target prompts asked, 0 repeats while unasked remained; 0 of 5 areas on track",
			nil},
		{"never answered: every prompt still asked, nothing on track",
			[]string{"--answer-rate", "0", "--weeks", "30", "testdata/simulate.yaml"},
			"simulated 30 weeks: 10 of 10 target prompts asked, 0 repeats while unasked remained; 0 of 5 areas on track",
			func(t *testing.T, rows [][]string) {
				for _, r := range rows {
					if r[3] != "silent" || r[4] != "0" {
						t.Fatalf("week %s: %s with %s on track, want silent and 0", r[0], r[3], r[4])
					}
				}
			}},
		{"Senior EM to Director: the level's one prompt, asked every time it has rested",
			[]string{"--level", "senior-em", "--target", "Director", "--weeks", "20", "testdata/simulate.yaml"},
			"simulated 20 weeks: 1 of 1 target prompts asked, 0 repeats while unasked remained; 0 of 5 areas on track",
			nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := simRun(t, tt.args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			weeks := 0
			fmt.Sscanf(tt.want, "simulated %d weeks", &weeks)
			rows, _ := parseSim(t, out, weeks)
			if got := out[strings.LastIndex(strings.TrimSuffix(out, "\n"), "\n")+1:]; got != tt.want+"\n" {
				t.Errorf("summary:\n got %q\nwant %q", got, tt.want+"\n")
			}
			if tt.check != nil {
				tt.check(t, rows)
			}
		})
	}
}

func TestSimulateIsDeterministic(t *testing.T) {
	args := []string{"--answer-rate", "0.5", "--weeks", "40", "testdata/simulate.yaml"}
	first, _, _ := simRun(t, args...)
	again, _, _ := simRun(t, args...)
	if first != again {
		t.Errorf("two runs with the same seed differ:\n%s\n---\n%s", first, again)
	}
	rows, _ := parseSim(t, first, 40)
	answered := 0
	for _, r := range rows {
		if r[3] == "answered" {
			answered++
		}
	}
	if answered < 10 || answered > 30 {
		t.Errorf("answered %d of 40 at rate 0.5, want about half", answered)
	}
	other, _, _ := simRun(t, append(args, "--seed", "7")...)
	if other == first {
		t.Errorf("seed 7 gave the same run as seed 1")
	}
	if !strings.Contains(other, "answer rate 0.5, seed 7") {
		t.Errorf("header does not name the seed: %q", other[:strings.Index(other, "\n")])
	}
}

// TestSimulateShippedLadder holds the embedded ladder to issue 12's bar: in
// two years every Senior EM prompt is asked, none again while one of its area
// was never asked; in one year of answers every area is on track.
func TestSimulateShippedLadder(t *testing.T) {
	for _, tt := range []struct {
		weeks int
		check func(s simSummary) error
	}{
		{104, func(s simSummary) error {
			if s.asked != s.targets || s.repeats != 0 {
				return fmt.Errorf("%d of %d asked, %d repeats; want all, 0", s.asked, s.targets, s.repeats)
			}
			return nil
		}},
		{52, func(s simSummary) error {
			if s.onTrack != 5 {
				return fmt.Errorf("%d of 5 areas on track, want 5", s.onTrack)
			}
			return nil
		}},
	} {
		t.Run(fmt.Sprintf("%d weeks", tt.weeks), func(t *testing.T) {
			out, errOut, code := simRun(t, "--level", "em", "--target", "senior-em", "--weeks", strconv.Itoa(tt.weeks))
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			_, s := parseSim(t, out, tt.weeks)
			if err := tt.check(s); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestSimulateBadInput(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		code     int
		contains []string
	}{
		{"zero weeks", []string{"--weeks", "0"}, 2, []string{`bad --weeks "0"`, "a whole number from 1 to 1040"}},
		{"weeks not a number", []string{"--weeks", "many"}, 2, []string{`bad --weeks "many"`, "accepted"}},
		{"answer rate above 1", []string{"--answer-rate", "1.5"}, 2, []string{`bad --answer-rate "1.5"`, "a number from 0 to 1"}},
		{"answer rate not a number", []string{"--answer-rate", "half"}, 2, []string{`bad --answer-rate "half"`}},
		{"negative seed", []string{"--seed", "-3"}, 2, []string{`bad --seed "-3"`, "a whole number"}},
		{"unknown level", []string{"--level", "boss"}, 2, []string{"bad --level", `"boss"`, "em (M1), senior-em (M2), director, vp, cto"}},
		{"target below level", []string{"--level", "director", "--target", "em"}, 2, []string{`bad --target "em"`, "above --level director", "vp, cto"}},
		{"nothing above the top", []string{"--level", "cto"}, 2, []string{`bad --level "cto"`, "top of the ladder"}},
		{"unknown track", []string{"--track", "wide"}, 2, []string{`bad --track "wide"`, "broad, deep"}},
		{"unknown flag", []string{"--speed", "2"}, 2, []string{"-speed", "usage: bot simulate", "--answer-rate R"}},
		{"two files", []string{"a.yaml", "b.yaml"}, 2, []string{"one ladder file at most", "usage: bot simulate"}},
		{"missing file", []string{"testdata/nope.yaml"}, 1, []string{"nope.yaml"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := simRun(t, tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d", code, tt.code)
			}
			if out != "" {
				t.Errorf("stdout %q, want nothing", out)
			}
			for _, s := range tt.contains {
				if !strings.Contains(errOut, s) {
					t.Errorf("stderr %q does not contain %q", errOut, s)
				}
			}
		})
	}

	t.Run("help", func(t *testing.T) {
		out, _, code := simRun(t, "--help")
		if code != 0 || !strings.HasPrefix(out, "usage: bot simulate [--level L] [--target T] [--track broad|deep] [--weeks N] [--answer-rate R]") {
			t.Errorf("exit %d, stdout %q; want 0 and the usage", code, out)
		}
	})
}
