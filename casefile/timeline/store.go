// Package timeline is the timeline domain of a case: the events parsed from
// its log items, sealed in batches through casefile's record primitive, the
// extraction warnings of each parse, and the in-memory search index built
// from them (index.go, query.go).
//
// It knows nothing of log formats: package evidence parses an item (with
// the parsers of evidence/logs) and feeds the events to a Writer. Every
// parse is one change of the case with one custody entry
// ("timeline.parsed"); a re-parse of an item appends a new parse that names
// the one it replaces, and readers see only the current parse of each item.
// docs/FORMAT.md "Timeline tables" specifies the rows.
package timeline

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/google/uuid"
)

// Store is the timeline of one open case. It holds nothing of its own:
// every method reads or changes the case's record tables. A Store is safe
// for concurrent use, as the case is.
type Store struct {
	c *casefile.Case
}

// Of returns the timeline of case c.
func Of(c *casefile.Case) *Store { return &Store{c: c} }

// Withdrawn lists the case's withdrawn items, oldest first: their events
// stay sealed and indexed, and a Filter with them in Exclude leaves them
// out; a reinstated item is no longer listed, and its events come back.
func (s *Store) Withdrawn() ([]uuid.UUID, error) {
	evs, err := s.c.ListEvidence()
	if err != nil {
		return nil, err
	}
	var out []uuid.UUID
	for _, ev := range evs {
		if ev.Withdrawal != nil {
			out = append(out, ev.ID)
		}
	}
	return out, nil
}

// Case returns the case the timeline belongs to.
func (s *Store) Case() *casefile.Case { return s.c }

// The record tables of migration 0005 (docs/FORMAT.md "Timeline tables").
const (
	tblParses   = "timeline_parses"
	tblBatches  = "timeline_batches"
	tblWarnings = "timeline_warnings"
)

// ActionParsed is the custody action of one parse of an item (its first or
// a re-parse): item, parser, event and warning counts, and the hash of the
// parse record, which lists every batch with its hash.
const ActionParsed casefile.Action = "timeline.parsed"

var _ = casefile.RegisterAction(ActionParsed, casefile.PermHandleEvidence)

// Batch bounds: a batch is sealed when it holds MaxBatchEvents events or
// its JSON reaches MaxBatchBytes, whichever comes first.
const (
	MaxBatchEvents   = 4096
	MaxBatchBytes    = 1 << 20
	maxWarningsBatch = 1000
)

// Errors of the timeline. Test with errors.Is.
var (
	// ErrNoSuchEvent means an event id names no event of the current
	// timeline.
	ErrNoSuchEvent = casefile.NewKind("timeline", "no such event",
		"event ids look like ITEM-UUID:N; search or list the events first and use one of the ids shown")
	// ErrBadQuery means a search query could not be read; the error says
	// where (QueryError).
	ErrBadQuery = casefile.NewKind("timeline", "the query cannot be read",
		`write terms, "phrases", field:value, field:>N, prefix*, AND, OR, NOT and parentheses, e.g. user:admin AND NOT "session closed"`)
	// ErrWriterDone means a Writer was used after Commit or Abort.
	ErrWriterDone = casefile.NewKind("timeline", "the parse was already committed or abandoned", "start a new parse")
)

// An Event is one timeline entry: what a parser read from one record of an
// item, where the record is, and its id in the timeline.
type Event struct {
	// ID is stable while the item's parse is current: "ITEM-UUID:N", N the
	// event's ordinal (from 1) in the item's parse, in item order.
	ID      string
	Item    uuid.UUID
	Ordinal int64
	// Time is in UTC; the zero Time when the record has no usable time
	// (TimeText then says what was there).
	Time            time.Time
	TimeText        string
	TimeZone        string
	TimeZoneAssumed bool
	TimestampDesc   string
	// Offset and Length locate the record in the item's bytes, or in the
	// decompressed stream when Stream is "gzip".
	Offset, Length int64
	Stream         string
	Message        string
	Fields         []Field
	Parser         string
	// Annotations are the event's star, tags and comments, as the index
	// knew them (Index.Search fills them; the Store's readers leave them
	// empty: see Store.EventAnnotations).
	Annotations Annotations
}

// A Field is one named value of an event.
type Field struct {
	Name  string
	Value string
}

// Get returns the value of the field called name and whether it exists.
func (e *Event) Get(name string) (string, bool) {
	for _, f := range e.Fields {
		if f.Name == name {
			return f.Value, true
		}
	}
	return "", false
}

// A Warning is a record, or stretch of bytes, of an item that could not be
// turned into an event, with where it is and why.
type Warning struct {
	Item   uuid.UUID
	Line   int64 // 1-based line for line-oriented formats, else 0
	Offset int64
	Length int64
	Why    string
}

func (w Warning) String() string {
	if w.Line > 0 {
		return fmt.Sprintf("line %d (offset %d): %s", w.Line, w.Offset, w.Why)
	}
	return fmt.Sprintf("offset %d: %s", w.Offset, w.Why)
}

// EventID returns the id of event ordinal n of item.
func EventID(item uuid.UUID, n int64) string { return item.String() + ":" + strconv.FormatInt(n, 10) }

// ParseEventID splits an event id into its item and ordinal.
func ParseEventID(id string) (uuid.UUID, int64, error) {
	it, n, ok := strings.Cut(strings.TrimSpace(id), ":")
	item, err := uuid.Parse(it)
	ord, nerr := strconv.ParseInt(n, 10, 64)
	if !ok || err != nil || nerr != nil || ord < 1 || len(it) != 36 {
		return uuid.Nil, 0, ErrNoSuchEvent.Errorf("%q is not an event id", id)
	}
	return item, ord, nil
}

// Parse describes one parse of an item: the current one, or one it
// replaced.
type Parse struct {
	ID       uuid.UUID // the parse's id (row UUID of its record)
	Item     uuid.UUID
	Parser   string
	Detected string // "content", "name" or "override"
	Stream   string // "gzip" when the item was decompressed
	Bytes    int64  // bytes the parser read
	// Truncated is set when the parse stopped before the end of the item
	// (a bounded or damaged gzip stream); a warning says why.
	Truncated bool
	Events    int64
	// Warnings counts every warning; Listed how many of them are stored
	// one by one (the rest were only counted, and a stored warning says so).
	Warnings, Listed int64
	Batches          int
	Replaces         uuid.UUID // the parse this one replaced; uuid.Nil for the first
	Settings         map[string]string
	Reason           string
	Recorded         casefile.Attribution
}

// Summary is what the parse of an item says about itself, given to Commit.
type Summary struct {
	Parser, Detected, Stream string
	Bytes                    int64
	Truncated                bool
	// Warnings is the parser's count of warnings, including those it only
	// counted; the Writer's own count is used when it is larger.
	Warnings int64
	// Settings are the choices the parse ran with (parser override, year,
	// time zone), recorded with it.
	Settings map[string]string
}

// The stored shapes (docs/FORMAT.md "Timeline tables").

type parseBody struct {
	ID             uuid.UUID            `json:"id"`
	Item           uuid.UUID            `json:"item"`
	Parser         string               `json:"parser"`
	Detected       string               `json:"detected,omitempty"`
	Stream         string               `json:"stream,omitempty"`
	Bytes          int64                `json:"bytes"`
	Truncated      bool                 `json:"truncated,omitempty"`
	Events         int64                `json:"events"`
	Warnings       int64                `json:"warnings"`
	Listed         int64                `json:"warnings_listed"`
	Batches        []batchRef           `json:"batches"`
	WarningBatches []batchRef           `json:"warning_batches"`
	Replaces       string               `json:"replaces,omitempty"`
	Settings       map[string]string    `json:"settings,omitempty"`
	Reason         string               `json:"reason"`
	Recorded       casefile.Attribution `json:"recorded"`
}

type batchRef struct {
	ID     uuid.UUID `json:"id"`
	First  int64     `json:"first"`
	Count  int64     `json:"count"`
	SHA256 string    `json:"sha256"`
}

type batchBody struct {
	Item   uuid.UUID     `json:"item"`
	Parse  uuid.UUID     `json:"parse"`
	First  int64         `json:"first"`
	Events []storedEvent `json:"events"`
}

type storedEvent struct {
	TimeNS      *int64      `json:"time_ns,omitempty"`
	TimeText    string      `json:"time_text,omitempty"`
	TimeZone    string      `json:"time_zone,omitempty"`
	ZoneAssumed bool        `json:"zone_assumed,omitempty"`
	Desc        string      `json:"timestamp_desc,omitempty"`
	Offset      int64       `json:"offset"`
	Length      int64       `json:"length"`
	Stream      string      `json:"stream,omitempty"`
	Message     string      `json:"message"`
	Fields      [][2]string `json:"fields,omitempty"`
}

type warningBody struct {
	Item     uuid.UUID       `json:"item"`
	Parse    uuid.UUID       `json:"parse"`
	Warnings []storedWarning `json:"warnings"`
}

type storedWarning struct {
	Line   int64  `json:"line,omitempty"`
	Offset int64  `json:"offset"`
	Length int64  `json:"length,omitempty"`
	Why    string `json:"why"`
}

func (p parseBody) parse() Parse {
	out := Parse{ID: p.ID, Item: p.Item, Parser: p.Parser, Detected: p.Detected, Stream: p.Stream, Bytes: p.Bytes,
		Truncated: p.Truncated, Events: p.Events, Warnings: p.Warnings, Listed: p.Listed, Batches: len(p.Batches),
		Settings: p.Settings, Reason: p.Reason, Recorded: p.Recorded}
	if p.Replaces != "" {
		out.Replaces, _ = uuid.Parse(p.Replaces)
	}
	return out
}

func (s storedEvent) event(item uuid.UUID, n int64, parser string) Event {
	e := Event{ID: EventID(item, n), Item: item, Ordinal: n, TimeText: s.TimeText, TimeZone: s.TimeZone,
		TimeZoneAssumed: s.ZoneAssumed, TimestampDesc: s.Desc, Offset: s.Offset, Length: s.Length, Stream: s.Stream,
		Message: s.Message, Parser: parser}
	if s.TimeNS != nil {
		e.Time = time.Unix(0, *s.TimeNS).UTC()
	}
	if len(s.Fields) > 0 {
		e.Fields = make([]Field, len(s.Fields))
		for i, f := range s.Fields {
			e.Fields[i] = Field{Name: f[0], Value: f[1]}
		}
	}
	return e
}
