package prompts

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	files "github.com/ladderapp/ladder"
)

// seedRuns reads the hashes of the seeds' runs of RunWords words, kept in
// testdata because the seeds themselves live outside the repository.
func seedRuns(t *testing.T) map[string]bool {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "seed-shingles.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	hex := regexp.MustCompile(`^[0-9a-f]{16}$`)
	runs := map[string]bool{}
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		s := sc.Text()
		switch {
		case strings.HasPrefix(s, "#"):
		case hex.MatchString(s):
			runs[s] = true
		default:
			t.Fatalf("seed-shingles.txt:%d: %q is not a 16-digit hex hash", line, s)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	// The three seeds hold about 5,600 words; a file much smaller than that
	// would let copying through unnoticed.
	if len(runs) < 5000 {
		t.Fatalf("seed-shingles.txt holds %d hashes, want the seeds' 5,000 or more; regenerate it with internal/prompts/seedhash", len(runs))
	}
	return runs
}

// TestNoSeedCopying fails when any text in prompts.yaml, comments included,
// shares a run of RunWords words with a seed document. It runs wherever the
// repository does, with or without the seeds.
func TestNoSeedCopying(t *testing.T) {
	sources := seedRuns(t)
	l, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	texts := Texts(l)
	var comments []string
	for _, line := range strings.Split(string(files.Prompts), "\n") {
		if s := strings.TrimSpace(line); strings.HasPrefix(s, "#") {
			comments = append(comments, s)
		}
	}
	texts = append(texts, Text{"prompts.yaml comments", strings.Join(comments, "\n")})
	for _, c := range CopiedRuns(texts, sources) {
		t.Errorf("%s shares %d words with a seed: %q; say it in our own words", c.Where, RunWords, c.Run)
	}
}

// TestCopiedRuns plants copied sentences and checks that they are caught.
func TestCopiedRuns(t *testing.T) {
	sources := seedRuns(t)
	tests := []struct {
		name string
		text string
		want string // the run reported, or "" for none
	}{
		// A sentence of 001_… word for word.
		{"a seed sentence", "The key differentiator is organisational leverage.", "the key differentiator is organisational leverage"},
		{"case and punctuation", "the KEY-differentiator: is organisational... Leverage!", "the key differentiator is organisational leverage"},
		{"inside a longer text", "We agree that the key differentiator is organisational leverage, mostly.", "the key differentiator is organisational leverage"},
		{"five words are not a copy", "Key differentiator is organisational leverage.", ""},
		{"our own words", "What sets a senior manager apart is leverage across the organisation.", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := CopiedRuns([]Text{{"prompt \"x\" hint", tt.text}}, sources)
			switch {
			case tt.want == "" && len(got) > 0:
				t.Errorf("got %v, want no copied run", got)
			case tt.want != "" && (len(got) != 1 || got[0].Run != tt.want || got[0].Where != `prompt "x" hint`):
				t.Errorf("got %v, want one run %q in prompt \"x\" hint", got, tt.want)
			}
		})
	}

	t.Run("a planted hint in the shipped ladder", func(t *testing.T) {
		l, err := Default()
		if err != nil {
			t.Fatal(err)
		}
		l.Prompts[3].Hint += " The key differentiator is organisational leverage."
		got := CopiedRuns(Texts(l), sources)
		want := Copied{`prompt "` + l.Prompts[3].ID + `" hint`, "the key differentiator is organisational leverage"}
		if len(got) != 1 || got[0] != want {
			t.Errorf("got %v, want %v", got, want)
		}
	})
}

func TestRuns(t *testing.T) {
	got := Runs("Hello, World! It's a 6-word run, here")
	want := []string{
		"hello world it s a 6",
		"world it s a 6 word",
		"it s a 6 word run",
		"s a 6 word run here",
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("Runs = %q, want %q", got, want)
	}
	if got := Runs("only five words in here"); len(got) != 0 {
		t.Errorf("Runs of five words = %q, want none", got)
	}
	// FNV-64a, zero-padded to 16 hex digits: the format of seed-shingles.txt.
	if got, want := RunHash("a"), "af63dc4c8601ec8c"; got != want {
		t.Errorf("RunHash(a) = %s, want %s", got, want)
	}
}

func TestTexts(t *testing.T) {
	l := mustLoad(t, "valid.yaml")
	where := map[string]string{}
	for _, tx := range Texts(l) {
		where[tx.Where] = tx.Text
	}
	for w, want := range map[string]string{
		`area "technical" description`: "Keeping the technical bar high.",
		`level "em" focus scaling`:     "Hire for the team.",
		`expectation "sem-ambiguity"`:  "Handles ambiguity without escalating.",
		`track "broad" description`:    "Leverage through other managers.",
		`prompt "vp-scaling-org" text`: "What will your organisation need in two years that it lacks today?",
		`prompt "vp-scaling-org" hint`: "A plan with headcount and leaders.",
		`level "senior-em" summary`:    "Leads managers or a large team, with impact beyond it.",
	} {
		if where[w] != want {
			t.Errorf("Texts()[%s] = %q, want %q", w, where[w], want)
		}
	}
}
