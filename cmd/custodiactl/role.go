package main

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/incident"
)

var roleCommand = &command{
	name:    "role",
	summary: "assign, release and list who fills each incident role",
	about: `An examiner's roles say what they may act as; a role assignment says who fills
a role in this incident: who is the Security Incident Manager, the
Communications Manager and so on. Assigning a role to an examiner who does
not hold it yet grants it to them as well. Releasing an assignment keeps the
role with the examiner: their earlier custody entries were signed in it.
Several examiners may hold one role, and one examiner several roles.

Leaving the assess stage needs an assigned Security Incident Manager.

Roles (an id, or its title in quotes): ` + roleIDs() + `.
EXAMINER is an examiner's name or id, as 'custodiactl examiner list' shows it.`,
	sub: []*command{
		{
			name:    "assign",
			summary: "assign an examiner to an incident role",
			about: `Open CASE and assign EXAMINER to ROLE in this incident, with --reason. An
examiner who does not hold ROLE yet is granted it. Recorded as role.assigned.

Roles: ` + roleIDs() + `.`,
			params:  roleParams,
			opens:   true,
			changes: true,
			records: incident.ActionRoleAssigned,
			do:      runRoleAssign,
		},
		{
			name:    "release",
			summary: "end an examiner's assignment to an incident role",
			about: `Open CASE and end EXAMINER's assignment to ROLE, with --reason. The examiner
keeps the role among their own. Recorded as role.released.

Roles: ` + roleIDs() + `.`,
			params:  roleParams,
			opens:   true,
			changes: true,
			records: incident.ActionRoleReleased,
			do:      runRoleRelease,
		},
		{
			name:    "list",
			summary: "list who holds which incident role",
			about: `Open CASE and list who holds which role now, with who assigned them and when;
--history adds every assignment and release, oldest first. --json gives both.`,
			params: []param{caseParam},
			flags: []flagDef{
				{name: "history", isBool: true, usage: "list every assignment and release too"},
				{name: "json", isBool: true, usage: "print JSON instead of text, with the history"},
			},
			opens: true,
			do:    runRoleList,
		},
	},
}

// roleParams are the arguments of role assign and role release.
var roleParams = []param{caseParam, roleParam, examinerParam("EXAMINER")}

// roleParam is a role argument: an id such as forensic-engineer, or its
// title; do gets the id.
var roleParam = param{name: "ROLE", check: func(_ *call, s string) (string, error) {
	var r roleValue
	err := r.Set(s)
	return string(r), err
}}

// examinerParam is an argument naming an examiner by name or id.
func examinerParam(name string) param {
	return param{name: name, check: func(_ *call, s string) (string, error) {
		return s, casefile.CheckLine(name, s, true, casefile.MaxShortFieldLen)
	}}
}

func runRoleAssign(in *call, c *casefile.Case) error {
	ra, err := incident.Of(c).AssignRole(casefile.Role(in.args[1]), in.args[2], in.reason)
	if err != nil {
		return err
	}
	fmt.Fprintf(in.stdout, "assigned: %s as %s\n", printable(ra.Examiner, false), ra.Role.Title())
	if ra.Granted {
		fmt.Fprintf(in.stdout, "granted: %s may now act as %s\n", printable(ra.Examiner, false), ra.Role.Title())
	}
	return nil
}

func runRoleRelease(in *call, c *casefile.Case) error {
	ra, err := incident.Of(c).ReleaseRole(casefile.Role(in.args[1]), in.args[2], in.reason)
	if err != nil {
		return err
	}
	fmt.Fprintf(in.stdout, "released: %s as %s\n", printable(ra.Examiner, false), ra.Role.Title())
	return nil
}

func runRoleList(in *call, c *casefile.Case) error {
	hs, err := incident.Of(c).RoleHolders()
	if err != nil {
		return err
	}
	hist, err := incident.Of(c).RoleHistory()
	if err != nil {
		return err
	}
	if in.on("json") {
		return writeJSON(in.stdout, roleListJSON{Holders: roleHoldersJSON(hs), History: roleHistoryJSON(hist)})
	}
	w := in.stdout
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprint(tw, "ROLE\tEXAMINER\tASSIGNED\tBY\n")
	for _, h := range hs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", h.Role.Title(), printable(h.Examiner, false), textTime(h.Since.At),
			printable(h.Since.Examiner, false))
	}
	tw.Flush()
	if len(hs) == 0 {
		fmt.Fprint(in.stderr, "note: no role is assigned yet; assign one with 'custodiactl role assign'\n")
	}
	if in.on("history") {
		fmt.Fprintln(w)
		writeRoleHistory(w, hist)
	}
	return nil
}

func writeRoleHistory(w io.Writer, hist []incident.RoleAssignment) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprint(tw, "TIME\tCHANGE\tROLE\tEXAMINER\tBY\tREASON\n")
	for _, a := range hist {
		change := "assigned"
		switch {
		case a.Released:
			change = "released"
		case a.Granted:
			change = "assigned+granted"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", textTime(a.At), change, a.Role.Title(), printable(a.Examiner, false),
			printable(a.Attribution.Examiner, false), orDash(printable(a.Reason, false)))
	}
	tw.Flush()
}

// roleListJSON is the JSON form of 'role list'; its field names are a
// stable interface for scripts.
type roleListJSON struct {
	Holders []roleHolderJSON     `json:"holders"`
	History []roleAssignmentJSON `json:"history"`
}

type roleAssignmentJSON struct {
	Role       string          `json:"role"`
	Examiner   string          `json:"examiner"`
	ExaminerID string          `json:"examiner_id"`
	Released   bool            `json:"released"`
	Granted    bool            `json:"granted"`
	Reason     string          `json:"reason"`
	Recorded   attributionJSON `json:"recorded"`
}

func roleHistoryJSON(hist []incident.RoleAssignment) []roleAssignmentJSON {
	out := make([]roleAssignmentJSON, 0, len(hist))
	for _, a := range hist {
		out = append(out, roleAssignmentJSON{Role: string(a.Role), Examiner: a.Examiner, ExaminerID: a.ExaminerID.String(),
			Released: a.Released, Granted: a.Granted, Reason: a.Reason, Recorded: toAttributionJSON(a.Attribution)})
	}
	return out
}
