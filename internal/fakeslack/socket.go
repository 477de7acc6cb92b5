package fakeslack

import (
	"encoding/json"
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
	// live holds the connections that take envelopes, newest last.
	live []*conn
	// open holds every connection not yet closed, for Close.
	open map[*conn]bool
	// queue holds the envelopes waiting for a connection.
	queue []*envelope
	// sent holds each envelope written, by id, for the latency of its ack.
	sent  map[string]*envelope
	acked map[string]bool
	// urls holds the keys of the URLs apps.connections.open handed out, and
	// whether each was used: each URL takes one connection.
	urls   map[string]bool
	hellos int
	dialed int
}

func newSockState() sockState {
	return sockState{
		open:  map[*conn]bool{},
		sent:  map[string]*envelope{},
		acked: map[string]bool{},
		urls:  map[string]bool{},
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
	n  int
	ws *websocket.Conn
	// done is closed when the read loop has ended.
	done chan struct{}
	// closing is closed to close the connection after disconnectGrace.
	closing     chan struct{}
	closingOnce sync.Once
}

func (c *conn) closeSoon() { c.closingOnce.Do(func() { close(c.closing) }) }

// envelope is a frame for the app: an envelope, or raw bytes from SendRaw.
type envelope struct {
	id   string
	kind string
	data []byte
	// user and channel say where the text of a slash command's ack shows.
	user, channel string
	// written is when the frame went out. Guarded by Server.mu.
	written time.Time
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
	s.sock.dialed++
	c.n = s.sock.dialed
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
	s.notifyLocked()
	s.mu.Unlock()
	close(c.done)
	_ = ws.Close()
}

// hello greets a new connection, makes it live and sends it the queued envelopes.
func (s *Server) hello(c *conn) {
	s.deliver.Lock()
	defer s.deliver.Unlock()

	s.mu.Lock()
	n := len(s.sock.live) + 1
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

// write sends e on c. The caller holds s.deliver.
func (s *Server) write(c *conn, e *envelope) error {
	s.mu.Lock()
	e.written = time.Now()
	if e.id != "" {
		s.sock.sent[e.id] = e
	}
	s.mu.Unlock()
	return writeFrame(c, e.data)
}

// send writes e to the newest live connection, or queues it until a connection
// says hello.
func (s *Server) send(e *envelope) error {
	s.deliver.Lock()
	defer s.deliver.Unlock()
	for {
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			return ErrClosed
		}
		if len(s.sock.live) == 0 {
			s.sock.queue = append(s.sock.queue, e)
			s.mu.Unlock()
			return nil
		}
		c := s.sock.live[len(s.sock.live)-1]
		s.mu.Unlock()
		if s.write(c, e) == nil {
			return nil
		}
		// The connection is broken: stop using it and try the next one.
		s.mu.Lock()
		s.sock.retire(c)
		s.mu.Unlock()
		_ = c.ws.Close()
	}
}

// SendRaw sends frame as it is, for garbage and unknown envelope types. If frame
// is JSON with an envelope_id, WaitAck can wait for its ack.
func (s *Server) SendRaw(frame []byte) error {
	var head struct {
		EnvelopeID string `json:"envelope_id"`
	}
	_ = json.Unmarshal(frame, &head)
	return s.send(&envelope{id: head.EnvelopeID, data: append([]byte(nil), frame...)})
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
	frame, _ := json.Marshal(map[string]any{
		"type":       "disconnect",
		"reason":     reason,
		"debug_info": map[string]any{"host": "applink-fake"},
	})
	for _, c := range conns {
		_ = writeFrame(c, frame)
		c.closeSoon()
	}
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
		ack := Ack{EnvelopeID: a.EnvelopeID, Payload: nullToNil(a.Payload), At: at}
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
