package slackapp_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/ladderapp/ladder/internal/fakeslack"
)

// BenchmarkAckBurst measures SPEC's "ack latency p99 under a burst of 300
// slash commands", as the fake Slack sees it: from writing an envelope to
// reading its ack. Each iteration is one burst; the metrics cover every ack
// of every burst. The sub-benchmarks peel the layers apart:
//
//   - raw: a bare websocket client that acks each frame as it reads it: the
//     fake Slack, the loopback socket and JSON, and nothing else;
//   - slack-go: slack-go's Socket Mode client acking in its event loop, with
//     no app behind it;
//   - app-noop: the app, with envelopes whose work is nothing (an interaction
//     the app ignores), so only the ack path and the pool's hand-off run;
//   - app-help: the app answering /ladder help: a reply through response_url
//     each, and no database;
//   - app-gaps/workers=N: the app answering /ladder gaps for 30 members of the
//     10,000, with N workers computing readiness meanwhile;
//   - app-gaps/paced-1ms: the same with the default 8 workers, but the 300
//     commands come one a millisecond rather than back to back.
//
// first-ack-ms and last-ack-ms are the median latency of the first and the
// last envelope of a burst: the difference is queueing. write-burst-ms is how
// long the fake took to write all 300 frames. For the gaps runs, reply-p99-ms
// is the time from sending a command to its reply being recorded.
func BenchmarkAckBurst(b *testing.B) {
	b.Run("raw", benchAckRaw)
	b.Run("slack-go", benchAckSlackGo)
	dbFile := seededDB(b, benchNow)
	b.Run("app-noop", func(b *testing.B) {
		b.ReportAllocs()
		ba := newBenchApp(b, dbFile, 0)
		users := burstUsers()
		var st burstStats
		for b.Loop() {
			st.add(runBurst(b, ba.fake, burstSize, func(i int) (string, error) {
				return ba.fake.SendInteractive(map[string]any{
					"type": "shortcut", "callback_id": "bench", "trigger_id": fmt.Sprintf("t%d", i),
					"user": map[string]any{"id": users[i%len(users)]}, "team": map[string]any{"id": ba.fake.TeamID},
				})
			}))
		}
		st.report(b)
		reportAppAck(b, ba.app)
	})
	b.Run("app-help", func(b *testing.B) {
		benchAckCommands(b, dbFile, 0, "help", "Ladder", 0)
	})
	for _, workers := range []int{1, 2, 8} {
		b.Run(fmt.Sprintf("app-gaps/workers=%d", workers), func(b *testing.B) {
			benchAckCommands(b, dbFile, workers, "gaps", "Readiness for", 0)
		})
	}
	b.Run("app-gaps/paced-1ms", func(b *testing.B) {
		benchAckCommands(b, dbFile, 0, "gaps", "Readiness for", time.Millisecond)
	})
}

// benchAckCommands runs bursts of /ladder text, one command every pace (0 for
// back to back), and checks that every command got exactly one reply
// containing want.
func benchAckCommands(b *testing.B, dbFile string, workers int, text, want string, pace time.Duration) {
	b.ReportAllocs()
	ba := newBenchApp(b, dbFile, workers)
	users := burstUsers()
	var (
		st    burstStats
		reply latencies
	)
	for b.Loop() {
		base := ba.seenCount()
		sentAt := map[string][]time.Time{} // by user, in order
		r := runBurst(b, ba.fake, burstSize, func(i int) (string, error) {
			if pace > 0 && i > 0 {
				time.Sleep(pace)
			}
			u := users[i%len(users)]
			sentAt[u] = append(sentAt[u], time.Now())
			return ba.fake.SendSlash(fakeslack.SlashCommand{UserID: u, Text: text})
		})
		st.add(r)
		// Every command answered once; a user's replies come in the order of
		// their commands, as one worker runs them.
		ba.waitSeen(b, base+burstSize)
		got := map[string]int{}
		for _, m := range ba.seenSince(base) {
			if !isReply(m.Message) || !strings.Contains(m.Text, want) {
				b.Fatalf("unexpected message %s: %.200q", m.Kind, m.Text)
			}
			reply = append(reply, m.at.Sub(sentAt[m.User][got[m.User]]))
			got[m.User]++
		}
	}
	st.report(b)
	reply.report(b, "reply-")
	reportAppAck(b, ba.app)
}

// benchAckRaw acks with a bare websocket client: no slack-go, no app.
func benchAckRaw(b *testing.B) {
	b.ReportAllocs()
	fake := fakeslack.New(fakeslack.WithPingInterval(5 * time.Second))
	defer fake.Close()
	ws := dialRaw(b, fake)
	defer ws.Close()
	sts := newStamps()
	go func() {
		for {
			_, data, err := ws.ReadMessage()
			if err != nil {
				return
			}
			got := time.Now()
			var env struct {
				EnvelopeID string `json:"envelope_id"`
			}
			if json.Unmarshal(data, &env) == nil && env.EnvelopeID != "" {
				ack, _ := json.Marshal(map[string]string{"envelope_id": env.EnvelopeID})
				sts.mark(env.EnvelopeID, got, time.Now())
				if ws.WriteMessage(websocket.TextMessage, ack) != nil {
					return
				}
			}
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := fake.WaitConnected(ctx); err != nil {
		b.Fatal(err)
	}
	gapsBursts(b, fake, sts)
}

// dialRaw opens a Socket Mode connection the way slack-go does, without it.
func dialRaw(b *testing.B, fake *fakeslack.Server) *websocket.Conn {
	req, _ := http.NewRequest(http.MethodPost, fake.APIURL()+"apps.connections.open", nil)
	req.Header.Set("Authorization", "Bearer "+fake.AppToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	var open struct {
		OK  bool   `json:"ok"`
		URL string `json:"url"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&open); err != nil || !open.OK {
		b.Fatalf("apps.connections.open: %+v, %v", open, err)
	}
	ws, _, err := websocket.DefaultDialer.Dial(open.URL, nil)
	if err != nil {
		b.Fatal(err)
	}
	return ws
}

// benchAckSlackGo acks in slack-go's event loop, with nothing behind it.
func benchAckSlackGo(b *testing.B) {
	b.ReportAllocs()
	fake := fakeslack.New(fakeslack.WithPingInterval(5 * time.Second))
	defer fake.Close()
	api := slack.New(fake.BotToken, slack.OptionAPIURL(fake.APIURL()), slack.OptionAppLevelToken(fake.AppToken))
	sm := socketmode.New(api, socketmode.OptionLog(slogDiscard{}))
	sts := newStamps()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	wg.Go(func() { _ = sm.RunContext(ctx) })
	wg.Go(func() {
		for {
			select {
			case <-ctx.Done():
				return
			case evt := <-sm.Events:
				if evt.Request != nil && evt.Request.EnvelopeID != "" {
					sts.mark(evt.Request.EnvelopeID, time.Now(), time.Now())
					_ = sm.Ack(*evt.Request)
				}
			}
		}
	})
	wctx, wcancel := context.WithTimeout(ctx, 10*time.Second)
	defer wcancel()
	if err := fake.WaitConnected(wctx); err != nil {
		b.Fatal(err)
	}
	gapsBursts(b, fake, sts)
}

type slogDiscard struct{}

func (slogDiscard) Output(int, string) error { return nil }

// gapsBursts sends bursts of /ladder gaps to a client that is not the app,
// recording when the client saw and acked each envelope in sts, and reports
// the fake's and the client's figures.
func gapsBursts(b *testing.B, fake *fakeslack.Server, sts *stamps) {
	users := burstUsers()
	var st burstStats
	for b.Loop() {
		r := runBurst(b, fake, burstSize, func(i int) (string, error) {
			return fake.SendSlash(fakeslack.SlashCommand{UserID: users[i%len(users)], Text: "gaps"})
		})
		st.add(r)
		sts.add(r)
	}
	st.report(b)
	sts.report(b)
}
