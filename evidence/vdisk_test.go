package evidence

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/evidence/vdisk"
)

// needQemu skips a test when qemu-img is not installed.
func needQemu(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("qemu-img"); err != nil {
		t.Skip("qemu-img is not on PATH: install the Debian package qemu-utils to test virtual disk ingest against the images qemu writes")
	}
}

// qemu runs qemu-img and fails the test when it fails.
func qemu(t testing.TB, args ...string) {
	t.Helper()
	needQemu(t)
	if out, err := exec.Command("qemu-img", args...).CombinedOutput(); err != nil {
		t.Fatalf("qemu-img %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// oddDiskSize is 4 MiB and three sectors: a whole number of no format's
// blocks, grains or clusters.
const oddDiskSize = 4<<20 + 3*512

// vdiskContent returns size bytes of a disk: an MBR signature, then 64 KiB
// regions that are random, zero (left unallocated by sparse formats), half
// random and half zero, or repeated text (compressible); the last partial
// region is random.
func vdiskContent(size int, seed uint64) []byte {
	rng := rand.New(rand.NewPCG(seed, 5))
	b := make([]byte, size)
	const region = 64 << 10
	random := func(p []byte) {
		for i := range p {
			p[i] = byte(rng.Uint32())
		}
	}
	for off := 0; off < size; off += region {
		end := min(off+region, size)
		switch k := off / region; {
		case end-off < region:
			random(b[off:end])
		case k%5 == 1, k%5 == 4 && k > 20:
			// zero
		case k%5 == 2:
			random(b[off : off+region/2])
		case k%5 == 3:
			copy(b[off:end], bytes.Repeat([]byte("Nov 26 10:00:01 web01 sshd[42]: Accepted publickey for root\n"), region/61+1))
		default:
			random(b[off:end])
		}
	}
	clear(b[:512])
	b[510], b[511] = 0x55, 0xaa
	return b
}

// toolSums hashes a file with md5sum, sha1sum and sha256sum.
func toolSums(t testing.TB, path string) casefile.Hashes {
	t.Helper()
	var h casefile.Hashes
	for tool, field := range map[string]*string{"md5sum": &h.MD5, "sha1sum": &h.SHA1, "sha256sum": &h.SHA256} {
		out, err := exec.Command(tool, path).Output()
		if err != nil {
			t.Fatalf("%s %s: %v", tool, path, err)
		}
		*field, _, _ = strings.Cut(string(out), " ")
	}
	return h
}

// vdiskVariant is one format and sub-format qemu-img writes.
type vdiskVariant struct {
	name   string   // test name
	qemu   string   // qemu-img's format name (-O)
	opts   string   // its -o options
	zip    bool     // -c: compressed clusters
	format string   // the item's source format
	sub    string   // the reader's SubFormat
	files  []string // the container files, in the reader's order
}

var vdiskVariants = []vdiskVariant{
	{"vhd-fixed", "vpc", "subformat=fixed,force_size=on", false, FormatVHD, "fixed", []string{"disk.vhd"}},
	{"vhd-dynamic", "vpc", "subformat=dynamic,force_size=on", false, FormatVHD, "dynamic", []string{"disk.vhd"}},
	{"vhdx-dynamic", "vhdx", "subformat=dynamic,block_size=1M", false, FormatVHDX, "dynamic", []string{"disk.vhdx"}},
	{"vhdx-fixed", "vhdx", "subformat=fixed,block_size=1M", false, FormatVHDX, "fixed", []string{"disk.vhdx"}},
	{"vmdk-monolithicSparse", "vmdk", "subformat=monolithicSparse", false, FormatVMDK, "monolithicSparse", []string{"disk.vmdk"}},
	{"vmdk-streamOptimized", "vmdk", "subformat=streamOptimized", false, FormatVMDK, "streamOptimized", []string{"disk.vmdk"}},
	{"vmdk-monolithicFlat", "vmdk", "subformat=monolithicFlat", false, FormatVMDK, "monolithicFlat", []string{"disk.vmdk", "disk-flat.vmdk"}},
	{"vmdk-twoGbMaxExtentSparse", "vmdk", "subformat=twoGbMaxExtentSparse", false, FormatVMDK, "twoGbMaxExtentSparse", []string{"disk.vmdk", "disk-s001.vmdk"}},
	{"vmdk-twoGbMaxExtentFlat", "vmdk", "subformat=twoGbMaxExtentFlat", false, FormatVMDK, "twoGbMaxExtentFlat", []string{"disk.vmdk", "disk-f001.vmdk"}},
	{"qcow2-v2", "qcow2", "compat=0.10", false, FormatQCOW2, "v2", []string{"disk.qcow2"}},
	{"qcow2-v2-zlib", "qcow2", "compat=0.10", true, FormatQCOW2, "v2", []string{"disk.qcow2"}},
	{"qcow2-v3", "qcow2", "compat=1.1", false, FormatQCOW2, "v3", []string{"disk.qcow2"}},
	{"qcow2-v3-zlib", "qcow2", "compat=1.1,compression_type=zlib", true, FormatQCOW2, "v3", []string{"disk.qcow2"}},
	{"qcow2-v3-zstd", "qcow2", "compat=1.1,compression_type=zstd", true, FormatQCOW2, "v3", []string{"disk.qcow2"}},
}

// image converts raw to v in a folder of its own under dir and returns
// the path to ingest (the descriptor for a VMDK).
func (v vdiskVariant) image(t testing.TB, raw, dir string) string {
	t.Helper()
	sub := filepath.Join(dir, v.name)
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(sub, v.files[0])
	args := []string{"convert", "-f", "raw", "-O", v.qemu, "-o", v.opts}
	if v.zip {
		args = append(args, "-c")
	}
	qemu(t, append(args, raw, p)...)
	return p
}

// qemuRaw converts the image at p to raw with qemu-img and returns the
// raw file's path.
func qemuRaw(t testing.TB, p, qemuFormat string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "qemu.raw")
	qemu(t, "convert", "-f", qemuFormat, "-O", "raw", p, out)
	return out
}

// TestIngestVirtualDisks ingests an image of every format and sub-format
// qemu-img writes, 4 MiB and three sectors with unallocated regions: the
// item is the disk, its hashes are md5sum, sha1sum and sha256sum of
// `qemu-img convert -O raw`, the container files are listed with their own
// hashes, the container's facts are kept, and extract writes the raw disk.
func TestIngestVirtualDisks(t *testing.T) {
	needQemu(t)
	dir := t.TempDir()
	content := vdiskContent(oddDiskSize, 1)
	raw := writeFile(t, dir, "source.raw", content)
	for _, v := range vdiskVariants {
		t.Run(v.name, func(t *testing.T) {
			c := testCase(t)
			p := v.image(t, raw, dir)
			qraw := qemuRaw(t, p, v.qemu)
			want := toolSums(t, qraw)
			if want != sums(content) {
				t.Fatalf("qemu-img convert -O raw does not give the source back: %+v", want)
			}
			before := map[string][]byte{}
			for _, f := range v.files {
				before[f], _ = os.ReadFile(filepath.Join(filepath.Dir(p), f))
			}

			evs, err := Ingest(context.Background(), c, p, Options{Reason: "disk snapshot of web01"})
			if err != nil {
				t.Fatal(err)
			}
			if len(evs) != 1 {
				t.Fatalf("%d items, want 1", len(evs))
			}
			m := evs[0].Meta
			if m.Format != v.format || m.Kind != casefile.KindDisk || m.Size != oddDiskSize || m.Hashes != want || m.Name != v.files[0] {
				t.Fatalf("name %s format %s kind %s size %d hashes %+v; want %s %s disk %d %+v", m.Name, m.Format, m.Kind, m.Size, m.Hashes, v.files[0], v.format, oddDiskSize, want)
			}
			if len(m.Container) != len(v.files) {
				t.Fatalf("container %+v, want %q", m.Container, v.files)
			}
			for i, cf := range m.Container {
				b := before[v.files[i]]
				if cf.Path != filepath.Join(filepath.Dir(p), v.files[i]) || cf.Size != int64(len(b)) || cf.Hashes != sums(b) {
					t.Errorf("container file %d: %s %d %+v, want %s %d %+v", i, cf.Path, cf.Size, cf.Hashes, v.files[i], len(b), sums(b))
				}
			}
			a := m.Acquisition
			format := strings.ToUpper(v.format)
			if got, want := a["kind_detection"], format+" virtual disk ("+v.sub+") holding: MBR partition table"; got != want {
				t.Errorf("kind_detection %q, want %q", got, want)
			}
			prefix := v.format + "_"
			for k := range a {
				if !strings.HasPrefix(k, prefix) && k != "kind_detection" && k != "mime_type" {
					t.Errorf("acquisition key %q is not the container's (%s…)", k, prefix)
				}
			}
			checks := map[string]map[string]string{
				FormatVHD:   {"vhd_type": v.sub, "vhd_size": fmt.Sprint(oddDiskSize), "vhd_footer_checksum": "(valid)", "vhd_creator": "qem2 5.3 on Wi2k"},
				FormatVHDX:  {"vhdx_type": v.sub, "vhdx_size": fmt.Sprint(oddDiskSize), "vhdx_header1_crc": "(valid)", "vhdx_region_table1_crc": "(valid)", "vhdx_block_size": "1048576"},
				FormatVMDK:  {"vmdk_create_type": v.sub, "vmdk_descriptor": `createType="` + v.sub + `"`, "vmdk_parent_cid": "ffffffff"},
				FormatQCOW2: {"qcow2_version": strings.TrimPrefix(v.sub, "v"), "qcow2_size": fmt.Sprint(oddDiskSize), "qcow2_encryption": "none"},
			}[v.format]
			for k, want := range checks {
				if !strings.Contains(a[k], want) {
					t.Errorf("acquisition %s = %q, want it to say %q", k, a[k], want)
				}
			}
			if len(m.Warnings) != 0 {
				t.Errorf("warnings: %q", m.Warnings)
			}
			for f, b := range before {
				if after, _ := os.ReadFile(filepath.Join(filepath.Dir(p), f)); !bytes.Equal(after, b) {
					t.Fatalf("ingest changed %s", f)
				}
			}

			out := filepath.Join(t.TempDir(), "extracted.raw")
			got, err := Extract(context.Background(), c, evs[0].ID, out, "hand the disk to the file-system examiner", nil)
			if err != nil || got != want {
				t.Fatalf("Extract: %+v %v, want %+v", got, err, want)
			}
			// A file that is the disk as it is (a fixed VHD: then its footer;
			// a flat VMDK extent) gets its hashes from the disk's, not from a
			// second hashing.
			src, err := openSource(sourceSpec{name: v.files[0], path: p, format: v.format}, true)
			if err != nil {
				t.Fatal(err)
			}
			shared := map[string]int{"vhd-fixed": 512, "vmdk-monolithicFlat": 0, "vmdk-twoGbMaxExtentFlat": 0} // a 4 MiB disk is one extent
			if tail, ok := shared[v.name]; (src.fileTail != nil) != ok || len(src.fileTail) != tail || (src.hasher != nil) == ok {
				t.Errorf("tail %d bytes (%v), hasher %v", len(src.fileTail), src.fileTail != nil, src.hasher != nil)
			}
			src.Close()
			if toolSums(t, out) != want {
				t.Fatal("the extracted file's hashes are not the media hashes")
			}
			if a, b := mustRead(t, out), mustRead(t, qraw); !bytes.Equal(a, b) {
				t.Fatal("the extracted file is not byte-identical to qemu-img convert -O raw")
			}
			if v, err := Verify(context.Background(), c, evs[0].ID, VerifyOptions{AllHashes: true}, nil); err != nil || !v.OK {
				t.Fatalf("Verify: %+v %v", v, err)
			}
			if got, ok, err := VerifySource(context.Background(), c, evs[0].ID, "", nil); err != nil || !ok || got != want {
				t.Fatalf("VerifySource: %+v %v %v", got, ok, err)
			}
		})
	}
}

func mustRead(t testing.TB, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// patch overwrites the bytes of the file at p at off (negative: from the
// end) with b.
func patch(t testing.TB, p string, off int64, b []byte) {
	t.Helper()
	f, err := os.OpenFile(p, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if off < 0 {
		fi, _ := f.Stat()
		off += fi.Size()
	}
	if _, err := f.WriteAt(b, off); err != nil {
		t.Fatal(err)
	}
}

// vhdChecksum is the checksum of a VHD footer or dynamic header: the
// one's complement of its bytes' sum, the field at skip counted as zero.
func vhdChecksum(b []byte, skip int) uint32 {
	var sum uint32
	for i, c := range b {
		if i < skip || i >= skip+4 {
			sum += uint32(c)
		}
	}
	return ^sum
}

// fixVHDChecksum recomputes the checksum of the n-byte structure at off.
func fixVHDChecksum(t testing.TB, p string, off int64, n, skip int) {
	t.Helper()
	b := mustRead(t, p)
	if off < 0 {
		off += int64(len(b))
	}
	s := b[off : off+int64(n)]
	binary.BigEndian.PutUint32(s[skip:], vhdChecksum(s, skip))
	patch(t, p, off+int64(skip), s[skip:skip+4])
}

// noItems fails the test when a failed ingest left an item.
func noItems(t testing.TB, c *casefile.Case) {
	t.Helper()
	if list, err := c.ListEvidence(); err != nil || len(list) != 0 {
		t.Fatalf("the failed ingest left %d items (%v)", len(list), err)
	}
}

// TestIngestVirtualDiskRefused: a disk that needs its parent and an
// encrypted one are refused with ErrUnsupported, saying what the disk is
// and what to do; kind other keeps the container file as it is.
func TestIngestVirtualDiskRefused(t *testing.T) {
	needQemu(t)
	dir := t.TempDir()
	raw := writeFile(t, dir, "src.raw", vdiskContent(oddDiskSize, 2))
	keep := "; to keep the container file in the case as it is, ingest it with kind other"
	for _, tc := range []struct {
		name string
		make func() string
		kind error
		msg  string // after "ingest PATH: "
		hint string
	}{
		{"qcow2 backing file", func() string {
			qemu(t, "convert", "-f", "raw", "-O", "qcow2", raw, filepath.Join(dir, "base.qcow2"))
			p := filepath.Join(dir, "child.qcow2")
			qemu(t, "create", "-q", "-f", "qcow2", "-b", "base.qcow2", "-F", "qcow2", p)
			return p
		}, vdisk.ErrNeedsParent,
			`evidence: unsupported source format: vdisk: disk needs its parent image (QCOW2): %s, at file offset 8: the image has a backing file "base.qcow2" (format qcow2): it holds only the clusters written since that image and cannot be read without it`,
			"put the backing image beside it and flatten the chain with qemu-img convert -O qcow2 image.qcow2 flat.qcow2 (or -O raw), then ingest the flat image; ingest the backing image too" + keep},
		{"vmdk child", func() string {
			qemu(t, "convert", "-f", "raw", "-O", "vmdk", raw, filepath.Join(dir, "base.vmdk"))
			p := filepath.Join(dir, "child.vmdk")
			qemu(t, "create", "-q", "-f", "vmdk", "-b", "base.vmdk", "-F", "vmdk", p)
			return p
		}, vdisk.ErrNeedsParent,
			`evidence: unsupported source format: vdisk: disk needs its parent image (VMDK): %s: this is a child disk (a snapshot delta, parentCID PARENTCID): it holds only the grains written since its parent "base.vmdk" and cannot be read without it`,
			"consolidate the snapshot chain (VMware's Delete All Snapshots on a copy, or qemu-img convert -O vmdk child.vmdk merged.vmdk with the parent beside it), then ingest the merged disk; ingest the parent too" + keep},
		{"differencing vhd", func() string {
			// qemu-img writes no differencing VHD: make a dynamic one
			// differencing (type 4 in both footers) with a parent name.
			p := filepath.Join(dir, "child.vhd")
			qemu(t, "convert", "-f", "raw", "-O", "vpc", "-o", "subformat=dynamic,force_size=on", raw, p)
			var name []byte
			for _, r := range "base-disk.vhd" {
				name = binary.BigEndian.AppendUint16(name, uint16(r))
			}
			patch(t, p, 512+64, name)
			fixVHDChecksum(t, p, 512, 1024, 36)
			for _, off := range []int64{0, -512} {
				patch(t, p, off+60, []byte{0, 0, 0, 4})
				fixVHDChecksum(t, p, off, 512, 64)
			}
			return p
		}, vdisk.ErrNeedsParent,
			`evidence: unsupported source format: vdisk: disk needs its parent image (VHD): %s, at file offset 512: this is a differencing VHD: it holds only the sectors written since its parent "base-disk.vhd" (unique id 00000000-0000-0000-0000-000000000000, modified 2000-01-01T00:00:00Z) and cannot be read without it`,
			"merge the chain into one disk with the parent beside it (qemu-img convert -O vpc child.vhd merged.vhd, or Hyper-V's Merge-VHD on a copy), then ingest the merged disk; ingest the parent too" + keep},
		{"encrypted qcow2", func() string {
			p := filepath.Join(dir, "aes.qcow2")
			qemu(t, "convert", "-f", "raw", "-O", "qcow2", raw, p)
			patch(t, p, 35, []byte{1}) // crypt_method AES
			return p
		}, vdisk.ErrEncrypted,
			"evidence: unsupported source format: vdisk: virtual disk is encrypted (QCOW2): %s, at file offset 32: the image is encrypted (AES): its clusters cannot be read without the passphrase",
			"decrypt it with qemu-img convert --object secret,id=sec0,file=passphrase.txt --image-opts driver=qcow2,file.filename=image.qcow2,encrypt.key-secret=sec0 -O raw disk.raw, then ingest the raw disk" + keep},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := testCase(t)
			p := tc.make()
			_, err := Ingest(context.Background(), c, p, Options{Reason: "snapshot of web01"})
			if !errors.Is(err, ErrUnsupported) || !errors.Is(err, tc.kind) {
				t.Fatalf("err = %v, want ErrUnsupported and %v", err, tc.kind)
			}
			want := fmt.Sprintf(tc.msg, p)
			if tc.kind == vdisk.ErrNeedsParent && strings.Contains(want, "PARENTCID") {
				cid := strings.TrimPrefix(mustMatch(t, mustRead(t, p), "parentCID="), "parentCID=")
				want = strings.Replace(want, "PARENTCID", cid, 1)
			}
			if err.Error() != "ingest "+p+": "+want {
				t.Errorf("error\n%s\nwant\n%s", err, "ingest "+p+": "+want)
			}
			if got := casefile.Hint(err); got != tc.hint {
				t.Errorf("hint\n%s\nwant\n%s", got, tc.hint)
			}
			if msg, hint, known := casefile.Explain(err); !known || !strings.HasPrefix(msg, "unsupported source format: vdisk: ") || hint != tc.hint {
				t.Errorf("Explain: %q %q %v", msg, hint, known)
			}
			noItems(t, c)

			// Kind other keeps the container as the file it is.
			evs, err := Ingest(context.Background(), c, p, Options{Kind: casefile.KindOther, Reason: "keep the child image as received"})
			if err != nil {
				t.Fatal(err)
			}
			m := evs[0].Meta
			if m.Format != FormatFile || m.Kind != casefile.KindOther || m.Hashes != sums(mustRead(t, p)) || len(m.Container) != 0 {
				t.Fatalf("as it is: format %s kind %s hashes %+v container %d", m.Format, m.Kind, m.Hashes, len(m.Container))
			}
			if _, ok, err := VerifySource(context.Background(), c, evs[0].ID, "", nil); err != nil || !ok {
				t.Fatalf("VerifySource of the container kept as it is: %v %v", ok, err)
			}
		})
	}
}

// mustMatch returns the first line of b that starts with prefix.
func mustMatch(t testing.TB, b []byte, prefix string) string {
	t.Helper()
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, prefix) {
			return strings.TrimSpace(l)
		}
	}
	t.Fatalf("no line starts with %q", prefix)
	return ""
}

// TestIngestVirtualDiskDamaged: a truncated or damaged container stops the
// ingest, naming the file, the table entry and what to do, and leaves no
// item.
func TestIngestVirtualDiskDamaged(t *testing.T) {
	needQemu(t)
	dir := t.TempDir()
	raw := writeFile(t, dir, "src.raw", vdiskContent(oddDiskSize, 3))
	keep := "; to keep the container file in the case as it is, ingest it with kind other"
	damaged := "the file is damaged or incomplete (an interrupted copy or download?): copy it again from the original medium, and check it with qemu-img check" + keep
	for _, tc := range []struct {
		name, file string
		make       func(p string)
		msg        string // after "ingest PATH: "
		hint       string
	}{
		{"truncated qcow2", "disk.qcow2", func(p string) {
			qemu(t, "convert", "-f", "raw", "-O", "qcow2", raw, p)
			os.Truncate(p, int64(len(mustRead(t, p)))-1<<20-12345)
		}, "read failed after 2097152 bytes: evidence: source problem: vdisk: virtual disk is damaged (QCOW2): %s: the L2 entry of cluster 38 (L1 entry 0, L2 entry 38) points to file offset 2097152, but the block's 65536 bytes there run past the end of the file (2150343 bytes): the file is truncated or the entry is damaged",
			damaged},
		{"truncated dynamic vhd", "disk.vhd", func(p string) {
			qemu(t, "convert", "-f", "raw", "-O", "vpc", "-o", "subformat=dynamic,force_size=on", raw, p)
			os.Truncate(p, int64(len(mustRead(t, p)))/2)
		}, "read failed after 2097152 bytes: evidence: source problem: vdisk: virtual disk is damaged (VHD): %s: BAT entry 1 points to file offset 2100224, but the block's 2097152 bytes there run past the end of the file (3147776 bytes): the file is truncated or the entry is damaged",
			damaged},
		{"vhd BAT entry out of the file", "disk.vhd", func(p string) {
			qemu(t, "convert", "-f", "raw", "-O", "vpc", "-o", "subformat=dynamic,force_size=on", raw, p)
			patch(t, p, 1536+4, []byte{0x00, 0x7f, 0xff, 0x00}) // BAT entry 1
		}, "read failed after 2097152 bytes: evidence: source problem: vdisk: virtual disk is damaged (VHD): %s: BAT entry 1 points to file offset 4294836736, but the block's 2097152 bytes there run past the end of the file (6295552 bytes): the file is truncated or the entry is damaged",
			damaged},
		{"vmdk missing extent", "disk.vmdk", func(p string) {
			qemu(t, "convert", "-f", "raw", "-O", "vmdk", "-o", "subformat=monolithicFlat", raw, p)
			os.Remove(filepath.Join(filepath.Dir(p), "disk-flat.vmdk"))
		}, `evidence: source problem: vdisk: a file of the virtual disk is missing (VMDK): %s: extent 1 of the descriptor is the file "disk-flat.vmdk", which is not in DIR`,
			"put every extent file of the disk in the descriptor's folder, under the names the descriptor gives, then ingest the descriptor again" + keep},
		{"truncated vhdx", "disk.vhdx", func(p string) {
			qemu(t, "convert", "-f", "raw", "-O", "vhdx", "-o", "subformat=dynamic,block_size=1M", raw, p)
			os.Truncate(p, 2<<20+512<<10) // inside the BAT, before the metadata
		}, "evidence: source problem: vdisk: virtual disk is damaged (VHDX): %s, at file offset 196608: the BAT region (1048576 bytes at offset 2097152) is not 1 MiB-aligned or does not lie inside the file (2621440 bytes): the file is truncated or the region table is damaged",
			damaged},
		{"damaged streamOptimized grain", "disk.vmdk", func(p string) {
			qemu(t, "convert", "-f", "raw", "-O", "vmdk", "-o", "subformat=streamOptimized", raw, p)
			b := mustRead(t, p)
			patch(t, p, int64(len(b)/2), []byte{b[len(b)/2] ^ 0x55, b[len(b)/2+1] ^ 0x55})
		}, "read failed after 1048576 bytes: evidence: source problem: vdisk: checksum mismatch (VMDK): %s, at file offset 828428: the compressed data of grain table entry 25 of grain table 0 (grain 25) (block 25) does not decompress: zlib checksum mismatch",
			damaged},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := testCase(t)
			sub := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-"))
			os.Mkdir(sub, 0o755)
			p := filepath.Join(sub, tc.file)
			tc.make(p)
			_, err := Ingest(context.Background(), c, p, Options{})
			if !errors.Is(err, ErrSource) || !errors.Is(err, vdisk.ErrCorrupt) && !errors.Is(err, vdisk.ErrMissingFile) && !errors.Is(err, vdisk.ErrChecksum) {
				t.Fatalf("err = %v, want ErrSource from vdisk", err)
			}
			want := "ingest " + p + ": " + strings.ReplaceAll(fmt.Sprintf(tc.msg, p), "DIR", sub)
			if err.Error() != want {
				t.Errorf("error\n%s\nwant\n%s", err, want)
			}
			if got := casefile.Hint(err); got != tc.hint {
				t.Errorf("hint %q, want %q", got, tc.hint)
			}
			noItems(t, c)
		})
	}
}

// TestIngestVirtualDiskBadChecksum: a container structure whose checksum
// fails, with no intact copy, does not stop the ingest; the item says so
// loudly, and the stored checksum is kept as a fact marked MISMATCH.
func TestIngestVirtualDiskBadChecksum(t *testing.T) {
	needQemu(t)
	dir := t.TempDir()
	content := vdiskContent(oddDiskSize, 4)
	raw := writeFile(t, dir, "src.raw", content)
	const loud = " — the disk was ingested as read, accepting the bad checksum: do not rely on it before the image is checked against the original"

	t.Run("vhd footer", func(t *testing.T) {
		c := testCase(t)
		p := filepath.Join(dir, "fixed.vhd")
		qemu(t, "convert", "-f", "raw", "-O", "vpc", "-o", "subformat=fixed,force_size=on", raw, p)
		patch(t, p, -512+28, []byte("xyz!")) // the creator application, after the fact
		footer := mustRead(t, p)[oddDiskSize:]
		stored, computed := binary.BigEndian.Uint32(footer[64:]), vhdChecksum(footer, 64)
		evs, err := Ingest(context.Background(), c, p, Options{})
		if err != nil {
			t.Fatalf("a failed checksum must not stop the ingest: %v", err)
		}
		m := evs[0].Meta
		if m.Hashes != sums(content) || m.Format != FormatVHD {
			t.Fatalf("format %s hashes %+v: the disk must be read as it is", m.Format, m.Hashes)
		}
		want := []string{fmt.Sprintf("VHD: the VHD footer's checksum is 0x%08x, but its bytes give 0x%08x: the footer", stored, computed) + " was changed or damaged after it was written; its fields were used as they are" + loud}
		if strings.Join(m.Warnings, "\n") != strings.Join(want, "\n") {
			t.Errorf("warnings\n%q\nwant\n%q", m.Warnings, want)
		}
		if got := m.Acquisition["vhd_footer_checksum"]; got != fmt.Sprintf("0x%08x (MISMATCH)", stored) {
			t.Errorf("vhd_footer_checksum %q", got)
		}
		if m.Acquisition["vhd_creator"] != "xyz! 5.3 on Wi2k" {
			t.Errorf("vhd_creator %q: the footer's fields are kept as stored", m.Acquisition["vhd_creator"])
		}
	})
	t.Run("vhdx headers", func(t *testing.T) {
		c := testCase(t)
		p := filepath.Join(dir, "disk.vhdx")
		qemu(t, "convert", "-f", "raw", "-O", "vhdx", "-o", "subformat=dynamic,block_size=1M", raw, p)
		for _, at := range []int64{64 << 10, 128 << 10} {
			patch(t, p, at+200, []byte{0xee}) // reserved bytes, covered by the CRC-32C
		}
		evs, err := Ingest(context.Background(), c, p, Options{})
		if err != nil {
			t.Fatalf("a failed checksum must not stop the ingest: %v", err)
		}
		m := evs[0].Meta
		if m.Hashes != sums(content) {
			t.Fatal("the disk must be read as it is")
		}
		if len(m.Warnings) != 1 || m.Warnings[0] != "VHDX: neither VHDX header (at 64 and 128 KiB) has a valid signature and CRC-32C: both were damaged or changed; header 1 was used as it is"+loud {
			t.Errorf("warnings %q", m.Warnings)
		}
		for _, k := range []string{"vhdx_header1_crc", "vhdx_header2_crc"} {
			if !strings.HasSuffix(m.Acquisition[k], " (MISMATCH)") {
				t.Errorf("%s %q", k, m.Acquisition[k])
			}
		}
	})
	t.Run("intact copy", func(t *testing.T) {
		// A dynamic VHD keeps a copy of its footer at offset 0: the damaged
		// footer at the end is a warning, and the copy is read.
		c := testCase(t)
		p := filepath.Join(dir, "dynamic.vhd")
		qemu(t, "convert", "-f", "raw", "-O", "vpc", "-o", "subformat=dynamic,force_size=on", raw, p)
		patch(t, p, -512+28, []byte("xyz!"))
		evs, err := Ingest(context.Background(), c, p, Options{})
		if err != nil {
			t.Fatal(err)
		}
		m := evs[0].Meta
		if m.Hashes != sums(content) || len(m.Warnings) != 1 ||
			!strings.HasPrefix(m.Warnings[0], "VHD: the VHD footer at the end of the file fails its checksum (stored 0x") ||
			!strings.HasSuffix(m.Warnings[0], "); its intact copy at offset 0 was used") {
			t.Errorf("warnings %q", m.Warnings)
		}
	})
}

// TestVirtualDiskZeroRegionsCostNothing: the unallocated part of a sparse
// disk is read as zeros, each zero chunk (1 MiB) seals to a few hundred
// bytes, and a 64 MiB disk holding under 1 MiB of data grows the case by
// less than that megabyte.
func TestVirtualDiskZeroRegionsCostNothing(t *testing.T) {
	needQemu(t)
	dir := t.TempDir()
	casePath := filepath.Join(dir, "case.custodia")
	c, err := casefile.Create(casePath, []byte(testPass), casefile.NewCase{Title: "zeros", Examiner: "Ed"}, casefile.TestOptions())
	if err != nil {
		t.Fatal(err)
	}
	// One sealed chunk of zeros.
	w, err := c.BeginEvidence(casefile.DefaultChunkSize)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := w.SealChunk(0, make([]byte, casefile.DefaultChunkSize), false)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("a sealed chunk of %d zero bytes holds %d bytes", casefile.DefaultChunkSize, len(sc.Data))
	if len(sc.Data) > 256 {
		t.Errorf("a zero chunk seals to %d bytes", len(sc.Data))
	}
	if err := w.Abort("measured"); err != nil {
		t.Fatal(err)
	}
	c.Close()
	before := fileSize(t, casePath)

	const size = 64 << 20
	rawPath := filepath.Join(dir, "sparse.raw")
	f, _ := os.Create(rawPath)
	f.WriteAt(vdiskContent(1<<20, 9)[512:], 10<<20) // not all of it random: ~0.7 MiB of data
	f.Truncate(size)
	f.Close()
	p := filepath.Join(dir, "sparse.vhd")
	qemu(t, "convert", "-f", "raw", "-O", "vpc", "-o", "subformat=dynamic,force_size=on", rawPath, p)
	c, err = casefile.Open(casePath, []byte(testPass), casefile.TestOptions())
	if err != nil {
		t.Fatal(err)
	}
	evs, err := Ingest(context.Background(), c, p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if evs[0].Meta.Size != size || evs[0].ChunkCount != size/casefile.DefaultChunkSize {
		t.Fatalf("size %d, %d chunks", evs[0].Meta.Size, evs[0].ChunkCount)
	}
	c.Close()
	growth := fileSize(t, casePath) - before
	t.Logf("a %d MiB disk with 1 MiB of data (container %d bytes) grew the case by %d bytes", size>>20, fileSize(t, p), growth)
	if growth > 1<<20 {
		t.Errorf("the case grew by %d bytes for 1 MiB of data and 63 MiB of zeros", growth)
	}
}

// TestDetectKindVirtualDisks: a container's signature says disk, with the
// format, when a container is classified as the file it is.
func TestDetectKindVirtualDisks(t *testing.T) {
	for head, want := range map[string]string{
		"conectix\x00\x00\x00\x02":            "VHD virtual disk",
		"vhdxfile\x51\x00\x45\x00":            "VHDX virtual disk",
		"KDMV\x01\x00\x00\x00":                "VMDK virtual disk",
		"# Disk DescriptorFile\nversion=1\n":  "VMDK virtual disk",
		"QFI\xfb\x00\x00\x00\x03\x00\x00\x00": "QCOW2 virtual disk",
	} {
		if k, why := DetectKind("blob", []byte(head)); k != casefile.KindDisk || why != want {
			t.Errorf("%q: %s %q, want disk %q", head, k, why, want)
		}
	}
}

// TestIngestE01AsIs: kind other keeps an E01 as the file it is too.
func TestIngestE01AsIs(t *testing.T) {
	c := testCase(t)
	first := makeE01(t, t.TempDir(), diskLike(1<<20), "fast", 0)
	evs, err := Ingest(context.Background(), c, first, Options{Kind: casefile.KindOther})
	if err != nil {
		t.Fatal(err)
	}
	if m := evs[0].Meta; m.Format != FormatFile || m.Hashes != sums(mustRead(t, first)) {
		t.Fatalf("format %s hashes %+v, want the E01 file's", m.Format, m.Hashes)
	}
}

// TestTextMentioningCreateType: a text file that mentions createType near
// its start is a log, not a VMDK descriptor that fails to open.
func TestTextMentioningCreateType(t *testing.T) {
	c := testCase(t)
	p := writeFile(t, t.TempDir(), "vmware.log", []byte("2026-11-26T10:00:01.000Z In(05) vmx DISKLIB-DSCPTR: createType=\"monolithicSparse\"\n2026-11-26T10:00:02.000Z In(05) vmx powered on\n"))
	evs, err := Ingest(context.Background(), c, p, Options{})
	if err != nil || evs[0].Meta.Format != FormatFile || evs[0].Meta.Kind != casefile.KindLog {
		t.Fatalf("%+v %v", evs, err)
	}
	// A descriptor without its comment line is still one.
	needQemu(t)
	dir := t.TempDir()
	raw := writeFile(t, dir, "src.raw", vdiskContent(1<<20, 12))
	d := filepath.Join(dir, "disk.vmdk")
	qemu(t, "convert", "-f", "raw", "-O", "vmdk", "-o", "subformat=monolithicFlat", raw, d)
	text := strings.Replace(string(mustRead(t, d)), "# Disk DescriptorFile\n", "", 1)
	if err := os.WriteFile(d, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	evs, err = Ingest(context.Background(), c, d, Options{})
	if err != nil || evs[0].Meta.Format != FormatVMDK || evs[0].Meta.Hashes != sums(mustRead(t, raw)) {
		t.Fatalf("descriptor without its comment: %+v %v", evs, err)
	}
}

// TestIngestVirtualDiskCancel: cancelling rolls the item back and stops
// the container's hashing with the disk's read.
func TestIngestVirtualDiskCancel(t *testing.T) {
	needQemu(t)
	c := testCase(t)
	dir := t.TempDir()
	raw := writeFile(t, dir, "src.raw", vdiskContent(8<<20, 13))
	p := filepath.Join(dir, "disk.qcow2")
	qemu(t, "convert", "-f", "raw", "-O", "qcow2", raw, p)
	before := runtime.NumGoroutine()
	ctx, cancel := context.WithCancel(context.Background())
	_, err := Ingest(ctx, c, p, Options{ChunkSize: 64 << 10, Progress: ProgressFunc(func(s Status) {
		if s.Done > 1<<20 {
			cancel()
		}
	})})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	noItems(t, c)
	// A leak would be the hasher, its three hashes and the read-ahead: 2
	// more are left to whatever other tests started.
	for i := 0; i < 200 && runtime.NumGoroutine() > before+2; i++ {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before+2 {
		t.Errorf("%d goroutines after the cancelled ingest, %d before", n, before)
	}
}
