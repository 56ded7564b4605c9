package ewf

import (
	"fmt"
	"io"
	"os"
	"runtime"
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

// Reader returns a sequential reader of the media from the start. It
// decodes and verifies chunks ahead of the reads on several goroutines,
// holding a bounded number of chunks in memory (about 16 MiB of them, and
// never fewer than four whatever the chunk size). A damaged
// chunk stops it with an *Error once the bytes before it were read. Read
// the reader to the end or close the image; an abandoned reader's
// goroutines stop only when the image is closed.
func (im *Image) Reader() io.Reader {
	return &seqReader{im: im}
}

type seqReader struct {
	im      *Image
	started bool
	order   chan chan decoded // results in chunk order
	free    chan []byte       // chunk buffers
	stop    chan struct{}     // closed when the reader gives up
	cur     decoded
	pos     int
	err     error
}

type decoded struct {
	buf  []byte // the buffer to return to free
	data []byte
	err  error
}

// readAheadBytes bounds the chunks decoded ahead of the reader.
const readAheadBytes = 16 << 20

func (r *seqReader) start() {
	im := r.im
	workers := min(runtime.GOMAXPROCS(0), 4)
	window := max(2, min(4*workers, readAheadBytes/im.chunkSize))
	r.order = make(chan chan decoded, window)
	r.free = make(chan []byte, window+2)
	r.stop = make(chan struct{})
	for range window + 2 {
		r.free <- nil // allocated on first use
	}
	type job struct {
		i   int64
		out chan decoded
	}
	jobs := make(chan job)
	go func() {
		defer close(jobs)
		for i := int64(0); i < im.chunkCount; i++ {
			out := make(chan decoded, 1)
			select {
			case r.order <- out:
			case <-r.stop:
				return
			case <-im.closed:
				return
			}
			select {
			case jobs <- job{i, out}:
			case <-r.stop:
				return
			case <-im.closed:
				return
			}
		}
		// Closed only when every chunk was handed out, so a closed order
		// channel means the end of the media, never a stop.
		close(r.order)
	}()
	for range workers {
		go func() {
			d := &decoder{}
			for j := range jobs {
				var buf []byte
				select {
				case buf = <-r.free:
				case <-r.stop:
					return
				case <-im.closed:
					return
				}
				if buf == nil {
					buf = make([]byte, im.chunkSize+4)
				}
				data, err := im.decodeChunk(d, j.i, buf)
				if err == nil {
					data = data[:im.chunkLen(j.i)]
				}
				j.out <- decoded{buf: buf, data: data, err: err}
			}
		}()
	}
}

func (r *seqReader) Read(p []byte) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	select {
	case <-r.im.closed:
		r.err = os.ErrClosed
		if r.started {
			close(r.stop)
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
				r.cur = decoded{}
			}
			var out chan decoded
			var ok bool
			select {
			case out, ok = <-r.order:
			case <-r.im.closed:
				return n, r.fail(os.ErrClosed)
			}
			if !ok {
				r.err = io.EOF
				if n > 0 {
					return n, nil
				}
				return 0, io.EOF
			}
			var res decoded
			select {
			case res = <-out:
			case <-r.im.closed:
				return n, r.fail(os.ErrClosed)
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
func (r *seqReader) fail(err error) error {
	r.err = err
	close(r.stop)
	return err
}
