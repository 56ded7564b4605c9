package evidence

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/timeline"
	"github.com/custodia-dfir/custodia/evidence/logs"
	"github.com/custodia-dfir/custodia/evidence/logs/parsers"
	"github.com/google/uuid"
)

// ParseOptions are the choices of one parse of a log item (`timeline parse`).
type ParseOptions struct {
	// Parser forces a parser by name (--parser); "" detects it from the
	// content, then the item's name.
	Parser string
	// Year is the year of the first record for formats that write none
	// (RFC 3164 syslog); 0 infers it from the item's acquisition time.
	Year int
	// TimeZone overrides the item's recorded source time zone for times
	// written without a zone (an IANA name); "" uses the item's.
	TimeZone string
	// MaxDecompressed bounds a gzip item's output; 0 means the default
	// (logs.DefaultMaxDecompressed).
	MaxDecompressed int64
	// Reason is recorded in the custody entry; "" records the default
	// "parsed into the timeline".
	Reason   string
	Progress Progress
	// Index, when not nil, is the caller's open index of the case's
	// timeline (the GUI's): the parse is indexed into it while it runs, and
	// it then covers the new parse. When nil, ParseItem restores (or
	// builds) the index itself, indexes the parse into it and closes it.
	// Either way the index is then saved as the case's snapshot, so that
	// the next open restores it instead of rebuilding it.
	Index *timeline.Index
	// Warn, when not nil, is told of what did not stop the parse but
	// should be seen: a damaged index snapshot that was rebuilt, a snapshot
	// that could not be saved.
	Warn func(error)
}

// DefaultParseReason is the reason recorded when ParseOptions.Reason is "".
const DefaultParseReason = "parsed into the timeline"

// ParseItem parses sealed item id into the case's timeline: it reads the
// item's bytes back through the case (authenticated chunk by chunk; never
// the original source, and nothing decrypted is written anywhere), detects
// or takes its parser, and stores its events and warnings as the item's
// current timeline, replacing those of an earlier parse, in one change with
// one custody entry (timeline.parsed). A record that does not parse is a
// warning, not an error; an error means nothing was stored.
func ParseItem(ctx context.Context, c *casefile.Case, id uuid.UUID, opts ParseOptions) (timeline.Parse, error) {
	ev, err := c.Evidence(id)
	if err != nil {
		return timeline.Parse{}, err
	}
	zone := ev.Meta.TimeZone
	if opts.TimeZone != "" {
		zone = opts.TimeZone
	}
	loc, err := casefile.SourceTimeZone(zone)
	if err != nil {
		return timeline.Parse{}, err
	}
	if opts.Year != 0 && (opts.Year < 1678 || opts.Year > 2261) {
		return timeline.Parse{}, fmt.Errorf("%w: year %d: give a year from 1678 to 2261, or none to infer it", casefile.ErrInvalid, opts.Year)
	}
	var ip *ItemParser
	if opts.Parser != "" {
		if ip = itemParser(opts.Parser); ip == nil {
			if _, err := LookupParser(opts.Parser); err != nil {
				return timeline.Parse{}, fmt.Errorf("%w: %w", casefile.ErrInvalid, err)
			}
		}
	}
	reason := opts.Reason
	if reason == "" {
		reason = DefaultParseReason
	}
	if err := casefile.CheckReason(reason); err != nil {
		return timeline.Parse{}, err
	}
	r, err := c.OpenEvidence(id)
	if err != nil {
		return timeline.Parse{}, err
	}
	st := timeline.Of(c)
	w, err := st.NewWriter(id)
	if err != nil {
		return timeline.Parse{}, err
	}
	warn := func(err error) {
		if opts.Warn != nil {
			opts.Warn(err)
		}
	}
	// Parse, encode and index overlap: the index takes each batch of
	// events on another goroutine while the parser reads on.
	ix := opts.Index
	if ix == nil {
		if ix, err = timeline.Open(ctx, st, timeline.OpenOptions{Warn: warn}); err != nil {
			return timeline.Parse{}, err
		}
		defer ix.Close()
	}
	if err := w.IndexInto(ctx, ix); err != nil {
		return timeline.Parse{}, err
	}
	tr := newTracker(opts.Progress, ev.Meta.Name, r.Size())
	src := &countingReader{r: io.NewSectionReader(r, 0, r.Size()), tr: tr}
	lopts := logs.Options{Name: ev.Meta.Name, Parser: opts.Parser, Year: opts.Year, Reference: ev.Meta.IngestedAt,
		Location: loc, MaxDecompressed: opts.MaxDecompressed, Size: r.Size()}
	sink := logs.Funcs{
		OnEvent: func(e logs.Event) error { return w.Add(convertEvent(e)) },
		OnWarning: func(wn logs.Warning) error {
			return w.Warn(timeline.Warning{Item: id, Line: wn.Line, Offset: wn.Offset, Length: wn.Length, Why: wn.Why})
		},
	}
	var res logs.Result
	if ip != nil {
		res, err = ip.Parse(ctx, c, id, sink)
		res.Detected = "override"
	} else {
		res, err = parsers.Parse(ctx, src, lopts, sink)
	}
	if err == nil {
		// A cancelled read can look like an empty item to detection: never
		// record a cancelled parse.
		err = ctx.Err()
	}
	if err != nil {
		w.Abort()
		if errors.Is(err, parsers.ErrUnknownFormat) || errors.Is(err, logs.ErrNotFormat) {
			return timeline.Parse{}, fmt.Errorf("%w: %s: %w", casefile.ErrInvalid, ev.Meta.Name, err)
		}
		return timeline.Parse{}, fmt.Errorf("parse %s: %w", ev.Meta.Name, err)
	}
	parser := res.Parser
	if parser == "" { // an empty item: no parser ran
		parser = "none"
	}
	settings := map[string]string{}
	if opts.Parser != "" {
		settings["parser"] = opts.Parser
	}
	if opts.Year != 0 {
		settings["year"] = strconv.Itoa(opts.Year)
	}
	if opts.TimeZone != "" {
		settings["time_zone"] = opts.TimeZone
	}
	p, err := w.Commit(timeline.Summary{Parser: parser, Detected: res.Detected, Stream: res.Stream, Bytes: res.Bytes,
		Truncated: res.Truncated, Warnings: res.Warnings, Settings: settings}, reason)
	if err != nil {
		return timeline.Parse{}, err
	}
	if err := w.IndexErr(); err != nil {
		warn(fmt.Errorf("the parse is stored, but the search index could not take it (it is rebuilt at the next open): %w", err))
		return p, nil
	}
	if _, err := ix.Save(ctx, st); err != nil {
		warn(fmt.Errorf("the parse is stored, but the search index's snapshot could not be saved (the index is rebuilt at the next open): %w", err))
	}
	return p, nil
}

// convertEvent turns a parser's event into a timeline event (the Writer
// assigns its item, id and ordinal).
func convertEvent(e logs.Event) timeline.Event {
	out := timeline.Event{Time: e.Time, TimeText: e.TimeText, TimeZone: e.TimeZone, TimeZoneAssumed: e.TimeZoneAssumed,
		TimestampDesc: e.TimestampDesc, Offset: e.Offset, Length: e.Length, Stream: e.Stream, Message: e.Message, Parser: e.Parser}
	if len(e.Fields) > 0 {
		out.Fields = make([]timeline.Field, len(e.Fields))
		for i, f := range e.Fields {
			out.Fields[i] = timeline.Field{Name: f.Name, Value: f.Value}
		}
	}
	return out
}

// countingReader reports the bytes read to a tracker.
type countingReader struct {
	r  io.Reader
	tr *tracker
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if n > 0 {
		c.tr.add(int64(n))
	}
	return n, err
}

// An ItemParser reads a whole item rather than its byte stream: the
// file-system parser (evidence/disk) opens the item's partition table and
// file systems and turns every entry's times into events. It is chosen by
// name only (--parser), never detected. Parse sends its events and warnings
// to sink, as a log parser does, and returns the counts.
type ItemParser struct {
	Name, Reads string
	Parse       func(ctx context.Context, c *casefile.Case, id uuid.UUID, sink logs.Sink) (logs.Result, error)
}

var itemParsers []ItemParser

// RegisterItemParser adds an item parser (from an init function).
func RegisterItemParser(p ItemParser) { itemParsers = append(itemParsers, p) }

func itemParser(name string) *ItemParser {
	for i := range itemParsers {
		if itemParsers[i].Name == name {
			return &itemParsers[i]
		}
	}
	return nil
}

// ParserInfo names a parser and what it reads.
type ParserInfo struct{ Name, Reads string }

// Parsers lists the log parsers (registry order), then the item parsers.
func Parsers() []ParserInfo {
	var out []ParserInfo
	for _, p := range parsers.All() {
		out = append(out, ParserInfo{p.Name, p.Reads})
	}
	for _, p := range itemParsers {
		out = append(out, ParserInfo{p.Name, p.Reads})
	}
	return out
}

// LookupParser checks that name is a log parser or an item parser; the
// error lists them all.
func LookupParser(name string) (ParserInfo, error) {
	if p := itemParser(name); p != nil {
		return ParserInfo{p.Name, p.Reads}, nil
	}
	lp, err := parsers.Lookup(name)
	if err == nil {
		return ParserInfo{lp.Name, lp.Reads}, nil
	}
	names := parsers.Names()
	for _, p := range itemParsers {
		names = append(names, p.Name)
	}
	slices.Sort(names)
	return ParserInfo{}, fmt.Errorf("%w %q: the parsers are %s", parsers.ErrUnknownParser, name, strings.Join(names, ", "))
}
