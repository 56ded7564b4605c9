package evidence

import (
	"context"
	"encoding/hex"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/evidence/internal/ordered"
	sha256 "github.com/minio/sha256-simd"
)

// streamChunks reads every chunk of r in order, opens them on all cores,
// and calls fn with each plaintext in order (ordered.Map, the reorder step
// ingest uses too). Each plaintext is a buffer of its own: fn may hand it
// on, and should pass it to r.Release once nothing uses it any more (it is
// garbage otherwise). The first error (a missing or tampered chunk, or
// fn's) stops the stream.
func streamChunks(ctx context.Context, r *casefile.EvidenceReader, fn func(idx int64, plain []byte) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	workers := runtime.GOMAXPROCS(0)
	type opened struct {
		idx   int64
		plain []byte
		err   error
	}
	raw := make(chan casefile.SealedChunk, 2*workers)
	out := ordered.Map(ctx, raw, workers, 2*workers, func(sc casefile.SealedChunk) opened {
		p, err := r.OpenChunk(sc)
		return opened{sc.Index, p, err}
	})
	scanErr := make(chan error, 1)
	go func() {
		err := r.ScanChunks(ctx, func(sc casefile.SealedChunk) error {
			select {
			case raw <- sc:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
		close(raw)
		scanErr <- err
	}()
	var firstErr error
	for o := range out {
		if firstErr != nil {
			continue // drain
		}
		if o.err != nil {
			firstErr = o.err
		} else {
			firstErr = fn(o.idx, o.plain)
		}
		if firstErr != nil {
			cancel()
		}
	}
	if err := <-scanErr; firstErr == nil && err != nil && ctx.Err() == nil {
		firstErr = err
	}
	if firstErr == nil {
		firstErr = ctx.Err()
	}
	return firstErr
}

// hashStream hashes everything fed to it with the three hashes, or with
// the chosen ones.
type hashStream struct {
	mh *multiHash
	wg sync.WaitGroup
}

func newHashStream() *hashStream { return newHashStreamOf(allHashes) }

func newHashStreamOf(set hashSet) *hashStream { return &hashStream{mh: newMultiHash(8, set)} }

// write hashes b synchronously (b may be reused afterwards).
func (h *hashStream) write(b []byte) {
	var wg sync.WaitGroup
	wg.Add(h.mh.n())
	h.mh.write(b, wg.Done)
	wg.Wait()
}

// mhWriteAsync starts hashing b; wait blocks until it is hashed. done, if
// not nil, runs once every hash has consumed b.
func (h *hashStream) mhWriteAsync(b []byte, done func()) {
	n := h.mh.n()
	h.wg.Add(n)
	left := refCount(int32(n), func() {
		if done != nil {
			done()
		}
	})
	h.mh.write(b, func() { left(); h.wg.Done() })
}

// refCount returns a function that runs fn on its n-th call.
func refCount(n int32, fn func()) func() {
	var left atomic.Int32
	left.Store(n)
	return func() {
		if left.Add(-1) == 0 {
			fn()
		}
	}
}

func (h *hashStream) wait() { h.wg.Wait() }

func (h *hashStream) sum() casefile.Hashes { return h.mh.sum() }

// asyncSHA256 hashes blocks on its own goroutine; a block must not change
// until its done function ran.
type asyncSHA256 struct {
	ch  chan hashJob
	out chan string
}

func newAsyncSHA256() *asyncSHA256 {
	a := &asyncSHA256{ch: make(chan hashJob, 8), out: make(chan string, 1)}
	go func() {
		h := sha256.New()
		for j := range a.ch {
			h.Write(j.b)
			j.done()
		}
		a.out <- hex.EncodeToString(h.Sum(nil))
	}()
	return a
}

func (a *asyncSHA256) write(b []byte, done func()) { a.ch <- hashJob{b: b, done: done} }

func (a *asyncSHA256) sum() string {
	close(a.ch)
	return <-a.out
}
