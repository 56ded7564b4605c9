package memory

import (
	"encoding/binary"
	"fmt"
	"io"
	"time"
	"unicode/utf16"
)

// A Windows minidump (minidumpapiset.h; Microsoft's "MINIDUMP_HEADER"
// documentation) starts with MINIDUMP_HEADER:
//
//	offset 0  u32 Signature "MDMP"
//	offset 4  u32 Version: 0xA793 in the low 16 bits
//	offset 8  u32 NumberOfStreams
//	offset 12 u32 StreamDirectoryRva
//	offset 16 u32 CheckSum
//	offset 20 u32 TimeDateStamp, seconds since 1970 UTC
//	offset 24 u64 Flags (MINIDUMP_TYPE)
//
// The directory is NumberOfStreams MINIDUMP_DIRECTORY entries of 12 bytes
// (StreamType, DataSize, Rva), each locating a stream. Every RVA is an
// offset in the file. All little-endian.
const (
	mdHeaderSize = 32

	mdThreadList     = 3
	mdModuleList     = 4
	mdMemoryList     = 5
	mdSystemInfo     = 7
	mdMemory64List   = 9
	mdMiscInfo       = 15
	mdModuleSize     = 108 // MINIDUMP_MODULE
	mdThreadSize     = 48  // MINIDUMP_THREAD
	mdSystemInfoSize = 56  // MINIDUMP_SYSTEM_INFO
	mdMaxStreamBytes = 64 << 20
)

var mdStreamNames = map[uint32]string{
	0: "Unused", 1: "Reserved0", 2: "Reserved1", 3: "ThreadList", 4: "ModuleList", 5: "MemoryList",
	6: "Exception", 7: "SystemInfo", 8: "ThreadExList", 9: "Memory64List", 10: "CommentA", 11: "CommentW",
	12: "HandleData", 13: "FunctionTable", 14: "UnloadedModuleList", 15: "MiscInfo", 16: "MemoryInfoList",
	17: "ThreadInfoList", 18: "HandleOperationList", 19: "Token", 20: "JavaScriptData", 21: "SystemMemoryInfo",
	22: "ProcessVmCounters", 23: "IptTrace", 24: "ThreadNames",
	0x8000: "ceStreamNull", 0x8001: "ceStreamSystemInfo", 0x8002: "ceStreamException",
	0x8003: "ceStreamModuleList", 0x8004: "ceStreamProcessList", 0x8005: "ceStreamThreadList",
	0xFFFF: "LastReserved",
	// Breakpad's and LLVM's own streams (Crashpad, LLDB write them).
	0x47670001: "BreakpadInfo", 0x47670002: "AssertionInfo", 0x47670003: "LinuxCPUInfo", 0x47670004: "LinuxProcStatus",
	0x47670005: "LinuxLSBRelease", 0x47670006: "LinuxCMDLine", 0x47670007: "LinuxEnviron", 0x47670008: "LinuxAuxv",
	0x47670009: "LinuxMaps", 0x4767000A: "LinuxDSODebug",
}

// minidump is a minidump being described.
type minidump struct {
	r    io.ReaderAt
	size int64
	info *Info
}

func describeMinidump(r io.ReaderAt, size int64, info *Info) error {
	info.Format = FormatMinidump
	info.Description = "Windows minidump"
	var h [mdHeaderSize]byte
	if size < mdHeaderSize {
		info.warnf("the file has %d bytes, fewer than the %d of a minidump header", size, mdHeaderSize)
		return nil
	}
	if _, err := readFull(r, h[:], 0); err != nil {
		return err
	}
	le := binary.LittleEndian
	if v := le.Uint32(h[4:]) & 0xffff; v != 0xA793 {
		info.warnf("header version %#x is not the minidump version 0xa793", v)
	}
	count, dirAt := le.Uint32(h[8:]), int64(le.Uint32(h[12:]))
	if ts := le.Uint32(h[20:]); ts != 0 {
		info.Timestamp = time.Unix(int64(ts), 0).UTC()
	}
	if fit := max(size-dirAt, 0) / 12; int64(count) > fit {
		info.warnf("the header claims %d streams, but the directory at offset %d has room for %d in the file: %d are listed", count, dirAt, fit, fit)
		count = uint32(fit)
	}
	if count > MaxStreams {
		info.warnf("the header claims %d streams: the first %d are listed", count, MaxStreams)
		count = MaxStreams
	}
	dir := make([]byte, 12*int(count))
	if _, err := readFull(r, dir, dirAt); err != nil {
		return err
	}
	m := &minidump{r: r, size: size, info: info}
	for i := range int(count) {
		e := dir[12*i:]
		s := Stream{Type: le.Uint32(e), Size: le.Uint32(e[4:]), Offset: int64(le.Uint32(e[8:]))}
		s.Name = mdStreamNames[s.Type]
		if s.Name == "" {
			s.Name = fmt.Sprintf("%#x", s.Type)
		}
		info.Streams = append(info.Streams, s)
	}
	// The streams are read in the directory's order: the first of each
	// type counts (the format has one of each).
	seen := map[uint32]bool{}
	for _, s := range info.Streams {
		if seen[s.Type] {
			continue
		}
		seen[s.Type] = true
		var err error
		switch s.Type {
		case mdSystemInfo:
			err = m.systemInfo(s)
		case mdModuleList:
			err = m.moduleList(s)
		case mdThreadList:
			err = m.threadList(s)
		case mdMemoryList:
			err = m.memoryList(s)
		case mdMemory64List:
			err = m.memory64List(s)
		case mdMiscInfo:
			err = m.miscInfo(s)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// stream reads a stream's bytes, or warns and returns nil when they are
// not in the file.
func (m *minidump) stream(s Stream) ([]byte, error) {
	b, ok, err := readSpan(m.r, m.size, s.Offset, int64(s.Size), mdMaxStreamBytes)
	if err != nil {
		return nil, err
	}
	if !ok {
		m.info.warnf("stream %s claims %d bytes at offset %d, past the end of the file or over %d bytes: it is not read", s.Name, s.Size, s.Offset, mdMaxStreamBytes)
		return nil, nil
	}
	return b, nil
}

// list reads a stream that is a u32 count of fixed-size entries (after
// skip bytes of header), bounded by the stream's size and by limit.
func (m *minidump) list(s Stream, b []byte, skip, entry int, limit int, what string) (n int) {
	if len(b) < 4 {
		m.info.warnf("stream %s of %d bytes is too short for its count", s.Name, len(b))
		return 0
	}
	count := uint64(binary.LittleEndian.Uint32(b))
	if fit := uint64(max(len(b)-skip, 0) / entry); count > fit {
		m.info.warnf("stream %s claims %d %s but has room for %d: %d are listed", s.Name, count, what, fit, fit)
		count = fit
	}
	if count > uint64(limit) {
		m.info.warnf("stream %s claims %d %s: the first %d are listed", s.Name, count, what, limit)
		count = uint64(limit)
	}
	return int(count)
}

// systemInfo reads MINIDUMP_SYSTEM_INFO: ProcessorArchitecture u16,
// ProcessorLevel u16, ProcessorRevision u16, NumberOfProcessors u8,
// ProductType u8, MajorVersion, MinorVersion, BuildNumber, PlatformId,
// CSDVersionRva (u32 each), SuiteMask u16, Reserved2 u16, CPU (24 bytes).
func (m *minidump) systemInfo(s Stream) error {
	b, err := m.stream(s)
	if b == nil || err != nil {
		return err
	}
	if len(b) < mdSystemInfoSize-24 {
		m.info.warnf("stream SystemInfo of %d bytes is too short", len(b))
		return nil
	}
	le := binary.LittleEndian
	sys := &System{Machine: mdArch(le.Uint16(b)), Processors: int(b[6])}
	major, minor, build := le.Uint32(b[8:]), le.Uint32(b[12:]), le.Uint32(b[16:])
	sys.OSVersion, sys.Build = fmt.Sprintf("%d.%d.%d", major, minor, build), build
	sys.Platform = map[uint32]string{0: "Win32s", 1: "Win32 on Windows", 2: "Win32NT", 3: "WinCE", 0x8000: "Unix", 0x8101: "macOS", 0x8102: "iOS", 0x8201: "Linux", 0x8202: "Solaris", 0x8203: "Android", 0x8204: "PS3", 0x8205: "NaCl"}[le.Uint32(b[20:])]
	if sys.Platform == "" {
		sys.Platform = fmt.Sprintf("%#x", le.Uint32(b[20:]))
	}
	if rva := le.Uint32(b[24:]); rva != 0 {
		name, err := m.mdString(int64(rva))
		if err != nil {
			return err
		}
		sys.ServicePack = name
	}
	m.info.System = sys
	return nil
}

func mdArch(a uint16) string {
	switch a {
	case 0:
		return "x86"
	case 5:
		return "ARM"
	case 6:
		return "IA-64"
	case 9:
		return "x86-64"
	case 12:
		return "ARM64"
	case 0xffff:
		return "unknown"
	}
	return fmt.Sprintf("processor architecture %d", a)
}

// moduleList reads MINIDUMP_MODULE_LIST: NumberOfModules u32, then
// MINIDUMP_MODULE entries of 108 bytes: BaseOfImage u64, SizeOfImage,
// CheckSum, TimeDateStamp, ModuleNameRva (u32 each), VS_FIXEDFILEINFO (52
// bytes), CvRecord, MiscRecord (8 bytes each), two reserved u64.
func (m *minidump) moduleList(s Stream) error {
	b, err := m.stream(s)
	if b == nil || err != nil {
		return err
	}
	le := binary.LittleEndian
	n := m.list(s, b, 4, mdModuleSize, MaxModules, "modules")
	for i := range n {
		e := b[4+i*mdModuleSize:]
		mod := Module{Base: le.Uint64(e), Size: uint64(le.Uint32(e[8:]))}
		if ts := le.Uint32(e[16:]); ts != 0 {
			mod.Timestamp = time.Unix(int64(ts), 0).UTC()
		}
		name, err := m.mdString(int64(le.Uint32(e[20:])))
		if err != nil {
			return err
		}
		mod.Name = name
		m.info.Modules = append(m.info.Modules, mod)
	}
	return nil
}

// threadList reads MINIDUMP_THREAD_LIST: NumberOfThreads u32, then
// MINIDUMP_THREAD entries of 48 bytes: ThreadId, SuspendCount,
// PriorityClass, Priority (u32 each), Teb u64, Stack (StartOfMemoryRange
// u64, DataSize u32, Rva u32), ThreadContext (DataSize u32, Rva u32).
func (m *minidump) threadList(s Stream) error {
	b, err := m.stream(s)
	if b == nil || err != nil {
		return err
	}
	le := binary.LittleEndian
	n := m.list(s, b, 4, mdThreadSize, MaxThreads, "threads")
	for i := range n {
		e := b[4+i*mdThreadSize:]
		m.info.Threads = append(m.info.Threads, Thread{ID: int64(le.Uint32(e)), TEB: le.Uint64(e[16:]),
			StackStart: le.Uint64(e[24:]), StackSize: uint64(le.Uint32(e[32:]))})
	}
	return nil
}

// memoryList reads MINIDUMP_MEMORY_LIST: NumberOfMemoryRanges u32, then
// MINIDUMP_MEMORY_DESCRIPTOR entries of 16 bytes: StartOfMemoryRange u64,
// DataSize u32, Rva u32.
func (m *minidump) memoryList(s Stream) error {
	b, err := m.stream(s)
	if b == nil || err != nil {
		return err
	}
	le := binary.LittleEndian
	n := m.list(s, b, 4, 16, MaxRanges-len(m.info.Ranges), "memory ranges")
	for i := range n {
		e := b[4+i*16:]
		m.addRange(le.Uint64(e), uint64(le.Uint32(e[8:])), int64(le.Uint32(e[12:])))
	}
	return nil
}

// memory64List reads MINIDUMP_MEMORY64_LIST: NumberOfMemoryRanges u64,
// BaseRva u64, then MINIDUMP_MEMORY_DESCRIPTOR64 entries of 16 bytes
// (StartOfMemoryRange, DataSize, u64 each) whose bytes follow each other
// from BaseRva on.
func (m *minidump) memory64List(s Stream) error {
	b, err := m.stream(s)
	if b == nil || err != nil {
		return err
	}
	le := binary.LittleEndian
	if len(b) < 16 {
		m.info.warnf("stream Memory64List of %d bytes is too short for its count", len(b))
		return nil
	}
	count, at := le.Uint64(b), le.Uint64(b[8:])
	if fit := uint64(len(b)-16) / 16; count > fit {
		m.info.warnf("stream Memory64List claims %d memory ranges but has room for %d: %d are listed", count, fit, fit)
		count = fit
	}
	if limit := uint64(MaxRanges - len(m.info.Ranges)); count > limit {
		m.info.warnf("stream Memory64List claims %d memory ranges: the first %d are listed", count, limit)
		count = limit
	}
	for i := range int(count) {
		e := b[16+i*16:]
		start, n := le.Uint64(e), le.Uint64(e[8:])
		if at > uint64(m.size) {
			m.info.warnf("stream Memory64List: memory range %d of %d starts past the end of the file: the rest are not listed", i+1, count)
			return nil
		}
		m.addRange(start, n, int64(at))
		if n > uint64(m.size) {
			m.info.warnf("stream Memory64List: memory range %d of %d claims %d bytes, more than the file holds: the rest are not listed", i+1, count, n)
			return nil
		}
		at += n
	}
	return nil
}

func (m *minidump) addRange(start, n uint64, off int64) {
	end := start + n - 1
	if n == 0 {
		end = start
	}
	if off > m.size || n > uint64(m.size-off) {
		m.info.warnf("memory range %#x-%#x claims %d bytes at offset %d, past the end of the file", start, end, n, off)
	}
	m.info.Ranges = append(m.info.Ranges, Range{Start: start, End: end, Offset: off, Size: n})
}

// miscInfo reads the start of MINIDUMP_MISC_INFO: SizeOfInfo, Flags1,
// ProcessId (valid with flag 1), ProcessCreateTime (valid with flag 2;
// seconds since 1970 UTC), u32 each.
func (m *minidump) miscInfo(s Stream) error {
	b, err := m.stream(s)
	if b == nil || err != nil {
		return err
	}
	if len(b) < 16 {
		return nil // too short for what is read here; LLVM's tests write one byte
	}
	le := binary.LittleEndian
	flags := le.Uint32(b[4:])
	if flags&3 == 0 {
		return nil
	}
	if m.info.Process == nil {
		m.info.Process = &Process{}
	}
	if flags&1 != 0 {
		m.info.Process.PID = int64(le.Uint32(b[8:]))
	}
	if flags&2 != 0 {
		if t := le.Uint32(b[12:]); t != 0 {
			m.info.Process.CreateTime = time.Unix(int64(t), 0).UTC()
		}
	}
	return nil
}

// mdString reads the MINIDUMP_STRING at offset off: Length u32 (in bytes,
// without the terminating NUL), then UTF-16LE text.
func (m *minidump) mdString(off int64) (string, error) {
	var l [4]byte
	if off < 0 || off > m.size-4 {
		m.info.warnf("a name at offset %d is past the end of the file", off)
		return "", nil
	}
	if _, err := readFull(m.r, l[:], off); err != nil {
		return "", err
	}
	n := int64(binary.LittleEndian.Uint32(l[:]))
	if n > maxNameBytes {
		m.info.warnf("the name at offset %d claims %d bytes: its first %d are read", off, n, maxNameBytes)
		n = maxNameBytes
	}
	b, ok, err := readSpan(m.r, m.size, off+4, n&^1, maxNameBytes)
	if err != nil {
		return "", err
	}
	if !ok {
		m.info.warnf("the name at offset %d runs past the end of the file", off)
		return "", nil
	}
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return string(utf16.Decode(u)), nil
}
