package memory

import (
	"encoding/binary"
	"fmt"
	"io"
	"time"
)

// A Windows crash dump (a complete or kernel memory dump, MEMORY.DMP)
// starts with DUMP_HEADER32 ("PAGEDUMP", 4096 bytes) or DUMP_HEADER64
// ("PAGEDU64", 8192 bytes), as WinDbg and the Windows DDK define them.
// Windows fills the header with the word "PAGE" before it writes the
// fields it knows, so a field that still reads "PAGE" was not set. The
// offsets used here:
//
//	                     32-bit  64-bit
//	MajorVersion         0x08    0x08   0xF free build, 0xC checked build
//	MinorVersion         0x0C    0x0C   the Windows build number
//	MachineImageType     0x20    0x30   IMAGE_FILE_MACHINE_*
//	NumberProcessors     0x24    0x34
//	BugCheckCode         0x28    0x38
//	BugCheckParameter1-4 0x2C    0x40   4 bytes each / 8 bytes each
//	PhysicalMemoryBlock  0x64    0x88   NumberOfRuns u32, NumberOfPages, runs of (BasePage, PageCount)
//	Comment[128]         0x820   0xFB0
//	DumpType             0xF88   0xF98
//	SystemTime           0xFC0   0xFA8  FILETIME
//
// In a full dump (DumpType 1) the pages of the runs follow the header, in
// the order of the runs; other dump types place pages by a bitmap or a
// triage layout, which is not described here.
const (
	pageWord32 = 0x45474150 // "PAGE" read as a little-endian u32
	pageWord64 = 0x4547415045474150
	pageSize   = 4096
)

type crashLayout struct {
	header                     int64
	machine, cpus, bugcheck    int
	params, paramSize          int
	runs, pagesSize, runsAt    int
	runSize, maxRuns           int
	comment, dumpType, sysTime int
}

var (
	crash32 = crashLayout{header: 0x1000, machine: 0x20, cpus: 0x24, bugcheck: 0x28, params: 0x2C, paramSize: 4,
		runs: 0x64, pagesSize: 4, runsAt: 0x6C, runSize: 8, maxRuns: (700 - 8) / 8,
		comment: 0x820, dumpType: 0xF88, sysTime: 0xFC0}
	crash64 = crashLayout{header: 0x2000, machine: 0x30, cpus: 0x34, bugcheck: 0x38, params: 0x40, paramSize: 8,
		runs: 0x88, pagesSize: 8, runsAt: 0x98, runSize: 16, maxRuns: (704 - 16) / 16,
		comment: 0xFB0, dumpType: 0xF98, sysTime: 0xFA8}
)

var dumpTypes = map[uint32]string{1: "full", 2: "kernel", 3: "header only", 4: "triage", 5: "bitmap full", 6: "bitmap kernel", 7: "automatic"}

func describeCrashDump(r io.ReaderAt, size int64, info *Info) error {
	info.Format = FormatCrashDump
	head := make([]byte, 8)
	if _, err := readFull(r, head, 0); err != nil {
		return err
	}
	l, bits := crash32, 32
	if string(head) == "PAGEDU64" {
		l, bits = crash64, 64
	}
	info.Description = fmt.Sprintf("Windows crash dump (%d-bit header)", bits)
	if size < l.header {
		info.warnf("the file has %d bytes, fewer than the %d of a %d-bit crash-dump header: it is truncated", size, l.header, bits)
		return nil
	}
	h := make([]byte, l.header)
	if _, err := readFull(r, h, 0); err != nil {
		return err
	}
	le := binary.LittleEndian
	u32 := func(at int) (uint32, bool) { v := le.Uint32(h[at:]); return v, v != pageWord32 }
	word := func(at int) (uint64, bool) {
		if l.paramSize == 4 {
			v, ok := u32(at)
			return uint64(v), ok
		}
		v := le.Uint64(h[at:])
		return v, v != pageWord64
	}

	sys := &System{}
	if v, ok := u32(l.machine); ok {
		sys.Machine = peMachine(v)
	}
	if v, ok := u32(l.cpus); ok {
		sys.Processors = int(v)
	}
	major, _ := u32(0x08)
	if v, ok := u32(0x0C); ok {
		sys.Build = v
		sys.OSVersion = fmt.Sprintf("build %d (%s)", v, map[uint32]string{0xF: "free", 0xC: "checked"}[major])
	}
	info.System = sys

	cr := &Crash{}
	if v, ok := u32(l.dumpType); ok {
		cr.DumpType = dumpTypes[v]
		if cr.DumpType == "" {
			cr.DumpType = fmt.Sprintf("type %d", v)
		}
		info.Description += ", " + cr.DumpType + " dump"
	}
	if v, ok := u32(l.bugcheck); ok {
		cr.BugCheckCode = v
	}
	for i := range cr.BugCheckParams {
		if v, ok := word(l.params + i*l.paramSize); ok {
			cr.BugCheckParams[i] = v
		}
	}
	if c := cString(h[l.comment : l.comment+128]); len(c) < 4 || c[:4] != "PAGE" {
		cr.Comment = c
	}
	if ft := le.Uint64(h[l.sysTime:]); ft != pageWord64 && ft != 0 {
		info.Timestamp = filetime(ft)
	}
	info.Crash = cr

	// The physical memory runs.
	n, ok := u32(l.runs)
	if !ok {
		return nil
	}
	// NumberOfPages follows NumberOfRuns: a u32 at +4, or a u64 aligned at +8.
	if pages, ok := word(l.runs + l.pagesSize); ok {
		cr.PhysicalPages = pages
	}
	if int(n) > l.maxRuns {
		info.warnf("the header claims %d physical memory runs, more than the %d it has room for: %d are listed", n, l.maxRuns, l.maxRuns)
		n = uint32(l.maxRuns)
	}
	full := cr.DumpType == "full"
	off := l.header
	for i := range int(n) {
		at := l.runsAt + i*l.runSize
		var base, count uint64
		if l.runSize == 8 {
			base, count = uint64(le.Uint32(h[at:])), uint64(le.Uint32(h[at+4:]))
		} else {
			base, count = le.Uint64(h[at:]), le.Uint64(h[at+8:])
		}
		if base > ^uint64(0)/pageSize || count > ^uint64(0)/pageSize || base*pageSize > ^uint64(0)-count*pageSize {
			info.warnf("physical memory run %d (page %#x, %d pages) overflows the 64-bit address space: the runs from it on are not listed", i, base, count)
			return nil
		}
		rg := Range{Start: base * pageSize, Size: count * pageSize, Offset: -1}
		rg.End = rg.Start + rg.Size - 1
		if count == 0 {
			rg.End = rg.Start
		}
		if full {
			rg.Offset = off
			if off > size || rg.Size > uint64(size-off) {
				info.warnf("physical memory run %d (%#x-%#x) runs past the end of the file: the file is truncated", i, rg.Start, rg.End)
				full = false
			}
			off += int64(rg.Size)
		}
		info.Ranges = append(info.Ranges, rg)
	}
	return nil
}

// filetime converts a Windows FILETIME (100 ns since 1601) to UTC time.
func filetime(ft uint64) time.Time {
	const epochDelta = 116444736000000000 // 1601 to 1970 in 100 ns
	if ft < epochDelta {
		return time.Time{} // before 1970: not a time a dump was written
	}
	d := ft - epochDelta
	return time.Unix(int64(d/1e7), int64(d%1e7)*100).UTC()
}

func peMachine(m uint32) string {
	switch m {
	case 0x14c:
		return "x86"
	case 0x8664:
		return "x86-64"
	case 0xAA64:
		return "ARM64"
	case 0x1c4:
		return "ARM"
	case 0x200:
		return "IA-64"
	}
	return fmt.Sprintf("machine %#x", m)
}
