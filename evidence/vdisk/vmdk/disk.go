package vmdk

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/custodia-dfir/custodia/evidence/vdisk/internal/container"
)

// Disk is an opened VMDK: its descriptor and extents. It is safe for
// concurrent use.
type Disk struct {
	desc     *Descriptor
	files    []*container.File
	extents  []ExtentLine
	headers  []SparseHeader // of the sparse extents, in order
	embedded SparseHeader   // of a monolithic file
	blocks   []*container.Blocks
	disk     *container.Concat
	warnings []string
}

// Open opens the VMDK whose descriptor is path — a descriptor file, or a
// monolithic sparse or streamOptimized file that embeds one — and every
// extent it lists, read-only, resolving extent names in the descriptor's
// folder. It checks the descriptor, the sparse headers and the bounds of
// grain directories and flat extents; grain tables and grains are checked
// when read.
func Open(path string) (*Disk, error) {
	d := &Disk{}
	if err := d.open(path); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

func (d *Disk) warn(format string, args ...any) {
	d.warnings = append(d.warnings, fmt.Sprintf(format, args...))
}

func (d *Disk) addFile(f *container.File) *container.File {
	d.files = append(d.files, f)
	return f
}

func (d *Disk) open(path string) error {
	f, err := container.Open(path, format)
	if err != nil {
		return err
	}
	d.addFile(f)
	desc, isEmbedded, err := d.readDescriptor(f)
	if err != nil {
		return err
	}
	var embedded *SparseHeader
	if isEmbedded {
		embedded = &d.embedded
	}
	d.desc = desc
	if p := desc.ParentCID; p != "" && !strings.EqualFold(p, "ffffffff") {
		parent := desc.Fields["parentFileNameHint"]
		e := f.Fail(container.ErrNeedsParent, -1, "this is a child disk (a snapshot delta, parentCID %s): it holds only the grains written since its parent %q and cannot be read without it", p, parent)
		e.Parent = parent
		e.Hint = "consolidate the snapshot chain (VMware's Delete All Snapshots on a copy, or qemu-img convert -O vmdk child.vmdk merged.vmdk with the parent beside it), then ingest the merged disk; ingest the parent too"
		return e
	}
	for k := range desc.Fields {
		if strings.HasPrefix(k, "encryption.") {
			return f.Fail(container.ErrEncrypted, -1, "the descriptor holds %s: the disk is encrypted by vSphere or Workstation", k).
				WithHint("decrypt the virtual machine in VMware (or export it unencrypted), then ingest the decrypted disk")
		}
	}
	var parts []container.Part
	var start int64
	for i, e := range desc.Extents {
		size := e.Sectors * sector
		if start+size > maxSize {
			return f.Corrupt(-1, "the extents add up to more than %d bytes (64 PiB)", int64(maxSize))
		}
		r, err := d.openExtent(f, embedded, i, e, size)
		if err != nil {
			return err
		}
		parts = append(parts, container.Part{Start: start, Size: size, R: r})
		start += size
	}
	d.extents = desc.Extents
	d.disk = container.NewConcat(format, parts)
	return nil
}

// readDescriptor reads the descriptor of f: its text, or the one a
// monolithic sparse file embeds (then embedded is true and d.embedded is
// its header).
func (d *Disk) readDescriptor(f *container.File) (desc *Descriptor, embedded bool, err error) {
	head := make([]byte, min(f.Size(), headerSize))
	if err := f.ReadFull(head, 0, "the first sector"); err != nil {
		return nil, false, err
	}
	var text string
	switch {
	case len(head) >= 4 && (string(head[:4]) == magicKDMV || string(head[:4]) == magicCOWD):
		h, err := readSparseHeader(f)
		if err != nil {
			return nil, false, err
		}
		if h.DescriptorOffset == 0 || h.DescriptorSize == 0 {
			return nil, false, d.extentOnly(f)
		}
		if h.DescriptorSize > maxDescriptor/sector || h.DescriptorOffset > uint64(f.Size())/sector || !f.Contains(int64(h.DescriptorOffset)*sector, int64(h.DescriptorSize)*sector) {
			return nil, false, f.Corrupt(28, "the embedded descriptor (%d sectors at sector %d) is larger than 1 MiB or does not lie inside the file", h.DescriptorSize, h.DescriptorOffset)
		}
		b := make([]byte, h.DescriptorSize*sector)
		if err := f.ReadFull(b, int64(h.DescriptorOffset)*sector, "the embedded descriptor"); err != nil {
			return nil, false, err
		}
		// qemu reserves room for a descriptor in the extents of split sets too.
		if len(strings.Trim(string(b), "\x00 \t\r\n")) == 0 {
			return nil, false, d.extentOnly(f)
		}
		text, embedded, d.embedded = string(b), true, h
	case IsDescriptor(head):
		if f.Size() > maxDescriptor {
			return nil, false, f.Fail(container.ErrNotDisk, -1, "the file starts like a VMDK descriptor but is %d bytes, more than a descriptor's 1 MiB", f.Size())
		}
		b := make([]byte, f.Size())
		if err := f.ReadFull(b, 0, "the descriptor"); err != nil {
			return nil, false, err
		}
		text = string(b)
	default:
		return nil, false, f.Fail(container.ErrNotDisk, 0, `neither a VMDK descriptor ("# Disk DescriptorFile") nor a sparse extent ("KDMV")`)
	}
	desc, err = parseDescriptor(text)
	if err != nil {
		return nil, false, f.Corrupt(-1, "%v", err)
	}
	return desc, embedded, nil
}

// extentOnly refuses a sparse extent of a split set opened on its own.
func (d *Disk) extentOnly(f *container.File) error {
	base := filepath.Base(f.Path)
	guess := base
	for _, suf := range []string{"-s001.vmdk", "-s002.vmdk"} {
		if strings.HasSuffix(strings.ToLower(base), suf) {
			guess = base[:len(base)-len(suf)] + ".vmdk"
		}
	}
	if i := strings.LastIndex(strings.ToLower(base), "-s"); guess == base && i > 0 {
		guess = base[:i] + ".vmdk"
	}
	return f.Fail(container.ErrUnsupported, -1, "this is one sparse extent of a split VMDK (it embeds no descriptor); the disk is described by a small text descriptor beside it, probably %q", guess).
		WithHint("ingest the descriptor .vmdk file (it names every extent), with all the extent files in its folder")
}

// openExtent opens extent i of the descriptor.
func (d *Disk) openExtent(self *container.File, embedded *SparseHeader, i int, e ExtentLine, size int64) (r interface {
	ReadAt([]byte, int64) (int, error)
}, err error) {
	desc := self
	switch e.Type {
	case "ZERO":
		return zeros{}, nil
	case "FLAT", "VMFS", "SPARSE":
	case "VMFSSPARSE", "SESPARSE", "VMFSRDM", "VMFSRAW":
		return nil, desc.Fail(container.ErrUnsupported, -1, "extent %d (%s) is a %s extent, which is not read", i+1, e, e.Type).
			WithHint("convert the disk with vmkfstools -i or qemu-img convert -O raw, then ingest that")
	default:
		return nil, desc.Corrupt(-1, "extent %d (%s) has the unknown type %s", i+1, e, e.Type)
	}
	if e.Access == "NOACCESS" {
		return nil, desc.Fail(container.ErrUnsupported, -1, "extent %d (%s) is marked NOACCESS", i+1, e)
	}
	var f *container.File
	if embedded != nil {
		// A monolithic file is its own extent, whatever its name now.
		if len(d.desc.Extents) != 1 || e.Type != "SPARSE" {
			return nil, desc.Fail(container.ErrUnsupported, -1, "the embedded descriptor lists %d extents (the first %s); a monolithic sparse file has one sparse extent", len(d.desc.Extents), e)
		}
		f = self
	} else {
		if e.File == "" || !filepath.IsLocal(filepath.FromSlash(strings.ReplaceAll(e.File, `\`, "/"))) {
			return nil, desc.Fail(container.ErrUnsupported, -1, "extent %d names the file %q, which is not in the descriptor's folder", i+1, e.File).
				WithHint("copy the extent files into the descriptor's folder under the names the descriptor gives, then ingest the descriptor")
		}
		p := filepath.Join(filepath.Dir(desc.Path), filepath.FromSlash(strings.ReplaceAll(e.File, `\`, "/")))
		f, err = container.Open(p, format)
		if errors.Is(err, fs.ErrNotExist) {
			e := desc.Fail(container.ErrMissingFile, -1, "extent %d of the descriptor is the file %q, which is not in %s", i+1, e.File, filepath.Dir(p))
			e.Hint = "put every extent file of the disk in the descriptor's folder, under the names the descriptor gives, then ingest the descriptor again"
			return nil, e
		}
		if err != nil {
			return nil, err
		}
		d.addFile(f)
	}
	if e.Type != "SPARSE" {
		off := e.Offset * sector
		if !f.Contains(off, size) {
			return nil, f.Corrupt(-1, "the flat extent file is %d bytes, but the descriptor places %d sectors at sector %d in it: it is truncated", f.Size(), e.Sectors, e.Offset)
		}
		const bs = 1 << 20
		b := container.NewBlocks(format, size, bs, &flat{f: f, base: off})
		d.blocks = append(d.blocks, b)
		return b, nil
	}
	h := embedded
	if h == nil {
		hh, err := readSparseHeader(f)
		if err != nil {
			return nil, err
		}
		h = &hh
	}
	if h.Capacity != uint64(size)/sector {
		d.warn("extent %d (%s): its sparse header gives a capacity of %d sectors, the descriptor %d; the descriptor's size was used", i+1, e, h.Capacity, e.Sectors)
	}
	if h.UncleanShutdown {
		d.warn("extent %d (%s): the unclean-shutdown flag is set: the disk was not closed cleanly, and writes may be missing", i+1, e)
	}
	s, err := newSparse(f, *h, size)
	if err != nil {
		return nil, err
	}
	d.headers = append(d.headers, *h)
	b := container.NewBlocks(format, size, s.grain, s)
	d.blocks = append(d.blocks, b)
	return b, nil
}

// flat maps a flat extent: block i at base + i × 1 MiB.
type flat struct {
	f    *container.File
	base int64
}

func (m *flat) Entry(i int64) string { return fmt.Sprintf("flat extent block %d", i) }

func (m *flat) Locate(i int64) (container.Loc, error) {
	return container.Loc{Kind: container.Raw, File: m.f, Off: m.base + i<<20}, nil
}

// zeros reads a ZERO extent.
type zeros struct{}

func (zeros) ReadAt(p []byte, off int64) (int, error) {
	clear(p)
	return len(p), nil
}

// ReadAt reads the virtual disk's bytes at off, implementing io.ReaderAt.
// It is safe for concurrent use.
func (d *Disk) ReadAt(p []byte, off int64) (int, error) { return d.disk.ReadAt(p, off) }

// Size returns the virtual disk's size in bytes: the sum of its extents.
func (d *Disk) Size() int64 { return d.disk.Size() }

// Format returns "VMDK".
func (d *Disk) Format() string { return format }

// SubFormat returns the descriptor's createType ("monolithicSparse",
// "streamOptimized", "twoGbMaxExtentSparse", …).
func (d *Disk) SubFormat() string { return d.desc.CreateType }

// Descriptor returns the parsed descriptor.
func (d *Disk) Descriptor() *Descriptor { return d.desc }

// Files returns the files the disk was read from: the descriptor's file
// first, then each extent file once, in the descriptor's order.
func (d *Disk) Files() []string {
	var out []string
	for _, f := range d.files {
		out = append(out, f.Path)
	}
	return out
}

// Warnings returns what Open found unusual without refusing the disk.
func (d *Disk) Warnings() []string { return d.warnings }

// Metadata returns what the descriptor and the sparse headers record, for
// the acquisition record: keys "vmdk_create_type", "vmdk_cid",
// "vmdk_parent_cid", "vmdk_extents" (one line each), "vmdk_descriptor"
// (the text), and where present "vmdk_adapter_type", "vmdk_geometry",
// "vmdk_uuid", "vmdk_hw_version", "vmdk_sparse_version",
// "vmdk_grain_size", "vmdk_compression" and "vmdk_unclean_shutdown".
func (d *Disk) Metadata() map[string]string {
	ds := d.desc
	var ext []string
	for _, e := range d.extents {
		ext = append(ext, e.String())
	}
	m := map[string]string{
		"vmdk_create_type": ds.CreateType,
		"vmdk_cid":         ds.CID,
		"vmdk_parent_cid":  ds.ParentCID,
		"vmdk_extents":     strings.Join(ext, "\n"),
		"vmdk_descriptor":  strings.TrimRight(ds.Text, " \t\r\n"),
	}
	set := func(k, v string) {
		if v != "" {
			m[k] = v
		}
	}
	set("vmdk_adapter_type", ds.Fields["ddb.adapterType"])
	if c := ds.Fields["ddb.geometry.cylinders"]; c != "" {
		m["vmdk_geometry"] = c + "/" + ds.Fields["ddb.geometry.heads"] + "/" + ds.Fields["ddb.geometry.sectors"]
	}
	set("vmdk_uuid", ds.Fields["ddb.uuid"])
	set("vmdk_hw_version", ds.Fields["ddb.virtualHWVersion"])
	if len(d.headers) > 0 {
		h := d.headers[0]
		m["vmdk_sparse_version"] = fmt.Sprint(h.Version)
		m["vmdk_grain_size"] = fmt.Sprint(h.GrainSize * sector)
		m["vmdk_compression"] = "none"
		if h.Flags&flagCompressed != 0 {
			m["vmdk_compression"] = "deflate"
		}
		unclean := false
		for _, h := range d.headers {
			unclean = unclean || h.UncleanShutdown
		}
		m["vmdk_unclean_shutdown"] = fmt.Sprint(unclean)
	}
	return m
}

// Close closes every file of the disk.
func (d *Disk) Close() error {
	for _, b := range d.blocks {
		b.Close()
	}
	var first error
	for _, f := range d.files {
		if err := f.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// Files returns the files of the VMDK whose descriptor is path, by name
// alone: path, then each extent file its descriptor names (in the
// descriptor's folder), whether or not they exist. It opens no extent. A
// folder walk uses it to keep the extents of a disk from being taken for
// items of their own.
func Files(path string) ([]string, error) {
	f, err := container.Open(path, format)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	d := &Disk{}
	desc, embedded, err := d.readDescriptor(f)
	if err != nil {
		return nil, err
	}
	out := []string{path}
	if embedded {
		return out, nil
	}
	seen := map[string]bool{path: true}
	for _, e := range desc.Extents {
		if e.File == "" {
			continue
		}
		name := filepath.FromSlash(strings.ReplaceAll(e.File, `\`, "/"))
		if !filepath.IsLocal(name) {
			continue
		}
		p := filepath.Join(filepath.Dir(path), name)
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out, nil
}
