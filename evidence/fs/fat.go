package fs

import (
	"encoding/binary"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf16"

	"golang.org/x/text/encoding/charmap"
)

// FAT12/16/32, read here rather than through github.com/Velocidex/go-fat
// (pinned in DESIGN.md): go-fat gives no entry's position, which TSK-
// compatible inode numbers need, reads a fixed 512-entry root and assumes a
// FAT32 root at cluster 2, ignores the lower-case bits of short names, and
// follows a looping chain up to 4 GiB of clusters. See docs/ARCHITECTURE.md.

type fatFS struct {
	r          io.ReaderAt
	size       int64
	loc        *time.Location
	label      string
	bps        int64 // bytes per sector
	spc        int64 // sectors per cluster
	firstData  int64 // first sector after the FATs (TSK's firstdatasect: the FAT12/16 root)
	rootSects  int64 // sectors of the FAT12/16 root directory
	clusters   int64 // data clusters (numbered 2…clusters+1)
	fatOff     int64 // byte offset of the first FAT
	fatBytes   int64
	rootClus   uint32
	fat        []byte // the first FAT when it is small enough to hold
	clusterOff int64  // byte offset of cluster 2
}

type fatRef struct {
	first   uint32
	dir     bool
	deleted bool
	size    int64
	root    bool
}

const maxFATInMemory = 64 << 20

func fatBPB(b []byte) (bps, spc, reserved, nfats, rootEntries, totSec, fatSz int64) {
	le := binary.LittleEndian
	bps, spc = int64(le.Uint16(b[11:])), int64(b[13])
	reserved, nfats, rootEntries = int64(le.Uint16(b[14:])), int64(b[16]), int64(le.Uint16(b[17:]))
	totSec = int64(le.Uint16(b[19:]))
	if totSec == 0 {
		totSec = int64(le.Uint32(b[32:]))
	}
	fatSz = int64(le.Uint16(b[22:]))
	if fatSz == 0 {
		fatSz = int64(le.Uint32(b[36:]))
	}
	return
}

func isFAT(r io.ReaderAt, size int64) bool {
	b := make([]byte, 512)
	if n, _ := r.ReadAt(b, 0); n < 512 || b[510] != 0x55 || b[511] != 0xAA || (b[0] != 0xEB && b[0] != 0xE9) {
		return false
	}
	bps, spc, reserved, nfats, _, totSec, fatSz := fatBPB(b)
	return (bps == 512 || bps == 1024 || bps == 2048 || bps == 4096) && spc > 0 && spc&(spc-1) == 0 &&
		reserved > 0 && nfats > 0 && nfats <= 4 && totSec > 0 && fatSz > 0 && string(b[3:11]) != "NTFS    "
}

func fatLabel(r io.ReaderAt) string {
	f, err := openFATWith(r, 1<<62, time.UTC)
	if err != nil {
		return "FAT"
	}
	return f.label
}

func openFAT(r io.ReaderAt, size int64, loc *time.Location) (FS, error) {
	return openFATWith(r, size, loc)
}

func openFATWith(r io.ReaderAt, size int64, loc *time.Location) (*fatFS, error) {
	b := make([]byte, 512)
	if n, _ := r.ReadAt(b, 0); n < 512 {
		return nil, fmt.Errorf("%w: FAT boot sector cut short", ErrDamaged)
	}
	bps, spc, reserved, nfats, rootEntries, totSec, fatSz := fatBPB(b)
	f := &fatFS{r: r, size: size, loc: loc, bps: bps, spc: spc}
	f.rootSects = (rootEntries*32 + bps - 1) / bps
	f.firstData = reserved + nfats*fatSz
	if f.firstData+f.rootSects >= totSec {
		return nil, fmt.Errorf("%w: FAT boot sector: the FATs and root (%d sectors) fill the volume (%d sectors)", ErrDamaged, f.firstData+f.rootSects, totSec)
	}
	f.clusters = (totSec - f.firstData - f.rootSects) / spc
	f.fatOff, f.fatBytes = reserved*bps, fatSz*bps
	f.clusterOff = (f.firstData + f.rootSects) * bps
	switch {
	case f.clusters < 4085:
		f.label = "FAT12"
	case f.clusters < 65525:
		f.label = "FAT16"
	default:
		f.label = "FAT32"
		f.rootClus = binary.LittleEndian.Uint32(b[44:])
		if rootEntries != 0 || !f.valid(f.rootClus) {
			return nil, fmt.Errorf("%w: FAT32 root directory cluster %d is not valid", ErrDamaged, f.rootClus)
		}
	}
	if need := f.entryOffset(uint32(f.clusters+1)) + 4; need > f.fatBytes {
		return nil, fmt.Errorf("%w: the FAT (%d bytes) is too small for %d clusters", ErrDamaged, f.fatBytes, f.clusters)
	}
	if f.fatBytes <= maxFATInMemory {
		f.fat = make([]byte, f.fatBytes)
		if n, _ := r.ReadAt(f.fat, f.fatOff); int64(n) < f.fatBytes {
			f.fat = f.fat[:n]
		}
	}
	return f, nil
}

func (f *fatFS) Type() string { return f.label }

func (f *fatFS) valid(c uint32) bool { return c >= 2 && int64(c) < f.clusters+2 }

func (f *fatFS) entryOffset(c uint32) int64 {
	switch f.label {
	case "FAT12":
		return int64(c) + int64(c)/2
	case "FAT16":
		return int64(c) * 2
	}
	return int64(c) * 4
}

// next returns the FAT entry of cluster c.
func (f *fatFS) next(c uint32) (uint32, error) {
	off := f.entryOffset(c)
	var b [4]byte
	if f.fat != nil && off+4 <= int64(len(f.fat)) {
		copy(b[:], f.fat[off:])
	} else if n, _ := f.r.ReadAt(b[:], f.fatOff+off); n < 2 {
		return 0, fmt.Errorf("%w: the FAT entry of cluster %d cannot be read", ErrDamaged, c)
	}
	v := binary.LittleEndian.Uint32(b[:])
	switch f.label {
	case "FAT12":
		v &= 0xFFFF
		if c&1 == 1 {
			v >>= 4
		}
		v &= 0xFFF
		if v >= 0xFF8 {
			return 0x0FFFFFFF, nil
		}
	case "FAT16":
		v &= 0xFFFF
		if v >= 0xFFF8 {
			return 0x0FFFFFFF, nil
		}
	default:
		v &= 0x0FFFFFFF
		if v >= 0x0FFFFFF8 {
			return 0x0FFFFFFF, nil
		}
	}
	return v, nil
}

func (f *fatFS) clusterBytes() int64 { return f.bps * f.spc }

// chain returns the runs of the chain from first, at most limit clusters
// (0: no limit but the volume's cluster count, so a loop ends).
func (f *fatFS) chain(first uint32, limit int64) ([]Run, string) {
	cs := f.clusterBytes()
	var runs []Run
	if limit <= 0 || limit > f.clusters {
		limit = f.clusters
	}
	c := first
	var problem string
	for n := int64(0); ; n++ {
		if !f.valid(c) {
			problem = fmt.Sprintf("the cluster chain leaves the volume (cluster %d)", c)
			break
		}
		if n >= limit {
			if limit == f.clusters {
				problem = "the cluster chain loops (longer than the volume's cluster count); cut there"
			}
			break
		}
		off, disk := n*cs, f.clusterOff+int64(c-2)*cs
		if k := len(runs); k > 0 && runs[k-1].Disk+runs[k-1].Length == disk {
			runs[k-1].Length += cs
		} else {
			runs = append(runs, Run{Offset: off, Disk: disk, Length: cs})
		}
		nx, err := f.next(c)
		if err != nil {
			problem = err.Error()
			break
		}
		if nx == 0x0FFFFFFF {
			break
		}
		if nx == 0 {
			problem = fmt.Sprintf("the cluster chain reaches free cluster %d", c)
			break
		}
		c = nx
	}
	return runs, problem
}

func (f *fatFS) Root() *Entry {
	e := &Entry{Path: "/", Inode: 2, Type: TypeDir, ref: fatRef{root: true, dir: true}}
	return e
}

func (f *fatFS) open(ref fatRef) (*runFile, string) {
	cs := f.clusterBytes()
	if ref.root && f.label != "FAT32" {
		n := f.rootSects * f.bps
		return &runFile{r: f.r, size: n, runs: []Run{{Offset: 0, Disk: f.firstData * f.bps, Length: n}}}, ""
	}
	first := ref.first
	if ref.root {
		first = f.rootClus
	}
	if first == 0 {
		return &runFile{r: f.r, size: 0}, ""
	}
	if ref.deleted {
		// The chain of a deleted file is cleared: as TSK, read the
		// clusters that follow its first one.
		n := (ref.size + cs - 1) / cs
		if !f.valid(first) || int64(first)-2+n > f.clusters {
			return &runFile{r: f.r, size: 0}, "the deleted file's clusters lie outside the volume"
		}
		return &runFile{r: f.r, size: ref.size, runs: []Run{{Offset: 0, Disk: f.clusterOff + int64(first-2)*cs, Length: n * cs}}},
			"deleted: its content is read from the clusters after its first one, which may since have been reused"
	}
	limit := int64(0)
	if !ref.dir {
		limit = (ref.size + cs - 1) / cs
	}
	runs, problem := f.chain(first, limit)
	size := ref.size
	var have int64
	for _, r := range runs {
		have += r.Length
	}
	if ref.dir {
		size = have
	} else if have < size {
		problem = strings.TrimSpace(fmt.Sprintf("%s; the chain holds %d of its %d bytes", problem, have, size))
		size = have
	}
	return &runFile{r: f.r, size: size, runs: runs}, problem
}

func (f *fatFS) Open(e *Entry, stream string) (File, error) {
	if stream != "" {
		return nil, fmt.Errorf("%w: %s has no stream %q (FAT has no named streams)", ErrNoStream, e.Path, stream)
	}
	ref, ok := e.ref.(fatRef)
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, e.Path)
	}
	rf, _ := f.open(ref)
	return rf, nil
}

// inodeOf is TSK's address of the entry at volume byte off.
func (f *fatFS) inodeOf(off int64) uint64 {
	sect := off / f.bps
	return uint64((sect-f.firstData)*(f.bps/32) + (off%f.bps)/32 + 3)
}

func (f *fatFS) List(dir *Entry, deleted bool, fn func(*Entry) error) error {
	ref, ok := dir.ref.(fatRef)
	if !ok || !ref.dir {
		return fmt.Errorf("%w: %s", ErrNotDir, dir.Path)
	}
	d, problem := f.open(ref)
	if d.size > maxDirBytes {
		return fmt.Errorf("%w: directory %s claims %d bytes", ErrDamaged, dir.Path, d.size)
	}
	var lfn []string // long-name parts, in on-disk order
	var lfnDeleted bool
	var lfnSum byte // the short-name checksum the parts carry
	buf := make([]byte, 32)
	for _, r := range d.runs {
		for o := int64(0); o+32 <= r.Length; o += 32 {
			disk := r.Disk + o
			if n, _ := f.r.ReadAt(buf, disk); n < 32 {
				return fmt.Errorf("%w: directory %s: entry at volume byte %d cannot be read", ErrDamaged, dir.Path, disk)
			}
			b := buf
			if b[0] == 0 {
				goto done
			}
			attr := b[11]
			if attr&0x3F == 0x0F { // a long-name part
				if len(lfn) < 20 {
					lfn = append(lfn, lfnPart(b))
				}
				lfnSum = b[13]
				lfnDeleted = b[0] == 0xE5
				continue
			}
			long := ""
			if len(lfn) > 0 && (b[0] == 0xE5) == lfnDeleted && (b[0] == 0xE5 || lfnChecksum(b) == lfnSum) {
				for i := len(lfn) - 1; i >= 0; i-- {
					long += lfn[i]
				}
			}
			lfn = lfn[:0]
			if attr&0x08 != 0 { // volume label
				continue
			}
			del := b[0] == 0xE5
			if del && !deleted {
				continue
			}
			short := shortName(b)
			if short == "." || short == ".." {
				continue
			}
			name := long
			if name == "" {
				name = short
			}
			e := f.entry(b, name, disk, del)
			e.Path = join(dir.Path, e.Name)
			if err := fn(e); err != nil {
				return err
			}
		}
	}
done:
	if problem != "" {
		return fmt.Errorf("%w: directory %s: %s", ErrTruncated, dir.Path, problem)
	}
	return nil
}

func lfnPart(b []byte) string {
	u := make([]uint16, 0, 13)
	for _, o := range []int{1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30} {
		c := binary.LittleEndian.Uint16(b[o:])
		if c == 0 || c == 0xFFFF {
			break
		}
		u = append(u, c)
	}
	return string(utf16.Decode(u))
}

func lfnChecksum(short []byte) byte {
	var s byte
	for i := 0; i < 11; i++ {
		s = (s>>1 | s<<7) + short[i]
	}
	return s
}

func shortName(b []byte) string {
	name := []byte(strings.TrimRight(string(b[0:8]), " "))
	ext := []byte(strings.TrimRight(string(b[8:11]), " "))
	if len(name) > 0 && name[0] == 0xE5 { // deleted: the first character is lost
		name[0] = '_'
	} else if len(name) > 0 && name[0] == 0x05 { // a first byte of E5 is stored as 05
		name[0] = 0xE5
	}
	s, x := oem(name), oem(ext)
	if b[12]&0x08 != 0 {
		s = strings.ToLower(s)
	}
	if b[12]&0x10 != 0 {
		x = strings.ToLower(x)
	}
	if x != "" {
		s += "." + x
	}
	return s
}

// oem decodes a short name's bytes as code page 850 (the volume does not
// record its code page; 850 is what DOS and Windows in Western Europe and
// mtools write).
func oem(b []byte) string {
	s, err := charmap.CodePage850.NewDecoder().Bytes(b)
	if err != nil {
		return validName(b)
	}
	return string(s)
}

func (f *fatFS) entry(b []byte, name string, disk int64, del bool) *Entry {
	le := binary.LittleEndian
	first := uint32(le.Uint16(b[26:]))
	if f.label == "FAT32" {
		first |= uint32(le.Uint16(b[20:])) << 16
	}
	dir := b[11]&0x10 != 0
	size := int64(le.Uint32(b[28:]))
	e := &Entry{Name: name, Inode: f.inodeOf(disk), Size: size, Type: TypeFile, Deleted: del,
		ref: fatRef{first: first, dir: dir, deleted: del, size: size}}
	if dir {
		e.Type = TypeDir
		e.Size = 0
		if !del {
			rf, _ := f.open(e.ref.(fatRef))
			e.Size = rf.size
		}
	}
	e.M = f.dosTime(le.Uint16(b[24:]), le.Uint16(b[22:]), 0)
	e.A = f.dosTime(le.Uint16(b[18:]), 0, 0)
	e.B = f.dosTime(le.Uint16(b[16:]), le.Uint16(b[14:]), b[13])
	if !del || !dir {
		if _, problem := f.open(e.ref.(fatRef)); problem != "" && !del {
			e.Problem = problem
		}
	}
	return e
}

// dosTime converts a FAT date and time (local time of the machine that
// wrote it: f.loc) with hundredths.
func (f *fatFS) dosTime(date, tm uint16, hundredths byte) *time.Time {
	if date == 0 {
		return nil
	}
	y, mo, d := 1980+int(date>>9), time.Month(date>>5&15), int(date&31)
	h, mi, s := int(tm>>11), int(tm>>5&63), int(tm&31)*2
	if mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59 {
		return nil
	}
	ns := int(hundredths) * 10_000_000
	t := time.Date(y, mo, d, h, mi, s, ns, f.loc).UTC()
	return &t
}

func (f *fatFS) Inode(n uint64) (*Entry, error) {
	if n == 2 {
		return f.Root(), nil
	}
	if n < 3 {
		return nil, fmt.Errorf("%w: FAT inode %d", ErrNotFound, n)
	}
	eps := uint64(f.bps / 32)
	off := (f.firstData+int64((n-3)/eps))*f.bps + int64((n-3)%eps)*32
	if off+32 > f.size {
		return nil, fmt.Errorf("%w: FAT inode %d is past the end of the volume", ErrNotFound, n)
	}
	b := make([]byte, 32)
	if k, _ := f.r.ReadAt(b, off); k < 32 || b[0] == 0 || b[11]&0x3F == 0x0F || b[11]&0x08 != 0 {
		return nil, fmt.Errorf("%w: FAT inode %d is not a file's directory entry", ErrNotFound, n)
	}
	e := f.entry(b, shortName(b), off, b[0] == 0xE5)
	return e, nil
}
