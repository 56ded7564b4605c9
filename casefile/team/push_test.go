package team

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/casetest"
	"github.com/custodia-dfir/custodia/casefile/team/pgtest"
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

func TestPushThenPullGivesTheSameCase(t *testing.T) {
	path, url := pushFixture(t)
	ctx := context.Background()
	c := casetest.Open(t, path, casetest.Passphrase)
	rows, err := c.Rows()
	if err != nil {
		t.Fatal(err)
	}
	dana := signerOf(t, c)
	info := c.Info()
	s := openStore(t, url)
	res, err := s.Push(ctx, rows, dana, "the team takes over", "team db")
	if err != nil {
		t.Fatal(err)
	}
	n := int64(len(rows.Ledger))
	if res.Entries != n || res.Pushed.Seq != n+1 || !bytes.Equal(res.Pushed.PrevHash, rows.Head.Hash) {
		t.Fatalf("pushed %d entries, entry %d after %x; want %d entries, entry %d after the file's head %x", res.Entries, res.Pushed.Seq, res.Pushed.PrevHash, n, n+1, rows.Head.Hash)
	}
	c.Close()
	// Eve continues the shared chain from her own copy of the keys.
	eve := signerOf(t, casetest.Open(t, path, evePass))
	if _, err := s.Append(ctx, eve, viewed(1, 1)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Push(ctx, rows, dana, "", "team db"); !errors.Is(err, ErrCaseExists) {
		t.Fatalf("second push: %v, want ErrCaseExists", err)
	}

	pulled, err := s.PullRows(ctx, rows.CaseID)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "pulled.custodia")
	if err := casefile.WriteCaseFile(out, pulled); err != nil {
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
}

func TestPushRefusesWhatItCannotMove(t *testing.T) {
	path, url := pushFixture(t)
	c := casetest.Open(t, path, casetest.Passphrase)
	casetest.StoreBytes(t, c, []byte("stays in the file"), "e.bin")
	rows, err := c.Rows()
	if err != nil {
		t.Fatal(err)
	}
	s := openStore(t, url)
	_, err = s.Push(context.Background(), rows, signerOf(t, c), "", "team db")
	if !errors.Is(err, ErrNotMovable) || !strings.HasSuffix(err.Error(), "it holds rows of evidence: 1, evidence_chunks: 1") {
		t.Fatalf("got %v", err)
	}
	if ids, err := s.Cases(context.Background()); err != nil || len(ids) != 0 {
		t.Fatalf("cases on the server after a refused push: %v %v", ids, err)
	}
}
