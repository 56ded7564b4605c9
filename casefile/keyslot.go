package casefile

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"strings"
	"time"

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
	id      int
	uuid    uuid.UUID
	kind    SlotKind
	kdf     KDFParams
	salt    []byte
	wrapped []byte
	label   []byte // sealed
	created []byte // sealed
}

// slotAAD binds a wrapped master key to its case, slot, kind and KDF
// parameters: FormatTag ‖ " keyslot" ‖ 0x00 ‖ case UUID ‖ slot UUID ‖
// field(kind) ‖ field("argon2id") ‖ time u32 ‖ memory KiB u32 ‖ threads u8 ‖ field(salt).
func slotAAD(caseUUID uuid.UUID, s *slotRow) []byte {
	b := []byte(FormatTag + " keyslot\x00")
	b = append(b, caseUUID[:]...)
	b = append(b, s.uuid[:]...)
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

// wrap derives a fresh KEK for s from pass and stores MK wrapped under it.
func (s *slotRow) wrap(caseUUID uuid.UUID, pass, mk []byte) error {
	s.salt = make([]byte, saltLen)
	nonce := make([]byte, chacha20poly1305.NonceSizeX)
	if _, err := rand.Read(s.salt); err != nil {
		return err
	}
	if _, err := rand.Read(nonce); err != nil {
		return err
	}
	kek := deriveKEK(secretFor(s.kind, pass), s.salt, s.kdf)
	defer clear(kek)
	aead, err := chacha20poly1305.NewX(kek)
	if err != nil {
		return err
	}
	s.wrapped = aead.Seal(nonce, nonce, mk, slotAAD(caseUUID, s))
	return nil
}

// unwrap returns the master key if pass opens this slot.
func (s *slotRow) unwrap(caseUUID uuid.UUID, pass []byte) ([]byte, bool) {
	if len(s.wrapped) < chacha20poly1305.NonceSizeX {
		return nil, false
	}
	kek := deriveKEK(secretFor(s.kind, pass), s.salt, s.kdf)
	defer clear(kek)
	aead, err := chacha20poly1305.NewX(kek)
	if err != nil {
		return nil, false
	}
	n := chacha20poly1305.NonceSizeX
	mk, err := aead.Open(nil, s.wrapped[:n], s.wrapped[n:], slotAAD(caseUUID, s))
	if err != nil || len(mk) != masterKeyLen {
		return nil, false
	}
	return mk, true
}

func readSlots(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}) ([]*slotRow, error) {
	rows, err := q.QueryContext(ctx, `SELECT slot_id, slot_uuid, kind, kdf, kdf_time, kdf_memory_kib, kdf_threads,
		salt, wrapped_key, label, created FROM key_slots ORDER BY slot_id`)
	if err != nil {
		return nil, fmt.Errorf("read key slots: %w", err)
	}
	defer rows.Close()
	var out []*slotRow
	for rows.Next() {
		var s slotRow
		var id, kind, kdf string
		var t, m, p int64
		if err := rows.Scan(&s.id, &id, &kind, &kdf, &t, &m, &p, &s.salt, &s.wrapped, &s.label, &s.created); err != nil {
			return nil, fmt.Errorf("read key slots: %w", err)
		}
		if s.uuid, err = uuid.Parse(id); err != nil {
			return nil, fmt.Errorf("%w: key slot %d has a malformed UUID", ErrCorrupt, s.id)
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

// unlock tries pass against every slot and returns the master key and the
// id of the slot that opened.
func unlock(ctx context.Context, db *sql.DB, caseUUID uuid.UUID, pass []byte) ([]byte, int, error) {
	slots, err := readSlots(ctx, db)
	if err != nil {
		return nil, 0, err
	}
	if len(slots) == 0 {
		return nil, 0, fmt.Errorf("%w: the case has no key slots", ErrCorrupt)
	}
	looksLikeRecovery := len(canonicalRecoveryKey(string(pass))) == recoveryKeyChars
	for _, s := range slots {
		if s.kind == SlotRecovery && !looksLikeRecovery {
			continue // cannot match; skip the costly derivation
		}
		if mk, ok := s.unwrap(caseUUID, pass); ok {
			return mk, s.id, nil
		}
	}
	return nil, 0, ErrWrongPassphrase
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
	for _, r := range strings.ToUpper(s) {
		if (r >= 'A' && r <= 'Z') || (r >= '2' && r <= '7') {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// KeySlots lists the case's key slots in id order.
func (c *Case) KeySlots() ([]KeySlot, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.usable(); err != nil {
		return nil, err
	}
	return c.keySlots(context.Background())
}

func (c *Case) keySlots(ctx context.Context) ([]KeySlot, error) {
	rows, err := readSlots(ctx, c.db)
	if err != nil {
		return nil, err
	}
	out := make([]KeySlot, 0, len(rows))
	for _, s := range rows {
		row := s.uuid.String()
		label, err := c.rec.openString("key_slots", row, "label", s.label)
		if err != nil {
			return nil, err
		}
		created, err := c.openTime("key_slots", row, "created", s.created)
		if err != nil {
			return nil, err
		}
		out = append(out, KeySlot{ID: s.id, Kind: s.kind, Label: label, Created: created, KDF: s.kdf})
	}
	return out, nil
}

// AddKeySlot adds a slot that opens the case with passphrase, for a second
// person or a second device. No other data is rewritten.
func (c *Case) AddKeySlot(label string, passphrase []byte) (KeySlot, error) {
	if len(passphrase) == 0 {
		return KeySlot{}, fmt.Errorf("add key slot: %w", ErrEmptyPassphrase)
	}
	return c.addSlot(SlotPassphrase, label, passphrase)
}

// AddRecoveryKey adds a slot opened by a newly generated recovery key and
// returns the key. It is shown to the person once and never stored.
func (c *Case) AddRecoveryKey(label string) (KeySlot, string, error) {
	key, err := newRecoveryKey()
	if err != nil {
		return KeySlot{}, "", fmt.Errorf("add recovery key: %w", err)
	}
	if label == "" {
		label = "recovery key"
	}
	slot, err := c.addSlot(SlotRecovery, label, []byte(key))
	if err != nil {
		return KeySlot{}, "", err
	}
	return slot, key, nil
}

func (c *Case) addSlot(kind SlotKind, label string, secret []byte) (KeySlot, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.usable(); err != nil {
		return KeySlot{}, err
	}
	if err := checkText("key slot label", label, false, MaxShortFieldLen); err != nil {
		return KeySlot{}, fmt.Errorf("add key slot: %w", err)
	}
	if err := c.kdf.checkWrite(); err != nil {
		return KeySlot{}, fmt.Errorf("add key slot: %w", err)
	}
	ctx := context.Background()
	now := c.now()
	var slot KeySlot
	err := c.update(ctx, func(tx *sql.Tx) error {
		id, err := insertSlot(ctx, tx, c.rec, c.id, c.mk, kind, label, secret, c.kdf, now)
		slot = KeySlot{ID: id, Kind: kind, Label: label, Created: now, KDF: c.kdf}
		return err
	})
	if err != nil {
		return KeySlot{}, fmt.Errorf("add key slot: %w", err)
	}
	return slot, nil
}

func insertSlot(ctx context.Context, tx *sql.Tx, rec *sealer, caseUUID uuid.UUID, mk []byte, kind SlotKind, label string, secret []byte, kdf KDFParams, now time.Time) (int, error) {
	s := slotRow{uuid: uuid.New(), kind: kind, kdf: kdf}
	if err := s.wrap(caseUUID, secret, mk); err != nil {
		return 0, err
	}
	row := s.uuid.String()
	var err error
	if s.label, err = rec.sealString("key_slots", row, "label", label); err != nil {
		return 0, err
	}
	if s.created, err = rec.sealString("key_slots", row, "created", formatTime(now)); err != nil {
		return 0, err
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO key_slots (slot_uuid, kind, kdf, kdf_time, kdf_memory_kib, kdf_threads,
		salt, wrapped_key, label, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		row, string(kind), kdfName, s.kdf.Time, s.kdf.MemoryKiB, s.kdf.Threads, s.salt, s.wrapped, s.label, s.created)
	if err != nil {
		return 0, err
	}
	id, err := res.LastInsertId()
	return int(id), err
}

// RemoveKeySlot deletes a slot; its wrapped key is overwritten on disk
// (secure_delete). The last slot cannot be removed. Copies of the case file
// made before the removal still open with the removed secret.
func (c *Case) RemoveKeySlot(id int) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.usable(); err != nil {
		return err
	}
	ctx := context.Background()
	err := c.update(ctx, func(tx *sql.Tx) error {
		var n, exists int
		if err := tx.QueryRowContext(ctx, `SELECT count(*), count(*) FILTER (WHERE slot_id = ?) FROM key_slots`, id).Scan(&n, &exists); err != nil {
			return err
		}
		if exists == 0 {
			return fmt.Errorf("%w: %d", ErrNoSuchKeySlot, id)
		}
		if n <= 1 {
			return ErrLastKeySlot
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM key_slots WHERE slot_id = ?`, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("remove key slot %d: %w", id, err)
	}
	return nil
}

// ChangePassphrase rewraps the master key in the slot that unlocked this
// handle under newPassphrase, with a fresh salt. No other data is rewritten.
// A recovery slot cannot be given a chosen passphrase: add a passphrase slot
// and remove the recovery slot instead.
func (c *Case) ChangePassphrase(newPassphrase []byte) error {
	if len(newPassphrase) == 0 {
		return fmt.Errorf("change passphrase: %w", ErrEmptyPassphrase)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.usable(); err != nil {
		return err
	}
	if err := c.kdf.checkWrite(); err != nil {
		return fmt.Errorf("change passphrase: %w", err)
	}
	ctx := context.Background()
	err := c.update(ctx, func(tx *sql.Tx) error {
		slots, err := readSlots(ctx, tx)
		if err != nil {
			return err
		}
		for _, s := range slots {
			if s.id != c.slot {
				continue
			}
			if s.kind != SlotPassphrase {
				return fmt.Errorf("%w: slot %d holds a recovery key, which cannot be changed to a chosen passphrase", ErrInvalid, s.id)
			}
			s.kdf = c.kdf
			if err := s.wrap(c.id, newPassphrase, c.mk); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `UPDATE key_slots SET kdf_time = ?, kdf_memory_kib = ?, kdf_threads = ?, salt = ?, wrapped_key = ?
				WHERE slot_id = ?`, s.kdf.Time, s.kdf.MemoryKiB, s.kdf.Threads, s.salt, s.wrapped, s.id)
			return err
		}
		return fmt.Errorf("%w: slot %d that opened this case was removed", ErrNoSuchKeySlot, c.slot)
	})
	if err != nil {
		return fmt.Errorf("change passphrase: %w", err)
	}
	return nil
}
