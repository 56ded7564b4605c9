// Package fs reads file systems inside a disk image, read-only, through an
// io.ReaderAt (in Custodia, an item's sealed chunks: casefile.EvidenceReader
// with its LRU of decrypted chunks; never a temporary file). It gives one
// model for every family: entries with inode, size, type, deleted flag and
// MACB times, streams (NTFS), and the byte runs of a file's data in the
// volume.
//
// Families: ext2/3/4 (superblock and group descriptors through
// github.com/Velocidex/go-ext4; inodes, extents, block maps and directory
// blocks, including the deleted names the blocks still hold, here), FAT12/16/32
// (boot sector checked by github.com/Velocidex/go-fat; directory entries with
// long names and deleted entries, and cluster chains, here, because TSK-
// compatible inode numbers need each entry's position), NTFS
// (www.velocidex.com/golang/go-ntfs: MFT, $SI and $FN times, resident and
// non-resident data, sparse runs, alternate data streams, deleted MFT
// entries), ISO 9660, XFS and exFAT (read here: see iso.go, xfs.go and
// exfat.go).
// Every call into a library runs under recover, so a panic on damaged
// input becomes an error; every loop is bounded (see the limits
// below), and a directory cycle is cut and reported.
package fs

import (
	"errors"
	"fmt"
	"io"
	"path"
	"runtime/debug"
	"strings"
	"time"
)

// Entry types.
const (
	TypeFile   = "file"
	TypeDir    = "dir"
	TypeLink   = "link"
	TypeDevice = "device"
	TypeFIFO   = "fifo"
	TypeSocket = "socket"
	TypeOther  = "other"
)

// Limits that keep damaged input from costing unbounded time or memory.
const (
	MaxDepth     = 512     // directory depth of a recursive walk
	maxRuns      = 1 << 20 // byte runs of one file
	maxChain     = 1 << 24 // clusters of one FAT chain
	maxDirBytes  = 1 << 30 // bytes of one directory read
	maxNameBytes = 1024    // one name
)

// Errors.
var (
	ErrUnknown   = errors.New("no known file system")
	ErrDamaged   = errors.New("the file system is damaged")
	ErrNotFound  = errors.New("no such file")
	ErrNotDir    = errors.New("not a directory")
	ErrNoStream  = errors.New("no such stream")
	ErrIsDir     = errors.New("is a directory")
	ErrTruncated = errors.New("the listing is partial")
)

// Times are an entry's MACB times; nil where the file system has none.
type Times struct {
	M *time.Time `json:"mtime,omitempty"`
	A *time.Time `json:"atime,omitempty"`
	C *time.Time `json:"ctime,omitempty"` // metadata change (ext, NTFS $MFT change); FAT has none
	B *time.Time `json:"crtime,omitempty"`
}

// Stream is a named data stream of an NTFS file ("" is the unnamed one).
type Stream struct {
	Name string `json:"name"`
	Size int64  `json:"size"`
}

// Entry is one directory entry (or, found by inode, one file).
type Entry struct {
	Path    string   `json:"path"`
	Name    string   `json:"name"`
	Inode   uint64   `json:"inode"` // ext inode, NTFS MFT entry, FAT/exFAT directory-entry address as TSK numbers it
	Size    int64    `json:"size"`
	Type    string   `json:"type"`
	Deleted bool     `json:"deleted"`
	Times            // mtime, atime, ctime, crtime
	FN      *Times   `json:"fn_times,omitempty"` // NTFS $FILE_NAME times
	Streams []Stream `json:"streams,omitempty"`
	Mode    uint32   `json:"mode,omitempty"` // Unix permission bits where the file system has them
	UID     int64    `json:"uid,omitempty"`
	GID     int64    `json:"gid,omitempty"`
	Seq     uint16   `json:"seq,omitempty"` // NTFS sequence number
	// Problem says what could not be read about this entry ("" when
	// nothing); the entry is still listed.
	Problem string `json:"problem,omitempty"`

	ref any // the family's handle (inode number, first cluster, MFT entry)
}

// Run is a piece of a file's data: Length bytes at file offset Offset
// stored at volume offset Disk; Sparse runs read as zeros.
type Run struct {
	Offset int64 `json:"offset"`
	Disk   int64 `json:"disk"`
	Length int64 `json:"length"`
	Sparse bool  `json:"sparse,omitempty"`
}

// File is an open stream of an entry.
type File interface {
	io.ReaderAt
	Size() int64
	Runs() []Run // where the bytes are in the volume (nil for resident data)
}

// FS is one open file system.
type FS interface {
	Type() string // "ext4", "FAT16", "NTFS"…
	Root() *Entry
	// List calls fn for each entry of dir, in on-disk order; deleted
	// entries only when deleted is true. "." and ".." are not listed.
	List(dir *Entry, deleted bool, fn func(*Entry) error) error
	// Open opens a stream ("" the default data) of e.
	Open(e *Entry, stream string) (File, error)
	// Inode returns the entry of inode n (path "" unless known).
	Inode(n uint64) (*Entry, error)
}

// Open probes r (a volume of size bytes) for a known file system. FAT
// times, which are local times, are read as UTC; OpenIn says the zone.
func Open(r io.ReaderAt, size int64) (FS, error) { return OpenIn(r, size, time.UTC) }

// OpenIn is Open reading FAT's local times in loc (the item's time zone).
func OpenIn(r io.ReaderAt, size int64, loc *time.Location) (FS, error) {
	if loc == nil {
		loc = time.UTC
	}
	var errs []string
	for _, p := range probes {
		ok, err := guard(p.name, func() (bool, error) { return p.detect(r, size), nil })
		if err != nil || !ok {
			continue
		}
		f, err := guardFS(p.name, func() (FS, error) { return p.open(r, size, loc) })
		if err != nil {
			errs = append(errs, err.Error())
			continue
		}
		return &guarded{fs: f}, nil
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%w: %s", ErrDamaged, strings.Join(errs, "; "))
	}
	return nil, ErrUnknown
}

// Detect names the file system on r ("" when none is known) without
// opening it.
func Detect(r io.ReaderAt, size int64) string {
	for _, p := range probes {
		if ok, _ := guard(p.name, func() (bool, error) { return p.detect(r, size), nil }); ok {
			return p.label(r)
		}
	}
	return ""
}

type probe struct {
	name   string
	detect func(io.ReaderAt, int64) bool
	label  func(io.ReaderAt) string
	open   func(io.ReaderAt, int64, *time.Location) (FS, error)
}

var probes = []probe{
	{"NTFS", isNTFS, func(io.ReaderAt) string { return "NTFS" }, openNTFS},
	{"FAT", isFAT, fatLabel, openFAT},
	{"ext", isExt, extLabel, openExt},
	{"ISO9660", isISO, isoLabel, openISO},
	{"XFS", isXFS, xfsLabel, openXFS},
	{"exFAT", isExFAT, func(io.ReaderAt) string { return "exFAT" }, openExFAT},
}

// guard runs fn, turning a panic inside a library into an error.
func guard[T any](what string, fn func() (T, error)) (v T, err error) {
	defer func() {
		if p := recover(); p != nil {
			var zero T
			v, err = zero, fmt.Errorf("%w: the %s reader failed on this input (%v)", ErrDamaged, what, p)
			if debugPanics {
				err = fmt.Errorf("%w\n%s", err, debug.Stack())
			}
		}
	}()
	return fn()
}

func guardFS(what string, fn func() (FS, error)) (FS, error) { return guard(what, fn) }

var debugPanics = false

// guarded wraps every call of an FS in guard.
type guarded struct{ fs FS }

func (g *guarded) Type() string { return g.fs.Type() }
func (g *guarded) Root() *Entry { return g.fs.Root() }
func (g *guarded) List(dir *Entry, deleted bool, fn func(*Entry) error) error {
	_, err := guard(g.fs.Type(), func() (struct{}, error) { return struct{}{}, g.fs.List(dir, deleted, fn) })
	return err
}
func (g *guarded) Open(e *Entry, stream string) (File, error) {
	f, err := guard(g.fs.Type(), func() (File, error) { return g.fs.Open(e, stream) })
	if err != nil {
		return nil, err
	}
	return &guardedFile{f: f, what: g.fs.Type()}, nil
}
func (g *guarded) Inode(n uint64) (*Entry, error) {
	return guard(g.fs.Type(), func() (*Entry, error) { return g.fs.Inode(n) })
}

type guardedFile struct {
	f    File
	what string
}

func (f *guardedFile) Size() int64 { return f.f.Size() }
func (f *guardedFile) Runs() []Run { return f.f.Runs() }
func (f *guardedFile) ReadAt(p []byte, off int64) (int, error) {
	type res struct{ n int }
	var n int
	_, err := guard(f.what, func() (struct{}, error) {
		var err error
		n, err = f.f.ReadAt(p, off)
		return struct{}{}, err
	})
	return n, err
}

// Lookup finds the entry at p ("/a/b"), case-sensitively first and then,
// for file systems that ignore case, case-insensitively.
func Lookup(f FS, p string) (*Entry, error) {
	cur := f.Root()
	for _, part := range strings.Split(strings.Trim(path.Clean("/"+p), "/"), "/") {
		if part == "" {
			continue
		}
		if cur.Type != TypeDir {
			return nil, fmt.Errorf("%w: %s", ErrNotDir, cur.Path)
		}
		var hit, fold *Entry
		err := f.List(cur, true, func(e *Entry) error {
			switch {
			case e.Name == part && (hit == nil || hit.Deleted && !e.Deleted):
				hit = e
			case strings.EqualFold(e.Name, part) && fold == nil:
				fold = e
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		if hit == nil {
			hit = fold
		}
		if hit == nil {
			return nil, fmt.Errorf("%w: %s", ErrNotFound, path.Join(cur.Path, part))
		}
		cur = hit
	}
	return cur, nil
}

// Walk calls fn for each entry below dir (recursively when recursive),
// parents before children. It never enters a directory twice (a cycle is
// reported through onProblem and cut) and stops at MaxDepth.
func Walk(f FS, dir *Entry, recursive, deleted bool, fn func(*Entry) error, onProblem func(string)) error {
	seen := map[uint64]bool{dir.Inode: true}
	var walk func(d *Entry, depth int) error
	walk = func(d *Entry, depth int) error {
		var subdirs []*Entry
		err := f.List(d, deleted, func(e *Entry) error {
			if err := fn(e); err != nil {
				return err
			}
			if recursive && e.Type == TypeDir && !e.Deleted {
				subdirs = append(subdirs, e)
			}
			return nil
		})
		if err != nil {
			if errors.Is(err, errStop) {
				return err
			}
			if onProblem == nil {
				return err
			}
			onProblem(fmt.Sprintf("%s: %v", d.Path, err))
		}
		for _, s := range subdirs {
			if seen[s.Inode] {
				if onProblem != nil {
					onProblem(fmt.Sprintf("%s: directory inode %d is already listed above (a directory cycle); not entered again", s.Path, s.Inode))
				}
				continue
			}
			if depth+1 >= MaxDepth {
				if onProblem != nil {
					onProblem(fmt.Sprintf("%s: deeper than %d directories; not entered", s.Path, MaxDepth))
				}
				continue
			}
			seen[s.Inode] = true
			if err := walk(s, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	return walk(dir, 0)
}

var errStop = errors.New("stop")

// join builds a child path.
func join(dir, name string) string {
	if dir == "/" || dir == "" {
		return "/" + name
	}
	return dir + "/" + name
}

// tp returns a pointer to t, nil for the zero time.
func tp(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC()
	return &t
}

// runFile is a File over runs of a volume.
type runFile struct {
	r        io.ReaderAt
	size     int64
	runs     []Run
	resident bool // r is the data itself (inline, resident): no volume runs
}

func (f *runFile) Size() int64 { return f.size }
func (f *runFile) Runs() []Run {
	if f.resident {
		return nil
	}
	return f.runs
}

func (f *runFile) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("negative offset")
	}
	if off >= f.size {
		return 0, io.EOF
	}
	want := len(p)
	if int64(want) > f.size-off {
		want = int(f.size - off)
	}
	n := 0
	// binary search would be faster; runs are few per file in practice
	i := 0
	for n < want {
		pos := off + int64(n)
		for i < len(f.runs) && f.runs[i].Offset+f.runs[i].Length <= pos {
			i++
		}
		var chunk int
		if i >= len(f.runs) || f.runs[i].Offset > pos {
			// a hole: no run covers pos (sparse); zeros up to the next run
			end := off + int64(want)
			if i < len(f.runs) && f.runs[i].Offset < end {
				end = f.runs[i].Offset
			}
			chunk = int(end - pos)
			clear(p[n : n+chunk])
		} else {
			r := f.runs[i]
			chunk = int(min(int64(want-n), r.Offset+r.Length-pos))
			if r.Sparse {
				clear(p[n : n+chunk])
			} else {
				k, err := f.r.ReadAt(p[n:n+chunk], r.Disk+pos-r.Offset)
				if k < chunk {
					if err == nil || err == io.EOF {
						err = fmt.Errorf("%w: data at volume byte %d is past the end of the volume", ErrDamaged, r.Disk+pos-r.Offset+int64(k))
					}
					return n + k, err
				}
			}
		}
		n += chunk
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// Clip returns runs cut to the first size bytes of the file (the last
// cluster or block of a file is seldom full).
func Clip(runs []Run, size int64) []Run {
	var out []Run
	for _, r := range runs {
		if r.Offset >= size {
			break
		}
		if r.Offset+r.Length > size {
			r.Length = size - r.Offset
		}
		out = append(out, r)
	}
	return out
}
