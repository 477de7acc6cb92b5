package store

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"
)

// twoReplicas opens one new database twice, as two replicas would.
func twoReplicas(t *testing.T) (*DB, *DB) {
	t.Helper()
	dsn := newTestDSN(t)
	return mustOpenPath(t, dsn), mustOpenPath(t, dsn)
}

func eventIDs(evs []InboxEvent) []string {
	var ids []string
	for _, e := range evs {
		ids = append(ids, e.EventID)
	}
	return ids
}

func TestInboxRowsBelongToTheirReceiverUntilTheLeaseEnds(t *testing.T) {
	ctx := context.Background()
	a, b := twoReplicas(t)
	if a.Owner() == b.Owner() {
		t.Fatalf("two replicas share the owner name %q", a.Owner())
	}
	ids, err := a.Receive(ctx, []InboxEvent{
		{EventID: "Ev1", UserID: "U1", Payload: []byte(`{"a":1}`), Received: now},
		{EventID: "Ev2", UserID: "U2", Payload: []byte(`{"a":2}`), Received: now},
	})
	if err != nil {
		t.Fatal(err)
	}
	// Slack's retry of Ev1 reaches the other replica: stored once.
	retry, err := b.Receive(ctx, []InboxEvent{{EventID: "Ev1", UserID: "U1", Payload: []byte(`{"a":1}`), Received: now.Add(time.Second)}})
	if err != nil || retry[0] != 0 {
		t.Fatalf("the retry on replica b = %v, %v; want 0: stored once across replicas", retry, err)
	}
	if got := count(t, a, `SELECT count(*) FROM inbox`); got != 2 {
		t.Errorf("inbox rows = %d, want 2", got)
	}
	if evs, _ := b.PendingEvents(ctx, 0, 10); len(evs) != 0 {
		t.Errorf("replica b sees a's pending events %v; want none", eventIDs(evs))
	}
	if evs, _ := a.PendingEvents(ctx, 0, 10); len(evs) != 2 {
		t.Errorf("replica a sees %v; want its two", eventIDs(evs))
	}

	// While a's lease holds, b adopts nothing; renewed, it holds longer.
	if evs, err := b.AdoptEvents(ctx, now.Add(InboxLease-time.Millisecond), 10); err != nil || len(evs) != 0 {
		t.Fatalf("AdoptEvents inside the lease = %v, %v; want none", eventIDs(evs), err)
	}
	if err := a.RenewInbox(ctx, now.Add(InboxLease/2)); err != nil {
		t.Fatal(err)
	}
	if evs, _ := b.AdoptEvents(ctx, now.Add(InboxLease), 10); len(evs) != 0 {
		t.Fatalf("AdoptEvents after a renewed = %v; want none", eventIDs(evs))
	}
	// a handles Ev1, then dies: b adopts Ev2 alone once the lease is over.
	if err := a.EventDone(ctx, ids[0], now.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	evs, err := b.AdoptEvents(ctx, now.Add(InboxLease/2+InboxLease), 10)
	if err != nil || len(evs) != 1 || evs[0].EventID != "Ev2" || string(evs[0].Payload) != `{"a":2}` {
		t.Fatalf("AdoptEvents after a died = %v, %v; want Ev2 with its payload", eventIDs(evs), err)
	}
	if evs, _ := a.PendingEvents(ctx, 0, 10); len(evs) != 0 {
		t.Errorf("a still sees %v after b adopted it", eventIDs(evs))
	}
	if evs, _ := b.PendingEvents(ctx, 0, 10); len(evs) != 1 {
		t.Errorf("b's pending = %v; want the adopted Ev2", eventIDs(evs))
	}

	// Released, any replica adopts it at once.
	if err := b.ReleaseEvent(ctx, ids[1]); err != nil {
		t.Fatal(err)
	}
	if evs, _ := a.AdoptEvents(ctx, now, 10); len(evs) != 1 || evs[0].ID != ids[1] {
		t.Errorf("AdoptEvents after the release = %v; want Ev2", eventIDs(evs))
	}
}

func TestAdoptEventsConcurrentlyTakesEachOnce(t *testing.T) {
	ctx := context.Background()
	dsn := newTestDSN(t)
	first := mustOpenPath(t, dsn)
	var evs []InboxEvent
	for i := range 60 {
		evs = append(evs, InboxEvent{EventID: fmt.Sprintf("Ev%02d", i), UserID: "U1", Payload: []byte(`{}`), Received: now})
	}
	if _, err := first.Receive(ctx, evs); err != nil {
		t.Fatal(err)
	}
	replicas := []*DB{mustOpenPath(t, dsn), mustOpenPath(t, dsn), mustOpenPath(t, dsn)}
	var (
		mu   sync.Mutex
		got  []string
		wg   sync.WaitGroup
		errs = make(chan error, 30)
	)
	for _, r := range replicas {
		wg.Go(func() {
			for range 10 {
				evs, err := r.AdoptEvents(ctx, now.Add(time.Hour), 3)
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				got = append(got, eventIDs(evs)...)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	sort.Strings(got)
	if len(got) != 60 {
		t.Fatalf("adopted %d events, want all 60 once", len(got))
	}
	for i := 1; i < len(got); i++ {
		if got[i] == got[i-1] {
			t.Fatalf("%s adopted twice", got[i])
		}
	}
}

func TestLockMemberHoldsOtherReplicas(t *testing.T) {
	postgresOnly(t)
	ctx := context.Background()
	a, b := twoReplicas(t)
	unlock, err := a.LockMember(ctx, "U1")
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan struct{})
	go func() {
		unlockB, err := b.LockMember(ctx, "U1")
		if err != nil {
			t.Error(err)
			close(got)
			return
		}
		close(got)
		unlockB()
	}()
	// Another member is not held up.
	other, err := b.LockMember(ctx, "U2")
	if err != nil {
		t.Fatal(err)
	}
	other()
	select {
	case <-got:
		t.Fatal("replica b took U1's lock while a held it")
	case <-time.After(200 * time.Millisecond):
	}
	unlock()
	select {
	case <-got:
	case <-time.After(10 * time.Second):
		t.Fatal("replica b never got U1's lock after a let it go")
	}
}
