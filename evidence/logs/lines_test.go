package logs

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"unicode/utf16"
)

type gotLine struct {
	n        int64
	off, len int64
	text     string
	long     bool
	nul      bool
}

func readAll(t *testing.T, r io.Reader, max int) []gotLine {
	t.Helper()
	lr := NewLineReader(r, max)
	var out []gotLine
	for {
		l, err := lr.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, gotLine{l.Number, l.Offset, l.Length, string(l.Text), l.TooLong, l.NUL})
		if len(out) > 1000 {
			t.Fatal("runaway")
		}
	}
}

func TestLineReaderOffsets(t *testing.T) {
	in := "one\r\ntwo\n\nlast"
	got := readAll(t, strings.NewReader(in), 0)
	want := []gotLine{{1, 0, 3, "one", false, false}, {2, 5, 3, "two", false, false}, {3, 9, 0, "", false, false}, {4, 10, 4, "last", false, false}}
	if len(got) != len(want) {
		t.Fatalf("got %d lines %+v, want %d", len(got), got, len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("line %d: got %+v, want %+v", i, got[i], want[i])
		}
		if s := in[got[i].off : got[i].off+got[i].len]; s != want[i].text {
			t.Errorf("line %d slices back to %q, want %q", i, s, want[i].text)
		}
	}
}

func TestLineReaderNULRunsAndLongLines(t *testing.T) {
	in := "abc" + strings.Repeat("\x00", 100000) + "def\n" + strings.Repeat("x", 300) + "\nok\n"
	// One byte per Read: buffer refills in the middle of everything.
	got := readAll(t, iotest.OneByteReader(strings.NewReader(in)), 100)
	want := []gotLine{
		{1, 0, 3, "abc", false, false},
		{1, 3, 100000, "", false, true},
		{1, 100003, 3, "def", false, false},
		{2, 100007, 300, "", true, false},
		{3, 100308, 2, "ok", false, false},
	}
	if len(got) != len(want) {
		t.Fatalf("got %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("line %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestLineReaderHugeLineBoundedMemory(t *testing.T) {
	// 64 MiB without a line feed, read through a 1 KiB bound.
	r := io.MultiReader(io.LimitReader(repeatReader('A'), 64<<20), strings.NewReader("\nnext\n"))
	got := readAll(t, r, 1024)
	if len(got) != 2 || !got[0].long || got[0].len != 64<<20 || got[1].text != "next" || got[1].off != 64<<20+1 {
		t.Fatalf("got %+v", got)
	}
}

type repeatReader byte

func (b repeatReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(b)
	}
	return len(p), nil
}

func utf16le(s string, bom bool) []byte {
	var b bytes.Buffer
	if bom {
		b.Write([]byte{0xFF, 0xFE})
	}
	for _, u := range utf16.Encode([]rune(s)) {
		b.WriteByte(byte(u))
		b.WriteByte(byte(u >> 8))
	}
	return b.Bytes()
}

func TestLineReaderUTF16(t *testing.T) {
	for _, bom := range []bool{true, false} {
		in := utf16le("first line here\r\nzweite Zeile: äöü €\nend", bom)
		got := readAll(t, iotest.HalfReader(bytes.NewReader(in)), 0)
		base := int64(0)
		if bom {
			base = 2
		}
		want := []gotLine{
			{1, base, 30, "first line here", false, false},
			{2, base + 34, 38, "zweite Zeile: äöü €", false, false},
			{3, base + 74, 6, "end", false, false},
		}
		if len(got) != len(want) {
			t.Fatalf("bom=%v: got %+v", bom, got)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("bom=%v line %d: got %+v, want %+v", bom, i, got[i], want[i])
			}
		}
	}
}

func TestLineReaderReadError(t *testing.T) {
	boom := errors.New("disk gone")
	lr := NewLineReader(io.MultiReader(strings.NewReader("a\nb"), iotest.ErrReader(boom)), 0)
	var texts []string
	for {
		l, err := lr.Next()
		if err != nil {
			if !errors.Is(err, boom) {
				t.Fatalf("error %v, want %v", err, boom)
			}
			break
		}
		texts = append(texts, string(l.Text))
	}
	if strings.Join(texts, ",") != "a,b" {
		t.Fatalf("lines before the error: %q", texts)
	}
}
