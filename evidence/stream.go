package evidence

import (
	"context"

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
