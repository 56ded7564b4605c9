package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/google/uuid"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/hunt"
	"github.com/custodia-dfir/custodia/casefile/incident"
	"github.com/custodia-dfir/custodia/evidence"
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
		{
			name:    "extract",
			summary: "propose the indicators found in the timeline's events",
			about: `Open CASE and read the events of the timeline (of the item --item ID only;
events of withdrawn items are left out) for IPv4 and IPv6 addresses, domains,
URLs, e-mail addresses, MD5, SHA-1 and SHA-256 hashes, Windows SIDs, and user
names from the user fields of typed events (user, target_user, TargetUserName,
…). Each value the incident does not record yet is proposed with the number
of times and of events it occurs in, and the first event, most frequent
first.

Against false positives: an IPv4 address has four parts of at most 255 and
is not part of a longer dotted run (1.2.3.4.5 is a version); a domain ends
in a public suffix of the Public Suffix List, so setup.exe is not one, and a
name of two labels ending in a suffix that is also a common file extension
(install.sh, notes.md) is not either; a hash is a run of exactly 32, 40 or 64
hex digits with a letter and a digit in it.

--accept TYPE:VALUE (repeatable) records proposed indicators, --accept-all
every one proposed, each as indicator.added with --reason and a note naming
how many events it was found in.`,
			params: []param{caseParam},
			flags: []flagDef{
				{name: "item", line: true, usage: "read the events of the item `ID` only"},
				{name: "accept", repeat: true, usage: "record the proposed indicator `TYPE:VALUE`"},
				{name: "accept-all", isBool: true, usage: "record every proposed indicator"},
				jsonFlag,
			},
			opens: true, changes: true,
			records: incident.ActionIndicatorAdded,
			check:   checkIndicatorExtract,
			do:      runIndicatorExtract,
		},
		{
			name:    "sweep",
			summary: "find every recorded indicator in the events and the items' bytes",
			about: `Open CASE and search every indicator the incident records in the events of the
timeline (message and field values) and in the raw bytes of every item that
is not withdrawn, as ASCII (UTF-8) and as UTF-16LE text. Addresses, domains,
e-mail addresses and hashes are found in any letter case, URLs, paths and
other values exactly; a match must stand alone (10.0.0.5 is not found in
110.0.0.55, nor evil.com in notevil.com, but it is in www.evil.com). Items
are read chunk by chunk, so memory stays small whatever their size; a match
across two chunks is found once. A CIDR prefix is not searched for.

Each hit is listed with the item, the offset (of the match in the item's
bytes, or of the record of the event matched) and the event: the one matched,
or the one whose record holds the matched bytes. The sweep is recorded in the
case (the first 10000 hits, and every count) and in the custody ledger as
indicator.swept with the counts, with --reason.`,
			params: []param{caseParam},
			flags:  []flagDef{jsonFlag},
			opens:  true, changes: true,
			records: hunt.ActionIndicatorSwept,
			do:      runIndicatorSweep,
		},
	},
}

func checkIndicatorExtract(in *call) error {
	if err := in.exclusive([2]string{"accept", "accept-all"}); err != nil {
		return err
	}
	_, err := acceptRefs(in)
	return err
}

// acceptRefs are the --accept values, TYPE:VALUE each.
func acceptRefs(in *call) ([]indicatorRef, error) {
	var out []indicatorRef
	for _, s := range in.texts("accept") {
		if _, _, ok := strings.Cut(s, ":"); !ok {
			return nil, in.usagef("--accept %q: give TYPE:VALUE as extract lists it, e.g. ip:203.0.113.7", s)
		}
		r, err := in.indicatorRef(s)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// proposalJSON is one proposed indicator in 'indicator extract --json'.
type proposalJSON struct {
	Type   string `json:"type"`
	Kind   string `json:"kind"`
	Value  string `json:"value"`
	Count  int64  `json:"count"`
	Events int64  `json:"events"`
	First  string `json:"first_event"`
}

func runIndicatorExtract(in *call, c *casefile.Case) error {
	item, err := itemFlag(in, c)
	if err != nil {
		return err
	}
	accept, _ := acceptRefs(in)
	prog := in.progress("reading events")
	var x hunt.Extraction
	err = in.interruptible(func(ctx context.Context) (err error) {
		x, err = hunt.Extract(ctx, c, item, func(done, total int64) {
			prog.Update(evidence.Status{Item: "events", Done: done, Total: total, Remaining: -1, JobRemaining: -1})
		})
		return err
	})
	prog.clear()
	if err != nil {
		return err
	}
	var chosen []hunt.Proposal
	for _, r := range accept {
		i := slices.IndexFunc(x.Proposals, func(p hunt.Proposal) bool { return p.Type == r.typ && p.Value == r.value })
		if i < 0 {
			return withHint(fmt.Errorf("%s %s is not among the proposed indicators", r.typ, printable(r.value, false)),
				"accept a value as 'custodiactl indicator extract' lists it, or record another with 'custodiactl indicator add'")
		}
		chosen = append(chosen, x.Proposals[i])
	}
	if in.on("accept-all") {
		chosen = x.Proposals
	}
	var added []incident.Indicator
	for _, p := range chosen {
		note := fmt.Sprintf("found by indicator extract in %d events (%d times), first in %s", p.Events, p.Count, p.First)
		ind, err := incident.Of(c).AddIndicator(p.Type, p.Value, note, in.reason)
		if err != nil {
			return fmt.Errorf("accepted %d of %d: %w", len(added), len(chosen), err)
		}
		added = append(added, ind)
	}
	if in.wantsJSON() {
		out := struct {
			Events    int64           `json:"events"`
			Recorded  int             `json:"recorded_already"`
			Dropped   int64           `json:"not_listed"`
			LongTexts int64           `json:"texts_cut"`
			Proposals []proposalJSON  `json:"proposals"`
			Accepted  []indicatorJSON `json:"accepted"`
		}{Events: x.Events, Recorded: x.Recorded, Dropped: x.Dropped, LongTexts: x.LongTexts, Proposals: []proposalJSON{}, Accepted: indicatorsJSON(added)}
		for _, p := range x.Proposals {
			out.Proposals = append(out.Proposals, proposalJSON{Type: string(p.Type), Kind: p.Kind, Value: p.Value, Count: p.Count,
				Events: p.Events, First: p.First})
		}
		return writeJSON(in.stdout, out)
	}
	tw := tabwriter.NewWriter(in.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprint(tw, "TYPE\tKIND\tVALUE\tCOUNT\tEVENTS\tFIRST EVENT\n")
	for _, p := range x.Proposals {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%s\n", p.Type, p.Kind, printable(p.Value, false), p.Count, p.Events, p.First)
	}
	tw.Flush()
	fmt.Fprintf(in.stdout, "proposed: %d indicators from %d events", len(x.Proposals), x.Events)
	if x.Recorded > 0 {
		fmt.Fprintf(in.stdout, " (%d recorded already, left out)", x.Recorded)
	}
	fmt.Fprintln(in.stdout)
	if x.LongTexts > 0 {
		fmt.Fprintf(in.stderr, "warning: %d messages or field values are longer than %d KiB; only their first %d KiB were read\n",
			x.LongTexts, hunt.MaxTextScan>>10, hunt.MaxTextScan>>10)
	}
	if x.Dropped > 0 {
		fmt.Fprintf(in.stderr, "warning: more than %d distinct values were found; the rest are not listed: narrow with --item\n", hunt.MaxProposals)
	}
	for _, ind := range added {
		fmt.Fprintf(in.stdout, "accepted: indicator %s %s %s\n", shortUUID(ind.ID), ind.Type, printable(ind.Value, false))
	}
	return nil
}

func runIndicatorSweep(in *call, c *casefile.Case) error {
	prog := in.progress("sweeping")
	var sw hunt.Sweep
	err := in.interruptible(func(ctx context.Context) (err error) {
		sw, err = hunt.RunSweep(ctx, c, in.reason, func(phase string, done, total int64) {
			prog.Update(evidence.Status{Item: phase, Done: done, Total: total, Remaining: -1, JobRemaining: -1})
		})
		return err
	})
	prog.clear()
	if errors.Is(err, context.Canceled) {
		return withHint(errors.New("sweep cancelled"), "nothing was recorded")
	}
	if err != nil {
		return err
	}
	if in.wantsJSON() {
		return writeJSON(in.stdout, sw)
	}
	names, err := evidenceNames(c)
	if err != nil {
		return err
	}
	byID := map[uuid.UUID]hunt.SweptIndicator{}
	for _, ind := range sw.Indicators {
		byID[ind.ID] = ind
	}
	tw := tabwriter.NewWriter(in.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprint(tw, "INDICATOR\tIN\tITEM\tOFFSET\tLENGTH\tENCODING\tEVENT\n")
	for _, h := range sw.Hits {
		ind := byID[h.Indicator]
		where := h.In
		if h.Field != "" {
			where += " " + printable(h.Field, false)
		}
		fmt.Fprintf(tw, "%s %s\t%s\t%s\t%d\t%d\t%s\t%s\n", ind.Type, printable(ind.Value, false), where, printable(names[h.Item], false),
			h.Offset, h.Length, orDash(h.Encoding), orDash(h.Event))
	}
	tw.Flush()
	for _, ind := range sw.Indicators {
		if ind.Skipped != "" {
			fmt.Fprintf(in.stderr, "note: %s %s not searched: %s\n", ind.Type, printable(ind.Value, false), ind.Skipped)
		}
	}
	fmt.Fprintf(in.stdout, "swept: %d indicators over %d events and %s of %d items\n", len(sw.Indicators), sw.Events,
		byteSize(sw.Bytes), len(sw.Items))
	fmt.Fprintf(in.stdout, "hits: %d in events, %d in bytes", sw.EventHits, sw.ByteHits)
	if !sw.Listed() {
		fmt.Fprintf(in.stdout, " (the first %d listed)", len(sw.Hits))
	}
	fmt.Fprintln(in.stdout)
	return nil
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
