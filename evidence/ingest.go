package evidence

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/evidence/internal/ordered"
	"github.com/google/uuid"
)

// Options tune an ingest.
type Options struct {
	// Kind is the item's kind; "" detects it. KindOther also reads an E01
	// image or a virtual disk as the file it is (its container's bytes,
	// e.g. to keep a differencing disk that cannot be read as a disk),
	// not as the media it holds.
	Kind        casefile.EvidenceKind
	Description string
	TimeZone    string // the source's time zone, e.g. "Europe/Berlin"; "" unknown
	Reason      string // recorded in the custody entry
	Tool        string // Custodia version
	ChunkSize   int    // 0 means casefile.DefaultChunkSize
	Workers     int    // seal workers; 0 means GOMAXPROCS
	Progress    Progress
	// Duplicate decides about an item whose content (SHA-256) is already
	// in the case; nil refuses it with a *DuplicateError (ErrDuplicate).
	Duplicate DuplicateFunc

	// source, when set, is read instead of opening the spec's path (a
	// file inside another item: IngestDerived).
	source *openedSource
	// records runs in the commit's transaction (CommitWith).
	records func(tx *casefile.Tx, id uuid.UUID, details map[string]string) error
}

// Report is what an ingest did: the items it sealed, the entries below a
// folder it did not read (recorded as evidence.ingest-skipped), and the
// sources whose content was already in the case, kept or not.
type Report struct {
	Items      []casefile.Evidence
	Skipped    []Skipped
	Duplicates []Duplicate
}

// Ingest reads each source named by path (a file, split raw image, E01
// image, virtual disk, block device, or a folder of files), hashes it, and seals it into the case as
// one item per source. Items ingested before a failure stay; the failing
// one is rolled back. Cancelling ctx rolls back the item in progress. It is
// IngestWithReport without the report of skipped entries and duplicates.
func Ingest(ctx context.Context, c *casefile.Case, path string, opts Options) ([]casefile.Evidence, error) {
	r, err := IngestWithReport(ctx, c, path, opts)
	return r.Items, err
}

// IngestWithReport is Ingest, reporting as well what it skipped in a
// folder and the duplicates it met (see Report). The skipped entries are
// recorded in the custody ledger before the first item is read, with
// opts.Reason. On an error the report holds what was done before it.
func IngestWithReport(ctx context.Context, c *casefile.Case, path string, opts Options) (Report, error) {
	var r Report
	if _, err := casefile.SourceTimeZone(opts.TimeZone); err != nil {
		return r, fmt.Errorf("ingest %s: %w", path, err)
	}
	specs, skipped, err := expand(path, opts.Kind == casefile.KindOther)
	r.Skipped = skipped
	if err != nil {
		return r, fmt.Errorf("ingest %s: %w", path, err)
	}
	if len(skipped) > 0 {
		abs, _ := filepath.Abs(path)
		if err := recordSkipped(c, abs, skipped, opts.Reason); err != nil {
			return r, fmt.Errorf("ingest %s: %w", path, err)
		}
	}
	for i, spec := range specs {
		ev, dup, err := ingestOne(ctx, c, spec, opts, i+1, len(specs))
		if dup != nil {
			r.Duplicates = append(r.Duplicates, *dup)
		}
		if err != nil {
			return r, fmt.Errorf("ingest %s: %w", spec.path, err)
		}
		if dup == nil || dup.Kept {
			r.Items = append(r.Items, ev)
		}
	}
	return r, nil
}

// block is one chunk of source bytes on its way through the pipeline. It
// returns to the pool when the three hashes and the sealer are done with it.
type block struct {
	idx  int64
	buf  []byte
	n    int
	last bool
	refs sync.WaitGroup
}

// ingestOne reads, hashes and seals one source. dup is not nil when its
// content was already in the case: kept (ev is the new item), or rolled
// back (ev is empty, err nil unless the rollback failed or nobody decided).
func ingestOne(ctx context.Context, c *casefile.Case, spec sourceSpec, opts Options, index, count int) (ev casefile.Evidence, dup *Duplicate, err error) {
	src := opts.source
	if src == nil {
		if src, err = openSource(spec, true); err != nil {
			return ev, nil, err
		}
	}
	defer src.Close()
	return ingestOpened(ctx, c, src, opts, index, count, nil)
}

// ingestOpened reads, hashes and seals an opened source (ingestOne); adjust,
// when not nil, completes the item's description once its content is read
// (IngestStream).
func ingestOpened(ctx context.Context, c *casefile.Case, src *openedSource, opts Options, index, count int,
	adjust func(*casefile.EvidenceMeta) error) (ev casefile.Evidence, dup *Duplicate, err error) {
	spec := src.spec
	kind, why := opts.Kind, "chosen by the examiner"
	if kind == "" {
		kind, why = src.detectKind()
	}
	chunkSize := opts.ChunkSize
	if chunkSize == 0 {
		chunkSize = casefile.DefaultChunkSize
	}
	w, err := c.BeginEvidence(chunkSize)
	if err != nil {
		return ev, nil, err
	}
	abortWhy := "" // the reason recorded for a rollback that is not an error
	defer func() {
		why := abortWhy
		switch {
		case err != nil && why == "":
			why = err.Error()
			if errors.Is(err, context.Canceled) {
				why = "cancelled by the examiner"
			}
		case err == nil && why == "":
			return
		}
		if aerr := w.Abort(why); aerr != nil {
			if err == nil {
				err = fmt.Errorf("roll back %s: %w", spec.name, aerr)
			} else {
				err = fmt.Errorf("%w (and the rollback failed: %v; the next open removes the partial item)", err, aerr)
			}
		}
	}()
	hashes, n, err := pump(ctx, src, w, opts, newTracker(opts.Progress, spec.name, src.size).of(index, count))
	if err != nil {
		return ev, nil, err
	}
	if n != src.size {
		return ev, nil, fmt.Errorf("%w: read %d of %d bytes: the source shrank or vanished during the read", ErrSource, n, src.size)
	}
	meta := casefile.EvidenceMeta{
		Name: spec.name, Kind: kind, Format: spec.format, Description: opts.Description, SourcePath: spec.path,
		Size: n, Hashes: hashes, TimeZone: opts.TimeZone, Tool: opts.Tool,
		Acquisition: src.meta,
	}
	meta.Acquisition["kind_detection"] = why
	meta.Acquisition["mime_type"] = DetectMIME(src.head)
	if h, err := os.Hostname(); err == nil {
		meta.Host = h
	}
	if err := src.finishMeta(&meta); err != nil {
		return ev, nil, err
	}
	if adjust != nil {
		if err := adjust(&meta); err != nil {
			return ev, nil, err
		}
	}
	if msg := src.changed(); msg != "" {
		return ev, nil, fmt.Errorf("%w: %s; the hashes would not describe a stable source — acquire a stable copy and ingest that", ErrSource, msg)
	}
	if n == 0 {
		meta.Warnings = append(meta.Warnings, "the source is empty (0 bytes)")
	}
	same, err := sameContent(c, meta.Hashes.SHA256)
	if err != nil {
		return ev, nil, err
	}
	if len(same) > 0 {
		dup = &Duplicate{Meta: meta, Existing: same}
		if opts.Duplicate == nil {
			abortWhy = duplicateOf(same)
			return ev, dup, &DuplicateError{Name: spec.name, SHA256: meta.Hashes.SHA256, Existing: same}
		}
		keep, reason := opts.Duplicate(ctx, meta, same)
		dup.Kept, dup.Reason = keep, reason
		if err := ctx.Err(); err != nil {
			return ev, dup, err
		}
		if !keep {
			abortWhy = duplicateOf(same)
			if reason != "" {
				abortWhy += ": " + reason
			}
			return ev, dup, nil
		}
		if strings.TrimSpace(reason) == "" {
			return ev, dup, fmt.Errorf("%w: keeping %s, whose content is already in the case, needs a reason", casefile.ErrInvalid, spec.name)
		}
		ids := make([]uuid.UUID, len(same))
		for i, e := range same {
			ids[i] = e.ID
		}
		meta.Duplicate = &casefile.Duplicate{Of: ids, Reason: reason}
		meta.Warnings = append(meta.Warnings, fmt.Sprintf("the same content (SHA-256) was already in the case as %s; kept as a duplicate: %s", describeItems(same), reason))
		dup.Meta = meta
	}
	ev, err = w.CommitWith(meta, opts.Reason, opts.records)
	if dup != nil {
		dup.ID = ev.ID
	}
	return ev, dup, err
}

// Depths of the ingest pipeline's queues, in chunks.
const (
	// sealWindow bounds the sealed chunks waiting for an earlier one.
	sealWindowPerWorker = 2
	// storeQueue is the sealed chunks waiting for the writer: enough to
	// keep sealing while a commit's fsync runs (about 20 ms to 100 ms on
	// the project's machine, 10 to 50 MiB at the ingest's rate), so the
	// disk's latency does not stall the cores. Memory: at most this many
	// sealed chunks, 16 MiB at the default chunk size.
	storeQueue = 16
)

// pump runs the pipeline: one reader fills blocks from a bounded pool; each
// block goes to the three hashers (in order), to the segment hashers of a
// split raw source (the pieces of it each segment holds), and to the seal
// workers (any order), whose results ordered.Map puts back in order for
// the writer, which stores them in transactions of a few tens of MiB.
// Memory stays bounded by the pool and the queues whatever the source
// size; progress counts a chunk when it is handed to the writer.
func pump(ctx context.Context, src *openedSource, w *casefile.EvidenceWriter, opts Options, tr *tracker) (casefile.Hashes, int64, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	chunkSize := w.ChunkSize()
	poolSize := 3*workers + 4
	pool := make(chan *block, poolSize)
	for range poolSize {
		pool <- &block{buf: make([]byte, chunkSize)}
	}
	mh := newMultiHash(poolSize, allHashes)
	// A split raw source's segments are hashed from the same blocks: each
	// block is cut where a segment ends.
	var segs *segmentHashes
	if len(src.bounds) > 0 {
		segs = src.segs
	}

	var (
		errOnce  sync.Once
		firstErr error
	)
	fail := func(err error) {
		errOnce.Do(func() { firstErr = err; cancel() })
	}

	type sealResult struct {
		sc  casefile.SealedChunk
		err error
	}
	toSeal := make(chan *block, poolSize)
	sealed := ordered.Map(ctx, toSeal, workers, sealWindowPerWorker*workers, func(b *block) sealResult {
		sc, err := w.SealChunk(b.idx, b.buf[:b.n], b.last)
		b.refs.Done()
		return sealResult{sc, err}
	})
	// The writer owns SQLite and inserts each chunk as it comes, committing
	// every few tens of MiB; the queue before it lets sealing go on during
	// a commit.
	toStore := make(chan casefile.SealedChunk, storeQueue)
	storeDone := make(chan struct{})
	go func() {
		defer close(storeDone)
		if err := w.StoreFrom(ctx, toStore); err != nil {
			fail(err)
		}
		for range toStore { // drain after a failure
		}
	}()
	go func() {
		defer close(toStore)
		for r := range sealed {
			if r.err != nil {
				fail(r.err)
				continue
			}
			select {
			case toStore <- r.sc:
				tr.add(int64(r.sc.PlainLen))
			case <-ctx.Done():
			}
		}
	}()

	// dispatch hands b to the hashers and a seal worker; b returns to the
	// pool once every hash and the worker are done with it.
	dispatch := func(b *block, last bool) {
		b.last = last
		var pieces []piece
		if segs != nil {
			pieces = segmentPieces(src.bounds, b.idx*int64(chunkSize), b.n)
		}
		b.refs.Add(mh.n() + 1 + len(pieces)*segs.n())
		go func() { b.refs.Wait(); pool <- b }()
		mh.write(b.buf[:b.n], b.refs.Done)
		for _, p := range pieces {
			segs.write(p.seg, b.buf[p.from:p.to], b.refs.Done)
		}
		toSeal <- b
	}

	// The reader: this goroutine.
	r := src.r
	var total int64
	var idx int64
	var readErr error
	var prev *block
	for {
		var b *block
		select {
		case b = <-pool:
		case <-ctx.Done():
		}
		if b == nil {
			break
		}
		n, err := io.ReadFull(r, b.buf)
		if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
			if errors.Is(err, ErrSource) {
				// Already of its kind, with its own hint (a damaged virtual disk).
				readErr = fmt.Errorf("read failed after %d bytes: %w", total, err)
			} else {
				readErr = fmt.Errorf("%w: read failed after %d bytes: %w", ErrSource, total, err)
			}
			pool <- b
			break
		}
		if n == 0 {
			pool <- b
			break
		}
		total += int64(n)
		// The last block is known only when the next read finds nothing, so
		// each block is sent one step late, with its last flag settled.
		if prev != nil {
			dispatch(prev, false)
		}
		b.idx, b.n = idx, n
		idx++
		prev = b
		// A source that grows past its size is caught afterwards by the
		// change check.
		if n < len(b.buf) || total == src.size {
			break
		}
	}
	if prev != nil && readErr == nil && ctx.Err() == nil {
		dispatch(prev, true)
	} else if prev != nil {
		pool <- prev
	}
	close(toSeal)
	<-storeDone
	var hashes casefile.Hashes
	if src.fileTail != nil {
		var err error
		if hashes, src.fileSums[src.mediaFile], err = mh.sumWith(src.fileTail); err != nil && readErr == nil {
			readErr = err
		}
	} else {
		hashes = mh.sum()
	}
	if readErr != nil {
		return hashes, total, readErr
	}
	if firstErr != nil {
		return hashes, total, firstErr
	}
	if err := ctx.Err(); err != nil {
		return hashes, total, err
	}
	return hashes, total, nil
}

// piece is the part [from, to) of a block that belongs to segment seg.
type piece struct {
	seg      int
	from, to int
}

// segmentPieces cuts the n bytes at offset off of a split raw source's
// content at the segment boundaries (bounds[k] is where segment k starts;
// none for a single file).
func segmentPieces(bounds []int64, off int64, n int) []piece {
	if len(bounds) == 0 {
		return nil
	}
	var out []piece
	end := off + int64(n)
	for k := range bounds {
		start, stop := bounds[k], end
		if k+1 < len(bounds) {
			stop = bounds[k+1]
		}
		if lo, hi := max(start, off), min(stop, end); lo < hi {
			out = append(out, piece{k, int(lo - off), int(hi - off)})
		}
	}
	return out
}
