package vdisk

import (
	"io"
	"runtime"
	"sync"
)

// readWindow is the size of one read-ahead read.
const readWindow = 1 << 20

// readAhead bounds the windows read ahead of the reader (and so its memory).
const readAhead = 8

// NewReader returns a sequential reader of the whole of d from its start,
// for the ingest's single pass: a few goroutines read (and decompress)
// windows of 1 MiB ahead of it with ReadAt, holding at most 8 MiB. A read
// error stops it, sticky, once the bytes before it were returned. Close
// stops the read-ahead (it does not close d).
func NewReader(d Disk) io.ReadCloser {
	return &seqReader{d: d, size: d.Size()}
}

type seqReader struct {
	d       Disk
	size    int64
	started bool
	order   chan chan window
	free    chan []byte
	stop    chan struct{}
	once    sync.Once
	cur     window
	pos     int
	pending error // the current window's error, returned once it is read
	err     error
}

type window struct {
	buf []byte
	n   int
	err error
}

func (r *seqReader) start() {
	r.started = true
	workers := max(1, min(runtime.GOMAXPROCS(0), 4))
	r.order = make(chan chan window, readAhead)
	r.free = make(chan []byte, readAhead+2)
	r.stop = make(chan struct{})
	for range readAhead + 2 {
		r.free <- make([]byte, readWindow)
	}
	type job struct {
		off int64
		out chan window
	}
	jobs := make(chan job)
	go func() {
		defer close(jobs)
		defer close(r.order)
		for off := int64(0); off < r.size; off += readWindow {
			out := make(chan window, 1)
			select {
			case r.order <- out:
			case <-r.stop:
				return
			}
			select {
			case jobs <- job{off, out}:
			case <-r.stop:
				return
			}
		}
	}()
	for range workers {
		go func() {
			for j := range jobs {
				var buf []byte
				select {
				case buf = <-r.free:
				case <-r.stop:
					return
				}
				n := int(min(readWindow, r.size-j.off))
				k, err := r.d.ReadAt(buf[:n], j.off)
				if k == n {
					err = nil
				} else if err == nil || err == io.EOF {
					err = io.ErrUnexpectedEOF
				}
				j.out <- window{buf: buf, n: k, err: err}
			}
		}()
	}
}

// Read implements io.Reader.
func (r *seqReader) Read(p []byte) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	if !r.started {
		r.start()
	}
	n := 0
	for n < len(p) {
		if r.pos == r.cur.n {
			if r.pending != nil {
				r.err = r.pending
				r.Close()
				return n, r.err
			}
			if r.cur.buf != nil {
				r.free <- r.cur.buf
				r.cur = window{}
			}
			out, ok := <-r.order
			if !ok {
				r.err = io.EOF
				if n > 0 {
					return n, nil
				}
				return 0, io.EOF
			}
			w := <-out
			// The bytes before an error still count: it is returned after them.
			r.cur, r.pos, r.pending = w, 0, w.err
		}
		k := copy(p[n:], r.cur.buf[r.pos:r.cur.n])
		n += k
		r.pos += k
	}
	return n, nil
}

// Close stops the read-ahead; later reads return io.ErrClosedPipe (or the
// error that stopped the reader).
func (r *seqReader) Close() error {
	if r.err == nil || r.err == io.EOF {
		r.err = io.ErrClosedPipe
	}
	r.once.Do(func() {
		if r.started {
			close(r.stop)
		}
	})
	return nil
}
