package casefile

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"

	"github.com/google/uuid"
)

// Moving a case between its file and a team server (casefile/team, case
// push and case pull, docs/TEAM.md section 8): the rows are copied byte
// for byte, never re-sealed or re-signed: a case's identity (examiners,
// key slots, case record), its custody ledger, its record tables and its
// sealed evidence items with their chunks. The records and chunks are
// streamed (RowSource), never held at once. The search index snapshot
// (derived_snapshots) is derived data and does not move: it is rebuilt.

// RawTable is the rows of one table as stored: each row's values in the
// order of Columns (int64, string, []byte or nil).
type RawTable struct {
	Name    string
	Columns []string
	Rows    [][]any
}

// identityTables are the tables moved verbatim besides the ledger, with
// their columns, in the order they are written.
var identityTables = []RawTable{
	{Name: "examiners", Columns: []string{"examiner_uuid", "kind", "public_key", "public_key_sealed", "name", "roles", "contact", "created"}},
	{Name: "key_slots", Columns: []string{"slot_id", "slot_uuid", "examiner_uuid", "kind", "kdf", "kdf_time", "kdf_memory_kib", "kdf_threads", "salt", "wrapped_key", "created"}},
	{Name: "case_info", Columns: []string{"row_uuid", "title", "case_number", "examiner", "description", "created"}},
}

// IdentityTables returns the names and columns of the tables that move
// with a case besides its ledger (no rows).
func IdentityTables() []RawTable {
	out := make([]RawTable, len(identityTables))
	for i, t := range identityTables {
		out[i] = RawTable{Name: t.Name, Columns: slices.Clone(t.Columns)}
	}
	return out
}

// CaseRows is a case as stored, for moving it.
type CaseRows struct {
	CaseID        uuid.UUID
	FormatVersion int
	KeySlotSeq    int64      // the highest key slot id ever given (slot ids are never reused)
	Tables        []RawTable // IdentityTables, with rows
	Ledger        []LedgerRow
	Head          LedgerHeadRow
	Evidence      []EvidenceRow // sealed items, in ingest order; their chunks come from a RowSource
	// Unmoved counts the rows of tables this build does not know how to
	// move (none today): a case holding any is not moved.
	Unmoved map[string]int64
}

// EvidenceRow is a sealed evidence item's row as stored (FORMAT.md 2).
type EvidenceRow struct {
	UUID               string
	ChunkSize          int64
	Size               int64
	ChunkCount         int64
	DataKey            []byte
	Meta, Verification []byte // Verification nil before the first verification
}

// RecordRow is a row of a record table as stored (FORMAT.md 10.1).
type RecordRow struct {
	Table   string
	Seq     int64
	RowUUID string
	Parent  string
	Body    []byte
}

// RowSource streams the rows of a case too many to hold at once: the
// record tables, table by table in seq order, and each item's sealed
// chunks in index order. A Case is one; a team store another.
type RowSource interface {
	EachRecord(ctx context.Context, fn func(RecordRow) error) error
	EachChunk(ctx context.Context, evidence uuid.UUID, fn func(SealedChunk) error) error
}

// movedTables are the tables Rows and WriteCaseFile know, besides the
// record tables; derived_snapshots is derived and rebuilt, not moved.
var movedTables = []string{"case_header", "schema_migrations", "custody_ledger", "ledger_head", "examiners", "key_slots", "case_info",
	"evidence", "evidence_chunks", "derived_snapshots"}

// EachRecord streams every row of the case's record tables (RowSource).
func (c *Case) EachRecord(ctx context.Context, fn func(RecordRow) error) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.usable(); err != nil {
		return err
	}
	for _, t := range recordTables {
		if !c.hasTablesOf(recordTableVersion(t)) {
			continue
		}
		rows, err := c.db.QueryContext(ctx, `SELECT seq, row_uuid, parent_uuid, body FROM `+t+` ORDER BY seq`)
		if err != nil {
			return mapSQLiteError(err)
		}
		for rows.Next() {
			r := RecordRow{Table: t}
			if err := rows.Scan(&r.Seq, &r.RowUUID, &r.Parent, &r.Body); err != nil {
				rows.Close()
				return mapSQLiteError(err)
			}
			if err := fn(r); err != nil {
				rows.Close()
				return err
			}
		}
		if err := rows.Close(); err != nil {
			return mapSQLiteError(err)
		}
	}
	return nil
}

// EachChunk streams the sealed chunks of a sealed item in order, checking
// that none is missing or out of place (RowSource). The chunks are not
// opened.
func (c *Case) EachChunk(ctx context.Context, evidence uuid.UUID, fn func(SealedChunk) error) error {
	r, err := c.OpenEvidence(evidence)
	if err != nil {
		return err
	}
	return r.ScanChunks(ctx, fn)
}

// Signers returns the examiners' public keys by examiner UUID, what the
// ledger's signatures are checked against.
func (r *CaseRows) Signers() map[string]ed25519.PublicKey {
	out := map[string]ed25519.PublicKey{}
	for _, t := range r.Tables {
		if t.Name != "examiners" {
			continue
		}
		for _, row := range t.Rows {
			id, _ := row[0].(string)
			pub, _ := row[2].([]byte)
			out[id] = pub
		}
	}
	return out
}

// Rows reads the case as stored, at one instant (the case is locked).
func (c *Case) Rows() (*CaseRows, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.usable(); err != nil {
		return nil, err
	}
	ctx := context.Background()
	r := &CaseRows{CaseID: c.id, FormatVersion: c.info.FormatVersion, Unmoved: map[string]int64{}}
	s, err := readSnapshot(ctx, c.db, c.id)
	if err != nil {
		return nil, err
	}
	for _, row := range s.rows {
		r.Ledger = append(r.Ledger, row.export())
	}
	if s.headSeq.Valid {
		r.Head = LedgerHeadRow{Valid: true, Seq: s.headSeq.Int64, Hash: s.headHash, Sealed: s.headSeal}
	}
	for _, t := range IdentityTables() {
		rows, err := c.db.QueryContext(ctx, `SELECT `+strings.Join(t.Columns, ", ")+` FROM `+t.Name+` ORDER BY `+t.Columns[0])
		if err != nil {
			return nil, mapSQLiteError(err)
		}
		for rows.Next() {
			vals := make([]any, len(t.Columns))
			ptrs := make([]any, len(vals))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return nil, mapSQLiteError(err)
			}
			t.Rows = append(t.Rows, vals)
		}
		if err := rows.Close(); err != nil {
			return nil, mapSQLiteError(err)
		}
		r.Tables = append(r.Tables, t)
	}
	if err := c.db.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) FROM sqlite_sequence WHERE name = 'key_slots'`).Scan(&r.KeySlotSeq); err != nil {
		return nil, mapSQLiteError(err)
	}
	if c.hasTablesOf(2) {
		evs, err := c.db.QueryContext(ctx, `SELECT evidence_uuid, chunk_size, size, chunk_count, data_key, meta, verification FROM evidence WHERE state = 'sealed' ORDER BY evidence_id`)
		if err != nil {
			return nil, mapSQLiteError(err)
		}
		for evs.Next() {
			var e EvidenceRow
			if err := evs.Scan(&e.UUID, &e.ChunkSize, &e.Size, &e.ChunkCount, &e.DataKey, &e.Meta, &e.Verification); err != nil {
				evs.Close()
				return nil, mapSQLiteError(err)
			}
			r.Evidence = append(r.Evidence, e)
		}
		if err := evs.Close(); err != nil {
			return nil, mapSQLiteError(err)
		}
	}
	names, err := c.db.QueryContext(ctx, `SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
	if err != nil {
		return nil, mapSQLiteError(err)
	}
	var others []string
	for names.Next() {
		var n string
		if err := names.Scan(&n); err != nil {
			names.Close()
			return nil, err
		}
		if !slices.Contains(movedTables, n) && !slices.Contains(recordTables, n) {
			others = append(others, n)
		}
	}
	if err := names.Close(); err != nil {
		return nil, err
	}
	for _, n := range others {
		var k int64
		if err := c.db.QueryRowContext(ctx, `SELECT count(*) FROM "`+n+`"`).Scan(&k); err != nil {
			return nil, mapSQLiteError(err)
		}
		if k > 0 {
			r.Unmoved[n] = k
		}
	}
	return r, nil
}

// WriteCaseFile writes the case r describes to a new case file at path,
// which must not exist: the schema of r's format version, then every row
// byte for byte, the records and chunks streamed from src, in one
// transaction. It never overwrites a file; on failure nothing is left at
// path. The caller verifies the result (VerifyLedgerWithoutKey, or Open,
// VerifyLedger and the items' verification).
func WriteCaseFile(ctx context.Context, path string, r *CaseRows, src RowSource) (err error) {
	defer func() {
		if err != nil {
			err = fmt.Errorf("write case %s: %w", path, err)
		}
	}()
	if r.FormatVersion > FormatVersion {
		return fmt.Errorf("%w: the case is format version %d, this Custodia writes up to %d", ErrNewerFormat, r.FormatVersion, FormatVersion)
	}
	if r.FormatVersion < 1 {
		return invalidf("the case has no format version")
	}
	for i, t := range r.Tables {
		if i >= len(identityTables) || t.Name != identityTables[i].Name || !slices.Equal(t.Columns, identityTables[i].Columns) {
			return invalidf("table %d is %s %v, want %s %v", i, t.Name, t.Columns, identityTables[min(i, len(identityTables)-1)].Name, identityTables[min(i, len(identityTables)-1)].Columns)
		}
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		switch {
		case errors.Is(err, fs.ErrExist):
			return fmt.Errorf("%w: %s", ErrExists, path)
		case errors.Is(err, fs.ErrPermission):
			return fmt.Errorf("%w: %v", ErrReadOnly, err)
		}
		return err
	}
	f.Close()
	defer func() {
		if err != nil {
			removeCaseFiles(path)
		}
	}()
	db, err := openDB(ctx, path, true)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := db.Close(); err == nil {
			err = cerr
		}
	}()
	if err := migrateTo(ctx, db, r.FormatVersion); err != nil {
		return mapSQLiteError(err)
	}
	// As a bulk ingest does (enterBulk): a rollback journal while the rows
	// stream in, so each page is written once, not into the WAL and again
	// at the checkpoint; FULL, since a rollback journal with NORMAL is not
	// safe against a power loss; WAL again afterwards.
	if err := setJournal(ctx, db, "truncate"); err != nil {
		return err
	}
	if _, err := db.ExecContext(ctx, `PRAGMA cache_size=-8192; PRAGMA synchronous=FULL`); err != nil {
		return mapSQLiteError(err)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return mapSQLiteError(err)
	}
	defer tx.Rollback()
	if err := writeRows(ctx, tx, r, src); err != nil {
		return mapSQLiteError(err)
	}
	if err := tx.Commit(); err != nil {
		return mapSQLiteError(err)
	}
	if err := setJournal(ctx, db, "wal"); err != nil {
		return err
	}
	return checkpoint(ctx, db)
}

func setJournal(ctx context.Context, db *sql.DB, mode string) error {
	var got string
	if err := db.QueryRowContext(ctx, `PRAGMA journal_mode=`+mode).Scan(&got); err != nil {
		return mapSQLiteError(err)
	}
	if got != mode {
		return fmt.Errorf("journal_mode=%s returned %q", mode, got)
	}
	return nil
}

func writeRows(ctx context.Context, tx *sql.Tx, r *CaseRows, src RowSource) error {
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA application_id = %d`, ApplicationID)); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO case_header (id, case_uuid, format_tag) VALUES (1, ?, ?)`, r.CaseID.String(), FormatTag); err != nil {
		return err
	}
	for _, t := range r.Tables {
		q := `INSERT INTO ` + t.Name + ` (` + strings.Join(t.Columns, ", ") + `) VALUES (?` + strings.Repeat(", ?", len(t.Columns)-1) + `)`
		for _, row := range t.Rows {
			if len(row) != len(t.Columns) {
				return invalidf("a row of %s has %d values for %d columns", t.Name, len(row), len(t.Columns))
			}
			if _, err := tx.ExecContext(ctx, q, row...); err != nil {
				return fmt.Errorf("write %s: %w", t.Name, err)
			}
		}
	}
	if r.KeySlotSeq > 0 {
		if _, err := tx.ExecContext(ctx, `UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = 'key_slots'`, r.KeySlotSeq); err != nil {
			return err
		}
	}
	for _, e := range r.Ledger {
		if _, err := tx.ExecContext(ctx, `INSERT INTO custody_ledger (seq, signer, entry, prev_hash, entry_hash, signature) VALUES (?, ?, ?, ?, ?, ?)`,
			e.Seq, e.Signer, e.Entry, e.PrevHash, e.EntryHash, e.Signature); err != nil {
			return fmt.Errorf("write custody entry %d: %w", e.Seq, err)
		}
	}
	if r.Head.Valid {
		if _, err := tx.ExecContext(ctx, `INSERT INTO ledger_head (id, seq, head_hash, sealed) VALUES (1, ?, ?, ?)`, r.Head.Seq, r.Head.Hash, r.Head.Sealed); err != nil {
			return err
		}
	}
	if len(r.Evidence) > 0 && r.FormatVersion < 2 {
		return fmt.Errorf("%w: a format-%d case holds evidence items", ErrCorrupt, r.FormatVersion)
	}
	for _, e := range r.Evidence {
		id, err := parseStoredUUID(e.UUID)
		if err != nil {
			return fmt.Errorf("%w: evidence item %q: %v", ErrCorrupt, e.UUID, err)
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO evidence (evidence_uuid, state, chunk_size, size, chunk_count, data_key, meta, verification) VALUES (?, 'sealed', ?, ?, ?, ?, ?, ?)`,
			e.UUID, e.ChunkSize, e.Size, e.ChunkCount, e.DataKey, e.Meta, e.Verification)
		if err != nil {
			return fmt.Errorf("write evidence item %s: %w", e.UUID, err)
		}
		rowID, err := res.LastInsertId()
		if err != nil {
			return err
		}
		next := int64(0)
		err = src.EachChunk(ctx, id, func(sc SealedChunk) error {
			if sc.Index != next {
				return &ChunkError{Evidence: id, Index: next, Reason: "missing"}
			}
			next++
			_, err := tx.ExecContext(ctx, `INSERT INTO evidence_chunks (evidence_id, idx, flags, plain_len, data) VALUES (?, ?, ?, ?, ?)`,
				rowID, sc.Index, sc.Flags, sc.PlainLen, sc.Data)
			return err
		})
		if err != nil {
			return fmt.Errorf("write the chunks of evidence item %s: %w", e.UUID, err)
		}
		if next != e.ChunkCount {
			return &ChunkError{Evidence: id, Index: next, Reason: fmt.Sprintf("missing (the item has %d chunks, %d came)", e.ChunkCount, next)}
		}
	}
	return src.EachRecord(ctx, func(rec RecordRow) error {
		if err := checkRecordTable(rec.Table); err != nil || recordTableVersion(rec.Table) > r.FormatVersion {
			return fmt.Errorf("%w: %q is not a record table of format version %d", ErrCorrupt, rec.Table, r.FormatVersion)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO `+rec.Table+` (seq, row_uuid, parent_uuid, body) VALUES (?, ?, ?, ?)`,
			rec.Seq, rec.RowUUID, rec.Parent, rec.Body); err != nil {
			return fmt.Errorf("write %s/%d: %w", rec.Table, rec.Seq, err)
		}
		return nil
	})
}
