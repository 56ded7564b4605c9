package app

import (
	"fmt"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/incident"
)

// assessmentArea is the Assessment area: the classification with its
// rationale and the exercise mark, the severity with its criteria, and the
// priority with its factors, each with its history and the button that
// records a new decision.
type assessmentArea struct{}

func (assessmentArea) title() string            { return "Assessment" }
func (assessmentArea) icon() fyne.ThemeIconName { return theme.IconNameWarning }
func (assessmentArea) fill() bool               { return false }

// assessmentView is the Assessment area on screen.
type assessmentView struct {
	cv *caseView

	class, classWhy, classBy, exercise *widget.Label
	classHistory                       *widget.Label
	severity, sevCriteria, sevWhy      *widget.Label
	sevHistory                         *widget.Label
	priority, priFactors, priWhy       *widget.Label
	priHistory                         *widget.Label
	loadProblem                        *widget.Label

	classify, setExercise, setSeverity, setPriority *actionButton
	root                                            *fyne.Container
}

func (a assessmentArea) build(cv *caseView) areaView {
	p := &assessmentView{cv: cv}
	p.class, p.classWhy, p.classBy, p.exercise = valueLabel(), valueLabel(), valueLabel(), valueLabel()
	p.class.TextStyle = fyne.TextStyle{Bold: true}
	p.classHistory = mutedLabel("")
	p.severity, p.sevCriteria, p.sevWhy = valueLabel(), valueLabel(), valueLabel()
	p.severity.TextStyle = fyne.TextStyle{Bold: true}
	p.sevHistory = mutedLabel("")
	p.priority, p.priFactors, p.priWhy = valueLabel(), valueLabel(), valueLabel()
	p.priority.TextStyle = fyne.TextStyle{Bold: true}
	p.priHistory = mutedLabel("")
	p.loadProblem = problemLabel()
	p.classify = cv.action("Classify…", theme.DocumentCreateIcon(), cv.showClassify)
	p.setExercise = cv.action("Exercise…", theme.SettingsIcon(), cv.showExercise)
	p.setSeverity = cv.action("Set severity…", theme.WarningIcon(), cv.showSeverity)
	p.setPriority = cv.action("Set priority…", theme.MoveUpIcon(), cv.showPriority)
	grids := factGrids(
		[]fact{{"Classification", p.class}, {"Rationale", p.classWhy}, {"Decided by", p.classBy}, {"Exercise", p.exercise}, {"Earlier", p.classHistory}},
		[]fact{{"Severity", p.severity}, {"Criteria", p.sevCriteria}, {"Rationale", p.sevWhy}, {"Earlier", p.sevHistory}},
		[]fact{{"Priority", p.priority}, {"Factors", p.priFactors}, {"Rationale", p.priWhy}, {"Earlier", p.priHistory}},
	)
	p.root = container.NewVBox(
		heading(a.title()),
		p.loadProblem,
		sectionWith("Classification", grids[0], p.setExercise, p.classify),
		sectionWith("Severity", grids[1], p.setSeverity),
		sectionWith("Priority", grids[2], p.setPriority),
	)
	p.load(cv.oc.incident)
	return p
}

func (p *assessmentView) content() fyne.CanvasObject { return p.root }

func (p *assessmentView) refresh(what factSet) {
	if what.has(factsIncident) {
		p.load(p.cv.oc.incident)
	} else {
		p.enable()
	}
}

// enable allows the decisions the incident takes now.
func (p *assessmentView) enable() {
	why := p.cv.whyNotIncident(casefile.PermRateClassify)
	for _, b := range []*actionButton{p.classify, p.setExercise, p.setSeverity, p.setPriority} {
		b.allow(why)
	}
}

func (p *assessmentView) load(f incidentFacts) {
	showLoadProblem(p.loadProblem, f)
	inc := f.inc
	p.class.SetText(inc.Classification.Classification.Title())
	switch inc.Classification.Classification {
	case incident.ClassificationSecurityIncident:
		p.class.Importance = widget.DangerImportance
	case incident.ClassificationNotSecurityIncident:
		p.class.Importance = widget.SuccessImportance
	default:
		p.class.Importance = widget.WarningImportance
	}
	p.class.Refresh()
	if len(f.classifications) == 0 {
		p.classWhy.SetText("Not classified yet. Leaving Assess needs a classification other than undetermined.")
		p.classBy.SetText(notSet)
	} else {
		p.classWhy.SetText(shown(inc.Classification.Rationale))
		p.classBy.SetText(attribution(inc.Classification.Attribution))
	}
	p.exercise.SetText(exerciseText(inc.Exercise, inc.ExerciseNote))
	p.classHistory.SetText(historyLines(len(f.classifications)-1, 4, func(i int) string {
		d := f.classifications[i]
		return d.At.UTC().Format(timeLayout) + " · " + d.Classification.Title() + " · " + shownLine(d.Examiner)
	}))

	if s := inc.Severity; s != nil {
		p.severity.SetText(severityText(s))
		p.severity.Importance = levelImportance(int(s.Severity))
		p.sevCriteria.SetText(criteriaText(s.Criteria))
		p.sevWhy.SetText(shown(s.Rationale) + "\n— " + attribution(s.Attribution))
	} else {
		p.severity.SetText("Not set")
		p.severity.Importance = widget.WarningImportance
		p.sevCriteria.SetText(notSet)
		p.sevWhy.SetText("Set from the severity criteria: privacy, impact, scope, affected tenants, regions, services, " +
			"details and regulations.")
	}
	p.severity.Refresh()
	p.sevHistory.SetText(historyLines(len(f.severities)-1, 4, func(i int) string {
		r := f.severities[i]
		return r.At.UTC().Format(timeLayout) + " · " + r.Severity.Title() + " · " + shownLine(r.Examiner)
	}))

	if r := inc.Priority; r != nil {
		p.priority.SetText(priorityText(r))
		p.priority.Importance = levelImportance(int(r.Priority))
		p.priFactors.SetText(factorsText(r.Factors))
		p.priWhy.SetText(shown(r.Rationale) + "\n— " + attribution(r.Attribution))
	} else {
		p.priority.SetText("Not set")
		p.priority.Importance = widget.WarningImportance
		p.priFactors.SetText(notSet)
		p.priWhy.SetText("Set from the functional impact, the informational impact and the recoverability.")
	}
	p.priority.Refresh()
	p.priHistory.SetText(historyLines(len(f.priorities)-1, 4, func(i int) string {
		r := f.priorities[i]
		return r.At.UTC().Format(timeLayout) + " · " + r.Priority.Title() + " · " + shownLine(r.Examiner)
	}))
	p.enable()
	relayout(p.root)
}

// levelImportance colours a 1 (critical) to 4 (low) level.
func levelImportance(level int) widget.Importance {
	switch level {
	case 1:
		return widget.DangerImportance
	case 2:
		return widget.WarningImportance
	}
	return widget.MediumImportance
}

// severityText is a rating with its scale name and, when overridden, the
// suggestion: "Sev 2 (High) — suggested Sev 1 (Critical)".
func severityText(r *incident.SeverityRating) string {
	s := r.Severity.Title()
	if r.Suggested != 0 && r.Suggested != r.Severity {
		s += " — the criteria suggest " + r.Suggested.Title()
	}
	return s
}

// priorityText is a rating with its scale name and, when overridden, the
// suggestion.
func priorityText(r *incident.PriorityRating) string {
	s := r.Priority.Title()
	if r.Suggested != 0 && r.Suggested != r.Priority {
		s += " — the factors suggest " + r.Suggested.Title()
	}
	return s
}

// exerciseText says whether the case is an exercise.
func exerciseText(k incident.ExerciseKind, note string) string {
	if k == incident.ExerciseNone {
		return "Real event (not an exercise)"
	}
	s := exerciseTitles[k]
	if note != "" {
		s += " — " + shownLine(note)
	}
	return s
}

var exerciseTitles = map[incident.ExerciseKind]string{
	incident.ExerciseNone:     "Real event (not an exercise)",
	incident.ExerciseRedTeam:  "Red Team operation",
	incident.ExerciseTabletop: "Tabletop exercise",
	incident.ExerciseOther:    "Other drill",
}

// criteriaText writes severity criteria on a few lines.
func criteriaText(c incident.SeverityCriteria) string {
	tenants := "unknown"
	if c.AffectedTenants >= 0 {
		tenants = strconv.Itoa(c.AffectedTenants)
	}
	out := []string{"Privacy: " + privacyTitles[c.Privacy] + " · affected tenants: " + tenants}
	add := func(name, v string) {
		if strings.TrimSpace(v) != "" {
			out = append(out, name+": "+shownLine(v))
		}
	}
	add("Impact", c.Impact)
	add("Scope", c.Scope)
	add("Regions", strings.Join(c.Regions, ", "))
	add("Services", strings.Join(c.Services, ", "))
	add("Regulations", strings.Join(c.Regulations, ", "))
	add("Details", c.Details)
	return strings.Join(out, "\n")
}

// factorsText writes priority factors on one line.
func factorsText(f incident.PriorityFactors) string {
	return "Functional impact: " + functionalTitles[f.Functional] + " · informational impact: " +
		informationalTitles[f.Informational] + " · recoverability: " + recoverabilityTitles[f.Recoverability]
}

var privacyTitles = map[incident.PrivacyRisk]string{
	incident.PrivacyNone:      "None — no customer data involved",
	incident.PrivacyPossible:  "Possible — customer data may be involved",
	incident.PrivacyImminent:  "Imminent — customer data is about to be exposed or altered",
	incident.PrivacyConfirmed: "Confirmed — customer data was accessed, disclosed or altered",
}

var functionalTitles = map[incident.FunctionalImpact]string{
	incident.FunctionalNone:   "None — all services to all users",
	incident.FunctionalLow:    "Low — all critical services, with lost efficiency",
	incident.FunctionalMedium: "Medium — a critical service lost for some users",
	incident.FunctionalHigh:   "High — critical services lost for all users",
}

var informationalTitles = map[incident.InformationalImpact]string{
	incident.InformationalNone:        "None — no information compromised",
	incident.InformationalProprietary: "Proprietary breach — proprietary information accessed",
	incident.InformationalPrivacy:     "Privacy breach — customer or personal data accessed",
	incident.InformationalIntegrity:   "Integrity loss — information changed or deleted",
}

var recoverabilityTitles = map[incident.Recoverability]string{
	incident.RecoveryRegular:        "Regular — predictable with existing resources",
	incident.RecoverySupplemented:   "Supplemented — predictable with more resources",
	incident.RecoveryExtended:       "Extended — unpredictable, outside help needed",
	incident.RecoveryNotRecoverable: "Not recoverable",
}

// optionsOf lists the titles of keys, in the order of keys.
func optionsOf[K comparable](keys []K, titles map[K]string) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = titles[k]
	}
	return out
}

// keyOf returns the key whose title is title.
func keyOf[K comparable](keys []K, titles map[K]string, title string) (K, bool) {
	for _, k := range keys {
		if titles[k] == title {
			return k, true
		}
	}
	var zero K
	return zero, false
}

// showClassify opens the classification form, with the examples of Table
// 1 to consult: choosing one picks its classification.
func (cv *caseView) showClassify() {
	inc := cv.oc.incident.inc
	form := cv.u.newRecordForm("Classify the event", "Classify",
		"A security incident is illegal or unauthorized access that results in the loss, disclosure or alteration of "+
			"customer data. Every classification is kept with its rationale; it may change until the incident closes.")
	form.width = 760
	var titles []string
	for _, cl := range incident.Classifications {
		titles = append(titles, cl.Title())
	}
	choice := form.radio("Classification *", titles, inc.Classification.Classification.Title())
	rationale := form.text("Rationale *", "What the evidence shows, and which example of Table 1 it matches", 3)

	guide := container.NewVBox()
	for _, group := range []incident.Classification{incident.ClassificationSecurityIncident, incident.ClassificationNotSecurityIncident} {
		head := widget.NewLabelWithStyle("Examples: "+strings.ToLower(group.Title()), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		guide.Add(head)
		for _, ex := range incident.ClassificationGuidance() {
			if ex.Classification != group {
				continue
			}
			text := widget.NewLabel("• " + ex.Event)
			text.Wrapping = fyne.TextWrapWord
			use := form.button("Choose", nil, nil)
			use.Importance = widget.LowImportance
			use.OnTapped = func() {
				choice.SetSelected(ex.Classification.Title())
				if strings.TrimSpace(rationale.Text) == "" {
					rationale.SetText("Matches the Table 1 example: " + ex.Event + ".")
				}
			}
			guide.Add(container.NewBorder(nil, nil, nil, container.NewVBox(use), text))
		}
	}
	form.after = append(form.after, widget.NewSeparator(),
		widget.NewLabelWithStyle("Table 1 — security and non-security incident examples", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		guide)
	form.fields["Guidance"] = guide

	form.check = func() bool {
		ok := true
		if choice.Selected == "" {
			form.setProblem("Classification", "Choose a classification.")
			ok = false
		} else {
			form.setProblem("Classification", "")
		}
		return form.require("Rationale", rationale.Text, "Write the rationale: what the evidence shows.") && ok
	}
	form.build = func() func(*casefile.Case) error {
		cl, _ := classificationByTitle(choice.Selected)
		r := strings.TrimSpace(rationale.Text)
		return func(c *casefile.Case) error { return incident.Of(c).Classify(cl, r) }
	}
	form.show(rationale)
}

// classificationByTitle returns the classification titled title.
func classificationByTitle(title string) (incident.Classification, bool) {
	for _, cl := range incident.Classifications {
		if cl.Title() == title {
			return cl, true
		}
	}
	return "", false
}

// showExercise opens the form that marks the case as an exercise or a
// real event.
func (cv *caseView) showExercise() {
	inc := cv.oc.incident.inc
	form := cv.u.newRecordForm("Exercise", "Record",
		"Red Team operations and drills are handled as if the adversary were real, but they create no actual security "+
			"incident: an exercise case is never classified as one.")
	kind := form.choice("Kind *", optionsOf(incident.ExerciseKinds, exerciseTitles), exerciseTitles[inc.Exercise])
	rationale := form.text("Rationale *", "Who runs the exercise and under which rules", 2)
	form.check = func() bool {
		return form.require("Rationale", rationale.Text, "Write the rationale.")
	}
	form.build = func() func(*casefile.Case) error {
		k, _ := keyOf(incident.ExerciseKinds, exerciseTitles, kind.Selected)
		r := strings.TrimSpace(rationale.Text)
		return func(c *casefile.Case) error { return incident.Of(c).SetExercise(k, r) }
	}
	form.show(rationale)
}

// useSuggestion is the first choice of the severity and priority pickers.
const useSuggestion = "Use the suggestion"

// showSeverity opens the severity form: the criteria of the Detection and
// analysis article, the severity they suggest (updated as they are typed),
// the severity chosen and the rationale.
func (cv *caseView) showSeverity() {
	inc := cv.oc.incident.inc
	var cur incident.SeverityCriteria
	cur.AffectedTenants = incident.TenantsUnknown
	if inc.Severity != nil {
		cur = inc.Severity.Criteria
	}
	form := cv.u.newRecordForm("Set the severity", "Set severity",
		"Severity rates how much harm the incident does or threatens, 1 (critical) to 4 (low). Events with imminent or "+
			"confirmed risk to customer data are high severity and worked around the clock.")
	form.width = 720
	privacy := form.choice("Privacy *", optionsOf(incident.PrivacyRisks, privacyTitles), privacyTitles[cur.Privacy])
	tenants := form.entry("Affected tenants", "A number; leave empty while unknown")
	if cur.AffectedTenants >= 0 {
		tenants.SetText(strconv.Itoa(cur.AffectedTenants))
	}
	impact := form.entry("Impact", "What the incident does or threatens")
	impact.SetText(cur.Impact)
	scope := form.entry("Scope", "e.g. one storage cluster, all EU tenants")
	scope.SetText(cur.Scope)
	regions := form.entry("Regions", "Comma-separated, e.g. West Europe, North Europe")
	regions.SetText(strings.Join(cur.Regions, ", "))
	services := form.entry("Services", "Comma-separated")
	services.SetText(strings.Join(cur.Services, ", "))
	regulations := form.entry("Regulations", "Customer industry or market regulations: GDPR, HIPAA, PCI DSS…")
	regulations.SetText(strings.Join(cur.Regulations, ", "))
	details := form.text("Details", "Details of the incident that bear on severity", 2)
	details.SetText(cur.Details)
	suggested := widget.NewLabel("")
	suggested.TextStyle = fyne.TextStyle{Bold: true}
	form.add("Suggested", suggested)
	levels := []string{useSuggestion}
	for s := incident.SeverityCritical; s <= incident.SeverityLow; s++ {
		levels = append(levels, s.Title())
	}
	chosen := form.choice("Severity *", levels, useSuggestion)
	rationale := form.text("Rationale *", "Why this severity, especially when it differs from the suggestion", 2)

	criteria := func() (incident.SeverityCriteria, string) {
		c := incident.SeverityCriteria{Impact: impact.Text, Scope: scope.Text, Details: details.Text,
			Regions: commaList(regions.Text), Services: commaList(services.Text), Regulations: commaList(regulations.Text),
			AffectedTenants: incident.TenantsUnknown}
		c.Privacy, _ = keyOf(incident.PrivacyRisks, privacyTitles, privacy.Selected)
		if t := strings.TrimSpace(tenants.Text); t != "" {
			n, err := strconv.Atoi(t)
			if err != nil || n < 0 {
				return c, fmt.Sprintf("%q is not a number of tenants: type 0 or more, or leave it empty while unknown.", t)
			}
			c.AffectedTenants = n
		}
		return c, ""
	}
	showSuggestion := func() {
		c, problem := criteria()
		switch {
		case c.Privacy == "":
			suggested.SetText("Choose the privacy risk first.")
		case problem != "":
			suggested.SetText(notSet)
		default:
			suggested.SetText(c.Suggest().Title())
		}
	}
	for _, e := range []*formEntry{tenants, impact, scope, regions, services, regulations, details} {
		e.OnChanged = func(string) { showSuggestion(); form.recheck() }
	}
	privacy.OnChanged = func(string) { showSuggestion(); form.recheck() }
	showSuggestion()

	form.check = func() bool {
		c, problem := criteria()
		ok := true
		form.setProblem("Affected tenants", problem)
		if problem != "" {
			ok = false
		}
		if c.Privacy == "" {
			form.setProblem("Privacy", "Choose the privacy risk.")
			ok = false
		} else {
			form.setProblem("Privacy", "")
		}
		return form.require("Rationale", rationale.Text, "Write the rationale.") && ok
	}
	form.build = func() func(*casefile.Case) error {
		c, _ := criteria()
		var sev incident.Severity // 0: the suggestion
		for s := incident.SeverityCritical; s <= incident.SeverityLow; s++ {
			if s.Title() == chosen.Selected {
				sev = s
			}
		}
		r := strings.TrimSpace(rationale.Text)
		return func(cs *casefile.Case) error {
			_, err := incident.Of(cs).SetSeverity(sev, c, r)
			return err
		}
	}
	form.show(impact)
}

// showPriority opens the priority form: the three factors, the priority
// they suggest, the priority chosen and the rationale.
func (cv *caseView) showPriority() {
	inc := cv.oc.incident.inc
	var cur incident.PriorityFactors
	if inc.Priority != nil {
		cur = inc.Priority.Factors
	}
	form := cv.u.newRecordForm("Set the priority", "Set priority",
		"Priority orders the response, 1 (most urgent) to 4, from the functional impact, the informational impact and "+
			"the recoverability (NIST SP 800-61r2); the most urgent factor decides the suggestion.")
	form.width = 720
	functional := form.choice("Functional impact *", optionsOf(incident.FunctionalImpacts, functionalTitles), functionalTitles[cur.Functional])
	informational := form.choice("Informational impact *", optionsOf(incident.InformationalImpacts, informationalTitles), informationalTitles[cur.Informational])
	recoverability := form.choice("Recoverability *", optionsOf(incident.Recoverabilities, recoverabilityTitles), recoverabilityTitles[cur.Recoverability])
	suggested := widget.NewLabel("")
	suggested.TextStyle = fyne.TextStyle{Bold: true}
	form.add("Suggested", suggested)
	levels := []string{useSuggestion}
	for p := incident.PriorityCritical; p <= incident.PriorityLow; p++ {
		levels = append(levels, p.Title())
	}
	chosen := form.choice("Priority *", levels, useSuggestion)
	rationale := form.text("Rationale *", "Why this priority", 2)

	factors := func() (incident.PriorityFactors, bool) {
		var pf incident.PriorityFactors
		var ok1, ok2, ok3 bool
		pf.Functional, ok1 = keyOf(incident.FunctionalImpacts, functionalTitles, functional.Selected)
		pf.Informational, ok2 = keyOf(incident.InformationalImpacts, informationalTitles, informational.Selected)
		pf.Recoverability, ok3 = keyOf(incident.Recoverabilities, recoverabilityTitles, recoverability.Selected)
		return pf, ok1 && ok2 && ok3
	}
	showSuggestion := func() {
		if pf, ok := factors(); ok {
			suggested.SetText(pf.Suggest().Title())
		} else {
			suggested.SetText("Choose the three factors first.")
		}
	}
	for _, s := range []*formSelect{functional, informational, recoverability} {
		s.OnChanged = func(string) { showSuggestion(); form.recheck() }
	}
	showSuggestion()
	form.check = func() bool {
		ok := true
		for _, s := range []struct {
			name string
			sel  *formSelect
		}{{"Functional impact", functional}, {"Informational impact", informational}, {"Recoverability", recoverability}} {
			if s.sel.Selected == "" {
				form.setProblem(s.name, "Choose one.")
				ok = false
			} else {
				form.setProblem(s.name, "")
			}
		}
		return form.require("Rationale", rationale.Text, "Write the rationale.") && ok
	}
	form.build = func() func(*casefile.Case) error {
		pf, _ := factors()
		var pri incident.Priority
		for p := incident.PriorityCritical; p <= incident.PriorityLow; p++ {
			if p.Title() == chosen.Selected {
				pri = p
			}
		}
		r := strings.TrimSpace(rationale.Text)
		return func(c *casefile.Case) error {
			_, err := incident.Of(c).SetPriority(pri, pf, r)
			return err
		}
	}
	form.show(rationale)
}
