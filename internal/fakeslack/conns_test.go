package fakeslack_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"github.com/ladderapp/ladder/internal/fakeslack"
)

// connectN connects n slack-go clients one after another, so that the i-th
// (from 0) holds connection i+1, and checks that each hello counts the
// connections open with it.
func connectN(t *testing.T, srv *fakeslack.Server, n int) []*app {
	t.Helper()
	var apps []*app
	for i := range n {
		a := connect(t, srv, srv.AppToken)
		hello := a.next(t, socketmode.EventTypeHello)
		if got := hello.Request.NumConnections; got != i+1 {
			t.Errorf("hello of connection %d: num_connections = %d, want %d", i+1, got, i+1)
		}
		if err := srv.WaitLive(waitCtx(t), i+1); err != nil {
			t.Fatalf("WaitLive(%d): %v", i+1, err)
		}
		apps = append(apps, a)
	}
	return apps
}

// nextEnvelope returns the next event that carries an envelope from Slack.
func (a *app) nextEnvelope(t *testing.T) socketmode.Event {
	t.Helper()
	ctx := waitCtx(t)
	for {
		select {
		case evt := <-a.events:
			switch evt.Type {
			case socketmode.EventTypeEventsAPI, socketmode.EventTypeSlashCommand, socketmode.EventTypeInteractive:
				return evt
			}
		case <-ctx.Done():
			t.Fatalf("no envelope: %v", ctx.Err())
		}
	}
}

// eventID is the event_id of an events_api envelope as slack-go decoded it.
func eventID(t *testing.T, evt socketmode.Event) string {
	t.Helper()
	outer, ok := evt.Data.(slackevents.EventsAPIEvent)
	if !ok {
		t.Fatalf("%s event carries %T, not an Events API event", evt.Type, evt.Data)
	}
	return outer.Data.(*slackevents.EventsAPICallbackEvent).EventID
}

func TestEnvelopesSpreadAcrossConnections(t *testing.T) {
	srv := newServer(t)
	apps := connectN(t, srv, 3)

	// Three kinds in turn, each sent three times in a row, so that every
	// connection gets every kind.
	const n = 30
	var envIDs []string
	for i := range n {
		var env string
		var err error
		switch (i / 3) % 3 {
		case 0:
			env, err = srv.SendEvent("", srv.DMEvent("U1", fmt.Sprint("answer ", i), srv.NewTS()), 0)
		case 1:
			env, err = srv.SendSlash(fakeslack.SlashCommand{UserID: "U1", Text: fmt.Sprint("gaps ", i)})
		case 2:
			env, err = srv.SendInteractive(srv.BlockAction("U1", "start", fmt.Sprint(i), "", ""))
		}
		if err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
		envIDs = append(envIDs, env)
	}

	// Round robin: envelope i goes to connection i%3+1, in the order sent.
	got := make([][]string, len(apps))
	for k, a := range apps {
		for range n / len(apps) {
			evt := a.nextEnvelope(t)
			got[k] = append(got[k], evt.Request.EnvelopeID)
			if err := a.client.Ack(*evt.Request); err != nil {
				t.Fatalf("Ack: %v", err)
			}
		}
	}
	for i, env := range envIDs {
		k := i % len(apps)
		if got[k][i/len(apps)] != env {
			t.Errorf("envelope %d (%s): client %d got %s in its place", i, env, k+1, got[k][i/len(apps)])
		}
	}
	for _, env := range envIDs {
		if _, err := srv.WaitAck(waitCtx(t), env); err != nil {
			t.Fatalf("WaitAck(%s): %v", env, err)
		}
	}

	deliveries := srv.Deliveries()
	if len(deliveries) != n {
		t.Fatalf("%d deliveries, want %d: each envelope goes to one connection", len(deliveries), n)
	}
	for i, d := range deliveries {
		if d.EnvelopeID != envIDs[i] || d.Conn != i%3+1 {
			t.Errorf("delivery %d = %s on connection %d, want %s on %d", i, d.EnvelopeID, d.Conn, envIDs[i], i%3+1)
		}
	}
	for _, c := range srv.Conns() {
		if !c.Live || !c.Open || c.Acks != 10 || !slices.Equal(c.Envelopes, got[c.ID-1]) {
			t.Errorf("connection %d = %+v, want live with the 10 envelopes its client got, all acked", c.ID, c)
		}
	}
	ackedOn := map[string]int{}
	for _, a := range srv.Acks() {
		ackedOn[a.EnvelopeID] = a.Conn
	}
	for i, env := range envIDs {
		if ackedOn[env] != i%3+1 {
			t.Errorf("envelope %d acked on connection %d, want %d", i, ackedOn[env], i%3+1)
		}
	}
	if ids := srv.LiveConns(); !slices.Equal(ids, []int{1, 2, 3}) {
		t.Errorf("LiveConns() = %v, want [1 2 3]", ids)
	}
}

func TestSendToAConnectionAndRetryOnAnother(t *testing.T) {
	srv := newServer(t)
	apps := connectN(t, srv, 3)
	ts := srv.NewTS()
	ev := srv.DMEvent("U1", "I led the retro", ts)

	env, err := srv.SendEventTo(2, "EvR1", ev, 0)
	if err != nil {
		t.Fatalf("SendEventTo(2): %v", err)
	}
	first := apps[1].nextEnvelope(t)
	if first.Request.EnvelopeID != env || eventID(t, first) != "EvR1" || first.Request.RetryAttempt != 0 {
		t.Fatalf("connection 2 got %+v, want %s", first.Request, env)
	}

	// Slack saw no ack: its retries may go to any connection.
	retries := []struct {
		of, reason string
		conn       int
		client     *app
		attempt    int
		wantReason string
	}{
		{of: env, conn: 3, client: apps[2], attempt: 1, wantReason: "timeout"},
		{conn: 1, reason: "http_error", client: apps[0], attempt: 2, wantReason: "http_error"},
		// The server chooses: its round robin has not moved, so connection 1.
		{of: env, conn: fakeslack.AnyConn, client: apps[0], attempt: 3, wantReason: "timeout"},
	}
	last := env
	for _, r := range retries {
		of := r.of
		if of == "" {
			of = last
		}
		retryEnv, err := srv.RetryEvent(of, r.conn, r.reason)
		if err != nil {
			t.Fatalf("RetryEvent(%s, %d): %v", of, r.conn, err)
		}
		evt := r.client.nextEnvelope(t)
		req := evt.Request
		if req.EnvelopeID != retryEnv || retryEnv == env || eventID(t, evt) != "EvR1" ||
			req.RetryAttempt != r.attempt || req.RetryReason != r.wantReason {
			t.Errorf("retry %d: got envelope %s, event %s, attempt %d, reason %q; want %s, EvR1, %d, %q",
				r.attempt, req.EnvelopeID, eventID(t, evt), req.RetryAttempt, req.RetryReason, retryEnv, r.attempt, r.wantReason)
		}
		msg := evt.Data.(slackevents.EventsAPIEvent).InnerEvent.Data.(*slackevents.MessageEvent)
		if msg.Text != "I led the retro" || msg.TimeStamp != ts {
			t.Errorf("retry %d carries %q at %s, want the first attempt's message", r.attempt, msg.Text, msg.TimeStamp)
		}
		last = retryEnv
	}

	var conns, attempts []int
	for _, d := range srv.Deliveries() {
		if d.EventID == "EvR1" {
			conns = append(conns, d.Conn)
			attempts = append(attempts, d.RetryAttempt)
		}
	}
	if !slices.Equal(conns, []int{2, 3, 1, 1}) || !slices.Equal(attempts, []int{0, 1, 2, 3}) {
		t.Errorf("EvR1 went to connections %v with attempts %v, want [2 3 1 1] and [0 1 2 3]", conns, attempts)
	}

	if _, err := srv.RetryEvent(env, 2, ""); err == nil {
		t.Error("a fourth retry was sent; Slack retries an event 3 times")
	}
	if _, err := srv.SendEventTo(4, "", ev, 0); !errors.Is(err, fakeslack.ErrNoConnection) {
		t.Errorf("SendEventTo(4) with 3 connections = %v, want ErrNoConnection", err)
	}
	slash, err := srv.SendSlashTo(3, fakeslack.SlashCommand{UserID: "U1"})
	if err != nil {
		t.Fatalf("SendSlashTo(3): %v", err)
	}
	if got := apps[2].nextEnvelope(t); got.Request.EnvelopeID != slash {
		t.Errorf("connection 3 got %s, want the slash command %s", got.Request.EnvelopeID, slash)
	}
	if _, err := srv.RetryEvent(slash, 1, ""); err == nil {
		t.Error("RetryEvent retried a slash command; Slack retries only events")
	}
}

func TestClosedConnectionsEventsAreRetriedOnALiveOne(t *testing.T) {
	for _, how := range []string{"the app stops", "the server drops it"} {
		t.Run(how, func(t *testing.T) {
			srv := newServer(t)
			apps := connectN(t, srv, 2)
			a, b := apps[0], apps[1]

			// Connection 1 acks one event and leaves the rest unacked.
			acked, _ := srv.SendEventTo(1, "EvAcked", srv.DMEvent("U1", "acked", srv.NewTS()), 0)
			pending, _ := srv.SendEventTo(1, "EvPending", srv.DMEvent("U1", "pending", srv.NewTS()), 0)
			spent, _ := srv.SendEventTo(1, "EvSpent", srv.DMEvent("U1", "spent", srv.NewTS()), 3)
			slash, _ := srv.SendSlashTo(1, fakeslack.SlashCommand{UserID: "U1", Text: "gaps"})
			for _, want := range []string{acked, pending, spent, slash} {
				evt := a.nextEnvelope(t)
				if evt.Request.EnvelopeID != want {
					t.Fatalf("connection 1 got %s, want %s", evt.Request.EnvelopeID, want)
				}
				if want == acked {
					if err := a.client.Ack(*evt.Request); err != nil {
						t.Fatalf("Ack: %v", err)
					}
				}
			}
			if _, err := srv.WaitAck(waitCtx(t), acked); err != nil {
				t.Fatalf("WaitAck: %v", err)
			}

			if how == "the app stops" {
				a.stop()
			} else if err := srv.DropConn(1); err != nil {
				t.Fatalf("DropConn(1): %v", err)
			}

			// The pending event comes again, as Slack's first retry, on the
			// connection still open.
			var retry fakeslack.Delivery
			err := srv.WaitFor(waitCtx(t), func(sn *fakeslack.Snapshot) bool {
				for _, d := range sn.Deliveries {
					if d.RetryOf == pending {
						retry = d
						return true
					}
				}
				return false
			})
			if err != nil {
				t.Fatalf("no retry of %s: %v", pending, err)
			}
			if retry.Conn == 1 || retry.EventID != "EvPending" || retry.RetryAttempt != 1 || retry.RetryReason != "timeout" {
				t.Errorf("retry = %+v, want EvPending's first retry, for timeout, on a live connection", retry)
			}
			// With the server dropping it, the slack-go client behind
			// connection 1 reconnects as connection 3 and may be the one.
			to := map[int]*app{2: b, 3: a}[retry.Conn]
			if to == nil {
				t.Fatalf("the retry went to connection %d, which no client holds", retry.Conn)
			}
			evt := to.nextEnvelope(t)
			if evt.Request.EnvelopeID != retry.EnvelopeID || eventID(t, evt) != "EvPending" ||
				evt.Request.RetryAttempt != 1 || evt.Request.RetryReason != "timeout" {
				t.Errorf("connection %d got %+v, want the retry %s", retry.Conn, evt.Request, retry.EnvelopeID)
			}
			if err := to.client.Ack(*evt.Request); err != nil {
				t.Fatalf("Ack: %v", err)
			}
			if _, err := srv.WaitAck(waitCtx(t), retry.EnvelopeID); err != nil {
				t.Fatalf("WaitAck(retry): %v", err)
			}

			// Nothing else is retried: the acked event needs none, the spent one
			// has had Slack's 3 retries, and slash commands are not retried.
			for _, d := range srv.Deliveries() {
				if d.RetryOf != "" && d.RetryOf != pending {
					t.Errorf("unexpected retry %+v", d)
				}
			}
			var lost []string
			for _, d := range srv.Lost() {
				if d.Conn != 1 {
					t.Errorf("lost %s on connection %d, want 1", d.EnvelopeID, d.Conn)
				}
				lost = append(lost, d.EnvelopeID)
			}
			if !slices.Equal(lost, []string{spent, slash}) {
				t.Errorf("Lost() = %v, want the spent event %s and the slash command %s", lost, spent, slash)
			}
			if c := srv.Conns()[0]; c.Live || c.Open || c.Acks != 1 {
				t.Errorf("connection 1 = %+v, want closed with its one ack", c)
			}
			if err := srv.DropConn(1); !errors.Is(err, fakeslack.ErrNoConnection) {
				t.Errorf("DropConn(1) again = %v, want ErrNoConnection", err)
			}
		})
	}
}

func TestUnackedEventIsRetriedAfterReconnect(t *testing.T) {
	srv := newServer(t)
	a := connect(t, srv, srv.AppToken)
	env, err := srv.SendEvent("EvLone", srv.DMEvent("U1", "alone", srv.NewTS()), 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := a.nextEnvelope(t); got.Request.EnvelopeID != env {
		t.Fatalf("got %s, want %s", got.Request.EnvelopeID, env)
	}
	// No other connection is live: the retry waits for the reconnect.
	srv.Drop()
	evt := a.nextEnvelope(t)
	if eventID(t, evt) != "EvLone" || evt.Request.EnvelopeID == env || evt.Request.RetryAttempt != 1 {
		t.Errorf("after the reconnect got %+v, want EvLone's first retry", evt.Request)
	}
	if d, err := srv.WaitDelivered(waitCtx(t), evt.Request.EnvelopeID); err != nil || d.Conn != 2 || d.RetryOf != env {
		t.Errorf("retry delivery = %+v, %v; want it on connection 2, retrying %s", d, err, env)
	}
}

func TestDisconnectOneConnection(t *testing.T) {
	srv := newServer(t)
	// Connection 1 is a bare websocket, to read the frame slack-go keeps to itself.
	_, url, err := api(srv).StartSocketModeContext(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	ws, resp, err := websocket.DefaultDialer.DialContext(waitCtx(t), url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	defer ws.Close()
	var frame struct{ Type, Reason string }
	if err := ws.ReadJSON(&frame); err != nil || frame.Type != "hello" {
		t.Fatalf("first frame = %+v, %v; want hello", frame, err)
	}
	if err := srv.WaitLive(waitCtx(t), 1); err != nil {
		t.Fatal(err)
	}
	b := connect(t, srv, srv.AppToken)
	if err := srv.WaitLive(waitCtx(t), 2); err != nil {
		t.Fatal(err)
	}

	if err := srv.DisconnectConn(1, "refresh_requested"); err != nil {
		t.Fatalf("DisconnectConn(1): %v", err)
	}
	if err := ws.ReadJSON(&frame); err != nil || frame.Type != "disconnect" || frame.Reason != "refresh_requested" {
		t.Errorf("frame after DisconnectConn = %+v, %v; want a disconnect for refresh_requested", frame, err)
	}
	// Told to go, connection 1 is open but takes no more envelopes.
	if c := srv.Conns()[0]; c.Live || !c.Open {
		t.Errorf("connection 1 after DisconnectConn = %+v, want open and not live", c)
	}
	for i := range 4 {
		env, err := srv.SendEvent("", srv.DMEvent("U1", fmt.Sprint(i), srv.NewTS()), 0)
		if err != nil {
			t.Fatal(err)
		}
		if got := b.nextEnvelope(t); got.Request.EnvelopeID != env {
			t.Errorf("envelope %d: connection 2 got %s, want %s", i, got.Request.EnvelopeID, env)
		}
	}
	if ids := srv.LiveConns(); !slices.Equal(ids, []int{2}) {
		t.Errorf("LiveConns() = %v, want [2]", ids)
	}
	if err := srv.DisconnectConn(1, "warning"); !errors.Is(err, fakeslack.ErrNoConnection) {
		t.Errorf("DisconnectConn(1) again = %v, want ErrNoConnection", err)
	}
	ws.Close()
	err = srv.WaitFor(waitCtx(t), func(*fakeslack.Snapshot) bool { return !srv.Conns()[0].Open })
	if err != nil {
		t.Errorf("connection 1 still open after its client closed it: %v", err)
	}
}

// runQuiet runs a slack-go client against srv that only reports the
// num_connections of its hellos and counts its attempts to connect, for a
// client that reconnects too often for app's buffer. slack-go keeps
// disconnect frames to itself.
func runQuiet(t *testing.T, srv *fakeslack.Server) (hellos chan int, attempts *atomic.Int32) {
	t.Helper()
	hellos, attempts = make(chan int, 16), new(atomic.Int32)
	client := socketmode.New(api(srv))
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { _ = client.RunContext(ctx) })
	wg.Go(func() {
		for {
			select {
			case evt := <-client.Events:
				switch evt.Type {
				case socketmode.EventTypeHello:
					hellos <- evt.Request.NumConnections
				case socketmode.EventTypeConnecting:
					attempts.Add(1)
				}
			case <-ctx.Done():
				return
			}
		}
	})
	t.Cleanup(func() {
		cancel()
		wg.Wait()
	})
	return hellos, attempts
}

func TestEleventhConnectionIsRefused(t *testing.T) {
	srv := newServer(t)
	apps := connectN(t, srv, 10)

	// apps.connections.open still hands out a URL; the websocket is refused.
	_, url, err := api(srv).StartSocketModeContext(t.Context())
	if err != nil {
		t.Fatalf("apps.connections.open with 10 connections open: %v", err)
	}
	ws, resp, err := websocket.DefaultDialer.DialContext(waitCtx(t), url, nil)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	resp.Body.Close()
	defer ws.Close()
	// A bound for a broken server, which would keep the connection open.
	if err := ws.SetReadDeadline(time.Now().Add(5 * time.Second)); err != nil {
		t.Fatal(err)
	}
	var frame struct{ Type, Reason string }
	if err := ws.ReadJSON(&frame); err != nil || frame.Type != "disconnect" || frame.Reason != "too_many_websockets" {
		t.Errorf("first frame of the 11th connection = %+v, %v; want a disconnect for too_many_websockets", frame, err)
	}
	if _, data, err := ws.ReadMessage(); err == nil {
		t.Errorf("the refused connection stayed open and sent %s", data)
	} else if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() {
		t.Error("the refused connection stayed open")
	}
	if sn := srv.Snapshot(); sn.Refused != 1 || sn.Connections != 10 || sn.Live != 10 {
		t.Errorf("after the refusal: refused %d, connections %d, live %d; want 1, 10, 10", sn.Refused, sn.Connections, sn.Live)
	}

	// A slack-go client reconnects after each refusal, and gets in once one
	// of the ten has gone.
	hellos, attempts := runQuiet(t, srv)
	if err := srv.WaitFor(waitCtx(t), func(sn *fakeslack.Snapshot) bool { return sn.Refused >= 2 }); err != nil {
		t.Fatalf("the 11th slack-go client was not refused: %v", err)
	}
	if len(hellos) != 0 {
		t.Errorf("a refused client got %d hellos", len(hellos))
	}
	apps[0].stop()
	if err := srv.WaitFor(waitCtx(t), func(sn *fakeslack.Snapshot) bool { return sn.Connections == 11 && sn.Live == 10 }); err != nil {
		t.Fatalf("the 11th client never got in: %v", err)
	}
	select {
	case n := <-hellos:
		if n != 10 || attempts.Load() < 2 {
			t.Errorf("11th client: hello of %d connections after %d attempts; want 10 connections after a refused attempt", n, attempts.Load())
		}
	case <-waitCtx(t).Done():
		t.Fatal("the 11th client got no hello")
	}
	want := []int{2, 3, 4, 5, 6, 7, 8, 9, 10, 11}
	if ids := srv.LiveConns(); !slices.Equal(ids, want) {
		t.Errorf("LiveConns() = %v, want %v", ids, want)
	}
	// Envelopes now go round the ten live connections, never the closed one.
	seen := map[int]bool{}
	for i := range 10 {
		env, err := srv.SendEvent("", srv.DMEvent("U1", fmt.Sprint(i), srv.NewTS()), 0)
		if err != nil {
			t.Fatal(err)
		}
		d, err := srv.WaitDelivered(waitCtx(t), env)
		if err != nil {
			t.Fatal(err)
		}
		seen[d.Conn] = true
	}
	for _, id := range want {
		if !seen[id] {
			t.Errorf("connection %d got none of 10 envelopes", id)
		}
	}
	if seen[1] {
		t.Error("an envelope went to the closed connection 1")
	}
}
