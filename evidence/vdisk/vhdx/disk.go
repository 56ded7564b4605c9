package vhdx

import (
	"encoding/binary"
	"fmt"
	"sort"
	"strings"

	"github.com/custodia-dfir/custodia/evidence/vdisk/internal/container"
)

// Options changes how Open treats a damaged image.
type Options struct {
	// AcceptBadChecksums opens an image whose headers or region tables
	// both fail their CRC-32C, using the first one whose fields pass every
	// other check and recording a warning, instead of refusing it with
	// ErrChecksum.
	AcceptBadChecksums bool
}

// Disk is an opened VHDX image. It is safe for concurrent use.
type Disk struct {
	f        *container.File
	creator  string
	headers  [2]Header
	current  int // index of the current header
	regions  [2]regionTable
	params   FileParameters
	size     int64
	diskID   GUID
	logical  uint32
	physical uint32
	log      string
	blocks   *container.Blocks
	warnings []string
}

// FileParameters is the file parameters metadata item.
type FileParameters struct {
	BlockSize           uint32
	LeaveBlockAllocated bool // a fixed disk
	HasParent           bool // a differencing disk
}

// Open opens the VHDX image at path read-only: it checks the headers,
// replays a dirty log in memory, checks the region tables and the
// metadata, and the bounds of the BAT. BAT entries are checked when read.
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
	if f.Size() < 1*mib {
		return f.Fail(container.ErrNotDisk, -1, "the file is %d bytes, shorter than the 1 MiB header section of a VHDX", f.Size())
	}
	id := make([]byte, 520)
	if err := f.ReadFull(id, 0, "the file type identifier"); err != nil {
		return err
	}
	if string(id[:8]) != "vhdxfile" {
		return f.Fail(container.ErrNotDisk, 0, `no VHDX file type identifier ("vhdxfile") at the start of the file`)
	}
	d.creator = utf16le(id[8:])

	// Headers: the valid one with the higher sequence number.
	for i, at := range []int64{header1At, header2At} {
		b := make([]byte, headerSize)
		if err := f.ReadFull(b, at, "a header"); err != nil {
			return err
		}
		d.headers[i] = parseHeader(b)
	}
	h1, h2 := d.headers[0], d.headers[1]
	switch {
	case h1.Valid && h2.Valid:
		if h2.Sequence > h1.Sequence {
			d.current = 1
		}
	case h1.Valid || h2.Valid:
		if h2.Valid {
			d.current = 1
		}
		bad := 2 - d.current
		// The header not current may be an older one being rewritten; a
		// damaged one is worth saying only when it does not say "head".
		d.warn("VHDX header %d (at %d KiB) is not valid (signature or CRC-32C); header %d was used", bad, []int{64, 128}[bad-1], d.current+1)
	default:
		e := f.Fail(container.ErrChecksum, header1At, "neither VHDX header (at 64 and 128 KiB) has a valid signature and CRC-32C: both were damaged or changed")
		if !opts.AcceptBadChecksums || !d.headers[0].signed {
			return e
		}
		d.warn("%s; header 1 was used as it is", e.What)
	}
	h := d.headers[d.current]
	if h.Version != 1 {
		return f.Fail(container.ErrUnsupported, header1At, "VHDX header version %d; version 1 is read", h.Version)
	}
	if !h.LogGUID.IsZero() {
		if h.LogVersion != 0 {
			return f.Fail(container.ErrUnsupported, header1At, "the log must be replayed, but its version is %d; version 0 is read", h.LogVersion)
		}
		writes, size, info, err := replayLog(f, h)
		if err != nil {
			return err
		}
		d.log = info
		if writes != nil {
			f.SetOverlay(writes, size)
			d.warn("the VHDX log was dirty (the disk was not closed cleanly): it was %s, without writing to the file", info)
		} else {
			d.warn("%s", info)
		}
	} else {
		d.log = "clean"
	}

	// Region tables: the first valid copy.
	for i, at := range []int64{region1At, region2At} {
		b := make([]byte, regionSize)
		if err := f.ReadFull(b, at, "a region table"); err != nil {
			return err
		}
		d.regions[i] = parseRegions(b)
	}
	rt := d.regions[0]
	switch {
	case rt.valid && !d.regions[1].valid:
		d.warn("VHDX region table 2 (at 256 KiB) fails its signature or CRC-32C; region table 1 was used")
	case !rt.valid && d.regions[1].valid:
		d.warn("VHDX region table 1 (at 192 KiB) fails its signature or CRC-32C; region table 2 was used")
		rt = d.regions[1]
	case !rt.valid:
		e := f.Fail(container.ErrChecksum, region1At, "neither VHDX region table (at 192 and 256 KiB) has a valid signature and CRC-32C: both were damaged or changed")
		if !opts.AcceptBadChecksums {
			return e
		}
		b := make([]byte, regionSize)
		if err := f.ReadFull(b, region1At, "a region table"); err != nil {
			return err
		}
		if n := binary.LittleEndian.Uint32(b[8:]); string(b[:4]) != "regi" || n > maxRegions {
			return e
		}
		for i := range int(binary.LittleEndian.Uint32(b[8:])) {
			x := b[16+32*i:]
			rt.entries = append(rt.entries, Region{GUID: guidAt(x), Offset: binary.LittleEndian.Uint64(x[16:]), Length: binary.LittleEndian.Uint32(x[24:]), Required: binary.LittleEndian.Uint32(x[28:])&1 != 0})
		}
		d.warn("%s; region table 1 was used as it is", e.What)
	}
	var bat, meta *Region
	for i := range rt.entries {
		r := &rt.entries[i]
		switch r.GUID {
		case guidBAT:
			bat = r
		case guidMetadata:
			meta = r
		default:
			if r.Required {
				return f.Fail(container.ErrUnsupported, region1At, "the region table lists a required region %s that this reader does not know", r.GUID)
			}
		}
	}
	if bat == nil || meta == nil {
		return f.Corrupt(region1At, "the region table lacks the BAT or the metadata region")
	}
	if err := checkRegion(f, "BAT", *bat); err != nil {
		return err
	}
	if err := checkRegion(f, "metadata", *meta); err != nil {
		return err
	}
	if err := d.readMetadata(*meta); err != nil {
		return err
	}
	bs := int64(d.params.BlockSize)
	blocks := (d.size + bs - 1) / bs
	ratio := (int64(1) << 23) * int64(d.logical) / bs
	entries := blocks
	if blocks > 0 {
		entries += (blocks - 1) / ratio
	}
	if 8*entries > int64(bat.Length) {
		return f.Corrupt(int64(bat.Offset), "the BAT region is %d bytes, but a disk of %d bytes in blocks of %d bytes needs %d entries (%d bytes)", bat.Length, d.size, bs, entries, 8*entries)
	}
	d.blocks = container.NewBlocks(format, d.size, bs, &batMapper{f: f, pages: container.NewPages(), bat: int64(bat.Offset), ratio: ratio})
	return nil
}

// readMetadata reads the metadata table and the items it needs.
func (d *Disk) readMetadata(r Region) error {
	f := d.f
	le := binary.LittleEndian
	tbl := make([]byte, min(metaTableLen, int64(r.Length)))
	if err := f.ReadFull(tbl, int64(r.Offset), "the metadata table"); err != nil {
		return err
	}
	if string(tbl[:8]) != "metadata" {
		return f.Corrupt(int64(r.Offset), `no metadata table (signature "metadata") at the start of the metadata region`)
	}
	n := int(le.Uint16(tbl[10:]))
	if n > 2047 || 32+32*n > len(tbl) {
		return f.Corrupt(int64(r.Offset), "the metadata table lists %d items, more than fit in it", n)
	}
	items := map[GUID][]byte{}
	for i := range n {
		e := tbl[32+32*i:]
		g := guidAt(e)
		off, length, flags := int64(le.Uint32(e[16:])), int64(le.Uint32(e[20:])), le.Uint32(e[24:])
		known := g == guidFileParams || g == guidDiskSize || g == guidDiskID || g == guidLogicalSize || g == guidPhysicalSize || g == guidParent
		if !known {
			if flags&4 != 0 { // IsRequired
				return f.Fail(container.ErrUnsupported, int64(r.Offset), "the metadata lists a required item %s that this reader does not know", g)
			}
			continue
		}
		if length == 0 {
			continue
		}
		if off < metaTableLen || length > maxMetaItem || off+length > int64(r.Length) {
			return f.Corrupt(int64(r.Offset), "metadata item %s (%d bytes at offset %d) does not lie inside the metadata region (%d bytes)", g, length, off, r.Length)
		}
		b := make([]byte, length)
		if err := f.ReadFull(b, int64(r.Offset)+off, "a metadata item"); err != nil {
			return err
		}
		items[g] = b
	}
	need := func(g GUID, name string, n int) ([]byte, error) {
		b := items[g]
		if len(b) < n {
			return nil, f.Corrupt(int64(r.Offset), "the metadata lacks the %s item (or it is shorter than %d bytes)", name, n)
		}
		return b, nil
	}
	b, err := need(guidFileParams, "file parameters", 8)
	if err != nil {
		return err
	}
	d.params = FileParameters{BlockSize: le.Uint32(b), LeaveBlockAllocated: le.Uint32(b[4:])&1 != 0, HasParent: le.Uint32(b[4:])&2 != 0}
	if d.params.HasParent {
		return d.needsParent(items[guidParent], int64(r.Offset))
	}
	if bs := d.params.BlockSize; bs < minBlockSize || bs > maxBlockSize || bs&(bs-1) != 0 {
		return f.Corrupt(int64(r.Offset), "the file parameters give a block size of %d bytes; it must be a power of two from 1 MiB to 256 MiB", bs)
	}
	if b, err = need(guidDiskSize, "virtual disk size", 8); err != nil {
		return err
	}
	size := le.Uint64(b)
	if size > maxDiskSize {
		return f.Corrupt(int64(r.Offset), "the virtual disk size is %d bytes, more than a VHDX's 64 TiB", size)
	}
	d.size = int64(size)
	if b, err = need(guidLogicalSize, "logical sector size", 4); err != nil {
		return err
	}
	d.logical = le.Uint32(b)
	if d.logical != 512 && d.logical != 4096 {
		return f.Corrupt(int64(r.Offset), "the logical sector size is %d; it must be 512 or 4096", d.logical)
	}
	if b := items[guidPhysicalSize]; len(b) >= 4 {
		d.physical = le.Uint32(b)
	}
	if b := items[guidDiskID]; len(b) >= 16 {
		d.diskID = guidAt(b)
	}
	return nil
}

// needsParent refuses a differencing disk, naming its parent.
func (d *Disk) needsParent(loc []byte, off int64) error {
	kv := parseLocator(loc)
	parent := kv["relative_path"]
	for _, k := range []string{"absolute_win32_path", "volume_path"} {
		if parent == "" {
			parent = kv[k]
		}
	}
	var keys []string
	for k, v := range kv {
		keys = append(keys, fmt.Sprintf("%s=%q", k, v))
	}
	sort.Strings(keys)
	what := fmt.Sprintf("this is a differencing VHDX: it holds only the blocks written since its parent %q and cannot be read without it", parent)
	if len(keys) > 0 {
		what += "; its parent locator gives " + strings.Join(keys, ", ")
	}
	e := d.f.Fail(container.ErrNeedsParent, off, "%s", what)
	e.Parent = parent
	e.Hint = "merge the chain into one disk with the parent beside it (Hyper-V's Merge-VHD on a copy, or qemu-img convert -O vhdx child.vhdx merged.vhdx), then ingest the merged disk; ingest the parent too"
	return e
}

// parseLocator decodes a parent locator's key/value pairs.
func parseLocator(b []byte) map[string]string {
	le := binary.LittleEndian
	kv := map[string]string{}
	if len(b) < 20 {
		return kv
	}
	n := int(le.Uint16(b[18:]))
	for i := range n {
		e := 20 + 12*i
		if e+12 > len(b) {
			break
		}
		ko, vo := int64(le.Uint32(b[e:])), int64(le.Uint32(b[e+4:]))
		kl, vl := int64(le.Uint16(b[e+8:])), int64(le.Uint16(b[e+10:]))
		if ko+kl > int64(len(b)) || vo+vl > int64(len(b)) {
			continue
		}
		kv[utf16le(b[ko:ko+kl])] = utf16le(b[vo : vo+vl])
	}
	return kv
}

// Payload block states of BAT entries.
const (
	blockNotPresent       = 0
	blockUndefined        = 1
	blockZero             = 2
	blockUnmapped         = 3
	blockFullyPresent     = 6
	blockPartiallyPresent = 7
)

// batMapper maps payload blocks through the BAT.
type batMapper struct {
	f     *container.File
	pages *container.Pages
	bat   int64
	ratio int64
}

func (m *batMapper) index(i int64) int64 { return i + i/m.ratio }

func (m *batMapper) Entry(i int64) string {
	return fmt.Sprintf("BAT entry %d (payload block %d)", m.index(i), i)
}

func (m *batMapper) Locate(i int64) (container.Loc, error) {
	at := m.bat + 8*m.index(i)
	e, err := m.pages.Uint64(m.f, at, binary.LittleEndian, m.Entry(i))
	if err != nil {
		return container.Loc{}, err
	}
	switch e & 7 {
	case blockNotPresent, blockUndefined, blockZero, blockUnmapped:
		return container.Loc{Kind: container.Zero}, nil
	case blockFullyPresent:
		return container.Loc{Kind: container.Raw, File: m.f, Off: int64(e>>20) * mib}, nil
	case blockPartiallyPresent:
		return container.Loc{}, m.f.Corrupt(at, "%s says the block is partially present, which only a differencing disk's blocks can be", m.Entry(i))
	}
	return container.Loc{}, m.f.Corrupt(at, "%s has the invalid state %d", m.Entry(i), e&7)
}

// ReadAt reads the virtual disk's bytes at off, implementing io.ReaderAt.
// It is safe for concurrent use.
func (d *Disk) ReadAt(p []byte, off int64) (int, error) { return d.blocks.ReadAt(p, off) }

// Size returns the virtual disk's size in bytes.
func (d *Disk) Size() int64 { return d.size }

// Format returns "VHDX".
func (d *Disk) Format() string { return format }

// SubFormat returns "fixed" (blocks stay allocated) or "dynamic".
func (d *Disk) SubFormat() string {
	if d.params.LeaveBlockAllocated {
		return "fixed"
	}
	return "dynamic"
}

// Files returns the container file.
func (d *Disk) Files() []string { return []string{d.f.Path} }

// Header returns the current header.
func (d *Disk) Header() Header { return d.headers[d.current] }

// Parameters returns the file parameters.
func (d *Disk) Parameters() FileParameters { return d.params }

// Warnings returns what Open found wrong or unusual without refusing the
// image, one sentence each; a replayed log is one.
func (d *Disk) Warnings() []string { return d.warnings }

// Metadata returns what the container records, for the acquisition
// record: keys "vhdx_type", "vhdx_size", "vhdx_block_size",
// "vhdx_logical_sector_size", "vhdx_physical_sector_size", "vhdx_disk_id",
// "vhdx_creator", "vhdx_header" (which header is current and its sequence
// number), "vhdx_header1_crc", "vhdx_header2_crc",
// "vhdx_region_table1_crc", "vhdx_region_table2_crc", "vhdx_log",
// "vhdx_file_write_guid" and "vhdx_data_write_guid".
func (d *Disk) Metadata() map[string]string {
	h := d.headers[d.current]
	m := map[string]string{
		"vhdx_type":                 d.SubFormat(),
		"vhdx_size":                 fmt.Sprint(d.size),
		"vhdx_block_size":           fmt.Sprint(d.params.BlockSize),
		"vhdx_logical_sector_size":  fmt.Sprint(d.logical),
		"vhdx_physical_sector_size": fmt.Sprint(d.physical),
		"vhdx_disk_id":              d.diskID.String(),
		"vhdx_creator":              d.creator,
		"vhdx_header":               fmt.Sprintf("%d (sequence %d)", d.current+1, h.Sequence),
		"vhdx_log":                  d.log,
		"vhdx_file_write_guid":      h.FileWriteGUID.String(),
		"vhdx_data_write_guid":      h.DataWriteGUID.String(),
	}
	for i, hd := range d.headers {
		m[fmt.Sprintf("vhdx_header%d_crc", i+1)] = crcText(hd.Checksum, hd.Valid)
	}
	for i, rt := range d.regions {
		m[fmt.Sprintf("vhdx_region_table%d_crc", i+1)] = crcText(rt.checksum, rt.valid)
	}
	return m
}

func crcText(sum uint32, ok bool) string {
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
