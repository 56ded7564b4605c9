package memory

import (
	"encoding/binary"
	"io"
)

// LiME's on-disk format (github.com/504ensicsLabs/LiME, doc/README.md,
// "LiME Memory Range Header Version 1 Specification"): the file is a
// sequence of ranges, each a 32-byte header followed by the range's bytes:
//
//	offset 0  u32 magic 0x4C694D45 ("EMiL" on disk, little-endian)
//	offset 4  u32 version, 1
//	offset 8  u64 s_addr, the first physical address of the range
//	offset 16 u64 e_addr, the last physical address (inclusive)
//	offset 24 8 bytes reserved
//
// and e_addr - s_addr + 1 bytes of memory.
const (
	limeMagic      = "EMiL"
	limeHeaderSize = 32
)

func describeLiME(r io.ReaderAt, size int64, info *Info) error {
	info.Format = FormatLiME
	info.Description = "LiME memory image, version 1"
	var h [limeHeaderSize]byte
	off := int64(0)
	for off < size {
		if len(info.Ranges) == MaxRanges {
			info.warnf("more than %d ranges: the first %d are listed", MaxRanges, MaxRanges)
			return nil
		}
		if size-off < limeHeaderSize {
			info.warnf("%s at offset %d after the last range are not a range header", byteCount(size-off), off)
			return nil
		}
		if _, err := readFull(r, h[:], off); err != nil {
			return err
		}
		if string(h[:4]) != limeMagic {
			info.warnf("no range header at offset %d (magic % x, not 45 4d 69 4c): the ranges after it are not listed", off, h[:4])
			return nil
		}
		if v := binary.LittleEndian.Uint32(h[4:]); v != 1 {
			info.warnf("range header at offset %d has version %d; only version 1 is known: the ranges from it on are not listed", off, v)
			return nil
		}
		start, end := binary.LittleEndian.Uint64(h[8:]), binary.LittleEndian.Uint64(h[16:])
		if end < start {
			info.warnf("range header at offset %d ends (%#x) before it starts (%#x): the ranges from it on are not listed", off, end, start)
			return nil
		}
		n := end - start + 1 // 0 only for the whole 64-bit space, which overflows below
		data := off + limeHeaderSize
		if n == 0 || n > uint64(size-data) {
			info.warnf("range %#x-%#x at offset %d runs past the end of the file (%d bytes after its header): the file is truncated", start, end, off, size-data)
			info.Ranges = append(info.Ranges, Range{Start: start, End: end, Offset: data, Size: n})
			return nil
		}
		info.Ranges = append(info.Ranges, Range{Start: start, End: end, Offset: data, Size: n})
		off = data + int64(n)
	}
	return nil
}
