package slacktest_test

import (
	"context"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // users.info needs zones wherever the tests run

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/ladderapp/ladder/internal/slacktest"
)

func TestPostMessageToUserGoesToTheirDM(t *testing.T) {
	srv := newServer(t)
	web := api(srv)
	blocks := slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "*Weekly reflection*", false, false), nil, nil)

	ch, ts1, err := web.PostMessage("U1", slack.MsgOptionText("Weekly reflection", false), slack.MsgOptionBlocks(blocks))
	if err != nil {
		t.Fatalf("PostMessage: %v", err)
	}
	_, ts2, err := web.PostMessage("U1", slack.MsgOptionText("again", false), slack.MsgOptionTS(ts1))
	if err != nil {
		t.Fatalf("second PostMessage: %v", err)
	}
	if ch != "DU1" {
		t.Errorf("channel = %q, want DU1", ch)
	}
	if ts2 <= ts1 {
		t.Errorf("second ts %q is not after the first %q", ts2, ts1)
	}

	msgs := srv.Messages()
	if len(msgs) != 2 {
		t.Fatalf("got %d messages, want 2", len(msgs))
	}
	m := msgs[0]
	if m.Kind != "post" || m.Channel != "DU1" || m.Text != "Weekly reflection" || m.TS != ts1 {
		t.Errorf("message = %+v", m)
	}
	if !strings.Contains(string(m.Blocks), "*Weekly reflection*") {
		t.Errorf("blocks = %s, want the section text", m.Blocks)
	}
	if msgs[1].ThreadTS != ts1 {
		t.Errorf("thread_ts = %q, want %q", msgs[1].ThreadTS, ts1)
	}
	calls := srv.CallsTo("chat.postMessage")
	if len(calls) != 2 || calls[0].Token != srv.BotToken || calls[0].Params.Get("channel") != "U1" || calls[0].Status != 200 {
		t.Errorf("calls = %+v", calls)
	}
}

func TestChatMethods(t *testing.T) {
	srv := newServer(t)
	web := api(srv)
	ch, ts, err := web.PostMessage("U1", slack.MsgOptionText("draft", false))
	if err != nil {
		t.Fatalf("post: %v", err)
	}
	if _, _, _, err := web.UpdateMessage(ch, ts, slack.MsgOptionText("final", false)); err != nil {
		t.Fatalf("update: %v", err)
	}
	if _, err := web.PostEphemeral(ch, "U1", slack.MsgOptionText("only you", false)); err != nil {
		t.Fatalf("ephemeral: %v", err)
	}
	if err := web.AddReaction("white_check_mark", slack.ItemRef{Channel: ch, Timestamp: ts}); err != nil {
		t.Fatalf("reaction: %v", err)
	}
	if err := web.AddReaction("white_check_mark", slack.ItemRef{Channel: ch, Timestamp: ts}); err == nil || err.Error() != "already_reacted" {
		t.Errorf("second reaction: %v, want already_reacted", err)
	}
	if _, _, err := web.DeleteMessage(ch, ts); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if _, _, _, err := web.UpdateMessage(ch, ts, slack.MsgOptionText("gone", false)); err == nil || err.Error() != "message_not_found" {
		t.Errorf("update after delete: %v, want message_not_found", err)
	}
	if _, _, err := web.PostMessage("U1"); err == nil || err.Error() != "no_text" {
		t.Errorf("empty post: %v, want no_text", err)
	}

	var got []string
	for _, m := range srv.Messages() {
		got = append(got, m.Kind+":"+m.Text)
	}
	want := []string{"post:draft", "update:final", "ephemeral:only you", "reaction:white_check_mark", "delete:"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("messages = %q, want %q", got, want)
	}
	if e := srv.Messages()[2]; e.User != "U1" || e.Channel != "DU1" {
		t.Errorf("ephemeral = %+v, want user U1 in DU1", e)
	}
}

func TestBlocksOverSlackLimitsAreRejected(t *testing.T) {
	srv := newServer(t)
	var blocks []slack.Block
	for range 51 {
		blocks = append(blocks, slack.NewDividerBlock())
	}
	_, _, err := api(srv).PostMessage("U1", slack.MsgOptionText("x", false), slack.MsgOptionBlocks(blocks...))
	if err == nil || err.Error() != "invalid_blocks" {
		t.Errorf("51 blocks: %v, want invalid_blocks", err)
	}
	long := slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, strings.Repeat("a", 3001), false, false), nil, nil)
	_, _, err = api(srv).PostMessage("U1", slack.MsgOptionText("x", false), slack.MsgOptionBlocks(long))
	if err == nil || err.Error() != "invalid_blocks" {
		t.Errorf("3001-character text: %v, want invalid_blocks", err)
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("%d messages delivered, want none", n)
	}
}

func TestUnknownMethod(t *testing.T) {
	srv := newServer(t)
	err := api(srv).KickUserFromConversationContext(t.Context(), "DU1", "U1")
	if err == nil || err.Error() != "unknown_method" {
		t.Errorf("conversations.kick: %v, want unknown_method", err)
	}
}

func TestWrongTokenIsInvalidAuth(t *testing.T) {
	srv := newServer(t)
	web := slack.New("xoxb-wrong", slack.OptionAPIURL(srv.APIURL()))
	if _, err := web.AuthTest(); err == nil || err.Error() != "invalid_auth" {
		t.Fatalf("AuthTest with a wrong token: %v, want invalid_auth", err)
	}
	// The app token is not a bot token.
	appOnly := slack.New(srv.AppToken, slack.OptionAPIURL(srv.APIURL()))
	if _, _, err := appOnly.PostMessage("U1", slack.MsgOptionText("hi", false)); err == nil || err.Error() != "invalid_auth" {
		t.Errorf("post with the app token: %v, want invalid_auth", err)
	}
	calls := srv.Calls()
	if len(calls) != 2 || calls[0].Error != "invalid_auth" || calls[0].Token != "xoxb-wrong" {
		t.Errorf("calls = %+v, want both recorded as invalid_auth", calls)
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("%d messages delivered, want none", n)
	}

	resp, err := api(srv).AuthTest()
	if err != nil || resp.UserID != srv.BotUserID || resp.BotID != srv.BotID || resp.TeamID != srv.TeamID {
		t.Errorf("AuthTest = %+v, %v", resp, err)
	}
}

func TestUsersInfoReportsTimeZone(t *testing.T) {
	tests := []struct {
		name       string
		now        time.Time
		wantLabel  string
		wantOffset int
	}{
		{"winter", time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC), "CET", 3600},
		{"summer", time.Date(2026, 7, 15, 12, 0, 0, 0, time.UTC), "CEST", 7200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, slacktest.WithClock(func() time.Time { return tt.now }))
			srv.AddUser(slacktest.User{ID: "U1", Name: "ada", RealName: "Ada Lovelace", TZ: "Europe/Berlin"})
			u, err := api(srv).GetUserInfo("U1")
			if err != nil {
				t.Fatalf("GetUserInfo: %v", err)
			}
			if u.Name != "ada" || u.RealName != "Ada Lovelace" || u.TZ != "Europe/Berlin" {
				t.Errorf("user = %+v", u)
			}
			if u.TZLabel != tt.wantLabel || u.TZOffset != tt.wantOffset {
				t.Errorf("tz_label, tz_offset = %q, %d; want %q, %d", u.TZLabel, u.TZOffset, tt.wantLabel, tt.wantOffset)
			}
		})
	}

	srv := newServer(t)
	if _, err := api(srv).GetUserInfo("UNOBODY"); err == nil || err.Error() != "user_not_found" {
		t.Errorf("unknown user: %v, want user_not_found", err)
	}
}

func TestConversationsOpen(t *testing.T) {
	srv := newServer(t)
	ch, _, _, err := api(srv).OpenConversation(&slack.OpenConversationParameters{Users: []string{"U7"}})
	if err != nil || ch.ID != "DU7" {
		t.Errorf("OpenConversation = %+v, %v; want DU7", ch, err)
	}
}

func TestViews(t *testing.T) {
	srv := newServer(t)
	web := api(srv)
	home := slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: []slack.Block{
		slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "Readiness", false, false), nil, nil),
	}}}
	first, err := web.PublishView("U1", home, "")
	if err != nil {
		t.Fatalf("PublishView: %v", err)
	}
	second, err := web.PublishView("U1", home, first.Hash)
	if err != nil {
		t.Fatalf("PublishView with the current hash: %v", err)
	}
	if first.ID == "" || second.ID != first.ID {
		t.Errorf("home view ids %q then %q, want one stable id", first.ID, second.ID)
	}
	if _, err := web.PublishView("U1", home, first.Hash); err == nil || err.Error() != "hash_conflict" {
		t.Errorf("publish with a stale hash: %v, want hash_conflict", err)
	}

	modal := slack.ModalViewRequest{Type: slack.VTModal, Title: slack.NewTextBlockObject(slack.PlainTextType, "Answer", false, false)}
	if _, err := web.OpenView("made-up-trigger", modal); err == nil || err.Error() != "invalid_trigger_id" {
		t.Errorf("OpenView with an unknown trigger: %v, want invalid_trigger_id", err)
	}
	modal.Title = slack.NewTextBlockObject(slack.PlainTextType, "A title that is far too long for Slack", false, false)
	trigger := srv.BlockAction("U1", "answer", "", "", "")["trigger_id"].(string)
	if _, err := web.OpenView(trigger, modal); err == nil || err.Error() != "invalid_arguments" {
		t.Errorf("OpenView with a long title: %v, want invalid_arguments", err)
	}

	views := srv.Views()
	if len(views) != 2 || views[0].Kind != "publish" || views[0].UserID != "U1" || views[0].ID != first.ID {
		t.Fatalf("views = %+v", views)
	}
	if !strings.Contains(string(views[0].View), "Readiness") {
		t.Errorf("view = %s, want the app's blocks", views[0].View)
	}
}

func TestResponseURLPostsAreRecorded(t *testing.T) {
	srv := newServer(t)
	a := connect(t, srv, srv.AppToken)
	if _, err := srv.SendSlash(slacktest.SlashCommand{UserID: "U1", Text: "gaps"}); err != nil {
		t.Fatalf("SendSlash: %v", err)
	}
	evt := a.next(t, socketmode.EventTypeSlashCommand)
	cmd := evt.Data.(slack.SlashCommand)
	if err := a.client.Ack(*evt.Request); err != nil {
		t.Fatalf("Ack: %v", err)
	}

	for i := range 6 {
		_, _, err := a.api.PostMessage("", slack.MsgOptionText("your gaps", false),
			slack.MsgOptionResponseURL(cmd.ResponseURL, slack.ResponseTypeEphemeral))
		if i < 5 && err != nil {
			t.Fatalf("post %d to response_url: %v", i+1, err)
		}
		if i == 5 && err == nil {
			t.Errorf("sixth post to response_url succeeded; Slack allows five")
		}
	}
	msgs := srv.Messages()
	if len(msgs) != 5 {
		t.Fatalf("got %d messages, want 5", len(msgs))
	}
	m := msgs[0]
	if m.Kind != "response" || m.User != "U1" || m.Channel != "DU1" || m.Text != "your gaps" || m.ResponseType != "ephemeral" || m.Blocks != nil {
		t.Errorf("message = %+v", m)
	}
	if calls := srv.CallsTo("response_url"); len(calls) != 6 || calls[5].Status != 404 {
		t.Errorf("response_url calls = %+v", calls)
	}
}

func TestDelayedCallIsDeliveredAfterTheClientGivesUp(t *testing.T) {
	srv := newServer(t)
	srv.FailNext("chat.postMessage", 1, slacktest.Delayed(200*time.Millisecond))
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	if _, _, err := api(srv).PostMessageContext(ctx, "U1", slack.MsgOptionText("slow", false)); err == nil {
		t.Fatal("PostMessage beat its timeout; want a timeout")
	}
	msgs, err := srv.WaitMessages(waitCtx(t), 1)
	if err != nil {
		t.Fatalf("WaitMessages: %v", err)
	}
	if msgs[0].Text != "slow" {
		t.Errorf("delivered %+v", msgs[0])
	}
}
