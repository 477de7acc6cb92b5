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
	"sync/atomic"
	"time"

	"github.com/ladderapp/ladder/internal/blocktext"
	"github.com/ladderapp/ladder/internal/slacktest"
)

// tryUser is the simulated member who types into bot try.
var tryUser = slacktest.User{ID: "U0YOU", Name: "you", RealName: "You"}

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
)

const tryBanner = `Ladder, running against a simulated Slack workspace: no tokens, nothing leaves this machine.
You are @you. Type /ladder help for the commands. Any other line is a DM to Ladder:
an answer to its last question, saved as evidence. Type home to see your Home tab.
Ctrl-D quits.
`

// try runs the whole app in a terminal: serveWith, the same code as bot serve,
// connected to the fake Slack from internal/slacktest, with the person at the
// keyboard as one member of the simulated workspace. The app and the simulated
// Slack share clock.
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

	fake := slacktest.New(slacktest.WithClock(clock))
	defer fake.Close()
	// The simulated Slack refuses what Slack would refuse; a ladder author
	// should hear of it, not just see a message go missing.
	defer func() {
		for _, r := range fake.Rejected() {
			fmt.Fprintf(stderr, "bot try: Slack would have refused this: %s\n", r)
		}
	}()
	u := tryUser
	u.TZ = localZone(getenv)
	fake.AddUser(u)

	cfg.AppToken, cfg.BotToken, cfg.APIURL = fake.AppToken, fake.BotToken, fake.APIURL()
	cfg.HTTPAddr = ""
	if len(cfg.Admins) == 0 {
		// The simulated member is the workspace's admin, so that /ladder admin
		// can be tried too.
		cfg.Admins = []string{u.ID}
	}

	s := &trySession{
		fake:   fake,
		user:   u.ID,
		out:    &syncWriter{w: stdout},
		render: blocktext.Renderer{Name: fake.UserName},
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

	// The database line is printed even into a pipe: which database bot try
	// writes to is worth a line in any transcript.
	interactive := isTerminal(stdin)
	if interactive {
		s.out.printf("%s", tryBanner)
	}
	s.out.printf("Database: %s\n\n", dbNote)

	lines, readErr := readLines(alive, stdin)
	for {
		if interactive {
			s.out.printf("> ")
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
			s.out.printf("> %s\n", line)
		}
		if err := s.send(alive, line); err != nil && alive.Err() == nil {
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

// trySession is one bot try conversation.
type trySession struct {
	fake   *slacktest.Server
	user   string
	out    *syncWriter
	render blocktext.Renderer

	// showHome is set while the member has asked to see the Home tab. The app
	// republishes the Home tab after every answer; printing each of those would
	// bury the conversation, so bot try prints it only when asked, with "home".
	showHome atomic.Bool
}

// send delivers one line the way Slack would, and waits until the app has
// finished reacting to it.
func (s *trySession) send(ctx context.Context, line string) error {
	before := s.fake.Snapshot()
	var envID string
	var err error
	var replied func(*slacktest.Snapshot) bool
	switch {
	case line == "/ladder" || strings.HasPrefix(line, "/ladder "):
		envID, err = s.fake.SendSlash(slacktest.SlashCommand{UserID: s.user, Text: strings.TrimSpace(strings.TrimPrefix(line, "/ladder"))})
		replied = newMessage(before, "response", "ack", "ephemeral")
	case strings.EqualFold(line, "home"):
		s.showHome.Store(true)
		defer s.showHome.Store(false)
		envID, err = s.fake.SendEvent("", s.fake.AppHomeOpenedEvent(s.user), 0)
		replied = func(sn *slacktest.Snapshot) bool { return len(sn.Views) > len(before.Views) }
	case strings.HasPrefix(line, "/"):
		s.out.printf("Only /ladder commands work here; try /ladder help. To write to Ladder, start with a word.\n\n")
		return nil
	default:
		envID, err = s.fake.SendEvent("", s.fake.DMEvent(s.user, line, s.fake.NewTS()), 0)
		replied = newMessage(before, "post")
	}
	if err != nil {
		return err
	}

	wctx, cancel := context.WithTimeout(ctx, tryReplyTimeout)
	defer cancel()
	if _, err := s.fake.WaitAck(wctx, envID); err != nil {
		return fmt.Errorf("Ladder did not acknowledge %q: %w", line, err)
	}
	if err := s.fake.WaitFor(wctx, replied); err != nil {
		return fmt.Errorf("no reply to %q: %w", line, err)
	}
	return s.settle(ctx)
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
		err := s.fake.WaitFor(qctx, func(sn *slacktest.Snapshot) bool { return activity(*sn) != n })
		cancel()
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if errors.Is(err, context.DeadlineExceeded) {
			return nil // quiet
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// activity counts everything the app has done to the fake Slack.
func activity(sn slacktest.Snapshot) int {
	return len(sn.Calls) + len(sn.Messages) + len(sn.Views) + len(sn.Acks)
}

// newMessage reports whether a message of one of kinds has arrived since before.
func newMessage(before slacktest.Snapshot, kinds ...string) func(*slacktest.Snapshot) bool {
	return func(sn *slacktest.Snapshot) bool {
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

func (s *trySession) onMessage(m slacktest.Message) {
	var label string
	switch m.Kind {
	case "post":
		label = "DM from Ladder"
		if m.ThreadTS != "" {
			label = "DM from Ladder, in the thread"
		}
	case "ephemeral", "response", "ack":
		label = "only visible to you"
		if m.DeleteOriginal {
			s.out.block("Ladder removed its last reply", "")
			return
		}
		if m.ReplaceOriginal {
			label = "only visible to you, replacing the last reply"
		}
	case "update":
		label = "Ladder edited a message"
	case "delete":
		s.out.block("Ladder deleted a message", "")
		return
	case "reaction":
		s.out.block("Ladder reacted with :"+m.Text+":", "")
		return
	default:
		label = "from Ladder (" + m.Kind + ")"
	}
	s.out.block(label, s.render.Message(m.Text, m.Blocks))
}

func (s *trySession) onView(v slacktest.View) {
	switch v.Kind {
	case "publish":
		if !s.showHome.Load() {
			return
		}
		s.out.block("Home tab", s.render.View(v.View))
	default:
		s.out.block("dialog ("+v.Kind+")", s.render.View(v.View))
	}
}

// syncWriter serialises output: the fake Slack reports messages from its own
// goroutines while the main loop prints prompts.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
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
	w.printf("── %s ──\n%s\n", label, text)
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
