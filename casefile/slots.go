package casefile

import (
	"context"
	"database/sql"
	"fmt"
)

// KeySlots lists the case's key slots in id order. A slot's label is the
// name of the examiner (or recovery key) it belongs to.
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
	exs, err := c.readExaminers(ctx, c.db)
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	for _, ex := range exs {
		names[ex.ID.String()] = ex.Name
	}
	out := make([]KeySlot, 0, len(rows))
	for _, s := range rows {
		created, err := c.openTime("key_slots", s.uuid.String(), "created", s.created)
		if err != nil {
			return nil, err
		}
		name, ok := names[s.examiner.String()]
		if !ok {
			return nil, fmt.Errorf("%w: key slot %d belongs to unknown examiner %s", ErrCorrupt, s.id, s.examiner)
		}
		out = append(out, KeySlot{ID: s.id, Kind: s.kind, Label: name, Created: created, KDF: s.kdf})
	}
	return out, nil
}

// AddKeySlot adds a key slot for a second person: an examiner named label,
// with no roles yet, whose passphrase opens the case and signs their
// custody entries. No other data is rewritten.
func (c *Case) AddKeySlot(label string, passphrase []byte, reason string) (KeySlot, error) {
	if len(passphrase) == 0 {
		return KeySlot{}, fmt.Errorf("add key slot: %w", ErrEmptyPassphrase)
	}
	ne := NewExaminer{Name: label}
	if err := checkText("key slot label", label, true, MaxShortFieldLen); err != nil {
		return KeySlot{}, fmt.Errorf("add key slot: %w (the label names the person the slot is for)", err)
	}
	ex, id, err := c.addIdentity(ne, SlotPassphrase, passphrase, ActionKeySlotAdded, reason)
	if err != nil {
		return KeySlot{}, err
	}
	return KeySlot{ID: id, Kind: SlotPassphrase, Label: ex.Name, Created: ex.Created, KDF: c.kdf}, nil
}

// AddRecoveryKey adds a slot opened by a newly generated recovery key and
// returns the key, to be shown once and never stored. Whoever opens the
// case with it acts, and signs, as the examiner "Recovery key: label".
func (c *Case) AddRecoveryKey(label, reason string) (KeySlot, string, error) {
	key, err := newRecoveryKey()
	if err != nil {
		return KeySlot{}, "", fmt.Errorf("add recovery key: %w", err)
	}
	if label == "" {
		label = "recovery key"
	}
	if err := checkText("key slot label", label, true, MaxShortFieldLen-20); err != nil {
		return KeySlot{}, "", fmt.Errorf("add recovery key: %w", err)
	}
	ex, id, err := c.addIdentity(NewExaminer{Name: "Recovery key: " + label}, SlotRecovery, []byte(key), ActionRecoveryKeyAdded, reason)
	if err != nil {
		return KeySlot{}, "", err
	}
	return KeySlot{ID: id, Kind: SlotRecovery, Label: ex.Name, Created: ex.Created, KDF: c.kdf}, key, nil
}

// RemoveKeySlot deletes a slot; its wrapped keys are overwritten on disk
// (secure_delete). The examiner stays on record with their public key, so
// their past signatures remain verifiable, but can no longer open the case.
// The last slot cannot be removed. Copies of the case file made before the
// removal still open with the removed secret.
func (c *Case) RemoveKeySlot(id int, reason string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.usable(); err != nil {
		return err
	}
	ctx := context.Background()
	err := c.change(ctx, c.now(), func(tx *sql.Tx) (Event, error) {
		var n, exists int
		var ex, slotUUID string
		if err := tx.QueryRowContext(ctx, `SELECT count(*), count(*) FILTER (WHERE slot_id = ?),
			coalesce(max(examiner_uuid) FILTER (WHERE slot_id = ?), ''), coalesce(max(slot_uuid) FILTER (WHERE slot_id = ?), '')
			FROM key_slots`, id, id, id).Scan(&n, &exists, &ex, &slotUUID); err != nil {
			return Event{}, err
		}
		if exists == 0 {
			return Event{}, fmt.Errorf("%w: %d", ErrNoSuchKeySlot, id)
		}
		if n <= 1 {
			return Event{}, ErrLastKeySlot
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM key_slots WHERE slot_id = ?`, id)
		action := ActionKeySlotRemoved
		if ex == c.actor.ID.String() {
			action = ActionOwnSlotRemoved // giving up one's own access needs no authority over others
		}
		return Event{Action: action, Target: Target{Type: TargetKeySlot, ID: fmt.Sprint(id)}, Reason: reason,
			Details: map[string]string{"examiner_id": ex, "slot_uuid": slotUUID}}, err
	})
	if err != nil {
		return fmt.Errorf("remove key slot %d: %w", id, err)
	}
	return nil
}

// ChangePassphrase rewraps the keys in the slot that unlocked this handle
// under newPassphrase, with a fresh salt. No other data is rewritten. A
// recovery slot cannot be given a chosen passphrase: add a passphrase slot
// and remove the recovery slot instead.
func (c *Case) ChangePassphrase(newPassphrase []byte, reason string) error {
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
	err := c.change(ctx, c.now(), func(tx *sql.Tx) (Event, error) {
		slots, err := readSlots(ctx, tx)
		if err != nil {
			return Event{}, err
		}
		for _, s := range slots {
			if s.id != c.slot {
				continue
			}
			if s.kind != SlotPassphrase {
				return Event{}, fmt.Errorf("%w: slot %d holds a recovery key, which cannot be changed to a chosen passphrase", ErrInvalid, s.id)
			}
			s.kdf = c.kdf
			p := slotPayload{mk: c.mk, seed: c.signer.Seed()}
			err := s.wrap(c.id, newPassphrase, p)
			clear(p.seed)
			if err != nil {
				return Event{}, err
			}
			_, err = tx.ExecContext(ctx, `UPDATE key_slots SET kdf_time = ?, kdf_memory_kib = ?, kdf_threads = ?, salt = ?, wrapped_key = ?
				WHERE slot_id = ?`, s.kdf.Time, s.kdf.MemoryKiB, s.kdf.Threads, s.salt, s.wrapped, s.id)
			return Event{Action: ActionPassphraseChanged, Target: Target{Type: TargetKeySlot, ID: fmt.Sprint(s.id)}, Reason: reason,
				Details: map[string]string{"slot_uuid": s.uuid.String(), "examiner_id": s.examiner.String()}}, err
		}
		return Event{}, fmt.Errorf("%w: slot %d that opened this case was removed", ErrNoSuchKeySlot, c.slot)
	})
	if err != nil {
		return fmt.Errorf("change passphrase: %w", err)
	}
	return nil
}
