package incident

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/timeline"
	"github.com/google/uuid"
)

// Confidence is how sure the author is of a finding.
type Confidence string

// Confidence levels.
const (
	ConfidenceLow    Confidence = "low"
	ConfidenceMedium Confidence = "medium"
	ConfidenceHigh   Confidence = "high"
)

// Confidences lists the confidence levels, lowest first.
var Confidences = []Confidence{ConfidenceLow, ConfidenceMedium, ConfidenceHigh}

// EvidenceLocation is a byte range [Start, End) of a sealed evidence item's
// original content: the exact bytes a finding rests on.
type EvidenceLocation struct {
	Evidence uuid.UUID `json:"evidence"`
	Start    int64     `json:"start"`
	End      int64     `json:"end"` // exclusive
}

// Len returns the number of bytes in the range.
func (l EvidenceLocation) Len() int64 { return l.End - l.Start }

// LocationError reports an evidence location that does not lie within its
// item. It matches ErrInvalid.
type LocationError struct {
	Location EvidenceLocation
	Item     string // the item's name
	Size     int64  // the item's size in bytes
}

// Error names the failure and what to do about it.
func (e *LocationError) Error() string { return "incident: " + e.PersonMessage() }

// PersonMessage says what is wrong with the location, for a person.
func (e *LocationError) PersonMessage() string {
	l := e.Location
	if l.Start < 0 || l.End <= l.Start {
		return fmt.Sprintf("evidence location [%d, %d) in %q is not a byte range: it needs 0 <= start < end", l.Start, l.End, e.Item)
	}
	return fmt.Sprintf("evidence location [%d, %d) lies outside %q (%s), which holds %d bytes: the range must end at or before byte %d",
		l.Start, l.End, e.Item, l.Evidence, e.Size, e.Size)
}

// Hint says what to do about it.
func (e *LocationError) Hint() string {
	return fmt.Sprintf("%s holds %d bytes: a location START-END needs 0 <= START < END <= %d", e.Item, e.Size, e.Size)
}

// Is makes errors.Is(err, ErrInvalid) true.
func (e *LocationError) Is(target error) bool { return target == casefile.ErrInvalid }

// techniqueRE matches a MITRE ATT&CK technique or sub-technique id.
var techniqueRE = regexp.MustCompile(`^T[0-9]{4}(\.[0-9]{3})?$`)

// ParseTechnique returns a MITRE ATT&CK technique or sub-technique id in
// its canonical form ("t1059.001 " → "T1059.001"), or an error wrapping
// ErrInvalid that says what an id looks like. The CLI and GUI check input
// with it before anything is recorded.
func ParseTechnique(s string) (string, error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	if !techniqueRE.MatchString(t) {
		return "", casefile.Invalidf("%q is not a MITRE ATT&CK technique id: use T followed by 4 digits, optionally .3 digits (T1059, T1059.001)", casefile.Brief(t))
	}
	return t, nil
}

// FindingContent is what an author writes in a finding; every revision
// holds a complete FindingContent.
type FindingContent struct {
	Title       string             `json:"title"`
	Description string             `json:"description"` // Markdown, stored verbatim; rendering it safely is the reader's job
	Confidence  Confidence         `json:"confidence"`
	Locations   []EvidenceLocation `json:"locations"`
	Indicators  []uuid.UUID        `json:"indicators"` // ids of the incident's indicators
	Techniques  []string           `json:"techniques"` // MITRE ATT&CK ids: T1234 or T1234.001
	// Events are the timeline events the finding rests on (format version
	// 6; absent before). Give an anchor by its Event id; adding or editing
	// the finding fills in where the event's record is.
	Events []EventAnchor `json:"events,omitempty"`
}

// EventAnchor anchors a finding to a timeline event and, through it, to
// the bytes of its record: the event as it was when anchored (its id, the
// item's parse and the ordinal in it) and where its record lies in the
// item (Offset and Length; into the decompressed stream when Stream is
// "gzip"). A re-parse of the item does not move the anchor: it keeps the
// parse, offset and length it was made on.
type EventAnchor struct {
	Event   string    `json:"event"`
	Item    uuid.UUID `json:"item"`
	Parse   uuid.UUID `json:"parse"`
	Ordinal int64     `json:"ordinal"`
	Offset  int64     `json:"offset"`
	Length  int64     `json:"length"`
	Stream  string    `json:"stream,omitempty"`
}

// Location returns the anchor's record as an evidence location of the
// item's bytes; ok is false when the offset is into a decompressed stream.
func (a EventAnchor) Location() (EvidenceLocation, bool) {
	return EvidenceLocation{Evidence: a.Item, Start: a.Offset, End: a.Offset + a.Length}, a.Stream == ""
}

// normalize trims the title, upper-cases technique ids and drops repeated
// list entries, then validates what needs no database.
func (fc *FindingContent) normalize() error {
	fc.Title = strings.TrimSpace(fc.Title)
	if err := casefile.CheckLine("finding title", fc.Title, true, casefile.MaxTitleLen); err != nil {
		return err
	}
	if err := casefile.CheckText("finding description", fc.Description, false, casefile.MaxMarkdownLen); err != nil {
		return err
	}
	if !slices.Contains(Confidences, fc.Confidence) {
		return casefile.Invalidf("unknown confidence %q; use low, medium or high", fc.Confidence)
	}
	for _, l := range []struct {
		name string
		n    int
	}{{"evidence locations", len(fc.Locations)}, {"linked indicators", len(fc.Indicators)}, {"techniques", len(fc.Techniques)},
		{"event anchors", len(fc.Events)}} {
		if err := casefile.CheckList(l.name, l.n); err != nil {
			return err
		}
	}
	fc.Locations = uniq(fc.Locations)
	fc.Indicators = uniq(fc.Indicators)
	techs := make([]string, 0, len(fc.Techniques))
	for _, t := range fc.Techniques {
		id, err := ParseTechnique(t)
		if err != nil {
			return err
		}
		techs = append(techs, id)
	}
	fc.Techniques = uniq(techs)
	var evs []EventAnchor
	for _, a := range fc.Events {
		a.Event = strings.ToLower(strings.TrimSpace(a.Event))
		if !slices.ContainsFunc(evs, func(x EventAnchor) bool { return x.Event == a.Event }) {
			evs = append(evs, a)
		}
	}
	fc.Events = evs
	return nil
}

// resolveAnchors fills in the event anchors of fc: an anchor that is in
// prev (the finding's last revision) with the same event id stays as it
// was recorded; any other must name an event of the current timeline, of
// an item not withdrawn.
func resolveAnchors(r casefile.Reader, fc *FindingContent, prev []EventAnchor) error {
	for i, a := range fc.Events {
		if j := slices.IndexFunc(prev, func(x EventAnchor) bool { return x.Event == a.Event }); j >= 0 {
			fc.Events[i] = prev[j]
			continue
		}
		e, p, err := timeline.EventIn(r, a.Event)
		if err != nil {
			return err
		}
		ev, err := r.Evidence(e.Item)
		if err != nil {
			return err
		}
		if ev.Withdrawal != nil {
			return timeline.ErrWithdrawnItem.Errorf("%s belongs to %s, withdrawn on %s by %s", e.ID, ev.Meta.Name,
				casefile.FormatTime(ev.Withdrawal.At), ev.Withdrawal.Examiner)
		}
		fc.Events[i] = EventAnchor{Event: e.ID, Item: e.Item, Parse: p.ID, Ordinal: e.Ordinal, Offset: e.Offset, Length: e.Length, Stream: e.Stream}
	}
	return nil
}

// uniq returns s without repeated elements, in first-seen order, never nil.
func uniq[T comparable](s []T) []T {
	out := make([]T, 0, len(s))
	for _, v := range s {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// checkLinks checks every location lies within its sealed item and every
// indicator exists.
func checkLinks(r casefile.Reader, fc FindingContent) error {
	items := map[uuid.UUID]casefile.Evidence{}
	for _, l := range fc.Locations {
		ev, ok := items[l.Evidence]
		if !ok {
			var err error
			if ev, err = r.Evidence(l.Evidence); err != nil {
				return err
			}
			items[l.Evidence] = ev
		}
		if l.Start < 0 || l.End <= l.Start || l.End > ev.Meta.Size {
			return &LocationError{Location: l, Item: ev.Meta.Name, Size: ev.Meta.Size}
		}
	}
	if len(fc.Indicators) > 0 {
		all, err := indicators(r)
		if err != nil {
			return err
		}
		for _, id := range fc.Indicators {
			if !slices.ContainsFunc(all, func(x Indicator) bool { return x.ID == id }) {
				return ErrNoSuchIndicator.Errorf("%s is not an indicator of this incident", id)
			}
		}
	}
	return nil
}

// findingRow is one stored revision of a finding.
type findingRow struct {
	FindingContent
	Stage  Stage  `json:"stage"` // the incident's stage when the finding was created
	Reason string `json:"reason"`
	casefile.Attribution
}

// Finding is the current view of a finding: its latest revision, with who
// created it, in which stage, and who last changed it.
type Finding struct {
	ID uuid.UUID
	FindingContent
	Stage    Stage                // the incident's stage when the finding was created
	Created  casefile.Attribution // the author
	Revision int                  // the latest revision, 1 for an unedited finding
	Updated  casefile.Attribution // who wrote the latest revision
}

// FindingRevision is one revision of a finding.
type FindingRevision struct {
	Revision int
	FindingContent
	Reason string // why it was written; empty for a first revision recorded before format version 4
	casefile.Attribution
}

// AddFinding records a new finding by the acting examiner. Its evidence
// locations must lie within their items (a *LocationError otherwise), its
// indicators must exist. Refused while the incident is closed.
func (s *Store) AddFinding(fc FindingContent, reason string) (Finding, error) {
	if err := fc.normalize(); err != nil {
		return Finding{}, fmt.Errorf("add finding: %w", err)
	}
	var f Finding
	err := s.write("add finding", func(tx *casefile.Tx) (casefile.Event, error) {
		st, err := requireOpen(tx, "before adding findings")
		if err != nil {
			return casefile.Event{}, err
		}
		if err := resolveAnchors(tx, &fc, nil); err != nil {
			return casefile.Event{}, err
		}
		if err := checkLinks(tx, fc); err != nil {
			return casefile.Event{}, err
		}
		id := uuid.New()
		row := findingRow{FindingContent: fc, Stage: st, Reason: reason, Attribution: tx.Stamp()}
		r, err := tx.AppendRevision(tblFindings, id, row)
		if err != nil {
			return casefile.Event{}, err
		}
		f = Finding{ID: id, FindingContent: fc, Stage: st, Created: row.Attribution, Revision: r.Rev, Updated: row.Attribution}
		return casefile.Event{Action: ActionFindingAdded, Target: casefile.Target{Type: TargetFinding, ID: id.String()}, Reason: reason,
			Hashes: map[string]string{"content_sha256": r.ContentHash()}, Details: findingDetails(fc, st, r.Rev)}, nil
	})
	return f, err
}

// EditFinding stores fc as the next revision of finding id; earlier
// revisions stay (FindingHistory). A revision that changes nothing is
// refused. Refused while the incident is closed.
func (s *Store) EditFinding(id uuid.UUID, fc FindingContent, reason string) (Finding, error) {
	if err := fc.normalize(); err != nil {
		return Finding{}, fmt.Errorf("edit finding: %w", err)
	}
	if err := casefile.CheckText("reason", reason, false, casefile.MaxTextLen); err != nil {
		return Finding{}, fmt.Errorf("edit finding: %w", err)
	}
	var f Finding
	err := s.write("edit finding", func(tx *casefile.Tx) (casefile.Event, error) {
		if _, err := requireOpen(tx, "before editing findings"); err != nil {
			return casefile.Event{}, err
		}
		revs, err := findingRevisions(tx, id)
		if err != nil {
			return casefile.Event{}, err
		}
		first, last := revs[0], revs[len(revs)-1]
		if err := resolveAnchors(tx, &fc, last.Events); err != nil {
			return casefile.Event{}, err
		}
		changed := changedFields(last.FindingContent, fc)
		if len(changed) == 0 {
			return casefile.Event{}, casefile.Invalidf("the edit changes nothing in finding %q", casefile.Brief(last.Title))
		}
		if err := checkLinks(tx, fc); err != nil {
			return casefile.Event{}, err
		}
		row := findingRow{FindingContent: fc, Stage: first.Stage, Reason: reason, Attribution: tx.Stamp()}
		r, err := tx.AppendRevision(tblFindings, id, row)
		if err != nil {
			return casefile.Event{}, err
		}
		f = Finding{ID: id, FindingContent: fc, Stage: first.Stage, Created: first.Attribution, Revision: r.Rev, Updated: row.Attribution}
		details := findingDetails(fc, first.Stage, r.Rev)
		details["changed"] = strings.Join(changed, ",")
		return casefile.Event{Action: ActionFindingEdited, Target: casefile.Target{Type: TargetFinding, ID: id.String()}, Reason: reason,
			Hashes: map[string]string{"content_sha256": r.ContentHash()}, Details: details}, nil
	})
	return f, err
}

func findingDetails(fc FindingContent, st Stage, rev int) map[string]string {
	d := map[string]string{"title": casefile.Brief(fc.Title), "confidence": string(fc.Confidence), "stage": string(st),
		"revision": fmt.Sprint(rev), "locations": fmt.Sprint(len(fc.Locations)), "indicators": fmt.Sprint(len(fc.Indicators))}
	if len(fc.Events) > 0 {
		d["events"] = fmt.Sprint(len(fc.Events))
	}
	if len(fc.Techniques) > 0 {
		d["techniques"] = casefile.Brief(strings.Join(fc.Techniques, ","))
	}
	return d
}

// changedFields names the fields that differ between two contents.
func changedFields(a, b FindingContent) []string {
	var out []string
	eq := func(x, y any) bool {
		bx, _ := json.Marshal(x)
		by, _ := json.Marshal(y)
		return bytes.Equal(bx, by)
	}
	for _, f := range []struct {
		name string
		x, y any
	}{
		{"title", a.Title, b.Title}, {"description", a.Description, b.Description}, {"confidence", a.Confidence, b.Confidence},
		{"locations", a.Locations, b.Locations}, {"indicators", a.Indicators, b.Indicators}, {"techniques", a.Techniques, b.Techniques},
		{"events", a.Events, b.Events},
	} {
		if !eq(f.x, f.y) {
			out = append(out, f.name)
		}
	}
	return out
}

// findingRevisions returns the stored revisions of finding id, oldest first.
func findingRevisions(r casefile.Reader, id uuid.UUID) ([]findingRow, error) {
	if id == uuid.Nil {
		return nil, ErrNoSuchFinding.Errorf("%s is not a finding of this incident", id)
	}
	rows, err := r.Revisions(tblFindings, id)
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, ErrNoSuchFinding.Errorf("%s is not a finding of this incident", id)
	}
	return casefile.DecodeRecords[findingRow](rows)
}

// Finding returns the current view of finding id.
func (s *Store) Finding(id uuid.UUID) (Finding, error) {
	var f Finding
	err := s.c.Read("read finding", func(r casefile.Reader) error {
		revs, err := findingRevisions(r, id)
		if err != nil {
			return err
		}
		f = currentFinding(id, revs)
		return nil
	})
	return f, err
}

func currentFinding(id uuid.UUID, revs []findingRow) Finding {
	first, last := revs[0], revs[len(revs)-1]
	return Finding{ID: id, FindingContent: last.FindingContent, Stage: first.Stage, Created: first.Attribution,
		Revision: len(revs), Updated: last.Attribution}
}

// Findings returns the current view of every finding, in order of creation.
func (s *Store) Findings() ([]Finding, error) {
	var out []Finding
	err := s.c.Read("read findings", func(r casefile.Reader) error {
		rows, err := r.Records(tblFindings)
		if err != nil {
			return err
		}
		revs := map[uuid.UUID][]findingRow{}
		var order []uuid.UUID
		for _, r := range rows {
			var fr findingRow
			if err := r.Decode(&fr); err != nil {
				return err
			}
			if _, ok := revs[r.Parent]; !ok {
				order = append(order, r.Parent)
			}
			revs[r.Parent] = append(revs[r.Parent], fr)
		}
		for _, id := range order {
			out = append(out, currentFinding(id, revs[id]))
		}
		return nil
	})
	return out, err
}

// FindingHistory returns every revision of finding id, oldest first, with
// its author and time.
func (s *Store) FindingHistory(id uuid.UUID) ([]FindingRevision, error) {
	var out []FindingRevision
	err := s.c.Read("read finding history", func(r casefile.Reader) error {
		revs, err := findingRevisions(r, id)
		if err != nil {
			return err
		}
		for i, r := range revs {
			out = append(out, FindingRevision{Revision: i + 1, FindingContent: r.FindingContent, Reason: r.Reason, Attribution: r.Attribution})
		}
		return nil
	})
	return out, err
}
