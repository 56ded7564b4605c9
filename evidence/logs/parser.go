package logs

import (
	"context"
	"errors"
	"io"
	"path"
	"strings"
	"time"
)

// A Parser describes one log format: how to recognise it and how to read it.
// The registry (package evidence/logs/parsers) lists one per format.
type Parser struct {
	// Name is what --parser takes: short, lower-case, stable.
	Name string
	// Reads says in one line what the parser reads, for `timeline parsers`.
	Reads string
	// Names are lower-case shell patterns (path.Match) for the base names of
	// files of this format, used when no parser recognises the content.
	Names []string
	// Sniff looks at the first bytes of an item and says how sure it is
	// that they are this format: 0 not at all, 100 certain. It must be fast
	// and must not assume the head ends on a record boundary.
	Sniff func(h *Head) int
	// Parse reads r to the end, calling sink for each event and warning in
	// item order. It returns an error only when it cannot go on at all (the
	// sink failed, the context was cancelled, or the item is not this format
	// at all); a bad record is a warning, not an error.
	Parse func(ctx context.Context, r io.Reader, opts Options, sink Sink) error
}

// MatchName reports whether the base name of name fits one of p's patterns.
func (p Parser) MatchName(name string) bool {
	base := strings.ToLower(path.Base(strings.ReplaceAll(name, `\`, "/")))
	base = strings.TrimSuffix(base, ".gz")
	for _, pat := range p.Names {
		if ok, _ := path.Match(pat, base); ok {
			return true
		}
	}
	return false
}

// Options are the facts about an item that a parse needs beyond its bytes.
type Options struct {
	// Name is the item's original file name; detection by name uses it.
	Name string
	// Parser forces a parser by name (--parser); empty means detect.
	Parser string
	// Year is the year of the first record for formats without one
	// (RFC 3164 syslog, dpkg-less "Mmm dd" stamps); 0 means infer it from
	// Reference (--year sets it).
	Year int
	// Reference is the item's modification time, or its acquisition time
	// when that is unknown: the latest moment the log can describe. Year
	// inference works back from it.
	Reference time.Time
	// Location is the item's source time zone, applied to times written
	// without a zone. Nil means UTC.
	Location *time.Location
	// MaxRecord bounds one record (one line) in bytes; a longer one is
	// skipped with a warning. 0 means DefaultMaxRecord.
	MaxRecord int
	// MaxDecompressed bounds the output of a gzip item in bytes; reaching it
	// stops the parse with a warning. 0 means a limit from the item's size
	// (see Run).
	MaxDecompressed int64
	// Size is the item's size in bytes, when known (0 otherwise).
	Size int64
	// MaxWarnings bounds the warnings passed to the sink one by one; after
	// that they are only counted, and one summary warning closes the parse.
	// 0 means DefaultMaxWarnings; negative means no bound.
	MaxWarnings int
}

// Defaults for Options.
const (
	DefaultMaxRecord   = 1 << 20 // 1 MiB
	DefaultMaxWarnings = 1000
)

// RecordLimit returns the bound on one record: MaxRecord, or
// DefaultMaxRecord when that is 0.
func (o Options) RecordLimit() int {
	if o.MaxRecord <= 0 {
		return DefaultMaxRecord
	}
	return o.MaxRecord
}

// Loc returns the location for zone-less times: Location, or UTC.
func (o Options) Loc() *time.Location {
	if o.Location == nil {
		return time.UTC
	}
	return o.Location
}

// A Sink receives a parse's events and warnings in item order. An error
// from either method stops the parse and is returned by it.
type Sink interface {
	Event(Event) error
	Warning(Warning) error
}

// Funcs adapts two functions to a Sink; a nil function ignores its calls.
type Funcs struct {
	OnEvent   func(Event) error
	OnWarning func(Warning) error
}

// Event calls OnEvent.
func (f Funcs) Event(e Event) error {
	if f.OnEvent == nil {
		return nil
	}
	return f.OnEvent(e)
}

// Warning calls OnWarning.
func (f Funcs) Warning(w Warning) error {
	if f.OnWarning == nil {
		return nil
	}
	return f.OnWarning(w)
}

// A Result sums up one parse.
type Result struct {
	// Parser is the name of the parser that ran.
	Parser string
	// Detected says how it was chosen: "content", "name" or "override".
	Detected string
	// Events and Warnings count what the parse produced, including the
	// warnings beyond Options.MaxWarnings that were only counted.
	Events, Warnings int64
	// Stream is "gzip" when the item was decompressed (see Event.Stream).
	Stream string
	// Bytes is how many bytes the parser read: the item's size, or the
	// decompressed size for a gzip item.
	Bytes int64
	// Truncated is true when the decompressed stream hit its bound and the
	// rest of the item was not parsed.
	Truncated bool
}

// ErrNotFormat is returned by a parser (wrapped) when an item is not its
// format at all, e.g. an EVTX parser given a text file.
var ErrNotFormat = errors.New("logs: not this log format")
