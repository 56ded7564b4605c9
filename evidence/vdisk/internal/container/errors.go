// Package container holds what the virtual-disk readers of evidence/vdisk
// share: read-only container files, the error type and its sentinels, the
// block engine that turns "where is block i" into io.ReaderAt, a small
// page cache for on-disk tables and the bounded decompressors.
//
// It is internal: package vdisk re-exports the sentinels and the error
// type, and each format package builds on the rest.
package container

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors; every error of the vdisk packages about the content of
// a container wraps exactly one. Package vdisk re-exports them.
var (
	// ErrNotDisk means the file is not a virtual disk of the format it was
	// opened as.
	ErrNotDisk = errors.New("vdisk: not a virtual disk of this format")
	// ErrUnsupported means a sub-format or feature the readers do not read.
	ErrUnsupported = errors.New("vdisk: unsupported virtual disk variant")
	// ErrNeedsParent means the disk records only its differences from a
	// parent (differencing VHD/VHDX, VMDK child, QCOW2 with a backing
	// file); the *Error names the parent.
	ErrNeedsParent = errors.New("vdisk: disk needs its parent image")
	// ErrEncrypted means the disk's content is encrypted.
	ErrEncrypted = errors.New("vdisk: virtual disk is encrypted")
	// ErrCorrupt means a structure of the container is damaged, truncated
	// or inconsistent: a field out of range, a table entry pointing outside
	// the file, compressed data that does not decompress.
	ErrCorrupt = errors.New("vdisk: virtual disk is damaged")
	// ErrChecksum means a checksummed structure does not match its
	// checksum.
	ErrChecksum = errors.New("vdisk: checksum mismatch")
	// ErrMissingFile means a file the disk consists of (an extent of a
	// split VMDK) is not where the descriptor says.
	ErrMissingFile = errors.New("vdisk: a file of the virtual disk is missing")
)

// Error describes one problem with a virtual disk and where it is.
type Error struct {
	Kind   error  // one of the sentinels above
	Format string // "VHD", "VHDX", "VMDK" or "QCOW2"
	File   string // the container file, "" when not about one file
	Offset int64  // byte offset in File, -1 when not about a place in it
	What   string // what is wrong, for a person
	Hint   string // what a person can do about it, "" for the sentinel's
	Parent string // for ErrNeedsParent: the parent image as the disk names it
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Kind.Error())
	if e.Format != "" {
		b.WriteString(" (")
		b.WriteString(e.Format)
		b.WriteString(")")
	}
	b.WriteString(": ")
	if e.File != "" {
		b.WriteString(e.File)
		if e.Offset >= 0 {
			fmt.Fprintf(&b, ", at file offset %d", e.Offset)
		}
		b.WriteString(": ")
	}
	b.WriteString(e.What)
	return b.String()
}

// Unwrap returns the sentinel.
func (e *Error) Unwrap() error { return e.Kind }

// Errorf returns an *Error of kind about file at offset off (-1 for none).
func Errorf(kind error, format string, file string, off int64, what string, args ...any) *Error {
	return &Error{Kind: kind, Format: format, File: file, Offset: off, What: fmt.Sprintf(what, args...)}
}

// WithHint sets e's hint and returns e.
func (e *Error) WithHint(hint string) *Error {
	e.Hint = hint
	return e
}
