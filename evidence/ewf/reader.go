package ewf

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"

	"github.com/custodia-dfir/custodia/evidence/internal/ordered"
)

// ReadAt reads media bytes at off, implementing io.ReaderAt. Every chunk
// it touches is verified; a damaged one is an *Error naming the segment
// file, the chunk and the offsets. ReadAt is safe for concurrent use.
func (im *Image) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("ewf: negative offset %d", off)
	}
	n := 0
	for n < len(p) {
		if off >= im.size {
			return n, io.EOF
		}
		i := off / int64(im.chunkSize)
		data, err := im.chunk(i)
		if err != nil {
			return n, err
		}
		k := copy(p[n:], data[off-i*int64(im.chunkSize):])
		n += k
		off += int64(k)
	}
	return n, nil
}

// chunk returns the verified media bytes of chunk i (chunkLen(i) of them),
// from the one-chunk cache when ReadAt read it last. The slice is shared
// and must not be changed.
func (im *Image) chunk(i int64) ([]byte, error) {
	select {
	case <-im.closed:
		return nil, os.ErrClosed
	default:
	}
	im.mu.Lock()
	last := im.last
	im.mu.Unlock()
	if last.data != nil && last.idx == i {
		return last.data, nil
	}
	d := im.decoder()
	defer im.decoders.Put(d)
	data, err := im.decodeChunk(d, i, make([]byte, im.chunkSize+4))
	if err != nil {
		return nil, err
	}
	data = data[:im.chunkLen(i)]
	im.mu.Lock()
	im.last = cachedChunk{idx: i, data: data}
	im.mu.Unlock()
	return data, nil
}

// Tee receives the raw bytes of an image's segment files as Stream reads
// them: segment is the file's index in Segments(), raw the next bytes of
// that file, in file order. raw stays valid until release is called, which
// the tee must do exactly once, from any goroutine, when it no longer needs
// raw; the stream reuses the buffer afterwards. Stream has a few such
// buffers, so a tee that holds them stops the stream until it releases one.
type Tee func(segment int, raw []byte, release func())

// Reader returns a sequential reader of the media from the start; it is
// Stream(nil).
func (im *Image) Reader() io.Reader { return im.Stream(nil) }

// Stream returns a sequential reader of the media from the start. It reads
// each segment file exactly once, in order, from its first byte to its
// last, including the sections that hold no media, and hands everything it
// reads to tee (when not nil), so that one pass over the files both hashes
// them and yields the media. The chunks it passes are decoded and verified
// on several goroutines ahead of the reads, with a bounded amount in memory
// (streamBlocks read buffers of streamBlockSize, and about 16 MiB of chunks,
// never fewer than four whatever the chunk size). A damaged chunk stops it
// with an *Error once the bytes before it were read. It returns io.EOF only
// once the last segment file was read to its end and handed to tee. Read
// the stream to the end or close the image; an abandoned stream's
// goroutines stop only when the image is closed.
//
// Bytes read outside the pass are few: Open reads the structure (file
// headers, section descriptors, header, volume, table headers, hash and
// digest sections) and the last chunk, and a table's entries (4 bytes per
// chunk) are read when the stream reaches the table's first chunk, because
// a table follows the chunks it lists. A chunk stored before the place the
// pass has reached — only in an image whose tables list chunks out of file
// order — is read again with ReadAt.
func (im *Image) Stream(tee Tee) io.Reader {
	return &stream{im: im, tee: tee}
}

// Read buffers of a Stream.
const (
	streamBlockSize = 1 << 20
	streamBlocks    = 4
)

// readAheadBytes bounds the chunks decoded ahead of the reader.
const readAheadBytes = 16 << 20

type stream struct {
	im      *Image
	tee     Tee
	started bool
	results <-chan decoded
	stop    context.CancelFunc
	free    chan []byte // chunk buffers, stored or decoded
	cur     decoded
	pos     int
	err     error
}

// stored is one chunk's stored bytes on their way to a decoder.
type stored struct {
	i   int64
	loc location
	buf []byte // from free; raw is buf[:n]
	n   int64
	err error // instead of the chunk: what stops the stream here

	partial bool // some of it was copied from a block
}

type decoded struct {
	buf  []byte // the buffer to return to free, nil when none
	data []byte
	err  error
}

func (r *stream) start() {
	im := r.im
	workers := min(runtime.GOMAXPROCS(0), 4)
	window := max(2, min(4*workers, readAheadBytes/im.chunkSize))
	ctx, cancel := context.WithCancel(context.Background())
	r.stop = cancel
	go func() {
		select {
		case <-im.closed:
			cancel()
		case <-ctx.Done():
		}
	}()
	// Enough buffers for every holder at once: the window and the two
	// values ordered.Map holds beyond it, a decoder's second buffer per
	// worker, the reader's current chunk and the one being filled.
	r.free = make(chan []byte, window+2*workers+4)
	for range cap(r.free) {
		r.free <- nil // allocated on first use
	}
	chunks := make(chan stored)
	go r.produce(ctx, chunks)
	r.results = ordered.Map(ctx, chunks, workers, window, func(c stored) decoded {
		if c.err != nil {
			return decoded{buf: c.buf, err: c.err}
		}
		d := im.decoder()
		defer im.decoders.Put(d)
		raw := c.buf[:c.n]
		if !c.loc.compressed {
			data, err := im.decodeStored(d, c.loc, c.i, raw, nil)
			if err == nil {
				data = data[:im.chunkLen(c.i)]
			}
			return decoded{buf: c.buf, data: data, err: err}
		}
		out, ok := r.buffer(ctx)
		if !ok {
			return decoded{buf: c.buf, err: os.ErrClosed}
		}
		data, err := im.decodeStored(d, c.loc, c.i, raw, out)
		r.free <- c.buf
		if err == nil {
			data = data[:im.chunkLen(c.i)]
		}
		return decoded{buf: out, data: data, err: err}
	})
}

// buffer takes a chunk buffer from the free list, false once ctx ended.
func (r *stream) buffer(ctx context.Context) ([]byte, bool) {
	select {
	case b := <-r.free:
		if b == nil {
			b = make([]byte, r.im.maxStored()) // holds any stored or decoded chunk
		}
		return b, true
	case <-ctx.Done():
		return nil, false
	}
}

// produce reads the segment files in order, each from start to end, hands
// every block to the tee, and cuts the chunks out of the blocks as the
// pass reaches them, sending them in chunk order.
func (r *stream) produce(ctx context.Context, chunks chan<- stored) {
	defer close(chunks)
	im := r.im
	send := func(c stored) bool {
		select {
		case chunks <- c:
			return true
		case <-ctx.Done():
			return false
		}
	}
	blocks := make(chan []byte, streamBlocks)
	for range streamBlocks {
		blocks <- make([]byte, streamBlockSize)
	}
	index := make(map[*segment]int, len(im.segs))
	for k, seg := range im.segs {
		index[seg] = k
	}
	next := int64(0) // the next chunk to send
	var cur *stored  // the chunk being cut out, located, maybe partly copied
	// locate prepares chunk next in cur; false when the stream must stop.
	locate := func() bool {
		loc, err := im.locate(next)
		var n int64
		if err == nil {
			n, err = im.storedLen(loc, next)
		}
		if err != nil {
			send(stored{i: next, err: err})
			return false
		}
		buf, ok := r.buffer(ctx)
		if !ok {
			return false
		}
		cur = &stored{i: next, loc: loc, buf: buf, n: n}
		return true
	}
	// behind sends cur read with ReadAt: it lies before the pass.
	behind := func() bool {
		c := *cur
		c.err = im.readStored(c.loc, c.i, c.buf[:c.n])
		cur, next = nil, next+1
		return send(c) && c.err == nil
	}
	for k, seg := range im.segs {
		for pos := int64(0); pos < seg.size; {
			var block []byte
			select {
			case block = <-blocks:
			case <-ctx.Done():
				return
			}
			want := min(int64(len(block)), seg.size-pos)
			m, err := seg.f.ReadAt(block[:want], pos)
			// A short read still passes on what it read; the error follows.
			var short error
			if int64(m) < want {
				if err == nil || errors.Is(err, io.EOF) {
					short = errAt(ErrFormat, seg.path, pos+int64(m), hintTruncated, "the file ends after %d bytes while it is read; it had %d when the image was opened", pos+int64(m), seg.size)
				} else {
					short = fmt.Errorf("ewf: read %s at %d: %w", seg.path, pos+int64(m), err)
				}
			}
			n := int64(m)
			data := block[:n]
			// Cut out the chunks this block holds (wholly or in part).
			for next < im.chunkCount {
				if cur == nil && !locate() {
					return
				}
				ci := index[cur.loc.seg]
				if ci < k || (ci == k && cur.loc.off < pos && !cur.partial) {
					if !behind() {
						return
					}
					continue
				}
				if ci > k {
					break // in a later segment file
				}
				start, end := cur.loc.off, cur.loc.off+cur.n
				if start >= pos+n {
					break // further on in this file
				}
				lo, hi := max(start, pos), min(end, pos+n)
				copy(cur.buf[lo-start:hi-start], data[lo-pos:hi-pos])
				cur.partial = true
				if end > pos+n {
					break // continues in the next block
				}
				if !send(*cur) {
					return
				}
				cur, next = nil, next+1
			}
			if r.tee != nil && n > 0 {
				r.tee(k, data, func() { blocks <- block })
			} else {
				blocks <- block
			}
			if short != nil {
				send(stored{i: next, err: short})
				return
			}
			pos += n
		}
	}
	// A chunk not found by the end of the files lies past the end of its
	// file: readStored says so.
	for next < im.chunkCount {
		if cur == nil && !locate() {
			return
		}
		if !behind() {
			return
		}
	}
}

func (r *stream) Read(p []byte) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	select {
	case <-r.im.closed:
		r.err = os.ErrClosed
		if r.started {
			r.stop()
		}
		return 0, r.err
	default:
	}
	if !r.started {
		r.started = true
		r.start()
	}
	n := 0
	for n < len(p) {
		if r.pos == len(r.cur.data) {
			if r.cur.buf != nil {
				r.free <- r.cur.buf
			}
			r.cur = decoded{}
			res, ok := <-r.results
			if !ok {
				if r.im.isClosed() {
					return n, r.fail(os.ErrClosed)
				}
				r.err = io.EOF
				r.stop()
				if n > 0 {
					return n, nil
				}
				return 0, io.EOF
			}
			if res.err != nil {
				return n, r.fail(res.err)
			}
			r.cur, r.pos = res, 0
		}
		k := copy(p[n:], r.cur.data[r.pos:])
		n += k
		r.pos += k
	}
	return n, nil
}

// fail makes err sticky and stops the read-ahead.
func (r *stream) fail(err error) error {
	r.err = err
	r.stop()
	return err
}

func (im *Image) isClosed() bool {
	select {
	case <-im.closed:
		return true
	default:
		return false
	}
}
