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
// for byte, never re-sealed or re-signed. This build moves a case's
// identity (examiners, key slots, case record) and its custody ledger;
// evidence and record tables do not move yet (CaseRows.Unmoved).

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
	// Unmoved counts the rows of the other tables (evidence, record
	// tables…) that hold any: what this build cannot move.
	Unmoved map[string]int64
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
		if !slices.Contains([]string{"case_header", "schema_migrations", "custody_ledger", "ledger_head", "examiners", "key_slots", "case_info"}, n) {
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
// byte for byte. It never overwrites a file; on failure nothing is left
// at path. The caller verifies the result (VerifyLedgerWithoutKey, or
// Open and VerifyLedger).
func WriteCaseFile(path string, r *CaseRows) (err error) {
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
	ctx := context.Background()
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
	if _, err := db.ExecContext(ctx, `PRAGMA synchronous=FULL`); err != nil {
		return mapSQLiteError(err)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return mapSQLiteError(err)
	}
	defer tx.Rollback()
	if err := writeRows(ctx, tx, r); err != nil {
		return mapSQLiteError(err)
	}
	if err := tx.Commit(); err != nil {
		return mapSQLiteError(err)
	}
	return checkpoint(ctx, db)
}

func writeRows(ctx context.Context, tx *sql.Tx, r *CaseRows) error {
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
	return nil
}
