package vhd

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/google/uuid"

	"github.com/custodia-dfir/custodia/evidence/vdisk/internal/container"
)

const (
	format     = "VHD"
	footerSize = 512
	sector     = 512
	headerSize = 1024 // dynamic disk header

	cookieFooter  = "conectix"
	cookieDynamic = "cxsparse"

	typeFixed        = 2
	typeDynamic      = 3
	typeDifferencing = 4

	unusedBlock = 0xFFFFFFFF

	// maxBlockSize bounds the block size read from a header; the
	// specification's default is 2 MiB and Hyper-V writes up to 256 MiB.
	maxBlockSize = 256 << 20
	// maxSize is the largest virtual size accepted (2 TiB is the format's
	// own limit; Azure's is 4 TiB with 2 MiB blocks, far below 64 TiB).
	maxSize = 64 << 40
)

// vhdEpoch is the origin of the footer's time stamp.
var vhdEpoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// Options changes how Open treats a damaged image.
type Options struct {
	// AcceptBadChecksums opens an image whose footer or dynamic header
	// fails its checksum (and has no intact copy) when its fields pass
	// every other check, recording a warning, instead of refusing it with
	// ErrChecksum.
	AcceptBadChecksums bool
}

// Footer is the VHD footer as stored.
type Footer struct {
	Features       uint32
	Version        uint32 // 0x00010000
	DataOffset     uint64 // offset of the dynamic disk header; all ones for a fixed disk
	Created        time.Time
	CreatorApp     string // "vpc ", "vs  ", "win ", "qemu", "qem2", "d2v ", …
	CreatorVersion uint32
	CreatorHostOS  string // "Wi2k", "Mac "
	OriginalSize   uint64
	CurrentSize    uint64
	Cylinders      uint16
	Heads          uint8
	SectorsPerCyl  uint8 // sectors per track
	DiskType       uint32
	Checksum       uint32 // as stored
	ChecksumOK     bool   // whether Checksum matches the footer's bytes
	UniqueID       uuid.UUID
	SavedState     bool
}

// checksum returns the one's complement of the sum of b's bytes, the
// bytes at [skip, skip+4) (the checksum field) counted as zero.
func checksum(b []byte, skip int) uint32 {
	var sum uint32
	for i, c := range b {
		if i >= skip && i < skip+4 {
			continue
		}
		sum += uint32(c)
	}
	return ^sum
}

// parseFooter decodes a footer; ok is false when the cookie is missing.
func parseFooter(b []byte) (Footer, bool) {
	if len(b) < footerSize-1 || string(b[:8]) != cookieFooter {
		return Footer{}, false
	}
	be := binary.BigEndian
	f := Footer{
		Features:       be.Uint32(b[8:]),
		Version:        be.Uint32(b[12:]),
		DataOffset:     be.Uint64(b[16:]),
		Created:        vhdEpoch.Add(time.Duration(be.Uint32(b[24:])) * time.Second),
		CreatorApp:     string(b[28:32]),
		CreatorVersion: be.Uint32(b[32:]),
		CreatorHostOS:  string(b[36:40]),
		OriginalSize:   be.Uint64(b[40:]),
		CurrentSize:    be.Uint64(b[48:]),
		Cylinders:      be.Uint16(b[56:]),
		Heads:          b[58],
		SectorsPerCyl:  b[59],
		DiskType:       be.Uint32(b[60:]),
		Checksum:       be.Uint32(b[64:]),
		SavedState:     b[84] != 0,
	}
	copy(f.UniqueID[:], b[68:84])
	f.ChecksumOK = checksum(b[:min(len(b), footerSize)], 64) == f.Checksum
	return f, true
}

// Creator returns the creator as a person reads it: "qemu 5.3 on Wi2k".
func (f Footer) Creator() string {
	app := strings.TrimRight(strings.Map(printable, f.CreatorApp), " ")
	s := fmt.Sprintf("%s %d.%d", app, f.CreatorVersion>>16, f.CreatorVersion&0xFFFF)
	if host := strings.TrimRight(strings.Map(printable, f.CreatorHostOS), " "); host != "" {
		s += " on " + host
	}
	return s
}

// printable keeps printable ASCII and drops the rest (NUL padding).
func printable(r rune) rune {
	if r < 0x20 || r > 0x7e {
		return -1
	}
	return r
}

// CHSSize returns the size the CHS geometry describes, which Virtual PC
// (and qemu for images whose creator is "vpc " or "qemu") presents.
func (f Footer) CHSSize() int64 {
	return int64(f.Cylinders) * int64(f.Heads) * int64(f.SectorsPerCyl) * sector
}

// TypeName names the disk type.
func (f Footer) TypeName() string {
	switch f.DiskType {
	case typeFixed:
		return "fixed"
	case typeDynamic:
		return "dynamic"
	case typeDifferencing:
		return "differencing"
	}
	return fmt.Sprintf("type %d", f.DiskType)
}

// DynamicHeader is the dynamic disk header as stored.
type DynamicHeader struct {
	TableOffset     uint64 // the BAT's file offset
	Version         uint32
	MaxTableEntries uint32
	BlockSize       uint32
	Checksum        uint32
	ChecksumOK      bool
	ParentID        uuid.UUID
	ParentTime      time.Time
	ParentName      string    // UTF-16 big-endian in the file
	ParentLocators  []Locator // the non-empty ones
}

// Locator is a parent locator entry of a differencing disk.
type Locator struct {
	Platform string // "W2ru" relative path, "W2ku" absolute path, "Wi2r", "Wi2k", "Mac ", "MacX"
	Path     string // decoded where the platform code says how, "" when unread
	Offset   uint64
	Length   uint32
}

func parseDynamic(b []byte) (DynamicHeader, bool) {
	if len(b) < headerSize || string(b[:8]) != cookieDynamic {
		return DynamicHeader{}, false
	}
	be := binary.BigEndian
	h := DynamicHeader{
		TableOffset:     be.Uint64(b[16:]),
		Version:         be.Uint32(b[24:]),
		MaxTableEntries: be.Uint32(b[28:]),
		BlockSize:       be.Uint32(b[32:]),
		Checksum:        be.Uint32(b[36:]),
		ParentTime:      vhdEpoch.Add(time.Duration(be.Uint32(b[56:])) * time.Second),
		ParentName:      utf16String(b[64:576], binary.BigEndian),
	}
	copy(h.ParentID[:], b[40:56])
	h.ChecksumOK = checksum(b[:headerSize], 36) == h.Checksum
	for i := range 8 {
		e := b[576+24*i:]
		code := string(e[:4])
		if be.Uint32(e[:4]) == 0 {
			continue
		}
		h.ParentLocators = append(h.ParentLocators, Locator{Platform: code, Length: be.Uint32(e[8:]), Offset: be.Uint64(e[16:])})
	}
	return h, true
}

// utf16String decodes NUL-terminated UTF-16 text.
func utf16String(b []byte, order binary.ByteOrder) string {
	u := make([]uint16, 0, len(b)/2)
	for i := 0; i+1 < len(b); i += 2 {
		c := order.Uint16(b[i:])
		if c == 0 {
			break
		}
		u = append(u, c)
	}
	return string(utf16.Decode(u))
}

// readLocator decodes a parent locator's path, bounded to 64 KiB.
func readLocator(f *container.File, l *Locator) {
	if l.Length == 0 || l.Length > 64<<10 || !f.Contains(int64(l.Offset), int64(l.Length)) {
		return
	}
	b := make([]byte, l.Length)
	if f.ReadFull(b, int64(l.Offset), "a parent locator") != nil {
		return
	}
	switch l.Platform {
	case "W2ru", "W2ku":
		l.Path = utf16String(b, binary.LittleEndian)
	case "MacX":
		l.Path = string(bytes.TrimRight(b, "\x00"))
	}
}
