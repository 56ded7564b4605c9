package memory

import (
	"bufio"
	"bytes"
	"context"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/casetest"
	"github.com/custodia-dfir/custodia/evidence"
)

// benchSize is the size of the memory image the strings benchmark scans:
// 1 GiB, or CUSTODIA_BENCH_MB MiB.
func benchSize() int64 {
	if v, err := strconv.Atoi(os.Getenv("CUSTODIA_BENCH_MB")); err == nil && v > 0 {
		return int64(v) << 20
	}
	return 1 << 30
}

// writeMemoryLike writes size bytes that look like memory, 1 MiB region
// by region: 40 % zeros, 30 % random, 20 % ASCII text (paths, log lines,
// identifiers) with binary between, 10 % UTF-16LE text.
func writeMemoryLike(tb testing.TB, path string, size int64) {
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 4<<20)
	rng := rand.New(rand.NewPCG(13, 17))
	words := []string{"C:\\Windows\\System32\\kernel32.dll", "GetProcAddress", "/usr/lib/x86_64-linux-gnu/libc.so.6",
		"Accepted publickey for root from 10.0.0.7 port 22 ssh2", "HTTP/1.1 200 OK", "password=", "session", "PATH=/usr/bin"}
	region := make([]byte, 1<<20)
	for done := int64(0); done < size; done += int64(len(region)) {
		region = region[:0]
		switch p := rng.IntN(100); {
		case p < 40:
			region = append(region, make([]byte, 1<<20)...)
		case p < 70:
			for len(region) < 1<<20 {
				region = binaryAppendU64(region, rng.Uint64())
			}
		case p < 90:
			for len(region) < 1<<20 {
				region = append(region, words[rng.IntN(len(words))]...)
				for range rng.IntN(12) {
					region = append(region, byte(rng.IntN(256)))
				}
			}
		default:
			for len(region) < 1<<20 {
				region = append(region, utf16le(words[rng.IntN(len(words))])...)
				region = append(region, 0, 0, byte(rng.IntN(256)))
			}
		}
		n := min(int64(1<<20), size-done)
		if _, err := w.Write(region[:n]); err != nil {
			tb.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
}

func binaryAppendU64(b []byte, v uint64) []byte {
	return append(b, byte(v), byte(v>>8), byte(v>>16), byte(v>>24), byte(v>>32), byte(v>>40), byte(v>>48), byte(v>>56))
}

// lineCounter counts the lines written to it.
type lineCounter struct{ n int }

func (c *lineCounter) Write(p []byte) (int, error) {
	c.n += bytes.Count(p, []byte{'\n'})
	return len(p), nil
}

// gnuStringsTimed runs GNU strings -a -t d -n 4 (args) on path and
// returns its seconds and its number of hits.
func gnuStringsTimed(b *testing.B, path string, args ...string) (float64, int) {
	cmd := exec.Command("strings", append(append([]string{"-a", "-t", "d", "-n", "4"}, args...), path)...)
	lines := &lineCounter{}
	cmd.Stdout = lines
	start := time.Now()
	if err := cmd.Run(); err != nil {
		b.Fatalf("strings %v: %v", args, err)
	}
	return time.Since(start).Seconds(), lines.n
}

// BenchmarkStringsVsGNU scans a 1 GiB memory-like image for strings of 4
// characters or more: GNU strings on the plain file (one run for ASCII, one
// for -e l), and Custodia through the sealed case (every chunk decrypted,
// authenticated and decompressed) for ASCII, UTF-16LE and both in one
// pass, and on the plain file (the scanner alone). The hit counts must be
// GNU strings's. Set CUSTODIA_BENCH_MB for another size.
func BenchmarkStringsVsGNU(b *testing.B) {
	if _, err := exec.LookPath("strings"); err != nil {
		b.Skip("GNU strings (Debian binutils) is not installed; `make bench` installs it")
	}
	size := benchSize()
	dir := b.TempDir()
	src := filepath.Join(dir, "memory.raw")
	writeMemoryLike(b, src, size)
	c := casetest.Open(b, casetest.Create(b), casetest.Passphrase)
	evs, err := evidence.Ingest(context.Background(), c, src, evidence.Options{Kind: casefile.KindMemory})
	if err != nil {
		b.Fatal(err)
	}
	id := evs[0].ID
	mb := float64(size) / 1e6
	ours := func(enc Encoding) (float64, int) {
		n := 0
		start := time.Now()
		if err := ItemStrings(context.Background(), c, id, StringsOptions{Encoding: enc}, nil, func(Hit) error { n++; return nil }); err != nil {
			b.Fatal(err)
		}
		return time.Since(start).Seconds(), n
	}
	b.SetBytes(size)
	b.ResetTimer()
	for range b.N {
		gnuASCIISec, gnuASCII := gnuStringsTimed(b, src)
		gnu16Sec, gnu16 := gnuStringsTimed(b, src, "-e", "l")
		asciiSec, ascii := ours(ASCII)
		u16Sec, u16 := ours(UTF16LE)
		bothSec, both := ours(Both)
		f, err := os.Open(src)
		if err != nil {
			b.Fatal(err)
		}
		plain := 0
		start := time.Now()
		if err := Strings(context.Background(), f, StringsOptions{Encoding: Both}, func(Hit) error { plain++; return nil }); err != nil {
			b.Fatal(err)
		}
		plainSec := time.Since(start).Seconds()
		f.Close()
		if ascii != gnuASCII || u16 != gnu16 || both != gnuASCII+gnu16 || plain != both {
			b.Fatalf("hits: ascii %d (strings %d), utf16le %d (strings -e l %d), both %d, plain file %d", ascii, gnuASCII, u16, gnu16, both, plain)
		}
		b.ReportMetric(mb/gnuASCIISec, "gnu_ascii_MB/s")
		b.ReportMetric(mb/gnu16Sec, "gnu_utf16_MB/s")
		b.ReportMetric(mb/asciiSec, "case_ascii_MB/s")
		b.ReportMetric(mb/u16Sec, "case_utf16_MB/s")
		b.ReportMetric(mb/bothSec, "case_both_MB/s")
		b.ReportMetric(mb/plainSec, "plain_both_MB/s")
		b.ReportMetric(gnuASCIISec/asciiSec, "x_gnu_ascii")
		b.ReportMetric(gnu16Sec/u16Sec, "x_gnu_utf16")
		b.ReportMetric((gnuASCIISec+gnu16Sec)/bothSec, "x_gnu_both")
		b.ReportMetric(float64(both), "hits")
	}
}
