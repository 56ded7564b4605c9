package timeline

import (
	"bytes"
	"compress/flate"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/google/uuid"
)

// A Writer takes the events and warnings of one parse of one item, in item
// order, and Commit seals them as the item's current timeline in one change
// of the case with one custody entry.
//
// Events are encoded into batches as they come and each full batch is kept
// compressed in memory (typically a tenth of its JSON) until Commit seals
// them, each with Tx.Append, in one transaction. The parse itself runs
// outside the case's lock, so the case stays readable (and the item's bytes
// readable through its EvidenceReader) while a parse runs; nothing of it is
// written before Commit, so an abandoned or failed parse leaves no trace.
// A Writer is not safe for concurrent use.
type Writer struct {
	s      *Store
	item   uuid.UUID
	parse  uuid.UUID
	cur    []storedEvent
	curLen int
	first  int64
	n      int64
	held   []heldBatch
	heldSz int64
	warns  []storedWarning
	done   bool
}

type heldBatch struct {
	first, count int64
	z            []byte // flate-compressed JSON of the batch body
}

// NewWriter starts a parse of item, which must be a sealed item of the
// case.
func (s *Store) NewWriter(item uuid.UUID) (*Writer, error) {
	if _, err := s.c.Evidence(item); err != nil {
		return nil, err
	}
	return &Writer{s: s, item: item, parse: uuid.New(), first: 1}, nil
}

// Item returns the item being parsed.
func (w *Writer) Item() uuid.UUID { return w.item }

// Events returns how many events were added so far.
func (w *Writer) Events() int64 { return w.n }

// HeldBytes returns the compressed size of the batches waiting for Commit.
func (w *Writer) HeldBytes() int64 { return w.heldSz }

// Add appends the next event of the item. The event's Item, ID and Ordinal
// are assigned here; its Time is stored in UTC at nanosecond precision.
func (w *Writer) Add(e Event) error {
	if w.done {
		return ErrWriterDone
	}
	if e.Offset < 0 || e.Length < 0 {
		return fmt.Errorf("%w: event %d has offset %d and length %d; both must be 0 or more", casefile.ErrInvalid, w.n+1, e.Offset, e.Length)
	}
	se := storedEvent{TimeText: e.TimeText, TimeZone: e.TimeZone, ZoneAssumed: e.TimeZoneAssumed, Desc: e.TimestampDesc,
		Offset: e.Offset, Length: e.Length, Stream: e.Stream, Message: e.Message}
	if !e.Time.IsZero() {
		if y := e.Time.UTC().Year(); y < 1678 || y > 2261 {
			return fmt.Errorf("%w: event %d has time %s, outside the years a timeline holds (1678 to 2261): store it without a time",
				casefile.ErrInvalid, w.n+1, e.Time.UTC().Format(time.RFC3339))
		}
		ns := e.Time.UnixNano()
		se.TimeNS = &ns
	}
	size := len(se.Message) + len(se.TimeText) + len(se.TimeZone) + len(se.Desc) + 96
	if len(e.Fields) > 0 {
		se.Fields = make([][2]string, len(e.Fields))
		for i, f := range e.Fields {
			if f.Name == "" {
				return fmt.Errorf("%w: event %d has a field without a name", casefile.ErrInvalid, w.n+1)
			}
			se.Fields[i] = [2]string{f.Name, f.Value}
			size += len(f.Name) + len(f.Value) + 8
		}
	}
	w.cur = append(w.cur, se)
	w.curLen += size
	w.n++
	if len(w.cur) >= MaxBatchEvents || w.curLen >= MaxBatchBytes {
		return w.hold()
	}
	return nil
}

// Warn appends an extraction warning of the item.
func (w *Writer) Warn(wn Warning) error {
	if w.done {
		return ErrWriterDone
	}
	why := wn.Why
	if !utf8.ValidString(why) {
		why = string(bytes.ToValidUTF8([]byte(why), []byte("\uFFFD")))
	}
	w.warns = append(w.warns, storedWarning{Line: wn.Line, Offset: wn.Offset, Length: wn.Length, Why: why})
	return nil
}

// hold encodes and compresses the current batch.
func (w *Writer) hold() error {
	if len(w.cur) == 0 {
		return nil
	}
	var buf bytes.Buffer
	zw, err := flate.NewWriter(&buf, flate.BestSpeed)
	if err != nil {
		return err
	}
	body := batchBody{Item: w.item, Parse: w.parse, First: w.first, Events: w.cur}
	if err := json.NewEncoder(zw).Encode(body); err != nil {
		return fmt.Errorf("encode events %d to %d: %w", w.first, w.first+int64(len(w.cur))-1, err)
	}
	if err := zw.Close(); err != nil {
		return err
	}
	w.held = append(w.held, heldBatch{first: w.first, count: int64(len(w.cur)), z: buf.Bytes()})
	w.heldSz += int64(buf.Len())
	w.first += int64(len(w.cur))
	w.cur, w.curLen = w.cur[:0], 0
	return nil
}

// Abort abandons the parse: nothing of it was written.
func (w *Writer) Abort() {
	w.done = true
	w.cur, w.held, w.warns = nil, nil, nil
}

// Commit seals the parse as the item's current timeline, replacing the
// events of its previous parse (which stay in the file, no longer read), in
// one change with one custody entry naming who parsed it, in which role,
// and why.
func (w *Writer) Commit(sum Summary, reason string) (Parse, error) {
	if w.done {
		return Parse{}, ErrWriterDone
	}
	if strings.TrimSpace(reason) == "" {
		return Parse{}, fmt.Errorf("%w: a parse needs a reason, recorded in the custody entry (e.g. \"parsed on ingest\")", casefile.ErrInvalid)
	}
	if err := casefile.CheckReason(reason); err != nil {
		return Parse{}, err
	}
	if sum.Parser == "" {
		return Parse{}, fmt.Errorf("%w: the summary of a parse names its parser", casefile.ErrInvalid)
	}
	if err := w.hold(); err != nil {
		return Parse{}, err
	}
	w.done = true
	defer func() { w.held, w.warns = nil, nil }()
	body := parseBody{Item: w.item, Parser: sum.Parser, Detected: sum.Detected, Stream: sum.Stream, Bytes: sum.Bytes,
		Truncated: sum.Truncated, Events: w.n, Warnings: max(sum.Warnings, int64(len(w.warns))), Listed: int64(len(w.warns)),
		Batches: []batchRef{}, WarningBatches: []batchRef{}, Settings: maps.Clone(sum.Settings), Reason: reason}
	var out Parse
	_, err := w.s.c.Change("parse "+w.item.String(), func(tx *casefile.Tx) (casefile.Event, error) {
		if _, err := tx.Evidence(w.item); err != nil {
			return casefile.Event{}, err
		}
		prev, err := current(tx, w.item)
		if err != nil {
			return casefile.Event{}, err
		}
		if prev != nil {
			body.Replaces = prev.ID.String()
		}
		for _, hb := range w.held {
			data, err := io.ReadAll(flate.NewReader(bytes.NewReader(hb.z)))
			if err != nil {
				return casefile.Event{}, fmt.Errorf("events %d to %d: %w", hb.first, hb.first+hb.count-1, err)
			}
			rec, err := tx.AppendRevision(tblBatches, w.parse, json.RawMessage(bytes.TrimSpace(data)))
			if err != nil {
				return casefile.Event{}, err
			}
			body.Batches = append(body.Batches, batchRef{ID: rec.ID, First: hb.first, Count: hb.count, SHA256: rec.ContentHash()})
		}
		for i := 0; i < len(w.warns); i += maxWarningsBatch {
			part := w.warns[i:min(i+maxWarningsBatch, len(w.warns))]
			rec, err := tx.AppendRevision(tblWarnings, w.parse, warningBody{Item: w.item, Parse: w.parse, Warnings: part})
			if err != nil {
				return casefile.Event{}, err
			}
			body.WarningBatches = append(body.WarningBatches, batchRef{ID: rec.ID, First: int64(i) + 1, Count: int64(len(part)), SHA256: rec.ContentHash()})
		}
		body.Recorded = tx.Stamp()
		rec, err := appendParse(tx, w.item, w.parse, body)
		if err != nil {
			return casefile.Event{}, err
		}
		body.ID = w.parse
		out = body.parse()
		details := map[string]string{
			"parse": w.parse.String(), "parser": body.Parser, "events": strconv.FormatInt(body.Events, 10),
			"warnings": strconv.FormatInt(body.Warnings, 10), "batches": strconv.Itoa(len(body.Batches)),
		}
		if body.Detected != "" {
			details["detected"] = body.Detected
		}
		if body.Stream != "" {
			details["stream"] = body.Stream
		}
		if body.Truncated {
			details["truncated"] = "true"
		}
		if body.Replaces != "" {
			details["replaces"] = body.Replaces
		}
		for k, v := range body.Settings {
			details["setting."+k] = v
		}
		return casefile.Event{Action: ActionParsed, Target: casefile.Target{Type: casefile.TargetEvidence, ID: w.item.String()},
			Reason: reason, Hashes: map[string]string{"parse_record": rec.ContentHash()}, Details: details}, nil
	})
	if err != nil {
		return Parse{}, err
	}
	return out, nil
}

// appendParse seals the parse record as the next revision of the item's
// parses. AppendRevision chooses the row UUID, so the parse's id (the
// parent of its batches) is in the body.
func appendParse(tx *casefile.Tx, item, id uuid.UUID, body parseBody) (casefile.Record, error) {
	body.ID = id
	return tx.AppendRevision(tblParses, item, body)
}
