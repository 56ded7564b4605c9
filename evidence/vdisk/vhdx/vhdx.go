package vhdx

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"unicode/utf16"

	"github.com/custodia-dfir/custodia/evidence/vdisk/internal/container"
)

const (
	format = "VHDX"
	kib    = 1 << 10
	mib    = 1 << 20

	header1At    = 64 * kib
	header2At    = 128 * kib
	headerSize   = 4 * kib
	region1At    = 192 * kib
	region2At    = 256 * kib
	regionSize   = 64 * kib
	maxRegions   = 2047
	metaTableLen = 64 * kib
	maxMetaItem  = 1 * mib

	minBlockSize = 1 * mib
	maxBlockSize = 256 * mib
	maxDiskSize  = 64 << 40 // the format's limit: 64 TiB
	// maxLog bounds the log replayed in memory (Hyper-V writes 1 MiB).
	maxLog = 64 * mib
)

// The GUIDs of the regions and metadata items read here.
var (
	guidBAT          = mustGUID("2DC27766-F623-4200-9D64-115E9BFD4A08")
	guidMetadata     = mustGUID("8B7CA206-4790-4B9A-B8FE-575F050F886E")
	guidFileParams   = mustGUID("CAA16737-FA36-4D43-B3B6-33F0AA44E76B")
	guidDiskSize     = mustGUID("2FA54224-CD1B-4876-B211-5DBED83BF4B8")
	guidDiskID       = mustGUID("BECA12AB-B2E6-4523-93EF-C309E000C746")
	guidLogicalSize  = mustGUID("8141BF1D-A96F-4709-BA47-F233A8FAAB5F")
	guidPhysicalSize = mustGUID("CDA348C7-445D-4471-9CC9-E9885251C556")
	guidParent       = mustGUID("A8D35F2D-B30B-454D-ABF7-D3D84834AB0C")
)

// GUID is a GUID as VHDX stores it: the first three fields little-endian.
type GUID [16]byte

// String formats g the way Windows shows it.
func (g GUID) String() string {
	return fmt.Sprintf("%08X-%04X-%04X-%X-%X", binary.LittleEndian.Uint32(g[0:]), binary.LittleEndian.Uint16(g[4:]), binary.LittleEndian.Uint16(g[6:]), g[8:10], g[10:])
}

// IsZero reports whether g is all zeros.
func (g GUID) IsZero() bool { return g == GUID{} }

func mustGUID(s string) GUID {
	var g GUID
	var a uint32
	var b, c uint16
	var d [8]byte
	if _, err := fmt.Sscanf(s, "%08X-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X", &a, &b, &c, &d[0], &d[1], &d[2], &d[3], &d[4], &d[5], &d[6], &d[7]); err != nil {
		panic("vhdx: bad GUID literal " + s)
	}
	binary.LittleEndian.PutUint32(g[0:], a)
	binary.LittleEndian.PutUint16(g[4:], b)
	binary.LittleEndian.PutUint16(g[6:], c)
	copy(g[8:], d[:])
	return g
}

func guidAt(b []byte) GUID {
	var g GUID
	copy(g[:], b)
	return g
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// crc returns the CRC-32C of b with its checksum field b[at:at+4] zero.
func crc(b []byte, at int) uint32 {
	h := crc32.Update(0, castagnoli, b[:at])
	h = crc32.Update(h, castagnoli, []byte{0, 0, 0, 0})
	return crc32.Update(h, castagnoli, b[at+4:])
}

// Header is one of the two VHDX headers.
type Header struct {
	Sequence      uint64
	FileWriteGUID GUID
	DataWriteGUID GUID
	LogGUID       GUID // not zero: the log must be replayed
	LogVersion    uint16
	Version       uint16
	LogLength     uint32
	LogOffset     uint64
	Checksum      uint32
	Valid         bool // signature "head" and CRC-32C match
	signed        bool // signature "head"
}

func parseHeader(b []byte) Header {
	le := binary.LittleEndian
	h := Header{
		Checksum:      le.Uint32(b[4:]),
		Sequence:      le.Uint64(b[8:]),
		FileWriteGUID: guidAt(b[16:]),
		DataWriteGUID: guidAt(b[32:]),
		LogGUID:       guidAt(b[48:]),
		LogVersion:    le.Uint16(b[64:]),
		Version:       le.Uint16(b[66:]),
		LogLength:     le.Uint32(b[68:]),
		LogOffset:     le.Uint64(b[72:]),
	}
	h.signed = string(b[:4]) == "head"
	h.Valid = h.signed && crc(b, 4) == h.Checksum
	return h
}

// Region is an entry of the region table.
type Region struct {
	GUID     GUID
	Offset   uint64
	Length   uint32
	Required bool
}

// regionTable is a parsed region table.
type regionTable struct {
	checksum uint32
	valid    bool
	entries  []Region
}

func parseRegions(b []byte) regionTable {
	le := binary.LittleEndian
	t := regionTable{checksum: le.Uint32(b[4:])}
	t.valid = string(b[:4]) == "regi" && crc(b, 4) == t.checksum
	n := le.Uint32(b[8:])
	if !t.valid || n > maxRegions {
		t.valid = false
		return t
	}
	for i := range int(n) {
		e := b[16+32*i:]
		t.entries = append(t.entries, Region{GUID: guidAt(e), Offset: le.Uint64(e[16:]), Length: le.Uint32(e[24:]), Required: le.Uint32(e[28:])&1 != 0})
	}
	return t
}

// utf16le decodes UTF-16 little-endian text, stopping at a NUL.
func utf16le(b []byte) string {
	u := make([]uint16, 0, len(b)/2)
	for i := 0; i+1 < len(b); i += 2 {
		c := binary.LittleEndian.Uint16(b[i:])
		if c == 0 {
			break
		}
		u = append(u, c)
	}
	return string(utf16.Decode(u))
}

// checkRegion checks that a region lies inside the file, 1 MiB-aligned.
func checkRegion(f *container.File, name string, r Region) error {
	if r.Offset%mib != 0 || r.Offset < mib || r.Length == 0 || !f.Contains(int64(r.Offset), int64(r.Length)) {
		return f.Corrupt(region1At, "the %s region (%d bytes at offset %d) is not 1 MiB-aligned or does not lie inside the file (%d bytes): the file is truncated or the region table is damaged", name, r.Length, r.Offset, f.Size())
	}
	return nil
}
