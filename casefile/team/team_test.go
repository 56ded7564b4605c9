package team

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/casetest"
	"github.com/custodia-dfir/custodia/casefile/team/pgtest"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// The second examiner of the fixture case.
const (
	evePass = "eve's own long passphrase"
	eveName = "Eve Okonkwo"
)

// fixture is a case file with two examiners, Dana (the creator: Forensic
// Engineer and Security Incident Manager) and Eve (Forensic Engineer),
// put on a fresh team database.
type fixture struct {
	path      string // the case file (closed)
	url       string // its team database
	server    *pgtest.Server
	examiners []casefile.Examiner
	dana, eve *casefile.EntrySigner
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	f := &fixture{server: pgtest.Start(t), path: casetest.Create(t)}
	f.url = f.server.NewDatabase(t)
	c := casetest.Open(t, f.path, casetest.Passphrase)
	if _, err := c.AddExaminer(casefile.NewExaminer{Name: eveName, Roles: []casefile.Role{casefile.RoleForensicEngineer}}, []byte(evePass), "joins the team"); err != nil {
		t.Fatal(err)
	}
	var err error
	if f.examiners, err = c.Examiners(); err != nil {
		t.Fatal(err)
	}
	f.dana = signerOf(t, c)
	c.Close()
	c = casetest.Open(t, f.path, evePass)
	f.eve = signerOf(t, c)
	c.Close()
	s := openStore(t, f.url)
	if err := s.AddCase(context.Background(), f.dana.CaseID(), f.examiners); err != nil {
		t.Fatal(err)
	}
	return f
}

func signerOf(t testing.TB, c *casefile.Case) *casefile.EntrySigner {
	t.Helper()
	s, err := c.EntrySigner()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func openStore(t testing.TB, url string) *Store {
	t.Helper()
	s, err := Open(context.Background(), url, Options{})
	if err != nil {
		t.Fatalf("open the team store: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func viewed(writer, i int) casefile.Event {
	return casefile.Event{Action: "evidence.viewed", Target: casefile.Target{Type: casefile.TargetEvidence, ID: fmt.Sprintf("item-%d-%d", writer, i)}, Reason: "review"}
}

// checkOneChain reads the shared ledger and checks what a person would:
// want entries, numbered 1…want without a gap, each examiner's count, and
// that the ledger verifies with the same checks as ledger verify.
func checkOneChain(t *testing.T, f *fixture, want int, perSigner map[string]int) {
	t.Helper()
	s := openStore(t, f.url)
	ctx := context.Background()
	l, err := s.Read(ctx, f.dana.CaseID())
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Rows) != want {
		t.Fatalf("%d entries in the shared ledger, want %d", len(l.Rows), want)
	}
	got := map[string]int{}
	for i, r := range l.Rows {
		if r.Seq != int64(i+1) {
			t.Fatalf("row %d has seq %d: a gap or a reordering", i, r.Seq)
		}
		got[r.Signer]++
	}
	for who, n := range perSigner {
		if got[who] != n {
			t.Errorf("%d entries signed by %s, want %d", got[who], who, n)
		}
	}
	if !l.Head.Valid || l.Head.Seq != int64(want) {
		t.Fatalf("head %+v, want entry %d", l.Head, want)
	}
	r, err := s.Verify(ctx, f.eve)
	if err != nil {
		t.Fatal(err)
	}
	if !r.OK() || !r.Recorded || r.Entries != int64(want) || r.HeadSeq != int64(want) {
		t.Fatalf("verify: %d entries, head %d, recorded %v, problems %v", r.Entries, r.HeadSeq, r.Recorded, r.Problems)
	}
}

// Four writers, two examiners, appending at once on four sessions: every
// entry is there, in one chain without a gap or a fork, and it verifies.
func TestConcurrentWritersMakeOneChain(t *testing.T) {
	f := newFixture(t)
	const perWriter = 60
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for w := range 4 {
		signer := f.dana
		if w%2 == 1 {
			signer = f.eve
		}
		s := openStore(t, f.url)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < perWriter; {
				// Single entries and batches of three, interleaved.
				n := 1 + 2*(i%2)
				evs := make([]casefile.Event, n)
				for k := range evs {
					evs[k] = viewed(w, i+k)
				}
				if _, err := s.Append(context.Background(), signer, evs...); err != nil {
					errs <- fmt.Errorf("writer %d: %w", w, err)
					return
				}
				i += n
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	checkOneChain(t, f, 4*perWriter, map[string]int{f.dana.Actor().ID.String(): 2 * perWriter, f.eve.Actor().ID.String(): 2 * perWriter})
}

// The same from four processes, each with its own copy of the case file
// (its own key slot opened by its own examiner's passphrase).
func TestConcurrentProcessesMakeOneChain(t *testing.T) {
	if testing.Short() {
		t.Skip("starts four processes")
	}
	f := newFixture(t)
	const perProcess = 40
	var cmds []*exec.Cmd
	var outs []*strings.Builder
	for p := range 4 {
		cp := filepath.Join(t.TempDir(), "copy.custodia")
		copyFile(t, f.path, cp)
		pass := casetest.Passphrase
		if p%2 == 1 {
			pass = evePass
		}
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperTeamWriter$")
		cmd.Env = append(os.Environ(), "CUSTODIA_TEAM_HELPER="+f.url, "CUSTODIA_TEAM_CASE="+cp, "CUSTODIA_TEAM_PASS="+pass,
			"CUSTODIA_TEAM_N="+strconv.Itoa(perProcess), "CUSTODIA_TEAM_WRITER="+strconv.Itoa(p))
		out := &strings.Builder{}
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds, outs = append(cmds, cmd), append(outs, out)
	}
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("writer process %d: %v\n%s", i, err, outs[i])
		}
	}
	checkOneChain(t, f, 4*perProcess, map[string]int{f.dana.Actor().ID.String(): 2 * perProcess, f.eve.Actor().ID.String(): 2 * perProcess})
}

// TestHelperTeamWriter is the writer process of TestConcurrentProcessesMakeOneChain.
func TestHelperTeamWriter(t *testing.T) {
	url := os.Getenv("CUSTODIA_TEAM_HELPER")
	if url == "" {
		t.Skip("helper process")
	}
	c := casetest.Open(t, os.Getenv("CUSTODIA_TEAM_CASE"), os.Getenv("CUSTODIA_TEAM_PASS"))
	signer := signerOf(t, c)
	c.Close()
	n, _ := strconv.Atoi(os.Getenv("CUSTODIA_TEAM_N"))
	w, _ := strconv.Atoi(os.Getenv("CUSTODIA_TEAM_WRITER"))
	s := openStore(t, url)
	for i := range n {
		if _, err := s.Append(context.Background(), signer, viewed(w, i)); err != nil {
			t.Fatal(err)
		}
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

// rawConn connects as the database's owner would, outside Custodia.
func rawConn(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func appendN(t *testing.T, f *fixture, n int) []casefile.LedgerRow {
	t.Helper()
	s := openStore(t, f.url)
	var rows []casefile.LedgerRow
	for i := range n {
		r, err := s.Append(context.Background(), f.dana, viewed(0, i))
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, r...)
	}
	return rows
}

// Changing or removing an entry is refused by the server, and so is
// moving the head back or removing it.
func TestLedgerRefusesUpdateAndDelete(t *testing.T) {
	f := newFixture(t)
	appendN(t, f, 3)
	conn := rawConn(t, f.url)
	id := f.dana.CaseID().String()
	for _, c := range []struct{ sql, want string }{
		{`UPDATE custody_ledger SET signer = 'someone else' WHERE case_uuid = $1 AND seq = 2`, "custody ledger is append-only"},
		{`UPDATE custody_ledger SET entry = entry || '\x00'::bytea WHERE case_uuid = $1`, "custody ledger is append-only"},
		{`DELETE FROM custody_ledger WHERE case_uuid = $1 AND seq = 3`, "custody ledger is append-only"},
		{`TRUNCATE custody_ledger`, "custody ledger is append-only"},
		{`TRUNCATE ledger_head`, "custody ledger is append-only"},
		{`UPDATE ledger_head SET seq = 2, head_hash = (SELECT entry_hash FROM custody_ledger WHERE case_uuid = $1 AND seq = 2) WHERE case_uuid = $1`,
			"ledger head of case " + id + " may only move forward to an entry of its ledger"},
		{`DELETE FROM ledger_head WHERE case_uuid = $1`, "ledger head is never removed"},
	} {
		var args []any
		if strings.Contains(c.sql, "$1") {
			args = append(args, id)
		}
		_, err := conn.Exec(context.Background(), c.sql, args...)
		var pe *pgconn.PgError
		if !errors.As(err, &pe) || pe.Message != c.want {
			t.Errorf("%s\n got %v\nwant the server to refuse: %s", c.sql, err, c.want)
		}
	}
	checkOneChain(t, f, 3, nil)
}

// A forged entry claiming a predecessor another entry already claims is
// refused: by the chain trigger, and, with the trigger dropped (as the
// database's owner could), by UNIQUE (case, prev_hash). Entries in the
// same place are refused by the primary key.
func TestForgedEntryClaimingTheSamePredecessorIsRefused(t *testing.T) {
	f := newFixture(t)
	rows := appendN(t, f, 3)
	// Eve's entry made as if entry 2 were the head: it claims entry 2 as
	// its predecessor, which entry 3 already does.
	forged, err := f.eve.Next(&rows[1], time.Now(), viewed(9, 9))
	if err != nil {
		t.Fatal(err)
	}
	conn := rawConn(t, f.url)
	ctx := context.Background()
	insert := func(r casefile.LedgerRow) error {
		_, err := conn.Exec(ctx, `INSERT INTO custody_ledger (case_uuid, seq, signer, entry, prev_hash, entry_hash, signature) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			f.dana.CaseID().String(), r.Seq, r.Signer, r.Entry, r.PrevHash, r.EntryHash, r.Signature)
		return err
	}
	wantRefused := func(err error, constraint, message string) {
		t.Helper()
		var pe *pgconn.PgError
		if !errors.As(err, &pe) || pe.ConstraintName != constraint || (message != "" && pe.Message != message) {
			t.Fatalf("got %v (constraint %q), want refused by %q %s", err, pe.ConstraintName, constraint, message)
		}
	}
	// In entry 3's place.
	wantRefused(insert(forged), "custody_ledger_pkey", "")
	// As entry 4, its hash recomputed so it is self-consistent.
	forged.Seq = 4
	h := casefile.EntryHash([32]byte(forged.PrevHash), 4, forged.Entry)
	forged.EntryHash = h[:]
	wantRefused(insert(forged), "", "custody entry 4 of case "+f.dana.CaseID().String()+": prev_hash is not the hash of entry 3")
	if _, err := conn.Exec(ctx, `ALTER TABLE custody_ledger DISABLE TRIGGER custody_ledger_chain`); err != nil {
		t.Fatal(err)
	}
	wantRefused(insert(forged), "custody_ledger_case_uuid_prev_hash_key", "")
	checkOneChain(t, f, 3, nil)
}

// A session whose server went away says so, in words for a person.
func TestAppendAfterTheServerDiedSaysWhatHappened(t *testing.T) {
	f := newFixture(t)
	s := openStore(t, f.url)
	if _, err := s.Append(context.Background(), f.dana, viewed(0, 0)); err != nil {
		t.Fatal(err)
	}
	f.server.Kill()
	_, err := s.Append(context.Background(), f.dana, viewed(0, 1))
	if !errors.Is(err, ErrUnreachable) {
		t.Fatalf("got %v, want ErrUnreachable", err)
	}
	if !strings.HasPrefix(err.Error(), "team: the team server cannot be reached: ") || strings.Contains(err.Error(), "SELECT") {
		t.Fatalf("message %q", err)
	}
	if _, err := Open(context.Background(), f.url, Options{}); !errors.Is(err, ErrUnreachable) {
		t.Fatalf("open after the server died: %v, want ErrUnreachable", err)
	}
}

func TestOpenRefusesANonURL(t *testing.T) {
	_, err := Open(context.Background(), "postgres://a b:c@/x?sslmode=maybe", Options{})
	if !errors.Is(err, casefile.ErrInvalid) || !strings.Contains(err.Error(), "is not a PostgreSQL URL (postgres://user@host:port/database)") {
		t.Fatalf("got %v", err)
	}
}
