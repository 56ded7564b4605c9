package fs

import (
	"encoding/binary"
	"fmt"
	"io"
	"time"
	"unicode/utf16"
)

// exFAT, read here. github.com/dsoprea/go-exfat (the module proxy's latest,
// v0.0.0-20190906070738-5e932fbdb589) was read and is not used: its
// navigator gives no entry's volume position (TSK-compatible inode numbers
// need it), wants an io.ReadSeeker and reports damage by log.Panic.
//
// Inode numbers are TSK's: the address of a file's directory entry (its
// File entry, type 0x85) counted in 32-byte entries from the start of the
// cluster heap, plus 3; the root is 2. Times are the File entry's modify,
// access and create times with their 10 ms fields; a time whose UTC offset
// field is valid is read at that offset, one without in the item's zone.
// Deleted entry sets (InUse bit cleared: types 0x05, 0x40, 0x41) are listed
// with deleted; their content is read from the FAT chain when it still holds
// the file's clusters, else from the clusters after the first one.

type exfatFS struct {
	r          io.ReaderAt
	size       int64
	loc        *time.Location
	bps        int64 // bytes per sector
	cs         int64 // bytes per cluster
	heapOff    int64 // byte offset of cluster 2
	clusters   int64 // clusters in the heap (numbered 2…clusters+1)
	fatOff     int64 // byte offset of the active FAT
	rootClus   uint32
	fat        []byte // the active FAT when small enough to hold
	fatEntries int64
}

// maxExFATDir is the largest directory exFAT allows (256 MiB).
const maxExFATDir = 256 << 20

type exfatRef struct {
	first   uint32
	size    int64 // DataLength
	valid   int64 // ValidDataLength
	noChain bool  // NoFatChain: the clusters are contiguous
	dir     bool
	deleted bool
	root    bool
}

func isExFAT(r io.ReaderAt, size int64) bool {
	b := make([]byte, 512)
	if n, _ := r.ReadAt(b, 0); n < 512 || string(b[3:11]) != "EXFAT   " || b[510] != 0x55 || b[511] != 0xAA {
		return false
	}
	return b[108] >= 9 && b[108] <= 12 && int(b[108])+int(b[109]) <= 25
}

func openExFAT(r io.ReaderAt, size int64, loc *time.Location) (FS, error) {
	b := make([]byte, 512)
	if n, _ := r.ReadAt(b, 0); n < 512 {
		return nil, fmt.Errorf("%w: exFAT boot sector cut short", ErrDamaged)
	}
	le := binary.LittleEndian
	if b[108] < 9 || b[108] > 12 || int(b[108])+int(b[109]) > 25 {
		return nil, fmt.Errorf("%w: exFAT boot sector: sector shift %d, cluster shift %d are out of range", ErrDamaged, b[108], b[109])
	}
	f := &exfatFS{r: r, size: size, loc: loc, bps: 1 << b[108]}
	f.cs = f.bps << b[109]
	fatOff, fatLen := int64(le.Uint32(b[80:])), int64(le.Uint32(b[84:]))
	heap, count := int64(le.Uint32(b[88:])), int64(le.Uint32(b[92:]))
	f.rootClus = le.Uint32(b[96:])
	if b[106]&1 != 0 && b[110] > 1 { // ActiveFat: the second FAT
		fatOff += fatLen
	}
	f.fatOff, f.heapOff, f.clusters = fatOff*f.bps, heap*f.bps, count
	f.fatEntries = fatLen * f.bps / 4
	switch {
	case fatOff == 0 || fatLen == 0 || heap == 0:
		return nil, fmt.Errorf("%w: exFAT boot sector: FAT offset %d, length %d, cluster heap at sector %d", ErrDamaged, fatOff, fatLen, heap)
	case count < 1 || count > 0xFFFFFFF5 || f.fatEntries < count+2:
		return nil, fmt.Errorf("%w: exFAT boot sector: %d clusters for a FAT of %d entries", ErrDamaged, count, f.fatEntries)
	case !f.validClus(f.rootClus):
		return nil, fmt.Errorf("%w: exFAT root directory cluster %d is not valid", ErrDamaged, f.rootClus)
	}
	if n := (count + 2) * 4; n <= maxFATInMemory {
		f.fat = make([]byte, n)
		k, _ := r.ReadAt(f.fat, f.fatOff)
		f.fat = f.fat[:k]
	}
	return f, nil
}

func (f *exfatFS) Type() string { return "exFAT" }

func (f *exfatFS) validClus(c uint32) bool { return c >= 2 && int64(c) < f.clusters+2 }

func (f *exfatFS) clusOff(c uint32) int64 { return f.heapOff + int64(c-2)*f.cs }

func (f *exfatFS) next(c uint32) (uint32, error) {
	off := int64(c) * 4
	var b [4]byte
	if off+4 <= int64(len(f.fat)) {
		copy(b[:], f.fat[off:])
	} else if n, _ := f.r.ReadAt(b[:], f.fatOff+off); n < 4 {
		return 0, fmt.Errorf("%w: the FAT entry of cluster %d cannot be read", ErrDamaged, c)
	}
	return binary.LittleEndian.Uint32(b[:]), nil
}

// chain returns the runs of the FAT chain from first, at most limit
// clusters (0: the volume's cluster count, so a loop ends).
func (f *exfatFS) chain(first uint32, limit int64) ([]Run, string) {
	all := min(f.clusters, maxChain)
	if limit <= 0 || limit > all {
		limit = all
	}
	var runs []Run
	c := first
	for n := int64(0); ; n++ {
		if !f.validClus(c) {
			return runs, fmt.Sprintf("the cluster chain leaves the volume (cluster %d)", c)
		}
		if n >= limit {
			if limit == all {
				return runs, "the cluster chain loops (longer than the volume's cluster count); cut there"
			}
			return runs, ""
		}
		off, disk := n*f.cs, f.clusOff(c)
		if k := len(runs); k > 0 && runs[k-1].Disk+runs[k-1].Length == disk {
			runs[k-1].Length += f.cs
		} else {
			if len(runs) >= maxRuns {
				return runs, "the file has too many runs; cut there"
			}
			runs = append(runs, Run{Offset: off, Disk: disk, Length: f.cs})
		}
		nx, err := f.next(c)
		if err != nil {
			return runs, err.Error()
		}
		if nx == 0xFFFFFFFF {
			return runs, ""
		}
		if nx == 0 || nx == 0xFFFFFFF7 {
			return runs, fmt.Sprintf("the cluster chain reaches a free or bad cluster after cluster %d", c)
		}
		c = nx
	}
}

func (f *exfatFS) Root() *Entry {
	return &Entry{Path: "/", Inode: 2, Type: TypeDir, ref: exfatRef{root: true, dir: true, first: f.rootClus}}
}

// open returns the runs of ref's data and what could not be read.
func (f *exfatFS) open(ref exfatRef) (*runFile, string) {
	if ref.root {
		runs, problem := f.chain(ref.first, 0)
		var n int64
		for _, r := range runs {
			n += r.Length
		}
		return &runFile{r: f.r, size: n, runs: runs}, problem
	}
	if ref.size <= 0 || ref.first == 0 {
		return &runFile{r: f.r}, ""
	}
	if ref.size > f.clusters*f.cs {
		return &runFile{r: f.r}, fmt.Sprintf("it claims %d bytes, more than the volume's %d clusters hold", ref.size, f.clusters)
	}
	n := (ref.size + f.cs - 1) / f.cs
	contiguous := func(note string) (*runFile, string) {
		if !f.validClus(ref.first) || int64(ref.first)-2+n > f.clusters {
			return &runFile{r: f.r}, "the file's clusters lie outside the volume"
		}
		return &runFile{r: f.r, size: ref.size, runs: Clip([]Run{{Offset: 0, Disk: f.clusOff(ref.first), Length: n * f.cs}}, ref.size)}, note
	}
	if ref.noChain {
		return contiguous("")
	}
	runs, problem := f.chain(ref.first, n)
	var have int64
	for _, r := range runs {
		have += r.Length
	}
	if ref.deleted && (problem != "" || have < ref.size) {
		return contiguous("deleted: its FAT chain is gone; its content is read from the clusters after its first one, which may since have been reused")
	}
	size := ref.size
	if have < size {
		problem = fmt.Sprintf("%s; the chain holds %d of its %d bytes", problem, have, size)
		size = have
	}
	runs = Clip(runs, size)
	if ref.valid < size && ref.valid >= 0 && !ref.dir {
		// bytes past ValidDataLength read as zeros
		runs = append(Clip(runs, ref.valid), Run{Offset: ref.valid, Length: size - ref.valid, Sparse: true})
	}
	return &runFile{r: f.r, size: size, runs: runs}, problem
}

func (f *exfatFS) Open(e *Entry, stream string) (File, error) {
	if stream != "" {
		return nil, fmt.Errorf("%w: %s has no stream %q (exFAT has no named streams)", ErrNoStream, e.Path, stream)
	}
	ref, ok := e.ref.(exfatRef)
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, e.Path)
	}
	rf, _ := f.open(ref)
	return rf, nil
}

func (f *exfatFS) inodeOf(disk int64) uint64 { return uint64((disk-f.heapOff)/32) + 3 }

// List reads dir's entry sets in on-disk order.
func (f *exfatFS) List(dir *Entry, deleted bool, fn func(*Entry) error) error {
	ref, ok := dir.ref.(exfatRef)
	if !ok || !ref.dir {
		return fmt.Errorf("%w: %s", ErrNotDir, dir.Path)
	}
	d, problem := f.open(ref)
	if d.size > maxExFATDir || d.size > f.size {
		return fmt.Errorf("%w: directory %s claims %d bytes", ErrDamaged, dir.Path, d.size)
	}
	buf := make([]byte, d.size)
	if n, _ := d.ReadAt(buf, 0); int64(n) < d.size {
		return fmt.Errorf("%w: directory %s: only %d of its %d bytes can be read", ErrDamaged, dir.Path, n, d.size)
	}
	disk := func(i int) int64 { // volume offset of byte i of the directory
		for _, r := range d.runs {
			if int64(i) < r.Offset+r.Length {
				return r.Disk + int64(i) - r.Offset
			}
		}
		return 0
	}
	for i := 0; i+32 <= len(buf); i += 32 {
		t := buf[i]
		if t == 0 {
			break
		}
		var e *Entry
		switch t {
		case 0x81, 0x82: // allocation bitmap, up-case table: listed as TSK does
			le := binary.LittleEndian
			name := "$ALLOC_BITMAP"
			if t == 0x82 {
				name = "$UPCASE_TABLE"
			}
			size := int64(le.Uint64(buf[i+24:]))
			e = &Entry{Name: name, Inode: f.inodeOf(disk(i)), Size: size, Type: TypeFile,
				ref: exfatRef{first: le.Uint32(buf[i+20:]), size: size, valid: size}}
		case 0x85, 0x05:
			del := t == 0x05
			if del && !deleted {
				continue
			}
			var used int
			e, used = f.entrySet(buf[i:], del)
			if e == nil {
				continue
			}
			e.Inode = f.inodeOf(disk(i))
			i += 32 * used
		default:
			continue
		}
		e.Path = join(dir.Path, e.Name)
		if err := fn(e); err != nil {
			return err
		}
	}
	if problem != "" {
		return fmt.Errorf("%w: directory %s: %s", ErrTruncated, dir.Path, problem)
	}
	return nil
}

// entrySet reads the entry set whose File entry starts b (at most 19
// entries: File, Stream Extension, up to 17 names) and returns its entry
// and how many secondary entries it used (nil when b holds no set: a
// deleted set whose secondaries were overwritten).
func (f *exfatFS) entrySet(b []byte, del bool) (*Entry, int) {
	le := binary.LittleEndian
	n := int(b[1]) // SecondaryCount
	if n < 2 || n > 18 || (n+1)*32 > len(b) {
		return nil, 0
	}
	set := b[:(n+1)*32]
	stream, nameT := byte(0xC0), byte(0xC1)
	if del {
		stream, nameT = 0x40, 0x41
	}
	s := set[32:64]
	if s[0] != stream {
		return nil, 0
	}
	nameLen := int(s[3])
	if nameLen == 0 || (nameLen+14)/15 > n-1 {
		return nil, 0
	}
	u := make([]uint16, 0, nameLen)
	for k := 2; k <= n && len(u) < nameLen; k++ {
		ne := set[k*32 : k*32+32]
		if ne[0] != nameT {
			return nil, 0
		}
		for o := 2; o < 32 && len(u) < nameLen; o += 2 {
			u = append(u, le.Uint16(ne[o:]))
		}
	}
	name := string(utf16.Decode(u))
	attr := le.Uint16(set[4:])
	size, valid := int64(le.Uint64(s[24:])), int64(le.Uint64(s[8:]))
	ref := exfatRef{first: le.Uint32(s[20:]), size: size, valid: valid, noChain: s[1]&2 != 0, dir: attr&0x10 != 0, deleted: del}
	e := &Entry{Name: name, Size: size, Type: TypeFile, Deleted: del, ref: ref}
	if ref.dir {
		e.Type = TypeDir
	}
	if size < 0 || valid < 0 || valid > size {
		e.Problem = fmt.Sprintf("the data length %d or valid data length %d is not valid", size, valid)
		e.Size, ref.size, ref.valid = 0, 0, 0
		e.ref = ref
	}
	e.M = f.stamp(le.Uint32(set[12:]), set[21], set[23])
	e.A = f.stamp(le.Uint32(set[16:]), 0, set[24])
	e.B = f.stamp(le.Uint32(set[8:]), set[20], set[22])
	if !del {
		if sum := exfatSetChecksum(set); sum != le.Uint16(set[2:]) {
			e.Problem = fmt.Sprintf("the entry set checksum is %#04x, the set says %#04x", sum, le.Uint16(set[2:]))
		} else if _, p := f.open(ref); p != "" {
			e.Problem = p
		}
	}
	return e, n
}

func exfatSetChecksum(set []byte) uint16 {
	var c uint16
	for i, x := range set {
		if i == 2 || i == 3 {
			continue
		}
		c = (c<<15 | c>>1) + uint16(x)
	}
	return c
}

// stamp converts an exFAT timestamp with its 10 ms increment (0…199) and
// UTC offset field (bit 7: valid; bits 0–6: signed quarter hours).
func (f *exfatFS) stamp(ts uint32, ms10, utc byte) *time.Time {
	if ts == 0 {
		return nil
	}
	y, mo, d := 1980+int(ts>>25), time.Month(ts>>21&15), int(ts>>16&31)
	h, mi, s := int(ts>>11&31), int(ts>>5&63), int(ts&31)*2
	if mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 58 || ms10 > 199 {
		return nil
	}
	loc := f.loc
	if utc&0x80 != 0 {
		q := int(utc & 0x7F)
		if q >= 64 {
			q -= 128
		}
		loc = time.FixedZone("", q*15*60)
	}
	t := time.Date(y, mo, d, h, mi, s, int(ms10)*10_000_000, loc).UTC()
	return &t
}

// Inode returns the entry set whose File entry is inode n (TSK's
// numbering); its secondary entries are read from the bytes that follow
// (a set that crosses into a non-adjacent cluster is not followed).
func (f *exfatFS) Inode(n uint64) (*Entry, error) {
	if n == 2 {
		return f.Root(), nil
	}
	if n < 3 || n > uint64(f.clusters*f.cs/32)+3 {
		return nil, fmt.Errorf("%w: exFAT inode %d", ErrNotFound, n)
	}
	off := f.heapOff + int64(n-3)*32
	b := make([]byte, 19*32)
	k, _ := f.r.ReadAt(b, off)
	b = b[:k/32*32]
	if len(b) < 32 || (b[0] != 0x85 && b[0] != 0x05) {
		return nil, fmt.Errorf("%w: exFAT inode %d is not a file's directory entry", ErrNotFound, n)
	}
	e, _ := f.entrySet(b, b[0] == 0x05)
	if e == nil {
		return nil, fmt.Errorf("%w: exFAT inode %d: its entry set is incomplete", ErrNotFound, n)
	}
	e.Inode = n
	return e, nil
}
