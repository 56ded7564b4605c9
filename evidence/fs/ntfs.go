package fs

import (
	"fmt"
	"io"
	"sync"
	"time"

	ntfs "www.velocidex.com/golang/go-ntfs/parser"
)

// NTFS through go-ntfs: the MFT, directory indexes ($I30), $STANDARD_INFORMATION
// and $FILE_NAME times, $DATA streams (resident and non-resident,
// sparse, compressed, several VCN ranges). Deleted entries are MFT
// records no longer in use whose $FILE_NAME still names a parent: a scan
// of the MFT (once, on the first listing with deleted entries) files them
// under that parent.

const ntfsRoot = 5

type ntfsFS struct {
	ctx  *ntfs.NTFSContext
	size int64

	once      sync.Once
	deleted   map[uint64][]uint64 // parent MFT entry → deleted MFT entries naming it
	mftCount  int64
	scanError error
}

func isNTFS(r io.ReaderAt, size int64) bool {
	b := make([]byte, 11)
	n, _ := r.ReadAt(b, 0)
	return n == 11 && string(b[3:11]) == "NTFS    "
}

func openNTFS(r io.ReaderAt, size int64, _ *time.Location) (FS, error) {
	paged, err := ntfs.NewPagedReader(r, 4096, 4096)
	if err != nil {
		return nil, err
	}
	ctx, err := ntfs.GetNTFSContext(paged, 0)
	if err != nil {
		return nil, fmt.Errorf("%w: NTFS: %v", ErrDamaged, err)
	}
	f := &ntfsFS{ctx: ctx, size: size}
	if _, err := ctx.GetMFT(ntfsRoot); err != nil {
		return nil, fmt.Errorf("%w: NTFS root directory (MFT entry 5): %v", ErrDamaged, err)
	}
	mft0, err := ctx.GetMFT(0)
	if err != nil {
		return nil, fmt.Errorf("%w: NTFS $MFT (entry 0): %v", ErrDamaged, err)
	}
	if rs := ctx.GetRecordSize(); rs > 0 {
		for _, a := range mft0.EnumerateAttributes(ctx) {
			if a.Type().Value == ntfs.ATTR_TYPE_DATA && a.Name() == "" && a.Runlist_vcn_start() == 0 {
				f.mftCount = a.DataSize() / rs
			}
		}
		// The MFT cannot hold more records than the volume has room for.
		f.mftCount = min(f.mftCount, size/rs)
	}
	return f, nil
}

func (f *ntfsFS) Type() string { return "NTFS" }

func (f *ntfsFS) Root() *Entry {
	e, err := f.Inode(ntfsRoot)
	if err != nil {
		return &Entry{Path: "/", Inode: ntfsRoot, Type: TypeDir, Problem: err.Error()}
	}
	e.Path, e.Name = "/", ""
	return e
}

// entry describes MFT entry m; name is the $FILE_NAME to show (nil: the
// entry's own Win32/POSIX name).
func (f *ntfsFS) entry(id uint64, m *ntfs.MFT_ENTRY, name *ntfs.FILE_NAME) *Entry {
	e := &Entry{Inode: id, Type: TypeFile, Seq: m.Sequence_value(), ref: id}
	flags := m.Flags()
	if flags.IsSet("DIRECTORY") {
		e.Type = TypeDir
	}
	e.Deleted = !flags.IsSet("ALLOCATED")
	var own *ntfs.FILE_NAME
	for _, a := range m.EnumerateAttributes(f.ctx) {
		switch a.Type().Value {
		case ntfs.ATTR_TYPE_STANDARD_INFORMATION:
			si := f.ctx.Profile.STANDARD_INFORMATION(a.Data(f.ctx), 0)
			e.M, e.A = tp(si.File_altered_time().Time), tp(si.File_accessed_time().Time)
			e.C, e.B = tp(si.Mft_altered_time().Time), tp(si.Create_time().Time)
		case ntfs.ATTR_TYPE_FILE_NAME:
			fn := f.ctx.Profile.FILE_NAME(a.Data(f.ctx), 0)
			if fn.NameType().Name != "DOS" && own == nil {
				own = fn
			}
		case ntfs.ATTR_TYPE_DATA:
			if !a.IsResident() && a.Runlist_vcn_start() != 0 {
				continue
			}
			if len(e.Streams) < 256 {
				e.Streams = append(e.Streams, Stream{Name: a.Name(), Size: a.DataSize()})
			}
			if a.Name() == "" {
				e.Size = a.DataSize()
			}
		}
	}
	if name == nil {
		name = own
	}
	if name != nil {
		e.Name = validName([]byte(name.Name()))
		e.FN = &Times{M: tp(name.File_modified().Time), A: tp(name.File_accessed().Time), C: tp(name.Mft_modified().Time), B: tp(name.Created().Time)}
	}
	return e
}

func (f *ntfsFS) Inode(n uint64) (*Entry, error) {
	if f.mftCount > 0 && int64(n) >= f.mftCount {
		return nil, fmt.Errorf("%w: MFT entry %d (the MFT has %d)", ErrNotFound, n, f.mftCount)
	}
	m, err := f.ctx.GetMFT(int64(n))
	if err != nil {
		return nil, fmt.Errorf("%w: MFT entry %d: %v", ErrNotFound, n, err)
	}
	return f.entry(n, m, nil), nil
}

func (f *ntfsFS) List(dir *Entry, deleted bool, fn func(*Entry) error) error {
	m, err := f.ctx.GetMFT(int64(dir.Inode))
	if err != nil {
		return fmt.Errorf("%w: MFT entry %d: %v", ErrDamaged, dir.Inode, err)
	}
	type key struct {
		id   uint64
		name string
	}
	seen := map[key]bool{}
	listed := map[uint64]bool{}
	for _, node := range m.Dir(f.ctx) {
		id := node.MftReference()
		fname := node.File()
		if fname.NameType().Name == "DOS" {
			continue // the short name of an entry listed under its long one
		}
		k := key{id, fname.Name()}
		if seen[k] || id == dir.Inode {
			continue
		}
		seen[k] = true
		child, err := f.ctx.GetMFT(int64(id))
		var e *Entry
		if err != nil {
			e = &Entry{Inode: id, Name: validName([]byte(fname.Name())), Type: TypeOther, Problem: err.Error(), ref: id}
		} else {
			e = f.entry(id, child, fname)
			if e.Deleted || child.Sequence_value() != node.Seq_num() {
				// The index still names an entry that was freed or reused.
				if !deleted {
					continue
				}
				e.Deleted = true
			}
		}
		listed[id] = true
		e.Path = join(dir.Path, e.Name)
		if err := fn(e); err != nil {
			return err
		}
	}
	if !deleted {
		return nil
	}
	f.once.Do(f.scanDeleted)
	for _, id := range f.deleted[dir.Inode] {
		if listed[id] {
			continue
		}
		m, err := f.ctx.GetMFT(int64(id))
		if err != nil {
			continue
		}
		e := f.entry(id, m, nil)
		e.Deleted = true
		e.Path = join(dir.Path, e.Name)
		if err := fn(e); err != nil {
			return err
		}
	}
	return f.scanError
}

// scanDeleted reads every MFT entry once and files the ones not in use
// under the parent their $FILE_NAME names.
func (f *ntfsFS) scanDeleted() {
	f.deleted = map[uint64][]uint64{}
	for id := int64(0); id < f.mftCount; id++ {
		m, err := f.ctx.GetMFT(id)
		if err != nil {
			continue // never used, or a bad record: not a deleted file
		}
		fl := m.Flags()
		if fl.IsSet("ALLOCATED") {
			continue
		}
		for _, a := range m.EnumerateAttributes(f.ctx) {
			if a.Type().Value != ntfs.ATTR_TYPE_FILE_NAME {
				continue
			}
			fn := f.ctx.Profile.FILE_NAME(a.Data(f.ctx), 0)
			if fn.NameType().Name == "DOS" {
				continue
			}
			p := fn.MftReference()
			f.deleted[p] = append(f.deleted[p], uint64(id))
			break
		}
	}
}

// ntfsFile is an open $DATA stream.
type ntfsFile struct {
	r    ntfs.RangeReaderAt
	size int64
	runs []Run
}

func (f *ntfsFile) Size() int64 { return f.size }
func (f *ntfsFile) Runs() []Run { return f.runs }
func (f *ntfsFile) ReadAt(p []byte, off int64) (int, error) {
	if off >= f.size {
		return 0, io.EOF
	}
	want := p
	if int64(len(want)) > f.size-off {
		want = want[:f.size-off]
	}
	n, err := f.r.ReadAt(want, off)
	if n == len(want) {
		err = nil
		if len(want) < len(p) {
			err = io.EOF
		}
	} else if err == nil || err == io.EOF {
		err = fmt.Errorf("%w: stream cut short at byte %d", ErrDamaged, off+int64(n))
	}
	return n, err
}

func (f *ntfsFS) Open(e *Entry, stream string) (File, error) {
	m, err := f.ctx.GetMFT(int64(e.Inode))
	if err != nil {
		return nil, fmt.Errorf("%w: MFT entry %d: %v", ErrDamaged, e.Inode, err)
	}
	var attr *ntfs.NTFS_ATTRIBUTE
	for _, a := range m.EnumerateAttributes(f.ctx) {
		if a.Type().Value == ntfs.ATTR_TYPE_DATA && a.Name() == stream && (a.IsResident() || a.Runlist_vcn_start() == 0) {
			attr = a
			break
		}
	}
	if attr == nil {
		if stream == "" && e.Type == TypeDir {
			return nil, fmt.Errorf("%w: %s", ErrIsDir, e.Path)
		}
		return nil, fmt.Errorf("%w: %s has no stream %q", ErrNoStream, e.Path, stream)
	}
	r, err := ntfs.OpenStream(f.ctx, m, ntfs.ATTR_TYPE_DATA, ntfs.WILDCARD_STREAM_ID, stream)
	if err != nil {
		return nil, fmt.Errorf("%w: %s stream %q: %v", ErrDamaged, e.Path, stream, err)
	}
	file := &ntfsFile{r: r, size: attr.DataSize()}
	if !attr.IsResident() {
		cs := f.ctx.ClusterSize
		var off int64
		for _, run := range attr.RunList() {
			if len(file.runs) >= maxRuns {
				break
			}
			file.runs = append(file.runs, Run{Offset: off, Disk: run.Offset * cs, Length: run.Length * cs, Sparse: run.RelativeUrnOffset == 0})
			off += run.Length * cs
		}
	}
	return file, nil
}
