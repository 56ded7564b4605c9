package casefile

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
)

// The post-mortem (white paper, 2.2.5) addresses the lapses that caused the
// incident or were identified in it, the technical lapses to follow up with
// engineering teams, whether the response procedures were sufficient and
// complete, and the updates the SOP needs. "The incident manager is
// accountable for drafting the post mortem report and maintaining an
// inventory of all repair items, their owners, and completion dates."
// Every save is a new revision; the post-mortem and repair items stay
// editable after Close (repair items are often finished weeks later).

// LapseCategory classifies a lapse found in the post-mortem.
type LapseCategory string

// Lapse categories, as the white paper lists them.
const (
	LapseTechnical      LapseCategory = "technical"
	LapseCommunications LapseCategory = "communications"
	LapseProcedural     LapseCategory = "procedural"
	LapseManualError    LapseCategory = "manual-error"
	LapseProcessFlaw    LapseCategory = "process-flaw"
)

// LapseCategories lists the lapse categories.
var LapseCategories = []LapseCategory{LapseTechnical, LapseCommunications, LapseProcedural, LapseManualError, LapseProcessFlaw}

// Lapse is one lapse that caused the incident or was identified in it.
type Lapse struct {
	Category    LapseCategory `json:"category"`
	Description string        `json:"description"`
	// EngineeringFollowUp says who follows a technical lapse up and where
	// (team, ticket); empty for other categories.
	EngineeringFollowUp string `json:"engineering_follow_up"`
}

// PostMortemContent is what the incident manager writes in the post-mortem.
// Text fields are Markdown, stored verbatim.
type PostMortemContent struct {
	Summary string  `json:"summary"` // the details of the incident; required to close
	Lapses  []Lapse `json:"lapses"`
	// ProcedureAssessment evaluates the response procedures for sufficiency
	// and completeness.
	ProcedureAssessment string `json:"procedure_assessment"`
	// SOPUpdates lists updates the Security Incident Response SOP or related
	// processes need.
	SOPUpdates []string `json:"sop_updates"`
}

// TechnicalLapses returns the technical lapses, for engineering follow-up.
func (pc PostMortemContent) TechnicalLapses() []Lapse {
	var out []Lapse
	for _, l := range pc.Lapses {
		if l.Category == LapseTechnical {
			out = append(out, l)
		}
	}
	return out
}

// LapsesOf returns the lapses of one category.
func (pc PostMortemContent) LapsesOf(cat LapseCategory) []Lapse {
	var out []Lapse
	for _, l := range pc.Lapses {
		if l.Category == cat {
			out = append(out, l)
		}
	}
	return out
}

func (pc *PostMortemContent) validate() error {
	if err := checkText("post-mortem summary", pc.Summary, false, MaxMarkdownLen); err != nil {
		return err
	}
	if err := checkText("procedure assessment", pc.ProcedureAssessment, false, MaxMarkdownLen); err != nil {
		return err
	}
	if err := checkList("lapses", len(pc.Lapses)); err != nil {
		return err
	}
	if err := checkList("SOP updates", len(pc.SOPUpdates)); err != nil {
		return err
	}
	for i, l := range pc.Lapses {
		if !slices.Contains(LapseCategories, l.Category) {
			return invalidf("lapse %d: unknown category %q; use technical, communications, procedural, manual-error or process-flaw", i+1, l.Category)
		}
		if err := checkText(fmt.Sprintf("lapse %d", i+1), l.Description, true, MaxTextLen); err != nil {
			return err
		}
		if err := checkText(fmt.Sprintf("lapse %d engineering follow-up", i+1), l.EngineeringFollowUp, false, MaxTextLen); err != nil {
			return err
		}
	}
	for i, s := range pc.SOPUpdates {
		if err := checkText(fmt.Sprintf("SOP update %d", i+1), s, true, MaxTextLen); err != nil {
			return err
		}
	}
	if pc.Lapses == nil {
		pc.Lapses = []Lapse{}
	}
	if pc.SOPUpdates == nil {
		pc.SOPUpdates = []string{}
	}
	return nil
}

// PostMortem is one revision of the post-mortem.
type PostMortem struct {
	PostMortemContent
	Revision int    `json:"-"`
	Reason   string `json:"reason"`
	Attribution
}

// UpdatePostMortem saves pc as the next revision of the post-mortem.
func (c *Case) UpdatePostMortem(pc PostMortemContent, reason string) (PostMortem, error) {
	if err := pc.validate(); err != nil {
		return PostMortem{}, fmt.Errorf("update post-mortem: %w", err)
	}
	if err := checkText("reason", reason, false, MaxTextLen); err != nil {
		return PostMortem{}, fmt.Errorf("update post-mortem: %w", err)
	}
	var pm PostMortem
	err := c.write("update post-mortem", func(ctx context.Context, tx *sql.Tx, now time.Time) (Event, error) {
		pm = PostMortem{PostMortemContent: pc, Reason: reason, Attribution: c.stamp(now)}
		r, err := c.appendRow(ctx, tx, tblPostMortem, uuid.New(), uuid.Nil, pm)
		if err != nil {
			return Event{}, err
		}
		pm.Revision = int(r.seq)
		return Event{Action: ActionPostMortemUpdated, Target: Target{Type: TargetPostMortem, ID: c.id.String()}, Reason: reason,
			Hashes: map[string]string{"content_sha256": contentHash(r.data)},
			Details: map[string]string{"revision": fmt.Sprint(r.seq), "summary_bytes": fmt.Sprint(len(pc.Summary)),
				"lapses": fmt.Sprint(len(pc.Lapses)), "technical_lapses": fmt.Sprint(len(pc.TechnicalLapses())), "sop_updates": fmt.Sprint(len(pc.SOPUpdates))}}, nil
	})
	return pm, err
}

// PostMortem returns the latest revision of the post-mortem; ok is false
// when none was written.
func (c *Case) PostMortem() (pm PostMortem, ok bool, err error) {
	hist, err := c.PostMortemHistory()
	if err != nil || len(hist) == 0 {
		return PostMortem{}, false, err
	}
	return hist[len(hist)-1], true, nil
}

// PostMortemHistory returns every revision of the post-mortem, oldest first.
func (c *Case) PostMortemHistory() ([]PostMortem, error) {
	out, err := readTable[PostMortem](c, "read post-mortem", tblPostMortem)
	for i := range out {
		out[i].Revision = i + 1
	}
	return out, err
}

// RepairStatus is the state of a repair item.
type RepairStatus string

// Repair statuses.
const (
	RepairOpen       RepairStatus = "open"
	RepairInProgress RepairStatus = "in-progress"
	RepairDone       RepairStatus = "done"
)

// RepairStatuses lists the repair statuses.
var RepairStatuses = []RepairStatus{RepairOpen, RepairInProgress, RepairDone}

// NewRepairItem is what a person enters to add a repair item.
type NewRepairItem struct {
	Description string
	Owner       string    // examiner UUID or name; empty leaves the item unowned (Close is then refused)
	Due         time.Time // the due day (see RepairItem.Due); zero for none
	Reason      string    // recorded in the custody entry
}

// RepairItem is the current state of a repair item.
type RepairItem struct {
	ID          uuid.UUID `json:"-"`
	Description string    `json:"description"`
	OwnerID     uuid.UUID `json:"owner_id"` // uuid.Nil while unowned
	Owner       string    `json:"owner"`
	// Due is the due day, held as 00:00 UTC of the calendar day the person
	// picked (in the time zone they picked it in); zero for none. An item
	// is overdue once that day has ended in UTC and it is not done.
	Due         time.Time    `json:"due"`
	Status      RepairStatus `json:"status"`
	Completed   time.Time    `json:"completed"` // when it was marked done; zero otherwise
	Reason      string       `json:"reason"`    // why the latest revision was made
	Revision    int          `json:"-"`
	Created     Attribution  `json:"created"`
	Attribution              // who made the latest revision, when
}

// Overdue reports whether the item is past its due day at now and not done.
func (r RepairItem) Overdue(now time.Time) bool {
	return !r.Due.IsZero() && r.Status != RepairDone && !now.Before(r.Due.AddDate(0, 0, 1))
}

// dueDay returns 00:00 UTC of t's calendar day in t's own location.
func dueDay(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// AddRepairItem adds an item to the repair inventory.
func (c *Case) AddRepairItem(n NewRepairItem) (RepairItem, error) {
	if err := checkText("repair item description", n.Description, true, MaxTextLen); err != nil {
		return RepairItem{}, fmt.Errorf("add repair item: %w", err)
	}
	var it RepairItem
	err := c.write("add repair item", func(ctx context.Context, tx *sql.Tx, now time.Time) (Event, error) {
		it = RepairItem{ID: uuid.New(), Description: n.Description, Due: dueDay(n.Due), Status: RepairOpen, Created: c.stamp(now), Attribution: c.stamp(now)}
		if strings.TrimSpace(n.Owner) != "" {
			ex, err := c.lookupExaminer(ctx, tx, n.Owner)
			if err != nil {
				return Event{}, err
			}
			it.OwnerID, it.Owner = ex.ID, ex.Name
		}
		r, err := c.appendRow(ctx, tx, tblRepairItems, uuid.New(), it.ID, it)
		if err != nil {
			return Event{}, err
		}
		it.Revision = r.rev
		return Event{Action: ActionRepairAdded, Target: Target{Type: TargetRepairItem, ID: it.ID.String()}, Reason: n.Reason, Details: repairDetails(it)}, nil
	})
	return it, err
}

func repairDetails(it RepairItem) map[string]string {
	d := map[string]string{"description": short(it.Description), "status": string(it.Status), "owner": it.Owner, "revision": fmt.Sprint(it.Revision)}
	if !it.Due.IsZero() {
		d["due"] = it.Due.Format(time.DateOnly)
	}
	return d
}

// AssignRepairItem makes examiner (UUID or name) the owner of item id.
func (c *Case) AssignRepairItem(id uuid.UUID, owner, reason string) (RepairItem, error) {
	return c.updateRepairItem("assign repair item", id, reason, func(ctx context.Context, tx *sql.Tx, it *RepairItem) error {
		ex, err := c.lookupExaminer(ctx, tx, owner)
		if err != nil {
			return err
		}
		if it.OwnerID == ex.ID {
			return invalidf("%s owns the item already", ex.Name)
		}
		it.OwnerID, it.Owner = ex.ID, ex.Name
		return nil
	})
}

// SetRepairDue sets the due day of item id (zero clears it).
func (c *Case) SetRepairDue(id uuid.UUID, due time.Time, reason string) (RepairItem, error) {
	return c.updateRepairItem("set repair due date", id, reason, func(_ context.Context, _ *sql.Tx, it *RepairItem) error {
		it.Due = dueDay(due)
		return nil
	})
}

// SetRepairStatus sets the status of item id. Marking it done records the
// completion date (repair.done); any other change is repair.updated.
func (c *Case) SetRepairStatus(id uuid.UUID, status RepairStatus, reason string) (RepairItem, error) {
	if !slices.Contains(RepairStatuses, status) {
		return RepairItem{}, fmt.Errorf("set repair status: %w", invalidf("unknown repair status %q; use open, in-progress or done", status))
	}
	return c.updateRepairItem("set repair status", id, reason, func(_ context.Context, _ *sql.Tx, it *RepairItem) error {
		if it.Status == status {
			return invalidf("the item is %s already", status)
		}
		it.Status = status
		it.Completed = time.Time{}
		if status == RepairDone {
			it.Completed = it.At
		}
		return nil
	})
}

// updateRepairItem applies edit to the current state of item id and stores
// the result as its next revision.
func (c *Case) updateRepairItem(what string, id uuid.UUID, reason string, edit func(context.Context, *sql.Tx, *RepairItem) error) (RepairItem, error) {
	if err := checkText("reason", reason, false, MaxTextLen); err != nil {
		return RepairItem{}, fmt.Errorf("%s: %w", what, err)
	}
	var it RepairItem
	err := c.write(what, func(ctx context.Context, tx *sql.Tx, now time.Time) (Event, error) {
		rows, err := c.readRows(ctx, tx, tblRepairItems, id)
		if err != nil {
			return Event{}, err
		}
		if id == uuid.Nil || len(rows) == 0 {
			return Event{}, fmt.Errorf("%w: %s", ErrNoSuchRepairItem, id)
		}
		if err := decodeRow(tblRepairItems, rows[len(rows)-1], &it); err != nil {
			return Event{}, err
		}
		it.ID, it.Reason, it.Attribution = id, reason, c.stamp(now)
		wasDone := it.Status == RepairDone
		if err := edit(ctx, tx, &it); err != nil {
			return Event{}, err
		}
		r, err := c.appendRow(ctx, tx, tblRepairItems, uuid.New(), id, it)
		if err != nil {
			return Event{}, err
		}
		it.Revision = r.rev
		action := ActionRepairUpdated
		if it.Status == RepairDone && !wasDone {
			action = ActionRepairDone
		}
		return Event{Action: action, Target: Target{Type: TargetRepairItem, ID: id.String()}, Reason: reason, Details: repairDetails(it)}, nil
	})
	return it, err
}

// RepairItems returns the current state of every repair item, in order of creation.
func (c *Case) RepairItems() ([]RepairItem, error) {
	var out []RepairItem
	err := c.read("read repair items", func(ctx context.Context, q querier) error {
		var err error
		out, err = c.repairItems(ctx, q)
		return err
	})
	return out, err
}

func (c *Case) repairItems(ctx context.Context, q querier) ([]RepairItem, error) {
	rows, err := c.readRows(ctx, q, tblRepairItems, uuid.Nil)
	if err != nil {
		return nil, err
	}
	var out []RepairItem
	index := map[uuid.UUID]int{}
	for _, r := range rows {
		var it RepairItem
		if err := decodeRow(tblRepairItems, r, &it); err != nil {
			return nil, err
		}
		it.ID, it.Revision = r.parent, r.rev
		if i, ok := index[r.parent]; ok {
			out[i] = it
			continue
		}
		index[r.parent] = len(out)
		out = append(out, it)
	}
	return out, nil
}

// OverdueRepairItems returns the items past their due day at now and not done.
func (c *Case) OverdueRepairItems(now time.Time) ([]RepairItem, error) {
	all, err := c.RepairItems()
	if err != nil {
		return nil, err
	}
	var out []RepairItem
	for _, it := range all {
		if it.Overdue(now) {
			out = append(out, it)
		}
	}
	return out, nil
}
