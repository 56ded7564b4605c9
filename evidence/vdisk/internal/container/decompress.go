package container

import (
	"bytes"
	"compress/flate"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/klauspost/compress/zstd"
)

// errAdler marks a zlib stream whose Adler-32 does not match.
var errAdler = errors.New("zlib checksum mismatch")

// errTooLong means a stream holds more than a block.
var errTooLong = errors.New("it holds more than one block of data")

// decoders reuses decompressors and input buffers. Output is always
// bounded by the block: a stream is read only until the block is full.
type decoders struct {
	mu    sync.Mutex
	flate []io.ReadCloser
	zlib  []io.ReadCloser
	zstd  []*zstd.Decoder
	bufs  [][]byte
}

const keepDecoders = 4

func newDecoders() *decoders { return &decoders{} }

func (d *decoders) buffer(n int64) []byte {
	d.mu.Lock()
	defer d.mu.Unlock()
	for k, b := range d.bufs {
		if int64(cap(b)) >= n {
			d.bufs = append(d.bufs[:k], d.bufs[k+1:]...)
			return b[:n]
		}
	}
	return make([]byte, n)
}

func (d *decoders) release(b []byte) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.bufs) < keepDecoders {
		d.bufs = append(d.bufs, b)
	}
}

// decompress fills out from the compressed src and returns how many bytes
// it wrote: len(out) unless the stream is shorter. A zlib or deflate
// stream that holds more than len(out) bytes is an error; Zstandard data
// may be followed by padding (QCOW2 stores whole sectors), so it is read
// only as far as out reaches.
func (d *decoders) decompress(kind Kind, src, out []byte) (int, error) {
	in := bytes.NewReader(src)
	switch kind {
	case Deflate, Zlib:
		r, err := d.getFlate(kind, in)
		if err != nil {
			return 0, err
		}
		n, err := io.ReadFull(r, out)
		if err == nil {
			// The stream must end here; reading on also checks zlib's Adler-32.
			var one [1]byte
			var k int
			k, err = r.Read(one[:])
			if k > 0 {
				err = errTooLong
			} else if errors.Is(err, io.EOF) {
				err = nil
			}
		} else if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			err = nil
		}
		if errors.Is(err, zlib.ErrChecksum) {
			err = errAdler
		}
		d.putFlate(kind, r)
		return n, err
	case Zstd:
		z, err := d.getZstd(in)
		if err != nil {
			return 0, err
		}
		n, err := io.ReadFull(z, out)
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			err = nil
		}
		d.putZstd(z)
		return n, err
	}
	return 0, fmt.Errorf("unknown compression %d", kind)
}

func (d *decoders) getFlate(kind Kind, in io.Reader) (io.ReadCloser, error) {
	d.mu.Lock()
	pool := &d.flate
	if kind == Zlib {
		pool = &d.zlib
	}
	var r io.ReadCloser
	if k := len(*pool); k > 0 {
		r = (*pool)[k-1]
		*pool = (*pool)[:k-1]
	}
	d.mu.Unlock()
	if r == nil {
		if kind == Deflate {
			return flate.NewReader(in), nil
		}
		return zlib.NewReader(in)
	}
	if kind == Deflate {
		return r, r.(flate.Resetter).Reset(in, nil)
	}
	return r, r.(zlib.Resetter).Reset(in, nil)
}

func (d *decoders) putFlate(kind Kind, r io.ReadCloser) {
	d.mu.Lock()
	defer d.mu.Unlock()
	pool := &d.flate
	if kind == Zlib {
		pool = &d.zlib
	}
	if len(*pool) < keepDecoders {
		*pool = append(*pool, r)
	}
}

// zstdWindow bounds the window a Zstandard frame may ask for: QCOW2
// compresses one cluster (at most 2 MiB) at a time.
const zstdWindow = 8 << 20

func (d *decoders) getZstd(in io.Reader) (*zstd.Decoder, error) {
	d.mu.Lock()
	var z *zstd.Decoder
	if k := len(d.zstd); k > 0 {
		z = d.zstd[k-1]
		d.zstd = d.zstd[:k-1]
	}
	d.mu.Unlock()
	if z == nil {
		// One goroutine: decoding happens in the caller, so an abandoned
		// decoder leaves nothing running.
		return zstd.NewReader(in, zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true),
			zstd.WithDecoderMaxWindow(zstdWindow), zstd.WithDecoderMaxMemory(zstdWindow), zstd.WithDecodeBuffersBelow(0))
	}
	return z, z.Reset(in)
}

func (d *decoders) putZstd(z *zstd.Decoder) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.zstd) < keepDecoders {
		d.zstd = append(d.zstd, z)
		return
	}
	z.Close()
}

func (d *decoders) close() {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, z := range d.zstd {
		z.Close()
	}
	d.zstd = nil
}
