package reports_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/casetest"
	"github.com/custodia-dfir/custodia/reports"
)

func TestExportCustody(t *testing.T) {
	path := casetest.Create(t)
	c := casetest.Open(t, path, casetest.Passphrase)
	dir := t.TempDir()
	out := filepath.Join(dir, "custody.jsonl")

	got, err := reports.ExportCustody(c, "jsonl", out, testTool, testGenerate, "for counsel")
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	if got.SHA256 != hex.EncodeToString(sum[:]) || got.Entries != 1 || got.HeadSeq != 1 || got.Path != out || bytes.Count(b, []byte("\n")) != 1 {
		t.Fatalf("export %+v of %d bytes", got, len(b))
	}
	e := got.Entry
	if e.Action != casefile.ActionLedgerExported || e.Seq != 2 || e.Reason != "for counsel" || e.Hashes["sha256"] != got.SHA256 ||
		e.Details["format"] != "jsonl" || e.Details["path"] != out || e.Details["entries"] != "1" || !strings.HasPrefix(e.Details["head"], "1:") {
		t.Fatalf("entry %+v", e)
	}

	// An existing file is never replaced; a bad format is named.
	if _, err := reports.ExportCustody(c, "jsonl", out, testTool, testGenerate, ""); !errors.Is(err, casefile.ErrExists) {
		t.Fatalf("export over an existing file: %v", err)
	}
	if b2, _ := os.ReadFile(out); !bytes.Equal(b, b2) {
		t.Fatal("the existing export was changed")
	}
	if _, err := reports.ExportCustody(c, "pdf", filepath.Join(dir, "x.pdf"), testTool, testGenerate, ""); !errors.Is(err, casefile.ErrInvalid) ||
		!strings.Contains(err.Error(), `unknown format "pdf": use jsonl or case-uco`) {
		t.Fatalf("unknown format: %v", err)
	}

	// An export that cannot be recorded is not kept: here the case turned
	// suspect, so nothing may be written to it.
	c.Close()
	casetest.Exec(t, path, `DROP TRIGGER custody_ledger_no_update`)
	casetest.Exec(t, path, `UPDATE custody_ledger SET entry = zeroblob(length(entry)) WHERE seq = 1`)
	c = casetest.Open(t, path, casetest.Passphrase)
	if r, err := c.VerifyLedger(); err != nil || r.OK() {
		t.Fatalf("verify a tampered ledger: %v %v", r, err)
	}
	second := filepath.Join(dir, "second.jsonl")
	if _, err := reports.ExportCustody(c, "case-uco", second, testTool, testGenerate, ""); !errors.Is(err, casefile.ErrSuspect) {
		t.Fatalf("export of a suspect case: %v", err)
	}
	if _, err := os.Lstat(second); !os.IsNotExist(err) {
		t.Fatalf("the unrecorded export was left behind: %v", err)
	}
}
