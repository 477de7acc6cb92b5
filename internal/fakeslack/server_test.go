package fakeslack_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/ladderapp/ladder/internal/blocktext"
	"github.com/ladderapp/ladder/internal/fakeslack"
)

// newServer starts a fake Slack that the test closes when it ends.
func newServer(t *testing.T, opts ...fakeslack.Option) *fakeslack.Server {
	t.Helper()
	srv := fakeslack.New(opts...)
	t.Cleanup(srv.Close)
	return srv
}

// waitCtx bounds a wait so that a broken test fails instead of hanging.
func waitCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// api is a real slack-go Web API client pointed at srv.
func api(srv *fakeslack.Server) *slack.Client {
	return slack.New(srv.BotToken, slack.OptionAPIURL(srv.APIURL()), slack.OptionAppLevelToken(srv.AppToken))
}

// app is a real slack-go Socket Mode client running against a fake Slack.
type app struct {
	api    *slack.Client
	client *socketmode.Client
	events chan socketmode.Event
	done   chan struct{}
	err    error // RunContext's result, once done is closed
	// stop ends the client and waits for it, as when the app's process ends;
	// it is safe to call more than once.
	stop func()
}

// connect runs a Socket Mode client against srv until the test ends.
func connect(t *testing.T, srv *fakeslack.Server, appToken string) *app {
	t.Helper()
	web := slack.New(srv.BotToken, slack.OptionAPIURL(srv.APIURL()), slack.OptionAppLevelToken(appToken))
	a := &app{
		api:    web,
		client: socketmode.New(web),
		events: make(chan socketmode.Event, 256),
		done:   make(chan struct{}),
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		defer close(a.done)
		a.err = a.client.RunContext(ctx)
	})
	wg.Go(func() {
		for {
			select {
			case evt := <-a.client.Events:
				select {
				case a.events <- evt:
				default:
					t.Errorf("event buffer full; dropped %s", evt.Type)
				}
			case <-ctx.Done():
				return
			}
		}
	})
	var once sync.Once
	a.stop = func() {
		once.Do(func() {
			cancel()
			wg.Wait()
		})
	}
	t.Cleanup(a.stop)
	return a
}

// next returns the next event of type typ, skipping others.
func (a *app) next(t *testing.T, typ socketmode.EventType) socketmode.Event {
	t.Helper()
	ctx := waitCtx(t)
	for {
		select {
		case evt := <-a.events:
			if evt.Type == typ {
				return evt
			}
		case <-ctx.Done():
			t.Fatalf("no %s event: %v", typ, ctx.Err())
		}
	}
}

func TestNewTSIncreases(t *testing.T) {
	frozen := time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
	srv := newServer(t, fakeslack.WithClock(func() time.Time { return frozen }))
	prev := ""
	for range 5 {
		ts := srv.NewTS()
		if ts <= prev {
			t.Fatalf("NewTS() = %q after %q; want it later", ts, prev)
		}
		prev = ts
	}
	if want := fmt.Sprintf("%d.000004", frozen.Unix()); prev != want {
		t.Errorf("fifth ts = %q, want %q", prev, want)
	}
}

func TestUserNameReadsTheDirectory(t *testing.T) {
	srv := newServer(t)
	srv.AddUser(fakeslack.User{ID: "U1", Name: "alice"})
	r := blocktext.Renderer{Name: srv.UserName}
	if got, want := r.Message("<@U1> and <@U2|bob> and <@U3>", nil), "@alice and @bob and @U3"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestObserversSeeMessagesInOrder(t *testing.T) {
	srv := newServer(t)
	srv.SetTiers(false) // several posts to one DM at once: more than chat.postMessage's 1 a second
	var mu sync.Mutex
	var seen []string
	srv.OnMessage(func(m fakeslack.Message) {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, m.TS)
	})
	web := api(srv)
	var wg sync.WaitGroup
	for i := range 10 {
		wg.Go(func() {
			if _, _, err := web.PostMessage("U1", slack.MsgOptionText(fmt.Sprint(i), false)); err != nil {
				t.Errorf("post: %v", err)
			}
		})
	}
	wg.Wait()
	msgs := srv.Messages()
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != len(msgs) || len(msgs) != 10 {
		t.Fatalf("observer saw %d messages, server has %d; want 10", len(seen), len(msgs))
	}
	for i, m := range msgs {
		if seen[i] != m.TS {
			t.Errorf("observer message %d = %s, want %s", i, seen[i], m.TS)
		}
	}
}

func TestWaitForEndsOnClose(t *testing.T) {
	srv := fakeslack.New()
	errc := make(chan error, 1)
	go func() {
		_, err := srv.WaitMessages(context.Background(), 1)
		errc <- err
	}()
	srv.Close()
	if err := <-errc; !errors.Is(err, fakeslack.ErrClosed) {
		t.Errorf("WaitMessages after Close = %v, want ErrClosed", err)
	}
	srv.Close() // a second Close is harmless
}

func TestWaitForRespectsContext(t *testing.T) {
	srv := newServer(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := srv.WaitCalls(ctx, "auth.test", 1); !errors.Is(err, context.Canceled) {
		t.Errorf("WaitCalls with a cancelled context = %v, want context.Canceled", err)
	}
}
