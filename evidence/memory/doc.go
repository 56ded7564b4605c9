// Package memory recognises memory dumps and describes what their headers
// say, and finds the strings in any item's bytes.
//
// A memory dump is an item of kind "memory": a physical-memory image
// (LiME, a Windows full or kernel crash dump, a hibernation file, or raw
// memory without a header) or a process dump (an ELF core, a Windows
// minidump). Describe reads an item through an io.ReaderAt — the sealed
// item's casefile.EvidenceReader; nothing is extracted to disk — and
// returns an Info: the Format and, as far as the format tells them, the
// memory Ranges (address range and where its bytes are in the file), the
// Process, its Threads, its Modules (name, base, size), the Streams or
// Notes the dump consists of, the System it ran on, the Crash facts and
// the dump's Timestamp.
//
// Every parser here is our own (no Go library reads these formats), reads
// only the bytes it needs, and bounds every count it reads from the file
// (MaxRanges, MaxThreads, MaxModules, MaxStreams, …) before it allocates.
// A structure that is damaged, truncated or claims more entries than the
// bounds allow is described as far as it can be read, and Info.Warnings
// says what was left out: Describe fails only when the bytes cannot be
// read at all.
//
// Strings finds runs of printable characters in ASCII and UTF-16LE, with
// their offsets, in one streaming pass whose memory does not depend on the
// item's size; its hits are those of GNU strings -a -n N (ASCII) and
// strings -a -e l -n N (UTF-16LE), at the same offsets.
package memory
