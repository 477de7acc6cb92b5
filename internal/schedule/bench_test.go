package schedule_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ladderapp/ladder/internal/fakeslack"
	"github.com/ladderapp/ladder/internal/ladder"
	"github.com/ladderapp/ladder/internal/schedule"
)

// BenchmarkFanout10000At50 is the spec's target: 10,000 members due in the
// same minute, against a Slack that allows 50 chat.postMessage calls a
// second, which Ladder is not told: its pace starts at Slack's documented 5
// a second and finds the limit (pace.go). Every member must get exactly one
// prompt within 1.1 × 10,000/50 = 220 seconds. It takes over three minutes:
// run it alone, with
//
//	go test -run '^$' -bench Fanout10000At50 -benchtime 1x ./internal/schedule
func BenchmarkFanout10000At50(b *testing.B) { benchmarkFanout(b, 10000, 50) }

// BenchmarkFanout1000At50, At20 and At5 show the same at other limits, in
// 20, 50 and 200 seconds: 10,000 members at 5 a second take 2,000.
func BenchmarkFanout1000At50(b *testing.B) { benchmarkFanout(b, 1000, 50) }

// BenchmarkFanout1000At20: see BenchmarkFanout1000At50.
func BenchmarkFanout1000At20(b *testing.B) { benchmarkFanout(b, 1000, 20) }

// BenchmarkFanout1000At5: see BenchmarkFanout1000At50.
func BenchmarkFanout1000At5(b *testing.B) { benchmarkFanout(b, 1000, 5) }

// BenchmarkQueueCapacity sends 10,000 prompts with no rate limit at all:
// how fast the queue itself goes (claim, render, post, record), which must
// stay well above the limit for the fan-out to be bound by Slack alone.
func BenchmarkQueueCapacity(b *testing.B) { benchmarkFanout(b, 10000, 0) }

// benchmarkFanout enrolls members all due at midweek, starts the scheduler
// on a clock that runs in real time from there, against a Slack that allows
// perSecond chat.postMessage calls a second (no limit if 0), with the queue's
// production pace (unlimited if 0), and measures the time from start until
// Slack has accepted a prompt for every member. It reports the wall time, its
// ratio to members/perSecond (the least Slack's limit allows), the calls made
// and the 429s met, and fails if a member got other than one prompt or the
// ratio is over 1.1.
func benchmarkFanout(b *testing.B, members, perSecond int) {
	if testing.Short() {
		b.Skip("long benchmark")
	}
	for range b.N {
		b.StopTimer()
		cfg := schedule.Config{Workers: -1} // the default
		if perSecond == 0 {
			cfg.Budgets = map[string]schedule.Budget{"chat.postMessage": {}} // unlimited
		}
		e := newRunningEnv(b, midweek, cfg)
		tz, slot := dueAt(midweek)
		ids := make([]string, members)
		for i := range ids {
			ids[i] = fmt.Sprintf("U%05d", i)
			m := ladder.Member{UserID: ids[i], TZ: tz, Level: ladder.EM, Target: ladder.SeniorEM, Track: "broad",
				Slot: slot, Share: ladder.ShareSummary, EnrolledAt: midweek.Add(-time.Hour)}
			if _, _, err := e.db.Enroll(e.ctx, m); err != nil {
				b.Fatal(err)
			}
			e.slack.AddUser(fakeslack.User{ID: ids[i], Name: ids[i], TZ: tz})
		}
		e.slack.Limit("chat.postMessage", perSecond) // 0: no limit

		b.StartTimer()
		start := time.Now()
		if err := e.sched.Start(e.ctx); err != nil {
			b.Fatal(err)
		}
		ideal := time.Minute
		if perSecond > 0 {
			ideal = time.Duration(members) * time.Second / time.Duration(perSecond)
		}
		ctx, cancel := context.WithTimeout(e.ctx, 2*ideal+30*time.Second)
		_, err := e.slack.WaitMessages(ctx, members)
		elapsed := time.Since(start)
		cancel()
		b.StopTimer()
		if serr := e.sched.Stop(e.ctx); serr != nil {
			b.Error(serr)
		}
		if err != nil {
			b.Fatalf("after %s: %v (%d of %d delivered)", elapsed, err, len(e.slack.Messages()), members)
		}

		e.onePerChannel(ids, weeklyText)
		calls, limited := 0, 0
		for _, c := range e.slack.CallsTo("chat.postMessage") {
			calls++
			if c.Status == 429 {
				limited++
			}
		}
		b.ReportMetric(elapsed.Seconds(), "s/fanout")
		b.ReportMetric(float64(calls), "calls")
		b.ReportMetric(float64(limited), "429s")
		if perSecond == 0 {
			rate := float64(members) / elapsed.Seconds()
			b.ReportMetric(rate, "sends/s")
			b.Logf("%d members, no limit: %s, %.0f sends a second", members, elapsed.Round(time.Millisecond), rate)
			continue
		}
		ratio := elapsed.Seconds() / ideal.Seconds()
		b.ReportMetric(ratio, "x-ideal")
		b.Logf("%d members at %d/s: %s (ideal %s, ratio %.3f), %d chat.postMessage calls, %d answered 429",
			members, perSecond, elapsed.Round(time.Millisecond), ideal, ratio, calls, limited)
		if ratio > 1.1 {
			b.Errorf("fan-out took %.3f× the time Slack's limit allows; want at most 1.1×", ratio)
		}
	}
}
