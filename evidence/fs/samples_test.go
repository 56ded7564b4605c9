package fs

import (
	"archive/zip"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/custodia-dfir/custodia/evidence/ewf"
	"github.com/custodia-dfir/custodia/evidence/logs/logstest"
	"github.com/custodia-dfir/custodia/evidence/vdisk"
	"github.com/custodia-dfir/custodia/evidence/volume"
)

// Real images from other projects (../shared/samples; PROVENANCE.md gives
// what their projects assert, which is what these tests check).

func names(t *testing.T, f FS, dir string) []string {
	t.Helper()
	d, err := Lookup(f, dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	if err := f.List(d, false, func(e *Entry) error { out = append(out, e.Name); return nil }); err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

// Velociraptor's fat.in.yaml / fat.out.yaml: under a, exactly a\b (dir,
// Mtime 2023-09-23T09:33:48Z, Atime 2023-09-23, Btime 09:33:49.72) and
// a\b\hello.txt (12 bytes, "hello world\n", the same times).
func TestVelociraptorFATVerySmall(t *testing.T) {
	path := filepath.Join(logstest.SamplesDir(t), "disk", "vr_fat_very_small.dd")
	f := openImage(t, path, 0)
	if f.Type() != "FAT12" {
		t.Errorf("type %s", f.Type())
	}
	var got []string
	a, err := Lookup(f, "/a")
	if err != nil {
		t.Fatal(err)
	}
	if err := Walk(f, a, true, false, func(e *Entry) error { got = append(got, e.Path); return nil }, nil); err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, ",") != "/a/b,/a/b/hello.txt" {
		t.Fatalf("entries under /a: %v", got)
	}
	for _, p := range []string{"/a/b", "/a/b/hello.txt"} {
		e, _ := Lookup(f, p)
		if e.M.Format(time.RFC3339Nano) != "2023-09-23T09:33:48Z" || e.A.Format(time.RFC3339) != "2023-09-23T00:00:00Z" || e.B.Format(time.RFC3339Nano) != "2023-09-23T09:33:49.72Z" {
			t.Errorf("%s: M %v A %v B %v", p, e.M, e.A, e.B)
		}
	}
	e, _ := Lookup(f, "/a/b/hello.txt")
	file, _ := f.Open(e, "")
	b, _ := io.ReadAll(io.NewSectionReader(file, 0, file.Size()))
	if e.Size != 12 || string(b) != "hello world\n" {
		t.Errorf("hello.txt: %d bytes %q", e.Size, b)
	}
}

// Velociraptor's DeadDiskRemapping test: partition_image.E01 holds one bare
// NTFS volume whose root holds Users, Windows and System Volume Information.
func TestVelociraptorPartitionImageE01(t *testing.T) {
	im, err := ewf.Open(filepath.Join(logstest.SamplesDir(t), "disk", "vr_partition_image.E01"))
	if err != nil {
		t.Fatal(err)
	}
	defer im.Close()
	tab, err := volume.Read(im, im.Size())
	if err != nil {
		t.Fatal(err)
	}
	if tab.Scheme != volume.SchemeNone || len(tab.Volumes) != 1 {
		t.Fatalf("table %+v", tab)
	}
	f, err := Open(im, im.Size())
	if err != nil {
		t.Fatal(err)
	}
	root := strings.Join(names(t, f, "/"), ",")
	for _, n := range []string{"Users", "Windows", "System Volume Information"} {
		if !strings.Contains(root, n) {
			t.Errorf("root %s lacks %s", root, n)
		}
	}
}

// Velociraptor's vhdx.in.yaml: NTFS 128 sectors into the VHDX (GPT, one
// basic data partition), whose root lists $AttrDef 2560, $Bitmap 96, $Boot
// 8192, $LogFile 2097152, $MFT 262144, $MFTMirr 4096, $UpCase 131072 with
// $UpCase:$Info 32, $BadClus:$Bad 3141632, Hello.txt.txt 11.
func TestVelociraptorVHDX(t *testing.T) {
	zr, err := zip.OpenReader(filepath.Join(logstest.SamplesDir(t), "disk", "vr_test.vhdx.zip"))
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	dst := filepath.Join(t.TempDir(), "test.vhdx")
	rc, err := zr.File[0].Open()
	if err != nil {
		t.Fatal(err)
	}
	out, _ := os.Create(dst)
	io.Copy(out, rc)
	out.Close()
	rc.Close()
	d, err := vdisk.Open(dst, vdisk.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	tab, err := volume.Read(d, d.Size())
	if err != nil {
		t.Fatal(err)
	}
	if tab.Scheme != volume.SchemeGPT || len(tab.Volumes) != 1 || tab.Volumes[0].Start != 128*512 || tab.Volumes[0].Type != "Microsoft basic data" {
		t.Fatalf("table %+v", tab)
	}
	v := tab.Volumes[0]
	f, err := Open(io.NewSectionReader(d, v.Start, v.Size), v.Size)
	if err != nil {
		t.Fatal(err)
	}
	sizes := map[string]int64{}
	streams := map[string]int64{}
	if err := f.List(f.Root(), false, func(e *Entry) error {
		sizes[e.Name] = e.Size
		for _, s := range e.Streams {
			streams[e.Name+":"+s.Name] = s.Size
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for n, want := range map[string]int64{"$AttrDef": 2560, "$BadClus": 0, "$Bitmap": 96, "$Boot": 8192, "$LogFile": 2097152,
		"$MFT": 262144, "$MFTMirr": 4096, "$UpCase": 131072, "$Volume": 0, "Hello.txt.txt": 11} {
		if got, ok := sizes[n]; !ok || got != want {
			t.Errorf("%s: size %d (listed %v), want %d", n, got, ok, want)
		}
	}
	for n, want := range map[string]int64{"$UpCase:$Info": 32, "$BadClus:$Bad": 3141632, "$Secure:$SDS": 263836} {
		if got := streams[n]; got != want {
			t.Errorf("stream %s: size %d, want %d", n, got, want)
		}
	}
	for _, n := range []string{"$Extend", "$RECYCLE.BIN", "System Volume Information"} {
		if _, ok := sizes[n]; !ok {
			t.Errorf("root lacks %s", n)
		}
	}
}

// TSK's imageformat_mmls_1.E01: a DOS table with two NTFS (0x07)
// partitions at sectors 128 (55296 sectors) and 55424 (61440), labelled
// Part 1 and Part 2 (MEASURED with mmls and fsstat).
func TestTSKImageformatMmls(t *testing.T) {
	im, err := ewf.Open(filepath.Join(logstest.SamplesDir(t), "disk", "tsk_imageformat_mmls_1.E01"))
	if err != nil {
		t.Fatal(err)
	}
	defer im.Close()
	tab, err := volume.Read(im, im.Size())
	if err != nil {
		t.Fatal(err)
	}
	if tab.Scheme != volume.SchemeMBR || len(tab.Volumes) != 2 {
		t.Fatalf("table %+v", tab)
	}
	for i, want := range [][2]int64{{128, 55296}, {55424, 61440}} {
		v := tab.Volumes[i]
		if v.Start != want[0]*512 || v.Size != want[1]*512 || v.TypeID != "0x07" || v.Problem != "" {
			t.Errorf("volume %d: %+v", i, v)
		}
		f, err := Open(io.NewSectionReader(im, v.Start, v.Size), v.Size)
		if err != nil {
			t.Fatalf("volume %d: %v", i, err)
		}
		if f.Type() != "NTFS" {
			t.Errorf("volume %d: %s", i, f.Type())
		}
		if _, err := Lookup(f, "/$MFT"); err != nil {
			t.Errorf("volume %d: %v", i, err)
		}
	}
}
