package main

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/google/uuid"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/incident"
)

const findingFlagsHelp = `--location EVIDENCE-ID:START-END names the bytes [START, END) of an evidence
item the finding rests on (END is exclusive), or EVIDENCE-ID:START+LENGTH;
numbers are decimal or hexadecimal with 0x, e.g. 5bb5:0x1be+64 for a
partition table. The range must lie within the item. --event anchors the
finding to a timeline event, ITEM:N as 'search' shows it (the item by its id
or at least its first 4 characters); the anchor keeps the parse, offset and
length of the event's record, so a re-parse does not move it. --indicator links an
indicator by its id or as TYPE:VALUE (ip:203.0.113.7); --technique names a
MITRE ATT&CK technique (T1059) or sub-technique (T1059.001). Repeat these
flags for several.

The description is Markdown, stored verbatim as given (at most 100000
bytes); custodiactl shows it with control characters escaped, and reports
render it as untrusted input.`

var findingCommand = &command{
	name:    "finding",
	summary: "record, edit and show findings on exact evidence locations",
	about: `A finding is what an examiner concludes, with the exact evidence bytes it
rests on, the indicators it involves and the ATT&CK techniques it shows.
Every edit is a new revision; earlier revisions stay and 'finding history'
shows them. A finding is named by its id, or at least its first 4
characters; 'finding list' shows the first 8. Adding and editing are
recorded in the custody ledger with the SHA-256 of the revision's content.`,
	sub: []*command{
		{
			name:    "add",
			summary: "record a finding",
			about: `Open CASE and record a finding by the acting examiner, in the incident's
current stage. --confidence defaults to medium. Recorded as finding.added,
with --reason.

` + findingFlagsHelp,
			params: []param{caseParam},
			flags:  findingFlags(false),
			opens:  true, changes: true,
			records: incident.ActionFindingAdded,
			check:   checkFindingFlags,
			do:      runFindingAdd,
		},
		{
			name:    "list",
			summary: "list the findings",
			about: `Open CASE and list its findings in order of creation: id (first 8
characters), revision, confidence, number of evidence locations, title, and
who last changed it. --json gives every field of the latest revisions.`,
			params: []param{caseParam},
			flags:  []flagDef{jsonFlag},
			opens:  true,
			do:     runFindingList,
		},
		{
			name:    "edit",
			summary: "store a new revision of a finding",
			about: `Open CASE and store a new revision of the finding ID, with --reason. Flags not
given keep their values; a list flag given (--location, --indicator,
--technique) replaces that whole list, and --no-locations, --no-indicators
and --no-techniques empty one. An edit that changes nothing is refused.
Recorded as finding.edited, naming the fields that changed.

` + findingFlagsHelp,
			params: []param{caseParam, findingParam},
			flags:  findingFlags(true),
			opens:  true, changes: true,
			records: incident.ActionFindingEdited,
			check:   checkFindingEdit,
			do:      runFindingEdit,
		},
		{
			name:    "history",
			summary: "show every revision of a finding",
			about: `Open CASE and show every revision of the finding ID, oldest first: who wrote
it, when, in which role, why, and which fields it changed.`,
			params: []param{caseParam, findingParam},
			flags:  []flagDef{jsonFlag},
			opens:  true,
			do:     runFindingHistory,
		},
		{
			name:    "show",
			summary: "show a finding in full",
			about: `Open CASE and show the latest revision of the finding ID: title, confidence,
stage, author and last editor, the evidence locations with their items, the
indicators, the techniques and the description, with control characters
escaped so that stored text cannot control the terminal.`,
			params: []param{caseParam, findingParam},
			flags:  []flagDef{jsonFlag},
			opens:  true,
			do:     runFindingShow,
		},
	},
}

// findingParam is the argument naming a finding by its id, or at least its
// first 4 characters.
var findingParam = idParam("ID", "finding")

// findingFlags are the content flags of 'finding add' (a title is
// required) and 'finding edit' (every flag is optional, and lists can be
// emptied).
func findingFlags(edit bool) []flagDef {
	fs := []flagDef{
		{name: "title", required: !edit, nonBlank: true, line: true, max: casefile.MaxTitleLen, usage: "the finding's `TITLE`, one line"},
		{name: "description", max: casefile.MaxMarkdownLen, usage: "the finding's description, Markdown `TEXT`"},
		{name: "description-file", usage: "read the description from `FILE`, Markdown"},
		{name: "confidence", value: choice("confidence", incident.Confidences, nil), show: orBar(incident.Confidences),
			usage: "how sure the finding is, `LEVEL` low, medium or high"},
		{name: "location", repeat: true, value: newValue[locationList](),
			usage: "an evidence location `ID:START-END` (END exclusive) or ID:START+LENGTH"},
		{name: "indicator", repeat: true, usage: "a linked indicator, by `ID` or as TYPE:VALUE"},
		{name: "technique", repeat: true, usage: "a MITRE ATT&CK technique `ID`, e.g. T1059 or T1059.001"},
		{name: "event", repeat: true, line: true, usage: "a timeline event `ITEM:N` the finding rests on"},
	}
	if edit {
		fs = append(fs,
			flagDef{name: "no-locations", isBool: true, usage: "remove every evidence location"},
			flagDef{name: "no-indicators", isBool: true, usage: "remove every linked indicator"},
			flagDef{name: "no-techniques", isBool: true, usage: "remove every technique"},
			flagDef{name: "no-events", isBool: true, usage: "remove every event anchor"})
	}
	return fs
}

// checkFindingFlags checks the content flags together before any
// passphrase is asked for, and reads the description file.
func checkFindingFlags(in *call) error {
	if err := in.exclusive([2]string{"description", "description-file"}); err != nil {
		return err
	}
	if err := in.textFromFile("description-file", "description", casefile.MaxMarkdownLen); err != nil {
		return err
	}
	if _, err := techniques(in); err != nil {
		return err
	}
	_, err := indicatorRefs(in)
	return err
}

func checkFindingEdit(in *call) error {
	if err := in.exclusive([2]string{"location", "no-locations"}, [2]string{"indicator", "no-indicators"},
		[2]string{"technique", "no-techniques"}, [2]string{"event", "no-events"}); err != nil {
		return err
	}
	if !in.anyGiven("title", "description", "description-file", "confidence", "location", "indicator", "technique",
		"no-locations", "no-indicators", "no-techniques", "event", "no-events") {
		return in.usagef("nothing to change: give --title, --description, --confidence, --location, --indicator, --technique or --event")
	}
	return checkFindingFlags(in)
}

// techniques are the --technique values as ATT&CK ids.
func techniques(in *call) ([]string, error) {
	out := []string{}
	for _, t := range in.texts("technique") {
		id, err := incident.ParseTechnique(t)
		if err != nil {
			return nil, in.usagef("technique %q is not a MITRE ATT&CK id: use T and 4 digits, optionally a dot and 3 more (T1059, T1059.001)", t)
		}
		out = append(out, id)
	}
	return out, nil
}

// indicatorRefs are the --indicator values, checked.
func indicatorRefs(in *call) ([]indicatorRef, error) {
	var out []indicatorRef
	for _, s := range in.texts("indicator") {
		r, err := in.indicatorRef(s)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// applyFindingFlags changes fc by the flags given, resolving evidence and
// indicator references in c.
func applyFindingFlags(in *call, c *casefile.Case, fc *incident.FindingContent) error {
	if in.given("title") {
		fc.Title = in.text("title")
	}
	if in.given("description") {
		fc.Description = in.text("description")
	}
	if in.given("confidence") {
		fc.Confidence = valueOf[incident.Confidence](in, "confidence")
	}
	if in.anyGiven("location", "no-locations") {
		fc.Locations = []incident.EvidenceLocation{}
		for _, l := range valueOf[[]locationArg](in, "location") {
			ev, err := findEvidence(c, l.ref)
			if err != nil {
				return err
			}
			fc.Locations = append(fc.Locations, incident.EvidenceLocation{Evidence: ev.ID, Start: l.start, End: l.end})
		}
	}
	if in.anyGiven("indicator", "no-indicators") {
		refs, err := indicatorRefs(in)
		if err != nil {
			return err
		}
		ids, err := indicatorIDs(c, refs)
		if err != nil {
			return err
		}
		fc.Indicators = ids
	}
	if in.anyGiven("technique", "no-techniques") {
		ts, err := techniques(in)
		if err != nil {
			return err
		}
		fc.Techniques = ts
	}
	if in.anyGiven("event", "no-events") {
		keep := fc.Events
		fc.Events = nil
		for _, ref := range in.texts("event") {
			id, err := eventID(c, ref)
			if err != nil {
				return err
			}
			a := incident.EventAnchor{Event: id}
			if i := slices.IndexFunc(keep, func(x incident.EventAnchor) bool { return x.Event == id }); i >= 0 {
				a = keep[i] // anchored already: kept as recorded
			}
			fc.Events = append(fc.Events, a)
		}
	}
	return nil
}

// locationArg is one --location before it is resolved.
type locationArg struct {
	ref        string // evidence id or its start
	start, end int64
}

// locationList is the repeatable --location flag.
type locationList []locationArg

func (l *locationList) get() []locationArg { return *l }

func (l *locationList) String() string {
	if l == nil {
		return ""
	}
	s := make([]string, len(*l))
	for i, a := range *l {
		s[i] = fmt.Sprintf("%s:%d-%d", a.ref, a.start, a.end)
	}
	return strings.Join(s, ", ")
}

func (l *locationList) Set(s string) error {
	id, rng, ok := strings.Cut(s, ":")
	if !ok {
		return errors.New("give an evidence location as EVIDENCE-ID:START-END or EVIDENCE-ID:START+LENGTH")
	}
	ref, err := parseIDRef("evidence", id)
	if err != nil {
		return err
	}
	var a locationArg
	a.ref = ref
	if from, n, ok := strings.Cut(rng, "+"); ok {
		if a.start, err = parseByteCount(from); err == nil {
			var length int64
			if length, err = parseByteCount(n); err == nil {
				a.end = a.start + length
			}
		}
	} else if from, to, ok := strings.Cut(rng, "-"); ok {
		if a.start, err = parseByteCount(from); err == nil {
			a.end, err = parseByteCount(to)
		}
	} else {
		err = errors.New("give the range as START-END or START+LENGTH")
	}
	if err != nil {
		return fmt.Errorf("range %q: %v", rng, err)
	}
	if a.end <= a.start {
		return fmt.Errorf("range %q is empty: END is exclusive and must be greater than START", rng)
	}
	*l = append(*l, a)
	return nil
}

func runFindingAdd(in *call, c *casefile.Case) error {
	fc := incident.FindingContent{Confidence: incident.ConfidenceMedium}
	if err := applyFindingFlags(in, c, &fc); err != nil {
		return err
	}
	f, err := incident.Of(c).AddFinding(fc, in.reason)
	if err != nil {
		return findingError(err)
	}
	fmt.Fprintf(in.stdout, "added: finding %s revision %d: %s\n", f.ID, f.Revision, printable(f.Title, false))
	return nil
}

func runFindingEdit(in *call, c *casefile.Case) error {
	f, err := findFinding(c, in.args[1])
	if err != nil {
		return err
	}
	fc := f.FindingContent
	if err := applyFindingFlags(in, c, &fc); err != nil {
		return err
	}
	f, err = incident.Of(c).EditFinding(f.ID, fc, in.reason)
	if err != nil {
		return findingError(err)
	}
	fmt.Fprintf(in.stdout, "edited: finding %s revision %d: %s\n", f.ID, f.Revision, printable(f.Title, false))
	return nil
}

// findFinding resolves ref, checked by idRef, to a finding of c.
func findFinding(c *casefile.Case, ref string) (incident.Finding, error) {
	all, err := incident.Of(c).Findings()
	if err != nil {
		return incident.Finding{}, err
	}
	return resolve(findingKind, ref, all, func(f incident.Finding) uuid.UUID { return f.ID })
}

// findingError adds what a person can do about a finding casefile refused.
func findingError(err error) error {
	if le, ok := errors.AsType[*incident.LocationError](err); ok {
		return withHint(err, fmt.Sprintf("%s holds %s: a location START-END needs 0 <= START < END <= %d; 'custodiactl evidence show' gives each item's size",
			printable(le.Item, false), byteSize(le.Size), le.Size))
	}
	return err
}

func runFindingList(in *call, c *casefile.Case) error {
	all, err := incident.Of(c).Findings()
	if err != nil {
		return err
	}
	if in.on("json") {
		out := make([]findingJSON, 0, len(all))
		for _, f := range all {
			out = append(out, toFindingJSON(f))
		}
		return writeJSON(in.stdout, out)
	}
	tw := tabwriter.NewWriter(in.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprint(tw, "ID\tREV\tCONFIDENCE\tLOCATIONS\tTITLE\tUPDATED\n")
	for _, f := range all {
		fmt.Fprintf(tw, "%s\t%d\t%s\t%d\t%s\t%s\n", shortUUID(f.ID), f.Revision, f.Confidence, len(f.Locations),
			printable(f.Title, false), byText(f.Updated))
	}
	tw.Flush()
	if len(all) == 0 {
		fmt.Fprintf(in.stderr, "note: %s holds no findings yet; add one with 'custodiactl finding add'\n", in.args[0])
	}
	return nil
}

func runFindingShow(in *call, c *casefile.Case) error {
	f, err := findFinding(c, in.args[1])
	if err != nil {
		return err
	}
	if in.on("json") {
		return writeJSON(in.stdout, toFindingJSON(f))
	}
	names, err := evidenceNames(c)
	if err != nil {
		return err
	}
	inds, err := incident.Of(c).Indicators()
	if err != nil {
		return err
	}
	w := in.stdout
	field := func(name, value string) { writeField(w, 13, name, value) }
	field("ID", f.ID.String())
	field("Title", printable(f.Title, false))
	field("Confidence", string(f.Confidence))
	field("Stage", f.Stage.Title()+" (when recorded)")
	field("Revision", fmt.Sprint(f.Revision))
	field("Created", byText(f.Created))
	field("Updated", byText(f.Updated))
	writeFindingLinks(w, f.FindingContent, names, inds)
	fmt.Fprintln(w, "Description:")
	if f.Description == "" {
		fmt.Fprintln(w, "  (none)")
	} else {
		writeIndented(w, "  ", f.Description)
	}
	return nil
}

// writeFindingLinks writes a finding's locations, indicators and techniques.
func writeFindingLinks(w io.Writer, fc incident.FindingContent, names map[uuid.UUID]string, inds []incident.Indicator) {
	field := func(name, value string) { writeField(w, 13, name, value) }
	field("Locations", count(len(fc.Locations)))
	for _, l := range fc.Locations {
		fmt.Fprintf(w, "  %s  %s\n", evidenceText(l.Evidence, names), locationText(l))
	}
	field("Indicators", count(len(fc.Indicators)))
	for _, id := range fc.Indicators {
		i := slices.IndexFunc(inds, func(ind incident.Indicator) bool { return ind.ID == id })
		if i < 0 {
			fmt.Fprintf(w, "  %s (not in the case)\n", shortUUID(id))
			continue
		}
		fmt.Fprintf(w, "  %s %s %s\n", shortUUID(id), inds[i].Type, printable(inds[i].Value, false))
	}
	field("Techniques", orNone(strings.Join(fc.Techniques, ", ")))
	if len(fc.Events) > 0 {
		field("Events", count(len(fc.Events)))
		for _, a := range fc.Events {
			where := fmt.Sprintf("bytes %d-%d (%s)", a.Offset, a.Offset+a.Length, byteSize(a.Length))
			if a.Stream != "" {
				where += " of the " + a.Stream + " stream"
			}
			fmt.Fprintf(w, "  %s  %s  %s, parse %s\n", a.Event, evidenceText(a.Item, names), where, shortUUID(a.Parse))
		}
	}
}

// locationText is a byte range for people: "bytes 446-510 (64 bytes)".
func locationText(l incident.EvidenceLocation) string {
	return fmt.Sprintf("bytes %d-%d (%s)", l.Start, l.End, byteSize(l.Len()))
}

func runFindingHistory(in *call, c *casefile.Case) error {
	f, err := findFinding(c, in.args[1])
	if err != nil {
		return err
	}
	revs, err := incident.Of(c).FindingHistory(f.ID)
	if err != nil {
		return err
	}
	if in.on("json") {
		out := make([]findingRevisionJSON, 0, len(revs))
		for i, r := range revs {
			out = append(out, findingRevisionJSON{Revision: r.Revision, findingContentJSON: toFindingContentJSON(r.FindingContent),
				Reason: r.Reason, Changed: changedSince(revs, i), Recorded: toAttributionJSON(r.Attribution)})
		}
		return writeJSON(in.stdout, out)
	}
	w := in.stdout
	fmt.Fprintf(w, "finding %s: %s\n", f.ID, plural(len(revs), "revision", "revisions"))
	for i, r := range revs {
		fmt.Fprintf(w, "\nrevision %d  %s\n", r.Revision, byText(r.Attribution))
		if i == 0 {
			writeField(w, 16, "  Changed", "(created)")
		} else {
			writeField(w, 16, "  Changed", strings.Join(changedSince(revs, i), ", "))
			writeField(w, 16, "  Reason", orNone(printable(r.Reason, true)))
		}
		writeField(w, 16, "  Title", printable(r.Title, false))
		writeField(w, 16, "  Confidence", string(r.Confidence))
		writeField(w, 16, "  Locations", fmt.Sprint(len(r.Locations)))
		writeField(w, 16, "  Indicators", fmt.Sprint(len(r.Indicators)))
		writeField(w, 16, "  Techniques", orNone(strings.Join(r.Techniques, ", ")))
		writeField(w, 16, "  Description", plural(len(r.Description), "byte", "bytes"))
	}
	return nil
}

// changedSince names the fields revision i changed from the one before;
// every field for the first.
func changedSince(revs []incident.FindingRevision, i int) []string {
	fields := []string{"title", "description", "confidence", "locations", "indicators", "techniques"}
	if i == 0 {
		if len(revs[0].Events) > 0 {
			fields = append(fields, "events")
		}
		return fields
	}
	a, b := toFindingContentJSON(revs[i-1].FindingContent), toFindingContentJSON(revs[i].FindingContent)
	var out []string
	for _, f := range []struct {
		name string
		same bool
	}{
		{"title", a.Title == b.Title}, {"description", a.Description == b.Description}, {"confidence", a.Confidence == b.Confidence},
		{"locations", slices.Equal(a.Locations, b.Locations)}, {"indicators", slices.Equal(a.Indicators, b.Indicators)},
		{"techniques", slices.Equal(a.Techniques, b.Techniques)}, {"events", slices.Equal(a.Events, b.Events)},
	} {
		if !f.same {
			out = append(out, f.name)
		}
	}
	return nonNil(out)
}

// findingContentJSON is what an author writes in a finding, as JSON.
type findingContentJSON struct {
	Title       string         `json:"title"`
	Description string         `json:"description"`
	Confidence  string         `json:"confidence"`
	Locations   []locationJSON `json:"locations"`
	Indicators  []string       `json:"indicators"` // indicator ids
	Techniques  []string       `json:"techniques"`
	Events      []anchorJSON   `json:"events"`
}

// anchorJSON is an event a finding is anchored to.
type anchorJSON struct {
	Event   string `json:"event"`
	Item    string `json:"item"`
	Parse   string `json:"parse"`
	Ordinal int64  `json:"ordinal"`
	Offset  int64  `json:"offset"`
	Length  int64  `json:"length"`
	Stream  string `json:"stream,omitempty"`
}

type locationJSON struct {
	Evidence string `json:"evidence"`
	Start    int64  `json:"start"`
	End      int64  `json:"end"` // exclusive
	Length   int64  `json:"length"`
}

// findingJSON is the JSON form of a finding's latest revision; its field
// names are a stable interface for scripts.
type findingJSON struct {
	ID string `json:"id"`
	findingContentJSON
	Stage    string          `json:"stage"`
	Revision int             `json:"revision"`
	Created  attributionJSON `json:"created"`
	Updated  attributionJSON `json:"updated"`
}

// findingRevisionJSON is one revision in 'finding history --json'.
type findingRevisionJSON struct {
	Revision int `json:"revision"`
	findingContentJSON
	Reason   string          `json:"reason"`
	Changed  []string        `json:"changed"`
	Recorded attributionJSON `json:"recorded"`
}

func toFindingContentJSON(fc incident.FindingContent) findingContentJSON {
	j := findingContentJSON{Title: fc.Title, Description: fc.Description, Confidence: string(fc.Confidence),
		Locations: make([]locationJSON, 0, len(fc.Locations)), Indicators: make([]string, 0, len(fc.Indicators)),
		Techniques: nonNil(fc.Techniques)}
	for _, l := range fc.Locations {
		j.Locations = append(j.Locations, locationJSON{Evidence: l.Evidence.String(), Start: l.Start, End: l.End, Length: l.Len()})
	}
	for _, id := range fc.Indicators {
		j.Indicators = append(j.Indicators, id.String())
	}
	j.Events = make([]anchorJSON, 0, len(fc.Events))
	for _, a := range fc.Events {
		j.Events = append(j.Events, anchorJSON{Event: a.Event, Item: a.Item.String(), Parse: a.Parse.String(), Ordinal: a.Ordinal,
			Offset: a.Offset, Length: a.Length, Stream: a.Stream})
	}
	return j
}

func toFindingJSON(f incident.Finding) findingJSON {
	return findingJSON{ID: f.ID.String(), findingContentJSON: toFindingContentJSON(f.FindingContent), Stage: string(f.Stage),
		Revision: f.Revision, Created: toAttributionJSON(f.Created), Updated: toAttributionJSON(f.Updated)}
}
