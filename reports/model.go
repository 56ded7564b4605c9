package reports

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/incident"
	"github.com/custodia-dfir/custodia/casefile/timeline"
)

// Model is everything a report shows, read from one case at its head or
// as the case stood at a ledger entry (ReadModel's asOf). Every list is in
// a fixed order (oldest first, ties broken by id), never map order, so the
// same case state gives the same model and the same bytes.
//
// What "as of entry N" covers: the custody entries are those up to N; the
// head is entry N's hash. The records with a time of their own — findings
// (their latest revision at or before N), indicators, actions,
// mitigations and their signed approvals, classification, severity,
// priority, stage history, post-mortem revisions, evidence items — are
// those written at or before entry N's time. Two things are read at the
// case head only and are marked in Gaps when they changed after N: the
// descriptive incident record (summary, detection, awareness, next steps,
// related incidents, exercise mark), repair items revised after N (shown
// as created, their later revision left out), and an evidence item's
// verification recorded after N (left out). The starred events are those
// starred at entry N's time (timeline.Store.StarredAt), read from each
// item's current parse; events of items withdrawn by then are left out and
// counted in Gaps.
type Model struct {
	Case     CaseInfo
	Exercise string // the exercise kind; empty for a real incident
	AsOf     time.Time
	AsOfSeq  int64  // the entry the report is as of
	Head     string // that entry's hash
	CaseHead int64  // the case's head when the report was read
	Tool     Tool
	Stage    incident.Stage
	Summary  string
	// Classification, Severity and Priority are the decisions in force.
	Classification incident.ClassificationDecision
	Severity       *incident.SeverityRating
	Priority       *incident.PriorityRating
	Detection      incident.Detection
	Awareness      *incident.Awareness
	NextSteps      []string
	Related        []incident.RelatedIncident
	Roles          []incident.RoleHolder
	Findings       []incident.Finding
	Indicators     []incident.Indicator
	Actions        []incident.ResponseAction
	Mitigations    []incident.Mitigation
	Stages         []incident.StageChange
	PostMortem     *incident.PostMortem
	Repairs        []incident.RepairItem
	Evidence       []casefile.Evidence
	// Starred are the timeline's starred events (the key events), oldest
	// first, events without a time last.
	Starred []timeline.StarredEvent
	// Notification is the notification track as of AsOf: the affected
	// customers, the notices and the legal clocks; nil when it was not
	// started by then.
	Notification *NotificationModel
	Entries      []casefile.CustodyEntry // every custody entry up to AsOfSeq
	Examiners    []casefile.Examiner
	// LastVerification is the last ledger.verified entry up to AsOfSeq; nil
	// when the ledger was never verified.
	LastVerification *casefile.CustodyEntry
	// Gaps says what the model could not read as of AsOfSeq, in words.
	Gaps []string
	// ItemNames maps evidence ids to names for anchors.
	ItemNames map[uuid.UUID]string `json:"-"`
}

// CaseInfo is the case a report is about.
type CaseInfo struct {
	Number      string
	Title       string
	UUID        uuid.UUID
	Description string
	Created     time.Time
}

// ErrAsOf means --as-of named an entry the case does not have.
var ErrAsOf = casefile.NewKind("reports", "no such ledger entry",
	"give an entry number between 1 and the case's head ('custodiactl ledger show CASE' lists them), or leave --as-of out for the head")

// ReadModel reads the report model of c as of ledger entry asOf (0: the
// head). An asOf beyond the head is ErrAsOf. Reading needs
// PermGenerateReports.
func ReadModel(c *casefile.Case, asOf int64, tool Tool) (*Model, error) {
	const doing = "read report"
	if err := c.Require(casefile.PermGenerateReports); err != nil {
		return nil, fmt.Errorf("%s: %w", doing, err)
	}
	entries, exs, headSeq, _, err := c.LedgerSnapshot()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", doing, err)
	}
	if asOf < 0 || asOf > headSeq {
		return nil, fmt.Errorf("%s: %w", doing, ErrAsOf.Errorf("entry %d: the case's ledger ends at entry %d", asOf, headSeq))
	}
	if asOf == 0 {
		asOf = headSeq
	}
	if asOf == 0 {
		return nil, fmt.Errorf("%s: %w", doing, ErrAsOf.Errorf("the case's ledger is empty"))
	}
	entries = slices.DeleteFunc(entries, func(e casefile.CustodyEntry) bool { return e.Seq > asOf })
	last := entries[len(entries)-1]
	cut := last.Time
	in := func(a casefile.Attribution) bool { return !a.At.After(cut) }
	info := c.Info()
	m := &Model{
		Case:     CaseInfo{Number: info.CaseNumber, Title: info.Title, UUID: info.CaseUUID, Description: info.Description, Created: info.Created},
		AsOf:     cut.UTC(),
		AsOfSeq:  asOf,
		Head:     last.Hash.String(),
		CaseHead: headSeq,
		Tool:     tool,
		Entries:  entries,
		Examiners: slices.SortedFunc(slices.Values(exs), func(a, b casefile.Examiner) int {
			return cmp.Compare(a.ID.String(), b.ID.String())
		}),
		ItemNames: map[uuid.UUID]string{},
	}
	for i := len(entries) - 1; i >= 0; i-- {
		if entries[i].Action == casefile.ActionLedgerVerified {
			e := entries[i]
			m.LastVerification = &e
			break
		}
	}
	s := incident.Of(c)
	fail := func(err error) (*Model, error) { return nil, fmt.Errorf("%s: %w", doing, err) }

	inc, err := s.Incident()
	if err != nil {
		return fail(err)
	}
	m.Summary, m.Detection, m.Awareness, m.NextSteps, m.Related, m.Exercise =
		inc.Summary, inc.Detection, inc.Awareness, inc.NextSteps, inc.Related, string(inc.Exercise)
	if asOf < headSeq && incidentChangedAfter(c, asOf) {
		m.Summary, m.Detection, m.Awareness, m.NextSteps, m.Related = "", incident.Detection{}, nil, nil, nil
		m.Gaps = append(m.Gaps, fmt.Sprintf("The summary, detection, awareness, next steps and related incidents were changed after entry %d; earlier revisions of them are not read, so they are left out.", asOf))
	}
	m.Roles = slices.DeleteFunc(inc.Roles, func(r incident.RoleHolder) bool { return !in(r.Since) })

	cls, err := s.ClassificationHistory()
	if err != nil {
		return fail(err)
	}
	m.Classification = incident.ClassificationDecision{Classification: incident.ClassificationUndetermined}
	if v, ok := lastIn(cls, func(d incident.ClassificationDecision) casefile.Attribution { return d.Attribution }, cut); ok {
		m.Classification = v
	}
	sev, err := s.SeverityHistory()
	if err != nil {
		return fail(err)
	}
	if v, ok := lastIn(sev, func(d incident.SeverityRating) casefile.Attribution { return d.Attribution }, cut); ok {
		m.Severity = &v
	}
	pri, err := s.PriorityHistory()
	if err != nil {
		return fail(err)
	}
	if v, ok := lastIn(pri, func(d incident.PriorityRating) casefile.Attribution { return d.Attribution }, cut); ok {
		m.Priority = &v
	}
	st, err := s.StageHistory()
	if err != nil {
		return fail(err)
	}
	m.Stages = slices.DeleteFunc(st, func(x incident.StageChange) bool { return !in(x.Attribution) })
	m.Stage = incident.StageDetect
	if len(m.Stages) > 0 {
		m.Stage = m.Stages[len(m.Stages)-1].To
	}

	fs, err := s.Findings()
	if err != nil {
		return fail(err)
	}
	for _, f := range fs {
		if !in(f.Created) {
			continue
		}
		if !in(f.Updated) {
			revs, err := s.FindingHistory(f.ID)
			if err != nil {
				return fail(err)
			}
			for _, r := range revs {
				if in(r.Attribution) {
					f.FindingContent, f.Revision, f.Updated = r.FindingContent, r.Revision, r.Attribution
				}
			}
		}
		m.Findings = append(m.Findings, f)
	}
	sortBy(m.Findings, func(f incident.Finding) (time.Time, uuid.UUID) { return f.Created.At, f.ID })

	ind, err := s.Indicators()
	if err != nil {
		return fail(err)
	}
	m.Indicators = slices.DeleteFunc(ind, func(x incident.Indicator) bool { return !in(x.Attribution) })
	sortBy(m.Indicators, func(x incident.Indicator) (time.Time, uuid.UUID) { return x.At, x.ID })

	acts, err := s.ResponseActions()
	if err != nil {
		return fail(err)
	}
	m.Actions = slices.DeleteFunc(acts, func(x incident.ResponseAction) bool { return !in(x.Attribution) })
	sortBy(m.Actions, func(x incident.ResponseAction) (time.Time, uuid.UUID) { return x.PerformedAt, x.ID })

	mits, err := s.Mitigations()
	if err != nil {
		return fail(err)
	}
	m.Mitigations = slices.DeleteFunc(mits, func(x incident.Mitigation) bool { return !in(x.Attribution) })
	for i := range m.Mitigations {
		m.Mitigations[i].Approvals = slices.DeleteFunc(slices.Clone(m.Mitigations[i].Approvals),
			func(a incident.Approval) bool { return a.Signed && a.At.After(cut) })
	}
	sortBy(m.Mitigations, func(x incident.Mitigation) (time.Time, uuid.UUID) { return x.PerformedAt, x.ID })

	pms, err := s.PostMortemHistory()
	if err != nil {
		return fail(err)
	}
	if v, ok := lastIn(pms, func(d incident.PostMortem) casefile.Attribution { return d.Attribution }, cut); ok {
		m.PostMortem = &v
	}
	reps, err := s.RepairItems()
	if err != nil {
		return fail(err)
	}
	changed := 0
	for _, r := range reps {
		if !in(r.Created) {
			continue
		}
		if !in(r.Attribution) {
			changed++
		}
		m.Repairs = append(m.Repairs, r)
	}
	if changed > 0 {
		m.Gaps = append(m.Gaps, fmt.Sprintf("%d repair item(s) were revised after entry %d; they are shown as they are at the case head.", changed, asOf))
	}
	sortBy(m.Repairs, func(x incident.RepairItem) (time.Time, uuid.UUID) { return x.Created.At, x.ID })

	evs, err := c.ListEvidence()
	if err != nil {
		return fail(err)
	}
	for _, e := range evs {
		m.ItemNames[e.ID] = e.Meta.Name
		if e.Meta.IngestedAt.After(cut) {
			continue
		}
		if e.Verification != nil && e.Verification.At.After(cut) {
			e.Verification = nil
		}
		m.Evidence = append(m.Evidence, e)
	}
	sortBy(m.Evidence, func(x casefile.Evidence) (time.Time, uuid.UUID) { return x.Meta.IngestedAt, x.ID })

	starred, orphans, err := timeline.Of(c).StarredAt(cut)
	if err != nil {
		return fail(err)
	}
	gone := map[uuid.UUID]bool{}
	for _, e := range evs {
		if e.Withdrawal != nil && !e.Withdrawal.At.After(cut) {
			gone[e.ID] = true
		}
	}
	withdrawn := 0
	for _, e := range starred {
		if gone[e.Item] {
			withdrawn++
			continue
		}
		m.Starred = append(m.Starred, e)
	}
	if withdrawn > 0 {
		m.Gaps = append(m.Gaps, fmt.Sprintf("%d starred event(s) of withdrawn evidence items are left out.", withdrawn))
	}
	if orphans > 0 {
		m.Gaps = append(m.Gaps, fmt.Sprintf("%d starred event(s) were made on an earlier parse of their item and match no event of its current parse; they are left out (custodiactl event list lists them).", orphans))
	}
	if m.Notification, err = readNotification(c, m, cut); err != nil {
		return fail(err)
	}
	return m, nil
}

// incidentChangedAfter reports whether an entry after asOf changed the
// descriptive incident record.
func incidentChangedAfter(c *casefile.Case, asOf int64) bool {
	es, err := c.Entries()
	if err != nil {
		return true
	}
	for _, e := range es {
		if e.Seq <= asOf {
			continue
		}
		switch e.Action {
		case incident.ActionIncidentSummary, incident.ActionIncidentDetection, incident.ActionIncidentAwareness,
			incident.ActionIncidentNextSteps, incident.ActionIncidentRelated, incident.ActionIncidentUnrelated,
			incident.ActionIncidentUpdated, incident.ActionIncidentExercise:
			return true
		}
	}
	return false
}

// lastIn returns the last element of xs (oldest first) written at or
// before cut.
func lastIn[T any](xs []T, at func(T) casefile.Attribution, cut time.Time) (T, bool) {
	for i := len(xs) - 1; i >= 0; i-- {
		if !at(xs[i]).At.After(cut) {
			return xs[i], true
		}
	}
	var zero T
	return zero, false
}

// sortBy sorts xs by time, then id.
func sortBy[T any](xs []T, key func(T) (time.Time, uuid.UUID)) {
	slices.SortStableFunc(xs, func(a, b T) int {
		ta, ia := key(a)
		tb, ib := key(b)
		if c := ta.Compare(tb); c != 0 {
			return c
		}
		return cmp.Compare(ia.String(), ib.String())
	})
}

// seqText is an entry number as printed.
func seqText(n int64) string { return strconv.FormatInt(n, 10) }
