package team

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// ActionCasePushed records that a case file was moved onto a team server:
// the entry after the file's last, committing to the file's head.
var ActionCasePushed = casefile.RegisterAction("case.pushed", casefile.PermManageExaminers)

// ActionCasePulled records that a single-file copy of a shared case was
// written: the entry after the copy's last, committing to its head.
var ActionCasePulled = casefile.RegisterAction("case.pulled", casefile.PermOpenCase)

// ErrNotMovable: the case holds what this build cannot move yet.
var ErrNotMovable = casefile.NewKind("team", "this case cannot be moved to a team server yet",
	"the case holds tables this Custodia does not know how to move (written by a newer Custodia?); keep working in the file, or move it with the Custodia that wrote it")

// ErrBrokenCase: a case whose ledger does not verify is not moved.
var ErrBrokenCase = casefile.NewKind("team", "the case's custody ledger does not verify",
	"nothing was moved; run 'custodiactl ledger verify' on the case to see each problem, and move a copy restored from a backup")

// PushResult says what Push stored.
type PushResult struct {
	Entries int64              // entries copied from the file
	OldHead casefile.Digest    // the file's head, which the pushed entry commits to
	Pushed  casefile.LedgerRow // the case.pushed entry
}

// packChunks and packBytes bound a pack of the PostgreSQL chunk store.
const (
	packChunks = 64
	packBytes  = 64 << 20
)

// Push moves a case file's rows (casefile.Case.Rows, the records and
// chunks streamed from src) onto the server in one transaction: the case,
// its examiners, key slots and case record, its record tables, its sealed
// evidence items with their chunks in packs, its ledger entries exactly as
// they are (the server checks each links), the head, and entry n + 1,
// case.pushed, signed by signer, whose prev_hash is the file's head and
// whose hashes repeat it. The ledger is verified with the case key first;
// a case that fails, or that holds tables this build does not know
// (Unmoved), is refused and nothing is written. where names the
// destination in the entry (never a password).
func (s *Store) Push(ctx context.Context, rows *casefile.CaseRows, src casefile.RowSource, signer *casefile.EntrySigner, reason, where string) (PushResult, error) {
	if len(rows.Unmoved) > 0 {
		var what []string
		for t, n := range rows.Unmoved {
			what = append(what, fmt.Sprintf("%s: %d", t, n))
		}
		sort.Strings(what)
		return PushResult{}, ErrNotMovable.Errorf("it holds rows of %s", strings.Join(what, ", "))
	}
	if signer.CaseID() != rows.CaseID {
		return PushResult{}, casefile.ErrInvalid.Errorf("the signer is of case %s, the rows of case %s", signer.CaseID(), rows.CaseID)
	}
	if r := signer.Verify(rows.Ledger, rows.Signers(), rows.Head); !r.OK() {
		return PushResult{}, ErrBrokenCase.Errorf("%d problem(s), the first: %v", len(r.Problems), r.Problems[0])
	}
	n := len(rows.Ledger)
	last := rows.Ledger[n-1]
	res := PushResult{Entries: int64(n), OldHead: casefile.Digest(last.EntryHash)}
	s.mu.Lock()
	defer s.mu.Unlock()
	tx, err := s.conn.Begin(ctx)
	if err != nil {
		return res, explain(err, "push the case")
	}
	defer tx.Rollback(ctx)
	id := rows.CaseID.String()
	if _, err := tx.Exec(ctx, `INSERT INTO cases (case_uuid, format_tag, format_version, key_slot_seq) VALUES ($1, $2, $3, $4)`,
		id, casefile.FormatTag, rows.FormatVersion, rows.KeySlotSeq); err != nil {
		if isUnique(err) {
			return res, ErrCaseExists.Errorf("case %s", id)
		}
		return res, explain(err, "push the case")
	}
	b := &pgx.Batch{}
	for _, t := range rows.Tables {
		cols := append([]string{"case_uuid"}, t.Columns...)
		ph := make([]string, len(cols))
		for i := range ph {
			ph[i] = fmt.Sprintf("$%d", i+1)
		}
		q := `INSERT INTO ` + pgx.Identifier{t.Name}.Sanitize() + ` (` + strings.Join(cols, ", ") + `) VALUES (` + strings.Join(ph, ", ") + `)`
		for _, r := range t.Rows {
			b.Queue(q, append([]any{id}, r...)...)
		}
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return res, explain(err, "push the case's examiners, key slots and case record")
	}
	if err := pushRecords(ctx, tx, id, src); err != nil {
		return res, err
	}
	for i, e := range rows.Evidence {
		if err := pushEvidence(ctx, tx, id, int64(i+1), e, src); err != nil {
			return res, err
		}
	}
	b = &pgx.Batch{}
	g := casefile.GenesisHash(rows.CaseID)
	b.Queue(`INSERT INTO ledger_head (case_uuid, seq, head_hash) VALUES ($1, 0, $2)`, id, g[:])
	for _, r := range rows.Ledger {
		b.Queue(`INSERT INTO custody_ledger (case_uuid, seq, signer, entry, prev_hash, entry_hash, signature) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			id, r.Seq, r.Signer, r.Entry, r.PrevHash, r.EntryHash, r.Signature)
	}
	res.Pushed, err = signer.Next(&last, s.clock(), casefile.Event{
		Action: ActionCasePushed, Target: casefile.Target{Type: casefile.TargetCase, ID: id}, Reason: reason,
		Hashes:  map[string]string{"old_head_sha256": res.OldHead.String()},
		Details: map[string]string{"entries": fmt.Sprint(n), "to": where},
	})
	if err != nil {
		return res, err
	}
	p := res.Pushed
	b.Queue(`INSERT INTO custody_ledger (case_uuid, seq, signer, entry, prev_hash, entry_hash, signature) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		id, p.Seq, p.Signer, p.Entry, p.PrevHash, p.EntryHash, p.Signature)
	sealed, err := signer.SealHead(p)
	if err != nil {
		return res, err
	}
	b.Queue(`UPDATE ledger_head SET seq = $2, head_hash = $3, sealed = $4 WHERE case_uuid = $1`, id, p.Seq, p.EntryHash, sealed)
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return res, explain(err, "push the custody ledger")
	}
	return res, explain(tx.Commit(ctx), "push the case")
}

// pushRecords copies every record row, in batches.
func pushRecords(ctx context.Context, tx pgx.Tx, id string, src casefile.RowSource) error {
	b := &pgx.Batch{}
	flush := func() error {
		if b.Len() == 0 {
			return nil
		}
		err := tx.SendBatch(ctx, b).Close()
		b = &pgx.Batch{}
		return explain(err, "push the case's records")
	}
	err := src.EachRecord(ctx, func(r casefile.RecordRow) error {
		b.Queue(`INSERT INTO records (case_uuid, tbl, seq, row_uuid, parent_uuid, body) VALUES ($1, $2, $3, $4, $5, $6)`,
			id, r.Table, r.Seq, r.RowUUID, r.Parent, r.Body)
		if b.Len() >= 500 {
			return flush()
		}
		return nil
	})
	if err != nil {
		return err
	}
	return flush()
}

// pack is the chunks of one evidence_packs row being filled.
type pack struct {
	first           int64
	flags           []int16
	plainLens, lens []int32
	data            []byte
}

// pushEvidence copies one item's row and its sealed chunks, in packs.
func pushEvidence(ctx context.Context, tx pgx.Tx, id string, ord int64, e casefile.EvidenceRow, src casefile.RowSource) error {
	evID, err := uuid.Parse(e.UUID)
	if err != nil {
		return fmt.Errorf("evidence item %q: %w", e.UUID, err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO evidence (case_uuid, evidence_uuid, ord, state, chunk_size, size, chunk_count, data_key, meta, verification) VALUES ($1, $2, $3, 'sealed', $4, $5, $6, $7, $8, $9)`,
		id, e.UUID, ord, e.ChunkSize, e.Size, e.ChunkCount, e.DataKey, e.Meta, e.Verification); err != nil {
		return explain(err, "push evidence item "+e.UUID)
	}
	var p pack
	packNo := 0
	put := func() error {
		if len(p.lens) == 0 {
			return nil
		}
		_, err := tx.Exec(ctx, `INSERT INTO evidence_packs (case_uuid, evidence_uuid, pack_no, first_idx, flags, plain_lens, lens, data) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			id, e.UUID, packNo, p.first, p.flags, p.plainLens, p.lens, p.data)
		packNo++
		p = pack{data: p.data[:0]}
		return explain(err, fmt.Sprintf("push the chunks of evidence item %s", e.UUID))
	}
	err = src.EachChunk(ctx, evID, func(sc casefile.SealedChunk) error {
		if len(p.lens) == 0 {
			p.first = sc.Index
		}
		p.flags = append(p.flags, int16(sc.Flags))
		p.plainLens = append(p.plainLens, int32(sc.PlainLen))
		p.lens = append(p.lens, int32(len(sc.Data)))
		p.data = append(p.data, sc.Data...)
		if len(p.lens) == packChunks || len(p.data) >= packBytes {
			return put()
		}
		return nil
	})
	if err != nil {
		return err
	}
	return put()
}

// Cases lists the cases on the server.
func (s *Store) Cases(ctx context.Context) ([]uuid.UUID, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rows, err := s.conn.Query(ctx, `SELECT case_uuid::text FROM cases ORDER BY case_uuid`)
	if err != nil {
		return nil, explain(err, "list the cases")
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, explain(err, "list the cases")
	}
	out := make([]uuid.UUID, len(ids))
	for i, s := range ids {
		if out[i], err = uuid.Parse(s); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Pull reads a pushed case as stored, in one read-only REPEATABLE READ
// transaction, and hands its rows, with a RowSource streaming its records
// and chunks from that same snapshot, to fn (casefile.WriteCaseFile).
func (s *Store) Pull(ctx context.Context, caseID uuid.UUID, fn func(*casefile.CaseRows, casefile.RowSource) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	tx, err := s.conn.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return explain(err, "pull the case")
	}
	defer tx.Rollback(ctx)
	l, err := readLedger(ctx, tx, caseID)
	if err != nil {
		return err
	}
	id := caseID.String()
	r := &casefile.CaseRows{CaseID: caseID, Head: l.Head, Ledger: l.Rows}
	var ver *int
	if err := tx.QueryRow(ctx, `SELECT format_version, key_slot_seq FROM cases WHERE case_uuid = $1`, id).Scan(&ver, &r.KeySlotSeq); err != nil {
		return explain(err, "pull the case")
	}
	if ver == nil {
		return ErrNotMovable.Errorf("case %s was not pushed from a case file: it has no key slots to open a file with", id)
	}
	r.FormatVersion = *ver
	for _, t := range casefile.IdentityTables() {
		rows, err := tx.Query(ctx, `SELECT `+strings.Join(t.Columns, ", ")+` FROM `+pgx.Identifier{t.Name}.Sanitize()+` WHERE case_uuid = $1 ORDER BY `+t.Columns[0], id)
		if err != nil {
			return explain(err, "pull the case")
		}
		for rows.Next() {
			vals, err := rows.Values()
			if err != nil {
				rows.Close()
				return explain(err, "pull the case")
			}
			t.Rows = append(t.Rows, vals)
		}
		if err := rows.Err(); err != nil {
			return explain(err, "pull the case")
		}
		r.Tables = append(r.Tables, t)
	}
	evs, err := tx.Query(ctx, `SELECT evidence_uuid, chunk_size, size, chunk_count, data_key, meta, verification FROM evidence WHERE case_uuid = $1 AND state = 'sealed' ORDER BY ord`, id)
	if err != nil {
		return explain(err, "pull the evidence")
	}
	for evs.Next() {
		var e casefile.EvidenceRow
		if err := evs.Scan(&e.UUID, &e.ChunkSize, &e.Size, &e.ChunkCount, &e.DataKey, &e.Meta, &e.Verification); err != nil {
			evs.Close()
			return explain(err, "pull the evidence")
		}
		r.Evidence = append(r.Evidence, e)
	}
	if err := evs.Err(); err != nil {
		return explain(err, "pull the evidence")
	}
	return fn(r, txSource{tx: tx, caseID: id})
}

// txSource streams a case's records and chunks from a pull's transaction.
type txSource struct {
	tx     pgx.Tx
	caseID string
}

func (t txSource) EachRecord(ctx context.Context, fn func(casefile.RecordRow) error) error {
	rows, err := t.tx.Query(ctx, `SELECT tbl, seq, row_uuid, parent_uuid, body FROM records WHERE case_uuid = $1 ORDER BY tbl, seq`, t.caseID)
	if err != nil {
		return explain(err, "pull the records")
	}
	defer rows.Close()
	var rs []casefile.RecordRow
	for rows.Next() {
		var r casefile.RecordRow
		if err := rows.Scan(&r.Table, &r.Seq, &r.RowUUID, &r.Parent, &r.Body); err != nil {
			return explain(err, "pull the records")
		}
		rs = append(rs, r)
		if len(rs) == 256 {
			if err := eachRecord(rs, fn); err != nil {
				return err
			}
			rs = rs[:0]
		}
	}
	if err := rows.Err(); err != nil {
		return explain(err, "pull the records")
	}
	return eachRecord(rs, fn)
}

func eachRecord(rs []casefile.RecordRow, fn func(casefile.RecordRow) error) error {
	for _, r := range rs {
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}

func (t txSource) EachChunk(ctx context.Context, evidence uuid.UUID, fn func(casefile.SealedChunk) error) error {
	rows, err := t.tx.Query(ctx, `SELECT first_idx, flags, plain_lens, lens, data FROM evidence_packs WHERE case_uuid = $1 AND evidence_uuid = $2 ORDER BY pack_no`, t.caseID, evidence.String())
	if err != nil {
		return explain(err, "pull the chunks of evidence item "+evidence.String())
	}
	defer rows.Close()
	for rows.Next() {
		var p pack
		if err := rows.Scan(&p.first, &p.flags, &p.plainLens, &p.lens, &p.data); err != nil {
			return explain(err, "pull the chunks of evidence item "+evidence.String())
		}
		off := 0
		for i, n := range p.lens {
			if n < 0 || off+int(n) > len(p.data) {
				return fmt.Errorf("%w: evidence item %s: pack from chunk %d is shorter than its index says", casefile.ErrCorrupt, evidence, p.first)
			}
			if err := fn(casefile.SealedChunk{Index: p.first + int64(i), Flags: int(p.flags[i]), PlainLen: int(p.plainLens[i]), Data: p.data[off : off+int(n)]}); err != nil {
				return err
			}
			off += int(n)
		}
	}
	return explain(rows.Err(), "pull the chunks of evidence item "+evidence.String())
}
