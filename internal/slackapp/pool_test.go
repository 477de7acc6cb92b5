package slackapp

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"
)

func TestPoolRecoversOrdersAndBounds(t *testing.T) {
	p := newPool(slog.New(slog.NewTextHandler(io.Discard, nil)), 2, 4)
	p.start(context.Background())

	if !p.submit("U1", func(context.Context) { panic("boom") }) {
		t.Fatal("first submit refused")
	}
	var mu sync.Mutex
	var order []int
	for i := range 4 {
		ok := p.submit("U2", func(context.Context) {
			mu.Lock()
			order = append(order, i)
			mu.Unlock()
		})
		if !ok {
			t.Fatalf("submit %d refused", i)
		}
	}
	if !p.close(5 * time.Second) {
		t.Fatal("pool did not drain")
	}
	if p.panics.Load() != 1 {
		t.Errorf("panics: got %d, want 1", p.panics.Load())
	}
	for i, v := range order {
		if v != i {
			t.Fatalf("one key's jobs ran out of order: %v", order)
		}
	}
	if len(order) != 4 {
		t.Errorf("ran %d jobs, want 4", len(order))
	}
	if p.submit("U1", func(context.Context) {}) {
		t.Error("submit after close was accepted")
	}
}

func TestPoolSubmitNeverBlocks(t *testing.T) {
	p := newPool(slog.New(slog.NewTextHandler(io.Discard, nil)), 1, 1)
	block := make(chan struct{})
	p.start(context.Background())
	p.submit("k", func(context.Context) { <-block }) // taken by the worker, or queued
	accepted := 0
	for range 10 {
		if p.submit("k", func(context.Context) {}) {
			accepted++
		}
	}
	if accepted > 1 {
		t.Errorf("a full queue of 1 accepted %d more jobs", accepted)
	}
	close(block)
	p.close(5 * time.Second)
}
