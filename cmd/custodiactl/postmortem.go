package main

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/google/uuid"

	"github.com/custodia-dfir/custodia/casefile"
)

var postmortemCommand = &command{
	name:    "postmortem",
	summary: "write and show the incident's post-mortem",
	about: `After a security incident the incident manager drafts a post-mortem: the
details of the incident (its summary, required to close), the technical or
communications lapses, procedural failures, manual errors and process flaws
that caused it or were found in it, the technical lapses to follow up with
engineering teams, an assessment of the response procedures' sufficiency
and completeness, and the updates the response SOP needs. Every save is a
new revision; the post-mortem stays editable after close. Text is Markdown,
stored verbatim.

Lapse categories: ` + orList(casefile.LapseCategories) + `.`,
	sub: []*command{
		{
			name: "set",
			args: "CASE [--summary TEXT|--summary-file F] [--lapse CATEGORY:TEXT]... [--followup-lapse CATEGORY:TEXT->FOLLOW-UP]... " +
				"[--procedures TEXT] [--sop-updates TEXT]...",
			summary: "save a new revision of the post-mortem",
			about: `Open CASE and save a new revision of the post-mortem, with --reason. Flags not
given keep their values. The lapses given with --lapse and --followup-lapse,
in order, replace the recorded lapses; --followup-lapse adds after "->" who
follows the lapse up with engineering and where, e.g.
  --followup-lapse 'technical:no alert on certificate expiry->SRE team, OPS-1234'
--sop-updates gives one SOP update (repeat the flag for several) and
replaces the recorded list. --no-lapses and --no-sop-updates empty a list.
Recorded as postmortem.updated with the SHA-256 of the revision's content.

Lapse categories: ` + orList(casefile.LapseCategories) + `.`,
			run: runPostmortemSet,
		},
		{
			name:    "show",
			args:    "CASE [--json]",
			summary: "show the post-mortem",
			about: `Open CASE and show the latest revision of the post-mortem: summary, lapses by
category with their engineering follow-up, the assessment of the procedures,
the SOP updates, and who saved it when and why. --json gives null when none
was written.`,
			run: runPostmortemShow,
		},
	},
}

// lapseList is the shared list behind --lapse and --followup-lapse, which
// add to it in the order given.
type lapseList struct {
	lapses   *[]casefile.Lapse
	followUp bool // --followup-lapse: TEXT->FOLLOW-UP
}

func (l *lapseList) String() string {
	if l == nil || l.lapses == nil {
		return ""
	}
	return fmt.Sprint(len(*l.lapses))
}

func (l *lapseList) Set(s string) error {
	cat, text, ok := strings.Cut(s, ":")
	if !ok {
		return fmt.Errorf("give a lapse as CATEGORY:TEXT, with CATEGORY %s", orList(casefile.LapseCategories))
	}
	category, err := parseChoice(cat, "lapse category", casefile.LapseCategories, nil)
	if err != nil {
		return err
	}
	lapse := casefile.Lapse{Category: category, Description: strings.TrimSpace(text)}
	if l.followUp {
		i := strings.LastIndex(text, "->")
		if i < 0 {
			return errors.New(`give the follow-up after "->": CATEGORY:TEXT->who follows it up and where`)
		}
		lapse.Description, lapse.EngineeringFollowUp = strings.TrimSpace(text[:i]), strings.TrimSpace(text[i+2:])
		if lapse.EngineeringFollowUp == "" {
			return errors.New(`the follow-up after "->" is empty: say who follows the lapse up and where`)
		}
	}
	if lapse.Description == "" {
		return errors.New("the lapse has no description after CATEGORY:")
	}
	if len(lapse.Description) > casefile.MaxTextLen || len(lapse.EngineeringFollowUp) > casefile.MaxTextLen {
		return fmt.Errorf("the lapse is too long: at most %d bytes of description and of follow-up", casefile.MaxTextLen)
	}
	*l.lapses = append(*l.lapses, lapse)
	return nil
}

func runPostmortemSet(inv *invocation, args []string) error {
	fs := newFlagSet(inv.cmd)
	summary := fs.String("summary", "", "the details of the incident, Markdown `TEXT`")
	summaryFile := fs.String("summary-file", "", "read the summary from `FILE`, Markdown")
	var lapses []casefile.Lapse
	fs.Var(&lapseList{lapses: &lapses}, "lapse", "a lapse, `CATEGORY:TEXT`; repeat for several")
	fs.Var(&lapseList{lapses: &lapses, followUp: true}, "followup-lapse",
		"a lapse to follow up with engineering, `CATEGORY:TEXT->FOLLOW-UP`, naming who follows it up and where")
	noLapses := fs.Bool("no-lapses", false, "remove every lapse")
	procedures := fs.String("procedures", "", "the assessment of the response procedures' sufficiency and completeness, Markdown `TEXT`")
	var sop stringList
	fs.Var(&sop, "sop-updates", "an update the response SOP needs, `TEXT`; repeat for several")
	noSOP := fs.Bool("no-sop-updates", false, "remove every SOP update")
	var cf caseFlags
	cf.addOpenFlags(fs)
	cf.addReasonFlag(fs)
	pos, err := inv.parseN(fs, args, "CASE")
	if err != nil {
		return err
	}
	g := flagsSet(fs)
	for _, pair := range [][2]string{{"summary", "summary-file"}, {"lapse", "no-lapses"}, {"followup-lapse", "no-lapses"}, {"sop-updates", "no-sop-updates"}} {
		if g[pair[0]] && g[pair[1]] {
			return inv.usagef("give --%s or --%s, not both", pair[0], pair[1])
		}
	}
	if !g["summary"] && !g["summary-file"] && !g["lapse"] && !g["followup-lapse"] && !*noLapses && !g["procedures"] && !g["sop-updates"] && !*noSOP {
		return inv.usagef("nothing to set: give --summary, --summary-file, --lapse, --followup-lapse, --procedures or --sop-updates")
	}
	if g["summary-file"] {
		if *summary, err = inv.readTextFile("--summary-file", *summaryFile, casefile.MaxMarkdownLen); err != nil {
			return err
		}
		g["summary"] = true
	}
	if err := inv.checkText("--summary", *summary, casefile.MaxMarkdownLen, false, false); err != nil {
		return err
	}
	if err := inv.checkText("--procedures", *procedures, casefile.MaxMarkdownLen, false, false); err != nil {
		return err
	}
	for _, s := range sop {
		if err := inv.checkText("--sop-updates", s, casefile.MaxTextLen, true, false); err != nil {
			return err
		}
	}
	return inv.withCase(pos[0], &cf, func(c *casefile.Case) error {
		prev, _, err := c.PostMortem()
		if err != nil {
			return err
		}
		pc := prev.PostMortemContent
		if g["summary"] {
			pc.Summary = *summary
		}
		if g["lapse"] || g["followup-lapse"] || *noLapses {
			pc.Lapses = nonNil(lapses)
		}
		if g["procedures"] {
			pc.ProcedureAssessment = *procedures
		}
		if g["sop-updates"] || *noSOP {
			pc.SOPUpdates = nonNil([]string(sop))
		}
		pm, err := c.UpdatePostMortem(pc, string(cf.reason))
		if err != nil {
			return err
		}
		fmt.Fprintf(inv.stdout, "saved: post-mortem revision %d (summary %s, %s, %s)\n", pm.Revision,
			plural(len(pm.Summary), "byte", "bytes"), plural(len(pm.Lapses), "lapse", "lapses"),
			plural(len(pm.SOPUpdates), "SOP update", "SOP updates"))
		writeRecordedHead(inv.stdout, c, casefile.ActionPostMortemUpdated)
		return nil
	})
}

func runPostmortemShow(inv *invocation, args []string) error {
	fs := newFlagSet(inv.cmd)
	asJSON := fs.Bool("json", false, "print JSON instead of text")
	var cf caseFlags
	cf.addOpenFlags(fs)
	pos, err := inv.parseN(fs, args, "CASE")
	if err != nil {
		return err
	}
	return inv.withCase(pos[0], &cf, func(c *casefile.Case) error {
		pm, ok, err := c.PostMortem()
		if err != nil {
			return err
		}
		if *asJSON {
			if !ok {
				return writeJSON(inv.stdout, nil)
			}
			return writeJSON(inv.stdout, toPostMortemJSON(pm))
		}
		if !ok {
			fmt.Fprint(inv.stdout, "Post-mortem:  (not written)\n")
			fmt.Fprint(inv.stderr, "note: write it with 'custodiactl postmortem set'; closing the incident needs its summary\n")
			return nil
		}
		writePostMortemText(inv.stdout, pm)
		return nil
	})
}

func writePostMortemText(w io.Writer, pm casefile.PostMortem) {
	field := func(name, value string) { writeField(w, 13, name, value) }
	field("Revision", fmt.Sprint(pm.Revision))
	field("Saved", byText(pm.Attribution))
	field("Reason", orNone(printable(pm.Reason, true)))
	fmt.Fprintln(w, "Summary:")
	writeIndented(w, "  ", orNone(pm.Summary))
	lapses := count(len(pm.Lapses))
	if n := len(pm.TechnicalLapses()); n > 0 {
		lapses += fmt.Sprintf(" (%d technical, to follow up with engineering)", n)
	}
	field("Lapses", lapses)
	for _, cat := range casefile.LapseCategories {
		for _, l := range pm.LapsesOf(cat) {
			fmt.Fprintf(w, "  %s: %s\n", cat, printable(l.Description, false))
			if l.EngineeringFollowUp != "" {
				fmt.Fprintf(w, "    follow-up: %s\n", printable(l.EngineeringFollowUp, false))
			}
		}
	}
	fmt.Fprintln(w, "Procedures:")
	writeIndented(w, "  ", orNone(pm.ProcedureAssessment))
	field("SOP updates", count(len(pm.SOPUpdates)))
	for i, s := range pm.SOPUpdates {
		fmt.Fprintf(w, "  %d. %s\n", i+1, printable(s, false))
	}
}

// postMortemJSON is the JSON form of a post-mortem revision; its field
// names are a stable interface for scripts.
type postMortemJSON struct {
	Revision            int         `json:"revision"`
	Summary             string      `json:"summary"`
	Lapses              []lapseJSON `json:"lapses"`
	ProcedureAssessment string      `json:"procedure_assessment"`
	SOPUpdates          []string    `json:"sop_updates"`
	Reason              string      `json:"reason"`
	attributionJSON
}

type lapseJSON struct {
	Category            string `json:"category"`
	Description         string `json:"description"`
	EngineeringFollowUp string `json:"engineering_follow_up"`
}

func toPostMortemJSON(pm casefile.PostMortem) postMortemJSON {
	j := postMortemJSON{Revision: pm.Revision, Summary: pm.Summary, Lapses: make([]lapseJSON, 0, len(pm.Lapses)),
		ProcedureAssessment: pm.ProcedureAssessment, SOPUpdates: nonNil(pm.SOPUpdates), Reason: pm.Reason,
		attributionJSON: toAttributionJSON(pm.Attribution)}
	for _, l := range pm.Lapses {
		j.Lapses = append(j.Lapses, lapseJSON{Category: string(l.Category), Description: l.Description, EngineeringFollowUp: l.EngineeringFollowUp})
	}
	return j
}

var repairCommand = &command{
	name:    "repair",
	summary: "keep the inventory of repair items, their owners and due dates",
	about: `The incident manager keeps an inventory of all repair items, their owners and
completion dates. Every repair item needs an owner before the incident can
close; items stay editable after close, as repairs often finish weeks later.
An item is overdue once its due day has ended (in UTC) and it is not done.
An item is named by its id, or at least its first 4 characters; 'repair
list' shows the first 8. OWNER and EXAMINER are an examiner's name or id.`,
	sub: []*command{
		{
			name:    "add",
			args:    "CASE --description TEXT [--owner EXAMINER] [--due YYYY-MM-DD]",
			summary: "add a repair item",
			about: `Open CASE and add a repair item: --description says what is to be repaired,
--owner who owns it, --due the day it is due. Recorded as repair.added, with
--reason.`,
			run: runRepairAdd,
		},
		{
			name:    "list",
			args:    "CASE [--overdue] [--json]",
			summary: "list the repair items",
			about:   `Open CASE and list its repair items in order of creation; --overdue lists only those past their due day and not done.`,
			run:     runRepairList,
		},
		{
			name:    "done",
			args:    "CASE ID",
			summary: "mark a repair item done",
			about:   `Open CASE and mark the repair item ID done, with --reason; the completion time is recorded. Recorded as repair.done.`,
			run:     runRepairDone,
		},
		{
			name:    "assign",
			args:    "CASE ID EXAMINER",
			summary: "make an examiner the owner of a repair item",
			about:   `Open CASE and make EXAMINER the owner of the repair item ID, with --reason. Recorded as repair.updated.`,
			run:     runRepairAssign,
		},
	},
}

func runRepairAdd(inv *invocation, args []string) error {
	fs := newFlagSet(inv.cmd)
	description := fs.String("description", "", "what is to be repaired, `TEXT` (required)")
	owner := fs.String("owner", "", "the `EXAMINER` who owns the item, by name or id")
	var due time.Time
	fs.Var(&dateValue{t: &due}, "due", "the `DAY` the item is due, YYYY-MM-DD")
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
	if err := inv.checkText("--owner", *owner, casefile.MaxShortFieldLen, flagsSet(fs)["owner"], true); err != nil {
		return err
	}
	return inv.withCase(pos[0], &cf, func(c *casefile.Case) error {
		it, err := c.AddRepairItem(casefile.NewRepairItem{Description: *description, Owner: *owner, Due: due, Reason: string(cf.reason)})
		if err != nil {
			return err
		}
		fmt.Fprintf(inv.stdout, "added: repair item %s, owner %s, due %s\n", shortUUID(it.ID), orNone(printable(it.Owner, false)), orNone(dueText(it)))
		if it.OwnerID == uuid.Nil {
			fmt.Fprintf(inv.stderr, "note: the item has no owner yet, and the incident cannot close until it has; assign one with 'custodiactl repair assign %s %s EXAMINER'\n",
				pos[0], shortUUID(it.ID))
		}
		writeRecordedHead(inv.stdout, c, casefile.ActionRepairAdded)
		return nil
	})
}

// dueText is an item's due day, YYYY-MM-DD, or "" for none.
func dueText(it casefile.RepairItem) string {
	if it.Due.IsZero() {
		return ""
	}
	return it.Due.Format(time.DateOnly)
}

func runRepairList(inv *invocation, args []string) error {
	fs := newFlagSet(inv.cmd)
	overdue := fs.Bool("overdue", false, "list only the items past their due day and not done")
	asJSON := fs.Bool("json", false, "print JSON instead of text")
	var cf caseFlags
	cf.addOpenFlags(fs)
	pos, err := inv.parseN(fs, args, "CASE")
	if err != nil {
		return err
	}
	return inv.withCase(pos[0], &cf, func(c *casefile.Case) error {
		now := inv.now()
		var items []casefile.RepairItem
		var err error
		if *overdue {
			items, err = c.OverdueRepairItems(now)
		} else {
			items, err = c.RepairItems()
		}
		if err != nil {
			return err
		}
		if *asJSON {
			out := make([]repairJSON, 0, len(items))
			for _, it := range items {
				out = append(out, toRepairJSON(it, now))
			}
			return writeJSON(inv.stdout, out)
		}
		tw := tabwriter.NewWriter(inv.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprint(tw, "ID\tSTATUS\tDUE\tOWNER\tDESCRIPTION\n")
		for _, it := range items {
			status := string(it.Status)
			switch {
			case it.Overdue(now):
				status += ", OVERDUE"
			case it.Status == casefile.RepairDone:
				status += " " + textTime(it.Completed)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", shortUUID(it.ID), status, orDash(dueText(it)),
				orDash(printable(it.Owner, false)), printable(it.Description, false))
		}
		tw.Flush()
		return nil
	})
}

func runRepairDone(inv *invocation, args []string) error {
	fs := newFlagSet(inv.cmd)
	var cf caseFlags
	cf.addOpenFlags(fs)
	cf.addReasonFlag(fs)
	pos, err := inv.parseN(fs, args, "CASE", "ID")
	if err != nil {
		return err
	}
	ref, err := inv.idRef("repair item", pos[1])
	if err != nil {
		return err
	}
	return inv.withCase(pos[0], &cf, func(c *casefile.Case) error {
		it, err := findRepairItem(c, ref)
		if err != nil {
			return err
		}
		it, err = c.SetRepairStatus(it.ID, casefile.RepairDone, string(cf.reason))
		if err != nil {
			return err
		}
		fmt.Fprintf(inv.stdout, "done: repair item %s, completed %s\n", shortUUID(it.ID), textTime(it.Completed))
		writeRecordedHead(inv.stdout, c, casefile.ActionRepairDone)
		return nil
	})
}

func runRepairAssign(inv *invocation, args []string) error {
	fs := newFlagSet(inv.cmd)
	var cf caseFlags
	cf.addOpenFlags(fs)
	cf.addReasonFlag(fs)
	pos, err := inv.parseN(fs, args, "CASE", "ID", "EXAMINER")
	if err != nil {
		return err
	}
	ref, err := inv.idRef("repair item", pos[1])
	if err != nil {
		return err
	}
	if err := inv.checkText("EXAMINER", pos[2], casefile.MaxShortFieldLen, true, true); err != nil {
		return err
	}
	return inv.withCase(pos[0], &cf, func(c *casefile.Case) error {
		it, err := findRepairItem(c, ref)
		if err != nil {
			return err
		}
		it, err = c.AssignRepairItem(it.ID, pos[2], string(cf.reason))
		if err != nil {
			return err
		}
		fmt.Fprintf(inv.stdout, "assigned: repair item %s to %s\n", shortUUID(it.ID), printable(it.Owner, false))
		writeRecordedHead(inv.stdout, c, casefile.ActionRepairUpdated)
		return nil
	})
}

// findRepairItem resolves ref, checked by idRef, to a repair item of c.
func findRepairItem(c *casefile.Case, ref string) (casefile.RepairItem, error) {
	all, err := c.RepairItems()
	if err != nil {
		return casefile.RepairItem{}, err
	}
	return resolve(repairKind, ref, all, func(it casefile.RepairItem) uuid.UUID { return it.ID })
}

// repairJSON is the JSON form of a repair item; its field names are a
// stable interface for scripts.
type repairJSON struct {
	ID          string          `json:"id"`
	Description string          `json:"description"`
	Owner       string          `json:"owner"`    // "" while unowned
	OwnerID     *string         `json:"owner_id"` // null while unowned
	Due         *string         `json:"due"`      // YYYY-MM-DD, null for none
	Status      string          `json:"status"`
	Overdue     bool            `json:"overdue"`
	Completed   *string         `json:"completed"`
	Reason      string          `json:"reason"`
	Revision    int             `json:"revision"`
	Created     attributionJSON `json:"created"`
	Updated     attributionJSON `json:"updated"`
}

func toRepairJSON(it casefile.RepairItem, now time.Time) repairJSON {
	j := repairJSON{ID: it.ID.String(), Description: it.Description, Owner: it.Owner, Status: string(it.Status),
		Overdue: it.Overdue(now), Completed: optTime(it.Completed), Reason: it.Reason, Revision: it.Revision,
		Created: toAttributionJSON(it.Created), Updated: toAttributionJSON(it.Attribution)}
	if it.OwnerID != uuid.Nil {
		id := it.OwnerID.String()
		j.OwnerID = &id
	}
	if !it.Due.IsZero() {
		d := it.Due.Format(time.DateOnly)
		j.Due = &d
	}
	return j
}
