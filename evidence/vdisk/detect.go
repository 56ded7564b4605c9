package vdisk

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/custodia-dfir/custodia/evidence/vdisk/internal/container"
	"github.com/custodia-dfir/custodia/evidence/vdisk/vmdk"
)

// Format is a virtual disk format.
type Format string

// The formats read here, and None for a file that is none of them.
const (
	None  Format = ""
	VHD   Format = "VHD"
	VHDX  Format = "VHDX"
	VMDK  Format = "VMDK"
	QCOW2 Format = "QCOW2"
)

// HeadSize and TailSize are how many of a file's first and last bytes
// Detect looks at.
const (
	HeadSize = 1024
	TailSize = 512
)

// Detect recognises a virtual disk format from the first bytes of a file
// (head, up to HeadSize) and its last bytes (tail, up to TailSize; nil
// when unknown): "vhdxfile", "QFI\xfb", "KDMV" (and "COWD"), a VMDK text
// descriptor, and "conectix" — at offset 0 for a dynamic VHD, in the
// footer at the end (the last 512 or, from old Virtual PC, 511 bytes) for
// a fixed one. It returns None for anything else, raw disk images
// included.
func Detect(head, tail []byte) Format {
	switch {
	case bytes.HasPrefix(head, []byte("vhdxfile")):
		return VHDX
	case bytes.HasPrefix(head, []byte("QFI\xfb")):
		return QCOW2
	case bytes.HasPrefix(head, []byte("KDMV")), bytes.HasPrefix(head, []byte("COWD")):
		return VMDK
	case bytes.HasPrefix(head, []byte("conectix")):
		return VHD
	case vmdk.IsDescriptor(head):
		return VMDK
	}
	if n := len(tail); n >= 512 && bytes.HasPrefix(tail[n-512:], []byte("conectix")) || n >= 511 && bytes.HasPrefix(tail[n-511:], []byte("conectix")) {
		return VHD
	}
	return None
}

// DetectFile reads the head and tail of the file at path (read-only, on
// Linux without changing its access time) and returns its format: None for
// a file of no format here, and for a file that is not regular.
func DetectFile(path string) (Format, error) {
	f, err := container.Open(path, "")
	if errors.Is(err, ErrNotDisk) {
		return None, nil // not a regular file
	}
	if err != nil {
		return None, err
	}
	defer f.Close()
	head := make([]byte, min(f.Size(), HeadSize))
	if _, err := f.ReadAt(head, 0); err != nil && err != io.EOF {
		return None, fmt.Errorf("vdisk: read %s: %w", path, err)
	}
	tail := make([]byte, min(f.Size(), TailSize))
	if _, err := f.ReadAt(tail, f.Size()-int64(len(tail))); err != nil && err != io.EOF {
		return None, fmt.Errorf("vdisk: read %s: %w", path, err)
	}
	return Detect(head, tail), nil
}
