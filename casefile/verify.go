package casefile

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"sort"
	"sync"
	"time"

	"github.com/google/uuid"
)

// ProblemKind classifies a ledger problem.
type ProblemKind string

// The problems VerifyLedger reports.
const (
	// ProblemHashMismatch: entry_hash is not SHA-256(prev_hash ‖ seq ‖ entry),
	// so the sealed entry, its prev_hash or its entry_hash was changed.
	ProblemHashMismatch ProblemKind = "hash-mismatch"
	// ProblemBrokenLink: prev_hash is not the previous entry's hash (or the
	// genesis hash for entry 1): an entry was removed, inserted or reordered.
	ProblemBrokenLink ProblemKind = "broken-link"
	// ProblemBadSignature: the Ed25519 signature does not verify.
	ProblemBadSignature ProblemKind = "bad-signature"
	// ProblemUnknownSigner: the signer is not an examiner of this case.
	ProblemUnknownSigner ProblemKind = "unknown-signer"
	// ProblemSequenceGap: sequence numbers skip (entries deleted).
	ProblemSequenceGap ProblemKind = "sequence-gap"
	// ProblemSequenceDuplicate: the sealed sequence number is not the row's
	// (an entry copied to another position) or repeats an earlier one.
	ProblemSequenceDuplicate ProblemKind = "sequence-duplicate"
	// ProblemTimeBackwards: the entry is older than the one before it.
	ProblemTimeBackwards ProblemKind = "time-backwards"
	// ProblemUnreadable: the sealed entry fails authentication (changed, or
	// taken from another case or position).
	ProblemUnreadable ProblemKind = "unreadable"
	// ProblemSignerMismatch: the sealed actor is not the examiner who signed.
	ProblemSignerMismatch ProblemKind = "signer-mismatch"
	// ProblemHeadMismatch: the recorded head does not name the last entry
	// (entries deleted at the end, or the head edited).
	ProblemHeadMismatch ProblemKind = "head-mismatch"
)

// LedgerProblem is one problem found in the ledger, naming the entry.
type LedgerProblem struct {
	Seq    int64
	Kind   ProblemKind
	Detail string
}

func (p *LedgerProblem) Error() string {
	return fmt.Sprintf("custody entry %d: %s: %s", p.Seq, p.Kind, p.Detail)
}

// Is makes errors.Is(p, ErrLedgerBroken) true.
func (p *LedgerProblem) Is(target error) bool { return target == ErrLedgerBroken }

// ErrLedgerBroken is matched by every *LedgerProblem.
var ErrLedgerBroken = NewKind("casefile", "custody ledger does not verify", "the case file was changed outside Custodia: preserve this copy, compare its head with the one printed in the last report or export, and restore from a backup")

// LedgerReport is the result of walking the whole ledger.
type LedgerReport struct {
	Entries  int64  // rows in the ledger
	HeadSeq  int64  // sequence number of the last row
	Head     Digest // its entry hash
	Keyed    bool   // sealed entries were decrypted and checked too
	Problems []*LedgerProblem
	// Recorded says the verification was recorded in the ledger: only an
	// intact ledger is written to (ledger.verified); a case whose ledger
	// failed is left exactly as it was found (see Case.Suspect).
	Recorded bool
}

// OK reports whether the ledger verified without problems.
func (r *LedgerReport) OK() bool { return len(r.Problems) == 0 }

func (r *LedgerReport) add(seq int64, kind ProblemKind, format string, args ...any) {
	r.Problems = append(r.Problems, &LedgerProblem{Seq: seq, Kind: kind, Detail: fmt.Sprintf(format, args...)})
}

// ledgerSnapshot is what verification reads from the file.
type ledgerSnapshot struct {
	caseID   uuid.UUID
	rows     []ledgerRow
	signers  map[string]ed25519.PublicKey // examiner UUID → key
	headSeq  sql.NullInt64
	headHash []byte
	headSeal []byte
}

func readSnapshot(ctx context.Context, q querier, caseID uuid.UUID) (*ledgerSnapshot, error) {
	s := &ledgerSnapshot{caseID: caseID, signers: map[string]ed25519.PublicKey{}}
	var err error
	if s.rows, err = readLedgerRows(ctx, q); err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, `SELECT examiner_uuid, public_key FROM examiners`)
	if err != nil {
		return nil, fmt.Errorf("read examiner keys: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var pub []byte
		if err := rows.Scan(&id, &pub); err != nil {
			return nil, err
		}
		s.signers[id] = pub
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	err = q.QueryRowContext(ctx, `SELECT seq, head_hash, sealed FROM ledger_head WHERE id = 1`).Scan(&s.headSeq, &s.headHash, &s.headSeal)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("read ledger head: %w", err)
	}
	return s, nil
}

// verifyChain checks what needs no key: sequence, hash chain, signatures
// and the recorded head. It reports every problem, not just the first.
func verifyChain(s *ledgerSnapshot) *LedgerReport {
	r := &LedgerReport{Entries: int64(len(s.rows))}
	expectSeq, prev := int64(1), GenesisHash(s.caseID)
	items := make([]sigItem, 0, len(s.rows))
	for _, row := range s.rows {
		if row.seq != expectSeq {
			if row.seq == expectSeq+1 {
				r.add(row.seq, ProblemSequenceGap, "entry %d is missing", expectSeq)
			} else if row.seq > expectSeq {
				r.add(row.seq, ProblemSequenceGap, "entries %d to %d are missing", expectSeq, row.seq-1)
			} else {
				r.add(row.seq, ProblemSequenceDuplicate, "sequence number %d follows %d", row.seq, expectSeq-1)
			}
		}
		expectSeq = row.seq + 1
		stored, ok := digestFrom(row.entryHash)
		storedPrev, okPrev := digestFrom(row.prevHash)
		if !ok || !okPrev || EntryHash(storedPrev, row.seq, row.entry) != stored {
			r.add(row.seq, ProblemHashMismatch, "the stored hash is not SHA-256 of prev_hash, sequence number and sealed entry: the entry or its hashes were changed")
		}
		if !okPrev || storedPrev != prev {
			r.add(row.seq, ProblemBrokenLink, "prev_hash %s does not match the previous entry's hash %s", shortHex(row.prevHash), prev.Short())
		}
		prev = stored
		pub, known := s.signers[row.signer]
		if !known {
			r.add(row.seq, ProblemUnknownSigner, "signed by %q, who is not an examiner of this case", row.signer)
			continue
		}
		items = append(items, sigItem{seq: row.seq, pub: pub, msg: SignedMessage(s.caseID, stored), sig: row.signature})
	}
	for _, seq := range verifySignatures(items) {
		r.add(seq, ProblemBadSignature, "the Ed25519 signature does not verify against the signer's public key")
	}
	if n := len(s.rows); n > 0 {
		last := s.rows[n-1]
		r.HeadSeq = last.seq
		r.Head, _ = digestFrom(last.entryHash)
		if !s.headSeq.Valid || s.headSeq.Int64 != last.seq || !bytes.Equal(s.headHash, last.entryHash) {
			r.add(last.seq, ProblemHeadMismatch, "the recorded head is entry %d %s, the last entry is %d %s: entries were removed from the end or the head was edited",
				s.headSeq.Int64, shortHex(s.headHash), last.seq, r.Head.Short())
		}
	} else {
		r.add(0, ProblemSequenceGap, "the ledger is empty; entry 1 (case created) is missing")
	}
	return r
}

func shortHex(b []byte) string {
	s := hex.EncodeToString(b)
	if len(s) > 16 {
		return s[:16]
	}
	return s
}

// VerifyLedger walks the whole ledger: the keyless checks of the chain and
// signatures, then, with the case key, each sealed entry's authenticity,
// sequence, time order and signer. Problems are sorted by entry. The
// verification itself is recorded in the ledger as ledger.verified, so the
// dashboard can show the last result.
func (c *Case) VerifyLedger() (*LedgerReport, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.usable(); err != nil {
		return nil, err
	}
	ctx := context.Background()
	s, err := readSnapshot(ctx, c.db, c.id)
	if err != nil {
		return nil, err
	}
	r := verifyKeyed(c.led, s)
	if !r.OK() {
		// Nothing is written into a case whose verification failed: the
		// file stays as found, for examination, and this handle refuses
		// every later change.
		c.suspect = ErrSuspect.Errorf("its custody ledger failed verification with %d problem(s) (the first at entry %d); nothing more is written to it",
			len(r.Problems), r.Problems[0].Seq)
		return r, nil
	}
	details := map[string]string{"entries": fmt.Sprint(r.Entries), "head": r.Head.String(), "problems": "0", "result": "intact"}
	if err := c.change(ctx, c.now(), func(*sql.Tx) (Event, error) {
		return Event{Action: ActionLedgerVerified, Target: Target{Type: TargetLedger, ID: c.id.String()},
			Hashes: map[string]string{"head_sha256": r.Head.String()}, Details: details}, nil
	}); err != nil {
		return r, fmt.Errorf("record verification: %w", err)
	}
	r.Recorded = true
	return r, nil
}

// verifyKeyed is the whole verification of a ledger snapshot with the
// ledger key: the keyless checks (verifyChain), then each sealed entry's
// authenticity, sequence, time order and signer, and the sealed head.
// ledger verify runs it on a case file, casefile/team on a shared ledger.
func verifyKeyed(led *sealer, s *ledgerSnapshot) *LedgerReport {
	// Unseal on the spare core while the chain is walked; both are CPU-bound
	// and the chain walk is sequential until its signature phase.
	decoded := make(chan []verifyFields, 1)
	go func() { decoded <- decodeForVerify(led, s.rows) }()
	r := verifyChain(s)
	r.Keyed = true
	if s.headSeq.Valid {
		v, err := led.openString("ledger_head", "1", "sealed", s.headSeal)
		if err != nil || v != headValue(s.headSeq.Int64, mustDigest(s.headHash)) {
			r.add(s.headSeq.Int64, ProblemHeadMismatch, "the sealed copy of the head does not match the recorded head")
		}
	}
	checked := <-decoded
	var prevTime time.Time
	seen := map[int64]bool{}
	for i, row := range s.rows {
		v := checked[i]
		var jerr *jsonError
		switch {
		case errors.As(v.err, &jerr):
			r.add(row.seq, ProblemUnreadable, "the sealed entry is authentic but not a custody entry: %v", v.err)
			continue
		case v.err != nil:
			r.add(row.seq, ProblemUnreadable, "the sealed entry fails authentication: changed, or copied from another case or position")
			continue
		}
		if v.Seq != row.seq || seen[v.Seq] {
			r.add(row.seq, ProblemSequenceDuplicate, "the sealed entry says it is entry %d", v.Seq)
		}
		seen[v.Seq] = true
		if v.ActorID != row.signer || (s.signers[row.signer] != nil && v.ActorKey != hex.EncodeToString(s.signers[row.signer])) {
			r.add(row.seq, ProblemSignerMismatch, "the entry names %s (%s) but was signed by %s", v.Actor, v.ActorID, row.signer)
		}
		t, err := parseStoredTime(v.Time)
		if err != nil {
			r.add(row.seq, ProblemUnreadable, "the entry's time: %v", err)
			continue
		}
		if t.Before(prevTime) {
			r.add(row.seq, ProblemTimeBackwards, "%s is before the previous entry's %s", formatTime(t), formatTime(prevTime))
		}
		prevTime = t
	}
	sortProblems(r.Problems)
	return r
}

// verifyFields are the parts of a sealed entry verification needs. The
// whole entry is checked against the grammar of entryBody; only these
// members are decoded.
type verifyFields struct {
	Seq      int64  `json:"seq"`
	Time     string `json:"time"`
	ActorID  string `json:"actor_id"`
	Actor    string `json:"actor"`
	ActorKey string `json:"actor_key"`
	err      error
}

// decodeForVerify unseals every entry on all cores.
func decodeForVerify(led *sealer, rows []ledgerRow) []verifyFields {
	out := make([]verifyFields, len(rows))
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	per := (len(rows) + workers - 1) / max(workers, 1)
	for w := range workers {
		lo, hi := w*per, min((w+1)*per, len(rows))
		if lo >= hi {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := lo; i < hi; i++ {
				pt, err := led.open("custody_ledger", seqRow(rows[i].seq), "entry", rows[i].entry)
				if err == nil {
					err = checkStrict(pt, entryBodyType)
				}
				if err == nil {
					err = json.Unmarshal(pt, &out[i])
				}
				out[i].err = err
			}
		}()
	}
	wg.Wait()
	return out
}

var entryBodyType = reflect.TypeFor[entryBody]()

func mustDigest(b []byte) Digest {
	d, _ := digestFrom(b)
	return d
}

func sortProblems(ps []*LedgerProblem) {
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].Seq < ps[j].Seq })
}

// VerifyLedgerWithoutKey checks the chain, the sequence, the signatures and
// the recorded head of the case at path without any passphrase: what a
// third party can verify. It takes the case's lock while it reads and
// changes nothing; a case it cannot write (read-only media) is read as
// immutable, without a lock.
func VerifyLedgerWithoutKey(path string) (r *LedgerReport, err error) {
	defer func() {
		if err != nil {
			err = fmt.Errorf("verify ledger of %s: %w", path, err)
		}
	}()
	if err := inspectFile(path); err != nil {
		return nil, err
	}
	ctx := context.Background()
	var db *sql.DB
	if err := checkWritable(path); errors.Is(err, ErrReadOnly) {
		// A copy on read-only media (a legal advisor's DVD, a write-blocked
		// disk): read it as immutable — no lock, no journal, nothing written.
		db, err = openImmutable(ctx, path)
		if err != nil {
			return nil, err
		}
	} else if err != nil {
		return nil, err
	} else if db, err = openDB(ctx, path, false); err != nil {
		return nil, err
	}
	defer db.Close()
	ver, err := schemaVersion(ctx, db)
	if err != nil {
		return nil, mapSQLiteError(err)
	}
	if ver > FormatVersion {
		return nil, fmt.Errorf("%w: the case is format version %d, this Custodia reads up to %d", ErrNewerFormat, ver, FormatVersion)
	}
	var id string
	if err := db.QueryRowContext(ctx, `SELECT case_uuid FROM case_header WHERE id = 1`).Scan(&id); err != nil {
		return nil, fmt.Errorf("%w: no case header (%v)", ErrNotACase, err)
	}
	caseID, err := parseStoredUUID(id)
	if err != nil {
		return nil, fmt.Errorf("%w: case header: %v", ErrCorrupt, err)
	}
	s, err := readSnapshot(ctx, db, caseID)
	if err != nil {
		return nil, mapSQLiteError(err)
	}
	r = verifyChain(s)
	sortProblems(r.Problems)
	return r, nil
}
