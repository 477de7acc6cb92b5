package fakeslack_test

import (
	"errors"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/ladderapp/ladder/internal/fakeslack"
)

// TestMessageShortcutPayload: slack-go reads the message_action payload as a
// message shortcut on the message it was chosen on, and its trigger_id opens
// one modal within 3 seconds.
func TestMessageShortcutPayload(t *testing.T) {
	clock := newFrozen()
	srv := newServer(t, fakeslack.WithClock(clock.Now))
	a := connect(t, srv, srv.AppToken)
	web := api(srv)
	ctx := t.Context()

	parent := srv.ChannelMessage("UCOLLEAGUE", "CLAUNCH", "Launch day", "")
	ts := srv.ChannelMessage("UCOLLEAGUE", "CLAUNCH", "Thanks &lt;@U1&gt;, <@U1> &amp; <!channel>", parent)
	p, err := srv.MessageShortcut("U1", "save_to_ladder", "CLAUNCH", ts)
	cb := sendInteractive(t, srv, a, p, err)
	if cb.Type != slack.InteractionTypeMessageAction || cb.CallbackID != "save_to_ladder" || cb.User.ID != "U1" ||
		cb.Channel.ID != "CLAUNCH" || cb.MessageTs != ts || cb.ResponseURL == "" || cb.TriggerID == "" || cb.ActionTs == "" {
		t.Errorf("callback = %+v", cb)
	}
	if m := cb.Message; m.Text != "Thanks &lt;@U1&gt;, <@U1> &amp; <!channel>" || m.User != "UCOLLEAGUE" ||
		m.Timestamp != ts || m.ThreadTimestamp != parent || m.BotID != "" {
		t.Errorf("message = %+v", m)
	}

	modal := slack.ModalViewRequest{Type: slack.VTModal, Title: plainText("Save"),
		Blocks: slack.Blocks{BlockSet: []slack.Block{slack.NewDividerBlock()}}}
	clock.Add(3 * time.Second)
	if _, err := web.OpenViewContext(ctx, cb.TriggerID, modal); err != nil {
		t.Fatalf("open within 3 s: %v", err)
	}
	if _, err := web.OpenViewContext(ctx, cb.TriggerID, modal); err == nil || err.Error() != "exchanged_trigger_id" {
		t.Errorf("open again: %v, want exchanged_trigger_id", err)
	}
	late, err := srv.MessageShortcut("U1", "save_to_ladder", "CLAUNCH", ts)
	if err != nil {
		t.Fatal(err)
	}
	clock.Add(3*time.Second + time.Millisecond)
	if _, err := web.OpenViewContext(ctx, late["trigger_id"].(string), modal); err == nil || err.Error() != "expired_trigger_id" {
		t.Errorf("open after 3 s: %v, want expired_trigger_id", err)
	}

	// The bot's own message carries its bot_id; a message the server does
	// not hold has no context menu.
	_, botTS, err := web.PostMessage("U1", slack.MsgOptionText("Your question", false))
	if err != nil {
		t.Fatal(err)
	}
	bot, err := srv.MessageShortcut("U1", "save_to_ladder", "U1", botTS)
	if cb := sendInteractive(t, srv, a, bot, err); cb.Message.BotID != srv.BotID || cb.Channel.ID != "DU1" {
		t.Errorf("bot message: %+v in %s", cb.Message, cb.Channel.ID)
	}
	if _, err := srv.MessageShortcut("U1", "save_to_ladder", "CLAUNCH", "1.000001"); err == nil {
		t.Error("a shortcut on a message the server does not hold: no error")
	}
}

// TestGetPermalink: chat.getPermalink links a message, and a reply with its
// thread; it answers Slack's errors for a channel it does not know and a
// message that is not (or no longer) there.
func TestGetPermalink(t *testing.T) {
	srv := newServer(t)
	web := api(srv)
	ctx := t.Context()
	parent := srv.ChannelMessage("UCOLLEAGUE", "CLAUNCH", "Launch day", "")
	reply := srv.ChannelMessage("UCOLLEAGUE", "CLAUNCH", "Shipped", parent)
	dm := srv.NewTS()
	srv.DMEvent("U1", "a note to self", dm)

	for _, c := range []struct {
		channel, ts, want string
	}{
		{"CLAUNCH", parent, "https://fake.slack.com/archives/CLAUNCH/p" + digits(parent)},
		{"CLAUNCH", reply, "https://fake.slack.com/archives/CLAUNCH/p" + digits(reply) + "?thread_ts=" + parent + "&cid=CLAUNCH"},
		{"DU1", dm, "https://fake.slack.com/archives/DU1/p" + digits(dm)},
	} {
		got, err := web.GetPermalinkContext(ctx, &slack.PermalinkParameters{Channel: c.channel, Ts: c.ts})
		if err != nil || got != c.want {
			t.Errorf("permalink of %s/%s = %q, %v; want %q", c.channel, c.ts, got, err, c.want)
		}
	}

	srv.MessageDeletedEvent("U1", dm)
	for _, c := range []struct{ channel, ts, want string }{
		{"CNOWHERE", parent, "channel_not_found"},
		{"U1", dm, "channel_not_found"}, // a user id is not a conversation
		{"", parent, "channel_not_found"},
		{"CLAUNCH", "1.000001", "message_not_found"},
		{"DU1", dm, "message_not_found"}, // deleted
	} {
		_, err := web.GetPermalinkContext(ctx, &slack.PermalinkParameters{Channel: c.channel, Ts: c.ts})
		var se slack.SlackErrorResponse
		if !errors.As(err, &se) || se.Err != c.want {
			t.Errorf("permalink of %q/%s: %v, want %s", c.channel, c.ts, err, c.want)
		}
	}
}

// digits is a ts without its dot, as a permalink writes it.
func digits(ts string) string {
	out := []byte{}
	for i := 0; i < len(ts); i++ {
		if ts[i] != '.' {
			out = append(out, ts[i])
		}
	}
	return string(out)
}

// TestLatestUserMessage: the newest message a person wrote that the viewer
// can see: channels and the viewer's own DM, never another's DM.
func TestLatestUserMessage(t *testing.T) {
	srv := newServer(t)
	if _, _, ok := srv.LatestUserMessage("U1"); ok {
		t.Error("a message in an empty workspace")
	}
	inChannel := srv.ChannelMessage("U2", "CGENERAL", "hello", "")
	srv.DMEvent("U3", "my own words", srv.NewTS()) // U3's DM: not U1's to see
	if ch, ts, ok := srv.LatestUserMessage("U1"); !ok || ch != "CGENERAL" || ts != inChannel {
		t.Errorf("latest for U1 = %s %s %v, want the channel's", ch, ts, ok)
	}
	own := srv.NewTS()
	srv.DMEvent("U1", "a note to self", own)
	if ch, ts, ok := srv.LatestUserMessage("U1"); !ok || ch != "DU1" || ts != own {
		t.Errorf("latest for U1 = %s %s %v, want their DM", ch, ts, ok)
	}
}
