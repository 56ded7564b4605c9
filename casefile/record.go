package casefile

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/google/uuid"
)

// The record primitive. Every domain of a case (the incident now; timeline
// events, file-system entries, reports, notification drafts and exports
// next) keeps its facts in record tables and changes them only through
// Case.Change, so that no domain writes its own sealing, SQL or ledger
// plumbing:
//
//   - A record table is append-only: nothing is updated or deleted, a change
//     is a new row, and the current view of a record is its last row.
//   - A row is a sealed JSON body at a position (seq) of its table, with a
//     row UUID and, for revisioned records, the UUID of the record it is a
//     revision of (parent). The sealed body repeats the position, so a row
//     moved, reordered or re-parented fails authentication.
//   - Case.Change runs a domain's change in one SQLite transaction together
//     with the custody entry that describes it: both commit, or neither does.
//   - Case.Read gives a domain one consistent view for reads.
//
// docs/FORMAT.md section 10 specifies the row shape; docs/ARCHITECTURE.md
// says how to add a domain.

// recordTables lists the record tables the migrations create. A table is a
// record table when it has exactly the columns seq, row_uuid, parent_uuid and
// body (TestRecordTablesMatchSchema checks the list against the schema).
// recordTableVersion gives the format version that creates each; in a file
// of an older version (not yet written to by this build) it reads as empty.
var recordTables = []string{
	// Migration 0003: the incident domain (package casefile/incident).
	"incident_revisions", "incident_classifications", "incident_severity", "incident_priority", "incident_stages",
	"incident_roles", "incident_indicators", "incident_actions", "incident_mitigations", "incident_notifications",
	"finding_revisions", "postmortem_revisions", "repair_item_revisions",
	// Migration 0004: whether an evidence item is withdrawn (evidence_status.go).
	tblEvidenceStatus,
	// Migration 0005: the timeline (package casefile/timeline).
	"timeline_parses", "timeline_batches", "timeline_warnings",
	// Migration 0006: event annotations, indicator sweeps, provenance of
	// derived and imported items, sealed exports.
	"timeline_annotations", "indicator_sweeps", "evidence_provenance", "evidence_exports", "timeline_searches",
	// Migration 0007: the notification track (package casefile/notify).
	"notification_tracks", "notification_triggers", "notification_regimes", "notification_delays",
	"notification_declarations", "notification_customers", "notice_revisions", "notice_approvals", "notice_sendings",
}

// ErrNotARecordTable means a domain named a table that is not a record
// table of this format: a programming error, never input.
var ErrNotARecordTable = NewKind("casefile", "not a record table", "")

func recordTableVersion(table string) int {
	switch table {
	case tblEvidenceStatus:
		return 4
	case "timeline_parses", "timeline_batches", "timeline_warnings":
		return 5
	case "timeline_annotations", "indicator_sweeps", "evidence_provenance", "evidence_exports", "timeline_searches":
		return 6
	case "notification_tracks", "notification_triggers", "notification_regimes", "notification_delays",
		"notification_declarations", "notification_customers", "notice_revisions", "notice_approvals", "notice_sendings":
		return 7
	}
	return 3
}

func checkRecordTable(table string) error {
	if !slices.Contains(recordTables, table) {
		return fmt.Errorf("%w: %q", ErrNotARecordTable, table)
	}
	return nil
}

// Attribution says who recorded something, in which role, and when. It is
// filled from the acting examiner and the case clock (Tx.Stamp), never from
// input.
type Attribution struct {
	At         time.Time `json:"at"` // UTC
	ExaminerID uuid.UUID `json:"examiner_id"`
	Examiner   string    `json:"examiner"`
	Role       Role      `json:"role"`
}

// Record is one authenticated, decrypted row of a record table.
type Record struct {
	Table  string
	Seq    int64     // position in the table: 1, 2, 3…
	ID     uuid.UUID // the row's UUID
	Parent uuid.UUID // the record this row is a revision of; uuid.Nil in flat tables
	Rev    int       // 1-based revision within Parent; 0 in flat tables
	Data   []byte    // the record's JSON
}

// Decode parses the record's JSON into v. Malformed JSON is ErrCorrupt
// naming the table and row: it was authenticated, so a writer wrote it.
func (r Record) Decode(v any) error {
	if err := decodeStrict(r.Data, v); err != nil {
		return fmt.Errorf("%w: %s/%s: %v", ErrCorrupt, r.Table, r.ID, err)
	}
	return nil
}

// ContentHash is the SHA-256 (hex) of the record's JSON. Custody entries
// carry it so that the signed ledger pins the exact content of a revision
// without holding it.
func (r Record) ContentHash() string { return ContentHash(r.Data) }

// ContentHash is the SHA-256 (hex) of data.
func ContentHash(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// DecodeRecords parses every record into T, in order.
func DecodeRecords[T any](rs []Record) ([]T, error) {
	out := make([]T, 0, len(rs))
	for _, r := range rs {
		var v T
		if err := r.Decode(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// rowEnvelope is the sealed body of a row: the record's JSON with the row's
// position repeated, so a row moved to another position or record fails.
type rowEnvelope struct {
	Seq    int64           `json:"seq"`
	Parent string          `json:"parent,omitempty"`
	Rev    int             `json:"rev,omitempty"`
	Data   json.RawMessage `json:"data"`
}

// appendJSON appends the envelope as json.Marshal writes it (Data is the
// output of json.Marshal, or Encoded: compact, HTML-escaped; Parent a
// UUID), without scanning Data once more.
func (e rowEnvelope) appendJSON(b []byte) []byte {
	b = append(b, `{"seq":`...)
	b = strconv.AppendInt(b, e.Seq, 10)
	if e.Parent != "" {
		b = strconv.AppendQuote(append(b, `,"parent":`...), e.Parent)
	}
	if e.Rev != 0 {
		b = strconv.AppendInt(append(b, `,"rev":`...), int64(e.Rev), 10)
	}
	b = append(append(b, `,"data":`...), e.Data...)
	return append(b, '}')
}

// Encoded is a record's data already encoded by encoding/json
// (json.Marshal, or an Encoder with its defaults and the trailing newline
// cut), which Append and AppendRevision seal as it is instead of encoding
// it again: for large bodies encoded off the case's lock (the timeline's
// event batches, a megabyte of JSON each). Only encoding/json's own output
// may be given: EncodeJSON checks its shape, not every byte.
type Encoded struct{ data []byte }

// EncodeJSON returns data, the output of encoding/json for a JSON object
// or array, as Encoded. data must not change afterwards.
func EncodeJSON(data []byte) (Encoded, error) {
	n := len(data)
	if n < 2 || !(data[0] == '{' && data[n-1] == '}' || data[0] == '[' && data[n-1] == ']') {
		return Encoded{}, fmt.Errorf("%w: record data is not a JSON object or array as encoding/json writes it", ErrInvalid)
	}
	return Encoded{data: data}, nil
}

// Reader reads record tables, and the facts of the case a domain checks
// its input against, within one consistent view: the transaction of a
// change (*Tx is a Reader), or the case's lock in Case.Read. A Reader is
// valid only inside the function it was given to.
type Reader interface {
	// Context returns the context of the view.
	Context() context.Context
	// Info returns the case record.
	Info() Info
	// CaseID returns the case's UUID.
	CaseID() uuid.UUID
	// Actor returns the examiner acting through this case handle.
	Actor() Examiner
	// ActingRole returns the role the actor acts in.
	ActingRole() Role
	// Now returns the case clock's time (UTC, milliseconds); in a change,
	// the one reading the change records (Tx.Now). Guards that depend on
	// the time, such as the legal clocks, read it here so that a check
	// and the change it guards agree.
	Now() time.Time
	// Records returns every row of table, oldest first.
	Records(table string) ([]Record, error)
	// Revisions returns the rows of record parent in table, oldest first;
	// none when there is no such record.
	Revisions(table string, parent uuid.UUID) ([]Record, error)
	// Page returns at most limit rows of table whose seq is greater than
	// after, oldest first: the next page of a long table.
	Page(table string, after int64, limit int) ([]Record, error)
	// Row returns the row with UUID id, or ok false when table has none.
	Row(table string, id uuid.UUID) (rec Record, ok bool, err error)
	// Last returns the last row of table, or ok false when it is empty.
	Last(table string) (rec Record, ok bool, err error)
	// Count returns the number of rows of table.
	Count(table string) (int64, error)
	// Examiners returns every examiner of the case, authenticated.
	Examiners() ([]Examiner, error)
	// FindExaminer resolves ref, a UUID or a name (case-insensitive), among
	// the case's examiners; an unknown one is ErrUnknownExaminer.
	FindExaminer(ref string) (Examiner, error)
	// Evidence returns sealed item id, authenticated; ErrNoSuchEvidence when
	// the case has none.
	Evidence(id uuid.UUID) (Evidence, error)
}

// view implements Reader over a querier: the case's connection or a
// transaction.
type view struct {
	c   *Case
	ctx context.Context
	q   querier
}

// Context returns the context of the view.
func (r *view) Context() context.Context { return r.ctx }

// Info returns the case record.
func (r *view) Info() Info { return r.c.info }

// CaseID returns the case's UUID.
func (r *view) CaseID() uuid.UUID { return r.c.id }

// Actor returns the examiner acting through this case handle.
func (r *view) Actor() Examiner { return r.c.actor }

// ActingRole returns the role the actor acts in.
func (r *view) ActingRole() Role { return r.c.role }

// Now returns the case clock's time.
func (r *view) Now() time.Time { return r.c.now() }

// Records returns every row of table, oldest first.
func (r *view) Records(table string) ([]Record, error) {
	return r.readRecords(table, true, `ORDER BY seq`)
}

// Revisions returns the rows of the record parent in table, oldest
// first; none when there is no such record.
func (r *view) Revisions(table string, parent uuid.UUID) ([]Record, error) {
	if parent == uuid.Nil {
		return nil, nil
	}
	return r.readRecords(table, true, `WHERE parent_uuid = ? ORDER BY seq`, parent.String())
}

// Page returns at most limit rows of table whose seq is greater than
// after, oldest first: the next page of a long table.
func (r *view) Page(table string, after int64, limit int) ([]Record, error) {
	if limit <= 0 {
		return nil, invalidf("page size %d: give a positive number of rows", limit)
	}
	return r.readRecords(table, false, `WHERE seq > ? ORDER BY seq LIMIT ?`, after, limit)
}

// Row returns the row with UUID id, or ok false when table has none.
func (r *view) Row(table string, id uuid.UUID) (rec Record, ok bool, err error) {
	rs, err := r.readRecords(table, false, `WHERE row_uuid = ?`, id.String())
	if err != nil || len(rs) == 0 {
		return Record{}, false, err
	}
	return rs[0], true, nil
}

// Last returns the last row of table, or ok false when it is empty.
func (r *view) Last(table string) (rec Record, ok bool, err error) {
	rs, err := r.readRecords(table, false, `ORDER BY seq DESC LIMIT 1`)
	if err != nil || len(rs) == 0 {
		return Record{}, false, err
	}
	return rs[0], true, nil
}

// Count returns the number of rows of table.
func (r *view) Count(table string) (int64, error) {
	if err := checkRecordTable(table); err != nil {
		return 0, err
	}
	if !r.c.hasTablesOf(recordTableVersion(table)) {
		return 0, nil
	}
	var n int64
	if err := r.q.QueryRowContext(r.ctx, `SELECT count(*) FROM `+table).Scan(&n); err != nil {
		return 0, fmt.Errorf("count %s: %w", table, mapSQLiteError(err))
	}
	return n, nil
}

// Examiners returns every examiner of the case, authenticated.
func (r *view) Examiners() ([]Examiner, error) { return r.c.readExaminers(r.ctx, r.q) }

// FindExaminer resolves ref, a UUID or a name (case-insensitive), among
// the case's examiners; an unknown one is ErrUnknownExaminer.
func (r *view) FindExaminer(ref string) (Examiner, error) {
	exs, err := r.Examiners()
	if err != nil {
		return Examiner{}, err
	}
	return ResolveExaminer(exs, ref)
}

// Evidence returns sealed item id, authenticated; ErrNoSuchEvidence when
// the case has none.
func (r *view) Evidence(id uuid.UUID) (Evidence, error) {
	if !r.c.hasTablesOf(2) {
		return Evidence{}, fmt.Errorf("%w: %s", ErrNoSuchEvidence, id)
	}
	row := r.q.QueryRowContext(r.ctx, `SELECT evidence_uuid, chunk_size, chunk_count, size, meta, verification FROM evidence
		WHERE evidence_uuid = ? AND state = 'sealed'`, id.String())
	ev, err := r.c.scanEvidence(row)
	if errors.Is(err, sql.ErrNoRows) {
		return Evidence{}, fmt.Errorf("%w: %s", ErrNoSuchEvidence, id)
	}
	if err != nil {
		return Evidence{}, err
	}
	ev.Withdrawal, err = withdrawalOf(r, id)
	return ev, err
}

// readRecords unseals the rows of table selected by the SQL tail (WHERE,
// ORDER BY, LIMIT). Each row's sealed position must match its clear
// columns, and a revision's number must be one more than the rows of its
// record before it, so a row deleted, inserted or moved within a record
// shows. complete says the selection holds, in seq order, every earlier row
// of each record it touches, so revisions are counted in memory; otherwise
// each revision's predecessors are counted in the table.
func (r *view) readRecords(table string, complete bool, tail string, args ...any) ([]Record, error) {
	if err := checkRecordTable(table); err != nil {
		return nil, err
	}
	if !r.c.hasTablesOf(recordTableVersion(table)) {
		return nil, nil
	}
	rows, err := r.q.QueryContext(r.ctx, `SELECT seq, row_uuid, parent_uuid, body FROM `+table+` `+tail, args...)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", table, mapSQLiteError(err))
	}
	var out []Record
	revs := map[uuid.UUID]int{}
	for rows.Next() {
		var seq int64
		var id, par string
		var body []byte
		if err := rows.Scan(&seq, &id, &par, &body); err != nil {
			rows.Close()
			return nil, fmt.Errorf("read %s: %w", table, err)
		}
		rec, err := r.c.openRow(table, seq, id, par, body)
		if err != nil {
			rows.Close()
			return nil, err
		}
		if complete && rec.Parent != uuid.Nil {
			revs[rec.Parent]++
			if rec.Rev != revs[rec.Parent] {
				rows.Close()
				return nil, revisionError(rec, revs[rec.Parent]-1)
			}
		}
		out = append(out, rec)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", table, mapSQLiteError(err))
	}
	if complete {
		return out, nil
	}
	for _, rec := range out {
		if rec.Parent == uuid.Nil {
			continue
		}
		var before int
		if err := r.q.QueryRowContext(r.ctx, `SELECT count(*) FROM `+table+` WHERE parent_uuid = ? AND seq < ?`,
			rec.Parent.String(), rec.Seq).Scan(&before); err != nil {
			return nil, fmt.Errorf("read %s: %w", table, mapSQLiteError(err))
		}
		if rec.Rev != before+1 {
			return nil, revisionError(rec, before)
		}
	}
	return out, nil
}

func revisionError(rec Record, before int) error {
	return fmt.Errorf("%w: %s/%s is revision %d of %s, but %d rows of it precede it", ErrCorrupt, rec.Table, rec.ID, rec.Rev, rec.Parent, before)
}

// openRow authenticates one row and checks its sealed position against
// its clear columns.
func (c *Case) openRow(table string, seq int64, id, par string, body []byte) (Record, error) {
	pt, err := c.rec.open(table, id, "body", body)
	if err != nil {
		return Record{}, err
	}
	var env rowEnvelope
	if err := decodeStrict(pt, &env); err != nil {
		return Record{}, fmt.Errorf("%w: %s/%s: %v", ErrCorrupt, table, id, err)
	}
	rec := Record{Table: table, Seq: seq, Data: env.Data, Rev: env.Rev}
	if rec.ID, err = parseStoredUUID(id); err != nil {
		return Record{}, fmt.Errorf("%w: %s row UUID %q", ErrCorrupt, table, id)
	}
	switch {
	case env.Seq != seq:
		return Record{}, &AuthError{Table: table, Row: id, Column: "seq"}
	case env.Parent != par:
		return Record{}, &AuthError{Table: table, Row: id, Column: "parent_uuid"}
	case par == "" && env.Rev != 0:
		return Record{}, fmt.Errorf("%w: %s/%s has a revision number but no record", ErrCorrupt, table, id)
	}
	if par != "" {
		if rec.Parent, err = parseStoredUUID(par); err != nil {
			return Record{}, fmt.Errorf("%w: %s parent UUID %q", ErrCorrupt, table, par)
		}
		if rec.Rev < 1 {
			return Record{}, fmt.Errorf("%w: %s/%s is a revision of %s without a revision number", ErrCorrupt, table, id, par)
		}
	}
	return rec, nil
}

// Tx is a change in progress: one SQLite transaction whose commit carries
// the custody entry describing it. It is a Reader of the same
// transaction, so a domain checks its guards against exactly what it then
// changes. It is valid only inside the function given to Case.Change.
type Tx struct {
	view
	tx  *sql.Tx
	now time.Time
	// granted holds examiners whose roles this change resealed, so the
	// acting examiner's roles are refreshed once it commits.
	granted []Examiner
}

// Now returns the time of the change: one clock reading, in UTC at
// millisecond precision, shared by every row and the custody entry.
func (t *Tx) Now() time.Time { return t.now }

// Stamp attributes what this change records to the acting examiner, in the
// acting role, at Now.
func (t *Tx) Stamp() Attribution {
	return Attribution{At: t.now, ExaminerID: t.c.actor.ID, Examiner: t.c.actor.Name, Role: t.c.role}
}

// Append seals v as the next row of a flat table, with row UUID id (a
// record's own id, or uuid.New() for one more entry of a history).
func (t *Tx) Append(table string, id uuid.UUID, v any) (Record, error) {
	return t.append(table, id, uuid.Nil, v)
}

// AppendRevision seals v as the next revision of record parent in table;
// the first revision creates the record.
func (t *Tx) AppendRevision(table string, parent uuid.UUID, v any) (Record, error) {
	if parent == uuid.Nil {
		return Record{}, invalidf("a revision needs the id of its record")
	}
	return t.append(table, uuid.New(), parent, v)
}

func (t *Tx) append(table string, id, parent uuid.UUID, v any) (Record, error) {
	if err := checkRecordTable(table); err != nil {
		return Record{}, err
	}
	if id == uuid.Nil {
		return Record{}, invalidf("a row of %s needs an id", table)
	}
	var seq int64
	if err := t.tx.QueryRowContext(t.ctx, `SELECT coalesce(max(seq), 0) + 1 FROM `+table).Scan(&seq); err != nil {
		return Record{}, err
	}
	env := rowEnvelope{Seq: seq}
	if parent != uuid.Nil {
		env.Parent = parent.String()
		if err := t.tx.QueryRowContext(t.ctx, `SELECT count(*) + 1 FROM `+table+` WHERE parent_uuid = ?`, env.Parent).Scan(&env.Rev); err != nil {
			return Record{}, err
		}
	}
	var data []byte
	if pe, ok := v.(Encoded); ok {
		data = pe.data
	} else {
		var err error
		if data, err = json.Marshal(v); err != nil {
			return Record{}, err
		}
	}
	env.Data = data
	body := env.appendJSON(make([]byte, 0, len(data)+96))
	sealed, err := t.c.rec.seal(table, id.String(), "body", body)
	if err != nil {
		return Record{}, err
	}
	if _, err := t.tx.ExecContext(t.ctx, `INSERT INTO `+table+` (seq, row_uuid, parent_uuid, body) VALUES (?, ?, ?, ?)`,
		seq, id.String(), env.Parent, sealed); err != nil {
		return Record{}, fmt.Errorf("append to %s: %w", table, err)
	}
	return Record{Table: table, Seq: seq, ID: id, Parent: parent, Rev: env.Rev, Data: data}, nil
}

// GrantRole adds role to examiner ex's roles (what they may act as), in this
// transaction; the acting examiner's own roles are refreshed after commit.
// It returns the examiner as changed. Granting a role ex holds changes
// nothing.
func (t *Tx) GrantRole(ex Examiner, role Role) (Examiner, error) {
	if ex.HasRole(role) {
		return ex, nil
	}
	ex.Roles = append(slices.Clone(ex.Roles), role)
	if err := t.c.updateExaminerRoles(t.ctx, t.tx, ex); err != nil {
		return Examiner{}, err
	}
	t.granted = append(t.granted, ex)
	return ex, nil
}

// updateExaminerRoles reseals ex.Roles into the examiners table.
func (c *Case) updateExaminerRoles(ctx context.Context, tx *sql.Tx, ex Examiner) error {
	js, err := json.Marshal(ex.Roles)
	if err != nil {
		return err
	}
	sealed, err := c.rec.seal("examiners", ex.ID.String(), "roles", js)
	if err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, `UPDATE examiners SET roles = ? WHERE examiner_uuid = ?`, sealed, ex.ID.String())
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("%w: %q", ErrUnknownExaminer, ex.Name)
	}
	return nil
}

// Change runs fn in one transaction and appends the custody entry fn
// returns in the same transaction: the change and its entry commit, or
// neither does. If fn fails, nothing is written and its error is returned,
// prefixed with what (the operation, e.g. "classify").
func (c *Case) Change(what string, fn func(tx *Tx) (Event, error)) (CustodyEntry, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.usable(); err != nil {
		return CustodyEntry{}, err
	}
	ctx := context.Background()
	now := c.now()
	var t *Tx
	entry, err := c.changeEntry(ctx, now, func(tx *sql.Tx) (Event, error) {
		t = &Tx{view: view{c: c, ctx: ctx, q: tx}, tx: tx, now: now}
		return fn(t)
	})
	if err != nil {
		return CustodyEntry{}, fmt.Errorf("%s: %w", what, err)
	}
	for _, ex := range t.granted {
		if c.actor.ID == ex.ID {
			c.actor.Roles = ex.Roles
		}
	}
	return entry, nil
}

// Read runs fn with a consistent view of the case (the case's lock is held
// throughout). Errors are prefixed with what.
func (c *Case) Read(what string, fn func(r Reader) error) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.usable(); err != nil {
		return err
	}
	if err := fn(&view{c: c, ctx: context.Background(), q: c.db}); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// ReadAll decodes every row of a flat table into T, oldest first, under the
// case's lock.
func ReadAll[T any](c *Case, what, table string) ([]T, error) {
	var out []T
	err := c.Read(what, func(r Reader) error {
		rs, err := r.Records(table)
		if err == nil {
			out, err = DecodeRecords[T](rs)
		}
		return err
	})
	return out, err
}

// LastOf decodes the last row of a flat table into a new T; nil when the
// table is empty.
func LastOf[T any](r Reader, table string) (*T, error) {
	rec, ok, err := r.Last(table)
	if err != nil || !ok {
		return nil, err
	}
	v := new(T)
	return v, rec.Decode(v)
}
