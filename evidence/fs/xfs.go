package fs

import (
	"encoding/binary"
	"fmt"
	"io"
	"time"
)

// XFS (v4 and v5), read directly over the io.ReaderAt: the superblock, the
// inode core (mode, owner, size, times including v5 crtime and bigtime),
// the data fork in its local, extents and btree (BMBT) forms, and the
// directory forms (short form in the inode; block, leaf and node
// directories through their data blocks). The pinned library
// (github.com/masahiro331/go-xfs-filesystem) keeps inode numbers, extents
// and times unexported, so it is not used. "inode" is the XFS inode number.
// Deleted names are not recovered (XFS overwrites a freed directory
// entry's inode number), so List with deleted lists the same entries.
// Realtime-subvolume files are listed but not opened.

const (
	xfsMaxBlockLog = 16             // 64 KiB blocks at most
	xfsMaxTree     = 8              // BMBT levels
	xfsMaxBtreeBlk = 1 << 16        // BMBT blocks read for one file
	xfsDirLeafOff  = int64(1) << 35 // directory logical offset where the leaf space starts
	xfsFlagRT      = 0x1            // di_flags: realtime file
	xfsFlag2Big    = 0x8            // di_flags2: bigtime timestamps
	xfsFlag2NExt64 = 0x10           // di_flags2: 64-bit data fork extent count
	xfsBigEpoch    = int64(1) << 31
)

var be = binary.BigEndian

type xfsFS struct {
	r                  io.ReaderAt
	size               int64
	bsize              int64
	agblocks           uint64
	agcount            uint64
	agblklog, inopblog uint
	isize              int64
	v5, ftype          bool
	dirbsize           int64
	rootIno            uint64
	root               *Entry
}

// xfsInode is a read inode: its raw bytes and the fields List and Open use.
type xfsInode struct {
	n      uint64
	raw    []byte
	mode   uint16
	format byte
	size   int64
	flags  uint16
	next   uint64 // data fork extents (or records in the btree root)
	fork   []byte // the data fork in the inode's literal area
}

func isXFS(r io.ReaderAt, size int64) bool {
	b := make([]byte, 4)
	if size < 512 {
		return false
	}
	if n, _ := r.ReadAt(b, 0); n < 4 {
		return false
	}
	return string(b) == "XFSB"
}

func xfsLabel(io.ReaderAt) string { return "XFS" }

func openXFS(r io.ReaderAt, size int64, _ *time.Location) (FS, error) {
	sb := make([]byte, 512)
	if n, _ := r.ReadAt(sb, 0); n < len(sb) {
		return nil, fmt.Errorf("%w: the XFS superblock cannot be read", ErrDamaged)
	}
	f := &xfsFS{r: r, size: size}
	blocklog, inodelog, inopblog, agblklog := uint(sb[120]), uint(sb[122]), uint(sb[123]), uint(sb[124])
	f.bsize = int64(be.Uint32(sb[4:]))
	if blocklog < 9 || blocklog > xfsMaxBlockLog || f.bsize != 1<<blocklog {
		return nil, fmt.Errorf("%w: XFS block size %d (a power of two from 512 to 64 KiB expected)", ErrDamaged, f.bsize)
	}
	f.isize = int64(be.Uint16(sb[104:]))
	if inodelog < 8 || inodelog > 11 || f.isize != 1<<inodelog || inodelog > blocklog || inopblog != blocklog-inodelog {
		return nil, fmt.Errorf("%w: XFS inode size %d does not fit block size %d", ErrDamaged, f.isize, f.bsize)
	}
	f.inopblog, f.agblklog = inopblog, agblklog
	f.agblocks, f.agcount = uint64(be.Uint32(sb[84:])), uint64(be.Uint32(sb[88:]))
	if agblklog > 31 || f.agblocks == 0 || f.agblocks > 1<<agblklog || f.agcount == 0 {
		return nil, fmt.Errorf("%w: XFS allocation group geometry (%d groups of %d blocks) is not possible", ErrDamaged, f.agcount, f.agblocks)
	}
	version := be.Uint16(sb[100:]) & 0xf
	switch version {
	case 4:
		f.ftype = be.Uint32(sb[200:])&0x200 != 0
	case 5:
		f.v5 = true
		f.ftype = be.Uint32(sb[216:])&0x1 != 0
	default:
		return nil, fmt.Errorf("%w: XFS version %d (4 or 5 expected)", ErrDamaged, version)
	}
	if dl := uint(sb[192]); blocklog+dl > xfsMaxBlockLog {
		return nil, fmt.Errorf("%w: XFS directory block size 2^%d is too large", ErrDamaged, blocklog+dl)
	} else {
		f.dirbsize = f.bsize << dl
	}
	f.rootIno = be.Uint64(sb[56:])
	f.root = &Entry{Path: "/", Inode: f.rootIno, Type: TypeDir, ref: f.rootIno}
	in, err := f.inode(f.rootIno)
	if err != nil {
		return nil, fmt.Errorf("the XFS root directory: %w", err)
	}
	f.fill(f.root, in)
	if f.root.Type != TypeDir {
		return nil, fmt.Errorf("%w: the XFS root inode %d is not a directory", ErrDamaged, f.rootIno)
	}
	return f, nil
}

func (f *xfsFS) Type() string { return "XFS" }
func (f *xfsFS) Root() *Entry { c := *f.root; return &c }

// fsb returns the volume byte offset of file system block b.
func (f *xfsFS) fsb(b uint64) (int64, bool) {
	ag, agb := b>>f.agblklog, b&(1<<f.agblklog-1)
	if ag >= f.agcount || agb >= f.agblocks {
		return 0, false
	}
	off := (ag*f.agblocks + agb) * uint64(f.bsize)
	if off >= uint64(f.size) {
		return 0, false
	}
	return int64(off), true
}

// inode reads inode n.
func (f *xfsFS) inode(n uint64) (*xfsInode, error) {
	blk := n >> f.inopblog
	ag, agb := blk>>f.agblklog, blk&(1<<f.agblklog-1)
	if ag >= f.agcount || agb >= f.agblocks {
		return nil, fmt.Errorf("%w: XFS inode %d is outside the volume", ErrNotFound, n)
	}
	off := int64((ag*f.agblocks+agb)*uint64(f.bsize)) + int64(n&(1<<f.inopblog-1))*f.isize
	raw := make([]byte, f.isize)
	if k, _ := f.r.ReadAt(raw, off); k < len(raw) {
		return nil, fmt.Errorf("%w: XFS inode %d at byte %d cannot be read", ErrDamaged, n, off)
	}
	if string(raw[:2]) != "IN" {
		return nil, fmt.Errorf("%w: XFS inode %d at byte %d has no IN signature", ErrDamaged, n, off)
	}
	in := &xfsInode{n: n, raw: raw, mode: be.Uint16(raw[2:]), format: raw[5], size: int64(be.Uint64(raw[56:])), flags: be.Uint16(raw[90:])}
	core := int64(100)
	if raw[4] >= 3 {
		core = 176
		if core > f.isize {
			return nil, fmt.Errorf("%w: XFS inode %d is v3 but the inode size is %d", ErrDamaged, n, f.isize)
		}
	}
	lit := raw[core:]
	if fo := int(raw[82]) * 8; fo > 0 && fo < len(lit) {
		lit = lit[:fo]
	}
	in.fork = lit
	in.next = uint64(be.Uint32(raw[76:]))
	if raw[4] >= 3 && be.Uint64(raw[120:])&xfsFlag2NExt64 != 0 {
		in.next = be.Uint64(raw[24:])
	}
	if in.size < 0 {
		return nil, fmt.Errorf("%w: XFS inode %d has a negative size", ErrDamaged, n)
	}
	return in, nil
}

func (in *xfsInode) typ() string {
	switch in.mode & 0o170000 {
	case 0o100000:
		return TypeFile
	case 0o040000:
		return TypeDir
	case 0o120000:
		return TypeLink
	case 0o020000, 0o060000:
		return TypeDevice
	case 0o010000:
		return TypeFIFO
	case 0o140000:
		return TypeSocket
	}
	return TypeOther
}

// xfsTime reads the 8-byte timestamp at b: seconds and nanoseconds, or
// with bigtime nanoseconds since 1901-12-13T20:45:52Z.
func xfsTime(b []byte, big bool) *time.Time {
	if big {
		v := be.Uint64(b)
		if v == 0 {
			return nil
		}
		t := time.Unix(int64(v/1e9)-xfsBigEpoch, int64(v%1e9))
		return tp(t)
	}
	sec, ns := int32(be.Uint32(b)), be.Uint32(b[4:])
	if sec == 0 && ns == 0 {
		return nil
	}
	if ns >= 1e9 {
		ns = 0
	}
	return tp(time.Unix(int64(sec), int64(ns)))
}

// fill sets e's fields from inode in.
func (f *xfsFS) fill(e *Entry, in *xfsInode) {
	raw := in.raw
	e.Inode, e.ref = in.n, in.n
	e.Type, e.Size = in.typ(), in.size
	e.Mode = uint32(in.mode & 0o7777)
	e.UID, e.GID = int64(be.Uint32(raw[8:])), int64(be.Uint32(raw[12:]))
	big := raw[4] >= 3 && be.Uint64(raw[120:])&xfsFlag2Big != 0
	e.Times = Times{A: xfsTime(raw[32:], big), M: xfsTime(raw[40:], big), C: xfsTime(raw[48:], big)}
	if raw[4] >= 3 {
		e.B = xfsTime(raw[144:], big)
	}
}

// xfsExt is one data fork extent: count blocks at file block off stored
// at file system block blk.
type xfsExt struct {
	off, blk, count uint64
	unwritten       bool
}

func xfsRec(b []byte) xfsExt {
	l0, l1 := be.Uint64(b), be.Uint64(b[8:])
	return xfsExt{unwritten: l0>>63 != 0, off: (l0 &^ (1 << 63)) >> 9, blk: (l0&0x1ff)<<43 | l1>>21, count: l1 & 0x1fffff}
}

// extents returns the data fork extents of in (extents or btree form).
func (f *xfsFS) extents(in *xfsInode) ([]xfsExt, error) {
	switch in.format {
	case 2:
		if in.next > uint64(len(in.fork)/16) {
			return nil, fmt.Errorf("%w: XFS inode %d claims %d extents; its fork holds %d", ErrDamaged, in.n, in.next, len(in.fork)/16)
		}
		out := make([]xfsExt, 0, in.next)
		for i := uint64(0); i < in.next; i++ {
			out = append(out, xfsRec(in.fork[i*16:]))
		}
		return out, nil
	case 3:
		fork := in.fork
		if len(fork) < 4 {
			return nil, fmt.Errorf("%w: XFS inode %d has no room for its extent btree root", ErrDamaged, in.n)
		}
		level, num := be.Uint16(fork), int(be.Uint16(fork[2:]))
		maxr := (len(fork) - 4) / 16
		if level == 0 || level > xfsMaxTree || num > maxr {
			return nil, fmt.Errorf("%w: XFS inode %d has an extent btree root of level %d with %d records", ErrDamaged, in.n, level, num)
		}
		var out []xfsExt
		budget := xfsMaxBtreeBlk
		for i := 0; i < num; i++ {
			ptr := be.Uint64(fork[4+maxr*8+i*8:])
			if err := f.btree(in.n, ptr, int(level)-1, &out, &budget); err != nil {
				return out, err
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("%w: XFS inode %d has data fork format %d (extents or btree expected)", ErrDamaged, in.n, in.format)
}

// btree reads the BMBT block at file system block ptr of the given level.
func (f *xfsFS) btree(ino, ptr uint64, level int, out *[]xfsExt, budget *int) error {
	if *budget--; *budget < 0 {
		return fmt.Errorf("%w: XFS inode %d has more than %d extent btree blocks", ErrDamaged, ino, xfsMaxBtreeBlk)
	}
	off, ok := f.fsb(ptr)
	if !ok {
		return fmt.Errorf("%w: XFS inode %d: extent btree block %d is outside the volume", ErrDamaged, ino, ptr)
	}
	b := make([]byte, f.bsize)
	if n, _ := f.r.ReadAt(b, off); n < len(b) {
		return fmt.Errorf("%w: XFS inode %d: extent btree block %d cannot be read", ErrDamaged, ino, ptr)
	}
	hdr := 24
	if f.v5 {
		hdr = 72
	}
	magic := string(b[:4])
	if magic != "BMAP" && magic != "BMA3" || int(be.Uint16(b[4:])) != level {
		return fmt.Errorf("%w: XFS inode %d: block %d is not an extent btree block of level %d", ErrDamaged, ino, ptr, level)
	}
	num := int(be.Uint16(b[6:]))
	if level == 0 {
		if num > (len(b)-hdr)/16 {
			return fmt.Errorf("%w: XFS inode %d: extent btree leaf %d claims %d records", ErrDamaged, ino, ptr, num)
		}
		for i := 0; i < num; i++ {
			if len(*out) >= maxRuns {
				return fmt.Errorf("%w: XFS inode %d has more than %d extents", ErrDamaged, ino, maxRuns)
			}
			*out = append(*out, xfsRec(b[hdr+i*16:]))
		}
		return nil
	}
	maxr := (len(b) - hdr) / 16
	if num > maxr {
		return fmt.Errorf("%w: XFS inode %d: extent btree node %d claims %d records", ErrDamaged, ino, ptr, num)
	}
	for i := 0; i < num; i++ {
		if err := f.btree(ino, be.Uint64(b[hdr+maxr*8+i*8:]), level-1, out, budget); err != nil {
			return err
		}
	}
	return nil
}

// runs returns the byte runs of in's data fork, in file order.
func (f *xfsFS) runs(in *xfsInode) ([]Run, error) {
	exts, err := f.extents(in)
	if err != nil {
		return nil, err
	}
	var runs []Run
	var end int64
	for _, x := range exts {
		if x.count == 0 {
			continue
		}
		fo := int64(x.off) * f.bsize
		if x.off > 1<<40 || fo < end {
			return nil, fmt.Errorf("%w: XFS inode %d: extent at file block %d is out of order", ErrDamaged, in.n, x.off)
		}
		d, ok := f.fsb(x.blk)
		if !ok {
			return nil, fmt.Errorf("%w: XFS inode %d: extent at block %d is outside the volume", ErrDamaged, in.n, x.blk)
		}
		// an extent may run over an allocation group's end only in damage
		if x.blk&(1<<f.agblklog-1)+x.count > f.agblocks {
			return nil, fmt.Errorf("%w: XFS inode %d: extent at block %d runs past its allocation group", ErrDamaged, in.n, x.blk)
		}
		l := int64(x.count) * f.bsize
		runs = append(runs, Run{Offset: fo, Disk: d, Length: l, Sparse: x.unwritten})
		end = fo + l
	}
	return runs, nil
}

func (f *xfsFS) Open(e *Entry, stream string) (File, error) {
	if stream != "" {
		return nil, fmt.Errorf("%w: XFS has no named streams (%q)", ErrNoStream, stream)
	}
	n, ok := e.ref.(uint64)
	if !ok {
		n = e.Inode
	}
	in, err := f.inode(n)
	if err != nil {
		return nil, err
	}
	if in.typ() == TypeDir {
		return nil, fmt.Errorf("%w: %s", ErrIsDir, e.Path)
	}
	if in.flags&xfsFlagRT != 0 {
		return nil, fmt.Errorf("%w: %s is on the XFS realtime device, which this reader does not read", ErrDamaged, e.Path)
	}
	switch in.format {
	case 0:
		return &runFile{r: bytesReaderAt(nil), resident: true}, nil
	case 1:
		if in.size > int64(len(in.fork)) {
			return nil, fmt.Errorf("%w: XFS inode %d: %d bytes of inline data do not fit its fork", ErrDamaged, in.n, in.size)
		}
		data := in.fork[:in.size]
		return &runFile{r: bytesReaderAt(data), size: in.size, runs: []Run{{Length: in.size}}, resident: true}, nil
	}
	runs, err := f.runs(in)
	if err != nil {
		return nil, err
	}
	return &runFile{r: f.r, size: in.size, runs: Clip(runs, in.size)}, nil
}

func (f *xfsFS) Inode(n uint64) (*Entry, error) {
	in, err := f.inode(n)
	if err != nil {
		return nil, err
	}
	e := &Entry{}
	f.fill(e, in)
	if n == f.rootIno {
		e.Path = "/"
	}
	return e, nil
}

type xfsDirent struct {
	ino  uint64
	name string
}

func (f *xfsFS) List(dir *Entry, _ bool, fn func(*Entry) error) error {
	n, ok := dir.ref.(uint64)
	if !ok {
		n = dir.Inode
	}
	in, err := f.inode(n)
	if err != nil {
		return err
	}
	if in.typ() != TypeDir {
		return fmt.Errorf("%w: %s", ErrNotDir, dir.Path)
	}
	var ents []xfsDirent
	var problem error
	switch in.format {
	case 1:
		ents, problem = f.shortDir(in)
	case 2, 3:
		ents, problem = f.blockDir(in)
	default:
		return fmt.Errorf("%w: XFS directory inode %d has data fork format %d", ErrDamaged, n, in.format)
	}
	for _, d := range ents {
		e := &Entry{Inode: d.ino, ref: d.ino}
		if ci, err := f.inode(d.ino); err != nil {
			e.Type, e.Problem = TypeOther, err.Error()
		} else {
			f.fill(e, ci)
		}
		e.Name, e.Path = d.name, join(dir.Path, d.name)
		if err := fn(e); err != nil {
			return err
		}
	}
	return problem
}

// shortDir reads a short-form directory held in the inode.
func (f *xfsFS) shortDir(in *xfsInode) ([]xfsDirent, error) {
	b := in.fork
	if int64(len(b)) > in.size {
		b = b[:in.size]
	}
	if len(b) < 6 {
		return nil, fmt.Errorf("%w: XFS directory inode %d: short-form header cut", ErrDamaged, in.n)
	}
	count, i8 := int(b[0]), b[1]
	isz := 4
	if i8 > 0 {
		isz, count = 8, int(i8)
	}
	p := 2 + isz
	var out []xfsDirent
	for i := 0; i < count; i++ {
		if p+3 > len(b) {
			return out, fmt.Errorf("%w: XFS directory inode %d: short-form entry %d is cut", ErrDamaged, in.n, i)
		}
		nl := int(b[p])
		q := p + 3 + nl
		if f.ftype {
			q++
		}
		if nl == 0 || q+isz > len(b) {
			return out, fmt.Errorf("%w: XFS directory inode %d: short-form entry %d is cut", ErrDamaged, in.n, i)
		}
		var ino uint64
		if isz == 8 {
			ino = be.Uint64(b[q:])
		} else {
			ino = uint64(be.Uint32(b[q:]))
		}
		out = append(out, xfsDirent{ino: ino, name: string(b[p+3 : p+3+nl])})
		p = q + isz
	}
	return out, nil
}

// blockDir reads the data blocks of a block, leaf or node directory.
func (f *xfsFS) blockDir(in *xfsInode) ([]xfsDirent, error) {
	runs, err := f.runs(in)
	if err != nil {
		return nil, err
	}
	var out []xfsDirent
	var total int64
	for _, r := range runs {
		if r.Offset >= xfsDirLeafOff {
			break
		}
		for o := int64(0); o+f.dirbsize <= r.Length; o += f.dirbsize {
			if total += f.dirbsize; total > maxDirBytes {
				return out, fmt.Errorf("%w: XFS directory inode %d is larger than %d bytes", ErrTruncated, in.n, maxDirBytes)
			}
			b := make([]byte, f.dirbsize)
			if n, _ := f.r.ReadAt(b, r.Disk+o); n < len(b) {
				return out, fmt.Errorf("%w: XFS directory inode %d: block at byte %d cannot be read", ErrDamaged, in.n, r.Disk+o)
			}
			if err := f.dirBlock(in.n, b, &out); err != nil {
				return out, err
			}
		}
	}
	return out, nil
}

// dirBlock reads the entries of one directory data block.
func (f *xfsFS) dirBlock(ino uint64, b []byte, out *[]xfsDirent) error {
	var hdr int
	end := len(b)
	switch string(b[:4]) {
	case "XD2B", "XDB3":
		cnt := int64(be.Uint32(b[len(b)-8:]))
		if cnt*8+8 > int64(len(b)) {
			return fmt.Errorf("%w: XFS directory inode %d: block claims %d leaf entries", ErrDamaged, ino, cnt)
		}
		end = len(b) - 8 - int(cnt)*8
	case "XD2D", "XDD3":
	default:
		return fmt.Errorf("%w: XFS directory inode %d: a data block has no directory signature", ErrDamaged, ino)
	}
	if b[2] == '3' || b[3] == '3' {
		hdr = 64
	} else {
		hdr = 16
	}
	for p := hdr; p+8 <= end; {
		if be.Uint16(b[p:]) == 0xffff { // unused space: freetag, length
			l := int(be.Uint16(b[p+2:]))
			if l < 8 || l%8 != 0 {
				return fmt.Errorf("%w: XFS directory inode %d: free space of %d bytes", ErrDamaged, ino, l)
			}
			p += l
			continue
		}
		if p+9 > end {
			break
		}
		child, nl := be.Uint64(b[p:]), int(b[p+8])
		sz := 8 + 1 + nl + 2
		if f.ftype {
			sz++
		}
		sz = (sz + 7) &^ 7
		if nl == 0 || p+sz > end {
			return fmt.Errorf("%w: XFS directory inode %d: entry at block byte %d is cut", ErrDamaged, ino, p)
		}
		name := string(b[p+9 : p+9+nl])
		if name != "." && name != ".." {
			*out = append(*out, xfsDirent{ino: child, name: name})
		}
		p += sz
	}
	return nil
}
