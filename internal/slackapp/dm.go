package slackapp

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/slack-go/slack"

	"github.com/ladderapp/ladder/internal/store"
)

// Every DM Ladder sends goes through the send queue (package schedule): a
// handler queues it, committed, and wakes the queue, which posts it within
// chat.postMessage's pace, ahead of any weekly prompt or digest, and settles a
// post whose outcome was lost by looking for it in the DM. A worker that
// handles envelopes never posts a DM itself, so it never waits on a 429.

// dm is one DM to queue.
type dm struct {
	to  string  // the recipient's user id
	key string  // unique per message; empty for a random one
	msg Message // with ThreadTS for a reply in a thread
	// about is the member the message is about: forgetting them drops it
	// while it is queued. Empty when it is about nobody enrolled.
	about string
	// confirms is the answer it confirms: queueing it marks the answer
	// confirmed, in the same transaction.
	confirms int64
	// question is the prompts_sent row of a question asked for now: posting
	// it records the message there.
	question int64
	// unsure says an earlier post of the same message may have gone out
	// (a version before the queue, or a crash): the queue looks before it
	// posts.
	unsure bool
	// bulk puts it behind the people waiting; most DMs are for someone who
	// is.
	bulk bool
}

// dueAtOnce is the due time of a DM: the epoch, so that it is due now
// whatever the clock says, even one set back, and DMs go in the order queued.
var dueAtOnce = time.Unix(0, 0).UTC()

// dmPayload is a dm row's message as the outbox keeps it.
type dmPayload struct {
	Text     string       `json:"text"`
	Blocks   slack.Blocks `json:"blocks"`
	ThreadTS string       `json:"thread_ts,omitempty"`
}

// queueDM queues d and wakes the send queue. The error is the database's: on
// nil, the message will go out, even across a restart.
func (a *App) queueDM(ctx context.Context, d dm) error {
	payload, err := json.Marshal(dmPayload{Text: d.msg.Text, Blocks: slack.Blocks{BlockSet: d.msg.Blocks}, ThreadTS: d.msg.ThreadTS})
	if err != nil {
		return fmt.Errorf("queue a DM to %s: %w", d.to, err)
	}
	if d.key == "" {
		d.key = "dm:" + d.to + ":" + newKeyID()
	}
	lane := store.LaneInteractive
	if d.bulk {
		lane = store.LaneBulk
	}
	// Due since the epoch: due now whatever the clock says, even one set
	// back, and sent in the order queued.
	_, err = a.db.Enqueue(ctx, store.OutboxItem{
		Key: d.key, Kind: store.OutboxDM, Method: "chat.postMessage", UserID: d.to, Lane: lane,
		Payload: payload, Subject: d.about, Confirms: d.confirms, PromptRef: d.question, Unsure: d.unsure,
		DueAt: dueAtOnce, Created: a.now(),
	})
	if err != nil {
		return fmt.Errorf("queue a DM to %s: %w", d.to, err)
	}
	a.wakeSends()
	return nil
}

// queueDMLogged queues d, logging a failure. When the database cannot take
// it (a full disk, say), the message is posted once at once instead, without
// waiting on a 429: such a message usually says that something could not be
// saved, and must still reach the member.
func (a *App) queueDMLogged(ctx context.Context, d dm) {
	err := a.queueDM(ctx, d)
	if err == nil {
		return
	}
	a.log.Error("queue a DM; posting it directly", "user", d.to, "err", err)
	if d.key == "" {
		d.key = "dm:" + d.to + ":" + newKeyID()
	}
	if _, _, err := a.postOnce(ctx, d.to, d.key, d.msg); err != nil {
		a.metrics.error("post")
		a.log.Error("post a DM", "user", d.to, "err", err)
	}
}

// dmMessage is the message a dm row carries.
func dmMessage(it store.OutboxItem) (Message, error) {
	var p dmPayload
	if err := json.Unmarshal(it.Payload, &p); err != nil {
		return Message{}, permanent(fmt.Errorf("dm %s: unreadable message: %w", it.Key, err))
	}
	return Message{Text: p.Text, Blocks: p.Blocks.BlockSet, ThreadTS: p.ThreadTS}, nil
}
