package export

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"
)

// A sink is where a bundle is written: a folder, or one .tar of it. Either
// is written under a ".partial" name next to the destination and renamed
// into place only when complete — SHA256SUMS and its signature last — so
// an interrupted export (a full disk, a crash, an error) never leaves
// anything at the destination that looks like a bundle.
type sink interface {
	// create opens a new file of the bundle; size is its exact length
	// (the tar needs it up front; the folder ignores it).
	create(name string, size int64) (io.WriteCloser, error)
	// finish makes the bundle complete: sync and rename into place.
	finish() error
	// abort removes what was written.
	abort()
}

// partialName is where dest is written until complete.
func partialName(dest string) string { return dest + ".partial" }

func checkNew(dest string) error {
	for _, p := range []string{dest, partialName(dest)} {
		if _, err := os.Lstat(p); err == nil {
			return fmt.Errorf("%w: %s exists", ErrDestination, p)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("%w: %v", ErrDestination, err)
		}
	}
	return nil
}

type dirSink struct {
	dest, tmp string
}

func newDirSink(dest string) (*dirSink, error) {
	if err := checkNew(dest); err != nil {
		return nil, err
	}
	tmp := partialName(dest)
	if err := os.Mkdir(tmp, 0o700); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrDestination, err)
	}
	return &dirSink{dest: dest, tmp: tmp}, nil
}

func (d *dirSink) create(name string, _ int64) (io.WriteCloser, error) {
	p := filepath.Join(d.tmp, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrDestination, err)
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrDestination, err)
	}
	if strings.HasPrefix(name, DirEvidence+"/") {
		// No fsync of an item's (possibly many GiB of) ciphertext: that
		// would make the export as slow as the disk (the same choice as
		// evidence.Extract). The small files are synced, the folder is
		// renamed into place only when complete, and SHA256SUMS lets anyone
		// check every byte after a crash or a copy.
		return f, nil
	}
	return &syncFile{f}, nil
}

// syncFile syncs on close: a bundle that was renamed into place is on the
// disk.
type syncFile struct{ *os.File }

func (s *syncFile) Close() error {
	if err := s.File.Sync(); err != nil {
		s.File.Close()
		return fmt.Errorf("%w: %v", ErrDestination, err)
	}
	if err := s.File.Close(); err != nil {
		return fmt.Errorf("%w: %v", ErrDestination, err)
	}
	return nil
}

func (d *dirSink) finish() error {
	if err := syncDir(filepath.Join(d.tmp, DirEvidence)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if err := syncDir(d.tmp); err != nil {
		return err
	}
	if _, err := os.Lstat(d.dest); err == nil {
		return fmt.Errorf("%w: %s appeared while the export was written", ErrDestination, d.dest)
	}
	if err := os.Rename(d.tmp, d.dest); err != nil {
		return fmt.Errorf("%w: %v", ErrDestination, err)
	}
	return syncDir(filepath.Dir(d.dest))
}

func (d *dirSink) abort() { os.RemoveAll(d.tmp) }

func syncDir(p string) error {
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return fmt.Errorf("%w: sync %s: %v", ErrDestination, p, err)
	}
	return nil
}

// tarSink writes the bundle as one tar: every entry below one folder named
// like the .tar without its extension, regular files only, owner 0, mode
// 0644 (folders 0755), every time the export's time.
type tarSink struct {
	dest, tmp string
	root      string
	f         *os.File
	tw        *tar.Writer
	at        time.Time
	dirs      map[string]bool
}

func newTarSink(dest string, at time.Time) (*tarSink, error) {
	if err := checkNew(dest); err != nil {
		return nil, err
	}
	tmp := partialName(dest)
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrDestination, err)
	}
	root := filepath.Base(dest)
	if ext := filepath.Ext(root); ext == ".tar" {
		root = root[:len(root)-len(ext)]
	}
	t := &tarSink{dest: dest, tmp: tmp, root: root, f: f, tw: tar.NewWriter(f), at: at.UTC(), dirs: map[string]bool{}}
	if err := t.dir(root); err != nil {
		t.abort()
		return nil, err
	}
	return t, nil
}

func (t *tarSink) dir(name string) error {
	if t.dirs[name] {
		return nil
	}
	t.dirs[name] = true
	err := t.tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: name + "/", Mode: 0o755, ModTime: t.at, Format: tar.FormatPAX})
	if err != nil {
		return fmt.Errorf("%w: %v", ErrDestination, err)
	}
	return nil
}

func (t *tarSink) create(name string, size int64) (io.WriteCloser, error) {
	if d := path.Dir(name); d != "." {
		if err := t.dir(t.root + "/" + d); err != nil {
			return nil, err
		}
	}
	err := t.tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: t.root + "/" + name, Size: size, Mode: 0o644, ModTime: t.at, Format: tar.FormatPAX})
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrDestination, err)
	}
	return &tarEntry{t: t, left: size, name: name}, nil
}

type tarEntry struct {
	t    *tarSink
	left int64
	name string
}

func (e *tarEntry) Write(p []byte) (int, error) {
	n, err := e.t.tw.Write(p)
	e.left -= int64(n)
	if err != nil {
		return n, fmt.Errorf("%w: %v", ErrDestination, err)
	}
	return n, nil
}

func (e *tarEntry) Close() error {
	if e.left != 0 {
		return fmt.Errorf("%s: %d bytes short of the size announced in the tar (a programming error)", e.name, e.left)
	}
	return nil
}

func (t *tarSink) finish() error {
	if err := t.tw.Close(); err != nil {
		return fmt.Errorf("%w: %v", ErrDestination, err)
	}
	if err := (&syncFile{t.f}).Close(); err != nil {
		return err
	}
	t.f = nil
	if _, err := os.Lstat(t.dest); err == nil {
		return fmt.Errorf("%w: %s appeared while the export was written", ErrDestination, t.dest)
	}
	if err := os.Rename(t.tmp, t.dest); err != nil {
		return fmt.Errorf("%w: %v", ErrDestination, err)
	}
	return syncDir(filepath.Dir(t.dest))
}

func (t *tarSink) abort() {
	if t.f != nil {
		t.f.Close()
	}
	os.Remove(t.tmp)
}
