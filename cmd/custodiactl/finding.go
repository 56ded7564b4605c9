package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/google/uuid"

	"github.com/custodia-dfir/custodia/casefile"
)

const findingFlagsHelp = `--location EVIDENCE-ID:START-END names the bytes [START, END) of an evidence
item the finding rests on (END is exclusive), or EVIDENCE-ID:START+LENGTH;
numbers are decimal or hexadecimal with 0x, e.g. 5bb5:0x1be+64 for a
partition table. The range must lie within the item. --indicator links an
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
			name: "add",
			args: "CASE --title T [--description-file F|--description TEXT] [--confidence low|medium|high] " +
				"[--location EVIDENCE-ID:START-END]... [--indicator ID]... [--technique T1234.001]...",
			summary: "record a finding",
			about: `Open CASE and record a finding by the acting examiner, in the incident's
current stage. --confidence defaults to medium. Recorded as finding.added,
with --reason.

` + findingFlagsHelp,
			run: runFindingAdd,
		},
		{
			name:    "list",
			args:    "CASE [--json]",
			summary: "list the findings",
			about: `Open CASE and list its findings in order of creation: id (first 8
characters), revision, confidence, number of evidence locations, title, and
who last changed it. --json gives every field of the latest revisions.`,
			run: runFindingList,
		},
		{
			name: "edit",
			args: "CASE ID [--title T] [--description-file F|--description TEXT] [--confidence low|medium|high] " +
				"[--location EVIDENCE-ID:START-END]... [--indicator ID]... [--technique T1234.001]...",
			summary: "store a new revision of a finding",
			about: `Open CASE and store a new revision of the finding ID, with --reason. Flags not
given keep their values; a list flag given (--location, --indicator,
--technique) replaces that whole list, and --no-locations, --no-indicators
and --no-techniques empty one. An edit that changes nothing is refused.
Recorded as finding.edited, naming the fields that changed.

` + findingFlagsHelp,
			run: runFindingEdit,
		},
		{
			name:    "history",
			args:    "CASE ID [--json]",
			summary: "show every revision of a finding",
			about: `Open CASE and show every revision of the finding ID, oldest first: who wrote
it, when, in which role, why, and which fields it changed.`,
			run: runFindingHistory,
		},
		{
			name:    "show",
			args:    "CASE ID [--json]",
			summary: "show a finding in full",
			about: `Open CASE and show the latest revision of the finding ID: title, confidence,
stage, author and last editor, the evidence locations with their items, the
indicators, the techniques and the description, with control characters
escaped so that stored text cannot control the terminal.`,
			run: runFindingShow,
		},
	},
}

// findingFlags are the content flags of 'finding add' and 'finding edit'.
type findingFlags struct {
	title           string
	description     string
	descriptionFile string
	confidence      casefile.Confidence
	locations       locationList
	indicators      stringList
	techniques      stringList
	noLocations     bool
	noIndicators    bool
	noTechniques    bool
	given           map[string]bool

	indicatorRefs []indicatorRef // the checked --indicator values
}

func (ff *findingFlags) define(fs *flag.FlagSet, edit bool) {
	fs.StringVar(&ff.title, "title", "", "the finding's `TITLE`, one line")
	fs.StringVar(&ff.description, "description", "", "the finding's description, Markdown `TEXT`")
	fs.StringVar(&ff.descriptionFile, "description-file", "", "read the description from `FILE`, Markdown")
	fs.Var(newChoice(&ff.confidence, "confidence", casefile.Confidences, nil), "confidence", "how sure the finding is, `LEVEL` low, medium or high")
	fs.Var(&ff.locations, "location", "an evidence location `ID:START-END` (END exclusive) or ID:START+LENGTH; repeat for several")
	fs.Var(&ff.indicators, "indicator", "a linked indicator, by `ID` or as TYPE:VALUE; repeat for several")
	fs.Var(&ff.techniques, "technique", "a MITRE ATT&CK technique `ID`, e.g. T1059 or T1059.001; repeat for several")
	if edit {
		fs.BoolVar(&ff.noLocations, "no-locations", false, "remove every evidence location")
		fs.BoolVar(&ff.noIndicators, "no-indicators", false, "remove every linked indicator")
		fs.BoolVar(&ff.noTechniques, "no-techniques", false, "remove every technique")
	}
}

// check checks the flags before any passphrase is asked for, and reads the
// description file.
func (ff *findingFlags) check(inv *invocation, fs *flag.FlagSet) error {
	ff.given = flagsSet(fs)
	g := ff.given
	for _, pair := range [][2]string{{"description", "description-file"}, {"location", "no-locations"},
		{"indicator", "no-indicators"}, {"technique", "no-techniques"}} {
		if g[pair[0]] && g[pair[1]] {
			return inv.usagef("give --%s or --%s, not both", pair[0], pair[1])
		}
	}
	if g["title"] {
		if err := inv.checkText("--title", ff.title, casefile.MaxTitleLen, true, true); err != nil {
			return err
		}
	}
	if g["description-file"] {
		d, err := inv.readTextFile("--description-file", ff.descriptionFile, casefile.MaxMarkdownLen)
		if err != nil {
			return err
		}
		ff.description, g["description"] = d, true
	} else if err := inv.checkText("--description", ff.description, casefile.MaxMarkdownLen, false, false); err != nil {
		return err
	}
	for i, t := range ff.techniques {
		id, err := casefile.ParseTechnique(t)
		if err != nil {
			return inv.usagef("technique %q is not a MITRE ATT&CK id: use T and 4 digits, optionally a dot and 3 more (T1059, T1059.001)", ff.techniques[i])
		}
		ff.techniques[i] = id
	}
	for _, s := range ff.indicators {
		r, err := inv.indicatorRef(s)
		if err != nil {
			return err
		}
		ff.indicatorRefs = append(ff.indicatorRefs, r)
	}
	return nil
}

// apply changes fc by the flags given, resolving evidence and indicator
// references in c.
func (ff *findingFlags) apply(c *casefile.Case, fc *casefile.FindingContent) error {
	g := ff.given
	if g["title"] {
		fc.Title = ff.title
	}
	if g["description"] {
		fc.Description = ff.description
	}
	if g["confidence"] {
		fc.Confidence = ff.confidence
	}
	if g["location"] || ff.noLocations {
		fc.Locations = []casefile.EvidenceLocation{}
		for _, l := range ff.locations {
			ev, err := findEvidence(c, l.ref)
			if err != nil {
				return err
			}
			fc.Locations = append(fc.Locations, casefile.EvidenceLocation{Evidence: ev.ID, Start: l.start, End: l.end})
		}
	}
	if g["indicator"] || ff.noIndicators {
		ids, err := indicatorIDs(c, ff.indicatorRefs)
		if err != nil {
			return err
		}
		fc.Indicators = ids
	}
	if g["technique"] || ff.noTechniques {
		fc.Techniques = append([]string{}, ff.techniques...)
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

func runFindingAdd(inv *invocation, args []string) error {
	fs := newFlagSet(inv.cmd)
	var ff findingFlags
	ff.define(fs, false)
	var cf caseFlags
	cf.addOpenFlags(fs)
	cf.addReasonFlag(fs)
	pos, err := inv.parseN(fs, args, "CASE")
	if err != nil {
		return err
	}
	if err := ff.check(inv, fs); err != nil {
		return err
	}
	if !ff.given["title"] {
		return inv.usagef("--title is required and must not be empty")
	}
	return inv.withCase(pos[0], &cf, func(c *casefile.Case) error {
		fc := casefile.FindingContent{Confidence: casefile.ConfidenceMedium}
		if err := ff.apply(c, &fc); err != nil {
			return err
		}
		f, err := c.AddFinding(fc, string(cf.reason))
		if err != nil {
			return findingError(err)
		}
		fmt.Fprintf(inv.stdout, "added: finding %s revision %d: %s\n", f.ID, f.Revision, printable(f.Title, false))
		writeRecordedHead(inv.stdout, c, casefile.ActionFindingAdded)
		return nil
	})
}

func runFindingEdit(inv *invocation, args []string) error {
	fs := newFlagSet(inv.cmd)
	var ff findingFlags
	ff.define(fs, true)
	var cf caseFlags
	cf.addOpenFlags(fs)
	cf.addReasonFlag(fs)
	pos, err := inv.parseN(fs, args, "CASE", "ID")
	if err != nil {
		return err
	}
	ref, err := inv.idRef("finding", pos[1])
	if err != nil {
		return err
	}
	if err := ff.check(inv, fs); err != nil {
		return err
	}
	changing := false
	for _, n := range []string{"title", "description", "confidence", "location", "indicator", "technique", "no-locations", "no-indicators", "no-techniques"} {
		changing = changing || ff.given[n]
	}
	if !changing {
		return inv.usagef("nothing to change: give --title, --description, --confidence, --location, --indicator or --technique")
	}
	return inv.withCase(pos[0], &cf, func(c *casefile.Case) error {
		f, err := findFinding(c, ref)
		if err != nil {
			return err
		}
		fc := f.FindingContent
		if err := ff.apply(c, &fc); err != nil {
			return err
		}
		f, err = c.EditFinding(f.ID, fc, string(cf.reason))
		if err != nil {
			return findingError(err)
		}
		fmt.Fprintf(inv.stdout, "edited: finding %s revision %d: %s\n", f.ID, f.Revision, printable(f.Title, false))
		writeRecordedHead(inv.stdout, c, casefile.ActionFindingEdited)
		return nil
	})
}

// findFinding resolves ref, checked by idRef, to a finding of c.
func findFinding(c *casefile.Case, ref string) (casefile.Finding, error) {
	all, err := c.Findings()
	if err != nil {
		return casefile.Finding{}, err
	}
	return resolve(findingKind, ref, all, func(f casefile.Finding) uuid.UUID { return f.ID })
}

// findingError adds what a person can do about a finding casefile refused.
func findingError(err error) error {
	if le, ok := errors.AsType[*casefile.LocationError](err); ok {
		return withHint(err, fmt.Sprintf("%s holds %s: a location START-END needs 0 <= START < END <= %d; 'custodiactl evidence show' gives each item's size",
			printable(le.Item, false), byteSize(le.Size), le.Size))
	}
	return err
}

func runFindingList(inv *invocation, args []string) error {
	fs := newFlagSet(inv.cmd)
	asJSON := fs.Bool("json", false, "print JSON instead of text")
	var cf caseFlags
	cf.addOpenFlags(fs)
	pos, err := inv.parseN(fs, args, "CASE")
	if err != nil {
		return err
	}
	return inv.withCase(pos[0], &cf, func(c *casefile.Case) error {
		all, err := c.Findings()
		if err != nil {
			return err
		}
		if *asJSON {
			out := make([]findingJSON, 0, len(all))
			for _, f := range all {
				out = append(out, toFindingJSON(f))
			}
			return writeJSON(inv.stdout, out)
		}
		tw := tabwriter.NewWriter(inv.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprint(tw, "ID\tREV\tCONFIDENCE\tLOCATIONS\tTITLE\tUPDATED\n")
		for _, f := range all {
			fmt.Fprintf(tw, "%s\t%d\t%s\t%d\t%s\t%s\n", shortUUID(f.ID), f.Revision, f.Confidence, len(f.Locations),
				printable(f.Title, false), byText(f.Updated))
		}
		tw.Flush()
		if len(all) == 0 {
			fmt.Fprintf(inv.stderr, "note: %s holds no findings yet; add one with 'custodiactl finding add'\n", pos[0])
		}
		return nil
	})
}

func runFindingShow(inv *invocation, args []string) error {
	fs := newFlagSet(inv.cmd)
	asJSON := fs.Bool("json", false, "print JSON instead of text")
	var cf caseFlags
	cf.addOpenFlags(fs)
	pos, err := inv.parseN(fs, args, "CASE", "ID")
	if err != nil {
		return err
	}
	ref, err := inv.idRef("finding", pos[1])
	if err != nil {
		return err
	}
	return inv.withCase(pos[0], &cf, func(c *casefile.Case) error {
		f, err := findFinding(c, ref)
		if err != nil {
			return err
		}
		if *asJSON {
			return writeJSON(inv.stdout, toFindingJSON(f))
		}
		names, err := evidenceNames(c)
		if err != nil {
			return err
		}
		inds, err := c.Indicators()
		if err != nil {
			return err
		}
		field := func(name, value string) { writeField(inv.stdout, 13, name, value) }
		field("ID", f.ID.String())
		field("Title", printable(f.Title, false))
		field("Confidence", string(f.Confidence))
		field("Stage", f.Stage.Title()+" (when recorded)")
		field("Revision", fmt.Sprint(f.Revision))
		field("Created", byText(f.Created))
		field("Updated", byText(f.Updated))
		writeFindingLinks(inv.stdout, f.FindingContent, names, inds)
		fmt.Fprintln(inv.stdout, "Description:")
		if f.Description == "" {
			fmt.Fprintln(inv.stdout, "  (none)")
		} else {
			writeIndented(inv.stdout, "  ", f.Description)
		}
		return nil
	})
}

// writeFindingLinks writes a finding's locations, indicators and techniques.
func writeFindingLinks(w io.Writer, fc casefile.FindingContent, names map[uuid.UUID]string, inds []casefile.Indicator) {
	field := func(name, value string) { writeField(w, 13, name, value) }
	field("Locations", count(len(fc.Locations)))
	for _, l := range fc.Locations {
		fmt.Fprintf(w, "  %s  %s\n", evidenceText(l.Evidence, names), locationText(l))
	}
	field("Indicators", count(len(fc.Indicators)))
	for _, id := range fc.Indicators {
		i := slices.IndexFunc(inds, func(ind casefile.Indicator) bool { return ind.ID == id })
		if i < 0 {
			fmt.Fprintf(w, "  %s (not in the case)\n", shortUUID(id))
			continue
		}
		fmt.Fprintf(w, "  %s %s %s\n", shortUUID(id), inds[i].Type, printable(inds[i].Value, false))
	}
	field("Techniques", orNone(strings.Join(fc.Techniques, ", ")))
}

// locationText is a byte range for people: "bytes 446-510 (64 bytes)".
func locationText(l casefile.EvidenceLocation) string {
	return fmt.Sprintf("bytes %d-%d (%s)", l.Start, l.End, byteSize(l.Len()))
}

func runFindingHistory(inv *invocation, args []string) error {
	fs := newFlagSet(inv.cmd)
	asJSON := fs.Bool("json", false, "print JSON instead of text")
	var cf caseFlags
	cf.addOpenFlags(fs)
	pos, err := inv.parseN(fs, args, "CASE", "ID")
	if err != nil {
		return err
	}
	ref, err := inv.idRef("finding", pos[1])
	if err != nil {
		return err
	}
	return inv.withCase(pos[0], &cf, func(c *casefile.Case) error {
		f, err := findFinding(c, ref)
		if err != nil {
			return err
		}
		revs, err := c.FindingHistory(f.ID)
		if err != nil {
			return err
		}
		if *asJSON {
			out := make([]findingRevisionJSON, 0, len(revs))
			for i, r := range revs {
				out = append(out, findingRevisionJSON{Revision: r.Revision, findingContentJSON: toFindingContentJSON(r.FindingContent),
					Reason: r.Reason, Changed: changedSince(revs, i), Recorded: toAttributionJSON(r.Attribution)})
			}
			return writeJSON(inv.stdout, out)
		}
		w := inv.stdout
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
	})
}

// changedSince names the fields revision i changed from the one before;
// every field for the first.
func changedSince(revs []casefile.FindingRevision, i int) []string {
	fields := []string{"title", "description", "confidence", "locations", "indicators", "techniques"}
	if i == 0 {
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
		{"techniques", slices.Equal(a.Techniques, b.Techniques)},
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

func toFindingContentJSON(fc casefile.FindingContent) findingContentJSON {
	j := findingContentJSON{Title: fc.Title, Description: fc.Description, Confidence: string(fc.Confidence),
		Locations: make([]locationJSON, 0, len(fc.Locations)), Indicators: make([]string, 0, len(fc.Indicators)),
		Techniques: nonNil(fc.Techniques)}
	for _, l := range fc.Locations {
		j.Locations = append(j.Locations, locationJSON{Evidence: l.Evidence.String(), Start: l.Start, End: l.End, Length: l.Len()})
	}
	for _, id := range fc.Indicators {
		j.Indicators = append(j.Indicators, id.String())
	}
	return j
}

func toFindingJSON(f casefile.Finding) findingJSON {
	return findingJSON{ID: f.ID.String(), findingContentJSON: toFindingContentJSON(f.FindingContent), Stage: string(f.Stage),
		Revision: f.Revision, Created: toAttributionJSON(f.Created), Updated: toAttributionJSON(f.Updated)}
}
