package memory

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
)

// seedDumps adds to f a dump of every format: generated here, by
// yaml2obj when it is installed, and the real samples of ../shared when
// they are there.
func seedDumps(f *testing.F) {
	f.Add(limeImage([2]uint64{0x1000, 0x1fff}, [2]uint64{0x100000, 0x100fff}))
	f.Add(crashDump64(1))
	f.Add(crashDump64(5))
	f.Add([]byte("HIBR\x00\x00\x00\x00"))
	f.Add([]byte("MDMP\x93\xa7\x00\x00\x01\x00\x00\x00\x20\x00\x00\x00"))
	f.Add([]byte("\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x04\x00\x3e\x00"))
	for _, name := range []string{"pyelftools_core_linux32.elf", "pyelftools_core_linux64.elf"} {
		if b, err := os.ReadFile(filepath.Join("..", "..", "..", "shared", "samples", "memory", name)); err == nil {
			f.Add(b)
		}
	}
	// yaml2obj's minidump, when yaml2obj is installed (a seed is not
	// worth skipping the fuzz test for).
	dir := f.TempDir()
	in, out := filepath.Join(dir, "md.yaml"), filepath.Join(dir, "md.dmp")
	if os.WriteFile(in, []byte(minidumpYAML), 0o600) == nil && exec.Command("yaml2obj", in, "-o", out).Run() == nil {
		if b, err := os.ReadFile(out); err == nil {
			f.Add(b)
		}
	}
}

// FuzzDescribe: whatever the bytes, Describe returns without panicking,
// within its bounds, and every range it lists with an offset in the file
// that it did not warn about lies inside the file.
func FuzzDescribe(f *testing.F) {
	seedDumps(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		info, err := Describe(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			t.Fatalf("Describe failed on bytes in memory: %v", err)
		}
		if info.Format == "" || info.Description == "" {
			t.Fatalf("no format or description: %+v", info)
		}
		if len(info.Ranges) > MaxRanges || len(info.Threads) > MaxThreads || len(info.Modules) > MaxModules ||
			len(info.Streams) > MaxStreams || len(info.Notes) > MaxNotes || len(info.MappedFiles) > MaxMappedFiles {
			t.Fatalf("over a bound: %d ranges, %d threads, %d modules, %d streams, %d notes, %d files",
				len(info.Ranges), len(info.Threads), len(info.Modules), len(info.Streams), len(info.Notes), len(info.MappedFiles))
		}
		if len(info.Warnings) == 0 && info.Format != FormatELFCore && info.Format != FormatMinidump {
			for _, r := range info.Ranges {
				if r.Offset >= 0 && (r.Offset > int64(len(b)) || r.Size > uint64(int64(len(b))-r.Offset)) {
					t.Fatalf("range %+v is outside the %d-byte file, without a warning", r, len(b))
				}
			}
		}
	})
}

// naiveStrings is GNU strings's algorithm as strings.c writes it: read
// Min characters; at a character that is not part of a string, start
// again one byte after that character's first byte.
func naiveStrings(b []byte, least int, enc Encoding) []string {
	width := 1
	if enc == UTF16LE {
		width = 2
	}
	char := func(at int) bool {
		if at+width > len(b) {
			return false
		}
		return graphic[b[at]] && (width == 1 || b[at+1] == 0)
	}
	var out []string
	for at := 0; at+width <= len(b); {
		n := 0
		for char(at + n*width) {
			n++
		}
		if n >= least {
			var s []byte
			for k := range n {
				s = append(s, b[at+k*width])
			}
			out = append(out, fmt.Sprintf("%d %s", at, s))
		}
		at += n*width + 1
	}
	return out
}

// FuzzStrings: the scanner finds what naiveStrings finds, fed whole or in
// pieces of any size; with Both, each encoding's hits are all there.
func FuzzStrings(f *testing.F) {
	f.Add(stringsSample(4096, 7), 4, 1)
	f.Add(stringsSample(1000, 8), 1, 3)
	f.Add([]byte("A\x00B\x00C\x00D\x00abcd"), 2, 5)
	f.Fuzz(func(t *testing.T, b []byte, least int, piece int) {
		least = 1 + abs(least)%10
		piece = 1 + abs(piece)%512
		for _, enc := range []Encoding{ASCII, UTF16LE} {
			want := naiveStrings(b, least, enc)
			if got := hitLines(ourStrings(t, b, StringsOptions{Min: least, Encoding: enc}, piece)); !slices.Equal(got, want) {
				t.Fatalf("min %d %v pieces of %d:\n%q\nwant\n%q", least, enc, piece, got, want)
			}
		}
		both := ourStrings(t, b, StringsOptions{Min: least, Encoding: Both}, piece)
		var a, u []string
		for _, h := range both {
			if h.Encoding == ASCII {
				a = append(a, fmt.Sprintf("%d %s", h.Offset, h.Text))
			} else {
				u = append(u, fmt.Sprintf("%d %s", h.Offset, h.Text))
			}
		}
		if !slices.Equal(a, naiveStrings(b, least, ASCII)) || !slices.Equal(u, naiveStrings(b, least, UTF16LE)) {
			t.Fatalf("both: %q and %q", a, u)
		}
		if least >= 2 && !slices.IsSortedFunc(both, func(x, y Hit) int { return int(x.Offset - y.Offset) }) {
			t.Fatalf("both: hits out of order: %+v", both)
		}
	})
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
