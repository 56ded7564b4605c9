package fs

import (
	"bytes"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// exFAT ground truth: the tree is written onto a loop-mounted image (the
// kernel driver, or exfat-fuse when the kernel has none; root needed,
// skipped otherwise) and every name, size, mtime and content SHA-256 is
// compared with what the mount said; TSK (which reads exFAT) is compared
// for inode numbers, the listing with deleted names, and icat's content.

const exfatUnicode = "Ünïcødé — a long name, longer than fifteen UTF-16 units ✓.txt"

type exfatWant struct {
	typ   string
	size  int64
	mtime time.Time
	sha   string
}

func makeExFAT(t testing.TB) (string, map[string]exfatWant) {
	t.Helper()
	need(t, "mkfs.exfat", "mount", "umount", "losetup")
	if os.Geteuid() != 0 {
		t.Skip("making an exFAT test image needs root (loop mount)")
	}
	dir := t.TempDir()
	img, mnt := filepath.Join(dir, "exfat.img"), filepath.Join(dir, "mnt")
	os.Mkdir(mnt, 0o755)
	os.WriteFile(img, nil, 0o644)
	if err := os.Truncate(img, 16<<20); err != nil {
		t.Fatal(err)
	}
	run(t, "mkfs.exfat", "-c", "4096", "-b", "16K", "-L", "CUSTODIA", img) // the metadata in the first 64 KiB
	var cleanup []func()
	defer func() {
		for i := len(cleanup) - 1; i >= 0; i-- {
			cleanup[i]()
		}
	}()
	if out, err := exec.Command("mount", "-t", "exfat", "-o", "loop", img, mnt).CombinedOutput(); err == nil {
		cleanup = append(cleanup, func() { exec.Command("umount", mnt).Run() })
	} else {
		// no exfat in this kernel: exfat-fuse on a loop device
		if _, e := exec.LookPath("mount.exfat-fuse"); e != nil {
			t.Skipf("cannot mount the exFAT image: the kernel says %q and exfat-fuse is not installed (scripts/setup.sh installs it)", strings.TrimSpace(string(out)))
		}
		dev, err := exec.Command("losetup", "-f", "--show", img).Output()
		if err != nil {
			t.Skipf("no loop device for the exFAT image: %v", err)
		}
		loop := strings.TrimSpace(string(dev))
		cleanup = append(cleanup, func() { exec.Command("losetup", "-d", loop).Run() })
		if out, err := exec.Command("mount.exfat-fuse", loop, mnt).CombinedOutput(); err != nil {
			t.Skipf("cannot mount the exFAT image with the kernel or exfat-fuse: %v %s", err, out)
		}
		cleanup = append(cleanup, func() { exec.Command("umount", mnt).Run() })
	}
	src := tree(t)
	run(t, "cp", "-r", src+"/.", mnt)
	os.WriteFile(filepath.Join(mnt, exfatUnicode), []byte("unicode\n"), 0o644)
	// two files written a cluster at a time in turn: both fragmented
	a, _ := os.Create(filepath.Join(mnt, "frag-a.bin"))
	b, _ := os.Create(filepath.Join(mnt, "frag-b.bin"))
	for i := 0; i < 8; i++ {
		a.Write(bytes.Repeat([]byte{byte('a' + i)}, 4096))
		a.Sync()
		b.Write(bytes.Repeat([]byte{byte('A' + i)}, 4096))
		b.Sync()
	}
	a.Close()
	b.Close()
	mt := time.Date(2021, 3, 4, 5, 6, 7, 890_000_000, time.UTC) // exFAT keeps 10 ms
	filepath.WalkDir(mnt, func(p string, d fs.DirEntry, err error) error {
		if p != mnt {
			mt = mt.Add(1010 * time.Millisecond)
			os.Chtimes(p, mt, mt)
		}
		return nil
	})
	exec.Command("sync").Run()
	if err := os.Remove(filepath.Join(mnt, "gone.txt")); err != nil {
		t.Fatal(err)
	}
	exec.Command("sync").Run()
	want := map[string]exfatWant{}
	filepath.WalkDir(mnt, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		if p == mnt {
			return nil
		}
		st, err := os.Lstat(p)
		if err != nil {
			t.Fatal(err)
		}
		w := exfatWant{typ: TypeFile, size: st.Size(), mtime: st.ModTime().UTC()}
		if st.IsDir() {
			w.typ, w.size = TypeDir, 0
		} else {
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			w.sha = shaOf(b)
		}
		want[strings.TrimPrefix(p, mnt)] = w
		return nil
	})
	if out, err := exec.Command("umount", mnt).CombinedOutput(); err != nil {
		t.Fatalf("umount: %v %s", err, out)
	}
	return img, want
}

func TestExFAT(t *testing.T) {
	img, want := makeExFAT(t)
	fh, err := os.Open(img)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	st, _ := fh.Stat()
	if got := Detect(fh, st.Size()); got != "exFAT" {
		t.Fatalf("Detect says %q, want exFAT", got)
	}
	f := openImage(t, img, 0)
	got := map[string]*Entry{}
	err = Walk(f, f.Root(), true, true, func(e *Entry) error { got[e.Path] = e; return nil }, func(p string) { t.Errorf("problem: %s", p) })
	if err != nil {
		t.Fatal(err)
	}
	for _, meta := range []string{"/$ALLOC_BITMAP", "/$UPCASE_TABLE"} {
		if e := got[meta]; e == nil || e.Size == 0 {
			t.Errorf("%s: %+v", meta, e)
		}
		delete(got, meta)
	}
	gone := got["/gone.txt"]
	delete(got, "/gone.txt")
	if gone == nil || !gone.Deleted || gone.Size != 21 || sha(t, f, gone, "") != shaOf([]byte("this file is deleted\n")) {
		t.Errorf("deleted gone.txt: %+v", gone)
	}
	if len(got) != len(want) || len(want) < 310 {
		t.Errorf("%d entries listed, the mounted file system has %d", len(got), len(want))
	}
	for p, w := range want {
		e := got[p]
		if e == nil {
			t.Errorf("%s: not listed", p)
			continue
		}
		if e.Name != filepath.Base(p) || e.Type != w.typ || e.Deleted || e.Problem != "" || (w.typ == TypeFile && e.Size != w.size) {
			t.Errorf("%s: %+v, want %+v", p, e, w)
		}
		if e.M == nil || !e.M.Equal(w.mtime) {
			t.Errorf("%s: mtime %v, the mount says %v", p, e.M, w.mtime)
		}
		if w.typ == TypeFile {
			if s := sha(t, f, e, ""); s != w.sha {
				t.Errorf("%s: SHA-256 %s, the mount says %s", p, s, w.sha)
			}
		}
	}
	// the runs say where the bytes are in the volume
	for _, p := range []string{"/frag-a.bin", "/frag-b.bin", "/docs/big.bin", "/" + exfatUnicode} {
		file, err := f.Open(got[p], "")
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		for _, r := range file.Runs() {
			io.Copy(&buf, io.NewSectionReader(fh, r.Disk, r.Length))
		}
		if shaOf(buf.Bytes()) != want[p].sha {
			t.Errorf("%s: the bytes of its runs %+v are not its content", p, file.Runs())
		}
		if strings.HasPrefix(p, "/frag") && len(file.Runs()) < 2 {
			t.Errorf("%s: runs %+v, want a fragmented file", p, file.Runs())
		}
	}
	if e := got["/docs/big.bin"]; e == nil || !e.ref.(exfatRef).noChain {
		t.Errorf("big.bin: want a contiguous (NoFatChain) file, got %+v", e)
	}
	if e, err := f.Inode(got["/hello.txt"].Inode); err != nil || e.Name != "hello.txt" || e.Size != 13 {
		t.Errorf("Inode(%d): %+v %v", got["/hello.txt"].Inode, e, err)
	}
	if _, err := f.Inode(1); err == nil {
		t.Error("Inode(1): no error")
	}
	if _, err := f.Open(got["/hello.txt"], "x"); err == nil || !strings.Contains(err.Error(), "exFAT has no named streams") {
		t.Errorf("Open with a stream: %v", err)
	}
}

// TestExFATvsTSK compares inode numbers, the listing (deleted names too)
// and icat's content with TSK's exFAT reader.
func TestExFATvsTSK(t *testing.T) {
	need(t, "fls", "icat")
	img, _ := makeExFAT(t)
	f := openImage(t, img, 0)
	tsk := fls(t, img, 0, "-f", "exfat")
	if len(tsk) < 310 {
		t.Fatalf("TSK lists %d entries", len(tsk))
	}
	// TSK drops the 10 ms fields; times are checked against the mount above
	// TSK's virtual $MBR and $FAT1 and the volume label are no files here
	skip := func(p string) bool {
		return p == "/$MBR" || p == "/$FAT1" || strings.HasSuffix(p, " (Volume Label Entry)")
	}
	compareTSK(t, f, tsk, skip, false)
	for k, e := range ours(t, f) {
		if e.Type == TypeFile && !e.Deleted {
			if got, want := sha(t, f, e, ""), icat(t, img, 0, itoa(e.Inode)); got != want {
				t.Errorf("%s: SHA-256 %s, icat says %s", k, got, want)
			}
		}
	}
}

func FuzzExFAT(f *testing.F) {
	img, _ := makeExFAT(f)
	if b, err := os.ReadFile(img); err == nil {
		f.Add(b[:256<<10]) // the boot region, FAT, bitmap, up-case table, root and the first files
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		fsys, err := openExFAT(bytes.NewReader(b), int64(len(b)), time.UTC)
		if err != nil {
			return
		}
		n := 0
		buf := make([]byte, 4096)
		Walk(fsys, fsys.Root(), true, true, func(e *Entry) error { // unguarded: a panic is a bug
			if n++; n > 10000 {
				return errStop
			}
			if file, err := fsys.Open(e, ""); err == nil {
				for off := int64(0); off < file.Size() && off < 1<<20; off += int64(len(buf)) {
					if _, err := file.ReadAt(buf, off); err != nil {
						break
					}
				}
			}
			return nil
		}, func(string) {})
		fsys.Inode(uint64(n) + 3)
	})
}
