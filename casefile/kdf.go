package casefile

import (
	"fmt"
	"runtime/debug"
	"testing"

	"golang.org/x/crypto/argon2"
	"golang.org/x/text/unicode/norm"
)

// KDFParams are the Argon2id parameters of one key slot.
type KDFParams struct {
	Time      uint32 // passes over memory
	MemoryKiB uint32 // memory in KiB
	Threads   uint8  // lanes
}

// DefaultKDF is the production cost: about one second and 256 MiB on a
// current two-core machine.
var DefaultKDF = KDFParams{Time: 3, MemoryKiB: 256 * 1024, Threads: 2}

// TestKDF is a cheap setting for tests only. Create, AddKeySlot and
// ChangePassphrase refuse it (ErrWeakKDF) outside a `go test` binary, so
// neither the CLI nor the GUI can write a weak key slot.
var TestKDF = KDFParams{Time: 1, MemoryKiB: 64, Threads: 1}

// Bounds for parameters read from a file, so a tampered slot cannot make
// Open allocate absurd memory or spin for hours.
const (
	maxKDFTime      = 64
	maxKDFMemoryKiB = 4 * 1024 * 1024 // 4 GiB
)

// kdfKeyLen is the length of the key-encryption key.
const kdfKeyLen = 32

func (p KDFParams) orDefault() KDFParams {
	if p == (KDFParams{}) {
		return DefaultKDF
	}
	return p
}

// checkWrite refuses parameters weaker than DefaultKDF outside tests.
func (p KDFParams) checkWrite() error {
	if p.Time == 0 || p.MemoryKiB == 0 || p.Threads == 0 {
		return fmt.Errorf("%w: time, memory and threads must be positive", ErrWeakKDF)
	}
	weak := p.Time < DefaultKDF.Time || p.MemoryKiB < DefaultKDF.MemoryKiB
	if weak && !testing.Testing() {
		return fmt.Errorf("%w (t=%d, m=%d KiB): the low-cost setting exists for tests only", ErrWeakKDF, p.Time, p.MemoryKiB)
	}
	return p.checkRead()
}

// checkRead rejects parameters no legitimate slot has.
func (p KDFParams) checkRead() error {
	if p.Time == 0 || p.Time > maxKDFTime || p.MemoryKiB < 8*uint32(max(p.Threads, 1)) || p.MemoryKiB > maxKDFMemoryKiB || p.Threads == 0 {
		return fmt.Errorf("implausible Argon2id parameters t=%d m=%d KiB p=%d", p.Time, p.MemoryKiB, p.Threads)
	}
	return nil
}

// normalizePassphrase returns the passphrase in Unicode NFC, so the same
// passphrase typed on systems that compose characters differently (macOS
// decomposes) derives the same key. Bytes that are not UTF-8 are kept, in
// place, and nothing composes or reorders across one: the valid runs
// between them are normalised each on their own (docs/FORMAT.md 3.2;
// FuzzNormalizePassphrase checks x/text does exactly that). They are not
// refused, because a case whose passphrase holds such bytes (typed in a
// terminal with a Latin-1 locale) must keep opening.
func normalizePassphrase(pass []byte) []byte {
	return norm.NFC.Bytes(pass)
}

// deriveKEK runs Argon2id over the normalized passphrase, then returns its
// memory (256 MiB at the default cost) to the operating system at once:
// left to the garbage collector it would also set the heap goal so high
// that a following ingest could grow to twice that before collecting.
func deriveKEK(pass, salt []byte, p KDFParams) []byte {
	k := argon2.IDKey(normalizePassphrase(pass), salt, p.Time, p.MemoryKiB, p.Threads, kdfKeyLen)
	if p.MemoryKiB >= 16*1024 {
		debug.FreeOSMemory()
	}
	return k
}
