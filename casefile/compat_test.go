package casefile_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/hunt"
	"github.com/custodia-dfir/custodia/casefile/incident"
	"github.com/custodia-dfir/custodia/casefile/timeline"
	"github.com/custodia-dfir/custodia/evidence"
	"github.com/custodia-dfir/custodia/evidence/export"
)

// The committed case files of every format version (testdata/cases/, its
// README says how each was made). Every later version must open them, read
// every value they hold, and verify their ledgers; opening and reading must
// not change them (a migration runs only when something is written). Their
// SHA-256 are pinned here so that nobody regenerates one by accident: a
// fixture written again is a different file.
var fixtures = []fixture{
	{"v3", "1ba0b7d0cbe324869215fbfed136462ed2e69ede78276d8e1d3e9dc0e58cabe9",
		"31a896507e19ccc01c75fa00e68fc5615f7edd867ad0c74d3f7c0c82c734bd13", 3, 105, 4},
	{"v3-dismissed", "9734c03ebf117ba3f4290784cadc4010445ea3c4a6710528d478354ee4e61225",
		"af7e22fb49fe0847a79a51526fd09cfc7acf6665267f20fdbe8a5d95e74d2d20", 3, 14, 1},
	{"v4", "880db76f7ab1cd3cc68455e3ba9f6dba4c0dd484dc47793b6e02e96a5674ef25",
		"b62130d32ed050bb1a695606dc4c83e9b1a949277f326434b8b5b198109d39f5", 4, 115, 4},
	{"v4-dismissed", "0e94b0af01123086252790c087f797169dcb1f1784b56467e6a0c11107089e82",
		"82ab1b36dac91140c999f278294cbf1074dceef3f57075c5f74330bf1301decf", 4, 11, 1},
	{"v5", "05325ec04bb84f0106d3a63b30824341689ce5d539873d67b22708f20c87e4db",
		"b07356320342195b8e6d7414c46a46d6af901d9b5f3673f8518c19d446a42a27", 5, 118, 4},
	{"v5-dismissed", "79ce8dfdb2ebdc397e7c7d4a880d1ec10b97453b6cddc461963993420fa5ae61",
		"14c6225e617d77532cd375c15a10cccc437ce75f1904744d770d240cbe2110f7", 5, 12, 1},
	{"v6", "e69ef8bb6dca8ded4d4b7da409efed405de31d7306632a071a462548b8a71e07",
		"9bfb8e85f097af2a3d66180f98ae44e467f8790041da6821a353ca5a94dda99c", 6, 133, 4},
	{"v6-dismissed", "109f92941dbbf212c03af70b56a2b69ea9ec50d16c0de1b80fc4ba1443c1afd8",
		"0f4f73bb081eedb4fca212ad58d0f27147608daf93e793b0ba66901a506ede8d", 6, 15, 1},
}

// fixture is one committed case: the stem of its files, the pinned SHA-256
// of the .gz and of the case in it, its format version, and the number of
// its ledger entries and examiners.
type fixture struct {
	stem              string
	gzSHA256, sha256  string
	format            int
	entries, examiner int
}

const casesDir = "../testdata/cases"

var fixtureDir = flag.String("fixture-dir", "",
	"TestCommittedFixtures: check the fixture cases of this folder instead of "+casesDir+
		"; a case not pinned in compat_test.go (a new version's, written by TestWriteFixture) is checked without a pinned SHA-256")

// TestCommittedFixtures checks every committed fixture case, or with
// -args -fixture-dir DIR the cases of DIR.
func TestCommittedFixtures(t *testing.T) {
	dir, list := casesDir, fixtures
	if *fixtureDir != "" {
		dir, list = *fixtureDir, fixturesIn(t, *fixtureDir)
	}
	for _, fx := range list {
		t.Run(fx.stem, func(t *testing.T) { checkFixture(t, dir, fx) })
	}
}

// fixturesIn lists the fixture cases of dir (every STEM.custodia.gz): a
// pinned one as pinned, another with its format, entries and examiners
// taken from its STEM.expected.json and no pinned SHA-256.
func fixturesIn(t *testing.T, dir string) []fixture {
	t.Helper()
	gzs := get(filepath.Glob(filepath.Join(dir, "*"+casefile.Extension+".gz")))(t)
	if len(gzs) == 0 {
		t.Fatalf("%s holds no fixture case (*%s.gz)", dir, casefile.Extension)
	}
	var out []fixture
	for _, gz := range gzs {
		stem := strings.TrimSuffix(filepath.Base(gz), casefile.Extension+".gz")
		if i := slices.IndexFunc(fixtures, func(fx fixture) bool { return fx.stem == stem }); i >= 0 {
			out = append(out, fixtures[i])
			continue
		}
		var doc struct {
			Info      struct{ FormatVersion int }
			Head      struct{ Seq int }
			Examiners []any
		}
		must(t, json.Unmarshal(read(t, filepath.Join(dir, stem+".expected.json")), &doc))
		out = append(out, fixture{stem: stem, format: doc.Info.FormatVersion, entries: doc.Head.Seq, examiner: len(doc.Examiners)})
	}
	return out
}

// checkFixture makes every check of a committed fixture on the case fx of
// dir.
func checkFixture(t *testing.T, dir string, fx fixture) {
	raw := decompressFixture(t, dir, fx)
	path := filepath.Join(t.TempDir(), fx.stem+casefile.Extension)
	must(t, os.WriteFile(path, raw, 0o600))
	secrets := parseSecrets(t, dir, fx.stem)
	if len(secrets) == 0 || !secrets[0].opens {
		t.Fatal("the passphrases file must start with a secret that opens the case")
	}

	// Every secret opens (or is refused) as recorded, and nothing is written.
	for _, s := range secrets {
		c, err := casefile.Open(path, []byte(s.value), casefile.TestOptions())
		if !s.opens {
			if !errors.Is(err, casefile.ErrWrongPassphrase) {
				t.Fatalf("%s's refused secret: %v, want ErrWrongPassphrase", s.examiner, err)
			}
			continue
		}
		must(t, err)
		if c.UnlockedSlot() != s.slot || c.Actor().Name != s.examiner || c.Info().FormatVersion != fx.format {
			t.Fatalf("secret of %s opened slot %d as %s, format %d", s.examiner, c.UnlockedSlot(), c.Actor().Name, c.Info().FormatVersion)
		}
		must(t, c.Close())
	}

	// Every value the writer recorded reads back through this version's API.
	want := map[string]any{}
	must(t, json.Unmarshal(read(t, filepath.Join(dir, fx.stem+".expected.json")), &want))
	delete(want, "Generator")
	got := readEverything(t, path, secrets[0].value)
	for k, v := range keysSince {
		if _, ok := want[k]; !ok && fx.format < v {
			delete(got, k) // the writer of an older format did not record it
		}
	}
	if diffs := compareJSON("", want, got); len(diffs) > 0 {
		if len(diffs) > 20 {
			diffs = append(diffs[:20], fmt.Sprintf("… %d more", len(diffs)-20))
		}
		t.Fatalf("values read back differ from %s.expected.json:\n%s", fx.stem, strings.Join(diffs, "\n"))
	}
	if n := len(got["Examiners"].([]any)); n != fx.examiner {
		t.Fatalf("%d examiners, want %d", n, fx.examiner)
	}
	if b := read(t, path); !bytes.Equal(b, raw) {
		t.Fatal("opening and reading the fixture changed it")
	}
	if r, err := casefile.VerifyLedgerWithoutKey(path); err != nil || !r.OK() || r.Entries != int64(fx.entries) {
		t.Fatalf("keyless verification: %+v %v", r, err)
	}

	// The first write (a recorded verification) upgrades a file of an
	// older format, on the record, and it verifies after; a file of this
	// format gets just the verification. The clock reads a day after the
	// fixture's last entry.
	later := casefile.TestOptions()
	later.Clock = func() time.Time { return casefile.TestTime.Add(48 * time.Hour) }
	c, err := casefile.Open(path, []byte(secrets[0].value), later)
	must(t, err)
	r, err := c.VerifyLedger()
	if err != nil || !r.OK() || !r.Recorded || r.Entries != int64(fx.entries) {
		t.Fatalf("keyed verification: %+v %v", r, err)
	}
	if v := c.Info().FormatVersion; v != casefile.FormatVersion {
		t.Fatalf("format after the first write = %d", v)
	}
	es, err := c.Entries()
	must(t, err)
	added := es[fx.entries:]
	if fx.format < casefile.FormatVersion {
		if up := added[0]; up.Action != casefile.ActionFormatUpgraded || up.Details["from"] != fmt.Sprint(fx.format) ||
			up.Details["to"] != fmt.Sprint(casefile.FormatVersion) {
			t.Fatalf("entry %d is %+v, want the upgrade", fx.entries+1, up)
		}
		added = added[1:]
	}
	if len(added) != 1 || added[0].Action != casefile.ActionLedgerVerified {
		t.Fatalf("the first write added %d entries after the fixture's (and an upgrade), want one %s", len(added), casefile.ActionLedgerVerified)
	}
	must(t, c.Close())
	c, err = casefile.Open(path, []byte(secrets[0].value), later)
	must(t, err)
	defer c.Close()
	if r, err := c.VerifyLedger(); err != nil || !r.OK() {
		t.Fatalf("verification of the upgraded file: %+v %v", r, err)
	}
	if evs, err := c.ListEvidence(); err != nil || len(evs) != len(want["ListEvidence"].([]any)) {
		t.Fatalf("evidence of the upgraded file: %d, %v", len(evs), err)
	}
}

// decompressFixture checks the pinned SHA-256 of a fixture of dir and
// returns its bytes. A fixture without pins (not committed yet) is only
// decompressed, and its SHA-256 logged.
func decompressFixture(t testing.TB, dir string, fx fixture) []byte {
	t.Helper()
	gz := read(t, filepath.Join(dir, fx.stem+".custodia.gz"))
	if got := sha(gz); fx.gzSHA256 != "" && got != fx.gzSHA256 {
		t.Fatalf("%s.custodia.gz has SHA-256 %s, pinned %s: a committed fixture must never be regenerated or edited", fx.stem, got, fx.gzSHA256)
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	must(t, err)
	raw, err := io.ReadAll(zr)
	must(t, err)
	if got := sha(raw); fx.sha256 != "" && got != fx.sha256 {
		t.Fatalf("%s.custodia has SHA-256 %s, pinned %s", fx.stem, got, fx.sha256)
	}
	if fx.gzSHA256 == "" || fx.sha256 == "" {
		t.Logf("%s is not pinned: .gz SHA-256 %s, case SHA-256 %s", fx.stem, sha(gz), sha(raw))
	}
	return raw
}

// readEverything rebuilds the document of the expected files from this
// version's API, by the rules of testdata/cases/README.md.
func readEverything(t *testing.T, path, pass string) map[string]any {
	t.Helper()
	c, err := casefile.Open(path, []byte(pass), casefile.TestOptions())
	must(t, err)
	defer c.Close()
	inc := incident.Of(c)
	doc := map[string]any{"FixtureFormat": "custodia-fixture-expected/1", "Info": js(c.Info())}
	var exs []any
	for _, ex := range get(c.Examiners())(t) {
		exs = append(exs, obj(ex, map[string]any{"Fingerprint": ex.Fingerprint()}))
	}
	doc["Examiners"] = js(exs)
	doc["KeySlots"] = js(get(c.KeySlots())(t))
	var evs []any
	for _, ev := range get(c.ListEvidence())(t) {
		sum, chunks := readContent(t, c, ev)
		evs = append(evs, obj(ev, map[string]any{"ContentSHA256": sum, "Chunks": chunks}))
	}
	doc["ListEvidence"] = js(evs)
	doc["Entries"] = js(get(c.Entries())(t))
	seq, head := c.Head()
	doc["Head"] = map[string]any{"Seq": seq, "Hash": head.String()}
	doc["Incident"] = js(get(inc.Incident())(t))
	doc["CurrentStage"] = js(get(inc.CurrentStage())(t))
	doc["NextStages"] = js(get(inc.NextStages())(t))
	doc["ClassificationHistory"] = js(get(inc.ClassificationHistory())(t))
	doc["SeverityHistory"] = js(get(inc.SeverityHistory())(t))
	doc["PriorityHistory"] = js(get(inc.PriorityHistory())(t))
	doc["StageHistory"] = js(get(inc.StageHistory())(t))
	doc["RoleHistory"] = js(get(inc.RoleHistory())(t))
	doc["RoleHolders"] = js(get(inc.RoleHolders())(t))
	doc["Indicators"] = js(get(inc.Indicators())(t))
	doc["ResponseActions"] = js(get(inc.ResponseActions())(t))
	var ms []any
	for _, m := range get(inc.Mitigations())(t) {
		ms = append(ms, obj(m, map[string]any{"JointlyApproved": m.JointlyApproved()}))
	}
	doc["Mitigations"] = js(ms)
	doc["NotificationHistory"] = js(get(inc.NotificationHistory())(t))
	findings := get(inc.Findings())(t)
	doc["Findings"] = js(findings)
	fh := map[string]any{}
	for _, f := range findings {
		fh[f.ID.String()] = js(get(inc.FindingHistory(f.ID))(t))
	}
	doc["FindingHistory"] = fh
	pm, ok, err := inc.PostMortem()
	must(t, err)
	doc["PostMortem"] = nil
	if ok {
		doc["PostMortem"] = js(pm)
	}
	doc["PostMortemHistory"] = js(get(inc.PostMortemHistory())(t))
	doc["RepairItems"] = js(get(inc.RepairItems())(t))
	r := get(casefile.VerifyLedgerWithoutKey(copyOf(t, path)))(t)
	doc["VerifyLedgerWithoutKey"] = obj(*r, map[string]any{"OK": r.OK()})
	doc["SQLiteRowCounts"] = rowCounts(t, path)
	// Calls of format version 4 (keysSince).
	doc["Inspect"] = errorText(casefile.Inspect(path))
	doc["Suspect"] = errorText(c.Suspect())
	doc["Records"] = records(t, c)
	for _, table := range schemaRecordTables(t, path) {
		if !slices.Contains(recordTables, table) {
			t.Fatalf("the file has record table %s, which compat_test.go's recordTables (the Records key) does not read", table)
		}
	}
	// Calls of format version 5 (keysSince): the timeline.
	timelineValues(t, c, doc)
	// Calls of format version 6 (keysSince): annotations, saved searches,
	// sweeps, provenance, exports.
	v6Values(t, c, doc)
	// Round-trip through JSON so numbers compare as the expected file's do.
	b, err := json.Marshal(doc)
	must(t, err)
	out := map[string]any{}
	must(t, json.Unmarshal(b, &out))
	return out
}

// keysSince gives, for each top-level key of the expected files that the
// writers of older formats did not record, the format version whose
// fixtures first hold it. A fixture of an older format is checked without
// the key; every fixture from that version on must hold it.
var keysSince = map[string]int{"Inspect": 4, "Suspect": 4, "Records": 4,
	"TimelineParses": 5, "TimelineHistory": 5, "TimelineCount": 5, "TimelineEvents": 5, "TimelineWarnings": 5,
	"TimelineAnnotations": 6, "TimelineSavedSearches": 6, "IndicatorSweeps": 6, "EvidenceProvenance": 6, "EvidenceExports": 6}

// recordTables are the record tables of format version 6 (casefile's
// recordTables): each has the columns seq, row_uuid, parent_uuid and body.
// In a file of an older format a table it lacks reads as empty (so a v3 or
// v4 fixture's Records hold [] for the timeline tables, which compareJSON
// accepts as a new member with its zero value).
var recordTables = []string{
	"incident_revisions", "incident_classifications", "incident_severity", "incident_priority", "incident_stages",
	"incident_roles", "incident_indicators", "incident_actions", "incident_mitigations", "incident_notifications",
	"finding_revisions", "postmortem_revisions", "repair_item_revisions",
	"evidence_status",
	// Format version 5: the timeline.
	"timeline_parses", "timeline_batches", "timeline_warnings",
	// Format version 6: annotations, sweeps, provenance, exports.
	"timeline_annotations", "indicator_sweeps", "evidence_provenance", "evidence_exports", "timeline_searches",
}

// schemaRecordTables lists, with plain SQL on a copy of the file, the tables
// whose columns are exactly those of a record table.
func schemaRecordTables(t *testing.T, path string) []string {
	t.Helper()
	db := get(sql.Open("sqlite", "file:"+copyOf(t, path)+"?immutable=1"))(t)
	defer db.Close()
	rows := get(db.Query(`SELECT m.name, group_concat(p.name, ',') FROM sqlite_schema AS m, pragma_table_info(m.name) AS p
		WHERE m.type = 'table' GROUP BY m.name ORDER BY m.name`))(t)
	defer rows.Close()
	var out []string
	for rows.Next() {
		var name, cols string
		must(t, rows.Scan(&name, &cols))
		if cols == "seq,row_uuid,parent_uuid,body" {
			out = append(out, name)
		}
	}
	must(t, rows.Err())
	return out
}

// timelineValues adds the timeline keys (format version 5) to doc, read
// through package timeline:
//   - TimelineParses: Store.Parses(), the current parse of every parsed item;
//   - TimelineHistory: each evidence item's id (in ListEvidence order) to
//     Store.History(id), [] for an item never parsed;
//   - TimelineCount: Store.Count();
//   - TimelineEvents: every event of Store.All(), in its order, all fields;
//   - TimelineWarnings: each evidence item's id to Store.Warnings(id).
//
// It also checks that All is Events of each parsed item in the order of
// Parses, and that Count counts them.
func timelineValues(t *testing.T, c *casefile.Case, doc map[string]any) {
	t.Helper()
	tl := timeline.Of(c)
	parses := get(tl.Parses())(t)
	doc["TimelineParses"] = js(parses)
	hist, warns := map[string]any{}, map[string]any{}
	for _, ev := range get(c.ListEvidence())(t) {
		hist[ev.ID.String()] = js(get(tl.History(ev.ID))(t))
		warns[ev.ID.String()] = js(get(tl.Warnings(ev.ID))(t))
	}
	doc["TimelineHistory"], doc["TimelineWarnings"] = hist, warns
	var all, each []timeline.Event
	for e, err := range tl.All() {
		must(t, err)
		all = append(all, e)
	}
	for _, p := range parses {
		for e, err := range tl.Events(p.Item) {
			must(t, err)
			each = append(each, e)
		}
	}
	if !reflect.DeepEqual(all, each) {
		t.Fatalf("All yields %d events, Events of each parsed item %d: they differ", len(all), len(each))
	}
	n := get(tl.Count())(t)
	if n != int64(len(all)) {
		t.Fatalf("Count = %d, All yields %d events", n, len(all))
	}
	doc["TimelineCount"] = n
	doc["TimelineEvents"] = js(all) // [] when nil
}

// v6Values adds the keys of format version 6 to doc:
//   - TimelineAnnotations: timeline Store.Annotations(), every annotated
//     event resolved against its item's current parse, with its changes;
//   - TimelineSavedSearches: timeline Store.SavedSearches();
//   - IndicatorSweeps: hunt.Sweeps(c), each with Listed();
//   - EvidenceProvenance: each evidence item's id (every item of
//     ListEvidence) to its evidence_provenance rows, oldest first, each
//     decoded by its kind: "derived" as evidence.Provenance (which must
//     equal evidence.ProvenanceOf), "imported" as export.Provenance; [] for
//     an item acquired from a source;
//   - EvidenceExports: every evidence_exports row as export.ExportRecord.
func v6Values(t *testing.T, c *casefile.Case, doc map[string]any) {
	t.Helper()
	tl := timeline.Of(c)
	doc["TimelineAnnotations"] = js(get(tl.Annotations())(t))
	doc["TimelineSavedSearches"] = js(get(tl.SavedSearches())(t))
	var sws []any
	for _, sw := range get(hunt.Sweeps(c))(t) {
		sws = append(sws, obj(sw, map[string]any{"Listed": sw.Listed()}))
	}
	doc["IndicatorSweeps"] = js(sws)
	prov := map[string]any{}
	for _, ev := range get(c.ListEvidence())(t) {
		rows := []any{}
		var derived []evidence.Provenance
		must(t, c.Read("read the provenance of "+ev.ID.String(), func(r casefile.Reader) error {
			rs, err := r.Revisions(evidence.ProvenanceTable, ev.ID)
			if err != nil {
				return err
			}
			for _, rec := range rs {
				var k struct{ Kind string }
				if err := json.Unmarshal(rec.Data, &k); err != nil {
					return err
				}
				switch k.Kind {
				case "derived":
					var p evidence.Provenance
					if err := rec.Decode(&p); err != nil {
						return err
					}
					derived = append(derived, p)
					rows = append(rows, js(p))
				case export.ProvenanceKindImported:
					var p export.Provenance
					if err := rec.Decode(&p); err != nil {
						return err
					}
					rows = append(rows, js(p))
				default:
					return fmt.Errorf("provenance row %s of item %s has kind %q", rec.ID, ev.ID, k.Kind)
				}
			}
			return nil
		}))
		if len(derived) > 0 {
			if api := get(evidence.ProvenanceOf(c, ev.ID))(t); !reflect.DeepEqual(api, derived) {
				t.Fatalf("evidence.ProvenanceOf(%s) = %+v, the rows say %+v", ev.ID, api, derived)
			}
		}
		prov[ev.ID.String()] = rows
	}
	doc["EvidenceProvenance"] = prov
	var exps []export.ExportRecord
	must(t, c.Read("read the exports", func(r casefile.Reader) error {
		rs, err := r.Records("evidence_exports")
		if err != nil {
			return err
		}
		exps, err = casefile.DecodeRecords[export.ExportRecord](rs)
		return err
	}))
	doc["EvidenceExports"] = js(exps)
}

// records reads every row of every record table through the record
// primitive (Case.Read, Reader.Records): its sequence number, UUID, parent,
// revision, and the SHA-256 of its JSON (ContentHash) in place of the JSON.
func records(t *testing.T, c *casefile.Case) map[string]any {
	t.Helper()
	out := map[string]any{}
	must(t, c.Read("read every record table", func(r casefile.Reader) error {
		for _, table := range recordTables {
			rs, err := r.Records(table)
			if err != nil {
				return err
			}
			rows := []any{}
			for _, rec := range rs {
				if rec.Table != table {
					return fmt.Errorf("a row of %s says it is of %s", table, rec.Table)
				}
				rows = append(rows, map[string]any{"Seq": rec.Seq, "ID": rec.ID.String(), "Parent": rec.Parent.String(), "Rev": rec.Rev,
					"ContentHash": rec.ContentHash()})
			}
			out[table] = rows
		}
		return nil
	}))
	return out
}

// errorText is nil for a nil error, else its text.
func errorText(err error) any {
	if err == nil {
		return nil
	}
	return err.Error()
}

// compareJSON lists where got differs from want. got may hold members want
// lacks (facts this version records and the older one did not), but only
// with their zero value: an older case has none of those facts.
func compareJSON(at string, want, got any) []string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s: want an object, got %v", at, got)}
		}
		var out []string
		for _, k := range slices.Sorted(func(yield func(string) bool) {
			for k := range w {
				if !yield(k) {
					return
				}
			}
		}) {
			gv, ok := g[k]
			if !ok {
				out = append(out, fmt.Sprintf("%s.%s: missing", at, k))
				continue
			}
			out = append(out, compareJSON(at+"."+k, w[k], gv)...)
		}
		for k, gv := range g {
			if _, ok := w[k]; !ok && !zeroJSON(gv) {
				out = append(out, fmt.Sprintf("%s.%s: new member with a value (%v) in an old case", at, k, gv))
			}
		}
		return out
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return []string{fmt.Sprintf("%s: want %d elements, got %v", at, len(w), got)}
		}
		var out []string
		for i := range w {
			out = append(out, compareJSON(fmt.Sprintf("%s[%d]", at, i), w[i], g[i])...)
		}
		return out
	}
	if !reflect.DeepEqual(want, got) {
		return []string{fmt.Sprintf("%s: want %v, got %v", at, want, got)}
	}
	return nil
}

func zeroJSON(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case bool:
		return !x
	case float64:
		return x == 0
	case []any:
		return len(x) == 0
	case map[string]any: // an object of zero members is a zero value too
		for _, m := range x {
			if !zeroJSON(m) {
				return false
			}
		}
		return true
	}
	return false
}

var (
	timeType   = reflect.TypeFor[time.Time]()
	uuidType   = reflect.TypeFor[uuid.UUID]()
	digestType = reflect.TypeFor[casefile.Digest]()
)

// jsonValue turns an API value into the tree the expected files hold, by
// the rules of testdata/cases/README.md.
func jsonValue(v reflect.Value) any {
	switch v.Type() {
	case timeType:
		t := v.Interface().(time.Time)
		if t.IsZero() {
			return nil
		}
		return t.UTC().Format(time.RFC3339Nano)
	case uuidType:
		return v.Interface().(uuid.UUID).String()
	case digestType:
		return v.Interface().(casefile.Digest).String()
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return jsonValue(v.Elem())
	case reflect.Struct:
		m := map[string]any{}
		for i := range v.NumField() {
			if f := v.Type().Field(i); f.IsExported() {
				m[f.Name] = jsonValue(v.Field(i))
			}
		}
		return m
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return hex.EncodeToString(v.Bytes())
		}
		out := make([]any, v.Len())
		for i := range out {
			out[i] = jsonValue(v.Index(i))
		}
		return out
	case reflect.Map:
		m := map[string]any{}
		for _, k := range v.MapKeys() {
			m[k.String()] = jsonValue(v.MapIndex(k))
		}
		return m
	case reflect.String:
		return v.String()
	case reflect.Bool:
		return v.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return v.Uint()
	}
	panic(fmt.Sprintf("jsonValue: no rule for %s", v.Type()))
}

func js(v any) any { return jsonValue(reflect.ValueOf(v)) }

func obj(v any, extra map[string]any) map[string]any {
	m := js(v).(map[string]any)
	for k, x := range extra {
		m[k] = x
	}
	return m
}

// readContent returns the SHA-256 of an item's content read through ReadAt,
// and its chunks as stored.
func readContent(t *testing.T, c *casefile.Case, ev casefile.Evidence) (string, []any) {
	t.Helper()
	r := get(c.OpenEvidence(ev.ID))(t)
	h := sha256.New()
	if n := get(io.Copy(h, io.NewSectionReader(r, 0, r.Size())))(t); n != ev.Meta.Size {
		t.Fatalf("%s: read %d of %d bytes", ev.Meta.Name, n, ev.Meta.Size)
	}
	chunks := []any{}
	must(t, r.ScanChunks(context.Background(), func(sc casefile.SealedChunk) error {
		chunks = append(chunks, map[string]any{"Index": sc.Index, "Flags": sc.Flags, "PlainLen": sc.PlainLen})
		_, err := r.OpenChunk(sc)
		return err
	}))
	return hex.EncodeToString(h.Sum(nil)), chunks
}

// rowCounts counts the rows of every table of a copy of the file with plain SQL.
func rowCounts(t *testing.T, path string) map[string]any {
	t.Helper()
	db := get(sql.Open("sqlite", "file:"+copyOf(t, path)+"?immutable=1"))(t)
	defer db.Close()
	rows := get(db.Query(`SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name`))(t)
	var names []string
	for rows.Next() {
		var n string
		must(t, rows.Scan(&n))
		names = append(names, n)
	}
	rows.Close()
	out := map[string]any{}
	for _, n := range names {
		var k int64
		must(t, db.QueryRow(`SELECT count(*) FROM "`+n+`"`).Scan(&k))
		out[n] = k
	}
	return out
}

// secret is one line of a passphrases file, and the comment before it
// (note, written by TestWriteFixture and not read back).
type secret struct {
	opens    bool
	slot     int
	examiner string
	value    string
	note     string
}

// parseSecrets reads the passphrases file of fixture stem in dir (its
// format is in its header).
func parseSecrets(t *testing.T, dir, stem string) []secret {
	t.Helper()
	var out []secret
	b := read(t, filepath.Join(dir, stem+".passphrases.txt"))
	for i, line := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		if strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.SplitN(line, "\t", 4)
		var slot int
		if len(f) != 4 || (f[0] != "opens" && f[0] != "refused") {
			t.Fatalf("%s.passphrases.txt line %d: %q", stem, i+1, line)
		}
		if _, err := fmt.Sscan(f[1], &slot); err != nil {
			t.Fatalf("%s.passphrases.txt line %d: slot %q", stem, i+1, f[1])
		}
		out = append(out, secret{opens: f[0] == "opens", slot: slot, examiner: f[2], value: f[3]})
	}
	return out
}

func copyOf(t *testing.T, path string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), filepath.Base(path))
	must(t, os.WriteFile(dst, read(t, path), 0o600))
	return dst
}

func read(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	must(t, err)
	return b
}

func sha(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// get returns v, or fails the test calling the result with err:
// get(c.Examiners())(t).
func get[T any](v T, err error) func(testing.TB) T {
	return func(t testing.TB) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}
