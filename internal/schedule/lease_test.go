package schedule_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/ladderapp/ladder/internal/schedule"
	"github.com/ladderapp/ladder/internal/slacktest"
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
	e.wrap = func(sl schedule.Slack) schedule.Slack {
		return slackHook{Slack: sl, post: func(ctx context.Context, it store.OutboxItem) (string, string, error) {
			once.Do(func() { close(posting) })
			return sl.PostOutbox(ctx, it)
		}}
	}
	e.open()
	e.enroll("U1", "UTC", slotAt(time.Monday, 9, 30))
	if err := e.sched.Tick(e.ctx); err != nil {
		t.Fatal(err)
	}
	e.slack.FailNext("chat.postMessage", 1, slacktest.Delayed(time.Second))

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
