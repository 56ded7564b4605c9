package ewf

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors; every error from this package wraps one. Test with errors.Is.
var (
	// ErrFormat means a segment file is not a valid EWF image: truncated,
	// inconsistent, or not EWF at all.
	ErrFormat = errors.New("ewf: invalid or damaged image")
	// ErrChecksum means stored data does not match its checksum: a section
	// descriptor, a table, a hash section or a chunk of media is damaged.
	ErrChecksum = errors.New("ewf: checksum mismatch")
	// ErrMissingSegment means the image continues in a segment file that is
	// not next to the others.
	ErrMissingSegment = errors.New("ewf: segment file missing")
	// ErrUnsupported means a variant this package does not read: EWF2
	// (Ex01/Lx01) or logical evidence (L01).
	ErrUnsupported = errors.New("ewf: unsupported variant")
)

// Error describes one problem with an image and where it is.
type Error struct {
	Kind   error  // ErrFormat, ErrChecksum, ErrMissingSegment or ErrUnsupported
	File   string // the segment file, "" when not about one file
	Offset int64  // byte offset in File, -1 when not about a place in it
	Chunk  int64  // chunk number, -1 when not about a chunk
	What   string // what is wrong
	Remedy string // what a person can do about it; "" for the kind's usual advice
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Kind.Error())
	b.WriteString(": ")
	if e.File != "" {
		b.WriteString(e.File)
		if e.Chunk >= 0 {
			fmt.Fprintf(&b, ", chunk %d", e.Chunk)
		}
		if e.Offset >= 0 {
			fmt.Fprintf(&b, ", at file offset %d", e.Offset)
		}
		b.WriteString(": ")
	}
	b.WriteString(e.What)
	return b.String()
}

// Hint returns what a person can do about the problem: the remedy found for
// it, or the usual advice for its kind.
func (e *Error) Hint() string {
	if e.Remedy != "" {
		return e.Remedy
	}
	switch e.Kind {
	case ErrMissingSegment:
		return "put every segment file (.E01, .E02, …) in the same folder, then ingest the .E01 again"
	case ErrChecksum:
		return "the E01 image is damaged; ingest it from the original acquisition media, or re-acquire"
	case ErrUnsupported:
		return "convert the image to raw (dd) or E01 with the tool that made it, then ingest that"
	}
	return hintDamaged
}

// Unwrap returns the sentinel.
func (e *Error) Unwrap() error { return e.Kind }

// Hints for the common cases.
const (
	hintDamaged   = "the file is damaged or incomplete: copy it again from the original medium and check it with ewfverify, or re-acquire"
	hintTruncated = "the file is shorter than its own structure says (an interrupted copy or a full disk?): copy it again from the original medium"
	hintNotEWF    = "this is not an EWF (E01) segment file; ingest it as a raw file instead"
)

func errAt(kind error, file string, off int64, hint, format string, args ...any) *Error {
	return &Error{Kind: kind, File: file, Offset: off, Chunk: -1, What: fmt.Sprintf(format, args...), Remedy: hint}
}
