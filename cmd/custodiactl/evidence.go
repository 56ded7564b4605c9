package main

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"text/tabwriter"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/evidence"
)

var evidenceCommand = &command{
	name:    "evidence",
	summary: "list, show, verify, extract, read and withdraw the evidence of a case",
	about: `Evidence is added with 'custodiactl ingest'. Each item is sealed in the case
in compressed, encrypted chunks, with the MD5, SHA-1 and SHA-256 of its exact
original bytes. An item is named by its id, a UUID, or by at least its first
4 characters, as long as they name one item only; 'evidence list' shows the
first 8.

Verifying, extracting, reading, withdrawing and reinstating an item are
recorded in the custody ledger (evidence.verified, evidence.extracted,
evidence.viewed, evidence.withdrawn, evidence.reinstated); listing and
showing are not. Evidence is never deleted: an item ingested by mistake is
withdrawn, which keeps it sealed and listed but out of reports and exports.`,
	sub: []*command{
		{
			name:    "list",
			summary: "list the evidence items of a case",
			about: `Open CASE and list its evidence items, oldest first: the id (first 8
characters), name, kind, size, SHA-256 (first 16 hex digits) and the last
verification: its time, "never", or MISMATCH when it failed. --json gives
every recorded fact of each item in full, with verified_at null for an item
never verified.`,
			params: []param{caseParam},
			flags:  []flagDef{jsonFlag},
			opens:  true,
			do:     runEvidenceList,
		},
		{
			name:    "show",
			summary: "show every recorded fact of one evidence item",
			about: `Open CASE and show everything recorded about the item ID: name, kind, format,
description, size, the three hashes, where it came from (source path, host,
time zone, the tool that ingested it), who ingested it and when, how it is
stored, the acquisition facts found in the source, the files of a container
with their hashes, warnings, and the last verification.`,
			params: []param{caseParam, evidenceParam},
			flags:  []flagDef{jsonFlag},
			opens:  true,
			do:     runEvidenceShow,
		},
		{
			name:    "verify",
			summary: "re-hash evidence in the case and compare with ingest",
			about: `Open CASE and re-read every chunk of the items named by ID (every item when
no ID is given): each chunk is authenticated and decompressed, and the
content's SHA-256 is recomputed and compared with the one recorded at ingest.
With --all-hashes its MD5 and SHA-1 are recomputed and compared too; that
takes about twice as long, MD5 being the slowest part of a verification.
Each result is printed as "OK ID NAME" or "MISMATCH ID NAME: detail", and
recorded with the item and in the custody ledger (evidence.verified, whose
"recomputed" detail names the hashes recomputed). A withdrawn item is
verified like any other.

With --source, the original source at PATH is hashed too (a file, the first
segment of a split raw image, or a device) and compared with the hashes
recorded at ingest; that needs exactly one ID and reads the source only.

Exits 0 when everything matches and 1 when anything does not.`,
			params: []param{caseParam, {name: "ID", optional: true, many: true, check: evidenceParam.check}},
			flags: []flagDef{
				{name: "all-hashes", isBool: true, usage: "recompute MD5 and SHA-1 as well as SHA-256 (about twice as long)"},
				jsonFlag,
				{name: "source", usage: "also hash the original source at `PATH` and compare it with the hashes recorded at ingest (one ID only)"},
			},
			opens: true,
			check: checkEvidenceVerify,
			do:    runEvidenceVerify,
		},
		{
			name:    "extract",
			summary: "write the exact original bytes of an item to a new file",
			about: `Open CASE and write the original bytes of the item ID to PATH, a new file
readable only by its owner; an existing file is never overwritten. Every chunk
is authenticated as it is read, and the written bytes are hashed again with
SHA-256: if that does not match the SHA-256 recorded at ingest, nothing is
written and the command fails. The extraction is recorded in the custody ledger
with PATH and the SHA-256. MD5 and SHA-1 are printed as recorded at ingest;
'custodiactl evidence verify --all-hashes' recomputes all three.

Ctrl-C stops the extraction and removes the partial file.`,
			params: []param{caseParam, evidenceParam},
			flags: []flagDef{{name: "o", required: true, why: "name the new file to write the item's bytes to",
				usage: "write the item's bytes to `PATH`, a new file"}},
			opens: true, changes: true,
			records: casefile.ActionEvidenceExtracted,
			check:   checkEvidenceExtract,
			do:      runEvidenceExtract,
		},
		{
			name:    "cat",
			summary: "write the raw bytes of an item to standard output",
			about: `Open CASE and write the original bytes of the item ID to standard output,
from --offset (default 0) for --length bytes (default: to the end). Numbers
are decimal or hexadecimal with 0x, e.g. --offset 0x1be --length 64. Nothing
else is written to standard output. Every chunk read is authenticated; the
view is recorded in the custody ledger (evidence.viewed) with the range.

Evidence is hostile input, and its bytes could control a terminal: cat
refuses to write to one. Pipe the output into a hex viewer (| xxd | less) or
redirect it to a file.`,
			params: []param{caseParam, evidenceParam},
			flags: []flagDef{
				{name: "offset", value: newValue[byteCount](), usage: "start at byte `N` of the item, decimal or hexadecimal with 0x; default 0"},
				{name: "length", value: newValue[byteCount](), usage: "write `N` bytes, decimal or hexadecimal with 0x; default all to the end"},
			},
			opens: true, changes: true,
			check: checkEvidenceCat,
			do:    runEvidenceCat,
		},
		{
			name:    "withdraw",
			summary: "withdraw an item: kept sealed and listed, left out of reports",
			about: `Open CASE and withdraw the item ID, with --reason (required): an item that
should not have been ingested — the wrong disk, a duplicate, data outside
the warrant — cannot be deleted, since the custody record says it was
acquired. A withdrawn item stays sealed, verifiable and listed, marked
withdrawn with who withdrew it, when and why, and reports and exports leave
it out. 'evidence reinstate' puts it back. Recorded as evidence.withdrawn.`,
			params: []param{caseParam, evidenceParam},
			opens:  true, changes: true,
			reasonNeeded: "say why the item is withdrawn, for the custody record",
			records:      casefile.ActionEvidenceWithdrawn,
			do:           runEvidenceWithdraw,
		},
		{
			name:    "reinstate",
			summary: "put a withdrawn item back in force",
			about: `Open CASE and reinstate the withdrawn item ID, with --reason (required): it
counts as evidence again and reports and exports include it. The withdrawal
stays on record. Recorded as evidence.reinstated.`,
			params: []param{caseParam, evidenceParam},
			opens:  true, changes: true,
			reasonNeeded: "say why the item is reinstated, for the custody record",
			records:      casefile.ActionEvidenceReinstated,
			do:           runEvidenceReinstate,
		},
	},
}

func runEvidenceList(in *call, c *casefile.Case) error {
	items, err := c.ListEvidence()
	if err != nil {
		return err
	}
	if in.on("json") {
		return writeJSON(in.stdout, evidenceListJSON(items))
	}
	writeEvidenceTable(in.stdout, items)
	writeWithdrawals(in.stdout, items)
	if len(items) == 0 {
		fmt.Fprintf(in.stderr, "note: %s holds no evidence yet; add some with 'custodiactl ingest'\n", in.args[0])
	}
	return nil
}

func runEvidenceShow(in *call, c *casefile.Case) error {
	ev, err := findEvidence(c, in.args[1])
	if err != nil {
		return err
	}
	prov, err := evidence.ProvenanceOf(c, ev.ID)
	if err != nil {
		return err
	}
	if in.on("json") {
		if prov == nil {
			prov = []evidence.Provenance{}
		}
		return writeJSON(in.stdout, struct {
			evidenceJSON
			Provenance []evidence.Provenance `json:"provenance"`
		}{evidenceToJSON(ev), prov})
	}
	writeEvidenceText(in.stdout, ev)
	writeProvenanceText(in.stdout, c, prov)
	return nil
}

// maxRunsShown is how many byte runs of a derived item 'evidence show'
// prints (--json gives them all).
const maxRunsShown = 16

// writeProvenanceText prints where a derived item was read from: the parent
// item, the volume, the file and its byte runs in the parent.
func writeProvenanceText(w io.Writer, c *casefile.Case, prov []evidence.Provenance) {
	if len(prov) == 0 {
		return
	}
	field := func(name, value string) { writeField(w, 16, name, value) }
	for _, p := range prov {
		parent := p.Parent.String()
		if pe, err := c.Evidence(p.Parent); err == nil {
			parent += " " + printable(pe.Meta.Name, false)
		}
		field("Derived from", parent)
		field("  Parent SHA-256", orNone(p.ParentSHA256))
		field("  Volume", fmt.Sprintf("%d, %s, from byte %d", p.Volume, orUnknown(printable(p.FileSystem, false)), p.VolumeStart))
		path := printable(p.Path, false)
		if p.Stream != "" {
			path += ":" + printable(p.Stream, false)
		}
		field("  Path", path)
		inode := strconv.FormatUint(p.Inode, 10)
		if p.FileSystem == "NTFS" {
			inode = fmt.Sprintf("MFT entry %d, sequence %d", p.Inode, p.Seq)
		}
		field("  Inode", inode)
		deleted := "no"
		if p.Deleted {
			deleted = "yes"
		}
		field("  Deleted", deleted)
		field("  File size", byteSize(p.Size))
		field("  Recorded", byText(p.Recorded))
		n := len(p.Runs) + p.RunsOmitted
		switch {
		case n == 0:
			field("  Byte runs", "none (the data is kept inside the file system's metadata)")
		default:
			field("  Byte runs", strconv.Itoa(n))
		}
		for i, r := range p.Runs {
			if i == maxRunsShown {
				fmt.Fprintf(w, "    … %d more ('evidence show --json' lists %d)\n", n-maxRunsShown, len(p.Runs))
				break
			}
			if r.ImageOffset < 0 {
				fmt.Fprintf(w, "    file bytes %d to %d: sparse (zeros)\n", r.Offset, r.Offset+r.Length-1)
				continue
			}
			fmt.Fprintf(w, "    file bytes %d to %d at item byte %d (%s)\n", r.Offset, r.Offset+r.Length-1, r.ImageOffset, byteSize(r.Length))
		}
		if p.RunsOmitted > 0 && len(p.Runs) <= maxRunsShown {
			fmt.Fprintf(w, "    … %d more not recorded (a record keeps the first %d)\n", p.RunsOmitted, evidence.MaxProvenanceRuns)
		}
	}
}

func runEvidenceWithdraw(in *call, c *casefile.Case) error {
	ev, err := findEvidence(c, in.args[1])
	if err != nil {
		return err
	}
	if _, err := c.WithdrawEvidence(ev.ID, in.reason); err != nil {
		return withdrawalHint(err, in.args[0], ev)
	}
	fmt.Fprintf(in.stdout, "withdrawn: %s %s; it stays sealed and listed, and reports and exports leave it out\n",
		shortID(ev), printable(ev.Meta.Name, false))
	return nil
}

func runEvidenceReinstate(in *call, c *casefile.Case) error {
	ev, err := findEvidence(c, in.args[1])
	if err != nil {
		return err
	}
	if _, err := c.ReinstateEvidence(ev.ID, in.reason); err != nil {
		return withdrawalHint(err, in.args[0], ev)
	}
	fmt.Fprintf(in.stdout, "reinstated: %s %s; it counts as evidence again\n", shortID(ev), printable(ev.Meta.Name, false))
	return nil
}

// withdrawalHint adds what to do when an item's withdrawal or
// reinstatement was refused: it is in that state already.
func withdrawalHint(err error, path string, ev casefile.Evidence) error {
	if errors.Is(err, casefile.ErrInvalid) {
		return withHint(err, fmt.Sprintf("'custodiactl evidence show %s %s' shows whether the item is withdrawn", path, shortID(ev)))
	}
	return err
}

// writeWithdrawals lists the withdrawn items among items, with who withdrew
// each, when and why.
func writeWithdrawals(w io.Writer, items []casefile.Evidence) {
	for _, ev := range items {
		if wd := ev.Withdrawal; wd != nil {
			fmt.Fprintf(w, "withdrawn: %s %s on %s: %s\n", shortID(ev), printable(ev.Meta.Name, false), byText(wd.Attribution),
				orNone(printable(wd.Reason, false)))
		}
	}
}

// evidenceParam is the argument naming one evidence item: its id, or at
// least its first 4 characters (see parseIDRef).
var evidenceParam = idParam("ID", "evidence")

// idParam is the argument name naming a record of the given kind
// ("evidence", "finding") by id, checked before any passphrase is asked for.
func idParam(name, kind string) param {
	return param{name: name, check: func(_ *call, s string) (string, error) { return parseIDRef(kind, s) }}
}

// findEvidence resolves ref, checked by parseIDRef, to an item of c.
func findEvidence(c *casefile.Case, ref string) (casefile.Evidence, error) {
	ev, err := c.FindEvidence(ref)
	switch {
	case errors.Is(err, casefile.ErrNoSuchEvidence):
		return ev, withHint(err, "list the evidence items and their ids with 'custodiactl evidence list'")
	case errors.Is(err, casefile.ErrInvalid):
		return ev, withHint(err, "give more characters of the id, or all of it, as 'custodiactl evidence list --json' shows it")
	}
	return ev, err
}

// shortID is the first 8 characters of an item's id, as lists show it.
func shortID(ev casefile.Evidence) string { return ev.ID.String()[:8] }

// shortHash is the first 16 hex digits of a hash, as Digest.Short shows a
// ledger hash; "-" when there is none.
func shortHash(h string) string {
	if len(h) > 16 {
		return h[:16]
	}
	return orDash(h)
}

// verifiedText is an item's last verification in a word or a time: "never",
// the time it matched, or MISMATCH.
func verifiedText(v *casefile.Verification) string {
	switch {
	case v == nil:
		return "never"
	case !v.OK:
		return "MISMATCH"
	}
	return textTime(v.At)
}

func writeEvidenceTable(w io.Writer, items []casefile.Evidence) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprint(tw, "ID\tNAME\tKIND\tSIZE\tSHA-256\tVERIFIED\n")
	for _, ev := range items {
		name := printable(ev.Meta.Name, false)
		if !ev.InForce() {
			name += " (WITHDRAWN)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", shortID(ev), name,
			printable(string(ev.Meta.Kind), false), humanSize(ev.Meta.Size), shortHash(ev.Meta.Hashes.SHA256),
			verifiedText(ev.Verification))
	}
	tw.Flush()
}

// writeEvidenceText writes every recorded fact of ev for a person.
func writeEvidenceText(w io.Writer, ev casefile.Evidence) {
	m := ev.Meta
	field := func(name, value string) { writeField(w, 16, name, value) }
	field("ID", ev.ID.String())
	field("Name", printable(m.Name, false))
	if wd := ev.Withdrawal; wd != nil {
		field("Status", "withdrawn: left out of reports and exports")
		field("  Withdrawn", byText(wd.Attribution))
		field("  Reason", orNone(printable(wd.Reason, true)))
	} else {
		field("Status", "in force")
	}
	field("Kind", printable(string(m.Kind), false))
	field("Format", printable(m.Format, false))
	field("Description", orNone(printable(m.Description, true)))
	field("Size", byteSize(m.Size))
	field("MD5", orNone(m.Hashes.MD5))
	field("SHA-1", orNone(m.Hashes.SHA1))
	field("SHA-256", orNone(m.Hashes.SHA256))
	field("Source path", orNone(printable(m.SourcePath, false)))
	field("Host", orUnknown(printable(m.Host, false)))
	field("Time zone", orUnknown(printable(m.TimeZone, false)))
	field("Ingested", textTime(m.IngestedAt))
	field("Ingested by", orNone(printable(m.IngestedBy, false)))
	field("Tool", orNone(printable(m.Tool, false)))
	field("Stored as", fmt.Sprintf("%s of %s", plural(int(ev.ChunkCount), "chunk", "chunks"), humanSize(int64(ev.ChunkSize))))
	switch v := ev.Verification; {
	case v == nil:
		field("Verified", "never")
	default:
		field("Verified", fmt.Sprintf("%s by %s", textTime(v.At), orNone(printable(v.By, false))))
		field("Recomputed", v.RecomputedText())
		result := "OK"
		if !v.OK {
			result = "MISMATCH"
		}
		if v.Detail != "" {
			result += ": " + printable(v.Detail, false)
		}
		field("Result", result)
	}

	field("Acquisition", count(len(m.Acquisition)))
	if len(m.Acquisition) > 0 {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, k := range slices.Sorted(maps.Keys(m.Acquisition)) {
			fmt.Fprintf(tw, "  %s\t%s\n", printable(k, false), printable(m.Acquisition[k], false))
		}
		tw.Flush()
	}
	field("Container", count(len(m.Container)))
	for _, f := range m.Container {
		fmt.Fprintf(w, "  %s  %s\n", printable(f.Path, false), byteSize(f.Size))
		for _, h := range []struct{ name, value string }{{"md5", f.Hashes.MD5}, {"sha1", f.Hashes.SHA1}, {"sha256", f.Hashes.SHA256}} {
			if h.value != "" {
				fmt.Fprintf(w, "    %-8s%s\n", h.name+":", h.value)
			}
		}
	}
	field("Warnings", count(len(m.Warnings)))
	for _, warning := range m.Warnings {
		fmt.Fprintf(w, "  - %s\n", printable(warning, false))
	}
}

func orUnknown(s string) string {
	if s == "" {
		return "(unknown)"
	}
	return s
}

// count is n, or "(none)" for 0, for the heading of a list of facts.
func count(n int) string {
	if n == 0 {
		return "(none)"
	}
	return fmt.Sprint(n)
}

// evidenceJSON is the JSON form of an evidence item, the same for ingest,
// evidence list and evidence show; its field names are a stable interface
// for scripts. Lists are [] and maps {} when empty, never null; verified_at
// and verification are null before the first verification.
type evidenceJSON struct {
	ID           string            `json:"id"`
	Name         string            `json:"name"`
	Kind         string            `json:"kind"`
	Format       string            `json:"format"`
	Description  string            `json:"description"`
	Size         int64             `json:"size"`
	MD5          string            `json:"md5"`
	SHA1         string            `json:"sha1"`
	SHA256       string            `json:"sha256"`
	SourcePath   string            `json:"source_path"`
	Host         string            `json:"host"`
	TimeZone     string            `json:"time_zone"`
	IngestedAt   string            `json:"ingested_at"`
	IngestedBy   string            `json:"ingested_by"`
	Tool         string            `json:"tool"`
	ChunkSize    int               `json:"chunk_size"`
	ChunkCount   int64             `json:"chunk_count"`
	Acquisition  map[string]string `json:"acquisition"`
	Container    []containerJSON   `json:"container"`
	Warnings     []string          `json:"warnings"`
	VerifiedAt   *string           `json:"verified_at"`
	Verification *verificationJSON `json:"verification"`
	// Withdrawn is null for an item in force; for a withdrawn one it says
	// who withdrew it, when and why.
	Withdrawn *withdrawalJSON `json:"withdrawn"`
}

// withdrawalJSON is an item's withdrawal.
type withdrawalJSON struct {
	Reason string `json:"reason"`
	attributionJSON
}

// containerJSON is one file a container item's content came from, e.g. a
// segment of a split raw image; hashes are "" where none were recorded.
type containerJSON struct {
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	MD5    string `json:"md5"`
	SHA1   string `json:"sha1"`
	SHA256 string `json:"sha256"`
}

// verificationJSON is the result of a verification: the hashes found, ""
// where the content could not be read to its end.
type verificationJSON struct {
	OK         bool     `json:"ok"`
	Detail     string   `json:"detail"`
	At         string   `json:"at"`
	By         string   `json:"by"`
	Recomputed []string `json:"recomputed"` // "md5", "sha1", "sha256"; the others are ""
	MD5        string   `json:"md5"`
	SHA1       string   `json:"sha1"`
	SHA256     string   `json:"sha256"`
}

func evidenceToJSON(ev casefile.Evidence) evidenceJSON {
	m := ev.Meta
	j := evidenceJSON{
		ID: ev.ID.String(), Name: m.Name, Kind: string(m.Kind), Format: m.Format, Description: m.Description,
		Size: m.Size, MD5: m.Hashes.MD5, SHA1: m.Hashes.SHA1, SHA256: m.Hashes.SHA256,
		SourcePath: m.SourcePath, Host: m.Host, TimeZone: m.TimeZone,
		IngestedAt: formatTime(m.IngestedAt), IngestedBy: m.IngestedBy, Tool: m.Tool,
		ChunkSize: ev.ChunkSize, ChunkCount: ev.ChunkCount,
		Acquisition: orEmpty(m.Acquisition), Container: make([]containerJSON, 0, len(m.Container)),
		Warnings: append(make([]string, 0, len(m.Warnings)), m.Warnings...),
	}
	for _, f := range m.Container {
		j.Container = append(j.Container, containerJSON{Path: f.Path, Size: f.Size,
			MD5: f.Hashes.MD5, SHA1: f.Hashes.SHA1, SHA256: f.Hashes.SHA256})
	}
	if wd := ev.Withdrawal; wd != nil {
		j.Withdrawn = &withdrawalJSON{Reason: wd.Reason, attributionJSON: toAttributionJSON(wd.Attribution)}
	}
	if v := ev.Verification; v != nil {
		at := formatTime(v.At)
		j.VerifiedAt = &at
		j.Verification = &verificationJSON{OK: v.OK, Detail: v.Detail, At: at, By: v.By,
			Recomputed: append([]string{}, v.RecomputedHashes()...),
			MD5:        v.Hashes.MD5, SHA1: v.Hashes.SHA1, SHA256: v.Hashes.SHA256}
	}
	return j
}

// evidenceListJSON converts items; it never returns nil, so JSON shows [] not null.
func evidenceListJSON(items []casefile.Evidence) []evidenceJSON {
	out := make([]evidenceJSON, 0, len(items))
	for _, ev := range items {
		out = append(out, evidenceToJSON(ev))
	}
	return out
}
