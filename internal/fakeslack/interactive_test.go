package fakeslack_test

import (
	"encoding/json"
	"testing"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/ladderapp/ladder/internal/fakeslack"
)

// sendInteractive sends payload and returns what slack-go made of it.
func sendInteractive(t *testing.T, srv *fakeslack.Server, a *app, payload map[string]any, err error) slack.InteractionCallback {
	t.Helper()
	if err != nil {
		t.Fatalf("payload: %v", err)
	}
	if _, err := srv.SendInteractive(payload); err != nil {
		t.Fatalf("SendInteractive: %v", err)
	}
	evt := a.next(t, socketmode.EventTypeInteractive)
	if err := a.client.Ack(*evt.Request); err != nil {
		t.Fatalf("Ack: %v", err)
	}
	return evt.Data.(slack.InteractionCallback)
}

func plainText(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, s, false, false)
}

func TestActionPayloadInAPostAndInAnEphemeralMessage(t *testing.T) {
	srv := newServer(t)
	a := connect(t, srv, srv.AppToken)
	web := api(srv)

	// Two buttons with one action id, in two blocks: the block id decides.
	blocks := slack.MsgOptionBlocks(
		slack.NewActionBlock("first", slack.NewButtonBlockElement("go", "1", plainText("One"))),
		slack.NewActionBlock("second", slack.NewButtonBlockElement("go", "2", plainText("Two"))))
	_, ts, err := web.PostMessage("U1", slack.MsgOptionText("Pick", false), blocks)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := web.PostEphemeral("U1", "U1", slack.MsgOptionText("Only you", false), blocks); err != nil {
		t.Fatal(err)
	}
	msgs := srv.Messages()
	post, eph := msgs[0], msgs[1]
	if post.TS != ts || eph.Kind != "ephemeral" {
		t.Fatalf("messages = %+v", msgs)
	}

	p, err := srv.ActionPayload(fakeslack.Interaction{User: "U1", Message: &post, BlockID: "second", ActionID: "go"})
	cb := sendInteractive(t, srv, a, p, err)
	act := cb.ActionCallback.BlockActions[0]
	if act.BlockID != "second" || act.Value != "2" || act.Text.Text != "Two" || cb.Container.MessageTs != ts ||
		cb.Container.IsEphemeral || cb.Message.Text != "Pick" || cb.Channel.ID != "DU1" || cb.TriggerID == "" || cb.ResponseURL == "" {
		t.Errorf("post: callback = %+v, action = %+v", cb, act)
	}

	p, err = srv.ActionPayload(fakeslack.Interaction{User: "U1", Message: &eph, ActionID: "go"})
	cb = sendInteractive(t, srv, a, p, err)
	act = cb.ActionCallback.BlockActions[0]
	if act.BlockID != "first" || act.Value != "1" || !cb.Container.IsEphemeral || cb.Message.Text != "" || cb.ResponseURL == "" {
		t.Errorf("ephemeral: callback = %+v, action = %+v", cb, act)
	}

	if _, err := srv.ActionPayload(fakeslack.Interaction{User: "U1", Message: &post, BlockID: "first", ActionID: "nope"}); err == nil {
		t.Error("an action on a missing element made a payload")
	}
}

// settingsModal has one input of each kind a settings form uses, each with a
// value set at first, and one without.
func settingsModal() slack.ModalViewRequest {
	em := slack.NewOptionBlockObject("em", plainText("EM"), nil)
	senior := slack.NewOptionBlockObject("senior-em", plainText("Senior EM"), nil)
	level := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, nil, "level", em, senior)
	level.InitialOption = em
	broad := slack.NewOptionBlockObject("broad", plainText("Broad"), nil)
	deep := slack.NewOptionBlockObject("deep", plainText("Deep"), nil)
	track := slack.NewRadioButtonsBlockElement("track", broad, deep)
	track.InitialOption = broad
	tp := slack.NewTimePickerBlockElement("time")
	tp.InitialTime = "09:30"
	manager := slack.NewOptionsSelectBlockElement(slack.OptTypeUser, nil, "manager")
	note := slack.NewPlainTextInputBlockElement(nil, "note")
	button := slack.NewButtonBlockElement("expect", "x", plainText("What's expected"))
	return slack.ModalViewRequest{
		Type: slack.VTModal, CallbackID: "settings", PrivateMetadata: "meta",
		Title:  plainText("Settings"),
		Submit: plainText("Save"),
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			slack.NewInputBlock("level", plainText("Level"), nil, level),
			slack.NewInputBlock("track", plainText("Track"), nil, track),
			slack.NewInputBlock("time", plainText("Time"), nil, tp),
			slack.NewInputBlock("manager", plainText("Manager"), nil, manager),
			slack.NewInputBlock("note", plainText("Note"), nil, note),
			slack.NewActionBlock("more", button),
		}},
	}
}

func TestSubmissionPayloadShapesEachInput(t *testing.T) {
	srv := newServer(t)
	a := connect(t, srv, srv.AppToken)
	web := api(srv)

	_, ts, err := web.PostMessage("U1", slack.MsgOptionText("Open", false),
		slack.MsgOptionBlocks(slack.NewActionBlock("b", slack.NewButtonBlockElement("open", "", plainText("Open")))))
	if err != nil {
		t.Fatal(err)
	}
	post := srv.Messages()[0]
	p, err := srv.ActionPayload(fakeslack.Interaction{User: "U1", Message: &post, ActionID: "open"})
	cb := sendInteractive(t, srv, a, p, err)
	if cb.Container.MessageTs != ts {
		t.Fatalf("callback = %+v", cb)
	}
	opened, err := web.OpenView(cb.TriggerID, settingsModal())
	if err != nil {
		t.Fatalf("OpenView: %v", err)
	}

	// A button in the modal: the view's state already holds the inputs.
	p, err = srv.ActionPayload(fakeslack.Interaction{User: "U1", ViewID: opened.ID, ActionID: "expect"})
	cb = sendInteractive(t, srv, a, p, err)
	if cb.Container.Type != "view" || cb.View.ID != opened.ID || cb.View.State.Values["level"]["level"].SelectedOption.Value != "em" {
		t.Errorf("button in the modal: %+v, state %+v", cb.Container, cb.View.State)
	}

	p, err = srv.SubmissionPayload(fakeslack.Interaction{User: "U1", ViewID: opened.ID, Inputs: map[string]map[string][]string{
		"track":   {"track": {"deep"}},
		"manager": {"manager": {"UBOB"}},
		"note":    {"note": {"Moved the standup"}},
	}})
	cb = sendInteractive(t, srv, a, p, err)
	v := cb.View.State.Values
	if cb.Type != slack.InteractionTypeViewSubmission || cb.View.ID != opened.ID || cb.View.PrivateMetadata != "meta" {
		t.Errorf("submission = %+v", cb.View)
	}
	if got := v["level"]["level"].SelectedOption; got.Value != "em" || got.Text.Text != "EM" {
		t.Errorf("level kept its initial option: got %+v", got)
	}
	if got := v["track"]["track"].SelectedOption; got.Value != "deep" || got.Text.Text != "Deep" {
		t.Errorf("track: got %+v", got)
	}
	if got := v["time"]["time"].SelectedTime; got != "09:30" {
		t.Errorf("time: got %q", got)
	}
	if got := v["manager"]["manager"].SelectedUser; got != "UBOB" {
		t.Errorf("manager: got %q", got)
	}
	if got := v["note"]["note"].Value; got != "Moved the standup" {
		t.Errorf("note: got %q", got)
	}

	// A view an ack replaced is submitted as the user saw it.
	replaced, _ := json.Marshal(settingsModal())
	p, err = srv.SubmissionPayload(fakeslack.Interaction{User: "U1", ViewID: opened.ID, View: replaced})
	cb = sendInteractive(t, srv, a, p, err)
	if cb.View.ID != opened.ID || cb.View.CallbackID != "settings" || cb.View.State.Values["track"]["track"].SelectedOption.Value != "broad" {
		t.Errorf("replaced view: %+v", cb.View)
	}

	p, err = srv.ClosedPayload(fakeslack.Interaction{User: "U1", ViewID: opened.ID})
	cb = sendInteractive(t, srv, a, p, err)
	if cb.Type != slack.InteractionTypeViewClosed || cb.View.ID != opened.ID {
		t.Errorf("closed = %+v", cb)
	}
	if _, err := srv.SubmissionPayload(fakeslack.Interaction{User: "U1", ViewID: "VNOPE"}); err == nil {
		t.Error("a submission of an unknown view made a payload")
	}
}

func TestActionPayloadOfAMenu(t *testing.T) {
	srv := newServer(t)
	a := connect(t, srv, srv.AppToken)
	web := api(srv)
	people := slack.NewOptionBlockObject("people", plainText("People"), nil)
	scaling := slack.NewOptionBlockObject("scaling", plainText("Scaling"), nil)
	sel := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plainText("Area"), "area", people, scaling)
	if _, _, err := web.PostMessage("U1", slack.MsgOptionText("Which?", false), slack.MsgOptionBlocks(slack.NewActionBlock("pick", sel))); err != nil {
		t.Fatal(err)
	}
	post := srv.Messages()[0]
	p, err := srv.ActionPayload(fakeslack.Interaction{User: "U1", Message: &post, ActionID: "area", Values: []string{"scaling"}})
	cb := sendInteractive(t, srv, a, p, err)
	act := cb.ActionCallback.BlockActions[0]
	if act.Type != "static_select" || act.SelectedOption.Value != "scaling" || act.SelectedOption.Text.Text != "Scaling" {
		t.Errorf("action = %+v", act)
	}
}
