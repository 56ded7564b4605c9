package timeline

import (
	"context"
	"database/sql"
	"time"
)

// Span returns the time of the first and the last event f selects (events
// without a time left out); ok is false when it selects no timed event.
// The histogram of a result uses it to choose its bucket.
func (ix *Index) Span(ctx context.Context, f Filter) (first, last time.Time, ok bool, err error) {
	where, args, err := f.where()
	if err != nil {
		return first, last, false, err
	}
	if where == "" {
		where = " WHERE e.time IS NOT NULL"
	} else {
		where += " AND e.time IS NOT NULL"
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.db == nil {
		return first, last, false, errIndexClosed
	}
	var lo, hi sql.NullInt64
	if err := ix.db.QueryRowContext(ctx, `SELECT min(e.time), max(e.time) FROM events e`+where, args...).Scan(&lo, &hi); err != nil {
		return first, last, false, searchError(err)
	}
	if !lo.Valid || !hi.Valid {
		return first, last, false, nil
	}
	return time.Unix(0, lo.Int64).UTC(), time.Unix(0, hi.Int64).UTC(), true, nil
}
