package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/evidence"
)

var ingestCommand = &command{
	name:    "ingest",
	summary: "hash evidence and seal it into a case",
	about: `Open CASE and add the evidence at each PATH: a file (a raw/dd disk image, a
log, a memory dump, anything), the first segment of a split raw image
(image.001; image.002, … are read with it as one item), a block device (read
only), or a folder, which adds one item per regular file below it (symbolic
links are not followed; links, pipes, sockets and devices in the folder are
listed as skipped and recorded in the custody ledger). Every byte
is read once, hashed with MD5, SHA-1 and SHA-256, compressed and sealed in
the case in encrypted chunks, each checked as it is stored. Each item's
ingest is recorded in the custody ledger with its hashes and --reason.

The kind of each item is detected from its content and name unless --kind
sets it. --timezone records the time zone the source's clocks were set to,
as an IANA name such as Europe/Berlin or UTC, so that its times can be read
correctly later.

An item whose content (SHA-256) is already in the case is refused and
rolled back, naming the item that holds it; --allow-duplicate keeps it,
recorded as a duplicate of that item with --reason, which it requires.

Prints each item's id, name, kind, size and hashes, and the entries of a
folder that were skipped; --json prints {"items": […], "skipped": […],
"duplicates": […]}. Warnings about an item (an empty source, a stored image
hash that does not match, a kept duplicate) go to standard error and stay
recorded with the item. On a terminal a progress line shows on standard
error.

Each item of kind log is then parsed into the timeline in the same run (one
timeline.parsed entry each; --no-parse leaves that for 'custodiactl timeline
parse'): its events, and the records that did not parse as warnings. A log no
parser recognises stays ingested, with a warning saying how to parse it.

Ctrl-C stops the ingest: the item in progress is rolled back, items already
ingested stay in the case.`,
	params: []param{caseParam, {name: "PATH", many: true, why: "name the evidence to ingest"}},
	flags: []flagDef{
		{name: "kind", value: newValue[kindValue](), show: "auto|disk|log|memory|other",
			usage: "the `KIND` of every item: auto (detect it from content and name; the default), disk, log, memory or other"},
		{name: "description", max: casefile.MaxTextLen, usage: "a free-text `TEXT` describing the items"},
		{name: "timezone", value: newValue[timeZoneValue](),
			usage: "the IANA time `ZONE` the source's clocks were set to, e.g. Europe/Berlin or UTC; default unknown"},
		{name: "allow-duplicate", isBool: true,
			usage: "keep an item whose content is already in the case, recorded as a duplicate with --reason (required with it)"},
		{name: "no-parse", isBool: true,
			usage: "do not parse log items into the timeline now ('custodiactl timeline parse' does it later)"},
		jsonFlag,
	},
	opens: true, changes: true,
	check: checkIngest,
	do:    runIngest,
}

// checkIngest checks, before the passphrase is asked for and before
// anything is written, that every source can be ingested.
func checkIngest(in *call) error {
	if in.on("allow-duplicate") && strings.TrimSpace(in.reason) == "" {
		return in.usagef("--allow-duplicate needs --reason TEXT: why the copy is kept is recorded with it")
	}
	for _, src := range in.args[1:] {
		if err := checkSource(in.args[0], src); err != nil {
			return err
		}
	}
	return nil
}

func runIngest(in *call, c *casefile.Case) error {
	sources, asJSON := in.args[1:], in.on("json")
	prog := in.progress("ingesting")
	opts := evidence.Options{
		Kind:        valueOf[casefile.EvidenceKind](in, "kind"),
		Description: in.text("description"),
		TimeZone:    valueOf[string](in, "timezone"),
		Reason:      in.reason,
		Tool:        "custodiactl " + versionString(),
		Progress:    prog.sink(),
	}
	if in.on("allow-duplicate") {
		opts.Duplicate = func(context.Context, casefile.EvidenceMeta, []casefile.Evidence) (bool, string) {
			return true, in.reason
		}
	}
	firstSeq, _ := c.Head()
	var all evidence.Report
	err := in.interruptible(func(ctx context.Context) error {
		for _, src := range sources {
			r, err := evidence.IngestWithReport(ctx, c, src, opts)
			prog.clear()
			if !asJSON {
				writeSkippedText(in.stdout, src, r.Skipped, len(all.Items) > 0 || len(all.Skipped) > 0)
			}
			for _, ev := range r.Items {
				for _, w := range ev.Meta.Warnings {
					fmt.Fprintf(in.stderr, "warning: %s: %s\n", printable(ev.Meta.Name, false), printable(w, false))
				}
				if !asJSON {
					if len(all.Items) > 0 || len(all.Skipped)+len(r.Skipped) > 0 {
						fmt.Fprintln(in.stdout)
					}
					writeIngestedText(in.stdout, ev)
				}
				all.Items = append(all.Items, ev)
				if ev.Meta.Kind == casefile.KindLog && !in.on("no-parse") {
					if err := in.parseIngested(ctx, c, ev, asJSON); err != nil {
						return err
					}
				}
			}
			all.Skipped = append(all.Skipped, r.Skipped...)
			all.Duplicates = append(all.Duplicates, r.Duplicates...)
			if err != nil {
				return ingestError(err, src, len(all.Items))
			}
		}
		return nil
	})
	switch {
	case asJSON && (err == nil || len(all.Items)+len(all.Skipped)+len(all.Duplicates) > 0):
		// JSON lists what was ingested even when a later source
		// failed, so that a script learns the ids of the items that stay.
		if jerr := writeJSON(in.stdout, ingestReportJSON(all)); err == nil {
			err = jerr
		}
	case !asJSON:
		if lastSeq, _ := c.Head(); lastSeq > firstSeq && (len(all.Items) > 0 || len(all.Skipped) > 0) {
			fmt.Fprintln(in.stdout)
			writeRecordedActions(in.stdout, c, firstSeq)
		}
	}
	return err
}

// writeSkippedText lists the entries of the folder src that were not read:
// "skipped: 2 entries of logs (…)" and one line per entry. sep puts an
// empty line before it.
func writeSkippedText(w io.Writer, src string, skipped []evidence.Skipped, sep bool) {
	if len(skipped) == 0 {
		return
	}
	if sep {
		fmt.Fprintln(w)
	}
	folder := absPath(src)
	fmt.Fprintf(w, "skipped: %s below %s, not regular files (links are not followed):\n",
		plural(len(skipped), "entry", "entries"), printable(filepath.Base(folder), false))
	for _, s := range skipped {
		rel, err := filepath.Rel(folder, s.Path)
		if err != nil {
			rel = s.Path
		}
		line := printable(rel, false) + ": " + s.Reason
		if s.Target != "" {
			line += " (-> " + printable(s.Target, false) + ")"
		}
		fmt.Fprintf(w, "  %s\n", line)
	}
}

// writeRecordedActions writes which custody entries after firstSeq
// recorded what, one run of equal actions at a time: "recorded: entry 2
// evidence.ingest-skipped, entries 3-4 evidence.ingested".
func writeRecordedActions(w io.Writer, c *casefile.Case, firstSeq int64) {
	entries, err := c.Entries()
	if err != nil {
		return
	}
	var parts []string
	for i := 0; i < len(entries); {
		e := entries[i]
		if e.Seq <= firstSeq {
			i++
			continue
		}
		j := i
		for j+1 < len(entries) && entries[j+1].Action == e.Action {
			j++
		}
		if j == i {
			parts = append(parts, fmt.Sprintf("entry %d %s", e.Seq, e.Action))
		} else {
			parts = append(parts, fmt.Sprintf("entries %d-%d %s", e.Seq, entries[j].Seq, e.Action))
		}
		i = j + 1
	}
	if len(parts) > 0 {
		fmt.Fprintf(w, "recorded: %s\n", strings.Join(parts, ", "))
	}
}

// ingestReportJSON is the JSON form of an ingest.
type ingestReportJSONDoc struct {
	Items      []evidenceJSON  `json:"items"`
	Skipped    []skippedJSON   `json:"skipped"`
	Duplicates []duplicateJSON `json:"duplicates"`
}

// skippedJSON is an entry of a folder that was not read.
type skippedJSON struct {
	Path   string `json:"path"`
	Reason string `json:"reason"`
	Target string `json:"target"` // a symbolic link's target, "" otherwise
}

// duplicateJSON is a source whose content was already in the case.
type duplicateJSON struct {
	Name        string   `json:"name"`
	SHA256      string   `json:"sha256"`
	DuplicateOf []string `json:"duplicate_of"` // the ids of the items that held it
	Kept        bool     `json:"kept"`
	ID          *string  `json:"id"` // the new item, null when not kept
	Reason      string   `json:"reason"`
}

func ingestReportJSON(r evidence.Report) ingestReportJSONDoc {
	j := ingestReportJSONDoc{Items: evidenceListJSON(r.Items), Skipped: []skippedJSON{}, Duplicates: []duplicateJSON{}}
	for _, s := range r.Skipped {
		j.Skipped = append(j.Skipped, skippedJSON{Path: s.Path, Reason: s.Reason, Target: s.Target})
	}
	for _, d := range r.Duplicates {
		dj := duplicateJSON{Name: d.Meta.Name, SHA256: d.Meta.Hashes.SHA256, DuplicateOf: []string{}, Kept: d.Kept, Reason: d.Reason}
		for _, ev := range d.Existing {
			dj.DuplicateOf = append(dj.DuplicateOf, ev.ID.String())
		}
		if d.Kept {
			id := d.ID.String()
			dj.ID = &id
		}
		j.Duplicates = append(j.Duplicates, dj)
	}
	return j
}

// writeIngestedText writes what a person needs to know of a new item: its
// id, to name it later, and the hashes, to write down.
func writeIngestedText(w io.Writer, ev casefile.Evidence) {
	field := func(name, value string) { writeField(w, 8, name, value) }
	field("id", ev.ID.String())
	field("name", printable(ev.Meta.Name, false))
	field("kind", printable(string(ev.Meta.Kind), false))
	field("size", byteSize(ev.Meta.Size))
	field("md5", ev.Meta.Hashes.MD5)
	field("sha1", ev.Meta.Hashes.SHA1)
	field("sha256", ev.Meta.Hashes.SHA256)
}

// checkSource checks, before the case is opened, that src names something
// that can be ingested into the case at casePath: it exists, may be read,
// is a file, folder or block device, and is not the case itself.
func checkSource(casePath, src string) error {
	fi, err := checkReadable("ingest", src)
	if err != nil {
		return err
	}
	// The case file changes while evidence is written to it: ingesting it,
	// or a folder that holds it, could never give stable hashes.
	caseInfo, err := os.Stat(casePath)
	if err != nil {
		return nil // withCase reports a missing case
	}
	if os.SameFile(fi, caseInfo) {
		return withHint(fmt.Errorf("ingest %s: this is the case file itself", src),
			"name the evidence to add to the case, not the case")
	}
	if fi.IsDir() && within(realPath(casePath), realPath(src)) {
		return withHint(fmt.Errorf("ingest %s: the folder holds the case file %s", src, casePath),
			"keep the case file apart from the evidence: move it out of the folder, or name the evidence files themselves")
	}
	return nil
}

// checkReadable checks that src exists, may be read and is a file, folder
// or block device, for the operation op ("ingest"), and returns its details.
func checkReadable(op, src string) (fs.FileInfo, error) {
	fi, err := os.Stat(src)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, withHint(fmt.Errorf("%s %s: %w", op, src, fs.ErrNotExist),
			"check the path of the evidence")
	case err != nil:
		return nil, withHint(fmt.Errorf("%s %s: %w", op, src, err), permissionHint)
	}
	m := fi.Mode()
	if !m.IsRegular() && !m.IsDir() && (m&fs.ModeDevice == 0 || m&fs.ModeCharDevice != 0) {
		// A pipe, socket or character device has no fixed content to hash,
		// and opening one may wait forever.
		return nil, withHint(fmt.Errorf("%s %s: %s, not a file, folder or block device", op, src, fileType(m)),
			"name an image or other file, the first segment of a split raw image, a block device or a folder; to ingest a stream, save it to a file first")
	}
	f, err := os.Open(src)
	if err != nil {
		return nil, withHint(fmt.Errorf("%s %s: %w", op, src, err), permissionHint)
	}
	f.Close()
	return fi, nil
}

// fileType names a type of file that cannot be ingested.
func fileType(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	}
	return "a special file"
}

// permissionHint is what a person can do about a source they may not read.
const permissionHint = "check that you may read the evidence; a block device usually needs root or membership of the disk group"

// realPath is path made absolute, with symbolic links resolved where it
// exists.
func realPath(path string) string {
	p := absPath(path)
	if r, err := filepath.EvalSymlinks(p); err == nil {
		return r
	}
	return p
}

// within reports whether path lies inside the folder dir.
func within(path, dir string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != "." && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// ingestError adds to an ingest's error what a person can do, and that the
// done items already ingested stay in the case.
func ingestError(err error, src string, done int) error {
	stay := ""
	switch {
	case done == 1:
		stay = "the item already ingested stays in the case"
	case done > 1:
		stay = fmt.Sprintf("the %d items already ingested stay in the case", done)
	}
	if errors.Is(err, context.Canceled) {
		if done == 0 {
			return withHint(errors.New("ingest cancelled"), "nothing was ingested; the item in progress was rolled back")
		}
		return withHint(errors.New("ingest cancelled"), "the item in progress was rolled back; "+stay)
	}
	hint := ingestHint(err, src)
	switch {
	case hint == "":
		hint = stay
	case stay != "":
		hint += "; " + stay
	}
	if hint == "" {
		return err
	}
	return withHint(err, hint)
}

// ingestHint is what a person can do about an ingest of src that failed
// with err.
func ingestHint(err error, src string) string {
	if de, ok := errors.AsType[*evidence.DuplicateError](err); ok && len(de.Existing) > 0 {
		ev := de.Existing[0]
		return fmt.Sprintf("item %s (%s) already holds these bytes: use it, or run the ingest again with --allow-duplicate --reason TEXT to keep this copy, recorded as a duplicate of it",
			shortID(ev), printable(ev.Meta.Name, false))
	}
	// A reader's own hint ("merge the differencing disk with its parent
	// first") says more than the kind's.
	if h := casefile.Hint(err); h != "" && h != evidence.ErrUnsupported.Hint() && h != evidence.ErrSource.Hint() {
		return h
	}
	switch {
	case errors.Is(err, evidence.ErrUnsupported):
		return "Custodia reads raw (dd) images, split raw images (.001, .000, .00, .aa, …), E01 images, VHD, VHDX, VMDK and QCOW2 disks, block devices, and any single file as it is (--kind other); convert the image to a raw image and ingest that, or ingest it with --kind other to keep the file as it is"
	case errors.Is(err, fs.ErrPermission):
		return permissionHint
	case errors.Is(err, evidence.ErrSource):
		if fi, serr := os.Stat(src); serr == nil && fi.IsDir() {
			return "a folder is ingested as one item per regular file below it: check that it holds files, that you may read them all and that nothing changes them during the ingest"
		}
		return "check that you may read the evidence and that nothing changes it during the ingest; acquire a stable copy of a live source and ingest that"
	}
	return hintFor(err)
}

// kindValue is the --kind flag: an evidence kind, or "" to detect it.
type kindValue casefile.EvidenceKind

func (k *kindValue) get() casefile.EvidenceKind { return casefile.EvidenceKind(*k) }

func (k *kindValue) String() string {
	if *k == "" {
		return "auto"
	}
	return string(*k)
}

func (k *kindValue) Set(s string) error {
	kind, _, err := evidence.ParseKind(s)
	if err != nil {
		return errors.New(strings.TrimPrefix(err.Error(), casefile.ErrInvalid.Error()+": "))
	}
	*k = kindValue(kind)
	return nil
}

// timeZoneValue is the --timezone flag: an IANA time zone name, checked
// against the time zone database embedded in custodiactl.
type timeZoneValue string

func (z *timeZoneValue) String() string { return string(*z) }
func (z *timeZoneValue) get() string    { return string(*z) }

func (z *timeZoneValue) Set(s string) error {
	if _, err := casefile.SourceTimeZone(s); err != nil {
		msg, _, _ := casefile.Explain(err)
		return errors.New(msg)
	}
	*z = timeZoneValue(s)
	return nil
}

// parseIngested parses the log item ev into the timeline right after its
// ingest. A log no parser recognises is not an error of the ingest: it
// stays ingested, with a warning saying how to parse it.
func (in *call) parseIngested(ctx context.Context, c *casefile.Case, ev casefile.Evidence, asJSON bool) error {
	prog := in.progress("parsing")
	p, err := evidence.ParseItem(ctx, c, ev.ID, evidence.ParseOptions{Reason: in.reason, Progress: prog.sink()})
	prog.clear()
	switch {
	case errors.Is(err, context.Canceled):
		return err
	case err != nil:
		msg, _, known := casefile.Explain(err)
		if !known {
			msg = err.Error()
		}
		fmt.Fprintf(in.stderr, "warning: %s: not parsed into the timeline: %s\n", printable(ev.Meta.Name, false), printable(msg, false))
		fmt.Fprintf(in.stderr, "hint: it stays ingested; parse it with 'custodiactl timeline parse %s %s --parser NAME'\n", in.args[0], shortID(ev))
		return nil
	}
	if !asJSON {
		fmt.Fprintf(in.stdout, "parsed: %s (%s), %s, %s\n", p.Parser, p.Detected,
			plural(int(p.Events), "event", "events"), plural(int(p.Warnings), "warning", "warnings"))
	}
	return nil
}
