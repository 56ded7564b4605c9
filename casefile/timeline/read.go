package timeline

import (
	"fmt"
	"iter"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/google/uuid"
)

// current returns the current parse record of item, or nil when the item
// was never parsed.
func current(r casefile.Reader, item uuid.UUID) (*parseBody, error) {
	rs, err := r.Revisions(tblParses, item)
	if err != nil || len(rs) == 0 {
		return nil, err
	}
	var p parseBody
	if err := rs[len(rs)-1].Decode(&p); err != nil {
		return nil, err
	}
	if p.Item != item {
		return nil, fmt.Errorf("%w: %s/%s is filed under item %s but names item %s", casefile.ErrCorrupt, tblParses, rs[len(rs)-1].ID, item, p.Item)
	}
	return &p, nil
}

// currentAll returns the current parse of every parsed item, in the order
// the items were first parsed.
func currentAll(r casefile.Reader) ([]parseBody, error) {
	rs, err := r.Records(tblParses)
	if err != nil {
		return nil, err
	}
	var order []uuid.UUID
	last := map[uuid.UUID]casefile.Record{}
	for _, rec := range rs {
		if _, ok := last[rec.Parent]; !ok {
			order = append(order, rec.Parent)
		}
		last[rec.Parent] = rec
	}
	out := make([]parseBody, 0, len(order))
	for _, item := range order {
		var p parseBody
		rec := last[item]
		if err := rec.Decode(&p); err != nil {
			return nil, err
		}
		if p.Item != item {
			return nil, fmt.Errorf("%w: %s/%s is filed under item %s but names item %s", casefile.ErrCorrupt, tblParses, rec.ID, item, p.Item)
		}
		out = append(out, p)
	}
	return out, nil
}

// Current returns the current parse of item; ok is false when the item has
// never been parsed.
func (s *Store) Current(item uuid.UUID) (p Parse, ok bool, err error) {
	err = s.c.Read("read the timeline", func(r casefile.Reader) error {
		cur, err := current(r, item)
		if cur != nil {
			p, ok = cur.parse(), true
		}
		return err
	})
	return p, ok, err
}

// Parses returns the current parse of every parsed item.
func (s *Store) Parses() ([]Parse, error) {
	var out []Parse
	err := s.c.Read("read the timeline", func(r casefile.Reader) error {
		ps, err := currentAll(r)
		for _, p := range ps {
			out = append(out, p.parse())
		}
		return err
	})
	return out, err
}

// History returns every parse of item, oldest first: the last is current,
// each earlier one was replaced by the next.
func (s *Store) History(item uuid.UUID) ([]Parse, error) {
	var out []Parse
	err := s.c.Read("read the timeline", func(r casefile.Reader) error {
		rs, err := r.Revisions(tblParses, item)
		if err != nil {
			return err
		}
		ps, err := casefile.DecodeRecords[parseBody](rs)
		for _, p := range ps {
			out = append(out, p.parse())
		}
		return err
	})
	return out, err
}

// Count returns the number of events of the current timeline (every item's
// current parse).
func (s *Store) Count() (int64, error) {
	ps, err := s.Parses()
	var n int64
	for _, p := range ps {
		n += p.Events
	}
	return n, err
}

// readBatch reads and authenticates one listed batch of parse p. The
// case's lock is held while the row is read and opened, not while its JSON
// is decoded.
func (s *Store) readBatch(table string, p *parseBody, ref batchRef, v any) error {
	var rec casefile.Record
	err := s.c.Read("read the timeline", func(r casefile.Reader) error {
		got, ok, err := r.Row(table, ref.ID)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("%w: %s/%s, listed by parse %s of item %s, is missing", casefile.ErrCorrupt, table, ref.ID, p.ID, p.Item)
		}
		rec = got
		return nil
	})
	if err != nil {
		return err
	}
	return checkBatch(table, p, ref, rec, v)
}

// checkBatch checks that rec is the batch ref of parse p lists (same
// parse, same content) and decodes it into v.
func checkBatch(table string, p *parseBody, ref batchRef, rec casefile.Record, v any) error {
	if rec.Parent != p.ID || rec.ContentHash() != ref.SHA256 {
		return fmt.Errorf("%w: %s/%s is not the batch parse %s of item %s lists (other parse or other content)",
			casefile.ErrCorrupt, table, ref.ID, p.ID, p.Item)
	}
	return rec.Decode(v)
}

// loadBatch reads, decodes and checks event batch ref of parse p.
func (s *Store) loadBatch(p *parseBody, ref batchRef) (*batchBody, error) {
	b := new(batchBody)
	err := s.readBatch(tblBatches, p, ref, b)
	if err == nil && (b.Item != p.Item || b.Parse != p.ID || b.First != ref.First || int64(len(b.Events)) != ref.Count) {
		err = fmt.Errorf("%w: %s/%s does not hold events %d to %d of parse %s", casefile.ErrCorrupt, tblBatches, ref.ID,
			ref.First, ref.First+ref.Count-1, p.ID)
	}
	return b, err
}

type loaded struct {
	b   *batchBody
	err error
}

// events yields the events of parse p in order. The next batches are read
// and decoded ahead, on another goroutine, while the caller handles these
// (at most readAhead batches are held); the case's lock is held only while
// a row is read, never while yielding.
func (s *Store) events(p *parseBody, yield func(Event, error) bool) bool {
	if len(p.Batches) == 0 {
		return true
	}
	const readAhead = 2
	ch := make(chan loaded, readAhead)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		defer close(ch)
		for _, ref := range p.Batches {
			b, err := s.loadBatch(p, ref)
			select {
			case ch <- loaded{b, err}:
			case <-stop:
				return
			}
			if err != nil {
				return
			}
		}
	}()
	for l := range ch {
		if l.err != nil {
			yield(Event{}, l.err)
			return false
		}
		for i, se := range l.b.Events {
			if !yield(se.event(p.Item, l.b.First+int64(i), p.Parser), nil) {
				return false
			}
		}
	}
	return true
}

// Events yields the events of item's current parse in item order (none
// when the item was never parsed), reading one sealed batch at a time. An
// error is yielded once, last. The body may call the case.
func (s *Store) Events(item uuid.UUID) iter.Seq2[Event, error] {
	return func(yield func(Event, error) bool) {
		var p *parseBody
		err := s.c.Read("read the timeline", func(r casefile.Reader) (err error) {
			p, err = current(r, item)
			return err
		})
		if err != nil {
			yield(Event{}, err)
			return
		}
		if p != nil {
			s.events(p, yield)
		}
	}
}

// All yields the events of every item's current parse, item by item (in the
// order the items were first parsed), each in item order.
func (s *Store) All() iter.Seq2[Event, error] {
	return func(yield func(Event, error) bool) {
		var ps []parseBody
		err := s.c.Read("read the timeline", func(r casefile.Reader) (err error) {
			ps, err = currentAll(r)
			return err
		})
		if err != nil {
			yield(Event{}, err)
			return
		}
		for i := range ps {
			if !s.events(&ps[i], yield) {
				return
			}
		}
	}
}

// Event returns one event of the current timeline by id; ErrNoSuchEvent
// when there is none.
func (s *Store) Event(id string) (Event, error) {
	var e Event
	var lookup error // said as it is: "no such event" needs no prefix
	if err := s.c.Read("read the timeline", func(r casefile.Reader) error {
		e, _, lookup = eventIn(r, id)
		return nil
	}); err != nil {
		return Event{}, err
	}
	return e, lookup
}

// Warnings returns the stored warnings of item's current parse, or of every
// item's when item is uuid.Nil, in item order.
func (s *Store) Warnings(item uuid.UUID) ([]Warning, error) {
	var ps []parseBody
	err := s.c.Read("read the timeline", func(r casefile.Reader) error {
		if item == uuid.Nil {
			all, err := currentAll(r)
			ps = all
			return err
		}
		p, err := current(r, item)
		if p != nil {
			ps = append(ps, *p)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	var out []Warning
	for i := range ps {
		p := &ps[i]
		for _, ref := range p.WarningBatches {
			var b warningBody
			if err := s.readBatch(tblWarnings, p, ref, &b); err != nil {
				return nil, err
			}
			if b.Item != p.Item || b.Parse != p.ID || int64(len(b.Warnings)) != ref.Count {
				return nil, fmt.Errorf("%w: %s/%s does not hold the warnings parse %s lists", casefile.ErrCorrupt, tblWarnings, ref.ID, p.ID)
			}
			for _, w := range b.Warnings {
				out = append(out, Warning{Item: p.Item, Line: w.Line, Offset: w.Offset, Length: w.Length, Why: w.Why})
			}
		}
	}
	return out, nil
}
