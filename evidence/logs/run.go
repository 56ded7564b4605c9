package logs

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// DefaultMaxDecompressed returns the bound on a gzip item's output when
// Options.MaxDecompressed is 0: 200 times the compressed size (real logs
// compress 5 to 50 times), at least 256 MiB and at most 64 GiB.
func DefaultMaxDecompressed(size int64) int64 {
	const lo, hi = 256 << 20, 64 << 30
	if size <= 0 {
		return 4 << 30
	}
	return max(lo, min(hi, 200*size))
}

// An Input is an item's byte stream, ready for detection and parsing:
// decompressed when the item is gzip, cancellable, and counted.
type Input struct {
	br     *bufio.Reader
	stream string
	gz     *gzipStream
	count  int64
	head   *Head
	name   string
	note   string // a warning to give before the parse
}

// NewInput wraps an item's bytes. A gzip item (by its magic, not its name)
// is decompressed on the fly, up to the bound of opts.MaxDecompressed.
func NewInput(ctx context.Context, r io.Reader, opts Options) (*Input, error) {
	in := &Input{name: opts.Name}
	cr := &ctxReader{ctx: ctx, r: r}
	br := bufio.NewReaderSize(cr, HeadSize)
	magic, _ := br.Peek(2)
	if len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		head, _ := br.Peek(HeadSize)
		zr, err := gzip.NewReader(bytes.NewReader(head))
		if err != nil {
			// Not gzip after all (or a header too damaged to read): parse
			// the bytes as they are, and say so.
			in.note = fmt.Sprintf("the item starts like gzip (1f 8b) but its gzip header cannot be read (%v): it is parsed as it is", err)
			in.br = br
			return in, nil
		}
		zr, err = gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("open gzip stream: %w", err)
		}
		limit := opts.MaxDecompressed
		if limit <= 0 {
			limit = DefaultMaxDecompressed(opts.Size)
		}
		in.gz = &gzipStream{z: zr, left: limit, limit: limit}
		in.stream = "gzip"
		br = bufio.NewReaderSize(in.gz, HeadSize)
	}
	in.br = br
	return in, nil
}

// Stream is "gzip" for a decompressed item, else "".
func (in *Input) Stream() string { return in.stream }

// Head returns the first HeadSize bytes of the (decompressed) stream.
func (in *Input) Head() *Head {
	if in.head == nil {
		raw, err := in.br.Peek(HeadSize)
		in.head = NewHead(raw, in.name, err != nil)
	}
	return in.head
}

func (in *Input) Read(p []byte) (int, error) {
	n, err := in.br.Read(p)
	in.count += int64(n)
	return n, err
}

// Run feeds an item to parser p and passes its events and warnings to sink
// after checking them: times outside Earliest..Latest are removed (the event
// keeps its TimeText, and a warning says so), text that is not valid UTF-8
// is repaired, Parser and Stream are filled in, and warnings beyond
// opts.MaxWarnings are counted and summed up in one last warning. A damaged
// or bounded gzip stream ends the parse with a warning, not an error.
func Run(ctx context.Context, p Parser, in *Input, opts Options, sink Sink) (Result, error) {
	c := &checker{sink: sink, parser: p.Name, stream: in.stream, max: opts.MaxWarnings}
	if c.max == 0 {
		c.max = DefaultMaxWarnings
	}
	res := Result{Parser: p.Name, Stream: in.stream}
	if in.note != "" {
		if err := c.Warning(Warning{Why: in.note}); err != nil {
			return res, err
		}
	}
	err := p.Parse(ctx, in, opts, c)
	if err == nil {
		if cerr := ctx.Err(); cerr != nil {
			err = cerr
		}
	}
	if err == nil && in.gz != nil {
		switch {
		case in.gz.hit:
			res.Truncated = true
			err = c.Warning(Warning{Offset: in.gz.limit, Why: fmt.Sprintf(
				"decompression stopped at %d bytes, the bound for this item (a gzip bomb, or a log larger than 200 times its compressed size): "+
					"the rest was not parsed; re-parse with a larger bound if the log is genuine", in.gz.limit)})
		case in.gz.err != nil:
			res.Truncated = true
			err = c.Warning(Warning{Offset: in.gz.out, Why: fmt.Sprintf(
				"the gzip stream is damaged after %d decompressed bytes (%v): events up to there were kept, the rest of the item could not be read",
				in.gz.out, in.gz.err)})
		}
	}
	if err == nil {
		err = c.finish()
	}
	res.Events, res.Warnings = c.events, c.warnings
	res.Bytes = in.count
	return res, err
}

// RunReader is NewInput followed by Run.
func RunReader(ctx context.Context, p Parser, r io.Reader, opts Options, sink Sink) (Result, error) {
	in, err := NewInput(ctx, r, opts)
	if err != nil {
		return Result{Parser: p.Name}, err
	}
	return Run(ctx, p, in, opts, sink)
}

type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// gzipStream bounds a gzip reader and turns its damage into a clean end of
// stream, remembering the cause for Run's warning.
type gzipStream struct {
	z     *gzip.Reader
	left  int64
	limit int64
	out   int64
	hit   bool
	err   error
	done  bool
}

func (g *gzipStream) Read(p []byte) (int, error) {
	if g.done {
		return 0, io.EOF
	}
	if g.left <= 0 {
		g.hit, g.done = true, true
		return 0, io.EOF
	}
	if int64(len(p)) > g.left {
		p = p[:g.left]
	}
	n, err := g.z.Read(p)
	g.left -= int64(n)
	g.out += int64(n)
	if err != nil {
		g.done = true
		if !errors.Is(err, io.EOF) {
			if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
				return n, err
			}
			g.err = err
		}
		if n > 0 {
			return n, nil
		}
		return 0, io.EOF
	}
	return n, nil
}

// checker is the Sink wrapper of Run.
type checker struct {
	sink     Sink
	parser   string
	stream   string
	max      int
	events   int64
	warnings int64
	listed   int64
	badUTF8  int64
	badFirst int64
}

func (c *checker) Event(e Event) error {
	e.Parser = c.parser
	e.Stream = c.stream
	if !e.Time.IsZero() && !InRange(e.Time) {
		if err := c.Warning(Warning{Offset: e.Offset, Length: e.Length, Why: fmt.Sprintf(
			"time %q is outside the years a timeline holds (1678 to 2262): the event is kept without a time", clip(e.TimeText, 60))}); err != nil {
			return err
		}
		e.Time = time.Time{}
	}
	bad := false
	fix := func(s *string) {
		if !utf8.ValidString(*s) || strings.IndexByte(*s, 0) >= 0 {
			bad = true
			*s = strings.ReplaceAll(strings.ToValidUTF8(*s, "\uFFFD"), "\x00", "\uFFFD")
		}
	}
	fix(&e.Message)
	fix(&e.TimeText)
	for i := range e.Fields {
		fix(&e.Fields[i].Name)
		fix(&e.Fields[i].Value)
	}
	uniqueNames(e.Fields)
	if bad {
		if c.badUTF8 == 0 {
			c.badFirst = e.Offset
		}
		c.badUTF8++
	}
	c.events++
	return c.sink.Event(e)
}

func (c *checker) Warning(w Warning) error {
	c.warnings++
	if c.max > 0 && c.listed >= int64(c.max) {
		return nil
	}
	c.listed++
	w.Why = strings.ToValidUTF8(strings.ReplaceAll(w.Why, "\x00", `\x00`), "\uFFFD")
	return c.sink.Warning(w)
}

func (c *checker) finish() error {
	if c.badUTF8 > 0 {
		c.warnings++
		c.listed++
		if err := c.sink.Warning(Warning{Offset: c.badFirst, Why: fmt.Sprintf(
			"%d events held bytes that are not valid UTF-8 text or NUL characters (the first at offset %d): they are shown with U+FFFD; the item's bytes are unchanged",
			c.badUTF8, c.badFirst)}); err != nil {
			return err
		}
	}
	if unlisted := c.warnings - c.listed; unlisted > 0 {
		c.warnings++
		return c.sink.Warning(Warning{Why: fmt.Sprintf(
			"%d more warnings were counted but not listed one by one (only the first %d are)", unlisted, c.max)})
	}
	return nil
}

// uniqueNames makes field names non-empty and unique, as Event promises,
// whatever a record held: an empty name becomes "field", a repeated one
// gets "#2", "#3", … (nothing is dropped).
func uniqueNames(fields []Field) {
	clash := false
	if len(fields) <= 16 {
		for i := range fields {
			if fields[i].Name == "" {
				clash = true
				break
			}
			for j := 0; j < i; j++ {
				if fields[j].Name == fields[i].Name {
					clash = true
					break
				}
			}
		}
	} else {
		seen := make(map[string]bool, len(fields))
		for _, f := range fields {
			if f.Name == "" || seen[f.Name] {
				clash = true
				break
			}
			seen[f.Name] = true
		}
	}
	if !clash {
		return
	}
	seen := make(map[string]bool, len(fields))
	for i := range fields {
		name := fields[i].Name
		if name == "" {
			name = "field"
		}
		base := name
		for n := 2; seen[name]; n++ {
			name = fmt.Sprintf("%s#%d", base, n)
		}
		seen[name] = true
		fields[i].Name = name
	}
}
