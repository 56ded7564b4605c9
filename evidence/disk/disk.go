// Package disk opens the volumes and file systems inside a sealed disk
// item, read straight from the case (casefile.EvidenceReader: every chunk
// authenticated as it is read, a small LRU of decrypted chunks, nothing
// written to disk), and does what the CLI's fs commands and the GUI's Files
// area do with them: list, read, export (recorded), add a file as a derived
// item (evidence.IngestDerived), body file and DFXML.
//
// The item's bytes are its media: an E01 or a virtual disk was ingested as
// the disk it holds (evidence/ewf, evidence/vdisk), so the partition table
// and file systems are read from the item as stored.
package disk

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/evidence"
	"github.com/custodia-dfir/custodia/evidence/fs"
	"github.com/custodia-dfir/custodia/evidence/volume"
	"github.com/google/uuid"
)

// Errors a person can act on.
var (
	ErrNoVolume    = casefile.NewKind("disk", "no such volume", "list the volumes with 'custodiactl fs volumes CASE ITEM'")
	ErrChooseVol   = casefile.NewKind("disk", "the image has several volumes with a file system", "name one as ITEM:VOLUME; 'custodiactl fs volumes CASE ITEM' lists them")
	ErrNoFS        = casefile.NewKind("disk", "no file system could be read on the volume", "'custodiactl fs volumes' names what was found; 'custodiactl evidence cat' shows the raw bytes")
	ErrBadFileRef  = casefile.NewKind("disk", "not a file reference", "give a path (/Windows/System32/config/SAM) or inode:N (an inode or MFT entry number from 'fs ls')")
	ErrDestination = casefile.NewKind("disk", "cannot write the export", "choose a path that does not exist yet, in a folder you may write to")
)

// Image is an item opened for reading inside.
type Image struct {
	c     *casefile.Case
	Item  casefile.Evidence
	r     *casefile.EvidenceReader
	Table *volume.Table
}

// Open opens item id and reads its partition table, and names the file
// system on each volume.
func Open(c *casefile.Case, id uuid.UUID) (*Image, error) {
	r, err := c.OpenEvidence(id)
	if err != nil {
		return nil, err
	}
	t, err := volume.Read(r, r.Size())
	if err != nil {
		return nil, err
	}
	im := &Image{c: c, Item: r.Evidence(), r: r, Table: t}
	for i := range t.Volumes {
		v := &t.Volumes[i]
		if v.Container || v.Start >= r.Size() {
			continue
		}
		v.FileSystem = fs.Detect(im.section(*v), min(v.Size, r.Size()-v.Start))
	}
	return im, nil
}

// Reader returns the item's bytes.
func (im *Image) Reader() io.ReaderAt { return im.r }

func (im *Image) section(v volume.Volume) *io.SectionReader {
	return io.NewSectionReader(im.r, v.Start, min(v.Size, im.r.Size()-v.Start))
}

// Volume returns volume index (0: the only volume with a file system).
func (im *Image) Volume(index int) (volume.Volume, error) {
	if index == 0 {
		var with []volume.Volume
		for _, v := range im.Table.Volumes {
			if v.FileSystem != "" {
				with = append(with, v)
			}
		}
		switch len(with) {
		case 1:
			return with[0], nil
		case 0:
			if len(im.Table.Volumes) == 1 {
				return im.Table.Volumes[0], nil
			}
			return volume.Volume{}, fmt.Errorf("%w: none of the %d volumes holds a file system this version reads", ErrNoFS, len(im.Table.Volumes))
		}
		idx := make([]string, len(with))
		for i, v := range with {
			idx[i] = fmt.Sprintf("%d (%s)", v.Index, v.FileSystem)
		}
		return volume.Volume{}, fmt.Errorf("%w: %s", ErrChooseVol, strings.Join(idx, ", "))
	}
	for _, v := range im.Table.Volumes {
		if v.Index == index {
			return v, nil
		}
	}
	return volume.Volume{}, fmt.Errorf("%w: %d (the image has %s)", ErrNoVolume, index, im.indexes())
}

func (im *Image) indexes() string {
	var s []string
	for _, v := range im.Table.Volumes {
		s = append(s, strconv.Itoa(v.Index))
	}
	if len(s) == 0 {
		return "none"
	}
	return "volumes " + strings.Join(s, ", ")
}

// FS opens the file system of volume index (0: the only one).
func (im *Image) FS(index int) (fs.FS, volume.Volume, error) {
	v, err := im.Volume(index)
	if err != nil {
		return nil, v, err
	}
	if v.Container {
		return nil, v, fmt.Errorf("%w: volume %d is an extended partition, which holds the logical ones (5 and up)", ErrNoFS, v.Index)
	}
	if v.Start >= im.r.Size() {
		return nil, v, fmt.Errorf("%w: volume %d %s", ErrNoFS, v.Index, v.Problem)
	}
	sec := im.section(v)
	loc := time.UTC
	if tz := im.Item.Meta.TimeZone; tz != "" {
		if l, err := time.LoadLocation(tz); err == nil {
			loc = l // FAT records local times
		}
	}
	f, err := fs.OpenIn(sec, sec.Size(), loc)
	if err != nil {
		return nil, v, fmt.Errorf("%w: volume %d: %v", ErrNoFS, v.Index, err)
	}
	return f, v, nil
}

// ParseRef splits ITEM[:VOLUME].
func ParseRef(s string) (item string, vol int, err error) {
	item, vs, ok := strings.Cut(s, ":")
	if !ok {
		return item, 0, nil
	}
	n, err := strconv.Atoi(vs)
	if err != nil || n < 1 {
		return "", 0, fmt.Errorf("%w: %q after the item id is not a volume number (1, 2, …)", casefile.ErrInvalid, vs)
	}
	return item, n, nil
}

// Find resolves a path or inode:N.
func Find(f fs.FS, ref string) (*fs.Entry, error) {
	if n, ok := strings.CutPrefix(ref, "inode:"); ok {
		i, err := strconv.ParseUint(n, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%w: %q", ErrBadFileRef, ref)
		}
		return f.Inode(i)
	}
	if !strings.HasPrefix(ref, "/") {
		ref = "/" + ref
	}
	return fs.Lookup(f, ref)
}

// Target names what a custody entry about a file is about.
func (im *Image) details(v volume.Volume, fsType string, e *fs.Entry, stream string) map[string]string {
	d := map[string]string{"volume": strconv.Itoa(v.Index), "volume_start": strconv.FormatInt(v.Start, 10),
		"file_system": fsType, "path": e.Path, "inode": strconv.FormatUint(e.Inode, 10)}
	if stream != "" {
		d["stream"] = stream
	}
	if e.Deleted {
		d["deleted"] = "true"
	}
	return d
}

func (im *Image) target() casefile.Target {
	return casefile.Target{Type: casefile.TargetEvidence, ID: im.Item.ID.String()}
}

// RecordView records that the examiner looked inside the item (a listing,
// volumes, a body file), with what details say.
func (im *Image) RecordView(via, reason string, details map[string]string) error {
	d := map[string]string{"via": via}
	for k, v := range details {
		d[k] = v
	}
	_, err := im.c.Record(casefile.Event{Action: casefile.ActionEvidenceViewed, Target: im.target(), Reason: reason, Details: d})
	return err
}

// OpenFile opens a stream of e for reading ("" its data).
func OpenFile(f fs.FS, e *fs.Entry, stream string) (fs.File, error) {
	if e.Type == fs.TypeDir && stream == "" {
		return nil, fmt.Errorf("%w: %s", fs.ErrIsDir, e.Path)
	}
	return f.Open(e, stream)
}

// Cat writes length bytes (length < 0: to the end) of a file's stream from
// offset to w, after recording the view (evidence.viewed, via fs cat).
func (im *Image) Cat(ctx context.Context, f fs.FS, v volume.Volume, e *fs.Entry, stream string, offset, length int64, w io.Writer, reason string) (int64, error) {
	file, err := OpenFile(f, e, stream)
	if err != nil {
		return 0, err
	}
	size := file.Size()
	if offset < 0 || offset > size || (length >= 0 && offset+length > size) {
		return 0, fmt.Errorf("%w: bytes %d to %d are outside %s (%d bytes)", casefile.ErrInvalid, offset, offset+length, e.Path, size)
	}
	if length < 0 {
		length = size - offset
	}
	d := im.details(v, f.Type(), e, stream)
	d["offset"], d["length"] = strconv.FormatInt(offset, 10), strconv.FormatInt(length, 10)
	if err := im.RecordView("fs cat", reason, d); err != nil {
		return 0, err
	}
	return copyCtx(ctx, w, io.NewSectionReader(file, offset, length))
}

func copyCtx(ctx context.Context, w io.Writer, r io.Reader) (int64, error) {
	buf := make([]byte, 1<<20)
	var n int64
	for {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		k, err := r.Read(buf)
		if k > 0 {
			if _, werr := w.Write(buf[:k]); werr != nil {
				return n, werr
			}
			n += int64(k)
		}
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}

// Provenance describes e (on volume v) as a derived item's origin.
func (im *Image) Provenance(f fs.FS, v volume.Volume, e *fs.Entry, stream string, file fs.File) evidence.Provenance {
	p := evidence.Provenance{Parent: im.Item.ID, ParentSHA256: im.Item.Meta.Hashes.SHA256, Volume: v.Index, VolumeStart: v.Start,
		FileSystem: f.Type(), Path: e.Path, Stream: stream, Inode: e.Inode, Seq: e.Seq, Deleted: e.Deleted, Size: file.Size()}
	for _, r := range fs.Clip(file.Runs(), file.Size()) {
		pr := evidence.ProvenanceRun{Offset: r.Offset, ImageOffset: v.Start + r.Disk, Length: r.Length}
		if r.Sparse {
			pr.ImageOffset = -1
		}
		p.Runs = append(p.Runs, pr)
	}
	p.Times = timesOf(e)
	return p
}

func timesOf(e *fs.Entry) map[string]time.Time {
	out := map[string]time.Time{}
	for name, t := range map[string]*time.Time{"mtime": e.M, "atime": e.A, "ctime": e.C, "crtime": e.B} {
		if t != nil {
			out[name] = *t
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// Add seals a file's stream as a derived item (its own MD5, SHA-1 and
// SHA-256, sealed like any item) with its provenance, in one transaction
// with its custody entry. The parent item is only read.
func (im *Image) Add(ctx context.Context, f fs.FS, v volume.Volume, e *fs.Entry, stream string, opts evidence.Options) (casefile.Evidence, error) {
	file, err := OpenFile(f, e, stream)
	if err != nil {
		return casefile.Evidence{}, err
	}
	name := e.Name
	if stream != "" {
		name += ":" + stream
	}
	if opts.TimeZone == "" {
		opts.TimeZone = im.Item.Meta.TimeZone
	}
	return evidence.IngestDerived(ctx, im.c, name, file, file.Size(), im.Provenance(f, v, e, stream, file), opts)
}

// Export writes a file's stream to dest (which must not exist), hashing
// what it writes, and records the export (evidence.extracted, with the
// three hashes and where the file was in the item). A failed export leaves
// no file.
func (im *Image) Export(ctx context.Context, f fs.FS, v volume.Volume, e *fs.Entry, stream, dest, reason string, p evidence.Progress) (casefile.Hashes, error) {
	file, err := OpenFile(f, e, stream)
	if err != nil {
		return casefile.Hashes{}, err
	}
	out, err := os.OpenFile(dest, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return casefile.Hashes{}, fmt.Errorf("%w: %v", ErrDestination, err)
	}
	ok := false
	defer func() {
		if !ok {
			out.Close()
			os.Remove(dest)
		}
	}()
	h := evidence.NewHasher()
	if _, err := copyCtx(ctx, io.MultiWriter(out, h), io.NewSectionReader(file, 0, file.Size())); err != nil {
		return casefile.Hashes{}, err
	}
	if err := out.Sync(); err != nil {
		return casefile.Hashes{}, fmt.Errorf("%w: %v", ErrDestination, err)
	}
	if err := out.Close(); err != nil {
		return casefile.Hashes{}, fmt.Errorf("%w: %v", ErrDestination, err)
	}
	sum := h.Sum()
	d := im.details(v, f.Type(), e, stream)
	d["destination"], d["size"], d["via"] = dest, strconv.FormatInt(file.Size(), 10), "fs export"
	if _, err := im.c.Record(casefile.Event{Action: casefile.ActionEvidenceExtracted, Target: im.target(), Reason: reason, Details: d,
		Hashes: map[string]string{"md5": sum.MD5, "sha1": sum.SHA1, "sha256": sum.SHA256}}); err != nil {
		return casefile.Hashes{}, err
	}
	ok = true
	return sum, nil
}
