package vdisk

import (
	"fmt"
	"io"

	"github.com/custodia-dfir/custodia/evidence/vdisk/internal/container"
	"github.com/custodia-dfir/custodia/evidence/vdisk/qcow2"
	"github.com/custodia-dfir/custodia/evidence/vdisk/vhd"
	"github.com/custodia-dfir/custodia/evidence/vdisk/vhdx"
	"github.com/custodia-dfir/custodia/evidence/vdisk/vmdk"
)

// Disk is an opened virtual disk. Every reader here (*vhd.Disk,
// *vhdx.Disk, *vmdk.Disk, *qcow2.Disk) implements it, and each is safe for
// concurrent use.
type Disk interface {
	// ReadAt reads the virtual disk's bytes (io.ReaderAt).
	io.ReaderAt
	// Size returns the virtual disk's size in bytes.
	Size() int64
	// Format returns "VHD", "VHDX", "VMDK" or "QCOW2".
	Format() string
	// SubFormat names the variant: "fixed", "dynamic", "v3",
	// "streamOptimized", …
	SubFormat() string
	// Files returns the container files the disk was read from, in order.
	Files() []string
	// Metadata returns what the container records, under keys prefixed by
	// the format in lower case ("vhd_uuid", "qcow2_cluster_size", …).
	Metadata() map[string]string
	// Warnings returns what was found wrong or unusual without refusing
	// the disk (a checksum that failed where a copy was intact, a
	// replayed log, an unclean-shutdown flag), one sentence each.
	Warnings() []string
	// Close closes the container files.
	Close() error
}

// Options changes how a disk is opened.
type Options struct {
	// AcceptBadChecksums opens a VHD or VHDX whose checksummed structures
	// fail their checksums with no intact copy, when their fields pass
	// every other check, recording a warning instead of returning
	// ErrChecksum.
	AcceptBadChecksums bool
}

// Open opens the virtual disk at path as the format Detect finds in it,
// read-only. For a VMDK, path is the descriptor (or a monolithic file);
// its extents are found by the names the descriptor gives. A file of no
// format here is an *Error wrapping ErrNotDisk.
func Open(path string, opts Options) (Disk, error) {
	f, err := DetectFile(path)
	if err != nil {
		return nil, err
	}
	if f == None {
		return nil, container.Errorf(ErrNotDisk, "", path, -1, "no virtual disk signature (VHD, VHDX, VMDK or QCOW2) at the start or end of the file")
	}
	return OpenAs(path, f, opts)
}

// OpenAs opens path as a disk of format f, whatever its content says (for
// a kind the user chose).
func OpenAs(path string, f Format, opts Options) (Disk, error) {
	// Each case returns its own concrete type, so that a nil pointer never
	// becomes a non-nil Disk.
	switch f {
	case VHD:
		d, err := vhd.Open(path, vhd.Options{AcceptBadChecksums: opts.AcceptBadChecksums})
		if err != nil {
			return nil, err
		}
		return d, nil
	case VHDX:
		d, err := vhdx.Open(path, vhdx.Options{AcceptBadChecksums: opts.AcceptBadChecksums})
		if err != nil {
			return nil, err
		}
		return d, nil
	case VMDK:
		d, err := vmdk.Open(path)
		if err != nil {
			return nil, err
		}
		return d, nil
	case QCOW2:
		d, err := qcow2.Open(path)
		if err != nil {
			return nil, err
		}
		return d, nil
	}
	return nil, fmt.Errorf("vdisk: unknown format %q", f)
}

// Files returns the files that make up the disk at path, by name and
// without opening the disk: path itself, and for a VMDK descriptor each
// extent file it names (whether or not it exists; Open reports a missing
// one). A folder walk calls it on every file Detect recognises, to keep
// the extents of a split VMDK from being taken for items of their own.
func Files(path string, f Format) ([]string, error) {
	if f == VMDK {
		return vmdk.Files(path)
	}
	return []string{path}, nil
}
