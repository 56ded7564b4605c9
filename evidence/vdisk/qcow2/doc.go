// Package qcow2 reads QEMU copy-on-write (QCOW2) images, versions 2
// (compat=0.10) and 3 (compat=1.1), the disks of KVM, OpenStack and most
// Linux clouds, read-only.
//
// Terms, after QEMU's docs/interop/qcow2.txt:
//
//   - header: big-endian, magic "QFI\xfb", version, the cluster size
//     (2^cluster_bits, 512 bytes to 2 MiB), the virtual size, the
//     encryption method, the L1 table's place and size, the snapshot count;
//     version 3 adds feature bit masks (incompatible, compatible,
//     autoclear), the header length and the compression type (zlib or
//     zstd). Header extensions follow it in the first cluster (backing
//     file format, feature names, external data file, encryption header).
//   - cluster: the unit of allocation. The disk's clusters are found
//     through two levels of tables: the L1 table (l1_size entries) points
//     to L2 tables, each one cluster of 64-bit entries; an L2 entry gives a
//     cluster's file offset, says it reads as zeros (version 3), that it is
//     unallocated (which reads as zeros, there being no backing file), or
//     that it is compressed, with its offset and a size in 512-byte sectors.
//   - compressed cluster: a raw deflate stream (compression type zlib) or a
//     Zstandard frame (zstd) that decompresses to one cluster, stored in
//     whole sectors.
//
// Refused: images with a backing file (ErrNeedsParent naming it),
// encrypted images (ErrEncrypted), an external data file, extended L2
// entries (subclusters) and incompatible features this package does not
// know (ErrUnsupported). Snapshots are not read: the disk is the active
// state, as qemu-img convert reads it; their number is kept. The dirty and
// corrupt flags are reported as warnings: the first concerns only
// reference counts, the second means qemu found the metadata inconsistent.
package qcow2
