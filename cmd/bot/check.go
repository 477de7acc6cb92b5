package main

import (
	"fmt"
	"io"

	"github.com/ladderapp/ladder/internal/prompts"
)

// check validates a ladder file, by default the embedded one, and prints a
// one-line summary, or every problem as file:line.
func check(args []string, stdout io.Writer) error {
	if len(args) > 1 {
		return &exitError{2, fmt.Errorf("usage: bot check [FILE]")}
	}
	path := ""
	if len(args) == 1 {
		path = args[0]
	}
	l, err := prompts.Open(path)
	if err != nil {
		return &exitError{1, err}
	}
	fmt.Fprintln(stdout, prompts.Summary(l))
	return nil
}
