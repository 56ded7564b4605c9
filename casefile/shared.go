package casefile

import (
	"bytes"
	"crypto/ed25519"
	"database/sql"
	"fmt"
	"maps"
	"time"

	"github.com/google/uuid"
)

// The custody ledger of a case kept outside its file (team mode,
// casefile/team, docs/TEAM.md). Such a store keeps the same rows as the
// file's custody_ledger and ledger_head; the entries are sealed, chained
// and signed here, by the one code the file uses (sealEntry), and verified
// by the one code ledger verify runs (verifyKeyed, verifyChain).

// LedgerRow is one custody_ledger row as stored (docs/FORMAT.md section 2).
type LedgerRow struct {
	Seq       int64
	Signer    string // examiner UUID, canonical text
	Entry     []byte // sealed entry JSON
	PrevHash  []byte // 32 bytes
	EntryHash []byte // 32 bytes
	Signature []byte // 64 bytes
}

// LedgerHeadRow is the recorded head of a ledger; Valid is false when
// none is recorded (a ledger without entries).
type LedgerHeadRow struct {
	Valid  bool
	Seq    int64
	Hash   []byte
	Sealed []byte // sealed "seq:hex(hash)", ledger key, ledger_head/1/sealed
}

// EntrySigner seals and signs custody entries of one case as one examiner
// in the role they act in, for a ledger kept outside the case file, and
// verifies such a ledger with the case's ledger key. It holds its own copy
// of the signing key (Close clears it), so it outlives the Case it came from.
type EntrySigner struct {
	caseID uuid.UUID
	led    *sealer
	actor  Examiner
	role   Role
	signer ed25519.PrivateKey
}

// EntrySigner returns a signer for the acting examiner of c.
func (c *Case) EntrySigner() (*EntrySigner, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.usable(); err != nil {
		return nil, err
	}
	if c.signer == nil {
		return nil, ErrNoSigner
	}
	a := c.actor
	a.Roles, a.PublicKey = append([]Role(nil), a.Roles...), bytes.Clone(a.PublicKey)
	return &EntrySigner{caseID: c.id, led: c.led, actor: a, role: c.role, signer: bytes.Clone(c.signer)}, nil
}

// CaseID returns the UUID of the signer's case.
func (s *EntrySigner) CaseID() uuid.UUID { return s.caseID }

// Actor returns the examiner who signs.
func (s *EntrySigner) Actor() Examiner { return s.actor }

// Close forgets the signing key.
func (s *EntrySigner) Close() {
	clear(s.signer)
	s.signer = nil
}

// ErrClockBehind means an entry would be older than the entry before it:
// the clock of this workstation is behind the one that wrote that entry.
var ErrClockBehind = NewKind("casefile", "this computer's clock is behind the last custody entry",
	"set the clock right (enable time synchronisation, NTP) and try again; entries of a shared case must be in time order")

// Next seals and signs ev as the entry that follows prev (nil: entry 1 of
// the case), at now. It checks and authorises ev as a change to the case
// file does (the matrix, by the examiner's roles; the exception that lets a
// creator manage examiners is not decided here), and refuses with
// ErrClockBehind an entry older than prev, which ledger verify would
// report as time going backwards.
func (s *EntrySigner) Next(prev *LedgerRow, now time.Time, ev Event) (LedgerRow, error) {
	if s.signer == nil {
		return LedgerRow{}, ErrNoSigner
	}
	if err := ev.check(); err != nil {
		return LedgerRow{}, err
	}
	p, ok := PermissionOf(ev.Action)
	if !ok {
		return LedgerRow{}, fmt.Errorf("casefile: action %q is not registered with a permission (casefile.RegisterAction): refused", ev.Action)
	}
	role, err := authorise(s.actor, s.role, p, string(ev.Action))
	if err != nil {
		return LedgerRow{}, err
	}
	now = now.UTC().Truncate(time.Millisecond)
	seq, prevHash := int64(1), GenesisHash(s.caseID)
	if prev != nil {
		d, ok := digestFrom(prev.EntryHash)
		if !ok {
			return LedgerRow{}, fmt.Errorf("%w: custody entry %d has a malformed hash", ErrCorrupt, prev.Seq)
		}
		seq, prevHash = prev.Seq+1, d
		pt, err := s.led.open("custody_ledger", seqRow(prev.Seq), "entry", prev.Entry)
		if err != nil {
			return LedgerRow{}, err
		}
		var b entryBody
		if err := decodeStrict(pt, &b); err != nil {
			return LedgerRow{}, fmt.Errorf("%w: custody entry %d: %v", ErrCorrupt, prev.Seq, err)
		}
		t, err := parseStoredTime(b.Time)
		if err != nil {
			return LedgerRow{}, fmt.Errorf("%w: custody entry %d: %v", ErrCorrupt, prev.Seq, err)
		}
		if now.Before(t) {
			return LedgerRow{}, ErrClockBehind.Errorf("it reads %s, entry %d was written at %s", formatTime(now), prev.Seq, formatTime(t))
		}
	}
	ev.Hashes, ev.Details = maps.Clone(ev.Hashes), maps.Clone(ev.Details)
	r, err := sealEntry(s.led, s.caseID, s.actor, role, s.signer, seq, prevHash, now, ev)
	if err != nil {
		return LedgerRow{}, err
	}
	return r.export(), nil
}

// SealHead seals the head value recorded with the entry row
// (ledger_head.sealed).
func (s *EntrySigner) SealHead(row LedgerRow) ([]byte, error) {
	d, ok := digestFrom(row.EntryHash)
	if !ok {
		return nil, fmt.Errorf("%w: custody entry %d has a malformed hash", ErrCorrupt, row.Seq)
	}
	return s.led.sealString("ledger_head", "1", "sealed", headValue(row.Seq, d))
}

// Verify checks a ledger kept outside the case file exactly as ledger
// verify checks the file's: the chain, the sequence, the signatures
// against signers (examiner UUID → public key), the recorded head, and,
// with the ledger key, every sealed entry. It records nothing.
func (s *EntrySigner) Verify(rows []LedgerRow, signers map[string]ed25519.PublicKey, head LedgerHeadRow) *LedgerReport {
	return verifyKeyed(s.led, snapshotOf(s.caseID, rows, signers, head))
}

// VerifyLedgerRowsWithoutKey is the keyless verification
// (VerifyLedgerWithoutKey) of a ledger kept outside the case file.
func VerifyLedgerRowsWithoutKey(caseID uuid.UUID, rows []LedgerRow, signers map[string]ed25519.PublicKey, head LedgerHeadRow) *LedgerReport {
	r := verifyChain(snapshotOf(caseID, rows, signers, head))
	sortProblems(r.Problems)
	return r
}

func snapshotOf(caseID uuid.UUID, rows []LedgerRow, signers map[string]ed25519.PublicKey, head LedgerHeadRow) *ledgerSnapshot {
	s := &ledgerSnapshot{caseID: caseID, signers: signers, rows: make([]ledgerRow, len(rows))}
	for i, r := range rows {
		s.rows[i] = ledgerRow{seq: r.Seq, signer: r.Signer, entry: r.Entry, prevHash: r.PrevHash, entryHash: r.EntryHash, signature: r.Signature}
	}
	if head.Valid {
		s.headSeq = sql.NullInt64{Int64: head.Seq, Valid: true}
		s.headHash, s.headSeal = head.Hash, head.Sealed
	}
	return s
}

func (r ledgerRow) export() LedgerRow {
	return LedgerRow{Seq: r.seq, Signer: r.signer, Entry: r.entry, PrevHash: r.prevHash, EntryHash: r.entryHash, Signature: r.signature}
}
