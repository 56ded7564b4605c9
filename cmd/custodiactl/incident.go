package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/incident"
)

// The scales of severity and priority, as casefile rates them, for help
// texts. They follow incident.Severity and incident.Priority.
const severityScale = `Severity (--severity) says how serious the event is, from the severity
criteria of the process (privacy, impact, scope, affected tenants, regions,
services, details, industry or market regulations):
  1 Critical  customer data is confirmed or imminently at risk; worked around
              the clock until resolution
  2 High      customer data may be at risk, or several tenants are affected,
              or a regulated industry or market is affected
  3 Medium    a security risk to a service; one tenant or an unknown number
              affected; no sign of risk to customer data
  4 Low       no tenant affected and no risk to customer data`

const priorityScale = `Priority (--priority) orders the response, from 1 (most urgent) to 4, by
the three factors of NIST SP 800-61r2 (3.2.6); the most urgent factor decides:
  1 Critical  functional impact high, informational impact privacy-breach or
              integrity-loss, or recoverability not-recoverable
  2 High      functional impact medium, informational impact
              proprietary-breach, or recoverability extended
  3 Medium    functional impact low, or recoverability supplemented
  4 Low       functional impact none, informational impact none and
              recoverability regular`

var incidentCommand = &command{
	name:    "incident",
	summary: "show and set the incident record of a case",
	about: `Every case is one incident, or suspected incident. Its record holds the
classification (security incident or not, with the rationale), whether it is
an exercise, how and when it was detected, when the organization became aware
of it, its severity and priority with their criteria, a summary, related
incidents and the recommended next steps. Every change is a custody entry with
the examiner, role and rationale; earlier values stay on record.

` + severityScale + `

` + priorityScale,
	sub: []*command{
		{
			name:    "show",
			summary: "show the incident record",
			about: `Open CASE and show its incident record: classification with its rationale and
who decided it, exercise, detection source and time, awareness time and who
recorded it, severity and priority with their criteria and the level the
criteria suggest, summary, indicators, related incidents, next steps, the
stage, who holds which role, the customer-notification decision, the time
since detection and since awareness, the repair items (open and overdue) and
the number of findings. --json gives the same with stable snake_case keys;
times are RFC 3339 UTC and absent values null.

Severity: 1 Critical, 2 High, 3 Medium, 4 Low.
Priority: 1 Critical, 2 High, 3 Medium, 4 Low, by functional impact,
informational impact and recoverability (NIST SP 800-61r2).
'custodiactl help incident set' explains both scales.`,
			params: []param{caseParam},
			flags:  []flagDef{jsonFlag},
			opens:  true,
			do:     runIncidentShow,
		},
		{
			name: "set",
			synopsis: "CASE [--classification security|non-security|undetermined] [--severity 1-4] [--priority 1-4] " +
				"[--summary TEXT] [--exercise[=KIND]|--no-exercise] [--detection-source S] [--detected-at RFC3339] " +
				"[--aware [--aware-at RFC3339]] [--next-step TEXT]... [--related CASE-NUMBER]... [--reason TEXT]",
			summary: "classify, rate and describe the incident",
			about: `Open CASE and change its incident record. Every change given is made in one
transaction, recorded as one custody entry: incident.updated, whose details
name each change, or the change's own action when there is only one. They
are made in this order: clearing the exercise mark, detection (its flags
together), awareness, classification, setting an exercise mark, severity
(its flags together), priority (likewise), summary, next steps, and each
related incident linked or unlinked. --reason is the rationale of every
change; classification, exercise, severity and priority require one. If
the case refuses any change, none is made. Each change is printed, then the
custody entry that recorded them.

Classification (--classification): security (a security incident: illegal or
unauthorized access that results in the loss, disclosure or alteration of
customer data), non-security, or undetermined. An exercise (--exercise,
or --exercise=red-team, =tabletop, =other-drill) is never a security incident.

Detection (--detection-source, --detected-at, --detection-detail) records
what triggered the investigation: ` + orList(incident.DetectionSources) + `.
Flags not given keep their recorded values. --aware records that the
organization is aware of a (possible) breach, at --aware-at or now: the
instant regulatory clocks such as GDPR Art. 33's 72 hours run from.

` + severityScale + `
A severity rating records its criteria: --privacy (none, possible,
imminent, confirmed), --tenants (a count or unknown), --impact, --scope,
--region, --service, --severity-details and --regulation (repeat the last
three for several). The first rating needs --privacy; later ones keep the
criteria not given. Without --severity the level the criteria suggest is
taken; with it, the level given, and both are recorded.

` + priorityScale + `
A priority rating records its factors: --functional-impact (none, low,
medium, high), --informational-impact (none, proprietary-breach,
privacy-breach, integrity-loss) and --recoverability (regular,
supplemented, extended, not-recoverable). The first rating needs all three;
later ones keep the factors not given. Without --priority the suggested
level is taken.

--next-step replaces the recommended next steps with those given, in order
(--no-next-steps clears them). --related links another incident by its case
number (the custody entry keeps --reason); --unrelated removes a link.`,
			params: []param{caseParam},
			flags:  incidentSetFlags,
			opens:  true, changes: true,
			check: checkIncidentSet,
			do:    runIncidentSet,
		},
	},
}

// classificationAliases are the short spellings of the classifications.
var classificationAliases = map[string]incident.Classification{
	"security":          incident.ClassificationSecurityIncident,
	"non-security":      incident.ClassificationNotSecurityIncident,
	"not-security":      incident.ClassificationNotSecurityIncident,
	"security-incident": incident.ClassificationSecurityIncident,
}

// classificationChoices are the classifications as the CLI writes them.
var classificationChoices = []incident.Classification{"security", "non-security", incident.ClassificationUndetermined}

func runIncidentShow(in *call, c *casefile.Case) error {
	v, err := readIncidentView(c, in.now())
	if err != nil {
		return err
	}
	if in.on("json") {
		return writeJSON(in.stdout, v.toJSON())
	}
	v.writeText(in.stdout)
	return nil
}

// incidentView is everything 'incident show' reports, read from one case.
type incidentView struct {
	info       casefile.Info
	inc        incident.Incident
	indicators []incident.Indicator
	repairs    []incident.RepairItem
	findings   int
	now        time.Time
}

func readIncidentView(c *casefile.Case, now time.Time) (*incidentView, error) {
	v := &incidentView{info: c.Info(), now: now}
	var err error
	if v.inc, err = incident.Of(c).Incident(); err != nil {
		return nil, err
	}
	if v.indicators, err = incident.Of(c).Indicators(); err != nil {
		return nil, err
	}
	if v.repairs, err = incident.Of(c).RepairItems(); err != nil {
		return nil, err
	}
	fs, err := incident.Of(c).Findings()
	if err != nil {
		return nil, err
	}
	v.findings = len(fs)
	return v, nil
}

// repairCounts counts the repair items not done, and those overdue at now.
func repairCounts(items []incident.RepairItem, now time.Time) (open, overdue int) {
	for _, it := range items {
		if it.Status != incident.RepairDone {
			open++
		}
		if it.Overdue(now) {
			overdue++
		}
	}
	return open, overdue
}

// since is the time from t to now, or nil when t is unknown.
func since(t, now time.Time) *time.Duration {
	if t.IsZero() {
		return nil
	}
	d := max(now.Sub(t), 0)
	return &d
}

// durationText is an elapsed time for people, to the minute: "45m",
// "2h 0m", "3d 4h 5m".
func durationText(d time.Duration) string {
	m := int64(d / time.Minute)
	switch {
	case m >= 24*60:
		return fmt.Sprintf("%dd %dh %dm", m/(24*60), m/60%24, m%60)
	case m >= 60:
		return fmt.Sprintf("%dh %dm", m/60, m%60)
	}
	return fmt.Sprintf("%dm", m)
}

// severityText is a rating's level and the level its criteria suggest.
func severityText(r incident.SeverityRating) string {
	if r.Suggested == r.Severity {
		return r.Severity.Title() + ", as the criteria suggest"
	}
	return fmt.Sprintf("%s; the criteria suggest %s", r.Severity.Title(), r.Suggested.Title())
}

func priorityText(r incident.PriorityRating) string {
	if r.Suggested == r.Priority {
		return r.Priority.Title() + ", as the factors suggest"
	}
	return fmt.Sprintf("%s; the factors suggest %s", r.Priority.Title(), r.Suggested.Title())
}

// criteriaText lists the severity criteria that were given.
func criteriaText(sc incident.SeverityCriteria) string {
	tenants := "unknown"
	if sc.AffectedTenants != incident.TenantsUnknown {
		tenants = fmt.Sprint(sc.AffectedTenants)
	}
	parts := []string{"privacy " + string(sc.Privacy), "affected tenants " + tenants}
	for _, f := range []struct{ name, v string }{
		{"impact", sc.Impact}, {"scope", sc.Scope}, {"regions", strings.Join(sc.Regions, ", ")},
		{"services", strings.Join(sc.Services, ", ")}, {"regulations", strings.Join(sc.Regulations, ", ")},
		{"details", sc.Details},
	} {
		if f.v != "" {
			parts = append(parts, f.name+" "+f.v)
		}
	}
	return printable(strings.Join(parts, "; "), true)
}

func factorsText(pf incident.PriorityFactors) string {
	return fmt.Sprintf("functional impact %s; informational impact %s; recoverability %s",
		pf.Functional, pf.Informational, pf.Recoverability)
}

func (v *incidentView) writeText(w io.Writer) {
	inc := v.inc
	field := func(name, value string) { writeField(w, 19, name, value) }
	sub := func(name, value string) { writeField(w, 19, "  "+name, value) }
	field("Title", printable(v.info.Title, false))
	field("Case number", orNone(printable(v.info.CaseNumber, false)))
	field("Stage", fmt.Sprintf("%s (%d of %d)", inc.Stage.Title(), inc.Stage.Number(), len(incident.Stages)))

	cl := inc.Classification
	field("Classification", cl.Classification.Title())
	if !cl.At.IsZero() {
		sub("Rationale", printable(cl.Rationale, true))
		sub("Decided", byText(cl.Attribution))
	}
	if inc.Exercise == incident.ExerciseNone {
		field("Exercise", "no")
	} else {
		field("Exercise", string(inc.Exercise))
		sub("Rationale", orNone(printable(inc.ExerciseNote, true)))
	}

	d := inc.Detection
	field("Detection", orUnknown(string(d.Source)))
	if !d.DetectedAt.IsZero() {
		sub("Detected", textTime(d.DetectedAt))
	}
	if d.Detail != "" {
		sub("Detail", printable(d.Detail, true))
	}
	if s := since(d.DetectedAt, v.now); s != nil {
		field("Since detection", durationText(*s))
	} else {
		field("Since detection", "(detection time unknown)")
	}
	if a := inc.Awareness; a != nil {
		field("Awareness", textTime(a.AwareAt))
		if a.Rationale != "" {
			sub("Rationale", printable(a.Rationale, true))
		}
		sub("Recorded", byText(a.Attribution))
		field("Since awareness", durationText(*since(a.AwareAt, v.now)))
	} else {
		field("Awareness", "(not recorded)")
	}

	if r := inc.Severity; r != nil {
		field("Severity", severityText(*r))
		sub("Criteria", criteriaText(r.Criteria))
		sub("Rationale", printable(r.Rationale, true))
		sub("Rated", byText(r.Attribution))
	} else {
		field("Severity", "(not set)")
	}
	if r := inc.Priority; r != nil {
		field("Priority", priorityText(*r))
		sub("Factors", factorsText(r.Factors))
		sub("Rationale", printable(r.Rationale, true))
		sub("Rated", byText(r.Attribution))
	} else {
		field("Priority", "(not set)")
	}
	field("Summary", orNone(printable(inc.Summary, true)))

	field("Indicators", count(len(v.indicators)))
	writeIndicatorTable(w, v.indicators, "  ")
	field("Related", count(len(inc.Related)))
	for _, r := range inc.Related {
		line := "  " + printable(r.CaseNumber, false)
		if r.Note != "" {
			line += "  " + printable(r.Note, false)
		}
		fmt.Fprintln(w, line)
	}
	field("Next steps", count(len(inc.NextSteps)))
	for i, s := range inc.NextSteps {
		prefix := fmt.Sprintf("  %d. ", i+1)
		fmt.Fprintln(w, prefix+strings.ReplaceAll(printable(s, true), "\n", "\n"+strings.Repeat(" ", len(prefix))))
	}
	field("Roles", count(len(inc.Roles)))
	writeRoleHolderTable(w, inc.Roles, "  ")
	if n := inc.Notification; n != nil {
		field("Notification", string(n.Status))
		if n.Reason != "" {
			sub("Reason", printable(n.Reason, true))
		}
		sub("Decided", byText(n.Attribution))
	} else {
		field("Notification", "(not decided)")
	}
	open, overdue := repairCounts(v.repairs, v.now)
	field("Repair items", fmt.Sprintf("%d: %d open, %d overdue", len(v.repairs), open, overdue))
	field("Findings", fmt.Sprint(v.findings))
}

// writeRoleHolderTable lists who holds which role, each line prefixed by indent.
func writeRoleHolderTable(w io.Writer, hs []incident.RoleHolder, indent string) {
	if len(hs) == 0 {
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, h := range hs {
		fmt.Fprintf(tw, "%s%s\t%s\tsince %s\n", indent, h.Role.Title(), printable(h.Examiner, false), byText(h.Since))
	}
	tw.Flush()
}

// incidentJSON is the JSON form of 'incident show'; its field names are a
// stable interface for scripts. Values not yet recorded are null.
type incidentJSON struct {
	CaseUUID              string             `json:"case_uuid"`
	CaseNumber            string             `json:"case_number"`
	Title                 string             `json:"title"`
	Stage                 string             `json:"stage"`
	StageTitle            string             `json:"stage_title"`
	Classification        classificationJSON `json:"classification"`
	Exercise              *exerciseJSON      `json:"exercise"` // null for a real event
	Detection             detectionJSON      `json:"detection"`
	Awareness             *awarenessJSON     `json:"awareness"`
	Severity              *severityJSON      `json:"severity"`
	Priority              *priorityJSON      `json:"priority"`
	Summary               string             `json:"summary"`
	Indicators            []indicatorJSON    `json:"indicators"`
	RelatedIncidents      []relatedJSON      `json:"related_incidents"`
	NextSteps             []string           `json:"next_steps"`
	RoleHolders           []roleHolderJSON   `json:"role_holders"`
	Notification          *notificationJSON  `json:"notification"`
	AsOf                  string             `json:"as_of"`
	SecondsSinceDetection *int64             `json:"seconds_since_detection"`
	SecondsSinceAwareness *int64             `json:"seconds_since_awareness"`
	RepairItems           repairCountsJSON   `json:"repair_items"`
	Findings              int                `json:"findings"`
}

type classificationJSON struct {
	Classification string           `json:"classification"` // casefile's id: security-incident, not-security-incident, undetermined
	Title          string           `json:"title"`
	Rationale      string           `json:"rationale"`
	Decided        *attributionJSON `json:"decided"` // null before the first decision
}

type exerciseJSON struct {
	Kind      string `json:"kind"`
	Rationale string `json:"rationale"`
}

type detectionJSON struct {
	Source     string  `json:"source"` // "" when unknown
	DetectedAt *string `json:"detected_at"`
	Detail     string  `json:"detail"`
}

type awarenessJSON struct {
	AwareAt   string          `json:"aware_at"`
	Rationale string          `json:"rationale"`
	Recorded  attributionJSON `json:"recorded"`
}

type severityJSON struct {
	Severity  int             `json:"severity"`
	Title     string          `json:"title"`
	Suggested int             `json:"suggested"`
	Criteria  criteriaJSON    `json:"criteria"`
	Rationale string          `json:"rationale"`
	Rated     attributionJSON `json:"rated"`
}

type criteriaJSON struct {
	Privacy         string   `json:"privacy"`
	Impact          string   `json:"impact"`
	Scope           string   `json:"scope"`
	AffectedTenants *int     `json:"affected_tenants"` // null when unknown
	Regions         []string `json:"regions"`
	Services        []string `json:"services"`
	Details         string   `json:"details"`
	Regulations     []string `json:"regulations"`
}

type priorityJSON struct {
	Priority  int             `json:"priority"`
	Title     string          `json:"title"`
	Suggested int             `json:"suggested"`
	Factors   factorsJSON     `json:"factors"`
	Rationale string          `json:"rationale"`
	Rated     attributionJSON `json:"rated"`
}

type factorsJSON struct {
	FunctionalImpact    string `json:"functional_impact"`
	InformationalImpact string `json:"informational_impact"`
	Recoverability      string `json:"recoverability"`
}

type relatedJSON struct {
	CaseNumber string `json:"case_number"`
	Note       string `json:"note"`
}

type roleHolderJSON struct {
	Role       string          `json:"role"`
	RoleTitle  string          `json:"role_title"`
	Examiner   string          `json:"examiner"`
	ExaminerID string          `json:"examiner_id"`
	Assigned   attributionJSON `json:"assigned"`
}

type repairCountsJSON struct {
	Total   int `json:"total"`
	Open    int `json:"open"`
	Overdue int `json:"overdue"`
}

// levelTitle is "Critical" … "Low" for a level 1 … 4.
func levelTitle(n int) string {
	if n < 1 || n > len(levelNames) {
		return ""
	}
	return strings.ToUpper(levelNames[n-1][:1]) + levelNames[n-1][1:]
}

func toSeverityJSON(r incident.SeverityRating) severityJSON {
	sc := r.Criteria
	j := severityJSON{Severity: int(r.Severity), Title: levelTitle(int(r.Severity)), Suggested: int(r.Suggested),
		Criteria: criteriaJSON{Privacy: string(sc.Privacy), Impact: sc.Impact, Scope: sc.Scope,
			Regions: nonNil(sc.Regions), Services: nonNil(sc.Services), Details: sc.Details, Regulations: nonNil(sc.Regulations)},
		Rationale: r.Rationale, Rated: toAttributionJSON(r.Attribution)}
	if sc.AffectedTenants != incident.TenantsUnknown {
		n := sc.AffectedTenants
		j.Criteria.AffectedTenants = &n
	}
	return j
}

func toPriorityJSON(r incident.PriorityRating) priorityJSON {
	return priorityJSON{Priority: int(r.Priority), Title: levelTitle(int(r.Priority)), Suggested: int(r.Suggested),
		Factors: factorsJSON{FunctionalImpact: string(r.Factors.Functional), InformationalImpact: string(r.Factors.Informational),
			Recoverability: string(r.Factors.Recoverability)},
		Rationale: r.Rationale, Rated: toAttributionJSON(r.Attribution)}
}

func roleHoldersJSON(hs []incident.RoleHolder) []roleHolderJSON {
	out := make([]roleHolderJSON, 0, len(hs))
	for _, h := range hs {
		out = append(out, roleHolderJSON{Role: string(h.Role), RoleTitle: h.Role.Title(), Examiner: h.Examiner,
			ExaminerID: h.ExaminerID.String(), Assigned: toAttributionJSON(h.Since)})
	}
	return out
}

func seconds(d *time.Duration) *int64 {
	if d == nil {
		return nil
	}
	s := int64(*d / time.Second)
	return &s
}

func (v *incidentView) toJSON() incidentJSON {
	inc := v.inc
	cl := inc.Classification
	j := incidentJSON{
		CaseUUID: v.info.CaseUUID.String(), CaseNumber: v.info.CaseNumber, Title: v.info.Title,
		Stage: string(inc.Stage), StageTitle: inc.Stage.Title(),
		Classification: classificationJSON{Classification: string(cl.Classification), Title: cl.Classification.Title(), Rationale: cl.Rationale},
		Detection: detectionJSON{Source: string(inc.Detection.Source), DetectedAt: optTime(inc.Detection.DetectedAt),
			Detail: inc.Detection.Detail},
		Summary:    inc.Summary,
		Indicators: indicatorsJSON(v.indicators), RelatedIncidents: make([]relatedJSON, 0, len(inc.Related)),
		NextSteps: nonNil(inc.NextSteps), RoleHolders: roleHoldersJSON(inc.Roles),
		AsOf:                  formatTime(v.now),
		SecondsSinceDetection: seconds(since(inc.Detection.DetectedAt, v.now)),
		Findings:              v.findings,
	}
	if !cl.At.IsZero() {
		a := toAttributionJSON(cl.Attribution)
		j.Classification.Decided = &a
	}
	if inc.Exercise != incident.ExerciseNone {
		j.Exercise = &exerciseJSON{Kind: string(inc.Exercise), Rationale: inc.ExerciseNote}
	}
	if a := inc.Awareness; a != nil {
		j.Awareness = &awarenessJSON{AwareAt: formatTime(a.AwareAt), Rationale: a.Rationale, Recorded: toAttributionJSON(a.Attribution)}
		j.SecondsSinceAwareness = seconds(since(a.AwareAt, v.now))
	}
	if r := inc.Severity; r != nil {
		s := toSeverityJSON(*r)
		j.Severity = &s
	}
	if r := inc.Priority; r != nil {
		p := toPriorityJSON(*r)
		j.Priority = &p
	}
	for _, r := range inc.Related {
		j.RelatedIncidents = append(j.RelatedIncidents, relatedJSON{CaseNumber: r.CaseNumber, Note: r.Note})
	}
	if n := inc.Notification; n != nil {
		d := toNotificationJSON(*n)
		j.Notification = &d
	}
	open, overdue := repairCounts(v.repairs, v.now)
	j.RepairItems = repairCountsJSON{Total: len(v.repairs), Open: open, Overdue: overdue}
	return j
}
