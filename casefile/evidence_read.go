package casefile

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/google/uuid"
)

// ListEvidence returns every sealed item, oldest first.
func (c *Case) ListEvidence() ([]Evidence, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.usable(); err != nil {
		return nil, err
	}
	if !c.hasTablesOf(2) {
		return nil, nil // a format-1 case that was never written to holds no evidence
	}
	rows, err := c.db.Query(`SELECT evidence_uuid, chunk_size, chunk_count, size, meta, verification FROM evidence WHERE state = 'sealed' ORDER BY evidence_id`)
	if err != nil {
		return nil, fmt.Errorf("list evidence: %w", err)
	}
	defer rows.Close()
	var out []Evidence
	for rows.Next() {
		ev, err := c.scanEvidence(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, ev)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	ws, err := withdrawals(&view{c: c, ctx: context.Background(), q: c.db})
	if err != nil {
		return nil, fmt.Errorf("list evidence: %w", err)
	}
	for i := range out {
		out[i].Withdrawal = ws[out[i].ID]
	}
	return out, nil
}

// Evidence returns one sealed item.
func (c *Case) Evidence(id uuid.UUID) (Evidence, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.usable(); err != nil {
		return Evidence{}, err
	}
	return c.evidence(id)
}

func (c *Case) evidence(id uuid.UUID) (Evidence, error) {
	if !c.hasTablesOf(2) {
		return Evidence{}, fmt.Errorf("%w: %s", ErrNoSuchEvidence, id)
	}
	row := c.db.QueryRow(`SELECT evidence_uuid, chunk_size, chunk_count, size, meta, verification FROM evidence WHERE evidence_uuid = ? AND state = 'sealed'`, id.String())
	ev, err := c.scanEvidence(row)
	if errors.Is(err, sql.ErrNoRows) {
		return Evidence{}, fmt.Errorf("%w: %s", ErrNoSuchEvidence, id)
	}
	if err != nil {
		return Evidence{}, err
	}
	ev.Withdrawal, err = withdrawalOf(&view{c: c, ctx: context.Background(), q: c.db}, id)
	return ev, err
}

// FindEvidence resolves a full UUID or a unique prefix of one (as people
// type it) to an item.
func (c *Case) FindEvidence(ref string) (Evidence, error) {
	if id, err := uuid.Parse(ref); err == nil {
		return c.Evidence(id)
	}
	all, err := c.ListEvidence()
	if err != nil {
		return Evidence{}, err
	}
	var hits []Evidence
	for _, ev := range all {
		if len(ref) >= 4 && len(ref) <= 36 && ev.ID.String()[:len(ref)] == ref {
			hits = append(hits, ev)
		}
	}
	switch len(hits) {
	case 1:
		return hits[0], nil
	case 0:
		return Evidence{}, fmt.Errorf("%w: %q", ErrNoSuchEvidence, ref)
	}
	return Evidence{}, fmt.Errorf("%w: %q matches %d items; give more of the id", ErrInvalid, ref, len(hits))
}

type scanner interface{ Scan(...any) error }

func (c *Case) scanEvidence(s scanner) (Evidence, error) {
	var id string
	var ev Evidence
	var size int64
	var meta, ver []byte
	if err := s.Scan(&id, &ev.ChunkSize, &ev.ChunkCount, &size, &meta, &ver); err != nil {
		return Evidence{}, err
	}
	var err error
	if ev.ID, err = parseStoredUUID(id); err != nil {
		return Evidence{}, fmt.Errorf("%w: evidence UUID: %v", ErrCorrupt, err)
	}
	pt, err := c.rec.open("evidence", id, "meta", meta)
	if err != nil {
		return Evidence{}, err
	}
	if err := decodeStrict(pt, &ev.Meta); err != nil {
		return Evidence{}, fmt.Errorf("%w: evidence/%s meta: %v", ErrCorrupt, id, err)
	}
	if ev.Meta.Size != size {
		return Evidence{}, &AuthError{Table: "evidence", Row: id, Column: "size"}
	}
	if want := (size + int64(ev.ChunkSize) - 1) / int64(ev.ChunkSize); want != ev.ChunkCount {
		return Evidence{}, &AuthError{Table: "evidence", Row: id, Column: "chunk_count"}
	}
	if ver != nil {
		pt, err := c.rec.open("evidence", id, "verification", ver)
		if err != nil {
			return Evidence{}, err
		}
		ev.Verification = new(Verification)
		if err := decodeStrict(pt, ev.Verification); err != nil {
			return Evidence{}, fmt.Errorf("%w: evidence/%s verification: %v", ErrCorrupt, id, err)
		}
	}
	return ev, nil
}

// EvidenceReader reads an item's original bytes back from the case, with
// random access. Every chunk is authenticated as it is read. It is safe for
// concurrent use.
type EvidenceReader struct {
	c     *Case
	ev    Evidence
	rowID int64
	cc    *chunkCipher

	// A small LRU of decrypted chunks, most recent first, so that file
	// systems read over the item (which jump between metadata and data)
	// do not open the same chunk again and again. Plaintext stays in
	// memory only (lruChunks × chunk size, 8 MiB at the default).
	mu       sync.Mutex
	lru      []cachedChunk
	lastMiss int64 // the last chunk fetched into the LRU (-1: none), to tell sequential reads
}

// lruChunks is how many decrypted chunks an EvidenceReader keeps.
const lruChunks = 8

type cachedChunk struct {
	idx  int64
	data []byte
}

// cached returns chunk idx from the LRU (moving it to the front), or nil.
// r.mu must be held.
func (r *EvidenceReader) cached(idx int64) []byte {
	for i, c := range r.lru {
		if c.idx == idx {
			copy(r.lru[1:i+1], r.lru[:i])
			r.lru[0] = c
			return c.data
		}
	}
	return nil
}

// remember puts chunk idx at the front of the LRU, dropping the oldest.
// r.mu must be held.
func (r *EvidenceReader) remember(idx int64, data []byte) {
	if r.cached(idx) != nil {
		return
	}
	if len(r.lru) < lruChunks {
		r.lru = append(r.lru, cachedChunk{})
	}
	copy(r.lru[1:], r.lru[:len(r.lru)-1])
	r.lru[0] = cachedChunk{idx: idx, data: data}
}

// OpenEvidence returns a reader for a sealed item. Opening records nothing;
// callers record views and extractions (ActionEvidenceViewed, …).
func (c *Case) OpenEvidence(id uuid.UUID) (*EvidenceReader, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.usable(); err != nil {
		return nil, err
	}
	ev, err := c.evidence(id)
	if err != nil {
		return nil, err
	}
	var rowID int64
	var wrapped []byte
	if err := c.db.QueryRow(`SELECT evidence_id, data_key FROM evidence WHERE evidence_uuid = ?`, id.String()).Scan(&rowID, &wrapped); err != nil {
		return nil, err
	}
	cc, err := c.chunkCipherFor(id, wrapped, ev.ChunkSize)
	if err != nil {
		return nil, err
	}
	return &EvidenceReader{c: c, ev: ev, rowID: rowID, cc: cc, lastMiss: -1}, nil
}

// Evidence returns the item being read.
func (r *EvidenceReader) Evidence() Evidence { return r.ev }

// Size returns the item's length in bytes.
func (r *EvidenceReader) Size() int64 { return r.ev.Meta.Size }

// expected checks a stored chunk's position facts against the item record.
func (r *EvidenceReader) expected(sc SealedChunk) error {
	last := sc.Index == r.ev.ChunkCount-1
	want := r.ev.ChunkSize
	if last {
		want = int(r.ev.Meta.Size - int64(r.ev.ChunkSize)*(r.ev.ChunkCount-1))
	}
	if sc.Flags&^(ChunkLast|ChunkCompressed) != 0 {
		return &ChunkError{Evidence: r.ev.ID, Index: sc.Index, Reason: fmt.Sprintf("has unknown flags %#x", sc.Flags)}
	}
	if (sc.Flags&ChunkLast != 0) != last || sc.PlainLen != want {
		return &ChunkError{Evidence: r.ev.ID, Index: sc.Index, Reason: fmt.Sprintf("claims %d bytes (last=%v); the item record says %d (last=%v)", sc.PlainLen, sc.Flags&ChunkLast != 0, want, last)}
	}
	return nil
}

// Chunk returns the authenticated plaintext of chunk idx.
func (r *EvidenceReader) Chunk(idx int64) ([]byte, error) {
	if idx < 0 || idx >= r.ev.ChunkCount {
		return nil, fmt.Errorf("%w: chunk %d of %d", ErrInvalid, idx, r.ev.ChunkCount)
	}
	c := r.c
	c.mu.Lock()
	if err := c.usable(); err != nil {
		c.mu.Unlock()
		return nil, err
	}
	sc := SealedChunk{Index: idx}
	err := c.db.QueryRow(`SELECT flags, plain_len, data FROM evidence_chunks WHERE evidence_id = ? AND idx = ?`, r.rowID, idx).
		Scan(&sc.Flags, &sc.PlainLen, &sc.Data)
	c.mu.Unlock()
	if errors.Is(err, sql.ErrNoRows) {
		return nil, &ChunkError{Evidence: r.ev.ID, Index: idx, Reason: "missing"}
	}
	if err != nil {
		return nil, fmt.Errorf("read evidence %s chunk %d: %w", r.ev.ID, idx, mapSQLiteError(err))
	}
	if err := r.expected(sc); err != nil {
		return nil, err
	}
	return r.cc.open(sc)
}

// ReadAt implements io.ReaderAt over the original bytes, keeping the last
// few decrypted chunks (lruChunks) for the next reads.
func (r *EvidenceReader) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("%w: negative offset", ErrInvalid)
	}
	n := 0
	for n < len(p) {
		pos := off + int64(n)
		if pos >= r.ev.Meta.Size {
			return n, io.EOF
		}
		idx := pos / int64(r.ev.ChunkSize)
		r.mu.Lock()
		data := r.cached(idx)
		seq := idx == r.lastMiss+1
		r.mu.Unlock()
		if data == nil {
			var err error
			if data, err = r.fill(idx, seq); err != nil {
				return n, err
			}
		}
		n += copy(p[n:], data[pos-idx*int64(r.ev.ChunkSize):])
	}
	return n, nil
}

// readAhead is how many chunks a sequential read fetches in one SQLite
// query (and opens on two cores). It is at most lruChunks/2, so a batch
// never pushes out the chunk being read nor its neighbour.
const readAhead = lruChunks / 2

// fill opens chunk idx into the LRU and returns it. When the reads are
// sequential (idx follows the last chunk fetched) it fetches the next
// readAhead chunks in one query and authenticates and decrypts them on two
// goroutines, which is what makes fs cat of a large file fast: one query
// per chunk and one core for ChaCha20-Poly1305 was half the speed. Memory
// stays bounded by the LRU (lruChunks plaintext chunks) plus one batch of
// sealed chunks.
func (r *EvidenceReader) fill(idx int64, seq bool) ([]byte, error) {
	n := 1
	if seq {
		n = int(min(int64(readAhead), r.ev.ChunkCount-idx))
	}
	if n == 1 {
		data, err := r.Chunk(idx)
		if err != nil {
			return nil, err
		}
		r.mu.Lock()
		r.remember(idx, data)
		r.lastMiss = idx
		r.mu.Unlock()
		return data, nil
	}
	batch, err := r.readBatch(context.Background(), idx, n)
	if err != nil {
		return nil, fmt.Errorf("read evidence %s chunk %d: %w", r.ev.ID, idx, err)
	}
	// Stored chunks must be exactly idx, idx+1, …; a gap is a missing chunk.
	for i, sc := range batch {
		if sc.Index != idx+int64(i) {
			batch = batch[:i]
			break
		}
	}
	if len(batch) == 0 {
		return nil, &ChunkError{Evidence: r.ev.ID, Index: idx, Reason: "missing"}
	}
	plain := make([][]byte, len(batch))
	errs := make([]error, len(batch))
	open := func(i int) {
		if errs[i] = r.expected(batch[i]); errs[i] == nil {
			plain[i], errs[i] = r.cc.open(batch[i])
		}
		putBuf(batch[i].Data)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // the odd ones on the other core
		defer wg.Done()
		for i := 1; i < len(batch); i += 2 {
			open(i)
		}
	}()
	for i := 0; i < len(batch); i += 2 {
		open(i)
	}
	wg.Wait()
	if errs[0] != nil {
		return nil, errs[0]
	}
	r.mu.Lock()
	// Oldest first, so that chunk idx ends at the front of the LRU; a chunk
	// after a bad one is not kept (its error shows when it is read).
	last := 0
	for i := range batch {
		if errs[i] != nil {
			break
		}
		last = i
	}
	for i := last; i >= 0; i-- {
		r.remember(idx+int64(i), plain[i])
	}
	r.lastMiss = idx + int64(last)
	r.mu.Unlock()
	return plain[0], nil
}

// ScanChunks streams the sealed chunks in order to fn, without opening
// them. It reads them in small batches and holds the case's lock only while
// reading one, so other work (a viewer, the ledger) goes on during a long
// verification; fn runs without the lock. It reports missing chunks, and
// chunks out of place, as *ChunkError. Use OpenChunk (safe concurrently) to
// decrypt.
func (r *EvidenceReader) ScanChunks(ctx context.Context, fn func(SealedChunk) error) error {
	const batch = 8
	next := int64(0)
	for next < r.ev.ChunkCount {
		chunks, err := r.readBatch(ctx, next, batch)
		if err != nil {
			return err
		}
		if len(chunks) == 0 {
			break
		}
		for _, sc := range chunks {
			if sc.Index != next {
				return &ChunkError{Evidence: r.ev.ID, Index: next, Reason: "missing"}
			}
			if err := r.expected(sc); err != nil {
				return err
			}
			if err := fn(sc); err != nil {
				return err
			}
			next++
		}
	}
	if next != r.ev.ChunkCount {
		return &ChunkError{Evidence: r.ev.ID, Index: next, Reason: fmt.Sprintf("missing (the item has %d chunks, %d are stored)", r.ev.ChunkCount, next)}
	}
	return nil
}

// readBatch reads up to n stored chunks from index from on, in order.
func (r *EvidenceReader) readBatch(ctx context.Context, from int64, n int) ([]SealedChunk, error) {
	c := r.c
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.usable(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	rows, err := c.db.QueryContext(ctx, `SELECT idx, flags, plain_len, data FROM evidence_chunks WHERE evidence_id = ? AND idx >= ? ORDER BY idx LIMIT ?`,
		r.rowID, from, n)
	if err != nil {
		return nil, mapSQLiteError(err)
	}
	defer rows.Close()
	var out []SealedChunk
	for rows.Next() {
		var sc SealedChunk
		var raw sql.RawBytes
		if err := rows.Scan(&sc.Index, &sc.Flags, &sc.PlainLen, &raw); err != nil {
			return nil, err
		}
		sc.Data = append(getBuf(len(raw)), raw...)
		if sc.Index >= r.ev.ChunkCount {
			return nil, &ChunkError{Evidence: r.ev.ID, Index: sc.Index, Reason: "beyond the item's last chunk"}
		}
		out = append(out, sc)
	}
	return out, mapSQLiteError(rows.Err())
}

// OpenChunk authenticates, decrypts and decompresses a chunk from
// ScanChunks. It consumes sc: sc.Data goes back to the buffer pool, so
// open each chunk once and do not touch sc.Data afterwards. The returned
// buffer is the caller's; passing it to Release when done lets the next
// chunk reuse it. Safe for concurrent use.
func (r *EvidenceReader) OpenChunk(sc SealedChunk) ([]byte, error) {
	p, err := r.cc.openInto(sc, getBuf(sc.PlainLen+r.cc.aead.Overhead()))
	putBuf(sc.Data)
	return p, err
}

// Release returns a buffer from OpenChunk for reuse; the caller must not
// touch it afterwards.
func (r *EvidenceReader) Release(b []byte) { putBuf(b) }

// RecordVerification stores the result of a verification of item id and
// appends its evidence.verified custody entry, in one transaction. It
// returns v with the time and examiner filled in.
func (c *Case) RecordVerification(id uuid.UUID, v Verification) (Verification, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.usable(); err != nil {
		return v, err
	}
	ctx := context.Background()
	now := c.now()
	v.At, v.By = now, c.actor.Name
	js, err := json.Marshal(v)
	if err != nil {
		return v, err
	}
	sealed, err := c.rec.seal("evidence", id.String(), "verification", js)
	if err != nil {
		return v, err
	}
	result := "match"
	if !v.OK {
		result = "MISMATCH"
	}
	return v, c.change(ctx, now, func(tx *sql.Tx) (Event, error) {
		res, err := tx.ExecContext(ctx, `UPDATE evidence SET verification = ? WHERE evidence_uuid = ? AND state = 'sealed'`, sealed, id.String())
		if err == nil {
			if n, _ := res.RowsAffected(); n != 1 {
				err = fmt.Errorf("%w: %s", ErrNoSuchEvidence, id)
			}
		}
		hashes := map[string]string{}
		for k, h := range map[string]string{"md5": v.Hashes.MD5, "sha1": v.Hashes.SHA1, "sha256": v.Hashes.SHA256} {
			if h != "" {
				hashes[k] = h
			}
		}
		details := map[string]string{"result": result, "detail": v.Detail}
		if rc := v.RecomputedHashes(); len(rc) > 0 {
			details["recomputed"] = strings.Join(rc, ",")
		}
		return Event{Action: ActionEvidenceVerified, Target: Target{Type: TargetEvidence, ID: id.String()},
			Hashes: hashes, Details: details}, err
	})
}
