package casefile

import (
	"fmt"

	"github.com/google/uuid"
)

// parseStoredUUID parses a UUID read from a case file: a clear column
// (case_header.case_uuid, examiners.examiner_uuid, key_slots.slot_uuid and
// examiner_uuid, case_info.row_uuid, evidence.evidence_uuid, a record's
// row_uuid and parent_uuid) or a UUID member of sealed JSON. Writers store
// only the lower-case, hyphenated, 36-character form, and that text (or the
// 16 bytes it spells) is what the AAD of the row's sealed values binds; any
// other spelling that uuid.Parse would take (upper case, braces, "urn:uuid:",
// no hyphens) is refused, so a UUID column edited into another spelling of
// the same UUID cannot open with the AAD of the original (docs/FORMAT.md
// 4.3).
func parseStoredUUID(s string) (uuid.UUID, error) {
	id, err := uuid.Parse(s)
	if err != nil {
		return uuid.Nil, fmt.Errorf("%q is not a UUID", s)
	}
	if !isCanonicalUUID(s) {
		return uuid.Nil, fmt.Errorf("UUID %q is not in its canonical form (lower-case, hyphenated, 36 characters)", s)
	}
	return id, nil
}

// isCanonicalUUID reports whether s is a UUID in the form writers store:
// 8-4-4-4-12 lower-case hex digits, which is what uuid.UUID.String writes.
func isCanonicalUUID[T string | []byte](s T) bool {
	if len(s) != 36 {
		return false
	}
	for i := range len(s) {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
				return false
			}
		}
	}
	return true
}
