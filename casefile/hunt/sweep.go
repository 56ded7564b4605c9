package hunt

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/incident"
	"github.com/custodia-dfir/custodia/casefile/timeline"
	"github.com/google/uuid"
)

// The record table of migration 0006 (docs/FORMAT.md section 12).
const tblSweeps = "indicator_sweeps"

// ActionIndicatorSwept is the custody action of a sweep: the counts of
// indicators, items, bytes, events and hits, and the hash of the sweep
// record, which lists the hits.
const ActionIndicatorSwept casefile.Action = "indicator.swept"

var _ = casefile.RegisterAction(ActionIndicatorSwept, casefile.PermInvestigate)

// TargetSweep is the custody target type of a sweep; its id is the
// sweep's.
const TargetSweep = "indicator-sweep"

// MaxStoredHits bounds the hits a sweep record lists; every hit is counted
// (per indicator and per item) whatever their number.
const MaxStoredHits = 10_000

// ErrNoIndicators means a sweep was asked for while the incident records
// no indicator.
var ErrNoIndicators = casefile.NewKind("hunt", "the incident records no indicators to sweep for",
	"record indicators first: custodiactl indicator add, or indicator extract --accept")

// Where a hit is.
const (
	InEvent = "event" // in an event's message or a field value
	InBytes = "bytes" // in the raw bytes of an item
)

// A SweepHit is one place a recorded indicator was found.
type SweepHit struct {
	Indicator uuid.UUID `json:"indicator"`
	In        string    `json:"in"` // InEvent or InBytes
	Item      uuid.UUID `json:"item"`
	// Offset and Length are, in the item's bytes, the match (InBytes) or
	// the record of the event (InEvent).
	Offset   int64  `json:"offset"`
	Length   int64  `json:"length"`
	Encoding string `json:"encoding,omitempty"` // InBytes: ascii or utf-16le
	// Event is the event: the one matched (InEvent), or the one whose
	// record holds the matched bytes (InBytes; empty when none does).
	Event string `json:"event,omitempty"`
	Field string `json:"field,omitempty"` // InEvent: "message" or the field's name
}

// SweptIndicator is one indicator of a sweep with its hit counts.
type SweptIndicator struct {
	ID        uuid.UUID              `json:"id"`
	Type      incident.IndicatorType `json:"type"`
	Value     string                 `json:"value"`
	EventHits int64                  `json:"event_hits"`
	ByteHits  int64                  `json:"byte_hits"`
	// Skipped says why the indicator was not swept (a CIDR prefix is not
	// a string to find); empty when it was.
	Skipped string `json:"skipped,omitempty"`
}

// SweptItem is one item of a sweep.
type SweptItem struct {
	Item  uuid.UUID `json:"item"`
	Bytes int64     `json:"bytes"` // bytes read
	Hits  int64     `json:"hits"`  // byte hits
	// Skipped says why the item was not read ("withdrawn"); empty when it
	// was.
	Skipped string `json:"skipped,omitempty"`
}

// A Sweep is one search of the recorded indicators over the events of the
// current timeline and the bytes of every item not withdrawn.
type Sweep struct {
	ID         uuid.UUID        `json:"id"`
	Indicators []SweptIndicator `json:"indicators"`
	Items      []SweptItem      `json:"items"`
	Events     int64            `json:"events"` // events searched
	Bytes      int64            `json:"bytes"`  // item bytes searched
	EventHits  int64            `json:"event_hits"`
	ByteHits   int64            `json:"byte_hits"`
	// Hits lists the first MaxStoredHits hits: event hits first, then byte
	// hits item by item, each in offset order.
	Hits     []SweepHit           `json:"hits"`
	Reason   string               `json:"reason"`
	Recorded casefile.Attribution `json:"recorded"`
}

// Listed reports whether every hit is in Hits.
func (s Sweep) Listed() bool { return int64(len(s.Hits)) == s.EventHits+s.ByteHits }

// sweepPatterns turns indicators into patterns: every value in UTF-8 and
// UTF-16LE, IPs, domains, e-mail addresses and hashes with ASCII case
// folded, URLs, paths and other values exactly.
func sweepPatterns(inds []SweptIndicator) []pattern {
	var ps []pattern
	for i := range inds {
		ind := &inds[i]
		var b boundary
		fold := true
		switch ind.Type {
		case incident.IndicatorIP:
			if strings.Contains(ind.Value, "/") {
				ind.Skipped = "a CIDR prefix is a range of addresses, not a string to find"
				continue
			}
			b = bIPv4
			if strings.Contains(ind.Value, ":") {
				b = bIPv6
			}
		case incident.IndicatorDomain:
			b = bDomain
		case incident.IndicatorEmail:
			b = bEmail
		case incident.IndicatorHash:
			b = bWord
		case incident.IndicatorOther:
			b, fold = bWord, false
		default: // URL, file path
			b, fold = bNone, false
		}
		ps = append(ps,
			pattern{key: i, bytes: []byte(ind.Value), fold: fold, width: 1, encoding: EncodingASCII, bound: b},
			pattern{key: i, bytes: encodeUTF16LE(ind.Value), fold: fold, width: 2, encoding: EncodingUTF16LE, bound: b})
	}
	return ps
}

// SweepProgress is told how far a sweep is: the phase ("events" or
// "bytes"), and how much of it is done out of total (events, or bytes).
type SweepProgress func(phase string, done, total int64)

// RunSweep searches every recorded indicator in the events of the current
// timeline (message and field values, UTF-8) and in the raw bytes of every
// item not withdrawn (UTF-8 and UTF-16LE), and records the sweep: one
// indicator_sweeps row and one custody entry with the counts. Events of
// withdrawn items are not searched either. Items are read chunk by chunk
// (memory stays bounded by the indicators, not the items); a match across
// two chunks is found once.
func RunSweep(ctx context.Context, c *casefile.Case, reason string, progress SweepProgress) (Sweep, error) {
	if err := casefile.CheckReason(reason); err != nil {
		return Sweep{}, fmt.Errorf("sweep indicators: %w", err)
	}
	recorded, err := incident.Of(c).Indicators()
	if err != nil {
		return Sweep{}, err
	}
	if len(recorded) == 0 {
		return Sweep{}, ErrNoIndicators.Errorf("the incident has no indicators")
	}
	sw := Sweep{ID: uuid.New(), Reason: reason, Hits: []SweepHit{}}
	for _, ind := range recorded {
		sw.Indicators = append(sw.Indicators, SweptIndicator{ID: ind.ID, Type: ind.Type, Value: ind.Value})
	}
	all := sweepPatterns(sw.Indicators)
	m := newMatcher(all)
	var utf8Only []pattern
	for _, p := range all {
		if p.width == 1 {
			utf8Only = append(utf8Only, p)
		}
	}
	items, err := c.ListEvidence()
	if err != nil {
		return Sweep{}, err
	}
	withdrawn := map[uuid.UUID]bool{}
	var total int64
	for _, ev := range items {
		if !ev.InForce() {
			withdrawn[ev.ID] = true
		} else {
			total += ev.Meta.Size
		}
	}
	if err := sweepEvents(ctx, c, &sw, newMatcher(utf8Only), withdrawn, progress); err != nil {
		return Sweep{}, err
	}
	for _, ev := range items {
		it := SweptItem{Item: ev.ID}
		if withdrawn[ev.ID] {
			it.Skipped = "withdrawn"
			sw.Items = append(sw.Items, it)
			continue
		}
		hits, err := sweepItem(ctx, c, ev.ID, m, &sw, &it, func(done int64) {
			if progress != nil {
				progress("bytes", sw.Bytes+done, total)
			}
		})
		if err != nil {
			return Sweep{}, err
		}
		sw.Bytes += it.Bytes
		if err := attachEvents(c, ev.ID, hits); err != nil {
			return Sweep{}, err
		}
		sw.Hits = append(sw.Hits, hits...)
		sw.Items = append(sw.Items, it)
	}
	_, err = c.Change("sweep indicators", func(tx *casefile.Tx) (casefile.Event, error) {
		sw.Recorded = tx.Stamp()
		rec, err := tx.Append(tblSweeps, sw.ID, sw)
		if err != nil {
			return casefile.Event{}, err
		}
		d := map[string]string{"indicators": strconv.Itoa(len(sw.Indicators)), "items": strconv.Itoa(len(sw.Items)),
			"bytes": strconv.FormatInt(sw.Bytes, 10), "events": strconv.FormatInt(sw.Events, 10),
			"event_hits": strconv.FormatInt(sw.EventHits, 10), "byte_hits": strconv.FormatInt(sw.ByteHits, 10),
			"hits_listed": strconv.Itoa(len(sw.Hits))}
		return casefile.Event{Action: ActionIndicatorSwept, Target: casefile.Target{Type: TargetSweep, ID: sw.ID.String()},
			Reason: reason, Hashes: map[string]string{"content_sha256": rec.ContentHash()}, Details: d}, nil
	})
	if err != nil {
		return Sweep{}, err
	}
	return sw, nil
}

// sweepEvents searches the events: one hit per indicator, event and field.
func sweepEvents(ctx context.Context, c *casefile.Case, sw *Sweep, m *matcher, withdrawn map[uuid.UUID]bool, progress SweepProgress) error {
	s := timeline.Of(c)
	total, err := s.Count()
	if err != nil {
		return err
	}
	var found []int // indicator keys found in the current text
	st := m.newStream(func(h hit) {
		if k := m.pats[h.pat].key; !slices.Contains(found, k) {
			found = append(found, k)
		}
	})
	for e, err := range s.All() {
		if err != nil {
			return err
		}
		if withdrawn[e.Item] {
			continue
		}
		sw.Events++
		if sw.Events%10000 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
			if progress != nil {
				progress("events", sw.Events, total)
			}
		}
		for i := -1; i < len(e.Fields); i++ {
			text, name := e.Message, "message"
			if i >= 0 {
				text, name = e.Fields[i].Value, e.Fields[i].Name
			}
			found = found[:0]
			st.reset()
			st.write([]byte(text))
			st.close()
			slices.Sort(found)
			for _, k := range found {
				sw.EventHits++
				sw.Indicators[k].EventHits++
				if len(sw.Hits) < MaxStoredHits {
					sw.Hits = append(sw.Hits, SweepHit{Indicator: sw.Indicators[k].ID, In: InEvent, Item: e.Item, Offset: e.Offset,
						Length: e.Length, Event: e.ID, Field: name})
				}
			}
		}
	}
	if progress != nil {
		progress("events", sw.Events, total)
	}
	return nil
}

type opened struct {
	data []byte
	err  error
}

// sweepItem searches the bytes of one item and returns the hits to list
// (within what MaxStoredHits leaves).
func sweepItem(ctx context.Context, c *casefile.Case, id uuid.UUID, m *matcher, sw *Sweep, it *SweptItem, progress func(int64)) ([]SweepHit, error) {
	r, err := c.OpenEvidence(id)
	if err != nil {
		return nil, err
	}
	room := MaxStoredHits - len(sw.Hits)
	var hits []SweepHit
	st := m.newStream(func(h hit) {
		p := &m.pats[h.pat]
		sw.ByteHits++
		it.Hits++
		sw.Indicators[p.key].ByteHits++
		if len(hits) < room {
			hits = append(hits, SweepHit{Indicator: sw.Indicators[p.key].ID, In: InBytes, Item: id, Offset: h.offset, Length: h.length,
				Encoding: p.encoding})
		}
	})
	// Chunks are decrypted and decompressed on another goroutine while
	// this one scans: at most two wait.
	ch := make(chan opened, 2)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		defer close(ch)
		err := r.ScanChunks(ctx, func(sc casefile.SealedChunk) error {
			data, err := r.OpenChunk(sc)
			if err != nil {
				return err
			}
			select {
			case ch <- opened{data: data}:
				return nil
			case <-ctx.Done():
				r.Release(data)
				return ctx.Err()
			}
		})
		if err != nil {
			select {
			case ch <- opened{err: err}:
			case <-ctx.Done():
			}
		}
	}()
	for o := range ch {
		if o.err != nil {
			return nil, o.err
		}
		st.write(o.data)
		it.Bytes += int64(len(o.data))
		r.Release(o.data)
		progress(it.Bytes)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	st.close()
	if it.Bytes != r.Size() {
		return nil, fmt.Errorf("%w: item %s gave %d of its %d bytes", casefile.ErrCorrupt, id, it.Bytes, r.Size())
	}
	slices.SortStableFunc(hits, func(a, b SweepHit) int { return int(min(max(a.Offset-b.Offset, -1), 1)) })
	return hits, nil
}

// attachEvents names, for each byte hit, the event of the item's current
// parse whose record holds it (not for a decompressed stream, whose
// offsets are not the item's).
func attachEvents(c *casefile.Case, item uuid.UUID, hits []SweepHit) error {
	if len(hits) == 0 {
		return nil
	}
	s := timeline.Of(c)
	p, ok, err := s.Current(item)
	if err != nil || !ok || p.Stream != "" {
		return err
	}
	for e, err := range s.Events(item) {
		if err != nil {
			return err
		}
		i, _ := slices.BinarySearchFunc(hits, e.Offset, func(h SweepHit, off int64) int { return int(min(max(h.Offset-off, -1), 1)) })
		for ; i < len(hits) && hits[i].Offset < e.Offset+e.Length; i++ {
			if hits[i].Event == "" && hits[i].Offset+hits[i].Length <= e.Offset+e.Length {
				hits[i].Event = e.ID
			}
		}
	}
	return nil
}

// Sweeps returns the recorded sweeps, oldest first.
func Sweeps(c *casefile.Case) ([]Sweep, error) {
	return casefile.ReadAll[Sweep](c, "read sweeps", tblSweeps)
}
