package evidence

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/google/uuid"
)

// VerifyOptions chooses how much a verification recomputes.
type VerifyOptions struct {
	// AllHashes recomputes MD5 and SHA-1 as well as SHA-256. By default
	// only SHA-256 is recomputed: every chunk is still authenticated
	// (AEAD) and decompressed, and SHA-256 over the whole item is compared
	// with the value recorded at ingest, which already proves the bytes
	// unchanged; MD5 alone costs more CPU than the rest of a verification
	// (see docs/PERFORMANCE.md). Choose it when a report must quote
	// freshly recomputed MD5 and SHA-1.
	AllHashes bool
}

func (o VerifyOptions) set() hashSet {
	if o.AllHashes {
		return allHashes
	}
	return hashSHA256
}

// Verify re-reads every chunk of an item from the case, authenticates,
// decompresses and re-hashes it, compares with the hashes recorded at
// ingest, and records the result (sealed, and in the custody ledger, which
// names the hashes recomputed). A mismatch or a damaged chunk is a result
// (OK false, Detail says what), not an error; errors are for failures to
// verify at all.
func Verify(ctx context.Context, c *casefile.Case, id uuid.UUID, opts VerifyOptions, p Progress) (casefile.Verification, error) {
	return verify(ctx, c, id, opts, func(ev casefile.Evidence) *tracker { return newTracker(p, ev.Meta.Name, ev.Meta.Size) })
}

// verify is Verify reporting progress through the tracker progress makes
// for the item.
func verify(ctx context.Context, c *casefile.Case, id uuid.UUID, opts VerifyOptions, progress func(casefile.Evidence) *tracker) (casefile.Verification, error) {
	r, err := c.OpenEvidence(id)
	if err != nil {
		return casefile.Verification{}, fmt.Errorf("verify %s: %w", id, err)
	}
	ev := r.Evidence()
	set := opts.set()
	tr := progress(ev)
	hs := newHashStreamOf(set)
	var n int64
	err = streamChunks(ctx, r, func(_ int64, plain []byte) error {
		// Each opened chunk is a fresh buffer, so hashing runs on while the
		// next chunks are read and decrypted; the hash queues bound memory.
		hs.mhWriteAsync(plain, func() { r.Release(plain) })
		n += int64(len(plain))
		tr.add(int64(len(plain)))
		return nil
	})
	got := hs.sum()
	want := set.only(ev.Meta.Hashes)
	v := casefile.Verification{Hashes: got, OK: true, Recomputed: set.names(), Detail: matchDetail(set)}
	var ce *casefile.ChunkError
	switch {
	case errors.As(err, &ce):
		v = casefile.Verification{OK: false, Recomputed: set.names(), Detail: fmt.Sprintf("chunk %d (bytes %d to %d): %s", ce.Index,
			ce.Index*int64(ev.ChunkSize), min((ce.Index+1)*int64(ev.ChunkSize), ev.Meta.Size)-1, ce.Reason)}
	case errors.Is(err, casefile.ErrAuthFailed):
		v = casefile.Verification{OK: false, Recomputed: set.names(), Detail: strings.TrimPrefix(err.Error(), "casefile: ")}
	case err != nil:
		return casefile.Verification{}, fmt.Errorf("verify %s: %w", ev.Meta.Name, err)
	case n != ev.Meta.Size:
		v.OK, v.Detail = false, fmt.Sprintf("read %d bytes back, the item has %d", n, ev.Meta.Size)
	case got != want:
		v.OK, v.Detail = false, "content differs from ingest: "+want.Diff(got)
	}
	v, err = c.RecordVerification(id, v)
	if err != nil {
		return v, fmt.Errorf("verify %s: record result: %w", ev.Meta.Name, err)
	}
	return v, nil
}

// matchDetail is the detail of a verification that matched.
func matchDetail(set hashSet) string {
	if set == allHashes {
		return "every chunk authenticated; MD5, SHA-1 and SHA-256 recomputed and match the values recorded at ingest"
	}
	return "every chunk authenticated; SHA-256 recomputed and matches the value recorded at ingest (MD5 and SHA-1 not recomputed)"
}

// VerifySource re-reads the original source (path, or the recorded source
// path when path is "") and compares its hashes with the recorded ones,
// without touching the case content. The check and its result are recorded
// in the custody ledger (evidence.source-verified).
func VerifySource(ctx context.Context, c *casefile.Case, id uuid.UUID, path string, p Progress) (casefile.Hashes, bool, error) {
	return verifySource(ctx, c, id, path, func(name string, size int64) *tracker { return newTracker(p, name, size) })
}

func verifySource(ctx context.Context, c *casefile.Case, id uuid.UUID, path string, progress func(name string, size int64) *tracker) (casefile.Hashes, bool, error) {
	ev, err := c.Evidence(id)
	if err != nil {
		return casefile.Hashes{}, false, err
	}
	if path == "" {
		path = ev.Meta.SourcePath
	}
	// Read as the item was: a file as the bytes it is, an E01 or a
	// virtual disk as the media it holds.
	specs, _, err := expand(path, ev.Meta.Format == FormatFile || ev.Meta.Format == FormatSplitRaw)
	if err != nil {
		return casefile.Hashes{}, false, err
	}
	if len(specs) != 1 {
		return casefile.Hashes{}, false, fmt.Errorf("%w: %s names %d sources, not one", ErrSource, path, len(specs))
	}
	src, err := openSource(specs[0], false)
	if err != nil {
		return casefile.Hashes{}, false, err
	}
	defer src.Close()
	hs := newHashStream()
	tr := progress(ev.Meta.Name, src.size)
	buf := make([]byte, 1<<20)
	for {
		if err := ctx.Err(); err != nil {
			hs.sum()
			return casefile.Hashes{}, false, err
		}
		n, err := io.ReadFull(src.r, buf)
		if n > 0 {
			hs.write(buf[:n])
			tr.add(int64(n))
		}
		if err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				break
			}
			hs.sum()
			return casefile.Hashes{}, false, sourceErr(path, err)
		}
	}
	got := hs.sum()
	ok := got == ev.Meta.Hashes
	result := "match"
	if !ok {
		result = "MISMATCH"
	}
	abs, _ := filepath.Abs(path)
	if _, err := c.Record(casefile.Event{Action: casefile.ActionSourceVerified, Target: casefile.Target{Type: casefile.TargetEvidence, ID: id.String()},
		Hashes:  map[string]string{"md5": got.MD5, "sha1": got.SHA1, "sha256": got.SHA256},
		Details: map[string]string{"source": abs, "result": result}}); err != nil {
		return got, ok, fmt.Errorf("verify source of %s: record: %w", ev.Meta.Name, err)
	}
	return got, ok, nil
}
