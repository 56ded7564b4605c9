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
	"time"
	"unicode/utf8"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/evidence"
)

var ingestCommand = &command{
	name:    "ingest",
	args:    "CASE PATH... [--kind auto|disk|log|memory|other] [--description TEXT] [--timezone ZONE] [--json]",
	summary: "hash evidence and seal it into a case",
	about: `Open CASE and add the evidence at each PATH: a file (a raw/dd disk image, a
log, a memory dump, anything), the first segment of a split raw image
(image.001; image.002, … are read with it as one item), a block device (read
only), or a folder, which adds one item per regular file below it. Every byte
is read once, hashed with MD5, SHA-1 and SHA-256, compressed and sealed in
the case in encrypted chunks, each checked as it is stored. Each item's
ingest is recorded in the custody ledger with its hashes and --reason.

The kind of each item is detected from its content and name unless --kind
sets it. --timezone records the time zone the source's clocks were set to,
as an IANA name such as Europe/Berlin or UTC, so that its times can be read
correctly later.

Prints each item's id, name, kind, size and hashes; --json prints them as a
JSON array. Warnings about an item (an empty source, a stored image hash
that does not match) go to standard error and stay recorded with the item.
On a terminal a progress line shows on standard error.

Ctrl-C stops the ingest: the item in progress is rolled back, items already
ingested stay in the case.`,
	run: runIngest,
}

func runIngest(inv *invocation, args []string) error {
	fs := newFlagSet(inv.cmd)
	var kind kindValue
	fs.Var(&kind, "kind", "the `KIND` of every item: auto (detect it from content and name; the default), disk, log, memory or other")
	var description descriptionValue
	fs.Var(&description, "description", "a free-text `TEXT` describing the items")
	var zone timeZoneValue
	fs.Var(&zone, "timezone", "the IANA time `ZONE` the source's clocks were set to, e.g. Europe/Berlin or UTC; default unknown")
	asJSON := fs.Bool("json", false, "print JSON instead of text")
	var cf caseFlags
	cf.addOpenFlags(fs)
	cf.addReasonFlag(fs)
	pos, err := inv.parse(fs, args)
	if err != nil {
		return err
	}
	switch len(pos) {
	case 0:
		return inv.usagef("missing CASE and PATH")
	case 1:
		return inv.usagef("missing PATH: name the evidence to ingest")
	}
	casePath, sources := pos[0], pos[1:]
	// A source that cannot be ingested is reported before the passphrase
	// is asked for and before anything is written.
	for _, src := range sources {
		if err := checkSource(casePath, src); err != nil {
			return err
		}
	}
	return inv.withCase(casePath, &cf, func(c *casefile.Case) error {
		prog := inv.progress("ingesting")
		opts := evidence.Options{
			Kind:        casefile.EvidenceKind(kind),
			Description: string(description),
			TimeZone:    string(zone),
			Reason:      string(cf.reason),
			Tool:        "custodiactl " + versionString(),
			Progress:    prog.sink(),
		}
		firstSeq, _ := c.Head()
		var done []casefile.Evidence
		err := inv.interruptible(func(ctx context.Context) error {
			for _, src := range sources {
				items, err := evidence.Ingest(ctx, c, src, opts)
				prog.clear()
				for _, ev := range items {
					for _, w := range ev.Meta.Warnings {
						fmt.Fprintf(inv.stderr, "warning: %s: %s\n", printable(ev.Meta.Name, false), printable(w, false))
					}
					if !*asJSON {
						if len(done) > 0 {
							fmt.Fprintln(inv.stdout)
						}
						writeIngestedText(inv.stdout, ev)
					}
					done = append(done, ev)
				}
				if err != nil {
					return ingestError(err, src, len(done))
				}
			}
			return nil
		})
		switch {
		case *asJSON && (err == nil || len(done) > 0):
			// JSON lists what was ingested even when a later source
			// failed, so that a script learns the ids of the items that stay.
			if jerr := writeJSON(inv.stdout, evidenceListJSON(done)); err == nil {
				err = jerr
			}
		case !*asJSON && len(done) > 0:
			lastSeq, _ := c.Head()
			fmt.Fprintln(inv.stdout)
			writeRecorded(inv.stdout, firstSeq, lastSeq, casefile.ActionEvidenceIngested)
		}
		return err
	})
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
	switch {
	case errors.Is(err, evidence.ErrUnsupported):
		return "Custodia reads raw (dd) images, split raw images (.001, .002, …), block devices and any single file as it is; convert the image to a raw image and ingest that"
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

func (z *timeZoneValue) Set(s string) error {
	switch {
	case s == "":
		*z = ""
		return nil
	case strings.EqualFold(s, "local"):
		// "Local" is whatever this computer is set to, not the source.
		return errors.New(`give the time zone of the source by its IANA name, e.g. Europe/Berlin, not "Local"`)
	}
	if _, err := time.LoadLocation(s); err != nil {
		return fmt.Errorf("unknown time zone %q: use an IANA name such as Europe/Berlin, America/New_York or UTC", s)
	}
	*z = timeZoneValue(s)
	return nil
}

// descriptionValue is the --description flag: free text, which must be
// UTF-8 to be recorded as given.
type descriptionValue string

func (d *descriptionValue) String() string { return string(*d) }

func (d *descriptionValue) Set(s string) error {
	if !utf8.ValidString(s) {
		return errors.New("description is not valid UTF-8 text")
	}
	*d = descriptionValue(s)
	return nil
}
