package container

import (
	"encoding/binary"
	"sync"
)

// Pages caches aligned pages of container files, for reading the entries
// of on-disk tables (block allocation tables, grain tables, L1/L2 tables)
// one at a time without a system call each and without loading a whole
// table, whose size comes from the file, into memory. Its memory is
// bounded by pageSize × maxPages whatever the tables' sizes. It is safe
// for concurrent use.
type Pages struct {
	mu    sync.Mutex
	pages map[pageKey]*page
	tick  uint64
}

const (
	pageSize = 32 << 10
	maxPages = 64 // 2 MiB
)

type pageKey struct {
	f   *File
	off int64
}

type page struct {
	data []byte // shorter than pageSize at the end of a file
	used uint64
}

// NewPages returns an empty cache.
func NewPages() *Pages { return &Pages{pages: map[pageKey]*page{}} }

// Uint32 reads the 4-byte entry at file offset off (which must be a
// multiple of 4) in the given byte order. what names the entry for the
// error when it lies outside the file ("BAT entry 17").
func (c *Pages) Uint32(f *File, off int64, order binary.ByteOrder, what string) (uint32, error) {
	b, err := c.entry(f, off, 4, what)
	if err != nil {
		return 0, err
	}
	return order.Uint32(b), nil
}

// Uint64 reads the 8-byte entry at file offset off (a multiple of 8).
func (c *Pages) Uint64(f *File, off int64, order binary.ByteOrder, what string) (uint64, error) {
	b, err := c.entry(f, off, 8, what)
	if err != nil {
		return 0, err
	}
	return order.Uint64(b), nil
}

// entry returns n bytes at off, n dividing pageSize and off a multiple of
// n, so an entry never straddles two pages.
func (c *Pages) entry(f *File, off int64, n int, what string) ([]byte, error) {
	if off < 0 || off%int64(n) != 0 || !f.Contains(off, int64(n)) {
		return nil, f.Corrupt(off, "%s lies past the end of the file (%d bytes): the file is truncated or its table offset is damaged", what, f.size)
	}
	base := off &^ (pageSize - 1)
	k := pageKey{f, base}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.tick++
	p := c.pages[k]
	if p == nil {
		data := make([]byte, min(pageSize, f.size-base))
		if err := f.ReadFull(data, base, what); err != nil {
			return nil, err
		}
		if len(c.pages) >= maxPages {
			c.evict()
		}
		p = &page{data: data}
		c.pages[k] = p
	}
	p.used = c.tick
	i := off - base
	return p.data[i : i+int64(n)], nil
}

// evict drops the least recently used page.
func (c *Pages) evict() {
	var old pageKey
	first := true
	var oldest uint64
	for k, p := range c.pages {
		if first || p.used < oldest {
			old, oldest, first = k, p.used, false
		}
	}
	delete(c.pages, old)
}
