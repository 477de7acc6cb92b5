package schedule_test

import (
	"testing"
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
	runFanout(b, 1, members, perSecond, false)
}
