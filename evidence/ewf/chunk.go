package ewf

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/adler32"
	"io"
	"sort"
)

// tableCacheSize is how many tables' entries stay in memory.
const tableCacheSize = 4

// chunkLen returns the number of media bytes in chunk i.
func (im *Image) chunkLen(i int64) int {
	return int(min(int64(im.chunkSize), im.size-i*int64(im.chunkSize)))
}

// maxStored bounds the stored size of a compressed chunk: a zlib stream of
// incompressible data grows by 5 bytes per 16 KiB block plus 6 bytes.
func (im *Image) maxStored() int64 { return int64(im.chunkSize) + int64(im.chunkSize)/1024 + 64 }

// chunkErr is an error about chunk i stored at off in seg.
func (im *Image) chunkErr(kind error, seg *segment, i, off int64, hint, format string, args ...any) *Error {
	return &Error{Kind: kind, File: seg.path, Offset: off, Chunk: i,
		What: fmt.Sprintf("(media offset %d, %d bytes): ", i*int64(im.chunkSize), im.chunkLen(i)) + fmt.Sprintf(format, args...), Remedy: hint}
}

// tableEntries returns the entries of t, reading them when not cached.
// When the table's checksum fails, its table2 copy is used if intact.
func (im *Image) tableEntries(t *table) ([]uint32, error) {
	im.mu.Lock()
	for i, c := range im.entries {
		if c.t == t {
			im.entries = append(append(im.entries[:i:i], im.entries[i+1:]...), c)
			im.mu.Unlock()
			return c.e, nil
		}
	}
	im.mu.Unlock()

	n := 4 * t.count
	if t.footer {
		n += 4
	}
	buf := make([]byte, n) // bounded: the walk checked the entries fit in the section
	var firstErr error
	for _, at := range []int64{t.entries, t.mirror} {
		if at == 0 {
			continue
		}
		if _, err := t.seg.f.ReadAt(buf, at); err != nil {
			if errors.Is(err, io.EOF) {
				return nil, errAt(ErrFormat, t.seg.path, t.off, hintTruncated, "the table of chunks %d to %d runs past the end of the file, which was %d bytes when the image was opened", t.first, t.first+t.count-1, t.seg.size)
			}
			return nil, fmt.Errorf("ewf: read %s at %d: %w", t.seg.path, at, err)
		}
		if t.footer {
			got, want := adler32.Checksum(buf[:4*t.count]), binary.LittleEndian.Uint32(buf[4*t.count:])
			if got != want {
				if firstErr == nil {
					firstErr = errAt(ErrChecksum, t.seg.path, t.off, hintDamaged,
						"the table of chunks %d to %d has checksum %#08x, its entries give %#08x, and there is no intact table2 copy", t.first, t.first+t.count-1, want, got)
				}
				continue
			}
		}
		e := make([]uint32, t.count)
		for i := range e {
			e[i] = binary.LittleEndian.Uint32(buf[4*i:])
		}
		im.mu.Lock()
		im.entries = append(im.entries, cachedTable{t, e})
		if len(im.entries) > tableCacheSize {
			im.entries = im.entries[1:]
		}
		im.mu.Unlock()
		return e, nil
	}
	return nil, firstErr
}

// location is where a chunk is stored.
type location struct {
	seg        *segment
	off        int64
	size       int64 // bytes up to the next chunk or the end of the section
	compressed bool
	last       bool // the last entry of its table: size may include slack
}

// locate finds chunk i.
func (im *Image) locate(i int64) (location, error) {
	k := sort.Search(len(im.tables), func(k int) bool { return im.tables[k].first+im.tables[k].count > i })
	if i < 0 || k == len(im.tables) {
		return location{}, fmt.Errorf("ewf: chunk %d out of range (the image has %d)", i, im.chunkCount)
	}
	t := im.tables[k]
	e, err := im.tableEntries(t)
	if err != nil {
		return location{}, err
	}
	j := i - t.first
	const offsetMask = compressedFlag - 1
	loc := location{seg: t.seg, off: t.base + int64(e[j]&offsetMask), compressed: e[j]&compressedFlag != 0, last: j+1 == int64(len(e))}
	sp, ok := t.seg.spanAt(loc.off)
	if !ok {
		return loc, im.chunkErr(ErrFormat, t.seg, i, loc.off, hintDamaged, "the table at offset %d places the chunk outside any sectors section", t.off)
	}
	end := sp.end
	if !loc.last {
		next := t.base + int64(e[j+1]&offsetMask)
		if next <= loc.off {
			return loc, im.chunkErr(ErrFormat, t.seg, i, loc.off, hintDamaged, "the table at offset %d is out of order: the next chunk starts at %d", t.off, next)
		}
		end = min(end, next)
	}
	loc.size = end - loc.off
	return loc, nil
}

// decoder holds per-goroutine buffers for decoding chunks.
type decoder struct {
	raw []byte
	br  bytes.Reader
	zr  io.ReadCloser
	one [1]byte
}

func (im *Image) decoder() *decoder {
	if d, ok := im.decoders.Get().(*decoder); ok {
		return d
	}
	return &decoder{}
}

// decodeChunk reads chunk i into out (capacity at least ChunkSize+4) and
// verifies it. It returns the decoded bytes: normally chunkLen(i) of them,
// more when a last chunk holds bytes beyond the declared media.
func (im *Image) decodeChunk(d *decoder, i int64, out []byte) ([]byte, error) {
	loc, err := im.locate(i)
	if err != nil {
		return nil, err
	}
	stored, err := im.storedLen(loc, i)
	if err != nil {
		return nil, err
	}
	var raw []byte
	if loc.compressed {
		if int64(cap(d.raw)) < stored {
			d.raw = make([]byte, stored) // bounded by maxStored
		}
		raw = d.raw[:stored]
	} else {
		raw = out[:stored] // checked where it was read
	}
	if err := im.readStored(loc, i, raw); err != nil {
		return nil, err
	}
	return im.decodeStored(d, loc, i, raw, out)
}

// storedLen returns how many bytes from loc.off chunk i's stored form
// takes: the compressed stream (at most maxStored), or the data and its
// Adler-32.
func (im *Image) storedLen(loc location, i int64) (int64, error) {
	if !loc.compressed {
		want := im.chunkLen(i)
		if loc.size < int64(want)+4 {
			return 0, im.chunkErr(ErrFormat, loc.seg, i, loc.off, hintDamaged, "the table gives the uncompressed chunk %d bytes, but it needs %d and a 4-byte checksum", loc.size, want)
		}
		// The data is normally exactly the chunk; a last chunk may hold more
		// (a source that was not a whole number of sectors, or padding).
		return min(loc.size, int64(im.chunkSize)+4), nil
	}
	if loc.size > im.maxStored() {
		if !loc.last {
			return 0, im.chunkErr(ErrFormat, loc.seg, i, loc.off, hintDamaged, "the table gives the compressed chunk %d bytes, more than a %d-byte chunk can compress to", loc.size, im.chunkSize)
		}
		return im.maxStored(), nil // the end of the section may lie further on
	}
	return loc.size, nil
}

// decodeStored verifies chunk i from its stored bytes raw (storedLen of
// them) and returns the media bytes: an uncompressed chunk's are a part of
// raw, a compressed chunk's are inflated into out (capacity at least
// ChunkSize).
func (im *Image) decodeStored(d *decoder, loc location, i int64, raw, out []byte) ([]byte, error) {
	if !loc.compressed {
		return im.checkRaw(loc, i, raw)
	}
	var err error
	d.br.Reset(raw)
	if d.zr == nil {
		d.zr, err = zlib.NewReader(&d.br)
	} else {
		err = d.zr.(zlib.Resetter).Reset(&d.br, nil)
	}
	if err != nil {
		return nil, im.chunkErr(ErrChecksum, loc.seg, i, loc.off, hintDamaged, "the compressed chunk is damaged: %v", err)
	}
	want := im.chunkLen(i)
	n, err := io.ReadFull(d.zr, out[:im.chunkSize])
	switch {
	case err == nil:
		// Filled a whole chunk: the stream must end here, and ending it
		// checks its Adler-32.
		if m, err := d.zr.Read(d.one[:]); m > 0 {
			return nil, im.chunkErr(ErrChecksum, loc.seg, i, loc.off, hintDamaged, "the compressed chunk decompresses to more than the %d-byte chunk size", im.chunkSize)
		} else if err != io.EOF {
			return nil, im.chunkErr(ErrChecksum, loc.seg, i, loc.off, hintDamaged, "the compressed chunk is damaged: %v", readErr(err))
		}
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		// The stream ended, its Adler-32 checked.
	default:
		return nil, im.chunkErr(ErrChecksum, loc.seg, i, loc.off, hintDamaged, "the compressed chunk is damaged: %v", readErr(err))
	}
	if n < want {
		return nil, im.chunkErr(ErrChecksum, loc.seg, i, loc.off, hintDamaged, "the compressed chunk decompresses to %d bytes, the chunk holds %d", n, want)
	}
	return out[:n], nil
}

// readErr names zlib's and flate's errors the way a person reads them.
func readErr(err error) error {
	switch {
	case err == nil:
		return io.ErrUnexpectedEOF
	case errors.Is(err, zlib.ErrChecksum):
		return errors.New("its zlib Adler-32 does not match the decompressed data")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("the zlib stream ends early")
	}
	return err
}

// checkRaw verifies an uncompressed chunk's stored bytes buf: its data and
// then the Adler-32 of the data.
func (im *Image) checkRaw(loc location, i int64, buf []byte) ([]byte, error) {
	want := im.chunkLen(i)
	n := len(buf) - 4
	sum, got := binary.LittleEndian.Uint32(buf[n:]), adler32.Checksum(buf[:n])
	if got == sum {
		return buf[:n], nil
	}
	if n != want && adler32.Checksum(buf[:want]) == binary.LittleEndian.Uint32(buf[want:]) {
		return buf[:want], nil
	}
	return nil, im.chunkErr(ErrChecksum, loc.seg, i, loc.off, hintDamaged, "the chunk's stored Adler-32 %#08x does not match its data's %#08x", sum, got)
}

// readStored reads a chunk's stored bytes, which must lie inside the file.
func (im *Image) readStored(loc location, i int64, buf []byte) error {
	if _, err := loc.seg.f.ReadAt(buf, loc.off); err != nil {
		if errors.Is(err, io.EOF) {
			return im.chunkErr(ErrFormat, loc.seg, i, loc.off, hintTruncated, "the chunk runs past the end of the file (%d bytes)", loc.seg.size)
		}
		return fmt.Errorf("ewf: read chunk %d from %s at %d: %w", i, loc.seg.path, loc.off, err)
	}
	return nil
}
