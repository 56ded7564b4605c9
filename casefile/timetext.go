package casefile

import (
	"fmt"
	"time"
)

// parseStoredTime parses a time read from a case file (a sealed column, a
// ledger entry's time, a time member of sealed JSON). The stored form is
// exactly what formatTime writes, docs/FORMAT.md 4.4:
//
//	YYYY-MM-DDTHH:MM:SS[.F]Z
//
// in UTC with an upper-case T and Z, where F is 1 to 9 digits whose last
// digit is not 0, the date is a real calendar day of a year 0000–9999 and
// the time has no leap second. Every other spelling of an instant (another
// offset, +00:00, trailing zeros, lower case, a comma) is refused, so each
// instant has one stored text and a value read and written again is the
// same bytes. The result is in UTC.
func parseStoredTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil || formatTime(t) != s {
		return time.Time{}, fmt.Errorf("%q is not a time in the stored form YYYY-MM-DDTHH:MM:SS[.fraction]Z (UTC, 1 to 9 fraction digits without trailing zeros)", s)
	}
	return t.UTC(), nil
}
