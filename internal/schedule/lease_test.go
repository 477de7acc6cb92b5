package schedule_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/ladderapp/ladder/internal/fakeslack"
	"github.com/ladderapp/ladder/internal/schedule"
	"github.com/ladderapp/ladder/internal/store"
)

// TestClockJumpDuringSlowPost makes Slack slow to answer a weekly prompt's
// post, and while that post is in flight moves the wall clock past the row's
// lease (an NTP step, a laptop waking up) and flushes again: the row is still
// being sent, so nobody takes it over, and the member gets one prompt.
func TestClockJumpDuringSlowPost(t *testing.T) {
	cfg := schedule.Config{SendTimeout: 10 * time.Second} // a 60-second lease
	e := newEnv(t, monday, cfg)
	var (
		once    sync.Once
		posting = make(chan struct{})
	)
	e.wrap = func(sl schedule.Poster) schedule.Poster {
		return slackHook{Poster: sl, post: func(ctx context.Context, it store.OutboxItem) (string, string, error) {
			once.Do(func() { close(posting) })
			return sl.PostOutbox(ctx, it)
		}}
	}
	e.open()
	e.enroll("U1", "UTC", slotAt(time.Monday, 9, 30))
	if err := e.sched.Tick(e.ctx); err != nil {
		t.Fatal(err)
	}
	e.slack.FailNext("chat.postMessage", 1, fakeslack.Delayed(time.Second))

	done := make(chan struct{})
	go func() {
		defer close(done)
		e.sched.Flush(e.ctx)
	}()
	<-posting
	e.clock.Add(5 * time.Minute) // well past the 60-second lease
	e.sched.Flush(e.ctx)
	<-done

	if n := len(e.posts("U1", weeklyText)); n != 1 {
		t.Errorf("%d weekly prompts posted; want 1", n)
	}
	its, err := e.db.Outbox(e.ctx, store.OutboxPrompt)
	if err != nil || len(its) != 1 || its[0].State != store.OutboxSent || its[0].Attempts != 1 {
		t.Errorf("prompt rows = %+v, %v; want one, sent at the first attempt", its, err)
	}
	if st := e.sched.Stats(); st.Sent != 1 || st.Reconciled != 0 {
		t.Errorf("stats %+v; want one sent, none taken over", st)
	}
}

// findHook wraps the app to hold back the search for an earlier post.
type findHook struct {
	schedule.Poster
	find func(ctx context.Context, it store.OutboxItem) (string, string, bool, error)
}

func (h findHook) FindPosted(ctx context.Context, it store.OutboxItem) (string, string, bool, error) {
	return h.find(ctx, it)
}

var _ schedule.Poster = findHook{}

// TestTakenOverWhileSearching runs two processes on one database. The first
// takes over a dead sender's reminder and looks in the DM for an earlier post;
// while it looks, the wall clock jumps past its lease and the second process
// takes the row over and posts it. The first then finds the row is no longer
// its own, and does not post it again.
func TestTakenOverWhileSearching(t *testing.T) {
	cfg := schedule.Config{SendTimeout: 10 * time.Second, ReminderAfter: time.Hour} // a 60-second lease
	e := newEnv(t, monday, cfg)
	var (
		once      sync.Once
		searching = make(chan struct{})
		resume    = make(chan struct{})
	)
	e.wrap = func(sl schedule.Poster) schedule.Poster {
		return findHook{Poster: sl, find: func(ctx context.Context, it store.OutboxItem) (string, string, bool, error) {
			ch, ts, found, err := sl.FindPosted(ctx, it)
			once.Do(func() {
				close(searching)
				<-resume
			})
			return ch, ts, found, err
		}}
	}
	e.open()
	e.enroll("U1", "UTC", slotAt(time.Monday, 9, 30))
	e.tick(monday)
	e.clock.Add(time.Hour)
	if err := e.sched.Tick(e.ctx); err != nil {
		t.Fatal(err)
	}
	// A sender that died after it claimed the reminder.
	if it, ok, err := e.db.ClaimOutbox(e.ctx, store.Claim{Method: "chat.postMessage", Now: e.clock.Now(), Lease: time.Minute, Token: "dead"}); err != nil || !ok || it.Kind != store.OutboxReminder {
		t.Fatalf("claim = %+v, %v, %v; want the reminder", it, ok, err)
	}
	e.clock.Add(2 * time.Minute)
	first := e.sched
	before := first.Stats() // the weekly prompt

	done := make(chan struct{})
	go func() {
		defer close(done)
		first.Flush(e.ctx)
	}()
	<-searching
	e.clock.Add(5 * time.Minute) // past the first process's lease
	second, err := schedule.New(testLog(t), e.db, e.app, e.clock.Now, cfg)
	if err != nil {
		t.Fatal(err)
	}
	second.Flush(e.ctx)
	close(resume)
	<-done

	if n := len(e.posts("U1", reminderText)); n != 1 {
		t.Errorf("%d reminders posted; want 1", n)
	}
	if st := second.Stats(); st.Sent != 1 {
		t.Errorf("second process: stats %+v; want one sent", st)
	}
	if st := first.Stats(); st.Sent != before.Sent {
		t.Errorf("first process: stats %+v; want nothing sent after the weekly prompt", st)
	}
}
