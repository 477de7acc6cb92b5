package fakeslack_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // users.info needs zones wherever the tests run

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/ladderapp/ladder/internal/fakeslack"
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
	// reactions.add needs reactions:write, which Ladder's manifest does not ask for.
	srv.SetScopes(append(fakeslack.ManifestScopes(), "reactions:write")...)
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
			srv := newServer(t, fakeslack.WithClock(func() time.Time { return tt.now }))
			srv.AddUser(fakeslack.User{ID: "U1", Name: "ada", RealName: "Ada Lovelace", TZ: "Europe/Berlin"})
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
	if _, err := srv.SendSlash(fakeslack.SlashCommand{UserID: "U1", Text: "gaps"}); err != nil {
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
	srv.FailNext("chat.postMessage", 1, fakeslack.Delayed(200*time.Millisecond))
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

// slackError is the error code and response_metadata.messages of a refused call.
func slackError(t *testing.T, err error) (string, []string) {
	t.Helper()
	var se slack.SlackErrorResponse
	if !errors.As(err, &se) {
		t.Fatalf("error = %v (%T), want a slack.SlackErrorResponse", err, err)
	}
	return se.Err, se.ResponseMetadata.Messages
}

// postForm calls method with a form, as a client without slack-go would, and
// returns the status and the decoded answer.
func postForm(t *testing.T, srv *fakeslack.Server, method string, form url.Values) (int, map[string]any) {
	t.Helper()
	form.Set("token", srv.BotToken)
	resp, err := http.PostForm(srv.APIURL()+method, form)
	if err != nil {
		t.Fatalf("post %s: %v", method, err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("decode %s answer: %v", method, err)
	}
	return resp.StatusCode, body
}

func TestChatMethodsRefuseInvalidBlocksAsSlackDoes(t *testing.T) {
	srv := newServer(t)
	// Five posts to one DM in the same instant would meet the per-channel
	// limit; this test is about Block Kit, not pace.
	srv.SetTiers(false)
	web := api(srv)
	ctx := t.Context()
	long := slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, strings.Repeat("a", 3001), false, false), nil, nil)

	_, _, err := web.PostMessageContext(ctx, "U1", slack.MsgOptionText("x", false), slack.MsgOptionBlocks(long))
	code, msgs := slackError(t, err)
	if code != "invalid_blocks" || !contains(msgs, "[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]") {
		t.Errorf("postMessage = %s %q", code, msgs)
	}

	area := func(v string) slack.BlockElement {
		return slack.NewButtonBlockElement("area", v, slack.NewTextBlockObject(slack.PlainTextType, v, false, false))
	}
	picker := slack.NewActionBlock("areas", area("delivery"), area("people"))
	_, err = web.PostEphemeralContext(ctx, "DU1", "U1", slack.MsgOptionText("pick", false), slack.MsgOptionBlocks(picker))
	if code, msgs := slackError(t, err); code != "invalid_blocks" ||
		!contains(msgs, "[ERROR] duplicate action_id: area [json-pointer:/blocks/0/elements/1/action_id]") {
		t.Errorf("postEphemeral = %s %q", code, msgs)
	}

	ch, ts, err := web.PostMessageContext(ctx, "U1", slack.MsgOptionText("draft", false))
	if err != nil {
		t.Fatalf("valid post: %v", err)
	}
	header := slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, strings.Repeat("h", 151), false, false))
	_, _, _, err = web.UpdateMessageContext(ctx, ch, ts, slack.MsgOptionText("final", false), slack.MsgOptionBlocks(header))
	if code, _ := slackError(t, err); code != "invalid_blocks" {
		t.Errorf("update = %s, want invalid_blocks", code)
	}

	// The raw answer has Slack's shape: errors without "[ERROR]", and the same
	// problems in response_metadata.messages.
	status, body := postForm(t, srv, "chat.postMessage", url.Values{"channel": {"U1"}, "blocks": {`[{"type":"section"}]`}})
	wantErr := "must define either `text` or `fields` [json-pointer:/blocks/0]"
	if status != 200 || body["ok"] != false || body["error"] != "invalid_blocks" ||
		fmt.Sprint(body["errors"]) != "["+wantErr+"]" ||
		fmt.Sprint(body["response_metadata"]) != "map[messages:[[ERROR] "+wantErr+"]]" {
		t.Errorf("answer = %d %v", status, body)
	}
	if _, body := postForm(t, srv, "chat.postMessage", url.Values{"channel": {"U1"}, "blocks": {`[{"type":`}}); body["error"] != "invalid_blocks_format" {
		t.Errorf("blocks that are not JSON: %v, want invalid_blocks_format", body)
	}

	if m := srv.Messages(); len(m) != 1 || m[0].Text != "draft" {
		t.Errorf("messages = %+v, want only the valid draft", m)
	}
	var got []string
	for _, r := range srv.Rejected() {
		got = append(got, r.Method+":"+r.Error)
	}
	want := []string{"chat.postMessage:invalid_blocks", "chat.postEphemeral:invalid_blocks", "chat.update:invalid_blocks", "chat.postMessage:invalid_blocks"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("rejected = %q, want %q", got, want)
	}
	if r := srv.Rejected()[1]; !strings.Contains(r.String(), "duplicate action_id: area [json-pointer:/blocks/0/elements/1/action_id]") {
		t.Errorf("rejection reads %q", r)
	}
}

func TestViewsRefuseInvalidViewsWithInvalidArguments(t *testing.T) {
	srv := newServer(t)
	web := api(srv)
	ctx := t.Context()
	header := slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, strings.Repeat("h", 151), false, false))
	home := slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: []slack.Block{header}}}
	_, err := web.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: "U1", View: home})
	if code, msgs := slackError(t, err); code != "invalid_arguments" ||
		!contains(msgs, "[ERROR] must be less than 151 characters [json-pointer:/view/blocks/0/text/text]") {
		t.Errorf("publish = %s %q", code, msgs)
	}

	modal := slack.ModalViewRequest{Type: slack.VTModal,
		Title:           slack.NewTextBlockObject(slack.PlainTextType, "Answer", false, false),
		PrivateMetadata: strings.Repeat("p", 3001),
		Blocks:          slack.Blocks{BlockSet: []slack.Block{slack.NewDividerBlock()}}}
	trigger := srv.BlockAction("U1", "answer", "", "", "")["trigger_id"].(string)
	_, err = web.OpenViewContext(ctx, trigger, modal)
	if code, msgs := slackError(t, err); code != "invalid_arguments" ||
		!contains(msgs, "[ERROR] must be less than 3001 characters [json-pointer:/view/private_metadata]") {
		t.Errorf("open = %s %q", code, msgs)
	}
	if n := len(srv.Views()); n != 0 {
		t.Errorf("%d views delivered, want none", n)
	}
	if r := srv.Rejected(); len(r) != 2 || r[0].Method != "views.publish" || r[1].Method != "views.open" || r[1].Error != "invalid_arguments" {
		t.Errorf("rejected = %v", r)
	}
}

func TestTriggerIDWorksOnceWithinThreeSeconds(t *testing.T) {
	clock := newFrozen()
	srv := newServer(t, fakeslack.WithClock(clock.Now))
	web := api(srv)
	ctx := t.Context()
	modal := slack.ModalViewRequest{Type: slack.VTModal,
		Title:  slack.NewTextBlockObject(slack.PlainTextType, "Answer", false, false),
		Blocks: slack.Blocks{BlockSet: []slack.Block{slack.NewDividerBlock()}}}
	trigger := func() string { return srv.BlockAction("U1", "answer", "", "", "")["trigger_id"].(string) }

	onTime := trigger()
	clock.Add(3 * time.Second)
	opened, err := web.OpenViewContext(ctx, onTime, modal)
	if err != nil {
		t.Fatalf("open at 3 s: %v", err)
	}
	if _, err := web.OpenViewContext(ctx, onTime, modal); err == nil || err.Error() != "exchanged_trigger_id" {
		t.Errorf("open with a used trigger: %v, want exchanged_trigger_id", err)
	}
	if _, err := web.PushViewContext(ctx, onTime, modal); err == nil || err.Error() != "exchanged_trigger_id" {
		t.Errorf("push with a used trigger: %v, want exchanged_trigger_id", err)
	}

	late := trigger()
	clock.Add(3*time.Second + time.Millisecond)
	if _, err := web.OpenViewContext(ctx, late, modal); err == nil || err.Error() != "expired_trigger_id" {
		t.Errorf("open after 3 s: %v, want expired_trigger_id", err)
	}
	if _, err := web.PushViewContext(ctx, trigger(), modal); err != nil {
		t.Errorf("push with a fresh trigger: %v", err)
	}
	if v := srv.Views(); len(v) != 2 || v[0].ID != opened.ID || v[1].Kind != "push" {
		t.Errorf("views = %+v, want the open and the push", v)
	}
}

func TestTriggerClockStartsWhenTheEnvelopeIsSent(t *testing.T) {
	clock := newFrozen()
	srv := newServer(t, fakeslack.WithClock(clock.Now))
	payload := srv.BlockAction("U1", "answer", "", "", "")
	clock.Add(time.Minute) // the test builds the payload long before it sends it
	if _, err := srv.SendInteractive(payload); err != nil {
		t.Fatalf("SendInteractive: %v", err)
	}
	clock.Add(2 * time.Second)
	modal := slack.ModalViewRequest{Type: slack.VTModal,
		Title:  slack.NewTextBlockObject(slack.PlainTextType, "Answer", false, false),
		Blocks: slack.Blocks{BlockSet: []slack.Block{slack.NewDividerBlock()}}}
	if _, err := api(srv).OpenViewContext(t.Context(), payload["trigger_id"].(string), modal); err != nil {
		t.Errorf("open 2 s after the envelope: %v", err)
	}
}

func TestResponseURLRefusesInvalidBlocksAndExpires(t *testing.T) {
	clock := newFrozen()
	srv := newServer(t, fakeslack.WithClock(clock.Now))
	web := api(srv)
	_, ts, err := web.PostMessage("U1", slack.MsgOptionText("A question", false))
	if err != nil {
		t.Fatalf("post: %v", err)
	}
	responseURL := srv.BlockAction("U1", "answer", "p1", "", ts)["response_url"].(string)

	resp, err := http.Post(responseURL, "application/json", strings.NewReader(`{"text":"x","blocks":[{"type":"header","text":{"type":"mrkdwn","text":"*h*"}}]}`))
	if err != nil {
		t.Fatalf("post to response_url: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || string(body) != "invalid_blocks" {
		t.Errorf("invalid blocks to response_url = %d %q, want 400 invalid_blocks", resp.StatusCode, body)
	}
	var status slack.StatusCodeError
	_, _, err = web.PostMessage("", slack.MsgOptionReplaceOriginal(responseURL),
		slack.MsgOptionBlocks(slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "", false, false), nil, nil)))
	if !errors.As(err, &status) || status.Code != http.StatusBadRequest {
		t.Errorf("slack-go post of an empty section = %v, want status 400", err)
	}

	clock.Add(30 * time.Minute)
	if _, _, err := web.PostMessage("", slack.MsgOptionText("Saved", false), slack.MsgOptionReplaceOriginal(responseURL)); err != nil {
		t.Errorf("post at 30 minutes: %v", err)
	}
	clock.Add(time.Second)
	_, _, err = web.PostMessage("", slack.MsgOptionText("late", false), slack.MsgOptionReplaceOriginal(responseURL))
	if !errors.As(err, &status) || status.Code != http.StatusNotFound {
		t.Errorf("post after 30 minutes = %v, want status 404", err)
	}

	if m := srv.Messages(); len(m) != 2 || m[1].Text != "Saved" {
		t.Errorf("messages = %+v, want the question and Saved", m)
	}
	if r := srv.Rejected(); len(r) != 2 || r[0].Method != "response_url" || r[0].Error != "invalid_blocks" ||
		!strings.Contains(r[0].String(), "must be plain_text [json-pointer:/blocks/0/text/type]") {
		t.Errorf("rejected = %v", r)
	}
}

func TestUsersInfoTakesOneUser(t *testing.T) {
	srv := newServer(t)
	srv.AddUser(fakeslack.User{ID: "U1", Name: "ada"})
	srv.AddUser(fakeslack.User{ID: "U2", Name: "bob"})
	if _, body := postForm(t, srv, "users.info", url.Values{"users": {"U1,U2"}}); body["ok"] != false || body["error"] != "user_not_found" {
		t.Errorf("users.info with a users list = %v, want user_not_found", body)
	}
	u, err := api(srv).GetUserInfoContext(t.Context(), "U2")
	if err != nil || u.Name != "bob" {
		t.Errorf("GetUserInfoContext = %+v, %v", u, err)
	}
}

func TestSlashAckWithInvalidBlocksIsNotShown(t *testing.T) {
	srv := newServer(t)
	a := connect(t, srv, srv.AppToken)
	for _, payload := range []map[string]any{
		{"blocks": []any{map[string]any{"type": "section", "text": map[string]any{"type": "mrkdwn", "text": ""}}}},
		{"text": "Commands: gaps"},
	} {
		envID, err := srv.SendSlash(fakeslack.SlashCommand{UserID: "U1", Text: "help"})
		if err != nil {
			t.Fatalf("SendSlash: %v", err)
		}
		evt := a.next(t, socketmode.EventTypeSlashCommand)
		if err := a.client.Ack(*evt.Request, payload); err != nil {
			t.Fatalf("Ack: %v", err)
		}
		if _, err := srv.WaitAck(waitCtx(t), envID); err != nil {
			t.Fatalf("WaitAck: %v", err)
		}
	}
	msgs, err := srv.WaitMessages(waitCtx(t), 1)
	if err != nil {
		t.Fatalf("WaitMessages: %v", err)
	}
	if len(msgs) != 1 || msgs[0].Kind != "ack" || msgs[0].Text != "Commands: gaps" {
		t.Errorf("messages = %+v, want only the valid ack", msgs)
	}
	if r := srv.Rejected(); len(r) != 1 || r[0].Method != "ack" || r[0].Error != "invalid_blocks" ||
		!strings.Contains(r[0].String(), "must be more than 0 characters [json-pointer:/blocks/0/text/text]") {
		t.Errorf("rejected = %v", r)
	}
}
