package fs

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// makeNTFS makes an NTFS image with mkntfs, fills it through ntfs-3g (FUSE)
// with the tree, a sparse file and a deleted file, and adds an alternate
// data stream with ntfscp -N.
func makeNTFS(t *testing.T) string {
	t.Helper()
	need(t, "mkntfs", "ntfs-3g", "ntfscp", "fls", "icat")
	dir := t.TempDir()
	img := filepath.Join(dir, "ntfs.img")
	if err := os.WriteFile(img, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(img, 24<<20); err != nil {
		t.Fatal(err)
	}
	run(t, "mkntfs", "-q", "-F", "-f", "-L", "custodia", img)
	mnt := filepath.Join(dir, "mnt")
	os.Mkdir(mnt, 0o755)
	if out, err := exec.Command("ntfs-3g", img, mnt).CombinedOutput(); err != nil {
		t.Skipf("cannot mount with ntfs-3g (FUSE, root needed): %v %s", err, out)
	}
	mounted := true
	unmount := func() {
		if mounted {
			run(t, "umount", mnt)
			mounted = false
		}
	}
	t.Cleanup(unmount)
	run(t, "cp", "-r", tree(t)+"/.", mnt)
	// A sparse file: 1 MiB of nothing, then 5 bytes.
	fh, err := os.Create(filepath.Join(mnt, "sparse.bin"))
	if err != nil {
		t.Fatal(err)
	}
	fh.WriteAt([]byte("tail\n"), 1<<20)
	fh.Close()
	if err := os.Remove(filepath.Join(mnt, "gone.txt")); err != nil {
		t.Fatal(err)
	}
	unmount()
	ads := filepath.Join(dir, "ads")
	os.WriteFile(ads, []byte("hidden stream content\n"), 0o644)
	run(t, "ntfscp", "-q", "-N", "secret", img, ads, "/hello.txt")
	return img
}

func TestNTFSAgainstTSK(t *testing.T) {
	img := makeNTFS(t)
	f := openImage(t, img, 0)
	if f.Type() != "NTFS" {
		t.Fatalf("type %q", f.Type())
	}
	tsk := fls(t, img, 0)
	if _, ok := tsk["/gone.txt (deleted)"]; !ok {
		t.Fatalf("TSK does not list the deleted /gone.txt: the test image is not what it should be")
	}
	// TSK lists streams as entries of their own ("/hello.txt:secret"):
	// check them against our entry's streams, then leave them out.
	streams := map[string]tskEntry{}
	for k, e := range tsk {
		if i := strings.LastIndex(e.path, "/"); strings.Contains(e.path[i:], ":") {
			streams[k] = e
			delete(tsk, k)
		}
	}
	if _, ok := streams["/hello.txt:secret"]; !ok {
		t.Fatalf("TSK does not list the stream /hello.txt:secret")
	}
	compareTSK(t, f, tsk, func(p string) bool { return strings.HasPrefix(p, "/$") }, true)
	for k, te := range streams {
		if te.deleted || strings.HasPrefix(te.path, "/$") {
			continue
		}
		p, name, _ := strings.Cut(te.path, ":")
		e, err := Lookup(f, p)
		if err != nil {
			t.Errorf("%s: %v", k, err)
			continue
		}
		found := false
		for _, s := range e.Streams {
			if s.Name == name {
				found = true
				if s.Size != te.size {
					t.Errorf("%s: stream size %d, TSK says %d", k, s.Size, te.size)
				}
			}
		}
		if !found {
			t.Errorf("%s: stream %q not among %v", k, name, e.Streams)
		}
	}
	for _, c := range []struct{ path, stream string }{
		{"/hello.txt", ""}, {"/hello.txt", "secret"}, {"/docs/big.bin", ""},
		{"/docs/café.txt", ""}, {"/sparse.bin", ""}, {"/many/f299.dat", ""}, {"/empty", ""},
	} {
		e, err := Lookup(f, c.path)
		if err != nil {
			t.Fatal(err)
		}
		addr := itoa(e.Inode)
		if c.stream != "" {
			addr = streams[c.path+":"+c.stream].addr
		}
		if got, want := sha(t, f, e, c.stream), icat(t, img, 0, addr); got != want {
			t.Errorf("%s:%s: SHA-256 %s, icat gives %s", c.path, c.stream, got, want)
		}
	}
	e, _ := Lookup(f, "/sparse.bin")
	file, _ := f.Open(e, "")
	if file.Size() != 1<<20+5 {
		t.Errorf("sparse.bin: size %d", file.Size())
	}
	sparse := false
	for _, r := range file.Runs() {
		sparse = sparse || r.Sparse
	}
	if !sparse {
		t.Errorf("sparse.bin: no sparse run in %+v", file.Runs())
	}
}
