package fakeslack_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"github.com/ladderapp/ladder/internal/fakeslack"
)

// sendEvent sends event and returns what slack-go made of it.
func sendEvent(t *testing.T, srv *fakeslack.Server, a *app, eventID string, event any, retry int) (slackevents.EventsAPIEvent, *socketmode.Request) {
	t.Helper()
	if _, err := srv.SendEvent(eventID, event, retry); err != nil {
		t.Fatalf("SendEvent: %v", err)
	}
	evt := a.next(t, socketmode.EventTypeEventsAPI)
	if err := a.client.Ack(*evt.Request); err != nil {
		t.Fatalf("Ack: %v", err)
	}
	return evt.Data.(slackevents.EventsAPIEvent), evt.Request
}

func TestMessageEventsParse(t *testing.T) {
	srv := newServer(t)
	a := connect(t, srv, srv.AppToken)
	web := api(srv)

	ts := srv.NewTS()
	outer, req := sendEvent(t, srv, a, "Ev1", srv.DMEvent("U1", "I unblocked the team", ts), 0)
	cb := outer.Data.(*slackevents.EventsAPICallbackEvent)
	if cb.EventID != "Ev1" || cb.TeamID != srv.TeamID || req.RetryAttempt != 0 {
		t.Errorf("outer event = %+v, request = %+v", cb, req)
	}
	msg := outer.InnerEvent.Data.(*slackevents.MessageEvent)
	if msg.User != "U1" || msg.Text != "I unblocked the team" || msg.TimeStamp != ts || msg.Channel != "DU1" || msg.ChannelType != "im" {
		t.Errorf("message = %+v", msg)
	}

	_, req = sendEvent(t, srv, a, "Ev1", srv.DMEvent("U1", "I unblocked the team", ts), 1)
	if req.RetryAttempt != 1 || req.RetryReason != "timeout" {
		t.Errorf("retry = %d %q, want 1 timeout", req.RetryAttempt, req.RetryReason)
	}

	_, prompt, err := web.PostMessage("U1", slack.MsgOptionText("A question", false))
	if err != nil {
		t.Fatalf("post: %v", err)
	}
	reply := srv.NewTS()
	outer, _ = sendEvent(t, srv, a, "", srv.ThreadReplyEvent("U1", "my answer", reply, prompt), 0)
	msg = outer.InnerEvent.Data.(*slackevents.MessageEvent)
	if msg.ThreadTimeStamp != prompt || msg.Text != "my answer" {
		t.Errorf("thread reply = %+v", msg)
	}

	outer, _ = sendEvent(t, srv, a, "", srv.MessageChangedEvent("U1", reply, "my better answer"), 0)
	msg = outer.InnerEvent.Data.(*slackevents.MessageEvent)
	if msg.SubType != "message_changed" || msg.Message.Text != "my better answer" || msg.Message.Timestamp != reply ||
		msg.Message.ThreadTimestamp != prompt || msg.PreviousMessage.Text != "my answer" {
		t.Errorf("message_changed = %+v / %+v / %+v", msg, msg.Message, msg.PreviousMessage)
	}

	outer, _ = sendEvent(t, srv, a, "", srv.MessageDeletedEvent("U1", reply), 0)
	msg = outer.InnerEvent.Data.(*slackevents.MessageEvent)
	if msg.SubType != "message_deleted" || msg.DeletedTimeStamp != reply || msg.PreviousMessage.Text != "my better answer" {
		t.Errorf("message_deleted = %+v", msg)
	}

	outer, _ = sendEvent(t, srv, a, "", srv.BotMessageEvent("BOTHER", "DU1", "beep", srv.NewTS()), 0)
	if msg = outer.InnerEvent.Data.(*slackevents.MessageEvent); msg.BotID != "BOTHER" || msg.SubType != "bot_message" {
		t.Errorf("bot message = %+v", msg)
	}
	outer, _ = sendEvent(t, srv, a, "", srv.BotMessageEvent(srv.BotID, "DU1", "my own", srv.NewTS()), 0)
	if msg = outer.InnerEvent.Data.(*slackevents.MessageEvent); msg.BotID != srv.BotID || msg.User != srv.BotUserID {
		t.Errorf("own message echo = %+v", msg)
	}
}

func TestHomeTabAndButtons(t *testing.T) {
	srv := newServer(t)
	a := connect(t, srv, srv.AppToken)
	web := api(srv)

	start := slack.NewButtonBlockElement("start", "go", slack.NewTextBlockObject(slack.PlainTextType, "Start", false, false))
	home := slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: []slack.Block{
		slack.NewActionBlock("home-actions", start),
	}}}
	published, err := web.PublishView("U1", home, "")
	if err != nil {
		t.Fatalf("PublishView: %v", err)
	}

	outer, _ := sendEvent(t, srv, a, "", srv.AppHomeOpenedEvent("U1"), 0)
	opened := outer.InnerEvent.Data.(*slackevents.AppHomeOpenedEvent)
	if opened.User != "U1" || opened.Tab != "home" || opened.View == nil || opened.View.ID != published.ID {
		t.Errorf("app_home_opened = %+v", opened)
	}

	if _, err := srv.SendInteractive(srv.BlockAction("U1", "start", "go", "", "")); err != nil {
		t.Fatalf("SendInteractive: %v", err)
	}
	evt := a.next(t, socketmode.EventTypeInteractive)
	cb := evt.Data.(slack.InteractionCallback)
	if cb.Type != slack.InteractionTypeBlockActions || cb.User.ID != "U1" || cb.Container.Type != "view" ||
		cb.View.ID != published.ID || cb.TriggerID == "" {
		t.Errorf("block action = %+v", cb)
	}
	act := cb.ActionCallback.BlockActions[0]
	if act.ActionID != "start" || act.BlockID != "home-actions" || act.Value != "go" {
		t.Errorf("action = %+v", act)
	}
	if evt.Request.AcceptsResponsePayload {
		t.Error("block_actions envelope accepts a response payload; Slack's does not")
	}
}

func TestMessageButtonAndModal(t *testing.T) {
	srv := newServer(t)
	a := connect(t, srv, srv.AppToken)
	web := api(srv)

	answer := slack.NewButtonBlockElement("answer", "p1", slack.NewTextBlockObject(slack.PlainTextType, "Answer", false, false))
	_, ts, err := web.PostMessage("U1", slack.MsgOptionText("A question", false),
		slack.MsgOptionBlocks(slack.NewActionBlock("prompt-p1", answer)))
	if err != nil {
		t.Fatalf("post: %v", err)
	}

	if _, err := srv.SendInteractive(srv.BlockAction("U1", "answer", "p1", "", ts)); err != nil {
		t.Fatalf("SendInteractive: %v", err)
	}
	evt := a.next(t, socketmode.EventTypeInteractive)
	cb := evt.Data.(slack.InteractionCallback)
	if err := a.client.Ack(*evt.Request); err != nil {
		t.Fatalf("Ack: %v", err)
	}
	buttonResponseURL := cb.ResponseURL
	act := cb.ActionCallback.BlockActions[0]
	if act.BlockID != "prompt-p1" || act.Value != "p1" || cb.Container.MessageTs != ts || cb.Channel.ID != "DU1" ||
		cb.Message.Text != "A question" || cb.ResponseURL == "" {
		t.Errorf("block action = %+v, action = %+v", cb, act)
	}

	input := slack.NewInputBlock("answer-block", slack.NewTextBlockObject(slack.PlainTextType, "Your answer", false, false), nil,
		slack.NewPlainTextInputBlockElement(nil, "answer-text"))
	modal := slack.ModalViewRequest{
		Type: slack.VTModal, CallbackID: "answer-modal", PrivateMetadata: "p1",
		Title:  slack.NewTextBlockObject(slack.PlainTextType, "Answer", false, false),
		Submit: slack.NewTextBlockObject(slack.PlainTextType, "Save", false, false),
		Blocks: slack.Blocks{BlockSet: []slack.Block{input}},
	}
	opened, err := web.OpenView(cb.TriggerID, modal)
	if err != nil {
		t.Fatalf("OpenView: %v", err)
	}
	if v := srv.Views(); len(v) != 1 || v[0].Kind != "open" || v[0].UserID != "U1" || v[0].ID != opened.ID {
		t.Errorf("views = %+v", v)
	}

	payload := srv.ViewSubmission("U1", "answer-modal", "", map[string]map[string]string{
		"answer-block": {"answer-text": "I ran the planning"},
	})
	envID, err := srv.SendInteractive(payload)
	if err != nil {
		t.Fatalf("SendInteractive: %v", err)
	}
	evt = a.next(t, socketmode.EventTypeInteractive)
	cb = evt.Data.(slack.InteractionCallback)
	if cb.Type != slack.InteractionTypeViewSubmission || cb.View.ID != opened.ID || cb.View.CallbackID != "answer-modal" ||
		cb.View.PrivateMetadata != "p1" || cb.View.State.Values["answer-block"]["answer-text"].Value != "I ran the planning" {
		t.Errorf("view submission = %+v", cb.View)
	}
	if !evt.Request.AcceptsResponsePayload {
		t.Error("view_submission envelope does not accept a response payload")
	}
	if err := a.client.Ack(*evt.Request, slack.NewClearViewSubmissionResponse()); err != nil {
		t.Fatalf("Ack: %v", err)
	}
	ack, err := srv.WaitAck(waitCtx(t), envID)
	if err != nil {
		t.Fatalf("WaitAck: %v", err)
	}
	var resp struct {
		ResponseAction string `json:"response_action"`
	}
	if err := json.Unmarshal(ack.Payload, &resp); err != nil || resp.ResponseAction != "clear" {
		t.Errorf("ack payload = %s", ack.Payload)
	}

	_, _, err = web.PostMessage("", slack.MsgOptionText("Saved", false), slack.MsgOptionReplaceOriginal(buttonResponseURL))
	if err != nil {
		t.Fatalf("post to the button's response_url: %v", err)
	}
	if m := srv.Messages(); len(m) != 2 || m[1].Kind != "response" || !m[1].ReplaceOriginal || m[1].Text != "Saved" || m[1].Channel != "DU1" {
		t.Errorf("messages = %+v", m)
	}
	if !strings.Contains(string(srv.Views()[0].View), "answer-text") {
		t.Errorf("recorded view lacks the app's blocks: %s", srv.Views()[0].View)
	}
}
