package evtx

import (
	"bytes"
	"context"
	"encoding/binary"
	"hash/crc32"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/custodia-dfir/custodia/evidence/logs"
	"github.com/custodia-dfir/custodia/evidence/logs/logstest"
)

// repeated builds an EVTX file of at least n records by repeating the chunks
// of a sample behind its header.
func repeated(tb testing.TB, sample []byte, perFile, n int) []byte {
	var b bytes.Buffer
	b.Write(sample[:headerSize])
	chunks := sample[headerSize:]
	copies := 0
	for count := 0; count < n; count += perFile {
		b.Write(chunks)
		copies++
	}
	out := b.Bytes()
	// The header's chunk count and last chunk, and its CRC, so that
	// libevtx (which trusts the header) reads every chunk too.
	total := copies * (len(chunks) / chunkSize)
	binary.LittleEndian.PutUint64(out[16:], uint64(total-1))
	binary.LittleEndian.PutUint16(out[42:], uint16(total))
	binary.LittleEndian.PutUint32(out[124:], crc32.ChecksumIEEE(out[:120]))
	return out
}

// BenchmarkEVTX parses ≥ 100k records (the 91-record chunk of
// mitre_ID104-1102 repeated) and, in the same run, times libevtx's
// evtxexport over the same file; it reports both rates and their ratio.
// Parse only: sealing and indexing are not part of it.
func BenchmarkEVTX(b *testing.B) {
	sample := logstest.Sample(b, "evtx/mitre_ID104-1102-Event_log_cleared.evtx")
	data := repeated(b, sample, 91, 100_000)
	want := len(data[headerSize:]) / len(sample[headerSize:]) * 91
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	start := time.Now()
	for b.Loop() {
		n := 0
		_, err := logs.RunReader(context.Background(), Parser, bytes.NewReader(data), logs.Options{},
			logs.Funcs{OnEvent: func(logs.Event) error { n++; return nil }})
		if err != nil || n != want {
			b.Fatalf("%d records, want %d (%v)", n, want, err)
		}
	}
	ours := float64(want*b.N) / time.Since(start).Seconds()
	b.ReportMetric(ours, "records/s")
	bin, err := exec.LookPath("evtxexport")
	if err != nil {
		return
	}
	b.StopTimer()
	path := filepath.Join(b.TempDir(), "big.evtx")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		b.Fatal(err)
	}
	t0 := time.Now()
	out, err := exec.Command(bin, path).Output()
	if err != nil {
		b.Fatal(err)
	}
	peer := float64(want) / time.Since(t0).Seconds()
	if got := strings.Count(string(out), "Event number"); got != want {
		b.Fatalf("evtxexport read %d records, want %d", got, want)
	}
	b.ReportMetric(peer, "evtxexport-records/s")
	b.ReportMetric(ours/peer, "x-evtxexport")
}
