package main

import (
	"context"
	"strings"

	"github.com/ladderapp/ladder/internal/fakeslack"
)

// tryChannel is the channel of bot try's workspace where colleagues post
// the messages `shortcut <text>` saves.
const tryChannel = "CGENERAL"

// tryShortcutHelp is the help line of `shortcut`.
const tryShortcutHelp = `  shortcut [text]        Save to Ladder on a message: with text, a colleague posts it in #general
                         first (shortcut Thanks @alice for the launch!); without, the newest message
                         someone wrote that you can see`

// shortcut chooses the Save to Ladder message shortcut, as the person at
// the keyboard, on a message: text that a colleague posts in #general
// first, or else the newest message a person wrote that they can see.
func (s *trySession) shortcut(ctx context.Context, text string) error {
	user := s.current()
	channel, ts, ok := "", "", false
	if text != "" {
		author := s.colleague(user)
		// As Slack writes a message: &, < and > escaped, then mentions as markup.
		escaped := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(text)
		escaped, _ = s.mentions(escaped, false)
		channel, ts, ok = tryChannel, s.fake.ChannelMessage(author, tryChannel, escaped, ""), true
		s.out.block(s.name(author)+" in #general", s.render.Message(escaped, nil))
	} else {
		channel, ts, ok = s.fake.LatestUserMessage(user)
	}
	if !ok {
		s.note("No message to save yet. `shortcut <text>` has a colleague post one in #general first.")
		return nil
	}
	payload, err := s.fake.MessageShortcut(user, "save_to_ladder", channel, ts)
	if err != nil {
		return err
	}
	before := s.fake.Snapshot()
	envID, err := s.fake.SendInteractive(payload)
	if err != nil {
		return err
	}
	return s.awaitReply(ctx, "Save to Ladder", envID, func(sn *fakeslack.Snapshot) bool {
		return len(sn.Views) > len(before.Views) || len(sn.Messages) > len(before.Messages)
	})
}

// colleague is who posts the message a `shortcut <text>` saves: carol, a
// peer, unless she is at the keyboard, then bob.
func (s *trySession) colleague(user string) string {
	for _, name := range []string{"carol", "bob", "alice"} {
		if p, ok := s.person(name); ok && p.ID != user {
			return p.ID
		}
	}
	return user
}
