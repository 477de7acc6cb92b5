package slackapp

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ladderapp/ladder/internal/ladder"
)

// This file turns domain values into the sentences users read. It has no Slack
// types in it, so the same words serve messages, the Home tab and the digest.

// ago says how long before now t was, the way people say it.
func ago(now, t time.Time) string {
	d := now.Sub(t)
	days := int(d.Hours() / 24)
	switch {
	case d < time.Hour:
		return "just now"
	case days < 1:
		return "today"
	case days == 1:
		return "yesterday"
	case days < 14:
		return fmt.Sprintf("%d days ago", days)
	case days < 7*9:
		return ladder.Plural(days/7, "week") + " ago"
	}
	return ladder.Plural(days/30, "month") + " ago"
}

// tenure says how long from since to now, as "2y 8m".
func tenure(since, now time.Time) string {
	months := (now.Year()-since.Year())*12 + int(now.Month()) - int(since.Month())
	if months < 0 {
		months = 0
	}
	if months < 12 {
		return fmt.Sprintf("%dm", months)
	}
	return fmt.Sprintf("%dy %dm", months/12, months%12)
}

func levelName(l *ladder.Ladder, id ladder.LevelID) string {
	if lv, ok := l.Level(id); ok && lv.Short != "" {
		return lv.Short
	}
	return string(id)
}

func areaName(l *ladder.Ladder, id ladder.AreaID) string {
	if a, ok := l.Area(id); ok {
		return a.Name
	}
	if id == "" {
		return "no area yet"
	}
	return string(id)
}

func trackName(l *ladder.Ladder, id string) string {
	if t, ok := l.Track(id); ok {
		return t.ID
	}
	return id
}

// A member's words are stored as the member wrote them: the Answer modal's
// plain_text_input hands them back as typed, and the text of a DM, which Slack
// sends with &, < and > escaped, is unescaped once when it is stored
// (unescapeSlack). They are escaped again, with escapeText, wherever Slack
// shows them, so that "<!channel>" or "<https://evil.example|Q3 review doc>"
// reads as those characters, never as a ping or a disguised link. Markup a
// member made in the composer (a mention, a pasted link) arrives as <…> and
// is shown as its characters too. Rows stored before this rule hold a DM's
// text still escaped, and show "&amp;" where the member wrote "&": harmless,
// so they are left as they are.

// textEscaper escapes the three characters Slack reads as markup in text.
var textEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// escapeText makes a member's words safe to show in a message's text or in
// mrkdwn: Slack shows the characters, and reads no mention or link into them.
// It is the one function that does so; every path that shows member text
// calls it, last, on text already cut to length.
func escapeText(s string) string { return textEscaper.Replace(s) }

// slackUnescaper undoes Slack's escaping of a message event's text.
var slackUnescaper = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&")

// unescapeSlack turns the text of a message event into the characters the
// member typed: Slack escapes &, < and > in it, and only those. It is applied
// once, when the text is stored; "&amp;lt;" becomes "&lt;", as typed.
func unescapeSlack(s string) string { return slackUnescaper.Replace(s) }

// excerpt shortens evidence text for lists and digests. It works on the text
// as the member wrote it, before escapeText, so a cut never leaves half an
// entity ("&am…") behind.
func excerpt(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n])) + "…"
}

// evidenceLines renders evidence newest first, one line each.
func evidenceLines(l *ladder.Ladder, es []ladder.Evidence, width int) string {
	var b strings.Builder
	for _, e := range es {
		fmt.Fprintf(&b, "• *%s* · %s · %s\n", e.Created.Format("2006-01-02"), areaName(l, e.Area), escapeText(excerpt(e.Text, width)))
	}
	return strings.TrimRight(b.String(), "\n")
}

// chunks splits s into pieces of at most n bytes, at line breaks where it can,
// never inside a UTF-8 sequence or an entity such as "&amp;".
func chunks(s string, n int) []string {
	var out []string
	for len(s) > n {
		cut := strings.LastIndex(s[:n], "\n")
		if cut <= 0 {
			cut = entityStart(s, runeStart(s, n))
			if cut == 0 {
				cut = runeStart(s, n)
			}
		}
		out = append(out, s[:cut])
		s = strings.TrimPrefix(s[cut:], "\n")
	}
	if s != "" {
		out = append(out, s)
	}
	return out
}

// truncate cuts s to at most n bytes on a rune boundary, and not inside an
// entity, reporting whether it cut.
func truncate(s string, n int) (string, bool) {
	if len(s) <= n {
		return s, false
	}
	return s[:entityStart(s, runeStart(s, n))], true
}

// runeStart is the last rune boundary at or before n in s; n < len(s).
func runeStart(s string, n int) int {
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return n
}

// longestEntity is the length of the longest entity escapeText writes.
const longestEntity = len("&amp;")

// entityStart moves a cut at n back to the start of an entity it would split
// ("…&am" | "p;…"), if any; otherwise it returns n.
func entityStart(s string, n int) int {
	for i := n - 1; i >= 0 && i > n-longestEntity; i-- {
		switch s[i] {
		case ';':
			return n
		case '&':
			if e := strings.IndexByte(s[i:], ';'); e > 0 && i+e+1 > n && i+e+1 <= i+longestEntity {
				return i
			}
			return n
		}
	}
	return n
}
