package ewf

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"hash/adler32"
	"math"
)

// On-disk sizes, from libewf's "Expert Witness Compression Format" document.
const (
	fileHeaderSize   = 13   // signature, 0x01, segment number, 0x0000
	descriptorSize   = 76   // section descriptor
	tableHeaderSize  = 24   // entry count, padding, base offset, padding, Adler-32
	volumeSizeEnCase = 1052 // EnCase/FTK/linen volume, disk and data sections
	volumeSizeSMART  = 94   // EWF/SMART volume section
	hashSize         = 36   // MD5, 16 unknown bytes, Adler-32
	digestSize       = 80   // MD5, SHA-1, 40 bytes padding, Adler-32
	error2HeaderSize = 520  // entry count, 512 unknown bytes, Adler-32

	// compressedFlag marks a compressed chunk in a table entry.
	compressedFlag = 1 << 31
)

// Signatures at the start of a segment file.
const (
	sigEWF1  = "EVF\x09\x0d\x0a\xff\x00" // EWF, EWF-E01, EWF-S01
	sigLVF   = "LVF\x09\x0d\x0a\xff\x00" // EWF-L01 logical evidence
	sigEVF2  = "EVF2\x0d\x0a\x81\x00"    // EWF2-Ex01
	sigLEF2  = "LEF2\x0d\x0a\x81\x00"    // EWF2-Lx01
	sigBytes = 8
)

// Limits that keep a corrupt file from making the reader allocate much.
const (
	maxChunkSize = 64 << 20 // libewf allows 32768 sectors of 2 KiB; 64 MiB is ample
	maxSection   = 16 << 20 // header, hash and similar small sections
	maxHeader    = 1 << 20  // decompressed header text
	// maxRatio bounds how much media one stored byte can describe: deflate
	// cannot expand beyond about 1032:1, so a volume claiming more than
	// this times the size of all segment files is corrupt.
	maxRatio = 1100
)

// IsEWF reports whether head, the first bytes of a file, starts with an
// EWF signature of any variant (E01, S01, L01, Ex01, Lx01). Open tells the
// variants it cannot read apart with ErrUnsupported.
func IsEWF(head []byte) bool {
	if len(head) < sigBytes {
		return false
	}
	switch string(head[:sigBytes]) {
	case sigEWF1, sigLVF, sigEVF2, sigLEF2:
		return true
	}
	return false
}

// descriptor is a section descriptor.
type descriptor struct {
	typ  string
	off  int64 // where the descriptor starts in the segment file
	next int64 // where the next section starts
	size int64 // section size including the descriptor; 0 in some writers
}

// parseDescriptor decodes and checks the 76 bytes at off.
func parseDescriptor(b []byte, file string, off int64) (descriptor, error) {
	if got, want := adler32.Checksum(b[:72]), binary.LittleEndian.Uint32(b[72:76]); got != want {
		return descriptor{}, errAt(ErrChecksum, file, off, hintDamaged,
			"section descriptor checksum is %#08x, the descriptor's bytes give %#08x", want, got)
	}
	typ := b[:16]
	if i := bytes.IndexByte(typ, 0); i >= 0 {
		typ = typ[:i]
	}
	for _, c := range typ {
		if c < 0x20 || c > 0x7e {
			return descriptor{}, errAt(ErrFormat, file, off, hintDamaged, "section type %q is not text", typ)
		}
	}
	next, size := binary.LittleEndian.Uint64(b[16:24]), binary.LittleEndian.Uint64(b[24:32])
	if next > math.MaxInt64 || size > math.MaxInt64 {
		return descriptor{}, errAt(ErrFormat, file, off, hintDamaged, "section %q has an impossible next offset %d or size %d", typ, next, size)
	}
	return descriptor{typ: string(typ), off: off, next: int64(next), size: int64(size)}, nil
}

// volume is the geometry from a volume, disk or data section.
type volume struct {
	chunks         uint32
	sectorsPerChk  uint32
	bytesPerSector uint32
	sectors        uint64
	guid           [16]byte
	smart          bool // the 94-byte EWF/SMART layout
}

// parseVolume decodes volume section data (without the descriptor).
func parseVolume(b []byte, file string, off int64) (volume, error) {
	var v volume
	var n int
	switch {
	case len(b) >= volumeSizeEnCase:
		n = volumeSizeEnCase
		v.sectors = binary.LittleEndian.Uint64(b[16:24])
		copy(v.guid[:], b[64:80])
	case len(b) >= volumeSizeSMART:
		n = volumeSizeSMART
		v.sectors = uint64(binary.LittleEndian.Uint32(b[16:20]))
		v.smart = true
	default:
		return v, errAt(ErrFormat, file, off, hintDamaged, "volume section holds %d bytes, too few for any known layout", len(b))
	}
	if got, want := adler32.Checksum(b[:n-4]), binary.LittleEndian.Uint32(b[n-4:n]); got != want {
		return v, errAt(ErrChecksum, file, off, hintDamaged, "volume section checksum is %#08x, its data gives %#08x", want, got)
	}
	v.chunks = binary.LittleEndian.Uint32(b[4:8])
	v.sectorsPerChk = binary.LittleEndian.Uint32(b[8:12])
	v.bytesPerSector = binary.LittleEndian.Uint32(b[12:16])
	return v, nil
}

// sameGeometry reports whether two volume sections describe the same media.
func (v volume) sameGeometry(w volume) bool {
	return v.chunks == w.chunks && v.sectorsPerChk == w.sectorsPerChk && v.bytesPerSector == w.bytesPerSector &&
		v.sectors == w.sectors && v.guid == w.guid
}

// tableHeader is the start of a table or table2 section.
type tableHeader struct {
	count uint32
	base  uint64
}

func parseTableHeader(b []byte, file string, off int64) (tableHeader, error) {
	if got, want := adler32.Checksum(b[:20]), binary.LittleEndian.Uint32(b[20:24]); got != want {
		return tableHeader{}, errAt(ErrChecksum, file, off, hintDamaged, "table header checksum is %#08x, its data gives %#08x", want, got)
	}
	return tableHeader{count: binary.LittleEndian.Uint32(b[0:4]), base: binary.LittleEndian.Uint64(b[8:16])}, nil
}

// parseHash returns the MD5 from a hash section, "" when it is all zeros.
func parseHash(b []byte, file string, off int64) (string, error) {
	if len(b) < hashSize {
		return "", errAt(ErrFormat, file, off, hintDamaged, "hash section holds %d bytes, needs %d", len(b), hashSize)
	}
	if got, want := adler32.Checksum(b[:32]), binary.LittleEndian.Uint32(b[32:36]); got != want {
		return "", errAt(ErrChecksum, file, off, hintDamaged, "hash section checksum is %#08x, its data gives %#08x: the stored MD5 cannot be trusted", want, got)
	}
	return hexUnlessZero(b[:16]), nil
}

// parseDigest returns the MD5 and SHA-1 from a digest section.
func parseDigest(b []byte, file string, off int64) (md5, sha1 string, err error) {
	if len(b) < digestSize {
		return "", "", errAt(ErrFormat, file, off, hintDamaged, "digest section holds %d bytes, needs %d", len(b), digestSize)
	}
	if got, want := adler32.Checksum(b[:76]), binary.LittleEndian.Uint32(b[76:80]); got != want {
		return "", "", errAt(ErrChecksum, file, off, hintDamaged, "digest section checksum is %#08x, its data gives %#08x: the stored MD5 and SHA-1 cannot be trusted", want, got)
	}
	return hexUnlessZero(b[:16]), hexUnlessZero(b[16:36]), nil
}

func hexUnlessZero(b []byte) string {
	for _, c := range b {
		if c != 0 {
			return hex.EncodeToString(b)
		}
	}
	return ""
}
