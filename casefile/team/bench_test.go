package team

import (
	"context"
	"math/rand/v2"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/casetest"
	"github.com/custodia-dfir/custodia/casefile/team/pgtest"
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

// BenchmarkPushPull256MiB: a case holding one 256 MiB item of random
// bytes in 1 MiB chunks, pushed to the local test server and pulled back
// into a new file; the rates are the item's bytes over each command's
// core work (Push, Pull with WriteCaseFile). The pull bar of issue 18 is
// 300 MB/s (for 2 GiB).
func BenchmarkPushPull256MiB(b *testing.B) {
	const size = 256 << 20
	srv, path := benchCase(b, size)
	ctx := context.Background()
	for range b.N {
		b.StopTimer()
		db := srv.NewDatabase(b)
		c := casetest.Open(b, path, casetest.Passphrase)
		rows, err := c.Rows()
		if err != nil {
			b.Fatal(err)
		}
		signer := signerOf(b, c)
		s := openStore(b, db)
		b.StartTimer()
		start := time.Now()
		if _, err := s.Push(ctx, rows, c, signer, "", "bench"); err != nil {
			b.Fatal(err)
		}
		push := time.Since(start)
		c.Close()
		out := filepath.Join(b.TempDir(), "pulled.custodia")
		start = time.Now()
		if err := s.Pull(ctx, rows.CaseID, func(r *casefile.CaseRows, src casefile.RowSource) error {
			return casefile.WriteCaseFile(ctx, out, r, src)
		}); err != nil {
			b.Fatal(err)
		}
		pull := time.Since(start)
		b.ReportMetric(size/1e6/push.Seconds(), "push-MB/s")
		b.ReportMetric(size/1e6/pull.Seconds(), "pull-MB/s")
	}
}

// benchCase starts a test server and makes a closed case with one item of
// size random bytes in 1 MiB chunks.
func benchCase(b *testing.B, size int) (srv *pgtest.Server, path string) {
	b.Helper()
	srv = pgtest.Start(b)
	path = casetest.Create(b)
	c := casetest.Open(b, path, casetest.Passphrase)
	defer c.Close()
	w, err := c.BeginEvidence(casefile.DefaultChunkSize)
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.NewChaCha8([32]byte{7})
	chunk := make([]byte, casefile.DefaultChunkSize)
	n := size / len(chunk)
	var batch []casefile.SealedChunk
	for i := range n {
		rng.Read(chunk)
		sc, err := w.SealChunk(int64(i), chunk, i == n-1)
		if err != nil {
			b.Fatal(err)
		}
		if batch = append(batch, sc); len(batch) == 16 || i == n-1 {
			if err := w.Store(batch); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	if _, err := w.Commit(casefile.EvidenceMeta{Name: "random.bin", Kind: casefile.KindOther, Format: "file", Size: int64(size),
		Hashes: casefile.Hashes{MD5: "-", SHA1: "-", SHA256: "-"}}, "benchmark"); err != nil {
		b.Fatal(err)
	}
	return srv, path
}
