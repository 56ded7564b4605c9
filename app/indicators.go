package app

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/incident"
)

// indicatorsArea is the Indicators area: a row that adds an indicator of
// compromise, checked as it is typed with the incident package's own rules
// (NormalizeIndicator), and the list of the incident's indicators.
type indicatorsArea struct{}

func (indicatorsArea) title() string            { return "Indicators" }
func (indicatorsArea) icon() fyne.ThemeIconName { return theme.IconNameSearch }
func (indicatorsArea) fill() bool               { return false }

// indicatorsView is the Indicators area on screen.
type indicatorsView struct {
	cv *caseView

	kind        *widget.Select
	value, note *widget.Entry
	add         *actionButton
	verdict     *widget.Label // how the value will be recorded, or what is wrong with it
	count       *widget.Label
	loadProblem *widget.Label
	src         *listSource[incident.Indicator]
	table       *dataTable
	root        *fyne.Container
}

var indicatorTitles = map[incident.IndicatorType]string{
	incident.IndicatorIP:       "IP address or CIDR",
	incident.IndicatorDomain:   "Domain",
	incident.IndicatorURL:      "URL",
	incident.IndicatorEmail:    "E-mail address",
	incident.IndicatorHash:     "Hash (MD5, SHA-1, SHA-256)",
	incident.IndicatorFilePath: "File path",
	incident.IndicatorOther:    "Other",
}

// indicatorText is one indicator as a picker lists it: "IP address or
// CIDR: 203.0.113.27".
func indicatorText(ind incident.Indicator) string {
	return indicatorTitles[ind.Type] + ": " + shownLine(ind.Value)
}

func (a indicatorsArea) build(cv *caseView) areaView {
	p := &indicatorsView{cv: cv}
	p.kind = widget.NewSelect(optionsOf(incident.IndicatorTypes, indicatorTitles), nil)
	p.kind.SetSelected(indicatorTitles[incident.IndicatorIP])
	p.kind.OnChanged = func(string) { p.check() }
	p.value = widget.NewEntry()
	p.value.SetPlaceHolder("203.0.113.27, evil.example.com, https://…, a SHA-256…")
	p.value.OnChanged = func(string) { p.check() }
	p.value.OnSubmitted = func(string) { p.submit() }
	p.note = widget.NewEntry()
	p.note.SetPlaceHolder("Where it was seen (optional)")
	p.note.OnSubmitted = func(string) { p.submit() }
	p.add = cv.action("Add indicator", theme.ContentAddIcon(), p.submit)
	p.add.Importance = widget.HighImportance
	p.verdict = widget.NewLabel("")
	p.verdict.Wrapping = fyne.TextWrapWord
	p.count = widget.NewLabel("")
	p.loadProblem = problemLabel()
	p.src = newListSource([]listColumn[incident.Indicator]{
		{dataColumn{title: "Type", width: 220}, func(ind *incident.Indicator) dataCell { return cell(indicatorTitles[ind.Type]) }, nil},
		{dataColumn{title: "Value", width: 420}, func(ind *incident.Indicator) dataCell {
			return dataCell{text: shownLine(ind.Value), mono: true}
		}, nil},
		{dataColumn{title: "Note", width: 300}, func(ind *incident.Indicator) dataCell {
			return dataCell{text: oneLine(shown(ind.Note)), full: shown(ind.Note)}
		}, nil},
		{dataColumn{title: "Added by", width: 300}, func(ind *incident.Indicator) dataCell { return cell(shownLine(ind.Examiner)) }, nil},
		{dataColumn{title: "Added (UTC)", width: 220}, func(ind *incident.Indicator) dataCell {
			return cell(ind.At.UTC().Format(timeLayout))
		}, func(a, b *incident.Indicator) int { return a.At.Compare(b.At) }},
	}, func(ind *incident.Indicator) any { return ind.ID })
	p.table = p.src.table(cv.u, 3, 14)
	grid := factGrids([]fact{
		{"Type", selectFitting(p.kind)},
		{"Value *", p.value},
		{"Note", p.note},
		{"", container.NewBorder(nil, nil, nil, p.add, p.verdict)},
	})[0]
	intro := mutedLabel("Indicators that led to the detection or were found while investigating it. Values are " +
		"checked and normalized as you type: addresses as canonical IPs, domains and hashes in lower case.")
	p.root = container.NewVBox(
		heading(a.title()),
		p.loadProblem,
		section("Add an indicator", container.NewVBox(intro, grid)),
		container.NewHBox(subheading("Indicators"), p.count),
		p.table.box,
	)
	p.load(cv.oc.incident)
	return p
}

func (p *indicatorsView) content() fyne.CanvasObject { return p.root }

func (p *indicatorsView) refresh(what factSet) {
	if what.has(factsIncident) {
		p.load(p.cv.oc.incident)
	} else {
		p.check()
	}
}

// indicatorType is the type chosen in the picker.
func (p *indicatorsView) indicatorType() incident.IndicatorType {
	t, _ := keyOf(incident.IndicatorTypes, indicatorTitles, p.kind.Selected)
	return t
}

// check says under the row how the value will be recorded, or why it
// cannot be, in casefile's words; it reports whether it can be added.
func (p *indicatorsView) check() bool {
	if why := p.cv.whyNotIncident(casefile.PermInvestigate); why != "" {
		p.verdict.Importance = widget.MediumImportance
		p.verdict.SetText(sentence(why))
		p.add.allow(why)
		return false
	}
	v := strings.TrimSpace(p.value.Text)
	if v == "" {
		p.verdict.Importance = widget.MediumImportance
		p.verdict.SetText("Type a value.")
		p.add.allow("type the indicator's value first.")
		return false
	}
	norm, err := incident.NormalizeIndicator(p.indicatorType(), v)
	if err != nil {
		p.verdict.Importance = widget.DangerImportance
		p.verdict.SetText(userMessage(err))
		p.add.allow("the value is not valid: " + userMessage(err))
		return false
	}
	p.verdict.Importance = widget.SuccessImportance
	if norm != v {
		p.verdict.SetText("Recorded as " + shownLine(norm))
	} else {
		p.verdict.SetText("Valid")
	}
	p.verdict.Refresh()
	p.add.allow("")
	return true
}

// submit adds the indicator typed in the row.
func (p *indicatorsView) submit() {
	if !p.check() {
		return
	}
	t, v, note := p.indicatorType(), strings.TrimSpace(p.value.Text), strings.TrimSpace(p.note.Text)
	u := p.cv.u
	p.add.allow("the indicator is being added.")
	u.change(func(c *casefile.Case) error {
		_, err := incident.Of(c).AddIndicator(t, v, note, "") // the inline row has a note, no separate reason
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

func (p *indicatorsView) load(f incidentFacts) {
	showLoadProblem(p.loadProblem, f)
	p.src.set(f.indicators)
	p.table.reload()
	p.count.SetText(plural(len(f.indicators), "indicator", "indicators"))
	p.check()
	relayout(p.root)
}
