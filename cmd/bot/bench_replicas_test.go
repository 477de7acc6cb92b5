package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ladderapp/ladder/internal/fakeslack"
	"github.com/ladderapp/ladder/internal/ladder"
	"github.com/ladderapp/ladder/internal/pgtest"
	"github.com/ladderapp/ladder/internal/store"
)

// BenchmarkFanout3ReplicasPostgres is issue 14's "fan-out of 10,000 members
// with 3 replicas against one PostgreSQL, behind a 50/s workspace limit":
// three bot serve processes share the database and the fake Slack, which
// answers chat.postMessage above 50 a second with 429s. It reports the time
// from the replicas' start to the last member's prompt over the floor
// (members / 50 seconds), and fails if any member is prompted other than
// once. LADDER_BENCH_MEMBERS sets the number of members (default 10,000).
func BenchmarkFanout3ReplicasPostgres(b *testing.B) {
	members := 10_000
	if n, err := strconv.Atoi(os.Getenv("LADDER_BENCH_MEMBERS")); err == nil && n > 0 {
		members = n
	}
	const rate = 50
	for b.Loop() {
		b.StopTimer()
		dsn := pgtest.DSN(b)
		slot := date("Europe/Berlin", 2026, 12, 1, 9, 30)
		now := slot.Add(30 * time.Second)
		fake := fakeslack.New(fakeslack.WithClock(startingAt(now)))
		fake.Limit("chat.postMessage", rate)
		db, err := store.Open(context.Background(), dsn)
		if err != nil {
			b.Fatal(err)
		}
		for i := range members {
			m := ladder.Member{UserID: fmt.Sprintf("UF%05d", i), TZ: "Europe/Berlin", Level: ladder.EM, Target: ladder.SeniorEM,
				Track: "broad", Slot: ladder.Slot{Day: slot.Weekday(), Minute: slot.Hour()*60 + slot.Minute(), On: true},
				Share: ladder.ShareSummary, EnrolledAt: slot.AddDate(0, -1, 0)}
			fake.AddUser(fakeslack.User{ID: m.UserID, Name: m.UserID, TZ: m.TZ})
			if _, _, err := db.Enroll(context.Background(), m); err != nil {
				b.Fatal(err)
			}
		}
		db.Close()
		b.StartTimer()

		start := time.Now()
		var stop []func()
		for i := range 3 {
			cmd, stderr, _ := startChild(b, fake, dsn, "info", now)
			stop = append(stop, func() { stopChild(b, cmd, stderr) })
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			err := fake.WaitLive(ctx, i+1)
			cancel()
			if err != nil {
				b.Fatalf("replica %d never connected: %v\n%s", i, err, stderr)
			}
		}
		prompted := map[string]int{}
		deadline := time.Now().Add(time.Duration(3*members/rate)*time.Second + time.Minute)
		for len(prompted) < members && time.Now().Before(deadline) {
			time.Sleep(500 * time.Millisecond)
			clear(prompted)
			for _, m := range fake.Messages() {
				if m.Kind == "post" && strings.HasPrefix(m.Text, "Weekly reflection") {
					prompted[m.Channel]++
				}
			}
		}
		took := time.Since(start)
		b.StopTimer()
		time.Sleep(2 * time.Second) // a duplicate on its way arrives
		clear(prompted)
		for _, m := range fake.Messages() {
			if m.Kind == "post" && strings.HasPrefix(m.Text, "Weekly reflection") {
				prompted[m.Channel]++
			}
		}
		for _, s := range stop {
			s()
		}
		fake.Close()
		if len(prompted) != members {
			b.Fatalf("%d of %d members prompted", len(prompted), members)
		}
		for ch, n := range prompted {
			if n != 1 {
				b.Fatalf("%s prompted %d times", ch, n)
			}
		}
		floor := time.Duration(members/rate) * time.Second
		b.ReportMetric(took.Seconds(), "s")
		b.ReportMetric(took.Seconds()/floor.Seconds(), "x-floor")
		b.ReportMetric(float64(fake.RateLimited429s("chat.postMessage")), "429s")
		b.StartTimer()
	}
	b.ReportMetric(0, "ns/op")
}
