package vhd

import (
	"bytes"
	"encoding/binary"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/custodia-dfir/custodia/evidence/vdisk/internal/container"
	"github.com/custodia-dfir/custodia/evidence/vdisk/internal/vdtest"
)

// image converts raw to a VHD with qemu-img and returns its path.
func image(t *testing.T, raw, opts string) string {
	t.Helper()
	out := filepath.Join(filepath.Dir(raw), strings.NewReplacer("=", "-", ",", "_").Replace(opts)+".vhd")
	vdtest.Qemu(t, "convert", "-f", "raw", "-O", "vpc", "-o", opts, raw, out)
	return out
}

func open(t *testing.T, path string) *Disk {
	t.Helper()
	d, err := Open(path, Options{})
	if err != nil {
		t.Fatalf("Open(%s): %v", filepath.Base(path), err)
	}
	t.Cleanup(func() { d.Close() })
	return d
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
		for _, sub := range []string{"fixed", "dynamic"} {
			t.Run(name+"/"+sub, func(t *testing.T) {
				// force_size keeps the exact size (creator "qem2").
				p := image(t, raw, "subformat="+sub+",force_size=on")
				d := open(t, p)
				if d.SubFormat() != sub || d.Format() != "VHD" {
					t.Errorf("format %s %s, want VHD %s", d.Format(), d.SubFormat(), sub)
				}
				if qemu := vdtest.QemuRaw(t, p, "vpc"); !bytes.Equal(qemu, content) {
					t.Fatalf("qemu-img convert -O raw gives %d bytes (SHA-256 %s), not the raw image", len(qemu), vdtest.SHA256(qemu))
				}
				vdtest.Check(t, d, d.Size(), content)
				if w := d.Warnings(); len(w) != 0 {
					t.Errorf("warnings %q", w)
				}
				m := d.Metadata()
				if m["vhd_type"] != sub || m["vhd_creator"] != "qem2 5.3 on Wi2k" || !strings.HasSuffix(m["vhd_footer_checksum"], "(valid)") || m["vhd_uuid"] != d.Footer().UniqueID.String() {
					t.Errorf("metadata %v", m)
				}
				if sub == "dynamic" && (m["vhd_block_size"] != "2097152" || !strings.HasSuffix(m["vhd_header_checksum"], "(valid)")) {
					t.Errorf("metadata %v", m)
				}

				// Without force_size qemu rounds the size up to a CHS
				// geometry: the disk is the raw image and zeros.
				p = image(t, raw, "subformat="+sub)
				d = open(t, p)
				qemu := vdtest.QemuRaw(t, p, "vpc")
				if len(qemu) <= len(content) || !bytes.Equal(qemu[:len(content)], content) || bytes.ContainsFunc(qemu[len(content):], func(r rune) bool { return r != 0 }) {
					t.Fatalf("qemu-img convert -O raw of the CHS-sized image is %d bytes, not the raw image followed by zeros", len(qemu))
				}
				vdtest.Check(t, d, d.Size(), qemu)
				if d.Metadata()["vhd_geometry"] != "121/4/17" {
					t.Errorf("geometry %s", d.Metadata()["vhd_geometry"])
				}
			})
		}
	}
}

// fixChecksum recomputes the checksum of the footer or header at off.
func fixChecksum(t *testing.T, path string, off int64, size, at int) {
	t.Helper()
	b := vdtest.ReadBytes(t, path, off, size)
	binary.BigEndian.PutUint32(b[at:], checksum(b, at))
	vdtest.Patch(t, path, off, b)
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

func TestDifferencingRefused(t *testing.T) {
	vdtest.NeedQemu(t)
	dir := t.TempDir()
	raw := vdtest.WriteRaw(t, dir, "d.raw", vdtest.Content(vdtest.OddSize, 2))
	p := image(t, raw, "subformat=dynamic,force_size=on")
	// Make it a differencing disk of "base-disk.vhd": type 4 in both
	// footers, the parent's name and a relative locator in the header.
	hdr := vdtest.ReadBytes(t, p, 512, headerSize)
	name := utf16.Encode([]rune("base-disk.vhd"))
	for i, c := range name {
		binary.BigEndian.PutUint16(hdr[64+2*i:], c)
	}
	rel := `.\base-disk.vhd`
	var loc []byte
	for _, c := range utf16.Encode([]rune(rel)) {
		loc = binary.LittleEndian.AppendUint16(loc, c)
	}
	copy(hdr[576:], "W2ru")
	binary.BigEndian.PutUint32(hdr[576+4:], 512)
	binary.BigEndian.PutUint32(hdr[576+8:], uint32(len(loc)))
	binary.BigEndian.PutUint64(hdr[576+16:], 2048) // over block 0's bitmap: the disk is refused before reading it
	vdtest.Patch(t, p, 512, hdr)
	vdtest.Patch(t, p, 1536+512, loc)
	fixChecksum(t, p, 512, headerSize, 36)
	for _, off := range []int64{0, -512} {
		vdtest.Patch(t, p, off+60, []byte{0, 0, 0, 4})
		if off < 0 {
			fi := vdtest.ReadBytes(t, p, off, 512)
			binary.BigEndian.PutUint32(fi[64:], checksum(fi, 64))
			vdtest.Patch(t, p, off, fi)
		} else {
			fixChecksum(t, p, 0, 512, 64)
		}
	}
	_, err := Open(p, Options{})
	e := wantErr(t, err, container.ErrNeedsParent, `differencing VHD`, `parent "base-disk.vhd"`, `relative path ".\\base-disk.vhd"`)
	if e.Parent != "base-disk.vhd" || e.Hint == "" {
		t.Errorf("Parent %q, Hint %q", e.Parent, e.Hint)
	}
}

func TestDamage(t *testing.T) {
	vdtest.NeedQemu(t)
	dir := t.TempDir()
	content := vdtest.Content(vdtest.OddSize, 3)
	raw := vdtest.WriteRaw(t, dir, "r.raw", content)
	dyn := image(t, raw, "subformat=dynamic,force_size=on")
	fixed := image(t, raw, "subformat=fixed,force_size=on")
	n := 0
	damaged := func(src string) string {
		n++
		return vdtest.Copy(t, src, filepath.Join(dir, "damaged-"+string(rune('a'+n))+".vhd"))
	}

	t.Run("footer at the end flipped, copy intact", func(t *testing.T) {
		p := damaged(dyn)
		vdtest.Patch(t, p, -512+50, []byte{0x55}) // inside the current size
		d := open(t, p)
		if w := d.Warnings(); len(w) != 1 || !strings.Contains(w[0], "fails its checksum") || !strings.Contains(w[0], "copy at offset 0 was used") {
			t.Fatalf("warnings %q", w)
		}
		vdtest.Check(t, d, d.Size(), content)
	})
	t.Run("both footers flipped", func(t *testing.T) {
		p := damaged(dyn)
		vdtest.Patch(t, p, -512+100, []byte{0x55})
		vdtest.Patch(t, p, 100, []byte{0x55})
		_, err := Open(p, Options{})
		wantErr(t, err, container.ErrChecksum, "footer's checksum is 0x")
		d, err := Open(p, Options{AcceptBadChecksums: true})
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		if w := d.Warnings(); len(w) != 1 || !strings.Contains(w[0], "its fields were used as they are") {
			t.Fatalf("warnings %q", w)
		}
		if !strings.HasSuffix(d.Metadata()["vhd_footer_checksum"], "(MISMATCH)") {
			t.Errorf("metadata %v", d.Metadata())
		}
		vdtest.Check(t, d, d.Size(), content)
	})
	t.Run("fixed footer flipped", func(t *testing.T) {
		p := damaged(fixed)
		vdtest.Patch(t, p, -512+30, []byte{'X'})
		_, err := Open(p, Options{})
		wantErr(t, err, container.ErrChecksum, "footer's checksum")
	})
	t.Run("dynamic header flipped", func(t *testing.T) {
		p := damaged(dyn)
		vdtest.Patch(t, p, 512+700, []byte{1})
		_, err := Open(p, Options{})
		wantErr(t, err, container.ErrChecksum, "dynamic disk header's checksum")
	})
	t.Run("BAT entry past the end", func(t *testing.T) {
		p := damaged(dyn)
		// The BAT follows the header (offset 1536); entry 1 maps 2-4 MiB.
		vdtest.Patch(t, p, 1536+4, []byte{0x00, 0x10, 0x00, 0x00})
		d := open(t, p)
		err := vdtest.ReadAll(d, d.Size())
		wantErr(t, err, container.ErrCorrupt, "BAT entry 1 points to file offset 536871424")
	})
	t.Run("BAT past the end", func(t *testing.T) {
		p := damaged(dyn)
		vdtest.Patch(t, p, 512+16, []byte{0, 0, 0, 0, 0x10, 0, 0, 0})
		fixChecksum(t, p, 512, headerSize, 36)
		_, err := Open(p, Options{})
		wantErr(t, err, container.ErrCorrupt, "block allocation table (3 entries at offset 268435456) does not lie inside the file")
	})
	t.Run("dynamic truncated", func(t *testing.T) {
		p := damaged(dyn)
		vdtest.Truncate(t, p, 3<<20)
		d := open(t, p)
		if w := d.Warnings(); len(w) != 1 || !strings.Contains(w[0], "footer at the end of the file is missing") {
			t.Fatalf("warnings %q", w)
		}
		err := vdtest.ReadAll(d, d.Size())
		wantErr(t, err, container.ErrCorrupt, "BAT entry 1 points to file offset", "run past the end of the file (3145728 bytes)")
	})
	t.Run("fixed truncated", func(t *testing.T) {
		p := damaged(fixed)
		vdtest.Truncate(t, p, 3<<20)
		_, err := Open(p, Options{})
		wantErr(t, err, container.ErrNotDisk, `no VHD footer (cookie "conectix") at the end of the file`)
	})
	t.Run("not a VHD", func(t *testing.T) {
		_, err := Open(raw, Options{})
		wantErr(t, err, container.ErrNotDisk, "no VHD footer")
		tiny := vdtest.WriteRaw(t, dir, "tiny", []byte("conectix"))
		_, err = Open(tiny, Options{})
		wantErr(t, err, container.ErrNotDisk, "the file is 8 bytes, shorter than a VHD footer")
	})
	t.Run("unknown disk type", func(t *testing.T) {
		p := damaged(fixed)
		vdtest.Patch(t, p, -512+60, []byte{0, 0, 0, 9})
		fixChecksum(t, p, int64(len(content)), 512, 64)
		_, err := Open(p, Options{})
		wantErr(t, err, container.ErrUnsupported, "disk type 9")
	})
	t.Run("fixed size past the footer", func(t *testing.T) {
		p := damaged(fixed)
		vdtest.Patch(t, p, -512+48, []byte{0, 0, 0, 0, 0, 0x50, 0, 0})
		fixChecksum(t, p, int64(len(content)), 512, 64)
		_, err := Open(p, Options{})
		wantErr(t, err, container.ErrCorrupt, "disk size of 5242880 bytes, but only 4195840 bytes precede the footer")
	})
}
