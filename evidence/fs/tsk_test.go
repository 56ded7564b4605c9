package fs

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// Ground truth: The Sleuth Kit (Debian sleuthkit) run on the plain image.

func need(t testing.TB, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed (scripts/setup.sh installs it); skipping the comparison with it", tool)
		}
	}
}

func run(t testing.TB, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), "MTOOLS_SKIP_CHECK=1", "TZ=UTC", "SOURCE_DATE_EPOCH=1700000000")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// tskEntry is one line of `fls -r -p -m /`.
type tskEntry struct {
	path                   string
	inode                  uint64
	size                   int64
	deleted                bool
	atime, mtime, ctime, b int64
	mode                   string
	addr                   string // as TSK prints it: "12", or "64-128-2" on NTFS
}

// fls runs fls on img (at sector offset off) and returns its entries by
// path, without TSK's virtual entries ($OrphanFiles, NTFS $FILE_NAME
// duplicates).
func fls(t testing.TB, img string, off int64, extra ...string) map[string]tskEntry {
	t.Helper()
	args := append([]string{"-r", "-p", "-m", "/", "-o", fmt.Sprint(off)}, extra...)
	out := run(t, "fls", append(args, img)...)
	got := map[string]tskEntry{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.Split(line, "|")
		if len(f) != 11 {
			continue
		}
		p := f[1]
		if strings.Contains(p, "($FILE_NAME)") || strings.HasPrefix(p, "/$OrphanFiles") || strings.HasSuffix(p, "/.") || strings.HasSuffix(p, "/..") {
			continue
		}
		e := tskEntry{mode: f[3]}
		if strings.HasSuffix(p, " (deleted)") {
			p, e.deleted = strings.TrimSuffix(p, " (deleted)"), true
		}
		if strings.HasSuffix(p, " (deleted-realloc)") {
			p, e.deleted = strings.TrimSuffix(p, " (deleted-realloc)"), true
		}
		e.path = p
		e.addr = f[2]
		ino, _, _ := strings.Cut(f[2], "-")
		e.inode, _ = strconv.ParseUint(ino, 10, 64)
		e.size, _ = strconv.ParseInt(f[6], 10, 64)
		e.atime, _ = strconv.ParseInt(f[7], 10, 64)
		e.mtime, _ = strconv.ParseInt(f[8], 10, 64)
		e.ctime, _ = strconv.ParseInt(f[9], 10, 64)
		e.b, _ = strconv.ParseInt(f[10], 10, 64)
		key := p
		if e.deleted {
			key += " (deleted)"
		}
		got[key] = e
	}
	return got
}

func sec(tm interface{ Unix() int64 }, ok bool) int64 {
	if !ok {
		return 0
	}
	return tm.Unix()
}

func unix(e *Entry) (a, m, c, b int64) {
	if e.A != nil {
		a = e.A.Unix()
	}
	if e.M != nil {
		m = e.M.Unix()
	}
	if e.C != nil {
		c = e.C.Unix()
	}
	if e.B != nil {
		b = e.B.Unix()
	}
	return
}

// ours walks the whole file system with deleted entries.
func ours(t testing.TB, f FS) map[string]*Entry {
	t.Helper()
	got := map[string]*Entry{}
	err := Walk(f, f.Root(), true, true, func(e *Entry) error {
		key := e.Path
		if e.Deleted {
			key += " (deleted)"
		}
		got[key] = e
		return nil
	}, func(p string) { t.Logf("problem: %s", p) })
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// compareTSK checks that every allocated entry of TSK is ours with the same
// inode, size and times, and that we list no allocated entry TSK does not,
// and that the deleted names TSK lists are ours too. skip drops paths from
// both sides (file-system metadata TSK shows differently).
func compareTSK(t *testing.T, f FS, tsk map[string]tskEntry, skip func(string) bool, times bool) {
	t.Helper()
	got := ours(t, f)
	if strings.HasPrefix(f.Type(), "FAT") {
		// TSK shows the OEM bytes of a short name above 0x7F as "^"; we
		// decode them (code page 850).
		for k, e := range got {
			if n := caret(k); n != k {
				delete(got, k)
				got[n] = e
			}
		}
	}
	var missing, extra []string
	for k, te := range tsk {
		if skip != nil && skip(te.path) {
			continue
		}
		e, ok := got[k]
		if !ok {
			missing = append(missing, k)
			continue
		}
		if e.Inode != te.inode {
			t.Errorf("%s: inode %d, TSK says %d", k, e.Inode, te.inode)
		}
		if te.deleted {
			continue // the size and times of a deleted name's inode: as the inode is now
		}
		if e.Size != te.size && e.Type != TypeDir {
			t.Errorf("%s: size %d, TSK says %d", k, e.Size, te.size)
		}
		if times {
			a, m, c, b := unix(e)
			if te.b == 0 && (f.Type() == "ext2" || f.Type() == "ext3") {
				b = 0 // TSK reads crtime on ext4 only; an ext2/3 inode of 256 bytes has one too
			}
			if a != te.atime || m != te.mtime || c != te.ctime || b != te.b {
				t.Errorf("%s: times a/m/c/b %d/%d/%d/%d, TSK says %d/%d/%d/%d", k, a, m, c, b, te.atime, te.mtime, te.ctime, te.b)
			}
		}
	}
	for k, e := range got {
		if skip != nil && skip(e.Path) {
			continue
		}
		if _, ok := tsk[k]; !ok {
			extra = append(extra, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing) > 0 {
		t.Errorf("TSK lists, we do not: %q", missing)
	}
	if len(extra) > 0 {
		t.Errorf("we list, TSK does not: %q", extra)
	}
}

// icat returns the SHA-256 of TSK's icat of inode (or MFT address).
func icat(t testing.TB, img string, off int64, addr string) string {
	t.Helper()
	out, err := exec.Command("icat", "-o", fmt.Sprint(off), img, addr).Output()
	if err != nil {
		t.Fatalf("icat %s: %v", addr, err)
	}
	s := sha256.Sum256(out)
	return hex.EncodeToString(s[:])
}

func sha(t testing.TB, f FS, e *Entry, stream string) string {
	t.Helper()
	file, err := f.Open(e, stream)
	if err != nil {
		t.Fatalf("open %s: %v", e.Path, err)
	}
	h := sha256.New()
	if _, err := io.Copy(h, io.NewSectionReader(file, 0, file.Size())); err != nil {
		t.Fatalf("read %s: %v", e.Path, err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// openImage opens the file system at byte off of img.
func openImage(t testing.TB, img string, off int64) FS {
	t.Helper()
	fh, err := os.Open(img)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fh.Close() })
	st, _ := fh.Stat()
	f, err := Open(io.NewSectionReader(fh, off, st.Size()-off), st.Size()-off)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// tree writes a source tree for the image makers: nested folders, an empty
// file, a multi-block file, a long name, a non-ASCII name, 300 small files.
func tree(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "src")
	for _, d := range []string{"docs/deep/deeper", "many"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	big := bytes.Repeat([]byte("0123456789abcdef"), 40000) // 640000 bytes
	big[12345] = 'X'
	files := map[string][]byte{
		"hello.txt":                      []byte("hello, world\n"),
		"empty":                          nil,
		"docs/big.bin":                   big,
		"docs/A long file name here.txt": []byte("long name\n"),
		"docs/café.txt":                  []byte("non-ascii\n"),
		"docs/deep/deeper/leaf.txt":      []byte("leaf\n"),
		"gone.txt":                       []byte("this file is deleted\n"),
	}
	for i := 0; i < 300; i++ {
		files[fmt.Sprintf("many/f%03d.dat", i)] = []byte(strings.Repeat("m", i))
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func itoa(n uint64) string { return strconv.FormatUint(n, 10) }

func caret(s string) string {
	return strings.Map(func(r rune) rune {
		if r > 0x7F {
			return '^'
		}
		return r
	}, s)
}
