package casefile_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/incident"
)

// FuzzOpenFixture edits and truncates a committed fixture case (the small
// v3-dismissed one) and runs the whole read path on it: Inspect, keyless
// and keyed ledger verification, Open, the evidence list, the ledger and
// the incident record. Nothing may panic or hang, and whatever opens must
// read back exactly what the fixture holds: an edit is either refused or
// reported (an unreadable entry, a verification problem), never turned
// into different data. A file whose verification failed must not be
// written to (the case becomes suspect).
func FuzzOpenFixture(f *testing.F) {
	fx := fixtures[1] // v3-dismissed
	if fx.stem != "v3-dismissed" {
		f.Fatalf("fixtures[1] is %s, want v3-dismissed", fx.stem)
	}
	base := decompressFixture(f, casesDir, fx)
	pass := firstSecret(f, fx.stem)

	// What the untouched fixture holds, read once.
	dir := f.TempDir()
	orig := filepath.Join(dir, "orig"+casefile.Extension)
	if err := os.WriteFile(orig, base, 0o600); err != nil {
		f.Fatal(err)
	}
	c, err := casefile.Open(orig, []byte(pass), casefile.TestOptions())
	if err != nil {
		f.Fatal(err)
	}
	wantInfo := c.Info()
	wantEntries, err := c.Entries()
	if err != nil {
		f.Fatal(err)
	}
	wantEvidence, err := c.ListEvidence()
	if err != nil {
		f.Fatal(err)
	}
	wantIncident, err := incident.Of(c).Incident()
	if err != nil {
		f.Fatal(err)
	}
	c.Close()

	seed := func(pairs ...uint32) []byte {
		var b []byte
		for i := 0; i+1 < len(pairs); i += 2 {
			b = binary.BigEndian.AppendUint32(b, pairs[i])
			b = append(b, byte(pairs[i+1]))
		}
		return b
	}
	size := uint32(len(base))
	f.Add(seed(), uint32(0))
	f.Add(seed(16, 0xff), uint32(0))        // page size
	f.Add(seed(68, 0x01), uint32(0))        // application id
	f.Add(seed(65536+200, 0x20), uint32(0)) // second page
	f.Add(seed(size/2, 0x01), uint32(0))    // somewhere in the middle
	f.Add(seed(size-100, 0x80), uint32(0))  // the last page
	f.Add(seed(), size-65536)               // one page short
	f.Add(seed(), uint32(50))               // shorter than the header
	f.Fuzz(func(t *testing.T, edits []byte, truncate uint32) {
		b := bytes.Clone(base)
		for i := 0; i+5 <= len(edits); i += 5 {
			b[binary.BigEndian.Uint32(edits[i:])%uint32(len(b))] ^= edits[i+4]
		}
		if truncate > 0 {
			b = b[:truncate%uint32(len(b))]
		}
		untouched := len(edits) < 5 && truncate == 0
		path := filepath.Join(t.TempDir(), "fuzz"+casefile.Extension)
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := casefile.Inspect(path); err != nil {
			if untouched {
				t.Fatalf("Inspect refused the fixture: %v", err)
			}
			return
		}
		if r, err := casefile.VerifyLedgerWithoutKey(path); untouched && (err != nil || !r.OK()) {
			t.Fatalf("the fixture does not verify without the key: %v %v", err, r)
		}
		c, err := casefile.Open(path, []byte(pass), casefile.TestOptions())
		if err != nil {
			if untouched {
				t.Fatalf("the fixture does not open: %v", err)
			}
			return
		}
		defer c.Close()
		if got := c.Info(); !reflect.DeepEqual(got, wantInfo) {
			t.Fatalf("an edited file opened with an altered case record:\n got %+v\nwant %+v", got, wantInfo)
		}
		entries, _ := c.Entries()
		for _, e := range entries {
			if e.Unreadable != "" {
				continue
			}
			// Entries checks the hash chain, not the signatures (VerifyLedger
			// does): a changed signature reads as stored.
			if e.Seq >= 1 && e.Seq <= int64(len(wantEntries)) {
				e.Signature = wantEntries[e.Seq-1].Signature
			}
			if e.Seq < 1 || e.Seq > int64(len(wantEntries)) || !reflect.DeepEqual(e, wantEntries[e.Seq-1]) {
				t.Fatalf("entry %d reads differently from the fixture's:\n got %+v\nwant %+v", e.Seq, e, wantEntries[min(max(e.Seq, 1), int64(len(wantEntries)))-1])
			}
		}
		if evs, err := c.ListEvidence(); err == nil && !reflect.DeepEqual(evs, wantEvidence) {
			t.Fatalf("the evidence list reads differently from the fixture's")
		}
		if inc, err := incident.Of(c).Incident(); err == nil && !reflect.DeepEqual(inc, wantIncident) {
			t.Fatalf("the incident record reads differently from the fixture's")
		} else if err != nil && errors.Is(err, casefile.ErrClosed) {
			t.Fatal(err)
		}
		// Last, as it writes: an intact ledger records its verification.
		r, verr := c.VerifyLedger()
		if untouched && (verr != nil || !r.OK()) {
			t.Fatalf("the fixture does not verify: %v %v", verr, r)
		}
		if verr == nil && !r.OK() && c.Suspect() == nil {
			t.Fatalf("verification found %d problems but the case is not suspect", len(r.Problems))
		}
	})
}

// firstSecret is the first secret that opens the fixture stem (its
// passphrases file, testdata/cases/README.md).
func firstSecret(t testing.TB, stem string) string {
	t.Helper()
	for _, line := range bytes.Split(read(t, filepath.Join(casesDir, stem+".passphrases.txt")), []byte("\n")) {
		fields := bytes.SplitN(line, []byte("\t"), 4)
		if len(fields) == 4 && string(fields[0]) == "opens" {
			return string(fields[3])
		}
	}
	t.Fatalf("%s.passphrases.txt has no secret that opens it", stem)
	return ""
}
