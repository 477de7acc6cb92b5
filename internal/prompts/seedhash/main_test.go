package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ladderapp/ladder/internal/prompts"
)

func TestRun(t *testing.T) {
	dir := t.TempDir()
	seed := filepath.Join(dir, "seed.txt")
	if err := os.WriteFile(seed, []byte("One two three four five six seven. One two three four five six!"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run([]string{seed}, &out); err != nil {
		t.Fatal(err)
	}
	var hashes []string
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		if !strings.HasPrefix(line, "#") {
			hashes = append(hashes, line)
		}
	}
	// Eight runs of six words, one of them twice: seven hashes, sorted, and
	// never the seed's text.
	if len(hashes) != 7 {
		t.Errorf("got %d hashes, want 7:\n%s", len(hashes), out.String())
	}
	if !strings.Contains(out.String(), prompts.RunHash("one two three four five six")+"\n") {
		t.Errorf("the hash of the first run is missing:\n%s", out.String())
	}
	if strings.Contains(strings.ToLower(out.String()), "three four") {
		t.Errorf("the output holds seed text:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "# seed: seed.txt\n") {
		t.Errorf("the output does not name the seed file:\n%s", out.String())
	}
	if err := run(nil, &out); err == nil || !strings.Contains(err.Error(), "usage") {
		t.Errorf("no arguments: got %v, want the usage", err)
	}
}
