package memory

import (
	"errors"
	"fmt"
	"io"
	"time"
)

// Format names the kind of memory dump an item is, as `memory info` prints
// it.
type Format string

// The formats Describe recognises.
const (
	FormatLiME      Format = "lime"      // LiME (Linux Memory Extractor) image
	FormatELFCore   Format = "elf-core"  // ELF core file (gcore, the kernel's core dumps)
	FormatMinidump  Format = "minidump"  // Windows minidump (MDMP)
	FormatCrashDump Format = "crashdump" // Windows full or kernel crash dump (PAGEDUMP, PAGEDU64)
	FormatHiberfil  Format = "hiberfil"  // Windows hibernation file, by its signature only
	FormatRaw       Format = "raw"       // no header: raw memory, or not a memory dump at all
)

// Bounds on what Describe reads from a file. A count in a file larger than
// its bound is read up to the bound, with a warning.
const (
	MaxRanges      = 1 << 16 // memory ranges (LiME ranges, PT_LOAD segments, minidump memory lists, crash-dump runs)
	MaxThreads     = 1 << 14 // threads (NT_PRSTATUS notes, minidump thread list)
	MaxModules     = 1 << 14 // modules (minidump module list)
	MaxMappedFiles = 1 << 16 // NT_FILE entries
	MaxStreams     = 1 << 12 // minidump streams
	MaxNotes       = 1 << 16 // ELF notes
	maxNoteBytes   = 64 << 20
	maxNameBytes   = 1 << 15 // one module name, one mapped file's path
)

// Info is what a memory dump's headers say. Fields a format does not have
// are empty. Addresses are virtual for process dumps (ELF core, minidump)
// and physical for the others.
type Info struct {
	Format      Format
	Description string // e.g. "LiME memory image, version 1"
	Size        int64  // of the whole item

	Ranges      []Range
	Process     *Process
	Threads     []Thread
	Modules     []Module
	MappedFiles []MappedFile
	Streams     []Stream // minidump streams
	Notes       []Note   // ELF core notes
	System      *System
	Crash       *Crash
	Timestamp   time.Time // when the dump was written, UTC; zero when the dump does not say

	// Warnings says, for a person, what could not be read or was left out
	// (a count over its bound, a structure past the end of the file). A
	// description with warnings is partial.
	Warnings []string
}

func (in *Info) warnf(format string, args ...any) {
	in.Warnings = append(in.Warnings, fmt.Sprintf(format, args...))
}

// Range is a range of memory addresses held in the file: the bytes of
// Start to End (inclusive) are the Size bytes at Offset in the file.
type Range struct {
	Start, End uint64
	Offset     int64
	Size       uint64
}

// Process is the process a process dump was taken of.
type Process struct {
	PID, PPID, PGRP, SID int64
	UID, GID             int64
	Name                 string // pr_fname: the program's name, at most 15 bytes
	Args                 string // pr_psargs: the start of its command line, at most 80 bytes
	State                string // pr_sname: R, S, D, T, Z
	// CreateTime is when the process started (minidump MiscInfo), UTC.
	CreateTime time.Time
}

// Thread is one thread of a process dump.
type Thread struct {
	ID     int64
	Signal int    // the signal that stopped it (ELF core pr_cursig)
	PC     uint64 // its instruction pointer where the format and machine say (x86, x86-64 ELF cores)
	// Stack is the thread's stack (minidump); zero when the dump does not say.
	StackStart, StackSize uint64
	TEB                   uint64 // minidump: the thread environment block
}

// Module is a loaded image (EXE, DLL) of a minidump.
type Module struct {
	Name      string
	Base      uint64
	Size      uint64
	Timestamp time.Time // the image's link time (PE TimeDateStamp), UTC
}

// MappedFile is a file mapped into a process (ELF core NT_FILE): the
// addresses Start to End (exclusive, as the kernel writes it) map the file
// at Path from byte Offset on.
type MappedFile struct {
	Start, End uint64
	Offset     uint64
	Path       string
}

// Stream is one entry of a minidump's stream directory.
type Stream struct {
	Type   uint32
	Name   string // ThreadList, ModuleList, SystemInfo, … or the type in hex
	Size   uint32
	Offset int64
}

// Note is one note of an ELF core's PT_NOTE segments.
type Note struct {
	Owner  string // CORE, LINUX, GNU
	Type   uint32
	Name   string // NT_PRSTATUS, NT_PRPSINFO, NT_FILE, … or the type in hex
	Size   uint32 // of its descriptor
	Offset int64  // of its descriptor in the file
}

// System is what a dump says about the machine it was taken on.
type System struct {
	Machine     string // x86-64, x86, ARM64, …
	Processors  int
	OSVersion   string // e.g. "10.0.19041" or "15.2600" (crash dumps: major version and build)
	Build       uint32
	Platform    string // Win32NT, …
	ServicePack string
}

// Crash is what a crash dump says about the crash.
type Crash struct {
	DumpType       string // full, kernel, bitmap full, …
	BugCheckCode   uint32
	BugCheckParams [4]uint64
	Comment        string
	// PhysicalPages is the number of physical pages the runs describe.
	PhysicalPages uint64
}

// Describe recognises the memory dump in the size bytes of r by its
// header and returns what the header says. An item with no known header is
// FormatRaw. It fails only when r fails to read.
func Describe(r io.ReaderAt, size int64) (*Info, error) {
	head := make([]byte, min(size, 64))
	if _, err := readFull(r, head, 0); err != nil {
		return nil, err
	}
	info := &Info{Size: size}
	var err error
	switch f := Detect(head); f {
	case FormatLiME:
		err = describeLiME(r, size, info)
	case FormatELFCore:
		err = describeELFCore(r, size, info)
	case FormatMinidump:
		err = describeMinidump(r, size, info)
	case FormatCrashDump:
		err = describeCrashDump(r, size, info)
	case FormatHiberfil:
		info.Format = FormatHiberfil
		info.Description = fmt.Sprintf("Windows hibernation file (signature %q); its compressed memory is not described", head[:4])
	default:
		info.Format = FormatRaw
		info.Description = "no memory-dump header: raw memory from address 0, or not a memory dump"
		if size > 0 {
			info.Ranges = []Range{{Start: 0, End: uint64(size) - 1, Offset: 0, Size: uint64(size)}}
		}
	}
	if err != nil {
		return nil, err
	}
	return info, nil
}

// Detect returns the format a dump's first bytes (at least 20 of them)
// name, or FormatRaw.
func Detect(head []byte) Format {
	at := func(magic string) bool { return len(head) >= len(magic) && string(head[:len(magic)]) == magic }
	switch {
	case at(limeMagic):
		return FormatLiME
	case at("\x7fELF") && len(head) >= 18 && elfType(head) == 4: // ET_CORE
		return FormatELFCore
	case at("MDMP"):
		return FormatMinidump
	case at("PAGEDUMP"), at("PAGEDU64"):
		return FormatCrashDump
	case at("hibr"), at("HIBR"), at("wake"), at("WAKE"), at("RSTR"), at("rstr"):
		return FormatHiberfil
	}
	return FormatRaw
}

func elfType(head []byte) uint16 {
	if head[5] == 2 { // ELFDATA2MSB
		return uint16(head[16])<<8 | uint16(head[17])
	}
	return uint16(head[16]) | uint16(head[17])<<8
}

// readFull reads len(p) bytes at off; a short read is io.ErrUnexpectedEOF.
func readFull(r io.ReaderAt, p []byte, off int64) (int, error) {
	n, err := r.ReadAt(p, off)
	if n == len(p) {
		return n, nil
	}
	if err == nil || errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return n, err
}

// readSpan reads n bytes at off when they lie inside the size bytes of r
// and n is at most limit; ok is false (and err nil) when they do not.
func readSpan(r io.ReaderAt, size, off, n, limit int64) (b []byte, ok bool, err error) {
	if off < 0 || n < 0 || n > limit || off > size || n > size-off {
		return nil, false, nil
	}
	b = make([]byte, n)
	if _, err := readFull(r, b, off); err != nil {
		return nil, false, err
	}
	return b, true, nil
}

// byteCount is "1 byte" or "N bytes".
func byteCount(n int64) string {
	if n == 1 {
		return "1 byte"
	}
	return fmt.Sprintf("%d bytes", n)
}
