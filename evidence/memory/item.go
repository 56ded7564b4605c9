package memory

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/evidence"
)

// DescribeItem describes item id of c, read through the case (every chunk
// authenticated, nothing written to disk). It works on an item of any
// kind: an item of no memory-dump format is FormatRaw, and Info says what
// else it is. It records nothing; RecordRead does.
func DescribeItem(c *casefile.Case, id uuid.UUID) (*Info, error) {
	r, err := c.OpenEvidence(id)
	if err != nil {
		return nil, err
	}
	return Describe(r, r.Size())
}

// ItemStrings finds the strings of item id of c, streaming it through the
// case, and calls fn with each hit in order; prog (may be nil) gets the
// progress. It records nothing; RecordRead does.
func ItemStrings(ctx context.Context, c *casefile.Case, id uuid.UUID, opt StringsOptions, prog evidence.Progress, fn func(Hit) error) error {
	s := NewScanner(opt, fn)
	err := evidence.StreamItem(ctx, c, id, prog, func(_ int64, b []byte) error {
		_, err := s.Write(b)
		return err
	})
	if err != nil {
		return err
	}
	return s.Close()
}

// RecordRead records, in the custody ledger, that the content of item id
// was read to describe it or find its strings (evidence.viewed, with via
// naming how: "memory info", "memory strings", "memory view").
func RecordRead(c *casefile.Case, id uuid.UUID, via, reason string, details map[string]string) error {
	d := map[string]string{"via": via}
	for k, v := range details {
		d[k] = v
	}
	if _, err := c.Record(casefile.Event{Action: casefile.ActionEvidenceViewed,
		Target: casefile.Target{Type: casefile.TargetEvidence, ID: id.String()}, Reason: reason, Details: d}); err != nil {
		return fmt.Errorf("record the reading of %s: %w", id, err)
	}
	return nil
}
