package fakeslack

import "strings"

// chatGetPermalink answers chat.getPermalink: a channel and the ts of a
// message in it give a permalink to the message, which for a reply in a
// thread names the thread too. It needs no scope, and its errors are Slack's
// (https://api.slack.com/methods/chat.getPermalink): channel_not_found when
// channel names no conversation the server knows a message in, and
// message_not_found when the conversation holds no message at message_ts,
// as after the message was deleted. A user id is not a channel here.
func (s *Server) chatGetPermalink(c Call) reply {
	ch, ts := c.Params.Get("channel"), c.Params.Get("message_ts")
	if ch == "" || strings.HasPrefix(ch, "U") || strings.HasPrefix(ch, "W") {
		return fail("channel_not_found")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	key := msgKey{ch, ts}
	var thread string
	switch m, p := s.web.said[key], s.web.posted[key]; {
	case m != nil:
		thread = m.threadTS
	case p != nil:
		thread = p.threadTS
	case !s.knowsChannelLocked(ch):
		return fail("channel_not_found")
	default:
		return fail("message_not_found")
	}
	return ok(map[string]any{"channel": ch, "permalink": Permalink(ch, ts, thread)})
}

// Permalink is the permalink chat.getPermalink gives the message ts in
// channel, a reply in the thread of threadTS if that is neither empty nor ts:
// Slack's form, https://<domain>.slack.com/archives/<channel>/p<ts without
// its dot>, with ?thread_ts=…&cid=… for a reply.
func Permalink(channel, ts, threadTS string) string {
	link := "https://fake.slack.com/archives/" + channel + "/p" + strings.Replace(ts, ".", "", 1)
	if threadTS != "" && threadTS != ts {
		link += "?thread_ts=" + threadTS + "&cid=" + channel
	}
	return link
}

// knowsChannelLocked reports whether ch is a conversation the server can
// answer for: a DM with the bot, which every user has, or a channel it holds
// a message in, by a user or the bot.
func (s *Server) knowsChannelLocked(ch string) bool {
	if strings.HasPrefix(ch, "D") {
		return true
	}
	for k := range s.web.said {
		if k.channel == ch {
			return true
		}
	}
	for k := range s.web.posted {
		if k.channel == ch {
			return true
		}
	}
	return false
}
