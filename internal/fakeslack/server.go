// Package fakeslack is a fake Slack workspace that speaks Slack's real protocols: the
// Web API over HTTP and Socket Mode over a websocket. Point the real slack-go client at
// it with slack.OptionAPIURL(s.APIURL()) and slack.OptionAppLevelToken(s.AppToken).
//
// It records every Web API call, every message and view the app sends, and every frame
// and ack the app writes to the socket, and it lets a caller wait for any of them
// without sleeping. It serves both the app's tests and `bot try`, so it never imports
// the testing package.
//
// The app may hold up to 10 Socket Mode connections at once, as replicas of it do;
// the websocket of an eleventh is refused with a disconnect frame of reason
// too_many_websockets. Each envelope goes to one live connection: by round robin
// over the live connections in id order, or to the one a test names with the To
// methods (SendEventTo, SendSlashTo, SendInteractiveTo, SendRawTo, RetryEvent).
// Envelopes sent while no connection is live wait in a queue and go out in order
// to the next connection, right after its hello. When a connection closes, the
// events_api envelopes it had not acked are retried on another live connection,
// or queued, up to Slack's 3 retries; slash commands and interactions it had not
// acked are lost, as with Slack, and listed by Lost. See conns.go for the sources.
//
// The server is as strict as Slack where Slack's documentation says what it
// refuses, and records every refusal a real app would not notice in a test:
//   - Blocks in chat.postMessage, chat.update, chat.postEphemeral, response_url
//     posts and slash-command acks, and the views of views.open, views.push,
//     views.update and views.publish, are checked by CheckBlocks and CheckView.
//     A refusal is answered as Slack answers it (invalid_blocks with errors and
//     response_metadata.messages; invalid_arguments with messages for a view;
//     an HTTP 400 with "invalid_blocks" as plain text from a response_url; an
//     ack that is not shown) and is recorded as a Rejection: see Rejected.
//   - A trigger_id works once (exchanged_trigger_id) and for 3 seconds after
//     its envelope was made (expired_trigger_id), by the server's clock.
//   - A response_url takes 5 posts within 30 minutes, by the server's clock.
//   - users.info takes exactly one user, from the directory that AddUser fills.
//
// It is lenient where Slack needs setup: any channel or user id is accepted by the
// chat and conversations methods.
package fakeslack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"time"
)

// ErrClosed is returned by the Send and Wait methods once the server is closed.
var ErrClosed = errors.New("fakeslack: server closed")

// Call is one request to a Web API method or to a response_url, as the server saw it.
type Call struct {
	// Method is the Web API method, such as "chat.postMessage", or "response_url".
	Method string
	// Token is the bearer token or the token form field; empty if none was sent.
	Token string
	// Params holds the form fields, or the top-level fields of a JSON body. A JSON
	// value that is not a string is kept as its JSON text.
	Params url.Values
	Body   []byte
	At     time.Time
	// Status is the HTTP status of the answer: 200, 429 or 500.
	Status int
	// Error is the Slack error code of an answer with "ok": false.
	Error string
}

// Rejection is a call or ack that Slack refuses for invalid Block Kit or an invalid
// view. A test that ends with any means the app sent something real Slack would not
// show.
type Rejection struct {
	// Method is the Web API method, "response_url", or "ack" for the payload of
	// an envelope's ack.
	Method string
	// Error is the code Slack answers: "invalid_blocks" or "invalid_arguments".
	Error    string
	Problems []Problem
	// Body is the request body or the ack's payload.
	Body []byte
	At   time.Time
}

// String is the rejection as a test failure prints it: the method, the code and
// every problem with its JSON pointer.
func (r Rejection) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s", r.Method, r.Error)
	for _, p := range r.Problems {
		fmt.Fprintf(&b, "\n\t%s", p)
	}
	return b.String()
}

// Message is something the app made a user see in a conversation.
type Message struct {
	// Kind is "post", "ephemeral", "update" or "delete" for the chat methods,
	// "response" for a post to a response_url, "ack" for the text or blocks of a
	// slash command's ack payload, and "reaction" for reactions.add.
	Kind    string
	Channel string
	// User is the user an ephemeral message, ack or response is shown to.
	User     string
	Text     string
	Blocks   json.RawMessage
	ThreadTS string
	// TS is the message's timestamp; for a reaction, the message reacted to.
	TS              string
	ResponseType    string
	ReplaceOriginal bool
	DeleteOriginal  bool
	// Files are the files a "file" message shares (files.completeUploadExternal),
	// its Text the initial_comment.
	Files []File
}

// View is a view the app published, opened, pushed or updated.
type View struct {
	// Kind is "publish", "open", "push" or "update".
	Kind   string
	UserID string
	// ID is the view id the server gave the view.
	ID string
	// View is the view object exactly as the app sent it.
	View json.RawMessage
}

// Ack is an acknowledgement the app sent over Socket Mode.
type Ack struct {
	EnvelopeID string
	// Conn is the id of the connection the ack came on; see Frame.
	Conn    int
	Payload json.RawMessage
	// Latency is the time from writing the envelope to reading its ack; zero when the
	// envelope is unknown.
	Latency time.Duration
	At      time.Time
}

// Frame is one websocket message the app sent, ack or not.
type Frame struct {
	// Conn is the id of the connection: the server numbers the connections it
	// admits from 1, in the order their websockets opened. A connection it
	// refuses takes no number.
	Conn int
	Data []byte
	At   time.Time
}

// User is a member of the fake workspace, as users.info reports it.
type User struct {
	ID       string
	Name     string
	RealName string
	// TZ is an IANA zone such as "Europe/Berlin"; empty means "UTC". users.info
	// reports the zone's abbreviation, such as "CET", as tz_label.
	TZ string
	// Status is the user's custom status, in users.info's profile
	// (users.go); SetStatus changes it.
	Status Status
}

// Snapshot is the server's record at one moment, for WaitFor. Its slices are shared
// with the server and must not be modified.
type Snapshot struct {
	Calls    []Call
	Messages []Message
	Views    []View
	Acks     []Ack
	Frames   []Frame
	// Deliveries holds the envelopes written to connections; Lost those that
	// closed connections took with them and that will not be sent again.
	Deliveries []Delivery
	Lost       []Delivery
	// Connections counts the connections that have been sent hello.
	Connections int
	// Live counts the connections that are open and take envelopes.
	Live int
	// Refused counts the websockets turned away for being over the limit of
	// open connections.
	Refused int
	Pings   int
	Pongs   int
}

// Option configures a Server.
type Option func(*config)

type config struct {
	appToken     string
	botToken     string
	pingInterval time.Duration
	now          func() time.Time
	org          *orgConfig // enterprise.go
}

// WithTokens sets the app-level token and the bot token the server accepts.
func WithTokens(appToken, botToken string) Option {
	return func(c *config) { c.appToken, c.botToken = appToken, botToken }
}

// WithPingInterval sets how often the server pings each Socket Mode connection.
// slack-go drops a connection that goes 30 seconds without a ping.
func WithPingInterval(d time.Duration) Option {
	return func(c *config) { c.pingInterval = d }
}

// WithClock sets the clock behind message timestamps, event times, the time zone
// offsets of users.info and the refill of Limit's budgets: with a frozen clock a
// spent budget stays spent until the clock moves. Latencies use the real time.
func WithClock(now func() time.Time) Option {
	return func(c *config) { c.now = now }
}

// Server is a running fake Slack workspace. Its exported fields are read-only.
type Server struct {
	AppToken  string
	BotToken  string
	TeamID    string
	AppID     string
	BotUserID string
	BotID     string

	cfg     config
	http    *httptest.Server
	methods map[string]func(Call) reply

	closing chan struct{}
	wg      sync.WaitGroup

	// observe keeps recording and the observers in one order: observers see
	// messages and views in the order they were recorded.
	observe sync.Mutex
	// deliver serialises every data frame written to the sockets and keeps the
	// queue in order.
	deliver sync.Mutex

	mu        sync.Mutex
	closed    bool
	changed   chan struct{}
	seq       int
	lastMicro int64
	calls     []Call
	messages  []Message
	views     []View
	acks      []Ack
	frames    []Frame
	rejected  []Rejection
	pings     int
	pongs     int
	onMessage []func(Message)
	onView    []func(View)
	users     map[string]User
	web       webState
	limits    limits
	sock      sockState
	scopes    scopeState
	files     fileState
	org       orgState // enterprise.go
}

// New starts a fake Slack on a local port. Call Close to stop it.
func New(opts ...Option) *Server {
	cfg := config{
		appToken:     "xapp-1-FAKE-apptoken",
		botToken:     "xoxb-FAKE-bottoken",
		pingInterval: 5 * time.Second,
		now:          time.Now,
	}
	for _, o := range opts {
		o(&cfg)
	}
	s := &Server{
		AppToken:  cfg.appToken,
		BotToken:  cfg.botToken,
		TeamID:    "TFAKE",
		AppID:     "AFAKE",
		BotUserID: "UBOT",
		BotID:     "BBOT",
		cfg:       cfg,
		closing:   make(chan struct{}),
		changed:   make(chan struct{}),
		users:     map[string]User{},
		web:       newWebState(),
		limits:    newLimits(),
		sock:      newSockState(),
	}
	if cfg.org != nil {
		s.TeamID = cfg.org.teams[0]
	}
	s.users[s.BotUserID] = User{ID: s.BotUserID, Name: "ladder", RealName: "Ladder", TZ: "UTC"}
	s.methods = s.webMethods()

	mux := http.NewServeMux()
	mux.HandleFunc("/api/", s.serveAPI)
	mux.HandleFunc("/socket", s.serveSocket)
	mux.HandleFunc("/response/", s.serveResponse)
	mux.HandleFunc(uploadPath, s.serveUpload)
	s.http = httptest.NewServer(mux)
	return s
}

// Close closes every connection, waits for the server's goroutines and stops the
// server. It is safe to call more than once.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	close(s.closing)
	conns := s.sock.all()
	s.notifyLocked()
	s.mu.Unlock()

	for _, c := range conns {
		_ = c.ws.Close()
	}
	s.wg.Wait()
	s.http.Close()
}

// APIURL is the base URL of the Web API, ending in "/", for slack.OptionAPIURL.
func (s *Server) APIURL() string { return s.http.URL + "/api/" }

// AddUser adds u to the directory that users.info reads, or replaces it.
func (s *Server) AddUser(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[u.ID] = u
}

// UserName returns the name of the user with id in the directory, or "" if
// the directory does not have it: a blocktext.Renderer's Name.
func (s *Server) UserName(id string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.users[id].Name
}

// NewTS returns a message timestamp, such as "1700000000.000100", later than every
// timestamp the server has handed out. Use it for the messages users send.
func (s *Server) NewTS() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.newTSLocked()
}

func (s *Server) newTSLocked() string {
	micro := s.cfg.now().UnixMicro()
	if micro <= s.lastMicro {
		micro = s.lastMicro + 1
	}
	s.lastMicro = micro
	return fmt.Sprintf("%d.%06d", micro/1e6, micro%1e6)
}

// nextLocked returns a number that is unique within the server, for ids.
func (s *Server) nextLocked() int {
	s.seq++
	return s.seq
}

// OnMessage registers f to be called with each Message as it is recorded. Calls are
// synchronous and in order; f must not wait for the app to call Slack again.
func (s *Server) OnMessage(f func(Message)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onMessage = append(s.onMessage, f)
}

// OnView registers f to be called with each View as it is recorded, like OnMessage.
func (s *Server) OnView(f func(View)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onView = append(s.onView, f)
}

// Calls returns every Web API and response_url call so far.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// CallsTo returns the calls to one method so far.
func (s *Server) CallsTo(method string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return callsTo(s.calls, method)
}

func callsTo(calls []Call, method string) []Call {
	var out []Call
	for _, c := range calls {
		if c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// Messages returns every message delivered so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.messages...)
}

// Views returns every view delivered so far.
func (s *Server) Views() []View {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]View(nil), s.views...)
}

// Acks returns every ack so far, repeated acks included.
func (s *Server) Acks() []Ack {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Ack(nil), s.acks...)
}

// Rejected returns every call and ack so far that Slack would have refused for
// invalid Block Kit or an invalid view.
func (s *Server) Rejected() []Rejection {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Rejection(nil), s.rejected...)
}

func (s *Server) recordRejection(r Rejection) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rejected = append(s.rejected, r)
	s.notifyLocked()
}

// Frames returns every websocket message the app has sent.
func (s *Server) Frames() []Frame {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Frame(nil), s.frames...)
}

// Connections counts the Socket Mode connections that have been sent hello.
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sock.hellos
}

// Snapshot returns the record as it is now.
func (s *Server) Snapshot() Snapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.snapshotLocked()
}

func (s *Server) snapshotLocked() Snapshot {
	// The records only grow, and recorded elements never change, so the
	// snapshot can share them up to their current length.
	return Snapshot{
		Calls:       s.calls[:len(s.calls):len(s.calls)],
		Messages:    s.messages[:len(s.messages):len(s.messages)],
		Views:       s.views[:len(s.views):len(s.views)],
		Acks:        s.acks[:len(s.acks):len(s.acks)],
		Frames:      s.frames[:len(s.frames):len(s.frames)],
		Deliveries:  s.sock.deliveries[:len(s.sock.deliveries):len(s.sock.deliveries)],
		Lost:        s.sock.lost[:len(s.sock.lost):len(s.sock.lost)],
		Connections: s.sock.hellos,
		Live:        len(s.sock.live),
		Refused:     s.sock.refused,
		Pings:       s.pings,
		Pongs:       s.pongs,
	}
}

// WaitFor waits until cond holds for the record, checking again after every change.
// It returns ctx's error if ctx ends first, or ErrClosed if the server closes.
func (s *Server) WaitFor(ctx context.Context, cond func(*Snapshot) bool) error {
	for {
		s.mu.Lock()
		snap := s.snapshotLocked()
		changed, closed := s.changed, s.closed
		s.mu.Unlock()
		if cond(&snap) {
			return nil
		}
		if closed {
			return ErrClosed
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return fmt.Errorf("fakeslack: wait: %w", ctx.Err())
		}
	}
}

// WaitMessages waits until at least n messages have been delivered and returns them all.
func (s *Server) WaitMessages(ctx context.Context, n int) ([]Message, error) {
	var out []Message
	err := s.WaitFor(ctx, func(sn *Snapshot) bool {
		out = sn.Messages
		return len(sn.Messages) >= n
	})
	return append([]Message(nil), out...), err
}

// WaitCalls waits until method has been called at least n times and returns those calls.
func (s *Server) WaitCalls(ctx context.Context, method string, n int) ([]Call, error) {
	var out []Call
	err := s.WaitFor(ctx, func(sn *Snapshot) bool {
		out = callsTo(sn.Calls, method)
		return len(out) >= n
	})
	return out, err
}

// WaitAck waits for the first ack of the envelope envID.
func (s *Server) WaitAck(ctx context.Context, envID string) (Ack, error) {
	var ack Ack
	err := s.WaitFor(ctx, func(sn *Snapshot) bool {
		for _, a := range sn.Acks {
			if a.EnvelopeID == envID {
				ack = a
				return true
			}
		}
		return false
	})
	return ack, err
}

// WaitConnected waits until a Socket Mode connection is open and has been sent hello.
func (s *Server) WaitConnected(ctx context.Context) error {
	return s.WaitConnections(ctx, 1)
}

// WaitConnections waits until n connections have been sent hello in all and one of
// them is open, as after a reconnect.
func (s *Server) WaitConnections(ctx context.Context, n int) error {
	return s.WaitFor(ctx, func(sn *Snapshot) bool {
		return sn.Connections >= n && sn.Live > 0
	})
}

// notifyLocked wakes every waiter. The caller holds s.mu.
func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

func (s *Server) recordCall(c Call) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, c)
	s.notifyLocked()
}

func (s *Server) recordMessage(m Message) {
	s.observe.Lock()
	defer s.observe.Unlock()
	s.mu.Lock()
	s.messages = append(s.messages, m)
	observers := s.onMessage
	s.notifyLocked()
	s.mu.Unlock()
	for _, f := range observers {
		f(m)
	}
}

func (s *Server) recordView(v View) {
	s.observe.Lock()
	defer s.observe.Unlock()
	s.mu.Lock()
	s.views = append(s.views, v)
	observers := s.onView
	s.notifyLocked()
	s.mu.Unlock()
	for _, f := range observers {
		f(v)
	}
}

// userLocked returns the user with id, or one named after the id if the directory
// does not have it.
func (s *Server) userLocked(id string) User {
	if u, ok := s.users[id]; ok {
		return u
	}
	return User{ID: id, Name: strings.ToLower(id), RealName: id, TZ: "UTC"}
}

// dmChannel is the id of the bot's DM with user, stable for the user.
func dmChannel(user string) string { return "D" + user }
