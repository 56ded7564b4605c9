package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/notify"
	"github.com/google/uuid"
)

// The notification track (issue 15): notification start|trigger|regimes|
// delay|track, declare, customer import|add|list, notice
// new|edit|show|list|approve|export|sent.

var triggerParam = param{name: "TRIGGER", why: "name the decision: " + orList(notify.TriggerKinds),
	check: func(_ *call, s string) (string, error) {
		k, err := notify.ParseTriggerKind(s)
		if err != nil {
			msg, _, _ := casefile.Explain(err)
			return "", fmt.Errorf("%s", msg)
		}
		return string(k), nil
	}}

var notificationStartCommand = &command{
	name:    "start",
	summary: "start the notification track, recording when the organisation became aware",
	about: `Open CASE and start the notification track on reasonable suspicion, at any
stage: --aware-at is when the organisation became aware (an RFC 3339 time; it
may lie before the case was opened, never in the future). An awareness time
before the incident's detection time is recorded, with a warning. The
awareness trigger that starts clocks such as GDPR's 72 hours is recorded with
it. Security Incident Manager, Executive Incident Manager or Legal Advisor.
Recorded as notification.track-started.`,
	params: []param{caseParam},
	flags: []flagDef{{name: "aware-at", required: true, why: "say when the organisation became aware", value: newValue[timeValue](), show: "RFC3339",
		usage: "when the organisation became aware, an RFC 3339 `TIME`"}},
	opens: true, changes: true, reasonNeeded: "it is recorded as the ground of the suspicion",
	records: notify.ActionTrackStarted,
	do: func(in *call, c *casefile.Case) error {
		st, warn, err := notify.Of(c).Start(valueOf[time.Time](in, "aware-at"), in.reason)
		if err != nil {
			return err
		}
		if warn != "" {
			fmt.Fprintf(in.stderr, "warning: %s\n", warn)
		}
		fmt.Fprintf(in.stdout, "started: notification track, aware since %s\n", textTime(st.AwareAt))
		return nil
	},
}

var notificationTriggerCommand = &command{
	name:    "trigger",
	summary: "record a decision that starts legal clocks",
	about: `Open CASE and record the decision TRIGGER, taken at --at: awareness,
discovery (HIPAA), major-classification (DORA), materiality (SEC 8-K Item
1.05), incident-determination (NYDFS), ransom-payment (NYDFS) or assessment
(Australia NDB, Singapore PDPA). A time in the future is refused; one before
the case was opened is normal. Recording a kind again corrects it: the last
one counts. Recorded as notification.trigger-recorded.`,
	params: []param{caseParam, triggerParam},
	flags: []flagDef{{name: "at", required: true, why: "say when the decision was taken", value: newValue[timeValue](), show: "RFC3339",
		usage: "when the decision was taken, an RFC 3339 `TIME`"}},
	opens: true, changes: true, reasonNeeded: "it is recorded as the decision's rationale",
	records: notify.ActionTriggerRecorded,
	do: func(in *call, c *casefile.Case) error {
		tr, err := notify.Of(c).Trigger(notify.TriggerKind(in.args[1]), valueOf[time.Time](in, "at"), in.reason)
		if err != nil {
			return err
		}
		fmt.Fprintf(in.stdout, "recorded: %s at %s\n", tr.Kind, textTime(tr.At))
		return nil
	},
}

var notificationRegimesCommand = &command{
	name:    "regimes",
	summary: "show or choose the applicable notification regimes",
	about: `Open CASE and show the regimes chosen, or with --set choose them (a comma-
separated list; --set '' clears the choice), with --reason. Regimes: gdpr,
nis2, dora, sec-8k, hipaa, nydfs, cert-in, au-ndb, lgpd, sg-pdpa, in-dpdp.
--not-required names the obligations of those regimes that do not apply to
this case, as regime/obligation (e.g. hipaa/media when no state has more
than 500 affected residents; 'notification clocks' lists them): their
clocks show not-required and do not hold up closing the incident. With
--set alone, obligations already decided not to apply stay so while their
regime stays chosen; --not-required alone keeps the regimes and replaces
that list (--not-required '' empties it). Recorded as
notification.regimes-set.`,
	params: []param{caseParam},
	flags: []flagDef{{name: "set", line: true, max: 1000, usage: "the applicable `REGIMES`, comma-separated"},
		{name: "not-required", line: true, max: 2000, usage: "the `OBLIGATIONS` that do not apply, as regime/obligation, comma-separated"}},
	opens: true, changes: true,
	records: notify.ActionRegimesSet,
	check: func(in *call) error {
		if (in.given("set") || in.given("not-required")) && strings.TrimSpace(in.reason) == "" {
			return in.usagef("--reason is required with --set or --not-required: say why these regimes and obligations apply or not")
		}
		return nil
	},
	do: func(in *call, c *casefile.Case) error {
		s := notify.Of(c)
		tr, err := s.Track()
		if err != nil {
			return err
		}
		if !in.given("set") && !in.given("not-required") {
			writeRegimes(in, tr.Regimes, tr.NotRequired)
			cs, err := s.Customers()
			if err != nil {
				return err
			}
			if juris, ids := notify.SuggestFor(cs); len(ids) > 0 {
				fmt.Fprintf(in.stdout, "suggested: %s (from the customers' jurisdictions %s)\n", strings.Join(ids, ","), printable(strings.Join(juris, ", "), false))
			}
			return nil
		}
		ids := tr.Regimes
		if in.given("set") {
			ids = commaList(in.text("set"))
		}
		var rc notify.RegimeChoice
		if in.given("not-required") {
			var nr []notify.ObligationRef
			for _, ref := range commaList(in.text("not-required")) {
				o, err := notify.ParseObligationRef(ref)
				if err != nil {
					return err
				}
				nr = append(nr, o)
			}
			rc, err = s.SetApplicability(ids, nr, in.reason)
		} else {
			rc, err = s.SetRegimes(ids, in.reason)
		}
		if err != nil {
			return err
		}
		writeRegimes(in, rc.Regimes, rc.NotRequired)
		return nil
	},
}

// writeRegimes prints the regimes chosen and the obligations that do not
// apply.
func writeRegimes(in *call, ids []string, nr []notify.ObligationRef) {
	fmt.Fprintf(in.stdout, "regimes: %s\n", orNone(strings.Join(ids, ",")))
	if len(nr) > 0 {
		t := make([]string, len(nr))
		for i, o := range nr {
			t[i] = o.String()
		}
		fmt.Fprintf(in.stdout, "not required: %s\n", strings.Join(t, ","))
	}
}

// commaList splits a comma-separated list, dropping empty items.
func commaList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

var notificationDelayCommand = &command{
	name:    "delay",
	summary: "record a law-enforcement delay of notification",
	about: `Open CASE and record that --agency (reference --reference) directed that
notification be delayed from --from (default now) until --until; --oral when
the direction was not in writing (HIPAA §164.412: an oral one lasts 30 days
at most). It pauses only the clocks whose regime allows it, never GDPR's. A
delay overlapping a recorded one is refused, naming it. Legal Advisor,
Executive Incident Manager or Security Incident Manager. Recorded as
notification.delay-recorded.`,
	params: []param{caseParam},
	flags: []flagDef{
		{name: "agency", required: true, line: true, max: 500, why: "name the agency that directed the delay", usage: "the law-enforcement `AGENCY`"},
		{name: "reference", required: true, line: true, max: 500, why: "give the agency's reference", usage: "the agency's `REFERENCE`"},
		{name: "until", required: true, why: "say until when notification is delayed", value: newValue[timeValue](), show: "RFC3339", usage: "the end of the delay, an RFC 3339 `TIME`"},
		{name: "from", value: newValue[timeValue](), show: "RFC3339", usage: "the start of the delay, an RFC 3339 `TIME`; default now"},
		{name: "oral", isBool: true, usage: "the direction was oral, not written"},
	},
	opens: true, changes: true, reasonNeeded: "it is recorded with the delay",
	records: notify.ActionDelayRecorded,
	do: func(in *call, c *casefile.Case) error {
		d, err := notify.Of(c).RecordDelay(notify.NewDelay{Agency: in.text("agency"), Reference: in.text("reference"), Written: !in.on("oral"),
			From: valueOf[time.Time](in, "from"), Until: valueOf[time.Time](in, "until"), Reason: in.reason})
		if err != nil {
			return err
		}
		fmt.Fprintf(in.stdout, "delayed: by %s (%s) from %s until %s\n", printable(d.Agency, false), printable(d.Reference, false), textTime(d.From), textTime(d.Until))
		return nil
	},
}

var notificationTrackCommand = &command{
	name:    "track",
	summary: "show the notification track",
	about: `Open CASE and show the notification track: when it started, the decisions
that start legal clocks, the regimes, law-enforcement delays and the
declaration.`,
	params: []param{caseParam},
	flags:  []flagDef{jsonFlag},
	opens:  true,
	do:     runNotificationTrack,
}

func runNotificationTrack(in *call, c *casefile.Case) error {
	tr, err := notify.Of(c).Track()
	if err != nil {
		return err
	}
	if in.on("json") {
		j := trackJSON{Triggers: []triggerJSON{}, Regimes: tr.Regimes, NotRequired: []string{}, Delays: []delayJSON{}}
		for _, o := range tr.NotRequired {
			j.NotRequired = append(j.NotRequired, o.String())
		}
		if tr.Start != nil {
			j.Started = true
			j.AwareAt = optTime(tr.Start.AwareAt)
		}
		for _, t := range tr.Triggers {
			j.Triggers = append(j.Triggers, triggerJSON{Kind: string(t.Kind), At: formatTime(t.At), Reason: t.Reason, attributionJSON: toAttributionJSON(t.Attribution)})
		}
		for _, d := range tr.Delays {
			j.Delays = append(j.Delays, delayJSON{Agency: d.Agency, Reference: d.Reference, Written: d.Written, From: formatTime(d.From), Until: formatTime(d.Until),
				Reason: d.Reason, attributionJSON: toAttributionJSON(d.Attribution)})
		}
		if tr.Declaration != nil {
			d := tr.Declaration
			j.Declaration = &declarationJSON{Breach: d.Breach, Reason: d.Reason, attributionJSON: toAttributionJSON(d.Attribution)}
		}
		return writeJSON(in.stdout, j)
	}
	w := in.stdout
	if tr.Start == nil {
		fmt.Fprint(w, "Track:       not started\n")
		return nil
	}
	writeField(w, 13, "Track", "started "+byText(tr.Start.Attribution))
	writeField(w, 13, "Aware since", textTime(tr.Start.AwareAt))
	writeField(w, 13, "Regimes", orNone(strings.Join(tr.Regimes, ",")))
	if len(tr.NotRequired) > 0 {
		t := make([]string, len(tr.NotRequired))
		for i, o := range tr.NotRequired {
			t[i] = o.String()
		}
		writeField(w, 13, "Not required", strings.Join(t, ","))
	}
	decl := "(none)"
	if d := tr.Declaration; d != nil {
		decl = "no breach declared"
		if d.Breach {
			decl = "breach declared"
		}
		decl += " " + byText(d.Attribution) + ": " + printable(casefile.Brief(d.Reason), false)
	}
	writeField(w, 13, "Declaration", decl)
	fmt.Fprintf(w, "Triggers:    %d\n", len(tr.Triggers))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, t := range tr.Triggers {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", t.Kind, textTime(t.At), printable(t.Examiner, false), orDash(printable(casefile.Brief(t.Reason), false)))
	}
	tw.Flush()
	fmt.Fprintf(w, "Delays:      %d\n", len(tr.Delays))
	for _, d := range tr.Delays {
		kind := "written"
		if !d.Written {
			kind = "oral"
		}
		fmt.Fprintf(w, "  %s (%s, %s) %s to %s\n", printable(d.Agency, false), printable(d.Reference, false), kind, textTime(d.From), textTime(d.Until))
	}
	return nil
}

type triggerJSON struct {
	Kind   string `json:"kind"`
	At     string `json:"trigger_at"`
	Reason string `json:"reason"`
	attributionJSON
}

type delayJSON struct {
	Agency    string `json:"agency"`
	Reference string `json:"reference"`
	Written   bool   `json:"written"`
	From      string `json:"from"`
	Until     string `json:"until"`
	Reason    string `json:"reason"`
	attributionJSON
}

type declarationJSON struct {
	Breach bool   `json:"breach"`
	Reason string `json:"reason"`
	attributionJSON
}

// trackJSON is the JSON form of the notification track; its field names
// are a stable interface for scripts (and the clocks).
type trackJSON struct {
	Started     bool             `json:"started"`
	AwareAt     *string          `json:"aware_at"`
	Triggers    []triggerJSON    `json:"triggers"`
	Regimes     []string         `json:"regimes"`
	NotRequired []string         `json:"not_required"`
	Delays      []delayJSON      `json:"delays"`
	Declaration *declarationJSON `json:"declaration"`
}

var declareCommand = &command{
	name:    "declare",
	summary: "declare a security breach, or that none is declared",
	about: `Open CASE and declare a security breach, with --reason (the rationale); with
--no-breach record that no breach is declared. Only the Executive Incident
Manager may. A declared breach is what allows official notices (to customers,
regulators, data subjects) to be marked sent. The notification track must be
started. Recorded as breach.declared or breach.not-declared.`,
	params: []param{caseParam},
	flags:  []flagDef{{name: "no-breach", isBool: true, usage: "record that no breach is declared"}},
	opens:  true, changes: true, reasonNeeded: "it is recorded as the declaration's rationale",
	// records is left empty: the entry's action depends on --no-breach.
	do: func(in *call, c *casefile.Case) error {
		s := notify.Of(c)
		if in.on("no-breach") {
			if _, err := s.DeclareNoBreach(in.reason); err != nil {
				return err
			}
			fmt.Fprintln(in.stdout, "declared: no breach")
			writeRecordedHead(in.stdout, c, notify.ActionNoBreachDeclared)
			return nil
		}
		if _, err := s.Declare(in.reason); err != nil {
			return err
		}
		fmt.Fprintln(in.stdout, "declared: breach; official notices may now be sent")
		writeRecordedHead(in.stdout, c, notify.ActionBreachDeclared)
		return nil
	},
}

var customerCommand = &command{
	name:    "customer",
	summary: "scope the impacted customers",
	about: `The customers a security incident impacts, each with its administrators'
e-mail addresses, jurisdiction, the categories of data concerned and the
number of data subjects, linked to the findings and evidence that put it in
scope. Security Incident Manager, Communications Manager, Customer Support
Engineer or Legal Advisor.`,
	sub: []*command{
		{
			name:    "import",
			summary: "import impacted customers from a CSV file",
			about: `Open CASE and import the customers of FILE, a UTF-8 CSV file whose header is
id,name,admin_contacts,jurisdiction,data_categories,data_subjects
(admin_contacts and data_categories separated by ';'; data_subjects a whole
number). At most 100000 customers and 10 MiB. A wrong header, a malformed
line, a bad e-mail address, a repeated id or a line break in a field is
refused naming the line and column, and nothing is stored. Recorded as
customer.imported, with the file's SHA-256.`,
			params: []param{caseParam, {name: "FILE", why: "name the CSV file to import"}},
			opens:  true, changes: true,
			records: notify.ActionCustomersImport,
			do: func(in *call, c *casefile.Case) error {
				f, err := os.Open(in.args[1])
				if err != nil {
					return withHint(err, "check the path of the CSV file")
				}
				defer f.Close()
				res, err := notify.Of(c).ImportCSV(f, in.reason)
				if err != nil {
					return err
				}
				fmt.Fprintf(in.stdout, "imported: %d customers (sha256 %s)\n", res.Customers, res.SHA256)
				return nil
			},
		},
		{
			name:    "add",
			summary: "add an impacted customer",
			about: `Open CASE and add the customer --id, --name, with one --contact per
administrator's e-mail address, --jurisdiction, one --category per category
of data, --subjects (the number of data subjects), and the --finding and
--evidence ids that put it in scope. Recorded as customer.added.`,
			params: []param{caseParam},
			flags:  customerFlags(true),
			opens:  true, changes: true,
			records: notify.ActionCustomerAdded,
			do: func(in *call, c *casefile.Case) error {
				ci, err := customerInfo(in, c, notify.CustomerInfo{})
				if err != nil {
					return err
				}
				cu, err := notify.Of(c).AddCustomer(ci, in.reason)
				if err != nil {
					return err
				}
				fmt.Fprintf(in.stdout, "added: customer %s\n", printable(cu.ID, false))
				return nil
			},
		},
		{
			name:    "edit",
			summary: "change an impacted customer",
			about: `Open CASE and record a new revision of customer CUSTOMER (its id as
'customer list' shows it): each flag given replaces that field, a repeated
flag (--contact, --category, --finding, --evidence) the whole list; the
fields not given stay as they are. The id does not change. Recorded as
customer.edited.`,
			params: []param{caseParam, {name: "CUSTOMER", why: "name the customer to change (its id, as 'custodiactl customer list' shows it)"}},
			flags:  customerEditFlags(),
			opens:  true, changes: true,
			records: notify.ActionCustomerEdited,
			do:      runCustomerEdit,
		},
		{
			name:    "list",
			summary: "list the impacted customers",
			about:   `Open CASE and list the impacted customers, each as last revised.`,
			params:  []param{caseParam},
			flags:   []flagDef{jsonFlag},
			opens:   true,
			do:      runCustomerList,
		},
	},
}

func customerFlags(add bool) []flagDef {
	return []flagDef{
		{name: "id", required: add, line: true, max: 1000, why: "give the customer's id", usage: "the customer's `ID` in your systems"},
		{name: "name", required: add, line: true, max: 1000, why: "give the customer's name", usage: "the customer's `NAME`"},
		{name: "contact", repeat: true, line: true, max: 320, usage: "an administrator's e-mail `ADDRESS` (repeat for each)"},
		{name: "jurisdiction", line: true, max: 64, usage: "where the customer is, e.g. `DE` or US-CA"},
		{name: "category", repeat: true, line: true, max: 1000, usage: "a `CATEGORY` of data concerned (repeat for each)"},
		{name: "subjects", line: true, max: 20, usage: "the `NUMBER` of data subjects concerned"},
		{name: "finding", repeat: true, usage: "the `ID` of a finding that puts it in scope (repeat for each)"},
		{name: "evidence", repeat: true, usage: "the `ID` of an evidence item that puts it in scope (repeat for each)"},
	}
}

// customerInfo is base with the customer flags given replacing its
// fields (a repeated flag replaces the whole list).
func customerInfo(in *call, c *casefile.Case, base notify.CustomerInfo) (notify.CustomerInfo, error) {
	ci := base
	for _, f := range []struct {
		name string
		to   *string
	}{{"id", &ci.ID}, {"name", &ci.Name}, {"jurisdiction", &ci.Jurisdiction}} {
		if in.given(f.name) {
			*f.to = in.text(f.name)
		}
	}
	if in.given("contact") {
		ci.AdminContacts = in.texts("contact")
	}
	if in.given("category") {
		ci.DataCategories = in.texts("category")
	}
	if s := strings.TrimSpace(in.text("subjects")); in.given("subjects") {
		if _, err := fmt.Sscan(s, &ci.DataSubjects); err != nil || ci.DataSubjects < 0 || fmt.Sprint(ci.DataSubjects) != s {
			return ci, in.usagef("--subjects %q is not a number of data subjects (a whole number)", s)
		}
	}
	if in.given("finding") {
		ci.Findings = nil
		for _, ref := range in.texts("finding") {
			r, err := parseIDRef("finding", ref)
			if err != nil {
				return ci, in.usagef("%v", err)
			}
			f, err := findFinding(c, r)
			if err != nil {
				return ci, err
			}
			ci.Findings = append(ci.Findings, f.ID)
		}
	}
	if in.given("evidence") {
		refs, err := evidenceRefs(in, "evidence")
		if err != nil {
			return ci, err
		}
		if ci.Evidence, err = evidenceIDs(c, refs); err != nil {
			return ci, err
		}
	}
	return ci, nil
}

// customerEditFlags are the flags of customer edit: those of customer add
// but --id (the argument names the customer, and its id does not change).
func customerEditFlags() []flagDef {
	var out []flagDef
	for _, f := range customerFlags(false) {
		if f.name != "id" {
			out = append(out, f)
		}
	}
	return out
}

func runCustomerEdit(in *call, c *casefile.Case) error {
	changed := false
	for _, f := range customerEditFlags() {
		changed = changed || in.given(f.name)
	}
	if !changed {
		return in.usagef("nothing to change: give at least one of --name, --contact, --jurisdiction, --category, --subjects, --finding or --evidence")
	}
	s := notify.Of(c)
	cu, err := s.Customer(in.args[1])
	if err != nil {
		return err
	}
	ci, err := customerInfo(in, c, cu.CustomerInfo)
	if err != nil {
		return err
	}
	cu, err = s.EditCustomer(cu.ID, ci, in.reason)
	if err != nil {
		return err
	}
	fmt.Fprintf(in.stdout, "edited: customer %s (revision %d)\n", printable(cu.ID, false), cu.Rev)
	return nil
}

func runCustomerList(in *call, c *casefile.Case) error {
	cs, err := notify.Of(c).Customers()
	if err != nil {
		return err
	}
	if in.on("json") {
		out := make([]customerJSON, 0, len(cs))
		for _, cu := range cs {
			out = append(out, customerJSON{ID: cu.ID, Name: cu.Name, AdminContacts: cu.AdminContacts, Jurisdiction: cu.Jurisdiction,
				DataCategories: cu.DataCategories, DataSubjects: cu.DataSubjects, Findings: uuidStrings(cu.Findings), Evidence: uuidStrings(cu.Evidence),
				Revision: cu.Rev, attributionJSON: toAttributionJSON(cu.Attribution)})
		}
		return writeJSON(in.stdout, out)
	}
	tw := tabwriter.NewWriter(in.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprint(tw, "ID\tNAME\tJURISDICTION\tSUBJECTS\tCONTACTS\tDATA\n")
	for _, cu := range cs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\n", printable(cu.ID, false), printable(cu.Name, false), orDash(printable(cu.Jurisdiction, false)),
			cu.DataSubjects, printable(strings.Join(cu.AdminContacts, ";"), false), orDash(printable(strings.Join(cu.DataCategories, ";"), false)))
	}
	tw.Flush()
	if len(cs) == 0 {
		fmt.Fprintf(in.stderr, "note: %s scopes no customers yet; import them with 'custodiactl customer import'\n", in.args[0])
	}
	return nil
}

// customerJSON is the JSON form of an impacted customer; its field names
// are a stable interface for scripts.
type customerJSON struct {
	ID             string   `json:"id"`
	Name           string   `json:"name"`
	AdminContacts  []string `json:"admin_contacts"`
	Jurisdiction   string   `json:"jurisdiction"`
	DataCategories []string `json:"data_categories"`
	DataSubjects   int64    `json:"data_subjects"`
	Findings       []string `json:"findings"`
	Evidence       []string `json:"evidence"`
	Revision       int      `json:"revision"`
	attributionJSON
}

var noticeParam = idParam("ID", "notice")

var noticeKind = recordKind{"notice", notify.ErrNoSuchNotice, "custodiactl notice list"}

func findNotice(c *casefile.Case, ref string) (notify.Notice, error) {
	all, err := notify.Of(c).Notices()
	if err != nil {
		return notify.Notice{}, err
	}
	return resolve(noticeKind, ref, all, func(n notify.Notice) uuid.UUID { return n.ID })
}

var addressFlags = []flagDef{
	{name: "from", line: true, max: 320, usage: "the sender's e-mail `ADDRESS`"},
	{name: "to", repeat: true, line: true, max: 320, usage: "a recipient's e-mail `ADDRESS` (repeat for each)"},
	{name: "cc", repeat: true, line: true, max: 320, usage: "a copy recipient's e-mail `ADDRESS` (repeat for each)"},
}

var noticeCommand = &command{
	name:    "notice",
	summary: "draft, review, approve, export and send notices",
	about: `Notices to customer administrators, regulators, data subjects or internal /
executive readers, drafted from the case's facts by templates and revised as
the investigation goes on. A regime's required content is a checklist on the
draft (GDPR Art. 33(3)(a)-(d); HIPAA §164.404(c); SEC 8-K Item 1.05's nature,
scope, timing and impact): each item is a section "== Heading ==" whose text
is not a placeholder "[to be completed: …]". A notice is approved by someone
other than its authors (four eyes), once no item is missing; only an approved
notice is exported (.eml) or marked sent, and an official one only after the
breach is declared.`,
	sub: []*command{
		{
			name:    "new",
			summary: "draft a notice from the case's facts",
			about: `Open CASE and draft a notice to --audience (customer, regulator, data-subjects
or internal) under --regime, for --customer (a customer notice goes to its
administrators unless --to is given). Prints its id and the checklist items
still missing. Recorded as notice.drafted.`,
			params: []param{caseParam},
			flags: append([]flagDef{
				{name: "audience", required: true, why: "say whom the notice is for: " + orList(notify.Audiences), value: choice("audience", notify.Audiences, nil),
					usage: "whom it is for: " + orList(notify.Audiences)},
				{name: "regime", line: true, max: 20, usage: "the `REGIME` it serves: " + strings.Join(notify.Regimes, ", ")},
				{name: "customer", line: true, max: 1000, usage: "the customer's `ID`, for a customer notice"},
			}, addressFlags...),
			opens: true, changes: true,
			records: notify.ActionNoticeDrafted,
			do: func(in *call, c *casefile.Case) error {
				n, err := notify.Of(c).DraftNotice(notify.NewNotice{Audience: valueOf[notify.Audience](in, "audience"), Regime: in.text("regime"),
					Customer: in.text("customer"), From: in.text("from"), To: in.texts("to"), Cc: in.texts("cc"), Reason: in.reason})
				if err != nil {
					return err
				}
				fmt.Fprintf(in.stdout, "drafted: notice %s to %s\n", shortUUID(n.ID), n.Audience)
				writeMissing(in, n)
				return nil
			},
		},
		{
			name:    "edit",
			summary: "revise a notice",
			about: `Open CASE and record a new revision of notice ID: --subject, --body-file (the
plain-text body), --from, --to and --cc replace what they name. An approval
of an earlier revision does not carry over. A sent notice is not edited.
Recorded as notice.edited.`,
			params: []param{caseParam, noticeParam},
			flags: append([]flagDef{
				{name: "subject", line: true, nonBlank: true, max: 998, usage: "the `SUBJECT`"},
				{name: "body-file", usage: "read the body from `FILE`"},
				{name: "body", usage: "the body `TEXT`", max: notify.MaxBodyLen},
			}, addressFlags...),
			opens: true, changes: true,
			records: notify.ActionNoticeEdited,
			check: func(in *call) error {
				if err := in.exclusive([2]string{"body", "body-file"}); err != nil {
					return err
				}
				if !in.anyGiven("subject", "body-file", "body", "from", "to", "cc") {
					return in.usagef("give what to change: --subject, --body-file, --from, --to or --cc")
				}
				return in.textFromFile("body-file", "body", notify.MaxBodyLen)
			},
			do: func(in *call, c *casefile.Case) error {
				n, err := findNotice(c, in.args[1])
				if err != nil {
					return err
				}
				nc := n.NoticeContent
				if in.given("subject") {
					nc.Subject = in.text("subject")
				}
				if in.given("body") || in.given("body-file") {
					nc.Body = in.text("body")
				}
				if in.given("from") {
					nc.From = in.text("from")
				}
				if in.given("to") {
					nc.To = in.texts("to")
				}
				if in.given("cc") {
					nc.Cc = in.texts("cc")
				}
				if n, err = notify.Of(c).EditNotice(n.ID, nc, in.reason); err != nil {
					return err
				}
				fmt.Fprintf(in.stdout, "edited: notice %s, revision %d\n", shortUUID(n.ID), n.Revision)
				writeMissing(in, n)
				return nil
			},
		},
		{
			name:    "show",
			summary: "show a notice with its checklist",
			about:   `Open CASE and show notice ID: its current revision, checklist, approvals and sendings.`,
			params:  []param{caseParam, noticeParam},
			flags:   []flagDef{jsonFlag},
			opens:   true,
			do: func(in *call, c *casefile.Case) error {
				n, err := findNotice(c, in.args[1])
				if err != nil {
					return err
				}
				if in.on("json") {
					return writeJSON(in.stdout, toNoticeJSON(n))
				}
				writeNoticeText(in, n)
				return nil
			},
		},
		{
			name:    "list",
			summary: "list the notices",
			about:   `Open CASE and list its notices, in the order they were drafted.`,
			params:  []param{caseParam},
			flags:   []flagDef{jsonFlag},
			opens:   true,
			do: func(in *call, c *casefile.Case) error {
				ns, err := notify.Of(c).Notices()
				if err != nil {
					return err
				}
				if in.on("json") {
					out := make([]noticeJSON, 0, len(ns))
					for _, n := range ns {
						out = append(out, toNoticeJSON(n))
					}
					return writeJSON(in.stdout, out)
				}
				tw := tabwriter.NewWriter(in.stdout, 0, 0, 2, ' ', 0)
				fmt.Fprint(tw, "ID\tAUDIENCE\tREGIME\tREV\tSTATUS\tMISSING\tSUBJECT\n")
				for _, n := range ns {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%d\t%s\n", shortUUID(n.ID), n.Audience, orDash(n.Regime), n.Revision, n.Status(), len(n.Missing()), printable(n.Subject, false))
				}
				tw.Flush()
				return nil
			},
		},
		{
			name:    "approve",
			summary: "approve a notice (not your own)",
			about: `Open CASE and approve the current revision of notice ID: a custody entry
signed with your key that pins the revision's SHA-256. Refused to anyone who
wrote a revision of it (four eyes), and while a checklist item is missing.
Security Incident Manager, Executive Incident Manager or Legal Advisor.
Recorded as notice.approved.`,
			params: []param{caseParam, noticeParam},
			opens:  true, changes: true,
			records: notify.ActionNoticeApproved,
			do: func(in *call, c *casefile.Case) error {
				n, err := findNotice(c, in.args[1])
				if err != nil {
					return err
				}
				if n, err = notify.Of(c).ApproveNotice(n.ID, in.reason); err != nil {
					return err
				}
				fmt.Fprintf(in.stdout, "approved: notice %s, revision %d, by %s\n", shortUUID(n.ID), n.Revision, printable(c.Actor().Name, false))
				return nil
			},
		},
		{
			name:    "export",
			summary: "export an approved notice as .eml files",
			about: `Open CASE and write approved notice ID into the folder -o as one RFC 5322
message per To recipient (From, To, Cc, Date, Message-ID, Subject; text and
HTML alternatives; each --attach FILE attached, e.g. a report PDF), never
overwriting a file. Prints each file with its SHA-256. Security Incident
Manager or Communications Manager. Recorded as notice.exported, with the
SHA-256 of each message and attachment.`,
			params: []param{caseParam, noticeParam},
			flags:  []flagDef{{name: "o", required: true, why: "name the folder to write the .eml files into", usage: "the `DIR` to write into (must exist)"}, attachFlag},
			opens:  true, changes: true,
			records: notify.ActionNoticeExported,
			do: func(in *call, c *casefile.Case) error {
				n, err := findNotice(c, in.args[1])
				if err != nil {
					return err
				}
				atts, err := readAttachments(in)
				if err != nil {
					return err
				}
				emls, err := notify.Of(c).Export(n.ID, in.text("o"), atts...)
				if err != nil {
					return err
				}
				for _, e := range emls {
					fmt.Fprintf(in.stdout, "wrote: %s  %s\n", e.SHA256, e.Path)
				}
				return nil
			},
		},
		{
			name:    "send",
			summary: "send an approved notice through a mail server",
			about: `Open CASE and send approved notice ID through the SMTP server --smtp
HOST[:PORT]: one message per To recipient, what 'notice export' writes
(byte for byte without attachments; the first also to the Cc recipients),
with each --attach FILE; with --to, only to those recipients (after a
server refused some). --security starttls (the default, port 587: the
server must offer STARTTLS), tls (port 465) or none (port 25; refused but
for localhost). With --user, the password is read from CUSTODIA_SMTP_PASSWORD
and sent only over an encrypted connection. --ca-file trusts the PEM
certificates in FILE instead of the system's. Nothing of the server
settings is stored in the case. An official notice is sent only once the
breach is declared. The recipients the server accepted are recorded as
notice.sent (channel email), meeting --obligation of the notice's regime,
with each message's SHA-256; those it refused are named. Security Incident
Manager or Communications Manager.`,
			params: []param{caseParam, noticeParam},
			flags: []flagDef{
				{name: "smtp", required: true, line: true, max: 300, why: "name the mail server, HOST or HOST:PORT", usage: "the mail server, `HOST[:PORT]`"},
				{name: "security", value: choice("security", notify.Securities, nil), usage: "starttls (default), tls or none"},
				{name: "user", line: true, max: 320, usage: "the account `NAME` on the server; the password comes from CUSTODIA_SMTP_PASSWORD"},
				{name: "ca-file", line: true, max: 4096, usage: "a PEM `FILE` of the certificates to trust for the server"},
				{name: "obligation", line: true, max: 200, usage: "the regime's `OBLIGATION` it meets"},
				{name: "to", repeat: true, line: true, max: 320, usage: "send only to this `ADDRESS` of the notice's To or Cc (repeat; e.g. those a server refused)"},
				attachFlag,
			},
			opens: true, changes: true,
			records: notify.ActionNoticeSent,
			do:      runNoticeSend,
		},
		{
			name:    "sent",
			summary: "record that a notice was sent",
			about: `Open CASE and record that approved notice ID was sent at --at (default now)
through --channel (email, portal, phone or letter) to --recipient (repeat;
default the notice's To and Cc), meeting --obligation of its regime. An
official notice (not internal) only once the breach is declared. Security
Incident Manager or Communications Manager. Recorded as notice.sent.`,
			params: []param{caseParam, noticeParam},
			flags: []flagDef{
				{name: "at", value: newValue[timeValue](), show: "RFC3339", usage: "when it was sent, an RFC 3339 `TIME`; default now"},
				{name: "channel", required: true, why: "say how it was sent: " + strings.Join(notify.Channels, ", "),
					value: choice("channel", []string{"email", "portal", "phone", "letter"}, nil), usage: "how it was sent: email, portal, phone or letter"},
				{name: "recipient", repeat: true, line: true, max: 1000, usage: "whom it was sent to (repeat for each)"},
				{name: "obligation", line: true, max: 200, usage: "the regime's `OBLIGATION` it meets"},
			},
			opens: true, changes: true,
			records: notify.ActionNoticeSent,
			do: func(in *call, c *casefile.Case) error {
				n, err := findNotice(c, in.args[1])
				if err != nil {
					return err
				}
				n, err = notify.Of(c).MarkSent(n.ID, notify.NewSending{At: valueOf[time.Time](in, "at"), Channel: valueOf[string](in, "channel"),
					Recipients: in.texts("recipient"), Obligation: in.text("obligation"), Reason: in.reason})
				if err != nil {
					return err
				}
				sd := n.Sendings[len(n.Sendings)-1]
				fmt.Fprintf(in.stdout, "sent: notice %s by %s at %s to %s\n", shortUUID(n.ID), sd.Channel, textTime(sd.At), printable(strings.Join(sd.Recipients, ", "), false))
				return nil
			},
		},
	},
}

func writeMissing(in *call, n notify.Notice) {
	for _, m := range n.Missing() {
		fmt.Fprintf(in.stdout, "missing: %s (%s)\n", m.Ref, m.Heading)
	}
}

func writeNoticeText(in *call, n notify.Notice) {
	w := in.stdout
	writeField(w, 10, "Notice", n.ID.String())
	writeField(w, 10, "Audience", string(n.Audience))
	writeField(w, 10, "Regime", orNone(n.Regime))
	if n.Customer != "" {
		writeField(w, 10, "Customer", printable(n.Customer, false))
	}
	writeField(w, 10, "Status", n.Status())
	writeField(w, 10, "Revision", fmt.Sprintf("%d, %s", n.Revision, byText(n.Revised)))
	writeField(w, 10, "From", orNone(n.From))
	writeField(w, 10, "To", orNone(strings.Join(n.To, ", ")))
	writeField(w, 10, "Cc", orNone(strings.Join(n.Cc, ", ")))
	writeField(w, 10, "Subject", printable(n.Subject, false))
	for _, a := range n.Approvals {
		fmt.Fprintf(w, "Approved: revision %d %s\n", a.Revision, byText(a.Attribution))
	}
	for _, s := range n.Sendings {
		fmt.Fprintf(w, "Sent:     %s by %s to %s\n", textTime(s.At), s.Channel, printable(strings.Join(s.Recipients, ", "), false))
	}
	if len(n.Checklist) > 0 {
		fmt.Fprintln(w, "Checklist:")
		for _, c := range n.Checklist {
			mark := "missing"
			if c.Met {
				mark = "ok"
			}
			fmt.Fprintf(w, "  %-7s %s (%s)\n", mark, c.Ref, c.Heading)
		}
	}
	fmt.Fprintln(w)
	writeIndented(w, "", printable(n.Body, true))
}

type checkItemJSON struct {
	Ref     string `json:"ref"`
	Heading string `json:"heading"`
	Need    string `json:"need"`
	Met     bool   `json:"met"`
}

type noticeApprovalJSON struct {
	Revision      int    `json:"revision"`
	ContentSHA256 string `json:"content_sha256"`
	attributionJSON
}

type sendingJSON struct {
	Revision   int      `json:"revision"`
	SentAt     string   `json:"sent_at"`
	Channel    string   `json:"channel"`
	Recipients []string `json:"recipients"`
	Regime     string   `json:"regime"`
	Obligation string   `json:"obligation"`
	attributionJSON
}

// noticeJSON is the JSON form of a notice; its field names are a stable
// interface for scripts.
type noticeJSON struct {
	ID        string               `json:"id"`
	Audience  string               `json:"audience"`
	Regime    string               `json:"regime"`
	Customer  string               `json:"customer"`
	Revision  int                  `json:"revision"`
	Status    string               `json:"status"`
	From      string               `json:"from"`
	To        []string             `json:"to"`
	Cc        []string             `json:"cc"`
	Subject   string               `json:"subject"`
	Body      string               `json:"body"`
	Checklist []checkItemJSON      `json:"checklist"`
	Approvals []noticeApprovalJSON `json:"approvals"`
	Sendings  []sendingJSON        `json:"sendings"`
	Created   attributionJSON      `json:"created"`
	Revised   attributionJSON      `json:"revised"`
}

func toNoticeJSON(n notify.Notice) noticeJSON {
	j := noticeJSON{ID: n.ID.String(), Audience: string(n.Audience), Regime: n.Regime, Customer: n.Customer, Revision: n.Revision, Status: n.Status(),
		From: n.From, To: n.To, Cc: n.Cc, Subject: n.Subject, Body: n.Body, Checklist: []checkItemJSON{}, Approvals: []noticeApprovalJSON{},
		Sendings: []sendingJSON{}, Created: toAttributionJSON(n.Created), Revised: toAttributionJSON(n.Revised)}
	for _, c := range n.Checklist {
		j.Checklist = append(j.Checklist, checkItemJSON(c))
	}
	for _, a := range n.Approvals {
		j.Approvals = append(j.Approvals, noticeApprovalJSON{Revision: a.Revision, ContentSHA256: a.ContentSHA256, attributionJSON: toAttributionJSON(a.Attribution)})
	}
	for _, s := range n.Sendings {
		j.Sendings = append(j.Sendings, sendingJSON{Revision: s.Revision, SentAt: formatTime(s.At), Channel: s.Channel, Recipients: s.Recipients,
			Regime: s.Regime, Obligation: s.Obligation, attributionJSON: toAttributionJSON(s.Attribution)})
	}
	return j
}

var notificationClocksCommand = &command{
	name:    "clocks",
	summary: "show the legal clocks of the chosen regimes",
	about: `Open CASE and show, for every obligation of the regimes chosen ('notification
regimes --set'), its clock: the decision that starts it and when it was
taken, the due time (UTC, and in the regime's own zone), and its status:
not-started (the decision is not recorded), running, paused (a
law-enforcement delay, for the regimes that allow one), met (by the notice
marked sent with --obligation; "late" when after the due time) or overdue.
--at shows the clocks as they stand at another time. How each period is
counted, and its legal source, is in docs/REGULATORY.md.`,
	params: []param{caseParam},
	flags: []flagDef{{name: "at", value: newValue[timeValue](), show: "RFC3339", usage: "show the clocks as they stand at `TIME` (RFC 3339); default now"},
		jsonFlag},
	opens: true,
	do:    runNotificationClocks,
}

// clockJSON is one clock in 'notification clocks --json'; its field names
// are a stable interface for scripts.
type clockJSON struct {
	Regime      string  `json:"regime"`
	Obligation  string  `json:"obligation"`
	Name        string  `json:"name"`
	Audience    string  `json:"audience"`
	Trigger     string  `json:"trigger"`
	TriggerAt   *string `json:"trigger_at"`
	Due         *string `json:"due"`
	DueLocal    string  `json:"due_local,omitempty"`
	Status      string  `json:"status"`
	MetBy       string  `json:"met_by,omitempty"`
	MetAt       *string `json:"met_at,omitempty"`
	Late        bool    `json:"late,omitempty"`
	PausedFor   string  `json:"paused_for,omitempty"`
	Provisional bool    `json:"provisional,omitempty"`
	Condition   string  `json:"condition,omitempty"`
}

func runNotificationClocks(in *call, c *casefile.Case) error {
	at := valueOf[time.Time](in, "at")
	if at.IsZero() {
		at = in.now()
	}
	cs, err := notify.Of(c).Clocks(at)
	if err != nil {
		return err
	}
	if in.on("json") {
		out := make([]clockJSON, len(cs))
		for i, k := range cs {
			j := clockJSON{Regime: k.Regime, Obligation: k.Obligation, Name: k.Name, Audience: k.Audience, Trigger: string(k.Trigger),
				TriggerAt: optTime(k.TriggerAt), Due: optTime(k.Due), DueLocal: k.DueLocal, Status: string(k.Status), MetBy: k.MetBy,
				Late: k.Late, Provisional: k.Provisional, Condition: k.Condition}
			if !k.MetAt.IsZero() {
				j.MetAt = optTime(k.MetAt)
			}
			if k.PausedFor > 0 {
				j.PausedFor = k.PausedFor.String()
			}
			out[i] = j
		}
		return writeJSON(in.stdout, out)
	}
	if len(cs) == 0 {
		fmt.Fprintln(in.stdout, "no clocks: no regime is chosen; choose them with 'custodiactl notification regimes CASE --set gdpr,...'")
		return nil
	}
	fmt.Fprintf(in.stdout, "as of %s\n", formatTime(at))
	tw := tabwriter.NewWriter(in.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "REGIME\tOBLIGATION\tTRIGGER\tDUE (UTC)\tSTATUS")
	for _, k := range cs {
		due := "-"
		if !k.Due.IsZero() {
			due = formatTime(k.Due)
			if k.Provisional {
				due += " (provisional)"
			}
		}
		st := string(k.Status)
		switch {
		case k.Status == "met" && k.Late:
			st += " late, by notice " + short8(k.MetBy)
		case k.Status == "met":
			st += " by notice " + short8(k.MetBy)
		case k.PausedFor > 0:
			st += ", moved " + k.PausedFor.String() + " by law-enforcement delays"
		}
		trig := string(k.Trigger)
		if !k.TriggerAt.IsZero() {
			trig += " " + formatTime(k.TriggerAt)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", k.Regime, k.Obligation, trig, due, st)
	}
	return tw.Flush()
}

// short8 is the first 8 characters of an id, as the commands print ids.
func short8(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}

var attachFlag = flagDef{name: "attach", repeat: true, line: true, max: 4096, usage: "a `FILE` to attach, e.g. a report PDF (repeat for each)"}

// readAttachments reads the --attach files, bounded as the notice
// bounds them.
func readAttachments(in *call) ([]notify.Attachment, error) {
	atts, err := notify.ReadAttachments(in.texts("attach"))
	if err != nil && !errors.Is(err, casefile.ErrInvalid) {
		return nil, withHint(err, "check the path of the file to attach")
	}
	return atts, err
}

// smtpServer is the mail server the send flags name.
func smtpServer(in *call) (notify.SMTPServer, error) {
	srv := notify.SMTPServer{Host: in.text("smtp"), Security: valueOf[string](in, "security"), Username: in.text("user")}
	if h, p, err := net.SplitHostPort(srv.Host); err == nil {
		port, err := strconv.Atoi(p)
		if err != nil {
			return srv, in.usagef("--smtp %q: the port is not a number", srv.Host)
		}
		srv.Host, srv.Port = h, port
	}
	if srv.Username != "" {
		pw, ok := in.lookupEnv("CUSTODIA_SMTP_PASSWORD")
		if !ok || pw == "" {
			return srv, in.usagef("--user %s needs the password in CUSTODIA_SMTP_PASSWORD", srv.Username)
		}
		srv.Password = pw
	}
	if f := in.text("ca-file"); f != "" {
		pool, err := notify.ReadCertPool(f)
		if err != nil {
			if errors.Is(err, casefile.ErrInvalid) {
				return srv, err
			}
			return srv, withHint(err, "check the path of the PEM file of certificates")
		}
		srv.RootCAs = pool
	}
	return srv, nil
}

func runNoticeSend(in *call, c *casefile.Case) error {
	n, err := findNotice(c, in.args[1])
	if err != nil {
		return err
	}
	srv, err := smtpServer(in)
	if err != nil {
		return err
	}
	atts, err := readAttachments(in)
	if err != nil {
		return err
	}
	return in.interruptible(func(ctx context.Context) error {
		sent, err := notify.Of(c).Send(ctx, n.ID, srv, notify.SendOptions{Obligation: in.text("obligation"), Reason: in.reason,
			Attachments: atts, Only: in.texts("to")})
		for _, e := range sent.Accepted {
			fmt.Fprintf(in.stdout, "sent: %s  to %s\n", e.SHA256, printable(e.To, false))
		}
		return err
	})
}
