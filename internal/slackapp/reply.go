package slackapp

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/slack-go/slack"
)

// defaultReplyBudget is how long a slash command's ack waits for its reply,
// so that the reply can ride in the ack, as Bolt's ack(…) does: Slack shows
// the payload of a slash command's ack as the reply ("Responding to slash
// commands", https://api.slack.com/interactivity/slash-commands#responding_to_commands).
// Slack wants the ack within 3 seconds of sending the envelope; 1.5 s leaves
// the other half for the trip both ways and slack-go's queues. A command
// slower than that is acked empty when the budget runs out, and its reply
// goes through response_url once it is ready.
const defaultReplyBudget = 1500 * time.Millisecond

// maxAckBytes is Slack's limit on one Socket Mode response, envelope_id
// included: larger ones are dropped, so slack-go refuses them. A larger reply
// goes through response_url.
const maxAckBytes = 20 * 1024

// slashAck is the one ack of a slash command's envelope. Whichever comes first
// sends it: the reply, in the ack's payload, or the budget running out (or
// the command starting to answer through response_url itself), with none.
type slashAck struct {
	a     *App
	ctx   context.Context // the socket's: no ack outlives it
	id    string
	start time.Time // when the read loop had the envelope
	once  sync.Once
	timer *time.Timer
}

// newSlashAck starts the budget of the envelope id, read at start. ctx is the
// socket's.
func (a *App) newSlashAck(ctx context.Context, id string, start time.Time) *slashAck {
	s := &slashAck{a: a, ctx: ctx, id: id, start: start}
	a.acks.Add(1)
	s.timer = time.AfterFunc(a.cfg.ReplyBudget, s.expire)
	return s
}

// expire acks empty, unless the reply already went in the ack.
func (s *slashAck) expire() {
	defer s.a.acks.Done()
	s.once.Do(func() { s.send(nil) })
}

// settle sends the ack with payload, unless it has gone out already, and
// reports whether this call sent it.
func (s *slashAck) settle(payload any) (sent bool) {
	s.once.Do(func() {
		if s.timer.Stop() {
			s.a.acks.Done() // expire will not run
		}
		sent = s.send(payload)
	})
	return sent
}

// release acks empty now, if the ack has not gone out: before the command
// answers through response_url, so that Slack has the ack first.
func (s *slashAck) release() { s.settle(nil) }

// reply sends msg as the ack's payload and reports whether it did. It does
// not when the ack has gone out already or msg is too large for an ack; then
// the caller sends msg through response_url.
func (s *slashAck) reply(msg Message) bool {
	payload, err := json.Marshal(slashPayload{ResponseType: slack.ResponseTypeEphemeral, Text: msg.Text, Blocks: msg.Blocks})
	if err != nil || len(payload)+len(s.id)+len(`{"envelope_id":"","payload":}`) >= maxAckBytes {
		s.release()
		return false
	}
	return s.settle(json.RawMessage(payload))
}

// send acks the envelope and reports whether slack-go took the ack.
func (s *slashAck) send(payload any) bool {
	if !s.a.ack(s.ctx, s.id, payload) {
		return false
	}
	s.a.metrics.ack(time.Since(s.start))
	return true
}

// slashPayload is a slash command's reply in an ack: what response_url takes,
// without the fields it alone reads.
type slashPayload struct {
	ResponseType string        `json:"response_type"`
	Text         string        `json:"text,omitempty"`
	Blocks       []slack.Block `json:"blocks,omitempty"`
}

// ack sends the ack for an envelope, with an optional response payload, and
// reports whether slack-go took it. It gives up when ctx, the socket's, ends.
func (a *App) ack(ctx context.Context, envelopeID string, payload any) bool {
	err := ctx.Err()
	if err == nil {
		err = a.sm.AckCtx(ctx, envelopeID, payload)
	}
	if err != nil {
		a.metrics.error("ack")
		a.log.Error("ack failed", "envelope_id", envelopeID, "err", err)
		return false
	}
	return true
}

type slashAckKey struct{}

// withSlashAck gives the work of a slash command the command's ack, so that
// respond can release it before posting to response_url.
func withSlashAck(ctx context.Context, s *slashAck) context.Context {
	return context.WithValue(ctx, slashAckKey{}, s)
}

// releaseSlashAck acks the slash command whose work ctx carries, if it has
// not been acked.
func releaseSlashAck(ctx context.Context) {
	if s, ok := ctx.Value(slashAckKey{}).(*slashAck); ok {
		s.release()
	}
}
