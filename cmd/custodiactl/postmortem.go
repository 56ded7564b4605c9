package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/google/uuid"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/incident"
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

Lapse categories: ` + orList(incident.LapseCategories) + `.`,
	sub: []*command{
		{
			name:    "set",
			summary: "save a new revision of the post-mortem",
			about: `Open CASE and save a new revision of the post-mortem, with --reason. Flags not
given keep their values. The lapses given with --lapse and --followup-lapse,
in order, replace the recorded lapses; --followup-lapse adds after "->" who
follows the lapse up with engineering and where, e.g.
  --followup-lapse 'technical:no alert on certificate expiry->SRE team, OPS-1234'
--sop-updates gives one SOP update (repeat the flag for several) and
replaces the recorded list. --no-lapses and --no-sop-updates empty a list.
Recorded as postmortem.updated with the SHA-256 of the revision's content.

Lapse categories: ` + orList(incident.LapseCategories) + `.`,
			params: []param{caseParam},
			flags: []flagDef{
				{name: "summary", max: casefile.MaxMarkdownLen, usage: "the details of the incident, Markdown `TEXT`"},
				{name: "summary-file", usage: "read the summary from `FILE`, Markdown"},
				{name: "lapse", repeat: true, value: lapseFlag(false), usage: "a lapse, `CATEGORY:TEXT`"},
				{name: "followup-lapse", repeat: true, value: lapseFlag(true),
					usage: "a lapse to follow up with engineering, `CATEGORY:TEXT->FOLLOW-UP`, naming who follows it up and where"},
				{name: "no-lapses", isBool: true, usage: "remove every lapse"},
				{name: "procedures", max: casefile.MaxMarkdownLen,
					usage: "the assessment of the response procedures' sufficiency and completeness, Markdown `TEXT`"},
				{name: "sop-updates", repeat: true, max: casefile.MaxTextLen, nonBlank: true, usage: "an update the response SOP needs, `TEXT`"},
				{name: "no-sop-updates", isBool: true, usage: "remove every SOP update"},
			},
			opens: true, changes: true,
			records: incident.ActionPostMortemUpdated,
			check:   checkPostmortemSet,
			do:      runPostmortemSet,
		},
		{
			name:    "show",
			summary: "show the post-mortem",
			about: `Open CASE and show the latest revision of the post-mortem: summary, lapses by
category with their engineering follow-up, the assessment of the procedures,
the SOP updates, and who saved it when and why. --json gives null when none
was written.`,
			params: []param{caseParam},
			flags:  []flagDef{jsonFlag},
			opens:  true,
			do:     runPostmortemShow,
		},
	},
}

// lapseValue is --lapse or --followup-lapse: each value is checked as it
// is given; the lapses of both flags are kept in the order given (see
// lapses).
type lapseValue struct {
	followUp bool // --followup-lapse: TEXT->FOLLOW-UP
	n        int
}

func lapseFlag(followUp bool) func() flag.Value {
	return func() flag.Value { return &lapseValue{followUp: followUp} }
}

func (l *lapseValue) String() string {
	if l == nil || l.n == 0 {
		return ""
	}
	return fmt.Sprint(l.n)
}

func (l *lapseValue) Set(s string) error {
	if _, err := parseLapse(s, l.followUp); err != nil {
		return err
	}
	l.n++
	return nil
}

// parseLapse parses CATEGORY:TEXT, or with followUp CATEGORY:TEXT->FOLLOW-UP.
func parseLapse(s string, followUp bool) (incident.Lapse, error) {
	cat, text, ok := strings.Cut(s, ":")
	if !ok {
		return incident.Lapse{}, fmt.Errorf("give a lapse as CATEGORY:TEXT, with CATEGORY %s", orList(incident.LapseCategories))
	}
	category, err := parseChoice(cat, "lapse category", incident.LapseCategories, nil)
	if err != nil {
		return incident.Lapse{}, err
	}
	lapse := incident.Lapse{Category: category, Description: strings.TrimSpace(text)}
	if followUp {
		i := strings.LastIndex(text, "->")
		if i < 0 {
			return incident.Lapse{}, errors.New(`give the follow-up after "->": CATEGORY:TEXT->who follows it up and where`)
		}
		lapse.Description, lapse.EngineeringFollowUp = strings.TrimSpace(text[:i]), strings.TrimSpace(text[i+2:])
		if lapse.EngineeringFollowUp == "" {
			return incident.Lapse{}, errors.New(`the follow-up after "->" is empty: say who follows the lapse up and where`)
		}
	}
	if lapse.Description == "" {
		return incident.Lapse{}, errors.New("the lapse has no description after CATEGORY:")
	}
	if len(lapse.Description) > casefile.MaxTextLen || len(lapse.EngineeringFollowUp) > casefile.MaxTextLen {
		return incident.Lapse{}, fmt.Errorf("the lapse is too long: at most %d bytes of description and of follow-up", casefile.MaxTextLen)
	}
	return lapse, nil
}

// lapses are the lapses of --lapse and --followup-lapse, in the order
// given, each checked already as it was parsed.
func lapses(in *call) []incident.Lapse {
	out := []incident.Lapse{}
	for _, u := range in.uses {
		if u.name == "lapse" || u.name == "followup-lapse" {
			l, _ := parseLapse(u.value, u.name == "followup-lapse")
			out = append(out, l)
		}
	}
	return out
}

func checkPostmortemSet(in *call) error {
	if err := in.exclusive([2]string{"summary", "summary-file"}, [2]string{"lapse", "no-lapses"},
		[2]string{"followup-lapse", "no-lapses"}, [2]string{"sop-updates", "no-sop-updates"}); err != nil {
		return err
	}
	if !in.anyGiven("summary", "summary-file", "lapse", "followup-lapse", "no-lapses", "procedures", "sop-updates", "no-sop-updates") {
		return in.usagef("nothing to set: give --summary, --summary-file, --lapse, --followup-lapse, --procedures or --sop-updates")
	}
	return in.textFromFile("summary-file", "summary", casefile.MaxMarkdownLen)
}

func runPostmortemSet(in *call, c *casefile.Case) error {
	prev, _, err := incident.Of(c).PostMortem()
	if err != nil {
		return err
	}
	pc := prev.PostMortemContent
	if in.given("summary") {
		pc.Summary = in.text("summary")
	}
	if in.anyGiven("lapse", "followup-lapse", "no-lapses") {
		pc.Lapses = lapses(in)
	}
	if in.given("procedures") {
		pc.ProcedureAssessment = in.text("procedures")
	}
	if in.anyGiven("sop-updates", "no-sop-updates") {
		pc.SOPUpdates = nonNil(in.texts("sop-updates"))
	}
	pm, err := incident.Of(c).UpdatePostMortem(pc, in.reason)
	if err != nil {
		return err
	}
	fmt.Fprintf(in.stdout, "saved: post-mortem revision %d (summary %s, %s, %s)\n", pm.Revision,
		plural(len(pm.Summary), "byte", "bytes"), plural(len(pm.Lapses), "lapse", "lapses"),
		plural(len(pm.SOPUpdates), "SOP update", "SOP updates"))
	return nil
}

func runPostmortemShow(in *call, c *casefile.Case) error {
	pm, ok, err := incident.Of(c).PostMortem()
	if err != nil {
		return err
	}
	if in.on("json") {
		if !ok {
			return writeJSON(in.stdout, nil)
		}
		return writeJSON(in.stdout, toPostMortemJSON(pm))
	}
	if !ok {
		fmt.Fprint(in.stdout, "Post-mortem:  (not written)\n")
		fmt.Fprint(in.stderr, "note: write it with 'custodiactl postmortem set'; closing the incident needs its summary\n")
		return nil
	}
	writePostMortemText(in.stdout, pm)
	return nil
}

func writePostMortemText(w io.Writer, pm incident.PostMortem) {
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
	for _, cat := range incident.LapseCategories {
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

func toPostMortemJSON(pm incident.PostMortem) postMortemJSON {
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
			summary: "add a repair item",
			about: `Open CASE and add a repair item: --description says what is to be repaired,
--owner who owns it, --due the day it is due. Recorded as repair.added, with
--reason.`,
			params: []param{caseParam},
			flags: []flagDef{
				{name: "description", required: true, max: casefile.MaxTextLen, usage: "what is to be repaired, `TEXT`"},
				{name: "owner", line: true, nonBlank: true, max: casefile.MaxShortFieldLen, usage: "the `EXAMINER` who owns the item, by name or id"},
				{name: "due", value: newValue[dateValue](), show: "YYYY-MM-DD", usage: "the `DAY` the item is due, YYYY-MM-DD"},
			},
			opens: true, changes: true,
			records: incident.ActionRepairAdded,
			do:      runRepairAdd,
		},
		{
			name:    "list",
			summary: "list the repair items",
			about:   `Open CASE and list its repair items in order of creation; --overdue lists only those past their due day and not done.`,
			params:  []param{caseParam},
			flags: []flagDef{
				{name: "overdue", isBool: true, usage: "list only the items past their due day and not done"},
				jsonFlag,
			},
			opens: true,
			do:    runRepairList,
		},
		{
			name:    "done",
			summary: "mark a repair item done",
			about:   `Open CASE and mark the repair item ID done, with --reason; the completion time is recorded. Recorded as repair.done.`,
			params:  []param{caseParam, repairParam},
			opens:   true, changes: true,
			records: incident.ActionRepairDone,
			do:      runRepairDone,
		},
		{
			name:    "assign",
			summary: "make an examiner the owner of a repair item",
			about:   `Open CASE and make EXAMINER the owner of the repair item ID, with --reason. Recorded as repair.updated.`,
			params:  []param{caseParam, repairParam, examinerParam("EXAMINER")},
			opens:   true, changes: true,
			records: incident.ActionRepairUpdated,
			do:      runRepairAssign,
		},
	},
}

// repairParam is the argument naming a repair item by its id, or at least
// its first 4 characters.
var repairParam = idParam("ID", "repair item")

func runRepairAdd(in *call, c *casefile.Case) error {
	it, err := incident.Of(c).AddRepairItem(incident.NewRepairItem{Description: in.text("description"), Owner: in.text("owner"),
		Due: valueOf[time.Time](in, "due"), Reason: in.reason})
	if err != nil {
		return err
	}
	fmt.Fprintf(in.stdout, "added: repair item %s, owner %s, due %s\n", shortUUID(it.ID), orNone(printable(it.Owner, false)), orNone(dueText(it)))
	if it.OwnerID == uuid.Nil {
		fmt.Fprintf(in.stderr, "note: the item has no owner yet, and the incident cannot close until it has; assign one with 'custodiactl repair assign %s %s EXAMINER'\n",
			in.args[0], shortUUID(it.ID))
	}
	return nil
}

// dueText is an item's due day, YYYY-MM-DD, or "" for none.
func dueText(it incident.RepairItem) string {
	if it.Due.IsZero() {
		return ""
	}
	return it.Due.Format(time.DateOnly)
}

func runRepairList(in *call, c *casefile.Case) error {
	now := in.now()
	var items []incident.RepairItem
	var err error
	if in.on("overdue") {
		items, err = incident.Of(c).OverdueRepairItems(now)
	} else {
		items, err = incident.Of(c).RepairItems()
	}
	if err != nil {
		return err
	}
	if in.on("json") {
		out := make([]repairJSON, 0, len(items))
		for _, it := range items {
			out = append(out, toRepairJSON(it, now))
		}
		return writeJSON(in.stdout, out)
	}
	tw := tabwriter.NewWriter(in.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprint(tw, "ID\tSTATUS\tDUE\tOWNER\tDESCRIPTION\n")
	for _, it := range items {
		status := string(it.Status)
		switch {
		case it.Overdue(now):
			status += ", OVERDUE"
		case it.Status == incident.RepairDone:
			status += " " + textTime(it.Completed)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", shortUUID(it.ID), status, orDash(dueText(it)),
			orDash(printable(it.Owner, false)), printable(it.Description, false))
	}
	tw.Flush()
	return nil
}

func runRepairDone(in *call, c *casefile.Case) error {
	it, err := findRepairItem(c, in.args[1])
	if err != nil {
		return err
	}
	it, err = incident.Of(c).SetRepairStatus(it.ID, incident.RepairDone, in.reason)
	if err != nil {
		return err
	}
	fmt.Fprintf(in.stdout, "done: repair item %s, completed %s\n", shortUUID(it.ID), textTime(it.Completed))
	return nil
}

func runRepairAssign(in *call, c *casefile.Case) error {
	it, err := findRepairItem(c, in.args[1])
	if err != nil {
		return err
	}
	it, err = incident.Of(c).AssignRepairItem(it.ID, in.args[2], in.reason)
	if err != nil {
		return err
	}
	fmt.Fprintf(in.stdout, "assigned: repair item %s to %s\n", shortUUID(it.ID), printable(it.Owner, false))
	return nil
}

// findRepairItem resolves ref, checked by idRef, to a repair item of c.
func findRepairItem(c *casefile.Case, ref string) (incident.RepairItem, error) {
	all, err := incident.Of(c).RepairItems()
	if err != nil {
		return incident.RepairItem{}, err
	}
	return resolve(repairKind, ref, all, func(it incident.RepairItem) uuid.UUID { return it.ID })
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

func toRepairJSON(it incident.RepairItem, now time.Time) repairJSON {
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
