package slackapp

import (
	"context"
	"fmt"
	"hash/fnv"
	"log/slog"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"
)

// pool runs work off the socket's read loop. It is bounded: each worker has a
// queue of fixed length, and submit never blocks. Work is sharded by key (the
// Slack user id), so one user's events run in the order they arrived: an edit
// never overtakes the message it edits.
type pool struct {
	log    *slog.Logger
	queues []chan func(context.Context)
	wg     sync.WaitGroup

	mu     sync.RWMutex // guards closed against submit
	closed bool

	depth  atomic.Int64
	panics atomic.Int64
}

func newPool(log *slog.Logger, workers, queueLen int) *pool {
	p := &pool{log: log}
	for range workers {
		p.queues = append(p.queues, make(chan func(context.Context), queueLen))
	}
	return p
}

// start runs the workers. Jobs get ctx, which should outlive the socket so that
// work in flight can finish while the app drains.
func (p *pool) start(ctx context.Context) {
	for _, q := range p.queues {
		p.wg.Go(func() {
			for fn := range q {
				p.depth.Add(-1)
				p.runOne(ctx, fn)
			}
		})
	}
}

func (p *pool) runOne(ctx context.Context, fn func(context.Context)) {
	defer func() {
		if r := recover(); r != nil {
			p.panics.Add(1)
			p.log.Error("worker recovered from a panic", "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
		}
	}()
	fn(ctx)
}

// submit queues fn on key's worker. It returns false, without blocking, when
// that queue is full or the pool is closing.
func (p *pool) submit(key string, fn func(context.Context)) bool {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if p.closed {
		return false
	}
	h := fnv.New32a()
	h.Write([]byte(key))
	select {
	case p.queues[h.Sum32()%uint32(len(p.queues))] <- fn:
		p.depth.Add(1)
		return true
	default:
		return false
	}
}

// close stops taking work and waits for the queued work to finish, or for
// timeout. It reports whether everything finished.
func (p *pool) close(timeout time.Duration) bool {
	p.mu.Lock()
	if !p.closed {
		p.closed = true
		for _, q := range p.queues {
			close(q)
		}
	}
	p.mu.Unlock()
	done := make(chan struct{})
	go func() { p.wg.Wait(); close(done) }()
	select {
	case <-done:
		return true
	case <-time.After(timeout):
		return false
	}
}
