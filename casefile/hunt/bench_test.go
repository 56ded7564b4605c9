package hunt

import (
	"context"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/casetest"
	"github.com/custodia-dfir/custodia/casefile/incident"
)

// benchBytes is the size of the swept item: 256 MiB, or
// CUSTODIA_BENCH_MB MiB.
func benchBytes(b *testing.B) int {
	mb := 256
	if s := os.Getenv("CUSTODIA_BENCH_MB"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			b.Fatalf("CUSTODIA_BENCH_MB=%q: give a number of MiB", s)
		}
		mb = n
	}
	return mb << 20
}

// benchLog is syslog-like text with the 100 indicators of benchIndicators
// sprinkled in (one line in 1000 holds one).
func benchLog(size int, inds []string) []byte {
	r := rand.New(rand.NewPCG(1, 2))
	var sb strings.Builder
	sb.Grow(size + 200)
	for i := 0; sb.Len() < size; i++ {
		fmt.Fprintf(&sb, "Feb 21 02:%02d:%02d web%02d sshd[%d]: Failed password for user%d from 10.%d.%d.%d port %d ssh2",
			i/60%60, i%60, r.IntN(20), r.IntN(60000), r.IntN(5000), r.IntN(256), r.IntN(256), r.IntN(256), r.IntN(65536))
		if i%1000 == 0 {
			sb.WriteString(" " + inds[r.IntN(len(inds))])
		}
		sb.WriteByte('\n')
	}
	return []byte(sb.String()[:size])
}

func benchIndicators() []incident.Indicator {
	var out []incident.Indicator
	for i := range 25 {
		out = append(out, incident.Indicator{Type: incident.IndicatorIP, Value: fmt.Sprintf("203.0.113.%d", i+1)},
			incident.Indicator{Type: incident.IndicatorDomain, Value: fmt.Sprintf("c2-%d.evil.example.com", i)})
		h := sha256.Sum256([]byte{byte(i)})
		m := md5.Sum([]byte{byte(i)})
		out = append(out, incident.Indicator{Type: incident.IndicatorHash, Value: hex.EncodeToString(h[:])},
			incident.Indicator{Type: incident.IndicatorHash, Value: hex.EncodeToString(m[:])})
	}
	return out
}

// BenchmarkSweep seals a 256 MiB log-like item (1 MiB chunks) in a case
// with 100 indicators, sweeps it (ASCII and UTF-16LE, bytes only: the item
// is not parsed) and reports MiB/s; in the same run GNU grep -F -i -o -b
// -a -f (the plaintext file, ASCII only, from the page cache) is timed on
// the same bytes as the peer.
func BenchmarkSweep(b *testing.B) {
	size := benchBytes(b)
	inds := benchIndicators()
	var values []string
	for _, ind := range inds {
		values = append(values, ind.Value)
	}
	data := benchLog(size, values)
	c := casetest.Open(b, casetest.Create(b), casetest.Passphrase)
	w, err := c.BeginEvidence(casefile.DefaultChunkSize)
	if err != nil {
		b.Fatal(err)
	}
	var chunks []casefile.SealedChunk
	for off := 0; off < len(data); off += casefile.DefaultChunkSize {
		end := min(off+casefile.DefaultChunkSize, len(data))
		sc, err := w.SealChunk(int64(off/casefile.DefaultChunkSize), data[off:end], end == len(data))
		if err != nil {
			b.Fatal(err)
		}
		chunks = append(chunks, sc)
	}
	if err := w.Store(chunks); err != nil {
		b.Fatal(err)
	}
	chunks = nil
	m, s1, s256 := md5.Sum(data), sha1.Sum(data), sha256.Sum256(data)
	if _, err := w.Commit(casefile.EvidenceMeta{Name: "bench.log", Kind: casefile.KindOther, Format: "file", Size: int64(size),
		Hashes: casefile.Hashes{MD5: hex.EncodeToString(m[:]), SHA1: hex.EncodeToString(s1[:]), SHA256: hex.EncodeToString(s256[:])}}, "bench"); err != nil {
		b.Fatal(err)
	}
	for _, ind := range inds {
		if _, err := incident.Of(c).AddIndicator(ind.Type, ind.Value, "", ""); err != nil {
			b.Fatal(err)
		}
	}
	var hits int64
	b.ResetTimer()
	for b.Loop() {
		sw, err := RunSweep(context.Background(), c, "bench", nil)
		if err != nil {
			b.Fatal(err)
		}
		hits = sw.ByteHits
	}
	b.StopTimer()
	b.ReportMetric(float64(size)/(1<<20)/(b.Elapsed().Seconds()/float64(b.N)), "MiB/s")
	b.ReportMetric(float64(hits), "hits")

	// The peer, on the plaintext.
	grep, err := exec.LookPath("grep")
	if err != nil {
		b.Logf("grep is not installed: no peer figure")
		return
	}
	dir := b.TempDir()
	file, pats := filepath.Join(dir, "bench.log"), filepath.Join(dir, "patterns")
	if err := os.WriteFile(file, data, 0o600); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(pats, []byte(strings.Join(values, "\n")+"\n"), 0o600); err != nil {
		b.Fatal(err)
	}
	exec.Command("cat", file).Run() // into the page cache
	st := time.Now()
	out, err := exec.Command(grep, "-F", "-i", "-o", "-b", "-a", "-f", pats, file).Output()
	if err != nil {
		b.Fatalf("grep: %v", err)
	}
	el := time.Since(st)
	b.ReportMetric(float64(size)/(1<<20)/el.Seconds(), "grep-MiB/s")
	b.ReportMetric(float64(strings.Count(string(out), "\n")), "grep-hits")
}
