package casefile

import (
	"bytes"
	"context"
	"crypto/cipher"
	"crypto/rand"
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/klauspost/compress/zstd"
	"golang.org/x/crypto/chacha20poly1305"
)

// DefaultChunkSize is the size of an evidence chunk: the unit of
// compression, sealing and random access.
const DefaultChunkSize = 1 << 20

// maxChunkSize is the largest chunk size a writer may choose.
const maxChunkSize = 64 << 20

// Chunk flags, stored in clear and bound into each chunk's AAD.
const (
	ChunkCompressed = 1 << 0
	ChunkLast       = 1 << 1
)

// EvidenceKind classifies an item.
type EvidenceKind string

// Kinds.
const (
	KindDisk   EvidenceKind = "disk"
	KindLog    EvidenceKind = "log"
	KindMemory EvidenceKind = "memory"
	KindOther  EvidenceKind = "other"
)

// Action names for evidence.
const (
	ActionEvidenceIngested  Action = "evidence.ingested"
	ActionEvidenceVerified  Action = "evidence.verified"
	ActionEvidenceViewed    Action = "evidence.viewed"
	ActionEvidenceExtracted Action = "evidence.extracted"
	ActionIngestDiscarded   Action = "evidence.ingest-discarded"
	ActionIngestAborted     Action = "evidence.ingest-aborted"
	ActionSourceVerified    Action = "evidence.source-verified"
	ActionIngestSkipped     Action = "evidence.ingest-skipped"
)

// Hashes are the digests of an item's exact original bytes, lower-case hex.
type Hashes struct {
	MD5    string `json:"md5"`
	SHA1   string `json:"sha1"`
	SHA256 string `json:"sha256"`
}

// Diff names each hash of got that differs from h, the recorded ones:
// "MD5 recorded …, now …; SHA-1 recorded …, now …". A hash got does not
// carry ("", not recomputed) is not compared. "" when nothing differs.
func (h Hashes) Diff(got Hashes) string {
	var d []string
	for _, x := range []struct{ name, want, got string }{
		{"MD5", h.MD5, got.MD5}, {"SHA-1", h.SHA1, got.SHA1}, {"SHA-256", h.SHA256, got.SHA256},
	} {
		if x.got != "" && x.want != x.got {
			d = append(d, fmt.Sprintf("%s recorded %s, now %s", x.name, x.want, x.got))
		}
	}
	return strings.Join(d, "; ")
}

// EvidenceMeta is the sealed description of an item. The evidence package
// fills it; casefile only stores and authenticates it.
type EvidenceMeta struct {
	Name        string            `json:"name"`
	Kind        EvidenceKind      `json:"kind"`
	Format      string            `json:"format"` // file, split-raw, block-device, e01, vhd, vhdx, vmdk, qcow2
	Description string            `json:"description,omitempty"`
	SourcePath  string            `json:"source_path"`
	Size        int64             `json:"size"`
	Hashes      Hashes            `json:"hashes"`
	IngestedAt  time.Time         `json:"ingested_at"`
	IngestedBy  string            `json:"ingested_by"`
	TimeZone    string            `json:"time_zone,omitempty"`
	Host        string            `json:"host,omitempty"`
	Tool        string            `json:"tool,omitempty"` // Custodia version that ingested
	Acquisition map[string]string `json:"acquisition,omitempty"`
	// Container describes the files the content came from when they are not
	// the content itself (split raw segments, E01 segments), with their own hashes.
	Container []ContainerFile `json:"container,omitempty"`
	// Warnings a person must see, e.g. "E01 stored MD5 does not match its content".
	Warnings []string `json:"warnings,omitempty"`
	// Duplicate is set when the item was kept although items with the same
	// SHA-256 were already in the case.
	Duplicate *Duplicate `json:"duplicate,omitempty"`
}

// Duplicate records why an item whose content was already in the case was
// kept: the items that held the same SHA-256 when it was ingested, and the
// examiner's reason.
type Duplicate struct {
	Of     []uuid.UUID `json:"of"`
	Reason string      `json:"reason"`
}

// ContainerFile is one file of a multi-file or container source.
type ContainerFile struct {
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	Hashes Hashes `json:"hashes"`
}

// Verification is the result of re-reading an item from the case.
// Recomputed names the hashes that were recomputed and compared ("md5",
// "sha1", "sha256"); the others are "" in Hashes. Every chunk is
// authenticated whatever the set. A record without Recomputed predates the
// choice and recomputed all three.
type Verification struct {
	At         time.Time `json:"at"`
	By         string    `json:"by"`
	OK         bool      `json:"ok"`
	Detail     string    `json:"detail"`
	Hashes     Hashes    `json:"hashes"`
	Recomputed []string  `json:"recomputed,omitempty"`
}

// RecomputedHashes is Recomputed, or all three for a record that predates
// the field.
func (v *Verification) RecomputedHashes() []string {
	if len(v.Recomputed) == 0 && (v.Hashes.MD5 != "" || v.Hashes.SHA1 != "") {
		return []string{"md5", "sha1", "sha256"}
	}
	return v.Recomputed
}

// RecomputedText names the hashes a verification recomputed, for people:
// "MD5, SHA-1, SHA-256", or "SHA-256 (MD5 and SHA-1 not recomputed)".
func (v *Verification) RecomputedText() string {
	rc := v.RecomputedHashes()
	var got, not []string
	for _, h := range []struct{ id, name string }{{"md5", "MD5"}, {"sha1", "SHA-1"}, {"sha256", "SHA-256"}} {
		if slices.Contains(rc, h.id) {
			got = append(got, h.name)
		} else {
			not = append(not, h.name)
		}
	}
	switch {
	case len(got) == 0:
		return "none"
	case len(not) == 0:
		return strings.Join(got, ", ")
	}
	return strings.Join(got, ", ") + " (" + strings.Join(not, " and ") + " not recomputed)"
}

// Evidence is a sealed item as listed.
type Evidence struct {
	ID           uuid.UUID
	Meta         EvidenceMeta
	ChunkSize    int
	ChunkCount   int64
	Verification *Verification // nil before the first verification
	Withdrawal   *Withdrawal   // nil while the item is in force (evidence_status.go)
}

// SealedChunk is a chunk as stored.
type SealedChunk struct {
	Index    int64
	Flags    int
	PlainLen int
	Data     []byte // nonce ‖ ciphertext
}

// ErrNoSuchEvidence means no sealed item has the given id.
var ErrNoSuchEvidence = NewKind("casefile", "no such evidence item", "list the items with 'custodiactl evidence list' and use one of those ids (a unique prefix of 4 or more characters is enough)")

// ErrChunkMismatch means a chunk read back after sealing differed from the
// bytes that went in: the item is not stored.
var ErrChunkMismatch = NewKind("casefile", "chunk failed verification after sealing", "a chunk did not read back identical right after it was written: check the disk and memory of this machine, then ingest again")

// ChunkError reports a missing, reordered, truncated or tampered chunk.
type ChunkError struct {
	Evidence uuid.UUID
	Index    int64
	Reason   string
}

func (e *ChunkError) Error() string {
	return fmt.Sprintf("casefile: evidence %s chunk %d: %s", e.Evidence, e.Index, e.Reason)
}

// Is makes errors.Is(err, ErrAuthFailed) true for chunk errors.
func (e *ChunkError) Is(target error) bool { return target == ErrAuthFailed }

// chunkAAD = FormatTag ‖ " chunk" ‖ 0x00 ‖ case UUID ‖ evidence UUID ‖
// index u64 ‖ last u8 ‖ compressed u8 ‖ plain length u32 (all big-endian).
func chunkAAD(caseID, evID uuid.UUID, idx int64, flags, plainLen int) []byte {
	b := make([]byte, 0, 64)
	b = append(b, FormatTag+" chunk\x00"...)
	b = append(b, caseID[:]...)
	b = append(b, evID[:]...)
	b = binary.BigEndian.AppendUint64(b, uint64(idx))
	b = append(b, byte(flags>>1&1), byte(flags&1))
	return binary.BigEndian.AppendUint32(b, uint32(plainLen))
}

var (
	zstdEncOnce sync.Once
	zstdEnc     *zstd.Encoder
	zstdDec     *zstd.Decoder
)

// codecs returns the shared zstd encoder (fastest level) and decoder; their
// EncodeAll and DecodeAll are safe for concurrent use, and each chunk is an
// independent frame, so chunks compress on all cores.
func codecs() (*zstd.Encoder, *zstd.Decoder) {
	zstdEncOnce.Do(func() {
		n := runtime.GOMAXPROCS(0)
		// A window the size of a chunk: each frame is one chunk, so a
		// larger window only costs memory.
		zstdEnc, _ = zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(n),
			zstd.WithEncoderCRC(false), zstd.WithZeroFrames(true), zstd.WithWindowSize(DefaultChunkSize))
		// DecodeAll stops at the capacity of its destination, which openInto
		// sets to the chunk's plain_len: a payload that decodes to more (a
		// decompression bomb, or frames appended to a valid one) fails
		// after at most one block beyond it instead of allocating what it
		// claims. WithDecoderMaxMemory bounds the rest: no chunk is larger
		// than 64 MiB.
		zstdDec, _ = zstd.NewReader(nil, zstd.WithDecoderConcurrency(n), zstd.WithDecoderMaxMemory(maxChunkSize),
			zstd.WithDecodeAllCapLimit(true))
	})
	return zstdEnc, zstdDec
}

// bufFree recycles chunk-sized buffers: at hundreds of MB/s, allocating
// (and zeroing) fresh ones costs as much as a hash. A bounded free list, not
// a sync.Pool: a pool is emptied at every garbage collection, and with the
// small heap of an ingest collections come every few dozen megabytes. At
// most bufFreeCap buffers (about 13 MiB) are kept.
const bufFreeCap = 12

var bufFree = make(chan []byte, bufFreeCap)

// bufSize is the capacity of recycled buffers: a chunk plus sealing and
// compression overhead, so every buffer fits every use.
const bufSize = DefaultChunkSize + 64<<10

func getBuf(n int) []byte {
	if n <= bufSize {
		select {
		case b := <-bufFree:
			return b[:0]
		default:
		}
		return make([]byte, 0, bufSize)
	}
	return make([]byte, 0, n)
}

func putBuf(b []byte) {
	if cap(b) != bufSize {
		return
	}
	select {
	case bufFree <- b:
	default:
	}
}

// chunkCipher seals and opens the chunks of one item.
type chunkCipher struct {
	caseID, evID uuid.UUID
	aead         cipher.AEAD
	chunkSize    int
}

// seal compresses (when that shrinks it) and seals one chunk, then opens,
// decompresses and compares it before it counts.
func (cc *chunkCipher) seal(idx int64, plain []byte, last bool) (SealedChunk, error) {
	var nonce [chacha20poly1305.NonceSizeX]byte
	if _, err := rand.Read(nonce[:]); err != nil {
		return SealedChunk{}, err
	}
	return cc.sealWithNonce(idx, plain, last, nonce[:])
}

// sealWithNonce is seal with the nonce given: random in seal, fixed in the
// test vectors of docs/FORMAT.md Appendix A.
func (cc *chunkCipher) sealWithNonce(idx int64, plain []byte, last bool, nonce []byte) (SealedChunk, error) {
	enc, _ := codecs()
	flags := 0
	if last {
		flags |= ChunkLast
	}
	payload := plain
	comp := enc.EncodeAll(plain, getBuf(len(plain)))
	defer putBuf(comp)
	if len(comp) < len(plain) {
		payload, flags = comp, flags|ChunkCompressed
	}
	n := len(nonce)
	out := append(getBuf(n+len(payload)+cc.aead.Overhead()), nonce...)
	out = cc.aead.Seal(out, out[:n], payload, chunkAAD(cc.caseID, cc.evID, idx, flags, len(plain)))
	sc := SealedChunk{Index: idx, Flags: flags, PlainLen: len(plain), Data: out}
	back, err := cc.openInto(sc, getBuf(len(plain)+cc.aead.Overhead()))
	defer putBuf(back)
	if err != nil || !bytes.Equal(back, plain) {
		putBuf(out)
		return SealedChunk{}, fmt.Errorf("%w: evidence %s chunk %d", ErrChunkMismatch, cc.evID, idx)
	}
	return sc, nil
}

// open authenticates, decrypts and decompresses one chunk.
func (cc *chunkCipher) open(sc SealedChunk) ([]byte, error) { return cc.openInto(sc, nil) }

// openInto is open writing into dst's capacity when it suffices.
func (cc *chunkCipher) openInto(sc SealedChunk, dst []byte) ([]byte, error) {
	n := chacha20poly1305.NonceSizeX
	if len(sc.Data) < n+cc.aead.Overhead() {
		return dst, &ChunkError{Evidence: cc.evID, Index: sc.Index, Reason: "truncated"}
	}
	pt, err := cc.aead.Open(dst[:0], sc.Data[:n], sc.Data[n:], chunkAAD(cc.caseID, cc.evID, sc.Index, sc.Flags, sc.PlainLen))
	if err != nil {
		return dst, &ChunkError{Evidence: cc.evID, Index: sc.Index, Reason: "failed authentication (changed, moved or from another item)"}
	}
	if sc.Flags&ChunkCompressed != 0 {
		_, dec := codecs()
		comp := pt
		// The payload may hold several frames (RFC 8878 concatenates them);
		// decoding stops at the destination's capacity, plain_len, so a
		// chunk that decompresses to more is refused without allocating it.
		buf := getBuf(sc.PlainLen)
		out, err := dec.DecodeAll(comp, buf[:0:sc.PlainLen])
		putBuf(comp)
		switch {
		case errors.Is(err, zstd.ErrDecoderSizeExceeded), errors.Is(err, zstd.ErrFrameSizeExceeded):
			putBuf(buf)
			return nil, &ChunkError{Evidence: cc.evID, Index: sc.Index, Reason: fmt.Sprintf("decompresses to more than its %d bytes", sc.PlainLen)}
		case err != nil:
			putBuf(buf)
			return nil, &ChunkError{Evidence: cc.evID, Index: sc.Index, Reason: "does not decompress: " + err.Error()}
		}
		pt = out
		if cap(out) > 0 && &out[:1][0] == &buf[:1][0] {
			pt = buf[:len(out)] // the same bytes, with buf's capacity, so the buffer pool takes it back
		}
	}
	if len(pt) != sc.PlainLen {
		return nil, &ChunkError{Evidence: cc.evID, Index: sc.Index, Reason: fmt.Sprintf("holds %d bytes, not %d", len(pt), sc.PlainLen)}
	}
	return pt, nil
}

func (c *Case) evidenceKeyWrapper() (cipher.AEAD, error) {
	k, err := deriveSubkey(c.mk, c.id, purposeEvidence)
	if err != nil {
		return nil, err
	}
	defer clear(k)
	return chacha20poly1305.NewX(k)
}

// wrapDataKey returns evidence.data_key: nonce ‖ the item's data key
// sealed under the evidence-key-wrap subkey (w) with the record AAD of
// evidence/<uuid>/data_key, without a version byte (docs/FORMAT.md 7.2).
func wrapDataKey(w cipher.AEAD, caseID, evID uuid.UUID, nonce, dataKey []byte) []byte {
	out := make([]byte, len(nonce), len(nonce)+len(dataKey)+w.Overhead())
	copy(out, nonce)
	return w.Seal(out, nonce, dataKey, recordAAD(caseID, "evidence", evID.String(), "data_key"))
}

func (c *Case) chunkCipherFor(evID uuid.UUID, wrapped []byte, chunkSize int) (*chunkCipher, error) {
	w, err := c.evidenceKeyWrapper()
	if err != nil {
		return nil, err
	}
	n := chacha20poly1305.NonceSizeX
	if len(wrapped) < n {
		return nil, &AuthError{Table: "evidence", Row: evID.String(), Column: "data_key"}
	}
	key, err := w.Open(nil, wrapped[:n], wrapped[n:], recordAAD(c.id, "evidence", evID.String(), "data_key"))
	if err != nil {
		return nil, &AuthError{Table: "evidence", Row: evID.String(), Column: "data_key"}
	}
	defer clear(key)
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return nil, err
	}
	return &chunkCipher{caseID: c.id, evID: evID, aead: aead, chunkSize: chunkSize}, nil
}

// EvidenceWriter stores one item's chunks during an ingest. SealChunk may be
// called from many goroutines; Store, Commit and Abort from one.
type EvidenceWriter struct {
	c      *Case
	id     uuid.UUID
	rowID  int64
	cc     *chunkCipher
	stored int64
	size   int64
	last   bool
	done   bool
}

// BeginEvidence starts an ingest: a new item with its own random data key,
// invisible until Commit. A killed process leaves it behind in the
// 'ingesting' state; the next Open deletes it and records that.
func (c *Case) BeginEvidence(chunkSize int) (*EvidenceWriter, error) {
	if chunkSize <= 0 || chunkSize > maxChunkSize {
		return nil, invalidf("chunk size %d out of range", chunkSize)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.usable(); err != nil {
		return nil, err
	}
	if c.suspect != nil {
		return nil, fmt.Errorf("begin evidence: %w", c.suspect)
	}
	if err := c.upgradeBeforeWrite(context.Background()); err != nil {
		return nil, fmt.Errorf("begin evidence: %w", err)
	}
	if err := c.enterBulk(); err != nil {
		return nil, fmt.Errorf("begin evidence: %w", err)
	}
	ok := false
	defer func() {
		if !ok {
			c.leaveBulk()
		}
	}()
	id := uuid.New()
	key := make([]byte, chacha20poly1305.KeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	defer clear(key)
	w, err := c.evidenceKeyWrapper()
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, chacha20poly1305.NonceSizeX)
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	wrapped := wrapDataKey(w, c.id, id, nonce, key)
	res, err := c.db.Exec(`INSERT INTO evidence (evidence_uuid, state, chunk_size, data_key) VALUES (?, 'ingesting', ?, ?)`,
		id.String(), chunkSize, wrapped)
	if err != nil {
		return nil, fmt.Errorf("begin evidence: %w", mapSQLiteError(err))
	}
	rowID, err := res.LastInsertId()
	if err != nil {
		return nil, err
	}
	cc, err := c.chunkCipherFor(id, wrapped, chunkSize)
	if err != nil {
		return nil, err
	}
	ok = true
	return &EvidenceWriter{c: c, id: id, rowID: rowID, cc: cc}, nil
}

// enterBulk switches the case to a rollback journal while evidence is
// written. In WAL mode every chunk would be written twice (to the WAL, then
// by the checkpoint into the file); with a rollback journal, pages appended
// at the end of the file need no journaling, so bulk content is written
// once. Commits stay atomic and a killed process leaves a hot journal that
// SQLite rolls back on the next open. The caller holds c.mu.
func (c *Case) enterBulk() error {
	if c.bulk == 0 {
		var mode string
		if err := c.db.QueryRow(`PRAGMA journal_mode=TRUNCATE`).Scan(&mode); err != nil {
			return mapSQLiteError(err)
		}
		if mode != "truncate" {
			return fmt.Errorf("journal_mode=TRUNCATE returned %q", mode)
		}
		// A larger page cache keeps interior pages while blobs stream past;
		// FULL because a rollback journal with NORMAL is not safe against a
		// power loss at the wrong moment (WAL with NORMAL is).
		if _, err := c.db.Exec(`PRAGMA cache_size=-8192; PRAGMA synchronous=FULL`); err != nil {
			return mapSQLiteError(err)
		}
		c.bulkCache = openPageCache(c.path)
	}
	c.bulk++
	return nil
}

// leaveBulk returns to WAL once the last writer finished. The caller holds c.mu.
func (c *Case) leaveBulk() error {
	if c.bulk == 0 {
		return nil
	}
	c.bulk--
	if c.bulk > 0 {
		return nil
	}
	c.bulkCache.close()
	c.bulkCache = pageCache{}
	var mode string
	if err := c.db.QueryRow(`PRAGMA journal_mode=WAL`).Scan(&mode); err != nil {
		return mapSQLiteError(err)
	}
	if mode != "wal" {
		return fmt.Errorf("journal_mode=WAL returned %q", mode)
	}
	_, err := c.db.Exec(`PRAGMA cache_size=-2000; PRAGMA synchronous=NORMAL`)
	return err
}

// ID returns the item's UUID.
func (w *EvidenceWriter) ID() uuid.UUID { return w.id }

// ChunkSize returns the item's chunk size.
func (w *EvidenceWriter) ChunkSize() int { return w.cc.chunkSize }

// SealChunk compresses and seals chunk idx and checks it reads back
// identical. Safe for concurrent use.
func (w *EvidenceWriter) SealChunk(idx int64, plain []byte, last bool) (SealedChunk, error) {
	if len(plain) == 0 || len(plain) > w.cc.chunkSize || (!last && len(plain) != w.cc.chunkSize) {
		return SealedChunk{}, invalidf("chunk %d has %d bytes (chunk size %d, last %v)", idx, len(plain), w.cc.chunkSize, last)
	}
	return w.cc.seal(idx, plain, last)
}

// Store writes sealed chunks, which must continue the sequence, in one
// transaction.
func (w *EvidenceWriter) Store(chunks []SealedChunk) error {
	ch := make(chan SealedChunk, len(chunks))
	for _, sc := range chunks {
		ch <- sc
	}
	close(ch)
	return w.storeFrom(context.Background(), ch, math.MaxInt, 0)
}

// Bounds of one transaction of StoreFrom: a commit (with its fsyncs) every
// storeTxBytes of sealed data, and the case's lock held at most about
// storeTxTime, so other work on the case waits no longer than that.
const (
	storeTxBytes = 64 << 20
	storeTxTime  = 100 * time.Millisecond
)

// StoreFrom writes the sealed chunks received from chunks, which must
// continue the sequence, until chunks is closed. Each chunk is inserted as
// it arrives and its buffer recycled at once (SQLite copies it), so memory
// does not grow with the batch; a transaction commits after about 64 MiB or
// 100 ms, whichever comes first, so fsyncs are few and a slow source never
// keeps the case locked for long. On an error or when ctx ends, the open
// transaction is rolled back and StoreFrom returns at once; the caller
// drains chunks.
func (w *EvidenceWriter) StoreFrom(ctx context.Context, chunks <-chan SealedChunk) error {
	return w.storeFrom(ctx, chunks, storeTxBytes, storeTxTime)
}

func (w *EvidenceWriter) storeFrom(ctx context.Context, chunks <-chan SealedChunk, maxBytes int, maxTime time.Duration) error {
	if w.done {
		return fmt.Errorf("store chunks: %w: the ingest is finished", ErrInvalid)
	}
	for {
		var first SealedChunk
		var ok bool
		select {
		case first, ok = <-chunks:
		case <-ctx.Done():
			return ctx.Err()
		}
		if !ok {
			return nil
		}
		more, err := w.storeTx(ctx, first, chunks, maxBytes, maxTime)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err() // what interrupted the statement, not how it ended
			}
			return fmt.Errorf("store chunks of evidence %s: %w", w.id, err)
		}
		if !more {
			return nil
		}
	}
}

// storeTx writes first and the chunks that follow, in one transaction,
// until maxBytes are written or maxTime has passed (0: no limit); more is
// false once chunks is closed.
func (w *EvidenceWriter) storeTx(ctx context.Context, first SealedChunk, chunks <-chan SealedChunk, maxBytes int, maxTime time.Duration) (more bool, err error) {
	c := w.c
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.usable(); err != nil {
		putBuf(first.Data)
		return false, err
	}
	stored, size, last := w.stored, w.size, w.last
	var timeout <-chan time.Time
	if maxTime > 0 {
		t := time.NewTimer(maxTime)
		defer t.Stop()
		timeout = t.C
	}
	more = true
	err = c.update(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO evidence_chunks (evidence_id, idx, flags, plain_len, data) VALUES (?, ?, ?, ?, ?)`)
		if err != nil {
			putBuf(first.Data)
			return err
		}
		defer stmt.Close()
		sc, n := first, 0
		for {
			if sc.Index != stored || last {
				putBuf(sc.Data)
				return fmt.Errorf("%w: chunk %d out of order (expected %d)", ErrInvalid, sc.Index, stored)
			}
			_, err := stmt.ExecContext(ctx, w.rowID, sc.Index, sc.Flags, sc.PlainLen, sc.Data)
			putBuf(sc.Data) // SQLite copied it when binding
			if err != nil {
				return err
			}
			stored, size, n = stored+1, size+int64(sc.PlainLen), n+len(sc.Data)
			last = sc.Flags&ChunkLast != 0
			if n >= maxBytes {
				return nil
			}
			select {
			case sc, more = <-chunks:
				if !more {
					return nil
				}
			case <-timeout:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	})
	if err != nil {
		return false, err
	}
	c.bulkCache.drop()
	w.stored, w.size, w.last = stored, size, last
	return more, nil
}

// Commit seals the item's description and makes it visible, together with
// its evidence.ingested custody entry carrying the three hashes, in one
// transaction. meta.Size must equal the bytes stored.
func (w *EvidenceWriter) Commit(meta EvidenceMeta, reason string) (Evidence, error) {
	return w.CommitWith(meta, reason, nil)
}

// CommitWith is Commit that also runs records in the same transaction, so
// that records about the new item (where a derived item came from) commit
// with it and its one custody entry, or not at all. records may append
// rows (tx.Append) and add details to the entry (details is the
// evidence.ingested entry's Details); it gets the new item's id
// (id).
func (w *EvidenceWriter) CommitWith(meta EvidenceMeta, reason string, records func(tx *Tx, id uuid.UUID, details map[string]string) error) (Evidence, error) {
	if w.done {
		return Evidence{}, fmt.Errorf("commit evidence: %w: the ingest is finished", ErrInvalid)
	}
	if meta.Size != w.size {
		return Evidence{}, fmt.Errorf("commit evidence %s: %w: %d bytes stored but the description says %d", w.id, ErrInvalid, w.size, meta.Size)
	}
	if w.stored > 0 && !w.last {
		return Evidence{}, fmt.Errorf("commit evidence %s: %w: the last chunk was not stored", w.id, ErrInvalid)
	}
	if err := checkText("evidence name", meta.Name, true, 4096); err != nil {
		return Evidence{}, err
	}
	c := w.c
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.usable(); err != nil {
		return Evidence{}, err
	}
	ctx := context.Background()
	now := c.now()
	meta.IngestedAt, meta.IngestedBy = now, c.actor.Name
	js, err := json.Marshal(meta)
	if err != nil {
		return Evidence{}, err
	}
	sealed, err := c.rec.seal("evidence", w.id.String(), "meta", js)
	if err != nil {
		return Evidence{}, err
	}
	err = c.durable(func() error {
		return c.change(ctx, now, func(tx *sql.Tx) (Event, error) {
			ev, err := w.commitEvent(ctx, tx, meta, sealed, reason)
			if err == nil && records != nil {
				err = records(&Tx{view: view{c: c, ctx: ctx, q: tx}, tx: tx, now: now}, w.id, ev.Details)
			}
			return ev, err
		})
	})
	if err != nil {
		return Evidence{}, fmt.Errorf("commit evidence %s: %w", meta.Name, err)
	}
	w.done = true
	if err := c.leaveBulk(); err != nil {
		return Evidence{}, fmt.Errorf("commit evidence %s: return to WAL: %w", meta.Name, err)
	}
	return Evidence{ID: w.id, Meta: meta, ChunkSize: w.cc.chunkSize, ChunkCount: w.stored}, nil
}

// commitEvent seals the item in tx and describes its custody entry.
func (w *EvidenceWriter) commitEvent(ctx context.Context, tx *sql.Tx, meta EvidenceMeta, sealed []byte, reason string) (Event, error) {
	res, err := tx.ExecContext(ctx, `UPDATE evidence SET state = 'sealed', size = ?, chunk_count = ?, meta = ? WHERE evidence_id = ? AND state = 'ingesting'`,
		w.size, w.stored, sealed, w.rowID)
	if err == nil {
		if n, _ := res.RowsAffected(); n != 1 {
			err = fmt.Errorf("%w: the item is no longer being ingested", ErrInvalid)
		}
	}
	ev := Event{
		Action: ActionEvidenceIngested, Target: Target{Type: TargetEvidence, ID: w.id.String()}, Reason: reason,
		Hashes:  map[string]string{"md5": meta.Hashes.MD5, "sha1": meta.Hashes.SHA1, "sha256": meta.Hashes.SHA256},
		Details: map[string]string{"name": meta.Name, "kind": string(meta.Kind), "size": fmt.Sprint(meta.Size), "format": meta.Format, "source": meta.SourcePath},
	}
	if d := meta.Duplicate; d != nil {
		ids := make([]string, len(d.Of))
		for i, id := range d.Of {
			ids[i] = id.String()
		}
		ev.Details["duplicate_of"] = strings.Join(ids, ",")
		ev.Details["duplicate_reason"] = d.Reason
	}
	containerDetails(ev.Details, meta.Container, maxEntryFields-len(ev.Hashes)-len(ev.Details))
	return ev, err
}

// maxEntryFields is how many hashes and details one custody entry may hold
// (Event.validate), and maxEntryValue the length of one value.
const (
	maxEntryFields = 64
	maxEntryValue  = 8192
)

// containerEntry is one container file in the evidence.ingested entry:
// the file's name (its folder is the source's), size and own hashes.
type containerEntry struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	MD5    string `json:"md5"`
	SHA1   string `json:"sha1"`
	SHA256 string `json:"sha256"`
}

// containerDetails adds the container files with their own hashes to the
// details of an evidence.ingested entry, using at most budget keys:
// container_files (the count) and container, container_2, container_3, …,
// each a JSON array of containerEntry holding at most maxEntryValue bytes,
// in file order. Files that do not fit in the budget (thousands of
// segments) are counted in container_omitted; the item's sealed
// description lists every one.
func containerDetails(details map[string]string, files []ContainerFile, budget int) {
	if len(files) == 0 {
		return
	}
	details["container_files"] = fmt.Sprint(len(files))
	budget -= 2 // container_files, and container_omitted should it be needed
	key := func(part int) string {
		if part == 1 {
			return "container"
		}
		return fmt.Sprintf("container_%d", part)
	}
	part, i := 1, 0
	for i < len(files) && part <= budget {
		var list []containerEntry
		size := 2 // the brackets
		for ; i < len(files); i++ {
			f := files[i]
			e := containerEntry{Name: filepath.Base(f.Path), Size: f.Size, MD5: f.Hashes.MD5, SHA1: f.Hashes.SHA1, SHA256: f.Hashes.SHA256}
			b, _ := json.Marshal(e)
			if size+len(b)+1 > maxEntryValue && len(list) > 0 {
				break // a file name is at most a few hundred bytes: one always fits
			}
			list, size = append(list, e), size+len(b)+1
		}
		b, _ := json.Marshal(list)
		details[key(part)] = string(b)
		part++
	}
	if i < len(files) {
		details["container_omitted"] = fmt.Sprint(len(files) - i)
	}
}

// Abort deletes everything stored for the item and records that, with why
// (e.g. "cancelled by the examiner", or the error), in the custody ledger.
// Safe to call after Commit (then it does nothing). If the deletion cannot
// run (a full disk), the item stays invisible and the next Open discards it.
func (w *EvidenceWriter) Abort(why string) error {
	if w.done {
		return nil
	}
	w.done = true
	c := w.c
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil // the next Open discards the item
	}
	if len(why) > 2000 {
		why = why[:2000]
	}
	why = strings.ToValidUTF8(why, "?")
	if _, err := c.db.Exec(`PRAGMA secure_delete=FAST`); err != nil {
		c.leaveBulk()
		return fmt.Errorf("abort ingest of %s: %w", w.id, mapSQLiteError(err))
	}
	err := c.change(context.Background(), c.now(), func(tx *sql.Tx) (Event, error) {
		_, err := tx.Exec(`DELETE FROM evidence WHERE evidence_id = ? AND state = 'ingesting'`, w.rowID)
		return Event{Action: ActionIngestAborted, Target: Target{Type: TargetEvidence, ID: w.id.String()}, Reason: why,
			Details: map[string]string{"bytes_stored": fmt.Sprint(w.size), "chunks_stored": fmt.Sprint(w.stored)}}, err
	})
	c.db.Exec(`PRAGMA secure_delete=ON`)
	if err == nil {
		c.db.Exec(`PRAGMA incremental_vacuum`)
	}
	if lerr := c.leaveBulk(); err == nil {
		err = lerr
	}
	if err != nil {
		return fmt.Errorf("abort ingest of %s: %w", w.id, mapSQLiteError(err))
	}
	return nil
}

// discardIncomplete deletes items left 'ingesting' by a killed process and
// records that in the ledger. The caller holds c.mu (or is Open).
func (c *Case) discardIncomplete(ctx context.Context) error {
	if !c.hasTablesOf(2) {
		return nil
	}
	var n int
	if err := c.db.QueryRowContext(ctx, `SELECT count(*) FROM evidence WHERE state = 'ingesting'`).Scan(&n); err != nil || n == 0 {
		return err
	}
	if _, err := c.db.ExecContext(ctx, `PRAGMA secure_delete=FAST`); err != nil {
		return err
	}
	defer func() {
		c.db.ExecContext(ctx, `PRAGMA secure_delete=ON`)
		c.db.ExecContext(ctx, `PRAGMA incremental_vacuum`)
	}()
	return c.change(ctx, c.now(), func(tx *sql.Tx) (Event, error) {
		var ids []string
		rows, err := tx.QueryContext(ctx, `SELECT evidence_uuid FROM evidence WHERE state = 'ingesting'`)
		if err != nil {
			return Event{}, err
		}
		for rows.Next() {
			var id string
			rows.Scan(&id)
			ids = append(ids, id)
		}
		rows.Close()
		_, err = tx.ExecContext(ctx, `DELETE FROM evidence WHERE state = 'ingesting'`)
		return Event{Action: ActionIngestDiscarded, Target: Target{Type: TargetCase, ID: c.id.String()},
			Reason:  "an ingest was interrupted before it completed; its partial content was deleted",
			Details: map[string]string{"items": fmt.Sprint(len(ids)), "evidence_ids": strings.Join(ids, ",")}}, err
	})
}
