package casefile

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strconv"
	"time"

	"github.com/google/uuid"
)

// Action names what a custody entry records.
type Action string

// Actions recorded by this package. Later packages add their own
// ("evidence.ingested", …) following the same noun.verb pattern.
const (
	ActionCaseCreated       Action = "case.created"
	ActionExaminerAdded     Action = "examiner.added"
	ActionKeySlotAdded      Action = "keyslot.added"
	ActionRecoveryKeyAdded  Action = "keyslot.recovery-added"
	ActionKeySlotRemoved    Action = "keyslot.removed"
	ActionOwnSlotRemoved    Action = "keyslot.own-removed" // an examiner removed their own key slot
	ActionPassphraseChanged Action = "keyslot.passphrase-changed"
	ActionLedgerVerified    Action = "ledger.verified"
	ActionLedgerExported    Action = "ledger.exported"
	ActionFormatUpgraded    Action = "case.format-upgraded"
)

// Target types.
const (
	TargetCase     = "case"
	TargetExaminer = "examiner"
	TargetKeySlot  = "keyslot"
	TargetLedger   = "ledger"
	TargetEvidence = "evidence"
	TargetRecord   = "record"
)

// Target is what an action was done to: a type and a UUID (or slot id).
type Target struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

// Event is what a caller records; the ledger adds sequence, time, actor,
// role, hashes of the chain and the signature.
type Event struct {
	Action  Action
	Target  Target
	Reason  string
	Hashes  map[string]string // algorithm or purpose → hex value
	Details map[string]string
}

// CustodyEntry is one verified, decrypted ledger entry.
type CustodyEntry struct {
	Seq       int64
	Time      time.Time
	ActorID   uuid.UUID
	Actor     string
	ActorKey  []byte // Ed25519 public key the entry was signed with
	Role      Role
	Action    Action
	Target    Target
	Reason    string
	Hashes    map[string]string
	Details   map[string]string
	PrevHash  Digest
	Hash      Digest
	Signature []byte
	// Unreadable is set when the sealed entry could not be opened: it says
	// why, and only Seq, the hashes and the signature are filled.
	// VerifyLedger reports such entries as problems.
	Unreadable string
}

// entryBody is the sealed JSON of an entry (docs/FORMAT.md 6.1). It is
// also the grammar every sealed entry is checked against (decodeStrict):
// hashes and details may be absent, every other member is required.
type entryBody struct {
	Seq      int64             `json:"seq"`
	Time     string            `json:"time"` // the stored time form, parseStoredTime
	Case     uuid.UUID         `json:"case"`
	ActorID  uuid.UUID         `json:"actor_id"`
	Actor    string            `json:"actor"`
	ActorKey string            `json:"actor_key"`
	Role     string            `json:"role"`
	Action   string            `json:"action"`
	Target   Target            `json:"target"`
	Reason   string            `json:"reason"`
	Hashes   map[string]string `json:"hashes,omitempty"`
	Details  map[string]string `json:"details,omitempty"`
}

const (
	genesisTag   = FormatTag + " custody-genesis\x00"
	signatureTag = FormatTag + " custody-entry\x00"
	// MaxReasonLen bounds the reason of an entry.
	MaxReasonLen = 10_000
)

// GenesisHash is the prev_hash of entry 1: SHA-256("custodia/1 custody-genesis" ‖ 0x00 ‖ case UUID).
func GenesisHash(caseUUID uuid.UUID) Digest {
	return sha256.Sum256(append([]byte(genesisTag), caseUUID[:]...))
}

// EntryHash is SHA-256(prev ‖ seq as 8 bytes big-endian ‖ sealed entry).
func EntryHash(prev Digest, seq int64, sealed []byte) Digest {
	h := sha256.New()
	h.Write(prev[:])
	h.Write(binary.BigEndian.AppendUint64(nil, uint64(seq)))
	h.Write(sealed)
	var d Digest
	h.Sum(d[:0])
	return d
}

// SignedMessage is what an entry's Ed25519 signature covers:
// "custodia/1 custody-entry" ‖ 0x00 ‖ case UUID ‖ entry hash.
func SignedMessage(caseUUID uuid.UUID, hash Digest) []byte {
	b := make([]byte, 0, len(signatureTag)+16+32)
	b = append(b, signatureTag...)
	b = append(b, caseUUID[:]...)
	return append(b, hash[:]...)
}

func seqRow(seq int64) string { return strconv.FormatInt(seq, 10) }

// loadHead reads the last entry of the chain (not ledger_head, which the
// verifier checks against it).
func (c *Case) loadHead(ctx context.Context) error {
	var seq int64
	var hash []byte
	err := c.db.QueryRowContext(ctx, `SELECT seq, entry_hash FROM custody_ledger ORDER BY seq DESC LIMIT 1`).Scan(&seq, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%w: the custody ledger is empty", ErrCorrupt)
	}
	if err != nil {
		return fmt.Errorf("read custody ledger head: %w", err)
	}
	d, ok := digestFrom(hash)
	if !ok {
		return fmt.Errorf("%w: custody entry %d has a malformed hash", ErrCorrupt, seq)
	}
	c.headSeq, c.headHash = seq, d
	return nil
}

// Head returns the number of ledger entries and the hash of the last one.
// Reports print it so that a case rolled back to an older copy is caught.
func (c *Case) Head() (int64, Digest) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.headSeq, c.headHash
}

// change runs fn and appends the custody entry it describes in the same
// SQLite transaction: both commit, or neither does. The caller holds c.mu.
func (c *Case) change(ctx context.Context, now time.Time, fn func(tx *sql.Tx) (Event, error)) error {
	_, err := c.changeEntry(ctx, now, fn)
	return err
}

// changeEntry is change returning the appended entry.
func (c *Case) changeEntry(ctx context.Context, now time.Time, fn func(tx *sql.Tx) (Event, error)) (CustodyEntry, error) {
	if c.signer == nil {
		return CustodyEntry{}, ErrNoSigner
	}
	if c.suspect != nil {
		return CustodyEntry{}, c.suspect
	}
	if err := c.upgradeBeforeWrite(ctx); err != nil {
		return CustodyEntry{}, err
	}
	var entry CustodyEntry
	err := c.update(ctx, func(tx *sql.Tx) error {
		// The exception to the matrix is decided on the examiners as they
		// stood before this change: a creator who brings in the case's
		// first Security Incident Manager is still the one who may.
		before, err := c.exceptionBefore(ctx, tx)
		if err != nil {
			return err
		}
		c.exception = &before
		defer func() { c.exception = nil }()
		ev, err := fn(tx)
		if err != nil {
			return err
		}
		entry, err = c.appendEntry(ctx, tx, ev, now)
		return err
	})
	if err != nil {
		return CustodyEntry{}, err
	}
	c.headSeq, c.headHash = entry.Seq, entry.Hash
	if c.entries != nil {
		c.entries = append(c.entries, entry)
	}
	return entry.clone(), nil
}

// clone copies the entry's maps and slices so callers cannot change the cache.
func (e CustodyEntry) clone() CustodyEntry {
	e.Hashes, e.Details = maps.Clone(e.Hashes), maps.Clone(e.Details)
	e.ActorKey, e.Signature = bytes.Clone(e.ActorKey), bytes.Clone(e.Signature)
	return e
}

// Record appends a custody entry for an action that changes nothing else in
// the case: a verification, a view, an export.
func (c *Case) Record(ev Event) (CustodyEntry, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.usable(); err != nil {
		return CustodyEntry{}, err
	}
	e, err := c.changeEntry(context.Background(), c.now(), func(*sql.Tx) (Event, error) { return ev, nil })
	if err != nil {
		return CustodyEntry{}, fmt.Errorf("record %s: %w", ev.Action, err)
	}
	return e, nil
}

func (c *Case) appendEntry(ctx context.Context, tx *sql.Tx, ev Event, now time.Time) (CustodyEntry, error) {
	if err := ev.check(); err != nil {
		return CustodyEntry{}, err
	}
	role, err := c.authoriseEntry(ctx, tx, ev.Action)
	if err != nil {
		return CustodyEntry{}, err
	}
	ev.Hashes, ev.Details = maps.Clone(ev.Hashes), maps.Clone(ev.Details)
	seq, prev := c.headSeq+1, c.headHash
	if seq == 1 {
		prev = GenesisHash(c.id)
	}
	row, err := sealEntry(c.led, c.id, c.actor, role, c.signer, seq, prev, now, ev)
	if err != nil {
		return CustodyEntry{}, err
	}
	hash, sig := mustDigest(row.entryHash), row.signature
	if _, err := tx.ExecContext(ctx, `INSERT INTO custody_ledger (seq, signer, entry, prev_hash, entry_hash, signature) VALUES (?, ?, ?, ?, ?, ?)`,
		seq, row.signer, row.entry, row.prevHash, row.entryHash, sig); err != nil {
		return CustodyEntry{}, fmt.Errorf("append custody entry %d: %w", seq, err)
	}
	headSealed, err := c.led.sealString("ledger_head", "1", "sealed", headValue(seq, hash))
	if err != nil {
		return CustodyEntry{}, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO ledger_head (id, seq, head_hash, sealed) VALUES (1, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, head_hash = excluded.head_hash, sealed = excluded.sealed`,
		seq, hash[:], headSealed); err != nil {
		return CustodyEntry{}, fmt.Errorf("update ledger head: %w", err)
	}
	return CustodyEntry{
		Seq: seq, Time: now, ActorID: c.actor.ID, Actor: c.actor.Name, ActorKey: c.signer.Public().(ed25519.PublicKey), Role: c.role, Action: ev.Action,
		Target: ev.Target, Reason: ev.Reason, Hashes: ev.Hashes, Details: ev.Details, PrevHash: prev, Hash: hash, Signature: sig,
	}, nil
}

// check is what every entry must satisfy before it is authorised and sealed.
func (ev Event) check() error {
	if ev.Action == "" || ev.Target.Type == "" {
		return invalidf("custody entry needs an action and a target")
	}
	return ev.validate()
}

// sealEntry is the one encoding of a custody entry (docs/FORMAT.md 6.1–6.3),
// for the case file and for a shared ledger (EntrySigner): the entry JSON
// sealed with the ledger subkey at row seq, its chain hash over prev, and
// the actor's signature. The event was checked and authorised.
func sealEntry(led *sealer, caseID uuid.UUID, actor Examiner, role Role, signer ed25519.PrivateKey, seq int64, prev Digest, now time.Time, ev Event) (ledgerRow, error) {
	pub := signer.Public().(ed25519.PublicKey)
	body := entryBody{
		Seq: seq, Time: formatTime(now), Case: caseID, ActorID: actor.ID, Actor: actor.Name,
		ActorKey: hex.EncodeToString(pub), Role: string(role), Action: string(ev.Action), Target: ev.Target,
		Reason: ev.Reason, Hashes: ev.Hashes, Details: ev.Details,
	}
	pt, err := json.Marshal(body)
	if err != nil {
		return ledgerRow{}, err
	}
	sealed, err := led.seal("custody_ledger", seqRow(seq), "entry", pt)
	if err != nil {
		return ledgerRow{}, err
	}
	hash := EntryHash(prev, seq, sealed)
	sig := ed25519.Sign(signer, SignedMessage(caseID, hash))
	return ledgerRow{seq: seq, signer: actor.ID.String(), entry: sealed, prevHash: prev[:], entryHash: hash[:], signature: sig}, nil
}

// validate bounds every field of an event and requires valid UTF-8, so
// nothing is silently replaced when the entry is sealed.
func (ev Event) validate() error {
	if err := checkText("reason", ev.Reason, false, MaxReasonLen); err != nil {
		return err
	}
	for _, f := range []struct{ name, v string }{{"action", string(ev.Action)}, {"target type", ev.Target.Type}, {"target id", ev.Target.ID}} {
		if err := checkText(f.name, f.v, false, 512); err != nil {
			return err
		}
	}
	if len(ev.Hashes)+len(ev.Details) > 64 {
		return invalidf("custody entry has %d hashes and details, at most 64", len(ev.Hashes)+len(ev.Details))
	}
	for _, m := range []map[string]string{ev.Hashes, ev.Details} {
		for k, v := range m {
			if err := checkText("entry key", k, true, 128); err != nil {
				return err
			}
			if err := checkText("entry value "+k, v, false, 8192); err != nil {
				return err
			}
		}
	}
	return nil
}

func headValue(seq int64, hash Digest) string { return seqRow(seq) + ":" + hash.String() }

// decodeEntry unseals and parses a ledger row's entry.
func (c *Case) decodeEntry(seq int64, sealed []byte) (entryBody, error) {
	var b entryBody
	pt, err := c.led.open("custody_ledger", seqRow(seq), "entry", sealed)
	if err != nil {
		return b, err
	}
	if err := decodeStrict(pt, &b); err != nil {
		return b, fmt.Errorf("%w: custody entry %d: %v", ErrCorrupt, seq, err)
	}
	return b, nil
}

// Entries returns every ledger entry, decrypted, in order. The result is
// cached in memory (never on disk) and kept current by later appends.
// Entries checks each entry's stored hashes against the chain recomputed
// from the content (an entry that fails is listed as Unreadable, with why);
// it does not check signatures or the head: VerifyLedger does.
func (c *Case) Entries() ([]CustodyEntry, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.usable(); err != nil {
		return nil, err
	}
	if c.entries == nil {
		rows, err := readLedgerRows(context.Background(), c.db)
		if err != nil {
			return nil, err
		}
		out := make([]CustodyEntry, 0, len(rows))
		// The hash the previous entry's row stores, and the one its content
		// gives: an entry links to either (a damaged neighbour must not mark
		// a sound entry).
		stored, computed := GenesisHash(c.id), GenesisHash(c.id)
		for _, r := range rows {
			// A damaged entry must not hide the others: it is listed,
			// marked, and reported by VerifyLedger. Its stored hashes are
			// checked against the chain recomputed from the entries' content
			// (cheap, unlike the signatures, which VerifyLedger checks), so
			// an edited hash column is never shown as if it were the record.
			prevStored, prevComputed := stored, computed
			stored, _ = digestFrom(r.entryHash)
			var prev Digest
			if p, ok := digestFrom(r.prevHash); ok {
				prev = p
			}
			computed = EntryHash(prev, r.seq, r.entry)
			b, err := c.decodeEntry(r.seq, r.entry)
			if err == nil {
				var e CustodyEntry
				if e, err = entryFromRow(r, b); err == nil {
					switch {
					case e.PrevHash != prevStored && e.PrevHash != prevComputed:
						err = fmt.Errorf("%w: custody entry %d: its previous hash is not the hash of the entry before it", ErrLedgerBroken, r.seq)
					case e.Hash != computed:
						err = fmt.Errorf("%w: custody entry %d: its hash does not match its content", ErrLedgerBroken, r.seq)
					default:
						out = append(out, e)
						continue
					}
				}
			}
			e := CustodyEntry{Seq: r.seq, Signature: r.signature, Unreadable: err.Error(), Action: "(unreadable)"}
			e.PrevHash, _ = digestFrom(r.prevHash)
			e.Hash, _ = digestFrom(r.entryHash)
			out = append(out, e)
		}
		c.entries = out
	}
	out := make([]CustodyEntry, len(c.entries))
	for i, e := range c.entries {
		out[i] = e.clone()
	}
	return out, nil
}

// LedgerSnapshot returns the entries, the examiners and the head read at
// one instant, for reports and exports that must agree with each other.
func (c *Case) LedgerSnapshot() (entries []CustodyEntry, examiners []Examiner, headSeq int64, head Digest, err error) {
	if entries, err = c.Entries(); err != nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if err = c.usable(); err != nil {
		return
	}
	if examiners, err = c.readExaminers(context.Background(), c.db); err != nil {
		return
	}
	headSeq, head = c.headSeq, c.headHash
	// Entries ran under its own lock; keep only what the head covers.
	for len(entries) > 0 && entries[len(entries)-1].Seq > headSeq {
		entries = entries[:len(entries)-1]
	}
	if n := len(c.entries); n > len(entries) {
		for _, e := range c.entries[len(entries):] {
			entries = append(entries, e.clone())
		}
	}
	return
}

func entryFromRow(r ledgerRow, b entryBody) (CustodyEntry, error) {
	e := CustodyEntry{
		Seq: r.seq, Role: Role(b.Role), Action: Action(b.Action), Target: b.Target, Reason: b.Reason,
		Hashes: b.Hashes, Details: b.Details, Actor: b.Actor, Signature: r.signature,
	}
	var errs []error
	var err error
	if e.Time, err = parseStoredTime(b.Time); err != nil {
		errs = append(errs, fmt.Errorf("member time: %w", err))
	}
	e.ActorID = b.ActorID
	if e.ActorKey, err = parseActorKey(b.ActorKey); err != nil {
		errs = append(errs, err)
	}
	var ok1, ok2 bool
	e.PrevHash, ok1 = digestFrom(r.prevHash)
	e.Hash, ok2 = digestFrom(r.entryHash)
	if !ok1 || !ok2 {
		errs = append(errs, errors.New("malformed hash"))
	}
	if len(errs) > 0 {
		return e, fmt.Errorf("%w: custody entry %d: %v", ErrCorrupt, r.seq, errors.Join(errs...))
	}
	return e, nil
}

// parseActorKey parses an entry's actor_key: exactly 64 lower-case hex
// digits, the form writers use.
func parseActorKey(s string) ([]byte, error) {
	k, err := hex.DecodeString(s)
	if err != nil || len(k) != ed25519.PublicKeySize || hex.EncodeToString(k) != s {
		return nil, fmt.Errorf("member actor_key: %q is not an Ed25519 public key as 64 lower-case hex digits", s)
	}
	return k, nil
}

// ledgerRow is a custody_ledger row as stored.
type ledgerRow struct {
	seq       int64
	signer    string
	entry     []byte
	prevHash  []byte
	entryHash []byte
	signature []byte
}

func readLedgerRows(ctx context.Context, q querier) ([]ledgerRow, error) {
	rows, err := q.QueryContext(ctx, `SELECT seq, signer, entry, prev_hash, entry_hash, signature FROM custody_ledger ORDER BY seq`)
	if err != nil {
		return nil, fmt.Errorf("read custody ledger: %w", err)
	}
	defer rows.Close()
	var out []ledgerRow
	for rows.Next() {
		var r ledgerRow
		if err := rows.Scan(&r.seq, &r.signer, &r.entry, &r.prevHash, &r.entryHash, &r.signature); err != nil {
			return nil, fmt.Errorf("read custody ledger: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// ErrNoSigner means the handle has no signing key (a programming error).
var ErrNoSigner = NewKind("casefile", "no signing key for the acting examiner", "")
