package fakeslack

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
)

// An app may hold several Socket Mode connections at once, as replicas of it
// do. What the server does with them comes from Slack's "Socket Mode
// implementation" page (api.slack.com/apis/connections/socket-implement,
// "Using multiple connections", as quoted in slackapi/bolt-python#462 and
// #889): "Socket Mode allows your app to maintain up to 10 open WebSocket
// connections at the same time. When multiple connections are active, each
// payload may be sent to any of the connections. It's best not to assume any
// particular pattern for how payloads will be distributed across multiple
// open connections."
//
//   - Up to maxConnections connections are open at once. A connection told to
//     disconnect counts until it has closed, as Slack counts a connection
//     until it sees it close (slackapi/bolt-js#2225). apps.connections.open
//     hands out a URL either way: no page says it refuses one, and the
//     reports of too_many_websockets all read it on the websocket. The
//     websocket over the limit is refused: see tooMany.
//   - Each envelope goes to one live connection, never to all. The server
//     chooses by round robin, so that a test knows where each goes; a test
//     that wants a given connection names it (SendEventTo and the other To
//     methods).
//   - An events_api envelope that a connection took with it when it closed,
//     unacked, is retried on another connection: "Slack's API server delivers
//     to any of the active connections and does retries for Events API
//     messages" (a Slack maintainer in slackapi/bolt-python#1071). Slack
//     retries an event at most 3 times (api.slack.com/apis/events-api,
//     "Failure conditions": immediately, after a minute, after five minutes);
//     the server sends the retry at once. Slash commands and interactions are
//     not retried ("unlike events are not retried on non-ack",
//     slackapi/python-slack-sdk#1940): they are Lost.
//
// Which retry_reason Slack puts on a Socket Mode retry is not documented; the
// server says "timeout", as Slack saw no ack in time.

// maxConnections is how many Socket Mode connections an app may hold open at once.
const maxConnections = 10

// maxRetries is how many times Slack retries an event.
const maxRetries = 3

// AnyConn, given as a connection id, lets the server choose the connection.
const AnyConn = 0

// ErrNoConnection is returned for a connection id that is not live.
var ErrNoConnection = errors.New("fakeslack: no live connection with that id")

// Delivery is an envelope the server wrote, or began to write, to a
// connection. A write that failed is followed by the envelope's delivery to
// another connection.
type Delivery struct {
	EnvelopeID string
	// Kind is the envelope's type: "events_api", "slash_commands" or
	// "interactive"; empty for a frame from SendRaw.
	Kind string
	// EventID, RetryAttempt and RetryReason are an events_api envelope's.
	EventID      string
	RetryAttempt int
	RetryReason  string
	// RetryOf is the envelope that this one retries, for the retries the
	// server makes (RetryEvent, and the retry of an event a closed connection
	// took with it); empty otherwise.
	RetryOf string
	// Conn is the id of the connection; see Frame.
	Conn int
	At   time.Time
}

// ConnInfo is one Socket Mode connection as the server sees it.
type ConnInfo struct {
	// ID numbers the connection; see Frame.
	ID int
	// Live is whether it takes envelopes: it has been sent hello and has been
	// neither told to disconnect nor closed.
	Live bool
	// Open is whether it is still open; a connection told to disconnect is
	// open but not live.
	Open bool
	// Envelopes holds the ids of the envelopes written to it, in order.
	Envelopes []string
	// Acks counts the acks read on it, repeated acks included.
	Acks int
}

func (e *envelope) delivery(conn int) Delivery {
	return Delivery{
		EnvelopeID: e.id, Kind: e.kind, EventID: e.eventID, RetryAttempt: e.attempt,
		RetryReason: e.reason, RetryOf: e.retryOf, Conn: conn, At: e.written,
	}
}

// pick returns the live connection with id to, or for AnyConn the next live
// connection by id after the one chosen last, wrapping round; nil if there is
// none.
func (st *sockState) pick(to int) *conn {
	if to != AnyConn {
		for _, c := range st.live {
			if c.n == to {
				return c
			}
		}
		return nil
	}
	var next, first *conn
	for _, c := range st.live {
		if first == nil || c.n < first.n {
			first = c
		}
		if c.n > st.last && (next == nil || c.n < next.n) {
			next = c
		}
	}
	if next == nil {
		next = first
	}
	if next != nil {
		st.last = next.n
	}
	return next
}

// orphanedLocked returns the retries of the events that c, now closed, took
// with it unacked, and records as lost what Slack does not retry. The caller
// holds s.mu.
func (s *Server) orphanedLocked(c *conn) []*envelope {
	var retries []*envelope
	for _, e := range c.sent {
		if e.id == "" || s.sock.acked[e.id] {
			continue
		}
		if e.kind == "events_api" {
			if r := s.retryLocked(e, "timeout"); r != nil {
				retries = append(retries, r)
				continue
			}
		}
		s.sock.lost = append(s.sock.lost, e.delivery(c.n))
	}
	c.sent = nil
	return retries
}

// retryLocked makes Slack's next retry of the event that e carries, or returns
// nil once the event has had its retries. The caller holds s.mu.
func (s *Server) retryLocked(e *envelope, reason string) *envelope {
	attempt := max(s.sock.attempts[e.eventID], e.attempt) + 1
	if attempt > maxRetries {
		return nil
	}
	s.sock.attempts[e.eventID] = attempt
	r := &envelope{
		id: s.envelopeIDLocked(), kind: e.kind, payload: e.payload, accepts: e.accepts,
		eventID: e.eventID, attempt: attempt, reason: reason, retryOf: e.id,
	}
	// The payload was encoded once already, so this cannot fail.
	r.data, _ = r.frame()
	return r
}

func (s *Server) envelopeIDLocked() string {
	return fmt.Sprintf("00000000-fake-4000-8000-%012d", s.nextLocked())
}

// RetryEvent sends Slack's retry of the events_api envelope envID, which the
// server has written to a connection: the same payload, event_id and event,
// in a new envelope, with retry_attempt one more than the event's last and
// retry_reason reason ("timeout" if empty). It goes to the live connection
// conn, or with AnyConn to the one the server chooses. Slack retries an event
// at most 3 times, so a fourth retry is an error.
func (s *Server) RetryEvent(envID string, conn int, reason string) (retryEnvID string, err error) {
	if reason == "" {
		reason = "timeout"
	}
	s.mu.Lock()
	e := s.sock.sent[envID]
	if e == nil || e.kind != "events_api" {
		s.mu.Unlock()
		return "", fmt.Errorf("fakeslack: retry %s: not an events_api envelope the server has sent", envID)
	}
	if conn != AnyConn && s.sock.pick(conn) == nil {
		s.mu.Unlock()
		return "", fmt.Errorf("%w: %d", ErrNoConnection, conn)
	}
	r := s.retryLocked(e, reason)
	s.mu.Unlock()
	if r == nil {
		return "", fmt.Errorf("fakeslack: retry %s: event %s has had Slack's %d retries", envID, e.eventID, maxRetries)
	}
	if err := s.send(r, conn); err != nil {
		return "", err
	}
	return r.id, nil
}

// Conns returns every connection the server has admitted, by id.
func (s *Server) Conns() []ConnInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]ConnInfo, 0, len(s.sock.conns))
	for _, c := range s.sock.conns {
		info := ConnInfo{ID: c.n, Live: slices.Contains(s.sock.live, c), Open: s.sock.open[c], Acks: c.acks}
		for _, d := range s.sock.deliveries {
			if d.Conn == c.n && d.EnvelopeID != "" {
				info.Envelopes = append(info.Envelopes, d.EnvelopeID)
			}
		}
		out = append(out, info)
	}
	return out
}

// LiveConns returns the ids of the live connections, in order.
func (s *Server) LiveConns() []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := make([]int, 0, len(s.sock.live))
	for _, c := range s.sock.live {
		ids = append(ids, c.n)
	}
	slices.Sort(ids)
	return ids
}

// Deliveries returns every envelope written to a connection so far, in order.
func (s *Server) Deliveries() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Delivery(nil), s.sock.deliveries...)
}

// Lost returns the envelopes that connections took with them when they
// closed, unacked, and that Slack does not send again: slash commands,
// interactions, raw frames, and events that have had their 3 retries.
func (s *Server) Lost() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Delivery(nil), s.sock.lost...)
}

// DropConn closes the open connection conn at once, without a frame, like a
// network failure. The events it took unacked are retried on the others.
func (s *Server) DropConn(conn int) error {
	s.deliver.Lock()
	defer s.deliver.Unlock()
	s.mu.Lock()
	c := s.openConnLocked(conn)
	if c == nil {
		s.mu.Unlock()
		return fmt.Errorf("%w: %d", ErrNoConnection, conn)
	}
	s.sock.retire(c)
	s.notifyLocked()
	s.mu.Unlock()
	return c.ws.Close()
}

// DisconnectConn is Disconnect for the live connection conn alone.
func (s *Server) DisconnectConn(conn int, reason string) error {
	s.deliver.Lock()
	defer s.deliver.Unlock()
	if conn == AnyConn {
		return fmt.Errorf("%w: %d", ErrNoConnection, conn)
	}
	s.mu.Lock()
	c := s.sock.pick(conn)
	if c == nil {
		s.mu.Unlock()
		return fmt.Errorf("%w: %d", ErrNoConnection, conn)
	}
	s.sock.retire(c)
	s.notifyLocked()
	s.mu.Unlock()
	disconnect(c, reason)
	return nil
}

func (s *Server) openConnLocked(id int) *conn {
	for c := range s.sock.open {
		if c.n == id {
			return c
		}
	}
	return nil
}

// WaitLive waits until at least n connections are live.
func (s *Server) WaitLive(ctx context.Context, n int) error {
	return s.WaitFor(ctx, func(sn *Snapshot) bool { return sn.Live >= n })
}

// WaitDelivered waits until the envelope envID has been written to a
// connection and returns its first delivery.
func (s *Server) WaitDelivered(ctx context.Context, envID string) (Delivery, error) {
	var d Delivery
	err := s.WaitFor(ctx, func(sn *Snapshot) bool {
		for _, x := range sn.Deliveries {
			if x.EnvelopeID == envID {
				d = x
				return true
			}
		}
		return false
	})
	return d, err
}
