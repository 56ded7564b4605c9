package casefile

import (
	"errors"
	"testing"
)

// TestFailedVerificationWritesNothing: a keyed verification that finds the
// ledger broken records nothing, and the handle then refuses every change,
// so the suspect file stays byte for byte as it was found.
func TestFailedVerificationWritesNothing(t *testing.T) {
	path := ledgerCase(t, 5)
	tamper(t, path, `UPDATE custody_ledger SET entry = zeroblob(length(entry)) WHERE seq = 3`)
	before := fileSum(t, path)

	c := openTestTB(t, path, testPass)
	r, err := c.VerifyLedger()
	if err != nil {
		t.Fatal(err)
	}
	if r.OK() || r.Recorded {
		t.Fatalf("report OK=%v Recorded=%v, want problems and nothing recorded", r.OK(), r.Recorded)
	}
	if err := c.Suspect(); !errors.Is(err, ErrSuspect) {
		t.Fatalf("Suspect() = %v, want ErrSuspect", err)
	}
	if _, err := c.Record(Event{Action: ActionLedgerExported, Target: Target{Type: TargetLedger, ID: "x"}}); !errors.Is(err, ErrSuspect) {
		t.Errorf("Record after a failed verification: %v, want ErrSuspect", err)
	}
	if _, err := c.AddKeySlot("another", []byte("another passphrase"), ""); !errors.Is(err, ErrSuspect) {
		t.Errorf("AddKeySlot after a failed verification: %v, want ErrSuspect", err)
	}
	if _, err := c.BeginEvidence(DefaultChunkSize); !errors.Is(err, ErrSuspect) {
		t.Errorf("BeginEvidence after a failed verification: %v, want ErrSuspect", err)
	}
	if msg, hint, known := Explain(c.Suspect()); !known || hint == "" || msg == "" {
		t.Errorf("Explain(suspect) = %q, %q, %v", msg, hint, known)
	}
	// Reads still work.
	if _, err := c.Entries(); err != nil {
		t.Errorf("Entries: %v", err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if after := fileSum(t, path); after != before {
		t.Fatal("the suspect case file changed")
	}
}

// TestIntactVerificationIsRecorded: an intact ledger gets its
// ledger.verified entry.
func TestIntactVerificationIsRecorded(t *testing.T) {
	path := ledgerCase(t, 3)
	c := openTestTB(t, path, testPass)
	defer c.Close()
	seq, _ := c.Head()
	r, err := c.VerifyLedger()
	if err != nil || !r.OK() || !r.Recorded {
		t.Fatalf("VerifyLedger = %+v, %v", r, err)
	}
	es, err := c.Entries()
	if err != nil {
		t.Fatal(err)
	}
	if last := es[len(es)-1]; last.Seq != seq+1 || last.Action != ActionLedgerVerified || last.Details["result"] != "intact" {
		t.Fatalf("last entry %+v", last)
	}
	if c.Suspect() != nil {
		t.Fatal("an intact case is suspect")
	}
}
