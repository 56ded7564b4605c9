package evidence

import (
	"context"
	"crypto/rand"
	"fmt"
	mrand "math/rand/v2"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
)

// benchSize is the size of generated benchmark sources: 2 GiB by default
// (the setting), CUSTODIA_BENCH_MB to change it.
func benchSize() int64 {
	if v, err := strconv.Atoi(os.Getenv("CUSTODIA_BENCH_MB")); err == nil && v > 0 {
		return int64(v) << 20
	}
	return 2 << 30
}

// writeRandom writes size random bytes.
func writeRandom(tb testing.TB, path string, size int64) {
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	buf := make([]byte, 4<<20)
	for done := int64(0); done < size; done += int64(len(buf)) {
		rand.Read(buf)
		n := min(int64(len(buf)), size-done)
		if _, err := f.Write(buf[:n]); err != nil {
			tb.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
}

// writeDiskLike writes a disk-like image: runs of zeros (unallocated
// space), random blocks (compressed or encrypted files) and log-like text,
// in 1 MiB regions chosen 45% zeros, 30% random, 25% text.
func writeDiskLike(tb testing.TB, path string, size int64) {
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	rng := mrand.New(mrand.NewPCG(7, 11))
	zeros := make([]byte, 1<<20)
	random := make([]byte, 1<<20)
	text := make([]byte, 0, 1<<20)
	hosts := []string{"web01", "db02", "vpn-gw", "dc01"}
	msgs := []string{"Accepted publickey for root from 10.0.%d.%d port %d ssh2", "Failed password for invalid user admin from 203.0.113.%d port %d",
		"session opened for user www-data by (uid=0) pid %d %d", "GET /index.php?id=%d HTTP/1.1 200 %d"}
	for done := int64(0); done < size; done += 1 << 20 {
		var block []byte
		switch p := rng.IntN(100); {
		case p < 45:
			block = zeros
		case p < 75:
			rand.Read(random)
			block = random
		default:
			text = text[:0]
			for len(text) < 1<<20 {
				m := msgs[rng.IntN(len(msgs))]
				text = fmt.Appendf(text, "Nov 26 %02d:%02d:%02d %s sshd[%d]: "+m+"\n", rng.IntN(24), rng.IntN(60), rng.IntN(60),
					hosts[rng.IntN(len(hosts))], rng.IntN(65536), rng.IntN(256), rng.IntN(256), rng.IntN(65536))
			}
			block = text[:1<<20]
		}
		n := min(int64(len(block)), size-done)
		if _, err := f.Write(block[:n]); err != nil {
			tb.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
}

func benchIngest(b *testing.B, gen func(testing.TB, string, int64)) {
	size := benchSize()
	dir := b.TempDir()
	src := filepath.Join(dir, "source.img")
	gen(b, src, size)
	b.SetBytes(size)
	b.ResetTimer()
	peak := 0.0
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		c := testCase(b)
		debug.FreeOSMemory()
		resetPeakRSS()
		b.StartTimer()
		if _, err := Ingest(context.Background(), c, src, Options{}); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		peak = max(peak, peakRSSMiB())
		c.Close()
		b.StartTimer()
	}
	b.ReportMetric(peak, "peak_RSS_MiB")
}

// BenchmarkIngestRandom ingests a random file end to end (three hashes,
// compression attempt, sealing, verify-after-seal, storing).
func BenchmarkIngestRandom(b *testing.B) { benchIngest(b, writeRandom) }

// BenchmarkIngestDiskLike ingests a generated disk-like image end to end.
func BenchmarkIngestDiskLike(b *testing.B) { benchIngest(b, writeDiskLike) }

func benchVerify(b *testing.B, gen func(testing.TB, string, int64), opts VerifyOptions) {
	size := benchSize()
	dir := b.TempDir()
	src := filepath.Join(dir, "source.img")
	gen(b, src, size)
	c := testCase(b)
	evs, err := Ingest(context.Background(), c, src, Options{})
	if err != nil {
		b.Fatal(err)
	}
	os.Remove(src)
	b.SetBytes(size)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		v, err := Verify(context.Background(), c, evs[0].ID, opts, nil)
		if err != nil || !v.OK {
			b.Fatalf("verify: %+v %v", v, err)
		}
	}
}

// BenchmarkVerifyRandom verifies an item of random data: every chunk read,
// authenticated, decrypted and re-hashed with SHA-256 (the default).
func BenchmarkVerifyRandom(b *testing.B) { benchVerify(b, writeRandom, VerifyOptions{}) }

// BenchmarkVerifyDiskLike verifies an item of a generated disk-like image.
func BenchmarkVerifyDiskLike(b *testing.B) { benchVerify(b, writeDiskLike, VerifyOptions{}) }

// BenchmarkVerifyAllHashesRandom verifies random data recomputing MD5,
// SHA-1 and SHA-256 (--all-hashes).
func BenchmarkVerifyAllHashesRandom(b *testing.B) {
	benchVerify(b, writeRandom, VerifyOptions{AllHashes: true})
}

// TestWriteBenchSource writes one of the generated benchmark sources for
// scripts/bench-ingest-cli.sh, which measures the CLI from outside:
// CUSTODIA_BENCH_WRITE=disk-like:PATH or random:PATH, CUSTODIA_BENCH_MB for
// the size. Skipped unless CUSTODIA_BENCH_WRITE is set.
func TestWriteBenchSource(t *testing.T) {
	spec := os.Getenv("CUSTODIA_BENCH_WRITE")
	if spec == "" {
		t.Skip("set CUSTODIA_BENCH_WRITE=disk-like:PATH or random:PATH to write a benchmark source")
	}
	kind, path, ok := strings.Cut(spec, ":")
	gen := map[string]func(testing.TB, string, int64){"disk-like": writeDiskLike, "random": writeRandom}[kind]
	if !ok || gen == nil || path == "" {
		t.Fatalf("CUSTODIA_BENCH_WRITE=%q: want disk-like:PATH or random:PATH", spec)
	}
	gen(t, path, benchSize())
}
