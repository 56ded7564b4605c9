package main

import (
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
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
			summary: "list the custody entries of a case",
			about: `Open CASE and list its custody entries in order, then the head. The text
form shows each target as TYPE:ID with the ID cut to 8 characters; --json
gives every field in full, with hashes, details and the signature. Showing
does not verify the ledger: 'custodiactl ledger verify' does.`,
			params: []param{caseParam},
			flags:  []flagDef{jsonFlag},
			opens:  true,
			do:     runLedgerShow,
		},
		{
			name:    "verify",
			summary: "check the chain, signatures and sealed entries",
			about: `Check the whole custody ledger of CASE and report every problem, one per
line as "entry N: KIND: detail", not just the first. Exits 0 when the ledger
is intact and 1 when it is not.

With the passphrase, every check is made: sequence numbers, the hash chain,
each entry's Ed25519 signature, the recorded head, and each sealed entry's
authenticity, number, time order and signer. An intact ledger's verification
is recorded in it as a ledger.verified entry. Nothing is written to a case
whose ledger fails verification: the file stays as it was found, for
examination.

With --no-key no passphrase is needed and nothing is written: the sequence
numbers, the hash chain, the signatures and the recorded head are checked,
which anyone holding the file can do, but the sealed contents are not.`,
			params: []param{caseParam},
			flags: []flagDef{jsonFlag,
				{name: "no-key", isBool: true, usage: "check without the passphrase: chain, sequence, signatures and head, not the sealed contents"}},
			opens: true, keyless: "no-key",
			records: casefile.ActionLedgerVerified,
			do:      runLedgerVerify,
		},
		{
			name:    "export",
			summary: "write the custody ledger to a file for others to read",
			about: `Open CASE and write its custody entries, examiners and head to FILE, which
must not exist yet: as JSON lines (--format jsonl, one entry per line) or as a
CASE/UCO JSON-LD document (--format case-uco). The file is written in clear,
readable only by its owner, and appears complete or not at all.

The export is then recorded in the ledger as a ledger.exported entry holding
the file's SHA-256, which is printed with the head the file ends at. If it
cannot be recorded, the file is removed again.`,
			params: []param{caseParam},
			flags: []flagDef{
				{name: "format", required: true, why: "jsonl or case-uco", show: "jsonl|case-uco",
					usage: "the export `FORMAT`: jsonl (JSON lines) or case-uco (CASE/UCO JSON-LD)"},
				{name: "o", required: true, why: "name the new file to write the export to", usage: "write the export to `FILE`, which must not exist"},
			},
			opens: true, changes: true,
			records: casefile.ActionLedgerExported,
			check:   checkLedgerExport,
			do:      runLedgerExport,
		},
	},
}

func runLedgerShow(in *call, c *casefile.Case) error {
	entries, err := c.Entries()
	if err != nil {
		return err
	}
	if in.on("json") {
		return writeJSON(in.stdout, entriesJSON(entries))
	}
	writeEntryTable(in.stdout, entries)
	seq, head := c.Head()
	fmt.Fprintf(in.stdout, "head: %d %s\n", seq, head)
	return nil
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

// runLedgerVerify verifies the ledger with the case key, or, with c nil
// (--no-key), without it.
func runLedgerVerify(in *call, c *casefile.Case) error {
	asJSON := in.on("json")
	if c == nil {
		r, err := casefile.VerifyLedgerWithoutKey(in.args[0])
		if err != nil {
			return err
		}
		return reportLedger(in.stdout, r, asJSON, nil)
	}
	r, err := c.VerifyLedger()
	if r == nil {
		return err
	}
	// A verification that passed is itself a custody entry (the command's
	// records line names it); one that failed wrote nothing.
	var recorded *int64
	if r.Recorded {
		seq, _ := c.Head()
		recorded = &seq
	}
	if rerr := reportLedger(in.stdout, r, asJSON, recorded); rerr != nil {
		return rerr
	}
	if err != nil {
		return fmt.Errorf("the verification was not recorded in the ledger: %w", err)
	}
	return nil
}

// reportLedger prints a verification report, as text or JSON, and returns
// the error for a ledger that does not verify. recorded is the entry that
// recorded the verification, nil when none did.
func reportLedger(w io.Writer, r *casefile.LedgerReport, asJSON bool, recorded *int64) error {
	if asJSON {
		j := verifyJSON(r)
		j.Recorded = recorded
		if err := writeJSON(w, j); err != nil {
			return err
		}
	} else {
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
		if !r.OK() {
			// With the key a failed verification is not recorded, and the
			// case is written to no more; without the key nothing is
			// written at all. Either way the file stays as it was found.
			fmt.Fprint(w, "nothing was written to this case: it failed verification\n")
		}
	}
	if r.OK() {
		return nil
	}
	return withHint(fmt.Errorf("custody ledger does not verify (%s)", problems(len(r.Problems))),
		"the case file was changed outside Custodia: preserve this copy for examination, compare its head with the one printed in the last report or export, and restore the case from a backup; nothing was written to it")
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
	// Recorded is the entry that recorded the verification: null without
	// the key, and for a ledger that failed, to which nothing is written.
	Recorded *int64 `json:"recorded"`
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

func checkLedgerExport(in *call) error {
	if format := in.text("format"); reports.CustodyFormats[format] == nil {
		return in.usagef("unknown --format %q: use %s", format, strings.Join(reports.CustodyFormatNames, " or "))
	}
	// Refuse before asking for a passphrase; reports.ExportCustody checks
	// again, atomically, when the file is put in place.
	if out := in.text("o"); fileExists(out) {
		return existingFile("export custody ledger to", out)
	}
	return nil
}

func runLedgerExport(in *call, c *casefile.Case) error {
	format, out := in.text("format"), in.text("o")
	x, err := reports.ExportCustody(c, format, out, reports.Tool{Name: "custodiactl", Version: versionString()}, in.now(), in.reason)
	if errors.Is(err, casefile.ErrExists) {
		return existingFile("export custody ledger to", out)
	}
	if err != nil {
		return err
	}
	w := in.stdout
	fmt.Fprintf(w, "exported: %s of case %s to %s (%s)\n", plural(x.Entries, "entry", "entries"), c.Info().CaseUUID, out, format)
	fmt.Fprintf(w, "sha256: %s\n", x.SHA256)
	fmt.Fprintf(w, "head: %d %s\n", x.HeadSeq, x.Head)
	return nil
}
