package schedule_test

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/ladderapp/ladder/internal/clocktest"
	"github.com/ladderapp/ladder/internal/ladder"
	"github.com/ladderapp/ladder/internal/schedule"
	"github.com/ladderapp/ladder/internal/store"
)

// workspace is a fake Slack that every replica posts to. Slack limits
// chat.postMessage per app and workspace, not per connection, and does not
// publish the workspace's number ("several hundred messages per minute",
// api.slack.com/apis/rate-limits); a call over the limit gets HTTP 429 with
// a Retry-After header in whole seconds, and is not posted. So the fake
// allows perSecond posts a second, in a token bucket as deep as that, by the
// test's clock, and answers the others with a 429 whose Retry-After is the
// wait rounded up, at least a second, as fakeslack does.
type workspace struct {
	mu     sync.Mutex
	now    func() time.Time
	rate   float64 // 0: no limit
	tokens float64
	last   time.Time
	refuse []time.Duration // the next calls' 429s, by Retry-After
	calls  []call
}

// call is one chat.postMessage call: by which replica, for which row, and
// whether Slack took it (200) or said to wait (429).
type call struct {
	At      time.Time
	Replica int
	Key     string
	User    string
	Status  int
}

func newWorkspace(now func() time.Time, perSecond float64) *workspace {
	return &workspace{now: now, rate: perSecond, tokens: perSecond, last: now()}
}

// refuseNext answers the next call with a 429 that says to wait retryAfter.
func (w *workspace) refuseNext(retryAfter time.Duration) {
	w.mu.Lock()
	w.refuse = append(w.refuse, retryAfter)
	w.mu.Unlock()
}

func (w *workspace) post(replica int, it store.OutboxItem) (string, string, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	now := w.now()
	c := call{At: now, Replica: replica, Key: it.Key, User: it.UserID, Status: 200}
	var wait time.Duration
	if w.rate > 0 && now.After(w.last) {
		w.tokens = math.Min(w.rate, w.tokens+now.Sub(w.last).Seconds()*w.rate)
		w.last = now
	}
	switch {
	case len(w.refuse) > 0:
		wait, w.refuse = w.refuse[0], w.refuse[1:]
	case w.rate > 0 && w.tokens < 1:
		wait = time.Duration((1 - w.tokens) / w.rate * float64(time.Second))
	case w.rate > 0:
		w.tokens--
	}
	if wait > 0 {
		c.Status = 429
		w.calls = append(w.calls, c)
		retry := time.Duration(max(1, math.Ceil(wait.Seconds()))) * time.Second
		return "", "", &ladder.Error{Code: ladder.ERateLimited, Op: "chat.postMessage", RetryAfter: retry}
	}
	w.calls = append(w.calls, c)
	return "D" + it.UserID, fmt.Sprintf("%d.%06d", now.Unix(), len(w.calls)), nil
}

// Calls returns every call made so far.
func (w *workspace) Calls() []call {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]call(nil), w.calls...)
}

// poster is one replica's connection to the workspace.
type poster struct {
	w       *workspace
	replica int
}

var _ schedule.Poster = poster{}

func (p poster) PostOutbox(_ context.Context, it store.OutboxItem) (string, string, error) {
	return p.w.post(p.replica, it)
}

// FindPosted finds what an earlier attempt posted: no test here loses an
// answer, so nothing is looked for.
func (p poster) FindPosted(context.Context, store.OutboxItem) (string, string, bool, error) {
	return "", "", false, nil
}

func (p poster) SyncZone(context.Context, string) (string, error) { return "UTC", nil }

// Away says no one is away: these tests are about the pace of posts.
func (p poster) Away(context.Context, string) (bool, error) { return false, nil }

// replicas are n schedulers, each with its own connection pool to one
// database file, as n processes serving the app would be, on one clock that
// stands still until the test moves it.
type replicas struct {
	t      testing.TB
	ctx    context.Context
	clock  *clocktest.Clock
	ws     *workspace
	dbs    []*store.DB
	scheds []*schedule.Scheduler
}

func newReplicas(t testing.TB, n int, cfg schedule.Config, perSecond float64) *replicas {
	t.Helper()
	clock := clocktest.Frozen(midweek)
	r := &replicas{t: t, ctx: t.Context(), clock: clock, ws: newWorkspace(clock.Now, perSecond)}
	path := filepath.Join(t.TempDir(), "ladder.db")
	for i := range n {
		db, err := store.Open(r.ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		s, err := schedule.New(testLog(t), db, poster{r.ws, i}, clock.Now, cfg)
		if err != nil {
			t.Fatal(err)
		}
		r.dbs, r.scheds = append(r.dbs, db), append(r.scheds, s)
	}
	return r
}

// queue queues a DM for each of users, due now, in lane.
func (r *replicas) queue(lane store.Lane, users ...string) {
	r.t.Helper()
	now := r.clock.Now()
	items := make([]store.OutboxItem, len(users))
	for i, u := range users {
		items[i] = store.OutboxItem{Key: "dm:" + u, Kind: store.OutboxDM, Method: "chat.postMessage", UserID: u,
			Lane: lane, Payload: []byte(`{"text":"Weekly reflection"}`), DueAt: now, Created: now}
	}
	if _, err := r.dbs[0].Enqueue(r.ctx, items...); err != nil {
		r.t.Fatal(err)
	}
	for _, s := range r.scheds {
		s.Wake()
	}
}

// flush has every replica send what it may now, all at once.
func (r *replicas) flush() {
	var wg sync.WaitGroup
	for _, s := range r.scheds {
		wg.Go(func() { s.Flush(r.ctx) })
	}
	wg.Wait()
}

// postCalls counts the chat.postMessage calls made so far, and those by
// replica.
func (r *replicas) postCalls(replica int) (all, by int) {
	for _, c := range r.ws.Calls() {
		all++
		if c.Replica == replica {
			by++
		}
	}
	return all, by
}

// pace reads chat.postMessage's shared pace.
func (r *replicas) pace() store.PaceState {
	r.t.Helper()
	var got store.PaceState
	if err := r.dbs[0].Pace(r.ctx, "chat.postMessage", func(s *store.PaceState) error { got = *s; return nil }); err != nil {
		r.t.Fatal(err)
	}
	return got
}

// TestSharedPauseHoldsEveryReplica: replica 0 meets a 429 with Retry-After
// 3; replica 1 then makes no call until the three seconds are over, and
// then posts the rest. The shared pace fell once, for both. In memory, by
// contrast, each process pauses alone: replica 1 goes on posting into the
// 429.
func TestSharedPauseHoldsEveryReplica(t *testing.T) {
	for _, shared := range []bool{true, false} {
		t.Run(fmt.Sprintf("shared=%v", shared), func(t *testing.T) {
			cfg := schedule.Config{SharedPace: shared, Workers: 1,
				Budgets: map[string]schedule.Budget{"chat.postMessage": {PerSecond: 20, Burst: 20}}}
			r := newReplicas(t, 2, cfg, 0)
			r.queue(store.LaneBulk, users(10)...)
			r.ws.refuseNext(3 * time.Second)
			start := r.clock.Now()
			r.scheds[0].Flush(r.ctx)
			if all, _ := r.postCalls(0); all != 1 {
				t.Fatalf("%d calls; want one, the 429", all)
			}

			r.scheds[1].Flush(r.ctx)
			_, byOther := r.postCalls(1)
			if !shared {
				if byOther == 0 {
					t.Fatal("in memory, replica 1 did not post after replica 0's 429; the test shows nothing")
				}
				return
			}
			if byOther != 0 {
				t.Fatalf("replica 1 made %d calls right after replica 0's 429 with Retry-After 3", byOther)
			}
			for _, d := range []time.Duration{time.Second, 2 * time.Second, 2999 * time.Millisecond} {
				r.clock.Set(start.Add(d))
				r.flush()
				if all, _ := r.postCalls(0); all != 1 {
					t.Fatalf("%d calls %s into a 3s Retry-After; want none after the 429", all-1, d)
				}
			}
			p := r.pace()
			if want := start.Add(3 * time.Second); !p.PausedUntil.Equal(want) || p.Slow || p.Rate != 20*0.9 {
				t.Errorf("shared pace %+v; want paused until %s, out of slow start, rate %v", p, want, 20*0.9)
			}

			r.clock.Set(start.Add(3 * time.Second))
			r.scheds[1].Flush(r.ctx)
			if all, by := r.postCalls(1); all != 11 || by != 10 {
				t.Errorf("when the pause is over: %d calls, %d of them by replica 1; want the other 10 rows posted by it", all-1, by)
			}
		})
	}
}

// TestSharedInteractiveNotBehindBulk: two replicas drain bulk rows until
// only the interactive lane's reserve is left in the bucket, and find no
// interactive row for it. A DM queued for a person then goes out at that
// same instant, ahead of the bulk rows, as it does in one process.
func TestSharedInteractiveNotBehindBulk(t *testing.T) {
	for _, shared := range []bool{true, false} {
		t.Run(fmt.Sprintf("shared=%v", shared), func(t *testing.T) {
			cfg := schedule.Config{SharedPace: shared, Workers: 2,
				Budgets: map[string]schedule.Budget{"chat.postMessage": {PerSecond: 10, Burst: 2}}}
			n := 2
			if !shared {
				n = 1 // in memory each replica has a bucket of its own
			}
			r := newReplicas(t, n, cfg, 0)
			r.queue(store.LaneBulk, users(20)...)
			r.flush()
			if all, _ := r.postCalls(0); all != 1 {
				t.Fatalf("%d bulk posts from a bucket of 2; want 1, the other token kept for a person", all)
			}
			r.flush() // nothing to send: the reserve is for interactive rows
			r.queue(store.LaneInteractive, "UASKED")
			r.flush()
			calls := r.ws.Calls()
			if len(calls) != 2 || calls[1].User != "UASKED" || !calls[1].At.Equal(calls[0].At) {
				t.Errorf("calls %+v; want the person's DM right after the one bulk post, at the same instant", calls)
			}
		})
	}
}

func users(n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("U%05d", i)
	}
	return ids
}

// fanOut is what a simulated fan-out did.
type fanOut struct {
	elapsed time.Duration // from the start until the last member's post
	floor   time.Duration // members / the workspace's limit
	calls   int
	limited []time.Duration // when each 429 came, from the start
	// perSecond is the calls Slack took in each second of the fan-out.
	perSecond []int
	// byReplica is the posts Slack took from each replica.
	byReplica []int
	// interactive is how long a DM queued in the interactive lane in the
	// middle of the fan-out waited for its post.
	interactive time.Duration
	pace        store.PaceState // at the end
}

// simulateFanOut runs n replicas with a shared pace, at their production
// settings (Workers aside), against a workspace that allows perSecond posts
// a second, which they are not told: the pace starts at StartPostRate and
// finds the limit. Halfway, one DM is queued in the interactive lane. The
// clock moves in steps of 10ms, and at each every replica sends what it may
// (Flush). It fails the test if a member gets other than one post.
func simulateFanOut(t testing.TB, n, members int, perSecond float64) fanOut {
	const step = 25 * time.Millisecond
	r := newReplicas(t, n, schedule.Config{SharedPace: true, Workers: 4}, perSecond)
	ids := users(members)
	r.queue(store.LaneBulk, ids...)
	start := r.clock.Now()
	floor := time.Duration(float64(members) / perSecond * float64(time.Second))
	var asked, answered time.Time
	sent := 0 // calls Slack took, counted up to seen
	seen := 0
	for now := start; now.Sub(start) < 2*floor; now = r.clock.Add(step) {
		if asked.IsZero() && now.Sub(start) >= floor/2 {
			asked = now
			r.queue(store.LaneInteractive, "UASKED")
		}
		r.flush()
		calls := r.ws.Calls()
		for _, c := range calls[seen:] {
			switch {
			case c.Status != 200:
			case c.User == "UASKED":
				answered = c.At
			default:
				sent++
			}
		}
		seen = len(calls)
		if sent >= members && !answered.IsZero() {
			break
		}
	}

	f := fanOut{floor: floor, interactive: answered.Sub(asked), byReplica: make([]int, n), pace: r.pace()}
	per := map[string]int{}
	for _, c := range r.ws.Calls() {
		f.calls++
		if c.Status != 200 {
			f.limited = append(f.limited, c.At.Sub(start))
			continue
		}
		per[c.User]++
		f.byReplica[c.Replica]++
		f.elapsed = max(f.elapsed, c.At.Sub(start)+step)
		sec := int(c.At.Sub(start) / time.Second)
		for len(f.perSecond) <= sec {
			f.perSecond = append(f.perSecond, 0)
		}
		f.perSecond[sec]++
	}
	bad := 0
	for _, id := range append(ids, "UASKED") {
		if per[id] != 1 && bad < 10 {
			bad++
			t.Errorf("%s got %d posts; want exactly 1", id, per[id])
		}
	}
	if answered.IsZero() {
		t.Errorf("the interactive DM was never posted")
	}
	return f
}

// TestSharedFanOut: three replicas share a fan-out to 1,000 members behind
// a workspace limit of 50 posts a second, which they are not told. Every
// member gets one post, and each replica sends some. The 429s all come
// while the shared pace finds the limit, in the first half; then the
// replicas together stay under it, and the pace ends within 20% under the
// limit. The fan-out takes at most 1.1 times the least the limit allows, and
// a DM queued for a person in the middle of it goes out within a tenth of a
// second.
func TestSharedFanOut(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("a fan-out of 1,000 posts, about 9,000 transactions")
	}
	const limit = 50
	f := simulateFanOut(t, 3, 1000, limit)
	ratio := f.elapsed.Seconds() / f.floor.Seconds()
	t.Logf("3 replicas, 1000 members at %d/s: %s (floor %s, ratio %.3f), %d calls, %d 429s at %v, by replica %v, interactive DM after %s, pace at the end %.1f/s; posts a second %v",
		limit, f.elapsed, f.floor, ratio, f.calls, len(f.limited), f.limited, f.byReplica, f.interactive, f.pace.Rate, f.perSecond)
	if ratio > 1.1 {
		t.Errorf("the fan-out took %.3f× the floor; want at most 1.1×", ratio)
	}
	for _, at := range f.limited {
		if at > f.floor/2 {
			t.Errorf("a 429 %s into the fan-out; want none once the pace has found the limit, after %s", at, f.floor/2)
		}
	}
	if f.pace.Rate > limit || f.pace.Rate < 0.8*limit {
		t.Errorf("the shared pace ends at %.1f/s; want it within 20%% under the limit, %d/s", f.pace.Rate, limit)
	}
	for i, n := range f.byReplica {
		if n == 0 {
			t.Errorf("replica %d sent none of the 1000; want each to send some", i)
		}
	}
	if f.interactive > 100*time.Millisecond {
		t.Errorf("the interactive DM waited %s behind the fan-out; want at most 100ms", f.interactive)
	}
}
