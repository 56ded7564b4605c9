package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/google/uuid"

	"github.com/custodia-dfir/custodia/casefile"
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
			args:    "CASE --description TEXT [--at RFC3339] [--evidence ID]...",
			summary: "record an action taken",
			about: `Open CASE and record an action: --description says what was done, --at when
(default now), and --evidence names an evidence item it produced or used
(its id or at least its first 4 characters; repeat for several). Refused
while the incident is closed. Recorded as action.recorded, with --reason.`,
			run: runActionAdd,
		},
		{
			name:    "list",
			args:    "CASE [--json]",
			summary: "list the actions taken",
			about:   `Open CASE and list the recorded actions in the order they were recorded, each with its full description.`,
			run:     runActionList,
		},
	},
}

var mitigationCommand = &command{
	name:    "mitigation",
	summary: "record and list emergency mitigations and who approved them",
	about: `During Diagnose and Stabilize the response team may take an emergency
mitigation or containment step, such as quarantining a system, "jointly"
chosen by the executive incident manager, the service owner and the security
incident manager. Each mitigation records who approved it in which
capacity, and whether it caused an outage, for which the standard outage
notification applies.

Approval capacities: ` + orList(casefile.ApprovalCapacities) + `.
Approvers need not be examiners of the case; one who is is linked by id.`,
	sub: []*command{
		{
			name:    "add",
			args:    "CASE --description TEXT --approver CAPACITY=NAME... [--outage DETAIL] [--at RFC3339]",
			summary: "record an emergency mitigation",
			about: `Open CASE and record an emergency mitigation: --description says what was
done, --approver who approved it in which capacity (repeat for each; at least
one), --outage what the step took down and for how long, if it did, and --at
when it was done (default now). A mitigation not approved in all three
capacities is recorded with a note. Refused while the incident is closed.
Recorded as mitigation.recorded.

Capacities: ` + orList(casefile.ApprovalCapacities) + `.`,
			run: runMitigationAdd,
		},
		{
			name:    "list",
			args:    "CASE [--json]",
			summary: "list the emergency mitigations",
			about:   `Open CASE and list the recorded emergency mitigations, oldest first, with their approvals and outages.`,
			run:     runMitigationList,
		},
	},
}

func runActionAdd(inv *invocation, args []string) error {
	fs := newFlagSet(inv.cmd)
	description := fs.String("description", "", "what was done, `TEXT` (required)")
	var at time.Time
	fs.Var(&timeValue{t: &at}, "at", "when it was done, an RFC 3339 `TIME`; default now")
	var evidence stringList
	fs.Var(&evidence, "evidence", "an evidence item the action produced or used, by `ID`; repeat for several")
	var cf caseFlags
	cf.addOpenFlags(fs)
	cf.addReasonFlag(fs)
	pos, err := inv.parseN(fs, args, "CASE")
	if err != nil {
		return err
	}
	if err := inv.checkText("--description", *description, casefile.MaxTextLen, true, false); err != nil {
		return err
	}
	refs, err := inv.evidenceRefs(evidence)
	if err != nil {
		return err
	}
	return inv.withCase(pos[0], &cf, func(c *casefile.Case) error {
		ids, err := evidenceIDs(c, refs)
		if err != nil {
			return err
		}
		a, err := c.RecordAction(casefile.NewResponseAction{Reason: string(cf.reason), Description: *description, PerformedAt: at, Evidence: ids})
		if err != nil {
			return err
		}
		fmt.Fprintf(inv.stdout, "added: action %s performed %s in %s\n", shortUUID(a.ID), textTime(a.PerformedAt), a.Stage.Title())
		writeRecordedHead(inv.stdout, c, casefile.ActionResponseRecorded)
		return nil
	})
}

// evidenceRefs checks evidence ids typed on the command line.
func (inv *invocation) evidenceRefs(ids []string) ([]string, error) {
	refs := make([]string, 0, len(ids))
	for _, id := range ids {
		ref, err := inv.evidenceRef(id)
		if err != nil {
			return nil, err
		}
		refs = append(refs, ref)
	}
	return refs, nil
}

func runActionList(inv *invocation, args []string) error {
	fs := newFlagSet(inv.cmd)
	asJSON := fs.Bool("json", false, "print JSON instead of text")
	var cf caseFlags
	cf.addOpenFlags(fs)
	pos, err := inv.parseN(fs, args, "CASE")
	if err != nil {
		return err
	}
	return inv.withCase(pos[0], &cf, func(c *casefile.Case) error {
		actions, err := c.ResponseActions()
		if err != nil {
			return err
		}
		if *asJSON {
			out := make([]actionJSON, 0, len(actions))
			for _, a := range actions {
				out = append(out, actionJSON{ID: a.ID.String(), Description: a.Description, PerformedAt: formatTime(a.PerformedAt),
					Evidence: uuidStrings(a.Evidence), Stage: string(a.Stage), attributionJSON: toAttributionJSON(a.Attribution)})
			}
			return writeJSON(inv.stdout, out)
		}
		names, err := evidenceNames(c)
		if err != nil {
			return err
		}
		w := inv.stdout
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
			fmt.Fprintf(inv.stderr, "note: %s records no actions yet; add one with 'custodiactl action add'\n", pos[0])
		}
		return nil
	})
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

// approverList is the repeatable --approver CAPACITY=NAME flag.
type approverList []casefile.Approval

func (l *approverList) String() string {
	if l == nil {
		return ""
	}
	s := make([]string, len(*l))
	for i, a := range *l {
		s[i] = string(a.Capacity) + "=" + a.Name
	}
	return strings.Join(s, ", ")
}

func (l *approverList) Set(s string) error {
	c, name, ok := strings.Cut(s, "=")
	if !ok {
		return fmt.Errorf("give an approval as CAPACITY=NAME, with CAPACITY %s", orList(casefile.ApprovalCapacities))
	}
	capacity, err := parseChoice(c, "approval capacity", casefile.ApprovalCapacities, nil)
	if err != nil {
		return err
	}
	name = strings.TrimSpace(name)
	if name == "" || len(name) > casefile.MaxShortFieldLen || strings.ContainsFunc(name, unicode.IsControl) {
		return fmt.Errorf("give the approver's name after =, one line of at most %d bytes", casefile.MaxShortFieldLen)
	}
	*l = append(*l, casefile.Approval{Capacity: capacity, Name: name})
	return nil
}

func runMitigationAdd(inv *invocation, args []string) error {
	fs := newFlagSet(inv.cmd)
	description := fs.String("description", "", "what was done, `TEXT` (required)")
	var approvers approverList
	fs.Var(&approvers, "approver", "who approved it, `CAPACITY=NAME`, e.g. service-owner=\"Jo Bloggs\"; repeat for each (at least one)")
	outage := fs.String("outage", "", "the step caused an outage: what was down and for how long, `DETAIL`")
	var at time.Time
	fs.Var(&timeValue{t: &at}, "at", "when it was done, an RFC 3339 `TIME`; default now")
	var cf caseFlags
	cf.addOpenFlags(fs)
	cf.addReasonFlag(fs)
	pos, err := inv.parseN(fs, args, "CASE")
	if err != nil {
		return err
	}
	if err := inv.checkText("--description", *description, casefile.MaxTextLen, true, false); err != nil {
		return err
	}
	if len(approvers) == 0 {
		return inv.usagef("--approver is required: an emergency mitigation needs at least one approval (%s)", orList(casefile.ApprovalCapacities))
	}
	given := flagsSet(fs)
	if err := inv.checkText("--outage", *outage, casefile.MaxTextLen, given["outage"], false); err != nil {
		return err
	}
	return inv.withCase(pos[0], &cf, func(c *casefile.Case) error {
		m, err := c.RecordMitigation(casefile.NewMitigation{Reason: string(cf.reason), Description: *description, Approvals: approvers,
			CausedOutage: given["outage"], OutageDetail: *outage, PerformedAt: at})
		if err != nil {
			return err
		}
		w := inv.stdout
		fmt.Fprintf(w, "added: mitigation %s performed %s in %s\n", shortUUID(m.ID), textTime(m.PerformedAt), m.Stage.Title())
		if missing := missingApprovals(m); len(missing) > 0 {
			fmt.Fprintf(w, "note: not approved jointly: no approval as %s\n", orList(missing))
		}
		writeRecordedHead(w, c, casefile.ActionMitigationRecorded)
		return nil
	})
}

// missingApprovals lists the capacities that did not approve m.
func missingApprovals(m casefile.Mitigation) []casefile.ApprovalCapacity {
	var out []casefile.ApprovalCapacity
	for _, want := range casefile.ApprovalCapacities {
		if !slices.ContainsFunc(m.Approvals, func(a casefile.Approval) bool { return a.Capacity == want }) {
			out = append(out, want)
		}
	}
	return out
}

func runMitigationList(inv *invocation, args []string) error {
	fs := newFlagSet(inv.cmd)
	asJSON := fs.Bool("json", false, "print JSON instead of text")
	var cf caseFlags
	cf.addOpenFlags(fs)
	pos, err := inv.parseN(fs, args, "CASE")
	if err != nil {
		return err
	}
	return inv.withCase(pos[0], &cf, func(c *casefile.Case) error {
		ms, err := c.Mitigations()
		if err != nil {
			return err
		}
		if *asJSON {
			out := make([]mitigationJSON, 0, len(ms))
			for _, m := range ms {
				out = append(out, toMitigationJSON(m))
			}
			return writeJSON(inv.stdout, out)
		}
		for i, m := range ms {
			if i > 0 {
				fmt.Fprintln(inv.stdout)
			}
			writeMitigationText(inv.stdout, m)
		}
		if len(ms) == 0 {
			fmt.Fprintf(inv.stderr, "note: %s records no mitigations yet; add one with 'custodiactl mitigation add'\n", pos[0])
		}
		return nil
	})
}

func writeMitigationText(w io.Writer, m casefile.Mitigation) {
	fmt.Fprintf(w, "%s  performed %s  %s  recorded %s\n", shortUUID(m.ID), textTime(m.PerformedAt), m.Stage.Title(), byText(m.Attribution))
	writeIndented(w, "  ", m.Description)
	for _, a := range m.Approvals {
		fmt.Fprintf(w, "  approved: %s by %s\n", a.Capacity, printable(a.Name, false))
	}
	if missing := missingApprovals(m); len(missing) > 0 {
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
}

func toMitigationJSON(m casefile.Mitigation) mitigationJSON {
	j := mitigationJSON{ID: m.ID.String(), Description: m.Description, Approvals: make([]approvalJSON, 0, len(m.Approvals)),
		JointlyApproved: m.JointlyApproved(), CausedOutage: m.CausedOutage, OutageDetail: m.OutageDetail,
		PerformedAt: formatTime(m.PerformedAt), Stage: string(m.Stage), attributionJSON: toAttributionJSON(m.Attribution)}
	for _, a := range m.Approvals {
		aj := approvalJSON{Capacity: string(a.Capacity), Name: a.Name}
		if a.ExaminerID != uuid.Nil {
			id := a.ExaminerID.String()
			aj.ExaminerID = &id
		}
		j.Approvals = append(j.Approvals, aj)
	}
	return j
}
