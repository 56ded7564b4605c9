package vdisk

import (
	"errors"

	"github.com/custodia-dfir/custodia/evidence/vdisk/internal/container"
)

// Sentinel errors; every error the readers return about a container's
// content wraps exactly one of them. Test with errors.Is.
var (
	// ErrNotDisk means the file is not a virtual disk of the format it was
	// opened as (or of any format, from Open).
	ErrNotDisk = container.ErrNotDisk
	// ErrUnsupported means a sub-format or feature no reader here reads.
	ErrUnsupported = container.ErrUnsupported
	// ErrNeedsParent means a differencing disk, a VMDK child or a QCOW2
	// with a backing file: the *Error's Parent names the image it needs.
	ErrNeedsParent = container.ErrNeedsParent
	// ErrEncrypted means the disk's content is encrypted.
	ErrEncrypted = container.ErrEncrypted
	// ErrCorrupt means a structure of the container is damaged, truncated
	// or inconsistent; the message names the structure or table entry.
	ErrCorrupt = container.ErrCorrupt
	// ErrChecksum means a checksummed structure (VHD footer or dynamic
	// header, VHDX header, region table) fails its checksum and has no
	// intact copy, or a zlib stream's Adler-32 does not match.
	ErrChecksum = container.ErrChecksum
	// ErrMissingFile means a file the disk consists of (an extent of a
	// VMDK) is not where its descriptor says.
	ErrMissingFile = container.ErrMissingFile
)

// Error describes one problem with a virtual disk: its Kind (a sentinel),
// Format, File and Offset, what is wrong, a Hint when there is a specific
// one, and for ErrNeedsParent the Parent image.
type Error = container.Error

// Hint returns a sentence telling a person what to do about err, or ""
// when there is nothing useful to add: the error's own hint when it
// carries one, else one for its sentinel.
func Hint(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Hint != "" {
		return e.Hint
	}
	switch {
	case errors.Is(err, ErrNotDisk):
		return "the file is not a virtual disk of that format: ingest it as a raw image or a plain file, or choose the disk's own file"
	case errors.Is(err, ErrUnsupported):
		return "convert the disk to raw with the tool that wrote it (qemu-img convert -O raw disk.img disk.raw reads most), then ingest the raw image"
	case errors.Is(err, ErrNeedsParent):
		return "merge the disk with its parent into one image (qemu-img convert -O raw child merged.raw with the parent beside it), then ingest the merged image; ingest the parent too"
	case errors.Is(err, ErrEncrypted):
		return "decrypt the disk with the tool and key that encrypted it, then ingest the decrypted disk"
	case errors.Is(err, ErrChecksum):
		return "the container was changed or damaged after it was written: copy it again from the original medium; to read it as it is, open it accepting bad checksums, which records a warning"
	case errors.Is(err, ErrCorrupt):
		return "the file is damaged or incomplete (an interrupted copy or download?): copy it again from the original medium, and check it with qemu-img check"
	case errors.Is(err, ErrMissingFile):
		return "put every file of the disk in one folder under the names its descriptor gives, then open the descriptor again"
	}
	return ""
}
