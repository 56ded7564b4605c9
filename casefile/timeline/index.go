package timeline

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/google/uuid"
	_ "modernc.org/sqlite" // the "sqlite" driver; casefile registers it too
)

// Index is the search index of a timeline: a private in-memory SQLite
// database (FTS5 over the message and field values, and indexed time, item,
// parser and field columns) built from the sealed events. It lives only in
// this process's memory: the database is ":memory:" on one connection and
// temp_store is MEMORY, so nothing decrypted reaches the disk. It reflects
// the timeline as it was when built; ReplaceItem brings one item up to date
// after a re-parse. An Index is safe for concurrent use.
type Index struct {
	mu     sync.Mutex
	db     *sql.DB
	events int64
	items  map[uuid.UUID]int64
	ann    map[evKey]Annotations // the current events' annotations (annindex.go)
}

const indexSchema = `
CREATE TABLE events (
	rowid        INTEGER PRIMARY KEY,
	id           TEXT NOT NULL,
	item         TEXT NOT NULL,
	ordinal      INTEGER NOT NULL,
	parser       TEXT NOT NULL COLLATE NOCASE,
	time         INTEGER,
	time_text    TEXT NOT NULL,
	time_zone    TEXT NOT NULL,
	zone_assumed INTEGER NOT NULL,
	tdesc        TEXT NOT NULL COLLATE NOCASE,
	off          INTEGER NOT NULL,
	len          INTEGER NOT NULL,
	stream       TEXT NOT NULL,
	message      TEXT NOT NULL,
	fields       TEXT NOT NULL
);
CREATE TABLE fields (
	event INTEGER NOT NULL,
	name  TEXT NOT NULL COLLATE NOCASE,
	value TEXT NOT NULL COLLATE NOCASE,
	num   REAL
);
CREATE VIRTUAL TABLE fts USING fts5(message, ftext, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2');
`

const indexIndexes = `
CREATE INDEX events_time ON events (time, rowid);
CREATE INDEX events_item ON events (item, ordinal);
CREATE INDEX fields_value ON fields (name, value);
CREATE INDEX fields_num ON fields (name, num) WHERE num IS NOT NULL;
`

// openMemory opens the private in-memory database and checks that its
// temporary storage is memory too.
func openMemory(ctx context.Context) (*sql.DB, error) {
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		return nil, err
	}
	// The database is the connection: keep exactly one, forever.
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	for _, p := range []string{"temp_store=MEMORY", "journal_mode=OFF", "synchronous=OFF", "cache_size=-262144"} {
		if _, err := db.ExecContext(ctx, "PRAGMA "+p); err != nil {
			db.Close()
			return nil, fmt.Errorf("search index: PRAGMA %s: %w", p, err)
		}
	}
	var ts int
	var file string
	if err := db.QueryRowContext(ctx, "PRAGMA temp_store").Scan(&ts); err != nil || ts != 2 {
		db.Close()
		return nil, fmt.Errorf("search index: temp_store is %d, want 2 (memory): refusing to build an index that could spill to disk", ts)
	}
	if err := db.QueryRowContext(ctx, "SELECT file FROM pragma_database_list WHERE name = 'main'").Scan(&file); err != nil || file != "" {
		db.Close()
		return nil, fmt.Errorf("search index: the database is backed by file %q, want memory only", file)
	}
	return db, nil
}

// Build reads every event of s's current timeline and indexes it. progress,
// when not nil, is called now and then with the events indexed so far and
// the total.
func Build(ctx context.Context, s *Store, progress func(done, total int64)) (*Index, error) {
	db, err := openMemory(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := db.ExecContext(ctx, indexSchema); err != nil {
		db.Close()
		return nil, fmt.Errorf("search index: %w", err)
	}
	ix := &Index{db: db, items: map[uuid.UUID]int64{}}
	total, err := s.Count()
	if err != nil {
		db.Close()
		return nil, err
	}
	if err := ix.load(ctx, s.All(), total, progress, nil); err != nil {
		db.Close()
		return nil, err
	}
	if _, err := db.ExecContext(ctx, indexIndexes); err != nil {
		db.Close()
		return nil, fmt.Errorf("search index: %w", err)
	}
	if err := ix.reloadAnnotations(ctx, s); err != nil {
		db.Close()
		return nil, err
	}
	return ix, nil
}

// load inserts events in one transaction, many rows per statement.
// before, when not nil, runs first in the same transaction.
func (ix *Index) load(ctx context.Context, evs func(func(Event, error) bool), total int64, progress func(done, total int64),
	before func(*sql.Tx) error) (err error) {
	tx, err := ix.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	if before != nil {
		if err := before(tx); err != nil {
			return err
		}
	}
	var next int64
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(rowid), 0) FROM events`).Scan(&next); err != nil {
		return err
	}
	b := &bulk{ctx: ctx, tx: tx, stmts: map[string]*sql.Stmt{}}
	var done int64
	var ftext strings.Builder
	for e, rerr := range evs {
		if rerr != nil {
			return rerr
		}
		next++
		var t any
		if !e.Time.IsZero() {
			t = e.Time.UnixNano()
		}
		pairs := make([][2]string, len(e.Fields))
		ftext.Reset()
		for i, f := range e.Fields {
			pairs[i] = [2]string{f.Name, f.Value}
			var num any
			if v, ok := number(f.Value); ok {
				num = v
			}
			b.fields = append(b.fields, next, f.Name, f.Value, num)
			ftext.WriteString(f.Value)
			ftext.WriteByte('\n')
		}
		fj, _ := json.Marshal(pairs)
		b.events = append(b.events, next, e.ID, e.Item.String(), e.Ordinal, e.Parser, t, e.TimeText, e.TimeZone, e.TimeZoneAssumed,
			e.TimestampDesc, e.Offset, e.Length, e.Stream, e.Message, string(fj))
		b.fts = append(b.fts, next, e.Message, ftext.String())
		if err := b.flush(false); err != nil {
			return err
		}
		done++
		ix.items[e.Item]++
		if progress != nil && done%10000 == 0 {
			progress(done, total)
		}
	}
	if err := b.flush(true); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	ix.events += done
	if progress != nil {
		progress(done, total)
	}
	return nil
}

// bulk gathers rows and inserts them rowsPerInsert at a time.
type bulk struct {
	ctx                 context.Context
	tx                  *sql.Tx
	stmts               map[string]*sql.Stmt
	events, fields, fts []any
}

const rowsPerInsert = 64

var bulkTables = []struct {
	name, cols string
	n          int
}{
	{"events", "rowid, id, item, ordinal, parser, time, time_text, time_zone, zone_assumed, tdesc, off, len, stream, message, fields", 15},
	{"fields", "event, name, value, num", 4},
	{"fts", "rowid, message, ftext", 3},
}

func (b *bulk) flush(all bool) error {
	for i, buf := range []*[]any{&b.events, &b.fields, &b.fts} {
		tb := bulkTables[i]
		for len(*buf) >= rowsPerInsert*tb.n || (all && len(*buf) > 0) {
			rows := min(rowsPerInsert, len(*buf)/tb.n)
			if err := b.insert(tb.name, tb.cols, tb.n, rows, (*buf)[:rows*tb.n]); err != nil {
				return err
			}
			*buf = append((*buf)[:0], (*buf)[rows*tb.n:]...)
		}
	}
	return nil
}

// insert runs one INSERT of rows rows of n columns; the statement text is
// built from constants only, every value is bound.
func (b *bulk) insert(table, cols string, n, rows int, args []any) error {
	key := table + "/" + strconv.Itoa(rows)
	st, ok := b.stmts[key]
	if !ok {
		one := "(" + strings.TrimSuffix(strings.Repeat("?, ", n), ", ") + ")"
		q := "INSERT INTO " + table + " (" + cols + ") VALUES " + strings.TrimSuffix(strings.Repeat(one+", ", rows), ", ")
		var err error
		if st, err = b.tx.PrepareContext(b.ctx, q); err != nil {
			return fmt.Errorf("search index: %w", err)
		}
		b.stmts[key] = st
	}
	if _, err := st.ExecContext(b.ctx, args...); err != nil {
		return fmt.Errorf("search index: %w", err)
	}
	return nil
}

// number reads a field value as a number for field:>N comparisons: a
// decimal integer or fraction, nothing else (no hex, no infinities).
func number(s string) (float64, bool) {
	if s == "" || len(s) > 40 || strings.ContainsAny(s, "xXpP_iInN") {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// Close frees the index's memory.
func (ix *Index) Close() error {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.db == nil {
		return nil
	}
	err := ix.db.Close()
	ix.db = nil
	return err
}

// Len returns the number of indexed events.
func (ix *Index) Len() int64 {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	return ix.events
}

// ReplaceItem re-indexes item from s: after a re-parse, the index holds its
// current events only. On an error the index is unchanged. Searches wait
// while it runs.
func (ix *Index) ReplaceItem(ctx context.Context, s *Store, item uuid.UUID) error {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.db == nil {
		return errIndexClosed
	}
	p, _, err := s.Current(item)
	if err != nil {
		return err
	}
	old := ix.items[item]
	ix.items[item] = 0
	err = ix.load(ctx, s.Events(item), p.Events, nil, func(tx *sql.Tx) error {
		for _, q := range []string{
			`DELETE FROM fts WHERE rowid IN (SELECT rowid FROM events WHERE item = ?)`,
			`DELETE FROM fields WHERE event IN (SELECT rowid FROM events WHERE item = ?)`,
			`DELETE FROM events WHERE item = ?`,
		} {
			if _, err := tx.ExecContext(ctx, q, item.String()); err != nil {
				return fmt.Errorf("search index: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		ix.items[item] = old
		return err
	}
	ix.events -= old
	if ix.items[item] == 0 {
		delete(ix.items, item)
	}
	// A re-parse moves ordinals: the annotations are resolved again.
	return ix.reloadAnnotations(ctx, s)
}

var errIndexClosed = errors.New("search index: the index is closed")

// Filter selects events: a query (see query.go; empty for every event), a
// time range, an item, and a page.
type Filter struct {
	Query string
	// From and To bound the event time, From included and To excluded; a
	// zero value leaves that side open. With either set, events without a
	// time are left out.
	From, To time.Time
	Item     uuid.UUID // uuid.Nil for every item
	Limit    int       // 0 means DefaultLimit
	Offset   int       // events to skip, for paging
	// After, an event id, starts the page after that event in the order
	// of Search: the way to page through a long result (the cost of Offset
	// grows with it, After's does not). The event must be in the index.
	After string
}

// DefaultLimit is the page size of a search without a limit.
const DefaultLimit = 100

// MaxLimit bounds one page.
const MaxLimit = 100_000

// where turns f into a WHERE clause over events e and its bound arguments.
func (f Filter) where() (string, []any, error) {
	n, err := parseQuery(f.Query)
	if err != nil {
		return "", nil, err
	}
	var conds []string
	var args []any
	if n != nil {
		var b strings.Builder
		n.sql(&b, &args)
		conds = append(conds, b.String())
	}
	if !f.From.IsZero() {
		if y := f.From.UTC().Year(); y < 1678 || y > 2261 {
			return "", nil, fmt.Errorf("%w: the range starts in year %d; a timeline holds 1678 to 2261", casefile.ErrInvalid, y)
		}
		conds = append(conds, `e.time >= ?`)
		args = append(args, f.From.UnixNano())
	}
	if !f.To.IsZero() {
		if y := f.To.UTC().Year(); y < 1678 || y > 2261 {
			return "", nil, fmt.Errorf("%w: the range ends in year %d; a timeline holds 1678 to 2261", casefile.ErrInvalid, y)
		}
		conds = append(conds, `e.time < ?`)
		args = append(args, f.To.UnixNano())
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		return "", nil, fmt.Errorf("%w: the range starts at %s, not before its end %s: give an earlier start or a later end",
			casefile.ErrInvalid, casefile.FormatTime(f.From), casefile.FormatTime(f.To))
	}
	if f.Item != uuid.Nil {
		conds = append(conds, `e.item = ?`)
		args = append(args, f.Item.String())
	}
	if len(conds) == 0 {
		return "", nil, nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args, nil
}

// sql writes n as an SQL condition on events e; every value goes to args.
func (n *node) sql(b *strings.Builder, args *[]any) {
	switch n.kind {
	case nAnd, nOr:
		sep := " AND "
		if n.kind == nOr {
			sep = " OR "
		}
		b.WriteByte('(')
		for i, k := range n.kids {
			if i > 0 {
				b.WriteString(sep)
			}
			k.sql(b, args)
		}
		b.WriteByte(')')
	case nNot:
		b.WriteString("NOT (")
		n.kids[0].sql(b, args)
		b.WriteByte(')')
	case nTerm:
		expr := ftsString(n.text)
		if n.prefix {
			expr += " *"
		}
		if n.name == "message" {
			expr = "message : " + expr
		}
		b.WriteString(`e.rowid IN (SELECT rowid FROM fts WHERE fts MATCH ?)`)
		*args = append(*args, expr)
	case nField:
		col := ""
		switch n.name {
		case "parser":
			col = "e.parser"
		case "timestamp_desc":
			col = "e.tdesc"
		case "item":
			col = "e.item"
		case "id":
			col = "e.id"
		}
		val := n.text
		if col == "e.item" || col == "e.id" {
			val = strings.ToLower(val)
		}
		if col != "" {
			if n.prefix {
				b.WriteString(col + ` LIKE ? ESCAPE '\'`)
				*args = append(*args, likePrefix(val))
			} else {
				b.WriteString(col + ` = ?`)
				*args = append(*args, val)
			}
			return
		}
		if n.prefix {
			b.WriteString(`e.rowid IN (SELECT event FROM fields WHERE name = ? AND value LIKE ? ESCAPE '\')`)
			*args = append(*args, n.name, likePrefix(val))
		} else {
			b.WriteString(`e.rowid IN (SELECT event FROM fields WHERE name = ? AND value = ?)`)
			*args = append(*args, n.name, val)
		}
	case nAnnot:
		n.annotSQL(b, args)
	case nCompare:
		op := map[string]string{">": ">", ">=": ">=", "<": "<", "<=": "<="}[n.op] // one of four, never query text
		if n.name == "time" {
			b.WriteString(`e.time ` + op + ` ?`)
			*args = append(*args, n.ns)
			return
		}
		b.WriteString(`e.rowid IN (SELECT event FROM fields WHERE name = ? AND num ` + op + ` ?)`)
		*args = append(*args, n.name, n.num)
	}
}

func likePrefix(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s) + "%"
}

// Search returns one page of the events f selects, in time order (events
// without a time first), then item order.
func (ix *Index) Search(ctx context.Context, f Filter) ([]Event, error) {
	where, args, err := f.where()
	if err != nil {
		return nil, err
	}
	limit := f.Limit
	if limit == 0 {
		limit = DefaultLimit
	}
	if limit < 0 || limit > MaxLimit || f.Offset < 0 {
		return nil, fmt.Errorf("%w: a page is 1 to %d events from offset 0 or more, not %d from %d", casefile.ErrInvalid, MaxLimit, limit, f.Offset)
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.db == nil {
		return nil, errIndexClosed
	}
	if f.After != "" {
		item, n, err := ParseEventID(f.After)
		if err != nil {
			return nil, err
		}
		var t sql.NullInt64
		var rowid int64
		err = ix.db.QueryRowContext(ctx, `SELECT time, rowid FROM events WHERE item = ? AND ordinal = ?`, item.String(), n).Scan(&t, &rowid)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, ErrNoSuchEvent.Errorf("%s: the page cannot start after an event the index does not hold", f.After)
		}
		if err != nil {
			return nil, searchError(err)
		}
		cond := `((e.time IS NULL AND e.rowid > ?) OR e.time IS NOT NULL)`
		cargs := []any{rowid}
		if t.Valid {
			cond = `(e.time > ? OR (e.time = ? AND e.rowid > ?))`
			cargs = []any{t.Int64, t.Int64, rowid}
		}
		if where == "" {
			where = " WHERE " + cond
		} else {
			where += " AND " + cond
		}
		args = append(args, cargs...)
	}
	q := `SELECT e.id, e.item, e.ordinal, e.parser, e.time, e.time_text, e.time_zone, e.zone_assumed, e.tdesc, e.off, e.len, e.stream, e.message, e.fields
		FROM events e` + where + ` ORDER BY e.time, e.rowid LIMIT ? OFFSET ?`
	rows, err := ix.db.QueryContext(ctx, q, append(args, limit, f.Offset)...)
	if err != nil {
		return nil, searchError(err)
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		var item, fj string
		var t sql.NullInt64
		if err := rows.Scan(&e.ID, &item, &e.Ordinal, &e.Parser, &t, &e.TimeText, &e.TimeZone, &e.TimeZoneAssumed, &e.TimestampDesc,
			&e.Offset, &e.Length, &e.Stream, &e.Message, &fj); err != nil {
			return nil, searchError(err)
		}
		e.Item, _ = uuid.Parse(item)
		if t.Valid {
			e.Time = time.Unix(0, t.Int64).UTC()
		}
		var pairs [][2]string
		if err := json.Unmarshal([]byte(fj), &pairs); err != nil {
			return nil, searchError(err)
		}
		for _, p := range pairs {
			e.Fields = append(e.Fields, Field{Name: p[0], Value: p[1]})
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, searchError(err)
	}
	ix.attachAnnotations(out)
	return out, nil
}

// Query is Search with the arguments spelled out: query text, time range
// (From included, To excluded, zero for open), item (uuid.Nil for all) and
// limit.
func (ix *Index) Query(ctx context.Context, q string, from, to time.Time, item uuid.UUID, limit int) ([]Event, error) {
	return ix.Search(ctx, Filter{Query: q, From: from, To: to, Item: item, Limit: limit})
}

// Count returns how many events f selects (its page is ignored).
func (ix *Index) Count(ctx context.Context, f Filter) (int64, error) {
	where, args, err := f.where()
	if err != nil {
		return 0, err
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.db == nil {
		return 0, errIndexClosed
	}
	var n int64
	if err := ix.db.QueryRowContext(ctx, `SELECT count(*) FROM events e`+where, args...).Scan(&n); err != nil {
		return 0, searchError(err)
	}
	return n, nil
}

// A Value is one value of a field with the number of events that have it.
type Value struct {
	Value string
	Count int64
}

// Top returns the n most frequent values of field among the events f
// selects (most frequent first, then by value), for facets: host, user,
// event_id, or the pseudo-fields parser and item.
func (ix *Index) Top(ctx context.Context, f Filter, field string, n int) ([]Value, error) {
	if n < 1 || n > 1000 {
		return nil, fmt.Errorf("%w: ask for 1 to 1000 values, not %d", casefile.ErrInvalid, n)
	}
	if !validFieldName(field) {
		return nil, fmt.Errorf("%w: %q is not a field name (letters, digits, _ . -)", casefile.ErrInvalid, field)
	}
	where, args, err := f.where()
	if err != nil {
		return nil, err
	}
	var q string
	switch strings.ToLower(field) {
	case "parser", "item":
		col := map[string]string{"parser": "e.parser", "item": "e.item"}[strings.ToLower(field)]
		q = `SELECT ` + col + ` AS v, count(*) AS n FROM events e` + where + ` GROUP BY v ORDER BY n DESC, v LIMIT ?`
	default:
		q = `SELECT fl.value AS v, count(*) AS n FROM fields fl JOIN events e ON e.rowid = fl.event` + where
		if where == "" {
			q += ` WHERE fl.name = ?`
		} else {
			q += ` AND fl.name = ?`
		}
		q += ` GROUP BY v ORDER BY n DESC, v LIMIT ?`
		args = append(args, field)
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.db == nil {
		return nil, errIndexClosed
	}
	rows, err := ix.db.QueryContext(ctx, q, append(args, n)...)
	if err != nil {
		return nil, searchError(err)
	}
	defer rows.Close()
	var out []Value
	for rows.Next() {
		var v Value
		if err := rows.Scan(&v.Value, &v.Count); err != nil {
			return nil, searchError(err)
		}
		out = append(out, v)
	}
	return out, searchError(rows.Err())
}

// A Bucket is one bar of a histogram: the events in [Start, Start+bucket).
type Bucket struct {
	Start time.Time
	Count int64
}

// MaxBuckets bounds a histogram.
const MaxBuckets = 100_000

// Histogram counts the events f selects per bucket of time (aligned to the
// Unix epoch, so 1h and 24h buckets start on UTC hours and days), from the
// first non-empty bucket to the last, empty ones included. Events without a
// time are not counted.
func (ix *Index) Histogram(ctx context.Context, f Filter, bucket time.Duration) ([]Bucket, error) {
	if bucket < time.Second {
		return nil, fmt.Errorf("%w: a histogram bucket of %s is too small: give 1s or more, e.g. 1m, 1h, 24h", casefile.ErrInvalid, bucket)
	}
	where, args, err := f.where()
	if err != nil {
		return nil, err
	}
	if where == "" {
		where = " WHERE e.time IS NOT NULL"
	} else {
		where += " AND e.time IS NOT NULL"
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.db == nil {
		return nil, errIndexClosed
	}
	w := int64(bucket)
	rows, err := ix.db.QueryContext(ctx, `SELECT e.time - (((e.time % ?) + ?) % ?) AS b, count(*) FROM events e`+where+` GROUP BY b ORDER BY b`,
		append([]any{w, w, w}, args...)...)
	if err != nil {
		return nil, searchError(err)
	}
	defer rows.Close()
	var out []Bucket
	for rows.Next() {
		var b, n int64
		if err := rows.Scan(&b, &n); err != nil {
			return nil, searchError(err)
		}
		start := time.Unix(0, b).UTC()
		if len(out) > 0 {
			for next := out[len(out)-1].Start.Add(bucket); next.Before(start); next = next.Add(bucket) {
				if len(out) >= MaxBuckets {
					return nil, fmt.Errorf("%w: the events span more than %d buckets of %s: choose a larger bucket or a shorter range",
						casefile.ErrInvalid, MaxBuckets, bucket)
				}
				out = append(out, Bucket{Start: next})
			}
		}
		out = append(out, Bucket{Start: start, Count: n})
	}
	return out, searchError(rows.Err())
}

// searchError keeps SQL text out of what a person sees: a failure of the
// in-memory index is reported as such, with the cause in the chain.
func searchError(err error) error {
	if err == nil {
		return nil
	}
	return &indexError{err: err}
}

type indexError struct{ err error }

func (e *indexError) Error() string {
	return "the search index failed to answer; close and reopen the case to rebuild it"
}
func (e *indexError) Unwrap() error { return e.err }
