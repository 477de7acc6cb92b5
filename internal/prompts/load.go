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
// full. The shipped prompts.yaml is about 50 KiB, with 128 prompts nested 5
// deep; a 4 MiB file of flow lists once took 470 MB and 3 seconds to parse.
const (
	// MaxSize is the largest ladder file accepted, in bytes: twenty times the
	// shipped one.
	MaxSize = 1 << 20
	// maxNodes bounds the keys, values and list items the pre-scan counts, so
	// that parsing allocates at most a few MB whatever the file holds. A prompt
	// costs about 20; maxPrompts of them fit with room to spare.
	maxNodes = 50_000
	// maxDepth bounds how deeply lists and mappings nest; the schema needs 5
	// (the file, levels, a level, its expectations, a dimension's list).
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

// prescan bounds what parsing the file can cost, before it is parsed: it
// counts the nodes YAML would build (scalars, aliases, the indicators - ? :
// and flow brackets and commas, each at least one node or the null it
// implies) up to maxNodes, and the nesting of flow lists up to maxDepth. It
// follows YAML's lexical rules closely enough to skip what is text: comments,
// quoted scalars, block scalars (| and >) and the continuation lines of plain
// ones. The parse that follows decides everything else.
func (c *checker) prescan(data []byte) bool {
	var (
		line   = 1
		nodes  = 0
		flow   = 0  // open [ and {
		col    = 0  // column of data[i]
		start  = 0  // index where the current line starts
		indent = -1 // of the current line, once its first character is seen
		// A block scalar's text: lines more indented than blockParent, once
		// the first of them sets blockIndent.
		inBlock                  bool
		blockParent, blockIndent int
		// A plain scalar in block context continues on lines more indented
		// than plainParent.
		inPlain     bool
		plainParent int
		// owner is the column of the last key or "-" on this line: the node
		// that a block scalar or plain value belongs to.
		owner      = -1
		tokenStart = true
	)
	defer func() { c.nodes = nodes }()
	data = lineFeeds(data)
	count := func() bool {
		nodes++
		if nodes > maxNodes {
			c.lineErrorf(line, "the file holds more than %d keys, values and list items; a ladder needs about 20 a prompt", maxNodes)
			return false
		}
		return true
	}
	isSpace := func(i int) bool {
		return i >= len(data) || data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r'
	}
	for i := 0; i < len(data); {
		ch := data[i]
		if ch == '\n' {
			line++
			i++
			start, col, indent, owner, tokenStart = i, 0, -1, -1, true
			continue
		}
		if indent < 0 {
			if ch == ' ' {
				i, col = i+1, col+1
				continue
			}
			indent = col
			if restBlank(data, i) {
				// A blank line ends nothing.
				i = lineEnd(data, i)
				continue
			}
			if inBlock {
				if blockIndent < 0 && indent > blockParent {
					blockIndent = indent
				}
				if blockIndent >= 0 && indent >= blockIndent {
					i = lineEnd(data, i)
					continue
				}
				inBlock = false
			}
			if inPlain && (flow > 0 || indent > plainParent) && strings.IndexByte(",[]{}#", ch) < 0 {
				next := c.skipPlain(data, i, flow > 0, &inPlain)
				i, col = next, col+next-i
				continue
			}
			inPlain = false
		}
		switch {
		case ch == ' ' || ch == '\t' || ch == '\r':
			tokenStart = true
			i, col = i+1, col+1
			continue
		case ch == '#' && tokenStart:
			inPlain = false
			i = lineEnd(data, i)
			continue
		case ch == '[' || ch == '{':
			flow++
			if flow > maxDepth {
				c.lineErrorf(line, "lists and key: value pairs nested too deeply (more than %d levels; a ladder file needs 5)", maxDepth)
				return false
			}
			if !count() {
				return false
			}
			tokenStart, inPlain = true, false
			i, col = i+1, col+1
			continue
		case (ch == ']' || ch == '}') && flow > 0:
			flow--
			tokenStart, inPlain = false, false
			i, col = i+1, col+1
			continue
		case ch == ',' && flow > 0:
			if !count() {
				return false
			}
			tokenStart, inPlain = true, false
			i, col = i+1, col+1
			continue
		case (ch == '-' || ch == '?' || ch == ':') && isSpace(i+1) && (tokenStart || ch == ':'):
			if ch != ':' {
				owner = col
			}
			if !count() {
				return false
			}
			tokenStart, inPlain = true, false
			i, col = i+1, col+1
			continue
		case ch == ':' && flow > 0 && i+1 < len(data) && strings.IndexByte(",[]{}", data[i+1]) >= 0:
			tokenStart = true
			i, col = i+1, col+1
			continue
		case !tokenStart:
			i, col = i+1, col+1
			continue
		}
		// A token starts here.
		tokenStart = false
		switch {
		case col == 0 && flow == 0 && ch == '%':
			// A directive takes the whole line.
			i = lineEnd(data, i)
			continue
		case col == 0 && flow == 0 && (hasPrefixAt(data, i, "---") || hasPrefixAt(data, i, "...")):
			// A document marker; the parse reports a second document.
			tokenStart = true
			i, col = i+3, col+3
			continue
		case ch == '&' || ch == '!':
			// An anchor or a tag: part of the node that follows. An anchor's
			// name is letters, digits, '-' and '_', as the parser reads it.
			for i, col = i+1, col+1; i < len(data) && !isSpace(i) && (flow == 0 || strings.IndexByte(",[]{}", data[i]) < 0) &&
				(ch == '!' || anchorChar(data[i])); i, col = i+1, col+1 {
			}
			tokenStart = true
			continue
		case (ch == '|' || ch == '>') && flow == 0:
			if !count() {
				return false
			}
			inBlock, blockParent, blockIndent = true, owner, -1
			if owner < 0 {
				blockParent = indent - 1
			}
			i = lineEnd(data, i)
			continue
		case ch == '"' || ch == '\'':
			if !count() {
				return false
			}
			if flow == 0 {
				owner = col // a quoted key owns what follows its colon
			}
			end, lines := quotedEnd(data, i)
			if lines > 0 {
				line += lines
				start = bytes.LastIndexByte(data[:end], '\n') + 1
			}
			col = end - start
			i = end
			continue
		}
		// A plain scalar, or an alias, which ends where a plain scalar does.
		if !count() {
			return false
		}
		if flow == 0 {
			// If the scalar turns out to be a key, the colon makes it the
			// owner of what follows; if it runs to the end of the line, it is
			// a value that may continue on the next.
			owner, plainParent = col, owner
			if plainParent < 0 {
				plainParent = indent - 1
			}
		}
		inPlain = true
		next := c.skipPlain(data, i, flow > 0, &inPlain)
		col += next - i
		i = next
	}
	return true
}

// lineFeeds returns data with every line break YAML knows (CR LF, CR, NEL,
// LS and PS) made a line feed, padded with spaces to the same length.
func lineFeeds(data []byte) []byte {
	if !bytes.ContainsAny(data, "\r\u0085\u2028\u2029") {
		return data
	}
	out := bytes.ReplaceAll(data, []byte("\r\n"), []byte(" \n"))
	out = bytes.ReplaceAll(out, []byte("\r"), []byte("\n"))
	out = bytes.ReplaceAll(out, []byte("\u0085"), []byte(" \n"))
	out = bytes.ReplaceAll(out, []byte("\u2028"), []byte("  \n"))
	return bytes.ReplaceAll(out, []byte("\u2029"), []byte("  \n"))
}

// skipPlain returns where the plain scalar text at data[i:] ends on this
// line: before ": " or " #", before a flow indicator in flow context, or at
// the end of the line. inPlain is cleared when the scalar ends before the end
// of the line, so that the next line is not taken for its continuation.
func (c *checker) skipPlain(data []byte, i int, inFlow bool, inPlain *bool) int {
	for ; i < len(data); i++ {
		switch ch := data[i]; {
		case ch == '\n':
			return i
		case ch == ':' && (i+1 == len(data) || strings.IndexByte(" \t\r\n", data[i+1]) >= 0 ||
			inFlow && strings.IndexByte(",[]{}", data[i+1]) >= 0):
			*inPlain = false
			return i
		case ch == '#' && i > 0 && (data[i-1] == ' ' || data[i-1] == '\t'):
			*inPlain = false
			return i
		case inFlow && strings.IndexByte(",[]{}", ch) >= 0:
			*inPlain = false
			return i
		}
	}
	return i
}

// quotedEnd returns the index just past the quoted scalar that starts at
// data[i], and how many line breaks it spans. An unterminated one runs to
// the end; the parse reports it.
func quotedEnd(data []byte, i int) (end, lines int) {
	q := data[i]
	for j := i + 1; j < len(data); j++ {
		switch data[j] {
		case '\n':
			lines++
		case '\\':
			if q == '"' && j+1 < len(data) {
				if data[j+1] == '\n' {
					lines++
				}
				j++
			}
		case q:
			if q == '\'' && j+1 < len(data) && data[j+1] == '\'' {
				j++
				continue
			}
			return j + 1, lines
		}
	}
	return len(data), lines
}

// lineEnd returns the index of the line break that ends the line holding
// data[i], or len(data).
func lineEnd(data []byte, i int) int {
	if j := bytes.IndexByte(data[i:], '\n'); j >= 0 {
		return i + j
	}
	return len(data)
}

func hasPrefixAt(data []byte, i int, prefix string) bool {
	return bytes.HasPrefix(data[i:], []byte(prefix)) && (i+len(prefix) == len(data) || isBlank(data[i+len(prefix)]))
}

func anchorChar(b byte) bool {
	return b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b == '_' || b == '-'
}

// restBlank reports whether the line from data[i] on holds only blanks.
func restBlank(data []byte, i int) bool {
	for ; i < len(data) && data[i] != '\n'; i++ {
		if !isBlank(data[i]) {
			return false
		}
	}
	return true
}

func isBlank(b byte) bool { return b == ' ' || b == '\t' || b == '\r' || b == '\n' }

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
				c.errorf(n, "lists and key: value pairs nested too deeply (more than %d levels; a ladder file needs 5)", maxDepth)
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
