package reports

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/custodia-dfir/custodia/casefile"
)

// CASE/UCO namespaces (CASE 1.3, UCO 1.3), as the ontologies spell them.
var caseContextPrefixes = map[string]string{
	"case-investigation": "https://ontology.caseontology.org/case/investigation/",
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

// CustodyToolType is the uco-tool:toolType given to the exporting tool.
const CustodyToolType = "forensic workstation"

// Tags on the uco-core:Annotation nodes that carry the ledger's integrity data.
const (
	TagCustodyEntry = "custody-ledger-entry"
	TagLedgerHead   = "custody-ledger-head"
)

// creationVerbs are the last parts of action names ("evidence.ingested")
// whose entry brought its target into the case: that action's
// uco-action:result is the target's provenance record.
var creationVerbs = []string{"created", "added", "recovery-added", "acquired", "ingested", "imported"}

// hashMethods maps a custody hash key, lower-cased with '-' and '_' removed,
// to its uco-vocabulary:HashNameVocab name and digest length in bytes.
var hashMethods = map[string]struct {
	name string
	size int
}{
	"md5":    {"MD5", 16},
	"sha1":   {"SHA1", 20},
	"sha224": {"SHA224", 28},
	"sha256": {"SHA256", 32},
	"sha384": {"SHA384", 48},
	"sha512": {"SHA512", 64},
}

// WriteCustodyCASE writes the custody ledger as one CASE/UCO JSON-LD
// document (CASE 1.3, UCO 1.3) for other forensic tools.
//
// The "@context" binds the CASE and UCO prefixes and "kb" to
// "urn:custodia:<case UUID>:". The "@graph" holds, in this order:
//
//   - case-investigation:Investigation for the case: uco-core:name (title),
//     uco-core:description (when set), uco-core:objectCreatedTime,
//     uco-core:externalReference (a uco-core:ExternalReference whose
//     uco-core:externalIdentifier is the case number, when set) and
//     uco-core:object listing every other top-level node.
//   - uco-tool:Tool for x.Tool: uco-core:name, uco-tool:version,
//     uco-tool:toolType "forensic workstation". It is the
//     uco-action:instrument of every action; its version is the exporting
//     build's, not necessarily the one that recorded each entry.
//   - uco-identity:Person per examiner (uco-core:name), in the order they
//     were added, plus one per actor
//     of an entry missing from x.Examiners, so every performer resolves.
//   - uco-role:Role per role held (uco-core:name = the role's title), and
//     a uco-core:Relationship per examiner and role: uco-core:source the
//     Person, uco-core:target the Role, uco-core:kindOfRelationship
//     "Has_Role", uco-core:isDirectional true.
//   - A node per distinct entry target other than the case (which is the
//     Investigation) and examiners (their Person): a
//     uco-observable:ObservableObject named by the "name" detail of the
//     entry that brought it in (an evidence item's file name), else
//     "<type> <id>"; and for each, a case-investigation:ProvenanceRecord
//     with uco-core:object the target and case-investigation:exhibitNumber
//     the target id.
//   - Per entry, a case-investigation:InvestigativeAction: uco-core:name
//     the action, uco-core:description the reason (when set),
//     uco-action:startTime and uco-action:endTime the entry time,
//     uco-action:performer the Person, uco-action:instrument the Tool,
//     uco-action:object the target, uco-action:result the target's
//     ProvenanceRecord when the action brought the target in (its verb is
//     created, added, recovery-added, acquired, ingested or imported and it
//     is the first such entry for the target), and uco-core:hasFacet one
//     uco-action:ActionArgumentFacet per detail ("details.<key>") and per
//     hash that is not a content hash ("hashes.<key>").
//     Content hashes — keys md5, sha1, sha224, sha256, sha384 or sha512
//     (any case, '-' and '_' ignored) with a hex value of the right length —
//     become uco-types:Hash nodes (uco-types:hashMethod as
//     uco-vocabulary:HashNameVocab, uco-types:hashValue as xsd:hexBinary,
//     exactly as recorded) in the uco-observable:ContentDataFacet of a
//     uco-observable:ContentData node that is a uco-action:result of the
//     action: the content as hashed by that entry.
//   - Per entry, a uco-core:Annotation tagged "custody-ledger-entry" with
//     uco-core:object the action and uco-core:statement values "seq=…",
//     "role=…", "signer_public_key=…", "prev_hash=…", "entry_hash=…" and
//     "signature=…" (hex).
//   - Last, a uco-core:Annotation tagged "custody-ledger-head" about the
//     Investigation and the last action, with statements "case_uuid=…",
//     "head_seq=…" and "head_hash=…", and uco-core:objectCreatedTime
//     x.Generated.
//
// Every @id is "kb:<kind>-<UUID>": the case UUID, an examiner's UUID, or a
// name-based (version 5) UUID derived from the case UUID and the entry
// sequence number, examiner, role or target, so the same ledger always gives
// the same bytes and no text from the case ever appears in an identifier.
// Times are xsd:dateTime in UTC with milliseconds. All text is encoded by
// encoding/json, which escapes control characters, U+2028, U+2029, <, >
// and &.
//
// The export is refused before anything is written when the case has no
// UUID, the tool no name, Generated is zero, entries are out of order, or
// the head is not the last entry.
func WriteCustodyCASE(w io.Writer, x CustodyExport) error {
	if err := checkCASEExport(x); err != nil {
		return fmt.Errorf("write custody CASE export: %w", err)
	}
	if err := checkReadable(x.Entries); err != nil {
		return fmt.Errorf("write custody CASE export: %w", err)
	}
	doc := map[string]any{
		"@context": caseContext(x.Case.CaseUUID),
		"@graph":   buildCustodyGraph(x),
	}
	b, err := json.MarshalIndent(doc, "", "    ")
	if err != nil {
		return fmt.Errorf("write custody CASE export: %w", err)
	}
	if _, err := w.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("write custody CASE export: %w", err)
	}
	return nil
}

func checkCASEExport(x CustodyExport) error {
	switch {
	case x.Case.CaseUUID == uuid.Nil:
		return errors.New("the case has no UUID")
	case x.Tool.Name == "":
		return errors.New("the exporting tool has no name")
	case x.Generated.IsZero():
		return errors.New("the export has no generation time")
	}
	if err := checkEntryOrder(x.Entries); err != nil {
		return err
	}
	return checkHead(x)
}

func caseContext(caseUUID uuid.UUID) map[string]string {
	ctx := make(map[string]string, len(caseContextPrefixes)+1)
	for k, v := range caseContextPrefixes {
		ctx[k] = v
	}
	ctx["kb"] = "urn:custodia:" + caseUUID.String() + ":"
	return ctx
}

// node is one JSON-LD node object; encoding/json writes its keys sorted.
type node = map[string]any

func ref(id string) map[string]string { return map[string]string{"@id": id} }

func refs(ids ...string) []map[string]string {
	out := make([]map[string]string, len(ids))
	for i, id := range ids {
		out[i] = ref(id)
	}
	return out
}

func typed(datatype, value string) map[string]string {
	return map[string]string{"@type": datatype, "@value": value}
}

// custodyGraph collects the top-level nodes of the export in order.
type custodyGraph struct {
	caseUUID uuid.UUID
	nodes    []node
}

// iri returns "kb:<kind>-<UUID>" with a name-based UUID from the case UUID,
// kind and key. Keys may hold any text; only its hash reaches the IRI.
func (g *custodyGraph) iri(kind string, key ...string) string {
	name := kind + "\x00" + strings.Join(key, "\x00")
	return "kb:" + kind + "-" + uuid.NewSHA1(g.caseUUID, []byte(name)).String()
}

func (g *custodyGraph) add(n node) string {
	g.nodes = append(g.nodes, n)
	return n["@id"].(string)
}

// custodyTarget is one distinct target of the ledger.
type custodyTarget struct {
	iri        string // the node the actions point at
	provenance string // its ProvenanceRecord, "" for the case and examiners
	createdBy  int64  // seq of the entry that brought it in, 0 if none
	name       string // the "name" detail of that entry, if any
}

func targetKey(t casefile.Target) string { return t.Type + "\x00" + t.ID }

func buildCustodyGraph(x CustodyExport) []node {
	g := &custodyGraph{caseUUID: x.Case.CaseUUID}
	investigation := "kb:investigation-" + x.Case.CaseUUID.String()
	inv := node{
		"@id":                        investigation,
		"@type":                      "case-investigation:Investigation",
		"uco-core:name":              x.Case.Title,
		"uco-core:objectCreatedTime": typed("xsd:dateTime", exportTime(x.Case.Created)),
	}
	if x.Case.Description != "" {
		inv["uco-core:description"] = x.Case.Description
	}
	if x.Case.CaseNumber != "" {
		inv["uco-core:externalReference"] = []node{{
			"@id":                         g.iri("external-reference", "case-number"),
			"@type":                       "uco-core:ExternalReference",
			"uco-core:definingContext":    "case number",
			"uco-core:externalIdentifier": x.Case.CaseNumber,
		}}
	}
	g.add(inv)

	tool := node{
		"@id":               g.iri("tool", "exporter"),
		"@type":             "uco-tool:Tool",
		"uco-core:name":     x.Tool.Name,
		"uco-tool:toolType": CustodyToolType,
	}
	if x.Tool.Version != "" {
		tool["uco-tool:version"] = x.Tool.Version
	}
	toolID := g.add(tool)

	persons := addPersons(g, x)
	targets := addTargets(g, x, investigation, persons)

	var lastAction string
	for _, e := range x.Entries {
		lastAction = addEntry(g, e, persons[e.ActorID], toolID, targets[targetKey(e.Target)])
	}

	head := node{
		"@id":           g.iri("annotation", "ledger-head"),
		"@type":         "uco-core:Annotation",
		"uco-core:name": "custody ledger head",
		"uco-core:description": fmt.Sprintf(
			"The custody ledger ended at entry %d with hash %s when this export was generated.",
			x.HeadSeq, x.Head.String()),
		"uco-core:tag": []string{TagLedgerHead},
		"uco-core:statement": []string{
			"case_uuid=" + x.Case.CaseUUID.String(),
			"head_seq=" + strconv.FormatInt(x.HeadSeq, 10),
			"head_hash=" + x.Head.String(),
		},
		"uco-core:objectCreatedTime": typed("xsd:dateTime", exportTime(x.Generated)),
	}
	if lastAction != "" {
		head["uco-core:object"] = refs(investigation, lastAction)
	} else {
		head["uco-core:object"] = refs(investigation)
	}
	g.add(head)

	// The Investigation is a contextual compilation of everything else.
	others := make([]string, 0, len(g.nodes)-1)
	for _, n := range g.nodes[1:] {
		others = append(others, n["@id"].(string))
	}
	inv["uco-core:object"] = refs(others...)
	return g.nodes
}

// addPersons adds a Person per examiner, one per unknown actor of an entry,
// the roles held and Has_Role relationships. It returns each person's IRI by
// examiner UUID. Examiners are ordered by when they were added, then UUID,
// whatever order they came in.
func addPersons(g *custodyGraph, x CustodyExport) map[uuid.UUID]string {
	examiners := slices.Clone(x.Examiners)
	slices.SortStableFunc(examiners, func(a, b casefile.Examiner) int {
		if c := a.Created.Compare(b.Created); c != 0 {
			return c
		}
		return bytes.Compare(a.ID[:], b.ID[:])
	})
	persons := make(map[uuid.UUID]string)
	addPerson := func(id uuid.UUID, name string) {
		persons[id] = g.add(node{
			"@id":           "kb:person-" + id.String(),
			"@type":         "uco-identity:Person",
			"uco-core:name": name,
		})
	}
	for _, ex := range examiners {
		if _, ok := persons[ex.ID]; !ok {
			addPerson(ex.ID, ex.Name)
		}
	}
	for _, e := range x.Entries {
		if _, ok := persons[e.ActorID]; !ok {
			addPerson(e.ActorID, e.Actor)
		}
	}

	var held []casefile.Role
	for _, ex := range examiners {
		for _, r := range ex.Roles {
			if !slices.Contains(held, r) {
				held = append(held, r)
			}
		}
	}
	slices.SortStableFunc(held, func(a, b casefile.Role) int { return roleRank(a) - roleRank(b) })
	roles := make(map[casefile.Role]string, len(held))
	for _, r := range held {
		roles[r] = g.add(node{
			"@id":           g.iri("role", string(r)),
			"@type":         "uco-role:Role",
			"uco-core:name": r.Title(),
		})
	}
	seen := make(map[string]bool)
	for _, ex := range examiners {
		for _, r := range ex.Roles {
			id := g.iri("relationship", "has-role", ex.ID.String(), string(r))
			if seen[id] {
				continue
			}
			seen[id] = true
			g.add(node{
				"@id":                         id,
				"@type":                       "uco-core:Relationship",
				"uco-core:source":             ref(persons[ex.ID]),
				"uco-core:target":             ref(roles[r]),
				"uco-core:kindOfRelationship": "Has_Role",
				"uco-core:isDirectional":      true,
			})
		}
	}
	return persons
}

// roleRank orders roles as casefile.Roles lists them, unknown roles last.
func roleRank(r casefile.Role) int {
	if i := slices.Index(casefile.Roles, r); i >= 0 {
		return i
	}
	return len(casefile.Roles)
}

// targetKinds names the IRI kind of each known target type.
var targetKinds = map[string]string{
	casefile.TargetCase:     "case",
	casefile.TargetExaminer: "examiner",
	casefile.TargetKeySlot:  "key-slot",
	casefile.TargetLedger:   "custody-ledger",
	casefile.TargetEvidence: "evidence",
	casefile.TargetRecord:   "record",
}

// addTargets resolves every distinct target, in order of first mention, to
// the Investigation, a Person, or a new observable with its provenance
// record.
func addTargets(g *custodyGraph, x CustodyExport, investigation string, persons map[uuid.UUID]string) map[string]*custodyTarget {
	targets := make(map[string]*custodyTarget)
	var generic []casefile.Target
	for _, e := range x.Entries {
		k := targetKey(e.Target)
		t, ok := targets[k]
		if !ok {
			t = &custodyTarget{}
			targets[k] = t
			switch {
			case e.Target.Type == casefile.TargetCase && e.Target.ID == x.Case.CaseUUID.String():
				t.iri = investigation
			case e.Target.Type == casefile.TargetExaminer && persons[parseUUID(e.Target.ID)] != "":
				t.iri = persons[parseUUID(e.Target.ID)]
			default:
				generic = append(generic, e.Target)
			}
		}
		if t.createdBy == 0 && bringsIn(e.Action) {
			t.createdBy, t.name = e.Seq, e.Details["name"]
		}
	}
	for _, tg := range generic {
		kind, ok := targetKinds[tg.Type]
		if !ok {
			kind = "target"
		}
		t := targets[targetKey(tg)]
		name := t.name
		if name == "" {
			name = tg.Type + " " + tg.ID
		}
		t.iri = g.add(node{
			"@id":           g.iri(kind, tg.Type, tg.ID),
			"@type":         "uco-observable:ObservableObject",
			"uco-core:name": name,
		})
	}
	for _, tg := range generic {
		t := targets[targetKey(tg)]
		t.provenance = g.add(node{
			"@id":                              g.iri("provenance-record", tg.Type, tg.ID),
			"@type":                            "case-investigation:ProvenanceRecord",
			"case-investigation:exhibitNumber": tg.ID,
			"uco-core:object":                  refs(t.iri),
		})
	}
	return targets
}

func parseUUID(s string) uuid.UUID {
	id, err := uuid.Parse(s)
	if err != nil {
		return uuid.Nil
	}
	return id
}

// bringsIn reports whether an action's verb says its target entered the case.
func bringsIn(a casefile.Action) bool {
	s := string(a)
	if i := strings.LastIndexByte(s, '.'); i >= 0 {
		s = s[i+1:]
	}
	return slices.Contains(creationVerbs, s)
}

// addEntry adds the InvestigativeAction of one entry, its content hashes and
// its integrity annotation, and returns the action's IRI.
func addEntry(g *custodyGraph, e casefile.CustodyEntry, performer, tool string, target *custodyTarget) string {
	seq := strconv.FormatInt(e.Seq, 10)
	actionID := g.iri("investigative-action", seq)
	action := node{
		"@id":                   actionID,
		"@type":                 "case-investigation:InvestigativeAction",
		"uco-core:name":         string(e.Action),
		"uco-action:startTime":  typed("xsd:dateTime", exportTime(e.Time)),
		"uco-action:endTime":    typed("xsd:dateTime", exportTime(e.Time)),
		"uco-action:performer":  ref(performer),
		"uco-action:instrument": ref(tool),
		"uco-action:object":     refs(target.iri),
	}
	if e.Reason != "" {
		action["uco-core:description"] = e.Reason
	}

	var results []string
	if target.provenance != "" && target.createdBy == e.Seq {
		results = append(results, target.provenance)
	}
	var hashes []node
	args := make(map[string]string)
	for _, k := range sortedKeys(e.Hashes) {
		v := e.Hashes[k]
		if method, ok := contentHashMethod(k, v); ok {
			hashes = append(hashes, node{
				"@id":                  g.iri("hash", seq, k),
				"@type":                "uco-types:Hash",
				"uco-types:hashMethod": typed("uco-vocabulary:HashNameVocab", method),
				"uco-types:hashValue":  typed("xsd:hexBinary", v),
			})
			continue
		}
		args["hashes."+k] = v
	}
	for k, v := range e.Details {
		args["details."+k] = v
	}

	contentID := ""
	if len(hashes) > 0 {
		contentID = g.iri("content-data", seq)
		results = append(results, contentID)
	}
	if len(results) > 0 {
		action["uco-action:result"] = refs(results...)
	}
	if len(args) > 0 {
		facets := make([]node, 0, len(args))
		for _, name := range sortedKeys(args) {
			facets = append(facets, node{
				"@id":                     g.iri("action-argument-facet", seq, name),
				"@type":                   "uco-action:ActionArgumentFacet",
				"uco-action:argumentName": name,
				"uco-action:value":        args[name],
			})
		}
		action["uco-core:hasFacet"] = facets
	}
	g.add(action)

	if contentID != "" {
		g.add(node{
			"@id":   contentID,
			"@type": "uco-observable:ContentData",
			"uco-core:description": fmt.Sprintf("Content of %s %s as hashed in custody entry %d",
				e.Target.Type, e.Target.ID, e.Seq),
			"uco-core:hasFacet": []node{{
				"@id":                 g.iri("content-data-facet", seq),
				"@type":               "uco-observable:ContentDataFacet",
				"uco-observable:hash": hashes,
			}},
		})
	}

	g.add(node{
		"@id":             g.iri("annotation", "custody-entry", seq),
		"@type":           "uco-core:Annotation",
		"uco-core:name":   "custody entry " + seq,
		"uco-core:object": refs(actionID),
		"uco-core:tag":    []string{TagCustodyEntry},
		"uco-core:statement": []string{
			"seq=" + seq,
			"role=" + string(e.Role),
			"signer_public_key=" + hex.EncodeToString(e.ActorKey),
			"prev_hash=" + e.PrevHash.String(),
			"entry_hash=" + e.Hash.String(),
			"signature=" + hex.EncodeToString(e.Signature),
		},
	})
	return actionID
}

// contentHashMethod returns the HashNameVocab name for a hash key naming a
// digest algorithm whose value is hex of that algorithm's length. Anything
// else (a purpose such as "head_sha256", a public key, a malformed value)
// is not a content hash and travels as an action argument instead.
func contentHashMethod(key, value string) (string, bool) {
	norm := strings.NewReplacer("-", "", "_", "").Replace(strings.ToLower(key))
	m, ok := hashMethods[norm]
	if !ok || len(value) != 2*m.size {
		return "", false
	}
	if _, err := hex.DecodeString(value); err != nil {
		return "", false
	}
	return m.name, true
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
