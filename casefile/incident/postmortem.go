package incident

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/custodia-dfir/custodia/casefile"
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
	if err := casefile.CheckText("post-mortem summary", pc.Summary, false, casefile.MaxMarkdownLen); err != nil {
		return err
	}
	if err := casefile.CheckText("procedure assessment", pc.ProcedureAssessment, false, casefile.MaxMarkdownLen); err != nil {
		return err
	}
	if err := casefile.CheckList("lapses", len(pc.Lapses)); err != nil {
		return err
	}
	if err := casefile.CheckList("SOP updates", len(pc.SOPUpdates)); err != nil {
		return err
	}
	for i, l := range pc.Lapses {
		if !slices.Contains(LapseCategories, l.Category) {
			return casefile.Invalidf("lapse %d: unknown category %q; use technical, communications, procedural, manual-error or process-flaw", i+1, l.Category)
		}
		if err := casefile.CheckText(fmt.Sprintf("lapse %d", i+1), l.Description, true, casefile.MaxTextLen); err != nil {
			return err
		}
		if err := casefile.CheckText(fmt.Sprintf("lapse %d engineering follow-up", i+1), l.EngineeringFollowUp, false, casefile.MaxTextLen); err != nil {
			return err
		}
	}
	for i, s := range pc.SOPUpdates {
		if err := casefile.CheckText(fmt.Sprintf("SOP update %d", i+1), s, true, casefile.MaxTextLen); err != nil {
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
	casefile.Attribution
}

// UpdatePostMortem saves pc as the next revision of the post-mortem.
func (s *Store) UpdatePostMortem(pc PostMortemContent, reason string) (PostMortem, error) {
	if err := pc.validate(); err != nil {
		return PostMortem{}, fmt.Errorf("update post-mortem: %w", err)
	}
	if err := casefile.CheckText("reason", reason, false, casefile.MaxTextLen); err != nil {
		return PostMortem{}, fmt.Errorf("update post-mortem: %w", err)
	}
	var pm PostMortem
	err := s.write("update post-mortem", func(tx *casefile.Tx) (casefile.Event, error) {
		pm = PostMortem{PostMortemContent: pc, Reason: reason, Attribution: tx.Stamp()}
		r, err := tx.Append(tblPostMortem, uuid.New(), pm)
		if err != nil {
			return casefile.Event{}, err
		}
		pm.Revision = int(r.Seq)
		return casefile.Event{Action: ActionPostMortemUpdated, Target: casefile.Target{Type: TargetPostMortem, ID: tx.CaseID().String()}, Reason: reason,
			Hashes: map[string]string{"content_sha256": r.ContentHash()},
			Details: map[string]string{"revision": fmt.Sprint(r.Seq), "summary_bytes": fmt.Sprint(len(pc.Summary)),
				"lapses": fmt.Sprint(len(pc.Lapses)), "technical_lapses": fmt.Sprint(len(pc.TechnicalLapses())), "sop_updates": fmt.Sprint(len(pc.SOPUpdates))}}, nil
	})
	return pm, err
}

// PostMortem returns the latest revision of the post-mortem; ok is false
// when none was written.
func (s *Store) PostMortem() (pm PostMortem, ok bool, err error) {
	hist, err := s.PostMortemHistory()
	if err != nil || len(hist) == 0 {
		return PostMortem{}, false, err
	}
	return hist[len(hist)-1], true, nil
}

// PostMortemHistory returns every revision of the post-mortem, oldest first.
func (s *Store) PostMortemHistory() ([]PostMortem, error) {
	out, err := casefile.ReadAll[PostMortem](s.c, "read post-mortem", tblPostMortem)
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
	Due                  time.Time            `json:"due"`
	Status               RepairStatus         `json:"status"`
	Completed            time.Time            `json:"completed"` // when it was marked done; zero otherwise
	Reason               string               `json:"reason"`    // why the latest revision was made
	Revision             int                  `json:"-"`
	Created              casefile.Attribution `json:"created"`
	casefile.Attribution                      // who made the latest revision, when
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
func (s *Store) AddRepairItem(n NewRepairItem) (RepairItem, error) {
	if err := casefile.CheckText("repair item description", n.Description, true, casefile.MaxTextLen); err != nil {
		return RepairItem{}, fmt.Errorf("add repair item: %w", err)
	}
	var it RepairItem
	err := s.write("add repair item", func(tx *casefile.Tx) (casefile.Event, error) {
		it = RepairItem{ID: uuid.New(), Description: n.Description, Due: dueDay(n.Due), Status: RepairOpen, Created: tx.Stamp(), Attribution: tx.Stamp()}
		if strings.TrimSpace(n.Owner) != "" {
			ex, err := tx.FindExaminer(n.Owner)
			if err != nil {
				return casefile.Event{}, err
			}
			it.OwnerID, it.Owner = ex.ID, ex.Name
		}
		r, err := tx.AppendRevision(tblRepairItems, it.ID, it)
		if err != nil {
			return casefile.Event{}, err
		}
		it.Revision = r.Rev
		return casefile.Event{Action: ActionRepairAdded, Target: casefile.Target{Type: TargetRepairItem, ID: it.ID.String()}, Reason: n.Reason, Details: repairDetails(it)}, nil
	})
	return it, err
}

func repairDetails(it RepairItem) map[string]string {
	d := map[string]string{"description": casefile.Brief(it.Description), "status": string(it.Status), "owner": it.Owner, "revision": fmt.Sprint(it.Revision)}
	if !it.Due.IsZero() {
		d["due"] = it.Due.Format(time.DateOnly)
	}
	return d
}

// AssignRepairItem makes examiner (UUID or name) the owner of item id.
func (s *Store) AssignRepairItem(id uuid.UUID, owner, reason string) (RepairItem, error) {
	return s.updateRepairItem("assign repair item", id, reason, func(tx *casefile.Tx, it *RepairItem) error {
		ex, err := tx.FindExaminer(owner)
		if err != nil {
			return err
		}
		if it.OwnerID == ex.ID {
			return casefile.Invalidf("%s owns the item already", ex.Name)
		}
		it.OwnerID, it.Owner = ex.ID, ex.Name
		return nil
	})
}

// SetRepairDue sets the due day of item id (zero clears it).
func (s *Store) SetRepairDue(id uuid.UUID, due time.Time, reason string) (RepairItem, error) {
	return s.updateRepairItem("set repair due date", id, reason, func(_ *casefile.Tx, it *RepairItem) error {
		it.Due = dueDay(due)
		return nil
	})
}

// SetRepairStatus sets the status of item id. Marking it done records the
// completion date (repair.done); any other change is repair.updated.
func (s *Store) SetRepairStatus(id uuid.UUID, status RepairStatus, reason string) (RepairItem, error) {
	if !slices.Contains(RepairStatuses, status) {
		return RepairItem{}, fmt.Errorf("set repair status: %w", casefile.Invalidf("unknown repair status %q; use open, in-progress or done", status))
	}
	return s.updateRepairItem("set repair status", id, reason, func(_ *casefile.Tx, it *RepairItem) error {
		if it.Status == status {
			return casefile.Invalidf("the item is %s already", status)
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
func (s *Store) updateRepairItem(what string, id uuid.UUID, reason string, edit func(*casefile.Tx, *RepairItem) error) (RepairItem, error) {
	if err := casefile.CheckText("reason", reason, false, casefile.MaxTextLen); err != nil {
		return RepairItem{}, fmt.Errorf("%s: %w", what, err)
	}
	var it RepairItem
	err := s.write(what, func(tx *casefile.Tx) (casefile.Event, error) {
		rows, err := tx.Revisions(tblRepairItems, id)
		if err != nil {
			return casefile.Event{}, err
		}
		if id == uuid.Nil || len(rows) == 0 {
			return casefile.Event{}, ErrNoSuchRepairItem.Errorf("%s is not a repair item of this incident", id)
		}
		if err := rows[len(rows)-1].Decode(&it); err != nil {
			return casefile.Event{}, err
		}
		it.ID, it.Reason, it.Attribution = id, reason, tx.Stamp()
		wasDone := it.Status == RepairDone
		if err := edit(tx, &it); err != nil {
			return casefile.Event{}, err
		}
		r, err := tx.AppendRevision(tblRepairItems, id, it)
		if err != nil {
			return casefile.Event{}, err
		}
		it.Revision = r.Rev
		action := ActionRepairUpdated
		if it.Status == RepairDone && !wasDone {
			action = ActionRepairDone
		}
		return casefile.Event{Action: action, Target: casefile.Target{Type: TargetRepairItem, ID: id.String()}, Reason: reason, Details: repairDetails(it)}, nil
	})
	return it, err
}

// RepairItems returns the current state of every repair item, in order of creation.
func (s *Store) RepairItems() ([]RepairItem, error) {
	var out []RepairItem
	err := s.c.Read("read repair items", func(r casefile.Reader) error {
		var err error
		out, err = repairItems(r)
		return err
	})
	return out, err
}

func repairItems(r casefile.Reader) ([]RepairItem, error) {
	rows, err := r.Records(tblRepairItems)
	if err != nil {
		return nil, err
	}
	var out []RepairItem
	index := map[uuid.UUID]int{}
	for _, r := range rows {
		var it RepairItem
		if err := r.Decode(&it); err != nil {
			return nil, err
		}
		it.ID, it.Revision = r.Parent, r.Rev
		if i, ok := index[r.Parent]; ok {
			out[i] = it
			continue
		}
		index[r.Parent] = len(out)
		out = append(out, it)
	}
	return out, nil
}

// OverdueRepairItems returns the items past their due day at now and not done.
func (s *Store) OverdueRepairItems(now time.Time) ([]RepairItem, error) {
	all, err := s.RepairItems()
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
