package team

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/custodia-dfir/custodia/casefile"
)

// BenchmarkAppend4Writers: b.N custody entries appended to one shared
// ledger by four writers at once (two examiners), each entry its own
// transaction (lock the head, seal, chain, sign, insert, advance, commit)
// on the local test server with its default durability (fsync on). The
// bar (issue 18) is 500 entries/s.
func BenchmarkAppend4Writers(b *testing.B) { benchAppend(b, 1) }

// BenchmarkAppend4WritersBatch16 is the same with 16 entries a transaction.
func BenchmarkAppend4WritersBatch16(b *testing.B) { benchAppend(b, 16) }

func benchAppend(b *testing.B, batch int) {
	f := newFixture(b)
	stores := make([]*Store, 4)
	for i := range stores {
		stores[i] = openStore(b, f.url)
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	b.ResetTimer()
	start := time.Now()
	for w, s := range stores {
		signer := f.dana
		if w%2 == 1 {
			signer = f.eve
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				n := next.Add(int64(batch))
				if n-int64(batch) >= int64(b.N) {
					return
				}
				evs := make([]casefile.Event, min(int64(batch), int64(b.N)-(n-int64(batch))))
				for k := range evs {
					evs[k] = viewed(w, int(n)+k)
				}
				if _, err := s.Append(context.Background(), signer, evs...); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "entries/s")
}
