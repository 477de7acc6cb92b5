package fakeslack

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// responseURLMethod is the method name under which posts to a response_url are
// recorded, limited and failed.
const responseURLMethod = "response_url"

// maxText is where Slack truncates a message's text.
const maxText = 40000

// reply is the server's answer to one call.
type reply struct {
	status     int
	retryAfter int
	// err is the Slack error code; empty for a success.
	err  string
	body map[string]any
	// plain answers err as a plain-text body, as a response_url does.
	plain bool
	// blocks is why Slack refused the call's blocks or view; the call is then
	// recorded as a Rejection too.
	blocks *BlockError
}

func ok(fields map[string]any) reply {
	if fields == nil {
		fields = map[string]any{}
	}
	fields["ok"] = true
	return reply{status: http.StatusOK, body: fields}
}

func fail(code string) reply { return reply{status: http.StatusOK, err: code} }

// refuse is Slack's answer to invalid Block Kit or an invalid view.
func refuse(err error) reply {
	be := err.(*BlockError)
	return reply{status: http.StatusOK, err: be.Code, blocks: be}
}

// webState is what the Web API remembers between calls. Guarded by Server.mu.
type webState struct {
	posted    map[msgKey]*posted
	said      map[msgKey]*said
	views     map[string]*storedView
	homes     map[string]string // user id → home view id
	lastView  map[string]string // user id → the view most recently sent to them
	triggers  map[string]*trigger
	responses map[string]*responseTarget
	reactions map[reaction]bool
}

func newWebState() webState {
	return webState{
		posted:    map[msgKey]*posted{},
		said:      map[msgKey]*said{},
		views:     map[string]*storedView{},
		homes:     map[string]string{},
		lastView:  map[string]string{},
		triggers:  map[string]*trigger{},
		responses: map[string]*responseTarget{},
		reactions: map[reaction]bool{},
	}
}

type msgKey struct{ channel, ts string }

// posted is a message the bot posted, for chat.update, chat.delete and the
// message field of block actions.
type posted struct {
	text     string
	blocks   json.RawMessage
	threadTS string
}

// said is a message a user sent through an event builder, for the edits and
// deletions that follow it.
type said struct {
	user, text, threadTS string
}

// storedView is a view as views.* returned it: the app's view plus Slack's fields.
// Its obj is never modified once stored.
type storedView struct {
	seq  int
	user string
	hash string
	obj  map[string]any
}

type reaction struct{ channel, ts, name string }

func (s *Server) webMethods() map[string]func(Call) reply {
	return s.withOrg(s.withFiles(s.withHistory(map[string]func(Call) reply{
		"auth.test":             s.authTest,
		"apps.connections.open": s.connectionsOpen,
		"chat.postMessage":      s.chatPost,
		"chat.postEphemeral":    s.chatEphemeral,
		"chat.update":           s.chatUpdate,
		"chat.delete":           s.chatDelete,
		"chat.getPermalink":     s.chatGetPermalink, // permalink.go
		"conversations.open":    s.conversationsOpen,
		"views.publish":         s.viewsPublish,
		"views.open":            func(c Call) reply { return s.viewsOpen("open", c) },
		"views.push":            func(c Call) reply { return s.viewsOpen("push", c) },
		"views.update":          s.viewsUpdate,
		"reactions.add":         s.reactionsAdd,
		"users.info":            s.usersInfo,
	})))
}

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	method := strings.TrimPrefix(r.URL.Path, "/api/")
	h, known := s.methods[method]
	if !known {
		h = func(Call) reply { return fail("unknown_method") }
	}
	s.serveCall(w, r, method, known, h)
}

func (s *Server) serveResponse(w http.ResponseWriter, r *http.Request) {
	id := strings.TrimPrefix(r.URL.Path, "/response/")
	s.serveCall(w, r, responseURLMethod, true, func(c Call) reply { return s.respond(id, c) })
}

// serveCall reads one call, lets gate veto it, answers it with h and records it.
func (s *Server) serveCall(w http.ResponseWriter, r *http.Request, method string, gated bool, h func(Call) reply) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 8<<20))
	c := Call{Method: method, Body: body, At: time.Now(), Params: parseParams(r, body)}
	c.Token = c.Params.Get("token")
	if t, found := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); found {
		c.Token = t
	}

	var rep reply
	if veto := s.gateIf(gated, r, c); veto != nil {
		rep = *veto
	} else if missing := s.checkScope(method); gated && missing != nil {
		rep = *missing
	} else {
		rep = h(c)
	}
	c.Status, c.Error = rep.status, rep.err
	s.recordCall(c)
	if rep.blocks != nil {
		s.recordRejection(Rejection{Method: method, Error: rep.blocks.Code, Problems: rep.blocks.Problems, Body: body, At: c.At})
	}
	writeReply(w, rep)
}

// gateIf runs gate for gated calls: unknown methods answer unknown_method whatever
// the token, budget or forced failures.
func (s *Server) gateIf(gated bool, r *http.Request, c Call) *reply {
	if !gated {
		return nil
	}
	return s.gate(r.Context(), c)
}

// parseParams reads the query and a form or JSON body. The top-level fields of a
// JSON body become params; values that are not strings keep their JSON text.
func parseParams(r *http.Request, body []byte) url.Values {
	p := r.URL.Query()
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/json":
		var fields map[string]json.RawMessage
		if json.Unmarshal(body, &fields) != nil {
			return p
		}
		for k, v := range fields {
			var str string
			if json.Unmarshal(v, &str) == nil {
				p.Add(k, str)
			} else {
				p.Add(k, string(v))
			}
		}
	default:
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return p
		}
		for k, vs := range form {
			p[k] = append(p[k], vs...)
		}
	}
	return p
}

func writeReply(w http.ResponseWriter, r reply) {
	if r.retryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(r.retryAfter))
	}
	var body map[string]any
	switch {
	case r.err != "" && r.plain:
		// Slack's webhooks, response_url among them, answer a failure with a
		// status and the error code as plain text.
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(r.status)
		_, _ = io.WriteString(w, r.err)
		return
	case r.err != "":
		body = map[string]any{"ok": false, "error": r.err}
		for k, v := range r.body { // missing_scope's needed and provided
			body[k] = v
		}
		if r.blocks != nil {
			// chat.* list the problems in errors as well; views.* only in
			// response_metadata.
			if r.blocks.Code == "invalid_blocks" {
				body["errors"] = r.blocks.Errors()
			}
			body["response_metadata"] = map[string]any{"messages": r.blocks.Messages()}
		}
	case r.status == http.StatusOK:
		body = r.body
	default:
		// Slack answers a 5xx with an HTML page.
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(r.status)
		_, _ = fmt.Fprintf(w, "<html><body>%s</body></html>", http.StatusText(r.status))
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(r.status)
	_ = json.NewEncoder(w).Encode(body)
}

// resolveChannel maps a user id to the bot's DM with that user, as chat.postMessage
// does when given a user id.
func resolveChannel(ch string) string {
	if strings.HasPrefix(ch, "U") || strings.HasPrefix(ch, "W") {
		return dmChannel(ch)
	}
	return ch
}

func (s *Server) authTest(Call) reply {
	fields := map[string]any{
		"url":     "https://fake.slack.com/",
		"team":    "Fake",
		"user":    "ladder",
		"team_id": s.TeamID,
		"user_id": s.BotUserID,
		"bot_id":  s.BotID,
	}
	if id := s.EnterpriseID(); id != "" { // enterprise.go
		fields["enterprise_id"], fields["is_enterprise_install"] = id, true
	}
	return ok(fields)
}

func (s *Server) connectionsOpen(Call) reply {
	s.mu.Lock()
	key := strconv.Itoa(s.nextLocked())
	s.sock.urls[key] = false
	s.mu.Unlock()
	return ok(map[string]any{"url": "ws" + strings.TrimPrefix(s.http.URL, "http") + "/socket?n=" + key})
}

// content reads a message's text and blocks and checks them against Slack's rules.
// A refusal is returned as a reply.
func content(p url.Values) (text string, blocks json.RawMessage, refused *reply) {
	text = p.Get("text")
	if b := p.Get("blocks"); b != "" {
		blocks = json.RawMessage(b)
		if !json.Valid(blocks) {
			r := fail("invalid_blocks_format")
			return "", nil, &r
		}
		if err := CheckBlocks(SurfaceMessage, blocks); err != nil {
			r := refuse(err)
			return "", nil, &r
		}
	}
	if text == "" && !hasBlocks(blocks) && p.Get("attachments") == "" {
		r := fail("no_text")
		return "", nil, &r
	}
	return truncate(text, maxText), blocks, nil
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

func (s *Server) botMessage(text string, blocks json.RawMessage, ts, threadTS string) map[string]any {
	m := map[string]any{"type": "message", "user": s.BotUserID, "bot_id": s.BotID, "app_id": s.AppID, "text": text, "ts": ts}
	if len(blocks) > 0 {
		m["blocks"] = blocks
	}
	if threadTS != "" {
		m["thread_ts"] = threadTS
	}
	return m
}

func (s *Server) chatPost(c Call) reply {
	ch := resolveChannel(c.Params.Get("channel"))
	if ch == "" {
		return fail("channel_not_found")
	}
	text, blocks, refused := content(c.Params)
	if refused != nil {
		return *refused
	}
	thread := c.Params.Get("thread_ts")
	s.mu.Lock()
	ts := s.newTSLocked()
	s.web.posted[msgKey{ch, ts}] = &posted{text: text, blocks: blocks, threadTS: thread}
	s.mu.Unlock()
	s.recordMessage(Message{Kind: "post", Channel: ch, Text: text, Blocks: blocks, ThreadTS: thread, TS: ts})
	return ok(map[string]any{"channel": ch, "ts": ts, "message": s.botMessage(text, blocks, ts, thread)})
}

func (s *Server) chatEphemeral(c Call) reply {
	ch, user := resolveChannel(c.Params.Get("channel")), c.Params.Get("user")
	if ch == "" {
		return fail("channel_not_found")
	}
	if user == "" {
		return fail("user_not_found")
	}
	text, blocks, refused := content(c.Params)
	if refused != nil {
		return *refused
	}
	ts := s.NewTS()
	s.recordMessage(Message{Kind: "ephemeral", Channel: ch, User: user, Text: text, Blocks: blocks,
		ThreadTS: c.Params.Get("thread_ts"), TS: ts})
	return ok(map[string]any{"message_ts": ts})
}

func (s *Server) chatUpdate(c Call) reply {
	key := msgKey{resolveChannel(c.Params.Get("channel")), c.Params.Get("ts")}
	text, blocks, refused := content(c.Params)
	if refused != nil {
		return *refused
	}
	s.mu.Lock()
	m := s.web.posted[key]
	if m == nil {
		s.mu.Unlock()
		return fail("message_not_found")
	}
	s.web.posted[key] = &posted{text: text, blocks: blocks, threadTS: m.threadTS}
	s.mu.Unlock()
	s.recordMessage(Message{Kind: "update", Channel: key.channel, Text: text, Blocks: blocks, ThreadTS: m.threadTS, TS: key.ts})
	return ok(map[string]any{"channel": key.channel, "ts": key.ts, "text": text,
		"message": s.botMessage(text, blocks, key.ts, m.threadTS)})
}

func (s *Server) chatDelete(c Call) reply {
	key := msgKey{resolveChannel(c.Params.Get("channel")), c.Params.Get("ts")}
	s.mu.Lock()
	m := s.web.posted[key]
	delete(s.web.posted, key)
	s.mu.Unlock()
	if m == nil {
		return fail("message_not_found")
	}
	s.recordMessage(Message{Kind: "delete", Channel: key.channel, ThreadTS: m.threadTS, TS: key.ts})
	return ok(map[string]any{"channel": key.channel, "ts": key.ts})
}

func (s *Server) conversationsOpen(c Call) reply {
	if ch := c.Params.Get("channel"); ch != "" {
		return ok(map[string]any{"channel": map[string]any{"id": ch}})
	}
	users := strings.Split(c.Params.Get("users"), ",")
	switch {
	case users[0] == "":
		return fail("users_list_not_supplied")
	case len(users) == 1:
		return ok(map[string]any{"channel": map[string]any{"id": dmChannel(users[0])}, "no_op": false, "already_open": false})
	default:
		return ok(map[string]any{"channel": map[string]any{"id": "G" + strings.Join(users, "")}})
	}
}

// parseView reads the view a views.* call carries and checks it against Slack's
// rules for views. A refusal is returned as a reply.
func parseView(p url.Values, wantType string) (json.RawMessage, map[string]any, *reply) {
	raw := json.RawMessage(p.Get("view"))
	var obj map[string]any
	if json.Unmarshal(raw, &obj) != nil || obj == nil {
		r := fail("invalid_arguments")
		return nil, nil, &r
	}
	if t, _ := obj["type"].(string); t != wantType {
		r := refuse(&BlockError{Code: "invalid_arguments", Problems: []Problem{{
			Pointer: "/view/type", Message: "must be " + wantType,
		}}})
		return nil, nil, &r
	}
	if err := CheckView(raw); err != nil {
		r := refuse(err)
		return nil, nil, &r
	}
	return raw, obj, nil
}

// storeViewLocked gives obj Slack's fields and keeps it under id.
func (s *Server) storeViewLocked(id, user string, obj map[string]any) map[string]any {
	hash := fmt.Sprintf("%d.fakehash%d", s.cfg.now().Unix(), s.nextLocked())
	obj["id"], obj["team_id"], obj["app_id"], obj["bot_id"] = id, s.TeamID, s.AppID, s.BotID
	obj["hash"], obj["root_view_id"], obj["state"] = hash, id, map[string]any{"values": map[string]any{}}
	s.web.views[id] = &storedView{seq: s.nextLocked(), user: user, hash: hash, obj: obj}
	s.web.lastView[user] = id
	return obj
}

func (s *Server) viewsPublish(c Call) reply {
	user := c.Params.Get("user_id")
	if user == "" {
		return fail("user_not_found")
	}
	raw, obj, refused := parseView(c.Params, "home")
	if refused != nil {
		return *refused
	}
	s.mu.Lock()
	id := s.web.homes[user]
	if id == "" {
		id = fmt.Sprintf("VH%06d", s.nextLocked())
		s.web.homes[user] = id
	} else if h := c.Params.Get("hash"); h != "" && h != s.web.views[id].hash {
		s.mu.Unlock()
		return fail("hash_conflict")
	}
	stored := s.storeViewLocked(id, user, obj)
	s.mu.Unlock()
	s.recordView(View{Kind: "publish", UserID: user, ID: id, View: raw})
	return ok(map[string]any{"view": stored})
}

// viewsOpen opens or pushes a modal. The trigger is checked first, as Slack
// does before any validation of the view, and a valid trigger is exchanged even
// when the view is then refused.
func (s *Server) viewsOpen(kind string, c Call) reply {
	s.mu.Lock()
	t := s.web.triggers[c.Params.Get("trigger_id")]
	switch {
	case t == nil:
		s.mu.Unlock()
		return fail("invalid_trigger_id")
	case t.used:
		s.mu.Unlock()
		return fail("exchanged_trigger_id")
	case s.cfg.now().Sub(t.issued) > triggerTTL:
		s.mu.Unlock()
		return fail("expired_trigger_id")
	}
	t.used = true
	user := t.user
	s.mu.Unlock()

	raw, obj, refused := parseView(c.Params, "modal")
	if refused != nil {
		return *refused
	}
	s.mu.Lock()
	id := fmt.Sprintf("V%08d", s.nextLocked())
	stored := s.storeViewLocked(id, user, obj)
	s.mu.Unlock()
	s.recordView(View{Kind: kind, UserID: user, ID: id, View: raw})
	return ok(map[string]any{"view": stored})
}

func (s *Server) viewsUpdate(c Call) reply {
	raw, obj, refused := parseView(c.Params, "modal")
	if refused != nil {
		return *refused
	}
	s.mu.Lock()
	id := c.Params.Get("view_id")
	if ext := c.Params.Get("external_id"); id == "" && ext != "" {
		for vid, v := range s.web.views {
			if v.obj["external_id"] == ext {
				id = vid
			}
		}
	}
	old := s.web.views[id]
	switch {
	case old == nil:
		s.mu.Unlock()
		return fail("not_found")
	case c.Params.Get("hash") != "" && c.Params.Get("hash") != old.hash:
		s.mu.Unlock()
		return fail("hash_conflict")
	}
	stored := s.storeViewLocked(id, old.user, obj)
	s.mu.Unlock()
	s.recordView(View{Kind: "update", UserID: old.user, ID: id, View: raw})
	return ok(map[string]any{"view": stored})
}

func (s *Server) reactionsAdd(c Call) reply {
	r := reaction{resolveChannel(c.Params.Get("channel")), c.Params.Get("timestamp"), c.Params.Get("name")}
	switch {
	case r.name == "":
		return fail("invalid_name")
	case r.channel == "" || r.ts == "":
		return fail("no_item_specified")
	}
	s.mu.Lock()
	dup := s.web.reactions[r]
	s.web.reactions[r] = true
	s.mu.Unlock()
	if dup {
		return fail("already_reacted")
	}
	s.recordMessage(Message{Kind: "reaction", Channel: r.channel, Text: r.name, TS: r.ts})
	return ok(nil)
}

// usersInfo answers users.info, which takes exactly one user id in user; a users
// list is not one of its arguments and is ignored, as Slack ignores unknown ones.
func (s *Server) usersInfo(c Call) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.cfg.now()
	u, found := s.users[c.Params.Get("user")]
	if !found {
		return fail("user_not_found")
	}
	return ok(map[string]any{"user": s.userObject(u, now)})
}

// userObject is u as users.info shows it, with the zone's label and offset at now.
// An unknown zone reads as UTC.
func (s *Server) userObject(u User, now time.Time) map[string]any {
	tz := u.TZ
	if tz == "" {
		tz = "UTC"
	}
	label, offset := tz, 0
	if loc, err := time.LoadLocation(tz); err == nil {
		label, offset = now.In(loc).Zone()
	}
	m := map[string]any{
		"id": u.ID, "team_id": s.TeamID, "name": u.Name, "real_name": u.RealName,
		"tz": tz, "tz_label": label, "tz_offset": offset,
		"deleted": false, "is_bot": u.ID == s.BotUserID, "locale": "en-US",
		"profile": u.Status.profile(map[string]any{"real_name": u.RealName, "display_name": u.Name, "team": s.TeamID}),
	}
	s.orgUserFieldsLocked(m) // enterprise.go
	return m
}

// respond handles a post to the response_url with the given id. Slack accepts five
// posts to each within 30 minutes of the interaction, and answers a failure as a
// webhook does: an HTTP 4xx with the error code as plain text.
func (s *Server) respond(id string, c Call) reply {
	s.mu.Lock()
	t := s.web.responses[id]
	expired := t == nil || s.cfg.now().Sub(t.issued) > responseURLTTL
	if !expired {
		t.uses++
	}
	s.mu.Unlock()
	switch {
	case expired:
		return reply{status: http.StatusNotFound, err: "expired_url", plain: true}
	case t.uses > responseURLUses:
		return reply{status: http.StatusNotFound, err: "used_url", plain: true}
	}
	var m struct {
		Text            string          `json:"text"`
		Blocks          json.RawMessage `json:"blocks"`
		ThreadTS        string          `json:"thread_ts"`
		ResponseType    string          `json:"response_type"`
		ReplaceOriginal bool            `json:"replace_original"`
		DeleteOriginal  bool            `json:"delete_original"`
	}
	if json.Unmarshal(c.Body, &m) != nil {
		return reply{status: http.StatusBadRequest, err: "invalid_payload", plain: true}
	}
	m.Blocks = nullToNil(m.Blocks)
	if len(m.Blocks) > 0 {
		if err := CheckBlocks(SurfaceMessage, m.Blocks); err != nil {
			return reply{status: http.StatusBadRequest, err: "invalid_blocks", plain: true, blocks: err.(*BlockError)}
		}
	}
	s.recordMessage(Message{Kind: "response", Channel: t.channel, User: t.user, Text: truncate(m.Text, maxText),
		Blocks: m.Blocks, ThreadTS: m.ThreadTS, ResponseType: m.ResponseType,
		ReplaceOriginal: m.ReplaceOriginal, DeleteOriginal: m.DeleteOriginal})
	return ok(nil)
}
