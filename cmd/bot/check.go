package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/ladderapp/ladder/internal/ladder"
	"github.com/ladderapp/ladder/internal/prompts"
)

// check validates a ladder file, by default the embedded one, and prints a
// one-line summary, or every problem as file:line. After the summary of a
// valid file it reports what a ladder author needs to see: how the prompts
// spread over levels, areas, kinds and tracks, and the expectations that no
// prompt evidences.
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
	fmt.Fprintln(stdout)
	checkTable(stdout, l)
	fmt.Fprintln(stdout)
	checkUnevidenced(stdout, l)
	return nil
}

// checkTable prints the prompts per level and area: all of them, each kind,
// and those asked on one track only.
func checkTable(w io.Writer, l *ladder.Ladder) {
	fmt.Fprintln(w, "Prompts per level and area (track rows: asked on that track only, also counted above):")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	// The labels are padded here so that they read left-aligned while the
	// numbers align right.
	label := func(level, rows string) string { return fmt.Sprintf("%-10s %-10s", level, rows) }
	head := []string{label("level", "prompts")}
	for _, a := range l.Areas {
		head = append(head, string(a.ID))
	}
	head = append(head, "total")
	fmt.Fprintln(tw, strings.Join(head, "\t")+"\t")
	type row struct {
		name string
		keep func(ladder.Prompt) bool
	}
	rows := []row{
		{"all", func(ladder.Prompt) bool { return true }},
		{string(ladder.Excel), func(p ladder.Prompt) bool { return p.Kind == ladder.Excel }},
		{string(ladder.Stretch), func(p ladder.Prompt) bool { return p.Kind == ladder.Stretch }},
	}
	for _, t := range l.Tracks {
		if onTrack := func(p ladder.Prompt) bool { return p.Track == t.ID }; count(l.Prompts, onTrack) > 0 {
			rows = append(rows, row{"track " + t.ID, onTrack})
		}
	}
	for _, lv := range l.Levels {
		for _, r := range rows {
			cells := []string{label(string(lv.ID), r.name)}
			total := 0
			for _, a := range l.Areas {
				n := count(l.PromptsFor(lv.ID, a.ID), r.keep)
				total += n
				cells = append(cells, fmt.Sprint(n))
			}
			cells = append(cells, fmt.Sprint(total))
			fmt.Fprintln(tw, strings.Join(cells, "\t")+"\t")
		}
	}
	tw.Flush()
}

// checkUnevidenced lists the expectations that no prompt names, first over
// all prompts, then for each track over the prompts asked on it.
func checkUnevidenced(w io.Writer, l *ladder.Ladder) {
	none := true
	list := func(title string, es []ladder.Expectation) {
		if len(es) == 0 {
			return
		}
		none = false
		fmt.Fprintf(w, "%s (%d):\n", title, len(es))
		for _, e := range es {
			_, level, _ := l.Expectation(e.ID)
			fmt.Fprintf(w, "  %s (%s, %s): %s\n", e.ID, level, e.Dimension, e.Text)
		}
	}
	list("Expectations no prompt evidences", l.Unevidenced(""))
	for _, t := range l.Tracks {
		all := map[string]bool{}
		for _, e := range l.Unevidenced("") {
			all[e.ID] = true
		}
		var only []ladder.Expectation
		for _, e := range l.Unevidenced(t.ID) {
			if !all[e.ID] {
				only = append(only, e)
			}
		}
		list(fmt.Sprintf("Expectations no prompt on track %q evidences", t.ID), only)
	}
	if none {
		fmt.Fprintln(w, "Every expectation is evidenced by at least one prompt on every track.")
	}
}

func count(ps []ladder.Prompt, keep func(ladder.Prompt) bool) int {
	n := 0
	for _, p := range ps {
		if keep(p) {
			n++
		}
	}
	return n
}
