package main

import (
	"fmt"
	"io"
	"time"

	"github.com/google/uuid"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/incident"
)

var actionCommand = &command{
	name:    "action",
	summary: "record and list the actions the response team took",
	about: `The case record lists every action taken by the response team: what was done,
when, by whom and in which stage, with the evidence items it produced or
used. Actions are often written down after the fact, so the time an action
was taken (--at) is kept apart from the time it was recorded.`,
	sub: []*command{
		{
			name:    "add",
			summary: "record an action taken",
			about: `Open CASE and record an action: --description says what was done, --at when
(default now), and --evidence names an evidence item it produced or used
(its id or at least its first 4 characters; repeat for several). Refused
while the incident is closed. Recorded as action.recorded, with --reason.`,
			params: []param{caseParam},
			flags: []flagDef{
				{name: "description", required: true, max: casefile.MaxTextLen, usage: "what was done, `TEXT`"},
				atFlag,
				{name: "evidence", repeat: true, usage: "an evidence item the action produced or used, by `ID`"},
			},
			opens: true, changes: true,
			records: incident.ActionResponseRecorded,
			check:   func(in *call) error { _, err := evidenceRefs(in, "evidence"); return err },
			do:      runActionAdd,
		},
		{
			name:    "list",
			summary: "list the actions taken",
			about:   `Open CASE and list the recorded actions in the order they were recorded, each with its full description.`,
			params:  []param{caseParam},
			flags:   []flagDef{jsonFlag},
			opens:   true,
			do:      runActionList,
		},
	},
}

// atFlag is --at, when an action or mitigation was taken.
var atFlag = flagDef{name: "at", value: newValue[timeValue](), show: "RFC3339", usage: "when it was done, an RFC 3339 `TIME`; default now"}

var mitigationCommand = &command{
	name:    "mitigation",
	summary: "record, approve and list emergency mitigations",
	about: `During Diagnose and Stabilize the response team may take an emergency
mitigation or containment step, such as quarantining a system, "jointly"
chosen by the executive incident manager, the service owner and the security
incident manager. A mitigation is recorded once, with whether it caused an
outage (for which the standard outage notification applies); each approver
then approves it themselves, with their own passphrase: the approval is a
custody entry signed with their key, never a name typed in by someone else.

Approval capacities and the role each needs: executive-incident-manager
(Executive Incident Manager), service-owner (Service Team Expert),
security-incident-manager (Security Incident Manager).`,
	sub: []*command{
		{
			name:    "add",
			summary: "record an emergency mitigation",
			about: `Open CASE and record an emergency mitigation: --description says what was
done, --outage what the step took down and for how long, if it did, and --at
when it was done (default now). Prints its id; each approver then runs
'custodiactl mitigation approve'. Refused while the incident is closed.
Recorded as mitigation.recorded.`,
			params: []param{caseParam},
			flags: []flagDef{
				{name: "description", required: true, max: casefile.MaxTextLen, usage: "what was done, `TEXT`"},
				{name: "outage", nonBlank: true, max: casefile.MaxTextLen, usage: "the step caused an outage: what was down and for how long, `DETAIL`"},
				atFlag,
			},
			opens: true, changes: true,
			records: incident.ActionMitigationRecorded,
			do:      runMitigationAdd,
		},
		{
			name:    "approve",
			summary: "approve an emergency mitigation yourself, in your capacity",
			about: `Open CASE and approve the mitigation ID as --as CAPACITY, with --reason: a
custody entry signed with the key of the examiner whose passphrase opened
the case. The examiner must hold the capacity's role (executive-incident-
manager: Executive Incident Manager; service-owner: Service Team Expert;
security-incident-manager: Security Incident Manager); each capacity
approves once, and one person in one capacity only. Prints which capacities
are still missing. Refused while the incident is closed. Recorded as
mitigation.approved.`,
			params: []param{caseParam, mitigationParam},
			flags: []flagDef{
				{name: "as", required: true, value: choice("approval capacity", incident.ApprovalCapacities, nil),
					why:   "say in which capacity you approve: " + orList(incident.ApprovalCapacities),
					usage: "the `CAPACITY` you approve in: " + orList(incident.ApprovalCapacities)},
			},
			opens: true, changes: true,
			records: incident.ActionMitigationApproved,
			do:      runMitigationApprove,
		},
		{
			name:    "list",
			summary: "list the emergency mitigations",
			about:   `Open CASE and list the recorded emergency mitigations, oldest first, with their approvals and outages.`,
			params:  []param{caseParam},
			flags:   []flagDef{jsonFlag},
			opens:   true,
			do:      runMitigationList,
		},
	},
}

// mitigationParam is the argument naming a mitigation by its id, or at
// least its first 4 characters.
var mitigationParam = idParam("ID", "mitigation")

var mitigationKind = recordKind{"mitigation", incident.ErrNoSuchMitigation, "custodiactl mitigation list"}

func findMitigation(c *casefile.Case, ref string) (incident.Mitigation, error) {
	all, err := incident.Of(c).Mitigations()
	if err != nil {
		return incident.Mitigation{}, err
	}
	return resolve(mitigationKind, ref, all, func(m incident.Mitigation) uuid.UUID { return m.ID })
}

func runActionAdd(in *call, c *casefile.Case) error {
	refs, err := evidenceRefs(in, "evidence")
	if err != nil {
		return err
	}
	ids, err := evidenceIDs(c, refs)
	if err != nil {
		return err
	}
	a, err := incident.Of(c).RecordAction(incident.NewResponseAction{Reason: in.reason, Description: in.text("description"),
		PerformedAt: valueOf[time.Time](in, "at"), Evidence: ids})
	if err != nil {
		return err
	}
	fmt.Fprintf(in.stdout, "added: action %s performed %s in %s\n", shortUUID(a.ID), textTime(a.PerformedAt), a.Stage.Title())
	return nil
}

// evidenceRefs checks the evidence ids given to the text flag name.
func evidenceRefs(in *call, name string) ([]string, error) {
	var refs []string
	for _, id := range in.texts(name) {
		ref, err := parseIDRef("evidence", id)
		if err != nil {
			return nil, in.usagef("%v", err)
		}
		refs = append(refs, ref)
	}
	return refs, nil
}

func runActionList(in *call, c *casefile.Case) error {
	actions, err := incident.Of(c).ResponseActions()
	if err != nil {
		return err
	}
	if in.on("json") {
		out := make([]actionJSON, 0, len(actions))
		for _, a := range actions {
			out = append(out, actionJSON{ID: a.ID.String(), Description: a.Description, PerformedAt: formatTime(a.PerformedAt),
				Evidence: uuidStrings(a.Evidence), Stage: string(a.Stage), attributionJSON: toAttributionJSON(a.Attribution)})
		}
		return writeJSON(in.stdout, out)
	}
	names, err := evidenceNames(c)
	if err != nil {
		return err
	}
	w := in.stdout
	for i, a := range actions {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "%s  performed %s  %s  recorded %s\n", shortUUID(a.ID), textTime(a.PerformedAt), a.Stage.Title(), byText(a.Attribution))
		writeIndented(w, "  ", a.Description)
		for _, id := range a.Evidence {
			fmt.Fprintf(w, "  evidence: %s\n", evidenceText(id, names))
		}
	}
	if len(actions) == 0 {
		fmt.Fprintf(in.stderr, "note: %s records no actions yet; add one with 'custodiactl action add'\n", in.args[0])
	}
	return nil
}

// actionJSON is the JSON form of a response action; its field names are a
// stable interface for scripts.
type actionJSON struct {
	ID          string   `json:"id"`
	Description string   `json:"description"`
	PerformedAt string   `json:"performed_at"`
	Evidence    []string `json:"evidence"`
	Stage       string   `json:"stage"`
	attributionJSON
}

func uuidStrings(ids []uuid.UUID) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		out = append(out, id.String())
	}
	return out
}

func runMitigationAdd(in *call, c *casefile.Case) error {
	m, err := incident.Of(c).RecordMitigation(incident.NewMitigation{Reason: in.reason, Description: in.text("description"),
		CausedOutage: in.given("outage"), OutageDetail: in.text("outage"), PerformedAt: valueOf[time.Time](in, "at")})
	if err != nil {
		return err
	}
	fmt.Fprintf(in.stdout, "added: mitigation %s performed %s in %s\n", shortUUID(m.ID), textTime(m.PerformedAt), m.Stage.Title())
	fmt.Fprintf(in.stdout, "note: not approved yet: each approver runs 'custodiactl mitigation approve %s %s --as CAPACITY'\n", in.args[0], shortUUID(m.ID))
	return nil
}

func runMitigationApprove(in *call, c *casefile.Case) error {
	m, err := findMitigation(c, in.args[1])
	if err != nil {
		return err
	}
	capacity := valueOf[incident.ApprovalCapacity](in, "as")
	if m, err = incident.Of(c).ApproveMitigation(m.ID, capacity, in.reason); err != nil {
		return err
	}
	fmt.Fprintf(in.stdout, "approved: mitigation %s as %s by %s\n", shortUUID(m.ID), capacity, c.Actor().Name)
	if missing := m.MissingApprovals(); len(missing) > 0 {
		fmt.Fprintf(in.stdout, "note: not approved jointly yet: no approval as %s\n", orList(missing))
	} else {
		fmt.Fprintln(in.stdout, "jointly approved")
	}
	return nil
}

func runMitigationList(in *call, c *casefile.Case) error {
	ms, err := incident.Of(c).Mitigations()
	if err != nil {
		return err
	}
	if in.on("json") {
		out := make([]mitigationJSON, 0, len(ms))
		for _, m := range ms {
			out = append(out, toMitigationJSON(m))
		}
		return writeJSON(in.stdout, out)
	}
	for i, m := range ms {
		if i > 0 {
			fmt.Fprintln(in.stdout)
		}
		writeMitigationText(in.stdout, m)
	}
	if len(ms) == 0 {
		fmt.Fprintf(in.stderr, "note: %s records no mitigations yet; add one with 'custodiactl mitigation add'\n", in.args[0])
	}
	return nil
}

func writeMitigationText(w io.Writer, m incident.Mitigation) {
	fmt.Fprintf(w, "%s  performed %s  %s  recorded %s\n", shortUUID(m.ID), textTime(m.PerformedAt), m.Stage.Title(), byText(m.Attribution))
	writeIndented(w, "  ", m.Description)
	for _, a := range m.Approvals {
		if a.Signed {
			fmt.Fprintf(w, "  approved: %s by %s, signed %s\n", a.Capacity, printable(a.Name, false), textTime(a.At))
		} else {
			fmt.Fprintf(w, "  approved: %s by %s (name typed in when recorded, before format 7; not signed by them)\n", a.Capacity, printable(a.Name, false))
		}
	}
	if missing := m.MissingApprovals(); len(missing) > 0 {
		fmt.Fprintf(w, "  jointly approved: no (no approval as %s)\n", orList(missing))
	} else {
		fmt.Fprint(w, "  jointly approved: yes\n")
	}
	if m.CausedOutage {
		fmt.Fprintf(w, "  outage: %s\n", printable(m.OutageDetail, false))
	} else {
		fmt.Fprint(w, "  outage: none\n")
	}
}

// mitigationJSON is the JSON form of a mitigation; its field names are a
// stable interface for scripts.
type mitigationJSON struct {
	ID              string         `json:"id"`
	Description     string         `json:"description"`
	Approvals       []approvalJSON `json:"approvals"`
	JointlyApproved bool           `json:"jointly_approved"`
	CausedOutage    bool           `json:"caused_outage"`
	OutageDetail    string         `json:"outage_detail"`
	PerformedAt     string         `json:"performed_at"`
	Stage           string         `json:"stage"`
	attributionJSON
}

type approvalJSON struct {
	Capacity   string  `json:"capacity"`
	Name       string  `json:"name"`
	ExaminerID *string `json:"examiner_id"` // null when the approver is not an examiner of the case
	Signed     bool    `json:"signed"`      // given by the approver themselves (a signed custody entry)
	At         *string `json:"at"`          // when a signed approval was given; null for a typed one
}

func toMitigationJSON(m incident.Mitigation) mitigationJSON {
	j := mitigationJSON{ID: m.ID.String(), Description: m.Description, Approvals: make([]approvalJSON, 0, len(m.Approvals)),
		JointlyApproved: m.JointlyApproved(), CausedOutage: m.CausedOutage, OutageDetail: m.OutageDetail,
		PerformedAt: formatTime(m.PerformedAt), Stage: string(m.Stage), attributionJSON: toAttributionJSON(m.Attribution)}
	for _, a := range m.Approvals {
		aj := approvalJSON{Capacity: string(a.Capacity), Name: a.Name, Signed: a.Signed}
		if a.Signed {
			at := formatTime(a.At)
			aj.At = &at
		}
		if a.ExaminerID != uuid.Nil {
			id := a.ExaminerID.String()
			aj.ExaminerID = &id
		}
		j.Approvals = append(j.Approvals, aj)
	}
	return j
}
