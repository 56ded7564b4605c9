package container

import (
	"fmt"
	"io"
	"sync"
)

// Kind says how a block of a virtual disk is stored.
type Kind uint8

// The ways a block can be stored.
const (
	Zero    Kind = iota // not stored: reads as zeros
	Raw                 // stored as is at Loc.Off
	Deflate             // raw deflate (RFC 1951) stream of Loc.Len bytes at Loc.Off
	Zlib                // zlib (RFC 1950) stream, its Adler-32 checked
	Zstd                // Zstandard frame(s)
)

// Loc is where a block's bytes are.
type Loc struct {
	Kind Kind
	File *File // for every kind but Zero
	Off  int64 // file offset of the block's first byte, or of its compressed data
	Len  int64 // compressed length; for Raw ignored (the block's length)
}

// Mapper tells the block engine where each block is.
type Mapper interface {
	// Locate returns where block i is stored, checking the table entry
	// it reads (an entry pointing outside the file is an error naming it).
	Locate(i int64) (Loc, error)
	// Entry names the table entry that maps block i, for messages
	// ("BAT entry 17").
	Entry(i int64) string
}

// Blocks reads a virtual disk made of fixed-size blocks (VHD/VHDX blocks,
// VMDK grains, QCOW2 clusters) through a Mapper. Runs of blocks stored
// back to back in one file are read with one system call, straight into
// the caller's buffer; compressed blocks are decompressed, into the
// caller's buffer when it holds the whole block, else into a cache of a
// few blocks. It is safe for concurrent use.
type Blocks struct {
	format string
	size   int64
	bs     int64
	m      Mapper
	dec    *decoders

	mu    sync.Mutex
	cache [cacheBlocks]cached
	next  int
}

const cacheBlocks = 4

type cached struct {
	i    int64
	data []byte // nil when empty
}

// MaxCompressed bounds the stored size of one compressed block of
// blockSize bytes: twice the block and a few sectors, far more than any
// compressor writes for incompressible data.
func MaxCompressed(blockSize int64) int64 { return 2*blockSize + 4096 }

// NewBlocks returns the engine for a disk of size bytes in blocks of
// blockSize bytes (the last one may be shorter). format names the format
// in messages.
func NewBlocks(format string, size, blockSize int64, m Mapper) *Blocks {
	return &Blocks{format: format, size: size, bs: blockSize, m: m, dec: newDecoders()}
}

// Size returns the virtual disk's size.
func (b *Blocks) Size() int64 { return b.size }

// BlockSize returns the block size.
func (b *Blocks) BlockSize() int64 { return b.bs }

// Close releases the decompressors.
func (b *Blocks) Close() { b.dec.close() }

// blockLen returns the length of block i.
func (b *Blocks) blockLen(i int64) int64 { return min(b.bs, b.size-i*b.bs) }

// ReadAt reads virtual disk bytes at off, implementing io.ReaderAt.
func (b *Blocks) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("%s: negative offset %d", lower(b.format), off)
	}
	n := 0
	for n < len(p) {
		if off >= b.size {
			return n, io.EOF
		}
		i := off / b.bs
		in := off - i*b.bs
		blen := b.blockLen(i)
		loc, err := b.m.Locate(i)
		if err != nil {
			return n, err
		}
		want := min(int64(len(p)-n), blen-in)
		switch loc.Kind {
		case Zero:
			clear(p[n : n+int(want)])
		case Raw:
			if err := b.checkRaw(i, loc, blen); err != nil {
				return n, err
			}
			// Extend the read over the blocks that follow in the file.
			for j := i + 1; int64(n)+want < int64(len(p)) && j*b.bs < b.size; j++ {
				next, err := b.m.Locate(j)
				if err != nil || next.Kind != Raw || next.File != loc.File || next.Off != loc.Off+(j-i)*b.bs {
					break
				}
				jl := b.blockLen(j)
				if b.checkRaw(j, next, jl) != nil {
					break // reported when block j is read on its own
				}
				want += min(int64(len(p)-n)-want, jl)
			}
			if err := loc.File.ReadFull(p[n:n+int(want)], loc.Off+in, "disk data"); err != nil {
				return n, err
			}
		case Deflate, Zlib, Zstd:
			if in == 0 && want == b.bs {
				if err := b.decode(i, loc, p[n:n+int(want)], blen); err != nil {
					return n, err
				}
				break
			}
			data, err := b.cachedBlock(i, loc, blen)
			if err != nil {
				return n, err
			}
			copy(p[n:n+int(want)], data[in:])
		default:
			return n, fmt.Errorf("%s: block %d: unknown storage kind %d", lower(b.format), i, loc.Kind)
		}
		n += int(want)
		off += want
	}
	return n, nil
}

// checkRaw checks that raw block i lies inside its file.
func (b *Blocks) checkRaw(i int64, loc Loc, blen int64) error {
	if !loc.File.Contains(loc.Off, blen) {
		return loc.File.Corrupt(-1, "%s points to file offset %d, but the block's %d bytes there run past the end of the file (%d bytes): the file is truncated or the entry is damaged", b.m.Entry(i), loc.Off, blen, loc.File.size)
	}
	return nil
}

// cachedBlock returns the decompressed bytes of block i from the cache or
// by decompressing them into it.
func (b *Blocks) cachedBlock(i int64, loc Loc, blen int64) ([]byte, error) {
	b.mu.Lock()
	for _, c := range b.cache {
		if c.data != nil && c.i == i {
			b.mu.Unlock()
			return c.data, nil
		}
	}
	b.mu.Unlock()
	buf := make([]byte, b.bs)
	if err := b.decode(i, loc, buf, blen); err != nil {
		return nil, err
	}
	buf = buf[:blen]
	b.mu.Lock()
	b.cache[b.next] = cached{i: i, data: buf}
	b.next = (b.next + 1) % cacheBlocks
	b.mu.Unlock()
	return buf, nil
}

// decode decompresses block i into out, which holds the whole block
// (len(out) is blen, or the full block size for a shorter last block).
func (b *Blocks) decode(i int64, loc Loc, out []byte, blen int64) error {
	if loc.Len <= 0 || loc.Len > MaxCompressed(b.bs) {
		return loc.File.Corrupt(loc.Off, "%s gives a compressed size of %d bytes for a block of %d bytes", b.m.Entry(i), loc.Len, b.bs)
	}
	if !loc.File.Contains(loc.Off, loc.Len) {
		return loc.File.Corrupt(-1, "%s points to %d compressed bytes at file offset %d, past the end of the file (%d bytes): the file is truncated or the entry is damaged", b.m.Entry(i), loc.Len, loc.Off, loc.File.size)
	}
	src := b.dec.buffer(loc.Len)
	defer b.dec.release(src)
	if err := loc.File.ReadFull(src, loc.Off, "compressed data"); err != nil {
		return err
	}
	got, err := b.dec.decompress(loc.Kind, src, out)
	if err != nil && loc.Kind == Zstd && int64(got) >= blen {
		err = nil // what follows the block's frame is padding
	}
	if err != nil {
		kind := ErrCorrupt
		if err == errAdler {
			kind = ErrChecksum
		}
		return loc.File.Fail(kind, loc.Off, "the compressed data of %s (block %d) does not decompress: %v", b.m.Entry(i), i, err)
	}
	if int64(got) < blen {
		return loc.File.Corrupt(loc.Off, "the compressed data of %s (block %d) decompresses to %d bytes, fewer than the block's %d", b.m.Entry(i), i, got, blen)
	}
	return nil
}
