package fakeslack

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Interaction says what a user did to an element of a message or of a view,
// for ActionPayload, SubmissionPayload and ClosedPayload. Unlike BlockAction
// and ViewSubmission, which take an action id and a value, these payloads are
// shaped by the element itself, as Slack shapes them: a select sends the
// option it offers, a user picker a user id, a time picker a time, and a
// submitted form carries every input, the untouched ones with their initial
// values.
type Interaction struct {
	User string
	// Message is the message the element is in, as the server recorded it:
	// a post, which the payload quotes as it stands now, or an ephemeral
	// message, an ack or a response_url reply, which only its user saw.
	Message *Message
	// ViewID is the view the element is in, or the view submitted or closed.
	ViewID string
	// View, when set, is the view as the user sees it, for a view the server
	// does not hold as shown, such as one an ack replaced with
	// response_action "update".
	View json.RawMessage
	// BlockID and ActionID name the element acted on. An empty BlockID
	// matches the first element with ActionID.
	BlockID, ActionID string
	// Values is what the user chose in a menu or picker: option values, user
	// or conversation ids, a date (YYYY-MM-DD) or a time (HH:MM). It is empty
	// for a button.
	Values []string
	// Inputs is what the user entered in the view's form, by block id and
	// action id: a text, or values as in Values. Inputs not named keep their
	// initial values.
	Inputs map[string]map[string][]string
}

// ActionPayload is the block_actions payload of in.User acting on the element
// in.ActionID of in.Message or of the view in.ViewID. Its trigger_id works
// with views.open. It fails if the message or view has no such element.
func (s *Server) ActionPayload(in Interaction) (map[string]any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := map[string]any{
		"type": "block_actions", "user": s.userObjectShort(in.User), "api_app_id": s.AppID,
		"token": verificationToken, "trigger_id": s.newTriggerLocked(in.User),
		"team": map[string]any{"id": s.TeamID, "domain": "fake"}, "enterprise": nil,
		"is_enterprise_install": false, "state": map[string]any{"values": map[string]any{}},
	}
	var blocks any
	switch {
	case in.Message != nil:
		m := in.Message
		ch := resolveChannel(m.Channel)
		if ch == "" {
			ch = dmChannel(in.User)
		}
		p["channel"] = map[string]any{"id": ch, "name": channelName(ch)}
		p["response_url"] = s.newResponseURLLocked(in.User, ch)
		stored := s.web.posted[msgKey{ch, m.TS}]
		switch {
		case (m.Kind == "post" || m.Kind == "update") && stored != nil:
			p["container"] = map[string]any{"type": "message", "message_ts": m.TS, "channel_id": ch, "is_ephemeral": false}
			p["message"] = s.botMessage(stored.text, stored.blocks, m.TS, stored.threadTS)
			blocks = decode(stored.blocks)
		case m.Kind == "post" || m.Kind == "update":
			return nil, fmt.Errorf("fakeslack: message %s in %s is gone", m.TS, ch)
		default:
			// Slack quotes no ephemeral message back: the app has only the
			// container and the response_url.
			ts := m.TS
			if ts == "" {
				ts = s.newTSLocked()
			}
			p["container"] = map[string]any{"type": "message", "message_ts": ts, "channel_id": ch, "is_ephemeral": true}
			blocks = decode(m.Blocks)
		}
	case in.ViewID != "" || in.View != nil:
		view, err := s.viewLocked(in)
		if err != nil {
			return nil, err
		}
		p["container"] = map[string]any{"type": "view", "view_id": view["id"]}
		p["view"] = view
		blocks = view["blocks"]
	default:
		return nil, errors.New("fakeslack: an action needs a message or a view")
	}
	blockID, el := findElement(blocks, in.BlockID, in.ActionID)
	if el == nil {
		return nil, fmt.Errorf("fakeslack: no element %q in block %q", in.ActionID, in.BlockID)
	}
	t, _ := el["type"].(string)
	action := map[string]any{"action_id": in.ActionID, "block_id": blockID, "type": t, "action_ts": s.newTSLocked()}
	if t == "button" {
		action["text"], action["value"] = el["text"], el["value"]
		if style, ok := el["style"]; ok {
			action["style"] = style
		}
	} else {
		for k, v := range selection(el, in.Values) {
			action[k] = v
		}
	}
	p["actions"] = []any{action}
	return p, nil
}

// SubmissionPayload is the view_submission payload of in.User submitting the
// view in.ViewID with the inputs in.Inputs.
func (s *Server) SubmissionPayload(in Interaction) (map[string]any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	view, err := s.viewLocked(in)
	if err != nil {
		return nil, err
	}
	return map[string]any{
		"type": "view_submission", "team": map[string]any{"id": s.TeamID, "domain": "fake"},
		"user": s.userObjectShort(in.User), "api_app_id": s.AppID, "token": verificationToken,
		"trigger_id": s.newTriggerLocked(in.User), "view": view, "response_urls": []any{},
		"is_enterprise_install": false, "enterprise": nil,
	}, nil
}

// ClosedPayload is the view_closed payload of in.User closing the view
// in.ViewID with its Cancel button or its ×. Slack sends it only for a view
// that asked for it with notify_on_close.
func (s *Server) ClosedPayload(in Interaction) (map[string]any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	view, err := s.viewLocked(in)
	if err != nil {
		return nil, err
	}
	return map[string]any{
		"type": "view_closed", "team": map[string]any{"id": s.TeamID, "domain": "fake"},
		"user": s.userObjectShort(in.User), "api_app_id": s.AppID, "token": verificationToken,
		"view": view, "is_cleared": false, "is_enterprise_install": false, "enterprise": nil,
	}, nil
}

// viewLocked is the view of in, as a payload carries it: Slack's fields and
// the state of its form.
func (s *Server) viewLocked(in Interaction) (map[string]any, error) {
	var view map[string]any
	stored := s.web.views[in.ViewID]
	switch {
	case in.View != nil:
		if json.Unmarshal(in.View, &view) != nil || view == nil {
			return nil, errors.New("fakeslack: the view is not a JSON object")
		}
		id := in.ViewID
		if id == "" {
			id = fmt.Sprintf("V%08d", s.nextLocked())
		}
		view["id"], view["team_id"], view["app_id"], view["bot_id"] = id, s.TeamID, s.AppID, s.BotID
		view["hash"] = fmt.Sprintf("%d.fakehash%d", s.cfg.now().Unix(), s.nextLocked())
		if _, ok := view["root_view_id"]; !ok {
			view["root_view_id"] = id
		}
	case stored != nil:
		view = deepCopy(stored.obj)
	default:
		return nil, fmt.Errorf("fakeslack: no view %q", in.ViewID)
	}
	view["state"] = map[string]any{"values": formState(view["blocks"], in.Inputs)}
	return view, nil
}

// formState is the state.values of a view whose input blocks are blocks:
// what the user entered, or else each input's initial value.
func formState(blocks any, entered map[string]map[string][]string) map[string]any {
	state := map[string]any{}
	list, _ := blocks.([]any)
	for _, b := range list {
		bm, _ := b.(map[string]any)
		if bm["type"] != "input" {
			continue
		}
		blockID, _ := bm["block_id"].(string)
		el, _ := bm["element"].(map[string]any)
		actionID, _ := el["action_id"].(string)
		if el == nil || actionID == "" {
			continue
		}
		values, ok := entered[blockID][actionID]
		if !ok {
			values = initialValues(el)
		}
		v := selection(el, values)
		v["type"] = el["type"]
		state[blockID] = map[string]any{actionID: v}
	}
	return state
}

// selection is what a payload says el holds when it holds values: the fields
// Slack sends for an element of el's type.
func selection(el map[string]any, values []string) map[string]any {
	t, _ := el["type"].(string)
	first := func() any {
		if len(values) == 0 {
			return nil
		}
		return values[0]
	}
	ids := func() []any {
		out := []any{}
		for _, v := range values {
			out = append(out, v)
		}
		return out
	}
	switch t {
	case "static_select", "external_select", "radio_buttons", "overflow":
		if len(values) == 0 {
			return map[string]any{"selected_option": nil}
		}
		return map[string]any{"selected_option": optionFor(el, values[0])}
	case "multi_static_select", "multi_external_select", "checkboxes":
		opts := []any{}
		for _, v := range values {
			opts = append(opts, optionFor(el, v))
		}
		return map[string]any{"selected_options": opts}
	case "users_select":
		return map[string]any{"selected_user": first()}
	case "multi_users_select":
		return map[string]any{"selected_users": ids()}
	case "conversations_select":
		return map[string]any{"selected_conversation": first()}
	case "multi_conversations_select":
		return map[string]any{"selected_conversations": ids()}
	case "channels_select":
		return map[string]any{"selected_channel": first()}
	case "multi_channels_select":
		return map[string]any{"selected_channels": ids()}
	case "datepicker":
		return map[string]any{"selected_date": first()}
	case "timepicker":
		return map[string]any{"selected_time": first()}
	case "datetimepicker":
		if len(values) == 0 {
			return map[string]any{"selected_date_time": nil}
		}
		n, _ := strconv.ParseInt(values[0], 10, 64)
		return map[string]any{"selected_date_time": n}
	case "rich_text_input":
		return map[string]any{"rich_text_value": map[string]any{"type": "rich_text", "elements": []any{
			map[string]any{"type": "rich_text_section", "elements": []any{
				map[string]any{"type": "text", "text": strings.Join(values, "\n")},
			}},
		}}}
	default:
		return map[string]any{"value": first()}
	}
}

// optionFor is the option of el with value, as el offers it, or one made up
// for a value el does not offer (an external select's).
func optionFor(el map[string]any, value string) map[string]any {
	var found map[string]any
	//lint:ignore S1021 look calls itself, so it is declared before it is assigned
	var look func(list any)
	look = func(list any) {
		l, _ := list.([]any)
		for _, o := range l {
			om, _ := o.(map[string]any)
			if v, _ := om["value"].(string); v == value && found == nil {
				found = deepCopy(om)
			}
		}
	}
	look(el["options"])
	groups, _ := el["option_groups"].([]any)
	for _, g := range groups {
		gm, _ := g.(map[string]any)
		look(gm["options"])
	}
	if found != nil {
		return found
	}
	return map[string]any{"text": map[string]any{"type": "plain_text", "text": value}, "value": value}
}

// initialValues is what el holds before the user touches it.
func initialValues(el map[string]any) []string {
	for _, k := range []string{"initial_value", "initial_user", "initial_conversation", "initial_channel", "initial_date", "initial_time"} {
		if s, _ := el[k].(string); s != "" {
			return []string{s}
		}
	}
	if n, ok := el["initial_date_time"].(float64); ok {
		return []string{strconv.FormatInt(int64(n), 10)}
	}
	if o, ok := el["initial_option"].(map[string]any); ok {
		v, _ := o["value"].(string)
		return []string{v}
	}
	var out []string
	for _, k := range []string{"initial_options", "initial_users", "initial_conversations", "initial_channels"} {
		l, _ := el[k].([]any)
		for _, x := range l {
			switch x := x.(type) {
			case string:
				out = append(out, x)
			case map[string]any:
				v, _ := x["value"].(string)
				out = append(out, v)
			}
		}
	}
	return out
}

// findElement finds the element with actionID in the block with blockID, or
// in any block if blockID is empty, and returns the id of the block holding it.
func findElement(blocks any, blockID, actionID string) (string, map[string]any) {
	if blockID == "" {
		return findAction(blocks, actionID)
	}
	list, _ := blocks.([]any)
	for _, b := range list {
		bm, _ := b.(map[string]any)
		if id, _ := bm["block_id"].(string); id != blockID {
			continue
		}
		if _, el := findAction(bm, actionID); el != nil {
			return blockID, el
		}
	}
	return "", nil
}
