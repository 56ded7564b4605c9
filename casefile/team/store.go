// Package team keeps shared cases on PostgreSQL (team mode, docs/TEAM.md).
// This first slice holds the shared custody ledger: the same sealed,
// chained and signed entries as a case file's, appended by many examiners
// at once in one chain ordered by the server under a row lock on the
// chain's head, and verified by ledger verify's own code. Entries are
// sealed and signed on the examiner's computer (casefile.EntrySigner);
// the server only ever sees what a case file holds in clear.
//
// It uses github.com/jackc/pgx/v5 directly (pure Go), so the core still
// builds with CGO_ENABLED=0; it imports no GUI.
package team

import (
	"context"
	"crypto/ed25519"
	"embed"
	"errors"
	"fmt"
	"net"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// SchemaVersion is the number of the last embedded migration.
const SchemaVersion = 3

// Errors for people.
var (
	// ErrUnreachable: the server could not be reached or the session ended.
	ErrUnreachable = casefile.NewKind("team", "the team server cannot be reached",
		"check the URL (postgres://user@host/database), that the server runs and that this computer may connect to it, then try again; nothing was recorded by the failed attempt")
	// ErrNoSuchCase: the case is not on the server.
	ErrNoSuchCase = casefile.NewKind("team", "the case is not on the team server",
		"check the URL names the right database, or put the case there first (custodiactl case push)")
	// ErrCaseExists: AddCase of a case already there.
	ErrCaseExists = casefile.NewKind("team", "the case is already on the team server",
		"open the shared case instead of adding it again")
	// ErrRefused: the server refused a write (a trigger or constraint of the schema).
	ErrRefused = casefile.NewKind("team", "the team server refused the change",
		"nothing was recorded; if this repeats, verify the shared ledger (custodiactl ledger verify) and ask the server's administrator whether the schema was changed")
	// ErrNewerSchema: the database was set up by a newer Custodia.
	ErrNewerSchema = casefile.NewKind("team", "the team database is of a newer Custodia",
		"use a Custodia at least as new as the one that set up the database")
)

// Store is one examiner's session with a team database. Its methods are
// safe for concurrent use (they take turns on one connection).
type Store struct {
	mu    sync.Mutex
	conn  *pgx.Conn
	clock func() time.Time
}

// Options for Open.
type Options struct {
	// Clock gives the time of the entries (default time.Now); it is read
	// while the chain's head is locked, so entries are in time order.
	Clock func() time.Time
}

// Open connects to the team database at url (postgres://…) and brings its
// schema up to SchemaVersion.
func Open(ctx context.Context, url string, opts Options) (*Store, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, casefile.ErrInvalid.Errorf("%q is not a PostgreSQL URL (postgres://user@host:port/database): %v", redact(url), err)
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, explain(err, "connect")
	}
	s := &Store{conn: conn, clock: opts.Clock}
	if s.clock == nil {
		s.clock = time.Now
	}
	if err := s.migrate(ctx); err != nil {
		conn.Close(ctx)
		return nil, err
	}
	return s, nil
}

// Close ends the session.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conn.Close(context.Background())
}

// redact drops a password from a URL before it is shown.
func redact(u string) string {
	if cfg, err := pgconn.ParseConfig(u); err == nil && cfg.Password != "" {
		return strings.Replace(u, cfg.Password, "xxxxx", 1)
	}
	return u
}

// migrate applies the embedded migrations above the database's version,
// all in one transaction under an advisory lock, so two examiners opening
// a new database at once do not race.
func (s *Store) migrate(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	entries, err := migrationFS.ReadDir("migrations")
	if err != nil {
		return err
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name() < entries[j].Name() })
	tx, err := s.conn.Begin(ctx)
	if err != nil {
		return explain(err, "set up the team schema")
	}
	defer tx.Rollback(ctx)
	stmts := []string{
		`SELECT pg_advisory_xact_lock(7336247093513446741)`, // "custodia" team schema lock
		`CREATE TABLE IF NOT EXISTS team_migrations (version integer PRIMARY KEY, name text NOT NULL)`,
	}
	for _, q := range stmts {
		if _, err := tx.Exec(ctx, q); err != nil {
			return explain(err, "set up the team schema")
		}
	}
	var cur int
	if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM team_migrations`).Scan(&cur); err != nil {
		return explain(err, "read the team schema version")
	}
	if cur > SchemaVersion {
		return ErrNewerSchema.Errorf("it is at schema version %d, this Custodia knows up to %d", cur, SchemaVersion)
	}
	for i, e := range entries {
		num, name, _ := strings.Cut(strings.TrimSuffix(e.Name(), ".sql"), "_")
		v, err := strconv.Atoi(num)
		if err != nil || v != i+1 {
			return fmt.Errorf("team migration %s: names must be NNNN_name.sql, numbered 1, 2, 3…", e.Name())
		}
		if v <= cur {
			continue
		}
		b, err := migrationFS.ReadFile(path.Join("migrations", e.Name()))
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, string(b)); err != nil {
			return explain(err, fmt.Sprintf("apply team migration %d (%s)", v, name))
		}
		if _, err := tx.Exec(ctx, `INSERT INTO team_migrations (version, name) VALUES ($1, $2)`, v, name); err != nil {
			return explain(err, "record the team schema version")
		}
	}
	return explain(tx.Commit(ctx), "set up the team schema")
}

// AddCase puts a case's identity and its examiners' public keys on the
// server, with an empty ledger whose head is the genesis hash.
func (s *Store) AddCase(ctx context.Context, caseID uuid.UUID, examiners []casefile.Examiner) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	tx, err := s.conn.Begin(ctx)
	if err != nil {
		return explain(err, "add the case")
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `INSERT INTO cases (case_uuid, format_tag) VALUES ($1, $2)`, caseID.String(), casefile.FormatTag); err != nil {
		if isUnique(err) {
			return ErrCaseExists.Errorf("case %s", caseID)
		}
		return explain(err, "add the case")
	}
	for _, e := range examiners {
		if _, err := tx.Exec(ctx, `INSERT INTO examiners (case_uuid, examiner_uuid, public_key) VALUES ($1, $2, $3)`,
			caseID.String(), e.ID.String(), e.PublicKey); err != nil {
			return explain(err, "add the case's examiners")
		}
	}
	g := casefile.GenesisHash(caseID)
	if _, err := tx.Exec(ctx, `INSERT INTO ledger_head (case_uuid, seq, head_hash) VALUES ($1, 0, $2)`, caseID.String(), g[:]); err != nil {
		return explain(err, "add the case's ledger head")
	}
	return explain(tx.Commit(ctx), "add the case")
}

// Append appends the entries describing evs, in order, signed by signer,
// in one short transaction: lock the case's head row, read the entry it
// names, seal, chain and sign each entry after it, insert them, advance
// the head, commit. Another examiner's append waits for the lock and then
// continues the chain from these entries. It returns the stored rows.
func (s *Store) Append(ctx context.Context, signer *casefile.EntrySigner, evs ...casefile.Event) ([]casefile.LedgerRow, error) {
	if len(evs) == 0 {
		return nil, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id := signer.CaseID().String()
	tx, err := s.conn.Begin(ctx)
	if err != nil {
		return nil, explain(err, "append custody entries")
	}
	defer tx.Rollback(ctx)
	var headSeq int64
	if err := tx.QueryRow(ctx, `SELECT seq FROM ledger_head WHERE case_uuid = $1 FOR UPDATE`, id).Scan(&headSeq); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, ErrNoSuchCase.Errorf("case %s", id)
		}
		return nil, explain(err, "lock the ledger head")
	}
	// A statement of its own, after the lock: in READ COMMITTED it sees
	// the entry the head names now, committed by whoever held the lock.
	var prev *casefile.LedgerRow
	if headSeq > 0 {
		r, err := scanRow(tx.QueryRow(ctx, `SELECT seq, signer, entry, prev_hash, entry_hash, signature FROM custody_ledger WHERE case_uuid = $1 AND seq = $2`, id, headSeq))
		if err != nil {
			return nil, explain(err, fmt.Sprintf("read custody entry %d", headSeq))
		}
		prev = &r
	}
	now := s.clock()
	out := make([]casefile.LedgerRow, 0, len(evs))
	b := &pgx.Batch{}
	for _, ev := range evs {
		r, err := signer.Next(prev, now, ev)
		if err != nil {
			return nil, err
		}
		b.Queue(`INSERT INTO custody_ledger (case_uuid, seq, signer, entry, prev_hash, entry_hash, signature) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			id, r.Seq, r.Signer, r.Entry, r.PrevHash, r.EntryHash, r.Signature)
		out = append(out, r)
		prev = &out[len(out)-1]
	}
	sealed, err := signer.SealHead(*prev)
	if err != nil {
		return nil, err
	}
	b.Queue(`UPDATE ledger_head SET seq = $2, head_hash = $3, sealed = $4 WHERE case_uuid = $1`, id, prev.Seq, prev.EntryHash, sealed)
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return nil, explain(err, fmt.Sprintf("append custody entries %d to %d", out[0].Seq, prev.Seq))
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, explain(err, fmt.Sprintf("commit custody entries %d to %d", out[0].Seq, prev.Seq))
	}
	return out, nil
}

// Ledger is a shared ledger read at one instant.
type Ledger struct {
	CaseID  uuid.UUID
	Rows    []casefile.LedgerRow
	Signers map[string]ed25519.PublicKey // examiner UUID → public key
	Head    casefile.LedgerHeadRow
}

// Read reads a case's ledger, examiner keys and head in one consistent
// snapshot (a read-only REPEATABLE READ transaction).
func (s *Store) Read(ctx context.Context, caseID uuid.UUID) (*Ledger, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	tx, err := s.conn.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, explain(err, "read the shared ledger")
	}
	defer tx.Rollback(ctx)
	return readLedger(ctx, tx, caseID)
}

// readLedger reads a case's ledger, examiner keys and head in tx.
func readLedger(ctx context.Context, tx pgx.Tx, caseID uuid.UUID) (*Ledger, error) {
	id := caseID.String()
	l := &Ledger{CaseID: caseID, Signers: map[string]ed25519.PublicKey{}}
	var seq int64
	var hash, sealed []byte
	if err := tx.QueryRow(ctx, `SELECT seq, head_hash, sealed FROM ledger_head WHERE case_uuid = $1`, id).Scan(&seq, &hash, &sealed); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, ErrNoSuchCase.Errorf("case %s", id)
		}
		return nil, explain(err, "read the ledger head")
	}
	if seq > 0 {
		l.Head = casefile.LedgerHeadRow{Valid: true, Seq: seq, Hash: hash, Sealed: sealed}
	}
	rows, err := tx.Query(ctx, `SELECT examiner_uuid, public_key FROM examiners WHERE case_uuid = $1`, id)
	if err != nil {
		return nil, explain(err, "read the examiners' keys")
	}
	for rows.Next() {
		var ex string
		var pub []byte
		if err := rows.Scan(&ex, &pub); err != nil {
			rows.Close()
			return nil, explain(err, "read the examiners' keys")
		}
		l.Signers[ex] = pub
	}
	if err := rows.Err(); err != nil {
		return nil, explain(err, "read the examiners' keys")
	}
	rows, err = tx.Query(ctx, `SELECT seq, signer, entry, prev_hash, entry_hash, signature FROM custody_ledger WHERE case_uuid = $1 ORDER BY seq`, id)
	if err != nil {
		return nil, explain(err, "read the shared ledger")
	}
	for rows.Next() {
		r, err := scanRow(rows)
		if err != nil {
			rows.Close()
			return nil, explain(err, "read the shared ledger")
		}
		l.Rows = append(l.Rows, r)
	}
	if err := rows.Err(); err != nil {
		return nil, explain(err, "read the shared ledger")
	}
	return l, nil
}

// Verify walks the shared ledger as ledger verify walks a case file's:
// the chain, the sequence, the signatures, the recorded head and, with the
// case's ledger key, every sealed entry. An intact ledger gets a
// ledger.verified entry signed by signer (Recorded), as the file does; one
// that fails is left as found.
func (s *Store) Verify(ctx context.Context, signer *casefile.EntrySigner) (*casefile.LedgerReport, error) {
	l, err := s.Read(ctx, signer.CaseID())
	if err != nil {
		return nil, err
	}
	r := signer.Verify(l.Rows, l.Signers, l.Head)
	if !r.OK() {
		return r, nil
	}
	id := signer.CaseID().String()
	if _, err := s.Append(ctx, signer, casefile.Event{Action: casefile.ActionLedgerVerified, Target: casefile.Target{Type: casefile.TargetLedger, ID: id},
		Hashes:  map[string]string{"head_sha256": r.Head.String()},
		Details: map[string]string{"entries": fmt.Sprint(r.Entries), "head": r.Head.String(), "problems": "0", "result": "intact"}}); err != nil {
		return r, fmt.Errorf("record verification: %w", err)
	}
	r.Recorded = true
	return r, nil
}

type scanner interface{ Scan(dest ...any) error }

func scanRow(q scanner) (casefile.LedgerRow, error) {
	var r casefile.LedgerRow
	err := q.Scan(&r.Seq, &r.Signer, &r.Entry, &r.PrevHash, &r.EntryHash, &r.Signature)
	return r, err
}

func isUnique(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}

// explain turns a failure of the server or the connection into an error
// for a person: what was being done and what the server said, never the
// SQL of the statement.
func explain(err error, doing string) error {
	if err == nil {
		return nil
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case pe.Code == "23505" || pe.Code == "23514" || pe.Code == "P0001" || pe.Code == "23503":
			return ErrRefused.Errorf("%s: %s", doing, pe.Message)
		case strings.HasPrefix(pe.Code, "57P") || strings.HasPrefix(pe.Code, "08"):
			return ErrUnreachable.Errorf("%s: the server ended the session (%s)", doing, pe.Message)
		}
		return fmt.Errorf("team: %s: the server says: %s (SQLSTATE %s)", doing, pe.Message, pe.Code)
	}
	var ne net.Error
	if errors.As(err, &ne) || pgconn.SafeToRetry(err) || pgconn.Timeout(err) || errors.Is(err, context.DeadlineExceeded) ||
		strings.Contains(err.Error(), "conn closed") || strings.Contains(err.Error(), "failed to connect") ||
		strings.Contains(err.Error(), "unexpected EOF") || strings.Contains(err.Error(), "connection refused") {
		return ErrUnreachable.Errorf("%s: %v", doing, err)
	}
	return fmt.Errorf("team: %s: %w", doing, err)
}
