package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/incident"
)

// This file holds what the incident commands share: how a record's author
// is shown, how the custody entry of a change is reported, and how a record
// is named on the command line.

// writeRecordedHead writes which custody entry recorded action: the head of
// c, which the change just appended.
func writeRecordedHead(w io.Writer, c *casefile.Case, action casefile.Action) {
	seq, _ := c.Head()
	writeRecorded(w, seq-1, seq, action)
}

// byText says who recorded something and when, for a person:
// "2026-11-26T10:00:00Z by Ada Lovelace (Forensic Engineer)".
func byText(a casefile.Attribution) string {
	s := textTime(a.At) + " by " + orNone(printable(a.Examiner, false))
	if a.Role != "" {
		s += " (" + a.Role.Title() + ")"
	}
	return s
}

// attributionJSON says who recorded something, in which role, and when;
// its field names are a stable interface for scripts.
type attributionJSON struct {
	At         string `json:"at"`
	Examiner   string `json:"examiner"`
	ExaminerID string `json:"examiner_id"`
	Role       string `json:"role"`
}

func toAttributionJSON(a casefile.Attribution) attributionJSON {
	return attributionJSON{At: formatTime(a.At), Examiner: a.Examiner, ExaminerID: a.ExaminerID.String(), Role: string(a.Role)}
}

// optTime is t for JSON, or null when it is zero.
func optTime(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := formatTime(t)
	return &s
}

// nonNil returns s, or an empty slice for nil, so that JSON shows [] not null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// shortUUID is the first 8 characters of a record's id, as lists show it.
func shortUUID(id uuid.UUID) string { return id.String()[:8] }

// writeIndented writes text (escaped with printable, keeping its lines)
// with every line indented.
func writeIndented(w io.Writer, indent, text string) {
	for line := range strings.SplitSeq(printable(text, true), "\n") {
		fmt.Fprintf(w, "%s%s\n", indent, line)
	}
}

// parseIDRef checks an id typed on the command line: a UUID, or at least
// its first 4 characters. It returns the id in lower case, as UUIDs are
// written.
func parseIDRef(kind, s string) (string, error) {
	ref := strings.ToLower(strings.TrimSpace(s))
	if strings.Trim(ref, "0123456789abcdef-") != "" {
		return "", fmt.Errorf("%s id %q is not a UUID or the start of one", kind, s)
	}
	if len(strings.ReplaceAll(ref, "-", "")) < 4 {
		return "", fmt.Errorf("%s id %q is too short: give at least its first 4 characters", kind, s)
	}
	return ref, nil
}

// recordKind describes a kind of incident record for resolving ids typed
// on the command line.
type recordKind struct {
	name     string // "finding", "repair item"
	notFound error  // the casefile sentinel for an unknown id
	list     string // the command that lists them: "custodiactl finding list"
}

var (
	findingKind   = recordKind{"finding", incident.ErrNoSuchFinding, "custodiactl finding list"}
	indicatorKind = recordKind{"indicator", incident.ErrNoSuchIndicator, "custodiactl indicator list"}
	repairKind    = recordKind{"repair item", incident.ErrNoSuchRepairItem, "custodiactl repair list"}
)

// resolve finds the one record among items whose id starts with ref,
// checked by idRef.
func resolve[T any](k recordKind, ref string, items []T, idOf func(T) uuid.UUID) (T, error) {
	var found []T
	for _, it := range items {
		if strings.HasPrefix(idOf(it).String(), ref) {
			found = append(found, it)
		}
	}
	var zero T
	switch len(found) {
	case 0:
		return zero, withHint(fmt.Errorf("%w: %s", k.notFound, ref),
			fmt.Sprintf("list the %ss and their ids with '%s'", k.name, k.list))
	case 1:
		return found[0], nil
	}
	return zero, withHint(fmt.Errorf("%w: %s id %q names %d %ss", casefile.ErrInvalid, k.name, ref, len(found), k.name),
		fmt.Sprintf("give more characters of the id, or all of it, as '%s --json' shows it", k.list))
}

// evidenceIDs resolves evidence ids typed on the command line, checked by
// parseIDRef, to the items of c.
func evidenceIDs(c *casefile.Case, refs []string) ([]uuid.UUID, error) {
	ids := make([]uuid.UUID, 0, len(refs))
	for _, ref := range refs {
		ev, err := findEvidence(c, ref)
		if err != nil {
			return nil, err
		}
		ids = append(ids, ev.ID)
	}
	return ids, nil
}

// evidenceNames maps the ids of c's evidence items to their names, for
// showing the items a record links to.
func evidenceNames(c *casefile.Case) (map[uuid.UUID]string, error) {
	items, err := c.ListEvidence()
	if err != nil {
		return nil, err
	}
	names := make(map[uuid.UUID]string, len(items))
	for _, ev := range items {
		names[ev.ID] = ev.Meta.Name
	}
	return names, nil
}

// evidenceText names a linked item for a person: "5bb5a1c2 disk.img".
func evidenceText(id uuid.UUID, names map[uuid.UUID]string) string {
	name, ok := names[id]
	if !ok {
		return shortUUID(id) + " (not in the case)"
	}
	return shortUUID(id) + " " + printable(name, false)
}
