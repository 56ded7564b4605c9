package team

import (
	"context"
	"errors"
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
	"this Custodia moves a case's examiners, key slots, case record and custody ledger, not yet its evidence or records (docs/TEAM.md section 8); keep working in the file")

// ErrBrokenCase: a case whose ledger does not verify is not moved.
var ErrBrokenCase = casefile.NewKind("team", "the case's custody ledger does not verify",
	"nothing was moved; run 'custodiactl ledger verify' on the case to see each problem, and move a copy restored from a backup")

// PushResult says what Push stored.
type PushResult struct {
	Entries int64              // entries copied from the file
	OldHead casefile.Digest    // the file's head, which the pushed entry commits to
	Pushed  casefile.LedgerRow // the case.pushed entry
}

// Push moves a case file's rows (casefile.Case.Rows) onto the server in
// one transaction: the case, its examiners, key slots and case record, its
// ledger entries exactly as they are (the server checks each links), the
// head, and entry n + 1, case.pushed, signed by signer, whose prev_hash is
// the file's head and whose hashes repeat it. The ledger is verified with
// the case key first; a case that fails, or that holds evidence or
// records (Unmoved), is refused and nothing is written. where names the
// destination in the entry (never a password).
func (s *Store) Push(ctx context.Context, rows *casefile.CaseRows, signer *casefile.EntrySigner, reason, where string) (PushResult, error) {
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
		return res, explain(err, "push the case")
	}
	return res, explain(tx.Commit(ctx), "push the case")
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

// PullRows reads a pushed case as stored, at one instant (a read-only
// REPEATABLE READ transaction), for casefile.WriteCaseFile.
func (s *Store) PullRows(ctx context.Context, caseID uuid.UUID) (*casefile.CaseRows, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	tx, err := s.conn.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, explain(err, "pull the case")
	}
	defer tx.Rollback(ctx)
	l, err := readLedger(ctx, tx, caseID)
	if err != nil {
		return nil, err
	}
	id := caseID.String()
	r := &casefile.CaseRows{CaseID: caseID, Head: l.Head, Ledger: l.Rows}
	var ver *int
	if err := tx.QueryRow(ctx, `SELECT format_version, key_slot_seq FROM cases WHERE case_uuid = $1`, id).Scan(&ver, &r.KeySlotSeq); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, ErrNoSuchCase.Errorf("case %s", id)
		}
		return nil, explain(err, "pull the case")
	}
	if ver == nil {
		return nil, ErrNotMovable.Errorf("case %s was not pushed from a case file: it has no key slots to open a file with", id)
	}
	r.FormatVersion = *ver
	for _, t := range casefile.IdentityTables() {
		rows, err := tx.Query(ctx, `SELECT `+strings.Join(t.Columns, ", ")+` FROM `+pgx.Identifier{t.Name}.Sanitize()+` WHERE case_uuid = $1 ORDER BY `+t.Columns[0], id)
		if err != nil {
			return nil, explain(err, "pull the case")
		}
		for rows.Next() {
			vals, err := rows.Values()
			if err != nil {
				rows.Close()
				return nil, explain(err, "pull the case")
			}
			t.Rows = append(t.Rows, vals)
		}
		if err := rows.Err(); err != nil {
			return nil, explain(err, "pull the case")
		}
		r.Tables = append(r.Tables, t)
	}
	return r, nil
}
