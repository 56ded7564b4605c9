package casefile

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"database/sql"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"golang.org/x/crypto/chacha20poly1305"
)

const (
	masterKeyLen = 32
	saltLen      = 16
	kdfName      = "argon2id"
)

// slotRow is a key_slots row as stored.
type slotRow struct {
	id       int
	uuid     uuid.UUID
	examiner uuid.UUID
	kind     SlotKind
	kdf      KDFParams
	salt     []byte
	wrapped  []byte
	created  []byte // sealed
}

// slotPayload is what a key slot protects: the case's master key and the
// Ed25519 seed of the slot's examiner, so opening the case and signing in
// the examiner's name need the same secret.
type slotPayload struct {
	mk   []byte // masterKeyLen
	seed []byte // ed25519.SeedSize
}

func (p slotPayload) bytes() []byte { return append(append([]byte{}, p.mk...), p.seed...) }

// slotAAD binds a wrapped key to its case, slot, examiner, kind and KDF
// parameters: FormatTag ‖ " keyslot" ‖ 0x00 ‖ case UUID ‖ slot UUID ‖
// examiner UUID ‖ field(kind) ‖ field("argon2id") ‖ time u32 ‖ memory KiB u32 ‖
// threads u8 ‖ field(salt).
func slotAAD(caseUUID uuid.UUID, s *slotRow) []byte {
	b := []byte(FormatTag + " keyslot\x00")
	b = append(b, caseUUID[:]...)
	b = append(b, s.uuid[:]...)
	b = append(b, s.examiner[:]...)
	b = appendField(b, string(s.kind))
	b = appendField(b, kdfName)
	b = binary.BigEndian.AppendUint32(b, s.kdf.Time)
	b = binary.BigEndian.AppendUint32(b, s.kdf.MemoryKiB)
	b = append(b, s.kdf.Threads)
	return appendField(b, string(s.salt))
}

// secretFor returns the bytes a slot of this kind derives its key from:
// recovery keys are canonicalized so that case, dashes and spaces typed by
// a person do not matter.
func secretFor(kind SlotKind, pass []byte) []byte {
	if kind == SlotRecovery {
		return []byte(canonicalRecoveryKey(string(pass)))
	}
	return pass
}

// wrap derives a fresh KEK for s from pass and stores the payload wrapped under it.
func (s *slotRow) wrap(caseUUID uuid.UUID, pass []byte, p slotPayload) error {
	salt := make([]byte, saltLen)
	nonce := make([]byte, chacha20poly1305.NonceSizeX)
	if _, err := rand.Read(salt); err != nil {
		return err
	}
	if _, err := rand.Read(nonce); err != nil {
		return err
	}
	return s.wrapWith(caseUUID, pass, p, salt, nonce)
}

// wrapWith is wrap with the salt and nonce given: random in wrap, fixed in
// the test vectors of docs/FORMAT.md Appendix A.
func (s *slotRow) wrapWith(caseUUID uuid.UUID, pass []byte, p slotPayload, salt, nonce []byte) error {
	s.salt = salt
	kek := deriveKEK(secretFor(s.kind, pass), s.salt, s.kdf)
	defer clear(kek)
	aead, err := chacha20poly1305.NewX(kek)
	if err != nil {
		return err
	}
	pt := p.bytes()
	defer clear(pt)
	s.wrapped = aead.Seal(nonce, nonce, pt, slotAAD(caseUUID, s))
	return nil
}

// unwrap returns the payload if pass opens this slot.
func (s *slotRow) unwrap(caseUUID uuid.UUID, pass []byte) (slotPayload, bool) {
	if len(s.wrapped) < chacha20poly1305.NonceSizeX {
		return slotPayload{}, false
	}
	kek := deriveKEK(secretFor(s.kind, pass), s.salt, s.kdf)
	defer clear(kek)
	aead, err := chacha20poly1305.NewX(kek)
	if err != nil {
		return slotPayload{}, false
	}
	n := chacha20poly1305.NonceSizeX
	pt, err := aead.Open(nil, s.wrapped[:n], s.wrapped[n:], slotAAD(caseUUID, s))
	if err != nil || len(pt) != masterKeyLen+ed25519.SeedSize {
		return slotPayload{}, false
	}
	return slotPayload{mk: pt[:masterKeyLen], seed: pt[masterKeyLen:]}, true
}

func readSlots(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}) ([]*slotRow, error) {
	rows, err := q.QueryContext(ctx, `SELECT slot_id, slot_uuid, examiner_uuid, kind, kdf, kdf_time, kdf_memory_kib, kdf_threads,
		salt, wrapped_key, created FROM key_slots ORDER BY slot_id`)
	if err != nil {
		return nil, fmt.Errorf("read key slots: %w", err)
	}
	defer rows.Close()
	var out []*slotRow
	for rows.Next() {
		var s slotRow
		var id, ex, kind, kdf string
		var t, m, p int64
		if err := rows.Scan(&s.id, &id, &ex, &kind, &kdf, &t, &m, &p, &s.salt, &s.wrapped, &s.created); err != nil {
			return nil, fmt.Errorf("read key slots: %w", err)
		}
		if s.uuid, err = parseStoredUUID(id); err != nil {
			return nil, fmt.Errorf("%w: key slot %d has a malformed UUID: %v", ErrCorrupt, s.id, err)
		}
		if s.examiner, err = parseStoredUUID(ex); err != nil {
			return nil, fmt.Errorf("%w: key slot %d has a malformed examiner UUID: %v", ErrCorrupt, s.id, err)
		}
		// Checked before any derivation: the AAD's field(salt) would bind a
		// salt of any length, but no writer stores anything but 16 bytes.
		if len(s.salt) != saltLen {
			return nil, fmt.Errorf("%w: key slot %d has a %d-byte salt, not %d bytes", ErrCorrupt, s.id, len(s.salt), saltLen)
		}
		if t < 0 || t > 1<<32-1 || m < 0 || m > 1<<32-1 || p < 0 || p > 255 {
			return nil, fmt.Errorf("%w: key slot %d: KDF parameters out of range", ErrCorrupt, s.id)
		}
		s.kind, s.kdf = SlotKind(kind), KDFParams{Time: uint32(t), MemoryKiB: uint32(m), Threads: uint8(p)}
		if kdf != kdfName {
			return nil, fmt.Errorf("%w: key slot %d uses unknown KDF %q", ErrCorrupt, s.id, kdf)
		}
		if err := s.kdf.checkRead(); err != nil {
			return nil, fmt.Errorf("%w: key slot %d: %v", ErrCorrupt, s.id, err)
		}
		out = append(out, &s)
	}
	return out, rows.Err()
}

// unlock tries pass against every slot and returns the payload and the
// slot that opened.
func unlock(ctx context.Context, db *sql.DB, caseUUID uuid.UUID, pass []byte) (slotPayload, *slotRow, error) {
	slots, err := readSlots(ctx, db)
	if err != nil {
		return slotPayload{}, nil, err
	}
	if len(slots) == 0 {
		return slotPayload{}, nil, fmt.Errorf("%w: the case has no key slots", ErrCorrupt)
	}
	looksLikeRecovery := len(canonicalRecoveryKey(string(pass))) == recoveryKeyChars
	for _, s := range slots {
		if s.kind == SlotRecovery && !looksLikeRecovery {
			continue // cannot match; skip the costly derivation
		}
		if p, ok := s.unwrap(caseUUID, pass); ok {
			return p, s, nil
		}
	}
	return slotPayload{}, nil, ErrWrongPassphrase
}

// Recovery keys: 20 random bytes (160 bits) in RFC 4648 base32, shown in
// groups of four characters.
const (
	recoveryKeyBytes = 20
	recoveryKeyChars = 32
)

func newRecoveryKey() (string, error) {
	b := make([]byte, recoveryKeyBytes)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	s := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b)
	var groups []string
	for i := 0; i < len(s); i += 4 {
		groups = append(groups, s[i:i+4])
	}
	return strings.Join(groups, "-"), nil
}

// canonicalRecoveryKey upper-cases s and drops everything but base32 letters
// and digits, so "abcd efgh-…" and "ABCD-EFGH-…" are the same key.
func canonicalRecoveryKey(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A' // ASCII only: no Unicode case folding surprises
		}
		if (c >= 'A' && c <= 'Z') || (c >= '2' && c <= '7') {
			b.WriteByte(c)
		}
	}
	return b.String()
}
