package main

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/ladderapp/ladder/internal/blocktext"
	"github.com/ladderapp/ladder/internal/fakeslack"
)

// tryButton is a button, menu or picker bot try printed with a number.
type tryButton struct {
	blocktext.Control
	// user is the person whose screen it is on.
	user string
	// msg is the message holding it; viewID the view, when it is in one.
	msg    *fakeslack.Message
	viewID string
	home   bool
}

// where says where a button is, for messages about it.
func (b tryButton) where(s *trySession) string {
	switch {
	case b.home:
		return s.name(b.user) + "'s Home tab"
	case b.viewID != "":
		return s.name(b.user) + "'s dialog"
	}
	return s.name(b.user) + "'s DM"
}

// tryModal is a dialog open on someone's screen.
type tryModal struct {
	id    string
	title string
	// view is the view as shown; fromAck marks one an ack put there, which
	// the simulated Slack does not hold.
	view    json.RawMessage
	fromAck bool
	notify  bool // notify_on_close: Ladder hears of a cancel
	inputs  []blocktext.Control
	// entered is what was typed or chosen so far, by block id and action id.
	entered map[string]map[string][]string
}

// recipient is the user a message is for: the other side of a DM, or the
// user an ephemeral message is shown to. It is "" for a channel.
func recipient(m fakeslack.Message) string {
	if m.User != "" {
		return m.User
	}
	if id, ok := strings.CutPrefix(m.Channel, "D"); ok {
		return id
	}
	if strings.HasPrefix(m.Channel, "U") || strings.HasPrefix(m.Channel, "W") {
		return m.Channel
	}
	return ""
}

// onMessage prints what Ladder made someone see, naming who, with its
// buttons numbered.
func (s *trySession) onMessage(m fakeslack.Message) {
	to := recipient(m)
	who := s.name(to)
	dm := "Ladder → " + who + " (DM)"
	if to == "" {
		dm = "Ladder → #" + m.Channel
	}
	var label string
	switch m.Kind {
	case "post":
		label = dm
		if m.ThreadTS != "" {
			label = strings.TrimSuffix(dm, ")") + ", in the thread)"
		}
	case "ephemeral", "response", "ack":
		if m.DeleteOriginal {
			s.out.block("Ladder removed its reply to "+who, "")
			return
		}
		label = "only visible to " + who
		if m.ReplaceOriginal {
			label += ", replacing the last reply"
		}
	case "update":
		label = dm + ": Ladder edited its message"
	case "delete":
		s.out.block(dm+": Ladder deleted a message", "")
		return
	case "reaction":
		s.out.block(dm+": Ladder reacted with :"+m.Text+":", "")
		return
	case "file":
		s.printFile(dm, m)
		return
	default:
		label = dm + " (" + m.Kind + ")"
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	text, controls := s.render.MessageControls(m.Text, m.Blocks, s.next)
	msg := m
	for _, c := range controls {
		s.buttons = append(s.buttons, tryButton{Control: c, user: to, msg: &msg})
		s.next = c.N + 1
	}
	if len(controls) > 0 && to != s.user && to != "" {
		text += "\n(These are " + who + "'s: `as @" + who + "` to press them.)"
	}
	s.out.block(label, text)
}

// onView prints a dialog Ladder opened, or the Home tab while someone asked
// to see it.
func (s *trySession) onView(v fakeslack.View) {
	who := s.name(v.UserID)
	s.mu.Lock()
	defer s.mu.Unlock()
	switch v.Kind {
	case "publish":
		if s.homeFor != v.UserID {
			return
		}
		text, _ := s.numberView(v.UserID, v.ID, v.View, true)
		s.out.block(who+"'s Home tab", text)
	case "open", "push":
		m := s.openModalLocked(v.UserID, v.ID, v.View, false, v.Kind == "push")
		s.out.block("Ladder → "+who+": dialog", s.modalTextLocked(v.UserID, m))
	case "update":
		if m := s.findModalLocked(v.UserID, v.ID); m != nil {
			s.setModalViewLocked(m, v.View, false)
			s.out.block("Ladder → "+who+": dialog updated", s.modalTextLocked(v.UserID, m))
		}
	}
}

// numberView renders a view with its buttons and inputs numbered, records
// its buttons, and returns its controls.
func (s *trySession) numberView(user, id string, view json.RawMessage, home bool) (string, []blocktext.Control) {
	text, controls := s.render.ViewControls(view, s.next)
	for _, c := range controls {
		if c.Input {
			continue
		}
		s.buttons = append(s.buttons, tryButton{Control: c, user: user, viewID: id, home: home})
		s.next = c.N + 1
	}
	return text, controls
}

// openModalLocked puts a dialog on user's screen: on top of theirs if pushed,
// else in place of any.
func (s *trySession) openModalLocked(user, id string, view json.RawMessage, fromAck, push bool) *tryModal {
	m := &tryModal{id: id}
	s.setModalViewLocked(m, view, fromAck)
	if push {
		s.modals[user] = append(s.modals[user], m)
	} else {
		s.modals[user] = []*tryModal{m}
	}
	return m
}

// setModalViewLocked shows view in m, keeping what was entered in inputs
// the new view still has.
func (s *trySession) setModalViewLocked(m *tryModal, view json.RawMessage, fromAck bool) {
	var head struct {
		Title         struct{ Text string } `json:"title"`
		NotifyOnClose bool                  `json:"notify_on_close"`
	}
	_ = json.Unmarshal(view, &head)
	m.view, m.fromAck, m.title, m.notify = view, fromAck, head.Title.Text, head.NotifyOnClose
	if m.entered == nil {
		m.entered = map[string]map[string][]string{}
	}
}

// modalTextLocked renders a dialog with its inputs and buttons numbered, and
// says how to fill it in.
func (s *trySession) modalTextLocked(user string, m *tryModal) string {
	text, controls := s.numberView(user, m.id, m.view, false)
	m.inputs = m.inputs[:0]
	for _, c := range controls {
		if c.Input {
			m.inputs = append(m.inputs, c)
		}
	}
	var hint string
	switch {
	case len(m.inputs) == 0:
		hint = "`cancel` closes it."
	case len(m.inputs) == 1:
		hint = "Fill it in with `set 1 …`, then `submit`; `cancel` closes it."
	default:
		hint = "Fill it in with `set <number> …` (for example `set 1 …`), then `submit`; `cancel` closes it."
	}
	if user != s.user {
		hint = "It is " + s.name(user) + "'s: `as @" + s.name(user) + "` to fill it in."
	}
	return text + "\n" + hint
}

// modal is the dialog on top of user's screen, or nil.
func (s *trySession) modal(user string) *tryModal {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.topLocked(user)
}

func (s *trySession) topLocked(user string) *tryModal {
	if st := s.modals[user]; len(st) > 0 {
		return st[len(st)-1]
	}
	return nil
}

func (s *trySession) findModalLocked(user, id string) *tryModal {
	for _, m := range s.modals[user] {
		if m.id == id {
			return m
		}
	}
	return nil
}

// printFile prints a file Ladder shared (files.completeUploadExternal): the
// message it came with, then each file's name, title and contents, which
// Slack would show as an attachment to open.
func (s *trySession) printFile(dm string, m fakeslack.Message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var b strings.Builder
	if m.Text != "" {
		text, _ := s.render.MessageControls(m.Text, nil, s.next)
		b.WriteString(text + "\n")
	}
	for _, f := range m.Files {
		fmt.Fprintf(&b, "\n📎 %s (%q, %d bytes)\n%s\n%s\n%s", f.Name, f.Title, len(f.Content),
			strings.Repeat("─", 40), strings.TrimRight(string(f.Content), "\n"), strings.Repeat("─", 40))
	}
	s.out.block(dm+": a file", b.String())
}
