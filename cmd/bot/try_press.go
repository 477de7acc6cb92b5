package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ladderapp/ladder/internal/blocktext"
	"github.com/ladderapp/ladder/internal/fakeslack"
)

// press clicks a button bot try printed, found by its number or its label,
// or chooses in a menu: "press 4", "press Answer", "press 7 scaling".
func (s *trySession) press(ctx context.Context, arg string) error {
	if arg == "" {
		s.note("Press what? `press <number>` or `press <label>`, for example `press 1` or `press Answer`; for a menu, `press <number> <choice>`.")
		return nil
	}
	b, choice, ok := s.findButton(arg)
	if !ok {
		return nil
	}
	in := fakeslack.Interaction{User: b.user, Message: b.msg, ViewID: b.viewID, BlockID: b.BlockID, ActionID: b.ActionID}
	if b.Type != "button" {
		if choice == "" {
			s.note("[%d] is a menu: `press %d <choice>`, with %s.", b.N, b.N, accepted(b.Control))
			return nil
		}
		values, err := s.choose(b.Control, choice)
		if err != nil {
			s.note("%v", err)
			return nil
		}
		in.Values = values
	}
	if b.viewID != "" && !b.home {
		s.mu.Lock()
		m := s.findModalLocked(b.user, b.viewID)
		if m != nil {
			in.Inputs = m.entered
			if m.fromAck {
				in.View = m.view
			}
		}
		s.mu.Unlock()
		if m == nil {
			s.note("That button was in a dialog that is closed now.")
			return nil
		}
	}
	if b.URL != "" {
		s.note("[%d] opens %s in a browser.", b.N, b.URL)
	}

	before := s.fake.Snapshot()
	p, err := s.fake.ActionPayload(in)
	if err != nil {
		s.note("[%d] %s is no longer there: Ladder has changed %s since. Look for it in a newer message, or type `home`.", b.N, b.Label, b.where(s))
		return nil
	}
	if b.home {
		s.showHome(b.user)
		defer s.showHome("")
	}
	printed := s.out.printed()
	envID, err := s.fake.SendInteractive(p)
	if err != nil {
		return err
	}
	if err := s.await(ctx, "the press of "+b.Label, envID, before, nil); err != nil {
		return err
	}
	if s.out.printed() == printed {
		s.note("Ladder showed nothing in reply to [%d] %s.", b.N, b.Label)
	}
	return nil
}

// findButton finds the button arg names for the person at the keyboard, and
// what follows its number. It tells them why when there is none.
func (s *trySession) findButton(arg string) (tryButton, string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	me := s.user
	num, choice, _ := strings.Cut(arg, " ")
	if n, err := strconv.Atoi(num); err == nil {
		for _, b := range s.buttons {
			if b.N != n {
				continue
			}
			if b.user != me {
				s.note("[%d] is in %s: type `as @%s` first.", n, b.where(s), s.name(b.user))
				return tryButton{}, "", false
			}
			return b, strings.TrimSpace(choice), true
		}
		s.note("There is no button [%d]. %s", n, s.recentButtonsLocked(me))
		return tryButton{}, "", false
	}
	// By label: the newest button with that label, or starting with it.
	var other *tryButton
	for _, exact := range []bool{true, false} {
		for i := len(s.buttons) - 1; i >= 0; i-- {
			b := s.buttons[i]
			if b.Type != "button" || !labelMatches(b.Label, arg, exact) {
				continue
			}
			if b.user == me {
				return b, "", true
			}
			if other == nil {
				other = &b
			}
		}
	}
	if other != nil {
		s.note("The newest %q button is in %s: type `as @%s` first.", other.Label, other.where(s), s.name(other.user))
		return tryButton{}, "", false
	}
	s.note("No button called %q. %s", arg, s.recentButtonsLocked(me))
	return tryButton{}, "", false
}

// labelMatches compares a label with what was typed, ignoring case, exactly
// or as its start.
func labelMatches(label, typed string, exact bool) bool {
	label, typed = strings.ToLower(label), strings.ToLower(strings.TrimSpace(typed))
	if exact {
		return label == typed
	}
	return strings.HasPrefix(label, typed)
}

// recentButtonsLocked lists the newest buttons of user, for a message about
// a button that is not there.
func (s *trySession) recentButtonsLocked(user string) string {
	var list []string
	for i := len(s.buttons) - 1; i >= 0 && len(list) < 8; i-- {
		if b := s.buttons[i]; b.user == user {
			list = append([]string{fmt.Sprintf("[%d] %s", b.N, b.Label)}, list...)
		}
	}
	if len(list) == 0 {
		return "No message to " + s.name(user) + " has buttons yet: `/ladder prompt` sends one that has."
	}
	return "Newest buttons: " + strings.Join(list, "  ") + ". Press one with `press <number>` or `press <label>`."
}

// set fills an input of the dialog open for the person at the keyboard:
// "set 1 some text", "set 2 deep", "set 5 @bob", "set 4 9:30am".
func (s *trySession) set(arg string) {
	num, value, _ := strings.Cut(arg, " ")
	value = strings.TrimSpace(value)
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.topLocked(s.user)
	if m == nil {
		s.note("No dialog is open for %s. A button such as Answer opens one.", s.name(s.user))
		return
	}
	n, err := strconv.Atoi(num)
	if err != nil || n < 1 || n > len(m.inputs) {
		switch len(m.inputs) {
		case 0:
			s.note("The dialog %s has nothing to fill in.", m.title)
		case 1:
			s.note("The dialog %s has one input: `set 1 <value>`.", m.title)
		default:
			s.note("The dialog %s has inputs 1 to %d: `set <number> <value>`.", m.title, len(m.inputs))
		}
		return
	}
	c := m.inputs[n-1]
	values, err := s.choose(c, value)
	if err != nil {
		s.note("%v", err)
		return
	}
	if m.entered[c.BlockID] == nil {
		m.entered[c.BlockID] = map[string][]string{}
	}
	m.entered[c.BlockID][c.ActionID] = values
	s.note("%d. %s: %s", n, c.Label, s.shown(c, values))
}

// shown is what an input holds, as the dialog would show it.
func (s *trySession) shown(c blocktext.Control, values []string) string {
	if len(values) == 0 {
		return "(empty)"
	}
	var parts []string
	for _, v := range values {
		switch {
		case strings.Contains(c.Type, "users_select"):
			v = "@" + s.name(v)
		case len(c.Options) > 0:
			for _, o := range c.Options {
				if o.Value == v {
					v = o.Text
				}
			}
		default:
			v = strconv.Quote(v)
		}
		parts = append(parts, v)
	}
	return strings.Join(parts, ", ")
}

// submit sends the dialog open for the person at the keyboard, as its Submit
// button does, and shows the errors Ladder finds in it.
func (s *trySession) submit(ctx context.Context) error {
	s.mu.Lock()
	user := s.user
	m := s.topLocked(user)
	if m == nil {
		s.mu.Unlock()
		s.note("No dialog is open for %s, so there is nothing to submit.", s.name(user))
		return nil
	}
	// Slack's client does not send a form with a required input empty.
	for _, c := range m.inputs {
		values, ok := m.entered[c.BlockID][c.ActionID]
		if !ok {
			values = c.Initial
		}
		if !c.Optional && strings.TrimSpace(strings.Join(values, "")) == "" {
			s.mu.Unlock()
			s.note("%d. %s is required: Slack does not send the dialog until it is filled in. `set %d <value>`.", c.N, c.Label, c.N)
			return nil
		}
	}
	in := fakeslack.Interaction{User: user, ViewID: m.id, Inputs: m.entered}
	if m.fromAck {
		in.View = m.view
	}
	s.mu.Unlock()

	before := s.fake.Snapshot()
	p, err := s.fake.SubmissionPayload(in)
	if err != nil {
		return err
	}
	envID, err := s.fake.SendInteractive(p)
	if err != nil {
		return err
	}
	return s.await(ctx, "the dialog "+m.title, envID, before, func(ack fakeslack.Ack) { s.afterSubmit(user, m, ack) })
}

// afterSubmit does what Slack does with a submission's ack: closes the
// dialog, or shows the errors, or the view, the ack carries.
func (s *trySession) afterSubmit(user string, m *tryModal, ack fakeslack.Ack) {
	var resp struct {
		ResponseAction string            `json:"response_action"`
		Errors         map[string]string `json:"errors"`
		View           json.RawMessage   `json:"view"`
	}
	_ = json.Unmarshal(ack.Payload, &resp)
	s.mu.Lock()
	defer s.mu.Unlock()
	stack := s.modals[user]
	switch resp.ResponseAction {
	case "errors":
		var lines []string
		for _, c := range m.inputs {
			if e, ok := resp.Errors[c.BlockID]; ok {
				lines = append(lines, fmt.Sprintf("%d. %s: %s", c.N, c.Label, e))
			}
		}
		if len(lines) == 0 {
			for block, e := range resp.Errors {
				lines = append(lines, block+": "+e)
			}
		}
		s.out.block("Ladder → "+s.name(user)+": the dialog "+m.title+" is not saved", strings.Join(lines, "\n")+
			"\nCorrect it with `set`, then `submit` again; `cancel` closes it.")
	case "clear":
		s.modals[user] = nil
	case "update":
		s.setModalViewLocked(m, resp.View, true)
		s.out.block("Ladder → "+s.name(user)+": dialog updated", s.modalTextLocked(user, m))
	case "push":
		pushed := s.openModalLocked(user, "", resp.View, true, true)
		s.out.block("Ladder → "+s.name(user)+": dialog", s.modalTextLocked(user, pushed))
	default:
		if len(stack) > 0 && stack[len(stack)-1] == m {
			s.modals[user] = stack[:len(stack)-1]
		}
	}
}

// cancel closes the dialog open for the person at the keyboard, as its
// Cancel button does; Ladder hears of it if the dialog asked to.
func (s *trySession) cancel(ctx context.Context) error {
	s.mu.Lock()
	user := s.user
	m := s.topLocked(user)
	if m == nil {
		s.mu.Unlock()
		s.note("No dialog is open for %s.", s.name(user))
		return nil
	}
	stack := s.modals[user]
	s.modals[user] = stack[:len(stack)-1]
	in := fakeslack.Interaction{User: user, ViewID: m.id}
	if m.fromAck {
		in.View = m.view
	}
	s.mu.Unlock()
	s.note("Closed the dialog %s without saving.", m.title)
	if !m.notify {
		return nil
	}
	before := s.fake.Snapshot()
	p, err := s.fake.ClosedPayload(in)
	if err != nil {
		return err
	}
	envID, err := s.fake.SendInteractive(p)
	if err != nil {
		return err
	}
	return s.await(ctx, "closing "+m.title, envID, before, nil)
}

// choose reads what was typed for an input or menu as the values Slack
// sends for it, or says which forms it accepts.
func (s *trySession) choose(c blocktext.Control, typed string) ([]string, error) {
	typed = strings.TrimSpace(typed)
	if typed == "" {
		return []string{}, nil
	}
	multi := strings.HasPrefix(c.Type, "multi_") || c.Type == "checkboxes"
	var parts []string
	if multi {
		for _, p := range strings.Split(typed, ",") {
			if p = strings.TrimSpace(p); p != "" {
				parts = append(parts, p)
			}
		}
	} else {
		parts = []string{typed}
	}
	var out []string
	for _, p := range parts {
		v, err := s.chooseOne(c, p)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

func (s *trySession) chooseOne(c blocktext.Control, typed string) (string, error) {
	fail := func() (string, error) {
		return "", fmt.Errorf("%q does not fit %s: it takes %s", typed, c.Label, accepted(c))
	}
	switch {
	case strings.Contains(c.Type, "users_select"):
		p, ok := s.person(typed)
		if !ok {
			return "", fmt.Errorf("there is no %s here: %s takes one of %s", typed, c.Label, s.peopleList())
		}
		return p.ID, nil
	case c.Type == "timepicker":
		t, ok := parseClock(typed)
		if !ok {
			return fail()
		}
		return t, nil
	case c.Type == "datepicker":
		if _, err := time.Parse("2006-01-02", typed); err != nil {
			return fail()
		}
		return typed, nil
	case c.Type == "number_input":
		if _, err := strconv.ParseFloat(typed, 64); err != nil {
			return fail()
		}
		return typed, nil
	case len(c.Options) > 0:
		if o, ok := matchOption(c.Options, typed); ok {
			return o.Value, nil
		}
		return fail()
	case strings.HasSuffix(c.Type, "_select"):
		// An external select, or a channel picker: what Slack would send.
		return typed, nil
	}
	return typed, nil
}

// matchOption finds the option typed: by its text or value, then by the
// start of its text, then by its number in the list.
func matchOption(opts []blocktext.Option, typed string) (blocktext.Option, bool) {
	t := strings.ToLower(typed)
	for _, o := range opts {
		if strings.ToLower(o.Text) == t || strings.ToLower(o.Value) == t {
			return o, true
		}
	}
	var found []blocktext.Option
	for _, o := range opts {
		if strings.HasPrefix(strings.ToLower(o.Text), t) {
			found = append(found, o)
		}
	}
	if len(found) == 1 {
		return found[0], true
	}
	if n, err := strconv.Atoi(typed); err == nil && n >= 1 && n <= len(opts) {
		return opts[n-1], true
	}
	return blocktext.Option{}, false
}

// accepted names the forms an input or menu takes, for messages.
func accepted(c blocktext.Control) string {
	switch {
	case strings.Contains(c.Type, "users_select"):
		return "a person, such as @bob"
	case c.Type == "timepicker":
		return "a time, such as 09:30, 9:30am or 21:00"
	case c.Type == "datepicker":
		return "a date, YYYY-MM-DD"
	case c.Type == "number_input":
		return "a number"
	case len(c.Options) > 0:
		var texts []string
		for _, o := range c.Options {
			texts = append(texts, o.Text)
		}
		list := "one of: " + strings.Join(texts, " | ") + " (or its number in that list)"
		if strings.HasPrefix(c.Type, "multi_") || c.Type == "checkboxes" {
			list = "any of: " + strings.Join(texts, " | ") + ", separated by commas"
		}
		return list
	}
	return "text"
}

// parseClock reads a time of day as people type it, "9", "9:30", "09:30",
// "21:30", "9am", "9:30pm" or "9.30", as "HH:MM".
func parseClock(s string) (string, bool) {
	s = strings.ToLower(strings.ReplaceAll(s, " ", ""))
	pm, am := strings.HasSuffix(s, "pm"), strings.HasSuffix(s, "am")
	s = strings.TrimSuffix(strings.TrimSuffix(s, "pm"), "am")
	h, m, found := strings.Cut(strings.ReplaceAll(s, ".", ":"), ":")
	if !found {
		m = "00"
	}
	hour, err1 := strconv.Atoi(h)
	minute, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || len(m) != 2 || hour < 0 || hour > 23 || minute < 0 || minute > 59 {
		return "", false
	}
	if am || pm {
		if hour < 1 || hour > 12 {
			return "", false
		}
		hour %= 12
		if pm {
			hour += 12
		}
	}
	return fmt.Sprintf("%02d:%02d", hour, minute), true
}
