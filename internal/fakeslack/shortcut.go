package fakeslack

import (
	"fmt"
	"strings"
)

// A message shortcut is an entry of a message's context menu ("More actions"),
// which the app declares in its manifest with type "message" and a
// callback_id. Choosing it sends the app a message_action payload: the
// shortcut's callback_id, a trigger_id that opens a modal within 3 seconds
// (once), a response_url, the whole message it was chosen on, the channel the
// message is in, and the user who chose it
// (https://api.slack.com/reference/interaction-payloads/shortcuts; the fields
// Slack leaves undocumented, message_ts and action_ts, as Bolt's
// MessageShortcut type has them). Unlike a view submission, its ack carries
// no payload.

// ChannelMessage records user posting text in channel, in the thread of
// threadTS if it is not empty, and returns the message's ts. The app hears
// nothing of it: it subscribes to its DMs only. The message is there for
// MessageShortcut and chat.getPermalink. text is as Slack writes it, with &, <
// and > escaped and mentions as <@U…>. A user id as channel means the user's
// DM with the bot.
func (s *Server) ChannelMessage(user, channel, text, threadTS string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	ts := s.newTSLocked()
	s.web.said[msgKey{resolveChannel(channel), ts}] = &said{user: user, text: text, threadTS: threadTS}
	return ts
}

// MessageShortcut is the message_action payload of user choosing the message
// shortcut callbackID on the message ts in channel (a user id means the
// user's DM with the bot): one a user posted (ChannelMessage, DMEvent and the
// other event builders) or one the bot posted. Its trigger_id works with
// views.open. It fails if the server knows no such message, as a deleted
// message has no context menu.
func (s *Server) MessageShortcut(user, callbackID, channel, ts string) (map[string]any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := resolveChannel(channel)
	key := msgKey{ch, ts}
	var msg map[string]any
	switch m, p := s.web.said[key], s.web.posted[key]; {
	case m != nil:
		msg = s.userMessageObjectLocked(m, ts)
	case p != nil:
		msg = s.botMessage(p.text, p.blocks, ts, p.threadTS)
	default:
		return nil, fmt.Errorf("fakeslack: no message %s in %s", ts, ch)
	}
	if callbackID == "" {
		return nil, fmt.Errorf("fakeslack: a shortcut needs its callback_id")
	}
	return map[string]any{
		"type": "message_action", "callback_id": callbackID, "trigger_id": s.newTriggerLocked(user),
		"message_ts": ts, "action_ts": s.newTSLocked(), "response_url": s.newResponseURLLocked(user, ch),
		"message": msg, "channel": map[string]any{"id": ch, "name": channelName(ch)},
		"user":  map[string]any{"id": user, "name": s.userLocked(user).Name, "team_id": s.TeamID},
		"team":  map[string]any{"id": s.TeamID, "domain": "fake"},
		"token": verificationToken, "is_enterprise_install": false, "enterprise": nil,
	}, nil
}

// userMessageObjectLocked is a user's message as a message_action payload
// carries it: its text, user and ts, and the rich_text block the composer
// makes of the text.
func (s *Server) userMessageObjectLocked(m *said, ts string) map[string]any {
	msg := map[string]any{
		"type": "message", "user": m.user, "text": m.text, "ts": ts, "team": s.TeamID,
		"client_msg_id": s.clientMsgIDLocked(),
		"blocks": []any{map[string]any{
			"type": "rich_text", "block_id": "fake",
			"elements": []any{map[string]any{
				"type":     "rich_text_section",
				"elements": []any{map[string]any{"type": "text", "text": m.text}},
			}},
		}},
	}
	if m.threadTS != "" {
		msg["thread_ts"] = m.threadTS
	}
	return msg
}

// LatestUserMessage is the newest message a person (not a bot) posted that
// viewer can see: in a channel, or in viewer's own DM with the bot. ok is
// false if there is none.
func (s *Server) LatestUserMessage(viewer string) (channel, ts string, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k := range s.web.said {
		if strings.HasPrefix(k.channel, "D") && k.channel != dmChannel(viewer) {
			continue
		}
		if !ok || tsLess(ts, k.ts) {
			channel, ts, ok = k.channel, k.ts, true
		}
	}
	return channel, ts, ok
}
