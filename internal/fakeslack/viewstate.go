package fakeslack

// SubmitView is the view_submission payload of user submitting the modal
// with callbackID last opened for them, as Slack sends it: the view's state
// holds every input block, each as the user left it. values maps block ids
// to action ids to what the user changed: an option's value for a select or
// radio buttons, "HH:mm" for a time picker, a user id for a user select,
// YYYY-MM-DD for a date picker, the text for a text input; "" empties the
// field. Every input not in values keeps its initial value.
//
// The state holds every stateful element, not only the ones the user
// changed (https://api.slack.com/changelog/2020-09-full-state-on-view-submisson-and-block-actions),
// each shaped by its kind, as Bolt's ViewStateValue types it
// (https://docs.slack.dev/tools/bolt-js/reference/interfaces/ViewStateValue):
// selected_option (the option object as the view has it), selected_time,
// selected_user, selected_date or value, null when empty.
func (s *Server) SubmitView(user, callbackID string, values map[string]map[string]string) map[string]any {
	p := s.ViewSubmission(user, callbackID, "", nil)
	view, _ := p["view"].(map[string]any)
	blocks, _ := view["blocks"].([]any)
	state := map[string]any{}
	for _, b := range blocks {
		block, _ := b.(map[string]any)
		if block == nil || block["type"] != "input" {
			continue
		}
		blockID, _ := block["block_id"].(string)
		el, _ := block["element"].(map[string]any)
		if blockID == "" || el == nil {
			continue
		}
		actionID, _ := el["action_id"].(string)
		v, changed := values[blockID][actionID]
		if !changed {
			v = initialValue(el)
		}
		state[blockID] = map[string]any{actionID: elementState(el, v)}
	}
	// A block the view does not have is sent as given: a test of how the
	// app takes a payload it did not expect.
	for blockID, actions := range values {
		if _, ok := state[blockID]; ok {
			continue
		}
		inputs := map[string]any{}
		for actionID, v := range actions {
			inputs[actionID] = map[string]any{"type": "plain_text_input", "value": v}
		}
		state[blockID] = inputs
	}
	view["state"] = map[string]any{"values": state}
	return p
}

// initialValue is what an element holds before the user touches it, in the
// form SubmitView's values take.
func initialValue(el map[string]any) string {
	for _, f := range []string{"initial_time", "initial_user", "initial_date", "initial_value", "initial_conversation", "initial_channel"} {
		if v, ok := el[f].(string); ok {
			return v
		}
	}
	if o, ok := el["initial_option"].(map[string]any); ok {
		v, _ := o["value"].(string)
		return v
	}
	return ""
}

// elementState is the state of element el holding v, "" for empty.
func elementState(el map[string]any, v string) map[string]any {
	kind, _ := el["type"].(string)
	st := map[string]any{"type": kind}
	var val any
	if v != "" {
		val = v
	}
	switch kind {
	case "static_select", "external_select", "radio_buttons":
		st["selected_option"] = nil
		if v != "" {
			st["selected_option"] = optionWithValue(el, v)
		}
	case "timepicker":
		st["selected_time"] = val
	case "users_select":
		st["selected_user"] = val
	case "conversations_select":
		st["selected_conversation"] = val
	case "channels_select":
		st["selected_channel"] = val
	case "datepicker":
		st["selected_date"] = val
	default:
		st["value"] = val
	}
	return st
}

// optionWithValue is el's option whose value is v, as the view has it, or
// one made up for v if el has none: what a tampered payload would carry.
func optionWithValue(el map[string]any, v string) map[string]any {
	var opts []any
	if os, ok := el["options"].([]any); ok {
		opts = append(opts, os...)
	}
	if gs, ok := el["option_groups"].([]any); ok {
		for _, g := range gs {
			if gm, ok := g.(map[string]any); ok {
				if os, ok := gm["options"].([]any); ok {
					opts = append(opts, os...)
				}
			}
		}
	}
	for _, o := range opts {
		if om, ok := o.(map[string]any); ok && om["value"] == v {
			return deepCopy(om)
		}
	}
	return map[string]any{"text": map[string]any{"type": "plain_text", "text": v}, "value": v}
}
