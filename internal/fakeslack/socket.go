package fakeslack

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

const (
	// writeTimeout bounds every write to a socket, so a stuck client cannot stall
	// the server.
	writeTimeout = 5 * time.Second
	// disconnectGrace is how long a connection told to disconnect stays open for
	// the client to finish and close it, as Slack keeps it open for a while.
	disconnectGrace = 2 * time.Second
)

// sockState is the Socket Mode side of the server. Guarded by Server.mu.
type sockState struct {
	// live holds the connections that take envelopes, in the order they were
	// sent hello.
	live []*conn
	// open holds every admitted connection not yet closed: the ones that count
	// towards maxConnections, and the ones Close closes.
	open map[*conn]bool
	// conns holds every admitted connection, by id from 1, for Conns.
	conns []*conn
	// queue holds the envelopes waiting for a connection.
	queue []*envelope
	// sent holds each envelope written, by id, for the latency of its ack.
	sent  map[string]*envelope
	acked map[string]bool
	// urls holds the keys of the URLs apps.connections.open handed out, and
	// whether each was used: each URL takes one connection.
	urls   map[string]bool
	hellos int
	// refused counts the websockets turned away with too_many_websockets.
	refused int
	// last is the id of the connection the server last chose for an envelope,
	// for round robin.
	last int
	// attempts holds the highest retry_attempt sent for each event_id.
	attempts   map[string]int
	deliveries []Delivery
	lost       []Delivery
}

func newSockState() sockState {
	return sockState{
		open:     map[*conn]bool{},
		sent:     map[string]*envelope{},
		acked:    map[string]bool{},
		urls:     map[string]bool{},
		attempts: map[string]int{},
	}
}

func (st *sockState) all() []*conn {
	out := make([]*conn, 0, len(st.open))
	for c := range st.open {
		out = append(out, c)
	}
	return out
}

func (st *sockState) retire(c *conn) {
	st.live = slices.DeleteFunc(st.live, func(l *conn) bool { return l == c })
}

// conn is one Socket Mode connection.
type conn struct {
	// n is the connection's id: connections are numbered from 1 in the order
	// the server admitted them.
	n  int
	ws *websocket.Conn
	// done is closed when the read loop has ended.
	done chan struct{}
	// closing is closed to close the connection after disconnectGrace.
	closing     chan struct{}
	closingOnce sync.Once
	// sent holds the envelopes written to the connection, and acks counts the
	// acks read on it. Guarded by Server.mu.
	sent []*envelope
	acks int
}

func (c *conn) closeSoon() { c.closingOnce.Do(func() { close(c.closing) }) }

// envelope is a frame for the app: an envelope, or raw bytes from SendRaw.
type envelope struct {
	id   string
	kind string
	data []byte
	// payload and accepts are the envelope's, kept to build a retry.
	payload json.RawMessage
	accepts bool
	// eventID, attempt and reason are an events_api envelope's event_id,
	// retry_attempt and retry_reason; retryOf is the envelope it retries.
	eventID string
	attempt int
	reason  string
	retryOf string
	// user and channel say where the text of a slash command's ack shows.
	user, channel string
	// written is when the frame went out. Guarded by Server.mu.
	written time.Time
}

// frame encodes e as Slack sends it. Only events_api envelopes carry
// retry_attempt and retry_reason.
func (e *envelope) frame() ([]byte, error) {
	f := map[string]any{
		"envelope_id":              e.id,
		"payload":                  e.payload,
		"type":                     e.kind,
		"accepts_response_payload": e.accepts,
	}
	if e.kind == "events_api" {
		f["retry_attempt"], f["retry_reason"] = e.attempt, e.reason
	}
	data, err := json.Marshal(f)
	if err != nil {
		return nil, fmt.Errorf("fakeslack: marshal envelope: %w", err)
	}
	return data, nil
}

func (s *Server) serveSocket(w http.ResponseWriter, r *http.Request) {
	key := r.URL.Query().Get("n")
	s.mu.Lock()
	used, issued := s.sock.urls[key]
	switch {
	case s.closed:
		s.mu.Unlock()
		http.Error(w, "closed", http.StatusServiceUnavailable)
		return
	case !issued || used:
		s.mu.Unlock()
		http.Error(w, "invalid_url", http.StatusUnauthorized)
		return
	}
	s.sock.urls[key] = true
	// Adding under mu while not closed keeps Add ahead of Close's Wait.
	s.wg.Add(1)
	s.mu.Unlock()
	defer s.wg.Done()

	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	ws, err := up.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	ws.SetReadLimit(1 << 20)
	c := &conn{ws: ws, done: make(chan struct{}), closing: make(chan struct{})}

	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		_ = ws.Close()
		return
	}
	if len(s.sock.open) >= maxConnections {
		s.sock.refused++
		s.notifyLocked()
		s.mu.Unlock()
		tooMany(ws)
		return
	}
	c.n = len(s.sock.conns) + 1
	s.sock.conns = append(s.sock.conns, c)
	s.sock.open[c] = true
	s.mu.Unlock()

	ws.SetPongHandler(func(string) error {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.pongs++
		s.notifyLocked()
		return nil
	})
	s.wg.Go(func() { s.pingLoop(c) })
	s.hello(c)
	s.readLoop(c)

	s.mu.Lock()
	s.sock.retire(c)
	delete(s.sock.open, c)
	retries := s.orphanedLocked(c)
	s.notifyLocked()
	s.mu.Unlock()
	close(c.done)
	_ = ws.Close()
	// Slack retries the events the connection took with it on the others.
	// The only error is ErrClosed, and then nothing is delivered any more.
	for _, e := range retries {
		_ = s.send(e, AnyConn)
	}
}

// tooMany turns away a connection over maxConnections as Slack does: the
// websocket opens, and instead of hello the app reads a disconnect with
// reason too_many_websockets, and then the connection closes. Slack's
// maintainers describe it in slackapi/bolt-js#2225 ("When Slack detects it
// has more than 10 concurrent websocket connections open with a single app,
// it will send ... reason: too_many_websockets"), and the frame itself, read
// before any hello, is in the logs of slackapi/bolt-js#2021, #2238 and
// slackapi/java-slack-sdk#1223, where the connection closes right after it.
func tooMany(ws *websocket.Conn) {
	frame, _ := json.Marshal(map[string]any{
		"type":       "disconnect",
		"reason":     "too_many_websockets",
		"debug_info": map[string]any{"host": "applink-fake"},
	})
	_ = ws.SetWriteDeadline(time.Now().Add(writeTimeout))
	_ = ws.WriteMessage(websocket.TextMessage, frame)
	_ = ws.Close()
}

// hello greets a new connection, makes it live and sends it the queued envelopes.
func (s *Server) hello(c *conn) {
	s.deliver.Lock()
	defer s.deliver.Unlock()

	// num_connections counts the app's open connections, this one included,
	// as Slack's hello does (slackapi/python-slack-sdk#1940 reads it to count
	// the connections Slack holds for the app).
	s.mu.Lock()
	n := len(s.sock.open)
	s.mu.Unlock()
	frame, _ := json.Marshal(map[string]any{
		"type":            "hello",
		"num_connections": n,
		"debug_info": map[string]any{
			"host":                        "applink-fake",
			"build_number":                1,
			"approximate_connection_time": 18060,
		},
		"connection_info": map[string]any{"app_id": s.AppID},
	})
	if err := writeFrame(c, frame); err != nil {
		return
	}

	s.mu.Lock()
	s.sock.live = append(s.sock.live, c)
	s.sock.hellos++
	queued := s.sock.queue
	s.sock.queue = nil
	s.notifyLocked()
	s.mu.Unlock()

	for i, e := range queued {
		if err := s.write(c, e); err != nil {
			s.mu.Lock()
			s.sock.retire(c)
			c.unsend(e)
			s.sock.queue = append(queued[i:], s.sock.queue...)
			s.mu.Unlock()
			_ = c.ws.Close()
			return
		}
	}
}

func writeFrame(c *conn, frame []byte) error {
	if err := c.ws.SetWriteDeadline(time.Now().Add(writeTimeout)); err != nil {
		return err
	}
	return c.ws.WriteMessage(websocket.TextMessage, frame)
}

// write sends e on c. The caller holds s.deliver. The delivery is recorded
// before the frame goes out, so that its ack always finds it.
func (s *Server) write(c *conn, e *envelope) error {
	s.mu.Lock()
	e.written = time.Now()
	if e.id != "" {
		s.sock.sent[e.id] = e
	}
	c.sent = append(c.sent, e)
	s.sock.deliveries = append(s.sock.deliveries, e.delivery(c.n))
	s.notifyLocked()
	s.mu.Unlock()
	return writeFrame(c, e.data)
}

// unsend forgets e, the last envelope written to c, whose write failed: it
// goes to another connection instead. The caller holds s.mu and s.deliver.
func (c *conn) unsend(e *envelope) {
	if n := len(c.sent); n > 0 && c.sent[n-1] == e {
		c.sent = c.sent[:n-1]
	}
}

// send writes e to the live connection with id to or, with AnyConn, to the
// live connection the server chooses; with no live connection it queues e
// until one says hello. A connection that is given but not live is an
// ErrNoConnection.
func (s *Server) send(e *envelope, to int) error {
	s.deliver.Lock()
	defer s.deliver.Unlock()
	for {
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			return ErrClosed
		}
		c := s.sock.pick(to)
		if c == nil {
			if to != AnyConn {
				s.mu.Unlock()
				return fmt.Errorf("%w: %d", ErrNoConnection, to)
			}
			s.sock.queue = append(s.sock.queue, e)
			s.mu.Unlock()
			return nil
		}
		s.mu.Unlock()
		err := s.write(c, e)
		if err == nil {
			return nil
		}
		// The connection is broken: stop using it and try the next one.
		s.mu.Lock()
		s.sock.retire(c)
		c.unsend(e)
		s.mu.Unlock()
		_ = c.ws.Close()
		if to != AnyConn {
			return fmt.Errorf("fakeslack: write to connection %d: %w", to, err)
		}
	}
}

// SendRaw sends frame as it is, for garbage and unknown envelope types. If frame
// is JSON with an envelope_id, WaitAck can wait for its ack.
func (s *Server) SendRaw(frame []byte) error {
	return s.SendRawTo(AnyConn, frame)
}

// SendRawTo is SendRaw to the live connection conn, or with AnyConn to the one
// the server chooses. The server never sends a raw frame again.
func (s *Server) SendRawTo(conn int, frame []byte) error {
	var head struct {
		EnvelopeID string `json:"envelope_id"`
	}
	_ = json.Unmarshal(frame, &head)
	return s.send(&envelope{id: head.EnvelopeID, data: append([]byte(nil), frame...)}, conn)
}

// Disconnect sends every live connection a disconnect frame with reason
// ("warning", "refresh_requested" or "link_disabled"), as Slack does before it
// closes a connection. From then on the connections take no envelopes; the
// server closes each once the client has or after a short grace period.
func (s *Server) Disconnect(reason string) {
	s.deliver.Lock()
	defer s.deliver.Unlock()
	s.mu.Lock()
	conns := s.sock.live
	s.sock.live = nil
	s.notifyLocked()
	s.mu.Unlock()
	for _, c := range conns {
		disconnect(c, reason)
	}
}

// disconnect tells c to go away with reason and closes it after the grace period.
func disconnect(c *conn, reason string) {
	frame, _ := json.Marshal(map[string]any{
		"type":       "disconnect",
		"reason":     reason,
		"debug_info": map[string]any{"host": "applink-fake"},
	})
	_ = writeFrame(c, frame)
	c.closeSoon()
}

// Drop closes every live connection at once, without a frame, like a network
// failure.
func (s *Server) Drop() {
	s.deliver.Lock()
	defer s.deliver.Unlock()
	s.mu.Lock()
	conns := s.sock.live
	s.sock.live = nil
	s.notifyLocked()
	s.mu.Unlock()
	for _, c := range conns {
		_ = c.ws.Close()
	}
}

// pingLoop pings c every ping interval until c closes, and closes c when told to.
func (s *Server) pingLoop(c *conn) {
	t := time.NewTicker(s.cfg.pingInterval)
	defer t.Stop()
	closing := c.closing
	var grace <-chan time.Time
	for {
		select {
		case <-c.done:
			return
		case <-closing:
			closing = nil
			grace = time.After(disconnectGrace)
		case <-grace:
			_ = c.ws.Close()
			return
		case <-t.C:
			// Count the ping first: its pong can be read before the write returns.
			s.mu.Lock()
			s.pings++
			s.notifyLocked()
			s.mu.Unlock()
			if err := c.ws.WriteControl(websocket.PingMessage, []byte("ping"), time.Now().Add(writeTimeout)); err != nil {
				_ = c.ws.Close()
				return
			}
		}
	}
}

// readLoop records every frame the app sends on c until the connection fails.
func (s *Server) readLoop(c *conn) {
	for {
		_, data, err := c.ws.ReadMessage()
		if err != nil {
			return
		}
		s.received(c, data, time.Now())
	}
}

// received records a frame and, if it is an ack, the ack. The text or blocks in the
// ack of a slash command are what the user sees, so they become a Message, unless
// Slack would refuse them; a view in the ack of a view submission is checked too.
// A refused payload is recorded as a Rejection of Method "ack".
func (s *Server) received(c *conn, data []byte, at time.Time) {
	var a struct {
		EnvelopeID string          `json:"envelope_id"`
		Payload    json.RawMessage `json:"payload"`
	}
	isAck := json.Unmarshal(data, &a) == nil && a.EnvelopeID != ""

	var shown *Message
	var refused *BlockError
	s.mu.Lock()
	s.frames = append(s.frames, Frame{Conn: c.n, Data: data, At: at})
	if isAck {
		ack := Ack{EnvelopeID: a.EnvelopeID, Conn: c.n, Payload: nullToNil(a.Payload), At: at}
		c.acks++
		e := s.sock.sent[a.EnvelopeID]
		if e != nil {
			ack.Latency = at.Sub(e.written)
		}
		if e != nil && !s.sock.acked[a.EnvelopeID] && len(ack.Payload) > 0 {
			shown, refused = ackMessage(e, ack.Payload)
		}
		s.sock.acked[a.EnvelopeID] = true
		s.acks = append(s.acks, ack)
	}
	s.notifyLocked()
	s.mu.Unlock()

	if refused != nil {
		s.recordRejection(Rejection{Method: "ack", Error: refused.Code, Problems: refused.Problems, Body: a.Payload, At: at})
	}
	if shown != nil {
		s.recordMessage(*shown)
	}
}

// ackMessage is what an ack payload shows the user, or nil, and why Slack refuses
// it, if it does. Only a slash command's ack shows text or blocks; an interactive
// ack with response_action "update" or "push" carries a view.
func ackMessage(e *envelope, payload json.RawMessage) (*Message, *BlockError) {
	var p struct {
		Text           string          `json:"text"`
		Blocks         json.RawMessage `json:"blocks"`
		ResponseType   string          `json:"response_type"`
		ResponseAction string          `json:"response_action"`
		View           json.RawMessage `json:"view"`
	}
	if json.Unmarshal(payload, &p) != nil {
		return nil, nil
	}
	switch e.kind {
	case "slash_commands":
		p.Blocks = nullToNil(p.Blocks)
		if p.Text == "" && !hasBlocks(p.Blocks) {
			return nil, nil
		}
		if len(p.Blocks) > 0 {
			if err := CheckBlocks(SurfaceMessage, p.Blocks); err != nil {
				return nil, err.(*BlockError)
			}
		}
		return &Message{Kind: "ack", Channel: e.channel, User: e.user, Text: p.Text, Blocks: p.Blocks, ResponseType: p.ResponseType}, nil
	case "interactive":
		if (p.ResponseAction == "update" || p.ResponseAction == "push") && len(p.View) > 0 {
			if err := CheckView(p.View); err != nil {
				return nil, err.(*BlockError)
			}
		}
	}
	return nil, nil
}
