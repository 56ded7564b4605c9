package evidence

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/google/uuid"
)

// ErrDestination is wrapped when an extraction target cannot be written.
var ErrDestination = casefile.NewKind("evidence", "destination problem",
	"choose a new file name in a folder you can write to, on a disk with enough space; Custodia writes only new files")

// Extract writes an item's exact original bytes to dest, a new file (never
// overwritten), re-hashing them with SHA-256 on the way. If it differs from
// the recorded one the file is removed and the error says so. The returned
// MD5 and SHA-1 are the recorded values (Verify recomputes those). The extraction
// is recorded in the custody ledger with the destination and hashes.
func Extract(ctx context.Context, c *casefile.Case, id uuid.UUID, dest, reason string, p Progress) (casefile.Hashes, error) {
	r, err := c.OpenEvidence(id)
	if err != nil {
		return casefile.Hashes{}, fmt.Errorf("extract %s: %w", id, err)
	}
	ev := r.Evidence()
	abs, err := filepath.Abs(dest)
	if err != nil {
		return casefile.Hashes{}, err
	}
	if _, err := os.Lstat(abs); err == nil {
		return casefile.Hashes{}, fmt.Errorf("extract %s: %w: %s exists; Custodia never overwrites a file", ev.Meta.Name, ErrDestination, abs)
	}
	// Written under a temporary name and linked into place only once the
	// bytes proved right, so dest never holds a partial or wrong file.
	f, err := os.CreateTemp(filepath.Dir(abs), "."+filepath.Base(abs)+".partial-*")
	if err != nil {
		return casefile.Hashes{}, fmt.Errorf("extract %s: %w: %v", ev.Meta.Name, ErrDestination, err)
	}
	tmp := f.Name()
	ok := false
	defer func() {
		if !ok {
			f.Close()
		}
		os.Remove(tmp)
	}()
	tr := newTracker(p, ev.Meta.Name, ev.Meta.Size)
	// Every chunk is authenticated as it is opened; on top, the written
	// bytes are re-hashed with SHA-256, the strongest recorded hash, on its
	// own goroutine (MD5 and SHA-1 are re-checked by Verify).
	sum := newAsyncSHA256()
	err = streamChunks(ctx, r, func(_ int64, plain []byte) error {
		release := refCount(2, func() { r.Release(plain) }) // the hash and the write
		sum.write(plain, release)
		_, err := f.Write(plain)
		release()
		if err != nil {
			return fmt.Errorf("%w: write %s: %v", ErrDestination, abs, err)
		}
		tr.add(int64(len(plain)))
		return nil
	})
	got := casefile.Hashes{MD5: ev.Meta.Hashes.MD5, SHA1: ev.Meta.Hashes.SHA1, SHA256: sum.sum()}
	if err != nil {
		return got, fmt.Errorf("extract %s: %w", ev.Meta.Name, err)
	}
	if got.SHA256 != ev.Meta.Hashes.SHA256 {
		return got, fmt.Errorf("extract %s: %w: the extracted bytes' SHA-256 %s is not the recorded %s; the file was removed", ev.Meta.Name, casefile.ErrAuthFailed, got.SHA256, ev.Meta.Hashes.SHA256)
	}
	// No fsync of the whole file: that would make extraction as slow as the
	// disk, and the SHA-256 recorded in the ledger lets anyone check the file
	// (sha256sum) after a crash or a copy.
	if err := f.Close(); err != nil {
		return got, fmt.Errorf("extract %s: %w: %v", ev.Meta.Name, ErrDestination, err)
	}
	ok = true // closed
	// A hard link fails if dest appeared meanwhile: still no overwrite.
	if err := os.Link(tmp, abs); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return got, fmt.Errorf("extract %s: %w: %s exists; Custodia never overwrites a file", ev.Meta.Name, ErrDestination, abs)
		}
		return got, fmt.Errorf("extract %s: %w: %v", ev.Meta.Name, ErrDestination, err)
	}
	if _, err := c.Record(casefile.Event{Action: casefile.ActionEvidenceExtracted, Target: casefile.Target{Type: casefile.TargetEvidence, ID: id.String()},
		Reason: reason, Hashes: map[string]string{"sha256": got.SHA256},
		Details: map[string]string{"destination": abs, "size": fmt.Sprint(ev.Meta.Size)}}); err != nil {
		os.Remove(abs) // an extraction the ledger does not know about must not exist
		return got, fmt.Errorf("extract %s: record: %w", ev.Meta.Name, err)
	}
	return got, nil
}

// Cat copies length bytes of an item from offset to w (length < 0: to the
// end) and records the view.
func Cat(ctx context.Context, c *casefile.Case, id uuid.UUID, offset, length int64, w io.Writer, reason string) (int64, error) {
	r, err := c.OpenEvidence(id)
	if err != nil {
		return 0, err
	}
	size := r.Size()
	if offset < 0 || offset > size {
		return 0, fmt.Errorf("%w: offset %d is outside the item (0 to %d)", casefile.ErrInvalid, offset, size)
	}
	if length < 0 || offset+length > size {
		if length >= 0 && offset+length > size {
			return 0, fmt.Errorf("%w: %d bytes from offset %d run past the end of the item (%d bytes)", casefile.ErrInvalid, length, offset, size)
		}
		length = size - offset
	}
	if _, err := c.Record(casefile.Event{Action: casefile.ActionEvidenceViewed, Target: casefile.Target{Type: casefile.TargetEvidence, ID: id.String()},
		Reason: reason, Details: map[string]string{"offset": fmt.Sprint(offset), "length": fmt.Sprint(length), "via": "cat"}}); err != nil {
		return 0, err
	}
	n, err := io.Copy(w, io.NewSectionReader(r, offset, length))
	if err == nil && ctx.Err() != nil {
		err = ctx.Err()
	}
	return n, err
}
