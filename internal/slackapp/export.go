package slackapp

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ladderapp/ladder/internal/ladder"
	"github.com/ladderapp/ladder/internal/store"
)

// This file sends a member's promotion packet as DM messages: how it went
// before it went as one file (upload.go), and how it still goes where the
// install lacks files:write. The packet is queued as one outbox row per
// message; the send queue (package schedule) posts the messages one at a
// time, in order, paced for the DM, and renders each when it is sent, so the
// worker that ran the command is free for other members at once, and a
// packet in flight survives a restart.

// maxExportMessages caps one packet: about 110,000 characters. Beyond it the
// last message says what is left out.
const maxExportMessages = 40

// exportPace spaces a packet's messages: Slack allows about one post a second
// in a channel, and each DM is one.
const exportPace = time.Second

// WakeSendsWith tells the app how to wake the send queue after it queues a
// send of its own (an export), so that it goes out at once rather than when an
// idle sender next looks. cmd/bot passes the scheduler's Wake.
func (a *App) WakeSendsWith(wake func()) { a.wake.Store(&wake) }

// QueueDigestsWith tells the app how /ladder admin digest send queues this
// month's digests: cmd/bot passes the scheduler's QueueDigests, so that they
// go out through the send queue like every other DM.
func (a *App) QueueDigestsWith(queue func(ctx context.Context) (queued, already int, err error)) {
	a.queueDigests.Store(&queue)
}

func (a *App) wakeSends() {
	if w := a.wake.Load(); w != nil {
		(*w)()
	}
}

// outboxExport renders one message of a packet queued by queueExport, from
// the evidence as it was when the packet was asked for, less what the member
// has deleted since.
func (a *App) outboxExport(ctx context.Context, it store.OutboxItem) (Message, error) {
	m, err := a.db.Member(ctx, it.UserID)
	if errors.Is(err, ladder.ErrNotEnrolled) {
		return Message{}, notDue("not enrolled")
	}
	if err != nil {
		return Message{}, before(err)
	}
	layout, _, _, err := a.packet(ctx, m, it.Created)
	if err != nil {
		return Message{}, before(err)
	}
	if it.Part < 1 || it.Part > len(layout) {
		return Message{}, notDue(fmt.Sprintf("the packet has %d messages now, not %d", len(layout), it.Part))
	}
	return exportMessage(a.packetText(ctx, layout[it.Part-1]), it.Part, len(layout)), nil
}

// packet lays out m's promotion packet as of at: the evidence stored by then,
// and readiness then. It returns the lines of each message, at most
// maxExportMessages of them, the pieces of evidence and whether the packet
// was cut. The layout never depends on what Slack says (packet.go), so each
// message can be rendered from it on its own, when it is sent.
func (a *App) packet(ctx context.Context, m ladder.Member, at time.Time) ([][]string, int, bool, error) {
	all, err := a.db.AllEvidence(ctx, m.UserID)
	if err != nil {
		return nil, 0, false, err
	}
	var es []ladder.Evidence
	for _, e := range all {
		if !e.Created.After(at) {
			es = append(es, e)
		}
	}
	if len(es) == 0 {
		return nil, 0, false, nil
	}
	since := at.Add(-time.Duration(a.ladder.Window()) * 7 * 24 * time.Hour)
	facts, err := a.db.Facts(ctx, m.UserID, since)
	if err != nil {
		return nil, 0, false, err
	}
	kept := facts[:0]
	for _, f := range facts {
		if !f.At.After(at) {
			kept = append(kept, f)
		}
	}
	local := at.In(m.Location())
	r := ladder.Compute(a.ladder, m.Target, a.track(m), kept, local)
	layout, cut := capPacket(packetPieces(a.ladder, m, m.Name, r, es, local), exportChunk, maxExportMessages)
	return layout, len(es), cut, nil
}

// packetText renders one message's lines, with the names of the people its
// evidence mentions: a member's name as Ladder stores it, else Slack's
// (users.info), else "@U123". Only this message's mentions are looked up.
func (a *App) packetText(ctx context.Context, lines []string) string {
	names := map[string]string{}
	for _, id := range packetNames(lines) {
		names[id] = a.personName(ctx, id)
	}
	return renderLines(lines, func(id string) string { return names[id] })
}

// personName is what the packet calls user id.
func (a *App) personName(ctx context.Context, id string) string {
	if m, err := a.db.Member(ctx, id); err == nil && m.Name != "" {
		return m.Name
	}
	if u, err := a.userInfo(ctx, id); err == nil {
		if n := displayName(u); n != "" {
			return n
		}
	}
	return "@" + id
}
