package memory

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestMain lets the test binary be the process that gcore dumps: with
// CUSTODIA_CORE_HELPER set it only waits to be dumped.
func TestMain(m *testing.M) {
	if os.Getenv("CUSTODIA_CORE_HELPER") != "" {
		fmt.Println("ready")
		time.Sleep(5 * time.Minute)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func describeFile(t testing.TB, path string) *Info {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	info, err := Describe(f, st.Size())
	if err != nil {
		t.Fatalf("Describe %s: %v", path, err)
	}
	return info
}

// gcoreOfHelper starts this test binary with arguments, dumps it with gdb's
// gcore and returns the core's path and the process id.
func gcoreOfHelper(t *testing.T) (string, int) {
	t.Helper()
	if _, err := exec.LookPath("gcore"); err != nil {
		t.Skip("gcore (Debian gdb) is not installed: no real core file to read; run scripts/setup.sh")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$", "custodia", "core helper")
	cmd.Env = append(os.Environ(), "CUSTODIA_CORE_HELPER=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	if line, _ := bufio.NewReader(out).ReadString('\n'); line != "ready\n" {
		t.Fatalf("helper process said %q", line)
	}
	prefix := filepath.Join(t.TempDir(), "core")
	pid := cmd.Process.Pid
	if msg, err := exec.Command("gcore", "-o", prefix, strconv.Itoa(pid)).CombinedOutput(); err != nil {
		t.Skipf("gcore cannot dump a process here (ptrace not permitted?): %v\n%s", err, msg)
	}
	return fmt.Sprintf("%s.%d", prefix, pid), pid
}

var (
	euNoteRe = regexp.MustCompile(`^  (\S+)\s+(\d+)\s+(\S.*)$`)
	euFileRe = regexp.MustCompile(`^\s+([0-9a-f]+)-([0-9a-f]+) ([0-9a-f]+) \d+\s+(.*)$`)
	euKVRe   = regexp.MustCompile(`(\w+(?:\.\w+)?): ([^,]*)`)
)

// euReadelf is what eu-readelf -n says of a core.
type euReadelf struct {
	notes   []string          // "OWNER SIZE TYPE"
	psinfo  map[string]string // the PRPSINFO fields
	threads []string          // "pid rip cursig" of each PRSTATUS
	files   []string          // "start-end offset path"
}

func readEuReadelf(t *testing.T, path string) euReadelf {
	t.Helper()
	if _, err := exec.LookPath("eu-readelf"); err != nil {
		t.Skip("eu-readelf (Debian elfutils) is not installed: the notes cannot be compared with it; run scripts/setup.sh")
	}
	out, err := exec.Command("eu-readelf", "-n", path).Output()
	if err != nil {
		t.Fatalf("eu-readelf -n: %v", err)
	}
	var eu euReadelf
	eu.psinfo = map[string]string{}
	var block string
	var th map[string]string
	flush := func() {
		if th != nil {
			eu.threads = append(eu.threads, fmt.Sprintf("%s %s %s", th["pid"], th["rip"], th["cursig"]))
			th = nil
		}
	}
	for _, line := range strings.Split(string(out), "\n") {
		if m := euNoteRe.FindStringSubmatch(line); m != nil && !strings.HasPrefix(line, "   ") {
			flush()
			block = m[3]
			eu.notes = append(eu.notes, m[1]+" "+m[2]+" "+m[3])
			if block == "PRSTATUS" {
				th = map[string]string{}
			}
			continue
		}
		switch block {
		case "PRPSINFO":
			for _, kv := range euKVRe.FindAllStringSubmatch(line, -1) {
				eu.psinfo[kv[1]] = kv[2]
			}
			if _, args, ok := strings.Cut(line, "psargs: "); ok {
				eu.psinfo["psargs"] = args
			}
		case "PRSTATUS":
			for _, kv := range euKVRe.FindAllStringSubmatch(line, -1) {
				if _, seen := th[kv[1]]; !seen {
					th[kv[1]] = strings.TrimSpace(kv[2])
				}
			}
			if i := strings.Index(line, "rip:"); i >= 0 {
				th["rip"] = strings.Fields(line[i+4:])[0]
			}
		case "FILE":
			if m := euFileRe.FindStringSubmatch(line); m != nil {
				eu.files = append(eu.files, fmt.Sprintf("%s-%s %s %s", m[1], m[2], m[3], m[4]))
			}
		}
	}
	flush()
	return eu
}

// readelfLoads is what readelf -lW says of the PT_LOAD segments:
// "offset vaddr filesz memsz" each.
func readelfLoads(t *testing.T, path string) []string {
	t.Helper()
	out, err := exec.Command("readelf", "-lW", path).Output()
	if err != nil {
		t.Skipf("readelf (Debian binutils) cannot read the core: %v", err)
	}
	var loads []string
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 6 && f[0] == "LOAD" {
			n := func(s string) uint64 { v, _ := strconv.ParseUint(strings.TrimPrefix(s, "0x"), 16, 64); return v }
			loads = append(loads, fmt.Sprintf("%d %#x %d %d", n(f[1]), n(f[2]), n(f[4]), n(f[5])))
		}
	}
	return loads
}

func ourNotes(info *Info) []string {
	var s []string
	for _, n := range info.Notes {
		name := strings.TrimPrefix(n.Name, "NT_")
		if n.Owner == "GDB" {
			name = fmt.Sprintf("<unknown>: %d", n.Type) // eu-readelf does not name gdb's own note
		}
		s = append(s, fmt.Sprintf("%s %d %s", n.Owner, n.Size, name))
	}
	return s
}

func ourLoads(info *Info) []string {
	var s []string
	for _, r := range info.Ranges {
		s = append(s, fmt.Sprintf("%d %#x %d %d", r.Offset, r.Start, r.Size, r.End-r.Start+1))
	}
	return s
}

// TestELFCoreOfGcore dumps a running process with gcore and compares
// every note, the process, each thread (id, signal, instruction pointer),
// every mapped file and every PT_LOAD segment with eu-readelf -n and
// readelf -lW.
func TestELFCoreOfGcore(t *testing.T) {
	core, pid := gcoreOfHelper(t)
	info := describeFile(t, core)
	eu := readEuReadelf(t, core)
	if info.Format != FormatELFCore || info.Description != "ELF 64-bit core file, x86-64" || len(info.Warnings) != 0 {
		t.Fatalf("format %q, %q, warnings %q", info.Format, info.Description, info.Warnings)
	}
	if got := ourNotes(info); !slices.Equal(got, eu.notes) {
		t.Errorf("notes:\n%q\neu-readelf:\n%q", got, eu.notes)
	}
	p := info.Process
	if p == nil {
		t.Fatal("no process")
	}
	if p.PID != int64(pid) {
		t.Errorf("pid %d, the helper is %d", p.PID, pid)
	}
	got := fmt.Sprintf("pid %d ppid %d pgrp %d sid %d uid %d gid %d sname %s fname %s psargs %s", p.PID, p.PPID, p.PGRP, p.SID, p.UID, p.GID, p.State, p.Name, p.Args)
	e := eu.psinfo
	want := fmt.Sprintf("pid %s ppid %s pgrp %s sid %s uid %s gid %s sname %s fname %s psargs %s", e["pid"], e["ppid"], e["pgrp"], e["sid"], e["uid"], e["gid"], e["sname"], e["fname"], strings.TrimRight(e["psargs"], " "))
	if got != want {
		t.Errorf("process:\n%s\neu-readelf:\n%s", got, want)
	}
	// gdb's gcore writes the first word of /proc/PID/cmdline only (the
	// kernel writes them all).
	if p.Name != "memory.test" || !strings.HasSuffix(p.Args, "/memory.test") {
		t.Errorf("fname %q, psargs %q: not the helper process", p.Name, p.Args)
	}
	var threads []string
	for _, th := range info.Threads {
		threads = append(threads, fmt.Sprintf("%d 0x%016x %d", th.ID, th.PC, th.Signal))
	}
	if !slices.Equal(threads, eu.threads) || len(threads) < 2 {
		t.Errorf("threads:\n%q\neu-readelf:\n%q", threads, eu.threads)
	}
	var files []string
	for _, m := range info.MappedFiles {
		files = append(files, fmt.Sprintf("%08x-%08x %08x %s", m.Start, m.End, m.Offset, m.Path))
	}
	if !slices.Equal(files, eu.files) || len(files) == 0 {
		t.Errorf("mapped files:\n%q\neu-readelf:\n%q", files, eu.files)
	}
	if got, want := ourLoads(info), readelfLoads(t, core); !slices.Equal(got, want) || len(got) == 0 {
		t.Errorf("PT_LOAD ranges:\n%q\nreadelf -lW:\n%q", got, want)
	}
}

// samplePath returns a file of ../shared/samples, or skips.
func samplePath(t testing.TB, name string) string {
	t.Helper()
	p := filepath.Join("..", "..", "..", "shared", "samples", "memory", name)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("%s is absent (the shared samples live beside the project in its workspace): %v", p, err)
	}
	return p
}

// TestELFCorePyelftools reads pyelftools' two test cores and asserts what
// pyelftools' own tests (test_core_notes32.py, test_core_notes64.py)
// assert of them.
func TestELFCorePyelftools(t *testing.T) {
	for _, c := range []struct {
		file, desc, process string
		files, loads        int
		firstFile           string
		signal              int
	}{
		{"pyelftools_core_linux64.elf", "ELF 64-bit core file, x86-64",
			"pid 23395 ppid 23187 pgrp 23395 sid 23187 uid 1000 gid 1000 R coredump_self \"./coredump_self foo bar 42\"",
			10, 18, "400000-401000 0 /home/max42/pyelftools/test/coredump_self", -1},
		{"pyelftools_core_linux32.elf", "ELF 32-bit core file, x86",
			"pid 11038 ppid 10442 pgrp 11038 sid 10442 uid 1000 gid 1000 R coredump \"./coredump foo bar 42\"",
			10, 15, "", 6},
	} {
		t.Run(c.file, func(t *testing.T) {
			info := describeFile(t, samplePath(t, c.file))
			if info.Description != c.desc || len(info.Warnings) != 0 {
				t.Errorf("%q, warnings %q", info.Description, info.Warnings)
			}
			p := info.Process
			got := fmt.Sprintf("pid %d ppid %d pgrp %d sid %d uid %d gid %d %s %s %q", p.PID, p.PPID, p.PGRP, p.SID, p.UID, p.GID, p.State, p.Name, p.Args)
			if got != c.process {
				t.Errorf("process %s, pyelftools asserts %s", got, c.process)
			}
			if len(info.MappedFiles) != c.files || len(info.Ranges) != c.loads {
				t.Errorf("%d mapped files and %d ranges, want %d and %d", len(info.MappedFiles), len(info.Ranges), c.files, c.loads)
			}
			if m := info.MappedFiles[0]; c.firstFile != "" && fmt.Sprintf("%x-%x %x %s", m.Start, m.End, m.Offset, m.Path) != c.firstFile {
				t.Errorf("first mapped file %+v, want %s", m, c.firstFile)
			}
			if c.signal >= 0 && (len(info.Threads) == 0 || info.Threads[0].Signal != c.signal) {
				t.Errorf("threads %+v, want the first stopped by signal %d", info.Threads, c.signal)
			}
		})
	}
}

// elfCore64 is a minimal little-endian x86-64 ELF core: its header, one
// PT_NOTE program header over notes, and one PT_LOAD of load bytes.
func elfCore64(notes []byte, load int) []byte {
	le := binary.LittleEndian
	h := make([]byte, 64+2*56)
	copy(h, "\x7fELF\x02\x01\x01")
	le.PutUint16(h[16:], 4)  // ET_CORE
	le.PutUint16(h[18:], 62) // EM_X86_64
	le.PutUint32(h[20:], 1)
	le.PutUint64(h[32:], 64) // e_phoff
	le.PutUint16(h[52:], 64)
	le.PutUint16(h[54:], 56)
	le.PutUint16(h[56:], 2)
	ph := h[64:]
	le.PutUint32(ph, 4) // PT_NOTE
	le.PutUint64(ph[8:], uint64(len(h)))
	le.PutUint64(ph[32:], uint64(len(notes)))
	ph = h[64+56:]
	le.PutUint32(ph, 1) // PT_LOAD
	le.PutUint64(ph[8:], uint64(len(h)+len(notes)))
	le.PutUint64(ph[16:], 0x400000)
	le.PutUint64(ph[32:], uint64(load))
	le.PutUint64(ph[40:], uint64(load))
	return append(append(h, notes...), make([]byte, load)...)
}

// note is one ELF note, padded to 4 bytes.
func note(owner string, typ uint32, desc []byte) []byte {
	le := binary.LittleEndian
	name := append([]byte(owner), 0)
	b := le.AppendUint32(nil, uint32(len(name)))
	b = le.AppendUint32(b, uint32(len(desc)))
	b = le.AppendUint32(b, typ)
	b = append(b, name...)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	b = append(b, desc...)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

// ntFile64 is an NT_FILE descriptor claiming count entries, holding the
// given ones.
func ntFile64(count uint64, entries [][3]uint64, paths ...string) []byte {
	le := binary.LittleEndian
	b := le.AppendUint64(nil, count)
	b = le.AppendUint64(b, 4096)
	for _, e := range entries {
		b = le.AppendUint64(le.AppendUint64(le.AppendUint64(b, e[0]), e[1]), e[2])
	}
	for _, p := range paths {
		b = append(append(b, p...), 0)
	}
	return b
}

// TestELFCoreBadNotes: notes whose sizes and counts overflow or point past
// their segment are described as far as they go, each named in a warning.
func TestELFCoreBadNotes(t *testing.T) {
	good := note("CORE", ntFILE, ntFile64(1, [][3]uint64{{0x400000, 0x401000, 2}}, "/bin/true"))
	hugeName := binary.LittleEndian.AppendUint32(nil, 0xffffffff)
	hugeName = binary.LittleEndian.AppendUint32(hugeName, 4)
	hugeName = binary.LittleEndian.AppendUint32(hugeName, 1)
	for _, c := range []struct {
		name  string
		core  []byte
		files int
		notes int
		want  string
	}{
		{"good", elfCore64(good, 4096), 1, 1, ""},
		{"NT_FILE count overflows", elfCore64(note("CORE", ntFILE, ntFile64(1<<62, [][3]uint64{{0x400000, 0x401000, 0}}, "/bin/true")), 0), 1, 1,
			"NT_FILE note claims 4611686018427387904 mapped files but has room for 1: 1 are listed"},
		{"NT_FILE page offset overflows", elfCore64(note("CORE", ntFILE, ntFile64(1, [][3]uint64{{0, 1, 1 << 62}}, "x")), 0), 1, 1,
			"NT_FILE entry 0: file offset of 4611686018427387904 pages of 4096 bytes overflows"},
		{"NT_FILE without paths", elfCore64(note("CORE", ntFILE, ntFile64(1, [][3]uint64{{0, 1, 0}})), 0), 1, 1,
			"NT_FILE note ends before the path of mapped file 1 of 1"},
		{"name size overflows", elfCore64(append(slices.Clone(good), hugeName...), 0), 1, 1,
			"the note at offset 248 claims a 4294967295-byte name and a 4-byte descriptor, past the end of its segment"},
		{"short PRPSINFO", elfCore64(note("CORE", ntPRPSINFO, make([]byte, 20)), 0), 0, 1,
			"NT_PRPSINFO note of 20 bytes is too short for a process description"},
		{"short PRSTATUS", elfCore64(note("CORE", ntPRSTATUS, make([]byte, 20)), 0), 0, 1,
			"NT_PRSTATUS note of 20 bytes is too short for a thread"},
		{"trailing bytes", elfCore64(append(slices.Clone(good), 1, 2, 3, 4), 0), 1, 1,
			"4 bytes at offset 248 after the last note are not a note"},
		{"truncated", elfCore64(good, 4096)[:200+4000], 1, 1,
			"PT_LOAD segment 0x400000-0x400fff claims 4096 bytes at offset 248, past the end of the file (4200 bytes): the file is truncated"},
	} {
		t.Run(c.name, func(t *testing.T) {
			info := describeBytes(t, c.core)
			if len(info.MappedFiles) != c.files || len(info.Notes) != c.notes {
				t.Errorf("%d mapped files %+v, %d notes", len(info.MappedFiles), info.MappedFiles, len(info.Notes))
			}
			if c.want == "" && len(info.Warnings) != 0 || c.want != "" && !slices.ContainsFunc(info.Warnings, func(w string) bool { return strings.HasPrefix(w, c.want) }) {
				t.Errorf("warnings %q, want one starting %q", info.Warnings, c.want)
			}
		})
	}
	info := describeBytes(t, elfCore64(good, 4096))
	if m := info.MappedFiles[0]; m != (MappedFile{Start: 0x400000, End: 0x401000, Offset: 8192, Path: "/bin/true"}) {
		t.Errorf("mapped file %+v", m)
	}
}
