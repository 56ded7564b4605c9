package team

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/casetest"
	"github.com/custodia-dfir/custodia/casefile/team/pgtest"
	"github.com/google/uuid"
)

// pushFixture is a closed case file of two examiners and an empty team database.
func pushFixture(t *testing.T) (path, url string) {
	t.Helper()
	srv := pgtest.Start(t)
	path = casetest.Create(t)
	c := casetest.Open(t, path, casetest.Passphrase)
	if _, err := c.AddExaminer(casefile.NewExaminer{Name: eveName, Roles: []casefile.Role{casefile.RoleForensicEngineer}}, []byte(evePass), "joins the team"); err != nil {
		t.Fatal(err)
	}
	c.Close()
	return path, srv.NewDatabase(t)
}

// readItem reads an item's whole content from c.
func readItem(t *testing.T, c *casefile.Case, id uuid.UUID) []byte {
	t.Helper()
	r, err := c.OpenEvidence(id)
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, r.Size())
	if _, err := r.ReadAt(b, 0); err != nil && !errors.Is(err, io.EOF) {
		t.Fatal(err)
	}
	return b
}

func TestPushThenPullGivesTheSameCase(t *testing.T) {
	path, url := pushFixture(t)
	ctx := context.Background()
	ec := casetest.Open(t, path, evePass)
	eve := signerOf(t, ec)
	ec.Close()
	c := casetest.Open(t, path, casetest.Passphrase)
	// An item of 76 chunks of 4 KiB (two packs: 64 + 12) and a record row.
	data := make([]byte, 75*4096+1000)
	cc := rand.NewChaCha8([32]byte{1, 2})
	cc.Read(data)
	ev := casetest.StoreBytes(t, c, data, "disk.raw")
	if _, err := c.WithdrawEvidence(ev.ID, "superseded by a better image"); err != nil {
		t.Fatal(err)
	}
	rows, err := c.Rows()
	if err != nil {
		t.Fatal(err)
	}
	dana := signerOf(t, c)
	info := c.Info()
	s := openStore(t, url)
	res, err := s.Push(ctx, rows, c, dana, "the team takes over", "team db")
	if err != nil {
		t.Fatal(err)
	}
	n := int64(len(rows.Ledger))
	if res.Entries != n || res.Pushed.Seq != n+1 || !bytes.Equal(res.Pushed.PrevHash, rows.Head.Hash) {
		t.Fatalf("pushed %d entries, entry %d after %x; want %d entries, entry %d after the file's head %x", res.Entries, res.Pushed.Seq, res.Pushed.PrevHash, n, n+1, rows.Head.Hash)
	}
	// Eve continues the shared chain from her own copy of the keys.
	if _, err := s.Append(ctx, eve, viewed(1, 1)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Push(ctx, rows, c, dana, "", "team db"); !errors.Is(err, ErrCaseExists) {
		t.Fatalf("second push: %v, want ErrCaseExists", err)
	}
	c.Close()

	out := filepath.Join(t.TempDir(), "pulled.custodia")
	var pulled *casefile.CaseRows
	if err := s.Pull(ctx, rows.CaseID, func(r *casefile.CaseRows, src casefile.RowSource) error {
		pulled = r
		return casefile.WriteCaseFile(ctx, out, r, src)
	}); err != nil {
		t.Fatal(err)
	}
	r, err := casefile.VerifyLedgerWithoutKey(out)
	if err != nil || !r.OK() || r.Entries != n+2 {
		t.Fatalf("keyless verify of the pulled file: %v %+v, want %d entries", err, r, n+2)
	}
	for i, e := range pulled.Ledger[:n] {
		if !bytes.Equal(e.EntryHash, rows.Ledger[i].EntryHash) || !bytes.Equal(e.Entry, rows.Ledger[i].Entry) {
			t.Fatalf("entry %d differs from the file's", e.Seq)
		}
	}
	p := casetest.Open(t, out, evePass)
	if p.Info() != info {
		t.Fatalf("pulled info %+v, want %+v", p.Info(), info)
	}
	es, err := p.Entries()
	if err != nil {
		t.Fatal(err)
	}
	if got := es[n]; got.Action != ActionCasePushed || got.Hashes["old_head_sha256"] != res.OldHead.String() || got.Details["entries"] != fmt.Sprint(n) || got.Actor != casetest.NewCase.Examiner {
		t.Fatalf("entry %d: %+v", n+1, got)
	}
	if got := es[n+1]; got.Actor != eveName || got.Action != "evidence.viewed" {
		t.Fatalf("entry %d: %+v", n+2, got)
	}
	rep, err := p.VerifyLedger()
	if err != nil || !rep.OK() {
		t.Fatalf("ledger verify of the pulled file: %v %+v", err, rep)
	}
	// The evidence: the same item, hashes and content, withdrawn as it was.
	items, err := p.ListEvidence()
	if err != nil || len(items) != 1 {
		t.Fatalf("pulled items: %v %v", items, err)
	}
	got := items[0]
	if got.ID != ev.ID || got.Meta.Hashes != ev.Meta.Hashes || got.ChunkCount != 76 || got.Withdrawal == nil || got.Withdrawal.Reason != "superseded by a better image" {
		t.Fatalf("pulled item %+v, want %+v withdrawn", got, ev)
	}
	content := readItem(t, p, ev.ID)
	if sum := sha256.Sum256(content); !bytes.Equal(content, data) || hex.EncodeToString(sum[:]) != ev.Meta.Hashes.SHA256 {
		t.Fatalf("the pulled item's content differs (%d bytes, want %d)", len(content), len(data))
	}
}

func TestPushRefusesWhatItCannotMove(t *testing.T) {
	path, url := pushFixture(t)
	// A table of a newer Custodia, which this one does not know how to move.
	casetest.Exec(t, path, `CREATE TABLE future_things (x BLOB)`)
	casetest.Exec(t, path, `INSERT INTO future_things VALUES (x'00')`)
	c := casetest.Open(t, path, casetest.Passphrase)
	rows, err := c.Rows()
	if err != nil {
		t.Fatal(err)
	}
	s := openStore(t, url)
	_, err = s.Push(context.Background(), rows, c, signerOf(t, c), "", "team db")
	if !errors.Is(err, ErrNotMovable) || !strings.HasSuffix(err.Error(), "it holds rows of future_things: 1") {
		t.Fatalf("got %v", err)
	}
	if ids, err := s.Cases(context.Background()); err != nil || len(ids) != 0 {
		t.Fatalf("cases on the server after a refused push: %v %v", ids, err)
	}
}
