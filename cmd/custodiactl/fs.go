package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/evidence"
	"github.com/custodia-dfir/custodia/evidence/disk"
	efs "github.com/custodia-dfir/custodia/evidence/fs"
	"github.com/custodia-dfir/custodia/evidence/volume"
)

// The fs group: volumes and file systems inside a disk item, read from the
// case (package evidence/disk).

var (
	fsItemParam = param{name: "ITEM[:VOLUME]", why: "missing ITEM: name the disk item (its id from 'evidence list'), with :VOLUME for one of several volumes",
		check: func(_ *call, s string) (string, error) {
			item, _, err := disk.ParseRef(s)
			if err != nil {
				return "", err
			}
			if _, err := parseIDRef("evidence", item); err != nil {
				return "", err
			}
			return s, nil
		}}
	fsFileParam = param{name: "PATH|inode:N", why: "missing PATH: name the file by its path in the volume (/etc/passwd) or as inode:N"}
	fsOutFlag   = flagDef{name: "o", required: true, why: "name the file to write", usage: "write to `FILE` (which must not exist)"}
)

var fsCommand = &command{
	name:    "fs",
	summary: "volumes and file systems inside a disk item: list, read, export, add as evidence",
	about: `Read inside a disk item straight from the case: its partition table (MBR with
extended and logical partitions, GPT, or none) and the file systems on its
volumes (NTFS, FAT12/16/32, ext2/3/4), read-only, every chunk authenticated
as it is read and nothing decrypted written to disk. An item is named ITEM
(its id or a unique prefix) or ITEM:VOLUME (a volume's index from 'fs
volumes') when it has several volumes with a file system. Each command
records in the custody ledger what it looked at or took out.`,
	sub: []*command{
		{
			name:    "volumes",
			summary: "list an item's partitions and the file system on each",
			about: `Open CASE and list the volumes of the disk item ITEM: index, start and size
in bytes, partition type, GPT name and GUID, and the file system found there.
An item without a partition table is one volume (index 1). Problems with the
table (a loop in the extended chain, a bad GPT CRC, an entry past the end of
the image) are listed as warnings. The view is recorded (evidence.viewed).`,
			params: []param{caseParam, fsItemParam},
			flags:  []flagDef{jsonFlag},
			opens:  true, changes: true,
			records: casefile.ActionEvidenceViewed,
			do:      runFSVolumes,
		},
		{
			name:    "ls",
			summary: "list a folder of a volume (recursively with -r), deleted entries with --deleted",
			about: `Open CASE and list the folder PATH (default /) of the file system on
ITEM[:VOLUME]: one line per entry with its type, inode (MFT entry on NTFS),
size, modification time and path; deleted entries are marked with * and
listed only with --deleted. With -r the listing descends into every folder.
With --json, one JSON object per line: path, name, inode, size, type,
deleted, mtime, atime, ctime, crtime (RFC 3339 UTC; absent where the file
system has none), fn_times ($FILE_NAME times on NTFS) and streams (NTFS
data streams). Parts that cannot be read are reported on standard error and
the listing goes on. The view is recorded (evidence.viewed).`,
			params: []param{caseParam, fsItemParam, {name: "PATH", optional: true}},
			flags: []flagDef{
				{name: "r", isBool: true, usage: "list every folder below PATH too"},
				{name: "deleted", isBool: true, usage: "list deleted entries too (marked deleted)"},
				jsonFlag,
			},
			opens: true, changes: true,
			records: casefile.ActionEvidenceViewed,
			do:      runFSLs,
		},
		{
			name:    "cat",
			summary: "write a file's bytes (or an NTFS stream's) to standard output",
			about: `Open CASE and write the bytes of the file PATH (or inode:N) on
ITEM[:VOLUME] to standard output, from --offset for --length bytes (default:
all), or of its NTFS alternate data stream --stream NAME. Nothing else is
written to standard output; it refuses to write to a terminal (pipe into
'xxd | less'). The view is recorded (evidence.viewed, via fs cat) before the
first byte.`,
			params: []param{caseParam, fsItemParam, fsFileParam},
			flags: []flagDef{
				{name: "stream", usage: "read the NTFS data stream `NAME` instead of the file's data", line: true, max: 1024},
				{name: "offset", value: newValue[byteCount](), usage: "start at byte `N` of the file, decimal or hexadecimal with 0x; default 0"},
				{name: "length", value: newValue[byteCount](), usage: "write `N` bytes; default all to the end"},
			},
			opens: true, changes: true,
			check: checkEvidenceCat,
			do:    runFSCat,
		},
		{
			name:    "export",
			summary: "write a file from inside an item to a file outside the case (recorded)",
			about: `Open CASE and write the file PATH (or inode:N; --stream for an NTFS stream)
on ITEM[:VOLUME] to -o FILE, which must not exist. The export is recorded in
the custody ledger (evidence.extracted) with the MD5, SHA-1 and SHA-256 of
the bytes written and where the file was: volume, path, inode. This is a
plaintext copy you asked for; 'fs add' keeps the file sealed in the case
instead.`,
			params: []param{caseParam, fsItemParam, fsFileParam},
			flags: []flagDef{fsOutFlag,
				{name: "stream", usage: "export the NTFS data stream `NAME`", line: true, max: 1024}},
			opens: true, changes: true,
			records: casefile.ActionEvidenceExtracted,
			check:   checkFSOut,
			do:      runFSExport,
		},
		{
			name:    "add",
			summary: "add a file from inside an item as a derived evidence item",
			about: `Open CASE and seal the file PATH (or inode:N; --stream for an NTFS stream)
on ITEM[:VOLUME] as a new evidence item: hashed (MD5, SHA-1, SHA-256) and
sealed like any ingested item, with its provenance — the parent item, volume,
file system, path, inode or MFT entry, times and byte runs — recorded in the
case (evidence_provenance) in the same transaction as the item and its
evidence.ingested custody entry. The parent item is only read. A file whose
content is already in the case is refused unless --allow-duplicate (with
--reason) keeps it.`,
			params: []param{caseParam, fsItemParam, fsFileParam},
			flags: []flagDef{
				{name: "stream", usage: "add the NTFS data stream `NAME`", line: true, max: 1024},
				{name: "kind", value: newValue[kindValue](), usage: "the item's `KIND` (disk, log, memory, other); detected by default"},
				{name: "allow-duplicate", isBool: true, usage: "keep it even if its content is already in the case, with --reason"},
				jsonFlag,
			},
			opens: true, changes: true,
			records: casefile.ActionEvidenceIngested,
			do:      runFSAdd,
		},
		{
			name:    "bodyfile",
			summary: "write a TSK body file (mactime format) of a volume",
			about: `Open CASE and write every entry of the file system on ITEM[:VOLUME],
deleted ones included, to -o FILE as a TSK 3 body file
(MD5|name|inode|mode|UID|GID|size|atime|mtime|ctime|crtime), as 'fls -r -m'
writes it; 'mactime -b FILE' makes a timeline of it. --mount puts a prefix
before each path (default /). Recorded as evidence.extracted with the
SHA-256 of the file written.`,
			params: []param{caseParam, fsItemParam},
			flags: []flagDef{fsOutFlag,
				{name: "mount", usage: "prefix `M` of every path, e.g. C: (default /)", line: true, max: 256}},
			opens: true, changes: true,
			records: casefile.ActionEvidenceExtracted,
			check:   checkFSOut,
			do:      runFSBodyfile,
		},
		{
			name:    "dfxml",
			summary: "write DFXML (a fileobject per file, with byte runs, hashes with --hash)",
			about: `Open CASE and write a DFXML document of the file system on ITEM[:VOLUME] to
-o FILE: one fileobject per entry (deleted ones with alloc 0) with its name,
inode, size, times, byte runs in the image and, with --hash, the MD5, SHA-1
and SHA-256 of its data (which reads every file). Recorded as
evidence.extracted with the SHA-256 of the file written.`,
			params: []param{caseParam, fsItemParam},
			flags:  []flagDef{fsOutFlag, {name: "hash", isBool: true, usage: "hash every file's data (MD5, SHA-1, SHA-256)"}},
			opens:  true, changes: true,
			records: casefile.ActionEvidenceExtracted,
			check:   checkFSOut,
			do:      runFSDFXML,
		},
	},
}

func checkFSOut(in *call) error {
	if out := in.text("o"); fileExists(out) {
		return existingFile("write", out)
	}
	return nil
}

// openImage opens the item of ITEM[:VOLUME] (in.args[1]).
func openImage(in *call, c *casefile.Case) (*disk.Image, int, error) {
	ref, vol, _ := disk.ParseRef(in.args[1])
	ev, err := findEvidence(c, ref)
	if err != nil {
		return nil, 0, err
	}
	im, err := disk.Open(c, ev.ID)
	if err != nil {
		return nil, 0, fsError(err)
	}
	return im, vol, nil
}

// openFS opens the file system of ITEM[:VOLUME].
func openFS(in *call, c *casefile.Case) (*disk.Image, efs.FS, volume.Volume, error) {
	im, vol, err := openImage(in, c)
	if err != nil {
		return nil, nil, volume.Volume{}, err
	}
	f, v, err := im.FS(vol)
	if err != nil {
		return nil, nil, v, fsError(err)
	}
	return im, f, v, nil
}

// fsError adds the hint a person needs to the errors of this group.
func fsError(err error) error {
	switch {
	case errors.Is(err, efs.ErrNotFound):
		return withHint(err, "list the folder with 'custodiactl fs ls CASE ITEM[:VOLUME] FOLDER' (--deleted for deleted entries)")
	case errors.Is(err, efs.ErrNoStream):
		return withHint(err, "'custodiactl fs ls --json' lists each file's streams")
	case errors.Is(err, efs.ErrIsDir):
		return withHint(err, "list it with 'custodiactl fs ls', or name a file in it")
	case errors.Is(err, efs.ErrDamaged):
		return withHint(err, "the file system is damaged here; what could be read is listed, and 'custodiactl evidence cat' shows the raw bytes")
	}
	if h := casefile.Hint(err); h != "" {
		return withHint(err, h)
	}
	return err
}

func problemPrinter(in *call) func(string) {
	return func(p string) { fmt.Fprintf(in.stderr, "warning: %s\n", printable(p, false)) }
}

type volumeJSON struct {
	Scheme   string          `json:"scheme"`
	Volumes  []volume.Volume `json:"volumes"`
	Warnings []string        `json:"warnings,omitempty"`
}

func runFSVolumes(in *call, c *casefile.Case) error {
	im, _, err := openImage(in, c)
	if err != nil {
		return err
	}
	if err := im.RecordView("fs volumes", in.reason, nil); err != nil {
		return err
	}
	t := im.Table
	if in.on("json") {
		vs := t.Volumes
		if vs == nil {
			vs = []volume.Volume{}
		}
		return writeJSON(in.stdout, volumeJSON{Scheme: t.Scheme, Volumes: vs, Warnings: t.Warnings})
	}
	w := in.stdout
	fmt.Fprintf(w, "partition table: %s\n", map[string]string{volume.SchemeNone: "none (one volume)", volume.SchemeMBR: "MBR (DOS)", volume.SchemeGPT: "GPT"}[t.Scheme])
	fmt.Fprintf(w, "%-5s %14s %14s  %-12s %s\n", "index", "start", "size", "file system", "type")
	for _, v := range t.Volumes {
		fsName := v.FileSystem
		if v.Container {
			fsName = "(extended)"
		} else if fsName == "" {
			fsName = "-"
		}
		desc := v.Type
		if v.Name != "" {
			desc += " " + fmt.Sprintf("%q", printable(v.Name, false))
		}
		fmt.Fprintf(w, "%-5d %14d %14d  %-12s %s\n", v.Index, v.Start, v.Size, fsName, printable(desc, false))
		if v.Problem != "" {
			fmt.Fprintf(w, "      problem: %s\n", v.Problem)
		}
	}
	for _, warn := range t.Warnings {
		fmt.Fprintf(in.stderr, "warning: %s\n", warn)
	}
	return nil
}

func runFSLs(in *call, c *casefile.Case) error {
	im, f, v, err := openFS(in, c)
	if err != nil {
		return err
	}
	dirPath := "/"
	if len(in.args) > 2 {
		dirPath = in.args[2]
	}
	dir, err := disk.Find(f, dirPath)
	if err != nil {
		return fsError(err)
	}
	if dir.Type != efs.TypeDir {
		return withHint(fmt.Errorf("%w: %s", efs.ErrNotDir, dir.Path), "'fs cat' reads a file")
	}
	details := map[string]string{"volume": fmt.Sprint(v.Index), "path": dir.Path, "file_system": f.Type()}
	if in.on("r") {
		details["recursive"] = "true"
	}
	if err := im.RecordView("fs ls", in.reason, details); err != nil {
		return err
	}
	asJSON := in.on("json")
	bw := bufio.NewWriter(in.stdout)
	enc := json.NewEncoder(bw) // one object per line
	enc.SetEscapeHTML(false)
	err = efs.Walk(f, dir, in.on("r"), in.on("deleted"), func(e *efs.Entry) error {
		if asJSON {
			return enc.Encode(e)
		}
		mark := " "
		if e.Deleted {
			mark = "*"
		}
		mt := "-"
		if e.M != nil {
			mt = e.M.UTC().Format(time.RFC3339)
		}
		fmt.Fprintf(bw, "%s %-4s %10d %12d  %-20s  %s\n", mark, e.Type, e.Inode, e.Size, mt, printable(e.Path, false))
		for _, s := range e.Streams {
			if s.Name != "" {
				fmt.Fprintf(bw, "  %-4s %10s %12d  %-20s  %s:%s\n", "ads", "", s.Size, "", printable(e.Path, false), printable(s.Name, false))
			}
		}
		return nil
	}, problemPrinter(in))
	if ferr := bw.Flush(); err == nil {
		err = ferr
	}
	return fsError(err)
}

// openEntry opens the file system of ITEM[:VOLUME] and finds the entry
// PATH|inode:N the command names (its third argument).
func openEntry(in *call, c *casefile.Case) (*disk.Image, efs.FS, volume.Volume, *efs.Entry, error) {
	im, f, v, err := openFS(in, c)
	if err != nil {
		return nil, nil, v, nil, err
	}
	e, err := disk.Find(f, in.args[2])
	if err != nil {
		return nil, nil, v, nil, fsError(err)
	}
	return im, f, v, e, nil
}

func runFSCat(in *call, c *casefile.Case) error {
	im, f, v, e, err := openEntry(in, c)
	if err != nil {
		return err
	}
	offset, length := valueOf[byteCount](in, "offset"), valueOf[byteCount](in, "length")
	n := int64(-1)
	if length.set {
		n = length.n
	}
	_, err = im.Cat(context.Background(), f, v, e, in.text("stream"), offset.n, n, in.stdout, in.reason)
	return fsError(err)
}

func runFSExport(in *call, c *casefile.Case) error {
	im, f, v, e, err := openEntry(in, c)
	if err != nil {
		return err
	}
	out := in.text("o")
	prog := in.progress("exporting")
	var sum casefile.Hashes
	err = in.interruptible(func(ctx context.Context) (err error) {
		sum, err = im.Export(ctx, f, v, e, in.text("stream"), out, in.reason, prog.sink())
		return err
	})
	prog.clear()
	switch {
	case errors.Is(err, context.Canceled):
		return withHint(errors.New("export cancelled"), "the partial file was removed; nothing was recorded")
	case errors.Is(err, disk.ErrDestination) && fileExists(out):
		return existingFile("export to", out)
	case err != nil:
		return fsError(err)
	}
	w := in.stdout
	name := e.Path
	if s := in.text("stream"); s != "" {
		name += ":" + s
	}
	fmt.Fprintf(w, "exported: %s (volume %d, inode %d) to %s\n", printable(name, false), v.Index, e.Inode, out)
	writeField(w, 8, "md5", sum.MD5)
	writeField(w, 8, "sha1", sum.SHA1)
	writeField(w, 8, "sha256", sum.SHA256)
	return nil
}

func runFSAdd(in *call, c *casefile.Case) error {
	im, f, v, e, err := openEntry(in, c)
	if err != nil {
		return err
	}
	prog := in.progress("adding")
	opts := evidence.Options{Kind: valueOf[casefile.EvidenceKind](in, "kind"), Reason: in.reason,
		Tool: "custodiactl " + versionString(), Progress: prog.sink()}
	if in.on("allow-duplicate") {
		if strings.TrimSpace(in.reason) == "" {
			return &usageError{msg: "--allow-duplicate needs --reason: it is recorded as why the duplicate is kept"}
		}
		opts.Duplicate = func(context.Context, casefile.EvidenceMeta, []casefile.Evidence) (bool, string) {
			return true, in.reason
		}
	}
	var ev casefile.Evidence
	err = in.interruptible(func(ctx context.Context) (err error) {
		ev, err = im.Add(ctx, f, v, e, in.text("stream"), opts)
		return err
	})
	prog.clear()
	if err != nil {
		return ingestError(err, e.Path, 0)
	}
	if in.on("json") {
		return writeJSON(in.stdout, evidenceToJSON(ev))
	}
	writeIngestedText(in.stdout, ev)
	writeField(in.stdout, 8, "from", fmt.Sprintf("%s volume %d %s inode %d", shortID(im.Item), v.Index, printable(e.Path, false), e.Inode))
	return nil
}

// writeOut creates -o FILE (it must not exist), runs fn on it, and records
// the file written with its SHA-256; a failure removes the file.
func writeOut(in *call, c *casefile.Case, im *disk.Image, via string, details map[string]string, fn func(w io.Writer) (int, error)) error {
	out := in.text("o")
	fh, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if fileExists(out) {
			return existingFile("write", out)
		}
		return withHint(err, "check that the folder exists and that you may write to it")
	}
	h := evidence.NewHasher()
	n, err := fn(io.MultiWriter(fh, h))
	if err == nil {
		err = fh.Sync()
	}
	if cerr := fh.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(out)
		return fsError(err)
	}
	sum := h.Sum()
	d := map[string]string{"via": via, "destination": out, "entries": fmt.Sprint(n)}
	for k, v := range details {
		d[k] = v
	}
	if _, err := c.Record(casefile.Event{Action: casefile.ActionEvidenceExtracted,
		Target: casefile.Target{Type: casefile.TargetEvidence, ID: im.Item.ID.String()}, Reason: in.reason, Details: d,
		Hashes: map[string]string{"sha256": sum.SHA256}}); err != nil {
		os.Remove(out)
		return err
	}
	fmt.Fprintf(in.stdout, "wrote %s: %d entries, sha256 %s\n", out, n, sum.SHA256)
	return nil
}

func runFSBodyfile(in *call, cs *casefile.Case) error {
	im, f, v, err := openFS(in, cs)
	if err != nil {
		return err
	}
	mount := "/"
	if in.given("mount") {
		mount = in.text("mount")
	}
	return writeOut(in, cs, im, "fs bodyfile", map[string]string{"volume": fmt.Sprint(v.Index), "file_system": f.Type()}, func(w io.Writer) (int, error) {
		return efs.WriteBody(w, f, mount, problemPrinter(in))
	})
}

func runFSDFXML(in *call, cs *casefile.Case) error {
	im, f, v, err := openFS(in, cs)
	if err != nil {
		return err
	}
	var n int
	err = in.interruptible(func(ctx context.Context) error {
		return writeOut(in, cs, im, "fs dfxml", map[string]string{"volume": fmt.Sprint(v.Index), "file_system": f.Type(), "hashes": fmt.Sprint(in.on("hash"))}, func(w io.Writer) (int, error) {
			var err error
			n, err = im.WriteDFXML(ctx, w, f, v, disk.DFXMLOptions{Hash: in.on("hash"), Version: versionString()}, problemPrinter(in))
			return n, err
		})
	})
	return err
}
