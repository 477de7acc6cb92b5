package blocktext

import (
	"encoding/json"
	"strconv"
	"strings"
)

// Control is an element of a message or view that a person acts on: a
// button, a menu or picker, or an input of a form. It carries what a client
// needs to tell Slack what was done with it.
type Control struct {
	// N is the control's number as printed. Buttons, menus and pickers are
	// numbered in one series ("[4] Answer"); the inputs of a form in another,
	// from 1 in each view ("1. Your answer").
	N int
	// Input reports whether the element is in an input block: part of a form,
	// whose value travels with the view's submission.
	Input bool
	// Type is the element's type, such as "button", "static_select",
	// "plain_text_input" or "timepicker".
	Type     string
	BlockID  string
	ActionID string
	// Label is a button's text, an input's label, or a menu's placeholder.
	Label string
	// Value is a button's value; URL a link button's address.
	Value, URL string
	// Options are the choices of a menu, radio buttons or checkboxes, in
	// order, option groups flattened.
	Options []Option
	// Initial is what the element holds before anyone touches it: a text,
	// option values, user ids, a date or a time.
	Initial   []string
	Optional  bool
	Multiline bool
}

// Option is one choice of a menu, radio buttons or checkboxes.
type Option struct{ Text, Value string }

// numbering is the state of one numbered rendering.
type numbering struct {
	next     int // the next button or menu number
	inputs   int // inputs numbered so far
	block    string
	controls []Control
}

// MessageControls renders a message as Message does, but numbers each button,
// menu and picker "[n] Label", counting from first, and returns them in the
// order printed, so that a reader can act on one by its number.
func (r Renderer) MessageControls(text string, blocks json.RawMessage, first int) (string, []Control) {
	r.nums = &numbering{next: first}
	return r.Message(text, blocks), r.nums.controls
}

// ViewControls renders a view as View does, numbering its buttons, menus and
// pickers from first as MessageControls does, and its form's inputs "n. Label"
// from 1, with the choices each offers. It returns them all in the order
// printed.
func (r Renderer) ViewControls(view json.RawMessage, first int) (string, []Control) {
	r.nums = &numbering{next: first}
	return r.View(view), r.nums.controls
}

// numbered renders an interactive element outside an input block with its
// number, and records it. It reports false for what is not interactive.
func (r Renderer) numbered(e map[string]any) (string, bool) {
	t := str(e, "type")
	var shown string
	switch {
	case t == "button":
		shown = r.textObject(e["text"])
	case t == "overflow":
		shown = "… " + r.choices(e)
	case t == "radio_buttons" || t == "checkboxes":
		shown = r.ticks(e)
	case isMenu(t):
		shown = strings.TrimSpace(r.menu(e) + "  " + r.choices(e))
	default:
		return "", false
	}
	c := r.control(e)
	c.N = r.nums.next
	r.nums.next++
	r.nums.controls = append(r.nums.controls, c)
	return "[" + strconv.Itoa(c.N) + "] " + shown, true
}

// input renders an input block of a form as "n. Label", the element below it,
// and the hint, and records the element.
func (r Renderer) input(b map[string]any) string {
	el := obj(b["element"])
	c := r.control(el)
	c.Input = true
	c.Label = r.textObject(b["label"])
	c.Optional, _ = b["optional"].(bool)
	r.nums.inputs++
	c.N = r.nums.inputs
	r.nums.controls = append(r.nums.controls, c)

	head := strconv.Itoa(c.N) + ". " + c.Label
	if c.Optional {
		head += " (optional)"
	}
	lines := []string{r.bold(head)}
	switch t := c.Type; {
	case t == "radio_buttons" || t == "checkboxes":
		lines = append(lines, "   "+r.ticks(el))
	case isMenu(t):
		lines = append(lines, strings.TrimRight("   "+r.menu(el)+"  "+r.choices(el), " "))
	default:
		s := str(el, "initial_value")
		if s == "" {
			s = r.textObject(el["placeholder"])
		}
		field := "[ " + s + " ]"
		if s == "" {
			field = "[ ]"
		}
		if c.Multiline {
			field += " (several lines)"
		}
		lines = append(lines, "   "+field)
	}
	if hint := r.textObject(b["hint"]); hint != "" {
		lines = append(lines, "   "+r.dim(hint))
	}
	return strings.Join(lines, "\n")
}

// control describes element e of the block being rendered.
func (r Renderer) control(e map[string]any) Control {
	c := Control{
		Type:     str(e, "type"),
		BlockID:  r.nums.block,
		ActionID: str(e, "action_id"),
		Value:    str(e, "value"),
		URL:      str(e, "url"),
		Options:  r.options(e),
		Initial:  initial(e),
	}
	c.Multiline, _ = e["multiline"].(bool)
	if c.Type == "button" {
		c.Label = r.textObject(e["text"])
	} else {
		c.Label = r.textObject(e["placeholder"])
	}
	return c
}

// options lists the choices of e, option groups flattened.
func (r Renderer) options(e map[string]any) []Option {
	var out []Option
	add := func(list any) {
		l, _ := list.([]any)
		for _, o := range l {
			out = append(out, Option{Text: r.textObject(obj(o)["text"]), Value: str(o, "value")})
		}
	}
	add(e["options"])
	groups, _ := e["option_groups"].([]any)
	for _, g := range groups {
		add(obj(g)["options"])
	}
	return out
}

// initial is what e holds before anyone touches it.
func initial(e map[string]any) []string {
	for _, k := range []string{"initial_value", "initial_user", "initial_conversation", "initial_channel", "initial_date", "initial_time"} {
		if s := str(e, k); s != "" {
			return []string{s}
		}
	}
	if n, ok := e["initial_date_time"].(float64); ok {
		return []string{strconv.FormatInt(int64(n), 10)}
	}
	if o := obj(e["initial_option"]); o != nil {
		return []string{str(o, "value")}
	}
	var out []string
	for _, k := range []string{"initial_options", "initial_users", "initial_conversations", "initial_channels"} {
		l, _ := e[k].([]any)
		for _, x := range l {
			if s, ok := x.(string); ok {
				out = append(out, s)
			} else if v := str(x, "value"); v != "" {
				out = append(out, v)
			}
		}
	}
	return out
}

// isMenu reports whether an element of type t is a select menu or a picker,
// shown as "[ choice ▾ ]".
func isMenu(t string) bool {
	return strings.HasSuffix(t, "_select") || strings.HasSuffix(t, "picker")
}

// menu renders a select or picker as what it holds, or what to pick.
func (r Renderer) menu(e map[string]any) string {
	var chosen []string
	init := initial(e)
	opts := r.options(e)
	for _, v := range init {
		s := v
		switch {
		case strings.Contains(str(e, "type"), "users_select"):
			s = "@" + r.userName(v, "")
		default:
			for _, o := range opts {
				if o.Value == v {
					s = o.Text
				}
			}
		}
		chosen = append(chosen, s)
	}
	s := strings.Join(chosen, ", ")
	if s == "" {
		s = r.textObject(e["placeholder"])
	}
	if s == "" {
		s = str(e, "type")
	}
	return "[ " + s + " ▾ ]"
}

// choices lists what a menu offers, as "one of: A | B", or "" for a menu
// whose choices come from Slack (people, channels) or from the app.
func (r Renderer) choices(e map[string]any) string {
	opts := r.options(e)
	if len(opts) == 0 {
		return ""
	}
	texts := make([]string, len(opts))
	for i, o := range opts {
		texts[i] = o.Text
	}
	return "one of: " + strings.Join(texts, " | ")
}

// ticks renders radio buttons as "(•) A  ( ) B" and checkboxes as
// "[x] A  [ ] B", marking what is chosen at first.
func (r Renderer) ticks(e map[string]any) string {
	on, off := "(•) ", "( ) "
	if str(e, "type") == "checkboxes" {
		on, off = "[x] ", "[ ] "
	}
	chosen := map[string]bool{}
	for _, v := range initial(e) {
		chosen[v] = true
	}
	var parts []string
	for _, o := range r.options(e) {
		mark := off
		if chosen[o.Value] {
			mark = on
		}
		parts = append(parts, mark+o.Text)
	}
	return strings.Join(parts, "  ")
}
