// Package vhdx reads Microsoft VHDX images, the disks of Hyper-V and
// Windows, read-only, with every CRC-32C the container holds checked.
//
// Terms, after Microsoft's [MS-VHDX] specification (version 1.0):
//
//   - file type identifier: "vhdxfile" and the creator's name (UTF-16) at
//     offset 0.
//   - headers: two copies (at 64 and 128 KiB), each with a CRC-32C and a
//     sequence number; the valid one with the higher number is current. It
//     gives the log's place and, when its LogGuid is not zero, says the log
//     holds writes not yet applied to the file.
//   - region tables: two identical copies (at 192 and 256 KiB), each with a
//     CRC-32C, locating the BAT region and the metadata region.
//   - metadata: items found by GUID in the metadata region's table: file
//     parameters (block size, whether blocks stay allocated, whether the
//     disk has a parent), virtual disk size, virtual disk id, logical and
//     physical sector sizes, and the parent locator of a differencing disk.
//   - BAT: one 64-bit entry per payload block (state in the low 3 bits,
//     file offset in MiB in the top 44), with a sector bitmap entry after
//     every chunk ratio = 2^23 × logical sector size / block size payload
//     entries. Blocks not present, undefined, zero or unmapped read as zeros.
//   - log: a circular buffer of entries, each with a CRC-32C, holding
//     4 KiB sector writes and zeroed ranges. A dirty log is replayed in
//     memory: the active sequence of entries is applied on top of the
//     file's bytes as they are read; the file is never written.
//
// A header or region table that fails its checksum while its other copy is
// intact is a warning; with no intact copy it is ErrChecksum unless
// Options.AcceptBadChecksums is set. A differencing disk (HasParent) is
// refused with ErrNeedsParent naming the parent its locator gives.
package vhdx
