package slackapp_test

import (
	"strings"
	"testing"
	"time"

	"github.com/ladderapp/ladder/internal/fakeslack"
)

// TestGapsRepliesInTheAck: a reply ready in time rides in the slash command's
// ack, as Bolt's ack(…) does, and response_url is not called.
func TestGapsRepliesInTheAck(t *testing.T) {
	h := newHarness(t)
	h.slash(alice, "start") // enrols alice: the welcome DM is not part of the test
	env, err := h.fake.SendSlash(fakeslack.SlashCommand{UserID: alice, Text: "gaps"})
	if err != nil {
		t.Fatal(err)
	}
	ack, err := h.fake.WaitAck(h.ctx, env)
	if err != nil {
		t.Fatal(err)
	}
	if len(ack.Payload) == 0 {
		t.Fatalf("gaps was acked empty, want the reply in the ack")
	}
	var reply []fakeslack.Message
	for _, m := range h.fake.Messages() {
		if isReply(m) && m.User == alice && strings.Contains(m.Text, "Readiness for") {
			reply = append(reply, m)
		}
	}
	if len(reply) != 1 || reply[0].Kind != "ack" || reply[0].ResponseType != "ephemeral" {
		t.Fatalf("gaps replies: got %+v, want one ephemeral reply of Kind ack", reply)
	}
	if n := len(h.fake.CallsTo("response_url")); n != 0 {
		t.Errorf("response_url calls: got %d, want none", n)
	}
}

// TestSlowReplyGoesThroughResponseURL: carol's first command, /ladder
// prompt, enrols her, and Slack holds the users.info that reads her name and
// timezone for 3 s; her /ladder gaps waits in her worker behind it. Neither
// command is ready within the reply budget, so each is acked empty within it,
// once, and its reply comes through response_url when it is ready.
func TestSlowReplyGoesThroughResponseURL(t *testing.T) {
	h := newHarness(t)
	h.fake.FailNext("users.info", 1, fakeslack.Delayed(3*time.Second))
	var envs []string
	for _, text := range []string{"prompt", "gaps"} {
		env, err := h.fake.SendSlash(fakeslack.SlashCommand{UserID: carol, Text: text})
		if err != nil {
			t.Fatal(err)
		}
		envs = append(envs, env)
	}
	for i, env := range envs {
		ack, err := h.fake.WaitAck(h.ctx, env)
		if err != nil {
			t.Fatal(err)
		}
		if len(ack.Payload) != 0 {
			t.Errorf("command %d: ack payload %s, want empty: the reply was not ready", i, ack.Payload)
		}
		// Slack shows the member an error for an ack later than 3 s.
		if ack.Latency >= 3*time.Second {
			t.Errorf("command %d: acked after %v, want within the reply budget", i, ack.Latency)
		}
	}
	err := h.fake.WaitFor(h.ctx, func(s *fakeslack.Snapshot) bool {
		n := 0
		for _, m := range s.Messages {
			if m.Kind == "response" && m.User == carol &&
				(strings.Contains(m.Text, "I've sent you a question") || strings.Contains(m.Text, "Readiness for")) {
				n++
			}
		}
		return n == 2
	})
	if err != nil {
		t.Fatalf("replies through response_url: %v%s\nlogs:\n%s", err, h.dump(), h.logs)
	}
	// Each envelope was acked once: the harness checks every ack at the end,
	// after the app has stopped, so a late second ack would count too.
	h.shutdown()
	for _, env := range envs {
		n := 0
		for _, a := range h.fake.Acks() {
			if a.EnvelopeID == env {
				n++
			}
		}
		if n != 1 {
			t.Errorf("envelope %s: acked %d times, want once", env, n)
		}
	}
}
