package fakeslack_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/ladderapp/ladder/internal/fakeslack"
)

func TestConversationsHistory(t *testing.T) {
	srv := newServer(t)
	srv.SetTiers(false) // several posts to one DM at once: more than chat.postMessage's 1 a second
	web := api(srv)
	meta := slack.SlackMetadata{EventType: "ladder_outbox", EventPayload: map[string]any{"key": "prompt:U1:2026-W47"}}
	_, ts1, err := web.PostMessage("U1", slack.MsgOptionText("first", false))
	if err != nil {
		t.Fatal(err)
	}
	ch, ts2, err := web.PostMessage("U1", slack.MsgOptionText("second", false), slack.MsgOptionMetadata(meta))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := web.PostMessage("U1", slack.MsgOptionText("a reply", false), slack.MsgOptionTS(ts2)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := web.PostMessage("U2", slack.MsgOptionText("someone else", false)); err != nil {
		t.Fatal(err)
	}

	h, err := web.GetConversationHistory(&slack.GetConversationHistoryParameters{ChannelID: ch, IncludeAllMetadata: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Messages) != 2 || h.Messages[0].Timestamp != ts2 || h.Messages[1].Timestamp != ts1 {
		t.Fatalf("history = %+v; want the two top-level messages, newest first", h.Messages)
	}
	got := h.Messages[0]
	if got.BotID != srv.BotID || got.Metadata.EventType != "ladder_outbox" || got.Metadata.EventPayload["key"] != "prompt:U1:2026-W47" {
		t.Errorf("newest = %+v; want the bot's message with its metadata", got)
	}

	// Without include_all_metadata, no metadata; oldest is exclusive; limit pages.
	h, err = web.GetConversationHistory(&slack.GetConversationHistoryParameters{ChannelID: ch, Oldest: ts1})
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Messages) != 1 || h.Messages[0].Metadata.EventType != "" {
		t.Errorf("history after %s without metadata = %+v; want the second message, bare", ts1, h.Messages)
	}
	h, err = web.GetConversationHistory(&slack.GetConversationHistoryParameters{ChannelID: ch, Limit: 1})
	if err != nil || !h.HasMore || len(h.Messages) != 1 {
		t.Fatalf("first page = %+v, %v; want one message and more", h, err)
	}
	h, err = web.GetConversationHistory(&slack.GetConversationHistoryParameters{ChannelID: ch, Limit: 1, Cursor: h.ResponseMetaData.NextCursor})
	if err != nil || h.HasMore || len(h.Messages) != 1 || h.Messages[0].Timestamp != ts1 {
		t.Fatalf("second page = %+v, %v; want the oldest message and no more", h, err)
	}

	// Slack wants a conversation id, not a user id.
	_, err = web.GetConversationHistory(&slack.GetConversationHistoryParameters{ChannelID: "U1"})
	var se slack.SlackErrorResponse
	if !errors.As(err, &se) || se.Err != "channel_not_found" {
		t.Errorf("history of a user id: %v; want channel_not_found", err)
	}
}

func TestHistoryKeepsAPostTheClientGaveUpOn(t *testing.T) {
	srv := newServer(t)
	web := api(srv)
	srv.FailNext("chat.postMessage", 1, fakeslack.Delayed(time.Minute))
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	meta := slack.SlackMetadata{EventType: "ladder_outbox", EventPayload: map[string]any{"key": "k1"}}
	if _, _, err := web.PostMessageContext(ctx, "U1", slack.MsgOptionText("late", false), slack.MsgOptionMetadata(meta)); err == nil {
		t.Fatal("PostMessage answered before the client gave up")
	}
	if _, err := srv.WaitMessages(waitCtx(t), 1); err != nil {
		t.Fatal(err)
	}
	h, err := web.GetConversationHistory(&slack.GetConversationHistoryParameters{ChannelID: "DU1", IncludeAllMetadata: true})
	if err != nil || len(h.Messages) != 1 || h.Messages[0].Metadata.EventPayload["key"] != "k1" {
		t.Fatalf("history = %+v, %v; want the message the client gave up on, with its metadata", h, err)
	}
}

func TestConversationsReplies(t *testing.T) {
	srv := newServer(t)
	web := api(srv)
	ch, parent, err := web.PostMessage("U1", slack.MsgOptionText("parent", false))
	if err != nil {
		t.Fatal(err)
	}
	meta := slack.SlackMetadata{EventType: "ladder_outbox", EventPayload: map[string]any{"key": "confirm:7"}}
	_, reply, err := web.PostMessage("U1", slack.MsgOptionText("reply", false), slack.MsgOptionTS(parent), slack.MsgOptionMetadata(meta))
	if err != nil {
		t.Fatal(err)
	}
	web.PostMessage("U1", slack.MsgOptionText("elsewhere", false))

	msgs, more, _, err := web.GetConversationRepliesContext(t.Context(), &slack.GetConversationRepliesParameters{
		ChannelID: ch, Timestamp: parent, IncludeAllMetadata: true})
	if err != nil || more {
		t.Fatalf("replies: %v (more %v)", err, more)
	}
	if len(msgs) != 2 || msgs[0].Timestamp != parent || msgs[1].Timestamp != reply {
		t.Fatalf("replies = %+v; want the parent, then the reply", msgs)
	}
	if msgs[1].Metadata.EventPayload["key"] != "confirm:7" {
		t.Errorf("reply metadata = %+v", msgs[1].Metadata)
	}
	if _, _, _, err := web.GetConversationRepliesContext(t.Context(), &slack.GetConversationRepliesParameters{ChannelID: "U1", Timestamp: parent}); err == nil {
		t.Error("replies on a user id: got no error, want channel_not_found")
	}
}
