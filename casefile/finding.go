package casefile

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

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
func (e *LocationError) Error() string {
	l := e.Location
	if l.Start < 0 || l.End <= l.Start {
		return fmt.Sprintf("casefile: evidence location [%d, %d) in %q is not a byte range: it needs 0 <= start < end", l.Start, l.End, e.Item)
	}
	return fmt.Sprintf("casefile: evidence location [%d, %d) lies outside %q (%s), which holds %d bytes: the range must end at or before byte %d",
		l.Start, l.End, e.Item, l.Evidence, e.Size, e.Size)
}

// Is makes errors.Is(err, ErrInvalid) true.
func (e *LocationError) Is(target error) bool { return target == ErrInvalid }

// techniqueRE matches a MITRE ATT&CK technique or sub-technique id.
var techniqueRE = regexp.MustCompile(`^T[0-9]{4}(\.[0-9]{3})?$`)

// ParseTechnique returns a MITRE ATT&CK technique or sub-technique id in
// its canonical form ("t1059.001 " → "T1059.001"), or an error wrapping
// ErrInvalid that says what an id looks like. The CLI and GUI check input
// with it before anything is recorded.
func ParseTechnique(s string) (string, error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	if !techniqueRE.MatchString(t) {
		return "", invalidf("%q is not a MITRE ATT&CK technique id: use T followed by 4 digits, optionally .3 digits (T1059, T1059.001)", short(t))
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
}

// normalize trims the title, upper-cases technique ids and drops repeated
// list entries, then validates what needs no database.
func (fc *FindingContent) normalize() error {
	fc.Title = strings.TrimSpace(fc.Title)
	if err := checkLine("finding title", fc.Title, true, MaxTitleLen); err != nil {
		return err
	}
	if err := checkText("finding description", fc.Description, false, MaxMarkdownLen); err != nil {
		return err
	}
	if !slices.Contains(Confidences, fc.Confidence) {
		return invalidf("unknown confidence %q; use low, medium or high", fc.Confidence)
	}
	for _, l := range []struct {
		name string
		n    int
	}{{"evidence locations", len(fc.Locations)}, {"linked indicators", len(fc.Indicators)}, {"techniques", len(fc.Techniques)}} {
		if err := checkList(l.name, l.n); err != nil {
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
func (c *Case) checkLinks(ctx context.Context, tx *sql.Tx, fc FindingContent) error {
	items := map[uuid.UUID]Evidence{}
	for _, l := range fc.Locations {
		ev, ok := items[l.Evidence]
		if !ok {
			var err error
			if ev, err = c.lookupEvidence(ctx, tx, l.Evidence); err != nil {
				return err
			}
			items[l.Evidence] = ev
		}
		if l.Start < 0 || l.End <= l.Start || l.End > ev.Meta.Size {
			return &LocationError{Location: l, Item: ev.Meta.Name, Size: ev.Meta.Size}
		}
	}
	if len(fc.Indicators) > 0 {
		all, err := c.indicators(ctx, tx)
		if err != nil {
			return err
		}
		for _, id := range fc.Indicators {
			if !slices.ContainsFunc(all, func(x Indicator) bool { return x.ID == id }) {
				return fmt.Errorf("%w: %s", ErrNoSuchIndicator, id)
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
	Attribution
}

// Finding is the current view of a finding: its latest revision, with who
// created it, in which stage, and who last changed it.
type Finding struct {
	ID uuid.UUID
	FindingContent
	Stage    Stage       // the incident's stage when the finding was created
	Created  Attribution // the author
	Revision int         // the latest revision, 1 for an unedited finding
	Updated  Attribution // who wrote the latest revision
}

// FindingRevision is one revision of a finding.
type FindingRevision struct {
	Revision int
	FindingContent
	Reason string // why it was edited; empty for revision 1
	Attribution
}

// AddFinding records a new finding by the acting examiner. Its evidence
// locations must lie within their items (a *LocationError otherwise), its
// indicators must exist. Refused while the incident is closed.
func (c *Case) AddFinding(fc FindingContent, reason string) (Finding, error) {
	if err := fc.normalize(); err != nil {
		return Finding{}, fmt.Errorf("add finding: %w", err)
	}
	var f Finding
	err := c.write("add finding", func(ctx context.Context, tx *sql.Tx, now time.Time) (Event, error) {
		st, err := c.stage(ctx, tx)
		if err != nil {
			return Event{}, err
		}
		if st == StageClose {
			return Event{}, fmt.Errorf("%w: reopen it (with the reason) before adding findings", ErrIncidentClosed)
		}
		if err := c.checkLinks(ctx, tx, fc); err != nil {
			return Event{}, err
		}
		id := uuid.New()
		row := findingRow{FindingContent: fc, Stage: st, Attribution: c.stamp(now)}
		r, err := c.appendRow(ctx, tx, tblFindings, uuid.New(), id, row)
		if err != nil {
			return Event{}, err
		}
		f = Finding{ID: id, FindingContent: fc, Stage: st, Created: row.Attribution, Revision: r.rev, Updated: row.Attribution}
		return Event{Action: ActionFindingAdded, Target: Target{Type: TargetFinding, ID: id.String()}, Reason: reason,
			Hashes: map[string]string{"content_sha256": contentHash(r.data)}, Details: findingDetails(fc, st, r.rev)}, nil
	})
	return f, err
}

// EditFinding stores fc as the next revision of finding id; earlier
// revisions stay (FindingHistory). A revision that changes nothing is
// refused. Refused while the incident is closed.
func (c *Case) EditFinding(id uuid.UUID, fc FindingContent, reason string) (Finding, error) {
	if err := fc.normalize(); err != nil {
		return Finding{}, fmt.Errorf("edit finding: %w", err)
	}
	if err := checkText("reason", reason, false, MaxTextLen); err != nil {
		return Finding{}, fmt.Errorf("edit finding: %w", err)
	}
	var f Finding
	err := c.write("edit finding", func(ctx context.Context, tx *sql.Tx, now time.Time) (Event, error) {
		if err := c.requireOpen(ctx, tx); err != nil {
			return Event{}, err
		}
		revs, err := c.findingRevisions(ctx, tx, id)
		if err != nil {
			return Event{}, err
		}
		first, last := revs[0], revs[len(revs)-1]
		changed := changedFields(last.FindingContent, fc)
		if len(changed) == 0 {
			return Event{}, invalidf("the edit changes nothing in finding %q", short(last.Title))
		}
		if err := c.checkLinks(ctx, tx, fc); err != nil {
			return Event{}, err
		}
		row := findingRow{FindingContent: fc, Stage: first.Stage, Reason: reason, Attribution: c.stamp(now)}
		r, err := c.appendRow(ctx, tx, tblFindings, uuid.New(), id, row)
		if err != nil {
			return Event{}, err
		}
		f = Finding{ID: id, FindingContent: fc, Stage: first.Stage, Created: first.Attribution, Revision: r.rev, Updated: row.Attribution}
		details := findingDetails(fc, first.Stage, r.rev)
		details["changed"] = strings.Join(changed, ",")
		return Event{Action: ActionFindingEdited, Target: Target{Type: TargetFinding, ID: id.String()}, Reason: reason,
			Hashes: map[string]string{"content_sha256": contentHash(r.data)}, Details: details}, nil
	})
	return f, err
}

func findingDetails(fc FindingContent, st Stage, rev int) map[string]string {
	d := map[string]string{"title": short(fc.Title), "confidence": string(fc.Confidence), "stage": string(st),
		"revision": fmt.Sprint(rev), "locations": fmt.Sprint(len(fc.Locations)), "indicators": fmt.Sprint(len(fc.Indicators))}
	if len(fc.Techniques) > 0 {
		d["techniques"] = short(strings.Join(fc.Techniques, ","))
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
	} {
		if !eq(f.x, f.y) {
			out = append(out, f.name)
		}
	}
	return out
}

// findingRevisions returns the stored revisions of finding id, oldest first.
func (c *Case) findingRevisions(ctx context.Context, q querier, id uuid.UUID) ([]findingRow, error) {
	if id == uuid.Nil {
		return nil, fmt.Errorf("%w: %s", ErrNoSuchFinding, id)
	}
	rows, err := c.readRows(ctx, q, tblFindings, id)
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("%w: %s", ErrNoSuchFinding, id)
	}
	return decodeRows[findingRow](tblFindings, rows)
}

// Finding returns the current view of finding id.
func (c *Case) Finding(id uuid.UUID) (Finding, error) {
	var f Finding
	err := c.read("read finding", func(ctx context.Context, q querier) error {
		revs, err := c.findingRevisions(ctx, q, id)
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
func (c *Case) Findings() ([]Finding, error) {
	var out []Finding
	err := c.read("read findings", func(ctx context.Context, q querier) error {
		rows, err := c.readRows(ctx, q, tblFindings, uuid.Nil)
		if err != nil {
			return err
		}
		revs := map[uuid.UUID][]findingRow{}
		var order []uuid.UUID
		for _, r := range rows {
			var fr findingRow
			if err := decodeRow(tblFindings, r, &fr); err != nil {
				return err
			}
			if _, ok := revs[r.parent]; !ok {
				order = append(order, r.parent)
			}
			revs[r.parent] = append(revs[r.parent], fr)
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
func (c *Case) FindingHistory(id uuid.UUID) ([]FindingRevision, error) {
	var out []FindingRevision
	err := c.read("read finding history", func(ctx context.Context, q querier) error {
		revs, err := c.findingRevisions(ctx, q, id)
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
