// Package prompts loads a ladder file (prompts.yaml) into ladder types, reporting
// every problem as file:line, and chooses the next prompt to ask a member.
package prompts

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	files "github.com/ladderapp/ladder"
	"github.com/ladderapp/ladder/internal/ladder"
	"go.yaml.in/yaml/v3"
)

// The bounds on what a ladder file may cost, checked before it is parsed in
// full. The shipped prompts.yaml is about 100 KiB, with 212 prompts and 130
// expectations nested 6 deep, about 6,400 nodes; a 4 MiB file of flow lists
// once took 470 MB and 3 seconds to parse.
const (
	// MaxSize is the largest ladder file accepted, in bytes: ten times the
	// shipped one.
	MaxSize = 1 << 20
	// maxNodes bounds the keys, values and list items the pre-scan counts, so
	// that parsing allocates at most a few MB whatever the file holds. A prompt
	// costs about 20; maxPrompts of them fit with room to spare.
	maxNodes = 50_000
	// maxDepth bounds how deeply lists and mappings nest; the schema needs 6
	// (the file, levels, a level, its expectations, a dimension's list, an
	// expectation's id and text).
	maxDepth = 10
	// maxValueLen bounds any one value, in characters. Descriptions and
	// summaries are shown in Slack, whose section text holds 3000.
	maxValueLen = 3000
)

// maxProblems caps the list so that a file of garbage yields a readable
// report rather than thousands of lines.
const maxProblems = 100

// Problem is one thing wrong with a ladder file.
type Problem struct {
	File string
	Line int
	Msg  string
}

// String renders the problem as "file:line: what is wrong".
func (p Problem) String() string {
	return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Msg)
}

// Errors is every problem found in a ladder file, in line order.
type Errors struct {
	Problems []Problem
}

// Error lists the problems one per line, ready to print.
func (e *Errors) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// Default loads the ladder embedded in the binary.
func Default() (*ladder.Ladder, error) {
	return Load("prompts.yaml", files.Prompts)
}

// Open loads the ladder file at path, or the embedded one when path is empty.
// This is how LADDER_PROMPTS replaces the default ladder.
func Open(path string) (*ladder.Ladder, error) {
	if path == "" {
		return Default()
	}
	return LoadFile(path)
}

// LoadFile reads and loads the ladder file at path. Problems name the file by
// path, as given. A file over MaxSize is refused before it is read.
func LoadFile(path string) (*ladder.Ladder, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read ladder: %w", err)
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() && fi.Size() > MaxSize {
		c := &checker{file: path}
		c.tooLarge(fmt.Sprint(fi.Size()))
		return nil, c.report()
	}
	// Read one byte past the cap, so that Load can tell that a file that is
	// not a regular one, such as a pipe, is too large.
	data, err := io.ReadAll(io.LimitReader(f, MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("read ladder: %w", err)
	}
	if len(data) > MaxSize {
		c := &checker{file: path}
		c.tooLarge(fmt.Sprintf("more than %d", MaxSize))
		return nil, c.report()
	}
	return Load(path, data)
}

// Load parses and validates a ladder file. name is how problems refer to the
// file. When anything is wrong it returns an *Errors listing every problem.
func Load(name string, data []byte) (*ladder.Ladder, error) {
	c := &checker{file: name}
	root := c.parse(data)
	var l *ladder.Ladder
	if root != nil && c.ok() {
		l = c.ladder(root)
	}
	if !c.ok() {
		return nil, c.report()
	}
	return l, nil
}

// Summary is the line `bot check` prints for a valid ladder.
func Summary(l *ladder.Ladder) string {
	return fmt.Sprintf("ok: %d prompts, %d areas, %d levels", len(l.Prompts), len(l.Areas), len(l.Levels))
}

// checker collects problems while it reads a ladder file.
type checker struct {
	file      string
	problems  []Problem
	dropped   int // problems beyond maxProblems
	droppedAt int // the line of the first of them
	nodes     int // what prescan counted
	// expAt is where each expectation id was defined, so that prompts can
	// name expectations of their own level only.
	expAt map[string]expRef
}

type expRef struct {
	level ladder.LevelID
	line  int
}

// errorf records a problem at n's line, or at line 1 when n has none.
func (c *checker) errorf(n *yaml.Node, format string, args ...any) {
	line := 1
	if n != nil && n.Line > 0 {
		line = n.Line
	}
	c.lineErrorf(line, format, args...)
}

func (c *checker) lineErrorf(line int, format string, args ...any) {
	if len(c.problems) >= maxProblems {
		if c.dropped == 0 {
			c.droppedAt = line
		}
		c.dropped++
		return
	}
	// One problem is one line, whatever the message quotes.
	msg := strings.ReplaceAll(fmt.Sprintf(format, args...), "\n", " ")
	c.problems = append(c.problems, Problem{File: c.file, Line: line, Msg: msg})
}

func (c *checker) ok() bool { return len(c.problems) == 0 }

// report returns the problems in line order.
func (c *checker) report() *Errors {
	ps := append([]Problem(nil), c.problems...)
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].Line < ps[j].Line })
	if c.dropped > 0 {
		ps = append(ps, Problem{File: c.file, Line: c.droppedAt,
			Msg: fmt.Sprintf("%d more problems not shown; fix the ones above first", c.dropped)})
	}
	return &Errors{Problems: ps}
}

// parse turns the file into a YAML tree, or records why it cannot. It returns
// nil when there is nothing to validate.
func (c *checker) parse(data []byte) *yaml.Node {
	if len(data) > MaxSize {
		c.tooLarge(fmt.Sprint(len(data)))
		return nil
	}
	if !c.encoding(data) || !c.prescan(data) {
		return nil
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
		c.yamlError(err, data)
		return nil
	}
	if doc.Kind == 0 || len(doc.Content) == 0 || isNull(doc.Content[0]) {
		c.lineErrorf(1, "the file is empty (expected areas, levels, tracks and prompts)")
		return nil
	}
	var more yaml.Node
	switch err := dec.Decode(&more); {
	case errors.Is(err, io.EOF):
	case err != nil:
		c.yamlError(err, data)
		return nil
	default:
		c.errorf(&more, "a second YAML document; the ladder file holds exactly one")
		return nil
	}
	if !c.bounded(&doc) {
		return nil
	}
	return doc.Content[0]
}

// tooLarge records that the file, of size bytes, is over MaxSize.
func (c *checker) tooLarge(size string) {
	c.lineErrorf(1, "the file is too large (%s bytes; at most %d); is this the ladder file?", size, MaxSize)
}

// encoding checks what the YAML reader would reject, because its errors carry
// no line number: invalid UTF-8 and control characters.
func (c *checker) encoding(data []byte) bool {
	line := 1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			c.lineErrorf(line, "invalid UTF-8 (save the file as UTF-8)")
			return false
		case !printable(r):
			c.lineErrorf(line, "control character %U is not allowed", r)
			return false
		case r == '\n':
			line++
		}
		i += size
	}
	return true
}

// printable is the character set YAML allows in a stream.
func printable(r rune) bool {
	switch {
	case r == '\t', r == '\n', r == '\r', r == 0x85:
		return true
	case r >= 0x20 && r <= 0x7E:
		return true
	case r >= 0xA0 && r <= 0xD7FF, r >= 0xE000 && r <= 0xFFFD:
		return true
	}
	return r >= 0x10000 && r <= utf8.MaxRune
}

// yamlLine matches the position in yaml's error messages: "yaml: line 12: ...".
var yamlLine = regexp.MustCompile(`^yaml: line (\d+): `)

// parserProblems are the messages of yaml's parser, as opposed to its scanner.
// The parser reports the line before the one it means: it prints a 0-based
// line where the scanner prints a 1-based one (go-yaml/yaml#205).
var parserProblems = []string{
	"did not find expected ',' or ']'",
	"did not find expected ',' or '}'",
	"did not find expected '-' indicator",
	"did not find expected <document start>",
	"did not find expected <stream-start>",
	"did not find expected key",
	"did not find expected node content",
	"found duplicate %TAG directive",
	"found duplicate %YAML directive",
	"found incompatible YAML document",
	"found undefined tag handle",
}

// yamlError records a syntax error at the line yaml means, or at line 1 when
// it gives none.
func (c *checker) yamlError(err error, data []byte) {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 1
	if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = err.Error()[len(m[0]):]
	}
	if slices.Contains(parserProblems, msg) {
		line++
	}
	// At the end of the stream yaml may point one past the last line.
	lines := bytes.Count(data, []byte("\n"))
	if len(data) > 0 && data[len(data)-1] != '\n' {
		lines++
	}
	line = max(1, min(line, lines))
	c.lineErrorf(line, "invalid YAML: %s", msg)
}

// bounded reports every alias (*name, including merge keys), value longer
// than maxValueLen and collection nested deeper than maxDepth. A ladder file
// has no use for aliases, and following them could multiply a small file into
// an enormous one ("billion laughs"); nothing here follows them.
func (c *checker) bounded(doc *yaml.Node) bool {
	type item struct {
		n     *yaml.Node
		depth int // collections around n
	}
	ok := true
	stack := []item{{doc, 0}} // the document node is not a collection
	for len(stack) > 0 {
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		n := it.n
		switch n.Kind {
		case yaml.AliasNode:
			c.errorf(n, "alias %s is not supported; write the value out", clip("*"+n.Value))
			ok = false
			continue
		case yaml.ScalarNode:
			if len(n.Value) > maxValueLen { // bytes first: counting runes costs more
				if l := utf8.RuneCountInString(n.Value); l > maxValueLen {
					c.errorf(n, "value %s is too long (%d characters; at most %d)", clip(n.Value), l, maxValueLen)
					ok = false
				}
			}
		case yaml.SequenceNode, yaml.MappingNode:
			if it.depth+1 > maxDepth {
				c.errorf(n, "lists and key: value pairs nested too deeply (more than %d levels; a ladder file needs 6)", maxDepth)
				ok = false
				continue
			}
		}
		for i := len(n.Content) - 1; i >= 0; i-- {
			d := it.depth
			if n.Kind != yaml.DocumentNode {
				d++
			}
			stack = append(stack, item{n.Content[i], d})
		}
	}
	return ok
}
