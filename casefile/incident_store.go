package casefile

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
)

// Length limits of incident records, in bytes of UTF-8. Longer input is
// refused with an error wrapping ErrInvalid that names the field; nothing is
// silently cut.
const (
	// MaxMarkdownLen bounds Markdown documents: finding descriptions and the
	// sections of the post-mortem.
	MaxMarkdownLen = 100_000
	// MaxTextLen bounds other free text: summaries, rationales, descriptions
	// of actions, mitigations and repair items.
	MaxTextLen = 10_000
	// MaxIndicatorLen bounds one indicator value (URLs and paths included).
	MaxIndicatorLen = 4_096
	// MaxListLen bounds the entries of one list field (linked evidence,
	// indicators, techniques, related incidents, next steps, lapses…).
	MaxListLen = 1_000
)

// Attribution says who recorded something, in which role, and when. It is
// filled from the acting examiner and the case clock, never from input.
type Attribution struct {
	At         time.Time `json:"at"` // UTC
	ExaminerID uuid.UUID `json:"examiner_id"`
	Examiner   string    `json:"examiner"`
	Role       Role      `json:"role"`
}

// stamp attributes a change made now by the acting examiner. The caller holds c.mu.
func (c *Case) stamp(now time.Time) Attribution {
	return Attribution{At: now, ExaminerID: c.actor.ID, Examiner: c.actor.Name, Role: c.role}
}

// The append-only incident tables of migration 0003. Each has the columns
// seq, row_uuid, parent_uuid and body (see migrations/0003_incident.sql).
const (
	tblIncident        = "incident_revisions"
	tblClassifications = "incident_classifications"
	tblSeverity        = "incident_severity"
	tblPriority        = "incident_priority"
	tblStages          = "incident_stages"
	tblRoles           = "incident_roles"
	tblIndicators      = "incident_indicators"
	tblActions         = "incident_actions"
	tblMitigations     = "incident_mitigations"
	tblNotifications   = "incident_notifications"
	tblFindings        = "finding_revisions"
	tblPostMortem      = "postmortem_revisions"
	tblRepairItems     = "repair_item_revisions"
)

var incidentTables = map[string]bool{
	tblIncident: true, tblClassifications: true, tblSeverity: true, tblPriority: true, tblStages: true, tblRoles: true,
	tblIndicators: true, tblActions: true, tblMitigations: true, tblNotifications: true, tblFindings: true,
	tblPostMortem: true, tblRepairItems: true,
}

// rowEnvelope is the sealed body of a row: the record's JSON with the row's
// position repeated, so a row moved to another position or record fails.
type rowEnvelope struct {
	Seq    int64           `json:"seq"`
	Parent string          `json:"parent,omitempty"`
	Rev    int             `json:"rev,omitempty"`
	Data   json.RawMessage `json:"data"`
}

// sealedRow is one authenticated, unsealed row of an incident table.
type sealedRow struct {
	seq    int64
	id     uuid.UUID
	parent uuid.UUID // uuid.Nil for rows of flat tables
	rev    int       // 1-based revision within parent; 0 for flat tables
	data   []byte    // the record's JSON
}

func checkTable(table string) {
	if !incidentTables[table] {
		panic("casefile: not an incident table: " + table) // a programming error, never input
	}
}

// appendRow seals v as the next row of table, as a revision of parent when
// parent is not uuid.Nil, and returns the row.
func (c *Case) appendRow(ctx context.Context, tx *sql.Tx, table string, id, parent uuid.UUID, v any) (sealedRow, error) {
	checkTable(table)
	var seq int64
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) + 1 FROM `+table).Scan(&seq); err != nil {
		return sealedRow{}, err
	}
	env := rowEnvelope{Seq: seq}
	if parent != uuid.Nil {
		env.Parent = parent.String()
		if err := tx.QueryRowContext(ctx, `SELECT count(*) + 1 FROM `+table+` WHERE parent_uuid = ?`, env.Parent).Scan(&env.Rev); err != nil {
			return sealedRow{}, err
		}
	}
	data, err := json.Marshal(v)
	if err != nil {
		return sealedRow{}, err
	}
	env.Data = data
	body, err := json.Marshal(env)
	if err != nil {
		return sealedRow{}, err
	}
	sealed, err := c.rec.seal(table, id.String(), "body", body)
	if err != nil {
		return sealedRow{}, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO `+table+` (seq, row_uuid, parent_uuid, body) VALUES (?, ?, ?, ?)`,
		seq, id.String(), env.Parent, sealed); err != nil {
		return sealedRow{}, fmt.Errorf("append to %s: %w", table, err)
	}
	return sealedRow{seq: seq, id: id, parent: parent, rev: env.Rev, data: data}, nil
}

// readRows unseals the rows of table in order; with parent set, only that
// record's revisions. Each row's sealed position must match its clear
// columns, and revisions must run 1, 2, 3… within their record.
func (c *Case) readRows(ctx context.Context, q querier, table string, parent uuid.UUID) ([]sealedRow, error) {
	checkTable(table)
	query, args := `SELECT seq, row_uuid, parent_uuid, body FROM `+table+` ORDER BY seq`, []any(nil)
	if parent != uuid.Nil {
		query, args = `SELECT seq, row_uuid, parent_uuid, body FROM `+table+` WHERE parent_uuid = ? ORDER BY seq`, []any{parent.String()}
	}
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", table, mapSQLiteError(err))
	}
	defer rows.Close()
	var out []sealedRow
	revs := map[string]int{}
	for rows.Next() {
		var seq int64
		var id, par string
		var body []byte
		if err := rows.Scan(&seq, &id, &par, &body); err != nil {
			return nil, fmt.Errorf("read %s: %w", table, err)
		}
		pt, err := c.rec.open(table, id, "body", body)
		if err != nil {
			return nil, err
		}
		var env rowEnvelope
		if err := json.Unmarshal(pt, &env); err != nil {
			return nil, fmt.Errorf("%w: %s/%s: %v", ErrCorrupt, table, id, err)
		}
		r := sealedRow{seq: seq, data: env.Data}
		if r.id, err = uuid.Parse(id); err != nil {
			return nil, fmt.Errorf("%w: %s row UUID %q", ErrCorrupt, table, id)
		}
		switch {
		case env.Seq != seq:
			return nil, &AuthError{Table: table, Row: id, Column: "seq"}
		case env.Parent != par:
			return nil, &AuthError{Table: table, Row: id, Column: "parent_uuid"}
		}
		if par != "" {
			if r.parent, err = uuid.Parse(par); err != nil {
				return nil, fmt.Errorf("%w: %s parent UUID %q", ErrCorrupt, table, par)
			}
			revs[par]++
			if env.Rev != revs[par] {
				return nil, fmt.Errorf("%w: %s/%s is revision %d of %s, but %d rows of it precede it", ErrCorrupt, table, id, env.Rev, par, revs[par]-1)
			}
			r.rev = env.Rev
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", table, mapSQLiteError(err))
	}
	return out, nil
}

// lastRow returns the last row of a flat table, or ok false when it is empty.
func (c *Case) lastRow(ctx context.Context, q querier, table string) (sealedRow, bool, error) {
	rows, err := c.readRows(ctx, q, table, uuid.Nil)
	if err != nil || len(rows) == 0 {
		return sealedRow{}, false, err
	}
	return rows[len(rows)-1], true, nil
}

// decodeRow parses a row's record JSON into v.
func decodeRow(table string, r sealedRow, v any) error {
	if err := json.Unmarshal(r.data, v); err != nil {
		return fmt.Errorf("%w: %s/%s: %v", ErrCorrupt, table, r.id, err)
	}
	return nil
}

// decodeRows parses every row of a table into T.
func decodeRows[T any](table string, rows []sealedRow) ([]T, error) {
	out := make([]T, 0, len(rows))
	for _, r := range rows {
		var v T
		if err := decodeRow(table, r, &v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// contentHash is the SHA-256 of a record's JSON, recorded in custody entries
// so the signed ledger pins the exact content of a finding or post-mortem
// revision without holding it.
func contentHash(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// checkLine is checkText for single-line values: control characters
// (newlines included) are refused as well.
func checkLine(field, v string, required bool, max int) error {
	if err := checkText(field, v, required, max); err != nil {
		return err
	}
	if i := strings.IndexFunc(v, unicode.IsControl); i >= 0 {
		return invalidf("%s contains a control character (%U) at byte %d; it must be one line of text", field, []rune(v[i:])[0], i)
	}
	return nil
}

// checkList bounds the number of entries of a list field.
func checkList(field string, n int) error {
	if n > MaxListLen {
		return invalidf("%s has %d entries, at most %d", field, n, MaxListLen)
	}
	return nil
}

// short returns s cut to at most 120 bytes on a rune boundary, with an
// ellipsis when cut: custody details name things, they do not hold them.
func short(s string) string {
	const max = 120
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// clockSkew is how far in the future a given time may lie before it is
// refused: clocks of different machines disagree a little.
const clockSkew = 5 * time.Minute

// checkPast refuses a time after now (plus clockSkew) and returns it in
// UTC at the stored precision.
func checkPast(field string, t, now time.Time) (time.Time, error) {
	t = t.UTC().Truncate(time.Millisecond)
	if t.After(now.Add(clockSkew)) {
		return t, invalidf("%s %s is in the future (now is %s)", field, formatTime(t), formatTime(now))
	}
	return t, nil
}

// resolveExaminer finds the examiner ref names: a UUID or a name
// (case-insensitive). An unknown one is ErrUnknownExaminer.
func resolveExaminer(exs []Examiner, ref string) (Examiner, error) {
	ref = strings.TrimSpace(ref)
	if id, err := uuid.Parse(ref); err == nil {
		for _, ex := range exs {
			if ex.ID == id {
				return ex, nil
			}
		}
	}
	for _, ex := range exs {
		if strings.EqualFold(strings.TrimSpace(ex.Name), ref) {
			return ex, nil
		}
	}
	return Examiner{}, fmt.Errorf("%w: %q", ErrUnknownExaminer, ref)
}

// lookupExaminer resolves ref among the case's examiners inside tx.
func (c *Case) lookupExaminer(ctx context.Context, tx *sql.Tx, ref string) (Examiner, error) {
	exs, err := c.readExaminers(ctx, tx)
	if err != nil {
		return Examiner{}, err
	}
	return resolveExaminer(exs, ref)
}

// lookupEvidence returns sealed item id, read inside tx and authenticated.
func (c *Case) lookupEvidence(ctx context.Context, tx *sql.Tx, id uuid.UUID) (Evidence, error) {
	row := tx.QueryRowContext(ctx, `SELECT evidence_uuid, chunk_size, chunk_count, size, meta, verification FROM evidence
		WHERE evidence_uuid = ? AND state = 'sealed'`, id.String())
	ev, err := c.scanEvidence(row)
	if errors.Is(err, sql.ErrNoRows) {
		return Evidence{}, fmt.Errorf("%w: %s", ErrNoSuchEvidence, id)
	}
	return ev, err
}

// incidentTarget is the target of custody entries about the incident as a whole.
func (c *Case) incidentTarget() Target { return Target{Type: TargetIncident, ID: c.id.String()} }

// write runs one incident change: lock, check the handle, run fn in a
// transaction with its custody entry. what names the operation in errors.
func (c *Case) write(what string, fn func(ctx context.Context, tx *sql.Tx, now time.Time) (Event, error)) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.usable(); err != nil {
		return err
	}
	ctx := context.Background()
	now := c.now()
	if err := c.change(ctx, now, func(tx *sql.Tx) (Event, error) { return fn(ctx, tx, now) }); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// read runs fn under the lock for a consistent read.
func (c *Case) read(what string, fn func(ctx context.Context, q querier) error) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.usable(); err != nil {
		return err
	}
	if err := fn(context.Background(), c.db); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}
