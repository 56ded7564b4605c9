package vhd

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/custodia-dfir/custodia/evidence/vdisk/internal/container"
)

// Disk is an opened VHD image. It is safe for concurrent use.
type Disk struct {
	f        *container.File
	footer   Footer
	dynamic  *DynamicHeader // nil for a fixed disk
	size     int64
	blocks   *container.Blocks // nil for a fixed disk
	warnings []string
}

// Open opens the VHD image at path read-only and checks its footer (and,
// for a dynamic disk, its dynamic disk header and the bounds of its block
// allocation table). A differencing disk is refused with an *Error
// wrapping ErrNeedsParent that names its parent.
func Open(path string, opts Options) (*Disk, error) {
	f, err := container.Open(path, format)
	if err != nil {
		return nil, err
	}
	d := &Disk{f: f}
	if err := d.open(opts); err != nil {
		f.Close()
		return nil, err
	}
	return d, nil
}

func (d *Disk) warn(format string, args ...any) {
	d.warnings = append(d.warnings, fmt.Sprintf(format, args...))
}

func (d *Disk) open(opts Options) error {
	f := d.f
	if f.Size() < footerSize-1 {
		return f.Fail(container.ErrNotDisk, -1, "the file is %d bytes, shorter than a VHD footer (512 bytes)", f.Size())
	}
	// The footer is the file's last 512 bytes (511 for old Virtual PC);
	// a dynamic disk also has a copy at offset 0.
	tailAt := f.Size() - footerSize
	tail := make([]byte, footerSize)
	if tailAt < 0 {
		tailAt = 0
		tail = tail[:f.Size()]
	}
	if err := f.ReadFull(tail, tailAt, "the footer"); err != nil {
		return err
	}
	foot, ok := parseFooter(tail)
	if !ok && len(tail) == footerSize {
		if foot, ok = parseFooter(tail[1:]); ok {
			tailAt++
		}
	}
	head := make([]byte, footerSize)
	headOK := false
	var headFoot Footer
	if f.Size() >= 2*footerSize {
		if err := f.ReadFull(head, 0, "the footer copy"); err != nil {
			return err
		}
		headFoot, headOK = parseFooter(head)
	}
	switch {
	case !ok && !headOK:
		return f.Fail(container.ErrNotDisk, tailAt, `no VHD footer (cookie "conectix") at the end of the file`)
	case !ok:
		// A dynamic disk whose end was cut off: the copy says what it
		// was; the table's entries past the end are reported when read.
		d.warn("the VHD footer at the end of the file is missing (the file was cut short?); the copy at offset 0 was used")
		foot, tailAt = headFoot, f.Size()
	case !foot.ChecksumOK && headOK && headFoot.ChecksumOK && headFoot.DiskType != typeFixed:
		d.warn("the VHD footer at the end of the file fails its checksum (stored 0x%08x, computed 0x%08x); its intact copy at offset 0 was used", foot.Checksum, checksum(tail, 64))
		foot = headFoot
	case !foot.ChecksumOK:
		e := f.Fail(container.ErrChecksum, tailAt, "the VHD footer's checksum is 0x%08x, but its bytes give 0x%08x: the footer was changed or damaged after it was written", foot.Checksum, checksum(tail, 64))
		if !opts.AcceptBadChecksums {
			return e
		}
		d.warn("%s; its fields were used as they are", e.What)
	case headOK && headFoot.ChecksumOK && !bytes.Equal(head, tail) && foot.DiskType != typeFixed:
		d.warn("the footer copy at offset 0 differs from the footer at the end of the file; the footer at the end was used")
	}
	d.footer = foot
	if foot.CurrentSize > maxSize {
		return f.Corrupt(tailAt, "the footer gives a disk size of %d bytes, more than the 64 TiB a VHD can hold", foot.CurrentSize)
	}
	d.size = int64(foot.CurrentSize)
	if chs := foot.CHSSize(); chs != d.size && (foot.CreatorApp == "vpc " || foot.CreatorApp == "qemu") && !(foot.Cylinders == 65535 && foot.Heads == 16 && foot.SectorsPerCyl == 255) {
		d.warn("the disk is %d bytes by the footer's current size, which was read, but %d bytes by its CHS geometry %d/%d/%d, which Virtual PC and qemu-img present for images by %q", d.size, chs, foot.Cylinders, foot.Heads, foot.SectorsPerCyl, strings.TrimSpace(foot.CreatorApp))
	}
	if foot.SavedState {
		d.warn("the VHD's saved-state flag is set: the virtual machine was suspended, and writes it had not flushed may be missing from the disk")
	}
	switch foot.DiskType {
	case typeFixed:
		if d.size > tailAt {
			return f.Corrupt(tailAt, "the footer gives a disk size of %d bytes, but only %d bytes precede the footer: the file is truncated", d.size, tailAt)
		}
		if extra := tailAt - d.size; extra > 0 {
			d.warn("%d bytes between the end of the disk (byte %d) and the footer are not part of the disk", extra, d.size)
		}
		return nil
	case typeDynamic, typeDifferencing:
		return d.openDynamic(opts)
	}
	return f.Fail(container.ErrUnsupported, tailAt, "the footer gives disk type %d; only fixed (2), dynamic (3) and differencing (4) disks exist", foot.DiskType)
}

func (d *Disk) openDynamic(opts Options) error {
	f := d.f
	off := d.footer.DataOffset
	if off > uint64(f.Size()) {
		return f.Corrupt(-1, "the footer places the dynamic disk header at offset %d, past the end of the file (%d bytes)", off, f.Size())
	}
	b := make([]byte, headerSize)
	if err := f.ReadFull(b, int64(off), "the dynamic disk header"); err != nil {
		return err
	}
	h, ok := parseDynamic(b)
	if !ok {
		return f.Corrupt(int64(off), `no dynamic disk header (cookie "cxsparse") where the footer places it`)
	}
	if !h.ChecksumOK {
		e := f.Fail(container.ErrChecksum, int64(off), "the dynamic disk header's checksum is 0x%08x, but its bytes give 0x%08x: the header was changed or damaged after it was written", h.Checksum, checksum(b, 36))
		if !opts.AcceptBadChecksums {
			return e
		}
		d.warn("%s; its fields were used as they are", e.What)
	}
	d.dynamic = &h
	if d.footer.DiskType == typeDifferencing {
		return d.needsParent(int64(off))
	}
	bs := int64(h.BlockSize)
	if bs < sector || bs > maxBlockSize || bs%sector != 0 {
		return f.Corrupt(int64(off)+32, "the dynamic disk header gives a block size of %d bytes; it must be a multiple of 512 bytes up to 256 MiB", bs)
	}
	blocks := (d.size + bs - 1) / bs
	if int64(h.MaxTableEntries) < blocks {
		return f.Corrupt(int64(off)+28, "the block allocation table has %d entries, but a disk of %d bytes in blocks of %d bytes needs %d", h.MaxTableEntries, d.size, bs, blocks)
	}
	if h.TableOffset%sector != 0 || !f.Contains(int64(h.TableOffset), 4*blocks) {
		return f.Corrupt(int64(off)+16, "the block allocation table (%d entries at offset %d) does not lie inside the file (%d bytes): the file is truncated or the header is damaged", blocks, h.TableOffset, f.Size())
	}
	// The sector bitmap before each block's data: one bit a sector,
	// padded to whole sectors.
	bitmap := (bs/sector + 8*sector - 1) / (8 * sector) * sector
	d.blocks = container.NewBlocks(format, d.size, bs, &batMapper{f: f, pages: container.NewPages(), table: int64(h.TableOffset), bitmap: bitmap})
	return nil
}

// needsParent refuses a differencing disk, naming its parent.
func (d *Disk) needsParent(off int64) error {
	h := d.dynamic
	var where []string
	for i := range h.ParentLocators {
		l := &h.ParentLocators[i]
		readLocator(d.f, l)
		if l.Path != "" {
			kind := map[string]string{"W2ru": "relative path", "W2ku": "absolute path", "MacX": "file URL"}[l.Platform]
			where = append(where, fmt.Sprintf("%s %q", kind, l.Path))
		}
	}
	parent := h.ParentName
	if parent == "" && len(h.ParentLocators) > 0 {
		parent = h.ParentLocators[0].Path
	}
	what := fmt.Sprintf("this is a differencing VHD: it holds only the sectors written since its parent %q (unique id %s, modified %s) and cannot be read without it", parent, h.ParentID, h.ParentTime.Format(time.RFC3339))
	if len(where) > 0 {
		what += "; the parent locators give " + strings.Join(where, ", ")
	}
	e := d.f.Fail(container.ErrNeedsParent, off, "%s", what)
	e.Parent = parent
	e.Hint = "merge the chain into one disk with the parent beside it (qemu-img convert -O vpc child.vhd merged.vhd, or Hyper-V's Merge-VHD on a copy), then ingest the merged disk; ingest the parent too"
	return e
}

// batMapper maps blocks through the block allocation table.
type batMapper struct {
	f      *container.File
	pages  *container.Pages
	table  int64
	bitmap int64
}

func (m *batMapper) Entry(i int64) string { return fmt.Sprintf("BAT entry %d", i) }

func (m *batMapper) Locate(i int64) (container.Loc, error) {
	e, err := m.pages.Uint32(m.f, m.table+4*i, binary.BigEndian, m.Entry(i))
	if err != nil {
		return container.Loc{}, err
	}
	if e == unusedBlock {
		return container.Loc{Kind: container.Zero}, nil
	}
	return container.Loc{Kind: container.Raw, File: m.f, Off: int64(e)*sector + m.bitmap}, nil
}

// ReadAt reads the virtual disk's bytes at off, implementing io.ReaderAt.
// It is safe for concurrent use.
func (d *Disk) ReadAt(p []byte, off int64) (int, error) {
	if d.blocks != nil {
		return d.blocks.ReadAt(p, off)
	}
	if off < 0 {
		return 0, fmt.Errorf("vhd: negative offset %d", off)
	}
	if off >= d.size {
		return 0, io.EOF
	}
	want := min(int64(len(p)), d.size-off)
	if err := d.f.ReadFull(p[:want], off, "disk data"); err != nil {
		return 0, err
	}
	if want < int64(len(p)) {
		return int(want), io.EOF
	}
	return int(want), nil
}

// Size returns the virtual disk's size in bytes.
func (d *Disk) Size() int64 { return d.size }

// Format returns "VHD".
func (d *Disk) Format() string { return format }

// SubFormat returns "fixed" or "dynamic".
func (d *Disk) SubFormat() string { return d.footer.TypeName() }

// Files returns the container file.
func (d *Disk) Files() []string { return []string{d.f.Path} }

// Footer returns the footer that was used.
func (d *Disk) Footer() Footer { return d.footer }

// DynamicHeader returns the dynamic disk header, or nil for a fixed disk.
func (d *Disk) DynamicHeader() *DynamicHeader { return d.dynamic }

// Warnings returns what Open found wrong or unusual without refusing the
// image, one sentence each.
func (d *Disk) Warnings() []string { return d.warnings }

// Metadata returns what the container records, for the acquisition
// record: keys "vhd_type", "vhd_size", "vhd_original_size",
// "vhd_geometry", "vhd_creator", "vhd_created", "vhd_uuid",
// "vhd_footer_checksum", "vhd_saved_state" and, for a dynamic disk,
// "vhd_block_size" and "vhd_header_checksum".
func (d *Disk) Metadata() map[string]string {
	ft := d.footer
	m := map[string]string{
		"vhd_type":            ft.TypeName(),
		"vhd_size":            fmt.Sprint(ft.CurrentSize),
		"vhd_original_size":   fmt.Sprint(ft.OriginalSize),
		"vhd_geometry":        fmt.Sprintf("%d/%d/%d", ft.Cylinders, ft.Heads, ft.SectorsPerCyl),
		"vhd_creator":         ft.Creator(),
		"vhd_created":         ft.Created.Format(time.RFC3339),
		"vhd_uuid":            ft.UniqueID.String(),
		"vhd_footer_checksum": checksumText(ft.Checksum, ft.ChecksumOK),
		"vhd_saved_state":     fmt.Sprint(ft.SavedState),
	}
	if h := d.dynamic; h != nil {
		m["vhd_block_size"] = fmt.Sprint(h.BlockSize)
		m["vhd_header_checksum"] = checksumText(h.Checksum, h.ChecksumOK)
	}
	return m
}

func checksumText(sum uint32, ok bool) string {
	if ok {
		return fmt.Sprintf("0x%08x (valid)", sum)
	}
	return fmt.Sprintf("0x%08x (MISMATCH)", sum)
}

// Close closes the container file.
func (d *Disk) Close() error {
	if d.blocks != nil {
		d.blocks.Close()
	}
	return d.f.Close()
}
