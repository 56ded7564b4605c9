package timeline

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/google/uuid"
)

// Event annotations: an examiner stars, tags and comments events. Each
// change of one event's annotations is one row of timeline_annotations
// (parent_uuid = the evidence item, a revision of the item's annotation
// history) and one custody entry naming the event, who, in which role and
// why (docs/FORMAT.md section 12).
//
// An event id ("ITEM:N") is an ordinal in the item's current parse, and a
// re-parse reuses ordinals, so a row names its event by parse, ordinal,
// offset, length and stream, never by id alone. When annotations are read
// (Annotations, EventAnnotations, Index.ReloadAnnotations) each row is
// resolved against the item's current parse:
//
//   - made on the current parse: it belongs to that ordinal;
//   - made on an earlier parse: it re-attaches to the event of the current
//     parse with the same offset, length and stream when there is exactly
//     one such event;
//   - otherwise (none, or several): it stays with the earlier parse, listed
//     as an orphan (Annotated.Orphan), with the parse, ordinal and bytes it
//     was made on; it is never dropped and never moves to another event.
//
// The resolution is computed on every read from the rows, which are never
// rewritten: a later re-parse may attach an orphan again.

// The record table of migration 0006 (docs/FORMAT.md section 12).
const tblAnnotations = "timeline_annotations"

// Custody actions of annotation changes; the target is the event
// (TargetEvent, "ITEM:N").
const (
	ActionEventStarred   casefile.Action = "event.starred"
	ActionEventUnstarred casefile.Action = "event.unstarred"
	ActionEventTagged    casefile.Action = "event.tagged"
	ActionEventUntagged  casefile.Action = "event.untagged"
	ActionEventCommented casefile.Action = "event.commented"
)

var _ = casefile.RegisterActions(map[casefile.Action]casefile.Permission{
	ActionEventStarred: casefile.PermInvestigate, ActionEventUnstarred: casefile.PermInvestigate,
	ActionEventTagged: casefile.PermInvestigate, ActionEventUntagged: casefile.PermInvestigate,
	ActionEventCommented: casefile.PermInvestigate,
})

// TargetEvent is the custody target type of an event; its id is the
// event id at the time of the change.
const TargetEvent = "event"

// AnnotationOp is one kind of change of an event's annotations.
type AnnotationOp string

// The annotation changes.
const (
	OpStar    AnnotationOp = "star"
	OpUnstar  AnnotationOp = "unstar"
	OpTag     AnnotationOp = "tag"
	OpUntag   AnnotationOp = "untag"
	OpComment AnnotationOp = "comment"
)

var opActions = map[AnnotationOp]casefile.Action{OpStar: ActionEventStarred, OpUnstar: ActionEventUnstarred,
	OpTag: ActionEventTagged, OpUntag: ActionEventUntagged, OpComment: ActionEventCommented}

// Bounds of annotations.
const (
	MaxTagLen        = 64   // characters of one tag
	MaxTagsPerEvent  = 64   // tags one event holds
	MaxCommentsEvent = 1000 // comments one event holds
)

// Errors of annotations. Test with errors.Is.
var (
	// ErrBadTag means a tag is empty, too long or holds a character a tag
	// cannot have.
	ErrBadTag = casefile.NewKind("timeline", "not a tag",
		"a tag is 1 to 64 letters, digits and - _ . : / + (no spaces), e.g. lateral-movement")
	// ErrWithdrawnItem means the event belongs to a withdrawn item, which is
	// not annotated.
	ErrWithdrawnItem = casefile.NewKind("timeline", "the event's item is withdrawn",
		"reinstate the item (custodiactl evidence reinstate) before annotating its events")
)

// NormalizeTag checks a tag and returns it in lower case. A tag is 1 to
// MaxTagLen characters: letters, digits and - _ . : / +. Tags compare
// without case.
func NormalizeTag(tag string) (string, error) {
	t := strings.ToLower(strings.TrimSpace(tag))
	if t == "" {
		return "", ErrBadTag.Errorf("the tag is empty")
	}
	if !utf8.ValidString(t) {
		return "", ErrBadTag.Errorf("the tag is not UTF-8 text")
	}
	if n := utf8.RuneCountInString(t); n > MaxTagLen {
		return "", ErrBadTag.Errorf("%q is %d characters long; a tag has at most %d", casefile.Brief(t), n, MaxTagLen)
	}
	for _, r := range t {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune("-_.:/+", r) {
			if unicode.IsSpace(r) {
				return "", ErrBadTag.Errorf("%q holds a space; join words with - or _, e.g. %s", casefile.Brief(t),
					strings.Join(strings.Fields(t), "-"))
			}
			return "", ErrBadTag.Errorf("%q holds %q, which a tag cannot have", casefile.Brief(t), r)
		}
	}
	return t, nil
}

// A Comment is one comment on an event.
type Comment struct {
	Text     string
	Event    string // the event id it was written on (of the parse then current)
	Reason   string
	Recorded casefile.Attribution
}

// Annotations is the current state of one event's annotations.
type Annotations struct {
	Starred  bool
	Tags     []string  // sorted, lower case
	Comments []Comment // oldest first
}

// Empty reports whether there is nothing to show: not starred, no tags,
// no comments.
func (a Annotations) Empty() bool { return !a.Starred && len(a.Tags) == 0 && len(a.Comments) == 0 }

// AnnotationChange is one recorded change of an event's annotations.
type AnnotationChange struct {
	Seq     int64 // the row's position in timeline_annotations
	Op      AnnotationOp
	Event   string    // the event id when the change was made
	Parse   uuid.UUID // the parse the event belonged to
	Ordinal int64
	Offset  int64
	Length  int64
	Stream  string
	Tags    []string // of a tag or untag change
	Comment string   // of a comment change
	Reason  string
	// Recorded says who made the change, in which role, when.
	Recorded casefile.Attribution
}

// Annotated is the annotations of one event, resolved against the item's
// current parse.
type Annotated struct {
	Item uuid.UUID
	// Event is the id of the event of the current parse the annotations
	// belong to; empty when Orphan.
	Event string
	// Orphan is set when the annotations were made on an earlier parse of
	// the item and no single event of the current parse has their offset,
	// length and stream: they are listed with the parse they were made on.
	Orphan bool
	// Parse and Ordinal are the current parse and the event's ordinal in it;
	// for an orphan, the earlier parse and the ordinal the event had there.
	Parse   uuid.UUID
	Ordinal int64
	// Offset, Length and Stream locate the event's record in the item.
	Offset, Length int64
	Stream         string
	Annotations
	Changes []AnnotationChange // oldest first
}

// The stored shape (docs/FORMAT.md section 12).
type annotationBody struct {
	Op       AnnotationOp         `json:"op"`
	Event    string               `json:"event"`
	Item     uuid.UUID            `json:"item"`
	Parse    uuid.UUID            `json:"parse"`
	Ordinal  int64                `json:"ordinal"`
	Offset   int64                `json:"offset"`
	Length   int64                `json:"length"`
	Stream   string               `json:"stream,omitempty"`
	Tags     []string             `json:"tags,omitempty"`
	Comment  string               `json:"comment,omitempty"`
	Reason   string               `json:"reason"`
	Recorded casefile.Attribution `json:"recorded"`
}

func (b annotationBody) change(seq int64) AnnotationChange {
	return AnnotationChange{Seq: seq, Op: b.Op, Event: b.Event, Parse: b.Parse, Ordinal: b.Ordinal, Offset: b.Offset,
		Length: b.Length, Stream: b.Stream, Tags: b.Tags, Comment: b.Comment, Reason: b.Reason, Recorded: b.Recorded}
}

// Star stars event id (an "ITEM:N" of the current timeline) with a reason.
func (s *Store) Star(id, reason string) (Annotated, error) {
	return s.annotate(OpStar, id, nil, "", reason)
}

// Unstar removes the star of event id.
func (s *Store) Unstar(id, reason string) (Annotated, error) {
	return s.annotate(OpUnstar, id, nil, "", reason)
}

// Tag adds tags to event id (each checked by NormalizeTag; tags it has
// already are left out; all of them already there is an error).
func (s *Store) Tag(id string, tags []string, reason string) (Annotated, error) {
	return s.annotate(OpTag, id, tags, "", reason)
}

// Untag removes one tag from event id; a tag it does not have is an error.
func (s *Store) Untag(id, tag, reason string) (Annotated, error) {
	return s.annotate(OpUntag, id, []string{tag}, "", reason)
}

// Comment adds a comment to event id.
func (s *Store) Comment(id, text, reason string) (Annotated, error) {
	return s.annotate(OpComment, id, nil, text, reason)
}

func (s *Store) annotate(op AnnotationOp, id string, tags []string, comment, reason string) (Annotated, error) {
	what := map[AnnotationOp]string{OpStar: "star event", OpUnstar: "unstar event", OpTag: "tag event",
		OpUntag: "untag event", OpComment: "comment on event"}[op]
	if err := casefile.CheckReason(reason); err != nil {
		return Annotated{}, fmt.Errorf("%s: %w", what, err)
	}
	var norm []string
	for _, t := range tags {
		n, err := NormalizeTag(t)
		if err != nil {
			return Annotated{}, fmt.Errorf("%s: %w", what, err)
		}
		if !slices.Contains(norm, n) {
			norm = append(norm, n)
		}
	}
	slices.Sort(norm)
	if op == OpTag && len(norm) == 0 {
		return Annotated{}, fmt.Errorf("%s: %w", what, ErrBadTag.Errorf("no tag given"))
	}
	if len(norm) > MaxTagsPerEvent {
		return Annotated{}, fmt.Errorf("%s: %w", what, ErrBadTag.Errorf("%d tags given; an event holds at most %d", len(norm), MaxTagsPerEvent))
	}
	if op == OpComment {
		if err := casefile.CheckText("comment", comment, true, casefile.MaxTextLen); err != nil {
			return Annotated{}, fmt.Errorf("%s: %w", what, err)
		}
	}
	var out Annotated
	_, err := s.c.Change(what, func(tx *casefile.Tx) (casefile.Event, error) {
		e, p, err := eventIn(tx, id)
		if err != nil {
			return casefile.Event{}, err
		}
		ev, err := tx.Evidence(e.Item)
		if err != nil {
			return casefile.Event{}, err
		}
		if ev.Withdrawal != nil {
			return casefile.Event{}, ErrWithdrawnItem.Errorf("%s belongs to %s, withdrawn on %s by %s", e.ID, ev.Meta.Name,
				casefile.FormatTime(ev.Withdrawal.At), ev.Withdrawal.Examiner)
		}
		all, err := annotationsIn(tx, e.Item)
		if err != nil {
			return casefile.Event{}, err
		}
		cur := Annotated{Item: e.Item, Event: e.ID, Parse: p.ID, Ordinal: e.Ordinal, Offset: e.Offset, Length: e.Length, Stream: e.Stream}
		if i := slices.IndexFunc(all, func(a Annotated) bool { return !a.Orphan && a.Ordinal == e.Ordinal }); i >= 0 {
			cur = all[i]
		}
		body := annotationBody{Op: op, Event: e.ID, Item: e.Item, Parse: p.ID, Ordinal: e.Ordinal, Offset: e.Offset, Length: e.Length,
			Stream: e.Stream, Comment: comment, Reason: reason, Recorded: tx.Stamp()}
		details := map[string]string{"item": e.Item.String(), "parse": p.ID.String(), "ordinal": strconv.FormatInt(e.Ordinal, 10),
			"offset": strconv.FormatInt(e.Offset, 10), "length": strconv.FormatInt(e.Length, 10)}
		switch op {
		case OpStar:
			if cur.Starred {
				return casefile.Event{}, casefile.Invalidf("event %s is starred already", e.ID)
			}
		case OpUnstar:
			if !cur.Starred {
				return casefile.Event{}, casefile.Invalidf("event %s is not starred", e.ID)
			}
		case OpTag:
			for _, t := range norm {
				if !slices.Contains(cur.Tags, t) {
					body.Tags = append(body.Tags, t)
				}
			}
			if len(body.Tags) == 0 {
				return casefile.Event{}, casefile.Invalidf("event %s has the tags %s already", e.ID, strings.Join(norm, ", "))
			}
			if n := len(cur.Tags) + len(body.Tags); n > MaxTagsPerEvent {
				return casefile.Event{}, ErrBadTag.Errorf("event %s would have %d tags; an event holds at most %d", e.ID, n, MaxTagsPerEvent)
			}
			details["tags"] = casefile.Brief(strings.Join(body.Tags, ","))
		case OpUntag:
			if !slices.Contains(cur.Tags, norm[0]) {
				has := "no tags"
				if len(cur.Tags) > 0 {
					has = "the tags " + strings.Join(cur.Tags, ", ")
				}
				return casefile.Event{}, casefile.Invalidf("event %s is not tagged %s; it has %s", e.ID, norm[0], has)
			}
			body.Tags = norm[:1]
			details["tags"] = norm[0]
		case OpComment:
			if err := casefile.CheckList("comments", len(cur.Comments)+1); err != nil || len(cur.Comments) >= MaxCommentsEvent {
				return casefile.Event{}, casefile.Invalidf("event %s has %d comments, the most one event holds", e.ID, len(cur.Comments))
			}
			details["comment"] = casefile.Brief(comment)
		}
		rec, err := tx.AppendRevision(tblAnnotations, e.Item, body)
		if err != nil {
			return casefile.Event{}, err
		}
		cur.Changes = append(cur.Changes, body.change(rec.Seq))
		cur.apply(body)
		out = cur
		return casefile.Event{Action: opActions[op], Target: casefile.Target{Type: TargetEvent, ID: e.ID}, Reason: reason,
			Hashes: map[string]string{"content_sha256": rec.ContentHash()}, Details: details}, nil
	})
	return out, err
}

// apply folds one change into the annotations.
func (a *Annotated) apply(b annotationBody) {
	switch b.Op {
	case OpStar:
		a.Starred = true
	case OpUnstar:
		a.Starred = false
	case OpTag:
		for _, t := range b.Tags {
			if !slices.Contains(a.Tags, t) {
				a.Tags = append(a.Tags, t)
			}
		}
		slices.Sort(a.Tags)
	case OpUntag:
		a.Tags = slices.DeleteFunc(a.Tags, func(t string) bool { return slices.Contains(b.Tags, t) })
	case OpComment:
		a.Comments = append(a.Comments, Comment{Text: b.Comment, Event: b.Event, Reason: b.Reason, Recorded: b.Recorded})
	}
}

// Annotations returns the annotations of every annotated event (and every
// orphan), by item and ordinal, orphans after an item's attached ones.
// Events whose changes cancel out (starred, then unstarred) are listed
// too, with their changes; Annotated.Empty tells them apart.
func (s *Store) Annotations() ([]Annotated, error) {
	var out []Annotated
	err := s.c.Read("read annotations", func(r casefile.Reader) (err error) {
		out, err = annotationsIn(r, uuid.Nil)
		return err
	})
	return out, err
}

// EventAnnotations returns the annotations of event id of the current
// timeline (empty ones when it has none), and the orphans of its item that
// were made on an event at the same offset and length of an earlier parse.
func (s *Store) EventAnnotations(id string) (Annotated, []Annotated, error) {
	var a Annotated
	var orphans []Annotated
	err := s.c.Read("read annotations", func(r casefile.Reader) error {
		e, p, err := eventIn(r, id)
		if err != nil {
			return err
		}
		all, err := annotationsIn(r, e.Item)
		if err != nil {
			return err
		}
		a = Annotated{Item: e.Item, Event: e.ID, Parse: p.ID, Ordinal: e.Ordinal, Offset: e.Offset, Length: e.Length, Stream: e.Stream}
		for _, x := range all {
			switch {
			case !x.Orphan && x.Ordinal == e.Ordinal:
				a = x
			case x.Orphan && x.Offset == e.Offset && x.Length == e.Length && x.Stream == e.Stream:
				orphans = append(orphans, x)
			}
		}
		return nil
	})
	return a, orphans, err
}

type locKey struct {
	item           uuid.UUID
	offset, length int64
	stream         string
}

type annKey struct {
	item, parse uuid.UUID
	ordinal     int64
}

// annotationsIn reads and resolves the annotations of item (of every item
// when item is uuid.Nil) within one view.
func annotationsIn(r casefile.Reader, item uuid.UUID) ([]Annotated, error) {
	var rs []casefile.Record
	var err error
	if item == uuid.Nil {
		rs, err = r.Records(tblAnnotations)
	} else {
		rs, err = r.Revisions(tblAnnotations, item)
	}
	if err != nil || len(rs) == 0 {
		return nil, err
	}
	bodies := make([]annotationBody, len(rs))
	cur := map[uuid.UUID]*parseBody{}
	for i, rec := range rs {
		if err := rec.Decode(&bodies[i]); err != nil {
			return nil, err
		}
		b := &bodies[i]
		if b.Item != rec.Parent || opActions[b.Op] == "" {
			return nil, fmt.Errorf("%w: %s/%s is filed under item %s but names item %s (%q)", casefile.ErrCorrupt, tblAnnotations,
				rec.ID, rec.Parent, b.Item, b.Op)
		}
		if _, ok := cur[b.Item]; !ok {
			p, err := current(r, b.Item)
			if err != nil {
				return nil, err
			}
			cur[b.Item] = p
		}
	}
	// The rows made on an earlier parse are re-attached by their bytes:
	// read each such item's current events once.
	need := map[uuid.UUID]map[locKey][]int64{}
	for _, b := range bodies {
		if p := cur[b.Item]; p != nil && p.ID != b.Parse {
			if need[b.Item] == nil {
				need[b.Item] = map[locKey][]int64{}
			}
			need[b.Item][locKey{b.Item, b.Offset, b.Length, b.Stream}] = nil
		}
	}
	for it, keys := range need {
		if err := locate(r, cur[it], keys); err != nil {
			return nil, err
		}
	}
	return resolve(rs, bodies, cur, need), nil
}

// locate fills keys with the ordinals (at most two: one is an answer, two
// is "several") of the events of parse p at each offset, length and stream.
func locate(r casefile.Reader, p *parseBody, keys map[locKey][]int64) error {
	for _, ref := range p.Batches {
		b, err := batchIn(r, p, ref)
		if err != nil {
			return err
		}
		for i, se := range b.Events {
			k := locKey{p.Item, se.Offset, se.Length, se.Stream}
			if ords, ok := keys[k]; ok && len(ords) < 2 {
				keys[k] = append(ords, b.First+int64(i))
			}
		}
	}
	return nil
}

// resolve groups the changes by the event they belong to now and folds
// them.
func resolve(rs []casefile.Record, bodies []annotationBody, cur map[uuid.UUID]*parseBody, found map[uuid.UUID]map[locKey][]int64) []Annotated {
	groups := map[annKey]*Annotated{}
	var order []annKey
	for i, b := range bodies {
		k := annKey{b.Item, b.Parse, b.Ordinal}
		p := cur[b.Item]
		orphan := p == nil
		if p != nil && p.ID != b.Parse {
			ords := found[b.Item][locKey{b.Item, b.Offset, b.Length, b.Stream}]
			if len(ords) == 1 {
				k = annKey{b.Item, p.ID, ords[0]}
			} else {
				orphan = true
			}
		}
		a := groups[k]
		if a == nil {
			a = &Annotated{Item: b.Item, Orphan: orphan, Parse: k.parse, Ordinal: k.ordinal, Offset: b.Offset, Length: b.Length, Stream: b.Stream}
			if !orphan {
				a.Event = EventID(b.Item, k.ordinal)
			}
			groups[k] = a
			order = append(order, k)
		}
		a.Changes = append(a.Changes, b.change(rs[i].Seq))
		a.apply(b)
	}
	out := make([]Annotated, 0, len(order))
	for _, k := range order {
		out = append(out, *groups[k])
	}
	slices.SortStableFunc(out, func(x, y Annotated) int {
		if c := strings.Compare(x.Item.String(), y.Item.String()); c != 0 {
			return c
		}
		if x.Orphan != y.Orphan {
			if x.Orphan {
				return 1
			}
			return -1
		}
		if x.Ordinal != y.Ordinal {
			return int(min(max(x.Ordinal-y.Ordinal, -1), 1))
		}
		return 0
	})
	return out
}

// eventIn returns event id of the current timeline and its parse, read
// within view r; ErrNoSuchEvent when there is none.
func eventIn(r casefile.Reader, id string) (Event, *parseBody, error) {
	item, n, err := ParseEventID(id)
	if err != nil {
		return Event{}, nil, err
	}
	p, err := current(r, item)
	if err != nil {
		return Event{}, nil, err
	}
	if p != nil {
		for _, ref := range p.Batches {
			if n < ref.First || n >= ref.First+ref.Count {
				continue
			}
			b, err := batchIn(r, p, ref)
			if err != nil {
				return Event{}, nil, err
			}
			if i := n - b.First; i >= 0 && i < int64(len(b.Events)) {
				return b.Events[i].event(item, n, p.Parser), p, nil
			}
		}
	}
	return Event{}, nil, ErrNoSuchEvent.Errorf("%s: the current timeline has no such event", EventID(item, n))
}

// batchIn reads, authenticates and checks event batch ref of parse p
// within view r.
func batchIn(r casefile.Reader, p *parseBody, ref batchRef) (*batchBody, error) {
	rec, ok, err := r.Row(tblBatches, ref.ID)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("%w: %s/%s, listed by parse %s of item %s, is missing", casefile.ErrCorrupt, tblBatches, ref.ID, p.ID, p.Item)
	}
	b := new(batchBody)
	if err := checkBatch(tblBatches, p, ref, rec, b); err != nil {
		return nil, err
	}
	if b.Item != p.Item || b.Parse != p.ID || b.First != ref.First || int64(len(b.Events)) != ref.Count {
		return nil, fmt.Errorf("%w: %s/%s does not hold events %d to %d of parse %s", casefile.ErrCorrupt, tblBatches, ref.ID,
			ref.First, ref.First+ref.Count-1, p.ID)
	}
	return b, nil
}

// EventIn returns event id of the current timeline and the parse it
// belongs to, read within view r (inside a change of another domain, e.g.
// a finding anchored to the event); ErrNoSuchEvent when there is none.
func EventIn(r casefile.Reader, id string) (Event, Parse, error) {
	e, p, err := eventIn(r, id)
	if err != nil {
		return Event{}, Parse{}, err
	}
	return e, p.parse(), nil
}
