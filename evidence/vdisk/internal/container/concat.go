package container

import (
	"fmt"
	"io"
	"sort"
)

// Part is one piece of a disk made of pieces (the extents of a VMDK).
type Part struct {
	Start int64 // offset in the disk
	Size  int64
	R     io.ReaderAt // reads the part's bytes from its offset 0
}

// Concat reads a disk made of parts back to back. It is safe for
// concurrent use when the parts are.
type Concat struct {
	format string
	parts  []Part // Start increasing, contiguous
	size   int64
}

// NewConcat returns the disk of parts, which must be contiguous from 0.
func NewConcat(format string, parts []Part) *Concat {
	c := &Concat{format: format, parts: parts}
	for _, p := range parts {
		c.size += p.Size
	}
	return c
}

// Size returns the disk's size.
func (c *Concat) Size() int64 { return c.size }

// ReadAt implements io.ReaderAt.
func (c *Concat) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("%s: negative offset %d", lower(c.format), off)
	}
	i := sort.Search(len(c.parts), func(i int) bool { return c.parts[i].Start+c.parts[i].Size > off })
	n := 0
	for ; n < len(p) && i < len(c.parts); i++ {
		pt := c.parts[i]
		in := off - pt.Start
		want := min(int64(len(p)-n), pt.Size-in)
		k, err := pt.R.ReadAt(p[n:n+int(want)], in)
		n += k
		off += int64(k)
		if k < int(want) {
			if err == nil || err == io.EOF {
				err = fmt.Errorf("%s: extent %d ended early at its offset %d", lower(c.format), i, in+int64(k))
			}
			return n, err
		}
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}
