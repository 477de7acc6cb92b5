package prompts

import (
	"bytes"
	"strings"
)

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
				c.lineErrorf(line, "lists and key: value pairs nested too deeply (more than %d levels; a ladder file needs 6)", maxDepth)
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
