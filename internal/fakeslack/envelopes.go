package fakeslack

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// verificationToken is the legacy token Slack puts in every payload.
const verificationToken = "FAKEVERIFICATIONTOKEN"

// SlashCommand is a slash command a user types.
type SlashCommand struct {
	UserID string
	// UserName defaults to the user's name in the directory.
	UserName string
	Text     string
	// ChannelID defaults to the user's DM with the bot.
	ChannelID string
	// TriggerID defaults to a fresh trigger id that views.open accepts.
	TriggerID string
	// Command defaults to "/ladder".
	Command string
	// Team is the workspace the user runs it in, in org mode (WithEnterprise);
	// it defaults to the one they act in.
	Team string
}

// SendSlash sends a slash_commands envelope, as Slack does when a user runs cmd. Its
// response_url posts to the server and is recorded as a Message of Kind "response".
// The envelope waits in a queue while no connection is live.
func (s *Server) SendSlash(cmd SlashCommand) (envID string, err error) {
	return s.SendSlashTo(AnyConn, cmd)
}

// SendSlashTo is SendSlash to the live connection conn, or with AnyConn to the
// one the server chooses.
func (s *Server) SendSlashTo(conn int, cmd SlashCommand) (envID string, err error) {
	s.mu.Lock()
	u := s.userLocked(cmd.UserID)
	if cmd.UserName == "" {
		cmd.UserName = u.Name
	}
	if cmd.ChannelID == "" {
		cmd.ChannelID = dmChannel(cmd.UserID)
	}
	if cmd.Command == "" {
		cmd.Command = "/ladder"
	}
	if cmd.TriggerID == "" {
		cmd.TriggerID = s.newTriggerLocked(cmd.UserID)
	}
	payload := map[string]any{
		"token":                 verificationToken,
		"team_id":               s.slashTeamLocked(cmd),
		"team_domain":           "fake",
		"channel_id":            cmd.ChannelID,
		"channel_name":          channelName(cmd.ChannelID),
		"user_id":               cmd.UserID,
		"user_name":             cmd.UserName,
		"command":               cmd.Command,
		"text":                  cmd.Text,
		"api_app_id":            s.AppID,
		"is_enterprise_install": "false",
		"response_url":          s.newResponseURLLocked(cmd.UserID, cmd.ChannelID),
		"trigger_id":            cmd.TriggerID,
	}
	s.mu.Unlock()
	return s.sendEnvelope(conn, &envelope{kind: "slash_commands", accepts: true, user: cmd.UserID, channel: cmd.ChannelID}, payload)
}

// SendEvent sends an events_api envelope carrying event, such as one made by
// DMEvent, with Slack's outer event_callback payload. An empty eventID gets a fresh
// one; send the same eventID with retryAttempt 1, 2, 3 to simulate Slack's retries,
// or use RetryEvent.
func (s *Server) SendEvent(eventID string, event any, retryAttempt int) (envID string, err error) {
	return s.SendEventTo(AnyConn, eventID, event, retryAttempt)
}

// SendEventTo is SendEvent to the live connection conn, or with AnyConn to the
// one the server chooses.
func (s *Server) SendEventTo(conn int, eventID string, event any, retryAttempt int) (envID string, err error) {
	raw, err := json.Marshal(event)
	if err != nil {
		return "", fmt.Errorf("fakeslack: marshal event: %w", err)
	}
	s.mu.Lock()
	if eventID == "" {
		eventID = fmt.Sprintf("Ev%08d", s.nextLocked())
	}
	payload := map[string]any{
		"token":      verificationToken,
		"team_id":    s.TeamID,
		"api_app_id": s.AppID,
		"event":      json.RawMessage(raw),
		"type":       "event_callback",
		"event_id":   eventID,
		"event_time": s.cfg.now().Unix(),
		"authorizations": []map[string]any{{
			"enterprise_id": nil, "team_id": s.TeamID, "user_id": s.BotUserID,
			"is_bot": true, "is_enterprise_install": false,
		}},
		"is_ext_shared_channel": false,
		"event_context":         "4-fake-" + eventID,
	}
	s.mu.Unlock()
	e := &envelope{kind: "events_api", eventID: eventID, attempt: retryAttempt}
	if retryAttempt > 0 {
		e.reason = "timeout"
	}
	return s.sendEnvelope(conn, e, payload)
}

// SendInteractive sends an interactive envelope carrying payload, such as one made
// by BlockAction or ViewSubmission.
func (s *Server) SendInteractive(payload any) (envID string, err error) {
	return s.SendInteractiveTo(AnyConn, payload)
}

// SendInteractiveTo is SendInteractive to the live connection conn, or with
// AnyConn to the one the server chooses.
func (s *Server) SendInteractiveTo(conn int, payload any) (envID string, err error) {
	raw, err := json.Marshal(payload)
	if err != nil {
		return "", fmt.Errorf("fakeslack: marshal payload: %w", err)
	}
	var head struct {
		Type string `json:"type"`
	}
	_ = json.Unmarshal(raw, &head)
	accepts := head.Type == "view_submission" || head.Type == "block_suggestion"
	return s.sendEnvelope(conn, &envelope{kind: "interactive", accepts: accepts}, json.RawMessage(raw))
}

// sendEnvelope gives e an id and payload and sends it to conn.
func (s *Server) sendEnvelope(conn int, e *envelope, payload any) (string, error) {
	s.mu.Lock()
	e.id = s.envelopeIDLocked()
	s.restampLocked(payload)
	payload = s.orgStampLocked(e.kind, payload)
	if e.kind == "events_api" {
		s.sock.attempts[e.eventID] = max(s.sock.attempts[e.eventID], e.attempt)
	}
	s.mu.Unlock()
	raw, err := json.Marshal(payload)
	if err != nil {
		return "", fmt.Errorf("fakeslack: marshal payload: %w", err)
	}
	e.payload = raw
	if e.data, err = e.frame(); err != nil {
		return "", err
	}
	if err := s.send(e, conn); err != nil {
		return "", err
	}
	return e.id, nil
}

// trigger is a trigger_id handed out with an interaction. views.open and views.push
// exchange it once, within triggerTTL of issued.
type trigger struct {
	user   string
	issued time.Time
	used   bool
}

// triggerTTL is how long a trigger_id works: "Pass a valid trigger_id within 3
// seconds of receiving it" (Bolt's "Opening modals"; Slack's views.open).
const triggerTTL = 3 * time.Second

// responseTarget is a response_url: it takes responseURLUses posts within
// responseURLTTL of issued.
type responseTarget struct {
	user, channel string
	uses          int
	issued        time.Time
}

const (
	responseURLUses = 5
	responseURLTTL  = 30 * time.Minute
)

func (s *Server) newTriggerLocked(user string) string {
	id := fmt.Sprintf("%d.%s.fake%08d", s.cfg.now().Unix(), s.TeamID, s.nextLocked())
	s.web.triggers[id] = &trigger{user: user, issued: s.cfg.now()}
	return id
}

func (s *Server) newResponseURLLocked(user, channel string) string {
	id := fmt.Sprintf("%s/%d", s.TeamID, s.nextLocked())
	s.web.responses[id] = &responseTarget{user: user, channel: channel, issued: s.cfg.now()}
	return s.http.URL + "/response/" + id
}

// restampLocked starts the clocks of the trigger_id and response_url that payload
// carries now, when the envelope is made: a payload built earlier and sent later
// gives the app the full 3 seconds and 30 minutes from the interaction.
func (s *Server) restampLocked(payload any) {
	raw, err := json.Marshal(payload)
	if err != nil {
		return
	}
	var p struct {
		TriggerID   string `json:"trigger_id"`
		ResponseURL string `json:"response_url"`
	}
	if json.Unmarshal(raw, &p) != nil {
		return
	}
	now := s.cfg.now()
	if t := s.web.triggers[p.TriggerID]; t != nil && !t.used {
		t.issued = now
	}
	if id, found := strings.CutPrefix(p.ResponseURL, s.http.URL+"/response/"); found {
		if r := s.web.responses[id]; r != nil && r.uses == 0 {
			r.issued = now
		}
	}
}

func (s *Server) clientMsgIDLocked() string {
	return fmt.Sprintf("00000000-0000-4000-8000-%012d", s.nextLocked())
}

func channelName(ch string) string {
	if strings.HasPrefix(ch, "D") {
		return "directmessage"
	}
	return strings.ToLower(ch)
}

func channelType(ch string) string {
	switch {
	case strings.HasPrefix(ch, "D"):
		return "im"
	case strings.HasPrefix(ch, "G"):
		return "mpim"
	default:
		return "channel"
	}
}

// DMEvent is the message event of user sending text to the bot in their DM.
// Use NewTS for ts.
func (s *Server) DMEvent(user, text, ts string) map[string]any {
	return s.userMessage(user, text, ts, "")
}

// ThreadReplyEvent is the message event of user replying in the thread of threadTS
// in their DM with the bot.
func (s *Server) ThreadReplyEvent(user, text, ts, threadTS string) map[string]any {
	return s.userMessage(user, text, ts, threadTS)
}

func (s *Server) userMessage(user, text, ts, threadTS string) map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := dmChannel(user)
	s.web.said[msgKey{ch, ts}] = &said{user: user, text: text, threadTS: threadTS}
	ev := map[string]any{
		"type": "message", "channel": ch, "user": user, "text": text, "ts": ts, "event_ts": ts,
		"channel_type": "im", "client_msg_id": s.clientMsgIDLocked(), "team": s.TeamID,
		"blocks": []any{map[string]any{
			"type": "rich_text", "block_id": "fake",
			"elements": []any{map[string]any{
				"type":     "rich_text_section",
				"elements": []any{map[string]any{"type": "text", "text": text}},
			}},
		}},
	}
	if threadTS != "" {
		ev["thread_ts"] = threadTS
		ev["parent_user_id"] = user
		if s.web.posted[msgKey{ch, threadTS}] != nil {
			ev["parent_user_id"] = s.BotUserID
		}
	}
	return ev
}

// MessageChangedEvent is the message_changed event of user editing their message ts
// in their DM to newText.
func (s *Server) MessageChangedEvent(user, ts, newText string) map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := dmChannel(user)
	old := s.web.said[msgKey{ch, ts}]
	if old == nil {
		old = &said{user: user}
	}
	now := s.newTSLocked()
	msg := map[string]any{
		"type": "message", "user": user, "text": newText, "ts": ts,
		"edited": map[string]any{"user": user, "ts": now}, "client_msg_id": s.clientMsgIDLocked(),
	}
	prev := map[string]any{"type": "message", "user": user, "text": old.text, "ts": ts}
	if old.threadTS != "" {
		msg["thread_ts"], prev["thread_ts"] = old.threadTS, old.threadTS
	}
	s.web.said[msgKey{ch, ts}] = &said{user: user, text: newText, threadTS: old.threadTS}
	return map[string]any{
		"type": "message", "subtype": "message_changed", "hidden": true, "channel": ch,
		"channel_type": "im", "ts": now, "event_ts": now, "message": msg, "previous_message": prev,
	}
}

// MessageDeletedEvent is the message_deleted event of user deleting their message
// ts in their DM.
func (s *Server) MessageDeletedEvent(user, ts string) map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := dmChannel(user)
	prev := map[string]any{"type": "message", "user": user, "ts": ts}
	if old := s.web.said[msgKey{ch, ts}]; old != nil {
		prev["text"] = old.text
		if old.threadTS != "" {
			prev["thread_ts"] = old.threadTS
		}
	}
	delete(s.web.said, msgKey{ch, ts})
	now := s.newTSLocked()
	return map[string]any{
		"type": "message", "subtype": "message_deleted", "hidden": true, "channel": ch,
		"channel_type": "im", "ts": now, "event_ts": now, "deleted_ts": ts, "previous_message": prev,
	}
}

// BotMessageEvent is the message event of a bot posting text in channel. With the
// server's own BotID it is the echo of the app's own message, which carries the
// bot's user id and no subtype; any other botID makes a bot_message.
func (s *Server) BotMessageEvent(botID, channel, text, ts string) map[string]any {
	ev := map[string]any{
		"type": "message", "bot_id": botID, "text": text, "ts": ts, "event_ts": ts,
		"channel": channel, "channel_type": channelType(channel),
	}
	if botID == s.BotID {
		ev["user"], ev["app_id"] = s.BotUserID, s.AppID
	} else {
		ev["subtype"], ev["username"] = "bot_message", "another bot"
	}
	return ev
}

// AppHomeOpenedEvent is the app_home_opened event of user opening the Home tab. It
// carries the Home view last published for user, if any.
func (s *Server) AppHomeOpenedEvent(user string) map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.newTSLocked()
	ev := map[string]any{"type": "app_home_opened", "user": user, "channel": dmChannel(user), "tab": "home", "event_ts": now}
	if v := s.web.views[s.web.homes[user]]; v != nil {
		ev["view"] = deepCopy(v.obj)
	}
	return ev
}

func (s *Server) userObjectShort(user string) map[string]any {
	u := s.userLocked(user)
	return map[string]any{"id": u.ID, "username": u.Name, "name": u.Name, "team_id": s.TeamID}
}

// BlockAction is the block_actions payload of user pressing the element actionID,
// with value. With a messageTS it is a button in that message in channel (empty
// means the user's DM); without one it is a button in the view last sent to user,
// such as the Home tab. Its trigger_id works with views.open.
func (s *Server) BlockAction(user, actionID, value, channel, messageTS string) map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := map[string]any{
		"type": "block_actions", "user": s.userObjectShort(user), "api_app_id": s.AppID,
		"token": verificationToken, "trigger_id": s.newTriggerLocked(user),
		"team": map[string]any{"id": s.TeamID, "domain": "fake"}, "enterprise": nil,
		"is_enterprise_install": false, "state": map[string]any{"values": map[string]any{}},
	}
	var blocks any
	if messageTS != "" {
		ch := dmChannel(user)
		if channel != "" {
			ch = resolveChannel(channel)
		}
		p["container"] = map[string]any{"type": "message", "message_ts": messageTS, "channel_id": ch, "is_ephemeral": false}
		p["channel"] = map[string]any{"id": ch, "name": channelName(ch)}
		p["response_url"] = s.newResponseURLLocked(user, ch)
		if m := s.web.posted[msgKey{ch, messageTS}]; m != nil {
			p["message"] = s.botMessage(m.text, m.blocks, messageTS, m.threadTS)
			blocks = decode(m.blocks)
		}
	} else if v := s.web.views[s.web.lastView[user]]; v != nil {
		view := deepCopy(v.obj)
		p["container"] = map[string]any{"type": "view", "view_id": view["id"]}
		p["view"] = view
		blocks = view["blocks"]
	}
	blockID, el := findAction(blocks, actionID)
	action := map[string]any{
		"action_id": actionID, "block_id": blockID, "value": value,
		"type": "button", "action_ts": s.newTSLocked(),
	}
	if el != nil {
		if t, _ := el["type"].(string); t != "" {
			action["type"] = t
		}
		if el["text"] != nil {
			action["text"] = el["text"]
		}
	}
	p["actions"] = []any{action}
	return p
}

// ViewSubmission is the view_submission payload of user submitting the modal with
// callbackID. values maps block ids to action ids to what the user entered or chose.
// The modal is the one last opened for user with that callback id, if any; an empty
// privateMetadata keeps that modal's.
func (s *Server) ViewSubmission(user, callbackID, privateMetadata string, values map[string]map[string]string) map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	var found *storedView
	for _, v := range s.web.views {
		if v.user == user && v.obj["callback_id"] == callbackID && v.obj["type"] == "modal" && (found == nil || v.seq > found.seq) {
			found = v
		}
	}
	view := map[string]any{"type": "modal", "callback_id": callbackID}
	if found != nil {
		view = deepCopy(found.obj)
	} else {
		id := fmt.Sprintf("V%08d", s.nextLocked())
		view["id"], view["team_id"], view["app_id"], view["bot_id"], view["root_view_id"] = id, s.TeamID, s.AppID, s.BotID, id
		view["hash"] = fmt.Sprintf("fakehash%d", s.nextLocked())
	}
	if privateMetadata != "" || view["private_metadata"] == nil {
		view["private_metadata"] = privateMetadata
	}
	state := map[string]any{}
	for blockID, actions := range values {
		inputs := map[string]any{}
		for actionID, v := range actions {
			inputs[actionID] = inputValue(view["blocks"], actionID, v)
		}
		state[blockID] = inputs
	}
	view["state"] = map[string]any{"values": state}
	return map[string]any{
		"type": "view_submission", "team": map[string]any{"id": s.TeamID, "domain": "fake"},
		"user": s.userObjectShort(user), "api_app_id": s.AppID, "token": verificationToken,
		"trigger_id": s.newTriggerLocked(user), "view": view, "response_urls": []any{},
		"is_enterprise_install": false, "enterprise": nil,
	}
}

// inputValue is the state of the input actionID holding v, shaped by the kind of
// element the modal has for it.
func inputValue(blocks any, actionID, v string) map[string]any {
	kind := "plain_text_input"
	if _, el := findAction(blocks, actionID); el != nil {
		if t, _ := el["type"].(string); t != "" {
			kind = t
		}
	}
	switch kind {
	case "static_select", "external_select", "radio_buttons":
		return map[string]any{"type": kind, "selected_option": map[string]any{
			"text": map[string]any{"type": "plain_text", "text": v}, "value": v,
		}}
	default:
		return map[string]any{"type": kind, "value": v}
	}
}
