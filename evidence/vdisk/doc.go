// Package vdisk opens the virtual disks that hypervisors and clouds write
// — VHD (Azure, Virtual PC), VHDX (Hyper-V), VMDK (VMware) and QCOW2 (KVM,
// OpenStack) — as the disk they hold: an io.ReaderAt over the virtual
// disk's bytes with its size, the container's own metadata, and what the
// container could check.
//
// Each format has its own package (vhd, vhdx, vmdk, qcow2); this one
// recognises a format from a file's first and last bytes (Detect,
// DetectFile), opens a file as whichever format it is (Open), lists the
// files a disk consists of (Files), and explains errors (Hint). Every
// reader opens its files read-only, reads unallocated regions as zeros,
// bounds every count, offset and table size it reads before use, and holds
// at most a few MiB of tables and blocks in memory whatever the disk's
// size.
//
// Errors about a container's content are *Error values wrapping one of
// the sentinels below: ErrNotDisk, ErrUnsupported, ErrNeedsParent,
// ErrEncrypted, ErrCorrupt, ErrChecksum and ErrMissingFile.
package vdisk
