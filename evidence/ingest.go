package evidence

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/custodia-dfir/custodia/casefile"
)

// Options tune an ingest.
type Options struct {
	Kind        casefile.EvidenceKind // "" detects the kind
	Description string
	TimeZone    string // the source's time zone, e.g. "Europe/Berlin"; "" unknown
	Reason      string // recorded in the custody entry
	Tool        string // Custodia version
	ChunkSize   int    // 0 means casefile.DefaultChunkSize
	Workers     int    // seal workers; 0 means GOMAXPROCS
	Progress    Progress
}

// Ingest reads each source named by path (a file, split raw image, block
// device, or a folder of files), hashes it, and seals it into the case as
// one item per source. Items ingested before a failure stay; the failing
// one is rolled back. Cancelling ctx rolls back the item in progress.
func Ingest(ctx context.Context, c *casefile.Case, path string, opts Options) ([]casefile.Evidence, error) {
	if opts.TimeZone == "Local" {
		return nil, fmt.Errorf("ingest %s: %w: \"Local\" says nothing about the source; give its IANA time zone name (e.g. Europe/Berlin) or UTC", path, casefile.ErrInvalid)
	}
	if opts.TimeZone != "" {
		if _, err := time.LoadLocation(opts.TimeZone); err != nil {
			return nil, fmt.Errorf("ingest %s: %w: unknown time zone %q (use an IANA name such as Europe/Berlin or UTC)", path, casefile.ErrInvalid, opts.TimeZone)
		}
	}
	specs, err := expand(path)
	if err != nil {
		return nil, fmt.Errorf("ingest %s: %w", path, err)
	}
	var out []casefile.Evidence
	for i, spec := range specs {
		ev, err := ingestOne(ctx, c, spec, opts, i+1, len(specs))
		if err != nil {
			return out, fmt.Errorf("ingest %s: %w", spec.path, err)
		}
		out = append(out, ev)
	}
	return out, nil
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

func ingestOne(ctx context.Context, c *casefile.Case, spec sourceSpec, opts Options, index, count int) (ev casefile.Evidence, err error) {
	src, err := openSource(spec)
	if err != nil {
		return ev, err
	}
	defer src.Close()
	kind, why := opts.Kind, "chosen by the examiner"
	if kind == "" {
		// The file's own name: a split image is named "disk" but its first
		// segment "disk.001" says it is a disk.
		kind, why = DetectKind(filepath.Base(spec.path), src.head)
	}
	chunkSize := opts.ChunkSize
	if chunkSize == 0 {
		chunkSize = casefile.DefaultChunkSize
	}
	w, err := c.BeginEvidence(chunkSize)
	if err != nil {
		return ev, err
	}
	defer func() {
		if err != nil {
			why := err.Error()
			if errors.Is(err, context.Canceled) {
				why = "cancelled by the examiner"
			}
			if aerr := w.Abort(why); aerr != nil {
				err = fmt.Errorf("%w (and the rollback failed: %v; the next open removes the partial item)", err, aerr)
			}
		}
	}()
	hashes, n, err := pump(ctx, src.r, src.size, w, opts, newTracker(opts.Progress, spec.name, src.size).of(index, count))
	if err != nil {
		return ev, err
	}
	if n != src.size {
		return ev, fmt.Errorf("%w: read %d of %d bytes: the source shrank or vanished during the read", ErrSource, n, src.size)
	}
	meta := casefile.EvidenceMeta{
		Name: spec.name, Kind: kind, Format: spec.format, Description: opts.Description, SourcePath: spec.path,
		Size: n, Hashes: hashes, TimeZone: opts.TimeZone, Tool: opts.Tool, Container: src.containerFiles(),
		Acquisition: src.meta,
	}
	meta.Acquisition["kind_detection"] = why
	meta.Acquisition["mime_type"] = DetectMIME(src.head)
	if h, err := os.Hostname(); err == nil {
		meta.Host = h
	}
	if err := src.finishMeta(ctx, &meta, opts.Progress); err != nil {
		return ev, err
	}
	if msg := src.changed(); msg != "" {
		return ev, fmt.Errorf("%w: %s; the hashes would not describe a stable source — acquire a stable copy and ingest that", ErrSource, msg)
	}
	if n == 0 {
		meta.Warnings = append(meta.Warnings, "the source is empty (0 bytes)")
	}
	return w.Commit(meta, opts.Reason)
}

// pump runs the pipeline: one reader fills blocks from a bounded pool; each
// block goes to the three hashers (in order) and to the seal workers (any
// order); an orderer puts sealed chunks back in order for the writer, which
// stores them in transactions of a few tens of MiB. Memory stays bounded by
// the pool whatever the source size; progress counts a chunk when it is
// handed to the writer.
func pump(ctx context.Context, r io.Reader, size int64, w *casefile.EvidenceWriter, opts Options, tr *tracker) (casefile.Hashes, int64, error) {
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
	toSeal := make(chan *block, poolSize)
	sealed := make(chan casefile.SealedChunk, workers)

	var (
		errOnce  sync.Once
		firstErr error
	)
	fail := func(err error) {
		errOnce.Do(func() { firstErr = err; cancel() })
	}

	var sealWG sync.WaitGroup
	for range workers {
		sealWG.Add(1)
		go func() {
			defer sealWG.Done()
			for b := range toSeal {
				sc, err := w.SealChunk(b.idx, b.buf[:b.n], b.last)
				b.refs.Done()
				if err != nil {
					fail(err)
					continue
				}
				select {
				case sealed <- sc:
				case <-ctx.Done():
				}
			}
		}()
	}
	go func() { sealWG.Wait(); close(sealed) }()

	// The orderer puts sealed chunks back in sequence and hands them to the
	// writer, which owns SQLite and inserts each as it comes, committing
	// every few tens of MiB; a bounded queue between them lets sealing go on
	// during a commit.
	ordered := make(chan casefile.SealedChunk, 2*workers)
	storeDone := make(chan struct{})
	go func() {
		defer close(storeDone)
		if err := w.StoreFrom(ctx, ordered); err != nil {
			fail(err)
		}
		for range ordered { // drain after a failure
		}
	}()
	go func() {
		defer close(ordered)
		pending := map[int64]casefile.SealedChunk{}
		next := int64(0)
		for sc := range sealed {
			if ctx.Err() != nil {
				continue // drain
			}
			pending[sc.Index] = sc
			for {
				p, ok := pending[next]
				if !ok {
					break
				}
				delete(pending, next)
				select {
				case ordered <- p:
					tr.add(int64(p.PlainLen))
				case <-ctx.Done():
				}
				next++
			}
		}
	}()

	// The reader: this goroutine.
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
			readErr = fmt.Errorf("%w: read failed after %d bytes: %w", ErrSource, total, err)
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
			dispatch(prev, false, mh, toSeal, pool)
		}
		b.idx, b.n = idx, n
		idx++
		prev = b
		// A source that grows past its size is caught afterwards by the
		// change check.
		if n < len(b.buf) || total == size {
			break
		}
	}
	if prev != nil && readErr == nil && ctx.Err() == nil {
		dispatch(prev, true, mh, toSeal, pool)
	} else if prev != nil {
		pool <- prev
	}
	close(toSeal)
	<-storeDone
	hashes := mh.sum()
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

// dispatch hands b to the hashers and a seal worker and returns it to the
// pool once every hash and the worker are done.
func dispatch(b *block, last bool, mh *multiHash, toSeal chan<- *block, pool chan<- *block) {
	b.last = last
	b.refs.Add(mh.n() + 1)
	go func() { b.refs.Wait(); pool <- b }()
	mh.write(b.buf[:b.n], b.refs.Done)
	toSeal <- b
}
