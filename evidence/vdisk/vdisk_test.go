package vdisk_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/custodia-dfir/custodia/evidence/vdisk"
	"github.com/custodia-dfir/custodia/evidence/vdisk/internal/vdtest"
)

// images writes content in every format and sub-format qemu-img writes,
// each in a folder of its own, and returns the path to open, by name.
func images(t *testing.T, dir string, content []byte) map[string]string {
	raw := vdtest.WriteRaw(t, dir, "src.raw", content)
	out := map[string]string{}
	for _, c := range []struct{ name, format, opts string }{
		{"vhd-fixed", "vpc", "subformat=fixed,force_size=on"},
		{"vhd-dynamic", "vpc", "subformat=dynamic,force_size=on"},
		{"vhdx-dynamic", "vhdx", "subformat=dynamic"},
		{"vhdx-fixed", "vhdx", "subformat=fixed"},
		{"vmdk-monolithicSparse", "vmdk", "subformat=monolithicSparse"},
		{"vmdk-streamOptimized", "vmdk", "subformat=streamOptimized"},
		{"vmdk-monolithicFlat", "vmdk", "subformat=monolithicFlat"},
		{"vmdk-twoGbMaxExtentSparse", "vmdk", "subformat=twoGbMaxExtentSparse"},
		{"qcow2-v2", "qcow2", "compat=0.10"},
		{"qcow2-v3-zstd", "qcow2", "compat=1.1,compression_type=zstd"},
	} {
		sub := filepath.Join(dir, c.name)
		if err := os.Mkdir(sub, 0o755); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(sub, "disk."+c.format)
		args := []string{"convert", "-f", "raw", "-O", c.format, "-o", c.opts}
		if c.format == "qcow2" {
			args = append(args, "-c")
		}
		vdtest.Qemu(t, append(args, raw, p)...)
		out[c.name] = p
	}
	return out
}

func TestOpenEveryFormat(t *testing.T) {
	vdtest.NeedQemu(t)
	dir := t.TempDir()
	content := vdtest.Content(vdtest.OddSize, 31)
	sum := sha256.Sum256(content)
	want := hex.EncodeToString(sum[:])
	for name, p := range images(t, dir, content) {
		t.Run(name, func(t *testing.T) {
			format, _, _ := strings.Cut(name, "-")
			f, err := vdisk.DetectFile(p)
			if err != nil || string(f) != strings.ToUpper(format) {
				t.Fatalf("DetectFile = %q, %v; want %s", f, err, strings.ToUpper(format))
			}
			d, err := vdisk.Open(p, vdisk.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			if d.Format() != string(f) || d.Size() != int64(len(content)) {
				t.Errorf("Format %s, Size %d", d.Format(), d.Size())
			}
			// The sequential reader, in the ingest's 1 MiB reads.
			r := vdisk.NewReader(d)
			h := sha256.New()
			if _, err := io.CopyBuffer(h, struct{ io.Reader }{r}, make([]byte, 1<<20)); err != nil {
				t.Fatal(err)
			}
			r.Close()
			if got := hex.EncodeToString(h.Sum(nil)); got != want {
				t.Errorf("SHA-256 through NewReader %s, want %s", got, want)
			}
			for k := range d.Metadata() {
				if !strings.HasPrefix(k, strings.ToLower(d.Format())+"_") {
					t.Errorf("metadata key %q lacks the format prefix", k)
				}
			}
			files, err := vdisk.Files(p, f)
			if err != nil || strings.Join(files, "|") != strings.Join(d.Files(), "|") {
				t.Errorf("Files = %q, %v; the disk read %q", files, err, d.Files())
			}
		})
	}
}

func TestDetect(t *testing.T) {
	footer := append([]byte("conectix"), make([]byte, 504)...)
	for _, c := range []struct {
		name       string
		head, tail []byte
		want       vdisk.Format
	}{
		{"vhdx", []byte("vhdxfile\x00Q\x00"), nil, vdisk.VHDX},
		{"qcow2", []byte("QFI\xfb\x00\x00\x00\x03"), nil, vdisk.QCOW2},
		{"vmdk sparse", []byte("KDMV\x01\x00\x00\x00"), nil, vdisk.VMDK},
		{"vmdk esx sparse", []byte("COWD"), nil, vdisk.VMDK},
		{"vmdk descriptor", []byte("# Disk DescriptorFile\nversion=1\n"), nil, vdisk.VMDK},
		{"vmdk descriptor without comment", []byte("version=1\ncreateType=\"monolithicFlat\"\n"), nil, vdisk.VMDK},
		{"dynamic vhd", footer, nil, vdisk.VHD},
		{"fixed vhd", make([]byte, 1024), append(make([]byte, 100), footer...)[100:], vdisk.VHD},
		{"fixed vhd, 511-byte footer", make([]byte, 1024), append([]byte{0}, footer[:511]...), vdisk.VHD},
		{"raw disk", append(make([]byte, 510), 0x55, 0xaa), make([]byte, 512), vdisk.None},
		{"text", []byte("createType is a word in this text\n"), nil, vdisk.None},
		{"empty", nil, nil, vdisk.None},
	} {
		if got := vdisk.Detect(c.head, c.tail); got != c.want {
			t.Errorf("%s: Detect = %q, want %q", c.name, got, c.want)
		}
	}
}

func TestOpenNotADisk(t *testing.T) {
	p := vdtest.WriteRaw(t, t.TempDir(), "disk.raw", vdtest.Content(1<<20, 1))
	_, err := vdisk.Open(p, vdisk.Options{})
	var e *vdisk.Error
	if !errors.Is(err, vdisk.ErrNotDisk) || !errors.As(err, &e) || e.File != p || !strings.Contains(err.Error(), "no virtual disk signature") {
		t.Fatalf("error %v", err)
	}
	if vdisk.Hint(err) == "" {
		t.Error("no hint")
	}
	if _, err := vdisk.Open(filepath.Join(t.TempDir(), "missing.vhd"), vdisk.Options{}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("error %v for a missing file", err)
	}
}

func TestHint(t *testing.T) {
	for _, kind := range []error{vdisk.ErrNotDisk, vdisk.ErrUnsupported, vdisk.ErrNeedsParent, vdisk.ErrEncrypted, vdisk.ErrCorrupt, vdisk.ErrChecksum, vdisk.ErrMissingFile} {
		err := fmt.Errorf("ingest: %w", &vdisk.Error{Kind: kind, What: "x", Offset: -1})
		if vdisk.Hint(err) == "" {
			t.Errorf("no hint for %v", kind)
		}
	}
	own := &vdisk.Error{Kind: vdisk.ErrCorrupt, What: "x", Hint: "do this", Offset: -1}
	if got := vdisk.Hint(own); got != "do this" {
		t.Errorf("Hint = %q, want the error's own", got)
	}
	if vdisk.Hint(errors.New("other")) != "" {
		t.Error("a hint for a foreign error")
	}
}

// TestReaderStopsAtDamage: the sequential reader returns every byte before
// a damaged block, then the error, and keeps returning it.
func TestReaderStopsAtDamage(t *testing.T) {
	vdtest.NeedQemu(t)
	dir := t.TempDir()
	content := vdtest.Content(vdtest.OddSize, 32)
	raw := vdtest.WriteRaw(t, dir, "src.raw", content)
	p := filepath.Join(dir, "disk.qcow2")
	vdtest.Qemu(t, "convert", "-f", "raw", "-O", "qcow2", raw, p)
	// Cut the file inside the data of the clusters after 3 MiB.
	fi, _ := os.Stat(p)
	vdtest.Truncate(t, p, fi.Size()-1<<20-12345)
	d, err := vdisk.Open(p, vdisk.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	r := vdisk.NewReader(d)
	defer r.Close()
	got, err := io.ReadAll(r)
	if !errors.Is(err, vdisk.ErrCorrupt) {
		t.Fatalf("error %v, want ErrCorrupt", err)
	}
	// Every cluster before the first cut-off one: whole 64 KiB clusters.
	if len(got) < 1<<20 || len(got) >= len(content) || len(got)%(64<<10) != 0 || !bytes.Equal(got, content[:len(got)]) {
		t.Fatalf("read %d bytes before the error, not the good clusters before it", len(got))
	}
	if _, err2 := r.Read(make([]byte, 10)); err2 != err {
		t.Errorf("second read: %v, want the same error", err2)
	}
}
