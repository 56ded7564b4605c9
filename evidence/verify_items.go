package evidence

import (
	"context"
	"fmt"
	"iter"
	"path/filepath"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/google/uuid"
)

// VerifyResult is the verification of one item.
type VerifyResult struct {
	Item         casefile.Evidence     // the item as it was listed before this verification
	Verification casefile.Verification // the result as recorded: time, examiner, hashes, OK, detail
	Source       *SourceResult         // the original source re-hashed, when VerifyItems was asked to
}

// SourceResult is the re-hash of an item's original source.
type SourceResult struct {
	Path   string          // absolute path read
	Hashes casefile.Hashes // as computed now
	OK     bool            // equal to the hashes recorded at ingest
}

// OK reports whether everything checked matches: the content in the case,
// and the source when it was checked.
func (r VerifyResult) OK() bool { return r.Verification.OK && (r.Source == nil || r.Source.OK) }

// VerifyItems verifies the items ids in turn (Verify), and with sourcePath
// also re-hashes that original source of the one item given (VerifySource),
// handing out each item's result as soon as it is recorded: a range over it
// sees the first item's result while the second is being read. A mismatch
// is a result (OK false); a failure to verify at all (a cancelled context,
// an unknown item, an unreadable source) is yielded as the error, with the
// item it concerns, and ends the sequence. Stopping the range early stops
// before the next item. p receives each item's progress, with Index and
// Count, and the whole run's bytes (JobDone, JobTotal, JobRemaining).
func VerifyItems(ctx context.Context, c *casefile.Case, ids []uuid.UUID, opts VerifyOptions, sourcePath string, p Progress) iter.Seq2[VerifyResult, error] {
	return func(yield func(VerifyResult, error) bool) {
		if sourcePath != "" && len(ids) != 1 {
			yield(VerifyResult{}, fmt.Errorf("%w: the source %s belongs to one item; verify it with one item, not %d", casefile.ErrInvalid, sourcePath, len(ids)))
			return
		}
		items := make([]casefile.Evidence, len(ids))
		job := &jobProgress{}
		for i, id := range ids {
			ev, err := c.Evidence(id)
			if err != nil {
				yield(VerifyResult{Item: casefile.Evidence{ID: id}}, fmt.Errorf("verify %s: %w", id, err))
				return
			}
			items[i] = ev
			job.total += ev.Meta.Size
		}
		if sourcePath != "" {
			job.total += items[0].Meta.Size // the source is read as well
		}
		job.start = job.now()
		for i, ev := range items {
			r := VerifyResult{Item: ev}
			v, err := verify(ctx, c, ev.ID, opts, func(ev casefile.Evidence) *tracker {
				return newTracker(p, ev.Meta.Name, ev.Meta.Size).of(i+1, len(items)).in(job)
			})
			if err != nil {
				yield(r, err)
				return
			}
			r.Verification = v
			job.finish(ev.Meta.Size)
			if sourcePath != "" {
				hashes, ok, err := verifySource(ctx, c, ev.ID, sourcePath, func(name string, size int64) *tracker {
					return newTracker(p, name, size).of(i+1, len(items)).in(job)
				})
				if err != nil {
					yield(r, fmt.Errorf("verify source %s: %w", sourcePath, err))
					return
				}
				abs, _ := filepath.Abs(sourcePath)
				r.Source = &SourceResult{Path: abs, Hashes: hashes, OK: ok}
			}
			if !yield(r, nil) {
				return
			}
		}
	}
}
