package slackapp

import (
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ladderapp/ladder/internal/ladder"
)

// This file lays out the promotion packet: Markdown, grouped by area and
// dated, in as many messages as it takes. A message ends only between pieces
// of evidence. A piece longer than a message goes on in the next at a
// paragraph break, else a line break; only a single line longer than a whole
// message is cut between words, and its next part quoted again, so that
// pasted back together it reads as one paragraph.
//
// Each message is rendered on its own, when the send queue sends it
// (export.go), so the layout must come out the same every time: it never
// depends on the names that mentions turn into, which come from users.info
// and could differ between one render and the next. Mentions stay marked
// (nameMark) until a message is rendered, and the layout counts each as
// nameBudget bytes, which no rendered name exceeds.

// nameBudget is the most bytes a name takes in the packet, once escaped. A
// longer name is cut.
const nameBudget = 64

// nameMark brackets a user id in a laid-out line until its name is filled in.
const nameMark = "\x00"

// markedName matches a marked user id.
var markedName = regexp.MustCompile(nameMark + `([^` + nameMark + `]*)` + nameMark)

// packetPiece is what a message boundary does not split unless it is longer
// than a message: the packet's head, or one piece of evidence with, for the
// first of an area, the area's heading.
type packetPiece struct {
	lines []string // Markdown, mentions marked
	area  string   // the area's heading; "" for the head
}

// packetPieces renders m's packet as of now, r their readiness then, and es
// their evidence, oldest first. who is the name on the packet.
func packetPieces(l *ladder.Ladder, m ladder.Member, who string, r ladder.Readiness, es []ladder.Evidence, now time.Time) []packetPiece {
	if who == "" {
		who = m.UserID
	}
	head := []string{
		"# Promotion packet: " + who,
		"",
		"- Current level: " + levelName(l, m.Level),
		fmt.Sprintf("- Target level: %s (%s track)", levelName(l, m.Target), trackName(l, m.Track)),
	}
	if !m.LevelSince.IsZero() {
		head = append(head, fmt.Sprintf("- At the current level since %s (%s)", m.LevelSince.Format("2006-01"), tenure(m.LevelSince, now)))
	}
	head = append(head,
		fmt.Sprintf("- Exported %s · %s of evidence", now.Format("2006-01-02"), ladder.Plural(len(es), "piece")),
		"",
		"## Readiness",
		"",
		fmt.Sprintf("| Area | Status | Weeks with evidence (last %d) |", r.Window),
		"|---|---|---|",
	)
	for _, a := range r.Areas {
		head = append(head, fmt.Sprintf("| %s | %s | %d |", a.Area.Name, a.Status, a.Weeks))
	}
	pieces := []packetPiece{{lines: head}}

	byArea := map[ladder.AreaID][]ladder.Evidence{}
	for _, e := range es {
		byArea[e.Area] = append(byArea[e.Area], e)
	}
	areas := append(append([]ladder.Area(nil), l.Areas...), ladder.Area{ID: "", Name: "Not yet filed under an area"})
	for _, a := range areas {
		for i, e := range byArea[a.ID] {
			var lines []string
			if i == 0 {
				lines = append(lines, "## "+a.Name, "")
			}
			title := "### " + e.Created.Format("2006-01-02")
			if p, ok := l.Prompt(e.PromptID); ok {
				title += " · " + p.Text
			}
			lines = append(lines, title, "")
			text := slackToMarkdown(strings.TrimSpace(e.Text), func(id, _ string) string { return nameMark + id + nameMark })
			for _, line := range strings.Split(text, "\n") {
				lines = append(lines, strings.TrimRight("> "+line, " "))
			}
			if !e.Edited.IsZero() {
				lines = append(lines, "", "_(edited "+e.Edited.Format("2006-01-02")+")_")
			}
			if e.Link != "" { // saved with the shortcut: the source, shown as itself
				lines = append(lines, "", "Source: <"+markdownLinkURL(e.Link)+">")
			}
			pieces = append(pieces, packetPiece{lines: lines, area: a.Name})
		}
	}
	return pieces
}

// measure is how many bytes line takes in a message, escaped, with each name
// taking nameBudget.
func measure(line string) int {
	n := 0
	for {
		i := strings.Index(line, nameMark)
		if i < 0 {
			return n + escapedLen(line)
		}
		j := strings.Index(line[i+1:], nameMark)
		if j < 0 {
			return n + escapedLen(line)
		}
		n += escapedLen(line[:i]) + nameBudget
		line = line[i+1+j+1:]
	}
}

// escapedLen is len(escapeText(s)), without building it: the layout measures
// every word of a packet several times.
func escapedLen(s string) int {
	n := len(s)
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '&':
			n += len("&amp;") - 1
		case '<', '>':
			n += len("&lt;") - 1
		}
	}
	return n
}

// layoutPacket lays pieces out in messages of at most limit bytes each,
// measured, and returns each message's lines. Pieces in one message are
// separated by a blank line.
func layoutPacket(pieces []packetPiece, limit int) [][]string {
	var (
		msgs [][]string
		cur  []string
		size int
	)
	flush := func() {
		// A message neither starts nor ends with a blank line.
		for len(cur) > 0 && (cur[0] == "" || cur[0] == ">") {
			cur = cur[1:]
		}
		for len(cur) > 0 && (cur[len(cur)-1] == "" || cur[len(cur)-1] == ">") {
			cur = cur[:len(cur)-1]
		}
		if len(cur) > 0 {
			msgs = append(msgs, cur)
		}
		cur, size = nil, 0
	}
	add := func(line string) {
		if len(cur) > 0 {
			size++ // the line break before it
		}
		cur = append(cur, line)
		size += measure(line)
	}
	for _, p := range pieces {
		need := linesSize(p.lines)
		if len(cur) > 0 {
			need += 2 // the blank line between pieces
		}
		if size+need <= limit {
			if len(cur) > 0 {
				add("")
			}
			for _, line := range p.lines {
				add(line)
			}
			continue
		}
		flush()
		if linesSize(p.lines) <= limit {
			for _, line := range p.lines {
				add(line)
			}
			continue
		}
		// Longer than a message: it goes on in the next at the last
		// paragraph break that leaves this one at least half full, else
		// at a line break.
		for _, line := range p.lines {
			// A line too long for what is left of this message starts
			// here, unless little is left.
			first := limit
			if len(cur) > 0 && limit-size-1 >= limit/4 {
				first = limit - size - 1
			}
			for _, seg := range splitLine(line, first, limit) {
				if len(cur) == 0 || size+1+measure(seg) <= limit {
					add(seg)
					continue
				}
				var carry []string
				if j := lastParagraphBreak(cur); j > 0 && linesSize(cur[:j]) >= limit/2 {
					carry = append(carry, cur[j+1:]...)
					cur = cur[:j]
				}
				flush()
				for _, c := range carry {
					add(c)
				}
				if len(cur) > 0 && size+1+measure(seg) > limit {
					flush()
				}
				add(seg)
			}
		}
	}
	flush()
	return msgs
}

// linesSize is the measured size of lines joined by line breaks.
func linesSize(lines []string) int {
	n := max(len(lines)-1, 0)
	for _, l := range lines {
		n += measure(l)
	}
	return n
}

// lastParagraphBreak is the index of the last blank line of an answer (">"
// or ""), or -1.
func lastParagraphBreak(lines []string) int {
	for j := len(lines) - 1; j >= 0; j-- {
		if lines[j] == "" || lines[j] == ">" {
			return j
		}
	}
	return -1
}

// splitLine cuts a line longer than limit between words, into lines each at
// most limit, the first at most first; the parts after the first are quoted
// again if the line was. A word longer than a line is cut between
// characters, never inside a name.
func splitLine(line string, first, limit int) []string {
	if measure(line) <= min(first, limit) {
		return []string{line}
	}
	prefix := ""
	if strings.HasPrefix(line, "> ") {
		prefix = "> "
	}
	room := func(out []string) int {
		if len(out) == 0 {
			return min(first, limit)
		}
		return limit
	}
	// The part being built is lead+line[start:end]. Sizes add up word by
	// word (a name never holds a blank), and parts are cut from line, not
	// built up, so a long line costs time in proportion to its length.
	var out []string
	lead, start, end, size := "", 0, 0, 0
	for pos := 0; ; {
		wend := len(line)
		if sp := strings.IndexByte(line[pos:], ' '); sp >= 0 {
			wend = pos + sp
		}
		n := measure(line[pos:wend])
		switch {
		case start == end:
			start, end, size = pos, wend, len(lead)+n
		case size+1+n <= room(out):
			end, size = wend, size+1+n
		default:
			out = append(out, lead+line[start:end])
			lead, start, end, size = prefix, pos, wend, len(prefix)+n
		}
		for size > room(out) { // a word longer than a line
			part := lead + line[start:end]
			cut := cutAt(part, room(out))
			if cut <= len(lead) {
				cut = len(part) // cannot happen while a name is shorter than a line
			}
			out = append(out, part[:cut])
			start += cut - len(lead)
			lead, size = prefix, len(prefix)+measure(line[start:end])
		}
		if wend == len(line) {
			break
		}
		pos = wend + 1
	}
	if start < end {
		out = append(out, lead+line[start:end])
	}
	return out
}

// cutAt is the longest prefix of s, in bytes, that measures at most limit,
// ending on a rune boundary and outside any marked name.
func cutAt(s string, limit int) int {
	size, best, inName := 0, 0, false
	for i, r := range s {
		if string(r) == nameMark {
			if inName {
				size += nameBudget
			}
			inName = !inName
		} else if !inName {
			size += len(escapeText(string(r)))
		}
		if size > limit {
			break
		}
		if !inName {
			best = i + utf8.RuneLen(r)
		}
	}
	return best
}

// capPacket lays out the packet in at most most messages. A longer packet
// keeps the pieces that fit before a last section saying what it leaves
// out; it reports whether it cut.
func capPacket(pieces []packetPiece, limit, most int) ([][]string, bool) {
	msgs := layoutPacket(pieces, limit)
	if len(msgs) <= most {
		return msgs, false
	}
	with := func(k int) [][]string {
		kept := append(append([]packetPiece(nil), pieces[:k]...), notInPacket(pieces, k, most))
		return layoutPacket(kept, limit)
	}
	// The most pieces that fit with the note: the head always does.
	lo, hi := 1, len(pieces)-1
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if len(with(mid)) <= most {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return with(lo), true
}

// notInPacket is the last section of a packet cut after k pieces of at most
// most messages: what it leaves out, and where to read it.
func notInPacket(pieces []packetPiece, k, most int) packetPiece {
	var left []string
	for i, p := range pieces[k:] {
		switch {
		case i == 0 && p.area == pieces[k-1].area:
			left = append(left, "the rest of "+p.area)
		case i == 0 || p.area != pieces[k+i-1].area:
			left = append(left, p.area)
		}
	}
	return packetPiece{lines: []string{
		"## Not in this packet",
		"",
		fmt.Sprintf("This packet is longer than one export carries (%d messages), so it stops here. Left out: %s, with %s of evidence.",
			most, strings.Join(left, "; "), ladder.Plural(len(pieces)-k, "more piece")),
		"Nothing is deleted: all of it stays in Ladder. `/ladder evidence <area>` shows your latest evidence in an area.",
	}}
}

// renderLines is one message of the packet: its lines escaped for Slack,
// with each marked name filled in by name, escaped and cut to nameBudget.
func renderLines(lines []string, name func(id string) string) string {
	t := escapeText(strings.Join(lines, "\n"))
	return markedName.ReplaceAllStringFunc(t, func(m string) string {
		n := escapeText(name(strings.Trim(m, nameMark)))
		if len(n) > nameBudget {
			n, _ = truncate(n, nameBudget-len("…"))
			n += "…"
		}
		return n
	})
}

// packetNames lists the user ids mentioned in lines.
func packetNames(lines []string) []string {
	seen := map[string]bool{}
	var ids []string
	for _, l := range lines {
		for _, m := range markedName.FindAllStringSubmatch(l, -1) {
			if !seen[m[1]] {
				seen[m[1]] = true
				ids = append(ids, m[1])
			}
		}
	}
	return ids
}
