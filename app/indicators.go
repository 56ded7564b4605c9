package app

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/custodia-dfir/custodia/casefile"
)

// indicatorsPanel is the Indicators tab: a row that adds an indicator of
// compromise, checked as it is typed with casefile's own rules
// (NormalizeIndicator), and the list of the incident's indicators.
type indicatorsPanel struct {
	lv *lifecycleView

	kind        *widget.Select
	value, note *widget.Entry
	add         *widget.Button
	verdict     *widget.Label // how the value will be recorded, or what is wrong with it
	count       *widget.Label
	table       *dataTable
	root        *fyne.Container
}

var indicatorTitles = map[casefile.IndicatorType]string{
	casefile.IndicatorIP:       "IP address or CIDR",
	casefile.IndicatorDomain:   "Domain",
	casefile.IndicatorURL:      "URL",
	casefile.IndicatorEmail:    "E-mail address",
	casefile.IndicatorHash:     "Hash (MD5, SHA-1, SHA-256)",
	casefile.IndicatorFilePath: "File path",
	casefile.IndicatorOther:    "Other",
}

// indicatorText is one indicator as a picker lists it: "IP address or
// CIDR: 203.0.113.27".
func indicatorText(ind casefile.Indicator) string {
	return indicatorTitles[ind.Type] + ": " + shownLine(ind.Value)
}

func newIndicatorsPanel(lv *lifecycleView) *indicatorsPanel {
	p := &indicatorsPanel{lv: lv}
	p.kind = widget.NewSelect(optionsOf(casefile.IndicatorTypes, indicatorTitles), nil)
	p.kind.SetSelected(indicatorTitles[casefile.IndicatorIP])
	p.kind.OnChanged = func(string) { p.check() }
	p.value = widget.NewEntry()
	p.value.SetPlaceHolder("203.0.113.27, evil.example.com, https://…, a SHA-256…")
	p.value.OnChanged = func(string) { p.check() }
	p.value.OnSubmitted = func(string) { p.submit() }
	p.note = widget.NewEntry()
	p.note.SetPlaceHolder("Where it was seen (optional)")
	p.note.OnSubmitted = func(string) { p.submit() }
	p.add = widget.NewButtonWithIcon("Add indicator", theme.ContentAddIcon(), p.submit)
	p.add.Importance = widget.HighImportance
	p.verdict = widget.NewLabel("")
	p.verdict.Wrapping = fyne.TextWrapWord
	p.count = widget.NewLabel("")
	p.table = newDataTable([]dataColumn{
		{"Type", 220}, {"Value", 420}, {"Note", 300}, {"Added by", 300}, {"Added (UTC)", 220},
	}, 3, 14)
	grid := factGrids([]fact{
		{"Type", selectFitting(p.kind)},
		{"Value *", p.value},
		{"Note", p.note},
		{"", container.NewBorder(nil, nil, nil, p.add, p.verdict)},
	})[0]
	intro := mutedLabel("Indicators that led to the detection or were found while investigating it. Values are " +
		"checked and normalized as you type: addresses as canonical IPs, domains and hashes in lower case.")
	p.root = container.NewVBox(
		section("Add an indicator", container.NewVBox(intro, grid)),
		container.NewHBox(subheading("Indicators"), p.count),
		p.table.box,
	)
	p.check()
	return p
}

// indicatorType is the type chosen in the picker.
func (p *indicatorsPanel) indicatorType() casefile.IndicatorType {
	t, _ := keyOf(casefile.IndicatorTypes, indicatorTitles, p.kind.Selected)
	return t
}

// check says under the row how the value will be recorded, or why it
// cannot be, in casefile's words; it reports whether it can be added.
func (p *indicatorsPanel) check() bool {
	v := strings.TrimSpace(p.value.Text)
	if v == "" {
		p.verdict.Importance = widget.MediumImportance
		p.verdict.SetText("Type a value.")
		p.add.Disable()
		return false
	}
	norm, err := casefile.NormalizeIndicator(p.indicatorType(), v)
	if err != nil {
		p.verdict.Importance = widget.DangerImportance
		p.verdict.SetText(userMessage(err))
		p.add.Disable()
		return false
	}
	p.verdict.Importance = widget.SuccessImportance
	if norm != v {
		p.verdict.SetText("Recorded as " + shownLine(norm))
	} else {
		p.verdict.SetText("Valid")
	}
	if p.lv.cv.oc.incident.inc.Stage != casefile.StageClose {
		p.add.Enable()
	}
	return true
}

// submit adds the indicator typed in the row.
func (p *indicatorsPanel) submit() {
	if !p.check() {
		return
	}
	t, v, note := p.indicatorType(), strings.TrimSpace(p.value.Text), strings.TrimSpace(p.note.Text)
	u := p.lv.u
	p.add.Disable()
	u.change(func(c *casefile.Case) error {
		_, err := c.AddIndicator(t, v, note, "") // the inline row has a note, no separate reason
		return err
	}, func(err error) {
		switch {
		case err == nil:
			p.value.SetText("")
			p.note.SetText("")
			p.check()
		case refusedInForm(err):
			u.setLastError(err)
			p.check()
			p.verdict.Importance = widget.DangerImportance
			p.verdict.SetText(refusalText(err))
		default:
			p.check()
			u.showError("The indicator was not added", err, nil)
		}
	})
}

func (p *indicatorsPanel) load(f incidentFacts) {
	rows := make([][]dataCell, len(f.indicators))
	for i, ind := range f.indicators {
		rows[i] = []dataCell{
			cell(indicatorTitles[ind.Type]),
			{text: shownLine(ind.Value), mono: true},
			cell(oneLine(shown(ind.Note))),
			cell(shownLine(ind.Examiner)),
			cell(ind.At.UTC().Format(timeLayout)),
		}
	}
	p.table.set(rows)
	p.count.SetText(plural(len(f.indicators), "indicator", "indicators"))
	p.check()
	if f.inc.Stage == casefile.StageClose {
		p.add.Disable()
	}
}

// rolesPanel is the Roles tab: who holds which role in this incident, the
// form that assigns an examiner to a role, releasing the chosen
// assignment, and every assignment and release.
type rolesPanel struct {
	lv *lifecycleView

	holders        []casefile.RoleHolder
	table, history *dataTable
	assign         *widget.Button
	release        *widget.Button
	root           *fyne.Container
}

func newRolesPanel(lv *lifecycleView) *rolesPanel {
	p := &rolesPanel{lv: lv}
	p.assign = widget.NewButtonWithIcon("Assign role…", theme.AccountIcon(), lv.showAssignRole)
	p.release = widget.NewButtonWithIcon("Release…", theme.ContentRemoveIcon(), p.showRelease)
	p.table = newDataTable([]dataColumn{{"Role", 260}, {"Examiner", 240}, {"Since (UTC)", 220}, {"Assigned by", 340}}, 2, 10)
	p.table.onSelect = func(int) { p.enable() }
	p.history = newDataTable([]dataColumn{
		{"Time (UTC)", 220}, {"Change", 110}, {"Role", 260}, {"Examiner", 220}, {"By", 300}, {"Reason", 300},
	}, 2, 10)
	intro := mutedLabel("Role assignments say who fills each role of Table 2 in this incident. Assigning a role the " +
		"examiner cannot act in yet also grants it to them; releasing an assignment does not take it away.")
	p.root = container.NewVBox(
		intro,
		sectionWith("Role holders", p.table.box, p.release, p.assign),
		container.NewVBox(subheading("Assignments and releases"), p.history.box),
	)
	return p
}

func (p *rolesPanel) load(f incidentFacts) {
	p.holders = f.inc.Roles
	rows := make([][]dataCell, len(p.holders))
	for i, h := range p.holders {
		rows[i] = []dataCell{
			{text: h.Role.Title(), bold: true}, cell(shownLine(h.Examiner)),
			cell(h.Since.At.UTC().Format(timeLayout)), cell(attribution(casefile.Attribution{Examiner: h.Since.Examiner, Role: h.Since.Role})),
		}
	}
	p.table.set(rows)
	hist := make([][]dataCell, 0, len(f.roleHistory))
	for i := len(f.roleHistory) - 1; i >= 0; i-- {
		a := f.roleHistory[i]
		change := "Assigned"
		if a.Released {
			change = "Released"
		} else if a.Granted {
			change = "Assigned (granted)"
		}
		hist = append(hist, []dataCell{
			cell(a.At.UTC().Format(timeLayout)), cell(change), cell(a.Role.Title()), cell(shownLine(a.Examiner)),
			cell(attribution(casefile.Attribution{Examiner: a.Attribution.Examiner, Role: a.Attribution.Role})),
			cell(oneLine(shown(a.Reason))),
		})
	}
	p.history.set(hist)
	p.enable()
}

func (p *rolesPanel) enable() {
	if p.table.selected >= 0 && p.table.selected < len(p.holders) {
		p.release.Enable()
	} else {
		p.release.Disable()
	}
}

// assignableExaminers lists the examiners who can hold a role: people with
// a key slot (not recovery keys).
func assignableExaminers(exs []casefile.Examiner) []string {
	var out []string
	for _, e := range exs {
		if e.Active && e.Kind != casefile.SlotRecovery {
			out = append(out, e.Name)
		}
	}
	return out
}

// showAssignRole opens the form that assigns an examiner to a role.
func (lv *lifecycleView) showAssignRole() {
	form := lv.u.newRecordForm("Assign a role", "Assign",
		"The examiner fills the role in this incident. The Security Incident Manager manages the incident through the "+
			"stages; leaving Assess needs one.")
	var roles []string
	for _, r := range casefile.Roles {
		roles = append(roles, r.Title())
	}
	role := form.choice("Role *", roles, casefile.RoleSecurityIncidentManager.Title())
	names := assignableExaminers(lv.cv.oc.custody.examiners)
	who := form.choice("Examiner *", names, "")
	if len(names) == 0 {
		form.setProblem("Examiner", "No examiner can hold a role: add one in Custody › Examiners.")
	}
	reason := form.entry("Reason", "Why this person (optional)")
	form.check = func() bool {
		ok := true
		if who.Selected == "" {
			form.setProblem("Examiner", "Choose the examiner.")
			ok = false
		} else {
			form.setProblem("Examiner", "")
		}
		if role.Selected == "" {
			form.setProblem("Role", "Choose the role.")
			ok = false
		} else {
			form.setProblem("Role", "")
		}
		return ok
	}
	form.build = func() func(*casefile.Case) error {
		r, err := casefile.ParseRole(role.Selected)
		if err != nil {
			setProblem(form.problem, userMessage(err))
			return nil
		}
		name, why := who.Selected, strings.TrimSpace(reason.Text)
		return func(c *casefile.Case) error {
			_, err := c.AssignRole(r, name, why)
			return err
		}
	}
	form.show(nil)
}

// showRelease opens the form that releases the chosen role holder.
func (p *rolesPanel) showRelease() {
	if p.table.selected < 0 || p.table.selected >= len(p.holders) {
		return
	}
	h := p.holders[p.table.selected]
	form := p.lv.u.newRecordForm("Release "+shownLine(h.Examiner)+" as "+h.Role.Title(), "Release",
		"The assignment ends; the examiner keeps the role among those they may act in.")
	reason := form.entry("Reason", "e.g. handed over to another manager (optional)")
	form.build = func() func(*casefile.Case) error {
		why := strings.TrimSpace(reason.Text)
		id := h.ExaminerID.String()
		return func(c *casefile.Case) error {
			_, err := c.ReleaseRole(h.Role, id, why)
			return err
		}
	}
	form.saved = func() { p.table.choose(-1) }
	form.show(reason)
}
