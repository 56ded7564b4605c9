package container

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// File is one container file, opened read-only. Its size is taken once at
// open: the readers check every offset they read against it.
type File struct {
	Path   string // the path it was opened by
	Format string // the format being read, for messages
	f      *os.File
	size   int64 // with an overlay, the size it gives the file

	overlay []Write // applied to every read, in order
	real    int64   // the file's real size when it has an overlay
}

// Open opens path read-only (on Linux without updating its access time
// where the file's owner and file system allow it). It must be a regular
// file. Errors from the operating system are returned wrapped, so
// errors.Is(err, fs.ErrNotExist) and fs.ErrPermission work.
func Open(path, format string) (*File, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|noatime, 0)
	if err != nil && noatime != 0 {
		f, err = os.OpenFile(path, os.O_RDONLY, 0)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", lower(format), err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", lower(format), err)
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, Errorf(ErrNotDisk, format, path, -1, "not a regular file (%s)", fi.Mode().Type())
	}
	return &File{Path: path, Format: format, f: f, size: fi.Size()}, nil
}

// lower returns the format's name for an error prefix: "vhd", or "vdisk".
func lower(format string) string {
	if format == "" {
		return "vdisk"
	}
	b := []byte(format)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// Size returns the file's size when it was opened.
func (f *File) Size() int64 { return f.size }

// Close closes the file.
func (f *File) Close() error { return f.f.Close() }

// ReadAt reads from the file (through its overlay), implementing io.ReaderAt.
func (f *File) ReadAt(p []byte, off int64) (int, error) {
	if f.overlay == nil {
		return f.f.ReadAt(p, off)
	}
	if off >= f.size {
		return 0, io.EOF
	}
	n := min(int64(len(p)), f.size-off)
	if err := f.readOverlaid(p[:n], off, "data"); err != nil {
		return 0, err
	}
	if n < int64(len(p)) {
		return int(n), io.EOF
	}
	return int(n), nil
}

// ReadFull reads exactly len(p) bytes at off. A range that does not lie
// inside the file is an ErrCorrupt *Error saying what was to be read
// there; an error of the operating system is returned wrapped.
func (f *File) ReadFull(p []byte, off int64, what string) error {
	if off < 0 || off > f.size || int64(len(p)) > f.size-off {
		return Errorf(ErrCorrupt, f.Format, f.Path, off, "%s (%d bytes at offset %d) lies past the end of the file (%d bytes): the file is truncated or the offset is damaged", what, len(p), off, f.size)
	}
	if f.overlay != nil {
		return f.readOverlaid(p, off, what)
	}
	n, err := f.f.ReadAt(p, off)
	if n == len(p) {
		return nil
	}
	if err == nil || errors.Is(err, io.EOF) {
		// The file shrank after it was opened.
		return Errorf(ErrCorrupt, f.Format, f.Path, off+int64(n), "the file ended while reading %s: it changed or was truncated while being read", what)
	}
	if errors.Is(err, fs.ErrClosed) {
		return err
	}
	return fmt.Errorf("%s: read %s: %w", lower(f.Format), f.Path, err)
}

func (f *File) readOverlaid(p []byte, off int64, what string) error {
	realEnd := min(off+int64(len(p)), max(f.real, off))
	clear(p[realEnd-off:])
	if realEnd > off {
		k, err := f.f.ReadAt(p[:realEnd-off], off)
		if k < int(realEnd-off) {
			if err == nil || errors.Is(err, io.EOF) {
				return Errorf(ErrCorrupt, f.Format, f.Path, off+int64(k), "the file ended while reading %s: it changed or was truncated while being read", what)
			}
			return fmt.Errorf("%s: read %s: %w", lower(f.Format), f.Path, err)
		}
	}
	f.applyOverlay(p, off)
	return nil
}

// Corrupt returns an ErrCorrupt *Error about this file at off.
func (f *File) Corrupt(off int64, what string, args ...any) *Error {
	return Errorf(ErrCorrupt, f.Format, f.Path, off, what, args...)
}

// Fail returns an *Error of kind about this file at off.
func (f *File) Fail(kind error, off int64, what string, args ...any) *Error {
	return Errorf(kind, f.Format, f.Path, off, what, args...)
}

// Contains reports whether [off, off+n) lies inside the file.
func (f *File) Contains(off, n int64) bool {
	return off >= 0 && n >= 0 && off <= f.size && n <= f.size-off
}
