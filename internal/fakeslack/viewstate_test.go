package fakeslack_test

import (
	"encoding/json"
	"testing"

	"github.com/slack-go/slack"
)

// TestSubmitView: the state of a submitted modal holds every input, each in
// the shape of its element: the fields the user changed with their new
// values, the others with their initial ones, and a cleared field as null.
func TestSubmitView(t *testing.T) {
	srv := newServer(t)
	web := api(srv)
	opt := func(v, text string) *slack.OptionBlockObject {
		return slack.NewOptionBlockObject(v, slack.NewTextBlockObject(slack.PlainTextType, text, false, false), nil)
	}
	label := func(s string) *slack.TextBlockObject {
		return slack.NewTextBlockObject(slack.PlainTextType, s, false, false)
	}
	day := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, nil, "day", opt("mon", "Monday"), opt("tue", "Tuesday"))
	day.InitialOption = opt("mon", "Monday")
	share := slack.NewRadioButtonsBlockElement("share", opt("full", "Full"), opt("off", "Off"))
	share.InitialOption = opt("off", "Off")
	clock := slack.NewTimePickerBlockElement("time")
	clock.InitialTime = "09:30"
	who := slack.NewOptionsSelectBlockElement(slack.OptTypeUser, nil, "who")
	who.InitialUser = "UBOB"
	note := slack.NewPlainTextInputBlockElement(nil, "note")
	note.InitialValue = "hello"
	modal := slack.ModalViewRequest{
		Type: slack.VTModal, CallbackID: "settings", Title: label("Settings"), Submit: label("Save"),
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			slack.NewInputBlock("b_day", label("Day"), nil, day),
			slack.NewInputBlock("b_share", label("Share"), nil, share),
			slack.NewInputBlock("b_time", label("Time"), nil, clock),
			slack.NewInputBlock("b_who", label("Manager"), nil, who),
			slack.NewInputBlock("b_note", label("Note"), nil, note),
		}},
	}
	trigger := srv.BlockAction("U1", "open", "", "", "")["trigger_id"].(string)
	if _, err := web.OpenView(trigger, modal); err != nil {
		t.Fatalf("OpenView: %v", err)
	}

	payload := srv.SubmitView("U1", "settings", map[string]map[string]string{
		"b_day":  {"day": "tue"},
		"b_time": {"time": "21:15"},
		"b_who":  {"who": ""},
	})
	raw, err := json.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	var cb slack.InteractionCallback
	if err := json.Unmarshal(raw, &cb); err != nil {
		t.Fatal(err)
	}
	v := cb.View.State.Values
	if got := v["b_day"]["day"].SelectedOption; got.Value != "tue" || got.Text == nil || got.Text.Text != "Tuesday" {
		t.Errorf("changed select: got %+v, want the Tuesday option as the view has it", got)
	}
	if got := v["b_share"]["share"].SelectedOption.Value; got != "off" {
		t.Errorf("untouched radio buttons: got %q, want the initial off", got)
	}
	if got := v["b_time"]["time"]; got.SelectedTime != "21:15" || got.Type != "timepicker" {
		t.Errorf("time picker: got %+v, want selected_time 21:15", got)
	}
	if got := v["b_who"]["who"].SelectedUser; got != "" {
		t.Errorf("cleared user select: got %q, want none", got)
	}
	if got := v["b_note"]["note"].Value; got != "hello" {
		t.Errorf("untouched text input: got %q, want its initial value", got)
	}
	var state struct {
		View struct {
			State struct {
				Values map[string]map[string]map[string]any `json:"values"`
			} `json:"state"`
		} `json:"view"`
	}
	json.Unmarshal(raw, &state)
	if who, ok := state.View.State.Values["b_who"]["who"]["selected_user"]; !ok || who != nil {
		t.Errorf("cleared user select: selected_user %v (present %v), want null", who, ok)
	}
}
