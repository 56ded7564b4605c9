package fs

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"io"
	"slices"
	"time"
	"unicode/utf8"

	ext4 "github.com/Velocidex/go-ext4/parser"
)

// ext2/3/4. go-ext4 reads the superblock and the group descriptors; the
// inodes, their data (extent trees, block maps of ext2/3, inline data) and
// the directory blocks are read here, because go-ext4 follows extents only,
// reads nothing of a deleted name, and bounds none of its loops.

const (
	extSuperOff       = 1024
	extFlagExtents    = 0x80000
	extFlagInlineData = 0x10000000
	extRootInode      = 2
	extMaxGroups      = 1 << 20
	extMaxDepth       = 5
)

type extFS struct {
	r          io.ReaderAt
	size       int64
	label      string
	blockSize  int64
	inodeSize  int64
	perGroup   int64
	inodeCount uint64
	tables     []int64 // inode table block of each group
}

func isExt(r io.ReaderAt, size int64) bool {
	b := make([]byte, 2)
	if n, _ := r.ReadAt(b, extSuperOff+0x38); n < 2 {
		return false
	}
	return binary.LittleEndian.Uint16(b) == 0xEF53
}

func extLabel(r io.ReaderAt) string {
	sb := make([]byte, 1024)
	r.ReadAt(sb, extSuperOff)
	compat := binary.LittleEndian.Uint32(sb[0x5C:])
	incompat := binary.LittleEndian.Uint32(sb[0x60:])
	switch {
	case incompat&(0x40|0x80|0x200|0x8000) != 0: // extents, 64bit, flex_bg, inline data
		return "ext4"
	case compat&0x4 != 0: // has_journal
		return "ext3"
	}
	return "ext2"
}

func openExt(r io.ReaderAt, size int64, _ *time.Location) (FS, error) {
	sb := make([]byte, 1024)
	if n, _ := r.ReadAt(sb, extSuperOff); n < len(sb) {
		return nil, fmt.Errorf("%w: ext superblock cut short", ErrDamaged)
	}
	le := binary.LittleEndian
	f := &extFS{r: r, size: size, label: extLabel(r)}
	logBS := le.Uint32(sb[0x18:])
	if logBS > 6 {
		return nil, fmt.Errorf("%w: ext block size 2^(10+%d) is not valid", ErrDamaged, logBS)
	}
	f.blockSize = 1024 << logBS
	f.inodeCount = uint64(le.Uint32(sb[0x00:]))
	f.perGroup = int64(le.Uint32(sb[0x28:]))
	f.inodeSize = 128
	if le.Uint32(sb[0x4C:]) >= 1 { // dynamic revision
		f.inodeSize = int64(le.Uint16(sb[0x58:]))
	}
	if f.inodeSize < 128 || f.inodeSize > f.blockSize || f.inodeSize&(f.inodeSize-1) != 0 {
		return nil, fmt.Errorf("%w: ext inode size %d is not valid", ErrDamaged, f.inodeSize)
	}
	blocksPerGroup := int64(le.Uint32(sb[0x20:]))
	if f.perGroup == 0 || blocksPerGroup < 8 {
		return nil, fmt.Errorf("%w: ext superblock: %d inodes and %d blocks per group", ErrDamaged, f.perGroup, blocksPerGroup)
	}
	groups := (int64(f.inodeCount) + f.perGroup - 1) / f.perGroup
	blocks := int64(le.Uint32(sb[0x04:]))
	if le.Uint32(sb[0x60:])&0x80 != 0 {
		blocks |= int64(le.Uint32(sb[0x150:])) << 32
	}
	if groups > extMaxGroups || groups > blocks/blocksPerGroup+2 {
		return nil, fmt.Errorf("%w: ext superblock claims %d block groups for %d blocks", ErrDamaged, groups, blocks)
	}
	// go-ext4 reads the group descriptor table (32- or 64-byte entries).
	ctx, err := ext4.GetEXT4Context(r)
	if err != nil {
		return nil, fmt.Errorf("%w: ext: %v", ErrDamaged, err)
	}
	for i := int64(0); i < groups && i < int64(len(ctx.BlockGroup.GroupDescriptors)); i++ {
		f.tables = append(f.tables, ctx.BlockGroup.GroupDescriptors[i].InodeTable)
	}
	if _, err := f.inode(extRootInode); err != nil {
		return nil, fmt.Errorf("%w: ext root directory: %v", ErrDamaged, err)
	}
	return f, nil
}

func (f *extFS) Type() string { return f.label }

func (f *extFS) Root() *Entry {
	e, err := f.Inode(extRootInode)
	if err != nil {
		return &Entry{Path: "/", Inode: extRootInode, Type: TypeDir, Problem: err.Error()}
	}
	e.Path = "/"
	return e
}

// extInode is a raw inode.
type extInode struct {
	n   uint64
	raw []byte
}

func (f *extFS) inode(n uint64) (*extInode, error) {
	if n < 1 || n > f.inodeCount {
		return nil, fmt.Errorf("%w: inode %d is outside 1 to %d", ErrNotFound, n, f.inodeCount)
	}
	g := int64(n-1) / f.perGroup
	if g >= int64(len(f.tables)) {
		return nil, fmt.Errorf("%w: inode %d is in group %d, which has no descriptor", ErrDamaged, n, g)
	}
	off := f.tables[g]*f.blockSize + (int64(n-1)%f.perGroup)*f.inodeSize
	raw := make([]byte, min(f.inodeSize, 256))
	if k, _ := f.r.ReadAt(raw, off); k < len(raw) {
		return nil, fmt.Errorf("%w: inode %d at byte %d is past the end of the volume", ErrDamaged, n, off)
	}
	return &extInode{n: n, raw: raw}, nil
}

func (in *extInode) mode() uint16  { return binary.LittleEndian.Uint16(in.raw) }
func (in *extInode) flags() uint32 { return binary.LittleEndian.Uint32(in.raw[32:]) }
func (in *extInode) size() int64 {
	return int64(binary.LittleEndian.Uint32(in.raw[4:])) | int64(binary.LittleEndian.Uint32(in.raw[108:]))<<32
}

func (in *extInode) typ() string {
	switch in.mode() & 0xF000 {
	case 0x4000:
		return TypeDir
	case 0x8000:
		return TypeFile
	case 0xA000:
		return TypeLink
	case 0x2000, 0x6000:
		return TypeDevice
	case 0x1000:
		return TypeFIFO
	case 0xC000:
		return TypeSocket
	}
	return TypeOther
}

// extraTime reads a time with its _extra field (epoch bits and
// nanoseconds) when the inode is large enough to hold it.
func (in *extInode) time(base, extra int) *time.Time {
	le := binary.LittleEndian
	sec := int64(int32(le.Uint32(in.raw[base:])))
	var nsec int64
	if extra > 0 && len(in.raw) > 130 && extra+4 <= 128+int(le.Uint16(in.raw[128:])) && extra+4 <= len(in.raw) {
		x := le.Uint32(in.raw[extra:])
		sec += int64(x&3) << 32
		nsec = int64(x >> 2)
	}
	if sec == 0 && nsec == 0 {
		return nil
	}
	t := time.Unix(sec, nsec).UTC()
	return &t
}

func (f *extFS) entry(in *extInode) *Entry {
	le := binary.LittleEndian
	e := &Entry{Inode: in.n, Size: in.size(), Type: in.typ(), Mode: uint32(in.mode() & 0o7777), ref: in.n,
		UID: int64(le.Uint16(in.raw[2:])) | int64(le.Uint16(in.raw[120:]))<<16,
		GID: int64(le.Uint16(in.raw[24:])) | int64(le.Uint16(in.raw[122:]))<<16}
	e.M, e.A, e.C = in.time(16, 136), in.time(8, 140), in.time(12, 132)
	if len(in.raw) >= 152 && 128+int(le.Uint16(in.raw[128:])) >= 152 {
		e.B = in.time(144, 148)
	}
	return e
}

func (f *extFS) Inode(n uint64) (*Entry, error) {
	in, err := f.inode(n)
	if err != nil {
		return nil, err
	}
	return f.entry(in), nil
}

// data returns the runs of an inode's data.
func (f *extFS) data(in *extInode) (*runFile, error) {
	size := in.size()
	if size < 0 {
		return nil, fmt.Errorf("%w: inode %d has a negative size", ErrDamaged, in.n)
	}
	iblock := in.raw[40:100]
	fl := in.flags()
	switch {
	case fl&extFlagInlineData != 0 || (in.typ() == TypeLink && size < 60 && fl&extFlagExtents == 0):
		if size > 60 {
			return nil, fmt.Errorf("%w: inode %d keeps %d bytes inline; only the first 60 (in the inode) are read, the rest is in an extended attribute", ErrDamaged, in.n, size)
		}
		return &runFile{r: bytesReaderAt(iblock[:size]), size: size, runs: []Run{{Offset: 0, Disk: 0, Length: size}}, resident: true}, nil
	case fl&extFlagExtents != 0:
		var runs []Run
		if err := f.extents(iblock, 0, &runs); err != nil {
			return nil, fmt.Errorf("inode %d: %w", in.n, err)
		}
		return &runFile{r: f.r, size: size, runs: runs}, nil
	}
	runs, err := f.blockMap(iblock, size)
	if err != nil {
		return nil, fmt.Errorf("inode %d: %w", in.n, err)
	}
	return &runFile{r: f.r, size: size, runs: runs}, nil
}

func (f *extFS) blockValid(b int64) bool { return b > 0 && b*f.blockSize < f.size }

// extents walks an extent tree node.
func (f *extFS) extents(node []byte, depth int, runs *[]Run) error {
	le := binary.LittleEndian
	if len(node) < 12 || le.Uint16(node) != 0xF30A {
		return fmt.Errorf("%w: extent node without its magic", ErrDamaged)
	}
	n := int(le.Uint16(node[2:]))
	d := int(le.Uint16(node[6:]))
	if 12+12*n > len(node) {
		return fmt.Errorf("%w: extent node claims %d entries in %d bytes", ErrDamaged, n, len(node))
	}
	if depth > extMaxDepth || d > extMaxDepth {
		return fmt.Errorf("%w: extent tree deeper than %d", ErrDamaged, extMaxDepth)
	}
	for i := 0; i < n; i++ {
		e := node[12+12*i:]
		if d == 0 {
			length := int64(le.Uint16(e[4:]))
			sparse := false
			if length > 32768 { // uninitialised: reads as zeros
				length -= 32768
				sparse = true
			}
			start := int64(le.Uint16(e[6:]))<<32 | int64(le.Uint32(e[8:]))
			if !sparse && (start <= 0 || (start+length)*f.blockSize > f.size) {
				return fmt.Errorf("%w: an extent points outside the volume (block %d, %d blocks)", ErrDamaged, start, length)
			}
			if len(*runs) >= maxRuns {
				return fmt.Errorf("%w: more than %d extents", ErrDamaged, maxRuns)
			}
			*runs = append(*runs, Run{Offset: int64(le.Uint32(e)) * f.blockSize, Disk: start * f.blockSize, Length: length * f.blockSize, Sparse: sparse})
			continue
		}
		leaf := int64(le.Uint16(e[8:]))<<32 | int64(le.Uint32(e[4:]))
		if !f.blockValid(leaf) {
			return fmt.Errorf("%w: an extent index points outside the volume (block %d)", ErrDamaged, leaf)
		}
		b := make([]byte, f.blockSize)
		if k, _ := f.r.ReadAt(b, leaf*f.blockSize); k < len(b) {
			return fmt.Errorf("%w: extent block %d cannot be read", ErrDamaged, leaf)
		}
		if err := f.extents(b, depth+1, runs); err != nil {
			return err
		}
	}
	return nil
}

// blockMap reads an ext2/3 block map (12 direct, then single, double and
// triple indirect blocks) for size bytes.
func (f *extFS) blockMap(iblock []byte, size int64) ([]Run, error) {
	le := binary.LittleEndian
	need := (size + f.blockSize - 1) / f.blockSize
	per := f.blockSize / 4
	if need > 12+per+per*per+per*per*per {
		return nil, fmt.Errorf("%w: a size of %d bytes is more than a block map can address", ErrDamaged, size)
	}
	var runs []Run
	var lb int64 // logical block
	add := func(b int64) error {
		if lb >= need {
			return nil
		}
		off := lb * f.blockSize
		lb++
		if b == 0 {
			return nil // a hole
		}
		if !f.blockValid(b) {
			return fmt.Errorf("%w: block %d is outside the volume", ErrDamaged, b)
		}
		if k := len(runs); k > 0 && runs[k-1].Offset+runs[k-1].Length == off && runs[k-1].Disk+runs[k-1].Length == b*f.blockSize {
			runs[k-1].Length += f.blockSize
			return nil
		}
		if len(runs) >= maxRuns {
			return fmt.Errorf("%w: more than %d runs", ErrDamaged, maxRuns)
		}
		runs = append(runs, Run{Offset: off, Disk: b * f.blockSize, Length: f.blockSize})
		return nil
	}
	var indirect func(b int64, level int) error
	indirect = func(b int64, level int) error {
		if lb >= need {
			return nil
		}
		if b == 0 { // a hole of a whole subtree
			span := int64(1)
			for i := 0; i < level; i++ {
				span *= per
			}
			lb += span
			return nil
		}
		if !f.blockValid(b) {
			return fmt.Errorf("%w: indirect block %d is outside the volume", ErrDamaged, b)
		}
		buf := make([]byte, f.blockSize)
		if k, _ := f.r.ReadAt(buf, b*f.blockSize); k < len(buf) {
			return fmt.Errorf("%w: indirect block %d cannot be read", ErrDamaged, b)
		}
		for i := int64(0); i < per && lb < need; i++ {
			p := int64(le.Uint32(buf[4*i:]))
			var err error
			if level == 1 {
				err = add(p)
			} else {
				err = indirect(p, level-1)
			}
			if err != nil {
				return err
			}
		}
		return nil
	}
	for i := 0; i < 12; i++ {
		if err := add(int64(le.Uint32(iblock[4*i:]))); err != nil {
			return nil, err
		}
	}
	for level := 1; level <= 3; level++ {
		if err := indirect(int64(le.Uint32(iblock[4*(11+level):])), level); err != nil {
			return nil, err
		}
	}
	return runs, nil
}

func (f *extFS) Open(e *Entry, stream string) (File, error) {
	if stream != "" {
		return nil, fmt.Errorf("%w: %s has no stream %q (ext has no named streams)", ErrNoStream, e.Path, stream)
	}
	in, err := f.inode(e.Inode)
	if err != nil {
		return nil, err
	}
	return f.data(in)
}

func (f *extFS) List(dir *Entry, deleted bool, fn func(*Entry) error) error {
	in, err := f.inode(dir.Inode)
	if err != nil {
		return err
	}
	if in.typ() != TypeDir {
		return fmt.Errorf("%w: %s", ErrNotDir, dir.Path)
	}
	d, err := f.data(in)
	if err != nil {
		return err
	}
	if d.size > maxDirBytes {
		return fmt.Errorf("%w: directory %s claims %d bytes", ErrDamaged, dir.Path, d.size)
	}
	bs := int(f.blockSize)
	if in.flags()&extFlagInlineData != 0 {
		bs = int(d.size)
	}
	buf := make([]byte, bs)
	var problem error
	l := &extLister{f: f, dir: dir, fn: fn}
	for off := int64(0); off < d.size; off += int64(bs) {
		n, err := d.ReadAt(buf, off)
		if n < bs && err != io.EOF {
			return fmt.Errorf("%w: directory %s block at %d: %v", ErrDamaged, dir.Path, off, err)
		}
		if err := f.dirBlock(buf[:n], in.flags()&extFlagInlineData != 0, deleted, l.add); err != nil {
			if err == errBadDirent {
				problem = fmt.Errorf("%w: directory %s has a damaged entry in its block at byte %d; the rest of that block is skipped", ErrTruncated, dir.Path, off)
				continue
			}
			return err
		}
	}
	if err := l.flush(); err != nil {
		return err
	}
	return problem
}

// extListBatch is how many names List gathers before it reads their
// inodes.
const extListBatch = 16384

// extDirent is a name a directory block holds, its inode not read yet.
type extDirent struct {
	ino  uint64
	ft   byte
	name string
	del  bool
}

// extLister gathers a directory's names and reads their inodes in inode
// order, a batch at a time, then hands the entries on in directory order.
// A hashed (htree) directory holds its names in hash order, random across
// the inode tables: read in that order, almost every name's inode would be
// in another chunk of the image than the last one (a 10^6-entry folder
// took ten minutes); in inode order the inode tables are read through.
type extLister struct {
	f     *extFS
	dir   *Entry
	fn    func(*Entry) error
	batch []extDirent
}

func (l *extLister) add(ino uint64, ft byte, name []byte, del bool) error {
	l.batch = append(l.batch, extDirent{ino: ino, ft: ft, name: validName(name), del: del})
	if len(l.batch) >= extListBatch {
		return l.flush()
	}
	return nil
}

func (l *extLister) flush() error {
	order := make([]int, len(l.batch))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(l.batch[a].ino, l.batch[b].ino) })
	entries := make([]*Entry, len(l.batch))
	for _, i := range order {
		entries[i] = l.f.entryOf(l.dir, l.batch[i])
	}
	l.batch = l.batch[:0]
	for _, e := range entries {
		if err := l.fn(e); err != nil {
			return err
		}
	}
	return nil
}

var errBadDirent = fmt.Errorf("bad directory entry")

// dirBlock parses one directory block, allocated entries and the deleted
// ones still in the slack of the entry before them.
func (f *extFS) dirBlock(b []byte, inline, deleted bool, add func(ino uint64, ft byte, name []byte, del bool) error) error {
	le := binary.LittleEndian
	pos := 0
	if inline { // inline directories start with the parent's inode number
		pos = 4
	}
	for pos+8 <= len(b) {
		ino := le.Uint32(b[pos:])
		rec := int(le.Uint16(b[pos+4:]))
		nl := int(b[pos+6])
		if rec < 8 || rec%4 != 0 || pos+rec > len(b) || 8+nl > rec {
			return errBadDirent
		}
		if ino != 0 && nl > 0 {
			name := b[pos+8 : pos+8+nl]
			if s := string(name); s != "." && s != ".." {
				if err := add(uint64(ino), b[pos+7], name, false); err != nil {
					return err
				}
			}
		}
		if deleted {
			need := (8 + nl + 3) &^ 3
			if err := f.slack(b[pos+need:pos+rec], add); err != nil {
				return err
			}
		}
		pos += rec
	}
	return nil
}

// slack finds deleted entries in the bytes an entry's record covers beyond
// its name.
func (f *extFS) slack(s []byte, add func(ino uint64, ft byte, name []byte, del bool) error) error {
	le := binary.LittleEndian
	for p := 0; p+8 <= len(s); {
		ino := le.Uint32(s[p:])
		rec := int(le.Uint16(s[p+4:]))
		nl := int(s[p+6])
		ft := s[p+7]
		need := (8 + nl + 3) &^ 3
		ok := nl > 0 && p+8+nl <= len(s) && ft >= 1 && ft <= 7 && uint64(ino) <= f.inodeCount && rec >= need && rec%4 == 0
		if ok {
			name := s[p+8 : p+8+nl]
			for _, c := range name {
				if c == 0 || c == '/' {
					ok = false
					break
				}
			}
			if ok && string(name) != "." && string(name) != ".." {
				if err := add(uint64(ino), ft, name, true); err != nil {
					return err
				}
			}
		}
		if ok {
			p += need
		} else {
			p += 4
		}
	}
	return nil
}

// entryOf is the entry of name d in directory dir, its inode read.
func (f *extFS) entryOf(dir *Entry, d extDirent) *Entry {
	var e *Entry
	if in, err := f.inode(d.ino); err == nil {
		e = f.entry(in)
	} else {
		e = &Entry{Inode: d.ino, ref: d.ino}
		if !d.del {
			e.Problem = err.Error()
		}
	}
	if d.del || e.Type == TypeOther {
		// A deleted name's inode may since be reused or cleared: the type
		// is the one the directory entry recorded.
		e.Type = [...]string{TypeOther, TypeFile, TypeDir, TypeDevice, TypeDevice, TypeFIFO, TypeSocket, TypeLink}[d.ft&7]
	}
	e.Name = d.name
	e.Path = join(dir.Path, e.Name)
	e.Deleted = d.del
	return e
}

// validName returns name as UTF-8, invalid bytes as U+FFFD (the listing
// marks nothing else; the raw bytes stay in the image).
func validName(b []byte) string {
	if len(b) > maxNameBytes {
		b = b[:maxNameBytes]
	}
	if utf8.Valid(b) {
		return string(b)
	}
	return string([]rune(string(b))) // invalid bytes become U+FFFD
}

type bytesReaderAt []byte

func (b bytesReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if off >= int64(len(b)) {
		return 0, io.EOF
	}
	n := copy(p, b[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}
