package prompts

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"
	"unicode"

	files "github.com/ladderapp/ladder"
	"github.com/ladderapp/ladder/internal/ladder"
	"go.yaml.in/yaml/v3"
)

func minimal(t testing.TB) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "minimal.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func mustLoad(t testing.TB, file string) *ladder.Ladder {
	t.Helper()
	l, err := LoadFile(filepath.Join("testdata", file))
	if err != nil {
		t.Fatalf("LoadFile(%s):\n%v", file, err)
	}
	return l
}

func TestLoadValid(t *testing.T) {
	tests := []struct {
		file string
		want string
	}{
		{"valid.yaml", "ok: 15 prompts, 5 areas, 5 levels"},
		{"minimal.yaml", "ok: 5 prompts, 5 areas, 5 levels"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			if got := Summary(mustLoad(t, tt.file)); got != tt.want {
				t.Errorf("Summary = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestLoadMapping checks that the file's values land in the ladder types.
func TestLoadMapping(t *testing.T) {
	l := mustLoad(t, "valid.yaml")

	if got, want := l.WindowWeeks, 26; got != want {
		t.Errorf("WindowWeeks = %d, want %d", got, want)
	}
	var ids []ladder.AreaID
	for _, a := range l.Areas {
		ids = append(ids, a.ID)
	}
	if !reflect.DeepEqual(ids, ladder.AreaIDs) {
		t.Errorf("area ids = %v, want %v", ids, ladder.AreaIDs)
	}
	tech, _ := l.Area(ladder.Technical)
	if want := (ladder.Area{ID: "technical", Name: "Technical leadership", Short: "Technical leadership",
		Description: "Keeping the technical bar high."}); tech != want {
		t.Errorf("technical area = %+v, want %+v (short defaults to the name)", tech, want)
	}

	em, _ := l.Level(ladder.EM)
	if em.M != "M1" || em.Title != "Engineering Manager" || em.Short != "EM" || em.TypicalYears != [2]float64{2, 4} {
		t.Errorf("em = %+v", em)
	}
	if got, want := em.Focus[ladder.Scaling], "Hire for the team."; got != want {
		t.Errorf("em focus on scaling = %q, want %q", got, want)
	}
	// Plain text gets the id <level>-<dimension>-<n>; id: and text: keep theirs.
	if got, want := em.Expectations[ladder.Growth], []ladder.Expectation{{ID: "em-growth-1", Dimension: ladder.Growth, Text: "Engineers on the team get promoted."}}; !reflect.DeepEqual(got, want) {
		t.Errorf("em growth expectations = %q, want %q", got, want)
	}
	sem, _ := l.Level(ladder.SeniorEM)
	want := []ladder.Expectation{
		{ID: "sem-mentors", Dimension: ladder.Leadership, Text: "Mentors other managers."},
		{ID: "sem-ambiguity", Dimension: ladder.Leadership, Text: "Handles ambiguity without escalating."},
		{ID: "senior-em-scope-1", Dimension: ladder.Scope, Text: "Several teams."},
	}
	if got := l.ExpectationsFor(ladder.SeniorEM); !reflect.DeepEqual(got, want) {
		t.Errorf("senior-em expectations = %q, want %q", got, want)
	}
	if got := len(sem.Expectations[ladder.Leadership]); got != 2 {
		t.Errorf("senior-em has %d leadership expectations, want 2", got)
	}
	vp, _ := l.Level(ladder.VP)
	if vp.Short != "VP of Engineering" || vp.M != "" || vp.TypicalYears != [2]float64{} {
		t.Errorf("vp = %+v, want short from title, no M-number, no typical years", vp)
	}

	if got, want := l.DefaultTrack().ID, "broad"; got != want {
		t.Errorf("default track = %q, want %q", got, want)
	}
	deep, _ := l.Track("deep")
	if got, want := deep.Weight(ladder.Technical), 1.4; got != want {
		t.Errorf("deep weight for technical = %v, want %v", got, want)
	}
	if got, want := deep.Weight(ladder.Execution), 1.0; got != want {
		t.Errorf("deep weight for execution = %v, want %v (unset)", got, want)
	}

	p, ok := l.Prompt("sem-people-mentor")
	wantPrompt := ladder.Prompt{ID: "sem-people-mentor", Area: ladder.People, Level: ladder.SeniorEM, Kind: ladder.Stretch,
		Text: "Which manager did you mentor, and what did they do differently after?", Hint: "Their change, in their words.",
		Expects: []string{"sem-mentors"}}
	if !ok || !reflect.DeepEqual(p, wantPrompt) {
		t.Errorf("prompt = %+v, want %+v", p, wantPrompt)
	}
	if p, _ := l.Prompt("em-execution-commitments"); !reflect.DeepEqual(p.Expects, []string{"em-scope-1", "em-impact-1"}) || p.Track != "" {
		t.Errorf("em-execution-commitments expects %q on track %q, want [em-scope-1 em-impact-1] on every track", p.Expects, p.Track)
	}
	if p, _ := l.Prompt("cto-technical-vision"); p.Track != "deep" {
		t.Errorf("cto-technical-vision is on track %q, want deep", p.Track)
	}
}

func TestLoadTrims(t *testing.T) {
	data := strings.Replace(minimal(t), "text: What feedback did you give this week?",
		"text: |\n      What feedback did you give this week?\n", 1)
	l, err := Load("x.yaml", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := l.Prompts[0].Text, "What feedback did you give this week?"; got != want {
		t.Errorf("text = %q, want %q", got, want)
	}
}

// TestDefault loads the embedded prompts.yaml, the ladder the binary ships.
func TestDefault(t *testing.T) {
	l, err := Default()
	if err != nil {
		t.Fatalf("Default():\n%v", err)
	}
	if got := len(l.Prompts); got < 45 {
		t.Errorf("the embedded ladder has %d prompts, want at least 45 (one per reflection question in the seeds)", got)
	}
	if got := len(l.Areas); got != 5 {
		t.Errorf("the embedded ladder has %d areas, want 5", got)
	}
	if got := len(l.Levels); got != 5 {
		t.Errorf("the embedded ladder has %d levels, want 5", got)
	}
}

// TestDefaultLadder checks what makes the shipped ladder worth climbing: the
// upper levels have enough distinct questions, every expectation can be
// evidenced on every track, each prompt asks one thing, and hints set a bar
// without asking about other people.
func TestDefaultLadder(t *testing.T) {
	l, err := Default()
	if err != nil {
		t.Fatalf("Default():\n%v", err)
	}

	t.Run("at least 6 prompts per area at director, vp and cto, on every track", func(t *testing.T) {
		for _, lv := range []ladder.LevelID{ladder.Director, ladder.VP, ladder.CTO} {
			for _, a := range ladder.AreaIDs {
				n := 0
				for _, p := range l.PromptsFor(lv, a) {
					if p.Track == "" {
						n++
					}
				}
				if n < 6 {
					t.Errorf("%s %s: %d prompts asked on every track, want at least 6", lv, a, n)
				}
			}
		}
	})

	t.Run("every expectation is evidenced on every track", func(t *testing.T) {
		for _, track := range append([]string{""}, trackIDs(l.Tracks)...) {
			for _, e := range l.Unevidenced(track) {
				t.Errorf("expectation %q has no prompt on track %q", e.ID, track)
			}
		}
	})

	t.Run("both kinds, and deep-track prompts at every level", func(t *testing.T) {
		for _, lv := range l.Levels {
			count := map[string]int{}
			for _, p := range l.Prompts {
				if p.Level == lv.ID {
					count[string(p.Kind)]++
					count["track "+p.Track]++
				}
			}
			if count["excel"] == 0 || (lv.ID != ladder.EM && count["stretch"] == 0) {
				t.Errorf("%s: %d excel and %d stretch prompts, want both kinds (em: excel)", lv.ID, count["excel"], count["stretch"])
			}
			if want := 3 - btoi(lv.ID == ladder.EM); count["track deep"] < want {
				t.Errorf("%s: %d deep-track prompts, want at least %d", lv.ID, count["track deep"], want)
			}
		}
	})

	twoPart := regexp.MustCompile(`(?i),\s*(and|or)\s+(what|how|which|why|who|whom|where|when|did|do|does|is|are|has|have|was|were)\b`)
	t.Run("one question per prompt", func(t *testing.T) {
		for _, p := range l.Prompts {
			if strings.Count(p.Text, "?") != 1 || !strings.HasSuffix(p.Text, "?") {
				t.Errorf("prompt %q: %q, want one question ending in its only question mark", p.ID, p.Text)
			}
			if m := twoPart.FindString(p.Text); m != "" {
				t.Errorf("prompt %q asks two things (%q): %q", p.ID, m, p.Text)
			}
		}
	})

	// Questions that touch other people's performance, conflicts, pay or
	// succession must say to leave their names out.
	private := regexp.MustCompile(`(?i)fell short|performance problem|between people|interpersonal|on pay|succession|left tomorrow`)
	asksNames := regexp.MustCompile(`(?i)\b(a named|named person|names of|name the|who exactly)\b`)
	t.Run("hints set a bar and keep others private", func(t *testing.T) {
		for _, p := range l.Prompts {
			lv, _ := l.Level(p.Level)
			bar := "At " + lv.Short + ", a strong answer shows "
			if p.Track != "" {
				bar = "At " + lv.Short + " on the " + p.Track + " track, a strong answer shows "
			}
			if !strings.HasPrefix(p.Hint, bar) {
				t.Errorf("prompt %q hint %q, want it to start %q", p.ID, p.Hint, bar)
			}
			if m := asksNames.FindString(p.Hint); m != "" {
				t.Errorf("prompt %q hint asks for names (%q): %q", p.ID, m, p.Hint)
			}
			if private.MatchString(p.Text+" "+p.Hint) && !strings.Contains(p.Hint, "Leave out names") {
				t.Errorf("prompt %q touches private matters; its hint must say to leave out names: %q", p.ID, p.Hint)
			}
		}
	})

	t.Run("vp and cto prompts differ", func(t *testing.T) {
		for _, vp := range l.Prompts {
			if vp.Level != ladder.VP {
				continue
			}
			for _, cto := range l.Prompts {
				if cto.Level != ladder.CTO {
					continue
				}
				if j := jaccard(vp.Text, cto.Text); j >= 0.6 {
					t.Errorf("%s and %s share %.0f%% of their words:\n%s\n%s", vp.ID, cto.ID, 100*j, vp.Text, cto.Text)
				}
			}
		}
	})
}

// jaccard is the share of distinct words two texts have in common.
func jaccard(a, b string) float64 {
	words := func(s string) map[string]bool {
		set := map[string]bool{}
		for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
			set[w] = true
		}
		return set
	}
	wa, wb := words(a), words(b)
	both := 0
	for w := range wa {
		if wb[w] {
			both++
		}
	}
	return float64(both) / float64(len(wa)+len(wb)-both)
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestJaccard(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want float64
	}{
		{"Who could step in?", "who could STEP in", 1},
		{"a b", "c d", 0},
		{"a b c", "a b d", 0.5},
	} {
		if got := jaccard(tt.a, tt.b); got != tt.want {
			t.Errorf("jaccard(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestOpen(t *testing.T) {
	t.Run("a path loads that file", func(t *testing.T) {
		l, err := Open(filepath.Join("testdata", "valid.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		if got, want := Summary(l), "ok: 15 prompts, 5 areas, 5 levels"; got != want {
			t.Errorf("Summary = %q, want %q", got, want)
		}
	})
	t.Run("no path loads the embedded file", func(t *testing.T) {
		l1, err1 := Open("")
		l2, err2 := Default()
		if !reflect.DeepEqual(l1, l2) || (err1 == nil) != (err2 == nil) {
			t.Errorf(`Open("") = %v, %v; want Default() = %v, %v`, l1, err1, l2, err2)
		}
	})
	t.Run("a missing file", func(t *testing.T) {
		_, err := Open(filepath.Join(t.TempDir(), "nope.yaml"))
		if !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Open error = %v, want one wrapping fs.ErrNotExist", err)
		}
	})
	t.Run("a file over the cap", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "big.yaml")
		if err := os.WriteFile(path, bytes.Repeat([]byte("# padding\n"), MaxSize/10+1), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := Open(path)
		want := path + ":1: the file is too large (1048580 bytes; at most 1048576); is this the ladder file?"
		if err == nil || err.Error() != want {
			t.Errorf("Open error = %v, want %s", err, want)
		}
	})
}

// TestLoadGarbage feeds Load what a wrong LADDER_PROMPTS could point at. It
// must answer quickly with file:line problems and never panic.
func TestLoadGarbage(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	random := make([]byte, 64<<10)
	for i := range random {
		random[i] = byte(rng.UintN(256))
	}
	var laughs strings.Builder
	laughs.WriteString("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n")
	for i := 'b'; i <= 'j'; i++ {
		laughs.WriteString(string(i) + ": &" + string(i) + " [")
		for j := 0; j < 9; j++ {
			laughs.WriteString("*" + string(i-1) + ", ")
		}
		laughs.WriteString("]\n")
	}
	laughs.WriteString("prompts: *j\n")

	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"random bytes", random, ""}, // any problem will do
		{"random text", []byte(strings.Repeat("}{][,:-?!&*|>'\"%@` ", 1000)), ":1: invalid YAML: "},
		{"billion laughs", []byte(laughs.String()), `:2: alias "*a" is not supported`},
		{"deep flow nesting", []byte(strings.Repeat("[", 100000)), ":1: lists and key: value pairs nested too deeply (more than 10 levels; a ladder file needs 6)"},
		{"deep block nesting", []byte(strings.Repeat("- ", 20000) + "x\n"), ":1: invalid YAML: exceeded max depth of 10000"},
		{"block nesting", []byte("areas:\n" + strings.Repeat("- ", 10) + "x\n"), ":2: lists and key: value pairs nested too deeply (more than 10 levels; a ladder file needs 6)"},
		{"deep but shallow enough", []byte("areas: " + strings.Repeat("[", 9) + strings.Repeat("]", 9) + "\n"), `:1: expected area as key: value pairs, got a list`},
		{"UTF-16", []byte("\xff\xfea\x00:\x00 \x001\x00"), ":1: invalid UTF-8"},
		{"NUL", []byte("areas: []\n\x00"), ":2: control character U+0000 is not allowed"},
		{"a number", []byte("42\n"), ":1: expected the file as key: value pairs, got 42"},
		{"null", []byte("~\n"), ":1: the file is empty"},
		{"blank", []byte("\n\n   \n"), ":1: the file is empty"},
		{"many unknown keys", []byte(strings.Repeat("x: 1\n", 100) + strings.Repeat("y: 1\n", 100)), ":101: 104 more problems not shown; fix the ones above first"},
		{"huge numbers", []byte("window_weeks: 99999999999999999999999\n"), ":1: window_weeks must be a whole number of weeks from 1 to 520, got 99999999999999999999999"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			_, err := Load("x.yaml", tt.data)
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("Load took %v", d)
			}
			if err == nil {
				t.Fatalf("Load succeeded, want an error containing %s", tt.want)
			}
			checkProblems(t, "x.yaml", err)
			if tt.want != "" && !strings.Contains(err.Error(), "x.yaml"+tt.want) {
				t.Errorf("Load error:\ngot:\n%.2000s\nwant it to contain:\nx.yaml%s", err, tt.want)
			}
		})
	}
}

var problemLine = regexp.MustCompile(`^x\.yaml:[1-9][0-9]*: \S`)

// checkProblems asserts that err is an *Errors printed as one
// "name:line: message" per line.
func checkProblems(t testing.TB, name string, err error) {
	t.Helper()
	var perr *Errors
	if !errors.As(err, &perr) {
		t.Fatalf("error is %T, want *Errors: %v", err, err)
	}
	if len(perr.Problems) == 0 {
		t.Fatalf("*Errors with no problems")
	}
	for _, line := range strings.Split(err.Error(), "\n") {
		if !problemLine.MatchString(line) {
			t.Fatalf("problem %q is not formatted %s:line: message", line, name)
		}
	}
}

// countNodes counts the nodes of the tree under n, n included.
func countNodes(n *yaml.Node) int {
	k := 1
	for _, c := range n.Content {
		k += countNodes(c)
	}
	return k
}

// FuzzLoad checks that Load never panics and reports every problem as
// name:line: message.
func FuzzLoad(f *testing.F) {
	paths, err := filepath.Glob(filepath.Join("testdata", "*.yaml"))
	if err != nil {
		f.Fatal(err)
	}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// The pre-scan's count bounds what the parser builds, give or take
		// the nulls that YAML implies, or its bound protects nothing.
		c := &checker{file: "x.yaml"}
		if c.encoding(data) && c.prescan(data) {
			var doc yaml.Node
			if yaml.Unmarshal(data, &doc) == nil {
				if n := countNodes(&doc) - 1; n > 2*c.nodes+2 {
					t.Fatalf("the pre-scan counted %d nodes; YAML built %d", c.nodes, n)
				}
			}
		}
		l, err := Load("x.yaml", data)
		if err != nil {
			checkProblems(t, "x.yaml", err)
			return
		}
		if l == nil || len(l.Areas) != 5 || len(l.Levels) == 0 || len(l.Tracks) == 0 || len(l.Prompts) == 0 {
			t.Fatalf("Load accepted an incomplete ladder: %+v", l)
		}
	})
}

// grownLadder is the shipped ladder with prompts added, n of them with text of
// textLen characters.
func grownLadder(n, textLen int) []byte {
	var b bytes.Buffer
	b.Write(files.Prompts)
	expects := "em-leadership-1"
	if l, err := Default(); err == nil {
		expects = l.ExpectationsFor(ladder.EM)[0].ID
	}
	text := strings.TrimSpace(strings.Repeat("What changed after the feedback you gave this week ", textLen/50+1)[:textLen])
	for i := range n {
		fmt.Fprintf(&b, "  - id: grown-%05d\n    area: people\n    level: em\n    kind: excel\n    text: %s\n    hint: A change it led to, in their words.\n    expects: [%s]\n", i, text, expects)
	}
	return b.Bytes()
}

// largestLadder is the shipped ladder grown to maxPrompts prompts, each with
// text as long as fits under MaxSize: about the most Load accepts.
func largestLadder(t testing.TB) []byte {
	t.Helper()
	l, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	n := maxPrompts - len(l.Prompts)
	perPrompt := len(grownLadder(1, 1)) - len(files.Prompts) - 1
	textLen := min(maxTextLen, (MaxSize-len(files.Prompts))/n-perPrompt)
	return grownLadder(n, textLen)
}

// TestLoadLargest checks that the bounds leave room for a real ladder: the
// largest file of prompts with long questions loads.
func TestLoadLargest(t *testing.T) {
	data := largestLadder(t)
	if len(data) > MaxSize || len(data) < MaxSize*9/10 {
		t.Fatalf("the largest ladder is %d bytes, want just under %d", len(data), MaxSize)
	}
	l, err := Load("x.yaml", data)
	if err != nil {
		t.Fatalf("Load:\n%.2000v", err)
	}
	if got := len(l.Prompts); got != maxPrompts {
		t.Errorf("%d prompts, want %d", got, maxPrompts)
	}
}

// TestLoadBounds feeds Load files built to cost it time and memory. Each is
// refused with a file:line problem, having allocated little: the bounds are
// checked before the file is parsed in full.
func TestLoadBounds(t *testing.T) {
	var laughs strings.Builder
	laughs.WriteString("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n")
	for i := 'b'; i <= 'z'; i++ {
		fmt.Fprintf(&laughs, "%c: &%c [%s]\n", i, i, strings.TrimSuffix(strings.Repeat("*"+string(i-1)+", ", 9), ", "))
	}
	laughs.WriteString("prompts: *z\n")

	// A ladder grown to 4 MiB, which used to load: 470 MB and 3 seconds.
	big := grownLadder(30000, 60)[:4<<20]
	flow := "areas: [" + strings.Repeat("1,", (MaxSize-16)/2) + "1]\n"
	lines := "prompts:\n" + strings.Repeat("- x\n", MaxSize/4-3)
	var many strings.Builder
	many.WriteString(minimal(t))
	for i := range maxPrompts {
		fmt.Fprintf(&many, "  - {id: p-%d, area: people, level: em, kind: excel, text: What did you do, hint: This.}\n", i)
	}
	promptsLine := strings.Count(minimal(t)[:strings.Index(minimal(t), "\nprompts:")+1], "\n") + 1
	long := strings.Replace(minimal(t), "name: People management", "name: "+strings.Repeat("x", maxValueLen+1), 1)

	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"4 MiB", big, ":1: the file is too large (4194304 bytes; at most 1048576); is this the ladder file?"},
		{"a flow list of 500,000 numbers", []byte(flow), ":1: the file holds more than 50000 keys, values and list items; a ladder needs about 20 a prompt"},
		{"a list of 260,000 lines", []byte(lines), ":25001: the file holds more than 50000 keys, values and list items"},
		{"alias bomb", []byte(laughs.String()), `:2: alias "*a" is not supported; write the value out`},
		{"too many prompts", []byte(many.String()), fmt.Sprintf(":%d: too many prompts (%d; at most %d)", promptsLine, maxPrompts+5, maxPrompts)},
		{"a long value", []byte(long), fmt.Sprintf(`:3: value "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…" is too long (%d characters; at most %d)`, maxValueLen+1, maxValueLen)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			start := time.Now()
			_, err := Load("x.yaml", tt.data)
			d := time.Since(start)
			runtime.ReadMemStats(&after)
			if err == nil {
				t.Fatalf("Load succeeded, want %s", tt.want)
			}
			checkProblems(t, "x.yaml", err)
			if !strings.Contains(err.Error(), "x.yaml"+tt.want) {
				t.Errorf("Load error:\ngot:\n%.2000s\nwant it to contain:\nx.yaml%s", err, tt.want)
			}
			// The shipped ladder takes about 2 MB to load.
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 16<<20 {
				t.Errorf("Load allocated %d MB for a file it refuses", alloc>>20)
			}
			if d > 2*time.Second {
				t.Errorf("Load took %v", d)
			}
		})
	}

	t.Run("LoadFile does not read a file over the cap", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "big.yaml")
		if err := os.WriteFile(path, big, 0o600); err != nil {
			t.Fatal(err)
		}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := LoadFile(path)
		runtime.ReadMemStats(&after)
		want := path + ":1: the file is too large (4194304 bytes; at most 1048576); is this the ladder file?"
		if err == nil || err.Error() != want {
			t.Errorf("LoadFile error = %v, want %s", err, want)
		}
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<20 {
			t.Errorf("LoadFile allocated %d KB for a file it refuses", alloc>>10)
		}
	})
}

// BenchmarkLoadLargest loads about the largest ladder Load accepts.
func BenchmarkLoadLargest(b *testing.B) {
	data := largestLadder(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Load("x.yaml", data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadCostliest parses the costliest file the pre-scan lets through:
// a flow list of as many values as it allows, which Load then refuses.
func BenchmarkLoadCostliest(b *testing.B) {
	data := []byte("areas: [" + strings.Repeat("1,", maxNodes/2-3) + "1]\n")
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Load("x.yaml", data); err == nil || strings.Contains(err.Error(), "more than") {
			b.Fatalf("Load: %v; want a problem found after the parse", err)
		}
	}
}

// BenchmarkLoad4MiB refuses the 4 MiB ladder that once took 470 MB.
func BenchmarkLoad4MiB(b *testing.B) {
	data := grownLadder(30000, 60)[:4<<20]
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Load("x.yaml", data); err == nil {
			b.Fatal("Load accepted a 4 MiB file")
		}
	}
}
