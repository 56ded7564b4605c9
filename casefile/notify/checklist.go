package notify

import "strings"

// A checklist item is one piece of content a regime requires of a notice.
// A notice meets it when its body has the item's section ("== Heading ==")
// with text that is not a placeholder ("[to be completed: …]").
type checkDef struct {
	Ref     string // the provision: "GDPR Art. 33(3)(a)"
	Heading string // the section heading in the notice
	Need    string // what the provision asks for
	fill    string // which case facts prefill it: nature, data, timing, measures; "" none
}

// placeholderPrefix starts the text of a section that still needs writing.
const placeholderPrefix = "[to be completed: "

var checklists = map[string][]checkDef{
	"gdpr": {
		{"GDPR Art. 33(3)(a)", "Nature of the personal data breach", "the nature of the breach, including the categories and approximate number of data subjects and of personal data records concerned", "data"},
		{"GDPR Art. 33(3)(b)", "Contact point", "the name and contact details of the data protection officer or other contact point where more information can be obtained", ""},
		{"GDPR Art. 33(3)(c)", "Likely consequences", "the likely consequences of the personal data breach", ""},
		{"GDPR Art. 33(3)(d)", "Measures taken or proposed", "the measures taken or proposed to address the breach, including measures to mitigate its possible adverse effects", "measures"},
	},
	"hipaa": {
		{"HIPAA §164.404(c)(1)(A)", "What happened", "a brief description of what happened, including the date of the breach and the date of its discovery", "timing"},
		{"HIPAA §164.404(c)(1)(B)", "Information involved", "the types of unsecured protected health information involved (name, social security number, date of birth, home address, account number, diagnosis, disability code…)", "data"},
		{"HIPAA §164.404(c)(1)(C)", "Steps you should take", "any steps individuals should take to protect themselves from potential harm resulting from the breach", ""},
		{"HIPAA §164.404(c)(1)(D)", "What we are doing", "what the covered entity is doing to investigate the breach, to mitigate harm to individuals and to protect against further breaches", "measures"},
		{"HIPAA §164.404(c)(1)(E)", "Contact procedures", "contact procedures for individuals to ask questions, including a toll-free telephone number, an e-mail address, web site or postal address", ""},
	},
	"sec-8k": {
		{"SEC Form 8-K Item 1.05(a): nature", "Nature of the incident", "the material aspects of the nature of the incident", "nature"},
		{"SEC Form 8-K Item 1.05(a): scope", "Scope", "the material aspects of the scope of the incident", "data"},
		{"SEC Form 8-K Item 1.05(a): timing", "Timing", "the material aspects of the timing of the incident", "timing"},
		{"SEC Form 8-K Item 1.05(a): impact", "Material impact", "the material impact or reasonably likely material impact on the registrant, including its financial condition and results of operations", ""},
	},
}

// generic are the sections of a notice whose regime has no checklist here.
var generic = []checkDef{
	{"", "What happened", "what happened", "nature"},
	{"", "When", "when it happened and when we became aware", "timing"},
	{"", "Information and people affected", "which information and whom it concerns", "data"},
	{"", "What we are doing", "what is being done", "measures"},
	{"", "Contact", "whom to contact with questions", ""},
}

// CheckItem is one checklist item of a notice and whether the notice
// meets it.
type CheckItem struct {
	Ref     string `json:"ref"`
	Heading string `json:"heading"`
	Need    string `json:"need"`
	Met     bool   `json:"met"`
}

// Checklist returns the checklist of a regime's notice over body; empty
// for a regime without one (or none).
func Checklist(regime, body string) []CheckItem {
	out := []CheckItem{}
	for _, d := range checklists[regime] {
		text, ok := section(body, d.Heading)
		met := ok && strings.TrimSpace(text) != "" && !strings.Contains(text, placeholderPrefix)
		out = append(out, CheckItem{Ref: d.Ref, Heading: d.Heading, Need: d.Need, Met: met})
	}
	return out
}

// section returns the text of body's section heading: the lines after
// "== heading ==" up to the next section heading.
func section(body, heading string) (string, bool) {
	lines := strings.Split(strings.ReplaceAll(body, "\r\n", "\n"), "\n")
	for i, l := range lines {
		if strings.TrimSpace(l) != "== "+heading+" ==" {
			continue
		}
		var text []string
		for _, m := range lines[i+1:] {
			if t := strings.TrimSpace(m); strings.HasPrefix(t, "== ") && strings.HasSuffix(t, " ==") {
				break
			}
			text = append(text, m)
		}
		return strings.Join(text, "\n"), true
	}
	return "", false
}
