package timeline

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"maps"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/google/uuid"
	"github.com/klauspost/compress/zstd"
)

// A Writer takes the events and warnings of one parse of one item, in item
// order, and Commit seals them as the item's current timeline in one change
// of the case with one custody entry.
//
// Events are gathered into batches as they come; each full batch is encoded
// and compressed on another goroutine (so the parser does not wait for it)
// and kept compressed in memory (typically a tenth of its JSON) until
// Commit seals them, each with Tx.AppendRevision, in one transaction. Given
// an index (IndexInto), a third goroutine indexes each batch meanwhile, so
// parsing, encoding and indexing overlap. The parse itself runs
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

	// The encoder goroutine: batches in, held batches out (under mu).
	enc     chan []storedEvent
	encDone chan struct{}
	mu      sync.Mutex
	encErr  error

	// The indexer (IndexInto).
	ix       *Index
	ixCh     chan ixBatch
	ixDone   chan error
	ixTx     *sql.Tx
	ixLoad   *loader
	ixOld    int64
	ixParser string
	ixItemNo int64
	ixErr    error
}

type ixBatch struct {
	first  int64
	events []storedEvent
}

type heldBatch struct {
	first, count int64
	size         int    // bytes of the batch body's JSON (with its newline)
	z            []byte // zstd-compressed JSON of the batch body
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
	if w.n == 0 {
		w.ixParser = e.Parser
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

// hold hands the current batch to the encoder (and the indexer).
func (w *Writer) hold() error {
	if len(w.cur) == 0 {
		return nil
	}
	if w.enc == nil {
		w.enc, w.encDone = make(chan []storedEvent, 2), make(chan struct{})
		go w.encoder(w.first)
	}
	batch := w.cur
	w.enc <- batch
	if w.ixCh != nil {
		w.ixCh <- ixBatch{first: w.first, events: batch}
	}
	w.first += int64(len(batch))
	w.cur, w.curLen = make([]storedEvent, 0, len(batch)), 0
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.encErr
}

// The held batches are compressed with zstd at its fastest (several times
// flate's speed both ways, at about its ratio on this JSON), by one
// encoder and one decoder for all Writers.
var (
	heldEncoder, _ = zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(2),
		zstd.WithEncoderCRC(false), zstd.WithLowerEncoderMem(true))
	heldDecoder, _ = zstd.NewReader(nil, zstd.WithDecoderConcurrency(2), zstd.WithDecodeAllCapLimit(true))
)

// encoder encodes and compresses batches in order, the first starting at
// ordinal first.
func (w *Writer) encoder(first int64) {
	defer close(w.encDone)
	var buf bytes.Buffer
	for batch := range w.enc {
		w.mu.Lock()
		failed := w.encErr != nil
		w.mu.Unlock()
		if failed {
			continue
		}
		buf.Reset()
		body := batchBody{Item: w.item, Parse: w.parse, First: first, Events: batch}
		err := json.NewEncoder(&buf).Encode(body)
		var z []byte
		if err != nil {
			err = fmt.Errorf("encode events %d to %d: %w", first, first+int64(len(batch))-1, err)
		} else {
			z = heldEncoder.EncodeAll(buf.Bytes(), make([]byte, 0, buf.Len()/6))
		}
		w.mu.Lock()
		if err != nil {
			w.encErr = err
		} else {
			w.held = append(w.held, heldBatch{first: first, count: int64(len(batch)), size: buf.Len(), z: z})
			w.heldSz += int64(len(z))
		}
		w.mu.Unlock()
		first += int64(len(batch))
	}
}

// drain waits for the encoder to finish the batches handed to it.
func (w *Writer) drain() error {
	if w.enc != nil {
		close(w.enc)
		<-w.encDone
		w.enc = nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.encErr
}

// IndexInto makes the Writer index the parse's events into ix while they
// are added, on another goroutine, in one transaction of ix that Commit
// commits once the case has the parse (the index then covers it, in place
// of the item's earlier parse) and Abort, or a failed Commit, rolls back.
// ix is held from here until then: its searches wait. Call it before the
// first Add.
func (w *Writer) IndexInto(ctx context.Context, ix *Index) error {
	if w.done || w.n > 0 || w.ix != nil {
		return fmt.Errorf("%w: IndexInto comes before the first event", casefile.ErrInvalid)
	}
	ix.mu.Lock()
	if ix.db == nil {
		ix.mu.Unlock()
		return errIndexClosed
	}
	tx, err := ix.db.BeginTx(ctx, nil)
	if err == nil {
		if err = deleteItem(ctx, tx, ix, w.item); err == nil {
			if w.ixLoad, err = ix.loader(ctx, tx); err == nil {
				w.ixItemNo, err = ix.itemNumber(ctx, tx, w.item)
			}
		}
		if err != nil {
			tx.Rollback()
			ix.discardValues()
		}
	}
	if err != nil {
		ix.mu.Unlock()
		return fmt.Errorf("search index: %w", err)
	}
	w.ix, w.ixTx, w.ixOld = ix, tx, ix.items[w.item]
	ch, done := make(chan ixBatch, 8), make(chan error, 1)
	w.ixCh, w.ixDone = ch, done
	go func() { // reads ch and done, never the fields: Commit clears them
		var err error
		item, itemNo := w.item, w.ixItemNo
		for b := range ch {
			if err != nil {
				continue
			}
			for i := range b.events {
				if err = w.ixLoad.addStored(item, itemNo, b.first+int64(i), w.ixParser, &b.events[i]); err != nil {
					break
				}
			}
		}
		if err == nil {
			err = w.ixLoad.close()
		}
		done <- err
	}()
	return nil
}

// IndexErr reports why the index given to IndexInto could not take the
// committed parse; the index is then closed (reopen it to rebuild it).
func (w *Writer) IndexErr() error { return w.ixErr }

// finishIndex waits for the indexer and commits its transaction when
// keep is set (parse p is in the case), else rolls it back.
func (w *Writer) finishIndex(keep bool, p Parse) {
	if w.ix == nil {
		return
	}
	ix := w.ix
	defer ix.mu.Unlock()
	w.ix = nil
	if w.ixCh != nil {
		close(w.ixCh)
		w.ixCh = nil
	}
	err := <-w.ixDone
	ctx := context.Background()
	if !keep {
		w.ixTx.Rollback()
		ix.discardValues()
		return
	}
	if err == nil && p.Parser != w.ixParser {
		_, err = w.ixTx.ExecContext(ctx, `UPDATE events SET parser = ? WHERE item = ?`, p.Parser, w.ixItemNo)
	}
	if err == nil {
		err = w.ixTx.Commit()
	}
	if err != nil {
		w.ixTx.Rollback()
		w.ixErr = fmt.Errorf("search index: %w", err)
		ix.db.Close()
		ix.db = nil
		return
	}
	w.ixLoad.apply()
	ix.items[w.item] -= w.ixOld
	ix.events -= w.ixOld
	if ix.items[w.item] == 0 {
		delete(ix.items, w.item)
		delete(ix.times, w.item)
	}
	ix.parses[w.item] = p.ID
	if err := ix.finish(ctx); err != nil {
		w.ixErr = fmt.Errorf("search index: %w", err)
		ix.db.Close()
		ix.db = nil
	}
}

// Abort abandons the parse: nothing of it was written.
func (w *Writer) Abort() {
	if w.done {
		return
	}
	w.done = true
	w.drain()
	w.finishIndex(false, Parse{})
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
	// A refused commit abandons the parse (and releases an index given to
	// IndexInto): nothing of it is written.
	if strings.TrimSpace(reason) == "" {
		w.Abort()
		return Parse{}, fmt.Errorf("%w: a parse needs a reason, recorded in the custody entry (e.g. \"parsed on ingest\")", casefile.ErrInvalid)
	}
	if err := casefile.CheckReason(reason); err != nil {
		w.Abort()
		return Parse{}, err
	}
	if sum.Parser == "" {
		w.Abort()
		return Parse{}, fmt.Errorf("%w: the summary of a parse names its parser", casefile.ErrInvalid)
	}
	err := w.hold()
	if err == nil {
		err = w.drain()
	}
	if err != nil {
		w.Abort()
		return Parse{}, err
	}
	w.done = true
	defer func() { w.held, w.warns = nil, nil }()
	if w.ixCh != nil { // no more batches: let the indexer finish while sealing
		close(w.ixCh)
		w.ixCh = nil
	}
	body := parseBody{Item: w.item, Parser: sum.Parser, Detected: sum.Detected, Stream: sum.Stream, Bytes: sum.Bytes,
		Truncated: sum.Truncated, Events: w.n, Warnings: max(sum.Warnings, int64(len(w.warns))), Listed: int64(len(w.warns)),
		Batches: []batchRef{}, WarningBatches: []batchRef{}, Settings: maps.Clone(sum.Settings), Reason: reason}
	var out Parse
	_, err = w.s.c.Change("parse "+w.item.String(), func(tx *casefile.Tx) (casefile.Event, error) {
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
			data, err := heldDecoder.DecodeAll(hb.z, make([]byte, 0, hb.size))
			if err == nil && len(data) != hb.size {
				err = fmt.Errorf("%d bytes held, %d read back", hb.size, len(data))
			}
			if err != nil {
				return casefile.Event{}, fmt.Errorf("events %d to %d: %w", hb.first, hb.first+hb.count-1, err)
			}
			enc, err := casefile.EncodeJSON(bytes.TrimSpace(data))
			if err != nil {
				return casefile.Event{}, err
			}
			rec, err := tx.AppendRevision(tblBatches, w.parse, enc)
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
	w.finishIndex(err == nil, out)
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
