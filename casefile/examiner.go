package casefile

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"
)

func fingerprint(pub []byte) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}

// newIdentity makes an examiner's key pair and, with the master key, the
// payload of its key slot.
func newIdentity(mk []byte) (slotPayload, ed25519.PublicKey, error) {
	seed := make([]byte, ed25519.SeedSize)
	if _, err := rand.Read(seed); err != nil {
		return slotPayload{}, nil, err
	}
	pub := ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey)
	return slotPayload{mk: bytes.Clone(mk), seed: seed}, pub, nil
}

// insertExaminer stores a new examiner and its key slot in tx. The slot's
// secret is pass (a passphrase or recovery key).
// It returns the examiner, the slot id and the examiner's signing seed,
// which the caller must clear.
func (c *Case) insertExaminer(ctx context.Context, tx *sql.Tx, ne NewExaminer, kind SlotKind, pass []byte, now time.Time) (ex Examiner, slotID int, seed []byte, err error) {
	payload, pub, err := newIdentity(c.mk)
	if err != nil {
		return Examiner{}, 0, nil, err
	}
	defer func() {
		clear(payload.mk)
		if err != nil {
			clear(payload.seed)
		}
	}()
	ex = Examiner{ID: uuid.New(), Name: ne.Name, Roles: ne.Roles, Contact: ne.Contact, Created: now, PublicKey: pub, Kind: kind, Active: true}
	if ex.Roles == nil {
		ex.Roles = []Role{}
	}
	row := ex.ID.String()
	roles, err := json.Marshal(ex.Roles)
	if err != nil {
		return Examiner{}, 0, nil, err
	}
	vals := []any{row, string(kind), []byte(pub)}
	for _, col := range []struct {
		name  string
		value []byte
	}{{"public_key", pub}, {"name", []byte(ne.Name)}, {"roles", roles}, {"contact", []byte(ne.Contact)}, {"created", []byte(formatTime(now))}} {
		sealed, err := c.rec.seal("examiners", row, col.name, col.value)
		if err != nil {
			return Examiner{}, 0, nil, err
		}
		vals = append(vals, sealed)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO examiners (examiner_uuid, kind, public_key, public_key_sealed, name, roles, contact, created)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, vals...); err != nil {
		return Examiner{}, 0, nil, err
	}
	slot := slotRow{uuid: uuid.New(), examiner: ex.ID, kind: kind, kdf: c.kdf}
	if err := slot.wrap(c.id, pass, payload); err != nil {
		return Examiner{}, 0, nil, err
	}
	if slot.created, err = c.rec.sealString("key_slots", slot.uuid.String(), "created", formatTime(now)); err != nil {
		return Examiner{}, 0, nil, err
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO key_slots (slot_uuid, examiner_uuid, kind, kdf, kdf_time, kdf_memory_kib, kdf_threads,
		salt, wrapped_key, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		slot.uuid.String(), row, string(kind), kdfName, slot.kdf.Time, slot.kdf.MemoryKiB, slot.kdf.Threads, slot.salt, slot.wrapped, slot.created)
	if err != nil {
		return Examiner{}, 0, nil, err
	}
	id, err := res.LastInsertId()
	if err != nil {
		return Examiner{}, 0, nil, err
	}
	ex.SlotID = int(id)
	return ex, int(id), payload.seed, nil
}

// readExaminers loads and unseals every examiner, with its slot id if it
// still has a key slot.
func (c *Case) readExaminers(ctx context.Context, q querier) ([]Examiner, error) {
	rows, err := q.QueryContext(ctx, `SELECT e.examiner_uuid, e.kind, e.public_key, e.public_key_sealed, e.name, e.roles, e.contact, e.created,
		coalesce(k.slot_id, 0) FROM examiners e LEFT JOIN key_slots k ON k.examiner_uuid = e.examiner_uuid ORDER BY e.rowid`)
	if err != nil {
		return nil, fmt.Errorf("read examiners: %w", err)
	}
	defer rows.Close()
	var out []Examiner
	for rows.Next() {
		var id, kind string
		var pub, pubSealed, name, roles, contact, created []byte
		var ex Examiner
		if err := rows.Scan(&id, &kind, &pub, &pubSealed, &name, &roles, &contact, &created, &ex.SlotID); err != nil {
			return nil, fmt.Errorf("read examiners: %w", err)
		}
		if ex.ID, err = parseStoredUUID(id); err != nil {
			return nil, fmt.Errorf("%w: examiner UUID: %v", ErrCorrupt, err)
		}
		ex.Kind, ex.PublicKey, ex.Active = SlotKind(kind), pub, ex.SlotID != 0
		sealedPub, err := c.rec.open("examiners", id, "public_key", pubSealed)
		if err != nil {
			return nil, err
		}
		if !bytes.Equal(sealedPub, pub) {
			return nil, &AuthError{Table: "examiners", Row: id, Column: "public_key"}
		}
		if ex.Name, err = c.rec.openString("examiners", id, "name", name); err != nil {
			return nil, err
		}
		rj, err := c.rec.open("examiners", id, "roles", roles)
		if err != nil {
			return nil, err
		}
		if err := decodeStrict(rj, &ex.Roles); err != nil {
			return nil, fmt.Errorf("%w: examiners/%s roles: %v", ErrCorrupt, id, err)
		}
		if ex.Contact, err = c.rec.openString("examiners", id, "contact", contact); err != nil {
			return nil, err
		}
		if ex.Created, err = c.openTime("examiners", id, "created", created); err != nil {
			return nil, err
		}
		out = append(out, ex)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Created.Before(out[j].Created) })
	return out, nil
}

type querier interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
	QueryRowContext(context.Context, string, ...any) *sql.Row
}

// Examiners lists everyone who has acted on or been added to the case,
// including examiners whose key slot was removed (their signatures stay
// verifiable).
func (c *Case) Examiners() ([]Examiner, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.usable(); err != nil {
		return nil, err
	}
	return c.readExaminers(context.Background(), c.db)
}

// Examiner returns the examiner with the given name (case-insensitive).
func (c *Case) Examiner(name string) (Examiner, error) {
	exs, err := c.Examiners()
	if err != nil {
		return Examiner{}, err
	}
	for _, ex := range exs {
		if strings.EqualFold(strings.TrimSpace(ex.Name), strings.TrimSpace(name)) {
			return ex, nil
		}
	}
	return Examiner{}, fmt.Errorf("%w: %q", ErrUnknownExaminer, name)
}

// Actor returns the examiner acting through this handle: the owner of the
// key slot whose secret opened the case.
func (c *Case) Actor() Examiner {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.actor
}

// ActingRole returns the role recorded in this handle's custody entries.
func (c *Case) ActingRole() Role {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.role
}

// AddExaminer adds a person with their own key slot, opened by passphrase,
// and their own signing key. The acting examiner records it in the ledger.
func (c *Case) AddExaminer(ne NewExaminer, passphrase []byte, reason string) (Examiner, error) {
	if err := ne.Validate(); err != nil {
		return Examiner{}, fmt.Errorf("add examiner: %w", err)
	}
	if len(passphrase) == 0 {
		return Examiner{}, fmt.Errorf("add examiner: %w", ErrEmptyPassphrase)
	}
	ex, _, err := c.addIdentity(ne, SlotPassphrase, passphrase, ActionExaminerAdded, reason)
	return ex, err
}

func (c *Case) addIdentity(ne NewExaminer, kind SlotKind, secret []byte, action Action, reason string) (Examiner, int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.usable(); err != nil {
		return Examiner{}, 0, err
	}
	if err := c.kdf.checkWrite(); err != nil {
		return Examiner{}, 0, fmt.Errorf("add examiner: %w", err)
	}
	ctx := context.Background()
	exs, err := c.readExaminers(ctx, c.db)
	if err != nil {
		return Examiner{}, 0, err
	}
	for _, ex := range exs {
		if strings.EqualFold(strings.TrimSpace(ex.Name), strings.TrimSpace(ne.Name)) {
			return Examiner{}, 0, fmt.Errorf("add examiner: %w", invalidf("an examiner named %q exists already", ex.Name))
		}
	}
	var ex Examiner
	var slot int
	now := c.now()
	err = c.change(ctx, now, func(tx *sql.Tx) (Event, error) {
		var err error
		var seed []byte
		ex, slot, seed, err = c.insertExaminer(ctx, tx, ne, kind, secret, now)
		clear(seed)
		roles := make([]string, len(ex.Roles))
		for i, r := range ex.Roles {
			roles[i] = string(r)
		}
		return Event{
			Action: action, Target: Target{Type: TargetExaminer, ID: ex.ID.String()}, Reason: reason,
			Hashes:  map[string]string{"ed25519_public_key": hex.EncodeToString(ex.PublicKey)},
			Details: map[string]string{"name": ex.Name, "roles": strings.Join(roles, ","), "key_slot": fmt.Sprint(slot), "kind": string(kind)},
		}, err
	})
	if err != nil {
		return Examiner{}, 0, fmt.Errorf("add examiner %q: %w", ne.Name, err)
	}
	return ex, slot, nil
}

// ErrUnknownExaminer means no examiner of the case has the given name.
var ErrUnknownExaminer = NewKind("casefile", "no such examiner", "list the examiners with 'custodiactl examiner list', or add one with 'custodiactl examiner add'")

// ErrNotThisExaminer means the passphrase opened another examiner's slot
// than the one asked for.
var ErrNotThisExaminer = NewKind("casefile", "the passphrase belongs to another examiner", "each examiner has their own passphrase, and it decides who signs the custody record: use your own passphrase, or leave the examiner name empty")

// SetRole changes the role recorded in this handle's later custody
// entries; the acting examiner must hold it.
func (c *Case) SetRole(r Role) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.usable(); err != nil {
		return err
	}
	if !c.actor.HasRole(r) {
		return fmt.Errorf("%w: examiner %q does not hold the role %s", ErrInvalid, c.actor.Name, r.Title())
	}
	c.role = r
	return nil
}
