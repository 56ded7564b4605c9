package vmdk

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/custodia-dfir/custodia/evidence/vdisk/internal/container"
	"github.com/custodia-dfir/custodia/evidence/vdisk/internal/vdtest"
)

func convert(t *testing.T, raw, dir, sub string) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "disk.vmdk")
	vdtest.Qemu(t, "convert", "-f", "raw", "-O", "vmdk", "-o", "subformat="+sub, raw, out)
	return out
}

func open(t *testing.T, path string) *Disk {
	t.Helper()
	d, err := Open(path)
	if err != nil {
		t.Fatalf("Open(%s): %v", filepath.Base(path), err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func wantErr(t *testing.T, err, kind error, text ...string) *container.Error {
	t.Helper()
	var e *container.Error
	if !errors.Is(err, kind) || !errors.As(err, &e) {
		t.Fatalf("error %v, want a *container.Error wrapping %v", err, kind)
	}
	for _, s := range text {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not say %q", err, s)
		}
	}
	return e
}

var subformats = []struct {
	name  string
	files []string
	extra string // a metadata value
}{
	{"monolithicSparse", []string{"disk.vmdk"}, "none"},
	{"streamOptimized", []string{"disk.vmdk"}, "deflate"},
	{"monolithicFlat", []string{"disk.vmdk", "disk-flat.vmdk"}, ""},
	{"twoGbMaxExtentSparse", []string{"disk.vmdk", "disk-s001.vmdk"}, "none"},
	{"twoGbMaxExtentFlat", []string{"disk.vmdk", "disk-f001.vmdk"}, ""},
}

func TestQemuImages(t *testing.T) {
	vdtest.NeedQemu(t)
	dir := t.TempDir()
	sources := map[string][]byte{"odd": vdtest.Content(vdtest.OddSize, 1)}
	if ext2 := vdtest.Ext2(t, dir); ext2 != nil {
		sources["ext2"] = ext2
	}
	for name, content := range sources {
		raw := vdtest.WriteRaw(t, dir, name+".raw", content)
		for _, v := range subformats {
			t.Run(name+"/"+v.name, func(t *testing.T) {
				sub := filepath.Join(dir, name, v.name)
				p := convert(t, raw, sub, v.name)
				d := open(t, p)
				if qemu := vdtest.QemuRaw(t, p, "vmdk"); !bytes.Equal(qemu, content) {
					t.Fatalf("qemu-img convert -O raw gives %d bytes (SHA-256 %s), not the raw image", len(qemu), vdtest.SHA256(qemu))
				}
				vdtest.Check(t, d, d.Size(), content)
				if d.SubFormat() != v.name || len(d.Warnings()) != 0 {
					t.Errorf("sub-format %s, warnings %q", d.SubFormat(), d.Warnings())
				}
				var files []string
				for _, f := range v.files {
					files = append(files, filepath.Join(sub, f))
				}
				if got := d.Files(); strings.Join(got, "|") != strings.Join(files, "|") {
					t.Errorf("Files() = %q, want %q", got, files)
				}
				m := d.Metadata()
				sectors := len(content) / 512
				if m["vmdk_create_type"] != v.name || m["vmdk_parent_cid"] != "ffffffff" || m["vmdk_compression"] != v.extra ||
					!strings.Contains(m["vmdk_descriptor"], `createType="`+v.name+`"`) || !strings.HasPrefix(m["vmdk_extents"], "RW "+itoa(sectors)+" ") || m["vmdk_adapter_type"] != "ide" {
					t.Errorf("metadata %v", m)
				}
			})
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestSplitSets reads split sets of a 4.5 GiB sparse disk: three extents.
func TestSplitSets(t *testing.T) {
	vdtest.NeedQemu(t)
	dir := t.TempDir()
	const size = 4<<30 + 512<<20
	raw := filepath.Join(dir, "big.raw")
	f, err := os.Create(raw)
	if err != nil {
		t.Fatal(err)
	}
	regions := map[int64][]byte{
		0:                    vdtest.Content(1<<20, 11),
		2<<30 - 300<<10:      vdtest.Content(600<<10, 12), // across the first extent's end
		4<<30 - 4096:         vdtest.Content(8192, 13),
		size - 3*512 - 1<<20: vdtest.Content(1<<20+3*512, 14),
	}
	for off, b := range regions {
		if _, err := f.WriteAt(b, off); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	f.Close()
	for _, sub := range []string{"twoGbMaxExtentSparse", "twoGbMaxExtentFlat"} {
		t.Run(sub, func(t *testing.T) {
			p := convert(t, raw, filepath.Join(dir, sub), sub)
			d := open(t, p)
			if d.Size() != size || len(d.Files()) != 4 {
				t.Fatalf("Size() = %d, Files() = %q", d.Size(), d.Files())
			}
			for off, want := range regions {
				at := max(0, off-1024)
				pre := off - at
				got := make([]byte, min(int64(len(want))+2*pre, size-at))
				if _, err := d.ReadAt(got, at); err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got[pre:pre+int64(len(want))], want) || bytes.ContainsFunc(got[:pre], func(r rune) bool { return r != 0 }) {
					t.Errorf("the region at %d reads back different", off)
				}
			}
			// Reads across the extents' ends and at random places give
			// what the raw file holds.
			rf, err := os.Open(raw)
			if err != nil {
				t.Fatal(err)
			}
			defer rf.Close()
			rng := rand.New(rand.NewPCG(1, 2))
			offs := []int64{2<<30 - 5000, 4<<30 - 5000, size - 5000}
			for range 100 {
				offs = append(offs, rng.Int64N(size-1))
			}
			for _, off := range offs {
				n := min(300<<10, size-off)
				got, want := make([]byte, n), make([]byte, n)
				if _, err := d.ReadAt(got, off); err != nil && off+n < size {
					t.Fatal(err)
				}
				if _, err := rf.ReadAt(want, off); err != nil && off+n < size {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want) {
					t.Fatalf("%d bytes at %d differ from the raw file", n, off)
				}
			}
		})
	}
}

func TestRefused(t *testing.T) {
	vdtest.NeedQemu(t)
	dir := t.TempDir()
	content := vdtest.Content(vdtest.OddSize, 21)
	raw := vdtest.WriteRaw(t, dir, "r.raw", content)
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	t.Run("child disk", func(t *testing.T) {
		base := filepath.Join(dir, "base.vmdk")
		vdtest.Qemu(t, "create", "-q", "-f", "vmdk", base, "4M")
		child := filepath.Join(dir, "child.vmdk")
		vdtest.Qemu(t, "create", "-q", "-f", "vmdk", "-b", "base.vmdk", "-F", "vmdk", child)
		_, err := Open(child)
		e := wantErr(t, err, container.ErrNeedsParent, `child disk`, `parent "base.vmdk"`)
		if e.Parent != "base.vmdk" {
			t.Errorf("Parent %q", e.Parent)
		}
	})
	flat := convert(t, raw, filepath.Join(dir, "flat"), "monolithicFlat")
	desc, err := os.ReadFile(flat)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("missing extent", func(t *testing.T) {
		p := write("flat/missing.vmdk", strings.Replace(string(desc), `"disk-flat.vmdk"`, `"gone-flat.vmdk"`, 1))
		_, err := Open(p)
		e := wantErr(t, err, container.ErrMissingFile, `extent 1 of the descriptor is the file "gone-flat.vmdk", which is not in `+filepath.Join(dir, "flat"))
		if !strings.Contains(e.Hint, "descriptor's folder") {
			t.Errorf("hint %q", e.Hint)
		}
	})
	t.Run("extent outside the folder", func(t *testing.T) {
		p := write("flat/escape.vmdk", strings.Replace(string(desc), `"disk-flat.vmdk"`, `"../r.raw"`, 1))
		_, err := Open(p)
		wantErr(t, err, container.ErrUnsupported, `names the file "../r.raw", which is not in the descriptor's folder`)
	})
	t.Run("flat extent truncated", func(t *testing.T) {
		vdtest.Copy(t, filepath.Join(dir, "flat", "disk-flat.vmdk"), filepath.Join(dir, "flat", "short-flat.vmdk"))
		vdtest.Truncate(t, filepath.Join(dir, "flat", "short-flat.vmdk"), 1<<20)
		p := write("flat/short.vmdk", strings.Replace(string(desc), `"disk-flat.vmdk"`, `"short-flat.vmdk"`, 1))
		_, err := Open(p)
		wantErr(t, err, container.ErrCorrupt, "the flat extent file is 1048576 bytes, but the descriptor places 8195 sectors at sector 0 in it")
	})
	t.Run("encrypted", func(t *testing.T) {
		p := write("flat/enc.vmdk", strings.TrimRight(string(desc), "\x00")+"encryption.keySafe = \"vmware:key/list/...\"\nencryption.data = \"...\"\n")
		_, err := Open(p)
		wantErr(t, err, container.ErrEncrypted, "encrypted")
	})
	t.Run("unsupported extent type", func(t *testing.T) {
		p := write("flat/rdm.vmdk", strings.Replace(string(desc), `FLAT "disk-flat.vmdk" 0`, `VMFSRDM "disk-rdm.vmdk"`, 1))
		_, err := Open(p)
		wantErr(t, err, container.ErrUnsupported, `extent 1 (RW 8195 VMFSRDM "disk-rdm.vmdk") is a VMFSRDM extent`)
	})
	t.Run("zero extent", func(t *testing.T) {
		p := write("flat/zero.vmdk", strings.Replace(string(desc), `RW 8195 FLAT "disk-flat.vmdk" 0`, "RW 8195 FLAT \"disk-flat.vmdk\" 0\nRW 100 ZERO", 1))
		d := open(t, p)
		vdtest.Check(t, d, d.Size(), append(bytes.Clone(content), make([]byte, 100*512)...))
	})
	t.Run("split extent alone", func(t *testing.T) {
		p := convert(t, raw, filepath.Join(dir, "split"), "twoGbMaxExtentSparse")
		_, err := Open(filepath.Join(filepath.Dir(p), "disk-s001.vmdk"))
		e := wantErr(t, err, container.ErrUnsupported, `one sparse extent of a split VMDK`, `probably "disk.vmdk"`)
		if !strings.Contains(e.Hint, "descriptor") {
			t.Errorf("hint %q", e.Hint)
		}
	})
	t.Run("not a VMDK", func(t *testing.T) {
		_, err := Open(raw)
		wantErr(t, err, container.ErrNotDisk, "neither a VMDK descriptor")
		_, err = Open(write("text.vmdk", "createType=\"monolithicFlat\"\n"))
		wantErr(t, err, container.ErrCorrupt, "the descriptor lists no extents")
	})
}

func TestDamage(t *testing.T) {
	vdtest.NeedQemu(t)
	dir := t.TempDir()
	content := vdtest.Content(vdtest.OddSize, 23)
	raw := vdtest.WriteRaw(t, dir, "r.raw", content)
	sparseImg := convert(t, raw, filepath.Join(dir, "sparse"), "monolithicSparse")
	stream := convert(t, raw, filepath.Join(dir, "stream"), "streamOptimized")
	n := 0
	damaged := func(src string) string {
		n++
		return vdtest.Copy(t, src, filepath.Join(dir, "damaged-"+string(rune('a'+n))+".vmdk"))
	}
	hdr := func(t *testing.T, p string) SparseHeader {
		return parseSparseHeader(vdtest.ReadBytes(t, p, 0, 512))
	}
	gte := func(t *testing.T, p string, i int64) (at int64, v uint32) {
		h := hdr(t, p)
		gt := int64(binary.LittleEndian.Uint32(vdtest.ReadBytes(t, p, int64(h.GDOffset)*512, 4))) * 512
		return gt + 4*i, binary.LittleEndian.Uint32(vdtest.ReadBytes(t, p, gt+4*i, 4))
	}
	t.Run("grain table entry past the end", func(t *testing.T) {
		p := damaged(sparseImg)
		at, _ := gte(t, p, 5)
		vdtest.Patch(t, p, at, []byte{0, 0, 0, 1})
		d := open(t, p)
		wantErr(t, vdtest.ReadAll(d, d.Size()), container.ErrCorrupt, "grain table entry 5 of grain table 0 (grain 5) points to file offset 8589934592")
	})
	t.Run("grain directory entry past the end", func(t *testing.T) {
		p := damaged(sparseImg)
		vdtest.Patch(t, p, int64(hdr(t, p).GDOffset)*512, []byte{0, 0, 0, 1})
		d := open(t, p)
		wantErr(t, vdtest.ReadAll(d, d.Size()), container.ErrCorrupt, "grain directory entry 0 points to a grain table at sector 16777216")
	})
	t.Run("truncated", func(t *testing.T) {
		p := damaged(sparseImg)
		vdtest.Truncate(t, p, 2<<20)
		d := open(t, p)
		wantErr(t, vdtest.ReadAll(d, d.Size()), container.ErrCorrupt, "run past the end of the file (2097152 bytes)")
	})
	t.Run("truncated in the header", func(t *testing.T) {
		p := damaged(sparseImg)
		vdtest.Truncate(t, p, 2048)
		_, err := Open(p)
		wantErr(t, err, container.ErrCorrupt, "the embedded descriptor (20 sectors at sector 1) is larger than 1 MiB or does not lie inside the file")
	})
	t.Run("text-mode copy", func(t *testing.T) {
		p := damaged(sparseImg)
		vdtest.Patch(t, p, 75, []byte{'\n'})
		_, err := Open(p)
		wantErr(t, err, container.ErrCorrupt, "copied in text mode")
	})
	t.Run("compressed grain flipped", func(t *testing.T) {
		p := damaged(stream)
		_, v := gte(t, p, 3)
		vdtest.Patch(t, p, int64(v)*512+12+40, []byte{0x12, 0x34, 0x56, 0x78})
		d := open(t, p)
		err := vdtest.ReadAll(d, d.Size())
		if !errors.Is(err, container.ErrCorrupt) && !errors.Is(err, container.ErrChecksum) {
			t.Fatalf("error %v, want ErrCorrupt or ErrChecksum", err)
		}
		if !strings.Contains(err.Error(), "the compressed data of grain table entry 3 of grain table 0 (grain 3)") {
			t.Errorf("error %q", err)
		}
	})
	t.Run("grain marker for another grain", func(t *testing.T) {
		p := damaged(stream)
		_, v := gte(t, p, 3)
		vdtest.Patch(t, p, int64(v)*512, []byte{0, 1})
		d := open(t, p)
		wantErr(t, vdtest.ReadAll(d, d.Size()), container.ErrCorrupt, "says it holds sector 256, not 384")
	})
	t.Run("grain directory at the end", func(t *testing.T) {
		// As VMware writes streamOptimized: GD_AT_END in the header, the
		// real offset in a footer before the end-of-stream marker.
		p := damaged(stream)
		h := vdtest.ReadBytes(t, p, 0, 512)
		vdtest.Patch(t, p, 56, bytes.Repeat([]byte{0xff}, 8))
		fi, _ := os.Stat(p)
		marker := make([]byte, 512)
		binary.LittleEndian.PutUint64(marker, 1)
		binary.LittleEndian.PutUint32(marker[12:], 3) // footer
		tail := append(append(marker, h...), make([]byte, 512)...)
		vdtest.Patch(t, p, fi.Size(), tail)
		d := open(t, p)
		vdtest.Check(t, d, d.Size(), content)
		vdtest.Truncate(t, p, fi.Size()+512)
		_, err := Open(p)
		wantErr(t, err, container.ErrCorrupt, "there is no footer")
	})
	t.Run("COWD", func(t *testing.T) {
		p := damaged(sparseImg)
		vdtest.Patch(t, p, 0, []byte("COWD"))
		_, err := Open(p)
		wantErr(t, err, container.ErrUnsupported, "ESX server sparse extent (COWD")
	})
}
