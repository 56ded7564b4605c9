package evidence

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/gabriel-vasile/mimetype"
)

// ParseKind accepts "auto", "disk", "log", "memory" or "other".
func ParseKind(s string) (casefile.EvidenceKind, bool, error) {
	switch k := strings.ToLower(strings.TrimSpace(s)); k {
	case "", "auto":
		return "", true, nil
	case "disk", "log", "memory", "other":
		return casefile.EvidenceKind(k), false, nil
	}
	return "", false, fmt.Errorf("%w: unknown kind %q; use auto, disk, log, memory or other", casefile.ErrInvalid, s)
}

// DetectKind classifies an item from its first bytes (magic numbers first,
// they do not lie about content) and then its name.
func DetectKind(name string, head []byte) (casefile.EvidenceKind, string) {
	at := func(off int, magic string) bool {
		return len(head) >= off+len(magic) && string(head[off:off+len(magic)]) == magic
	}
	switch {
	case at(0, "EVF\x09\x0d\x0a\xff\x00"):
		return casefile.KindDisk, "Expert Witness (E01) image"
	// A virtual disk's container, when it is read as the file it is (a
	// fixed VHD's signature is in its footer: see openedSource.detectKind).
	case at(0, "conectix"):
		return casefile.KindDisk, "VHD virtual disk"
	case at(0, "vhdxfile"):
		return casefile.KindDisk, "VHDX virtual disk"
	case at(0, "KDMV"), at(0, "# Disk DescriptorFile"):
		return casefile.KindDisk, "VMDK virtual disk"
	case at(0, "QFI\xfb"):
		return casefile.KindDisk, "QCOW2 virtual disk"
	case at(512, "EFI PART"):
		return casefile.KindDisk, "GPT partition table"
	case at(3, "NTFS    "):
		return casefile.KindDisk, "NTFS volume"
	case at(54, "FAT12   "), at(54, "FAT16   "), at(82, "FAT32   "):
		return casefile.KindDisk, "FAT volume"
	case len(head) >= 1082 && binary.LittleEndian.Uint16(head[1080:1082]) == 0xEF53:
		return casefile.KindDisk, "ext2/3/4 volume"
	case at(0, "EMiL"):
		return casefile.KindMemory, "LiME memory image"
	case at(0, "PAGEDUMP"), at(0, "PAGEDU64"):
		return casefile.KindMemory, "Windows crash dump"
	case at(0, "MDMP\x93\xa7"):
		return casefile.KindMemory, "Windows minidump"
	case at(0, "hibr"), at(0, "HIBR"), at(0, "wake"), at(0, "WAKE"):
		return casefile.KindMemory, "Windows hibernation file"
	case at(0, "\x7fELF") && len(head) >= 18 && binary.LittleEndian.Uint16(head[16:18]) == 4:
		return casefile.KindMemory, "ELF core dump"
	case at(0, "ElfFile\x00"):
		return casefile.KindLog, "Windows event log (EVTX)"
	case at(510, "\x55\xaa") && !looksText(head):
		return casefile.KindDisk, "MBR partition table"
	}
	// Then the content types mimetype knows. Structured text is a log
	// whatever its name; an ISO 9660 image is a disk.
	mime := DetectMIME(head)
	switch mime {
	case "application/json", "application/x-ndjson", "text/csv", "text/xml", "application/xml", "text/tab-separated-values":
		return casefile.KindLog, "content type " + mime
	case "application/x-iso9660-image", "application/x-vhd", "application/x-vhdx", "application/x-vmdk", "application/x-qemu-disk":
		return casefile.KindDisk, "content type " + mime
	}
	ext := strings.ToLower(filepath.Ext(name))
	switch ext {
	case ".dd", ".raw", ".img", ".001", ".e01", ".iso", ".vhd", ".vhdx", ".vmdk", ".qcow2":
		return casefile.KindDisk, "file name " + ext
	case ".mem", ".dmp", ".lime", ".vmem", ".core":
		return casefile.KindMemory, "file name " + ext
	case ".log", ".evtx", ".json", ".jsonl", ".ndjson", ".csv", ".txt", ".syslog", ".gz":
		return casefile.KindLog, "file name " + ext
	}
	if looksText(head) {
		return casefile.KindLog, "text content"
	}
	// A document, picture, archive or program mimetype recognises is
	// "other", and the reason names it. Weak signatures (a byte pair that
	// random data matches one time in 65536) come after the file name above.
	if mime != "application/octet-stream" && mime != "application/x-empty" && !strings.HasPrefix(mime, "text/") {
		return casefile.KindOther, "content type " + mime
	}
	return casefile.KindOther, "no known signature"
}

// detectKind classifies the source being ingested: a virtual disk is a
// disk by its container's signature (and the reason names the format and
// what its content starts with); any other source is what DetectKind makes
// of its first bytes and its file's own name (a split image is named
// "disk", but its first segment "disk.001" says it is a disk); a split raw
// image of no known signature is a disk.
func (s *openedSource) detectKind() (casefile.EvidenceKind, string) {
	if s.vd != nil {
		why := fmt.Sprintf("%s virtual disk (%s)", s.vd.Format(), s.vd.SubFormat())
		if k, content := DetectKind("", s.head); k == casefile.KindDisk {
			why += " holding: " + content
		}
		return casefile.KindDisk, why
	}
	k, why := DetectKind(filepath.Base(s.spec.path), s.head)
	if s.spec.format == FormatSplitRaw && k == casefile.KindOther && why == "no known signature" {
		// Cut into numbered pieces by an imaging tool: a raw image.
		return casefile.KindDisk, "split raw image, no known signature"
	}
	return k, why
}

// DetectMIME is the content type of an item's first bytes as
// github.com/gabriel-vasile/mimetype sees it, without parameters
// ("application/pdf", "text/plain"), and "application/octet-stream" when it
// knows none; an empty item is "application/x-empty" (mimetype would call
// it text/plain). It is recorded with every item.
func DetectMIME(head []byte) string {
	if len(head) == 0 {
		return "application/x-empty"
	}
	mt, _, _ := strings.Cut(mimetype.Detect(head).String(), ";")
	return strings.TrimSpace(mt)
}

// looksText reports whether head is (mostly) UTF-8 text: logs are.
func looksText(head []byte) bool {
	if len(head) == 0 || bytes.IndexByte(head, 0) >= 0 {
		return false
	}
	// The head may end mid-rune.
	for i := 0; i < 3 && len(head) > 0 && !utf8.Valid(head); i++ {
		head = head[:len(head)-1]
	}
	if !utf8.Valid(head) {
		return false
	}
	ctrl := 0
	for _, b := range head {
		if b < 0x20 && b != '\n' && b != '\r' && b != '\t' {
			ctrl++
		}
	}
	return ctrl*100 <= len(head)
}
