package main

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/ladderapp/ladder/internal/fakeslack"
)

// tryPerson is a member of bot try's simulated workspace.
type tryPerson struct {
	fakeslack.User
	// Role says who they are, for the banner and `who`.
	Role string
}

// tryPeople makes the simulated workspace: alice, at the keyboard at first, in
// this machine's timezone; bob, her manager; and carol, a peer. Each is in a
// timezone of their own, so that slots and digests show whose time they are in.
func tryPeople(aliceTZ string) []tryPerson {
	return []tryPerson{
		{fakeslack.User{ID: "UALICE", Name: "alice", RealName: "Alice Moreau", TZ: aliceTZ}, "an engineering manager aiming for Senior EM"},
		{fakeslack.User{ID: "UBOB", Name: "bob", RealName: "Bob Okafor", TZ: "America/New_York"}, "Alice's manager, a director"},
		{fakeslack.User{ID: "UCAROL", Name: "carol", RealName: "Carol Tan", TZ: "Asia/Singapore"}, "a peer of Alice's, another engineering manager"},
	}
}

// person finds someone by name, with or without the @, in any case.
func (s *trySession) person(name string) (tryPerson, bool) {
	name = strings.ToLower(strings.TrimPrefix(name, "@"))
	for _, p := range s.people {
		if p.Name == name {
			return p, true
		}
	}
	return tryPerson{}, false
}

// name is the name of a user id, for labels: "alice", or the id itself.
func (s *trySession) name(id string) string {
	if n := s.fake.UserName(id); n != "" {
		return n
	}
	return id
}

// peopleList is "@alice, @bob and @carol", for messages naming who is here.
func (s *trySession) peopleList() string {
	var names []string
	for _, p := range s.people {
		names = append(names, "@"+p.Name)
	}
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// mentionRE finds @name where Slack's composer would offer a mention: at the
// start, or after a space or an opening bracket or quote, but not inside an
// e-mail address or a <@U123> that is already a mention.
var mentionRE = regexp.MustCompile(`(^|[\s(\["'])@([A-Za-z0-9][A-Za-z0-9._-]*)`)

// mentions turns each @name of someone in the workspace into a mention, as
// Slack sends it: <@UBOB|bob> in a slash command (the manifest escapes
// users), <@UBOB> in a message. It returns the names it did not know.
func (s *trySession) mentions(text string, slash bool) (string, []string) {
	var unknown []string
	out := mentionRE.ReplaceAllStringFunc(text, func(m string) string {
		sub := mentionRE.FindStringSubmatch(m)
		lead, name := sub[1], sub[2]
		// A sentence may end right after the name: "thanks @bob."
		trail := ""
		for strings.HasSuffix(name, ".") || strings.HasSuffix(name, "-") {
			trail = name[len(name)-1:] + trail
			name = name[:len(name)-1]
		}
		p, ok := s.person(name)
		if !ok {
			unknown = append(unknown, "@"+name)
			return m
		}
		if slash {
			return lead + "<@" + p.ID + "|" + p.Name + ">" + trail
		}
		return lead + "<@" + p.ID + ">" + trail
	})
	return out, unknown
}

// who lists the people here, marking the one at the keyboard.
func (s *trySession) who() {
	var b strings.Builder
	me := s.current()
	for _, p := range s.people {
		mark := "  "
		if p.ID == me {
			mark = "→ "
		}
		fmt.Fprintf(&b, "%s@%-6s %s (%s), %s\n", mark, p.Name, p.RealName, p.TZ, p.Role)
	}
	b.WriteString("`as @name` switches to someone else.")
	s.out.block("people in this workspace", b.String())
}

// as switches the keyboard to someone else.
func (s *trySession) as(arg string) {
	p, ok := s.person(arg)
	if !ok {
		s.note("There is no %s here. Type `as` and one of %s, for example `as @bob`.", arg, s.peopleList())
		return
	}
	s.mu.Lock()
	s.user = p.ID
	s.mu.Unlock()
	msg := fmt.Sprintf("You are now @%s (%s, %s), %s.", p.Name, p.RealName, p.TZ, p.Role)
	if m := s.modal(p.ID); m != nil {
		msg += " Their dialog " + m.title + " is still open: `submit` or `cancel`."
	}
	s.note("%s", msg)
}
