package main

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"

	"github.com/ladderapp/ladder/internal/blocktext"
	"github.com/ladderapp/ladder/internal/fakeslack"
)

// trySession is one bot try conversation: who is at the keyboard, and what
// is on each person's screen that they can act on.
type trySession struct {
	fake   *fakeslack.Server
	out    *syncWriter
	render blocktext.Renderer
	people []tryPerson
	// queued counts the DMs the app's send queue has still to send; nil
	// before the app is up.
	queued func(ctx context.Context) int

	// mu guards what follows: the fake Slack reports messages and views from
	// its own goroutines while the main loop reads lines.
	mu   sync.Mutex
	user string // the person at the keyboard
	// homeFor is the user whose Home tab is printed when Ladder publishes it.
	// Ladder republishes the Home tab after every answer; printing each of
	// those would bury the conversation, so bot try prints it when asked,
	// with "home", and after a press on it.
	homeFor string
	next    int // the number of the next button printed
	buttons []tryButton
	modals  map[string][]*tryModal // by user: the dialogs open, the top last
}

const tryHelp = `What you can type here:
  /ladder <command>      a slash command, as the person at the keyboard (/ladder help lists them)
  any other line         a DM to Ladder, such as an answer to its last question
  press <n>              press button [n]: press 1
  press <label>          press the newest button with that label: press Answer
  press <n> <choice>     choose in menu [n]: press 7 Scaling
  set <n> <value>        fill input n of the open dialog: set 1 some text, set 2 deep,
                         set 3 @bob, set 4 9:30am (a choice by its text, or its number)
  submit                 send the open dialog, as its submit button does
  cancel                 close the open dialog without saving
  as @<name>             be someone else: as @bob, and as @alice to come back
                         (the manager in the loop: as alice, /ladder manager @bob; as bob,
                         press Accept, then /ladder 1on1 @alice, or Calibrate in /ladder digest)
  who                    the people in this workspace
  home                   the Home tab of the person at the keyboard
  say <text>             a DM that starts with one of these words: say press release is out
` + tryShortcutHelp + `
  help                   this list
@name, in a command or a DM, becomes a Slack mention of that person.`

// current is the user at the keyboard.
func (s *trySession) current() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.user
}

// showHome prints user's Home tab whenever Ladder publishes it, until
// called with "".
func (s *trySession) showHome(user string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.homeFor = user
}

// note prints something bot try itself says, as opposed to Ladder.
func (s *trySession) note(format string, args ...any) {
	s.out.block("bot try", fmt.Sprintf(format, args...))
}

// do acts on one line: a command of bot try's own, a slash command, or a DM.
func (s *trySession) do(ctx context.Context, line string) error {
	word, rest, _ := strings.Cut(line, " ")
	rest = strings.TrimSpace(rest)
	bare := rest == ""
	switch strings.ToLower(word) {
	case "help", "?":
		if bare {
			s.out.block("bot try", tryHelp)
			return nil
		}
	case "who", "people":
		if bare {
			s.who()
			return nil
		}
	case "home":
		if bare {
			return s.home(ctx)
		}
	case "submit":
		if bare {
			return s.submit(ctx)
		}
	case "cancel":
		if bare {
			return s.cancel(ctx)
		}
	case "press":
		return s.press(ctx, rest)
	case "set":
		// "set up the hiring loop" is a DM, unless a dialog is open.
		num, _, _ := strings.Cut(rest, " ")
		if _, err := strconv.Atoi(num); err == nil || s.modal(s.current()) != nil {
			s.set(rest)
			return nil
		}
	case "as":
		// "as @bob" or "as bob"; "as discussed, …" is a DM.
		if _, known := s.person(rest); known || (strings.HasPrefix(rest, "@") && !strings.Contains(rest, " ")) {
			s.as(rest)
			return nil
		}
	case "shortcut":
		return s.shortcut(ctx, rest) // try_shortcut.go
	case "say":
		if bare {
			s.note("Say what? `say <text>` sends the text to Ladder as a DM.")
			return nil
		}
		return s.dm(ctx, rest)
	}
	switch {
	case line == "/ladder" || strings.HasPrefix(line, "/ladder "):
		return s.slash(ctx, strings.TrimSpace(strings.TrimPrefix(line, "/ladder")))
	case strings.HasPrefix(line, "/"):
		s.note("Only /ladder commands work here; try /ladder help, or help for what else you can type. To write to Ladder, start with a word.")
		return nil
	}
	return s.dm(ctx, line)
}

// slash runs /ladder text as the person at the keyboard.
func (s *trySession) slash(ctx context.Context, text string) error {
	text, unknown := s.mentions(text, true)
	if len(unknown) > 0 {
		s.note("No one here is called %s. The people here are %s.", strings.Join(unknown, " or "), s.peopleList())
		return nil
	}
	before := s.fake.Snapshot()
	envID, err := s.fake.SendSlash(fakeslack.SlashCommand{UserID: s.current(), Text: text})
	if err != nil {
		return err
	}
	// A reply, or a modal the command opened (/ladder settings).
	replied := newMessage(before, "response", "ack", "ephemeral")
	return s.awaitReply(ctx, "/ladder "+text, envID, func(sn *fakeslack.Snapshot) bool {
		return replied(sn) || len(sn.Views) > len(before.Views)
	})
}

// dm sends text to Ladder in the DM of the person at the keyboard.
func (s *trySession) dm(ctx context.Context, text string) error {
	text, _ = s.mentions(text, false)
	user := s.current()
	before := s.fake.Snapshot()
	envID, err := s.fake.SendEvent("", s.fake.DMEvent(user, text, s.fake.NewTS()), 0)
	if err != nil {
		return err
	}
	return s.awaitReply(ctx, strconv.Quote(text), envID, newMessage(before, "post"))
}

// home opens the Home tab of the person at the keyboard.
func (s *trySession) home(ctx context.Context) error {
	user := s.current()
	s.showHome(user)
	defer s.showHome("")
	before := s.fake.Snapshot()
	envID, err := s.fake.SendEvent("", s.fake.AppHomeOpenedEvent(user), 0)
	if err != nil {
		return err
	}
	return s.awaitReply(ctx, "home", envID, func(sn *fakeslack.Snapshot) bool { return len(sn.Views) > len(before.Views) })
}

// awaitReply waits for the ack of envID and for the reply that always
// follows, then until Ladder is done.
func (s *trySession) awaitReply(ctx context.Context, what, envID string, replied func(*fakeslack.Snapshot) bool) error {
	wctx, cancel := context.WithTimeout(ctx, tryReplyTimeout)
	defer cancel()
	if _, err := s.fake.WaitAck(wctx, envID); err != nil {
		return fmt.Errorf("Ladder did not acknowledge %s: %w", what, err)
	}
	if err := s.fake.WaitFor(wctx, replied); err != nil {
		return fmt.Errorf("no reply to %s: %w", what, err)
	}
	return s.settle(ctx)
}

// await waits for the ack of envID and hands it to onAck, if any; then for
// Ladder to start on it, since not every press gets an answer, and until it
// is done.
func (s *trySession) await(ctx context.Context, what, envID string, before fakeslack.Snapshot, onAck func(fakeslack.Ack)) error {
	wctx, cancel := context.WithTimeout(ctx, tryReplyTimeout)
	defer cancel()
	ack, err := s.fake.WaitAck(wctx, envID)
	if err != nil {
		return fmt.Errorf("Ladder did not acknowledge %s: %w", what, err)
	}
	if onAck != nil {
		onAck(ack)
	}
	mctx, cancel := context.WithTimeout(ctx, tryMaybeReply)
	defer cancel()
	_ = s.fake.WaitFor(mctx, func(sn *fakeslack.Snapshot) bool {
		return len(sn.Calls) > len(before.Calls) || len(sn.Messages) > len(before.Messages) || len(sn.Views) > len(before.Views)
	})
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return s.settle(ctx)
}

// tryHTTPAddr is where bot try serves /healthz and /metrics, as bot serve
// does: LADDER_HTTP_ADDR, or a free port on the same host when that one is
// taken (by Ladder itself, when bot try runs in its container). A port 0
// becomes the port the system picks, so that it can be printed. serveWith
// listens on it again at once.
func tryHTTPAddr(addr string) (got, note string, err error) {
	if addr == "" {
		return "", "", nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		host, _, splitErr := net.SplitHostPort(addr)
		if splitErr != nil {
			return "", "", &exitError{2, fmt.Errorf("LADDER_HTTP_ADDR %s: %w", addr, err)}
		}
		var err2 error
		if ln, err2 = net.Listen("tcp", net.JoinHostPort(host, "0")); err2 != nil {
			return "", "", &exitError{2, fmt.Errorf("LADDER_HTTP_ADDR %s: %w", addr, err)}
		}
		note = " (" + addr + " is taken, perhaps by Ladder itself)"
	}
	got = ln.Addr().String()
	if err := ln.Close(); err != nil {
		return "", "", fmt.Errorf("LADDER_HTTP_ADDR %s: %w", addr, err)
	}
	return got, note, nil
}
