package qcow2

import (
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/custodia-dfir/custodia/evidence/vdisk/internal/container"
)

const (
	format = "QCOW2"
	magic  = "QFI\xfb"

	minClusterBits = 9
	maxClusterBits = 21
	// maxL1Bytes is qemu's own bound on the L1 table (QCOW_MAX_L1_SIZE).
	maxL1Bytes = 32 << 20
	// maxSize bounds the virtual size (qemu's limit is 2^63 bytes; 2^56 is
	// 64 PiB, more than any disk).
	maxSize = 1 << 56

	offsetMask = 0x00fffffffffffe00 // bits 9-55 of an L1 or L2 entry
	compressed = 1 << 62
	zeroFlag   = 1

	// Incompatible feature bits (version 3).
	incDirty        = 1 << 0
	incCorrupt      = 1 << 1
	incDataFile     = 1 << 2
	incCompression  = 1 << 3
	incExtendedL2   = 1 << 4
	incKnown        = incDirty | incCorrupt | incDataFile | incCompression | incExtendedL2
	compLazyRefcnts = 1 << 0

	// Header extension types.
	extEnd         = 0
	extBackingFmt  = 0xe2792aca
	extFeatureName = 0x6803f857
	extBitmaps     = 0x23852875
	extCrypto      = 0x0537be77
	extDataFile    = 0x44415441
)

// Header is the QCOW2 header as stored, with what its extensions add.
type Header struct {
	Version           uint32
	BackingFileOffset uint64
	BackingFileSize   uint32
	ClusterBits       uint32
	Size              uint64 // the virtual disk's size in bytes
	CryptMethod       uint32 // 0 none, 1 AES, 2 LUKS
	L1Size            uint32
	L1TableOffset     uint64
	RefcountOffset    uint64
	RefcountClusters  uint32
	Snapshots         uint32
	SnapshotsOffset   uint64
	Incompatible      uint64 // version 3
	Compatible        uint64
	Autoclear         uint64
	RefcountOrder     uint32 // 4 (16-bit refcounts) for version 2
	HeaderLength      uint32
	CompressionType   uint8 // 0 zlib, 1 zstd

	BackingFile   string
	BackingFormat string
	DataFile      string
	FeatureNames  map[string]string // "incompatible 3" → "compression type"
	HasBitmaps    bool
}

// ClusterSize returns the cluster size in bytes.
func (h *Header) ClusterSize() int64 { return 1 << h.ClusterBits }

// Compat returns qemu's name for the version: "0.10" or "1.1".
func (h *Header) Compat() string {
	if h.Version == 2 {
		return "0.10"
	}
	return "1.1"
}

// CompressionName returns "zlib" or "zstd".
func (h *Header) CompressionName() string {
	switch h.CompressionType {
	case 0:
		return "zlib"
	case 1:
		return "zstd"
	}
	return fmt.Sprintf("type %d", h.CompressionType)
}

// EncryptionName returns "none", "AES" or "LUKS".
func (h *Header) EncryptionName() string {
	switch h.CryptMethod {
	case 0:
		return "none"
	case 1:
		return "AES"
	case 2:
		return "LUKS"
	}
	return fmt.Sprintf("method %d", h.CryptMethod)
}

// readHeader reads and checks the header and its extensions.
func readHeader(f *container.File) (*Header, error) {
	if f.Size() < 72 {
		return nil, f.Fail(container.ErrNotDisk, -1, "the file is %d bytes, shorter than a QCOW2 header (72 bytes)", f.Size())
	}
	b := make([]byte, min(f.Size(), 4096))
	if err := f.ReadFull(b, 0, "the header"); err != nil {
		return nil, err
	}
	if string(b[:4]) != magic {
		return nil, f.Fail(container.ErrNotDisk, 0, `no QCOW2 magic ("QFI\xfb") at the start of the file`)
	}
	be := binary.BigEndian
	h := &Header{
		Version:           be.Uint32(b[4:]),
		BackingFileOffset: be.Uint64(b[8:]),
		BackingFileSize:   be.Uint32(b[16:]),
		ClusterBits:       be.Uint32(b[20:]),
		Size:              be.Uint64(b[24:]),
		CryptMethod:       be.Uint32(b[32:]),
		L1Size:            be.Uint32(b[36:]),
		L1TableOffset:     be.Uint64(b[40:]),
		RefcountOffset:    be.Uint64(b[48:]),
		RefcountClusters:  be.Uint32(b[56:]),
		Snapshots:         be.Uint32(b[60:]),
		SnapshotsOffset:   be.Uint64(b[64:]),
		RefcountOrder:     4,
		HeaderLength:      72,
	}
	switch h.Version {
	case 2:
	case 3:
		if len(b) < 104 {
			return nil, f.Corrupt(0, "the file is %d bytes, shorter than a version 3 header (104 bytes)", f.Size())
		}
		h.Incompatible = be.Uint64(b[72:])
		h.Compatible = be.Uint64(b[80:])
		h.Autoclear = be.Uint64(b[88:])
		h.RefcountOrder = be.Uint32(b[96:])
		h.HeaderLength = be.Uint32(b[100:])
		if h.HeaderLength < 104 || h.HeaderLength%8 != 0 || int(h.HeaderLength) > len(b) {
			return nil, f.Corrupt(100, "the header gives its length as %d bytes; a version 3 header is at least 104 bytes, a multiple of 8, inside the first cluster", h.HeaderLength)
		}
		if h.HeaderLength > 104 {
			h.CompressionType = b[104]
		}
	default:
		return nil, f.Fail(container.ErrUnsupported, 4, "QCOW2 version %d; versions 2 and 3 are read (version 1 is the old QCOW format)", h.Version)
	}
	if h.ClusterBits < minClusterBits || h.ClusterBits > maxClusterBits {
		return nil, f.Corrupt(20, "the header gives cluster_bits %d; QCOW2 clusters are 2^9 to 2^21 bytes", h.ClusterBits)
	}
	cs := h.ClusterSize()
	// Extensions: from the end of the header to the end of the first
	// cluster, each 8-byte aligned.
	end := min(int(cs), len(b))
	for off := int(h.HeaderLength); off+8 <= end; {
		typ, n := be.Uint32(b[off:]), int(be.Uint32(b[off+4:]))
		if typ == extEnd {
			break
		}
		data := off + 8
		if n > end-data {
			return nil, f.Corrupt(int64(off), "header extension 0x%08x gives a length of %d bytes, past the end of the first cluster", typ, n)
		}
		v := b[data : data+n]
		switch typ {
		case extBackingFmt:
			h.BackingFormat = text(v)
		case extDataFile:
			h.DataFile = text(v)
		case extBitmaps:
			h.HasBitmaps = true
		case extFeatureName:
			h.FeatureNames = map[string]string{}
			for k := 0; k+48 <= len(v); k += 48 {
				kind := map[byte]string{0: "incompatible", 1: "compatible", 2: "autoclear"}[v[k]]
				h.FeatureNames[fmt.Sprintf("%s %d", kind, v[k+1])] = text(v[k+2 : k+48])
			}
		}
		off = data + (n+7)&^7
	}
	if h.BackingFileOffset != 0 {
		n := int64(h.BackingFileSize)
		if n > 1023 || !f.Contains(int64(h.BackingFileOffset), n) || int64(h.BackingFileOffset)+n > cs {
			return nil, f.Corrupt(8, "the backing file name (%d bytes at offset %d) does not lie in the first cluster", n, h.BackingFileOffset)
		}
		name := make([]byte, n)
		if err := f.ReadFull(name, int64(h.BackingFileOffset), "the backing file name"); err != nil {
			return nil, err
		}
		h.BackingFile = string(name)
	}
	return h, nil
}

// text returns NUL-padded text as a string.
func text(b []byte) string {
	if i := strings.IndexByte(string(b), 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}
