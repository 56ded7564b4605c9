package memory

import (
	"bytes"
	"debug/elf"
	"fmt"
	"io"
	"strings"
)

// An ELF core file (System V gABI; the Linux kernel's fs/binfmt_elf.c and
// gdb's gcore write them) holds the process's memory in PT_LOAD segments
// and what the kernel knew of it in the notes of its PT_NOTE segments:
// NT_PRPSINFO (the process: name, arguments, ids), one NT_PRSTATUS per
// thread (its id, signal, registers) and NT_FILE (the mapped files). The
// note layouts are those of the kernel's include/uapi/linux/elfcore.h.
const (
	ntPRSTATUS = 1
	ntPRPSINFO = 3
	ntFILE     = 0x46494c45
	ntSIGINFO  = 0x53494749
)

func describeELFCore(r io.ReaderAt, size int64, info *Info) error {
	info.Format = FormatELFCore
	f, err := elf.NewFile(io.NewSectionReader(r, 0, size))
	if err != nil {
		info.Description = "ELF core file"
		info.warnf("the ELF headers cannot be read (%v): nothing more is described", err)
		return nil
	}
	info.Description = fmt.Sprintf("ELF %d-bit core file, %s", map[elf.Class]int{elf.ELFCLASS32: 32, elf.ELFCLASS64: 64}[f.Class], machineName(f.Machine))
	info.System = &System{Machine: machineName(f.Machine)}
	c := coreNotes{f: f, info: info}
	for _, p := range f.Progs {
		switch p.Type {
		case elf.PT_LOAD:
			if len(info.Ranges) == MaxRanges {
				if !c.rangesCut {
					info.warnf("more than %d PT_LOAD segments: the first %d are listed", MaxRanges, MaxRanges)
					c.rangesCut = true
				}
				continue
			}
			rg := Range{Start: p.Vaddr, End: p.Vaddr + p.Memsz - 1, Offset: int64(p.Off), Size: p.Filesz}
			if p.Memsz == 0 {
				rg.End = p.Vaddr
			}
			if p.Off > uint64(size) || p.Filesz > uint64(size)-p.Off {
				info.warnf("PT_LOAD segment %#x-%#x claims %d bytes at offset %d, past the end of the file (%d bytes): the file is truncated", rg.Start, rg.End, p.Filesz, p.Off, size)
			}
			info.Ranges = append(info.Ranges, rg)
		case elf.PT_NOTE:
			if p.Off > uint64(size) || p.Filesz > uint64(size)-p.Off {
				info.warnf("PT_NOTE segment at offset %d claims %d bytes, past the end of the file (%d bytes): its notes are not read", p.Off, p.Filesz, size)
				continue
			}
			if p.Filesz > maxNoteBytes {
				info.warnf("PT_NOTE segment at offset %d claims %d bytes, more than %d: its notes are not read", p.Off, p.Filesz, maxNoteBytes)
				continue
			}
			b := make([]byte, p.Filesz)
			if _, err := readFull(r, b, int64(p.Off)); err != nil {
				return err
			}
			c.parse(b, int64(p.Off))
		}
	}
	return nil
}

type coreNotes struct {
	f                               *elf.File
	info                            *Info
	rangesCut, notesCut, threadsCut bool
}

// parse reads the notes of one PT_NOTE segment, whose bytes b are at
// offset base in the file. Every field is 4-byte aligned in a core file,
// 32- and 64-bit alike.
func (c *coreNotes) parse(b []byte, base int64) {
	bo := c.f.ByteOrder
	info := c.info
	for off := 0; off < len(b); {
		if len(b)-off < 12 {
			info.warnf("%s at offset %d after the last note are not a note", byteCount(int64(len(b)-off)), base+int64(off))
			return
		}
		namesz, descsz, typ := bo.Uint32(b[off:]), bo.Uint32(b[off+4:]), bo.Uint32(b[off+8:])
		nameAt := off + 12
		descAt := nameAt + align4(namesz)
		if namesz > uint32(len(b)) || descsz > uint32(len(b)) || descAt > len(b) || descAt+int(descsz) > len(b) {
			info.warnf("the note at offset %d claims a %d-byte name and a %d-byte descriptor, past the end of its segment: the notes from it on are not read", base+int64(off), namesz, descsz)
			return
		}
		if len(info.Notes) == MaxNotes {
			if !c.notesCut {
				info.warnf("more than %d notes: the first %d are listed", MaxNotes, MaxNotes)
				c.notesCut = true
			}
			return
		}
		owner := string(bytes.TrimRight(b[nameAt:nameAt+int(namesz)], "\x00"))
		desc := b[descAt : descAt+int(descsz)]
		info.Notes = append(info.Notes, Note{Owner: owner, Type: typ, Name: noteName(owner, typ), Size: descsz, Offset: base + int64(descAt)})
		if owner == "CORE" {
			switch typ {
			case ntPRPSINFO:
				c.prpsinfo(desc)
			case ntPRSTATUS:
				c.prstatus(desc)
			case ntFILE:
				c.ntFile(desc)
			}
		}
		off = descAt + align4(descsz)
	}
}

func align4(n uint32) int { return int((uint64(n) + 3) &^ 3) }

// prpsinfo reads struct elf_prpsinfo: pr_state, pr_sname, pr_zomb,
// pr_nice, pr_flag, pr_uid, pr_gid, pr_pid, pr_ppid, pr_pgrp, pr_sid,
// pr_fname[16], pr_psargs[80]. pr_flag is a long; pr_uid and pr_gid are
// 16-bit on i386 and ARM (a 124-byte note) and 32-bit elsewhere. The
// fields from pr_uid on are read from the end, which holds on every
// machine.
func (c *coreNotes) prpsinfo(d []byte) {
	bo := c.f.ByteOrder
	const tail = 16 + 80 // pr_fname, pr_psargs
	if len(d) < 2+tail+16+4 {
		c.info.warnf("NT_PRPSINFO note of %d bytes is too short for a process description", len(d))
		return
	}
	p := &Process{}
	ids := len(d) - tail - 16
	p.PID = int64(int32(bo.Uint32(d[ids:])))
	p.PPID = int64(int32(bo.Uint32(d[ids+4:])))
	p.PGRP = int64(int32(bo.Uint32(d[ids+8:])))
	p.SID = int64(int32(bo.Uint32(d[ids+12:])))
	if c.f.Class == elf.ELFCLASS32 && len(d) == 124 {
		p.UID, p.GID = int64(bo.Uint16(d[ids-4:])), int64(bo.Uint16(d[ids-2:]))
	} else if ids >= 8 {
		p.UID, p.GID = int64(bo.Uint32(d[ids-8:])), int64(bo.Uint32(d[ids-4:]))
	}
	if s := d[1]; s >= 0x21 && s <= 0x7e {
		p.State = string(rune(s))
	}
	p.Name = cString(d[len(d)-tail : len(d)-80])
	p.Args = strings.TrimRight(cString(d[len(d)-80:]), " ")
	c.info.Process = p
}

// prstatus reads the thread id (pr_pid), its signal (pr_cursig) and, on
// x86 and x86-64, its instruction pointer from struct elf_prstatus:
// pr_info (3 ints), pr_cursig (short), pr_sigpend, pr_sighold (longs),
// pr_pid, pr_ppid, pr_pgrp, pr_sid (ints), four struct timevals (two
// longs each) and pr_reg.
func (c *coreNotes) prstatus(d []byte) {
	if len(c.info.Threads) == MaxThreads {
		if !c.threadsCut {
			c.info.warnf("more than %d threads: the first %d are listed", MaxThreads, MaxThreads)
			c.threadsCut = true
		}
		return
	}
	bo := c.f.ByteOrder
	word := 4
	if c.f.Class == elf.ELFCLASS64 {
		word = 8
	}
	pidAt := 16 + 2*word
	regAt := pidAt + 16 + 8*word
	if len(d) < pidAt+4 {
		c.info.warnf("NT_PRSTATUS note of %d bytes is too short for a thread", len(d))
		return
	}
	t := Thread{ID: int64(int32(bo.Uint32(d[pidAt:]))), Signal: int(int16(bo.Uint16(d[12:])))}
	switch {
	case c.f.Machine == elf.EM_X86_64 && word == 8 && len(d) >= regAt+17*8:
		t.PC = bo.Uint64(d[regAt+16*8:]) // user_regs_struct.rip
	case c.f.Machine == elf.EM_386 && word == 4 && len(d) >= regAt+13*4:
		t.PC = uint64(bo.Uint32(d[regAt+12*4:])) // user_regs_struct.eip
	}
	c.info.Threads = append(c.info.Threads, t)
}

// ntFile reads NT_FILE: count and page size (longs), count entries of
// start, end and file offset in pages (longs), then count NUL-terminated
// paths.
func (c *coreNotes) ntFile(d []byte) {
	bo := c.f.ByteOrder
	word := 4
	if c.f.Class == elf.ELFCLASS64 {
		word = 8
	}
	rd := func(at int) uint64 {
		if word == 8 {
			return bo.Uint64(d[at:])
		}
		return uint64(bo.Uint32(d[at:]))
	}
	if len(d) < 2*word {
		c.info.warnf("NT_FILE note of %d bytes is too short", len(d))
		return
	}
	count, page := rd(0), rd(word)
	fit := uint64(len(d)-2*word) / uint64(3*word)
	if count > fit {
		c.info.warnf("NT_FILE note claims %d mapped files but has room for %d: %d are listed", count, fit, fit)
		count = fit
	}
	if count > MaxMappedFiles {
		c.info.warnf("NT_FILE note claims %d mapped files: the first %d are listed", count, MaxMappedFiles)
		count = MaxMappedFiles
	}
	names := d[2*word+int(count)*3*word:]
	for i := 0; i < int(count); i++ {
		at := 2*word + i*3*word
		m := MappedFile{Start: rd(at), End: rd(at + word)}
		pg := rd(at + 2*word)
		if page != 0 && pg > ^uint64(0)/page {
			c.info.warnf("NT_FILE entry %d: file offset of %d pages of %d bytes overflows", i, pg, page)
		} else {
			m.Offset = pg * page
		}
		n := bytes.IndexByte(names, 0)
		if n < 0 {
			c.info.warnf("NT_FILE note ends before the path of mapped file %d of %d", i+1, count)
			n = len(names)
		}
		m.Path = cString(names[:min(n, maxNameBytes)])
		names = names[min(n+1, len(names)):]
		c.info.MappedFiles = append(c.info.MappedFiles, m)
	}
}

// cString is the text of a NUL-padded byte array up to its first NUL.
func cString(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}

func machineName(m elf.Machine) string {
	switch m {
	case elf.EM_X86_64:
		return "x86-64"
	case elf.EM_386:
		return "x86"
	case elf.EM_AARCH64:
		return "ARM64"
	case elf.EM_ARM:
		return "ARM"
	case elf.EM_RISCV:
		return "RISC-V"
	case elf.EM_PPC64:
		return "PowerPC 64"
	case elf.EM_S390:
		return "s390"
	}
	return strings.TrimPrefix(m.String(), "EM_")
}

// noteName is the name readelf gives a note's type.
func noteName(owner string, typ uint32) string {
	var names map[uint32]string
	switch owner {
	case "CORE":
		names = map[uint32]string{1: "NT_PRSTATUS", 2: "NT_FPREGSET", 3: "NT_PRPSINFO", 4: "NT_TASKSTRUCT", 6: "NT_AUXV",
			ntSIGINFO: "NT_SIGINFO", ntFILE: "NT_FILE", 0x46e62b7f: "NT_PRXFPREG"}
	case "LINUX":
		names = map[uint32]string{0x200: "NT_386_TLS", 0x201: "NT_386_IOPERM", 0x202: "NT_X86_XSTATE", 0x204: "NT_X86_SHSTK",
			0x400: "NT_ARM_VFP", 0x401: "NT_ARM_TLS", 0x402: "NT_ARM_HW_BREAK", 0x403: "NT_ARM_HW_WATCH",
			0x404: "NT_ARM_SYSTEM_CALL", 0x405: "NT_ARM_SVE", 0x406: "NT_ARM_PAC_MASK", 0x46e62b7f: "NT_PRXFPREG"}
	case "GDB":
		names = map[uint32]string{0xff000000: "NT_GDB_TDESC"}
	case "GNU":
		names = map[uint32]string{1: "NT_GNU_ABI_TAG", 2: "NT_GNU_HWCAP", 3: "NT_GNU_BUILD_ID", 4: "NT_GNU_GOLD_VERSION", 5: "NT_GNU_PROPERTY_TYPE_0"}
	}
	if n, ok := names[typ]; ok {
		return n
	}
	return fmt.Sprintf("%#x", typ)
}
