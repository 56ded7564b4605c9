package evidence

import (
	"context"
	"fmt"
	"io"

	"github.com/google/uuid"

	"github.com/custodia-dfir/custodia/casefile"
)

// StreamItem reads the original bytes of item id of c from the start to
// the end, every chunk authenticated and the chunks opened on all cores,
// and calls fn with each chunk's offset in the item and its bytes, in
// order; b is valid only during the call. prog (may be nil) gets the
// progress, with the time left. The first error — a missing or tampered
// chunk, ctx's end, or fn's — stops the stream. It records nothing: the
// caller records what the reading was for (evidence.viewed). It is how a
// scan over a whole item (memory strings, an indicator sweep) reads it
// without writing anything to disk.
func StreamItem(ctx context.Context, c *casefile.Case, id uuid.UUID, prog Progress, fn func(off int64, b []byte) error) error {
	r, err := c.OpenEvidence(id)
	if err != nil {
		return err
	}
	ev := r.Evidence()
	t := newTracker(prog, ev.Meta.Name, ev.Meta.Size)
	chunk := int64(ev.ChunkSize)
	return streamChunks(ctx, r, func(idx int64, plain []byte) error {
		defer r.Release(plain)
		if err := fn(idx*chunk, plain); err != nil {
			return err
		}
		t.add(int64(len(plain)))
		return nil
	})
}

// Streams of an item's bytes for packages that hand them on (the sealed
// export, evidence/export): the same ordered pipeline as Extract and
// Verify out of a case, and the ingest pipeline into one from a stream
// rather than a path.

// Stream calls fn with every plaintext chunk of r in order, opened on all
// cores (Extract's pipeline). Each chunk is a buffer of its own: fn may
// hand it on and gives it back with r.Release once nothing uses it. The
// first error (a missing or tampered chunk, or fn's) stops the stream.
func Stream(ctx context.Context, r *casefile.EvidenceReader, fn func(idx int64, plain []byte) error) error {
	return streamChunks(ctx, r, fn)
}

// StreamSource is content that arrives as a stream, not as a file Custodia
// opens: an item decrypted from a sealed export as it is read.
type StreamSource struct {
	Name   string    // the item's name
	Path   string    // where it came from, recorded as the source path
	Format string    // the item's format as recorded where it came from; "" is FormatFile
	Size   int64     // the exact number of bytes R must yield
	R      io.Reader // the content
	// Adjust completes the item's description once the content is read
	// and hashed (meta holds the hashes just computed); an error rolls the
	// item back.
	Adjust func(meta *casefile.EvidenceMeta) error
}

// IngestStream seals s as one new item, through the ingest pipeline (one
// read, three hashes, parallel sealing, verify-after-seal), and records it
// as evidence.ingested. Content shorter or longer than s.Size fails and is
// rolled back, like a source that changed while read.
func IngestStream(ctx context.Context, c *casefile.Case, s StreamSource, opts Options) (casefile.Evidence, error) {
	if s.Size < 0 || s.R == nil {
		return casefile.Evidence{}, fmt.Errorf("ingest %s: %w", s.Name, casefile.Invalidf("a stream needs its content and its size"))
	}
	format := s.Format
	if format == "" {
		format = FormatFile
	}
	lr := &exactReader{r: s.R, left: s.Size}
	src := &openedSource{spec: sourceSpec{name: s.Name, path: s.Path, format: format}, r: lr, size: s.Size, meta: map[string]string{}}
	if err := src.peekHead(); err != nil {
		return casefile.Evidence{}, fmt.Errorf("ingest %s: %w", s.Name, err)
	}
	ev, _, err := ingestOpened(ctx, c, src, opts, 1, 1, func(m *casefile.EvidenceMeta) error {
		if lr.err != nil {
			return lr.err
		}
		if s.Adjust != nil {
			return s.Adjust(m)
		}
		return nil
	})
	if err != nil {
		return ev, fmt.Errorf("ingest %s: %w", s.Name, err)
	}
	return ev, nil
}

// exactReader yields exactly left bytes of r: more is an error (kept in
// err, checked before the item is committed), fewer shows as a short read.
type exactReader struct {
	r    io.Reader
	left int64
	err  error
}

func (e *exactReader) Read(p []byte) (int, error) {
	if e.left <= 0 {
		var one [1]byte
		if n, _ := io.ReadFull(e.r, one[:]); n > 0 && e.err == nil {
			e.err = fmt.Errorf("%w: the stream holds more bytes than its recorded size", ErrSource)
		}
		return 0, io.EOF
	}
	if int64(len(p)) > e.left {
		p = p[:e.left]
	}
	n, err := e.r.Read(p)
	e.left -= int64(n)
	if err == io.EOF && e.left > 0 {
		return n, io.ErrUnexpectedEOF
	}
	return n, err
}
