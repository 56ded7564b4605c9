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
