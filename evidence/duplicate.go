package evidence

import (
	"context"
	"fmt"
	"strings"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/google/uuid"
)

// ErrDuplicate is matched (errors.Is) by the refusal of an item whose
// content is already in the case; the error is a *DuplicateError naming
// the items that hold it.
var ErrDuplicate = casefile.NewKind("evidence", "content already in the case",
	"the item already in the case holds these bytes: use it, or add this one again and choose to keep the copy with a reason (it is then recorded as a duplicate of the other)")

// DuplicateFunc decides whether to keep an item whose SHA-256 equals that
// of items already sealed in the case (existing, oldest first). It is
// called once the item was read, hashed and stored, before it is committed;
// newItem is the description it would be sealed with. keep false rolls the
// item back, recorded as an aborted ingest ("duplicate of <id> (<name>)",
// followed by reason when given); keep true commits it with reason (which
// must not be empty) and a warning naming the existing items. The GUI asks
// the examiner; the CLI keeps duplicates only with --allow-duplicate.
type DuplicateFunc func(ctx context.Context, newItem casefile.EvidenceMeta, existing []casefile.Evidence) (keep bool, reason string)

// Duplicate is a source whose content was already in the case, and what
// was decided about it.
type Duplicate struct {
	Meta     casefile.EvidenceMeta // the new item's description
	Existing []casefile.Evidence   // the items that held the same SHA-256
	Kept     bool                  // committed as a new item (ID), or rolled back
	ID       uuid.UUID             // the new item, when kept
	Reason   string                // the decision's reason
}

// DuplicateError refuses an item whose content is already in the case when
// no DuplicateFunc decides (Options.Duplicate is nil). It matches
// ErrDuplicate.
type DuplicateError struct {
	Name     string              // the new item
	SHA256   string              // its content's SHA-256
	Existing []casefile.Evidence // the items that hold it, oldest first
}

func (e *DuplicateError) Error() string { return ErrDuplicate.Error() + ": " + e.detail() }

// Is makes errors.Is(err, ErrDuplicate) true.
func (e *DuplicateError) Is(target error) bool { return target == ErrDuplicate }

// PersonMessage says which items already hold the content.
func (e *DuplicateError) PersonMessage() string { return ErrDuplicate.Text() + ": " + e.detail() }

// Hint says what a person can do.
func (e *DuplicateError) Hint() string { return ErrDuplicate.Hint() }

func (e *DuplicateError) detail() string {
	return fmt.Sprintf("%s has the SHA-256 %s of %s", e.Name, e.SHA256, describeItems(e.Existing))
}

// describeItems names items for a person: "item <id> (<name>, ingested
// <time>)", joined with "and".
func describeItems(items []casefile.Evidence) string {
	var out []string
	for _, ev := range items {
		out = append(out, fmt.Sprintf("item %s (%s, ingested %s)", ev.ID, ev.Meta.Name, ev.Meta.IngestedAt.UTC().Format("2006-01-02T15:04:05Z")))
	}
	return strings.Join(out, " and ")
}

// duplicateOf is the reason recorded when a duplicate is rolled back:
// "duplicate of <id> (<name>)", one per existing item.
func duplicateOf(items []casefile.Evidence) string {
	var out []string
	for _, ev := range items {
		out = append(out, fmt.Sprintf("%s (%s)", ev.ID, ev.Meta.Name))
	}
	return "duplicate of " + strings.Join(out, ", ")
}

// sameContent returns the sealed items whose SHA-256 is sha256, oldest first.
func sameContent(c *casefile.Case, sha256 string) ([]casefile.Evidence, error) {
	all, err := c.ListEvidence()
	if err != nil {
		return nil, err
	}
	var out []casefile.Evidence
	for _, ev := range all {
		if ev.Meta.Hashes.SHA256 == sha256 {
			out = append(out, ev)
		}
	}
	return out, nil
}
