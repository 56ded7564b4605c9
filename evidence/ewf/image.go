package ewf

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/adler32"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"sort"
	"sync"
)

// Image is an opened EWF image: all its segment files, read-only. It is
// safe for concurrent use; ReadAt may be called from many goroutines.
type Image struct {
	segs       []*segment
	tables     []*table // in chunk order
	size       int64
	chunkSize  int
	chunkCount int64
	md5, sha1  string
	header     map[string]string
	notes      []string

	decoders sync.Pool // *decoder

	mu      sync.Mutex
	entries []cachedTable // most recently used last
	last    cachedChunk   // the chunk ReadAt decoded last

	closeOnce sync.Once
	closed    chan struct{}
}

// segment is one segment file.
type segment struct {
	path  string
	f     *os.File
	size  int64
	spans []span // where chunk data may lie, in file order
}

// span is a byte range [start, end) of a segment file.
type span struct{ start, end int64 }

// spanAt returns the span holding off.
func (s *segment) spanAt(off int64) (span, bool) {
	i := sort.Search(len(s.spans), func(i int) bool { return s.spans[i].end > off })
	if i < len(s.spans) && s.spans[i].start <= off {
		return s.spans[i], true
	}
	return span{}, false
}

// table is one table section: where count consecutive chunks are stored.
type table struct {
	seg     *segment
	off     int64 // the table section's descriptor
	first   int64 // chunk number of the first entry
	count   int64
	base    int64 // entries are relative to this file offset
	entries int64 // file offset of the entry array
	mirror  int64 // file offset of the table2 copy's entry array, 0 when none
	footer  bool  // the entries are followed by their Adler-32
}

type cachedTable struct {
	t *table
	e []uint32
}

type cachedChunk struct {
	idx  int64
	data []byte // nil when empty
}

// Open opens the EWF image whose first segment is path (normally a .E01
// file) read-only, finds the other segments next to it (.E02, … .E99,
// .EAA, …), and checks the structure of every segment: file headers,
// section descriptors and their checksums, the volume geometry and the
// tables' headers. Chunk data and table entries are checked when read.
func Open(path string) (*Image, error) {
	im := &Image{closed: make(chan struct{}), header: map[string]string{}}
	w := &walker{im: im}
	ok := false
	defer func() {
		if !ok {
			im.Close()
		}
	}()
	cur := path
	for n := 1; ; n++ {
		seg, err := openSegment(cur, n)
		if err != nil {
			return nil, err
		}
		im.segs = append(im.segs, seg)
		end, err := w.walk(seg)
		if err != nil {
			return nil, err
		}
		if end == "done" {
			if _, stray := findSegment(path, n+1); stray != "" {
				w.note("%s lies next to the image, but the image ends in %s; it was not read", stray, filepath.Base(seg.path))
			}
			break
		}
		want, found := findSegment(path, n+1)
		if found == "" {
			return nil, w.missing(seg, n+1, want)
		}
		cur = found
	}
	if err := w.finish(); err != nil {
		return nil, err
	}
	ok = true
	return im, nil
}

// openSegment opens segment file n and checks its file header.
func openSegment(path string, n int) (*segment, error) {
	// Read-only; on Linux without updating the access time either, when
	// the file's owner and file system allow it.
	f, err := os.OpenFile(path, os.O_RDONLY|noatime, 0)
	if err != nil && noatime != 0 {
		f, err = os.OpenFile(path, os.O_RDONLY, 0)
	}
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) && n > 1 {
			return nil, &Error{Kind: ErrMissingSegment, File: path, Offset: -1, Chunk: -1, What: "the segment file vanished", Remedy: "put all segment files of the image in one folder"}
		}
		return nil, fmt.Errorf("ewf: open segment %d: %w", n, err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("ewf: open segment %d: %w", n, err)
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, errAt(ErrFormat, path, -1, "name the image's first segment file (.E01)", "not a regular file")
	}
	s := &segment{path: path, f: f, size: fi.Size()}
	hdr := make([]byte, fileHeaderSize)
	if _, err := f.ReadAt(hdr, 0); err != nil {
		f.Close()
		if errors.Is(err, io.EOF) {
			return nil, errAt(ErrFormat, path, 0, hintTruncated, "the file is %d bytes, shorter than an EWF file header", s.size)
		}
		return nil, fmt.Errorf("ewf: read %s: %w", path, err)
	}
	fail := func(kind error, hint, format string, args ...any) (*segment, error) {
		f.Close()
		return nil, errAt(kind, path, 0, hint, format, args...)
	}
	switch string(hdr[:sigBytes]) {
	case sigEWF1:
	case sigLVF:
		return fail(ErrUnsupported, "export the files with EnCase or ewfexport, or mount the L01 with ewfmount, and ingest them as files",
			"this is an EWF-L01 logical evidence file (a collection of files, not a disk image), which Custodia does not read")
	case sigEVF2, sigLEF2:
		return fail(ErrUnsupported, "convert it to E01 or raw with ewfexport (libewf 2016 or later) or EnCase, and ingest that",
			"this is an EWF2 (Ex01/Lx01, EnCase 7 and later) image, which Custodia does not read")
	default:
		return fail(ErrFormat, hintNotEWF, "no EWF signature at the start of the file")
	}
	if got := int(binary.LittleEndian.Uint16(hdr[9:11])); got != n {
		if n == 1 {
			return fail(ErrFormat, "open the image by its first segment (.E01)", "this is segment %d of an image, not the first", got)
		}
		return fail(ErrFormat, "the segment files were renamed or mixed up with another image's: restore their original names",
			"the file header says segment %d, but it was found in the place of segment %d", got, n)
	}
	return s, nil
}

// walker reads the sections of each segment in turn.
type walker struct {
	im      *Image
	vol     *volume
	volAt   string // file and offset of the first volume section, for messages
	chunks  int64  // table entries so far
	headers []rawHeader
	hashMD5 string
	digMD5  string
	digSHA1 string
	xhash   []rawHeader
}

// walk reads one segment's sections, returning the type of the last one
// ("next" or "done").
func (w *walker) walk(s *segment) (string, error) {
	off := int64(fileHeaderSize)
	buf := make([]byte, descriptorSize)
	var prevTable *table // the previous section, when it was a table (table2 mirrors it)
	sawSectors := false
	for {
		if off > s.size-descriptorSize {
			if off == s.size {
				return "", errAt(ErrFormat, s.path, off, hintTruncated, "the file ends without a 'done' or 'next' section")
			}
			return "", errAt(ErrFormat, s.path, off, hintTruncated, "a section descriptor starts here but the file is only %d bytes", s.size)
		}
		if _, err := s.f.ReadAt(buf, off); err != nil {
			return "", fmt.Errorf("ewf: read %s at %d: %w", s.path, off, err)
		}
		d, err := parseDescriptor(buf, s.path, off)
		if err != nil {
			return "", err
		}
		if d.typ == "done" || d.typ == "next" {
			// The next offset points at the section itself (EnCase) or just
			// past it (EWF/SMART); nothing follows either way.
			if rest := s.size - off - descriptorSize; rest > 0 {
				w.note("%s: %d bytes follow the '%s' section at offset %d and were ignored", s.path, rest, d.typ, off)
			}
			return d.typ, nil
		}
		if d.next < off+descriptorSize {
			return "", errAt(ErrFormat, s.path, off, hintDamaged, "section %q says the next section starts at %d, inside or before itself", d.typ, d.next)
		}
		if d.next > s.size {
			return "", errAt(ErrFormat, s.path, off, hintTruncated, "section %q says the next section starts at %d, but the file is only %d bytes", d.typ, d.next, s.size)
		}
		if d.size != 0 && d.size != d.next-off {
			// Reading by size and by next offset must agree, or one file
			// could hold two different images (libewf's "dual image").
			return "", errAt(ErrFormat, s.path, off, hintDamaged, "section %q is %d bytes by its size field but %d by its next-section offset", d.typ, d.size, d.next-off)
		}
		data, dataLen := off+descriptorSize, d.next-off-descriptorSize
		isTable := false
		switch d.typ {
		case "header", "header2", "xheader", "xhash":
			b, err := readSmall(s, d, data, dataLen)
			if err != nil {
				return "", err
			}
			if d.typ == "xhash" {
				w.xhash = append(w.xhash, rawHeader{typ: d.typ, data: b, file: s.path, off: off})
			} else {
				w.headers = append(w.headers, rawHeader{typ: d.typ, data: b, file: s.path, off: off})
			}
		case "volume", "disk", "data":
			b, err := readSmall(s, d, data, min(dataLen, volumeSizeEnCase))
			if err != nil {
				return "", err
			}
			v, err := parseVolume(b, s.path, off)
			if err != nil {
				return "", err
			}
			if w.vol == nil {
				w.vol, w.volAt = &v, fmt.Sprintf("%s at offset %d", s.path, off)
			} else if !w.vol.sameGeometry(v) {
				return "", errAt(ErrFormat, s.path, off, "the segment files were mixed up with another image's: find the matching segments",
					"this %s section describes other media (%d chunks of %d sectors, %d sectors) than the volume section in %s (%d chunks of %d sectors, %d sectors)",
					d.typ, v.chunks, v.sectorsPerChk, v.sectors, w.volAt, w.vol.chunks, w.vol.sectorsPerChk, w.vol.sectors)
			}
		case "sectors":
			s.spans = append(s.spans, span{data, d.next})
			sawSectors = true
		case "table", "table2":
			t, err := w.table(s, d, data, dataLen, sawSectors)
			if err != nil {
				return "", err
			}
			switch {
			case d.typ == "table2" && prevTable != nil && t.count == prevTable.count && t.base == prevTable.base:
				prevTable.mirror = t.entries
			case d.typ == "table2" && prevTable != nil:
				w.note("%s: the table2 section at offset %d does not mirror the table before it (%d entries, not %d); it was ignored", s.path, off, t.count, prevTable.count)
			case t.count > 0:
				t.first = w.chunks
				w.chunks += t.count
				w.im.tables = append(w.im.tables, t)
				if !t.footer {
					// EWF/SMART and EnCase 1: the chunks follow the entries
					// inside the table section.
					s.spans = append(s.spans, span{t.entries + 4*t.count, d.next})
				}
				prevTable, isTable = t, true
			}
		case "hash":
			b, err := readSmall(s, d, data, min(dataLen, hashSize))
			if err != nil {
				return "", err
			}
			if w.hashMD5, err = parseHash(b, s.path, off); err != nil {
				return "", err
			}
		case "digest":
			b, err := readSmall(s, d, data, min(dataLen, digestSize))
			if err != nil {
				return "", err
			}
			if w.digMD5, w.digSHA1, err = parseDigest(b, s.path, off); err != nil {
				return "", err
			}
		case "error2":
			w.error2(s, d, data, dataLen)
		case "ltree", "ltypes", "map":
			return "", errAt(ErrUnsupported, s.path, off, "export the files with EnCase or ewfexport and ingest them as files",
				"a %q section: this is logical evidence (a collection of files), which Custodia does not read as a disk image", d.typ)
		case "session":
			// Optical disc sessions; the media bytes are read the same way.
		case "incomplete":
			w.note("%s: an 'incomplete' section at offset %d: the acquiring tool marked the acquisition as incomplete", s.path, off)
		default:
			w.note("%s: unknown section type %q at offset %d was skipped", s.path, d.typ, off)
		}
		if !isTable {
			prevTable = nil
		}
		off = d.next
	}
}

// readSmall reads the first n bytes of a section's data.
func readSmall(s *segment, d descriptor, data, n int64) ([]byte, error) {
	if n > maxSection {
		return nil, errAt(ErrFormat, s.path, d.off, hintDamaged, "section %q claims %d bytes, implausibly many for its type", d.typ, n)
	}
	b := make([]byte, n)
	if _, err := s.f.ReadAt(b, data); err != nil {
		return nil, fmt.Errorf("ewf: read %s at %d: %w", s.path, data, err)
	}
	return b, nil
}

// table reads a table or table2 section's header.
func (w *walker) table(s *segment, d descriptor, data, dataLen int64, afterSectors bool) (*table, error) {
	if dataLen < tableHeaderSize {
		return nil, errAt(ErrFormat, s.path, d.off, hintDamaged, "%s section holds %d bytes, too few for its header", d.typ, dataLen)
	}
	b, err := readSmall(s, d, data, tableHeaderSize)
	if err != nil {
		return nil, err
	}
	th, err := parseTableHeader(b, s.path, d.off)
	if err != nil {
		return nil, err
	}
	t := &table{seg: s, off: d.off, count: int64(th.count), entries: data + tableHeaderSize, footer: afterSectors}
	need := tableHeaderSize + 4*t.count
	if t.footer {
		need += 4
	}
	if need > dataLen {
		return nil, errAt(ErrFormat, s.path, d.off, hintDamaged, "%s section claims %d entries, but holds room for %d", d.typ, t.count, max(0, (dataLen-tableHeaderSize)/4))
	}
	if th.base > uint64(s.size) {
		return nil, errAt(ErrFormat, s.path, d.off, hintDamaged, "%s section's base offset %d is past the end of the file (%d bytes)", d.typ, th.base, s.size)
	}
	t.base = int64(th.base)
	return t, nil
}

// error2 records the sectors the acquiring tool could not read.
func (w *walker) error2(s *segment, d descriptor, data, dataLen int64) {
	if dataLen < error2HeaderSize {
		w.note("%s: the error2 section at offset %d is too short to read; the acquiring tool recorded read errors that cannot be listed", s.path, d.off)
		return
	}
	b, err := readSmall(s, d, data, error2HeaderSize)
	if err != nil || binary.LittleEndian.Uint32(b[516:520]) != adler32.Checksum(b[:516]) {
		w.note("%s: the error2 section at offset %d is damaged; the acquiring tool recorded read errors that cannot be listed", s.path, d.off)
		return
	}
	n := int64(binary.LittleEndian.Uint32(b[0:4]))
	if n > (dataLen-error2HeaderSize)/8 {
		w.note("%s: the error2 section at offset %d claims %d read errors, more than it holds", s.path, d.off, n)
		return
	}
	w.note("the acquiring tool could not read %d range(s) of sectors (error2 section in %s); those sectors hold zeros in the image, not the original data", n, s.path)
}

func (w *walker) note(format string, args ...any) {
	if len(w.im.notes) < 100 {
		w.im.notes = append(w.im.notes, fmt.Sprintf(format, args...))
	}
}

// missing is the error for a segment that ends with 'next' when the
// following segment file is absent.
func (w *walker) missing(seg *segment, n int, want string) error {
	what := fmt.Sprintf("the image continues in segment %d", n)
	if want != "" {
		what += fmt.Sprintf(" (%s)", filepath.Base(want))
	}
	what += ", which is not next to it"
	if w.vol != nil {
		what += fmt.Sprintf("; the segments found hold %d of the %d chunks the image declares", w.chunks, w.vol.chunks)
	}
	hint := "put all segment files of the image (.E01, .E02, …) in one folder and open the .E01"
	if want == "" {
		hint = "the next segment's name cannot be derived because this file does not end in .E01: restore the original file names"
	}
	return &Error{Kind: ErrMissingSegment, File: seg.path, Offset: -1, Chunk: -1, What: "the file ends with a 'next' section: " + what, Remedy: hint}
}

// finish checks the image as a whole once every segment was walked.
func (w *walker) finish() error {
	im := w.im
	first := im.segs[0].path
	if w.vol == nil {
		return errAt(ErrFormat, first, -1, hintDamaged, "no volume, disk or data section: the media geometry is unknown")
	}
	v := *w.vol
	if v.bytesPerSector == 0 || v.sectorsPerChk == 0 {
		return errAt(ErrFormat, first, -1, hintDamaged, "the volume section gives %d bytes per sector and %d sectors per chunk", v.bytesPerSector, v.sectorsPerChk)
	}
	var stored int64
	for _, s := range im.segs {
		stored += s.size
	}
	chunkSize := uint64(v.sectorsPerChk) * uint64(v.bytesPerSector)
	if chunkSize > maxChunkSize || chunkSize/maxRatio > uint64(stored) {
		return errAt(ErrFormat, first, -1, hintDamaged, "the volume section gives a chunk size of %d bytes (%d sectors of %d bytes), implausible for %d bytes of segment files",
			chunkSize, v.sectorsPerChk, v.bytesPerSector, stored)
	}
	if v.sectors > math.MaxInt64/uint64(v.bytesPerSector) || v.sectors*uint64(v.bytesPerSector)/maxRatio > uint64(stored) {
		return errAt(ErrFormat, first, -1, hintDamaged, "the volume section declares %d sectors of %d bytes, more media than %d bytes of segment files can hold",
			v.sectors, v.bytesPerSector, stored)
	}
	im.size = int64(v.sectors) * int64(v.bytesPerSector)
	im.chunkSize = int(chunkSize)
	im.chunkCount = (im.size + int64(chunkSize) - 1) / int64(chunkSize)
	if int64(v.chunks) != im.chunkCount {
		return errAt(ErrFormat, first, -1, hintDamaged, "the volume section declares %d chunks, but %d sectors of %d bytes in chunks of %d sectors make %d",
			v.chunks, v.sectors, v.bytesPerSector, v.sectorsPerChk, im.chunkCount)
	}
	if w.chunks != im.chunkCount {
		return errAt(ErrFormat, im.segs[len(im.segs)-1].path, -1, hintDamaged, "the tables of all %d segment file(s) list %d chunks, but the volume declares %d",
			len(im.segs), w.chunks, im.chunkCount)
	}

	im.md5, im.sha1 = w.digMD5, w.digSHA1
	if im.md5 == "" {
		im.md5 = w.hashMD5
	} else if w.hashMD5 != "" && w.hashMD5 != im.md5 {
		w.note("the image stores two different MD5s: %s in its digest section and %s in its hash section; the digest section's is used", im.md5, w.hashMD5)
	}
	xmd5, xsha1 := parseXHash(w.xhash, w.note)
	switch {
	case im.md5 == "":
		im.md5 = xmd5
	case xmd5 != "" && xmd5 != im.md5:
		w.note("the image stores two different MD5s: %s and %s in its xhash section", im.md5, xmd5)
	}
	switch {
	case im.sha1 == "":
		im.sha1 = xsha1
	case xsha1 != "" && xsha1 != im.sha1:
		w.note("the image stores two different SHA-1s: %s and %s in its xhash section", im.sha1, xsha1)
	}
	im.header = parseHeaders(w.headers, w.note)

	// Look at the last chunk now: a source that was not a whole number of
	// sectors leaves more bytes in it than the volume declares (ewfacquire
	// stores them and hashes them, but reports whole sectors only).
	if im.chunkCount > 0 {
		last := im.chunkCount - 1
		d := im.decoder()
		data, err := im.decodeChunk(d, last, make([]byte, im.chunkSize+4))
		im.decoders.Put(d)
		if want := im.chunkLen(last); err == nil && len(data) > want {
			w.note("the last chunk holds %d bytes more than the %d-byte media the volume declares (the source was probably not a whole number of %d-byte sectors); "+
				"those bytes are not part of the media read here, and hashes the acquiring tool computed over them will not match", len(data)-want, im.size, v.bytesPerSector)
		}
	}
	return nil
}

// Size returns the media size in bytes: sectors × bytes per sector.
func (im *Image) Size() int64 { return im.size }

// ChunkSize returns the size of a chunk in bytes.
func (im *Image) ChunkSize() int { return im.chunkSize }

// Segments returns the segment file paths in order.
func (im *Image) Segments() []string {
	out := make([]string, len(im.segs))
	for i, s := range im.segs {
		out[i] = s.path
	}
	return out
}

// StoredMD5 returns the MD5 of the media the acquiring tool stored in the
// image (lower-case hex), or "" when it stored none.
func (im *Image) StoredMD5() string { return im.md5 }

// StoredSHA1 returns the SHA-1 the acquiring tool stored, or "" when none.
func (im *Image) StoredSHA1() string { return im.sha1 }

// Header returns the case metadata the acquiring tool stored, under these
// keys when present and not empty: case_number, evidence_number,
// description, examiner, notes, acquisition_date, system_date (RFC 3339
// UTC when the image gives an absolute time), tool, tool_version, os,
// model, serial, device_label. The map is a copy.
func (im *Image) Header() map[string]string {
	out := make(map[string]string, len(im.header))
	for k, v := range im.header {
		out[k] = v
	}
	return out
}

// Notes returns what a person should know about the image that did not
// stop it from opening: sectors the acquiring tool could not read,
// conflicting stored hashes, damaged header copies, ignored sections.
func (im *Image) Notes() []string { return append([]string(nil), im.notes...) }

// Close closes the segment files and stops any Reader's read-ahead.
func (im *Image) Close() error {
	var first error
	im.closeOnce.Do(func() {
		close(im.closed)
		for _, s := range im.segs {
			if err := s.f.Close(); err != nil && first == nil {
				first = err
			}
		}
	})
	return first
}
