// Package volume reads the partition table of a disk image: MBR with
// extended and logical partitions, GPT (with its protective MBR, names and
// GUIDs), or none (an unpartitioned volume). It reads through an
// io.ReaderAt and never writes. It is Custodia's own parser, smaller and
// more exact about damage than go-diskfs (which wants an os.File-like
// backend and stops at the first problem): every count is bounded, a loop
// in the extended chain is cut and reported, and entries that point past
// the image are kept and marked.
package volume

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"strings"
	"unicode/utf16"
)

// Schemes of a Table.
const (
	SchemeNone = "none" // no partition table: the image is one volume
	SchemeMBR  = "mbr"
	SchemeGPT  = "gpt"
)

// Limits on what a table may claim.
const (
	maxLogical    = 256  // logical partitions in one extended chain
	maxGPTEntries = 4096 // GPT entries read (the spec's usual 128; some tools write more)
)

// ErrRead means the image could not be read where the table is.
var ErrRead = errors.New("volume: cannot read the partition table")

// Volume is one partition (or the whole image when there is no table).
type Volume struct {
	// Index names the volume in ITEM:VOLUME: MBR primary slots 1 to 4 and
	// logical partitions from 5 in chain order (as Linux numbers them), GPT
	// entry numbers from 1, and 1 for the whole unpartitioned image.
	Index  int    `json:"index"`
	Start  int64  `json:"start"` // byte offset in the image
	Size   int64  `json:"size"`  // bytes
	Type   string `json:"type"`  // "0x83 Linux", "Microsoft basic data", "whole image"
	TypeID string `json:"type_id,omitempty"`
	Name   string `json:"name,omitempty"` // GPT partition name
	GUID   string `json:"guid,omitempty"` // GPT unique partition GUID
	// Container is true for an MBR extended partition: it holds the
	// logical ones and has no file system of its own.
	Container bool `json:"container,omitempty"`
	// Problem says what is wrong with the entry ("extends 4096 bytes past
	// the end of the image"); "" when nothing is.
	Problem string `json:"problem,omitempty"`
	// FileSystem is filled by the caller that probes the volume.
	FileSystem string `json:"filesystem"`
}

// Table is what the image's partition table says.
type Table struct {
	Scheme     string   `json:"scheme"`
	SectorSize int      `json:"sector_size"`
	DiskGUID   string   `json:"disk_guid,omitempty"`
	Volumes    []Volume `json:"volumes"`
	// Warnings are problems with the table as a whole (a bad GPT CRC, a
	// loop in the extended chain); the volumes read are still listed.
	Warnings []string `json:"warnings,omitempty"`
}

// Read reads the partition table of an image of size bytes.
func Read(r io.ReaderAt, size int64) (t *Table, err error) {
	defer func() {
		if p := recover(); p != nil {
			t, err = nil, fmt.Errorf("volume: partition table parser failed: %v", p)
		}
	}()
	mbr := make([]byte, 512)
	if n, err := r.ReadAt(mbr, 0); n < len(mbr) {
		if size < 512 {
			return whole(size), nil
		}
		return nil, fmt.Errorf("%w: sector 0: %v", ErrRead, err)
	}
	if mbr[510] != 0x55 || mbr[511] != 0xAA || looksLikeBootSector(mbr) || !entriesSane(mbr) {
		return whole(size), nil
	}
	if hasProtective(mbr) {
		for _, ss := range []int{512, 4096} {
			if t, ok := readGPT(r, size, ss); ok {
				return t, nil
			}
		}
		t := readMBR(r, size, mbr)
		t.Warnings = append(t.Warnings, "the MBR is a protective MBR (type 0xEE) but no valid GPT header was found at LBA 1 (512- or 4096-byte sectors)")
		return t, nil
	}
	return readMBR(r, size, mbr), nil
}

func whole(size int64) *Table {
	return &Table{Scheme: SchemeNone, SectorSize: 512, Volumes: []Volume{{Index: 1, Start: 0, Size: size, Type: "whole image"}}}
}

// looksLikeBootSector is true for a FAT or NTFS volume boot record, which
// also ends in 55 AA but is not a partition table.
func looksLikeBootSector(s []byte) bool {
	if string(s[3:11]) == "NTFS    " || string(s[3:11]) == "EXFAT   " {
		return true
	}
	if s[0] != 0xEB && s[0] != 0xE9 {
		return false
	}
	bps := binary.LittleEndian.Uint16(s[11:])
	spc := s[13]
	if (bps == 512 || bps == 1024 || bps == 2048 || bps == 4096) && spc != 0 && spc&(spc-1) == 0 {
		return bytes.HasPrefix(s[54:], []byte("FAT")) || bytes.HasPrefix(s[82:], []byte("FAT")) || binary.LittleEndian.Uint16(s[14:]) > 0
	}
	return false
}

// entriesSane is true when the four primary entries have valid status
// bytes and at least one is used.
func entriesSane(s []byte) bool {
	used := false
	for i := 0; i < 4; i++ {
		e := s[446+16*i:]
		if e[0] != 0 && e[0] != 0x80 {
			return false
		}
		if e[4] != 0 {
			used = true
		}
	}
	return used
}

func hasProtective(s []byte) bool {
	for i := 0; i < 4; i++ {
		if s[446+16*i+4] == 0xEE {
			return true
		}
	}
	return false
}

// check marks v when it does not fit in the image.
func check(v *Volume, size int64) {
	switch {
	case v.Start >= size:
		v.Problem = fmt.Sprintf("starts at byte %d, past the end of the image (%d bytes)", v.Start, size)
	case v.Start+v.Size > size:
		v.Problem = fmt.Sprintf("extends %d bytes past the end of the image", v.Start+v.Size-size)
	}
}

func readMBR(r io.ReaderAt, size int64, s []byte) *Table {
	t := &Table{Scheme: SchemeMBR, SectorSize: 512}
	var ext *Volume
	for i := 0; i < 4; i++ {
		e := s[446+16*i:]
		typ := e[4]
		if typ == 0 {
			continue
		}
		v := Volume{Index: i + 1, Start: int64(binary.LittleEndian.Uint32(e[8:])) * 512,
			Size: int64(binary.LittleEndian.Uint32(e[12:])) * 512, TypeID: fmt.Sprintf("0x%02x", typ), Type: mbrTypeName(typ)}
		v.Container = isExtended(typ)
		check(&v, size)
		t.Volumes = append(t.Volumes, v)
		if v.Container && ext == nil {
			ext = &t.Volumes[len(t.Volumes)-1]
		}
	}
	if ext != nil {
		t.readLogical(r, size, ext.Start, ext.Size)
	}
	return t
}

// readLogical follows the chain of extended boot records.
func (t *Table) readLogical(r io.ReaderAt, size, extStart, extSize int64) {
	seen := map[int64]bool{}
	ebr := extStart
	s := make([]byte, 512)
	for n := 0; ; n++ {
		if n >= maxLogical {
			t.Warnings = append(t.Warnings, fmt.Sprintf("the extended partition chain has more than %d logical partitions; the rest are not listed", maxLogical))
			return
		}
		if seen[ebr] {
			t.Warnings = append(t.Warnings, fmt.Sprintf("the extended partition chain loops back to byte %d; listed up to the loop", ebr))
			return
		}
		seen[ebr] = true
		if k, _ := r.ReadAt(s, ebr); k < 512 {
			t.Warnings = append(t.Warnings, fmt.Sprintf("the extended boot record at byte %d cannot be read (past the end of the image?)", ebr))
			return
		}
		if s[510] != 0x55 || s[511] != 0xAA {
			t.Warnings = append(t.Warnings, fmt.Sprintf("the extended boot record at byte %d has no 55 AA signature", ebr))
			return
		}
		e := s[446:]
		if typ := e[4]; typ != 0 {
			v := Volume{Index: 5 + n, Start: ebr + int64(binary.LittleEndian.Uint32(e[8:]))*512,
				Size: int64(binary.LittleEndian.Uint32(e[12:])) * 512, TypeID: fmt.Sprintf("0x%02x", typ), Type: mbrTypeName(typ)}
			check(&v, size)
			if v.Problem == "" && (v.Start < extStart || v.Start+v.Size > extStart+extSize) {
				v.Problem = "lies outside its extended partition"
			}
			t.Volumes = append(t.Volumes, v)
		}
		link := s[446+16:]
		if link[4] == 0 || !isExtended(link[4]) {
			return
		}
		ebr = extStart + int64(binary.LittleEndian.Uint32(link[8:]))*512
	}
}

func isExtended(typ byte) bool { return typ == 0x05 || typ == 0x0F || typ == 0x85 }

func readGPT(r io.ReaderAt, size int64, ss int) (*Table, bool) {
	h := make([]byte, ss)
	if n, _ := r.ReadAt(h, int64(ss)); n < 92 || string(h[:8]) != "EFI PART" {
		return nil, false
	}
	t := &Table{Scheme: SchemeGPT, SectorSize: ss}
	hsize := binary.LittleEndian.Uint32(h[12:])
	if hsize < 92 || int(hsize) > ss {
		t.Warnings = append(t.Warnings, fmt.Sprintf("the GPT header claims %d bytes; read as 92", hsize))
		hsize = 92
	}
	want := binary.LittleEndian.Uint32(h[16:])
	hc := append([]byte(nil), h[:hsize]...)
	binary.LittleEndian.PutUint32(hc[16:], 0)
	if crc32.ChecksumIEEE(hc) != want {
		t.Warnings = append(t.Warnings, "the GPT header CRC does not match: the header is damaged or was altered")
	}
	t.DiskGUID = guid(h[56:72])
	lba := int64(binary.LittleEndian.Uint64(h[72:]))
	count := binary.LittleEndian.Uint32(h[80:])
	esize := binary.LittleEndian.Uint32(h[84:])
	ecrc := binary.LittleEndian.Uint32(h[88:])
	if esize < 128 || esize > 4096 || esize%8 != 0 {
		t.Warnings = append(t.Warnings, fmt.Sprintf("the GPT entry size %d is not valid (128 to 4096, a multiple of 8); no entries read", esize))
		return t, true
	}
	if count > maxGPTEntries {
		t.Warnings = append(t.Warnings, fmt.Sprintf("the GPT claims %d entries; the first %d are read", count, maxGPTEntries))
		count = maxGPTEntries
	}
	if lba <= 0 || lba > size/int64(ss) {
		t.Warnings = append(t.Warnings, fmt.Sprintf("the GPT entry array at LBA %d is outside the image", lba))
		return t, true
	}
	arr := make([]byte, int(count)*int(esize))
	n, _ := r.ReadAt(arr, lba*int64(ss))
	if n < len(arr) {
		t.Warnings = append(t.Warnings, fmt.Sprintf("the GPT entry array is cut short by the end of the image (%d of %d bytes)", n, len(arr)))
		arr = arr[:n-n%int(esize)]
	} else if binary.LittleEndian.Uint32(h[80:]) <= maxGPTEntries && crc32.ChecksumIEEE(arr) != ecrc {
		t.Warnings = append(t.Warnings, "the GPT entry array CRC does not match: the entries are damaged or were altered")
	}
	for i := 0; i*int(esize) < len(arr); i++ {
		e := arr[i*int(esize):]
		typ := guid(e[0:16])
		if typ == zeroGUID {
			continue
		}
		first := int64(binary.LittleEndian.Uint64(e[32:]))
		last := int64(binary.LittleEndian.Uint64(e[40:]))
		v := Volume{Index: i + 1, TypeID: typ, Type: gptTypeName(typ), GUID: guid(e[16:32]), Name: utf16Name(e[56:128])}
		if last < first || first < 0 || first > (1<<62)/int64(ss) || last > (1<<62)/int64(ss) {
			v.Problem = fmt.Sprintf("its LBAs are not valid (first %d, last %d)", first, last)
		} else {
			v.Start, v.Size = first*int64(ss), (last-first+1)*int64(ss)
			check(&v, size)
		}
		t.Volumes = append(t.Volumes, v)
	}
	return t, true
}

const zeroGUID = "00000000-0000-0000-0000-000000000000"

// guid formats a GPT GUID (first three fields little-endian).
func guid(b []byte) string {
	return fmt.Sprintf("%08X-%04X-%04X-%X-%X", binary.LittleEndian.Uint32(b), binary.LittleEndian.Uint16(b[4:]),
		binary.LittleEndian.Uint16(b[6:]), b[8:10], b[10:16])
}

func utf16Name(b []byte) string {
	u := make([]uint16, 0, len(b)/2)
	for i := 0; i+1 < len(b); i += 2 {
		c := binary.LittleEndian.Uint16(b[i:])
		if c == 0 {
			break
		}
		u = append(u, c)
	}
	return strings.ToValidUTF8(string(utf16.Decode(u)), "\uFFFD")
}

func mbrTypeName(t byte) string {
	names := map[byte]string{
		0x01: "FAT12", 0x04: "FAT16 <32M", 0x05: "Extended", 0x06: "FAT16", 0x07: "NTFS / exFAT", 0x0b: "FAT32",
		0x0c: "FAT32 (LBA)", 0x0e: "FAT16 (LBA)", 0x0f: "Extended (LBA)", 0x11: "Hidden FAT12", 0x27: "Windows recovery",
		0x82: "Linux swap", 0x83: "Linux", 0x85: "Linux extended", 0x8e: "Linux LVM", 0xa5: "FreeBSD", 0xa8: "Apple UFS",
		0xaf: "Apple HFS+", 0xee: "GPT protective", 0xef: "EFI system", 0xfd: "Linux RAID",
	}
	if n, ok := names[t]; ok {
		return fmt.Sprintf("0x%02x %s", t, n)
	}
	return fmt.Sprintf("0x%02x", t)
}

func gptTypeName(g string) string {
	names := map[string]string{
		"C12A7328-F81F-11D2-BA4B-00A0C93EC93B": "EFI system",
		"EBD0A0A2-B9E5-4433-87C0-68B6B72699C7": "Microsoft basic data",
		"E3C9E316-0B5C-4DB8-817D-F92DF00215AE": "Microsoft reserved",
		"DE94BBA4-06D1-4D40-A16A-BFD50179D6AC": "Windows recovery",
		"0FC63DAF-8483-4772-8E79-3D69D8477DE4": "Linux filesystem",
		"0657FD6D-A4AB-43C4-84E5-0933C84B4F4F": "Linux swap",
		"E6D6D379-F507-44C2-A23C-238F2A3DF928": "Linux LVM",
		"A19D880F-05FC-4D3B-A006-743F0F84911E": "Linux RAID",
		"21686148-6449-6E6F-744E-656564454649": "BIOS boot",
		"48465300-0000-11AA-AA11-00306543ECAC": "Apple HFS+",
		"7C3457EF-0000-11AA-AA11-00306543ECAC": "Apple APFS",
	}
	if n, ok := names[g]; ok {
		return n
	}
	return g
}
