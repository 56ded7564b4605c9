package fs

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TSK (4.12) does not read XFS, so these tests compare with what was
// written: the tree is copied onto a loop-mounted XFS image (root and
// loop devices needed; skipped otherwise) and every name, inode number
// (stat on the mounted file system), type, size, mode, mtime and content
// SHA-256 is checked, and each file's runs are read back from the image.

// xfsEnv lets mkfs.xfs make file systems smaller than 300 MB (its fstests
// exception).
var xfsEnv = []string{"TEST_DIR=/tmp", "TEST_DEV=/dev/null", "QA_CHECK_FS=1"}

type xfsWant struct {
	ino   uint64
	typ   string
	size  int64
	mode  uint32
	mtime time.Time
	sha   string
}

// makeXFS makes an XFS image with mkfs.xfs args, mounts it, copies the
// tree onto it plus a fragmented sparse file and a symlink, and returns
// the image and what the mounted file system said about each path.
func makeXFS(t testing.TB, args ...string) (string, map[string]xfsWant) {
	t.Helper()
	need(t, "mkfs.xfs", "mount", "umount", "cp")
	if os.Geteuid() != 0 {
		t.Skip("making an XFS test image needs root (loop mount)")
	}
	dir := t.TempDir()
	img, mnt := filepath.Join(dir, "xfs.img"), filepath.Join(dir, "mnt")
	os.Mkdir(mnt, 0o755)
	if err := os.WriteFile(img, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(img, 32<<20); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("mkfs.xfs", append(append([]string{"-q", "-f"}, args...), img)...)
	cmd.Env = append(os.Environ(), xfsEnv...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Skipf("mkfs.xfs %v: %v\n%s", args, err, out)
	}
	if out, err := exec.Command("mount", "-o", "loop", img, mnt).CombinedOutput(); err != nil {
		t.Skipf("cannot loop-mount the XFS image (%v): %s", err, out)
	}
	mounted := true
	umount := func() {
		if mounted {
			if out, err := exec.Command("umount", mnt).CombinedOutput(); err != nil {
				t.Fatalf("umount: %v %s", err, out)
			}
			mounted = false
		}
	}
	defer umount()
	src := tree(t)
	os.Remove(filepath.Join(src, "gone.txt"))
	mt := time.Date(2021, 3, 4, 5, 6, 7, 123456789, time.UTC)
	filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		mt = mt.Add(time.Second)
		return os.Chtimes(p, mt, mt)
	})
	run(t, "cp", "-a", src+"/.", mnt)
	// a file of 100 extents with holes between them: a BMBT, not an extent list
	fh, err := os.Create(filepath.Join(mnt, "sparse.bin"))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 100; i++ {
		fh.WriteAt(bytes.Repeat([]byte{byte(i + 1)}, 4096), int64(i)*8192)
	}
	fh.Close()
	os.Symlink("docs/café.txt", filepath.Join(mnt, "link"))
	exec.Command("sync").Run()
	want := map[string]xfsWant{}
	filepath.WalkDir(mnt, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		rel := strings.TrimPrefix(p, mnt)
		if rel == "" {
			rel = "/"
		}
		st, err := os.Lstat(p)
		if err != nil {
			t.Fatal(err)
		}
		w := xfsWant{typ: TypeFile, size: st.Size(), mode: uint32(st.Mode().Perm()), mtime: st.ModTime().UTC()}
		out, _ := exec.Command("stat", "-c", "%i", p).Output()
		w.ino, _ = strconv.ParseUint(strings.TrimSpace(string(out)), 10, 64)
		switch {
		case st.IsDir():
			w.typ = TypeDir
		case st.Mode()&fs.ModeSymlink != 0:
			w.typ = TypeLink
			target, _ := os.Readlink(p)
			w.sha = shaOf([]byte(target))
		default:
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			w.sha = shaOf(b)
		}
		want[rel] = w
		return nil
	})
	umount()
	return img, want
}

func shaOf(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

func TestXFS(t *testing.T) {
	// Every inode, the root's included, is made after this (crtime).
	start := time.Now().Add(-time.Second)
	for _, c := range []struct {
		name string
		args []string
	}{
		{"v5", nil},
		{"v5-1k-nrext64-2ag", []string{"-b", "size=1024", "-i", "nrext64=1", "-d", "agcount=2"}},
		{"v5-nobigtime-2ag", []string{"-m", "bigtime=0", "-n", "size=8192", "-d", "agcount=2"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			img, want := makeXFS(t, c.args...)
			fh, err := os.Open(img)
			if err != nil {
				t.Fatal(err)
			}
			defer fh.Close()
			st, _ := fh.Stat()
			if got := Detect(fh, st.Size()); got != "XFS" {
				t.Fatalf("Detect says %q, want XFS", got)
			}
			f := openImage(t, img, 0)
			if f.Type() != "XFS" {
				t.Errorf("type %q", f.Type())
			}
			if r := f.Root(); r.Inode != want["/"].ino || r.M == nil || !r.M.Equal(want["/"].mtime) {
				t.Errorf("root: inode %d mtime %v, want %d %v", r.Inode, r.M, want["/"].ino, want["/"].mtime)
			}
			got := map[string]*Entry{"/": f.Root()}
			err = Walk(f, f.Root(), true, true, func(e *Entry) error { got[e.Path] = e; return nil }, func(p string) { t.Errorf("problem: %s", p) })
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(want) || len(want) < 310 {
				t.Errorf("%d entries listed, the mounted file system has %d", len(got), len(want))
			}
			for p, w := range want {
				e := got[p]
				if e == nil {
					t.Errorf("%s is not listed", p)
					continue
				}
				if e.Inode != w.ino || e.Type != w.typ || e.Mode != w.mode || e.M == nil || !e.M.Equal(w.mtime) || e.A == nil || e.C == nil {
					t.Errorf("%s: inode %d type %s mode %o mtime %v, want %d %s %o %v", p, e.Inode, e.Type, e.Mode, e.M, w.ino, w.typ, w.mode, w.mtime)
				}
				if e.B == nil || e.B.Before(start) || e.B.After(time.Now()) {
					t.Errorf("%s: crtime %v (v5 has one, from when the test made the file)", p, e.B)
				}
				if e.Type == TypeDir {
					continue
				}
				if e.Size != w.size {
					t.Errorf("%s: size %d, want %d", p, e.Size, w.size)
				}
				if s := sha(t, f, e, ""); s != w.sha {
					t.Errorf("%s: SHA-256 %s, want %s", p, s, w.sha)
				}
				file, err := f.Open(e, "")
				if err != nil {
					t.Fatal(err)
				}
				if e.Type == TypeLink {
					continue // a short target is in the inode: no runs
				}
				// the runs are where the bytes are in the image
				var n int64
				h := sha256.New()
				for _, r := range file.Runs() {
					if r.Offset > n {
						h.Write(make([]byte, r.Offset-n))
					}
					if r.Sparse {
						h.Write(make([]byte, r.Length))
					} else {
						io.Copy(h, io.NewSectionReader(fh, r.Disk, r.Length))
					}
					n = r.Offset + r.Length
				}
				h.Write(make([]byte, e.Size-n))
				if s := hex.EncodeToString(h.Sum(nil)); s != w.sha {
					t.Errorf("%s: the bytes at its runs have SHA-256 %s, want %s", p, s, w.sha)
				}
			}
			// written extents, in order; unwritten (preallocated) ones are sparse runs
			var written []Run
			for _, r := range mustOpen(t, f, got["/sparse.bin"]).Runs() {
				if !r.Sparse {
					written = append(written, r)
				}
			}
			if len(written) != 100 || written[1].Offset != 8192 || written[1].Length != 4096 || written[99].Offset != 99*8192 {
				t.Errorf("sparse.bin: %d written runs (%v…), want 100 of 4096 bytes every 8192", len(written), written[:min(2, len(written))])
			}
			if e, err := f.Inode(want["/docs/big.bin"].ino); err != nil || e.Size != 640000 || e.Type != TypeFile {
				t.Errorf("Inode(big.bin): %+v %v", e, err)
			}
			if _, err := f.Open(got["/hello.txt"], "x"); err == nil || !strings.Contains(err.Error(), "XFS has no named streams") {
				t.Errorf("a named stream: %v", err)
			}
			if _, err := f.Open(got["/docs"], ""); err == nil || !strings.Contains(err.Error(), "is a directory") {
				t.Errorf("opening a directory: %v", err)
			}
		})
	}
}

func mustOpen(t *testing.T, f FS, e *Entry) File {
	t.Helper()
	file, err := f.Open(e, "")
	if err != nil {
		t.Fatal(err)
	}
	return file
}

// TestXFSDamaged: a superblock with impossible geometry is a clear error.
func TestXFSDamaged(t *testing.T) {
	b := make([]byte, 8192)
	copy(b, "XFSB")
	be.PutUint32(b[4:], 4096)
	b[120] = 12
	if _, err := Open(bytes.NewReader(b), int64(len(b))); err == nil || !strings.Contains(err.Error(), "XFS inode size 0 does not fit block size 4096") {
		t.Errorf("got %v", err)
	}
	if Detect(bytes.NewReader(b), int64(len(b))) != "XFS" {
		t.Errorf("Detect does not name the XFS superblock")
	}
}

// FuzzXFS runs the XFS read path over mutated images: no panic, no hang.
// The seed is the first 256 KiB of a made image (superblock, AG headers,
// the first inode chunk and the small directories).
func FuzzXFS(f *testing.F) {
	img, _ := makeXFS(f, "-b", "size=1024")
	b, err := os.ReadFile(img)
	if err == nil {
		f.Add(b[:256<<10])
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r := bytes.NewReader(b)
		fsys, err := openXFS(r, int64(len(b)), time.UTC)
		if err != nil {
			return
		}
		g := fsys // unguarded: a panic here is a bug to fix
		n := 0
		buf := make([]byte, 4096)
		Walk(g, g.Root(), true, true, func(e *Entry) error {
			if n++; n > 10000 {
				return errStop
			}
			if file, err := g.Open(e, ""); err == nil {
				for off := int64(0); off < file.Size() && off < 1<<20; off += int64(len(buf)) {
					if _, err := file.ReadAt(buf, off); err != nil {
						break
					}
				}
			}
			return nil
		}, func(string) {})
		g.Inode(uint64(n))
	})
}

// TestXFSv4 makes a v4 image (no CRCs, 256-byte inodes) from a mkfs.xfs
// protofile, since this kernel no longer mounts v4, and compares with the
// protofile and with xfs_db's listing of inode numbers.
func TestXFSv4(t *testing.T) {
	need(t, "mkfs.xfs", "xfs_db")
	dir := t.TempDir()
	files := map[string][]byte{"hello.txt": []byte("hello, world\n"), "big.bin": bytes.Repeat([]byte("0123456789abcdef"), 40000)}
	var proto strings.Builder
	proto.WriteString("/dev/null\n0 0\nd--755 0 0\n")
	for _, n := range []string{"big.bin", "hello.txt"} {
		os.WriteFile(filepath.Join(dir, n), files[n], 0o644)
		proto.WriteString(n + " ---640 1000 1001 " + filepath.Join(dir, n) + "\n")
	}
	proto.WriteString("l l--777 0 0 hello.txt\nmany d--700 0 0\n")
	for i := 0; i < 300; i++ {
		proto.WriteString(" f" + strconv.Itoa(i) + " ---644 0 0 " + filepath.Join(dir, "hello.txt") + "\n")
	}
	proto.WriteString(" $\n$\n")
	os.WriteFile(filepath.Join(dir, "proto"), []byte(proto.String()), 0o644)
	img := filepath.Join(dir, "v4.img")
	os.WriteFile(img, nil, 0o644)
	os.Truncate(img, 32<<20)
	start := time.Now().Add(-time.Second)
	cmd := exec.Command("mkfs.xfs", "-q", "-f", "-m", "crc=0,finobt=0,reflink=0,bigtime=0,inobtcount=0,rmapbt=0", "-i", "size=256", "-p", filepath.Join(dir, "proto"), img)
	cmd.Env = append(os.Environ(), xfsEnv...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Skipf("this mkfs.xfs makes no v4 image: %v %s", err, out)
	}
	inos := map[string]uint64{} // from xfs_db: "dir/name" -> inode
	for _, d := range []string{"/", "/many"} {
		for _, line := range strings.Split(run(t, "xfs_db", "-r", "-c", "ls "+d, img), "\n") {
			if f := strings.Fields(line); len(f) == 7 && f[5] != "." && f[5] != ".." {
				inos[strings.TrimSuffix(d, "/")+"/"+f[5]], _ = strconv.ParseUint(f[1], 10, 64)
			}
		}
	}
	f := openImage(t, img, 0)
	got := map[string]*Entry{}
	if err := Walk(f, f.Root(), true, false, func(e *Entry) error { got[e.Path] = e; return nil }, func(p string) { t.Errorf("problem: %s", p) }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 304 || len(inos) != 304 {
		t.Fatalf("%d entries listed, xfs_db lists %d, the protofile has 304", len(got), len(inos))
	}
	for p, ino := range inos {
		if e := got[p]; e == nil || e.Inode != ino || e.B != nil || e.M == nil || e.M.Before(start) {
			t.Errorf("%s: %+v, want inode %d, an mtime after %v, no crtime", p, e, ino, start)
		}
	}
	for _, c := range []struct{ p, want string }{{"/hello.txt", "hello, world\n"}, {"/l", "hello.txt"}, {"/many/f299", "hello, world\n"}, {"/big.bin", string(files["big.bin"])}} {
		if s := sha(t, f, got[c.p], ""); s != shaOf([]byte(c.want)) {
			t.Errorf("%s: SHA-256 %s, want that of %.20q", c.p, s, c.want)
		}
	}
	if e := got["/big.bin"]; e.Size != 640000 || e.Mode != 0o640 || e.UID != 1000 || e.GID != 1001 || e.Type != TypeFile {
		t.Errorf("big.bin: %+v", e)
	}
	if e := got["/l"]; e.Type != TypeLink || e.Size != 9 {
		t.Errorf("l: %+v", e)
	}
}
