package fakeslack_test

import (
	"encoding/json"
	"testing"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/ladderapp/ladder/internal/fakeslack"
)

// decodeMessage wraps event as Slack's event_callback does and decodes it the
// way slack-go's Socket Mode client does, returning the message event and the
// event's JSON as a map.
func decodeMessage(t *testing.T, event map[string]any) (*slackevents.MessageEvent, map[string]any) {
	t.Helper()
	raw, err := json.Marshal(map[string]any{
		"type": "event_callback", "team_id": "TFAKE", "api_app_id": "AFAKE", "event_id": "Ev1", "event": event,
	})
	if err != nil {
		t.Fatal(err)
	}
	outer, err := slackevents.ParseEvent(raw, slackevents.OptionNoVerifyToken())
	if err != nil {
		t.Fatalf("slackevents cannot parse %s: %v", raw, err)
	}
	msg, ok := outer.InnerEvent.Data.(*slackevents.MessageEvent)
	if !ok {
		t.Fatalf("decoded as %T, want a message event", outer.InnerEvent.Data)
	}
	var m map[string]any
	b, _ := json.Marshal(event)
	_ = json.Unmarshal(b, &m)
	return msg, m
}

func TestDeletionWithoutRepliesIsMessageDeleted(t *testing.T) {
	srv := newServer(t)
	ts := srv.NewTS()
	srv.DMEvent("U1", "a lone answer", ts)
	msg, _ := decodeMessage(t, srv.DeletionEvent("U1", ts))
	if msg.SubType != "message_deleted" || msg.DeletedTimeStamp != ts || msg.PreviousMessage.User != "U1" || msg.PreviousMessage.Text != "a lone answer" {
		t.Errorf("deletion = %+v / %+v, want message_deleted of %s by U1", msg, msg.PreviousMessage, ts)
	}

	// A reply in a thread has no replies of its own, whatever else the thread holds.
	root, reply := srv.NewTS(), srv.NewTS()
	srv.DMEvent("U1", "root", root)
	srv.ThreadReplyEvent("U1", "a reply", reply, root)
	srv.ThreadReplyEvent("U1", "another reply", srv.NewTS(), root)
	if msg, _ := decodeMessage(t, srv.DeletionEvent("U1", reply)); msg.SubType != "message_deleted" || msg.DeletedTimeStamp != reply {
		t.Errorf("deleting a reply = %+v, want message_deleted", msg)
	}
}

func TestDeletionWithRepliesLeavesATombstone(t *testing.T) {
	srv := newServer(t)
	web := api(srv)
	ts := srv.NewTS()
	srv.DMEvent("U1", "my answer", ts)
	if _, _, err := web.PostMessage("U1", slack.MsgOptionText("Saved.", false), slack.MsgOptionTS(ts)); err != nil {
		t.Fatal(err)
	}
	later := srv.NewTS()
	srv.ThreadReplyEvent("U1", "and one more thing", later, ts)

	msg, raw := decodeMessage(t, srv.DeletionEvent("U1", ts))
	if msg.SubType != "message_changed" || raw["hidden"] != true {
		t.Fatalf("deletion with replies = %+v, want a hidden message_changed", msg)
	}
	tomb := msg.Message
	if tomb.SubType != "tombstone" || tomb.User != fakeslack.Slackbot || tomb.Text != "This message was deleted." ||
		!tomb.Hidden || tomb.Timestamp != ts || tomb.ThreadTimestamp != ts {
		t.Errorf("tombstone = %+v", tomb)
	}
	if tomb.ReplyCount != 2 || tomb.LatestReply != later || len(tomb.ReplyUsers) != 2 {
		t.Errorf("tombstone thread: %d replies, latest %s, users %v; want 2, %s, [UBOT U1]", tomb.ReplyCount, tomb.LatestReply, tomb.ReplyUsers, later)
	}
	if p := msg.PreviousMessage; p == nil || p.User != "U1" || p.Text != "my answer" || p.Timestamp != ts || p.SubType != "" {
		t.Errorf("previous_message = %+v, want U1's original", p)
	}

	// Once deleted, the message is gone: deleting it again has nothing to tombstone
	// beyond its thread, and its text is not remembered.
	msg, _ = decodeMessage(t, srv.DeletionEvent("U1", ts))
	if msg.PreviousMessage.Text != "" {
		t.Errorf("second deletion still knows the text %q", msg.PreviousMessage.Text)
	}
}

func TestFileShareEvent(t *testing.T) {
	srv := newServer(t)
	ts := srv.NewTS()
	msg, raw := decodeMessage(t, srv.FileShareEvent("U1", "", ts, ""))
	if msg.SubType != "file_share" || msg.Text != "" || msg.User != "U1" || msg.TimeStamp != ts || msg.ChannelType != "im" || msg.ThreadTimeStamp != "" {
		t.Errorf("file_share = %+v", msg)
	}
	if _, has := raw["text"]; !has {
		t.Error("file_share has no text field; Slack sends an empty one")
	}
	if _, has := raw["team"]; has {
		t.Error("file_share has a team field; Slack leaves it out")
	}
	if !msg.Message.Upload || msg.Message.DisplayAsBot == nil || *msg.Message.DisplayAsBot {
		t.Errorf("upload %v, display_as_bot %v; want true, false", msg.Message.Upload, msg.Message.DisplayAsBot)
	}
	if len(msg.Message.Files) != 1 {
		t.Fatalf("files = %+v, want one", msg.Message.Files)
	}
	f := msg.Message.Files[0]
	if f.ID == "" || f.Name != "notes.pdf" || f.Title == "" || f.Mimetype != "application/pdf" || f.Filetype != "pdf" ||
		f.User != "U1" || f.Size == 0 || f.URLPrivate == "" || f.Mode != "hosted" {
		t.Errorf("file = %+v", f)
	}

	thread := srv.NewTS()
	msg, _ = decodeMessage(t, srv.FileShareEvent("U1", "the design doc I wrote", srv.NewTS(), thread))
	if msg.ThreadTimeStamp != thread || msg.Text != "the design doc I wrote" || len(msg.Blocks.BlockSet) == 0 {
		t.Errorf("file_share in a thread = %+v", msg)
	}
}

func TestBotMessageChangedEvent(t *testing.T) {
	srv := newServer(t)
	web := api(srv)
	ch, ts, err := web.PostMessage("U1", slack.MsgOptionText("Which area?", false))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := web.UpdateMessage(ch, ts, slack.MsgOptionText("Saved to Scaling.", false)); err != nil {
		t.Fatal(err)
	}
	msg, raw := decodeMessage(t, srv.BotMessageChangedEvent("U1", ts))
	if msg.SubType != "message_changed" || msg.Channel != ch || msg.ChannelType != "im" {
		t.Errorf("bot edit = %+v", msg)
	}
	m := msg.Message
	if m.BotID != srv.BotID || m.User != srv.BotUserID || m.Text != "Saved to Scaling." || m.Timestamp != ts || m.Edited == nil || m.Edited.User != srv.BotUserID {
		t.Errorf("edited message = %+v", m)
	}
	if app := raw["message"].(map[string]any)["app_id"]; app != srv.AppID {
		t.Errorf("message app_id = %v, want %s", app, srv.AppID)
	}
	if p := msg.PreviousMessage; p == nil || p.Text != "Which area?" || p.BotID != srv.BotID {
		t.Errorf("previous_message = %+v", p)
	}
}

func TestThreadBroadcastEvent(t *testing.T) {
	srv := newServer(t)
	web := api(srv)
	_, prompt, err := web.PostMessage("U1", slack.MsgOptionText("What did you delegate this week?", false))
	if err != nil {
		t.Fatal(err)
	}
	ts := srv.NewTS()
	msg, raw := decodeMessage(t, srv.ThreadBroadcastEvent("U1", "the on-call rota", ts, prompt))
	if msg.SubType != "thread_broadcast" || msg.User != "U1" || msg.Text != "the on-call rota" || msg.TimeStamp != ts || msg.ThreadTimeStamp != prompt {
		t.Errorf("thread_broadcast = %+v", msg)
	}
	if _, has := raw["parent_user_id"]; has {
		t.Error("thread_broadcast has parent_user_id; Slack's example has none")
	}
	r := msg.Root
	if r == nil || r.Timestamp != prompt || r.ThreadTimestamp != prompt || r.User != srv.BotUserID || r.BotID != srv.BotID ||
		r.ReplyCount != 1 || r.LatestReply != ts || len(r.ReplyUsers) != 1 || r.ReplyUsers[0] != "U1" {
		t.Errorf("root = %+v", r)
	}
}
