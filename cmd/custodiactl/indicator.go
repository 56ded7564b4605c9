package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/google/uuid"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/incident"
)

const indicatorTypesHelp = `Types and the values they take:
  ip         an IPv4 or IPv6 address, or a CIDR prefix (203.0.113.7, 2001:db8::/32)
  domain     a DNS name of at least two labels (evil.example.com)
  url        an absolute URL with a scheme and a host (https://evil.example.com/x)
  email      an e-mail address (a display name is dropped)
  hash       an MD5, SHA-1 or SHA-256, as 32, 40 or 64 hex digits
  file-path  a Windows or POSIX path
  other      anything else: a mutex name, a registry key, a user agent`

var indicatorCommand = &command{
	name:    "indicator",
	summary: "record and list the incident's indicators of compromise",
	about: `Indicators are what led to the detection of the incident or was found while
investigating it. Each is checked and normalized for its type (addresses as
written canonically, domains and hashes in lower case) and recorded once.
A finding links indicators by id, or by TYPE:VALUE.

` + indicatorTypesHelp,
	sub: []*command{
		{
			name:    "add",
			summary: "record an indicator",
			about: `Open CASE and record the indicator VALUE of type TYPE, normalized, with
--note. A value that is not valid for its type is refused before the
passphrase is asked for. Recorded as indicator.added, with --reason;
--note stays with the indicator itself.

` + indicatorTypesHelp,
			params: []param{caseParam,
				{name: "TYPE", check: func(_ *call, s string) (string, error) {
					typ, err := parseChoice(s, "indicator type", incident.IndicatorTypes, nil)
					return string(typ), err
				}},
				// VALUE is normalized for the TYPE before it, checked already.
				{name: "VALUE", check: func(in *call, s string) (string, error) {
					return incident.NormalizeIndicator(incident.IndicatorType(in.args[1]), s)
				}},
			},
			flags: []flagDef{{name: "note", max: casefile.MaxTextLen,
				usage: "a note `N` on the indicator: where it was seen, why it matters"}},
			opens: true, changes: true,
			records: incident.ActionIndicatorAdded,
			do:      runIndicatorAdd,
		},
		{
			name:    "list",
			summary: "list the indicators",
			about:   `Open CASE and list its indicators, oldest first: id (first 8 characters), type, value, note and who recorded them.`,
			params:  []param{caseParam},
			flags:   []flagDef{jsonFlag},
			opens:   true,
			do:      runIndicatorList,
		},
	},
}

func runIndicatorAdd(in *call, c *casefile.Case) error {
	ind, err := incident.Of(c).AddIndicator(incident.IndicatorType(in.args[1]), in.args[2], in.text("note"), in.reason)
	if err != nil {
		return err
	}
	fmt.Fprintf(in.stdout, "added: indicator %s %s %s\n", shortUUID(ind.ID), ind.Type, printable(ind.Value, false))
	return nil
}

func runIndicatorList(in *call, c *casefile.Case) error {
	inds, err := incident.Of(c).Indicators()
	if err != nil {
		return err
	}
	if in.on("json") {
		return writeJSON(in.stdout, indicatorsJSON(inds))
	}
	tw := tabwriter.NewWriter(in.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprint(tw, "ID\tTYPE\tVALUE\tNOTE\tRECORDED\n")
	for _, ind := range inds {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", shortUUID(ind.ID), ind.Type, printable(ind.Value, false),
			orDash(printable(ind.Note, false)), byText(ind.Attribution))
	}
	tw.Flush()
	return nil
}

// writeIndicatorTable lists indicators by type and value, each line
// prefixed by indent.
func writeIndicatorTable(w io.Writer, inds []incident.Indicator, indent string) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, ind := range inds {
		line := fmt.Sprintf("%s%s\t%s", indent, ind.Type, printable(ind.Value, false))
		if ind.Note != "" {
			// a cell only when there is a note: no trailing blanks
			line += "\t" + printable(ind.Note, false)
		}
		fmt.Fprintln(tw, line)
	}
	tw.Flush()
}

// indicatorJSON is the JSON form of an indicator; its field names are a
// stable interface for scripts.
type indicatorJSON struct {
	ID    string `json:"id"`
	Type  string `json:"type"`
	Value string `json:"value"`
	Note  string `json:"note"`
	attributionJSON
}

func indicatorsJSON(inds []incident.Indicator) []indicatorJSON {
	out := make([]indicatorJSON, 0, len(inds))
	for _, ind := range inds {
		out = append(out, indicatorJSON{ID: ind.ID.String(), Type: string(ind.Type), Value: ind.Value, Note: ind.Note,
			attributionJSON: toAttributionJSON(ind.Attribution)})
	}
	return out
}

// indicatorRef is an indicator named on the command line: an id, or
// TYPE:VALUE.
type indicatorRef struct {
	id    string                 // an id or its start, checked by idRef; "" for TYPE:VALUE
	typ   incident.IndicatorType // with value, for TYPE:VALUE
	value string                 // normalized
}

// indicatorRef checks an indicator named on the command line, before any
// passphrase is asked for.
func (inv *invocation) indicatorRef(s string) (indicatorRef, error) {
	if t, v, ok := strings.Cut(s, ":"); ok {
		typ, err := parseChoice(t, "indicator type", incident.IndicatorTypes, nil)
		if err != nil {
			return indicatorRef{}, inv.usagef("indicator %q: %v; name an indicator by its id or as TYPE:VALUE", s, err)
		}
		value, err := incident.NormalizeIndicator(typ, v)
		if err != nil {
			return indicatorRef{}, inv.usagef("indicator %q: %s", s, problem(err))
		}
		return indicatorRef{typ: typ, value: value}, nil
	}
	id, err := parseIDRef("indicator", s)
	if err != nil {
		return indicatorRef{}, inv.usagef("%v", err)
	}
	return indicatorRef{id: id}, nil
}

// indicatorIDs resolves refs to the ids of c's indicators.
func indicatorIDs(c *casefile.Case, refs []indicatorRef) ([]uuid.UUID, error) {
	if len(refs) == 0 {
		return []uuid.UUID{}, nil
	}
	all, err := incident.Of(c).Indicators()
	if err != nil {
		return nil, err
	}
	idOf := func(ind incident.Indicator) uuid.UUID { return ind.ID }
	out := make([]uuid.UUID, 0, len(refs))
	for _, r := range refs {
		if r.id != "" {
			ind, err := resolve(indicatorKind, r.id, all, idOf)
			if err != nil {
				return nil, err
			}
			out = append(out, ind.ID)
			continue
		}
		found := false
		for _, ind := range all {
			if ind.Type == r.typ && ind.Value == r.value {
				out, found = append(out, ind.ID), true
				break
			}
		}
		if !found {
			return nil, withHint(fmt.Errorf("%w: %s %s", incident.ErrNoSuchIndicator, r.typ, printable(r.value, false)),
				"record it first with 'custodiactl indicator add', or list the indicators with 'custodiactl indicator list'")
		}
	}
	return out, nil
}
