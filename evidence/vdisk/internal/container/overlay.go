package container

// Write is one write of a journal (a VHDX log entry) that a reader applies
// in memory on top of the file instead of to it: Data at Off, or, when
// Data is nil, Zero zero bytes at Off.
type Write struct {
	Off  int64
	Data []byte
	Zero int64
}

func (w Write) end() int64 {
	if w.Data != nil {
		return w.Off + int64(len(w.Data))
	}
	return w.Off + w.Zero
}

// SetOverlay makes every later read of f see writes applied in order on
// top of the file's bytes, and the file as size bytes long (at least its
// real size; the part past the real end reads as zeros unless written).
// Nothing is written to the file.
func (f *File) SetOverlay(writes []Write, size int64) {
	f.overlay = writes
	f.real = f.size
	f.size = max(f.size, size)
}

// applyOverlay fixes up p, read at off from the real file, with the
// overlay; the part of p past the real end was zeroed by the caller.
func (f *File) applyOverlay(p []byte, off int64) {
	end := off + int64(len(p))
	for _, w := range f.overlay {
		a, b := max(off, w.Off), min(end, w.end())
		if a >= b {
			continue
		}
		if w.Data != nil {
			copy(p[a-off:b-off], w.Data[a-w.Off:])
		} else {
			clear(p[a-off : b-off])
		}
	}
}

// End returns the offset just past what w writes.
func (w Write) End() int64 { return w.end() }
