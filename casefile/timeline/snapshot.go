package timeline

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/google/uuid"
)

// The sealed snapshot of the index (docs/FORMAT.md 12.5). The index of a
// large timeline takes far longer to build than to copy, so the case keeps
// a copy: the in-memory database serialized (SQLite's own file image,
// modernc's conn Serialize), compressed and sealed in parts by
// casefile.PutSnapshot. Its cover names exactly what it was built from —
// the index layout, the current parse of every item, the last annotation
// row — and Open restores it only when that is exactly the current
// timeline; otherwise, or when it fails to authenticate, decompress or
// check, the index is rebuilt from the sealed batches and the snapshot is
// written again at the next parse (a write), never at open. A snapshot is
// derived data: it is not a custody entry, and it is replaced, not
// appended.

// SnapshotName is the name of the index's snapshot in the case.
const SnapshotName = "timeline-index"

// The cover names the last row of tblAnnotations (annotate.go), so that an
// index that reflects annotations is never restored without the latest of
// them.

// OpenOptions are the choices of Open.
type OpenOptions struct {
	// Progress, when not nil, is called now and then with the events
	// indexed (or restored) so far and the total.
	Progress func(done, total int64)
	// Warn, when not nil, is told why a stored snapshot that covers the
	// current timeline could not be used (it is damaged); the index is
	// rebuilt. An out-of-date snapshot is no warning.
	Warn func(error)
}

// coverText is the cover of an index of parses (item → parse) and
// annotations up to row ann: "custodia-index/2 annotations=N item=parse …",
// items in order.
func coverText(parses map[uuid.UUID]uuid.UUID, ann int64) string {
	items := make([]string, 0, len(parses))
	for it, p := range parses {
		items = append(items, it.String()+"="+p.String())
	}
	slices.Sort(items)
	return indexFormat + " annotations=" + strconv.FormatInt(ann, 10) + " " + strings.Join(items, " ")
}

func (ix *Index) cover() string { return coverText(ix.parses, ix.annotations) }

// Cover returns what the index holds: its layout, the parse of every
// indexed item and the last annotation row it reflects.
func (ix *Index) Cover() string {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	return ix.cover()
}

// Restored reports whether the case's snapshot holds exactly this index
// (it was restored from it, or saved to it since).
func (ix *Index) Restored() bool {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	return ix.stored != "" && ix.stored == ix.cover()
}

// state reads, in one view, the current parse of every item and the last
// annotation row.
func (s *Store) state() (ps []parseBody, ann int64, err error) {
	err = s.c.Read("read the timeline", func(r casefile.Reader) error {
		if ps, err = currentAll(r); err != nil {
			return err
		}
		last, ok, err := r.Last(tblAnnotations)
		if ok {
			ann = last.Seq
		}
		return err
	})
	return ps, ann, err
}

// Open returns the index of s's current timeline: restored from the case's
// snapshot when that covers exactly the current timeline, otherwise built
// from the sealed batches. It never writes to the case (Save does).
func Open(ctx context.Context, s *Store, opts OpenOptions) (*Index, error) {
	ps, ann, err := s.state()
	if err != nil {
		return nil, err
	}
	parses := make(map[uuid.UUID]uuid.UUID, len(ps))
	var total int64
	for _, p := range ps {
		parses[p.Item] = p.ID
		total += p.Events
	}
	want := coverText(parses, ann)
	warn := func(err error) {
		if opts.Warn != nil {
			opts.Warn(err)
		}
	}
	info, ok, err := s.c.SnapshotManifest(SnapshotName)
	switch {
	case err != nil:
		warn(fmt.Errorf("the search index's snapshot is ignored and the index rebuilt: %w", err))
	case ok && info.Covers == want:
		if opts.Progress != nil {
			opts.Progress(0, total)
		}
		ix, err := restore(ctx, s, ps, ann, want)
		if err == nil {
			err = withAnnotations(ctx, ix, s)
		}
		if err == nil {
			if opts.Progress != nil {
				opts.Progress(total, total)
			}
			return ix, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		warn(fmt.Errorf("the search index's snapshot is ignored and the index rebuilt: %w", err))
	}
	ix, err := rebuild(ctx, s, ps, ann, opts.Progress)
	if err == nil {
		err = withAnnotations(ctx, ix, s)
	}
	if err != nil {
		return nil, err
	}
	return ix, nil
}

// withAnnotations loads the annotations of s into ix, which the caller
// owns (closing it on an error).
func withAnnotations(ctx context.Context, ix *Index, s *Store) error {
	if err := ix.reloadAnnotations(ctx, s); err != nil {
		ix.db.Close()
		return err
	}
	return nil
}

// errBadRestore marks a snapshot that decrypted but does not hold the
// index it claims.
var errBadRestore = errors.New("the restored index does not match its cover")

// restore reads the snapshot and loads it into a new in-memory database,
// then checks that it is the index of ps: its layout, its cover, and the
// number of events of every item.
func restore(ctx context.Context, s *Store, ps []parseBody, ann int64, want string) (*Index, error) {
	info, data, ok, err := s.c.Snapshot(SnapshotName)
	if err != nil {
		return nil, err
	}
	if !ok || info.Covers != want {
		return nil, fmt.Errorf("%w: the snapshot changed while it was read", errBadRestore)
	}
	db, err := openMemory(ctx)
	if err != nil {
		return nil, err
	}
	ok = false
	defer func() {
		if !ok {
			db.Close()
		}
	}()
	// The sealed parts are garbage now, and SQLite's copy of the image is
	// not Go memory: hand their pages back before it is made.
	debug.FreeOSMemory()
	if err := deserialize(ctx, db, data); err != nil {
		return nil, err
	}
	data = nil
	if err := memoryPragmas(ctx, db, true); err != nil {
		return nil, err
	}
	var format, cover string
	if err := db.QueryRowContext(ctx, `SELECT (SELECT value FROM meta WHERE key = 'format'), (SELECT value FROM meta WHERE key = 'cover')`).
		Scan(&format, &cover); err != nil {
		return nil, fmt.Errorf("%w: %v", errBadRestore, err)
	}
	if format != indexFormat || cover != want {
		return nil, fmt.Errorf("%w: it is %q over %q", errBadRestore, format, cover)
	}
	ix := &Index{db: db, items: map[uuid.UUID]int64{}, parses: map[uuid.UUID]uuid.UUID{}, annotations: ann, stored: want}
	// A snapshot of an index without events has no secondary indexes yet.
	if err := db.QueryRowContext(ctx, `SELECT count(*) > 0 FROM sqlite_master WHERE type = 'index' AND name = 'events_time'`).Scan(&ix.indexed); err != nil {
		return nil, fmt.Errorf("%w: %v", errBadRestore, err)
	}
	rows, err := db.QueryContext(ctx, `SELECT i.uuid, count(*) FROM events e JOIN items i ON i.n = e.item GROUP BY e.item`)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errBadRestore, err)
	}
	got := map[string]int64{}
	for rows.Next() {
		var it string
		var n int64
		if err := rows.Scan(&it, &n); err != nil {
			rows.Close()
			return nil, fmt.Errorf("%w: %v", errBadRestore, err)
		}
		got[it] = n
	}
	rows.Close()
	for _, p := range ps {
		ix.parses[p.Item] = p.ID
		if got[p.Item.String()] != p.Events {
			return nil, fmt.Errorf("%w: it holds %d events of item %s, whose parse has %d", errBadRestore, got[p.Item.String()], p.Item, p.Events)
		}
		delete(got, p.Item.String())
		if p.Events > 0 {
			ix.items[p.Item] = p.Events
		}
		ix.events += p.Events
	}
	if len(got) != 0 {
		return nil, fmt.Errorf("%w: it holds events of %d items the timeline does not have", errBadRestore, len(got))
	}
	if ix.times, err = readTimes(ctx, db, ix.items); err != nil {
		return nil, fmt.Errorf("%w: %v", errBadRestore, err)
	}
	ok = true
	return ix, nil
}

// readTimes reads the times table of a restored index: a list for every
// item with events, no more than its events.
func readTimes(ctx context.Context, db *sql.DB, items map[uuid.UUID]int64) (map[uuid.UUID][]int64, error) {
	out := map[uuid.UUID][]int64{}
	rows, err := db.QueryContext(ctx, `SELECT item, data FROM times`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var it string
		var data []byte
		if err := rows.Scan(&it, &data); err != nil {
			return nil, err
		}
		id, err := uuid.Parse(it)
		if err != nil {
			return nil, err
		}
		ts, err := unpackTimes(data)
		if err != nil {
			return nil, err
		}
		if n, ok := items[id]; !ok || int64(len(ts)) > n {
			return nil, fmt.Errorf("%d event times of item %s, which has %d events", len(ts), id, n)
		}
		out[id] = ts
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) != len(items) {
		return nil, fmt.Errorf("event times of %d items, events of %d", len(out), len(items))
	}
	return out, nil
}

// deserializer is modernc.org/sqlite's connection method
// (sqlite3_deserialize of the main database).
type deserializer interface{ Deserialize([]byte) error }

// pageReader reads the pages of the index database in order, from the
// rows of sqlite_dbpage.
type pageReader struct {
	rows *sql.Rows
	size int64
	next int64 // the page expected next, from 1
	page []byte
}

func (r *pageReader) Read(p []byte) (int, error) {
	if r.next == 0 {
		r.next = 1
	}
	n := 0
	for n < len(p) {
		if len(r.page) == 0 {
			if !r.rows.Next() {
				if err := r.rows.Err(); err != nil {
					return n, err
				}
				if n == 0 {
					return 0, io.EOF
				}
				return n, nil
			}
			var pgno int64
			if err := r.rows.Scan(&pgno, &r.page); err != nil {
				return n, err
			}
			if pgno != r.next || int64(len(r.page)) != r.size {
				return n, fmt.Errorf("page %d of %d bytes where page %d of %d was expected", pgno, len(r.page), r.next, r.size)
			}
			r.next++
		}
		k := copy(p[n:], r.page)
		r.page = r.page[k:]
		n += k
	}
	return n, nil
}

func deserialize(ctx context.Context, db *sql.DB, data []byte) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		d, ok := dc.(deserializer)
		if !ok {
			return errors.New("search index: the SQLite driver cannot deserialize")
		}
		return d.Deserialize(data)
	})
}

// Save stores the index as the case's snapshot, replacing the one before,
// unless the stored snapshot already holds it. It is derived data: no
// custody entry is written. Save is for a change of the case (after a
// parse); opening and searching never write.
func (ix *Index) Save(ctx context.Context, s *Store) (casefile.SnapshotInfo, error) {
	ix.mu.Lock()
	if ix.db == nil {
		ix.mu.Unlock()
		return casefile.SnapshotInfo{}, errIndexClosed
	}
	cover := ix.cover()
	if ix.stored == cover {
		ix.mu.Unlock()
		info, _, err := s.c.SnapshotManifest(SnapshotName)
		return info, err
	}
	// The image is read page by page (SQLite's sqlite_dbpage: the same
	// bytes sqlite3_serialize copies out whole) while the parts before are
	// compressed and sealed: the index is never held twice. Searches wait
	// meanwhile.
	defer ix.mu.Unlock()
	// What the parse left (its held batches, its lists) goes back to the
	// system before the sealed parts are made.
	debug.FreeOSMemory()
	var pages, pageSize int64
	if err := ix.db.QueryRowContext(ctx, `SELECT page_count, page_size FROM pragma_page_count, pragma_page_size`).Scan(&pages, &pageSize); err != nil {
		return casefile.SnapshotInfo{}, fmt.Errorf("search index: serialize: %w", err)
	}
	rows, err := ix.db.QueryContext(ctx, `SELECT pgno, data FROM sqlite_dbpage ORDER BY pgno`)
	if err != nil {
		return casefile.SnapshotInfo{}, fmt.Errorf("search index: serialize: %w", err)
	}
	defer rows.Close()
	info, err := s.c.PutSnapshotFrom(SnapshotName, cover, pages*pageSize, &pageReader{rows: rows, size: pageSize})
	if err != nil {
		return casefile.SnapshotInfo{}, err
	}
	ix.stored = cover
	return info, nil
}
