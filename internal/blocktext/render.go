// Package blocktext turns Block Kit, as Slack receives it, into the text a
// person would read in Slack: for `bot try`, which prints the conversation in a
// terminal, and for test failure messages.
//
// It reads Slack's JSON loosely, as plain Go values, so that no input, however
// odd, makes it fail or panic: what it does not understand it leaves out.
package blocktext

import (
	"encoding/json"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Renderer turns messages and views into terminal text.
type Renderer struct {
	// Name returns the display name of a user id, or "" if it is unknown. A nil
	// Name shows mentions as the bare id, such as @U123.
	Name func(userID string) string
	// Color marks bold, italics and context lines with ANSI escapes instead of
	// dropping the markers. Use it only when writing to a terminal.
	Color bool

	// nums, when set, numbers the controls as they are rendered and collects
	// them: see MessageControls and ViewControls.
	nums *numbering
}

// Message returns what a user reads in a message: its blocks (a JSON array of
// Block Kit blocks) as text, or its text when it has no blocks.
func Message(text string, blocks json.RawMessage) string { return Renderer{}.Message(text, blocks) }

// View returns what a user reads in a view (a JSON view object): its title, its
// blocks and, for a modal, its buttons.
func View(view json.RawMessage) string { return Renderer{}.View(view) }

// rule is what a divider block renders as.
var rule = strings.Repeat("─", 40)

const (
	ansiBold   = "\x1b[1m"
	ansiDim    = "\x1b[2m"
	ansiItalic = "\x1b[3m"
	ansiReset  = "\x1b[0m"
)

// Message renders a message's text and blocks, as the package's Message does.
func (r Renderer) Message(text string, blocks json.RawMessage) string {
	if out := r.blocks(decode(blocks)); out != "" {
		return out
	}
	return r.mrkdwn(text)
}

// View renders a view object, as the package's View does.
func (r Renderer) View(view json.RawMessage) string {
	obj, _ := decode(view).(map[string]any)
	var parts []string
	if title := str(obj["title"], "text"); title != "" {
		parts = append(parts, r.header(title))
	}
	if b := r.blocks(obj["blocks"]); b != "" {
		parts = append(parts, b)
	}
	var buttons []string
	for _, k := range []string{"close", "submit"} {
		if t := str(obj[k], "text"); t != "" {
			buttons = append(buttons, "[ "+t+" ]")
		}
	}
	if len(buttons) > 0 {
		parts = append(parts, strings.Join(buttons, "  "))
	}
	return strings.Join(parts, "\n")
}

// blocks renders a list of blocks, one or more lines each.
func (r Renderer) blocks(v any) string {
	list, _ := v.([]any)
	var lines []string
	for _, b := range list {
		if s := r.block(b); s != "" {
			lines = append(lines, s)
		}
	}
	return strings.Join(lines, "\n")
}

func (r Renderer) block(v any) string {
	b, _ := v.(map[string]any)
	if r.nums != nil {
		r.nums.block = str(b, "block_id")
	}
	switch str(b, "type") {
	case "header":
		return r.header(r.textObject(b["text"]))
	case "section":
		var parts []string
		if t := r.textObject(b["text"]); t != "" {
			parts = append(parts, t)
		}
		fields, _ := b["fields"].([]any)
		for _, f := range fields {
			if t := r.textObject(f); t != "" {
				parts = append(parts, t)
			}
		}
		if acc := r.element(b["accessory"]); acc != "" {
			parts = append(parts, acc)
		}
		return strings.Join(parts, "\n")
	case "context":
		var parts []string
		els, _ := b["elements"].([]any)
		for _, e := range els {
			if t := r.textObject(e); t != "" {
				parts = append(parts, t)
			} else if t := r.element(e); t != "" {
				parts = append(parts, t)
			}
		}
		return r.dim(strings.Join(parts, "  "))
	case "divider":
		return rule
	case "actions":
		var parts []string
		els, _ := b["elements"].([]any)
		for _, e := range els {
			if t := r.element(e); t != "" {
				parts = append(parts, t)
			}
		}
		return strings.Join(parts, "  ")
	case "input":
		if r.nums != nil {
			return r.input(b)
		}
		label := r.textObject(b["label"])
		if opt, _ := b["optional"].(bool); opt {
			label += " (optional)"
		}
		lines := []string{r.bold(label)}
		if el := r.element(b["element"]); el != "" {
			lines = append(lines, "  "+el)
		}
		if hint := r.textObject(b["hint"]); hint != "" {
			lines = append(lines, "  "+r.dim(hint))
		}
		return strings.Join(lines, "\n")
	case "image":
		return r.image(b)
	case "rich_text":
		return r.richElements(b["elements"])
	case "markdown":
		return r.mrkdwn(str(b, "text"))
	case "video":
		return "[video: " + r.textObject(b["title"]) + "]"
	case "file":
		return "[file]"
	}
	return ""
}

func (r Renderer) header(title string) string {
	if title == "" {
		return ""
	}
	return r.bold(title) + "\n" + strings.Repeat("═", max(4, utf8.RuneCountInString(title)))
}

// element renders an interactive element or an image: buttons as [ Label ].
func (r Renderer) element(v any) string {
	e, _ := v.(map[string]any)
	if r.nums != nil {
		if s, ok := r.numbered(e); ok {
			return s
		}
	}
	switch t := str(e, "type"); t {
	case "":
		return ""
	case "button":
		return "[ " + r.textObject(e["text"]) + " ]"
	case "image":
		return r.image(e)
	case "overflow":
		return "[ … ]"
	case "plain_text_input", "email_text_input", "url_text_input", "number_input", "rich_text_input":
		s := r.textObject(e["placeholder"])
		if v := str(e, "initial_value"); v != "" {
			s = v
		}
		return "[" + t + ": " + s + "]"
	case "checkboxes", "radio_buttons":
		var opts []string
		list, _ := e["options"].([]any)
		for _, o := range list {
			opts = append(opts, "( ) "+r.textObject(obj(o)["text"]))
		}
		return strings.Join(opts, "  ")
	default:
		// Selects, date and time pickers: show what is chosen, or what to choose.
		s := r.textObject(obj(e["initial_option"])["text"])
		if s == "" {
			s = r.textObject(e["placeholder"])
		}
		if s == "" {
			s = t
		}
		return "[ " + s + " ▾ ]"
	}
}

func (r Renderer) image(e map[string]any) string {
	if alt := str(e, "alt_text"); alt != "" {
		return "[image: " + alt + "]"
	}
	return "[image]"
}

// textObject renders a plain_text or mrkdwn text object, or "" for anything else.
func (r Renderer) textObject(v any) string {
	o, _ := v.(map[string]any)
	switch str(o, "type") {
	case "plain_text":
		return str(o, "text")
	case "mrkdwn":
		return r.mrkdwn(str(o, "text"))
	}
	return ""
}

// richElements renders the elements of a rich_text block or of one of its parts.
func (r Renderer) richElements(v any) string {
	list, _ := v.([]any)
	var lines []string
	for _, x := range list {
		e, _ := x.(map[string]any)
		switch str(e, "type") {
		case "rich_text_section":
			lines = append(lines, r.richInline(e["elements"]))
		case "rich_text_preformatted":
			lines = append(lines, strings.Trim(r.richInline(e["elements"]), "\n"))
		case "rich_text_quote":
			for _, l := range strings.Split(r.richInline(e["elements"]), "\n") {
				lines = append(lines, "> "+l)
			}
		case "rich_text_list":
			items, _ := e["elements"].([]any)
			for i, it := range items {
				bullet := "• "
				if str(e, "style") == "ordered" {
					bullet = strconv.Itoa(i+1) + ". "
				}
				lines = append(lines, bullet+r.richInline(obj(it)["elements"]))
			}
		}
	}
	return strings.Join(lines, "\n")
}

// richInline renders the inline elements of a rich text section.
func (r Renderer) richInline(v any) string {
	list, _ := v.([]any)
	var b strings.Builder
	for _, x := range list {
		e, _ := x.(map[string]any)
		switch str(e, "type") {
		case "text":
			b.WriteString(str(e, "text"))
		case "link":
			b.WriteString(r.link(str(e, "url"), str(e, "text")))
		case "user":
			b.WriteString("@" + r.userName(str(e, "user_id"), ""))
		case "channel":
			b.WriteString("#" + str(e, "channel_id"))
		case "usergroup":
			b.WriteString("@" + str(e, "usergroup_id"))
		case "broadcast":
			b.WriteString("@" + str(e, "range"))
		case "emoji":
			b.WriteString(":" + str(e, "name") + ":")
		}
	}
	return b.String()
}

// mrkdwn renders Slack's mrkdwn: code blocks verbatim, mentions and links
// decoded, bold and italic markers dropped (or shown as ANSI with Color).
func (r Renderer) mrkdwn(s string) string {
	parts := strings.Split(s, "```")
	// An odd fence count leaves the last fence unclosed: Slack shows it as is.
	if len(parts)%2 == 0 {
		last := len(parts) - 1
		parts[last-1] += "```" + parts[last]
		parts = parts[:last]
	}
	var b strings.Builder
	for i, p := range parts {
		if i%2 == 0 {
			b.WriteString(r.inline(p))
			continue
		}
		if b.Len() > 0 && !strings.HasSuffix(b.String(), "\n") {
			b.WriteString("\n")
		}
		p = strings.TrimPrefix(p, "\n")
		p = strings.TrimSuffix(p, "\n")
		b.WriteString(unescape(p))
		if i+1 < len(parts) && !strings.HasPrefix(parts[i+1], "\n") && parts[i+1] != "" {
			b.WriteString("\n")
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

// inline renders text outside code blocks, keeping `code` spans as they are.
func (r Renderer) inline(s string) string {
	var b strings.Builder
	for line := range strings.Lines(s) {
		body := strings.TrimSuffix(line, "\n")
		spans := strings.Split(body, "`")
		for i, sp := range spans {
			if i > 0 {
				b.WriteString("`")
			}
			// Text between an odd and an even backtick is code, unless the
			// backtick never closes.
			if i%2 == 1 && i < len(spans)-1 {
				b.WriteString(unescape(sp))
				continue
			}
			b.WriteString(r.entities(r.emphasis(sp)))
		}
		if len(body) < len(line) {
			b.WriteString("\n")
		}
	}
	return b.String()
}

// entities decodes <…> mentions and links, then the &lt; &gt; &amp; escapes.
func (r Renderer) entities(s string) string {
	var b strings.Builder
	for {
		open := strings.IndexByte(s, '<')
		if open < 0 {
			break
		}
		end := strings.IndexByte(s[open:], '>')
		if end < 0 {
			break
		}
		b.WriteString(unescape(s[:open]))
		b.WriteString(r.entity(s[open+1 : open+end]))
		s = s[open+end+1:]
	}
	b.WriteString(unescape(s))
	return b.String()
}

func (r Renderer) entity(e string) string {
	target, label, _ := strings.Cut(e, "|")
	label = unescape(label)
	switch {
	case strings.HasPrefix(target, "@"):
		return "@" + r.userName(target[1:], label)
	case strings.HasPrefix(target, "#"):
		if label != "" {
			return "#" + label
		}
		return target
	case strings.HasPrefix(target, "!"):
		cmd := target[1:]
		switch {
		case label != "":
			if strings.HasPrefix(cmd, "subteam^") && !strings.HasPrefix(label, "@") {
				return "@" + label
			}
			return label
		case strings.HasPrefix(cmd, "subteam^"):
			return "@" + strings.TrimPrefix(cmd, "subteam^")
		}
		return "@" + cmd
	}
	return r.link(unescape(target), label)
}

func (r Renderer) link(url, label string) string {
	if label == "" || label == url {
		return url
	}
	return label + " (" + url + ")"
}

// userName is what a mention of id shows: the directory's name, the mention's
// own label, or the id.
func (r Renderer) userName(id, label string) string {
	if r.Name != nil {
		if n := r.Name(id); n != "" {
			return n
		}
	}
	if label != "" {
		return strings.TrimPrefix(label, "@")
	}
	return id
}

func unescape(s string) string {
	if !strings.Contains(s, "&") {
		return s
	}
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(s)
}

// emphasis drops the markers of *bold* and _italic_ the way Slack reads them: a
// marker opens after a space or punctuation and before a non-space, and closes
// after a non-space and before a space, punctuation or the end. It leaves <…>
// mentions and links whole, for entities to decode.
func (r Renderer) emphasis(s string) string {
	var b strings.Builder
	// Whether a marker closes depends only on its neighbours, so once no closer
	// follows one opener, none follows a later one: remembering that keeps a
	// line full of lone asterisks linear.
	unclosed := map[byte]bool{}
	for i := 0; i < len(s); {
		c := s[i]
		if c == '<' {
			end := entityEnd(s, i)
			b.WriteString(s[i:end])
			i = end
			continue
		}
		if (c == '*' || c == '_') && !unclosed[c] && opens(s, i) {
			if j := closer(s, i); j > 0 {
				inner := r.emphasis(s[i+1 : j])
				if c == '*' {
					b.WriteString(r.bold(inner))
				} else {
					b.WriteString(r.italic(inner))
				}
				i = j + 1
				continue
			}
			unclosed[c] = true
		}
		b.WriteByte(c)
		i++
	}
	return b.String()
}

// entityEnd returns the index just past the <…> that starts at s[i], or i+1 if
// it never closes.
func entityEnd(s string, i int) int {
	if n := strings.IndexByte(s[i:], '>'); n > 0 {
		return i + n + 1
	}
	return i + 1
}

// opens reports whether the marker at s[i] can open emphasis.
func opens(s string, i int) bool {
	if i+1 >= len(s) {
		return false
	}
	next, _ := utf8.DecodeRuneInString(s[i+1:])
	if unicode.IsSpace(next) || next == rune(s[i]) {
		return false
	}
	if i == 0 {
		return true
	}
	prev, _ := utf8.DecodeLastRuneInString(s[:i])
	return !isWord(prev)
}

// closer returns the index of the marker that closes the one at s[open], or -1.
func closer(s string, open int) int {
	c := s[open]
	for j := open + 1; j < len(s); j++ {
		if s[j] == '<' {
			j = entityEnd(s, j) - 1
			continue
		}
		if s[j] != c {
			continue
		}
		prev, _ := utf8.DecodeLastRuneInString(s[:j])
		if unicode.IsSpace(prev) {
			continue
		}
		if j+1 < len(s) {
			next, _ := utf8.DecodeRuneInString(s[j+1:])
			if isWord(next) {
				continue
			}
		}
		return j
	}
	return -1
}

func isWord(c rune) bool { return c == '_' || unicode.IsLetter(c) || unicode.IsDigit(c) }

func (r Renderer) bold(s string) string   { return r.wrap(ansiBold, s) }
func (r Renderer) italic(s string) string { return r.wrap(ansiItalic, s) }
func (r Renderer) dim(s string) string    { return r.wrap(ansiDim, s) }

func (r Renderer) wrap(code, s string) string {
	if !r.Color || s == "" {
		return s
	}
	return code + s + ansiReset
}

// str returns v[key] if v is an object and that is a string.
func str(v any, key string) string {
	s, _ := obj(v)[key].(string)
	return s
}

func obj(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

// decode turns raw JSON into plain Go values, or nil.
func decode(raw json.RawMessage) any {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return nil
	}
	return v
}
