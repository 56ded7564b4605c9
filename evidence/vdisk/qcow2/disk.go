package qcow2

import (
	"encoding/binary"
	"fmt"
	"sort"
	"strings"

	"github.com/custodia-dfir/custodia/evidence/vdisk/internal/container"
)

// Disk is an opened QCOW2 image. It is safe for concurrent use.
type Disk struct {
	f        *container.File
	h        *Header
	blocks   *container.Blocks
	warnings []string
}

// Open opens the QCOW2 image at path read-only and checks its header and
// the bounds of its L1 table. L2 tables and clusters are checked when
// read: an entry that points outside the file, or compressed data that
// does not decompress to a cluster, is an *Error naming the entry.
func Open(path string) (*Disk, error) {
	f, err := container.Open(path, format)
	if err != nil {
		return nil, err
	}
	d := &Disk{f: f}
	if err := d.open(); err != nil {
		f.Close()
		return nil, err
	}
	return d, nil
}

func (d *Disk) open() error {
	f := d.f
	h, err := readHeader(f)
	if err != nil {
		return err
	}
	d.h = h
	if h.BackingFile != "" {
		what := fmt.Sprintf("the image has a backing file %q", h.BackingFile)
		if h.BackingFormat != "" {
			what += fmt.Sprintf(" (format %s)", h.BackingFormat)
		}
		what += ": it holds only the clusters written since that image and cannot be read without it"
		e := f.Fail(container.ErrNeedsParent, 8, "%s", what)
		e.Parent = h.BackingFile
		e.Hint = "put the backing image beside it and flatten the chain with qemu-img convert -O qcow2 image.qcow2 flat.qcow2 (or -O raw), then ingest the flat image; ingest the backing image too"
		return e
	}
	if h.CryptMethod != 0 {
		return f.Fail(container.ErrEncrypted, 32, "the image is encrypted (%s): its clusters cannot be read without the passphrase", h.EncryptionName()).
			WithHint("decrypt it with qemu-img convert --object secret,id=sec0,file=passphrase.txt --image-opts driver=qcow2,file.filename=image.qcow2,encrypt.key-secret=sec0 -O raw disk.raw, then ingest the raw disk")
	}
	if h.Incompatible&incDataFile != 0 {
		return f.Fail(container.ErrUnsupported, 72, "the image keeps its data in an external data file %q, which is not read", h.DataFile).
			WithHint("convert it to a self-contained image with qemu-img convert -O qcow2 (the data file beside it), then ingest that")
	}
	if h.Incompatible&incExtendedL2 != 0 {
		return f.Fail(container.ErrUnsupported, 72, "the image uses extended L2 entries (subclusters), which are not read").
			WithHint("convert it with qemu-img convert -O qcow2 (without extended_l2) or -O raw, then ingest that")
	}
	if unknown := h.Incompatible &^ incKnown; unknown != 0 {
		var names []string
		for bit := range 64 {
			if unknown&(1<<bit) != 0 {
				n := fmt.Sprintf("bit %d", bit)
				if name := h.FeatureNames[fmt.Sprintf("incompatible %d", bit)]; name != "" {
					n += " (" + name + ")"
				}
				names = append(names, n)
			}
		}
		return f.Fail(container.ErrUnsupported, 72, "the image uses incompatible features this reader does not know: %s", strings.Join(names, ", ")).
			WithHint("convert it to raw with a qemu-img that knows them (qemu-img convert -O raw), then ingest that")
	}
	if h.CompressionType > 1 || (h.CompressionType != 0 && h.Incompatible&incCompression == 0) {
		return f.Fail(container.ErrUnsupported, 104, "compression type %d (zlib is 0, zstd 1, and a type other than zlib needs incompatible feature bit 3)", h.CompressionType)
	}
	if h.Incompatible&incDirty != 0 {
		d.warn("the image's dirty flag is set: qemu did not close it cleanly; reference counts may be stale, the disk's clusters are read as the tables give them")
	}
	if h.Incompatible&incCorrupt != 0 {
		d.warn("the image's corrupt flag is set: qemu found its metadata inconsistent; bytes read from it may be wrong (check it with qemu-img check)")
	}
	if h.Size > maxSize {
		return f.Corrupt(24, "the header gives a disk size of %d bytes, more than 64 PiB", h.Size)
	}
	cs := h.ClusterSize()
	l2Entries := cs / 8
	need := (int64(h.Size) + cs*l2Entries - 1) / (cs * l2Entries)
	if int64(h.L1Size) < need {
		return f.Corrupt(36, "the L1 table has %d entries, but a disk of %d bytes in clusters of %d bytes needs %d", h.L1Size, h.Size, cs, need)
	}
	if int64(h.L1Size)*8 > maxL1Bytes {
		return f.Corrupt(36, "the L1 table has %d entries, more than qemu's limit of %d", h.L1Size, maxL1Bytes/8)
	}
	if h.L1TableOffset%uint64(cs) != 0 || !f.Contains(int64(h.L1TableOffset), 8*need) {
		return f.Corrupt(40, "the L1 table (%d entries at offset %d) is not cluster-aligned or does not lie inside the file (%d bytes): the file is truncated or the header is damaged", need, h.L1TableOffset, f.Size())
	}
	kind := container.Deflate
	if h.CompressionType == 1 {
		kind = container.Zstd
	}
	m := &mapper{f: f, pages: container.NewPages(), l1: int64(h.L1TableOffset), bits: h.ClusterBits, v3: h.Version >= 3, kind: kind}
	d.blocks = container.NewBlocks(format, int64(h.Size), cs, m)
	return nil
}

func (d *Disk) warn(format string, args ...any) {
	d.warnings = append(d.warnings, fmt.Sprintf(format, args...))
}

// mapper finds clusters through the L1 and L2 tables.
type mapper struct {
	f     *container.File
	pages *container.Pages
	l1    int64
	bits  uint32
	v3    bool
	kind  container.Kind
}

func (m *mapper) indexes(i int64) (l1, l2 int64) {
	return i >> (m.bits - 3), i & (1<<(m.bits-3) - 1)
}

func (m *mapper) Entry(i int64) string {
	l1, l2 := m.indexes(i)
	return fmt.Sprintf("the L2 entry of cluster %d (L1 entry %d, L2 entry %d)", i, l1, l2)
}

func (m *mapper) Locate(i int64) (container.Loc, error) {
	l1, l2 := m.indexes(i)
	be := binary.BigEndian
	l1e, err := m.pages.Uint64(m.f, m.l1+8*l1, be, fmt.Sprintf("L1 entry %d", l1))
	if err != nil {
		return container.Loc{}, err
	}
	table := int64(l1e & offsetMask)
	if table == 0 {
		return container.Loc{Kind: container.Zero}, nil
	}
	cs := int64(1) << m.bits
	if table%cs != 0 || !m.f.Contains(table, cs) {
		return container.Loc{}, m.f.Corrupt(m.l1+8*l1, "L1 entry %d points to an L2 table at file offset %d, which is not cluster-aligned or lies past the end of the file (%d bytes)", l1, table, m.f.Size())
	}
	l2e, err := m.pages.Uint64(m.f, table+8*l2, be, m.Entry(i))
	if err != nil {
		return container.Loc{}, err
	}
	if l2e&compressed != 0 {
		shift := 62 - (m.bits - 8)
		off := int64(l2e & (1<<shift - 1))
		sectors := int64((l2e>>shift)&(1<<(m.bits-8)-1)) + 1
		n := sectors*512 - off&511
		if off < cs || off >= m.f.Size() {
			return container.Loc{}, m.f.Corrupt(table+8*l2, "%s points to compressed data at file offset %d, outside the file (%d bytes)", m.Entry(i), off, m.f.Size())
		}
		// The size is rounded up to whole sectors and may run past the end
		// of the file for the last cluster written.
		n = min(n, m.f.Size()-off)
		return container.Loc{Kind: m.kind, File: m.f, Off: off, Len: n}, nil
	}
	host := int64(l2e & offsetMask)
	if m.v3 && l2e&zeroFlag != 0 {
		return container.Loc{Kind: container.Zero}, nil
	}
	if host == 0 {
		return container.Loc{Kind: container.Zero}, nil
	}
	if host%cs != 0 {
		return container.Loc{}, m.f.Corrupt(table+8*l2, "%s points to file offset %d, which is not cluster-aligned", m.Entry(i), host)
	}
	return container.Loc{Kind: container.Raw, File: m.f, Off: host}, nil
}

// ReadAt reads the virtual disk's bytes at off, implementing io.ReaderAt.
// It is safe for concurrent use.
func (d *Disk) ReadAt(p []byte, off int64) (int, error) { return d.blocks.ReadAt(p, off) }

// Size returns the virtual disk's size in bytes.
func (d *Disk) Size() int64 { return int64(d.h.Size) }

// Format returns "QCOW2".
func (d *Disk) Format() string { return format }

// SubFormat returns "v2" (compat 0.10) or "v3" (compat 1.1).
func (d *Disk) SubFormat() string { return fmt.Sprintf("v%d", d.h.Version) }

// Files returns the container file.
func (d *Disk) Files() []string { return []string{d.f.Path} }

// Header returns the image's header.
func (d *Disk) Header() Header { return *d.h }

// Warnings returns what Open found unusual without refusing the image.
func (d *Disk) Warnings() []string { return d.warnings }

// Metadata returns what the header records, for the acquisition record:
// keys "qcow2_version", "qcow2_compat", "qcow2_size", "qcow2_cluster_size",
// "qcow2_compression_type", "qcow2_encryption", "qcow2_snapshots",
// "qcow2_refcount_bits", "qcow2_dirty", "qcow2_corrupt",
// "qcow2_lazy_refcounts" and, when the image has them, "qcow2_bitmaps" and
// "qcow2_features" (the feature name table).
func (d *Disk) Metadata() map[string]string {
	h := d.h
	m := map[string]string{
		"qcow2_version":          fmt.Sprint(h.Version),
		"qcow2_compat":           h.Compat(),
		"qcow2_size":             fmt.Sprint(h.Size),
		"qcow2_cluster_size":     fmt.Sprint(h.ClusterSize()),
		"qcow2_compression_type": h.CompressionName(),
		"qcow2_encryption":       h.EncryptionName(),
		"qcow2_snapshots":        fmt.Sprint(h.Snapshots),
		"qcow2_refcount_bits":    fmt.Sprint(1 << min(h.RefcountOrder, 63)),
		"qcow2_dirty":            fmt.Sprint(h.Incompatible&incDirty != 0),
		"qcow2_corrupt":          fmt.Sprint(h.Incompatible&incCorrupt != 0),
		"qcow2_lazy_refcounts":   fmt.Sprint(h.Compatible&compLazyRefcnts != 0),
	}
	if h.HasBitmaps {
		m["qcow2_bitmaps"] = "true"
	}
	if len(h.FeatureNames) > 0 {
		var names []string
		for k, v := range h.FeatureNames {
			names = append(names, k+": "+v)
		}
		sort.Strings(names)
		m["qcow2_features"] = strings.Join(names, "; ")
	}
	return m
}

// Close closes the container file.
func (d *Disk) Close() error {
	d.blocks.Close()
	return d.f.Close()
}
