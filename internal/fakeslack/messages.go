package fakeslack

import (
	"fmt"
	"slices"
	"sort"
)

// Slackbot is the user id Slack gives the messages it writes itself, such as
// the tombstone left where a message with thread replies was deleted.
const Slackbot = "USLACKBOT"

// tombstoneText is the text of a tombstone, as Slack shows it.
const tombstoneText = "This message was deleted."

// DeletionEvent is the event Slack sends when user deletes their message ts in
// their DM with the bot. A message with no thread replies goes with
// message_deleted (as MessageDeletedEvent). A message that has replies, such as
// the bot's confirmation in its thread, leaves a tombstone instead: Slack sends
// message_changed whose message is the tombstone (subtype "tombstone", user
// USLACKBOT, the same ts) and whose previous_message is the original.
func (s *Server) DeletionEvent(user, ts string) map[string]any {
	s.mu.Lock()
	ch := dmChannel(user)
	old := s.web.said[msgKey{ch, ts}]
	var replies []threadReply
	if old == nil || old.threadTS == "" || old.threadTS == ts {
		// Only a thread's parent has replies; a reply never does.
		replies = s.repliesLocked(ch, ts)
	}
	if len(replies) == 0 {
		s.mu.Unlock()
		return s.MessageDeletedEvent(user, ts)
	}
	defer s.mu.Unlock()

	prev := map[string]any{"type": "message", "user": user, "ts": ts, "team": s.TeamID}
	if old != nil {
		prev["text"] = old.text
	}
	threadFields(prev, ts, replies)
	tomb := map[string]any{
		"type": "message", "subtype": "tombstone", "text": tombstoneText, "user": Slackbot,
		"hidden": true, "ts": ts, "parent_user_id": Slackbot,
	}
	threadFields(tomb, ts, replies)
	delete(s.web.said, msgKey{ch, ts})
	now := s.newTSLocked()
	return map[string]any{
		"type": "message", "subtype": "message_changed", "hidden": true, "channel": ch,
		"channel_type": "im", "ts": now, "event_ts": now, "message": tomb, "previous_message": prev,
	}
}

// FileShareEvent is the file_share message event of user sharing a file in
// their DM with the bot, with text typed beside it (possibly none), in the
// thread of threadTS if that is not empty. Slack sends no team field with a
// file_share, and no blocks when there is no text.
func (s *Server) FileShareEvent(user, text, ts, threadTS string) map[string]any {
	ev := s.userMessage(user, text, ts, threadTS)
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(ev, "team")
	if text == "" {
		delete(ev, "blocks")
	}
	ev["subtype"] = "file_share"
	ev["upload"] = true
	ev["display_as_bot"] = false
	ev["files"] = []any{s.fileObjectLocked(user, ts)}
	return ev
}

// fileObjectLocked is a PDF that user uploaded at ts, shaped like Slack's
// file object in a file_share event. Its URLs point at the fake server, which
// does not serve them.
func (s *Server) fileObjectLocked(user, ts string) map[string]any {
	id := fmt.Sprintf("F%08d", s.nextLocked())
	sec, _ := splitTS(ts)
	name := "notes.pdf"
	base := fmt.Sprintf("%s/files-pri/%s-%s/", s.http.URL, s.TeamID, id)
	return map[string]any{
		"id": id, "created": sec, "timestamp": sec, "name": name, "title": name,
		"mimetype": "application/pdf", "filetype": "pdf", "pretty_type": "PDF",
		"user": user, "user_team": s.TeamID, "editable": false, "size": 24680, "mode": "hosted",
		"is_external": false, "external_type": "", "is_public": false, "public_url_shared": false,
		"display_as_bot": false, "username": "", "file_access": "visible",
		"url_private": base + name, "url_private_download": base + "download/" + name,
		"permalink":        fmt.Sprintf("%s/files/%s/%s/%s", s.http.URL, user, id, name),
		"permalink_public": fmt.Sprintf("%s/%s-%s-public", s.http.URL, s.TeamID, id),
		"has_rich_preview": false,
	}
}

// BotMessageChangedEvent is the message_changed event Slack sends after the app
// edits its own message ts in channel (a user id means their DM) with
// chat.update: message is the message as it is now, and previous_message the
// version before the last update. Both carry the bot's user id, bot_id and
// app_id, as any message the app posts does.
func (s *Server) BotMessageChangedEvent(channel, ts string) map[string]any {
	ch := resolveChannel(channel)
	s.mu.Lock()
	defer s.mu.Unlock()
	var versions []Message
	for _, m := range s.messages {
		if m.Channel == ch && m.TS == ts && (m.Kind == "post" || m.Kind == "update") {
			versions = append(versions, m)
		}
	}
	cur, prev := Message{TS: ts}, Message{TS: ts}
	if n := len(versions); n > 0 {
		cur, prev = versions[n-1], versions[max(n-2, 0)]
	}
	now := s.newTSLocked()
	msg := s.botMessage(cur.Text, cur.Blocks, ts, cur.ThreadTS)
	old := s.botMessage(prev.Text, prev.Blocks, ts, prev.ThreadTS)
	for _, m := range []map[string]any{msg, old} {
		m["team"] = s.TeamID
		m["bot_profile"] = map[string]any{"id": s.BotID, "app_id": s.AppID, "name": "ladder", "deleted": false, "team_id": s.TeamID}
		if cur.ThreadTS == "" || cur.ThreadTS == ts {
			if replies := s.repliesLocked(ch, ts); len(replies) > 0 {
				threadFields(m, ts, replies)
			}
		}
	}
	msg["edited"] = map[string]any{"user": s.BotUserID, "ts": now}
	return map[string]any{
		"type": "message", "subtype": "message_changed", "hidden": true, "channel": ch,
		"channel_type": channelType(ch), "ts": now, "event_ts": now, "message": msg, "previous_message": old,
	}
}

// ThreadBroadcastEvent is the message event of user replying with text in the
// thread of threadTS in their DM and also sending the reply to the
// conversation: subtype thread_broadcast, with the thread's parent as root,
// counting this reply among its replies.
func (s *Server) ThreadBroadcastEvent(user, text, ts, threadTS string) map[string]any {
	ev := s.userMessage(user, text, ts, threadTS)
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := dmChannel(user)
	delete(ev, "parent_user_id")
	ev["subtype"] = "thread_broadcast"
	var root map[string]any
	switch p, m := s.web.posted[msgKey{ch, threadTS}], s.web.said[msgKey{ch, threadTS}]; {
	case p != nil:
		root = s.botMessage(p.text, p.blocks, threadTS, "")
	case m != nil:
		root = map[string]any{"type": "message", "user": m.user, "text": m.text, "ts": threadTS, "team": s.TeamID}
	default:
		root = map[string]any{"type": "message", "ts": threadTS}
	}
	threadFields(root, threadTS, s.repliesLocked(ch, threadTS))
	ev["root"] = root
	return ev
}

// threadReply is one reply in a thread: its ts and who wrote it.
type threadReply struct{ ts, user string }

// repliesLocked lists the replies in the thread of ts in channel ch, oldest
// first: the bot's posts and the users' messages whose thread_ts is ts.
func (s *Server) repliesLocked(ch, ts string) []threadReply {
	var rs []threadReply
	for k, p := range s.web.posted {
		if k.channel == ch && k.ts != ts && p.threadTS == ts {
			rs = append(rs, threadReply{k.ts, s.BotUserID})
		}
	}
	for k, m := range s.web.said {
		if k.channel == ch && k.ts != ts && m.threadTS == ts {
			rs = append(rs, threadReply{k.ts, m.user})
		}
	}
	sort.Slice(rs, func(i, j int) bool { return tsLess(rs[i].ts, rs[j].ts) })
	return rs
}

// threadFields gives m the fields Slack puts on the parent of a thread with
// replies.
func threadFields(m map[string]any, ts string, replies []threadReply) {
	users := []string{}
	latest := ""
	for _, r := range replies {
		if !slices.Contains(users, r.user) {
			users = append(users, r.user)
		}
		latest = r.ts
	}
	m["thread_ts"] = ts
	m["reply_count"] = len(replies)
	m["reply_users_count"] = len(users)
	m["reply_users"] = users
	m["latest_reply"] = latest
	m["is_locked"] = false
	m["subscribed"] = false
}
