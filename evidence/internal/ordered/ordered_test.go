package ordered

import (
	"context"
	"math/rand/v2"
	"sync/atomic"
	"testing"
	"time"
)

// TestMapKeepsOrder: results come out in input order however long each
// takes, and every value is processed once.
func TestMapKeepsOrder(t *testing.T) {
	in := make(chan int)
	go func() {
		for i := range 1000 {
			in <- i
		}
		close(in)
	}()
	var calls atomic.Int64
	out := Map(context.Background(), in, 4, 8, func(i int) int {
		calls.Add(1)
		if rand.IntN(10) == 0 {
			time.Sleep(time.Duration(rand.IntN(200)) * time.Microsecond)
		}
		return i * 2
	})
	want := 0
	for got := range out {
		if got != want*2 {
			t.Fatalf("result %d is %d, want %d", want, got, want*2)
		}
		want++
	}
	if want != 1000 || calls.Load() != 1000 {
		t.Fatalf("%d results, %d calls, want 1000 each", want, calls.Load())
	}
}

// TestMapBoundsWindow: with the receiver not reading, Map takes in no more
// than the window plus what the workers and the collector hold.
func TestMapBoundsWindow(t *testing.T) {
	const workers, window = 2, 5
	in := make(chan int)
	var sent atomic.Int64
	go func() {
		for i := range 100 {
			in <- i
			sent.Add(1)
		}
		close(in)
	}()
	out := Map(context.Background(), in, workers, window, func(i int) int { return i })
	time.Sleep(50 * time.Millisecond)
	// window futures queued, one held by the collector waiting to send,
	// one job handed to a worker by the dispatcher waiting on the window.
	if n := sent.Load(); n > window+2 {
		t.Fatalf("%d values taken in while nobody reads, want at most %d", n, window+2)
	}
	n := 0
	for range out {
		n++
	}
	if n != 100 {
		t.Fatalf("%d results, want 100", n)
	}
}

// TestMapCancel: once ctx ends, fn is no longer called, the channel closes
// after in is closed, and the sender is never stuck.
func TestMapCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	in := make(chan int)
	var calls atomic.Int64
	out := Map(ctx, in, 2, 4, func(i int) int { calls.Add(1); return i })
	in <- 0
	if got := <-out; got != 0 {
		t.Fatalf("first result %d", got)
	}
	cancel()
	before := calls.Load()
	done := make(chan struct{})
	go func() {
		for i := 1; i < 1000; i++ {
			in <- i // must never block for long: Map discards
		}
		close(in)
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("sender stuck after cancel")
	}
	for range out {
	}
	if after := calls.Load(); after-before > 4 {
		t.Fatalf("fn called %d times after cancel", after-before)
	}
}
