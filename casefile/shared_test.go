package casefile

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"
)

// sharedFixture opens a 3-entry case and returns it, its signer and its
// ledger rows, examiner keys and head as a shared store would hold them.
func sharedFixture(t *testing.T) (*Case, *EntrySigner, []LedgerRow, *ledgerSnapshot) {
	t.Helper()
	c := openTestTB(t, ledgerCase(t, 3), testPass)
	t.Cleanup(func() { c.Close() })
	s, err := c.EntrySigner()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	snap, err := readSnapshot(context.Background(), c.db, c.id)
	if err != nil {
		t.Fatal(err)
	}
	rows := make([]LedgerRow, len(snap.rows))
	for i, r := range snap.rows {
		rows[i] = r.export()
	}
	return c, s, rows, snap
}

// Entries made by an EntrySigner are the entries the file makes: written
// into the file, ledger verify accepts them.
func TestEntrySignerContinuesTheFileChain(t *testing.T) {
	c, s, rows, snap := sharedFixture(t)
	prev := rows[len(rows)-1]
	var head LedgerHeadRow
	for i := range 2 {
		r, err := s.Next(&prev, TestTime.Add(time.Duration(i)*time.Second), Event{Action: "evidence.viewed", Target: Target{Type: TargetEvidence, ID: "shared"}, Reason: "review"})
		if err != nil {
			t.Fatal(err)
		}
		sealed, err := s.SealHead(r)
		if err != nil {
			t.Fatal(err)
		}
		rows, prev, head = append(rows, r), r, LedgerHeadRow{Valid: true, Seq: r.Seq, Hash: r.EntryHash, Sealed: sealed}
	}
	if rep := s.Verify(rows, snap.signers, head); !rep.OK() || rep.Entries != 5 || rep.HeadSeq != 5 {
		t.Fatalf("shared verify: %d entries, head %d, problems %v", rep.Entries, rep.HeadSeq, rep.Problems)
	}
	for _, r := range rows[3:] {
		if _, err := c.db.Exec(`INSERT INTO custody_ledger (seq, signer, entry, prev_hash, entry_hash, signature) VALUES (?, ?, ?, ?, ?, ?)`,
			r.Seq, r.Signer, r.Entry, r.PrevHash, r.EntryHash, r.Signature); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.db.Exec(`UPDATE ledger_head SET seq = ?, head_hash = ?, sealed = ?`, head.Seq, head.Hash, head.Sealed); err != nil {
		t.Fatal(err)
	}
	c.entries = nil
	if err := c.loadHead(context.Background()); err != nil {
		t.Fatal(err)
	}
	rep, err := c.VerifyLedger()
	if err != nil || !rep.OK() || rep.Entries != 5 {
		t.Fatalf("ledger verify of the file with the signer's entries: %v %+v", err, rep)
	}
	es, err := c.Entries()
	if err != nil {
		t.Fatal(err)
	}
	if e := es[4]; e.Action != "evidence.viewed" || e.Target.ID != "shared" || e.Actor != testCase.Examiner || !e.Time.Equal(TestTime.Add(time.Second)) {
		t.Fatalf("entry 5 reads %+v", e)
	}
}

func TestEntrySignerRefusesAClockBehind(t *testing.T) {
	_, s, rows, _ := sharedFixture(t)
	_, err := s.Next(&rows[2], TestTime.Add(-90*time.Second), Event{Action: "evidence.viewed", Target: Target{Type: TargetEvidence, ID: "x"}})
	if !errors.Is(err, ErrClockBehind) {
		t.Fatalf("got %v, want ErrClockBehind", err)
	}
	want := "casefile: this computer's clock is behind the last custody entry: it reads 2026-11-26T09:58:30Z, entry 3 was written at 2026-11-26T10:00:00Z"
	if err.Error() != want {
		t.Fatalf("got  %q\nwant %q", err.Error(), want)
	}
}

func TestEntrySignerVerifyFindsTampering(t *testing.T) {
	_, s, rows, snap := sharedFixture(t)
	rows[1].Entry = append([]byte(nil), rows[1].Entry...)
	rows[1].Entry[30] ^= 1
	head := LedgerHeadRow{Valid: true, Seq: snap.headSeq.Int64, Hash: snap.headHash, Sealed: snap.headSeal}
	rep := s.Verify(rows, snap.signers, head)
	kinds := map[ProblemKind]int64{}
	for _, p := range rep.Problems {
		kinds[p.Kind] = p.Seq
	}
	if kinds[ProblemHashMismatch] != 2 || kinds[ProblemUnreadable] != 2 {
		t.Fatalf("problems %v, want a hash mismatch and an unreadable entry 2", rep.Problems)
	}
	if k := VerifyLedgerRowsWithoutKey(s.CaseID(), rows, snap.signers, head); len(k.Problems) == 0 || k.Problems[0].Kind != ProblemHashMismatch {
		t.Fatalf("keyless: %v", k.Problems)
	}
}

// A case's rows written to a new file make the same case: it opens with
// the same passphrase, its ledger verifies with the same head, its
// evidence reads back byte for byte, its withdrawal is there, and a new key
// slot does not reuse the id of a removed one.
func TestRowsWrittenToANewFileAreTheSameCase(t *testing.T) {
	path := ledgerCase(t, 3)
	c := openTestTB(t, path, testPass)
	defer c.Close()
	ks, err := c.AddKeySlot("temp", []byte("a temporary passphrase"), "")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.RemoveKeySlot(ks.ID, "no longer needed"); err != nil {
		t.Fatal(err)
	}
	data := bytes.Repeat([]byte("evidence moves byte for byte. "), 3*testChunk/30+7)
	ev := storeBytes(t, c, data, "e.bin")
	storeBytes(t, c, nil, "empty.bin")
	if _, err := c.WithdrawEvidence(ev.ID, "a duplicate"); err != nil {
		t.Fatal(err)
	}
	rows, err := c.Rows()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows.Unmoved) != 0 || len(rows.Evidence) != 2 {
		t.Fatalf("unmoved %v, %d items", rows.Unmoved, len(rows.Evidence))
	}
	copyPath := t.TempDir() + "/copy.custodia"
	ctx := context.Background()
	if err := WriteCaseFile(ctx, copyPath, rows, c); err != nil {
		t.Fatal(err)
	}
	if err := WriteCaseFile(ctx, copyPath, rows, c); !errors.Is(err, ErrExists) {
		t.Fatalf("second write: %v, want ErrExists", err)
	}
	headSeq, head := c.Head()
	r, err := VerifyLedgerWithoutKey(copyPath)
	if err != nil || !r.OK() || r.HeadSeq != headSeq || r.Head != head {
		t.Fatalf("keyless verify of the copy: %v %+v (the original's head %d)", err, r, headSeq)
	}
	cp := openTestTB(t, copyPath, testPass)
	defer cp.Close()
	if cp.Info() != c.Info() {
		t.Fatalf("info %+v, want %+v", cp.Info(), c.Info())
	}
	if got := readAll(t, cp, ev.ID); !bytes.Equal(got, data) {
		t.Fatalf("the copy's item reads %d bytes, want the original's %d", len(got), len(data))
	}
	items, err := cp.ListEvidence()
	if err != nil || len(items) != 2 || items[0].ID != ev.ID || items[0].Withdrawal == nil || items[0].Withdrawal.Reason != "a duplicate" || items[1].Meta.Name != "empty.bin" {
		t.Fatalf("the copy's items: %v %+v", err, items)
	}
	rep, err := cp.VerifyLedger()
	if err != nil || !rep.OK() {
		t.Fatalf("keyed verify of the copy: %v %+v", err, rep)
	}
	ks2, err := cp.AddKeySlot("another", []byte("another long passphrase"), "")
	if err != nil {
		t.Fatal(err)
	}
	if ks2.ID <= ks.ID {
		t.Fatalf("new slot %d reuses the id of removed slot %d", ks2.ID, ks.ID)
	}
}
