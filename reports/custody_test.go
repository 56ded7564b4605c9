package reports_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/reports"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// hostileReason is text an examiner could type or paste from evidence: quotes,
// newlines, a closing script tag, U+2028 (a line break for JavaScript) and
// HTML metacharacters.
const hostileReason = "Seized from \"srv01\" \\ rack 4\nsecond line\r\n</script><script>alert(1)</script>\u2028after U+2028 & <b>bold</b>"

const evidenceID = "0b5e3f0a-6c1d-4e8f-9a2b-7c3d4e5f6a7b"

var (
	imageBytes   = []byte("a small disk image")
	imageMD5     = fmt.Sprintf("%x", md5.Sum(imageBytes))
	imageSHA1    = fmt.Sprintf("%x", sha1.Sum(imageBytes))
	imageSHA256  = fmt.Sprintf("%x", sha256.Sum256(imageBytes))
	testTool     = reports.Tool{Name: "Custodia", Version: "0.1.0"}
	testGenerate = time.Date(2026, 11, 27, 8, 30, 0, 123_000_000, time.UTC)
)

// newLedger builds a real case with two examiners and a few recorded events,
// and returns everything a custody export needs, read from the case.
func newLedger(t *testing.T) reports.CustodyExport {
	t.Helper()
	opts := casefile.TestOptions()
	var tick atomic.Int64 // a clock that moves 1.25 s per reading, so entry times differ
	opts.Clock = func() time.Time {
		return casefile.TestTime.Add(time.Duration(tick.Add(1)) * 1250 * time.Millisecond)
	}
	path := filepath.Join(t.TempDir(), "breach"+casefile.Extension)
	c, err := casefile.Create(path, []byte("correct horse battery staple"), casefile.NewCase{
		Title:       "Breach at \"Contoso\" </script>",
		CaseNumber:  "IR-2026-0042",
		Examiner:    "Ada Lovelace",
		Description: "Ransomware on the file server.\nSecond line.",
		Reason:      "Incident declared",
	}, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if _, err := c.AddExaminer(casefile.NewExaminer{
		Name:  "Grace Hopper",
		Roles: []casefile.Role{casefile.RoleLegalAdvisor, casefile.RoleSecurityIncidentManager},
	}, []byte("another long passphrase"), "Counsel joins the case"); err != nil {
		t.Fatal(err)
	}
	events := []casefile.Event{
		{
			Action: casefile.ActionEvidenceIngested, Target: casefile.Target{Type: casefile.TargetEvidence, ID: evidenceID},
			Reason:  hostileReason,
			Hashes:  map[string]string{"md5": imageMD5, "sha1": imageSHA1, "sha256": imageSHA256},
			Details: map[string]string{"name": "srv01.E01", "label": "</script>\u2028\"x\""},
		},
		{
			Action: casefile.ActionEvidenceVerified, Target: casefile.Target{Type: casefile.TargetEvidence, ID: evidenceID},
			Reason: "Re-hashed before export", Hashes: map[string]string{"sha256": imageSHA256},
		},
		{
			Action: casefile.ActionLedgerExported,
			Target: casefile.Target{Type: casefile.TargetLedger, ID: c.Info().CaseUUID.String()},
			Reason: "Sent to counsel", Details: map[string]string{"format": "case-jsonld"},
		},
	}
	for _, ev := range events {
		if _, err := c.Record(ev); err != nil {
			t.Fatal(err)
		}
	}
	entries, err := c.Entries()
	if err != nil {
		t.Fatal(err)
	}
	examiners, err := c.Examiners()
	if err != nil {
		t.Fatal(err)
	}
	seq, head := c.Head()
	return reports.CustodyExport{
		Case: c.Info(), Examiners: examiners, Entries: entries, HeadSeq: seq, Head: head,
		Tool: testTool, Generated: testGenerate,
	}
}

func entryByAction(t *testing.T, x reports.CustodyExport, a casefile.Action) casefile.CustodyEntry {
	t.Helper()
	for _, e := range x.Entries {
		if e.Action == a {
			return e
		}
	}
	t.Fatalf("no %s entry in the ledger", a)
	return casefile.CustodyEntry{}
}

// assertInert checks that no hostile text survives unescaped in an export.
func assertInert(t *testing.T, out []byte) {
	t.Helper()
	for _, bad := range []string{"</script>", "<script>", "\u2028", "<b>"} {
		if bytes.Contains(out, []byte(bad)) {
			t.Errorf("export holds %q unescaped", bad)
		}
	}
}

var jsonlKeys = []string{
	"action", "actor", "actor_id", "actor_public_key", "details", "entry_hash", "hashes", "prev_hash",
	"reason", "role", "seq", "signature", "target_id", "target_type", "time",
}

type jsonlLine struct {
	Seq            int64             `json:"seq"`
	Time           string            `json:"time"`
	Actor          string            `json:"actor"`
	ActorID        string            `json:"actor_id"`
	ActorPublicKey string            `json:"actor_public_key"`
	Role           string            `json:"role"`
	Action         string            `json:"action"`
	TargetType     string            `json:"target_type"`
	TargetID       string            `json:"target_id"`
	Reason         string            `json:"reason"`
	Hashes         map[string]string `json:"hashes"`
	Details        map[string]string `json:"details"`
	PrevHash       string            `json:"prev_hash"`
	EntryHash      string            `json:"entry_hash"`
	Signature      string            `json:"signature"`
}

func TestCustodyJSONL(t *testing.T) {
	x := newLedger(t)
	if len(x.Entries) < 5 {
		t.Fatalf("fixture has %d entries, want at least 5", len(x.Entries))
	}
	var buf bytes.Buffer
	if err := reports.WriteCustodyJSONL(&buf, x); err != nil {
		t.Fatal(err)
	}
	out := buf.Bytes()
	assertInert(t, out)
	if !bytes.HasSuffix(out, []byte("\n")) {
		t.Fatal("output does not end with a newline")
	}
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(lines) != len(x.Entries) {
		t.Fatalf("%d lines for %d entries", len(lines), len(x.Entries))
	}
	keys := make(map[uuid.UUID][]byte)
	for _, ex := range x.Examiners {
		keys[ex.ID] = ex.PublicKey
	}
	caseUUID := x.Case.CaseUUID
	prev := casefile.GenesisHash(caseUUID).String()
	for i, line := range lines {
		e := x.Entries[i]
		var raw map[string]json.RawMessage
		if err := json.Unmarshal([]byte(line), &raw); err != nil {
			t.Fatalf("line %d does not parse: %v", i+1, err)
		}
		if got := slices.Sorted(maps.Keys(raw)); !slices.Equal(got, jsonlKeys) {
			t.Errorf("line %d keys %v, want %v", i+1, got, jsonlKeys)
		}
		var l jsonlLine
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			t.Fatal(err)
		}
		if l.Seq != int64(i+1) || l.Seq != e.Seq {
			t.Errorf("line %d has seq %d, entry seq %d", i+1, l.Seq, e.Seq)
		}
		if want := e.Time.UTC().Format("2006-01-02T15:04:05.000Z"); l.Time != want {
			t.Errorf("seq %d time %q, want %q", l.Seq, l.Time, want)
		}
		if tm, err := time.Parse(time.RFC3339Nano, l.Time); err != nil || !tm.Equal(e.Time) {
			t.Errorf("seq %d time %q does not parse back to %v (%v)", l.Seq, l.Time, e.Time, err)
		}
		if l.EntryHash != e.Hash.String() {
			t.Errorf("seq %d entry_hash %s, want %s", l.Seq, l.EntryHash, e.Hash)
		}
		if l.PrevHash != prev {
			t.Errorf("seq %d prev_hash %s does not link to %s", l.Seq, l.PrevHash, prev)
		}
		prev = l.EntryHash
		if l.ActorID != e.ActorID.String() || l.Actor != e.Actor || l.Role != string(e.Role) ||
			l.Action != string(e.Action) || l.TargetType != e.Target.Type || l.TargetID != e.Target.ID {
			t.Errorf("seq %d: line %+v does not match entry %+v", l.Seq, l, e)
		}
		if l.Reason != e.Reason {
			t.Errorf("seq %d reason %q, want %q", l.Seq, l.Reason, e.Reason)
		}
		if !maps.Equal(l.Hashes, e.Hashes) || !maps.Equal(l.Details, e.Details) {
			t.Errorf("seq %d hashes %v details %v, want %v %v", l.Seq, l.Hashes, l.Details, e.Hashes, e.Details)
		}
		if l.Hashes == nil || l.Details == nil {
			t.Errorf("seq %d: hashes or details is null, want an object", l.Seq)
		}

		// What a consumer checks: the signature over the entry hash, under the
		// key on the line, which is the examiner's key on record.
		pub, err := hex.DecodeString(l.ActorPublicKey)
		if err != nil || len(pub) != ed25519.PublicKeySize {
			t.Fatalf("seq %d actor_public_key %q: %v", l.Seq, l.ActorPublicKey, err)
		}
		if !bytes.Equal(pub, keys[e.ActorID]) {
			t.Errorf("seq %d signed with a key that is not %s's", l.Seq, e.Actor)
		}
		sig, err := hex.DecodeString(l.Signature)
		if err != nil {
			t.Fatal(err)
		}
		d, err := casefile.ParseDigest(l.EntryHash)
		if err != nil {
			t.Fatal(err)
		}
		if !ed25519.Verify(pub, casefile.SignedMessage(caseUUID, d), sig) {
			t.Errorf("seq %d signature does not verify", l.Seq)
		}
		d[0] ^= 1
		if ed25519.Verify(pub, casefile.SignedMessage(caseUUID, d), sig) {
			t.Errorf("seq %d signature verifies over a changed hash", l.Seq)
		}
	}

	ingest := entryByAction(t, x, casefile.ActionEvidenceIngested)
	var l jsonlLine
	if err := json.Unmarshal([]byte(lines[ingest.Seq-1]), &l); err != nil {
		t.Fatal(err)
	}
	if l.Reason != hostileReason || l.Hashes["sha256"] != imageSHA256 || l.Details["label"] != "</script>\u2028\"x\"" {
		t.Errorf("hostile text or hashes did not round-trip: %+v", l)
	}

	var again bytes.Buffer
	if err := reports.WriteCustodyJSONL(&again, x); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out, again.Bytes()) {
		t.Error("two exports of the same ledger differ")
	}
}

// caseDoc is a parsed CASE export with its nodes indexed.
type caseDoc struct {
	context map[string]any
	graph   []map[string]any
	defs    map[string]map[string]any // every node object with an @id and content, at any depth
	refs    []string                  // every {"@id": …} reference
}

func parseCASE(t *testing.T, out []byte) *caseDoc {
	t.Helper()
	var doc struct {
		Context map[string]any   `json:"@context"`
		Graph   []map[string]any `json:"@graph"`
	}
	dec := json.NewDecoder(bytes.NewReader(out))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("CASE export does not parse: %v", err)
	}
	d := &caseDoc{context: doc.Context, graph: doc.Graph, defs: make(map[string]map[string]any)}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if id, ok := v["@id"].(string); ok {
				if len(v) == 1 {
					d.refs = append(d.refs, id)
				} else {
					if _, dup := d.defs[id]; dup {
						t.Errorf("node %s is defined twice", id)
					}
					d.defs[id] = v
				}
			}
			for _, c := range v {
				walk(c)
			}
		case []any:
			for _, c := range v {
				walk(c)
			}
		}
	}
	for _, n := range doc.Graph {
		walk(n)
	}
	return d
}

func types(n map[string]any) []string {
	switch v := n["@type"].(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, s := range v {
			out = append(out, s.(string))
		}
		return out
	}
	return nil
}

func (d *caseDoc) ofType(typ string) []map[string]any {
	var out []map[string]any
	for _, n := range d.defs {
		if slices.Contains(types(n), typ) {
			out = append(out, n)
		}
	}
	slices.SortFunc(out, func(a, b map[string]any) int { return strings.Compare(a["@id"].(string), b["@id"].(string)) })
	return out
}

// ids returns the @ids a property refers to, whether one object or a list.
func ids(v any) []string {
	switch v := v.(type) {
	case map[string]any:
		if id, ok := v["@id"].(string); ok {
			return []string{id}
		}
	case []any:
		var out []string
		for _, c := range v {
			out = append(out, ids(c)...)
		}
		return out
	}
	return nil
}

func strs(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, c := range v {
			if s, ok := c.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func typedValue(t *testing.T, v any, wantType string) string {
	t.Helper()
	m, ok := v.(map[string]any)
	if !ok || m["@type"] != wantType {
		t.Errorf("%v is not a %s literal", v, wantType)
		return ""
	}
	s, _ := m["@value"].(string)
	return s
}

var iriPattern = regexp.MustCompile(`^kb:[a-z-]+-[0-9a-f]{8}-[0-9a-f]{4}-[0-5][0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$`)

func TestCustodyCASE(t *testing.T) {
	x := newLedger(t)
	var buf bytes.Buffer
	if err := reports.WriteCustodyCASE(&buf, x); err != nil {
		t.Fatal(err)
	}
	out := buf.Bytes()
	assertInert(t, out)
	d := parseCASE(t, out)

	wantContext := map[string]string{
		"case-investigation": "https://ontology.caseontology.org/case/investigation/",
		"kb":                 "urn:custodia:" + x.Case.CaseUUID.String() + ":",
		"uco-action":         "https://ontology.unifiedcyberontology.org/uco/action/",
		"uco-core":           "https://ontology.unifiedcyberontology.org/uco/core/",
		"uco-identity":       "https://ontology.unifiedcyberontology.org/uco/identity/",
		"uco-observable":     "https://ontology.unifiedcyberontology.org/uco/observable/",
		"uco-role":           "https://ontology.unifiedcyberontology.org/uco/role/",
		"uco-tool":           "https://ontology.unifiedcyberontology.org/uco/tool/",
		"uco-types":          "https://ontology.unifiedcyberontology.org/uco/types/",
		"uco-vocabulary":     "https://ontology.unifiedcyberontology.org/uco/vocabulary/",
		"xsd":                "http://www.w3.org/2001/XMLSchema#",
	}
	for k, v := range wantContext {
		if d.context[k] != v {
			t.Errorf("@context %s = %v, want %s", k, d.context[k], v)
		}
	}

	// Every reference resolves, and every identifier is a kb: IRI ending in a UUID.
	for _, id := range d.refs {
		if d.defs[id] == nil {
			t.Errorf("%s is referenced but not in the graph", id)
		}
	}
	for id := range d.defs {
		if !iriPattern.MatchString(id) {
			t.Errorf("@id %q is not kb:<kind>-<UUID>", id)
		}
	}

	invs := d.ofType("case-investigation:Investigation")
	if len(invs) != 1 {
		t.Fatalf("%d investigations, want 1", len(invs))
	}
	inv := invs[0]
	if inv["@id"] != "kb:investigation-"+x.Case.CaseUUID.String() || inv["uco-core:name"] != x.Case.Title ||
		inv["uco-core:description"] != x.Case.Description {
		t.Errorf("investigation %v does not carry the case", inv)
	}
	if got := typedValue(t, inv["uco-core:objectCreatedTime"], "xsd:dateTime"); got != x.Case.Created.UTC().Format("2006-01-02T15:04:05.000Z") {
		t.Errorf("investigation created %q, case created %v", got, x.Case.Created)
	}
	if got := len(ids(inv["uco-core:object"])); got != len(d.graph)-1 {
		t.Errorf("investigation lists %d objects, graph has %d other nodes", got, len(d.graph)-1)
	}
	refsCaseNumber := false
	for _, id := range ids(inv["uco-core:externalReference"]) {
		refsCaseNumber = refsCaseNumber || d.defs[id]["uco-core:externalIdentifier"] == x.Case.CaseNumber
	}
	if !refsCaseNumber {
		t.Error("the case number is not an external reference of the investigation")
	}

	tools := d.ofType("uco-tool:Tool")
	if len(tools) != 1 || tools[0]["uco-core:name"] != "Custodia" || tools[0]["uco-tool:version"] != "0.1.0" ||
		tools[0]["uco-tool:toolType"] != reports.CustodyToolType {
		t.Fatalf("tools %v, want exactly one Custodia 0.1.0", tools)
	}
	toolID := tools[0]["@id"].(string)

	persons := d.ofType("uco-identity:Person")
	if len(persons) != len(x.Examiners) {
		t.Errorf("%d persons for %d examiners", len(persons), len(x.Examiners))
	}
	for _, ex := range x.Examiners {
		p := d.defs["kb:person-"+ex.ID.String()]
		if p == nil || p["uco-core:name"] != ex.Name {
			t.Errorf("no person for examiner %s: %v", ex.Name, p)
		}
		// Each role the examiner holds is a Has_Role relationship to a Role of that title.
		var titles []string
		for _, r := range d.ofType("uco-core:Relationship") {
			if slices.Equal(ids(r["uco-core:source"]), []string{"kb:person-" + ex.ID.String()}) && r["uco-core:kindOfRelationship"] == "Has_Role" && r["uco-core:isDirectional"] == true {
				for _, rid := range ids(r["uco-core:target"]) {
					if slices.Contains(types(d.defs[rid]), "uco-role:Role") {
						titles = append(titles, d.defs[rid]["uco-core:name"].(string))
					}
				}
			}
		}
		var want []string
		for _, r := range ex.Roles {
			want = append(want, r.Title())
		}
		slices.Sort(titles)
		slices.Sort(want)
		if !slices.Equal(titles, want) {
			t.Errorf("%s has roles %v in the export, %v in the case", ex.Name, titles, want)
		}
	}

	// The per-entry annotations tie each action to its entry and carry its hashes and signature.
	actions := d.ofType("case-investigation:InvestigativeAction")
	if len(actions) != len(x.Entries) {
		t.Fatalf("%d investigative actions for %d entries", len(actions), len(x.Entries))
	}
	actionBySeq := make(map[string]map[string]any)
	statementsBySeq := make(map[string][]string)
	for _, a := range d.ofType("uco-core:Annotation") {
		if !slices.Contains(strs(a["uco-core:tag"]), reports.TagCustodyEntry) {
			continue
		}
		st := strs(a["uco-core:statement"])
		var seq string
		for _, s := range st {
			if v, ok := strings.CutPrefix(s, "seq="); ok {
				seq = v
			}
		}
		obj := ids(a["uco-core:object"])
		if len(obj) != 1 || seq == "" {
			t.Fatalf("entry annotation %v names no single action or seq", a)
		}
		actionBySeq[seq] = d.defs[obj[0]]
		statementsBySeq[seq] = st
	}
	for _, e := range x.Entries {
		seq := fmt.Sprint(e.Seq)
		a := actionBySeq[seq]
		if a == nil || !slices.Contains(types(a), "case-investigation:InvestigativeAction") {
			t.Fatalf("no action for entry %s", seq)
		}
		if a["uco-core:name"] != string(e.Action) {
			t.Errorf("entry %s action named %v, want %s", seq, a["uco-core:name"], e.Action)
		}
		if e.Reason != "" && a["uco-core:description"] != e.Reason {
			t.Errorf("entry %s description %q, want %q", seq, a["uco-core:description"], e.Reason)
		}
		wantTime := e.Time.UTC().Format("2006-01-02T15:04:05.000Z")
		if typedValue(t, a["uco-action:startTime"], "xsd:dateTime") != wantTime || typedValue(t, a["uco-action:endTime"], "xsd:dateTime") != wantTime {
			t.Errorf("entry %s times %v %v, want %s", seq, a["uco-action:startTime"], a["uco-action:endTime"], wantTime)
		}
		perf := ids(a["uco-action:performer"])
		if len(perf) != 1 || !slices.Contains(types(d.defs[perf[0]]), "uco-identity:Person") || d.defs[perf[0]]["uco-core:name"] != e.Actor {
			t.Errorf("entry %s performer %v is not the person %s", seq, perf, e.Actor)
		}
		if !slices.Equal(ids(a["uco-action:instrument"]), []string{toolID}) {
			t.Errorf("entry %s instrument %v, want the tool", seq, a["uco-action:instrument"])
		}
		if len(ids(a["uco-action:object"])) != 1 {
			t.Errorf("entry %s has objects %v, want its one target", seq, a["uco-action:object"])
		}
		for _, want := range []string{
			"entry_hash=" + e.Hash.String(), "prev_hash=" + e.PrevHash.String(),
			"signature=" + hex.EncodeToString(e.Signature), "signer_public_key=" + hex.EncodeToString(e.ActorKey),
			"role=" + string(e.Role),
		} {
			if !slices.Contains(statementsBySeq[seq], want) {
				t.Errorf("entry %s annotation lacks %q", seq, want)
			}
		}
	}

	// Content hashes come over exactly, as uco-types:Hash in the result's ContentDataFacet.
	ingest := entryByAction(t, x, casefile.ActionEvidenceIngested)
	ingestAction := actionBySeq[fmt.Sprint(ingest.Seq)]
	got := make(map[string]string)
	var provenance []string
	for _, rid := range ids(ingestAction["uco-action:result"]) {
		r := d.defs[rid]
		if slices.Contains(types(r), "case-investigation:ProvenanceRecord") {
			provenance = append(provenance, rid)
		}
		if !slices.Contains(types(r), "uco-observable:ContentData") {
			continue
		}
		for _, fid := range ids(r["uco-core:hasFacet"]) {
			f := d.defs[fid]
			if !slices.Contains(types(f), "uco-observable:ContentDataFacet") {
				continue
			}
			for _, hid := range ids(f["uco-observable:hash"]) {
				h := d.defs[hid]
				method := typedValue(t, h["uco-types:hashMethod"], "uco-vocabulary:HashNameVocab")
				got[method] = typedValue(t, h["uco-types:hashValue"], "xsd:hexBinary")
			}
		}
	}
	if want := map[string]string{"MD5": imageMD5, "SHA1": imageSHA1, "SHA256": imageSHA256}; !maps.Equal(got, want) {
		t.Errorf("ingest hashes %v, want %v", got, want)
	}

	// The evidence has one provenance record, the ingest's result, whose exhibit number is the evidence id.
	if len(provenance) != 1 {
		t.Fatalf("ingest results hold %d provenance records, want 1", len(provenance))
	}
	pr := d.defs[provenance[0]]
	target := ids(ingestAction["uco-action:object"])
	if pr["case-investigation:exhibitNumber"] != evidenceID || !slices.Equal(ids(pr["uco-core:object"]), target) {
		t.Errorf("provenance record %v does not name evidence %s (%v)", pr, evidenceID, target)
	}
	evidenceRecords := 0
	for _, r := range d.ofType("case-investigation:ProvenanceRecord") {
		if slices.Equal(ids(r["uco-core:object"]), target) {
			evidenceRecords++
		}
	}
	if evidenceRecords != 1 {
		t.Errorf("%d provenance records for the evidence, want 1", evidenceRecords)
	}
	verify := actionBySeq[fmt.Sprint(entryByAction(t, x, casefile.ActionEvidenceVerified).Seq)]
	if !slices.Equal(ids(verify["uco-action:object"]), target) {
		t.Error("ingest and verification do not act on the same evidence node")
	}
	for _, rid := range ids(verify["uco-action:result"]) {
		if rid == provenance[0] {
			t.Error("the verification claims to have brought the evidence in")
		}
	}

	// Details and non-content hashes are action arguments.
	added := entryByAction(t, x, casefile.ActionExaminerAdded)
	args := make(map[string]string)
	for _, fid := range ids(actionBySeq[fmt.Sprint(added.Seq)]["uco-core:hasFacet"]) {
		f := d.defs[fid]
		if slices.Contains(types(f), "uco-action:ActionArgumentFacet") {
			args[f["uco-action:argumentName"].(string)] = f["uco-action:value"].(string)
		}
	}
	if args["hashes.ed25519_public_key"] != added.Hashes["ed25519_public_key"] || args["details.name"] != "Grace Hopper" {
		t.Errorf("examiner.added arguments %v", args)
	}

	// The head annotation names the head and when the export was made.
	var heads []map[string]any
	for _, a := range d.ofType("uco-core:Annotation") {
		if slices.Contains(strs(a["uco-core:tag"]), reports.TagLedgerHead) {
			heads = append(heads, a)
		}
	}
	if len(heads) != 1 {
		t.Fatalf("%d head annotations, want 1", len(heads))
	}
	for _, want := range []string{
		"case_uuid=" + x.Case.CaseUUID.String(), fmt.Sprintf("head_seq=%d", x.HeadSeq), "head_hash=" + x.Head.String(),
	} {
		if !slices.Contains(strs(heads[0]["uco-core:statement"]), want) {
			t.Errorf("head annotation lacks %q", want)
		}
	}
	if got := typedValue(t, heads[0]["uco-core:objectCreatedTime"], "xsd:dateTime"); got != "2026-11-27T08:30:00.123Z" {
		t.Errorf("head annotation created %q", got)
	}

	var again bytes.Buffer
	if err := reports.WriteCustodyCASE(&again, x); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out, again.Bytes()) {
		t.Error("two exports of the same ledger differ")
	}
}

// fixedLedger is a small ledger built without a case file, so every byte of
// its exports is fixed: fixed UUIDs and times, Ed25519 keys from fixed seeds
// (Ed25519 signing is deterministic) and entry hashes over stand-in sealed
// bytes. Its signatures verify like real ones.
func fixedLedger() reports.CustodyExport {
	caseID := uuid.MustParse("6f1c1a52-8a4e-4c55-9d0f-2b7d3c9e5a10")
	ada := casefile.Examiner{
		ID: uuid.MustParse("1d7e0c3a-2b4f-4a6e-8c9d-0e1f2a3b4c5d"), Name: "Ada Lovelace",
		Roles: []casefile.Role{casefile.RoleForensicEngineer}, Created: casefile.TestTime, Active: true,
	}
	grace := casefile.Examiner{
		ID: uuid.MustParse("9a8b7c6d-5e4f-4a3b-8c1d-0e9f8a7b6c5d"), Name: "Grace Hopper",
		Roles:   []casefile.Role{casefile.RoleLegalAdvisor, casefile.RoleSecurityIncidentManager},
		Created: casefile.TestTime.Add(time.Minute), Active: true,
	}
	keys := map[uuid.UUID]ed25519.PrivateKey{
		ada.ID:   ed25519.NewKeyFromSeed(bytes.Repeat([]byte{1}, ed25519.SeedSize)),
		grace.ID: ed25519.NewKeyFromSeed(bytes.Repeat([]byte{2}, ed25519.SeedSize)),
	}
	ada.PublicKey = keys[ada.ID].Public().(ed25519.PublicKey)
	grace.PublicKey = keys[grace.ID].Public().(ed25519.PublicKey)

	type event struct {
		actor  casefile.Examiner
		role   casefile.Role
		action casefile.Action
		target casefile.Target
		reason string
		hashes map[string]string
		detail map[string]string
	}
	events := []event{
		{ada, casefile.RoleForensicEngineer, casefile.ActionCaseCreated, casefile.Target{Type: casefile.TargetCase, ID: caseID.String()},
			"Incident declared", nil, map[string]string{"title": "Breach at Contoso", "case_number": "IR-2026-0042"}},
		{ada, casefile.RoleForensicEngineer, casefile.ActionExaminerAdded, casefile.Target{Type: casefile.TargetExaminer, ID: grace.ID.String()},
			"Counsel joins the case", map[string]string{"ed25519_public_key": hex.EncodeToString(grace.PublicKey)},
			map[string]string{"name": grace.Name, "roles": "legal-advisor,security-incident-manager"}},
		{ada, casefile.RoleForensicEngineer, casefile.ActionEvidenceIngested, casefile.Target{Type: casefile.TargetEvidence, ID: evidenceID},
			hostileReason, map[string]string{"md5": imageMD5, "sha1": imageSHA1, "sha256": imageSHA256},
			map[string]string{"name": "srv01.E01", "label": "</script>\u2028\"x\""}},
		{grace, casefile.RoleLegalAdvisor, casefile.ActionEvidenceVerified, casefile.Target{Type: casefile.TargetEvidence, ID: evidenceID},
			"", map[string]string{"sha256": imageSHA256}, map[string]string{"result": "ok"}},
		{grace, casefile.RoleLegalAdvisor, casefile.ActionLedgerVerified, casefile.Target{Type: casefile.TargetLedger, ID: caseID.String()},
			"Before export", map[string]string{"head_sha256": strings.Repeat("ab", 32)}, nil},
	}
	x := reports.CustodyExport{
		Case: casefile.Info{
			Title: "Breach at Contoso", CaseNumber: "IR-2026-0042", Examiner: ada.Name,
			Description: "Ransomware on the file server.", Created: casefile.TestTime, CaseUUID: caseID, FormatVersion: 2,
		},
		Examiners: []casefile.Examiner{ada, grace},
		Tool:      testTool,
		Generated: testGenerate,
	}
	prev := casefile.GenesisHash(caseID)
	for i, ev := range events {
		seq := int64(i + 1)
		hash := casefile.EntryHash(prev, seq, []byte(fmt.Sprintf("sealed entry %d", seq)))
		x.Entries = append(x.Entries, casefile.CustodyEntry{
			Seq: seq, Time: casefile.TestTime.Add(time.Duration(seq) * 1250 * time.Millisecond),
			ActorID: ev.actor.ID, Actor: ev.actor.Name, ActorKey: ev.actor.PublicKey, Role: ev.role,
			Action: ev.action, Target: ev.target, Reason: ev.reason, Hashes: ev.hashes, Details: ev.detail,
			PrevHash: prev, Hash: hash, Signature: ed25519.Sign(keys[ev.actor.ID], casefile.SignedMessage(caseID, hash)),
		})
		prev = hash
	}
	x.HeadSeq, x.Head = int64(len(events)), prev
	return x
}

// TestCustodyGolden compares both exports of fixedLedger with
// testdata/custody.golden.jsonl and testdata/custody_case.golden.json byte
// for byte. After a deliberate change, run
// `go test ./reports -run Golden -update` and review the diff.
func TestCustodyGolden(t *testing.T) {
	x := fixedLedger()
	for _, g := range []struct {
		file  string
		write func(io.Writer, reports.CustodyExport) error
	}{
		{"custody.golden.jsonl", reports.WriteCustodyJSONL},
		{"custody_case.golden.json", reports.WriteCustodyCASE},
	} {
		var buf bytes.Buffer
		if err := g.write(&buf, x); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join("testdata", g.file)
		if *update {
			if err := os.MkdirAll("testdata", 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run with -update to create it)", err)
		}
		if !bytes.Equal(buf.Bytes(), want) {
			t.Errorf("export differs from %s; run with -update and review the diff.\ngot:\n%s", path, buf.Bytes())
		}
	}
}

// TestCustodyCASEUnknownActor: an entry whose actor is missing from the
// examiners given still has a performer that resolves.
func TestCustodyCASEUnknownActor(t *testing.T) {
	x := fixedLedger()
	x.Examiners = x.Examiners[:1] // Grace, who acted in entries 4 and 5, is missing
	var buf bytes.Buffer
	if err := reports.WriteCustodyCASE(&buf, x); err != nil {
		t.Fatal(err)
	}
	d := parseCASE(t, buf.Bytes())
	for _, id := range d.refs {
		if d.defs[id] == nil {
			t.Errorf("%s is referenced but not in the graph", id)
		}
	}
	grace := d.defs["kb:person-"+x.Entries[4].ActorID.String()]
	if grace == nil || grace["uco-core:name"] != "Grace Hopper" {
		t.Errorf("no person for the unlisted actor: %v", grace)
	}
}

func TestCustodyExportRefusesInconsistentInput(t *testing.T) {
	x := newLedger(t)
	swapped := slices.Clone(x.Entries)
	swapped[1], swapped[2] = swapped[2], swapped[1]
	stale := x
	stale.Entries = x.Entries[:len(x.Entries)-1] // head read after one more append

	cases := []struct {
		name   string
		modify func(*reports.CustodyExport)
		jsonl  bool // WriteCustodyJSONL refuses it too
	}{
		{"entries out of order", func(x *reports.CustodyExport) { x.Entries = swapped }, true},
		{"head not the last entry", func(x *reports.CustodyExport) { *x = stale }, false},
		{"head hash differs", func(x *reports.CustodyExport) { x.Head[0] ^= 1 }, false},
		{"no tool name", func(x *reports.CustodyExport) { x.Tool.Name = "" }, false},
		{"no generation time", func(x *reports.CustodyExport) { x.Generated = time.Time{} }, false},
		{"no case UUID", func(x *reports.CustodyExport) { x.Case.CaseUUID = uuid.Nil }, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			bad := x
			tc.modify(&bad)
			var buf bytes.Buffer
			if err := reports.WriteCustodyCASE(&buf, bad); err == nil || buf.Len() != 0 {
				t.Errorf("CASE export: err %v, %d bytes written; want an error and nothing written", err, buf.Len())
			}
			buf.Reset()
			err := reports.WriteCustodyJSONL(&buf, bad)
			if tc.jsonl && (err == nil || buf.Len() != 0) {
				t.Errorf("JSONL export: err %v, %d bytes written; want an error and nothing written", err, buf.Len())
			}
			if !tc.jsonl && err != nil {
				t.Errorf("JSONL export: %v", err)
			}
		})
	}
}

type failingWriter struct{}

var errDiskFull = errors.New("disk full")

func (failingWriter) Write([]byte) (int, error) { return 0, errDiskFull }

func TestCustodyExportReportsWriteErrors(t *testing.T) {
	x := newLedger(t)
	if err := reports.WriteCustodyJSONL(failingWriter{}, x); !errors.Is(err, errDiskFull) {
		t.Errorf("JSONL: %v, want the writer's error", err)
	}
	if err := reports.WriteCustodyCASE(failingWriter{}, x); !errors.Is(err, errDiskFull) {
		t.Errorf("CASE: %v, want the writer's error", err)
	}
}

// TestCustodyCASEExaminerOrder: the order examiners come in does not change
// the export (the case file does not promise one).
func TestCustodyCASEExaminerOrder(t *testing.T) {
	x := fixedLedger()
	var a, b bytes.Buffer
	if err := reports.WriteCustodyCASE(&a, x); err != nil {
		t.Fatal(err)
	}
	x.Examiners = slices.Clone(x.Examiners)
	slices.Reverse(x.Examiners)
	if err := reports.WriteCustodyCASE(&b, x); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("reordering the examiners changed the export")
	}
}

func TestExportRefusesUnreadableEntries(t *testing.T) {
	entries := []casefile.CustodyEntry{{Seq: 1, Action: "case.created"}, {Seq: 2, Action: "(unreadable)", Unreadable: "custody_ledger/2 failed authentication"}}
	x := reports.CustodyExport{Entries: entries, HeadSeq: 2}
	var buf bytes.Buffer
	if err := reports.WriteCustodyJSONL(&buf, x); !errors.Is(err, casefile.ErrLedgerBroken) || !strings.Contains(err.Error(), "custody entry 2 cannot be decrypted") || buf.Len() != 0 {
		t.Fatalf("JSONL: %v (%d bytes written)", err, buf.Len())
	}
}
