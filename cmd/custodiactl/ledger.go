package main

import (
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"text/tabwriter"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/reports"
)

var ledgerCommand = &command{
	name:    "ledger",
	summary: "show, verify and export the chain of custody",
	about: `Every action on a case is an entry in its custody ledger: sequence number,
time (UTC), the acting examiner and role, the action, its target, the reason
given and the hashes involved. Entries are sealed, chained by SHA-256 over
their ciphertext and signed with the acting examiner's Ed25519 key. The head
is the last entry's number and hash; a report or export that prints it lets
a later rollback of the whole case file be detected.`,
	sub: []*command{
		{
			name:    "show",
			args:    "CASE [--json]",
			summary: "list the custody entries of a case",
			about: `Open CASE and list its custody entries in order, then the head. The text
form shows each target as TYPE:ID with the ID cut to 8 characters; --json
gives every field in full, with hashes, details and the signature. Showing
does not verify the ledger: 'custodiactl ledger verify' does.`,
			run: runLedgerShow,
		},
		{
			name:    "verify",
			args:    "CASE [--json] [--no-key]",
			summary: "check the chain, signatures and sealed entries",
			about: `Check the whole custody ledger of CASE and report every problem, one per
line as "entry N: KIND: detail", not just the first. Exits 0 when the ledger
is intact and 1 when it is not.

With the passphrase, every check is made: sequence numbers, the hash chain,
each entry's Ed25519 signature, the recorded head, and each sealed entry's
authenticity, number, time order and signer. The verification is recorded in
the ledger as a ledger.verified entry.

With --no-key no passphrase is needed and nothing is written: the sequence
numbers, the hash chain, the signatures and the recorded head are checked,
which anyone holding the file can do, but the sealed contents are not.`,
			run: runLedgerVerify,
		},
		{
			name:    "export",
			args:    "CASE --format jsonl|case-uco -o FILE",
			summary: "write the custody ledger to a file for others to read",
			about: `Open CASE and write its custody entries, examiners and head to FILE, which
must not exist yet: as JSON lines (--format jsonl, one entry per line) or as a
CASE/UCO JSON-LD document (--format case-uco). The file is written in clear,
readable only by its owner, and appears complete or not at all.

The export is then recorded in the ledger as a ledger.exported entry holding
the file's SHA-256, which is printed with the head the file ends at. If it
cannot be recorded, the file is removed again.`,
			run: runLedgerExport,
		},
	},
}

func runLedgerShow(inv *invocation, args []string) error {
	fs := newFlagSet(inv.cmd)
	asJSON := fs.Bool("json", false, "print JSON instead of text")
	var cf caseFlags
	cf.addOpenFlags(fs)
	pos, err := inv.parseN(fs, args, "CASE")
	if err != nil {
		return err
	}
	return inv.withCase(pos[0], &cf, func(c *casefile.Case) error {
		entries, err := c.Entries()
		if err != nil {
			return err
		}
		if *asJSON {
			return writeJSON(inv.stdout, entriesJSON(entries))
		}
		writeEntryTable(inv.stdout, entries)
		seq, head := c.Head()
		fmt.Fprintf(inv.stdout, "head: %d %s\n", seq, head)
		return nil
	})
}

// shortTarget is a target as TYPE:ID, with a long ID (a UUID) cut to its
// first 8 characters.
func shortTarget(t casefile.Target) string {
	id := t.ID
	if len(id) > 8 {
		id = id[:8]
	}
	return printable(t.Type, false) + ":" + printable(id, false)
}

func writeEntryTable(w io.Writer, entries []casefile.CustodyEntry) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprint(tw, "SEQ\tTIME\tACTOR\tROLE\tACTION\tTARGET\tREASON\n")
	for _, e := range entries {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", e.Seq, textTime(e.Time), printable(e.Actor, false),
			orDash(printable(string(e.Role), false)), printable(string(e.Action), false), shortTarget(e.Target),
			orDash(printable(e.Reason, false)))
	}
	tw.Flush()
}

// entryJSON is the JSON form of a custody entry; its field names are a
// stable interface for scripts.
type entryJSON struct {
	Seq       int64             `json:"seq"`
	Time      string            `json:"time"`
	Actor     string            `json:"actor"`
	ActorID   string            `json:"actor_id"`
	Role      string            `json:"role"`
	Action    string            `json:"action"`
	Target    casefile.Target   `json:"target"`
	Reason    string            `json:"reason"`
	Hashes    map[string]string `json:"hashes"`
	Details   map[string]string `json:"details"`
	PrevHash  string            `json:"prev_hash"`
	EntryHash string            `json:"entry_hash"`
	Signature string            `json:"signature"` // Ed25519, hex
}

// entriesJSON converts entries; it never returns nil and gives empty maps
// as {}, so JSON shows no nulls.
func entriesJSON(entries []casefile.CustodyEntry) []entryJSON {
	out := make([]entryJSON, 0, len(entries))
	for _, e := range entries {
		out = append(out, entryJSON{
			Seq: e.Seq, Time: formatTime(e.Time), Actor: e.Actor, ActorID: e.ActorID.String(), Role: string(e.Role),
			Action: string(e.Action), Target: e.Target, Reason: e.Reason, Hashes: orEmpty(e.Hashes), Details: orEmpty(e.Details),
			PrevHash: e.PrevHash.String(), EntryHash: e.Hash.String(), Signature: hex.EncodeToString(e.Signature),
		})
	}
	return out
}

func orEmpty(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

func runLedgerVerify(inv *invocation, args []string) error {
	fs := newFlagSet(inv.cmd)
	asJSON := fs.Bool("json", false, "print JSON instead of text")
	noKey := fs.Bool("no-key", false, "check without the passphrase: chain, sequence, signatures and head, not the sealed contents")
	var cf caseFlags
	cf.addOpenFlags(fs)
	pos, err := inv.parseN(fs, args, "CASE")
	if err != nil {
		return err
	}
	path := pos[0]
	if *noKey {
		if cf.file != "" || cf.examiner != "" || cf.role != "" {
			return inv.usagef("--no-key opens no key slot; do not give --passphrase-file, --examiner or --role with it")
		}
		r, err := casefile.VerifyLedgerWithoutKey(path)
		if err != nil {
			return err
		}
		return inv.reportLedger(r, *asJSON, nil)
	}
	return inv.withCase(path, &cf, func(c *casefile.Case) error {
		r, err := c.VerifyLedger()
		if r == nil {
			return err
		}
		// The verification is itself a custody entry; say which, or why
		// it could not be recorded.
		recorded := func(w io.Writer) {
			if err != nil {
				return
			}
			writeRecordedHead(w, c, casefile.ActionLedgerVerified)
		}
		if rerr := inv.reportLedger(r, *asJSON, recorded); rerr != nil {
			if err != nil {
				fmt.Fprintf(inv.stderr, "warning: the verification was not recorded in the ledger: %v\n", err)
			}
			return rerr
		}
		return err
	})
}

// reportLedger prints a verification report, as text or JSON, and returns
// the error for a ledger that does not verify. recorded, if not nil, adds
// the line saying which entry recorded the verification.
func (inv *invocation) reportLedger(r *casefile.LedgerReport, asJSON bool, recorded func(io.Writer)) error {
	if asJSON {
		if err := writeJSON(inv.stdout, verifyJSON(r)); err != nil {
			return err
		}
	} else {
		w := inv.stdout
		fmt.Fprintf(w, "entries: %d\n", r.Entries)
		fmt.Fprintf(w, "head: %d %s\n", r.HeadSeq, r.Head)
		if r.Keyed {
			fmt.Fprint(w, "checked: sequence, hash chain, signatures, recorded head and sealed contents\n")
		} else {
			fmt.Fprint(w, "checked: sequence, hash chain, signatures and recorded head; sealed contents were not checked (no key)\n")
		}
		for _, p := range r.Problems {
			fmt.Fprintf(w, "entry %d: %s: %s\n", p.Seq, p.Kind, printable(p.Detail, false))
		}
		if r.OK() {
			fmt.Fprint(w, "result: intact\n")
		} else {
			fmt.Fprintf(w, "result: %s\n", problems(len(r.Problems)))
		}
		if recorded != nil {
			recorded(w)
		}
	}
	if r.OK() {
		return nil
	}
	return withHint(fmt.Errorf("custody ledger does not verify (%s)", problems(len(r.Problems))),
		"the case file was changed outside Custodia: preserve this copy for examination, compare its head with the one printed in the last report or export, and restore the case from a backup")
}

// problems is "1 problem", "2 problems".
func problems(n int) string { return plural(n, "problem", "problems") }

// plural is n followed by the word for one or for several.
func plural(n int, one, several string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, several)
}

// verifyReportJSON is the JSON form of ledger verify.
type verifyReportJSON struct {
	Entries  int64         `json:"entries"`
	HeadSeq  int64         `json:"head_seq"`
	Head     string        `json:"head"`
	Keyed    bool          `json:"keyed"`
	OK       bool          `json:"ok"`
	Problems []problemJSON `json:"problems"`
}

type problemJSON struct {
	Seq    int64  `json:"seq"`
	Kind   string `json:"kind"`
	Detail string `json:"detail"`
}

func verifyJSON(r *casefile.LedgerReport) verifyReportJSON {
	j := verifyReportJSON{Entries: r.Entries, HeadSeq: r.HeadSeq, Head: r.Head.String(), Keyed: r.Keyed, OK: r.OK(),
		Problems: make([]problemJSON, 0, len(r.Problems))}
	for _, p := range r.Problems {
		j.Problems = append(j.Problems, problemJSON{Seq: p.Seq, Kind: string(p.Kind), Detail: p.Detail})
	}
	return j
}

// ledgerFormats are the formats of ledger export, with what writes them.
var ledgerFormats = map[string]func(io.Writer, reports.CustodyExport) error{
	"jsonl":    reports.WriteCustodyJSONL,
	"case-uco": reports.WriteCustodyCASE,
}

func runLedgerExport(inv *invocation, args []string) error {
	fs := newFlagSet(inv.cmd)
	format := fs.String("format", "", "the export `FORMAT`: jsonl (JSON lines) or case-uco (CASE/UCO JSON-LD) (required)")
	out := fs.String("o", "", "write the export to `FILE`, which must not exist (required)")
	var cf caseFlags
	cf.addOpenFlags(fs)
	cf.addReasonFlag(fs)
	pos, err := inv.parseN(fs, args, "CASE")
	if err != nil {
		return err
	}
	path := pos[0]
	write, ok := ledgerFormats[*format]
	switch {
	case *format == "":
		return inv.usagef("--format is required: jsonl or case-uco")
	case !ok:
		return inv.usagef("unknown --format %q: use jsonl or case-uco", *format)
	case *out == "":
		return inv.usagef("-o FILE is required")
	}
	// Refuse before asking for a passphrase; writeNewFile checks again,
	// atomically, when the file is put in place.
	if _, err := os.Lstat(*out); err == nil {
		return existingFile("export custody ledger to", *out)
	}
	return inv.withCase(path, &cf, func(c *casefile.Case) error {
		x, err := inv.custodyExport(c)
		if err != nil {
			return err
		}
		sum, err := writeNewFile(*out, func(w io.Writer) error { return write(w, x) })
		if errors.Is(err, os.ErrExist) {
			return existingFile("export custody ledger to", *out)
		}
		if err != nil {
			return withHint(fmt.Errorf("export custody ledger to %s: %w", *out, err),
				"check that the folder for the file exists, that you may write to it and that its disk has space; nothing was exported")
		}
		if _, err := c.Record(casefile.Event{
			Action: casefile.ActionLedgerExported,
			Target: casefile.Target{Type: casefile.TargetLedger, ID: x.Case.CaseUUID.String()},
			Reason: string(cf.reason),
			Hashes: map[string]string{"sha256": sum},
			Details: map[string]string{"format": *format, "path": absPath(*out),
				"entries": fmt.Sprint(len(x.Entries)), "head": fmt.Sprintf("%d:%s", x.HeadSeq, x.Head)},
		}); err != nil {
			// An export the ledger does not know of would be a hole in
			// the chain of custody: take it back.
			if rerr := os.Remove(*out); rerr != nil {
				return fmt.Errorf("%w; %s was written but could not be removed: %v", err, *out, rerr)
			}
			return withHint(fmt.Errorf("%w; %s was removed", err, *out),
				"the export could not be recorded in the custody ledger, so it was not kept; fix the cause and export again")
		}
		w := inv.stdout
		fmt.Fprintf(w, "exported: %s of case %s to %s (%s)\n", plural(len(x.Entries), "entry", "entries"), x.Case.CaseUUID, *out, *format)
		fmt.Fprintf(w, "sha256: %s\n", sum)
		fmt.Fprintf(w, "head: %d %s\n", x.HeadSeq, x.Head)
		writeRecordedHead(w, c, casefile.ActionLedgerExported)
		return nil
	})
}

// custodyExport gathers what an export of c's ledger holds.
func (inv *invocation) custodyExport(c *casefile.Case) (reports.CustodyExport, error) {
	// One snapshot, so the entries, the examiners and the head agree.
	entries, exs, seq, head, err := c.LedgerSnapshot()
	if err != nil {
		return reports.CustodyExport{}, err
	}
	return reports.CustodyExport{
		Case: c.Info(), Examiners: exs, Entries: entries, HeadSeq: seq, Head: head,
		Tool:      reports.Tool{Name: "custodiactl", Version: versionString()},
		Generated: inv.now(),
	}, nil
}
