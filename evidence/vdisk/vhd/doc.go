// Package vhd reads Microsoft Virtual Hard Disk (VHD) images, the format of
// Virtual PC, early Hyper-V and of the disks Azure exports, read-only and
// with what the container can check checked.
//
// Terms, after Microsoft's "Virtual Hard Disk Image Format Specification"
// (version 1.0, 2006):
//
//   - footer: 512 bytes at the end of the file (cookie "conectix"): disk
//     type, current (virtual) size, CHS geometry, creator, time stamp,
//     unique id, and a checksum (one's complement of the byte sum). Images
//     written by old Virtual PC versions have a 511-byte footer.
//   - fixed disk: the disk's bytes as they are, followed by the footer.
//   - dynamic disk: a copy of the footer at offset 0, a dynamic disk header
//     (cookie "cxsparse", 1024 bytes, with its own checksum) giving the
//     block size and the block allocation table (BAT): one big-endian
//     32-bit sector offset per block, 0xFFFFFFFF for a block never
//     written, which reads as zeros. An allocated block is a sector bitmap
//     (one bit per sector, padded to whole sectors) followed by the block's
//     data.
//   - differencing disk: a dynamic disk whose unwritten sectors come from a
//     parent image, which the header names; it is refused with
//     ErrNeedsParent naming the parent.
//
// The virtual size is the footer's current size, as the specification
// says and as Hyper-V, Azure and qemu-img read it for the images they
// write; Virtual PC presented disks by their CHS geometry, and where that
// differs a warning says so. As qemu does, the sector bitmap of a dynamic
// disk is not consulted: the data of an allocated block is read as it is
// stored.
//
// Every error about the content of a file is a *container.Error (re-exported
// as vdisk.Error) wrapping one of vdisk's sentinels.
package vhd
