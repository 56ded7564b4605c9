package timeline

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/google/uuid"
	_ "modernc.org/sqlite" // the "sqlite" driver; casefile registers it too
)

// Index is the search index of a timeline: a private in-memory SQLite
// database (FTS5 over the message and field values, and indexed time, item,
// parser and field columns) built from the sealed events, or restored from
// the case's sealed snapshot of it (snapshot.go). It lives only in this
// process's memory: the database is ":memory:" on one connection and
// temp_store is MEMORY, so nothing decrypted reaches the disk. It reflects
// the timeline as it was when built (Cover says exactly which parses);
// ReplaceItem, or a Writer given the index, brings one item up to date
// after a re-parse. An Index is safe for concurrent use.
type Index struct {
	mu     sync.Mutex
	db     *sql.DB
	events int64
	items  map[uuid.UUID]int64
	ann    map[evKey]Annotations // the current events' annotations (annindex.go)
	// parses is the parse of every indexed item (what the index covers);
	// annotations the last annotation row it reflects.
	parses      map[uuid.UUID]uuid.UUID
	annotations int64
	// indexed is set once the secondary indexes exist (they are created
	// after the first load: sorting once is cheaper than inserting into
	// them row by row).
	indexed bool
	// dict maps a field's name and value to its row of vals; loaded from
	// the database the first time an index restored from a snapshot takes
	// new events. A load adds its new values as it goes; when it fails
	// the dictionary is dropped (discardValues) and read again.
	dict   map[valKey]int64
	nextID int64
	// stored is the cover of the snapshot the case holds of this index
	// ("" when none is known to match).
	stored string
	// times holds the times of each item's events that have one, in
	// order (also in the times table, so that a restored index has them):
	// a histogram without query text is counted from them.
	times map[uuid.UUID][]int64
	// itemNo and itemOf map the items to their numbers in the items table
	// and back; like dict, read again from the database after a failed
	// load (itemNo nil).
	itemNo map[uuid.UUID]int64
	itemOf map[int64]uuid.UUID
}

// indexFormat names the layout of the index database; a snapshot of
// another layout is not restored. Bump it with any change to indexSchema.
const indexFormat = "custodia-index/3"

// The index database. Field values are stored once each (vals); an event
// lists its own in order in its vals column (the value ids as uvarints,
// unpackVals), and fields is the inverted list, value → events, one rowid
// per pair, value × 2³² + event (postKey), written in order at the end of a
// load (loader.close): the seven fields of a syslog line cost seven
// varints in the row and seven integer keys, not seven copies of their
// text, nor a second index. The events of value v are the rowids of fields
// from v × 2³² to v × 2³² + 2³² − 1 (postings). An event's id is not
// stored: it is item:ordinal, and the item is its number in items (the
// UUID once per item, not in every row and in the index by item). times holds each item's event times, sorted
// (packTimes), for histograms. FTS5 is contentless: it holds the tokens of
// the message and of the field values the message does not already contain
// (see containsTokens), with positions, for phrases.
const indexSchema = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE items (n INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE);
CREATE TABLE events (
	rowid        INTEGER PRIMARY KEY,
	item         INTEGER NOT NULL,
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
	vals         BLOB
);
CREATE TABLE vals (
	id    INTEGER PRIMARY KEY,
	name  TEXT NOT NULL COLLATE NOCASE,
	value TEXT NOT NULL COLLATE NOCASE,
	num   REAL
);
CREATE TABLE fields (id INTEGER PRIMARY KEY);
CREATE TABLE times (item TEXT PRIMARY KEY, data BLOB NOT NULL) WITHOUT ROWID;
CREATE VIRTUAL TABLE fts USING fts5(message, ftext, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2');
`

const indexIndexes = `
CREATE INDEX events_time ON events (time, rowid);
CREATE INDEX events_item ON events (item, ordinal);
CREATE INDEX vals_value ON vals (name, value);
CREATE INDEX vals_num ON vals (name, num) WHERE num IS NOT NULL;
`

// The inverted list: value id and event rowid in one key, and the SQL of
// the events of value v (a vals row) as a join.
const (
	maxIndexEvents = 1<<32 - 1
	maxValueID     = 1<<31 - 1
	postings       = `fields f ON f.id BETWEEN v.id * 4294967296 AND v.id * 4294967296 + 4294967295`
	postEvent      = `(f.id & 4294967295)`
)

func postKey(val, event int64) int64 { return val<<32 | event }

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
	if err := memoryPragmas(ctx, db, false); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// memoryPragmas sets the connection's pragmas and checks that the database
// and its temporary storage are memory only (after a restore too).
func memoryPragmas(ctx context.Context, db *sql.DB, restored bool) error {
	// A rollback journal (in memory): with none, a failed or abandoned
	// update could not be rolled back. The pages of a ":memory:" database
	// live in its page cache, whatever its size; a restored one's live in
	// the deserialized image, and the cache only copies the pages being
	// read: a small one keeps a scan of the index from holding a second
	// copy of it.
	cache := "cache_size=-262144"
	if restored {
		cache = "cache_size=-16384"
	}
	for _, p := range []string{"temp_store=MEMORY", "journal_mode=MEMORY", "synchronous=OFF", cache} {
		if _, err := db.ExecContext(ctx, "PRAGMA "+p); err != nil {
			return fmt.Errorf("search index: PRAGMA %s: %w", p, err)
		}
	}
	var ts int
	var file string
	if err := db.QueryRowContext(ctx, "PRAGMA temp_store").Scan(&ts); err != nil || ts != 2 {
		return fmt.Errorf("search index: temp_store is %d, want 2 (memory): refusing to build an index that could spill to disk", ts)
	}
	if err := db.QueryRowContext(ctx, "SELECT file FROM pragma_database_list WHERE name = 'main'").Scan(&file); err != nil || file != "" {
		return fmt.Errorf("search index: the database is backed by file %q, want memory only", file)
	}
	return nil
}

// indexPageSize is the page size of the index database. Each page of an
// in-memory database is one allocation of the page and a few hundred bytes
// of header; SQLite's allocator (modernc.org/memory) rounds allocations up
// to a power of two to 16 KiB, and larger ones to 4 KiB: 4 KiB pages took
// 8 KiB each, 64 KiB pages take 68.
const indexPageSize = 65536

// newIndex opens an empty index.
func newIndex(ctx context.Context) (*Index, error) {
	db, err := openMemory(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := db.ExecContext(ctx, `PRAGMA page_size = `+strconv.Itoa(indexPageSize)+`;`+indexSchema); err != nil {
		db.Close()
		return nil, fmt.Errorf("search index: %w", err)
	}
	// Large in-memory segments: fewer FTS5 merges while loading.
	if _, err := db.ExecContext(ctx, `INSERT INTO fts (fts, rank) VALUES ('automerge', 8), ('crisismerge', 64)`); err != nil {
		db.Close()
		return nil, fmt.Errorf("search index: %w", err)
	}
	return &Index{db: db, items: map[uuid.UUID]int64{}, parses: map[uuid.UUID]uuid.UUID{}, dict: map[valKey]int64{}, times: map[uuid.UUID][]int64{},
		itemNo: map[uuid.UUID]int64{}, itemOf: map[int64]uuid.UUID{}}, nil
}

// Build reads every event of s's current timeline and indexes it, or
// restores the index from the case's snapshot when that covers exactly the
// current timeline (Open with no options but progress).
func Build(ctx context.Context, s *Store, progress func(done, total int64)) (*Index, error) {
	return Open(ctx, s, OpenOptions{Progress: progress})
}

// rebuild indexes the events of parses ps from their sealed batches.
func rebuild(ctx context.Context, s *Store, ps []parseBody, annotations int64, progress func(done, total int64)) (*Index, error) {
	ix, err := newIndex(ctx)
	if err != nil {
		return nil, err
	}
	var total int64
	for _, p := range ps {
		total += p.Events
	}
	evs := func(yield func(Event, error) bool) {
		for i := range ps {
			if !s.events(&ps[i], yield) {
				return
			}
		}
	}
	if err := ix.load(ctx, evs, total, progress, nil); err != nil {
		ix.db.Close()
		return nil, err
	}
	for _, p := range ps {
		ix.parses[p.Item] = p.ID
	}
	ix.annotations = annotations
	if err := ix.finish(ctx); err != nil {
		ix.db.Close()
		return nil, err
	}
	return ix, nil
}

// finish creates the secondary indexes after the first load that gave the
// index events (sorting once is cheaper than inserting into them row by
// row: a parse into an empty index loads without them) and records the
// cover in the database. The caller holds ix.mu or owns ix.
func (ix *Index) finish(ctx context.Context) error {
	if !ix.indexed && ix.events > 0 {
		if _, err := ix.db.ExecContext(ctx, indexIndexes); err != nil {
			return fmt.Errorf("search index: %w", err)
		}
		ix.indexed = true
	}
	_, err := ix.db.ExecContext(ctx, `INSERT OR REPLACE INTO meta (key, value) VALUES ('format', ?), ('cover', ?)`, indexFormat, ix.cover())
	return err
}

// load inserts events in one transaction, many rows per statement.
// before, when not nil, runs first in the same transaction. The caller
// holds ix.mu or owns ix.
func (ix *Index) load(ctx context.Context, evs func(func(Event, error) bool), total int64, progress func(done, total int64),
	before func(*sql.Tx) error) (err error) {
	tx, err := ix.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tx.Rollback()
			ix.discardValues()
		}
	}()
	if before != nil {
		if err := before(tx); err != nil {
			return err
		}
	}
	l, err := ix.loader(ctx, tx)
	if err != nil {
		return err
	}
	for e, rerr := range evs {
		if rerr != nil {
			return rerr
		}
		if err := l.add(&e); err != nil {
			return err
		}
		if progress != nil && l.done%10000 == 0 {
			progress(l.done, total)
		}
	}
	if err := l.close(); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	l.apply()
	if progress != nil {
		progress(l.done, total)
	}
	return nil
}

// A loader inserts events into the index inside one transaction of it;
// apply counts them into the index once the transaction committed.
type loader struct {
	ix    *Index
	b     *bulk
	next  int64
	done  int64
	items map[uuid.UUID]int64
	// The inverted lists of this load, written in key order by close:
	// the events (rowid - base) of each value new in this load (newPost,
	// by id - newBase) and of each value the index had before (oldPost).
	base, newBase int64
	newPost       [][]uint32
	oldPost       map[int64][]uint32
	ftext         strings.Builder
	vbuf          []byte
	times         map[uuid.UUID][]int64 // the times of the events of this load, by item
}

// valKey is a field's name and value, the key of the value dictionary.
type valKey struct{ name, value string }

func (ix *Index) loader(ctx context.Context, tx *sql.Tx) (*loader, error) {
	l := &loader{ix: ix, b: &bulk{ctx: ctx, tx: tx, stmts: map[string]*sql.Stmt{}}, items: map[uuid.UUID]int64{}, oldPost: map[int64][]uint32{},
		times: map[uuid.UUID][]int64{}}
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(rowid), 0) FROM events`).Scan(&l.next); err != nil {
		return nil, err
	}
	if ix.dict == nil { // restored from a snapshot: read the values once
		ix.dict = map[valKey]int64{}
		rows, err := tx.QueryContext(ctx, `SELECT id, name, value FROM vals`)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id int64
			var n, v string
			if err := rows.Scan(&id, &n, &v); err != nil {
				rows.Close()
				return nil, err
			}
			ix.dict[valKey{n, v}] = id
			ix.nextID = max(ix.nextID, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	l.base, l.newBase = l.next+1, ix.nextID+1
	return l, nil
}

func (l *loader) add(e *Event) error {
	se := storedEvent{TimeText: e.TimeText, TimeZone: e.TimeZone, ZoneAssumed: e.TimeZoneAssumed, Desc: e.TimestampDesc,
		Offset: e.Offset, Length: e.Length, Stream: e.Stream, Message: e.Message}
	if !e.Time.IsZero() {
		ns := e.Time.UnixNano()
		se.TimeNS = &ns
	}
	if len(e.Fields) > 0 {
		se.Fields = make([][2]string, len(e.Fields))
		for i, f := range e.Fields {
			se.Fields[i] = [2]string{f.Name, f.Value}
		}
	}
	n, err := l.ix.itemNumber(l.b.ctx, l.b.tx, e.Item)
	if err != nil {
		return err
	}
	return l.addStored(e.Item, n, e.Ordinal, e.Parser, &se)
}

// addStored indexes event ordinal of item (itemNo its number) as stored
// in a batch.
func (l *loader) addStored(item uuid.UUID, itemNo int64, ordinal int64, parser string, e *storedEvent) error {
	l.next++
	if l.next > maxIndexEvents {
		return fmt.Errorf("%w: the search index holds at most %d events", casefile.ErrInvalid, int64(maxIndexEvents))
	}
	ev := uint32(l.next - l.base)
	var t any
	if e.TimeNS != nil {
		t = *e.TimeNS
		l.times[item] = append(l.times[item], *e.TimeNS)
	}
	b := l.b
	l.ftext.Reset()
	l.vbuf = l.vbuf[:0]
	for _, f := range e.Fields {
		key := valKey{f[0], f[1]}
		id, ok := l.ix.dict[key]
		old := ok && id < l.newBase
		if !ok {
			if l.ix.nextID >= maxValueID {
				return fmt.Errorf("%w: the search index holds at most %d distinct field values", casefile.ErrInvalid, int64(maxValueID))
			}
			l.ix.nextID++
			id = l.ix.nextID
			l.ix.dict[key] = id // a failed load discards the dictionary (discardValues)
			var num any
			if v, ok := number(f[1]); ok {
				num = v
			}
			b.vals = append(b.vals, id, f[0], f[1], num)
			l.newPost = append(l.newPost, nil)
		}
		if old {
			l.oldPost[id] = append(l.oldPost[id], ev)
		} else {
			p := &l.newPost[id-l.newBase]
			*p = append(*p, ev)
		}
		l.vbuf = binary.AppendUvarint(l.vbuf, uint64(id))
		if !containsTokens(e.Message, f[1]) {
			if l.ftext.Len() > 0 {
				l.ftext.WriteByte('\n')
			}
			l.ftext.WriteString(f[1])
		}
	}
	var vals any
	if len(l.vbuf) > 0 {
		vals = bytes.Clone(l.vbuf)
	}
	b.events = append(b.events, l.next, itemNo, ordinal, parser, t, e.TimeText, e.TimeZone, e.ZoneAssumed,
		e.Desc, e.Offset, e.Length, e.Stream, e.Message, vals)
	b.fts = append(b.fts, l.next, e.Message, l.ftext.String())
	if err := b.flush(false); err != nil {
		return err
	}
	l.done++
	l.items[item]++
	return nil
}

// close writes what is left, then the inverted lists in (value, event)
// order: appended at the end of each value's range, never in the middle of
// the table's pages.
func (l *loader) close() error {
	if err := l.b.flush(true); err != nil {
		return err
	}
	b := l.b
	post := func(id int64, evs []uint32) error {
		for _, ev := range evs {
			b.fields = append(b.fields, postKey(id, l.base+int64(ev)))
			if err := b.flush(false); err != nil {
				return err
			}
		}
		return nil
	}
	for _, id := range slices.Sorted(maps.Keys(l.oldPost)) {
		if err := post(id, l.oldPost[id]); err != nil {
			return err
		}
	}
	for i, evs := range l.newPost {
		if err := post(l.newBase+int64(i), evs); err != nil {
			return err
		}
	}
	l.newPost, l.oldPost = nil, nil
	if err := b.flush(true); err != nil {
		return err
	}
	for it := range l.items {
		ts := l.times[it]
		slices.Sort(ts)
		if _, err := b.tx.ExecContext(b.ctx, `INSERT OR REPLACE INTO times (item, data) VALUES (?, ?)`, it.String(), packTimes(ts)); err != nil {
			return fmt.Errorf("search index: %w", err)
		}
	}
	return nil
}

// apply counts the committed events into the index. A load holds all the
// events of its items (their earlier ones were deleted first).
func (l *loader) apply() {
	for it, n := range l.items {
		l.ix.items[it] += n
		l.ix.times[it] = l.times[it]
	}
	l.ix.events += l.done
}

// packTimes writes sorted times as the first (a varint) and the gaps
// (uvarints).
func packTimes(ts []int64) []byte {
	out := make([]byte, 0, len(ts)*2+8)
	for i, t := range ts {
		if i == 0 {
			out = binary.AppendVarint(out, t)
		} else {
			out = binary.AppendUvarint(out, uint64(t-ts[i-1]))
		}
	}
	return out
}

// unpackTimes reads packTimes.
func unpackTimes(b []byte) ([]int64, error) {
	var out []int64
	for len(b) > 0 {
		var t int64
		var n int
		if len(out) == 0 {
			t, n = binary.Varint(b)
		} else {
			var d uint64
			d, n = binary.Uvarint(b)
			t = out[len(out)-1] + int64(d)
			if n > 0 && (d > math.MaxInt64 || t < out[len(out)-1]) {
				n = -1
			}
		}
		if n <= 0 {
			return nil, errors.New("search index: a list of event times is damaged")
		}
		out = append(out, t)
		b = b[n:]
	}
	return out, nil
}

// unpackVals reads the vals column of an event: its value ids in order.
func unpackVals(b []byte) ([]int64, error) {
	var out []int64
	for len(b) > 0 {
		v, n := binary.Uvarint(b)
		if n <= 0 || v > math.MaxInt64 {
			return nil, errors.New("search index: an event's list of values is damaged")
		}
		out = append(out, int64(v))
		b = b[n:]
	}
	return out, nil
}

// containsTokens reports whether every FTS5 token of v is certainly a
// token of msg: v occurs in msg with a token boundary on each side (or v
// itself begins or ends with a separator there). Then the value's words
// need not be indexed a second time: a term or phrase within the value
// matches the message. When in doubt (another case, a character whose
// class is unclear) it answers false, and the value is indexed.
func containsTokens(msg, v string) bool {
	if v == "" {
		return true
	}
	first, _ := utf8.DecodeRuneInString(v)
	last, _ := utf8.DecodeLastRuneInString(v)
	for from := 0; from <= len(msg)-len(v); {
		i := strings.Index(msg[from:], v)
		if i < 0 {
			return false
		}
		i += from
		end := i + len(v)
		before, _ := utf8.DecodeLastRuneInString(msg[:i])
		after, _ := utf8.DecodeRuneInString(msg[end:])
		if (i == 0 || !tokenRune(before) || !tokenRune(first)) && (end == len(msg) || !tokenRune(after) || !tokenRune(last)) {
			return true
		}
		from = i + 1
	}
	return false
}

// tokenRune over-approximates the characters unicode61 keeps in tokens
// (letters, numbers, private use; marks, which remove_diacritics folds):
// a wrong "yes" only indexes a value twice.
func tokenRune(r rune) bool {
	return r >= utf8.RuneSelf || unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.IsMark(r) || r == utf8.RuneError
}

// bulk gathers rows and inserts them many at a time.
type bulk struct {
	ctx                       context.Context
	tx                        *sql.Tx
	stmts                     map[string]*sql.Stmt
	events, vals, fields, fts []any
}

// Rows per INSERT, by table. FTS5 flushes its pending terms into a new
// segment at every statement (its xSavepoint), and merging small segments
// is most of its cost: so its statements are the largest (within SQLite's
// 32766 bound variables; at 8192 rows a statement FTS5's flushes took a
// fifth of the CPU they took at 1024). The plain tables take INSERT OR IGNORE: no row
// can conflict (new rowids, new value ids, each (value, event) once), and
// a statement that cannot abort needs no statement journal, which would
// copy every page the statement touches once more.
var bulkTables = []struct {
	verb, name, cols string
	n, rows          int
}{
	{"INSERT OR IGNORE", "events", "rowid, item, ordinal, parser, time, time_text, time_zone, zone_assumed, tdesc, off, len, stream, message, vals", 14, 256},
	{"INSERT OR IGNORE", "vals", "id, name, value, num", 4, 256},
	{"INSERT OR IGNORE", "fields", "id", 1, 8192},
	{"INSERT", "fts", "rowid, message, ftext", 3, 8192},
}

func (b *bulk) flush(all bool) error {
	for i, buf := range []*[]any{&b.events, &b.vals, &b.fields, &b.fts} {
		tb := bulkTables[i]
		for len(*buf) >= tb.rows*tb.n || (all && len(*buf) > 0) {
			rows := min(tb.rows, len(*buf)/tb.n)
			if err := b.insert(tb.verb, tb.name, tb.cols, tb.n, rows, (*buf)[:rows*tb.n]); err != nil {
				return err
			}
			*buf = append((*buf)[:0], (*buf)[rows*tb.n:]...)
		}
	}
	return nil
}

// insert runs one INSERT of rows rows of n columns; the statement text is
// built from constants only, every value is bound.
func (b *bulk) insert(verb, table, cols string, n, rows int, args []any) error {
	key := table + "/" + strconv.Itoa(rows)
	st, ok := b.stmts[key]
	if !ok {
		one := "(" + strings.TrimSuffix(strings.Repeat("?, ", n), ", ") + ")"
		q := verb + " INTO " + table + " (" + cols + ") VALUES " + strings.TrimSuffix(strings.Repeat(one+", ", rows), ", ")
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
	var p *parseBody
	if err := s.c.Read("read the timeline", func(r casefile.Reader) (err error) {
		p, err = current(r, item)
		return err
	}); err != nil {
		return err
	}
	var evs func(func(Event, error) bool) = func(func(Event, error) bool) {}
	var total int64
	if p != nil {
		evs = func(yield func(Event, error) bool) { s.events(p, yield) }
		total = p.Events
	}
	old := ix.items[item]
	err := ix.load(ctx, evs, total, nil, func(tx *sql.Tx) error { return deleteItem(ctx, tx, ix, item) })
	if err != nil {
		return err
	}
	ix.items[item] -= old
	ix.events -= old
	if ix.items[item] == 0 {
		delete(ix.items, item)
		delete(ix.times, item)
	}
	if p != nil {
		ix.parses[item] = p.ID
	} else {
		delete(ix.parses, item)
	}
	// A re-parse moves ordinals: the annotations are resolved again.
	if err := ix.reloadAnnotations(ctx, s); err != nil {
		return err
	}
	return ix.finish(ctx)
}

// deleteItem removes the rows of item in transaction tx of the index. The
// events of an item have consecutive rowids (one load each): its entries
// of fields are found value by value within that range.
func deleteItem(ctx context.Context, tx *sql.Tx, ix *Index, item uuid.UUID) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM times WHERE item = ?`, item.String()); err != nil {
		return fmt.Errorf("search index: %w", err)
	}
	if err := ix.loadItems(ctx, tx); err != nil {
		return fmt.Errorf("search index: %w", err)
	}
	no, ok := ix.itemNo[item]
	if !ok {
		return nil // never indexed
	}
	var lo, hi sql.NullInt64
	var n int64
	if err := tx.QueryRowContext(ctx, `SELECT min(rowid), max(rowid), count(*) FROM events WHERE item = ?`, no).Scan(&lo, &hi, &n); err != nil {
		return fmt.Errorf("search index: %w", err)
	}
	if n == 0 {
		return nil
	}
	fields := `DELETE FROM fields WHERE id IN (SELECT f.id FROM vals v JOIN fields f ON f.id BETWEEN v.id * 4294967296 + ? AND v.id * 4294967296 + ?`
	args := []any{lo.Int64, hi.Int64}
	if hi.Int64-lo.Int64+1 != n { // not one range (never written so): each event
		fields += ` AND ` + postEvent + ` IN (SELECT rowid FROM events WHERE item = ?)`
		args = append(args, no)
	}
	for _, q := range []struct {
		q    string
		args []any
	}{
		{`DELETE FROM fts WHERE rowid IN (SELECT rowid FROM events WHERE item = ?)`, []any{no}},
		{fields + `)`, args},
		{`DELETE FROM events WHERE item = ?`, []any{no}},
	} {
		if _, err := tx.ExecContext(ctx, q.q, q.args...); err != nil {
			return fmt.Errorf("search index: %w", err)
		}
	}
	return nil
}

// discardValues re-reads the value dictionary after a failed load.
func (ix *Index) discardValues() { ix.dict, ix.nextID, ix.itemNo, ix.itemOf = nil, 0, nil, nil }

// loadItems reads the items table into itemNo and itemOf when they were
// discarded (or the index restored). The caller holds ix.mu or owns ix.
func (ix *Index) loadItems(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}) error {
	if ix.itemNo != nil {
		return nil
	}
	no, of := map[uuid.UUID]int64{}, map[int64]uuid.UUID{}
	rows, err := q.QueryContext(ctx, `SELECT n, uuid FROM items`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var n int64
		var u string
		if err := rows.Scan(&n, &u); err != nil {
			return err
		}
		id, err := uuid.Parse(u)
		if err != nil {
			return fmt.Errorf("search index: item %q: %w", u, err)
		}
		no[id], of[n] = n, id
	}
	if err := rows.Err(); err != nil {
		return err
	}
	ix.itemNo, ix.itemOf = no, of
	return nil
}

// itemNumber returns item's number, numbering it in transaction tx when
// it has none (a failed load discards the maps, as it does the values).
func (ix *Index) itemNumber(ctx context.Context, tx *sql.Tx, item uuid.UUID) (int64, error) {
	if err := ix.loadItems(ctx, tx); err != nil {
		return 0, err
	}
	if n, ok := ix.itemNo[item]; ok {
		return n, nil
	}
	n := int64(len(ix.itemNo)) + 1
	for _, ok := ix.itemOf[n]; ok; _, ok = ix.itemOf[n] {
		n++
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO items (n, uuid) VALUES (?, ?)`, n, item.String()); err != nil {
		return 0, err
	}
	ix.itemNo[item], ix.itemOf[n] = n, item
	return n, nil
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
	// Exclude leaves out the events of these items: the case's withdrawn
	// items (Store.Withdrawn), which searches, counts, histograms and
	// exports leave out unless asked to show them.
	Exclude []uuid.UUID
}

// DefaultLimit is the page size of a search without a limit.
const DefaultLimit = 100

// MaxLimit bounds one page.
const MaxLimit = 100_000

// where turns f into a WHERE clause over events e and its bound arguments.
func (f Filter) where() (string, []any, error) {
	p, err := f.plan(false)
	if err != nil {
		return "", nil, err
	}
	return p.where, p.args, nil
}

// A plan is a Filter as SQL. Without split, where holds every condition.
// With split, an FTS5 expression that every selected event matches is
// taken out of it when the query has one at its top (a term, a phrase, a
// combination of them, or one side of an AND): fts, to drive the query
// from the full-text index (FROM fts CROSS JOIN events e), with bounds,
// a condition on fts.rowid that the time range implies, and where
// holds the rest ("" when nothing else is asked).
type plan struct {
	fts        string
	bounds     string
	boundsArgs []any
	where      string
	args       []any
	// queryless is set when the filter has no query text: only its time
	// range, item and exclusions.
	queryless bool
	// values is the filter's only condition when that is a field answered
	// by the inverted lists: its events are its list's entries, one each.
	values *node
}

func (f Filter) plan(split bool) (plan, error) {
	n, err := parseQuery(f.Query)
	if err != nil {
		return plan{}, err
	}
	var p plan
	p.queryless = n == nil
	if n != nil && f.From.IsZero() && f.To.IsZero() && f.Item == uuid.Nil && len(f.Exclude) == 0 {
		if _, _, ok := n.valuesWhere(); ok {
			p.values = n
		}
	}
	if split && groupFTS && n != nil {
		p.fts, n = splitFTS(n)
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
			return plan{}, fmt.Errorf("%w: the range starts in year %d; a timeline holds 1678 to 2261", casefile.ErrInvalid, y)
		}
		conds = append(conds, `e.time >= ?`)
		args = append(args, f.From.UnixNano())
	}
	if !f.To.IsZero() {
		if y := f.To.UTC().Year(); y < 1678 || y > 2261 {
			return plan{}, fmt.Errorf("%w: the range ends in year %d; a timeline holds 1678 to 2261", casefile.ErrInvalid, y)
		}
		conds = append(conds, `e.time < ?`)
		args = append(args, f.To.UnixNano())
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		return plan{}, fmt.Errorf("%w: the range starts at %s, not before its end %s: give an earlier start or a later end",
			casefile.ErrInvalid, casefile.FormatTime(f.From), casefile.FormatTime(f.To))
	}
	if p.fts != "" && !f.From.IsZero() && !f.To.IsZero() {
		// The events of a closed range lie between the smallest and the
		// largest rowid among them (read from the index on time): FTS5
		// then reads only that stretch of its lists.
		const in = `FROM events WHERE time >= ? AND time < ?`
		p.bounds = ` AND fts.rowid BETWEEN coalesce((SELECT min(rowid) ` + in + `), 0) AND coalesce((SELECT max(rowid) ` + in + `), -1)`
		p.boundsArgs = []any{f.From.UnixNano(), f.To.UnixNano(), f.From.UnixNano(), f.To.UnixNano()}
	}
	if f.Item != uuid.Nil {
		conds = append(conds, `e.item = (SELECT n FROM items WHERE uuid = ?)`)
		args = append(args, f.Item.String())
	}
	if len(f.Exclude) > 0 {
		conds = append(conds, `e.item NOT IN (SELECT n FROM items WHERE uuid IN (?`+strings.Repeat(`, ?`, len(f.Exclude)-1)+`))`)
		for _, id := range f.Exclude {
			args = append(args, id.String())
		}
	}
	if len(conds) > 0 {
		p.where, p.args = " WHERE "+strings.Join(conds, " AND "), args
	}
	return p, nil
}

// from returns the FROM clause and conditions of p for a query over
// events e, with its arguments: driven by the full-text index when p has
// an FTS expression.
func (p plan) from() (string, []any) {
	if p.fts == "" {
		return ` FROM events e` + p.where, p.args
	}
	q := ` FROM fts CROSS JOIN events e ON e.rowid = fts.rowid WHERE fts MATCH ?` + p.bounds
	args := append([]any{p.fts}, p.boundsArgs...)
	if p.where != "" {
		q += " AND " + strings.TrimPrefix(p.where, " WHERE ")
	}
	return q, append(args, p.args...)
}

// ftsExpr returns n as one FTS5 expression when it is made of terms and
// phrases only (joined by AND and OR, with NOT after a term it narrows):
// FTS5 then combines their lists itself, in one MATCH.
func (n *node) ftsExpr() (string, bool) {
	switch n.kind {
	case nTerm:
		expr := ftsString(n.text)
		if n.prefix {
			expr += " *"
		}
		if n.name == "message" {
			expr = "message : " + expr
		}
		return "(" + expr + ")", true
	case nOr:
		parts := make([]string, len(n.kids))
		for i, k := range n.kids {
			e, ok := k.ftsExpr()
			if !ok {
				return "", false
			}
			parts[i] = e
		}
		return "(" + strings.Join(parts, " OR ") + ")", true
	case nAnd:
		e, rest := andFTS(n.kids)
		return e, e != "" && len(rest) == 0
	}
	return "", false
}

// andFTS splits the kids of an AND into one FTS5 expression for those it
// can take (at least one positive) and the rest.
func andFTS(kids []*node) (string, []*node) {
	var pos, neg []string
	var rest []*node
	for _, k := range kids {
		if k.kind == nNot {
			if e, ok := k.kids[0].ftsExpr(); ok {
				neg = append(neg, e)
				continue
			}
		} else if e, ok := k.ftsExpr(); ok {
			pos = append(pos, e)
			continue
		}
		rest = append(rest, k)
	}
	if len(pos) == 0 {
		return "", kids
	}
	e := "(" + strings.Join(pos, " AND ") + ")"
	for _, ne := range neg {
		e = "(" + e + " NOT " + ne + ")"
	}
	return e, rest
}

// splitFTS takes the FTS5 expression out of the top of n: the whole of n,
// or the part of its AND that FTS5 can take; rest is what remains (nil
// when nothing).
func splitFTS(n *node) (string, *node) {
	if e, ok := n.ftsExpr(); ok {
		return e, nil
	}
	if n.kind != nAnd {
		return "", n
	}
	e, rest := andFTS(n.kids)
	switch {
	case e == "":
		return "", n
	case len(rest) == 1:
		return e, rest[0]
	}
	return e, &node{kind: nAnd, kids: rest, pos: n.pos}
}

// sql writes n as an SQL condition on events e; every value goes to args.
func (n *node) sql(b *strings.Builder, args *[]any) {
	if !groupFTS {
		n.plainSQL(b, args)
		return
	}
	if n.kind != nTerm {
		if e, ok := n.ftsExpr(); ok {
			b.WriteString(`e.rowid IN (SELECT rowid FROM fts WHERE fts MATCH ?)`)
			*args = append(*args, e)
			return
		}
	}
	if n.kind == nAnd {
		if e, rest := andFTS(n.kids); e != "" {
			b.WriteString(`(e.rowid IN (SELECT rowid FROM fts WHERE fts MATCH ?)`)
			*args = append(*args, e)
			for _, k := range rest {
				b.WriteString(" AND ")
				k.sql(b, args)
			}
			b.WriteByte(')')
			return
		}
	}
	n.plainSQL(b, args)
}

// groupFTS makes sql combine the terms FTS5 can take into one MATCH; the
// tests turn it off to compare with one subquery per term.
var groupFTS = true

// plainSQL writes n as an SQL condition node by node, each term its own
// FTS5 subquery.
func (n *node) plainSQL(b *strings.Builder, args *[]any) {
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
			col = "(SELECT uuid FROM items WHERE n = e.item)"
		case "id":
			col = "((SELECT uuid FROM items WHERE n = e.item) || ':' || e.ordinal)"
		}
		val := n.text
		if n.name == "item" || n.name == "id" {
			val = strings.ToLower(val)
		}
		if n.name == "id" && !n.prefix { // item and ordinal: the index of events by item
			item, ord, err := ParseEventID(val)
			if err != nil || EventID(item, ord) != val {
				b.WriteString(`0`) // no event has an id written so
				return
			}
			b.WriteString(`(e.item = (SELECT n FROM items WHERE uuid = ?) AND e.ordinal = ?)`)
			*args = append(*args, item.String(), ord)
			return
		}
		if n.name == "item" && !n.prefix { // the index of events by item
			b.WriteString(`e.item = (SELECT n FROM items WHERE uuid = ?)`)
			*args = append(*args, val)
			return
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
		cond, cargs, _ := n.valuesWhere()
		b.WriteString(`e.rowid IN (SELECT ` + postEvent + ` FROM vals v JOIN ` + postings + ` WHERE ` + cond + `)`)
		*args = append(*args, cargs...)
	case nAnnot:
		n.annotSQL(b, args)
	case nCompare:
		op := map[string]string{">": ">", ">=": ">=", "<": "<", "<=": "<="}[n.op] // one of four, never query text
		if n.name == "time" {
			b.WriteString(`e.time ` + op + ` ?`)
			*args = append(*args, n.ns)
			return
		}
		cond, cargs, _ := n.valuesWhere()
		b.WriteString(`e.rowid IN (SELECT ` + postEvent + ` FROM vals v JOIN ` + postings + ` WHERE ` + cond + `)`)
		*args = append(*args, cargs...)
	}
}

// valuesWhere is the condition on vals v of a field expression answered
// by the inverted lists (a named field compared, matched or prefixed; not
// the columns parser, item, id, timestamp_desc, nor time).
func (n *node) valuesWhere() (string, []any, bool) {
	switch {
	case n.kind == nField && !slices.Contains([]string{"parser", "timestamp_desc", "item", "id"}, n.name):
		if n.prefix {
			return `v.name = ? AND v.value LIKE ? ESCAPE '\'`, []any{n.name, likePrefix(n.text)}, true
		}
		return `v.name = ? AND v.value = ?`, []any{n.name, n.text}, true
	case n.kind == nCompare && n.name != "time":
		op := map[string]string{">": ">", ">=": ">=", "<": "<", "<=": "<="}[n.op] // one of four, never query text
		return `v.name = ? AND v.num ` + op + ` ?`, []any{n.name, n.num}, true
	}
	return "", nil, false
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
		err = ix.db.QueryRowContext(ctx, `SELECT time, rowid FROM events WHERE item = (SELECT n FROM items WHERE uuid = ?) AND ordinal = ?`,
			item.String(), n).Scan(&t, &rowid)
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
	q := `SELECT e.rowid, e.item, e.ordinal, e.parser, e.time, e.time_text, e.time_zone, e.zone_assumed, e.tdesc, e.off, e.len, e.stream, e.message, e.vals
		FROM events e` + where + ` ORDER BY e.time, e.rowid LIMIT ? OFFSET ?`
	if err := ix.loadItems(ctx, ix.db); err != nil {
		return nil, searchError(err)
	}
	rows, err := ix.db.QueryContext(ctx, q, append(args, limit, f.Offset)...)
	if err != nil {
		return nil, searchError(err)
	}
	defer rows.Close()
	var out []Event
	var vals [][]int64
	for rows.Next() {
		var e Event
		var item, rowid int64
		var t sql.NullInt64
		var vb []byte
		if err := rows.Scan(&rowid, &item, &e.Ordinal, &e.Parser, &t, &e.TimeText, &e.TimeZone, &e.TimeZoneAssumed, &e.TimestampDesc,
			&e.Offset, &e.Length, &e.Stream, &e.Message, &vb); err != nil {
			return nil, searchError(err)
		}
		var ok bool
		if e.Item, ok = ix.itemOf[item]; !ok {
			return nil, searchError(fmt.Errorf("search index: an event names item %d, which the index does not hold", item))
		}
		e.ID = EventID(e.Item, e.Ordinal)
		if t.Valid {
			e.Time = time.Unix(0, t.Int64).UTC()
		}
		ids, err := unpackVals(vb)
		if err != nil {
			return nil, searchError(err)
		}
		out = append(out, e)
		vals = append(vals, ids)
	}
	if err := rows.Err(); err != nil {
		return nil, searchError(err)
	}
	rows.Close()
	if err := ix.fieldsOf(ctx, out, vals); err != nil {
		return nil, searchError(err)
	}
	ix.attachAnnotations(out)
	return out, nil
}

// fieldsOf fills in the fields of evs from their value ids (vals[i] for
// evs[i], in the parser's order). The caller holds ix.mu.
func (ix *Index) fieldsOf(ctx context.Context, evs []Event, vals [][]int64) error {
	want := map[int64]Field{}
	for _, ids := range vals {
		for _, id := range ids {
			want[id] = Field{}
		}
	}
	if len(want) == 0 {
		return nil
	}
	ids, _ := json.Marshal(slices.Collect(maps.Keys(want)))
	rows, err := ix.db.QueryContext(ctx, `SELECT id, name, value FROM vals WHERE id IN (SELECT value FROM json_each(?))`, string(ids))
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var f Field
		if err := rows.Scan(&id, &f.Name, &f.Value); err != nil {
			return err
		}
		want[id] = f
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for i, ids := range vals {
		for _, id := range ids {
			f := want[id]
			if f.Name == "" {
				return errors.New("search index: an event names a value the index does not hold")
			}
			evs[i].Fields = append(evs[i].Fields, f)
		}
	}
	return nil
}

// Query is Search with the arguments spelled out: query text, time range
// (From included, To excluded, zero for open), item (uuid.Nil for all) and
// limit.
func (ix *Index) Query(ctx context.Context, q string, from, to time.Time, item uuid.UUID, limit int) ([]Event, error) {
	return ix.Search(ctx, Filter{Query: q, From: from, To: to, Item: item, Limit: limit})
}

// Count returns how many events f selects (its page is ignored).
func (ix *Index) Count(ctx context.Context, f Filter) (int64, error) {
	q, args, err := f.countSQL()
	if err != nil {
		return 0, err
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.db == nil {
		return 0, errIndexClosed
	}
	var n int64
	if err := ix.db.QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
		return 0, searchError(err)
	}
	return n, nil
}

// countSQL is the query of Count. A query of terms alone is counted in the
// full-text index (its rows are the events, one each); one with more is
// driven from it when it has terms at its top.
func (f Filter) countSQL() (string, []any, error) {
	p, err := f.plan(true)
	if err != nil {
		return "", nil, err
	}
	if p.fts != "" && p.where == "" {
		return `SELECT count(*) FROM fts WHERE fts MATCH ?`, []any{p.fts}, nil
	}
	if p.values != nil { // its events, without reading them (an event may have a name twice, in two cases)
		cond, args, _ := p.values.valuesWhere()
		return `SELECT count(DISTINCT ` + postEvent + `) FROM vals v JOIN ` + postings + ` WHERE ` + cond, args, nil
	}
	from, args := p.from()
	return `SELECT count(*)` + from, args, nil
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
	case "parser":
		q = `SELECT e.parser AS v, count(*) AS n FROM events e` + where + ` GROUP BY v ORDER BY n DESC, v LIMIT ?`
	case "item":
		q = `SELECT (SELECT uuid FROM items WHERE n = e.item) AS v, count(*) AS n FROM events e` + where + ` GROUP BY e.item ORDER BY n DESC, v LIMIT ?`
	default:
		q = `SELECT v.value AS val, count(*) AS n FROM vals v JOIN ` + postings + ` JOIN events e ON e.rowid = ` + postEvent + where
		if where == "" {
			q += ` WHERE v.name = ?`
		} else {
			q += ` AND v.name = ?`
		}
		q += ` GROUP BY val ORDER BY n DESC, val LIMIT ?`
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
	p, err := f.plan(true)
	if err != nil {
		return nil, err
	}
	if p.where == "" {
		p.where = " WHERE e.time IS NOT NULL"
	} else {
		p.where += " AND e.time IS NOT NULL"
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.db == nil {
		return nil, errIndexClosed
	}
	w := int64(bucket)
	from, args := p.from()
	q := `SELECT e.time - (((e.time % ?) + ?) % ?) AS b, count(*)` + from + ` GROUP BY b ORDER BY b`
	args = append([]any{w, w, w}, args...)
	if p.queryless {
		return ix.timesHistogram(f, bucket)
	}
	rows, err := ix.db.QueryContext(ctx, q, args...)
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

// timesHistogram is Histogram for a filter without query text, counted
// from the sorted event times of the items it selects. The caller holds
// ix.mu.
func (ix *Index) timesHistogram(f Filter, bucket time.Duration) ([]Bucket, error) {
	w := int64(bucket)
	floor := func(t int64) int64 { return t - ((t%w)+w)%w }
	var parts [][]int64
	lo, hi := int64(math.MaxInt64), int64(math.MinInt64)
	for it, ts := range ix.times {
		if (f.Item != uuid.Nil && it != f.Item) || slices.Contains(f.Exclude, it) {
			continue
		}
		if !f.From.IsZero() {
			i, _ := slices.BinarySearch(ts, f.From.UnixNano())
			ts = ts[i:]
		}
		if !f.To.IsZero() {
			i, _ := slices.BinarySearch(ts, f.To.UnixNano())
			ts = ts[:i]
		}
		if len(ts) == 0 {
			continue
		}
		parts = append(parts, ts)
		lo, hi = min(lo, ts[0]), max(hi, ts[len(ts)-1])
	}
	if len(parts) == 0 {
		return nil, nil
	}
	first, last := floor(lo), floor(hi)
	if uint64(last-first)/uint64(w) >= MaxBuckets {
		return nil, fmt.Errorf("%w: the events span more than %d buckets of %s: choose a larger bucket or a shorter range",
			casefile.ErrInvalid, MaxBuckets, bucket)
	}
	out := make([]Bucket, int(uint64(last-first)/uint64(w))+1)
	for i := range out {
		out[i].Start = time.Unix(0, first+int64(i)*w).UTC()
	}
	for _, ts := range parts {
		for _, t := range ts {
			out[uint64(floor(t)-first)/uint64(w)].Count++
		}
	}
	return out, nil
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
