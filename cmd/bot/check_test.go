package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/ladderapp/ladder/internal/prompts"
)

// runCheck runs `bot check args…` and returns its exit code and output.
func runCheck(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := exitCode(run(context.Background(), append([]string{"check"}, args...), os.Getenv, startingAt(testDay), nil, &out, &errOut), &errOut)
	return code, out.String(), errOut.String()
}

func TestCheck(t *testing.T) {
	t.Run("the embedded ladder", func(t *testing.T) {
		code, out, errOut := runCheck(t)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		l, err := prompts.Default()
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(out, "\n")
		if lines[0] != prompts.Summary(l) {
			t.Errorf("first line %q, want the summary %q", lines[0], prompts.Summary(l))
		}
		// Director has at least 6 prompts per area, 8 in people.
		if !strings.Contains(out, "\n  director   all              8 ") {
			t.Errorf("no director row with 8 people prompts:\n%s", out)
		}
		if !strings.HasSuffix(out, "\nEvery expectation is evidenced by at least one prompt on every track.\n") {
			t.Errorf("the default ladder should leave no expectation without a prompt:\n%s", out)
		}
	})

	t.Run("a ladder with gaps", func(t *testing.T) {
		valid, err := os.ReadFile("../../internal/prompts/testdata/valid.yaml")
		if err != nil {
			t.Fatal(err)
		}
		// A second cto impact expectation that no prompt names; the first is
		// named only by a deep-track prompt.
		data := strings.Replace(string(valid), "impact: [The company's technology bet.]",
			"impact: [The company's technology bet., Nobody asks about this.]", 1)
		path := filepath.Join(t.TempDir(), "gaps.yaml")
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		code, out, errOut := runCheck(t, path)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		want := `ok: 15 prompts, 5 areas, 5 levels

Prompts per level and area (track rows: asked on that track only, also counted above):
  level      prompts     people  execution  technical  strategy  scaling  total
  em         all              1          1          1         1        1      5
  em         excel            1          1          1         1        0      4
  em         stretch          0          0          0         0        1      1
  em         track deep       0          0          0         0        0      0
  senior-em  all              2          1          1         1        2      7
  senior-em  excel            1          0          0         0        1      2
  senior-em  stretch          1          1          1         1        1      5
  senior-em  track deep       0          0          0         0        0      0
  director   all              0          0          0         1        0      1
  director   excel            0          0          0         0        0      0
  director   stretch          0          0          0         1        0      1
  director   track deep       0          0          0         0        0      0
  vp         all              0          0          0         0        1      1
  vp         excel            0          0          0         0        0      0
  vp         stretch          0          0          0         0        1      1
  vp         track deep       0          0          0         0        0      0
  cto        all              0          0          1         0        0      1
  cto        excel            0          0          0         0        0      0
  cto        stretch          0          0          1         0        0      1
  cto        track deep       0          0          1         0        0      1

Expectations no prompt evidences (1):
  cto-impact-2 (cto, impact): Nobody asks about this.
Expectations no prompt on track "broad" evidences (1):
  cto-impact-1 (cto, impact): The company's technology bet.
`
		if out != want {
			t.Errorf("got:\n%s\nwant:\n%s", out, want)
		}
	})

	t.Run("a broken file", func(t *testing.T) {
		good, err := os.ReadFile("../../prompts.yaml")
		if err != nil {
			t.Fatal(err)
		}
		broken := strings.Replace(string(good), "area: people", "area: peopel", 1)
		line := strings.Count(broken[:strings.Index(broken, "area: peopel")], "\n") + 1
		path := filepath.Join(t.TempDir(), "broken.yaml")
		if err := os.WriteFile(path, []byte(broken), 0o644); err != nil {
			t.Fatal(err)
		}
		code, out, errOut := runCheck(t, path)
		if code != 1 {
			t.Fatalf("exit %d, want 1", code)
		}
		want := path + ":" + strconv.Itoa(line) + ":"
		if !strings.Contains(errOut, want) || !strings.Contains(errOut, "peopel") {
			t.Errorf("got %q, want a line starting %q naming the bad area", errOut, want)
		}
		if out != "" {
			t.Errorf("a broken file printed a report: %q", out)
		}
	})

	t.Run("too many arguments", func(t *testing.T) {
		if code, _, errOut := runCheck(t, "a.yaml", "b.yaml"); code != 2 || !strings.Contains(errOut, "usage: bot check [FILE]") {
			t.Errorf("exit %d, %q; want 2 and the usage", code, errOut)
		}
	})
}
