package reports

import (
	"bufio"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/custodia-dfir/custodia/casefile"
)

// Tool identifies the software that produced an export, e.g.
// Tool{Name: "Custodia", Version: "0.1.0"}.
type Tool struct {
	Name    string
	Version string
}

// CustodyExport is everything a custody export holds: the case, everyone on
// record, the ledger entries in sequence order and the ledger head read with
// them. Build it from one open case:
//
//	entries, _ := c.Entries()
//	examiners, _ := c.Examiners()
//	seq, head := c.Head()
//	x := CustodyExport{Case: c.Info(), Examiners: examiners, Entries: entries,
//		HeadSeq: seq, Head: head, Tool: tool, Generated: now}
type CustodyExport struct {
	Case      casefile.Info
	Examiners []casefile.Examiner
	Entries   []casefile.CustodyEntry
	HeadSeq   int64
	Head      casefile.Digest
	Tool      Tool
	Generated time.Time // when the export was made; injected, written in UTC
}

// exportTimeLayout is RFC 3339 in UTC with exactly three fractional digits:
// the millisecond precision every time in a case file has.
const exportTimeLayout = "2006-01-02T15:04:05.000Z07:00"

func exportTime(t time.Time) string { return t.UTC().Format(exportTimeLayout) }

// custodyLine is one line of the JSON lines export. The field order is the
// key order of each line.
type custodyLine struct {
	Seq            int64             `json:"seq"`
	Time           string            `json:"time"`
	Actor          string            `json:"actor"`
	ActorID        string            `json:"actor_id"`
	ActorPublicKey string            `json:"actor_public_key"`
	Role           string            `json:"role"`
	Action         string            `json:"action"`
	TargetType     string            `json:"target_type"`
	TargetID       string            `json:"target_id"`
	Reason         string            `json:"reason"`
	Hashes         map[string]string `json:"hashes"`
	Details        map[string]string `json:"details"`
	PrevHash       string            `json:"prev_hash"`
	EntryHash      string            `json:"entry_hash"`
	Signature      string            `json:"signature"`
}

// WriteCustodyJSONL writes the custody ledger as JSON lines: one JSON object
// per line, one line per entry, in sequence order, and nothing else (the
// ledger head is in the CASE export and printed by the CLI). Each line has
// exactly these keys:
//
//	seq               entry sequence number, from 1
//	time              RFC 3339 UTC with milliseconds, e.g. 2026-11-26T10:00:00.000Z
//	actor             examiner name
//	actor_id          examiner UUID
//	actor_public_key  Ed25519 public key the entry was signed with, hex
//	role              acting role id, e.g. forensic-engineer
//	action            e.g. case.created, evidence.ingested
//	target_type       e.g. case, examiner, keyslot, ledger, evidence, record
//	target_id         target UUID (key slot number for key slots)
//	reason            free text, possibly empty
//	hashes            object: algorithm or purpose → hex value ({} when none)
//	details           object: key → value ({} when none)
//	prev_hash         previous entry's hash, hex (the genesis hash for entry 1)
//	entry_hash        this entry's hash, hex
//	signature         Ed25519 signature, hex
//
// What a consumer can check from the lines alone: that prev_hash of each line
// is entry_hash of the line before (and casefile.GenesisHash(case UUID) for
// entry 1), and that each signature verifies under actor_public_key over
// casefile.SignedMessage(case UUID, entry_hash). The case UUID is not in the
// lines; it is in the CASE export and printed by the CLI. What it cannot
// check: entry_hash is SHA-256 over the sealed (encrypted) entry, which the
// export does not carry, so nothing here proves that the plain fields of a
// line are the ones that were sealed and signed. That takes the case file
// itself: casefile.VerifyLedgerWithoutKey for the chain and signatures,
// Case.VerifyLedger for the sealed contents.
//
// Every string is encoded by encoding/json, which escapes control
// characters, U+2028, U+2029, <, > and &, so no text from a case can break a
// line or a page that embeds it. Map keys come out sorted, so the same ledger
// always gives the same bytes. Entries out of sequence order are refused
// before anything is written.
func WriteCustodyJSONL(w io.Writer, x CustodyExport) error {
	if err := checkEntryOrder(x.Entries); err != nil {
		return fmt.Errorf("write custody JSON lines: %w", err)
	}
	if err := checkReadable(x.Entries); err != nil {
		return fmt.Errorf("write custody JSON lines: %w", err)
	}
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw) // Encode ends every value with "\n"
	for _, e := range x.Entries {
		if err := enc.Encode(newCustodyLine(e)); err != nil {
			return fmt.Errorf("write custody JSON lines: entry %d: %w", e.Seq, err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write custody JSON lines: %w", err)
	}
	return nil
}

// checkReadable refuses a ledger with entries that could not be decrypted:
// an export would have to invent their actor, time and action. Verify the
// ledger (which names the damaged entries) instead.
func checkReadable(entries []casefile.CustodyEntry) error {
	for _, e := range entries {
		if e.Unreadable != "" {
			return fmt.Errorf("%w: custody entry %d cannot be decrypted (%s); run a ledger verification, which names every damaged entry, and export from an intact copy",
				casefile.ErrLedgerBroken, e.Seq, e.Unreadable)
		}
	}
	return nil
}

func newCustodyLine(e casefile.CustodyEntry) custodyLine {
	return custodyLine{
		Seq:            e.Seq,
		Time:           exportTime(e.Time),
		Actor:          e.Actor,
		ActorID:        e.ActorID.String(),
		ActorPublicKey: hex.EncodeToString(e.ActorKey),
		Role:           string(e.Role),
		Action:         string(e.Action),
		TargetType:     e.Target.Type,
		TargetID:       e.Target.ID,
		Reason:         e.Reason,
		Hashes:         nonNilMap(e.Hashes),
		Details:        nonNilMap(e.Details),
		PrevHash:       e.PrevHash.String(),
		EntryHash:      e.Hash.String(),
		Signature:      hex.EncodeToString(e.Signature),
	}
}

// nonNilMap makes an absent map an empty JSON object rather than null, so
// every line has the same shape.
func nonNilMap(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

// checkEntryOrder refuses entries that are not in strictly increasing
// sequence order: an export must show the ledger as it is.
func checkEntryOrder(entries []casefile.CustodyEntry) error {
	for i := 1; i < len(entries); i++ {
		if entries[i].Seq <= entries[i-1].Seq {
			return fmt.Errorf("custody entries out of sequence order: %d after %d", entries[i].Seq, entries[i-1].Seq)
		}
	}
	return nil
}

// checkHead refuses a head that is not the last entry given, which happens
// when entries and head were read at different moments.
func checkHead(x CustodyExport) error {
	if len(x.Entries) == 0 {
		if x.HeadSeq != 0 {
			return fmt.Errorf("ledger head is entry %d but no entries were given", x.HeadSeq)
		}
		return nil
	}
	last := x.Entries[len(x.Entries)-1]
	if last.Seq != x.HeadSeq || last.Hash != x.Head {
		return fmt.Errorf("ledger head %d (%s) is not the last entry given, %d (%s); read entries and head together",
			x.HeadSeq, x.Head.Short(), last.Seq, last.Hash.Short())
	}
	return nil
}
