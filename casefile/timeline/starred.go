package timeline

import (
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/custodia-dfir/custodia/casefile"
)

// StarredEvent is an event that was starred at a time, with its
// annotations as they stood then (Event.Annotations) and the star in force
// (Star: who starred it, in which role, when; Reason: why).
type StarredEvent struct {
	Event
	Star   casefile.Attribution
	Reason string
}

// StarredAt returns the events of the current timeline that were starred
// at time cut (the zero time: now), oldest event first (events without a
// time last), ties by id. Only the annotation changes recorded at or
// before cut count: an event starred later is left out, one unstarred
// later is in, and its tags and comments are those it had at cut. The
// events themselves are read from each item's current parse; annotations
// that belong to no event of it (Annotated.Orphan) are not events and are
// counted in orphans instead. Each event batch is read once however many
// starred events it holds.
func (s *Store) StarredAt(cut time.Time) (out []StarredEvent, orphans int, err error) {
	err = s.c.Read("read the starred events", func(r casefile.Reader) error {
		all, err := annotationsIn(r, uuid.Nil)
		if err != nil {
			return err
		}
		type want struct {
			ann    Annotations
			star   casefile.Attribution
			reason string
		}
		byItem := map[uuid.UUID]map[int64]want{}
		var items []uuid.UUID
		for _, a := range all {
			var ann Annotations
			var w want
			for _, ch := range a.Changes {
				if !cut.IsZero() && ch.Recorded.At.After(cut) {
					continue
				}
				ann = foldChange(ann, ch)
				if ch.Op == OpStar {
					w.star, w.reason = ch.Recorded, ch.Reason
				}
			}
			if !ann.Starred {
				continue
			}
			if a.Orphan {
				orphans++
				continue
			}
			w.ann = ann
			if byItem[a.Item] == nil {
				byItem[a.Item] = map[int64]want{}
				items = append(items, a.Item)
			}
			byItem[a.Item][a.Ordinal] = w
		}
		for _, item := range items {
			p, err := current(r, item)
			if err != nil {
				return err
			}
			if p == nil {
				orphans += len(byItem[item])
				continue
			}
			ws := byItem[item]
			for _, ref := range p.Batches {
				var in []int64
				for n := range ws {
					if n >= ref.First && n < ref.First+ref.Count {
						in = append(in, n)
					}
				}
				if len(in) == 0 {
					continue
				}
				b, err := batchIn(r, p, ref)
				if err != nil {
					return err
				}
				for _, n := range in {
					i := n - b.First
					if i < 0 || i >= int64(len(b.Events)) {
						continue
					}
					w := ws[n]
					e := b.Events[i].event(item, n, p.Parser)
					e.Annotations = w.ann
					out = append(out, StarredEvent{Event: e, Star: w.star, Reason: w.reason})
					delete(ws, n)
				}
			}
			orphans += len(ws) // ordinals the current parse does not have
		}
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	slices.SortFunc(out, func(a, b StarredEvent) int {
		if az, bz := a.Time.IsZero(), b.Time.IsZero(); az != bz {
			if az {
				return 1
			}
			return -1
		}
		if c := a.Time.Compare(b.Time); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, orphans, nil
}

// foldChange is Annotated.apply for one recorded change.
func foldChange(ann Annotations, ch AnnotationChange) Annotations {
	a := Annotated{Annotations: Annotations{Starred: ann.Starred, Tags: slices.Clone(ann.Tags), Comments: slices.Clone(ann.Comments)}}
	a.apply(annotationBody{Op: ch.Op, Event: ch.Event, Tags: ch.Tags, Comment: ch.Comment, Reason: ch.Reason, Recorded: ch.Recorded})
	return a.Annotations
}
