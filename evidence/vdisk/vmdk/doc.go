// Package vmdk reads VMware virtual disks (VMDK) read-only: the descriptor
// and its extents, in the sub-formats monolithicSparse, streamOptimized,
// monolithicFlat, twoGbMaxExtentSparse, twoGbMaxExtentFlat and the flat,
// sparse and zero extents of custom and vmfs descriptors.
//
// Terms, after VMware's "Virtual Disk Format 5.0" technical note:
//
//   - descriptor: text ("# Disk DescriptorFile") with the disk's CID, its
//     parent's (parentCID, ffffffff for none), createType, the extent lines
//     (access, size in sectors, type, file name, offset) and the disk
//     database (ddb.*: geometry, adapter, uuid). It is a small file of its
//     own, or embedded in a monolithic sparse file.
//   - extent: a file holding a run of the disk's sectors: FLAT (raw bytes at
//     a sector offset), SPARSE (a hosted sparse extent, magic "KDMV") or
//     ZERO (no file; reads as zeros). A split set (twoGbMaxExtent*) has one
//     extent file per 2 GiB.
//   - sparse extent: a little-endian header (capacity, grain size, the
//     grain directory's offset, flags), a grain directory (GD) of 32-bit
//     sector offsets of grain tables (GT), each of numGTEsPerGT 32-bit
//     sector offsets of grains; 0 is a grain never written (zeros), 1 a
//     zeroed grain when the header allows it.
//   - streamOptimized: a sparse extent whose grains are zlib-compressed,
//     each behind a 12-byte grain marker (the grain's sector number and the
//     compressed size); its grain directory may be written after the grains
//     (GD_AT_END), with a copy of the header in a footer at the end.
//
// Refused: a child disk (parentCID set; ErrNeedsParent naming
// parentFileNameHint), encrypted disks (ErrEncrypted), ESX sparse (COWD,
// VMFSSPARSE), SESPARSE and raw-device extents (ErrUnsupported), extent
// names that leave the descriptor's folder, and an extent file of a split
// set opened without its descriptor.
package vmdk
