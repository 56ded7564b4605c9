package qcow2

import (
	"bytes"
	"encoding/binary"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/custodia-dfir/custodia/evidence/vdisk/internal/container"
	"github.com/custodia-dfir/custodia/evidence/vdisk/internal/vdtest"
)

func convert(t *testing.T, raw, name string, args ...string) string {
	t.Helper()
	out := filepath.Join(filepath.Dir(raw), name+".qcow2")
	vdtest.Qemu(t, append(append([]string{"convert", "-f", "raw", "-O", "qcow2"}, args...), raw, out)...)
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

var variants = []struct {
	name                  string
	args                  []string
	version               string
	cluster               string
	compression, compress string
}{
	{"v2", []string{"-o", "compat=0.10"}, "v2", "65536", "zlib", ""},
	{"v3", []string{"-o", "compat=1.1"}, "v3", "65536", "zlib", ""},
	{"v2-zlib", []string{"-c", "-o", "compat=0.10"}, "v2", "65536", "zlib", "c"},
	{"v3-zlib", []string{"-c", "-o", "compat=1.1"}, "v3", "65536", "zlib", "c"},
	{"v3-zstd", []string{"-c", "-o", "compat=1.1,compression_type=zstd"}, "v3", "65536", "zstd", "c"},
	{"v3-512", []string{"-o", "cluster_size=512"}, "v3", "512", "zlib", ""},
	{"v3-2M-zstd", []string{"-c", "-o", "cluster_size=2M,compression_type=zstd"}, "v3", "2097152", "zstd", "c"},
	{"v3-4k-zlib", []string{"-c", "-o", "cluster_size=4k"}, "v3", "4096", "zlib", "c"},
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
		for _, v := range variants {
			t.Run(name+"/"+v.name, func(t *testing.T) {
				p := convert(t, raw, name+"-"+v.name, v.args...)
				d := open(t, p)
				if qemu := vdtest.QemuRaw(t, p, "qcow2"); !bytes.Equal(qemu, content) {
					t.Fatalf("qemu-img convert -O raw gives %d bytes (SHA-256 %s), not the raw image", len(qemu), vdtest.SHA256(qemu))
				}
				vdtest.Check(t, d, d.Size(), content)
				if d.SubFormat() != v.version || len(d.Warnings()) != 0 {
					t.Errorf("sub-format %s, warnings %q", d.SubFormat(), d.Warnings())
				}
				m := d.Metadata()
				if m["qcow2_cluster_size"] != v.cluster || m["qcow2_compression_type"] != v.compression || m["qcow2_encryption"] != "none" || m["qcow2_size"] != "4195840" && name == "odd" {
					t.Errorf("metadata %v", m)
				}
			})
		}
	}
}

func TestRefused(t *testing.T) {
	vdtest.NeedQemu(t)
	dir := t.TempDir()
	base := filepath.Join(dir, "base.qcow2")
	vdtest.Qemu(t, "create", "-q", "-f", "qcow2", base, "4M")
	t.Run("backing file", func(t *testing.T) {
		p := filepath.Join(dir, "child.qcow2")
		vdtest.Qemu(t, "create", "-q", "-f", "qcow2", "-b", "base.qcow2", "-F", "qcow2", p)
		_, err := Open(p)
		e := wantErr(t, err, container.ErrNeedsParent, `backing file "base.qcow2" (format qcow2)`)
		if e.Parent != "base.qcow2" || !strings.Contains(e.Hint, "qemu-img convert") {
			t.Errorf("Parent %q, Hint %q", e.Parent, e.Hint)
		}
	})
	t.Run("encrypted", func(t *testing.T) {
		// The header field decides; qemu-img's LUKS create times its key
		// derivation and fails on a loaded machine, so the method is set
		// in a copy of a plain image.
		for method, name := range map[byte]string{1: "AES", 2: "LUKS"} {
			p := vdtest.Copy(t, base, filepath.Join(dir, name+".qcow2"))
			vdtest.Patch(t, p, 35, []byte{method})
			_, err := Open(p)
			wantErr(t, err, container.ErrEncrypted, "encrypted ("+name+")")
		}
	})
	t.Run("extended L2", func(t *testing.T) {
		p := filepath.Join(dir, "ext-l2.qcow2")
		vdtest.Qemu(t, "create", "-q", "-f", "qcow2", "-o", "extended_l2=on", p, "1M")
		_, err := Open(p)
		wantErr(t, err, container.ErrUnsupported, "extended L2 entries")
	})
	t.Run("external data file", func(t *testing.T) {
		p := filepath.Join(dir, "ext-data.qcow2")
		vdtest.Qemu(t, "create", "-q", "-f", "qcow2", "-o", "data_file="+filepath.Join(dir, "data.raw"), p, "1M")
		_, err := Open(p)
		wantErr(t, err, container.ErrUnsupported, "external data file")
	})
	t.Run("unknown incompatible feature", func(t *testing.T) {
		p := vdtest.Copy(t, base, filepath.Join(dir, "feature.qcow2"))
		vdtest.Patch(t, p, 72, []byte{0, 0, 0, 0, 0, 0, 0x01, 0})
		_, err := Open(p)
		wantErr(t, err, container.ErrUnsupported, "incompatible features this reader does not know: bit 8")
	})
	t.Run("version 1", func(t *testing.T) {
		p := vdtest.Copy(t, base, filepath.Join(dir, "v1.qcow2"))
		vdtest.Patch(t, p, 4, []byte{0, 0, 0, 1})
		_, err := Open(p)
		wantErr(t, err, container.ErrUnsupported, "QCOW2 version 1")
	})
	t.Run("dirty", func(t *testing.T) {
		p := vdtest.Copy(t, base, filepath.Join(dir, "dirty.qcow2"))
		vdtest.Patch(t, p, 79, []byte{incDirty | incCorrupt})
		d := open(t, p)
		if w := d.Warnings(); len(w) != 2 || !strings.Contains(w[0], "dirty flag") || !strings.Contains(w[1], "corrupt flag") {
			t.Errorf("warnings %q", w)
		}
		vdtest.Check(t, d, d.Size(), make([]byte, 4<<20))
	})
}

func TestDamage(t *testing.T) {
	vdtest.NeedQemu(t)
	dir := t.TempDir()
	content := vdtest.Content(vdtest.OddSize, 5)
	raw := vdtest.WriteRaw(t, dir, "r.raw", content)
	plain := convert(t, raw, "plain")
	packed := convert(t, raw, "packed", "-c")
	packedZstd := convert(t, raw, "packed-zstd", "-c", "-o", "compression_type=zstd")
	n := 0
	damaged := func(src string) string {
		n++
		return vdtest.Copy(t, src, filepath.Join(dir, "damaged-"+string(rune('a'+n))+".qcow2"))
	}
	l2 := func(t *testing.T, p string) (table int64, e []byte) {
		l1 := int64(binary.BigEndian.Uint64(vdtest.ReadBytes(t, p, 40, 8)))
		table = int64(binary.BigEndian.Uint64(vdtest.ReadBytes(t, p, l1, 8)) & offsetMask)
		return table, vdtest.ReadBytes(t, p, table, 8*65)
	}

	t.Run("truncated", func(t *testing.T) {
		p := damaged(plain)
		vdtest.Truncate(t, p, 1<<20)
		d := open(t, p)
		wantErr(t, vdtest.ReadAll(d, d.Size()), container.ErrCorrupt, "the L2 entry of cluster", "run past the end of the file (1048576 bytes)")
	})
	t.Run("L2 entry past the end", func(t *testing.T) {
		p := damaged(plain)
		table, _ := l2(t, p)
		vdtest.Patch(t, p, table+8*7, []byte{0x80, 0, 0, 0, 0x40, 0, 0, 0})
		d := open(t, p)
		wantErr(t, vdtest.ReadAll(d, d.Size()), container.ErrCorrupt, "the L2 entry of cluster 7 (L1 entry 0, L2 entry 7) points to file offset 1073741824")
	})
	t.Run("L1 entry past the end", func(t *testing.T) {
		p := damaged(plain)
		l1 := int64(binary.BigEndian.Uint64(vdtest.ReadBytes(t, p, 40, 8)))
		vdtest.Patch(t, p, l1, []byte{0x80, 0, 0, 0, 0x40, 0, 0, 0})
		d := open(t, p)
		wantErr(t, vdtest.ReadAll(d, d.Size()), container.ErrCorrupt, "L1 entry 0 points to an L2 table at file offset 1073741824")
	})
	t.Run("L1 table past the end", func(t *testing.T) {
		p := damaged(plain)
		vdtest.Patch(t, p, 40, []byte{0, 0, 0, 0, 0x40, 0, 0, 0})
		_, err := Open(p)
		wantErr(t, err, container.ErrCorrupt, "the L1 table (1 entries at offset 1073741824)")
	})
	t.Run("cluster bits", func(t *testing.T) {
		p := damaged(plain)
		vdtest.Patch(t, p, 20, []byte{0, 0, 0, 30})
		_, err := Open(p)
		wantErr(t, err, container.ErrCorrupt, "cluster_bits 30")
	})
	t.Run("L1 too small", func(t *testing.T) {
		p := damaged(plain)
		vdtest.Patch(t, p, 24, []byte{0, 0, 0, 1, 0, 0, 0, 0}) // 4 GiB
		_, err := Open(p)
		wantErr(t, err, container.ErrCorrupt, "the L1 table has 1 entries, but a disk of 4294967296 bytes in clusters of 65536 bytes needs 8")
	})
	for _, c := range []struct{ name, path, msg string }{{"zlib", packed, "does not decompress"}, {"zstd", packedZstd, "does not decompress"}} {
		t.Run("compressed data flipped, "+c.name, func(t *testing.T) {
			p := damaged(c.path)
			_, e := l2(t, p)
			// Cluster 0 is random data: compressed? qemu stores a cluster
			// that does not shrink uncompressed; cluster 3 is text.
			l2e := binary.BigEndian.Uint64(e[8*3:])
			if l2e&compressed == 0 {
				t.Fatalf("cluster 3 is not compressed (L2 entry %#x)", l2e)
			}
			off := int64(l2e & (1<<(62-8) - 1))
			vdtest.Patch(t, p, off+2, []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
			d := open(t, p)
			wantErr(t, vdtest.ReadAll(d, d.Size()), container.ErrCorrupt, "the compressed data of the L2 entry of cluster 3", c.msg)
		})
	}
	t.Run("not a QCOW2", func(t *testing.T) {
		_, err := Open(raw)
		wantErr(t, err, container.ErrNotDisk, "no QCOW2 magic")
	})
}
