package memory

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// minidumpYAML describes a minidump in the YAML of LLVM's yaml2obj, whose
// minidump writer (llvm/ObjectYAML/MinidumpEmitter.cpp) is an
// implementation of the format independent of ours. No real minidump of
// a free licence was found on this machine (find / -name '*.dmp' finds
// only a raw process-memory slice), so the minidumps of the tests are
// written by yaml2obj, and read back by obj2yaml.
const minidumpYAML = `--- !minidump
Streams:
  - Type:            SystemInfo
    Processor Arch:  AMD64
    Processor Level: 6
    Processor Revision: 0x3C03
    Number of Processors: 8
    Product type:    1
    Major Version:   10
    Minor Version:   0
    Build Number:    19041
    Platform ID:     Win32NT
    CSD Version:     'Service Pack 1'
    CPU:
      Vendor ID:       GenuineIntel
      Version Info:    0x000306C3
      Feature Info:    0xBFEBFBFF
  - Type:            ModuleList
    Modules:
      - Base of Image:   0x00007FF7C7FE0000
        Size of Image:   0x00042000
        Time Date Stamp: 1700000000
        Module Name:     'C:\Windows\System32\notepad.exe'
        CodeView Record: ''
        Misc Record:     ''
      - Base of Image:   0x00007FFA12340000
        Size of Image:   0x001F8000
        Time Date Stamp: 0
        Module Name:     'C:\Windows\System32\ntdll.dll'
        CodeView Record: ''
        Misc Record:     ''
      - Base of Image:   0x0000000140000000
        Size of Image:   0x00001000
        Module Name:     'C:\Users\Ünïcödé\Проверка.dll'
        CodeView Record: ''
        Misc Record:     ''
  - Type:            ThreadList
    Threads:
      - Thread Id:       0x00001234
        Suspend Count:   1
        Priority Class:  32
        Priority:        0
        Environment Block: 0x000000E5A0C0D000
        Context:         '0102'
        Stack:
          Start of Memory Range: 0x000000E5A0F00000
          Content:         '0001020304'
      - Thread Id:       0x00005678
        Environment Block: 0x000000E5A0C0F000
        Context:         '03'
        Stack:
          Start of Memory Range: 0x000000E5A1000000
          Content:         '0506'
  - Type:            MemoryList
    Memory Ranges:
      - Start of Memory Range: 0x00007FF7C7FE0000
        Content:         '4D5A900003'
  - Type:            MiscInfo
    Content:         180000000300000024250000a0b7e86500000000
...
`

// yaml2obj writes a minidump from YAML, or skips.
func yaml2obj(t testing.TB, yaml string) string {
	t.Helper()
	if _, err := exec.LookPath("yaml2obj"); err != nil {
		t.Skip("yaml2obj (Debian llvm) is not installed: no minidump to read; run scripts/setup.sh")
	}
	dir := t.TempDir()
	in, out := filepath.Join(dir, "md.yaml"), filepath.Join(dir, "md.dmp")
	if err := os.WriteFile(in, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	if msg, err := exec.Command("yaml2obj", in, "-o", out).CombinedOutput(); err != nil {
		t.Fatalf("yaml2obj: %v\n%s", err, msg)
	}
	return out
}

// TestMinidumpOfYaml2obj reads a minidump that LLVM's yaml2obj wrote and
// checks every fact against what was written and against what obj2yaml
// reads back (the streams, in order).
func TestMinidumpOfYaml2obj(t *testing.T) {
	path := yaml2obj(t, minidumpYAML)
	// yaml2obj leaves TimeDateStamp 0: set it as Windows would.
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	binary.LittleEndian.PutUint32(b[20:], 1733321400) // 2024-12-04T14:10:00Z
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	info := describeFile(t, path)
	if info.Format != FormatMinidump || len(info.Warnings) != 0 {
		t.Fatalf("format %q, warnings %q", info.Format, info.Warnings)
	}
	if got, want := info.Timestamp, time.Date(2024, 12, 4, 14, 10, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("timestamp %v, want %v", got, want)
	}

	var streams []string
	for _, s := range info.Streams {
		streams = append(streams, s.Name)
	}
	if out, err := exec.Command("obj2yaml", path).Output(); err == nil {
		var want []string
		for _, m := range regexp.MustCompile(`(?m)^  - Type:\s+(\S+)`).FindAllStringSubmatch(string(out), -1) {
			want = append(want, m[1])
		}
		if !slices.Equal(streams, want) {
			t.Errorf("streams %q, obj2yaml reads %q", streams, want)
		}
	}
	if want := []string{"SystemInfo", "ModuleList", "ThreadList", "MemoryList", "MiscInfo"}; !slices.Equal(streams, want) {
		t.Errorf("streams %q, want %q", streams, want)
	}
	for _, s := range info.Streams {
		if s.Offset <= 0 || s.Offset+int64(s.Size) > int64(len(b)) {
			t.Errorf("stream %s at %d, %d bytes: outside the %d-byte file", s.Name, s.Offset, s.Size, len(b))
		}
	}

	if got, want := fmt.Sprintf("%+v", *info.System), "{Machine:x86-64 Processors:8 OSVersion:10.0.19041 Build:19041 Platform:Win32NT ServicePack:Service Pack 1}"; got != want {
		t.Errorf("system %s\nwant   %s", got, want)
	}
	var mods []string
	for _, m := range info.Modules {
		mods = append(mods, fmt.Sprintf("%#x %#x %s %s", m.Base, m.Size, m.Timestamp.Format(time.RFC3339), m.Name))
	}
	wantMods := []string{
		`0x7ff7c7fe0000 0x42000 2023-11-14T22:13:20Z C:\Windows\System32\notepad.exe`,
		`0x7ffa12340000 0x1f8000 0001-01-01T00:00:00Z C:\Windows\System32\ntdll.dll`,
		`0x140000000 0x1000 0001-01-01T00:00:00Z C:\Users\Ünïcödé\Проверка.dll`,
	}
	if !slices.Equal(mods, wantMods) {
		t.Errorf("modules:\n%s\nwant:\n%s", strings.Join(mods, "\n"), strings.Join(wantMods, "\n"))
	}
	var threads []string
	for _, th := range info.Threads {
		threads = append(threads, fmt.Sprintf("%#x teb %#x stack %#x+%d", th.ID, th.TEB, th.StackStart, th.StackSize))
	}
	if want := []string{"0x1234 teb 0xe5a0c0d000 stack 0xe5a0f00000+5", "0x5678 teb 0xe5a0c0f000 stack 0xe5a1000000+2"}; !slices.Equal(threads, want) {
		t.Errorf("threads %q, want %q", threads, want)
	}
	if len(info.Ranges) != 1 || info.Ranges[0].Start != 0x7FF7C7FE0000 || info.Ranges[0].Size != 5 ||
		!bytes.Equal(b[info.Ranges[0].Offset:info.Ranges[0].Offset+5], []byte{0x4d, 0x5a, 0x90, 0x00, 0x03}) {
		t.Errorf("memory ranges %+v: not the 5 bytes MZ\\x90\\x00\\x03 at 0x7ff7c7fe0000", info.Ranges)
	}
	// MiscInfo: flags 3, process id 0x2524, created 0x65e8b7a0.
	if p := info.Process; p == nil || p.PID != 0x2524 || !p.CreateTime.Equal(time.Unix(0x65e8b7a0, 0)) {
		t.Errorf("process %+v, want pid 9508 created %v", p, time.Unix(0x65e8b7a0, 0).UTC())
	}
}

// TestMinidumpBadCounts gives a minidump counts and offsets that overflow
// or point past the end: it is described as far as it can be read, each
// problem named in a warning.
func TestMinidumpBadCounts(t *testing.T) {
	good, err := os.ReadFile(yaml2obj(t, minidumpYAML))
	if err != nil {
		t.Fatal(err)
	}
	le := binary.LittleEndian
	info := describeBytes(t, good)
	stream := func(name string) Stream {
		for _, s := range info.Streams {
			if s.Name == name {
				return s
			}
		}
		t.Fatalf("no %s stream", name)
		return Stream{}
	}
	mods, threads := stream("ModuleList"), stream("ThreadList")
	for _, c := range []struct {
		name  string
		patch func(b []byte)
		want  string
		check func(*Info) bool
	}{
		{"stream count overflows", func(b []byte) { le.PutUint32(b[8:], 0xffffffff) },
			"the header claims 4294967295 streams, but the directory at offset 32 has room for", func(i *Info) bool { return len(i.Modules) == 3 }},
		{"directory past the end", func(b []byte) { le.PutUint32(b[12:], 0xfffffff0) },
			"the header claims 5 streams, but the directory at offset 4294967280 has room for 0", func(i *Info) bool { return len(i.Streams) == 0 }},
		{"module count overflows", func(b []byte) { le.PutUint32(b[mods.Offset:], 0x7fffffff) },
			"stream ModuleList claims 2147483647 modules but has room for 3: 3 are listed", func(i *Info) bool { return len(i.Modules) == 3 }},
		{"thread count overflows", func(b []byte) { le.PutUint32(b[threads.Offset:], 0xffffffff) },
			"stream ThreadList claims 4294967295 threads but has room for 2: 2 are listed", func(i *Info) bool { return len(i.Threads) == 2 }},
		{"module name past the end", func(b []byte) { le.PutUint32(b[mods.Offset+4+20:], 0xfffffff0) },
			"a name at offset 4294967280 is past the end of the file", func(i *Info) bool { return i.Modules[0].Name == "" && i.Modules[1].Name != "" }},
		{"module name length overflows", func(b []byte) {
			at := le.Uint32(b[mods.Offset+4+20:])
			le.PutUint32(b[at:], 0xffffffff)
		}, "the name at offset", func(i *Info) bool { return len(i.Modules) == 3 }},
		{"stream past the end", func(b []byte) {
			le.PutUint32(b[32+12+4:], 0x7fffffff) // the ModuleList entry's DataSize
		}, "stream ModuleList claims 2147483647 bytes at offset", func(i *Info) bool { return len(i.Modules) == 0 && len(i.Threads) == 2 }},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := slices.Clone(good)
			c.patch(b)
			info := describeBytes(t, b)
			if !slices.ContainsFunc(info.Warnings, func(w string) bool { return strings.HasPrefix(w, c.want) }) {
				t.Errorf("warnings %q, want one starting %q", info.Warnings, c.want)
			}
			if !c.check(info) {
				t.Errorf("described %d streams, %d modules %+v, %d threads", len(info.Streams), len(info.Modules), info.Modules, len(info.Threads))
			}
		})
	}
}

func describeBytes(t testing.TB, b []byte) *Info {
	t.Helper()
	info, err := Describe(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("Describe: %v", err)
	}
	return info
}

// memory64Minidump is a minidump of one Memory64List stream (by the
// documented MINIDUMP_MEMORY64_LIST layout) of ranges, their bytes after
// it from BaseRva on.
func memory64Minidump(ranges ...[2]uint64) []byte {
	le := binary.LittleEndian
	b := make([]byte, 32+12)
	copy(b, "MDMP")
	le.PutUint32(b[4:], 0xA793)
	le.PutUint32(b[8:], 1)
	le.PutUint32(b[12:], 32)
	list := le.AppendUint64(nil, uint64(len(ranges)))
	base := uint64(len(b) + 16 + 16*len(ranges))
	list = le.AppendUint64(list, base)
	var data []byte
	for _, r := range ranges {
		list = le.AppendUint64(le.AppendUint64(list, r[0]), r[1])
		data = append(data, bytes.Repeat([]byte{0xAA}, int(min(r[1], 1<<16)))...)
	}
	le.PutUint32(b[32:], 9)
	le.PutUint32(b[36:], uint32(len(list)))
	le.PutUint32(b[40:], 44)
	return append(append(b, list...), data...)
}

// TestMinidumpMemory64List: the ranges of a full-memory minidump follow
// each other from BaseRva; a range larger than the file stops the list.
func TestMinidumpMemory64List(t *testing.T) {
	info := describeBytes(t, memory64Minidump([2]uint64{0x10000, 0x1000}, [2]uint64{0x7ff000000000, 0x2000}))
	base := int64(44 + 16 + 32)
	want := []Range{{Start: 0x10000, End: 0x10fff, Offset: base, Size: 0x1000}, {Start: 0x7ff000000000, End: 0x7ff000001fff, Offset: base + 0x1000, Size: 0x2000}}
	if !slices.Equal(info.Ranges, want) || len(info.Warnings) != 0 {
		t.Errorf("ranges %+v, warnings %q; want %+v", info.Ranges, info.Warnings, want)
	}
	info = describeBytes(t, memory64Minidump([2]uint64{0x10000, 1 << 63}, [2]uint64{0x20000, 0x1000}))
	if len(info.Ranges) != 1 || len(info.Warnings) != 2 ||
		info.Warnings[1] != "stream Memory64List: memory range 1 of 2 claims 9223372036854775808 bytes, more than the file holds: the rest are not listed" {
		t.Errorf("ranges %+v, warnings %q", info.Ranges, info.Warnings)
	}
}
