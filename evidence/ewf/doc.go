// Package ewf reads Expert Witness Compression Format (EWF-E01) disk
// images, the ".E01" files written by EnCase, FTK Imager, linen and
// libewf's ewfacquire, read-only and with every checksum checked.
//
// Terms, after libewf's "Expert Witness Compression Format" document:
//
//   - segment: one file of an image (.E01, .E02, … .E99, .EAA, …). Each
//     starts with a 13-byte file header (signature "EVF\x09\x0d\x0a\xff\x00",
//     segment number) followed by sections back to back.
//   - section: a 76-byte descriptor (type, offset of the next section, size,
//     Adler-32 of the descriptor) and its data. The types read here are
//     header/header2/xheader (case metadata, zlib-compressed), volume/disk/data
//     (geometry), sectors (chunk data), table/table2 (where each chunk is),
//     hash/digest/xhash (the MD5 and SHA-1 the acquiring tool computed),
//     error2 (sectors the tool could not read) and next/done (end of a
//     segment / of the image).
//   - media: the acquired bytes; Size is sectors × bytes per sector.
//   - chunk: sectors-per-chunk × bytes-per-sector bytes of media (32 KiB by
//     default), stored either zlib-compressed (the zlib stream's own Adler-32
//     checks it) or raw followed by its Adler-32. The last chunk may be
//     shorter. A table entry gives a chunk's offset (31 bits, relative to
//     the table's base offset) and, in its top bit, whether it is compressed;
//     a chunk's stored size is the distance to the next entry, or to the end
//     of the section holding it for the last entry of a table.
//
// Every read of a chunk verifies its checksum; a mismatch is an *Error
// wrapping ErrChecksum that names the segment file, the chunk and the
// offsets. Nothing is trusted to size an allocation before it is checked
// against the size of the files. EWF2 (Ex01, Lx01) and logical evidence
// (L01) files are recognised and refused with ErrUnsupported.
//
// Not supported: EnCase 6.7.1 images whose 31-bit chunk offsets overflowed
// (libewf's "table entries offset overflow" corruption scenario), AD1 and
// FTK's AD-encrypted containers, and reading a segment set whose files
// were renamed to a different base name.
package ewf
