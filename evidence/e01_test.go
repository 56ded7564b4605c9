package evidence

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/adler32"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/evidence/ewf"
)

// e01Examiner needs header2's UTF-16 to survive the round trip.
const e01Examiner = "Erika Ødegård"

// makeE01 writes src next to an E01 image of it made by ewfacquire and
// returns the first segment. segment > 0 splits it into files that size.
func makeE01(t *testing.T, dir string, src []byte, compression string, segment int) string {
	t.Helper()
	if _, err := exec.LookPath("ewfacquire"); err != nil {
		t.Skip("ewfacquire is not on PATH: install the Debian package ewf-tools (scripts/setup.sh does) to test E01 ingest")
	}
	raw := writeFile(t, dir, "source.raw", src)
	args := []string{"-u", "-q", "-t", filepath.Join(dir, "disk"), "-c", compression, "-b", "64", "-d", "sha1",
		"-C", "IR-2026-042", "-E", "HDD-1", "-D", "laptop of the finance clerk", "-e", e01Examiner, "-N", "write-blocked"}
	if segment > 0 {
		args = append(args, "-S", fmt.Sprint(segment))
	}
	if out, err := exec.Command("ewfacquire", append(args, raw)...).CombinedOutput(); err != nil {
		t.Fatalf("ewfacquire: %v\n%s", err, out)
	}
	os.Remove(raw) // the image must stand on its own
	return filepath.Join(dir, "disk.E01")
}

// diskLike returns n bytes with an MBR signature, zeros, text and random data.
func diskLike(n int) []byte {
	b := make([]byte, n)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 64 << 10; i < n; i++ {
		switch (i / (48 << 10)) % 3 {
		case 0:
			b[i] = byte(rng.Uint32())
		case 1:
			const line = "Nov 26 10:00:01 web01 sshd[42]: Accepted publickey for root\n"
			b[i] = line[i%len(line)]
		}
	}
	b[510], b[511] = 0x55, 0xaa
	return b
}

func TestIngestE01(t *testing.T) {
	c := testCase(t)
	dir := t.TempDir()
	src := diskLike(3<<20 + 512)
	first := makeE01(t, dir, src, "fast", 1<<20)
	before := map[string][]byte{}
	segs := ewf.SegmentFiles(first)
	if len(segs) < 2 {
		t.Fatalf("want a multi-segment image, got %v", segs)
	}
	for _, p := range segs {
		before[p], _ = os.ReadFile(p)
	}

	evs, err := Ingest(context.Background(), c, first, Options{ChunkSize: 256 << 10, Reason: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 1 {
		t.Fatalf("%d items, want 1 (the segments are one image)", len(evs))
	}
	m := evs[0].Meta
	if m.Format != FormatE01 || m.Size != int64(len(src)) || m.Hashes != sums(src) || m.Kind != casefile.KindDisk {
		t.Fatalf("format %s size %d kind %s hashes %+v, want %+v", m.Format, m.Size, m.Kind, m.Hashes, sums(src))
	}
	if len(m.Container) != len(segs) {
		t.Fatalf("container %+v, want the %d segments", m.Container, len(segs))
	}
	for i, cf := range m.Container {
		if cf.Path != segs[i] || cf.Size != int64(len(before[segs[i]])) || cf.Hashes != sums(before[segs[i]]) {
			t.Fatalf("container file %d: %+v, want %s with its own hashes %+v", i, cf, segs[i], sums(before[segs[i]]))
		}
	}
	a := m.Acquisition
	for k, want := range map[string]string{
		"e01_examiner": e01Examiner, "examiner": e01Examiner, "e01_case_number": "IR-2026-042", "e01_evidence_number": "HDD-1",
		"e01_description": "laptop of the finance clerk", "e01_notes": "write-blocked", "e01_hash_check": "match",
		"e01_stored_md5": m.Hashes.MD5, "e01_stored_sha1": m.Hashes.SHA1, "e01_segments": fmt.Sprint(len(segs)), "e01_chunk_size": "32768",
	} {
		if a[k] != want {
			t.Errorf("Acquisition[%s] = %q, want %q", k, a[k], want)
		}
	}
	if a["acquired_at"] == "" || a["tool"] == "" {
		t.Errorf("acquired_at %q tool %q", a["acquired_at"], a["tool"])
	}
	if len(m.Warnings) != 0 {
		t.Errorf("warnings: %q", m.Warnings)
	}
	for _, p := range segs {
		if after, _ := os.ReadFile(p); !bytes.Equal(after, before[p]) {
			t.Fatalf("ingest changed %s", p)
		}
	}

	out := filepath.Join(t.TempDir(), "extracted.dd")
	if _, err := Extract(context.Background(), c, evs[0].ID, out, "test", nil); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(out); !bytes.Equal(got, src) {
		t.Fatal("Extract does not give the raw media")
	}
	if v, err := Verify(context.Background(), c, evs[0].ID, VerifyOptions{AllHashes: true}, nil); err != nil || !v.OK {
		t.Fatalf("Verify: %+v %v", v, err)
	}
	if _, ok, err := VerifySource(context.Background(), c, evs[0].ID, "", nil); err != nil || !ok {
		t.Fatalf("VerifySource: %v %v", ok, err)
	}
}

// TestIngestE01StoredHashMismatch doctors the MD5 the image stores (and
// fixes up the section checksums, as a forger would): the ingest goes on,
// records the mismatch and warns.
func TestIngestE01StoredHashMismatch(t *testing.T) {
	c := testCase(t)
	src := diskLike(1 << 20)
	first := makeE01(t, t.TempDir(), src, "best", 0)
	b, err := os.ReadFile(first)
	if err != nil {
		t.Fatal(err)
	}
	// The hash section holds MD5 + 16 bytes + Adler-32; the digest section
	// MD5 + SHA-1 + 40 bytes + Adler-32.
	for typ, n := range map[string]int{"hash": 32, "digest": 76} {
		off, ok := findSection(b, typ)
		if !ok {
			t.Fatalf("no %s section", typ)
		}
		data := b[off+76:]
		data[0] ^= 0xff
		binary.LittleEndian.PutUint32(data[n:], adler32.Checksum(data[:n]))
	}
	os.WriteFile(first, b, 0o644)

	evs, err := Ingest(context.Background(), c, first, Options{})
	if err != nil {
		t.Fatalf("a stored-hash mismatch must not stop the ingest: %v", err)
	}
	m := evs[0].Meta
	if m.Hashes != sums(src) {
		t.Fatal("content hashes must be those of the media as read")
	}
	if !strings.HasPrefix(m.Acquisition["e01_hash_check"], "MISMATCH") || m.Acquisition["e01_stored_md5"] == m.Hashes.MD5 {
		t.Fatalf("e01_hash_check %q stored %q", m.Acquisition["e01_hash_check"], m.Acquisition["e01_stored_md5"])
	}
	if len(m.Warnings) != 1 || !strings.Contains(m.Warnings[0], "E01 stored MD5 "+m.Acquisition["e01_stored_md5"]+" does not match the content's MD5 "+m.Hashes.MD5) {
		t.Fatalf("warnings: %q", m.Warnings)
	}
}

func findSection(b []byte, typ string) (int, bool) {
	for off := 13; off+76 <= len(b); {
		name := string(bytes.TrimRight(b[off:off+16], "\x00"))
		if name == typ {
			return off, true
		}
		next := int(binary.LittleEndian.Uint64(b[off+16:]))
		if name == "done" || name == "next" || next <= off {
			return 0, false
		}
		off = next
	}
	return 0, false
}

// TestIngestE01Damaged: a damaged chunk stops the ingest, names the chunk,
// and leaves no item.
func TestIngestE01Damaged(t *testing.T) {
	c := testCase(t)
	src := diskLike(1 << 20)
	first := makeE01(t, t.TempDir(), src, "none", 0)
	b, _ := os.ReadFile(first)
	off, ok := findSection(b, "sectors")
	if !ok {
		t.Fatal("no sectors section")
	}
	b[off+76+5*(32768+4)+100] ^= 1 // inside chunk 5
	os.WriteFile(first, b, 0o644)
	_, err := Ingest(context.Background(), c, first, Options{})
	if !errors.Is(err, ErrSource) || !strings.Contains(err.Error(), "chunk 5") || !strings.Contains(err.Error(), first) {
		t.Fatalf("err = %v", err)
	}
	if list, _ := c.ListEvidence(); len(list) != 0 {
		t.Fatalf("failed ingest left items: %v", list)
	}
}

// TestIngestFolderWithE01: in a folder, an E01 is one item, its later
// segments are not items of their own, other files stay files.
func TestIngestFolderWithE01(t *testing.T) {
	c := testCase(t)
	dir := t.TempDir()
	src := diskLike(2<<20 + 4096)
	makeE01(t, dir, src, "none", 1<<20)
	writeFile(t, dir, "notes.log", []byte("Nov 26 10:00:01 acquired with a write blocker\n"))
	evs, err := Ingest(context.Background(), c, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 2 || evs[0].Meta.Format != FormatE01 || evs[0].Meta.Hashes != sums(src) || len(evs[0].Meta.Container) < 3 || evs[1].Meta.Format != FormatFile {
		for _, e := range evs {
			t.Logf("%s %s %d", e.Meta.Name, e.Meta.Format, e.Meta.Size)
		}
		t.Fatalf("%d items", len(evs))
	}
}

func TestIngestE01Unsupported(t *testing.T) {
	c := testCase(t)
	dir := t.TempDir()
	for name, b := range map[string][]byte{
		"disk.Ex01": append([]byte("EVF2\r\n\x81\x00"), make([]byte, 100)...),
		"files.L01": append([]byte("LVF\x09\x0d\x0a\xff\x00\x01\x01\x00\x00\x00"), make([]byte, 100)...),
	} {
		_, err := Ingest(context.Background(), c, writeFile(t, dir, name, b), Options{})
		if !errors.Is(err, ErrUnsupported) || !errors.Is(err, ewf.ErrUnsupported) {
			t.Errorf("%s: %v", name, err)
		}
	}
	// A raw image misnamed .E01 is refused with a way out.
	_, err := Ingest(context.Background(), c, writeFile(t, dir, "raw.E01", make([]byte, 4096)), Options{})
	if !errors.Is(err, ErrSource) || !strings.Contains(err.Error(), "rename") {
		t.Errorf("raw named .E01: %v", err)
	}
}
