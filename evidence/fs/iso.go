package fs

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf16"
)

// ISO 9660 (ECMA-119), read directly: the primary volume descriptor, a
// Joliet supplementary descriptor when there is one, and the directory
// records (the path table is not needed). Names come from Rock Ridge (NM)
// when the image has it, else from Joliet, else the ISO names with their
// ";1" version cut. A file of several extents (ISO level 3) is one file
// with several runs. "inode" is the byte offset in the volume of the file's
// directory record, and for a directory that of its own "." record, so
// `inode:N` finds it again and a directory whose extent points back at an
// ancestor is seen as the cycle it is.

const (
	isoSector   = 2048
	isoFirstVD  = 16
	isoMaxVDs   = 64 // descriptors read before giving up on a terminator
	isoMinRec   = 34 // a directory record without its name
	isoFlagDir  = 0x02
	isoFlagMore = 0x80 // the file continues in the next record (multi-extent)
)

type isoFS struct {
	r      io.ReaderAt
	size   int64
	block  int64
	joliet bool
	rr     bool // Rock Ridge names (SUSP "NM") in the primary tree
	root   *Entry
	label  string
}

type isoRef struct {
	runs []Run
	size int64
	dir  bool
}

func isISO(r io.ReaderAt, size int64) bool {
	b := make([]byte, 7)
	if size < (isoFirstVD+1)*isoSector {
		return false
	}
	if n, _ := r.ReadAt(b, isoFirstVD*isoSector); n < 7 {
		return false
	}
	return b[0] == 1 && string(b[1:6]) == "CD001" && b[6] == 1
}

func isoLabel(io.ReaderAt) string { return "ISO9660" }

func openISO(r io.ReaderAt, size int64, _ *time.Location) (FS, error) {
	f := &isoFS{r: r, size: size}
	var pvd, svd []byte
	var pvdOff, svdOff int64
	for i := int64(0); i < isoMaxVDs; i++ {
		b := make([]byte, isoSector)
		off := (isoFirstVD + i) * isoSector
		if n, _ := r.ReadAt(b, off); n < isoSector {
			return nil, fmt.Errorf("%w: ISO 9660 volume descriptor %d at byte %d cannot be read", ErrDamaged, i, off)
		}
		if string(b[1:6]) != "CD001" {
			return nil, fmt.Errorf("%w: ISO 9660 volume descriptor %d at byte %d has no CD001 signature", ErrDamaged, i, off)
		}
		switch b[0] {
		case 1:
			if pvd == nil {
				pvd, pvdOff = b, off
			}
		case 2:
			// Joliet: UCS-2 level 1, 2 or 3 escape sequences.
			if esc := b[88:91]; svd == nil && esc[0] == '%' && esc[1] == '/' && (esc[2] == '@' || esc[2] == 'C' || esc[2] == 'E') {
				svd, svdOff = b, off
			}
		case 255:
			i = isoMaxVDs
		}
	}
	if pvd == nil {
		return nil, fmt.Errorf("%w: no ISO 9660 primary volume descriptor", ErrDamaged)
	}
	f.block = int64(binary.LittleEndian.Uint16(pvd[128:]))
	if f.block != 512 && f.block != 1024 && f.block != 2048 {
		return nil, fmt.Errorf("%w: ISO 9660 logical block size %d (512, 1024 or 2048 expected)", ErrDamaged, f.block)
	}
	f.label = strings.TrimRight(string(pvd[40:72]), " ")
	rootRec := pvd[156 : 156+34]
	// Rock Ridge: the root's "." record carries the SUSP "SP" entry.
	pe, err := f.record(rootRec, pvdOff+156, "/", false)
	if err != nil {
		return nil, err
	}
	if dot := f.dotRecord(pe); dot != nil {
		su := isoSystemUse(dot)
		f.rr = len(su) >= 7 && string(su[:2]) == "SP" && su[4] == 0xBE && su[5] == 0xEF
	}
	if !f.rr && svd != nil {
		je, err := f.record(svd[156:156+34], svdOff+156, "/", true)
		if err == nil {
			f.joliet, pe = true, je
		}
	}
	f.root = pe
	f.root.Path, f.root.Name = "/", ""
	if ref := pe.ref.(isoRef); len(ref.runs) > 0 {
		f.root.Inode = uint64(ref.runs[0].Disk)
	}
	return f, nil
}

func (f *isoFS) Type() string { return "ISO9660" }
func (f *isoFS) Root() *Entry { c := *f.root; return &c }

// dotRecord returns the raw "." record of directory e, or nil.
func (f *isoFS) dotRecord(e *Entry) []byte {
	ref, ok := e.ref.(isoRef)
	if !ok || len(ref.runs) == 0 {
		return nil
	}
	b := make([]byte, 256)
	n, _ := f.r.ReadAt(b, ref.runs[0].Disk)
	if n < isoMinRec || int(b[0]) < isoMinRec || int(b[0]) > n {
		return nil
	}
	return b[:b[0]]
}

// isoSystemUse returns the system-use area of record b.
func isoSystemUse(b []byte) []byte {
	nl := int(b[32])
	off := 33 + nl
	if nl%2 == 0 {
		off++ // the padding byte after an even-length name
	}
	if off >= len(b) {
		return nil
	}
	return b[off:]
}

// rockRidge is what a directory record's Rock Ridge entries (RRIP, in
// its System Use area) say: NM the name, TF the times, PX the POSIX mode
// and owner. Continuation areas (CE) are not followed.
type rockRidge struct {
	name    string
	hasName bool
	times   Times
	mode    uint32
	uid     int64
	gid     int64
	hasPX   bool
}

// rrTimes are TF's flags in the order its timestamps follow.
const (
	rrTFCreation   = 0x01
	rrTFModify     = 0x02
	rrTFAccess     = 0x04
	rrTFAttributes = 0x08
	rrTFLongForm   = 0x80
)

// parseRockRidge reads the Rock Ridge entries of record b.
func parseRockRidge(b []byte) rockRidge {
	su := isoSystemUse(b)
	var rr rockRidge
	var name []byte
	for len(su) >= 4 {
		l := int(su[2])
		if l < 4 || l > len(su) {
			break
		}
		e := su[:l]
		switch string(e[:2]) {
		case "NM":
			if l >= 5 && e[4]&0x06 == 0 { // not "." or ".."
				name = append(name, e[5:]...)
				rr.hasName = true
			}
		case "PX":
			if l >= 36 {
				rr.mode = binary.LittleEndian.Uint32(e[4:])
				rr.uid = int64(binary.LittleEndian.Uint32(e[20:]))
				rr.gid = int64(binary.LittleEndian.Uint32(e[28:]))
				rr.hasPX = true
			}
		case "TF":
			if l >= 5 {
				rr.times = rrTimes(e[4], e[5:])
			}
		}
		su = su[l:]
	}
	if len(name) > maxNameBytes {
		name = name[:maxNameBytes]
	}
	rr.name = string(name)
	return rr
}

// rrTimes reads the timestamps of a TF entry with flags from b: creation
// (B), modify (M), access (A) and attributes (C), in that order, then
// backup, expiration and effective (not kept); each 7 bytes, or 17 in the
// long form.
func rrTimes(flags byte, b []byte) Times {
	size := 7
	if flags&rrTFLongForm != 0 {
		size = 17
	}
	var t Times
	for _, f := range []struct {
		bit byte
		to  **time.Time
	}{{rrTFCreation, &t.B}, {rrTFModify, &t.M}, {rrTFAccess, &t.A}, {rrTFAttributes, &t.C}} {
		if flags&f.bit == 0 {
			continue
		}
		if len(b) < size {
			break
		}
		if size == 7 {
			*f.to = isoTime(b[:7])
		} else {
			*f.to = isoLongTime(b[:17])
		}
		b = b[size:]
	}
	return t
}

// isoLongTime reads the 17-byte form of ECMA-119 8.4.26.1: the digits
// YYYYMMDDHHMMSSCC and the offset from GMT in 15-minute steps; nil when
// it is all zeros or not a date.
func isoLongTime(b []byte) *time.Time {
	n := func(i, w int) int {
		v := 0
		for _, c := range b[i : i+w] {
			if c < '0' || c > '9' {
				return -1
			}
			v = v*10 + int(c-'0')
		}
		return v
	}
	y, mo, d, h, mi, se, cs := n(0, 4), n(4, 2), n(6, 2), n(8, 2), n(10, 2), n(12, 2), n(14, 2)
	if y < 1 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 59 || cs < 0 {
		return nil
	}
	off := int(int8(b[16]))
	if off < -48 || off > 52 {
		off = 0
	}
	return tp(time.Date(y, time.Month(mo), d, h, mi, se, cs*10_000_000, time.FixedZone("", off*15*60)))
}

// record turns directory record b, at volume byte off, into an entry of
// directory dirPath.
func (f *isoFS) record(b []byte, off int64, dirPath string, joliet bool) (*Entry, error) {
	if len(b) < isoMinRec || int(b[0]) < isoMinRec || int(b[0]) > len(b) {
		return nil, fmt.Errorf("%w: ISO 9660 directory record at byte %d is %d bytes long", ErrDamaged, off, len(b))
	}
	nl := int(b[32])
	if 33+nl > int(b[0]) {
		return nil, fmt.Errorf("%w: ISO 9660 directory record at byte %d has a %d-byte name that does not fit", ErrDamaged, off, nl)
	}
	raw := b[33 : 33+nl]
	var name string
	var rr rockRidge
	switch {
	case f.rr:
		rr = parseRockRidge(b[:b[0]])
		if rr.hasName {
			name = rr.name
		} else {
			name = isoName(raw)
		}
	case joliet:
		u := make([]uint16, nl/2)
		for i := range u {
			u[i] = binary.BigEndian.Uint16(raw[2*i:])
		}
		name = string(utf16.Decode(u))
		if i := strings.LastIndexByte(name, ';'); i >= 0 {
			name = name[:i]
		}
	default:
		name = isoName(raw)
	}
	name = isoValidName(name)
	lba := int64(binary.LittleEndian.Uint32(b[2:]))
	size := int64(binary.LittleEndian.Uint32(b[10:]))
	start := (lba + int64(b[1])) * f.block // the extended attribute record comes first
	e := &Entry{Name: name, Path: join(dirPath, name), Inode: uint64(off), Size: size, Type: TypeFile}
	if b[25]&isoFlagDir != 0 {
		e.Type = TypeDir
	}
	if t := isoTime(b[18:25]); t != nil {
		e.M = t
	}
	// Rock Ridge's own times and POSIX attributes, where it has them.
	for _, t := range []struct{ from, to **time.Time }{{&rr.times.M, &e.M}, {&rr.times.A, &e.A}, {&rr.times.C, &e.C}, {&rr.times.B, &e.B}} {
		if *t.from != nil {
			*t.to = *t.from
		}
	}
	if rr.hasPX {
		e.Mode, e.UID, e.GID = rr.mode&0o7777, rr.uid, rr.gid
		if rr.mode&0o170000 == 0o120000 && e.Type == TypeFile {
			e.Type = TypeLink
		}
	}
	ref := isoRef{size: size, dir: e.Type == TypeDir}
	if size > 0 {
		if start < 0 || start+size > f.size {
			e.Problem = fmt.Sprintf("its extent (bytes %d to %d) lies outside the volume (%d bytes)", start, start+size, f.size)
		} else {
			ref.runs = []Run{{Offset: 0, Disk: start, Length: size}}
		}
	}
	if e.Type == TypeDir && len(ref.runs) > 0 {
		e.Inode = uint64(start) // the directory's own "." record
	}
	e.ref = ref
	return e, nil
}

// isoName is an ISO 9660 file identifier without its version (";1") and
// without the dot of a name that has no extension.
func isoName(raw []byte) string {
	s := string(raw)
	if i := strings.LastIndexByte(s, ';'); i >= 0 {
		s = s[:i]
	}
	s = strings.TrimSuffix(s, ".")
	return s
}

// validName replaces what cannot be shown of a name (invalid UTF-8, "/").
func isoValidName(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.ReplaceAll(s, "/", "\uFF0F")
}

// isoTime reads a 7-byte recording date (years since 1900, month, day,
// hour, minute, second, offset from GMT in 15-minute units).
func isoTime(b []byte) *time.Time {
	if b[1] < 1 || b[1] > 12 || b[2] < 1 || b[2] > 31 || b[3] > 23 || b[4] > 59 || b[5] > 59 {
		return nil
	}
	off := int(int8(b[6]))
	if off < -48 || off > 52 {
		off = 0
	}
	t := time.Date(1900+int(b[0]), time.Month(b[1]), int(b[2]), int(b[3]), int(b[4]), int(b[5]), 0, time.FixedZone("", off*15*60))
	return tp(t)
}

func (f *isoFS) List(dir *Entry, deleted bool, fn func(*Entry) error) error {
	ref, ok := dir.ref.(isoRef)
	if !ok || !ref.dir {
		return fmt.Errorf("%w: %s", ErrNotDir, dir.Path)
	}
	if ref.size > maxDirBytes {
		return fmt.Errorf("%w: directory %s claims %d bytes", ErrDamaged, dir.Path, ref.size)
	}
	if len(ref.runs) == 0 {
		if dir.Problem != "" {
			return fmt.Errorf("%w: directory %s: %s", ErrDamaged, dir.Path, dir.Problem)
		}
		return nil
	}
	base := ref.runs[0].Disk
	buf := make([]byte, isoSector)
	var pending *Entry // a multi-extent file whose next extents follow
	flush := func() error {
		if pending == nil {
			return nil
		}
		e := pending
		pending = nil
		return fn(e)
	}
	index := 0
	for sec := int64(0); sec < ref.size; sec += isoSector {
		n := int(min(isoSector, ref.size-sec))
		if k, _ := f.r.ReadAt(buf[:n], base+sec); k < n {
			return fmt.Errorf("%w: directory %s: bytes at volume byte %d cannot be read", ErrDamaged, dir.Path, base+sec)
		}
		for o := 0; o < n; {
			l := int(buf[o])
			if l == 0 {
				break // the rest of the sector is padding
			}
			if l < isoMinRec || o+l > n {
				return fmt.Errorf("%w: directory %s: record at volume byte %d is %d bytes long", ErrDamaged, dir.Path, base+sec+int64(o), l)
			}
			rec := buf[o : o+l]
			off := base + sec + int64(o)
			o += l
			index++
			if rec[32] == 1 && (rec[33] == 0 || rec[33] == 1) {
				continue // "." and ".."
			}
			e, err := f.record(rec, off, dir.Path, f.joliet)
			if err != nil {
				return fmt.Errorf("%s: %w", dir.Path, err)
			}
			if pending != nil && pending.Name == e.Name && pending.Type == TypeFile {
				p := pending.ref.(isoRef)
				if r := e.ref.(isoRef); len(r.runs) > 0 && len(p.runs) < maxRuns {
					run := r.runs[0]
					run.Offset = p.size
					p.runs = append(p.runs, run)
				}
				p.size += e.Size
				pending.Size = p.size
				pending.ref = p
			} else {
				if err := flush(); err != nil {
					return err
				}
				pending = e
			}
			if rec[25]&isoFlagMore == 0 {
				if err := flush(); err != nil {
					return err
				}
			}
		}
	}
	return flush()
}

func (f *isoFS) Open(e *Entry, stream string) (File, error) {
	if stream != "" {
		return nil, fmt.Errorf("%w: %s has no stream %q (ISO 9660 has no named streams)", ErrNoStream, e.Path, stream)
	}
	ref, ok := e.ref.(isoRef)
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, e.Path)
	}
	var have int64
	for _, r := range ref.runs {
		have += r.Length
	}
	return &runFile{r: f.r, size: have, runs: ref.runs}, nil
}

// Inode reads the directory record at volume byte n (a directory's own "."
// record stands for the directory; its path is not known).
func (f *isoFS) Inode(n uint64) (*Entry, error) {
	if n == f.root.Inode {
		return f.Root(), nil
	}
	if int64(n) < 0 || int64(n)+isoMinRec > f.size {
		return nil, fmt.Errorf("%w: ISO 9660 inode %d is past the end of the volume", ErrNotFound, n)
	}
	b := make([]byte, 255)
	k, _ := f.r.ReadAt(b, int64(n))
	if k < isoMinRec || int(b[0]) < isoMinRec || int(b[0]) > k || int64(n)%isoSector+int64(b[0]) > isoSector {
		return nil, fmt.Errorf("%w: ISO 9660 inode %d is not a directory record's byte offset", ErrNotFound, n)
	}
	e, err := f.record(b[:b[0]], int64(n), "", f.joliet)
	if err != nil {
		return nil, fmt.Errorf("%w: ISO 9660 inode %d: %v", ErrNotFound, n, err)
	}
	if bytes.Equal(b[32:34], []byte{1, 0}) {
		e.Name, e.Path = "", ""
	} else {
		e.Path = ""
	}
	return e, nil
}
