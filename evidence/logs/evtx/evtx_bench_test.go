package evtx

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/custodia-dfir/custodia/evidence/logs"
	"github.com/custodia-dfir/custodia/evidence/logs/logstest"
)

// BenchmarkEVTX parses ≥ 100k records (the 91-record chunk of
// mitre_ID104-1102 repeated) and, in the same run, times libevtx's
// evtxexport over the same file; it reports both rates and their ratio.
// Parse only: sealing and indexing are not part of it.
func BenchmarkEVTX(b *testing.B) {
	sample := logstest.Sample(b, "evtx/mitre_ID104-1102-Event_log_cleared.evtx")
	data, want := logstest.RepeatEVTX(b, sample, 100_000)
	if want != 1099*91 {
		b.Fatalf("%d records repeated, want %d", want, 1099*91)
	}
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
