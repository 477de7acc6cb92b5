package main

// The benchmarks in this file start the real bot as a child process (see
// TestMain) against the fake Slack and a database of 10,000 members with
// 500,000 pieces of evidence, and measure SPEC's "start to connected" and
// "resident memory" targets. They run only under -bench:
//
//	go test -run='^$' -bench=. -benchtime=5x ./cmd/bot/

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ladderapp/ladder/internal/fakeslack"
	"github.com/ladderapp/ladder/internal/ladder"
	"github.com/ladderapp/ladder/internal/prompts"
	"github.com/ladderapp/ladder/internal/store/storetest"
)

// The seeded workspace: 10,000 members with 50 weekly answers each, and one
// heavy member with five years of them.
var (
	benchSpec = storetest.SeedSpec{Prefix: "U", Members: 10_000, Weeks: 50}
	heavySpec = storetest.SeedSpec{Prefix: "UHEAVY", Members: 1, Weeks: 5 * 52}
)

// seededDB returns a fresh copy, in tb's temporary directory, of the seeded
// database as of now, which storetest.SeedFile builds once and caches.
func seededDB(tb testing.TB, now time.Time) string {
	tb.Helper()
	l, err := prompts.Default()
	if err != nil {
		tb.Fatal(err)
	}
	var target []ladder.Prompt
	for _, p := range l.Prompts {
		if p.Level == ladder.SeniorEM {
			target = append(target, p)
		}
	}
	slot, _ := ladder.ParseSlot("mon 09:30")
	specs := []storetest.SeedSpec{benchSpec, heavySpec}
	for i := range specs {
		specs[i].Now, specs[i].Prompts, specs[i].Slot = now, target, slot
	}
	start := time.Now()
	cached, err := storetest.SeedFile(context.Background(), os.TempDir(), specs...)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Logf("seeded database %s ready in %v", cached, time.Since(start).Round(time.Millisecond))
	dst := filepath.Join(tb.TempDir(), "ladder.db")
	copyFile(tb, cached, dst)
	return dst
}

// seedDay is the time the seeded database is built for, and the time the
// benchmarked bot's clock starts at: a Wednesday, when no weekly slot (Monday
// 09:30) and no digest (the 1st) is due, so the start does no fan-out. Being
// fixed, it also keeps the cached copy good from one day to the next.
var seedDay = time.Date(2026, 11, 18, 0, 0, 0, 0, time.UTC)

func copyFile(tb testing.TB, src, dst string) {
	tb.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o600); err != nil {
		tb.Fatal(err)
	}
}

// benchChild starts the bot as a child process, at the production log level
// and on a clock that starts at seedDay, and returns it with the time it was
// started.
func benchChild(b *testing.B, fake *fakeslack.Server, db string) (*exec.Cmd, *bytes.Buffer, time.Time) {
	b.Helper()
	return startChild(b, fake, db, "info", seedDay)
}

// stopChild sends SIGTERM and waits for a clean exit.
func stopChild(b *testing.B, cmd *exec.Cmd, stderr *bytes.Buffer) {
	b.Helper()
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			b.Errorf("bot exited with %v\n%s", err, stderr)
		}
	case <-time.After(15 * time.Second):
		cmd.Process.Kill()
		<-done
		b.Errorf("bot did not exit within 15s of SIGTERM\n%s", stderr)
	}
}

// procStatus reads fields such as VmRSS and VmHWM, in kB, from
// /proc/<pid>/status.
func procStatus(b *testing.B, pid int, fields ...string) map[string]float64 {
	b.Helper()
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Skipf("no /proc here: %v", err)
	}
	defer f.Close()
	out := map[string]float64{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok || !slices.Contains(fields, k) {
			continue
		}
		n, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
		if err == nil {
			out[k] = n
		}
	}
	return out
}

// BenchmarkStartToConnected measures SPEC's "start to connected, with that
// database": from starting the process to the fake Slack greeting its Socket
// Mode connection. Each iteration starts a new bot on the same database.
func BenchmarkStartToConnected(b *testing.B) {
	db := seededDB(b, seedDay)
	fake := fakeslack.New(fakeslack.WithClock(startingAt(seedDay)))
	defer fake.Close()
	var took []time.Duration
	for b.Loop() {
		cmd, stderr, start := benchChild(b, fake, db)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		err := fake.WaitConnections(ctx, len(took)+1)
		cancel()
		if err != nil {
			cmd.Process.Kill()
			cmd.Wait()
			b.Fatalf("never connected: %v\n%s", err, stderr)
		}
		took = append(took, time.Since(start))
		b.StopTimer()
		stopChild(b, cmd, stderr)
		b.StartTimer()
	}
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2])/1e6, "p50-ms")
	b.ReportMetric(float64(took[len(took)-1])/1e6, "max-ms")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkResidentMemory measures SPEC's "resident memory with 10,000 members
// and 500,000 evidence rows". Each iteration starts a bot, has it answer a
// burst of 300 /ladder gaps from 300 members and the heavy member, and 200
// DM answers, then reads the process's resident set (VmRSS) and its peak
// (VmHWM).
func BenchmarkResidentMemory(b *testing.B) {
	db := seededDB(b, seedDay)
	fake := fakeslack.New(fakeslack.WithClock(startingAt(seedDay)))
	defer fake.Close()
	var rss, hwm []float64
	conns := 0
	for b.Loop() {
		cmd, stderr, _ := benchChild(b, fake, db)
		conns++
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		if err := fake.WaitConnections(ctx, conns); err != nil {
			cancel()
			cmd.Process.Kill()
			cmd.Wait()
			b.Fatalf("never connected: %v\n%s", err, stderr)
		}
		base := len(fake.Messages())
		want := 0
		for i := range 300 {
			u := benchSpec.UserID(i * 33)
			if i%30 == 0 {
				u = heavySpec.UserID(0)
			}
			fake.SendSlash(fakeslack.SlashCommand{UserID: u, Text: "gaps"})
			want++
		}
		for i := range 200 {
			u := benchSpec.UserID(5000 + i)
			fake.SendEvent("", fake.DMEvent(u, "an answer about the hiring plan we wrote this week", fake.NewTS()), 0)
			want++
		}
		err := fake.WaitFor(ctx, func(s *fakeslack.Snapshot) bool {
			n := 0
			for _, m := range s.Messages[base:] {
				if m.Kind == "response" || m.ThreadTS != "" {
					n++
				}
			}
			return n >= want
		})
		cancel()
		if err != nil {
			cmd.Process.Kill()
			cmd.Wait()
			b.Fatalf("replies: %v\n%s", err, stderr)
		}
		st := procStatus(b, cmd.Process.Pid, "VmRSS", "VmHWM")
		rss = append(rss, st["VmRSS"]/1024)
		hwm = append(hwm, st["VmHWM"]/1024)
		b.StopTimer()
		stopChild(b, cmd, stderr)
		b.StartTimer()
	}
	b.ReportMetric(slices.Max(rss), "rss-MB")
	b.ReportMetric(slices.Max(hwm), "peak-rss-MB")
	b.ReportMetric(0, "ns/op")
}
