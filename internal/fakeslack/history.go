package fakeslack

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// history is what conversations.history needs beyond the posted messages:
// the message metadata each chat.postMessage carried. It lives in the
// closures withHistory makes, one per server.
type history struct {
	mu       sync.Mutex
	metadata map[msgKey]json.RawMessage
}

// withHistory adds conversations.history to methods, and wraps
// chat.postMessage so that the metadata of each message it posts is kept for
// it. A message is posted (and its metadata kept) even when the client has
// given up waiting for the answer, as with Delayed: that is what lets a test
// check that an app looks before it posts again.
func (s *Server) withHistory(methods map[string]func(Call) reply) map[string]func(Call) reply {
	h := &history{metadata: map[msgKey]json.RawMessage{}}
	post := methods["chat.postMessage"]
	methods["chat.postMessage"] = func(c Call) reply {
		r := post(c)
		meta := c.Params.Get("metadata")
		if r.err != "" || meta == "" {
			return r
		}
		ch, _ := r.body["channel"].(string)
		ts, _ := r.body["ts"].(string)
		h.mu.Lock()
		h.metadata[msgKey{ch, ts}] = json.RawMessage(meta)
		h.mu.Unlock()
		if m, ok := r.body["message"].(map[string]any); ok {
			m["metadata"] = json.RawMessage(meta)
		}
		return r
	}
	methods["conversations.history"] = func(c Call) reply { return s.conversationsHistory(h, c) }
	methods["conversations.replies"] = func(c Call) reply { return s.conversationsReplies(h, c) }
	return methods
}

// conversationsHistory answers like Slack's conversations.history for the
// messages the bot posted in a channel: newest first, top-level messages and
// thread broadcasts only, between oldest and latest (exclusive unless
// inclusive), limit at a time (default 100, at most 1000) with a cursor for
// the rest. Metadata is included only with include_all_metadata. Slack wants a
// conversation id here, not a user id.
func (s *Server) conversationsHistory(h *history, c Call) reply {
	ch := c.Params.Get("channel")
	if ch == "" || strings.HasPrefix(ch, "U") || strings.HasPrefix(ch, "W") {
		return fail("channel_not_found")
	}
	return s.listPosted(h, c, true, func(k msgKey, p *posted) bool {
		return k.channel == ch && (p.threadTS == "" || p.threadTS == k.ts)
	})
}

// conversationsReplies answers like Slack's conversations.replies for the
// bot's messages in the thread of ts: oldest first, between oldest and
// latest, with the same paging and metadata rules as conversations.history.
// The thread's parent is included when the bot posted it.
func (s *Server) conversationsReplies(h *history, c Call) reply {
	ch, thread := c.Params.Get("channel"), c.Params.Get("ts")
	if ch == "" || strings.HasPrefix(ch, "U") || strings.HasPrefix(ch, "W") {
		return fail("channel_not_found")
	}
	if thread == "" {
		return fail("thread_not_found")
	}
	return s.listPosted(h, c, false, func(k msgKey, p *posted) bool {
		return k.channel == ch && (k.ts == thread || p.threadTS == thread)
	})
}

// listPosted pages through the bot's posted messages that match, newest or
// oldest first.
func (s *Server) listPosted(h *history, c Call, newestFirst bool, match func(msgKey, *posted) bool) reply {
	ch := c.Params.Get("channel")
	oldest, latest := c.Params.Get("oldest"), c.Params.Get("latest")
	inclusive := truthy(c.Params.Get("inclusive"))
	withMeta := truthy(c.Params.Get("include_all_metadata"))
	limit, err := strconv.Atoi(c.Params.Get("limit"))
	if err != nil || limit <= 0 {
		limit = 100
	}
	limit = min(limit, 1000)
	offset, _ := strconv.Atoi(c.Params.Get("cursor"))

	type entry struct {
		ts string
		p  posted
	}
	var found []entry
	s.mu.Lock()
	for k, p := range s.web.posted {
		if !match(k, p) || !tsWithin(k.ts, oldest, latest, inclusive) {
			continue
		}
		found = append(found, entry{k.ts, *p})
	}
	s.mu.Unlock()
	sort.Slice(found, func(i, j int) bool {
		if newestFirst {
			return tsLess(found[j].ts, found[i].ts)
		}
		return tsLess(found[i].ts, found[j].ts)
	})

	page := found[min(offset, len(found)):]
	more := len(page) > limit
	if more {
		page = page[:limit]
	}
	msgs := make([]map[string]any, 0, len(page))
	h.mu.Lock()
	for _, e := range page {
		m := s.botMessage(e.p.text, e.p.blocks, e.ts, e.p.threadTS)
		if meta, ok := h.metadata[msgKey{ch, e.ts}]; ok && withMeta {
			m["metadata"] = meta
		}
		msgs = append(msgs, m)
	}
	h.mu.Unlock()
	next := ""
	if more {
		next = strconv.Itoa(offset + limit)
	}
	return ok(map[string]any{
		"messages": msgs, "has_more": more, "pin_count": 0,
		"response_metadata": map[string]any{"next_cursor": next},
	})
}

func truthy(s string) bool { return s == "1" || s == "true" }

// tsWithin reports whether ts lies between oldest and latest; an empty bound
// is open.
func tsWithin(ts, oldest, latest string, inclusive bool) bool {
	if oldest != "" && (tsLess(ts, oldest) || (!inclusive && ts == oldest)) {
		return false
	}
	if latest != "" && (tsLess(latest, ts) || (!inclusive && ts == latest)) {
		return false
	}
	return true
}

// tsLess orders Slack timestamps such as "1700000000.000100" by time.
func tsLess(a, b string) bool {
	as, af := splitTS(a)
	bs, bf := splitTS(b)
	if as != bs {
		return as < bs
	}
	return af < bf
}

// splitTS reads a Slack timestamp as whole seconds and microseconds.
func splitTS(ts string) (sec, micro int64) {
	whole, frac, _ := strings.Cut(ts, ".")
	sec, _ = strconv.ParseInt(whole, 10, 64)
	frac = (frac + "000000")[:6]
	micro, _ = strconv.ParseInt(frac, 10, 64)
	return sec, micro
}
