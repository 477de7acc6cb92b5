package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/ladderapp/ladder/internal/blocktext"
	"github.com/ladderapp/ladder/internal/fakeslack"
	"github.com/ladderapp/ladder/internal/store"
)

// How bot try decides that the app has finished reacting to a line. The fake
// Slack cannot see inside the app, so it waits for the ack, then for the reply
// every input gets, then until nothing new has reached the fake for tryQuiet.
const (
	tryReplyTimeout = 10 * time.Second       // for the ack and the first reply
	tryQuiet        = 300 * time.Millisecond // silence that means "done"
	tryMaxSettle    = 3 * time.Second        // a chatty app cannot hold the prompt longer
	// tryRateLimitWait is added to tryQuiet after a 429: the app posts again
	// once Slack's Retry-After (a second, for a DM) has passed.
	tryRateLimitWait = 1500 * time.Millisecond
	// tryMaybeReply is how long a press or a submission waits for Ladder to
	// start doing something: not every button makes it answer.
	tryMaybeReply = 2 * time.Second
)

const tryBanner = `Ladder, running against a simulated Slack workspace: no tokens, nothing leaves this machine.
You are @alice; @bob is her manager and @carol a peer. Type help for what you can do here
(press buttons, fill in dialogs, switch person), /ladder help for Ladder's own commands.
Any other line is a DM to Ladder: an answer to its last question, saved as evidence.
Ctrl-D quits.
`

// try runs the whole app in a terminal: serveWith, the same code as bot serve,
// connected to the fake Slack from internal/fakeslack, with the person at the
// keyboard as one person of the simulated workspace at a time. The app and the
// simulated Slack share clock. It serves /healthz and /metrics as bot serve
// does, on LADDER_HTTP_ADDR.
//
// bot try never opens the database LADDER_DB names: the container image sets it
// for every process, and a second scheduler on the production database would
// mark real members' weekly prompts as sent to a simulated Slack. It uses a
// temporary database, or the one --db names.
func try(ctx context.Context, args []string, getenv func(string) string, clock func() time.Time, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("try", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	dbPath := fs.String("db", "", "")
	if err := fs.Parse(args); err != nil {
		return &exitError{2, fmt.Errorf("bot try: %w\n%s", err, usage)}
	}
	if fs.NArg() > 0 {
		return &exitError{2, errors.New("bot try takes no arguments but --db PATH: it reads lines from standard input\n" + usage)}
	}
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	// Only warnings reach the terminal, unless LADDER_LOG_LEVEL asks for more:
	// the app's info logs would drown the conversation.
	level := slog.LevelWarn
	if getenv("LADDER_LOG_LEVEL") != "" {
		if level, err = cfg.logLevel(); err != nil {
			return err
		}
	}

	var dbNote string
	if *dbPath != "" {
		cfg.DB = *dbPath
		dbNote = cfg.DB + " (kept, from --db)"
	} else {
		dir, err := os.MkdirTemp("", "ladder-try-")
		if err != nil {
			return fmt.Errorf("temporary database: %w", err)
		}
		defer os.RemoveAll(dir)
		cfg.DB = filepath.Join(dir, "ladder.db")
		dbNote = cfg.DB + " (temporary, deleted on exit; bot try --db PATH keeps one)"
	}
	if env := getenv("LADDER_DB"); env != "" && env != cfg.DB {
		dbNote += "\nLADDER_DB (" + env + ") is not used: bot try never touches it"
	}

	fake := fakeslack.New(fakeslack.WithClock(clock))
	defer fake.Close()
	// The simulated Slack refuses what Slack would refuse; a ladder author
	// should hear of it, not just see a message go missing.
	defer func() {
		for _, r := range fake.Rejected() {
			fmt.Fprintf(stderr, "bot try: Slack would have refused this: %s\n", r)
		}
	}()
	people := tryPeople(localZone(getenv))
	for _, p := range people {
		fake.AddUser(p.User)
	}

	cfg.AppToken, cfg.BotToken, cfg.APIURL = fake.AppToken, fake.BotToken, fake.APIURL()
	if len(cfg.Admins) == 0 {
		// Alice is the workspace's admin, so that /ladder admin can be
		// tried too.
		cfg.Admins = []string{people[0].ID}
	}
	httpAddr, httpNote, err := tryHTTPAddr(cfg.HTTPAddr)
	if err != nil {
		return err
	}
	cfg.HTTPAddr = httpAddr

	s := &trySession{
		fake:   fake,
		people: people,
		user:   people[0].ID,
		out:    &syncWriter{w: stdout},
		render: blocktext.Renderer{Name: fake.UserName},
		modals: map[string][]*tryModal{},
		next:   1,
	}
	s.render.Color = isTerminal(stdout)
	fake.OnMessage(s.onMessage)
	fake.OnView(s.onView)

	// The app runs until appCtx ends; alive ends when the app stops, for
	// whatever reason, so that no wait outlasts it.
	appCtx, stopApp := context.WithCancel(ctx)
	defer stopApp()
	alive, appStopped := context.WithCancel(ctx)
	defer appStopped()
	var serveErr error
	appDone := make(chan struct{})
	go func() {
		defer close(appDone)
		defer appStopped()
		serveErr = serveWith(appCtx, cfg, newLogger(stderr, level, newRedactor(cfg)), clock, slackOptions(cfg)...)
	}()
	stop := func() error {
		stopApp()
		<-appDone
		return serveErr
	}

	wctx, cancel := context.WithTimeout(alive, tryReplyTimeout)
	err = fake.WaitConnected(wctx)
	cancel()
	if err != nil {
		if err := stop(); err != nil {
			return err
		}
		return fmt.Errorf("bot try: the app did not connect to the simulated Slack: %w", err)
	}

	// The app sends its DMs through its send queue, a second or so apart in
	// one DM: settle waits for the queue too, read from the same database.
	if db, err := store.Open(alive, cfg.DB); err == nil {
		defer db.Close()
		s.queued = func(ctx context.Context) int {
			counts, err := db.OutboxCounts(ctx)
			if err != nil {
				return 0
			}
			return counts[store.OutboxPending] + counts[store.OutboxSending]
		}
	}

	// The database line is printed even into a pipe: which database bot try
	// writes to is worth a line in any transcript.
	interactive := isTerminal(stdin)
	if interactive {
		s.out.printf("%s", tryBanner)
	}
	s.out.printf("Database: %s\n", dbNote)
	if u, err := healthURL(httpAddr); err == nil {
		s.out.printf("Health and metrics: %s and /metrics%s\n", u, httpNote)
	}
	s.out.printf("\n")

	lines, readErr := readLines(alive, stdin)
	for {
		if interactive {
			s.out.printf("%s> ", s.name(s.current()))
		}
		var line string
		var ok bool
		select {
		case <-ctx.Done():
			s.out.printf("\n")
			return stop()
		case <-alive.Done():
			if ctx.Err() != nil {
				s.out.printf("\n")
				return stop()
			}
			if err := stop(); err != nil {
				return err
			}
			return errors.New("bot try: the app stopped")
		case line, ok = <-lines:
		}
		if !ok {
			if interactive {
				s.out.printf("\n")
			}
			if err := <-readErr; err != nil {
				_ = stop()
				return fmt.Errorf("read input: %w", err)
			}
			return stop()
		}
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if !interactive {
			// Piped input is not on the screen: echo it, so the output reads as
			// a transcript.
			s.out.printf("%s> %s\n", s.name(s.current()), line)
		}
		if err := s.do(alive, line); err != nil && alive.Err() == nil {
			fmt.Fprintf(stderr, "bot try: %v\n", err)
		}
	}
}

// readLines reads stdin in its own goroutine, so that Ctrl-C ends bot try even
// while it waits for a line. That goroutine ends at the end of input, or when ctx
// ends while it is handing over a line; a read blocked on a terminal cannot be
// interrupted, and ends with the process.
func readLines(ctx context.Context, r io.Reader) (<-chan string, <-chan error) {
	lines := make(chan string)
	errc := make(chan error, 1)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 64*1024), 1<<20) // evidence may be long
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-ctx.Done():
				errc <- nil
				return
			}
		}
		errc <- sc.Err()
	}()
	return lines, errc
}

// settle waits until nothing new has reached the fake Slack for tryQuiet, or
// for tryMaxSettle at most.
func (s *trySession) settle(ctx context.Context) error {
	deadline := time.Now().Add(tryMaxSettle)
	for time.Now().Before(deadline) {
		sn := s.fake.Snapshot()
		n := activity(sn)
		quiet := tryQuiet
		if c := sn.Calls; len(c) > 0 && c[len(c)-1].Status == http.StatusTooManyRequests {
			// Slack asked the app to wait (about a post a second in a DM):
			// the rest of its reply comes after that.
			quiet += tryRateLimitWait
		}
		qctx, cancel := context.WithTimeout(ctx, min(quiet, time.Until(deadline)))
		err := s.fake.WaitFor(qctx, func(sn *fakeslack.Snapshot) bool { return activity(*sn) != n })
		cancel()
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if errors.Is(err, context.DeadlineExceeded) {
			if s.queued != nil && s.queued(ctx) > 0 {
				continue // quiet, but DMs are still to go out
			}
			return nil // quiet
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// activity counts everything the app has done to the fake Slack.
func activity(sn fakeslack.Snapshot) int {
	return len(sn.Calls) + len(sn.Messages) + len(sn.Views) + len(sn.Acks)
}

// newMessage reports whether a message of one of kinds has arrived since before.
func newMessage(before fakeslack.Snapshot, kinds ...string) func(*fakeslack.Snapshot) bool {
	return func(sn *fakeslack.Snapshot) bool {
		for _, m := range sn.Messages[len(before.Messages):] {
			for _, k := range kinds {
				if m.Kind == k {
					return true
				}
			}
		}
		return false
	}
}

// syncWriter serialises output: the fake Slack reports messages from its own
// goroutines while the main loop prints prompts.
type syncWriter struct {
	mu     sync.Mutex
	w      io.Writer
	blocks int // blocks printed so far
}

func (w *syncWriter) printf(format string, args ...any) {
	w.mu.Lock()
	defer w.mu.Unlock()
	fmt.Fprintf(w.w, format, args...)
}

// block prints a labelled piece of what Ladder sent, followed by a blank line.
func (w *syncWriter) block(label, text string) {
	if text != "" {
		text += "\n"
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.blocks++
	fmt.Fprintf(w.w, "── %s ──\n%s\n", label, text)
}

// printed counts the blocks printed so far.
func (w *syncWriter) printed() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.blocks
}

// isTerminal reports whether f is a character device, such as a terminal,
// rather than a pipe or a file.
func isTerminal(f any) bool {
	file, ok := f.(*os.File)
	if !ok {
		return false
	}
	fi, err := file.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// localZone is this machine's IANA timezone, for the simulated member, or
// Europe/London when it cannot be found.
func localZone(getenv func(string) string) string {
	candidates := []string{strings.TrimPrefix(getenv("TZ"), ":")}
	if target, err := os.Readlink("/etc/localtime"); err == nil {
		candidates = append(candidates, target)
	}
	if b, err := os.ReadFile("/etc/timezone"); err == nil {
		candidates = append(candidates, strings.TrimSpace(string(b)))
	}
	for _, c := range candidates {
		if _, after, ok := strings.Cut(c, "zoneinfo/"); ok {
			c = after
		}
		if c == "" || c == "Local" {
			continue
		}
		if _, err := time.LoadLocation(c); err == nil {
			return c
		}
	}
	return "Europe/London"
}
