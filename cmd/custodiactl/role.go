package main

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/custodia-dfir/custodia/casefile"
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
			args:    "CASE ROLE EXAMINER",
			summary: "assign an examiner to an incident role",
			about: `Open CASE and assign EXAMINER to ROLE in this incident, with --reason. An
examiner who does not hold ROLE yet is granted it. Recorded as role.assigned.

Roles: ` + roleIDs() + `.`,
			run: runRoleAssign,
		},
		{
			name:    "release",
			args:    "CASE ROLE EXAMINER",
			summary: "end an examiner's assignment to an incident role",
			about: `Open CASE and end EXAMINER's assignment to ROLE, with --reason. The examiner
keeps the role among their own. Recorded as role.released.

Roles: ` + roleIDs() + `.`,
			run: runRoleRelease,
		},
		{
			name:    "list",
			args:    "CASE [--history] [--json]",
			summary: "list who holds which incident role",
			about: `Open CASE and list who holds which role now, with who assigned them and when;
--history adds every assignment and release, oldest first. --json gives both.`,
			run: runRoleList,
		},
	},
}

func runRoleAssign(inv *invocation, args []string) error { return inv.changeRole(args, false) }

func runRoleRelease(inv *invocation, args []string) error { return inv.changeRole(args, true) }

func (inv *invocation) changeRole(args []string, release bool) error {
	fs := newFlagSet(inv.cmd)
	var cf caseFlags
	cf.addOpenFlags(fs)
	cf.addReasonFlag(fs)
	pos, err := inv.parseN(fs, args, "CASE", "ROLE", "EXAMINER")
	if err != nil {
		return err
	}
	var role roleValue
	if err := role.Set(pos[1]); err != nil {
		return inv.usagef("%v", err)
	}
	examiner := pos[2]
	if err := inv.checkText("EXAMINER", examiner, casefile.MaxShortFieldLen, true, true); err != nil {
		return err
	}
	return inv.withCase(pos[0], &cf, func(c *casefile.Case) error {
		var ra casefile.RoleAssignment
		var err error
		if release {
			ra, err = c.ReleaseRole(casefile.Role(role), examiner, string(cf.reason))
		} else {
			ra, err = c.AssignRole(casefile.Role(role), examiner, string(cf.reason))
		}
		if err != nil {
			return err
		}
		w := inv.stdout
		if release {
			fmt.Fprintf(w, "released: %s as %s\n", printable(ra.Examiner, false), ra.Role.Title())
			writeRecordedHead(w, c, casefile.ActionRoleReleased)
			return nil
		}
		fmt.Fprintf(w, "assigned: %s as %s\n", printable(ra.Examiner, false), ra.Role.Title())
		if ra.Granted {
			fmt.Fprintf(w, "granted: %s may now act as %s\n", printable(ra.Examiner, false), ra.Role.Title())
		}
		writeRecordedHead(w, c, casefile.ActionRoleAssigned)
		return nil
	})
}

func runRoleList(inv *invocation, args []string) error {
	fs := newFlagSet(inv.cmd)
	history := fs.Bool("history", false, "list every assignment and release too")
	asJSON := fs.Bool("json", false, "print JSON instead of text, with the history")
	var cf caseFlags
	cf.addOpenFlags(fs)
	pos, err := inv.parseN(fs, args, "CASE")
	if err != nil {
		return err
	}
	return inv.withCase(pos[0], &cf, func(c *casefile.Case) error {
		hs, err := c.RoleHolders()
		if err != nil {
			return err
		}
		hist, err := c.RoleHistory()
		if err != nil {
			return err
		}
		if *asJSON {
			return writeJSON(inv.stdout, roleListJSON{Holders: roleHoldersJSON(hs), History: roleHistoryJSON(hist)})
		}
		w := inv.stdout
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprint(tw, "ROLE\tEXAMINER\tASSIGNED\tBY\n")
		for _, h := range hs {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", h.Role.Title(), printable(h.Examiner, false), textTime(h.Since.At),
				printable(h.Since.Examiner, false))
		}
		tw.Flush()
		if len(hs) == 0 {
			fmt.Fprint(inv.stderr, "note: no role is assigned yet; assign one with 'custodiactl role assign'\n")
		}
		if *history {
			fmt.Fprintln(w)
			writeRoleHistory(w, hist)
		}
		return nil
	})
}

func writeRoleHistory(w io.Writer, hist []casefile.RoleAssignment) {
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

func roleHistoryJSON(hist []casefile.RoleAssignment) []roleAssignmentJSON {
	out := make([]roleAssignmentJSON, 0, len(hist))
	for _, a := range hist {
		out = append(out, roleAssignmentJSON{Role: string(a.Role), Examiner: a.Examiner, ExaminerID: a.ExaminerID.String(),
			Released: a.Released, Granted: a.Granted, Reason: a.Reason, Recorded: toAttributionJSON(a.Attribution)})
	}
	return out
}
