package memory

import (
	"bufio"
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// stringsSample is bytes made to catch a strings scanner out: ASCII and
// UTF-16LE strings at odd and even offsets, strings one character too
// short, tabs, high bytes, UTF-16 characters with a non-zero high byte,
// strings of one encoding running into the other, and random bytes.
func stringsSample(n int, seed uint64) []byte {
	rng := rand.New(rand.NewPCG(seed, 42))
	var b bytes.Buffer
	pieces := []func(){
		func() { b.WriteString("kernel32.dll") },
		func() { b.WriteString("abc") }, // too short
		func() { b.WriteString("\tTab\there") },
		func() { b.Write(utf16le("C:\\Windows\\System32\\ntdll.dll")) },
		func() { b.Write(utf16le("abc")) }, // too short
		func() { b.WriteByte(0x80 + byte(rng.IntN(128))) },
		func() { b.Write([]byte{'A', 0x01, 'B', 0x00}) }, // a 16-bit character with a high byte
		func() { b.WriteString("ABCD"); b.Write(utf16le("EFGH")) },
		func() { b.Write(utf16le("WXYZ")); b.WriteString("0123") },
		func() { b.WriteByte(0) },
		func() { b.WriteByte(byte(rng.IntN(256))) },
		func() {
			w := make([]byte, rng.IntN(64))
			for i := range w {
				w[i] = byte(rng.IntN(256))
			}
			b.Write(w)
		},
		func() { b.WriteString(strings.Repeat("x", rng.IntN(300))) },
		func() { b.WriteString("\n\r\v\f") },
	}
	for b.Len() < n {
		pieces[rng.IntN(len(pieces))]()
	}
	return b.Bytes()[:n]
}

func utf16le(s string) []byte {
	var b []byte
	for _, c := range []byte(s) {
		b = append(b, c, 0)
	}
	return b
}

// gnuStrings runs GNU strings on path and returns its hits as "offset text"
// lines.
func gnuStrings(t testing.TB, path string, args ...string) []string {
	t.Helper()
	if _, err := exec.LookPath("strings"); err != nil {
		t.Skip("GNU strings (Debian binutils) is not installed: the hits cannot be compared with it; run scripts/setup.sh")
	}
	out, err := exec.Command("strings", append(append([]string{"-a", "-t", "d"}, args...), path)...).Output()
	if err != nil {
		t.Fatalf("strings %v: %v", args, err)
	}
	var lines []string
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		off, text, _ := strings.Cut(strings.TrimLeft(sc.Text(), " "), " ")
		n, err := strconv.ParseInt(off, 10, 64)
		if err != nil {
			t.Fatalf("strings output line %q", sc.Text())
		}
		lines = append(lines, fmt.Sprintf("%d %s", n, text))
	}
	return lines
}

// ourStrings scans data written in pieces of the given size.
func ourStrings(t testing.TB, data []byte, opt StringsOptions, piece int) []Hit {
	t.Helper()
	var hits []Hit
	s := NewScanner(opt, func(h Hit) error { hits = append(hits, h); return nil })
	for p := data; len(p) > 0; {
		n := min(piece, len(p))
		if _, err := s.Write(p[:n]); err != nil {
			t.Fatal(err)
		}
		p = p[n:]
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return hits
}

func hitLines(hits []Hit) []string {
	var lines []string
	for _, h := range hits {
		lines = append(lines, fmt.Sprintf("%d %s", h.Offset, h.Text))
	}
	return lines
}

// TestStringsMatchGNUStrings compares every hit with GNU strings -a -t d
// (ASCII) and -e l (UTF-16LE), for minimum lengths 1 to 8, on input fed
// in pieces of many sizes (every string straddling a boundary somewhere).
func TestStringsMatchGNUStrings(t *testing.T) {
	data := stringsSample(200_000, 1)
	path := filepath.Join(t.TempDir(), "sample.bin")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, least := range []int{1, 2, 4, 8} {
		for _, enc := range []Encoding{ASCII, UTF16LE} {
			args := []string{"-n", strconv.Itoa(least)}
			if enc == UTF16LE {
				args = append(args, "-e", "l")
			}
			want := gnuStrings(t, path, args...)
			if len(want) < 100 {
				t.Fatalf("strings %v found only %d strings: the sample is too poor", args, len(want))
			}
			for _, piece := range []int{1, 2, 3, 7, 4096, 1 << 20} {
				got := hitLines(ourStrings(t, data, StringsOptions{Min: least, Encoding: enc}, piece))
				if len(got) != len(want) {
					t.Errorf("min %d %v pieces of %d: %d hits, strings %v finds %d", least, enc, piece, len(got), args, len(want))
				}
				for i := range min(len(got), len(want)) {
					if got[i] != want[i] {
						t.Errorf("min %d %v pieces of %d: hit %d is %q, strings says %q", least, enc, piece, i, got[i], want[i])
						break
					}
				}
			}
		}
	}
}
