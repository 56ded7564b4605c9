package casefile

import (
	"encoding/hex"
	"fmt"
)

// Digest is a SHA-256 value: a custody entry hash or the ledger head.
type Digest [32]byte

// String returns the full lower-case hex form.
func (d Digest) String() string { return hex.EncodeToString(d[:]) }

// Short returns the first 16 hex digits, the form shown in the GUI and
// printed in reports next to the full value.
func (d Digest) Short() string { return d.String()[:16] }

// IsZero reports whether d is all zeros (no ledger yet).
func (d Digest) IsZero() bool { return d == Digest{} }

// ParseDigest parses a 64-digit hex SHA-256 value.
func ParseDigest(s string) (Digest, error) {
	var d Digest
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != len(d) {
		return d, fmt.Errorf("%w: %q is not a 64-digit hex SHA-256 value", ErrInvalid, s)
	}
	copy(d[:], b)
	return d, nil
}

func digestFrom(b []byte) (Digest, bool) {
	var d Digest
	if len(b) != len(d) {
		return d, false
	}
	copy(d[:], b)
	return d, true
}
