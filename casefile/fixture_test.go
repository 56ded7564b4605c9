package casefile

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// fixturePath is a format-version-1 case (written before evidence tables
// existed, by Create + AddKeySlot("second examiner", "second passphrase")
// with TestOptions; it cannot be regenerated: it is what old cases look like) made with TestKDF and TestOptions'
// clock, passphrase testPass. It guards format compatibility (later builds
// must keep opening it) and seeds the fuzzer.
const fixturePath = "../testdata/casefile/v1.custodia"

func TestOpenV1Fixture(t *testing.T) {
	// Work on a copy: the first write upgrades the format.
	path := filepath.Join(t.TempDir(), "v1.custodia")
	b, err := os.ReadFile(fixturePath)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(path, b, 0o600)
	c, err := Open(path, []byte("second passphrase"), TestOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	info := c.Info()
	if info.Title != testCase.Title || info.CaseNumber != testCase.CaseNumber || info.Examiner != testCase.Examiner ||
		info.Description != testCase.Description || !info.Created.Equal(TestTime) || c.UnlockedSlot() != 2 {
		t.Fatalf("fixture opened as %+v (slot %d)", info, c.UnlockedSlot())
	}
	// Opening and reading change nothing: the file stays format 1, and the
	// tables of later formats read as empty.
	if info.FormatVersion != 1 {
		t.Fatalf("fixture format after open = %d, want 1 until the first write", info.FormatVersion)
	}
	if evs, err := c.ListEvidence(); err != nil || len(evs) != 0 {
		t.Fatalf("evidence of a format-1 case: %v, %v", evs, err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(after, b) {
		t.Fatal("opening and reading the format-1 fixture changed it")
	}
	// The first write upgrades it, on the record, before the write itself.
	if c, err = Open(path, []byte("second passphrase"), TestOptions()); err != nil {
		t.Fatal(err)
	}
	if r, err := c.VerifyLedger(); err != nil || !r.OK() || !r.Recorded {
		t.Fatalf("fixture ledger: %v %+v", err, r)
	}
	if v := c.Info().FormatVersion; v != FormatVersion {
		t.Fatalf("format after the first write = %d, want %d", v, FormatVersion)
	}
	es, err := c.Entries()
	if err != nil {
		t.Fatal(err)
	}
	up, ver := es[len(es)-2], es[len(es)-1]
	if up.Action != ActionFormatUpgraded || up.Details["from"] != "1" || up.Details["to"] != fmt.Sprint(FormatVersion) || ver.Action != ActionLedgerVerified {
		t.Fatalf("last entries %+v, %+v", up, ver)
	}
	if r, err := c.VerifyLedger(); err != nil || !r.OK() {
		t.Fatalf("fixture ledger after upgrade: %v %v", err, r.Problems)
	}
}

// FuzzOpenCorrupted applies byte edits and a truncation to the fixture,
// verifies the result's ledger without the key, then opens it. Neither may
// panic or hang; whatever Open accepts must decode to exactly the original
// record (authentication lets no edit through to the data) and is then put
// through the keyed VerifyLedger and the listings, which must not panic
// either, and which find the untouched fixture intact.
func FuzzOpenCorrupted(f *testing.F) {
	base, err := os.ReadFile(fixturePath)
	if err != nil {
		f.Fatal(err)
	}
	seed := func(pairs ...uint32) []byte {
		var b []byte
		for i := 0; i+1 < len(pairs); i += 2 {
			b = binary.BigEndian.AppendUint32(b, pairs[i])
			b = append(b, byte(pairs[i+1]))
		}
		return b
	}
	f.Add(seed(), uint32(0))
	f.Add(seed(16, 0xff), uint32(0))          // page size
	f.Add(seed(28, 0x01), uint32(0))          // page count
	f.Add(seed(68, 0x01), uint32(0))          // application id
	f.Add(seed(60, 0x02), uint32(0))          // user_version
	f.Add(seed(65536+100, 0x40), uint32(0))   // second page
	f.Add(seed(), uint32(len(base)-65536))    // one page short
	f.Add(seed(3*65536+500, 0x01), uint32(0)) // a later page
	f.Add(seed(uint32(len(base)-8), 1), uint32(0))
	f.Fuzz(func(t *testing.T, edits []byte, truncate uint32) {
		b := bytes.Clone(base)
		for i := 0; i+5 <= len(edits); i += 5 {
			off := binary.BigEndian.Uint32(edits[i:]) % uint32(len(b))
			b[off] ^= edits[i+4]
		}
		if truncate > 0 {
			b = b[:truncate%uint32(len(b))]
		}
		path := filepath.Join(t.TempDir(), "fuzz.custodia")
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		untouched := len(edits) < 5 && truncate == 0
		if r, err := VerifyLedgerWithoutKey(path); untouched && (err != nil || !r.OK()) {
			t.Fatalf("the fixture does not verify without the key: %v %v", err, r)
		}
		c, err := Open(path, []byte(testPass), TestOptions())
		if err != nil {
			if errors.Is(err, ErrClosed) || untouched {
				t.Fatalf("unexpected error: %v", err)
			}
			return
		}
		defer c.Close()
		info := c.Info()
		if info.Title != testCase.Title || info.CaseNumber != testCase.CaseNumber || info.Examiner != testCase.Examiner ||
			info.Description != testCase.Description || !info.Created.Equal(TestTime) {
			t.Fatalf("a corrupted file opened with altered data: %+v", info)
		}
		r, err := c.VerifyLedger()
		if untouched && (err != nil || !r.OK()) {
			t.Fatalf("the fixture does not verify: %v %v", err, r)
		}
		c.Entries()
		c.KeySlots()
		c.ListEvidence()
	})
}
