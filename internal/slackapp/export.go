package slackapp

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ladderapp/ladder/internal/ladder"
	"github.com/ladderapp/ladder/internal/store"
)

// This file sends a member's promotion packet (/ladder export). The command
// only queues it, one outbox row per message, and answers at once; the send
// queue (package schedule) posts the messages one at a time, in order, paced
// for the DM, and renders each when it is sent, so the worker that ran the
// command is free for other members at once, and a packet in flight survives
// a restart.

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

// queueExport queues m's promotion packet as it stands now, and returns how
// many pieces of evidence and messages it holds, and whether it was cut at
// maxExportMessages.
func (a *App) queueExport(ctx context.Context, m ladder.Member) (pieces, messages int, cut bool, err error) {
	at := a.now()
	parts, pieces, cut, err := a.packet(ctx, m, at)
	if err != nil || pieces == 0 {
		return pieces, 0, false, err
	}
	id := newKeyID()
	items := make([]store.OutboxItem, len(parts))
	for i := range parts {
		items[i] = store.OutboxItem{
			Key:  fmt.Sprintf("export:%s:%s:%d", m.UserID, id, i+1),
			Kind: store.OutboxExport, Method: "chat.postMessage", UserID: m.UserID, Part: i + 1,
			DueAt: at.Add(time.Duration(i) * exportPace), Created: at,
		}
	}
	if _, err := a.db.Enqueue(ctx, items...); err != nil {
		return 0, 0, false, err
	}
	a.wakeSends()
	return pieces, len(parts), cut, nil
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
	parts, _, _, err := a.packet(ctx, m, it.Created)
	if err != nil {
		return Message{}, before(err)
	}
	if it.Part < 1 || it.Part > len(parts) {
		return Message{}, notDue(fmt.Sprintf("the packet has %d messages now, not %d", len(parts), it.Part))
	}
	return parts[it.Part-1], nil
}

// packet renders m's promotion packet as of at: the evidence stored by then,
// and readiness then. It returns the messages, at most about
// maxExportMessages, the pieces of evidence and whether the packet was cut.
func (a *App) packet(ctx context.Context, m ladder.Member, at time.Time) ([]Message, int, bool, error) {
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
	md, cut := capPacket(exportMarkdown(a.ladder, m, m.Name, r, es, local))
	return exportMessages(md), len(es), cut, nil
}

// capPacket cuts the packet's Markdown after maxExportMessages-1 messages'
// worth, and ends it with a section that says what it leaves out and where
// to read it. It reports whether it cut.
//
// It counts messages as exportMessages makes them, from the escaped text
// (escaping makes it longer), and hands back the Markdown as written.
func capPacket(md string) (string, bool) {
	parts := chunks(escapeText(md), exportChunk)
	if len(parts) <= maxExportMessages {
		return md, false
	}
	keep := parts[:maxExportMessages-1]
	stopsIn := ""
	for _, p := range keep {
		for _, line := range strings.Split(p, "\n") {
			if name, ok := strings.CutPrefix(line, "## "); ok {
				stopsIn = unescapeSlack(name)
			}
		}
	}
	var sections []string
	pieces := 0
	for _, p := range parts[maxExportMessages-1:] {
		for _, line := range strings.Split(p, "\n") {
			if name, ok := strings.CutPrefix(line, "## "); ok {
				sections = append(sections, unescapeSlack(name))
			}
			if strings.HasPrefix(line, "### ") {
				pieces++
			}
		}
	}
	var b strings.Builder
	b.WriteString(unescapeSlack(strings.Join(keep, "\n")))
	fmt.Fprintf(&b, "\n\n## Not in this packet\n\nThis packet is longer than one export carries (%d messages), so it stops here. ", maxExportMessages)
	left := []string{}
	if stopsIn != "" {
		left = append(left, "the rest of "+stopsIn)
	}
	left = append(left, sections...)
	fmt.Fprintf(&b, "Left out: %s", strings.Join(left, "; "))
	if pieces > 0 {
		fmt.Fprintf(&b, ", with %d more %s", pieces, map[bool]string{true: "piece", false: "pieces"}[pieces == 1]+" of evidence")
	}
	b.WriteString(".\nNothing is deleted: all of it stays in Ladder. `/ladder evidence <area>` shows your latest evidence in an area.\n")
	return b.String(), true
}
