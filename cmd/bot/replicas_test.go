package main

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ladderapp/ladder/internal/fakeslack"
	"github.com/ladderapp/ladder/internal/ladder"
	"github.com/ladderapp/ladder/internal/pgtest"
	"github.com/ladderapp/ladder/internal/store"
)

// TestThreeReplicasOnePostgres runs three bot serve processes against one
// PostgreSQL database and the fake Slack, each with its own Socket Mode
// connection, and kills one with kill -9 in the middle of the weekly
// fan-out. Every member is prompted exactly once, every answer (and its
// retry, sent to another replica) is stored and confirmed once, and the
// manager gets one digest.
func TestThreeReplicasOnePostgres(t *testing.T) {
	dsn := pgtest.DSN(t)
	if testing.Short() {
		t.Skip("starts child processes")
	}
	ctx, cancel := context.WithTimeout(t.Context(), 150*time.Second)
	defer cancel()

	// Tuesday 1 December 2026, 09:30:30 in Berlin: the members' slot passed
	// thirty seconds ago, and the monthly digest (09:00 on the 1st) half an
	// hour ago. The replicas start with both due.
	slot := date("Europe/Berlin", 2026, 12, 1, 9, 30)
	now := slot.Add(30 * time.Second)
	fake := fakeslack.New(fakeslack.WithPingInterval(2*time.Second), fakeslack.WithClock(startingAt(now)))
	defer fake.Close()
	// A workspace pace that makes the fan-out take seconds, so that a replica
	// dies in the middle of it.
	fake.Limit("chat.postMessage", 20)

	const members = 60
	boss := ladder.Member{UserID: "UBOSS", Name: "boss", TZ: "Europe/Berlin", Level: ladder.Director, Target: ladder.VP,
		Track: "broad", Share: ladder.ShareSummary, EnrolledAt: slot.AddDate(0, -2, 0)}
	fake.AddUser(fakeslack.User{ID: boss.UserID, Name: boss.Name, TZ: boss.TZ})
	ms := []ladder.Member{boss}
	for i := range members {
		m := ladder.Member{UserID: fmt.Sprintf("UM%03d", i), Name: fmt.Sprintf("member%d", i), TZ: "Europe/Berlin",
			Level: ladder.EM, Target: ladder.SeniorEM, Track: "broad",
			Slot:    ladder.Slot{Day: slot.Weekday(), Minute: slot.Hour()*60 + slot.Minute(), On: true},
			Manager: boss.UserID, Share: ladder.ShareSummary, EnrolledAt: slot.AddDate(0, -2, 0)}
		fake.AddUser(fakeslack.User{ID: m.UserID, Name: m.Name, TZ: m.TZ})
		ms = append(ms, m)
	}
	enroll(t, dsn, ms...)

	// A dead replica's sends are taken over when their lease ends: 3 × 2s + 30s.
	t.Setenv("LADDER_SEND_TIMEOUT", "2s")
	var replicas []*exec.Cmd
	var logs []fmt.Stringer
	for i := range 3 {
		cmd, stderr, _ := startChild(t, fake, dsn, "info", now)
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		// One at a time, so that connection i+1 is replica i's.
		if err := fake.WaitLive(ctx, i+1); err != nil {
			t.Fatalf("replica %d never connected: %v\n%s", i, err, stderr)
		}
		replicas = append(replicas, cmd)
		logs = append(logs, stderr)
	}
	dump := func() string {
		var b strings.Builder
		for i, l := range logs {
			fmt.Fprintf(&b, "--- replica %d\n%s", i, l)
		}
		return b.String()
	}
	conns := fake.LiveConns()
	if len(conns) != 3 {
		t.Fatalf("live connections %v; want 3", conns)
	}

	prompted := func(s *fakeslack.Snapshot) map[string]int {
		n := map[string]int{}
		for _, m := range s.Messages {
			if m.Kind == "post" && strings.HasPrefix(m.Text, "Weekly reflection") {
				n[m.Channel]++
			}
		}
		return n
	}
	// kill -9 the second replica once a third of the members are prompted.
	if err := fake.WaitFor(ctx, func(s *fakeslack.Snapshot) bool { return len(prompted(s)) >= members/3 }); err != nil {
		t.Fatalf("the fan-out never started: %v\n%s", err, dump())
	}
	replicas[1].Process.Signal(syscall.SIGKILL)
	replicas[1].Wait()
	t.Logf("killed replica 1 with %d of %d members prompted", len(prompted(ptr(fake.Snapshot()))), members)

	// Answers: each to replica 0, and Slack's retry of it to replica 2.
	const answers = 10
	for i := range answers {
		user := fmt.Sprintf("UM%03d", i)
		env, err := fake.SendEventTo(conns[0], "", fake.DMEvent(user, fmt.Sprintf("Answer %d: ran the planning offsite", i), fake.NewTS()), 0)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fake.RetryEvent(env, conns[2], "timeout"); err != nil {
			t.Fatal(err)
		}
	}

	// Everyone prompted, the answers confirmed, the digest sent.
	err := fake.WaitFor(ctx, func(s *fakeslack.Snapshot) bool {
		confirmed, digests := 0, 0
		for _, m := range s.Messages {
			if m.Kind == "post" && strings.HasPrefix(m.Text, "Saved to") {
				confirmed++
			}
			if m.Kind == "post" && m.Channel == "DUBOSS" && strings.Contains(m.Text, "Monthly digest") {
				digests++
			}
		}
		return len(prompted(s)) == members && confirmed >= answers && digests >= 1
	})
	if err != nil {
		t.Fatalf("not everything arrived: %v (%d of %d prompted)\n%s", err, len(prompted(ptr(fake.Snapshot()))), members, dump())
	}
	// Let any duplicate that was on its way arrive before counting.
	time.Sleep(2 * time.Second)

	s := ptr(fake.Snapshot())
	for user, n := range prompted(s) {
		if n != 1 {
			t.Errorf("%s was prompted %d times; want once", user, n)
		}
	}
	confirmations := map[string]int{}
	digests := 0
	for _, m := range s.Messages {
		if m.Kind == "post" && strings.HasPrefix(m.Text, "Saved to") {
			confirmations[m.Channel]++
		}
		if m.Kind == "post" && m.Channel == "DUBOSS" && strings.Contains(m.Text, "Monthly digest") {
			digests++
		}
	}
	if len(confirmations) != answers {
		t.Errorf("confirmations in %d DMs; want %d", len(confirmations), answers)
	}
	for ch, n := range confirmations {
		if n != 1 {
			t.Errorf("%s got %d confirmations; want one", ch, n)
		}
	}
	if digests != 1 {
		t.Errorf("the manager got %d digests; want one", digests)
	}

	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for i := range answers {
		es, err := db.Evidence(ctx, fmt.Sprintf("UM%03d", i), "", 0)
		if err != nil || len(es) != 1 {
			t.Errorf("UM%03d has %d pieces of evidence (%v); want the answer once", i, len(es), err)
		}
	}
	if t.Failed() {
		t.Log(dump())
	}
}

func ptr[T any](v T) *T { return &v }
