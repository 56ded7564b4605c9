package fs

import (
	"bytes"
	"crypto/sha256"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// isoATime is hello.txt's access time in the images of isoImages.
var isoATime = time.Date(2026, 2, 22, 8, 30, 5, 0, time.UTC)

// isoImages makes the same tree three ways with xorriso: plain ISO 9660
// names, Joliet, and Rock Ridge.
func isoImages(t testing.TB) (map[string][]byte, map[string][]byte) {
	t.Helper()
	if _, err := exec.LookPath("xorriso"); err != nil {
		t.Skip("xorriso is not installed (scripts/setup.sh installs it)")
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	os.MkdirAll(filepath.Join(src, "docs", "sub"), 0o755)
	big := make([]byte, 300_001)
	for i := range big {
		big[i] = byte(i*13 + i/2048)
	}
	files := map[string][]byte{
		"hello.txt":                           []byte("hello, iso\n"),
		"docs/big.bin":                        big,
		"docs/sub/A Long Mixed Case Name.txt": []byte("x"),
	}
	mtime := time.Date(2026, 2, 21, 21, 54, 44, 0, time.UTC)
	for name, b := range files {
		p := filepath.Join(src, filepath.FromSlash(name))
		os.WriteFile(p, b, 0o644)
		os.Chtimes(p, mtime, mtime)
	}
	// hello.txt: a mode (and access time) of its own, which only Rock
	// Ridge (PX, TF) records.
	os.Chmod(filepath.Join(src, "hello.txt"), 0o640)
	os.Chtimes(filepath.Join(src, "hello.txt"), isoATime, mtime)
	out := map[string][]byte{}
	for kind, args := range map[string][]string{
		// xorriso's mkisofs emulation writes Rock Ridge unless told not to.
		"plain":     {"-rockridge", "off", "-joliet", "off"},
		"joliet":    {"-rockridge", "off", "-joliet", "on"},
		"rockridge": {"-rockridge", "on", "-joliet", "off"},
	} {
		img := filepath.Join(dir, kind+".iso")
		args = append(args, "-outdev", img, "-map", src, "/")
		if b, err := exec.Command("xorriso", append([]string{"-abort_on", "FAILURE"}, args...)...).CombinedOutput(); err != nil {
			t.Fatalf("xorriso %s: %v %s", kind, err, b)
		}
		out[kind], _ = os.ReadFile(img)
	}
	return out, files
}

func TestISO9660(t *testing.T) {
	imgs, files := isoImages(t)
	want := map[string][]string{
		"plain":     {"/DOCS", "/DOCS/BIG.BIN", "/DOCS/SUB", "/DOCS/SUB/A_LONG_MIXED_CASE_NAME.TXT", "/HELLO.TXT"},
		"joliet":    {"/docs", "/docs/big.bin", "/docs/sub", "/docs/sub/A Long Mixed Case Name.txt", "/hello.txt"},
		"rockridge": {"/docs", "/docs/big.bin", "/docs/sub", "/docs/sub/A Long Mixed Case Name.txt", "/hello.txt"},
	}
	for kind, img := range imgs {
		t.Run(kind, func(t *testing.T) {
			if got := Detect(bytes.NewReader(img), int64(len(img))); got != "ISO9660" {
				t.Fatalf("Detect = %q", got)
			}
			f, err := Open(bytes.NewReader(img), int64(len(img)))
			if err != nil {
				t.Fatal(err)
			}
			var paths []string
			byPath := map[string]*Entry{}
			if err := Walk(f, f.Root(), true, true, func(e *Entry) error {
				paths = append(paths, e.Path)
				byPath[e.Path] = e
				return nil
			}, func(p string) { t.Errorf("problem: %s", p) }); err != nil {
				t.Fatal(err)
			}
			slices.Sort(paths)
			if !slices.Equal(paths, want[kind]) {
				t.Fatalf("paths %q\nwant  %q", paths, want[kind])
			}
			// TSK reads ISO 9660 and Joliet names (not Rock Ridge): the same paths.
			if _, err := exec.LookPath("fls"); err == nil && kind != "rockridge" {
				p := filepath.Join(t.TempDir(), "x.iso")
				os.WriteFile(p, img, 0o644)
				out, err := exec.Command("fls", "-r", "-p", p).Output()
				if err != nil {
					t.Fatal(err)
				}
				var tsk []string
				for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
					if _, name, ok := strings.Cut(l, ":\t"); ok && !strings.HasPrefix(name, "$Orphan") {
						tsk = append(tsk, "/"+name)
					}
				}
				slices.Sort(tsk)
				if !slices.Equal(tsk, paths) {
					t.Errorf("fls -r -p lists %q", tsk)
				}
			}
			for i, name := range []string{"docs/big.bin", "docs/sub/A Long Mixed Case Name.txt", "hello.txt"} {
				content := files[name]
				e := byPath[want[kind][[]int{1, 3, 4}[i]]]
				if e == nil || e.Type != TypeFile || e.Size != int64(len(content)) {
					t.Fatalf("%s: entry %+v", name, e)
				}
				if e.M == nil || !e.M.Equal(time.Date(2026, 2, 21, 21, 54, 44, 0, time.UTC)) {
					t.Errorf("%s: mtime %v", name, e.M)
				}
				file, err := f.Open(e, "")
				if err != nil {
					t.Fatal(err)
				}
				got, err := io.ReadAll(io.NewSectionReader(file, 0, file.Size()))
				if err != nil || sha256.Sum256(got) != sha256.Sum256(content) {
					t.Fatalf("%s: %d bytes read, %v; content differs", name, len(got), err)
				}
				runs := file.Runs()
				if len(runs) != 1 || !bytes.Equal(img[runs[0].Disk:runs[0].Disk+runs[0].Length], content) {
					t.Errorf("%s: runs %+v do not hold the content", name, runs)
				}
				// inode:N finds the same file again.
				again, err := f.Inode(e.Inode)
				if err != nil || again.Size != e.Size || again.Name != e.Name {
					t.Errorf("%s: Inode(%d) = %+v, %v", name, e.Inode, again, err)
				}
			}
			// Rock Ridge's TF and PX: hello.txt's access time, mode and
			// owner; without Rock Ridge there is only the recording time.
			hello := byPath[want[kind][4]]
			if kind == "rockridge" {
				// (xorriso's own read moves the access time it records on,
				// so only its presence is checked.)
				if hello.A == nil || hello.A.Before(isoATime) || hello.Mode != 0o640 || hello.UID != int64(os.Getuid()) || hello.GID != int64(os.Getgid()) || hello.C == nil {
					t.Errorf("Rock Ridge attributes of hello.txt: atime %v ctime %v mode %o uid %d gid %d", hello.A, hello.C, hello.Mode, hello.UID, hello.GID)
				}
				if d := byPath["/docs"]; d.Mode != 0o755 || d.Type != TypeDir {
					t.Errorf("Rock Ridge /docs: mode %o type %s", d.Mode, d.Type)
				}
			} else if hello.A != nil || hello.Mode != 0 {
				t.Errorf("%s: atime %v, mode %o without Rock Ridge", kind, hello.A, hello.Mode)
			}
			if got, err := Lookup(f, want[kind][1]); err != nil || got.Size != 300_001 {
				t.Errorf("Lookup(%s) = %+v, %v", want[kind][1], got, err)
			}
		})
	}
}

// Damaged ISO images: named errors, never a panic or a hang.
func TestISO9660Damaged(t *testing.T) {
	imgs, _ := isoImages(t)
	img := imgs["joliet"]
	for name, tc := range map[string]struct {
		mutate func(b []byte)
		want   string
	}{
		"block size":   {func(b []byte) { b[16*2048+128], b[16*2048+129] = 0x34, 0x12 }, "ISO 9660 logical block size 4660"},
		"no signature": {func(b []byte) { copy(b[17*2048+1:], "XXXXX") }, "volume descriptor 1 at byte 34816 has no CD001 signature"},
	} {
		t.Run(name, func(t *testing.T) {
			b := bytes.Clone(img)
			tc.mutate(b)
			_, err := Open(bytes.NewReader(b), int64(len(b)))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
	// The root directory's extent pointing past the end: the listing says so.
	b := bytes.Clone(img[:40*2048])
	f, err := Open(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	err = Walk(f, f.Root(), true, false, func(*Entry) error { return nil }, nil)
	if err != nil && !strings.Contains(err.Error(), "the file system is damaged") {
		t.Fatalf("walk of a cut image: %v", err)
	}
}

// FuzzISO9660 runs the ISO reader (descriptors, records, Joliet and Rock
// Ridge names, every file) over mutations of real xorriso images.
func FuzzISO9660(f *testing.F) {
	imgs, _ := isoImages(f)
	for _, img := range imgs {
		f.Add(img[:min(len(img), 48*2048)])
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		fsys, err := openISO(bytes.NewReader(b), int64(len(b)), time.UTC)
		if err != nil {
			return
		}
		buf := make([]byte, 4096)
		n := 0
		Walk(fsys, fsys.Root(), true, true, func(e *Entry) error {
			if n++; n > 10000 {
				return errStop
			}
			if file, err := fsys.Open(e, ""); err == nil {
				file.ReadAt(buf[:min(len(buf), int(max(0, min(file.Size(), 4096))))], 0)
			}
			fsys.Inode(e.Inode)
			return nil
		}, func(string) {})
	})
}

// TestRockRidgeTF reads TF entries in both forms exactly: the 7-byte form
// of the directory record and the 17-byte digits form, with their zones,
// in the order of the flags.
func TestRockRidgeTF(t *testing.T) {
	long := func(s string, off int8) []byte { return append([]byte(s), byte(off)) }
	b := append(long("2026022123544412", 4), long("2026022208300500", -20)...) // +01:00, -05:00
	tt := rrTimes(rrTFModify|rrTFAccess|rrTFLongForm, b)
	if tt.B != nil || tt.C != nil || tt.M == nil || tt.A == nil ||
		!tt.M.Equal(time.Date(2026, 2, 21, 22, 54, 44, 120_000_000, time.UTC)) || !tt.A.Equal(time.Date(2026, 2, 22, 13, 30, 5, 0, time.UTC)) {
		t.Fatalf("long form: %+v", tt)
	}
	short := []byte{126, 2, 21, 21, 54, 44, 0, 126, 2, 22, 8, 30, 5, 8} // 2026-02-21 21:54:44 UTC, 2026-02-22 08:30:05 +02:00
	tt = rrTimes(rrTFCreation|rrTFAttributes, short)
	if tt.M != nil || tt.B == nil || tt.C == nil || !tt.B.Equal(time.Date(2026, 2, 21, 21, 54, 44, 0, time.UTC)) ||
		!tt.C.Equal(time.Date(2026, 2, 22, 6, 30, 5, 0, time.UTC)) {
		t.Fatalf("short form: %+v", tt)
	}
	// Cut short or not a date: what is there is read, the rest left out.
	if tt := rrTimes(rrTFModify|rrTFAccess, short[:9]); tt.M == nil || tt.A != nil {
		t.Fatalf("cut short: %+v", tt)
	}
	if got := isoLongTime(long("0000000000000000", 0)); got != nil {
		t.Fatalf("zeros: %v", got)
	}
}
