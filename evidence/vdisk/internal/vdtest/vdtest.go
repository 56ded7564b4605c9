// Package vdtest holds the test helpers the virtual-disk readers share:
// raw source images with data and zero regions, qemu-img runs, and the
// check that a reader returns exactly the raw bytes.
package vdtest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// OddSize is the test disks' size: 4 MiB and three sectors, a whole number
// of no format's blocks.
const OddSize = 4<<20 + 3*512

// NeedQemu skips the test when qemu-img is not installed.
func NeedQemu(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("qemu-img"); err != nil {
		t.Skip("qemu-img is not on PATH: install the Debian package qemu-utils to test the virtual-disk readers against images qemu writes")
	}
}

// Content returns size bytes of disk-like content from seed: 64 KiB
// regions that are random, zero, half random and half zero, or a repeated
// text (compressible), so sparse formats leave holes and compressing
// formats compress; the last partial region is random.
func Content(size int, seed uint64) []byte {
	rng := rand.New(rand.NewPCG(seed, 17))
	b := make([]byte, size)
	const region = 64 << 10
	for off := 0; off < size; off += region {
		end := min(off+region, size)
		switch {
		case end-off < region:
			fill(rng, b[off:end])
		case (off/region)%5 == 1, (off/region)%5 == 3 && off/region > 20:
			// zero
		case (off/region)%5 == 2:
			fill(rng, b[off:off+region/2])
		case (off/region)%5 == 3:
			copy(b[off:end], bytes.Repeat([]byte("custodia test disk sector text "), region/31+1))
		default:
			fill(rng, b[off:end])
		}
	}
	return b
}

func fill(rng *rand.Rand, b []byte) {
	for i := 0; i+8 <= len(b); i += 8 {
		v := rng.Uint64()
		for k := range 8 {
			b[i+k] = byte(v >> (8 * k))
		}
	}
	for i := len(b) &^ 7; i < len(b); i++ {
		b[i] = byte(rng.Uint32())
	}
}

// WriteRaw writes content to dir/name and returns its path.
func WriteRaw(t testing.TB, dir, name string, content []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, content, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// Ext2 returns a 4 MiB ext2 image with a few files made by mke2fs -d, or
// nil (and a log line) when e2fsprogs is not installed.
func Ext2(t testing.TB, dir string) []byte {
	t.Helper()
	if _, err := exec.LookPath("mke2fs"); err != nil {
		t.Log("mke2fs is not on PATH (Debian package e2fsprogs): no ext2 image tested")
		return nil
	}
	src := filepath.Join(dir, "ext2-files")
	if err := os.MkdirAll(filepath.Join(src, "var", "log"), 0o755); err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{
		"var/log/auth.log": bytes.Repeat([]byte("Dec  3 08:00:01 host sshd[4242]: Accepted publickey for root\n"), 900),
		"payload.bin":      Content(300<<10, 99),
		"README":           []byte("evidence\n"),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(src, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	img := filepath.Join(dir, "ext2.raw")
	// Fixed UUID, hash seed and time stamps keep the image reproducible.
	cmd := exec.Command("mke2fs", "-q", "-F", "-t", "ext2", "-b", "1024", "-U", "2f8a1c3e-9b4d-4e5f-8a6b-7c8d9e0f1a2b",
		"-E", "hash_seed=2f8a1c3e-9b4d-4e5f-8a6b-7c8d9e0f1a2b", "-d", src, img, "4M")
	cmd.Env = append(os.Environ(), "E2FSPROGS_FAKE_TIME=1764748800")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("mke2fs: %v\n%s", err, out)
	}
	b, err := os.ReadFile(img)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Qemu runs qemu-img with args and fails the test on error.
func Qemu(t testing.TB, args ...string) {
	t.Helper()
	NeedQemu(t)
	out, err := exec.Command("qemu-img", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("qemu-img %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// QemuRaw converts a container to raw with qemu-img and returns the bytes.
func QemuRaw(t testing.TB, path, format string) []byte {
	t.Helper()
	out := path + ".qemu.raw"
	Qemu(t, "convert", "-f", format, "-O", "raw", path, out)
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(out)
	return b
}

// SHA256 returns the hex SHA-256 of b.
func SHA256(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// Check reads the whole disk r of size bytes sequentially, in reads of
// an odd length, and checks that its SHA-256 equals want's; then reads
// ranges across the boundaries of every power-of-two block size from 512
// bytes to 4 MiB and at random places, comparing them byte for byte, and
// checks the reads at and past the end.
func Check(t testing.TB, r io.ReaderAt, size int64, want []byte) {
	t.Helper()
	if size != int64(len(want)) {
		t.Fatalf("Size() = %d, want %d", size, len(want))
	}
	h := sha256.New()
	if _, err := io.CopyBuffer(h, io.NewSectionReader(r, 0, size), make([]byte, 1<<20+4096+17)); err != nil {
		t.Fatalf("reading the whole disk: %v", err)
	}
	if got, w := hex.EncodeToString(h.Sum(nil)), SHA256(want); got != w {
		t.Fatalf("SHA-256 of the disk read through the reader = %s, want %s", got, w)
	}
	check := func(off, n int64) {
		t.Helper()
		if off < 0 {
			off = 0
		}
		if off+n > size {
			n = size - off
		}
		if n <= 0 {
			return
		}
		p := make([]byte, n)
		k, err := r.ReadAt(p, off)
		if err != nil && !(err == io.EOF && off+n == size) {
			t.Fatalf("ReadAt(%d bytes at %d) = %d, %v", n, off, k, err)
		}
		if k != int(n) || !bytes.Equal(p, want[off:off+n]) {
			t.Fatalf("ReadAt(%d bytes at %d) returned other bytes than the raw image", n, off)
		}
	}
	for bs := int64(512); bs <= 4<<20; bs *= 2 {
		for b := bs; b < size; b += bs * 3 {
			check(b-1, 2)
			check(b-700, 1400)
			check(b-bs/2, bs+513)
		}
	}
	rng := rand.New(rand.NewPCG(uint64(size), 3))
	for range 300 {
		off := rng.Int64N(size)
		check(off, 1+rng.Int64N(300<<10))
	}
	check(size-1, 1)
	p := make([]byte, 10)
	if k, err := r.ReadAt(p, size-4); k != 4 || err != io.EOF || !bytes.Equal(p[:4], want[size-4:]) {
		t.Fatalf("ReadAt over the end = %d, %v; want 4, io.EOF", k, err)
	}
	if k, err := r.ReadAt(p, size); k != 0 || err != io.EOF {
		t.Fatalf("ReadAt at the end = %d, %v; want 0, io.EOF", k, err)
	}
	if _, err := r.ReadAt(p, -1); err == nil {
		t.Fatal("ReadAt at a negative offset did not fail")
	}
}

// Patch overwrites the bytes of the file at path at off with b (a negative
// off counts from the end).
func Patch(t testing.TB, path string, off int64, b []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if off < 0 {
		fi, err := f.Stat()
		if err != nil {
			t.Fatal(err)
		}
		off += fi.Size()
	}
	if _, err := f.WriteAt(b, off); err != nil {
		t.Fatal(err)
	}
}

// ReadBytes returns n bytes of the file at path at off (negative: from the end).
func ReadBytes(t testing.TB, path string, off int64, n int) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if off < 0 {
		fi, err := f.Stat()
		if err != nil {
			t.Fatal(err)
		}
		off += fi.Size()
	}
	b := make([]byte, n)
	if _, err := f.ReadAt(b, off); err != nil {
		t.Fatal(err)
	}
	return b
}

// Copy copies the file src to dst.
func Copy(t testing.TB, src, dst string) string {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return dst
}

// Truncate cuts the file at path to size bytes.
func Truncate(t testing.TB, path string, size int64) {
	t.Helper()
	if err := os.Truncate(path, size); err != nil {
		t.Fatal(err)
	}
}

// ReadAll reads the whole disk through r and returns the first error.
func ReadAll(r io.ReaderAt, size int64) error {
	_, err := io.Copy(io.Discard, io.NewSectionReader(r, 0, size))
	return err
}

// BenchSize is the size of the benchmarks' disks.
const BenchSize = 64 << 20

// BenchImage converts BenchSize bytes of disk-like content to a container
// with qemu-img (args: -O and its options) and returns its path.
func BenchImage(b *testing.B, args ...string) string {
	b.Helper()
	NeedQemu(b)
	dir := b.TempDir()
	src := WriteRaw(b, dir, "bench.raw", Content(BenchSize, 64))
	dst := filepath.Join(dir, "bench.img")
	Qemu(b, append(append([]string{"convert", "-f", "raw"}, args...), src, dst)...)
	return dst
}

// BenchRead reads the whole disk r sequentially in 1 MiB reads, as the
// ingest does, b.N times, reporting MB/s of virtual disk.
func BenchRead(b *testing.B, r io.ReaderAt, size int64) {
	b.Helper()
	b.SetBytes(size)
	buf := make([]byte, 1<<20)
	b.ResetTimer()
	for range b.N {
		if _, err := io.CopyBuffer(io.Discard, io.NewSectionReader(r, 0, size), buf); err != nil {
			b.Fatal(err)
		}
	}
}
