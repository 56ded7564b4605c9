package ewf

import (
	"bytes"
	"crypto/md5"
	"crypto/sha1"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/adler32"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Header values given to ewfacquire; the examiner's name needs header2's
// UTF-16 to survive.
const (
	testCaseNumber  = "CASE-2026/17"
	testEvidenceNum = "EV 3"
	testDescription = "laptop disk, left bay"
	testExaminer    = "Erika Ødegård 調査"
	testNotes       = "seized at 10:42"
)

// needEwfacquire skips the test when libewf's ewfacquire is not installed.
func needEwfacquire(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("ewfacquire"); err != nil {
		t.Skip("ewfacquire is not on PATH: install the Debian package ewf-tools (scripts/setup.sh does) to test the E01 reader against real images")
	}
}

// acquisition is one way of running ewfacquire.
type acquisition struct {
	compression string // -c: none, empty-block, fast, best
	sectors     int    // -b: sectors per chunk
	segment     int64  // -S: segment file size, 0 for the default
	format      string // -f, "" for the default (encase6)
}

func (a acquisition) String() string {
	s := fmt.Sprintf("c=%s,b=%d", a.compression, a.sectors)
	if a.segment > 0 {
		s += fmt.Sprintf(",S=%d", a.segment)
	}
	if a.format != "" {
		s += ",f=" + a.format
	}
	return s
}

// acquire writes src to dir and images it with ewfacquire, returning the
// first segment's path.
func acquire(t testing.TB, dir string, src []byte, a acquisition) string {
	t.Helper()
	srcPath := filepath.Join(dir, "source.raw")
	if err := os.WriteFile(srcPath, src, 0o644); err != nil {
		t.Fatal(err)
	}
	return acquireFile(t, dir, srcPath, a)
}

func acquireFile(t testing.TB, dir, srcPath string, a acquisition) string {
	t.Helper()
	needEwfacquire(t)
	target := filepath.Join(dir, "image")
	args := []string{"-u", "-q", "-t", target, "-c", a.compression, "-b", strconv.Itoa(a.sectors), "-d", "sha1",
		"-C", testCaseNumber, "-E", testEvidenceNum, "-D", testDescription, "-e", testExaminer, "-N", testNotes}
	if a.segment > 0 {
		args = append(args, "-S", strconv.FormatInt(a.segment, 10))
	}
	if a.format != "" {
		args = append(args, "-f", a.format)
	}
	out, err := exec.Command("ewfacquire", append(args, srcPath)...).CombinedOutput()
	if err != nil {
		t.Fatalf("ewfacquire %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	for _, ext := range []string{".E01", ".e01", ".s01"} {
		if _, err := os.Stat(target + ext); err == nil {
			return target + ext
		}
	}
	t.Fatalf("ewfacquire %s wrote no first segment:\n%s", strings.Join(args, " "), out)
	return ""
}

// mixedSource returns n bytes like a disk: runs of zeros, random data and
// text, all three present in the first 96 KiB.
func mixedSource(n int, seed uint64) []byte {
	rng := rand.New(rand.NewPCG(seed, 42))
	b := make([]byte, 0, n+64<<10)
	zeros := func(k int) { b = append(b, make([]byte, k)...) }
	random := func(k int) {
		for range k {
			b = append(b, byte(rng.Uint32()))
		}
	}
	text := func(k int) {
		for end := len(b) + k; len(b) < end; {
			b = fmt.Appendf(b, "Nov 26 10:%02d:%02d web01 sshd[%d]: Failed password for root from 203.0.113.%d\n",
				rng.IntN(60), rng.IntN(60), rng.IntN(65536), rng.IntN(256))
		}
	}
	zeros(32 << 10)
	random(32 << 10)
	text(32 << 10)
	for len(b) < n {
		k := 512 * (1 + rng.IntN(96))
		switch rng.IntN(3) {
		case 0:
			zeros(k)
		case 1:
			random(k)
		default:
			text(k)
		}
	}
	return b[:n]
}

// oneOf reports whether s is one of the space-separated words.
func oneOf(s, words string) bool {
	for _, w := range strings.Fields(words) {
		if s == w {
			return true
		}
	}
	return false
}

func md5hex(b []byte) string  { s := md5.Sum(b); return hex.EncodeToString(s[:]) }
func sha1hex(b []byte) string { s := sha1.Sum(b); return hex.EncodeToString(s[:]) }

// checkImage opens first and checks every way of reading it against src.
func checkImage(t *testing.T, first string, src []byte, a acquisition, wantSHA1 bool) *Image {
	t.Helper()
	im, err := Open(first)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { im.Close() })
	if im.Size() != int64(len(src)) {
		t.Fatalf("Size = %d, want %d", im.Size(), len(src))
	}
	if im.ChunkSize() != a.sectors*512 {
		t.Fatalf("ChunkSize = %d, want %d", im.ChunkSize(), a.sectors*512)
	}
	got, err := io.ReadAll(im.Reader())
	if err != nil || !bytes.Equal(got, src) {
		t.Fatalf("Reader: %d bytes, equal %v, err %v", len(got), bytes.Equal(got, src), err)
	}
	checkStream(t, im, src)
	got = make([]byte, len(src)+100)
	n, err := im.ReadAt(got, 0)
	if n != len(src) || err != io.EOF || !bytes.Equal(got[:n], src) {
		t.Fatalf("ReadAt(all): n=%d err=%v equal=%v", n, err, bytes.Equal(got[:n], src))
	}
	// Reads of every length around the chunk size, at chunk boundaries and off them.
	cs := im.ChunkSize()
	for _, off := range []int{0, 1, cs - 1, cs, cs + 7, len(src) - cs - 1, len(src) - 3} {
		for _, l := range []int{0, 1, cs - 1, cs, cs + 1, 2*cs + 3} {
			if off < 0 || off > len(src) {
				continue
			}
			buf := make([]byte, l)
			n, err := im.ReadAt(buf, int64(off))
			want := src[off:min(off+l, len(src))]
			if n != len(want) || !bytes.Equal(buf[:n], want) || (n < l && err != io.EOF) || (n == l && err != nil && err != io.EOF) {
				t.Fatalf("ReadAt(%d bytes at %d): n=%d err=%v, want %d bytes", l, off, n, err, len(want))
			}
		}
	}
	if n, err := im.ReadAt(make([]byte, 1), int64(len(src))); n != 0 || err != io.EOF {
		t.Fatalf("ReadAt at the end: n=%d err=%v", n, err)
	}
	if im.StoredMD5() != md5hex(src) {
		t.Fatalf("StoredMD5 = %q, want %s", im.StoredMD5(), md5hex(src))
	}
	if wantSHA1 && im.StoredSHA1() != sha1hex(src) {
		t.Fatalf("StoredSHA1 = %q, want %s", im.StoredSHA1(), sha1hex(src))
	}
	h := im.Header()
	for k, want := range map[string]string{"case_number": testCaseNumber, "evidence_number": testEvidenceNum, "description": testDescription,
		"examiner": testExaminer, "notes": testNotes} {
		if k == "examiner" && a.format != "" && !oneOf(a.format, "encase4 encase5 encase6 encase7 linen7 ewfx") {
			want = "" // no header2: the header's code page cannot hold it
		}
		if want != "" && h[k] != want {
			t.Errorf("Header[%s] = %q, want %q (header %v)", k, h[k], want, h)
		}
	}
	if d := h["acquisition_date"]; d == "" {
		t.Errorf("no acquisition_date in %v", h)
	}
	if len(im.Notes()) != 0 {
		t.Errorf("Notes = %q, want none", im.Notes())
	}
	return im
}

// checkStream reads im through Stream with a tee and checks that it gives
// the media src and hands the tee every byte of every segment file, once,
// in file order.
func checkStream(t *testing.T, im *Image, src []byte) {
	t.Helper()
	teed := make([][]byte, len(im.Segments()))
	last := 0
	got, err := io.ReadAll(im.Stream(func(seg int, raw []byte, release func()) {
		if seg < last {
			t.Errorf("tee: segment %d after segment %d", seg, last)
		}
		last = seg
		teed[seg] = append(teed[seg], raw...)
		release()
	}))
	if err != nil || !bytes.Equal(got, src) {
		t.Fatalf("Stream: %d bytes, equal %v, err %v", len(got), bytes.Equal(got, src), err)
	}
	for k, p := range im.Segments() {
		want, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(teed[k], want) {
			t.Fatalf("Stream's tee gave %d bytes of %s, not its %d bytes", len(teed[k]), p, len(want))
		}
	}
}

// TestMatrix images sources of awkward sizes with every compression level
// and several chunk sizes, and reads them back byte for byte.
func TestMatrix(t *testing.T) {
	needEwfacquire(t)
	sizes := map[string]int{"3MiB+512": 3<<20 + 512, "1 sector": 512, "1 chunk of 64": 64 * 512, "65 sectors": 65 * 512}
	for _, c := range []string{"none", "empty-block", "fast", "best"} {
		for _, b := range []int{16, 64, 128} {
			for name, n := range sizes {
				a := acquisition{compression: c, sectors: b}
				t.Run(a.String()+","+name, func(t *testing.T) {
					t.Parallel()
					src := mixedSource(n, uint64(n+b))
					checkImage(t, acquire(t, t.TempDir(), src, a), src, a, true)
				})
			}
		}
	}
}

// TestFormats reads every EWF-1 flavour this ewfacquire writes: the
// EWF/SMART layout (chunks inside the table section, no table checksum),
// EnCase 2–5 and FTK (absolute offsets), EnCase 6–7 and linen (base
// offsets, digest section), EWF-X (XML header and hash).
func TestFormats(t *testing.T) {
	needEwfacquire(t)
	src := mixedSource(700*512, 7)
	for _, f := range []string{"ewf", "smart", "ftk", "encase2", "encase3", "encase4", "encase5", "encase6", "encase7", "linen5", "linen6", "linen7", "ewfx"} {
		a := acquisition{compression: "best", sectors: 16, format: f}
		t.Run(f, func(t *testing.T) {
			t.Parallel()
			first := acquire(t, t.TempDir(), src, a)
			sha1Stored := oneOf(f, "encase6 encase7 linen6 linen7 ewfx")
			checkImage(t, first, src, a, sha1Stored)
		})
	}
}

// TestMultiSegment splits images into 1 MiB segments (the smallest
// ewfacquire allows).
func TestMultiSegment(t *testing.T) {
	needEwfacquire(t)
	src := mixedSource(3<<20+512, 3)
	for _, c := range []string{"none", "fast"} {
		a := acquisition{compression: c, sectors: 64, segment: 1 << 20}
		t.Run(a.String(), func(t *testing.T) {
			t.Parallel()
			im := checkImage(t, acquire(t, t.TempDir(), src, a), src, a, true)
			segs := im.Segments()
			if min := map[string]int{"none": 4, "fast": 2}[c]; len(segs) < min {
				t.Fatalf("%d segments %v, want at least %d", len(segs), segs, min)
			}
			for i, s := range segs {
				if want := fmt.Sprintf("image.E%02d", i+1); filepath.Base(s) != want {
					t.Fatalf("segment %d is %s, want %s", i+1, s, want)
				}
			}
		})
	}
}

// TestConcurrentReadAt reads random ranges from several goroutines at once
// (run with -race), while a Reader streams the same image.
func TestConcurrentReadAt(t *testing.T) {
	needEwfacquire(t)
	src := mixedSource(2<<20+1536, 17)
	im := checkImage(t, acquire(t, t.TempDir(), src, acquisition{compression: "fast", sectors: 16, segment: 1 << 20}), src,
		acquisition{compression: "fast", sectors: 16}, true)
	errs := make(chan error, 5)
	for g := range 4 {
		go func() {
			rng := rand.New(rand.NewPCG(uint64(g), 0))
			for range 300 {
				off, l := rng.IntN(len(src)), rng.IntN(40000)
				buf := make([]byte, l)
				n, err := im.ReadAt(buf, int64(off))
				if want := src[off:min(off+l, len(src))]; n != len(want) || !bytes.Equal(buf[:n], want) || (err != nil && err != io.EOF) {
					errs <- fmt.Errorf("ReadAt(%d at %d): n=%d err=%v", l, off, n, err)
					return
				}
			}
			errs <- nil
		}()
	}
	go func() {
		got, err := io.ReadAll(im.Reader())
		if err == nil && !bytes.Equal(got, src) {
			err = errors.New("Reader differs")
		}
		errs <- err
	}()
	for range 5 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}

// TestClose: reads after Close fail, and Close stops an abandoned Reader.
func TestClose(t *testing.T) {
	im, err := Open(filepath.Join("testdata", "tiny.E01"))
	if err != nil {
		t.Fatal(err)
	}
	r := im.Reader()
	if _, err := r.Read(make([]byte, 10)); err != nil {
		t.Fatal(err)
	}
	if err := im.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := im.ReadAt(make([]byte, 10), 0); !errors.Is(err, os.ErrClosed) {
		t.Fatalf("ReadAt after Close: %v", err)
	}
	if _, err := io.ReadAll(r); err == nil {
		t.Fatal("a Reader goes on after Close")
	}
	if err := im.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

// TestManySegments crosses from .E99 to .EAA.
func TestManySegments(t *testing.T) {
	needEwfacquire(t)
	if testing.Short() {
		t.Skip("writes 101 MiB")
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "zeros.raw")
	f, err := os.Create(src)
	if err != nil {
		t.Fatal(err)
	}
	f.Truncate(101<<20 + 4096)
	f.Close()
	a := acquisition{compression: "none", sectors: 64, segment: 1 << 20}
	im, err := Open(acquireFile(t, dir, src, a))
	if err != nil {
		t.Fatal(err)
	}
	defer im.Close()
	segs := im.Segments()
	if len(segs) < 101 || filepath.Base(segs[98]) != "image.E99" || filepath.Base(segs[99]) != "image.EAA" || filepath.Base(segs[100]) != "image.EAB" {
		t.Fatalf("segments: %d, 99th to 101st: %v", len(segs), segs[98:min(101, len(segs))])
	}
	h := md5.New()
	if n, err := io.Copy(h, im.Reader()); err != nil || n != 101<<20+4096 {
		t.Fatalf("read %d bytes, err %v", n, err)
	}
	if hex.EncodeToString(h.Sum(nil)) != im.StoredMD5() {
		t.Fatal("MD5 differs from the stored one")
	}
}

// TestSplitTables reads an image with more chunks than one table holds
// (EnCase 5 and the EWF layout split tables at 16375 entries).
func TestSplitTables(t *testing.T) {
	needEwfacquire(t)
	dir := t.TempDir()
	src := filepath.Join(dir, "sparse.raw")
	// 20000 chunks of 8 KiB: zeros with a marker in some chunks, written
	// sparsely so the test stays fast.
	const chunks, cs = 20000, 8192
	f, err := os.Create(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []int64{0, 1, 16374, 16375, 16376, chunks - 1} {
		fmt.Fprintf(io.NewOffsetWriter(f, c*cs+100), "chunk %d marker", c)
	}
	f.Truncate(chunks * cs)
	f.Close()
	want, _ := os.ReadFile(src)
	for _, format := range []string{"encase5", "ewf"} {
		a := acquisition{compression: "fast", sectors: 16, format: format}
		t.Run(format, func(t *testing.T) {
			sub := filepath.Join(dir, format)
			os.Mkdir(sub, 0o755)
			im, err := Open(acquireFile(t, sub, src, a))
			if err != nil {
				t.Fatal(err)
			}
			defer im.Close()
			if len(im.tables) < 2 {
				t.Fatalf("%d tables; the test needs a split table", len(im.tables))
			}
			got, err := io.ReadAll(im.Reader())
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("Reader: %d bytes, equal %v, err %v", len(got), bytes.Equal(got, want), err)
			}
			buf := make([]byte, 3*cs)
			if _, err := im.ReadAt(buf, 16374*cs); err != nil || !bytes.Equal(buf, want[16374*cs:16377*cs]) {
				t.Fatalf("ReadAt across the table boundary: %v", err)
			}
			if im.StoredMD5() != md5hex(want) {
				t.Fatal("stored MD5 differs")
			}
		})
	}
}

// TestStreamChunksOutOfFileOrder: when the tables list chunks in another
// order than the file holds them, Stream reads the chunks it has passed
// again and gives the same bytes as ReadAt. No writer is known to do this;
// the test renumbers the two tables of a split-table image.
func TestStreamChunksOutOfFileOrder(t *testing.T) {
	needEwfacquire(t)
	src := mixedSource(20000*8192/16, 21) // 1250 chunks of 8 KiB
	dir := t.TempDir()
	// ewf (SMART) layout splits tables of this many chunks? Use encase5 with
	// 16375-entry tables: 20000 chunks needs two.
	big := make([]byte, 20000*8192)
	for i := 0; i < len(big); i += len(src) {
		copy(big[i:], src)
	}
	im, err := Open(acquire(t, dir, big, acquisition{compression: "fast", sectors: 16, format: "encase5"}))
	if err != nil {
		t.Fatal(err)
	}
	defer im.Close()
	if len(im.tables) != 2 {
		t.Fatalf("%d tables, the test needs 2", len(im.tables))
	}
	// The second table's chunks become the first chunks of the media.
	t0, t1 := im.tables[0], im.tables[1]
	t1.first, t0.first = 0, t1.count
	im.tables[0], im.tables[1] = t1, t0
	want := make([]byte, im.Size())
	if n, err := im.ReadAt(want, 0); int64(n) != im.Size() || (err != nil && err != io.EOF) {
		t.Fatalf("ReadAt: %d bytes, %v", n, err)
	}
	if bytes.Equal(want, big) {
		t.Fatal("renumbering the tables changed nothing")
	}
	checkStream(t, im, want)
}

// TestStreamFileShrinks: a segment file cut short after Open stops Stream
// with an error naming the file, after the bytes before the cut.
func TestStreamFileShrinks(t *testing.T) {
	needEwfacquire(t)
	src := mixedSource(3<<20, 23)
	first := acquire(t, t.TempDir(), src, acquisition{compression: "none", sectors: 64, segment: 1 << 20})
	im, err := Open(first)
	if err != nil {
		t.Fatal(err)
	}
	defer im.Close()
	second := im.Segments()[1]
	if err := os.Truncate(second, 300<<10); err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(im.Stream(nil))
	var e *Error
	if !errors.Is(err, ErrFormat) || !errors.As(err, &e) || e.File != second {
		t.Fatalf("err = %v", err)
	}
	if len(got) == 0 || !bytes.Equal(got, src[:len(got)]) {
		t.Fatalf("%d bytes before the error, not a prefix of the media", len(got))
	}
	// Cut after every chunk: the media reads, but the file does not to its end.
	im.Close()
	first = acquire(t, t.TempDir(), src, acquisition{compression: "none", sectors: 64})
	if im, err = Open(first); err != nil {
		t.Fatal(err)
	}
	defer im.Close()
	fi, _ := os.Stat(first)
	if err := os.Truncate(first, fi.Size()-40); err != nil {
		t.Fatal(err)
	}
	got, err = io.ReadAll(im.Stream(func(_ int, _ []byte, release func()) { release() }))
	if !errors.Is(err, ErrFormat) || !errors.As(err, &e) || e.File != first || !strings.Contains(err.Error(), "while it is read") || !bytes.Equal(got, src) {
		t.Fatalf("cut in the done section: %d bytes, err = %v", len(got), err)
	}
}

// TestOddSize: a source that is not a whole number of sectors. ewfacquire
// 20140813 stores every byte and hashes them all but declares whole
// sectors only, so libewf's own ewfverify fails on such an image. The
// reader follows the volume section, like libewf, and says what happened.
func TestOddSize(t *testing.T) {
	needEwfacquire(t)
	src := mixedSource(1000, 1)
	im, err := Open(acquire(t, t.TempDir(), src, acquisition{compression: "none", sectors: 64}))
	if err != nil {
		t.Fatal(err)
	}
	defer im.Close()
	got, err := io.ReadAll(im.Reader())
	if err != nil || !bytes.Equal(got, src[:512]) || im.Size() != 512 {
		t.Fatalf("read %d bytes (size %d), err %v", len(got), im.Size(), err)
	}
	if notes := im.Notes(); len(notes) != 1 || !strings.Contains(notes[0], "488 bytes more") {
		t.Fatalf("notes: %q", notes)
	}
	if im.StoredMD5() != md5hex(src) {
		t.Fatalf("stored MD5 %s is not the full source's", im.StoredMD5())
	}
}

func TestTruncated(t *testing.T) {
	needEwfacquire(t)
	src := mixedSource(200<<10, 5)
	dir := t.TempDir()
	first := acquire(t, dir, src, acquisition{compression: "fast", sectors: 64})
	whole, err := os.ReadFile(first)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{0, 7, 12, 13, 40, 13 + 76, 300, len(whole) / 3, len(whole) / 2, len(whole) - 200, len(whole) - 76, len(whole) - 1} {
		p := filepath.Join(dir, fmt.Sprintf("cut%d.E01", n))
		os.WriteFile(p, whole[:n], 0o644)
		im, err := Open(p)
		if err == nil {
			im.Close()
			t.Fatalf("truncated at %d of %d bytes: Open succeeded", n, len(whole))
		}
		var e *Error
		if !errors.Is(err, ErrFormat) || !errors.As(err, &e) || e.File != p || !strings.Contains(err.Error(), p) {
			t.Fatalf("truncated at %d: %v", n, err)
		}
	}
}

// flip changes one byte of a file.
func flip(t *testing.T, path string, off int64) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b := make([]byte, 1)
	if _, err := f.ReadAt(b, off); err != nil {
		t.Fatal(err)
	}
	b[0] ^= 0x5a
	if _, err := f.WriteAt(b, off); err != nil {
		t.Fatal(err)
	}
}

// TestDamagedChunk flips a byte inside a compressed and inside an
// uncompressed chunk: ReadAt and Reader must fail on that chunk, naming
// it, and still deliver every byte before it.
func TestDamagedChunk(t *testing.T) {
	needEwfacquire(t)
	src := mixedSource(400<<10, 9)
	for _, c := range []string{"best", "none"} {
		t.Run(c, func(t *testing.T) {
			first := acquire(t, t.TempDir(), src, acquisition{compression: c, sectors: 64})
			im, err := Open(first)
			if err != nil {
				t.Fatal(err)
			}
			// Chunk 3 is text: it compresses.
			const bad = 3
			loc, err := im.locate(bad)
			if err != nil {
				t.Fatal(err)
			}
			if loc.compressed != (c == "best") {
				t.Fatalf("chunk %d compressed = %v", bad, loc.compressed)
			}
			im.Close()
			for _, at := range []int64{loc.off + loc.size/2, loc.off + loc.size - 1} { // the data, then the checksum
				flip(t, first, at)
				im, err := Open(first)
				if err != nil {
					t.Fatalf("Open: %v (a damaged chunk must not stop Open)", err)
				}
				cs := int64(im.ChunkSize())
				buf := make([]byte, 2*cs)
				n, err := im.ReadAt(buf, (bad-1)*cs)
				var e *Error
				if !errors.Is(err, ErrChecksum) || !errors.As(err, &e) || e.Chunk != bad || e.File != first || n != int(cs) || !bytes.Equal(buf[:n], src[(bad-1)*cs:bad*cs]) {
					t.Fatalf("ReadAt over chunk %d damaged at %d: n=%d err=%v", bad, at, n, err)
				}
				for _, s := range []string{first, "chunk 3", fmt.Sprintf("offset %d", loc.off)} {
					if !strings.Contains(err.Error(), s) {
						t.Fatalf("error %q does not name %q", err, s)
					}
				}
				got, err := io.ReadAll(im.Reader())
				if !errors.Is(err, ErrChecksum) || int64(len(got)) != bad*cs || !bytes.Equal(got, src[:bad*cs]) {
					t.Fatalf("Reader: %d bytes, err %v", len(got), err)
				}
				if _, err := im.ReadAt(buf[:10], 0); err != nil {
					t.Fatalf("other chunks stay readable: %v", err)
				}
				im.Close()
				flip(t, first, at) // restore
			}
		})
	}
}

// TestDamagedStructure: a damaged section descriptor or hash section stops
// Open; a damaged table is replaced by its table2 copy, and both damaged
// is an error on read.
func TestDamagedStructure(t *testing.T) {
	needEwfacquire(t)
	src := mixedSource(300<<10, 11)
	first := acquire(t, t.TempDir(), src, acquisition{compression: "fast", sectors: 64})
	whole, _ := os.ReadFile(first)
	sections := walkSections(t, whole)

	restore := func() { os.WriteFile(first, whole, 0o644) }
	openErr := func(kind error, what string) {
		t.Helper()
		im, err := Open(first)
		if err == nil {
			im.Close()
			t.Fatalf("%s: Open succeeded", what)
		}
		if !errors.Is(err, kind) || !strings.Contains(err.Error(), first) {
			t.Fatalf("%s: %v, want %v", what, err, kind)
		}
		restore()
	}
	flip(t, first, sections["volume"][0]+3)
	openErr(ErrChecksum, "volume descriptor")
	flip(t, first, sections["volume"][0]+76+4)
	openErr(ErrChecksum, "volume data")
	flip(t, first, sections["hash"][0]+76+2)
	openErr(ErrChecksum, "hash data")
	flip(t, first, sections["digest"][0]+76+20)
	openErr(ErrChecksum, "digest data")

	// A damaged table: the table2 copy serves.
	flip(t, first, sections["table"][0]+76+24+8)
	im, err := Open(first)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(im.Reader())
	if err != nil || !bytes.Equal(got, src) {
		t.Fatalf("with a damaged table and an intact table2: %d bytes, err %v", len(got), err)
	}
	im.Close()
	flip(t, first, sections["table2"][0]+76+24+8)
	im, err = Open(first)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadAll(im.Reader()); !errors.Is(err, ErrChecksum) || !strings.Contains(err.Error(), "table") {
		t.Fatalf("both tables damaged: %v", err)
	}
	im.Close()
	restore()

	// One header2 copy damaged: the other serves, without a note.
	flip(t, first, sections["header2"][0]+76+10)
	im, err = Open(first)
	if err != nil {
		t.Fatal(err)
	}
	if im.Header()["examiner"] != testExaminer || len(im.Notes()) != 0 {
		t.Fatalf("header %v notes %q", im.Header(), im.Notes())
	}
	im.Close()
	restore()
}

// walkSections maps section types to their offsets in one segment file.
func walkSections(t *testing.T, b []byte) map[string][]int64 {
	out := map[string][]int64{}
	for off := int64(fileHeaderSize); off+descriptorSize <= int64(len(b)); {
		d, err := parseDescriptor(b[off:off+descriptorSize], "test", off)
		if err != nil {
			t.Fatal(err)
		}
		out[d.typ] = append(out[d.typ], off)
		if d.typ == "done" || d.typ == "next" {
			break
		}
		off = d.next
	}
	return out
}

func TestMissingSegment(t *testing.T) {
	needEwfacquire(t)
	src := mixedSource(3<<20, 13)
	first := acquire(t, t.TempDir(), src, acquisition{compression: "none", sectors: 64, segment: 1 << 20})
	e02 := strings.TrimSuffix(first, "01") + "02"
	if err := os.Remove(e02); err != nil {
		t.Fatal(err)
	}
	_, err := Open(first)
	if !errors.Is(err, ErrMissingSegment) || !strings.Contains(err.Error(), "image.E02") || !strings.Contains(err.Error(), first) {
		t.Fatalf("Open without .E02: %v", err)
	}
	// Opening a later segment is refused.
	if _, err := Open(strings.TrimSuffix(first, "01") + "03"); !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "not the first") {
		t.Fatalf("Open .E03: %v", err)
	}
}

func TestUnsupportedAndForeign(t *testing.T) {
	dir := t.TempDir()
	for name, c := range map[string]struct {
		head string
		want error
	}{
		"x.Ex01": {sigEVF2 + "\x01\x00\x00\x00\x00", ErrUnsupported},
		"x.Lx01": {sigLEF2 + "\x01\x00\x00\x00\x00", ErrUnsupported},
		"x.L01":  {sigLVF + "\x01\x01\x00\x00\x00", ErrUnsupported},
		"x.E01":  {"MZ\x90\x00 this is not an image at all", ErrFormat},
		"y.E01":  {"EVF", ErrFormat},
	} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(c.head+strings.Repeat("\x00", 200)), 0o644)
		if name == "y.E01" {
			os.WriteFile(p, []byte(c.head), 0o644)
		}
		if _, err := Open(p); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", name, err, c.want)
		}
	}
	if _, err := Open(filepath.Join(dir, "absent.E01")); err == nil || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("absent file: %v", err)
	}
}

func TestSegmentPath(t *testing.T) {
	for _, c := range []struct {
		first string
		n     int
		want  string
	}{
		{"/x/img.E01", 1, "/x/img.E01"}, {"/x/img.E01", 2, "/x/img.E02"}, {"/x/img.E01", 99, "/x/img.E99"},
		{"/x/img.E01", 100, "/x/img.EAA"}, {"/x/img.E01", 101, "/x/img.EAB"}, {"/x/img.E01", 126, "/x/img.EBA"},
		{"/x/img.E01", 775, "/x/img.EZZ"}, {"/x/img.E01", 776, "/x/img.FAA"}, {"/x/img.e01", 100, "/x/img.eaa"},
		{"/x/img.s01", 100, "/x/img.saa"}, {"/x/img.E01", 14971, "/x/img.ZZZ"}, {"/x/img.E01", 14972, ""},
		{"/x/img.bin", 2, ""}, {"/x/img.E02", 3, ""},
	} {
		got, _ := segmentPath(c.first, c.n)
		if got != c.want {
			t.Errorf("segmentPath(%s, %d) = %q, want %q", c.first, c.n, got, c.want)
		}
	}
}

// tinySource is what testdata/tiny.E01 holds; regenerate the files with
// EWF_REGENERATE_TESTDATA=1 go test -run TestTestdata ./evidence/ewf.
func tinySource() []byte {
	b := bytes.Repeat([]byte("Custodia EWF test image\n"), 100)
	return append(b, make([]byte, 3072-len(b))...)
}

var testdataFiles = []struct {
	name string
	a    acquisition
}{
	{"tiny.E01", acquisition{compression: "fast", sectors: 64}},
	{"tiny-uncompressed.E01", acquisition{compression: "none", sectors: 64}},
	{"tiny-smart.s01", acquisition{compression: "fast", sectors: 64, format: "smart"}},
}

// TestTestdata reads the committed images (no ewfacquire needed).
func TestTestdata(t *testing.T) {
	if os.Getenv("EWF_REGENERATE_TESTDATA") != "" {
		for _, f := range testdataFiles {
			dir := t.TempDir()
			first := acquire(t, dir, tinySource(), f.a)
			b, err := os.ReadFile(first)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join("testdata", f.name), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	src := tinySource()
	for _, f := range testdataFiles {
		im, err := Open(filepath.Join("testdata", f.name))
		if err != nil {
			t.Fatalf("%s: %v", f.name, err)
		}
		got, err := io.ReadAll(im.Reader())
		if err != nil || !bytes.Equal(got, src) || im.StoredMD5() != md5hex(src) {
			t.Fatalf("%s: %d bytes, err %v, stored MD5 %s", f.name, len(got), err, im.StoredMD5())
		}
		if im.Header()["case_number"] != testCaseNumber {
			t.Fatalf("%s: header %v", f.name, im.Header())
		}
		im.Close()
	}
}

// FuzzOpen opens arbitrary bytes as an E01. It must never panic, hang or
// allocate without bound; when it opens, reading twice must give the same
// bytes, and the sequential reader must agree with ReadAt.
func FuzzOpen(f *testing.F) {
	for _, tf := range testdataFiles {
		b, err := os.ReadFile(filepath.Join("testdata", tf.name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		for _, n := range []int{0, 13, 100, len(b) / 2, len(b) - 76, len(b) - 1} {
			f.Add(b[:n])
		}
		// Damage with the checksums fixed up, so the fuzzer starts past them.
		for _, at := range []int{13 + 16, 13 + 24, len(b) / 3} {
			c := bytes.Clone(b)
			c[at] ^= 0x40
			fixChecksums(c)
			f.Add(c)
		}
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte) {
		p := filepath.Join(dir, "fuzz.E01")
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		im, err := Open(p)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) && !errors.Is(err, ErrFormat) {
				t.Fatalf("error without an *Error: %v", err)
			}
			return
		}
		defer im.Close()
		n := min(im.Size(), 2<<20)
		a, errA := readAll(im, n)
		c, errC := readAll(im, n)
		if (errA == nil) != (errC == nil) || !bytes.Equal(a, c) {
			t.Fatalf("two reads differ: %v / %v", errA, errC)
		}
		if errA == nil && n == im.Size() {
			s, err := io.ReadAll(im.Reader())
			if err != nil || !bytes.Equal(s, a) {
				t.Fatalf("Reader differs from ReadAt: %d/%d bytes, %v", len(s), len(a), err)
			}
		}
	})
}

func readAll(im *Image, n int64) ([]byte, error) {
	b := make([]byte, n)
	k, err := im.ReadAt(b, 0)
	if err == io.EOF && int64(k) == n {
		err = nil
	}
	return b[:k], err
}

// fixChecksums recomputes the Adler-32 of every section descriptor of a
// single-segment image, as a forger (or the fuzzer's seed maker) would.
func fixChecksums(b []byte) {
	for off := fileHeaderSize; off+descriptorSize <= len(b); {
		d := b[off : off+descriptorSize]
		binary.LittleEndian.PutUint32(d[72:], adler32.Checksum(d[:72]))
		next := int(binary.LittleEndian.Uint64(d[16:24]))
		if next <= off || next > len(b) {
			return
		}
		off = next
	}
}

// benchImage makes a disk-like E01 (1 MiB regions: 45% zeros, 30% random,
// 25% log text) of CUSTODIA_BENCH_MB MiB, 256 by default, deflate fast.
func benchImage(b *testing.B) (string, int64) {
	needEwfacquire(b)
	size := int64(256) << 20
	if v, err := strconv.Atoi(os.Getenv("CUSTODIA_BENCH_MB")); err == nil && v > 0 {
		size = int64(v) << 20
	}
	dir := b.TempDir()
	src := filepath.Join(dir, "disk.raw")
	f, err := os.Create(src)
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(7, 11))
	cha := rand.NewChaCha8([32]byte{1})
	region := make([]byte, 1<<20)
	for done := int64(0); done < size; done += int64(len(region)) {
		switch p := rng.IntN(100); {
		case p < 45:
			clear(region)
		case p < 75:
			cha.Read(region)
		default:
			region = region[:0]
			for len(region) < 1<<20 {
				region = fmt.Appendf(region, "Nov 26 10:%02d:%02d web01 sshd[%d]: Failed password for root from 203.0.113.%d port %d ssh2\n",
					rng.IntN(60), rng.IntN(60), rng.IntN(65536), rng.IntN(256), rng.IntN(65536))
			}
			region = region[:1<<20]
		}
		if _, err := f.Write(region); err != nil {
			b.Fatal(err)
		}
	}
	f.Close()
	first := acquireFile(b, dir, src, acquisition{compression: "fast", sectors: 64})
	os.Remove(src)
	return first, size
}

// BenchmarkReader reads a whole image sequentially through Reader, the
// way the ingest pipeline does.
func BenchmarkReader(b *testing.B) {
	first, size := benchImage(b)
	im, err := Open(first)
	if err != nil {
		b.Fatal(err)
	}
	defer im.Close()
	b.SetBytes(size)
	b.ResetTimer()
	for range b.N {
		if n, err := io.Copy(io.Discard, im.Reader()); err != nil || n != size {
			b.Fatalf("read %d bytes: %v", n, err)
		}
	}
}

// BenchmarkReadAt reads a whole image with 1 MiB ReadAt calls on one goroutine.
func BenchmarkReadAt(b *testing.B) {
	first, size := benchImage(b)
	im, err := Open(first)
	if err != nil {
		b.Fatal(err)
	}
	defer im.Close()
	buf := make([]byte, 1<<20)
	b.SetBytes(size)
	b.ResetTimer()
	for range b.N {
		for off := int64(0); off < size; off += int64(len(buf)) {
			if _, err := im.ReadAt(buf, off); err != nil && err != io.EOF {
				b.Fatal(err)
			}
		}
	}
}
