package casefile

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
)

// BenchmarkLedgerAppend measures appending one custody entry per
// transaction, as every recorded action does. Bar: at least 2,000 entries/s.
func BenchmarkLedgerAppend(b *testing.B) {
	path := createTestCaseTB(b)
	c := openTestTB(b, path, testPass)
	defer c.Close()
	ev := Event{Action: "evidence.viewed", Target: Target{Type: TargetEvidence, ID: "0b6f3c1e-7c1a-4a53-9f57-8c1c2f1f4e11"},
		Reason: "bench", Hashes: map[string]string{"sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}}
	b.ResetTimer()
	for b.Loop() {
		if _, err := c.Record(ev); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "entries/s")
}

// appendEntries appends n entries in one transaction (fast test setup).
func appendEntries(tb testing.TB, c *Case, n int) {
	tb.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	ctx := context.Background()
	for done := 0; done < n; {
		batch := min(10000, n-done)
		err := c.update(ctx, func(tx *sql.Tx) error {
			for i := range batch {
				e, err := c.appendEntry(ctx, tx, Event{Action: "evidence.viewed",
					Target: Target{Type: TargetEvidence, ID: fmt.Sprint(done + i)}, Reason: "bench",
					Hashes: map[string]string{"sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}}, c.now())
				if err != nil {
					return err
				}
				c.headSeq, c.headHash = e.Seq, e.Hash
			}
			return nil
		})
		if err != nil {
			tb.Fatal(err)
		}
		done += batch
	}
	c.entries = nil
}

func ledgerOf(b *testing.B, n int) string {
	path := filepath.Join(b.TempDir(), "big.custodia")
	c, err := Create(path, []byte(testPass), testCase, TestOptions())
	if err != nil {
		b.Fatal(err)
	}
	appendEntries(b, c, n-1)
	c.Close()
	return path
}

// BenchmarkLedgerVerify100k measures verifying 100,000 entries with the key
// (chain, signatures, every sealed entry). Bar: at most 2 s.
func BenchmarkLedgerVerify100k(b *testing.B) {
	path := ledgerOf(b, 100_000)
	c := openTestTB(b, path, testPass)
	defer c.Close()
	b.ResetTimer()
	for b.Loop() {
		r, err := c.VerifyLedger()
		if err != nil || !r.OK() {
			b.Fatalf("%v %v", err, r.Problems)
		}
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/100k")
}

// BenchmarkLedgerVerify100kWithoutKey measures the keyless check a third
// party runs: chain and signatures.
func BenchmarkLedgerVerify100kWithoutKey(b *testing.B) {
	path := ledgerOf(b, 100_000)
	b.ResetTimer()
	for b.Loop() {
		r, err := VerifyLedgerWithoutKey(path)
		if err != nil || !r.OK() {
			b.Fatalf("%v %v", err, r.Problems)
		}
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/100k")
}
