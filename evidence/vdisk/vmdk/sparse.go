package vmdk

import (
	"encoding/binary"
	"fmt"

	"github.com/custodia-dfir/custodia/evidence/vdisk/internal/container"
)

const (
	format     = "VMDK"
	sector     = 512
	magicKDMV  = "KDMV"
	magicCOWD  = "COWD"
	gdAtEnd    = 0xFFFFFFFFFFFFFFFF
	headerSize = 512

	flagNewlineTest = 1 << 0
	flagZeroedGTE   = 1 << 2
	flagCompressed  = 1 << 16
	flagMarkers     = 1 << 17

	compressNone    = 0
	compressDeflate = 1

	// maxGrain bounds the grain size (VMware writes 64 KiB grains).
	maxGrain = 2 << 20
	// maxGTEs bounds numGTEsPerGT (VMware writes 512).
	maxGTEs = 1 << 16
	// maxSize bounds a disk's size: 64 PiB.
	maxSize = 1 << 56
)

// SparseHeader is the header of a hosted sparse extent.
type SparseHeader struct {
	Version          uint32
	Flags            uint32
	Capacity         uint64 // sectors
	GrainSize        uint64 // sectors
	DescriptorOffset uint64 // sectors
	DescriptorSize   uint64 // sectors
	NumGTEsPerGT     uint32
	RGDOffset        uint64 // sectors
	GDOffset         uint64 // sectors
	Overhead         uint64
	UncleanShutdown  bool
	Compress         uint16
	newlineChars     [4]byte
}

func parseSparseHeader(b []byte) SparseHeader {
	le := binary.LittleEndian
	return SparseHeader{
		Version:          le.Uint32(b[4:]),
		Flags:            le.Uint32(b[8:]),
		Capacity:         le.Uint64(b[12:]),
		GrainSize:        le.Uint64(b[20:]),
		DescriptorOffset: le.Uint64(b[28:]),
		DescriptorSize:   le.Uint64(b[36:]),
		NumGTEsPerGT:     le.Uint32(b[44:]),
		RGDOffset:        le.Uint64(b[48:]),
		GDOffset:         le.Uint64(b[56:]),
		Overhead:         le.Uint64(b[64:]),
		UncleanShutdown:  b[72] != 0,
		newlineChars:     [4]byte{b[73], b[74], b[75], b[76]},
		Compress:         le.Uint16(b[77:]),
	}
}

// readSparseHeader reads the header at offset 0 of f, and for a
// streamOptimized extent whose grain directory is at the end, the footer's
// copy.
func readSparseHeader(f *container.File) (SparseHeader, error) {
	b := make([]byte, headerSize)
	if f.Size() < headerSize {
		return SparseHeader{}, f.Fail(container.ErrNotDisk, -1, "the file is %d bytes, shorter than a sparse extent header (512 bytes)", f.Size())
	}
	if err := f.ReadFull(b, 0, "the sparse extent header"); err != nil {
		return SparseHeader{}, err
	}
	switch string(b[:4]) {
	case magicKDMV:
	case magicCOWD:
		return SparseHeader{}, f.Fail(container.ErrUnsupported, 0, "this is an ESX server sparse extent (COWD, vmfsSparse), which is not read").
			WithHint("convert the disk with vmkfstools -i or qemu-img convert -O raw, then ingest that")
	default:
		return SparseHeader{}, f.Fail(container.ErrNotDisk, 0, `no sparse extent magic ("KDMV") at the start of the file`)
	}
	h := parseSparseHeader(b)
	if h.Version < 1 || h.Version > 3 {
		return h, f.Fail(container.ErrUnsupported, 4, "sparse extent version %d; versions 1 to 3 are read", h.Version)
	}
	if h.Flags&flagNewlineTest != 0 && h.newlineChars != [4]byte{'\n', ' ', '\r', '\n'} {
		return h, f.Corrupt(73, "the header's line-end test characters are damaged: the file was copied in text mode (FTP ASCII), which changed its bytes; copy it again in binary mode")
	}
	if h.GDOffset == gdAtEnd {
		if f.Size() < 3*headerSize {
			return h, f.Corrupt(56, "the grain directory is at the end of the file, but the file is too short to hold the footer")
		}
		// footer marker, footer (a header), end-of-stream marker
		if err := f.ReadFull(b, f.Size()-2*headerSize, "the footer"); err != nil {
			return h, err
		}
		if string(b[:4]) != magicKDMV {
			return h, f.Corrupt(f.Size()-2*headerSize, "the header places the grain directory at the end of the file, but there is no footer (a copy of the header) before the end-of-stream marker: the file is truncated")
		}
		foot := parseSparseHeader(b)
		if foot.GDOffset == gdAtEnd {
			return h, f.Corrupt(f.Size()-2*headerSize, "the footer does not give the grain directory's offset either")
		}
		h.GDOffset = foot.GDOffset
	}
	return h, nil
}

// sparse maps the grains of a sparse extent.
type sparse struct {
	f       *container.File
	pages   *container.Pages
	h       SparseHeader
	gd      int64 // file offset of the grain directory
	gdCount int64
	grain   int64 // bytes
	gtes    int64
}

// newSparse checks a sparse extent's header for an extent of size bytes.
func newSparse(f *container.File, h SparseHeader, size int64) (*sparse, error) {
	g := h.GrainSize
	if g == 0 || g&(g-1) != 0 || g > maxGrain/sector {
		return nil, f.Corrupt(20, "the header gives a grain size of %d sectors; it must be a power of two up to %d sectors", g, maxGrain/sector)
	}
	if h.NumGTEsPerGT == 0 || h.NumGTEsPerGT > maxGTEs {
		return nil, f.Corrupt(44, "the header gives %d entries per grain table; VMware writes 512", h.NumGTEsPerGT)
	}
	if h.Flags&flagCompressed != 0 && h.Compress != compressDeflate {
		return nil, f.Fail(container.ErrUnsupported, 77, "the grains are compressed with algorithm %d; only deflate (1) is read", h.Compress)
	}
	s := &sparse{f: f, pages: container.NewPages(), h: h, grain: int64(g) * sector, gtes: int64(h.NumGTEsPerGT)}
	// Grains past the header's capacity (when the descriptor says the
	// extent is larger) have no directory entries: they read as zeros.
	mapped := size
	if h.Capacity < uint64(size)/sector {
		mapped = int64(h.Capacity) * sector
	}
	grains := (mapped + s.grain - 1) / s.grain
	s.gdCount = (grains + s.gtes - 1) / s.gtes
	if h.GDOffset > uint64(f.Size())/sector || !f.Contains(int64(h.GDOffset)*sector, 4*s.gdCount) {
		return nil, f.Corrupt(56, "the grain directory (%d entries at sector %d) does not lie inside the file (%d bytes): the file is truncated or the header is damaged", s.gdCount, h.GDOffset, f.Size())
	}
	s.gd = int64(h.GDOffset) * sector
	return s, nil
}

func (s *sparse) Entry(i int64) string {
	return fmt.Sprintf("grain table entry %d of grain table %d (grain %d)", i%s.gtes, i/s.gtes, i)
}

func (s *sparse) Locate(i int64) (container.Loc, error) {
	le := binary.LittleEndian
	gdi := i / s.gtes
	if gdi >= s.gdCount {
		return container.Loc{Kind: container.Zero}, nil
	}
	gde, err := s.pages.Uint32(s.f, s.gd+4*gdi, le, fmt.Sprintf("grain directory entry %d", gdi))
	if err != nil {
		return container.Loc{}, err
	}
	if gde == 0 {
		return container.Loc{Kind: container.Zero}, nil
	}
	gt := int64(gde) * sector
	if !s.f.Contains(gt, 4*s.gtes) {
		return container.Loc{}, s.f.Corrupt(s.gd+4*gdi, "grain directory entry %d points to a grain table at sector %d, past the end of the file (%d bytes)", gdi, gde, s.f.Size())
	}
	gte, err := s.pages.Uint32(s.f, gt+4*(i%s.gtes), le, s.Entry(i))
	if err != nil {
		return container.Loc{}, err
	}
	switch {
	case gte == 0:
		return container.Loc{Kind: container.Zero}, nil
	case gte == 1 && s.h.Flags&flagZeroedGTE != 0:
		return container.Loc{Kind: container.Zero}, nil
	}
	off := int64(gte) * sector
	if s.h.Flags&flagCompressed == 0 {
		return container.Loc{Kind: container.Raw, File: s.f, Off: off}, nil
	}
	if s.h.Flags&flagMarkers == 0 {
		// No marker gives the compressed size: the stream ends itself.
		n := min(container.MaxCompressed(s.grain), s.f.Size()-off)
		if n <= 0 {
			return container.Loc{}, s.f.Corrupt(gt+4*(i%s.gtes), "%s points to sector %d, past the end of the file", s.Entry(i), gte)
		}
		return container.Loc{Kind: container.Zlib, File: s.f, Off: off, Len: n}, nil
	}
	var m [12]byte
	if err := s.f.ReadFull(m[:], off, "the grain marker of "+s.Entry(i)); err != nil {
		return container.Loc{}, err
	}
	lba, n := le.Uint64(m[:]), int64(le.Uint32(m[8:]))
	if want := uint64(i) * uint64(s.grain/sector); lba != want {
		return container.Loc{}, s.f.Corrupt(off, "the grain marker %s points to says it holds sector %d, not %d", s.Entry(i), lba, want)
	}
	return container.Loc{Kind: container.Zlib, File: s.f, Off: off + 12, Len: n}, nil
}
