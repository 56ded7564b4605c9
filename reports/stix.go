package reports

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"path"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/incident"
)

// STIX 2.1 bundles of a case's indicators (issue 14, "STIX 2.1").
//
// The bundle holds an identity (Custodia, the producer), a report naming
// the case, one indicator per case indicator that a STIX pattern can
// express, a relationship from each indicator to the report, and the TLP
// marking definition. Every id is a UUIDv5 in the namespace of the case
// UUID, of the record's own id ("indicator:<id>"), and every time comes
// from the case, so exporting the same case state again gives the same
// bytes. STIX 2.1 defines the TLP 1.0 markings only: clear is written as
// TLP:WHITE and amber+strict as TLP:AMBER (the report's labels keep the
// TLP 2.0 level). Indicators of type "other" have no STIX pattern and are
// left out; STIXBundle says how many.

// stixTLP are the STIX 2.1 TLP marking definitions (fixed ids of the
// specification, section 7.2.1.4).
var stixTLP = map[string]struct{ id, name string }{
	"clear":        {"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9", "white"},
	"green":        {"marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da", "green"},
	"amber":        {"marking-definition--f88d31f6-486f-44da-b317-01333bde0b82", "amber"},
	"amber+strict": {"marking-definition--f88d31f6-486f-44da-b317-01333bde0b82", "amber"},
	"red":          {"marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed", "red"},
}

type stixObject map[string]any

func stixTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func stixID(ns uuid.UUID, typ, name string) string {
	return typ + "--" + uuid.NewSHA1(ns, []byte(name)).String()
}

// stixString quotes s for a STIX pattern.
func stixString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// stixPattern is the STIX pattern of an indicator; ok is false for a type
// no pattern expresses.
func stixPattern(x incident.Indicator) (string, bool) {
	val := stixString(x.Value)
	switch x.Type {
	case incident.IndicatorIP:
		if strings.Contains(x.Value, ":") {
			return "[ipv6-addr:value = " + val + "]", true
		}
		return "[ipv4-addr:value = " + val + "]", true
	case incident.IndicatorDomain:
		return "[domain-name:value = " + val + "]", true
	case incident.IndicatorURL:
		return "[url:value = " + val + "]", true
	case incident.IndicatorEmail:
		return "[email-addr:value = " + val + "]", true
	case incident.IndicatorHash:
		alg := map[int]string{32: "MD5", 40: "SHA-1", 64: "SHA-256"}[len(x.Value)]
		if alg == "" {
			return "", false
		}
		return "[file:hashes.'" + alg + "' = " + stixString(strings.ToLower(x.Value)) + "]", true
	case incident.IndicatorFilePath:
		p := strings.ReplaceAll(x.Value, `\`, "/")
		return "[file:name = " + stixString(path.Base(p)) + "]", true
	}
	return "", false
}

// STIXBundle writes the STIX 2.1 bundle of m's indicators, marked tlp, to
// w; it returns how many indicators were left out for want of a pattern.
func STIXBundle(w io.Writer, m *Model, tlp string) (skipped int, err error) {
	mark, ok := stixTLP[tlp]
	if !ok {
		return 0, casefile.Invalidf(errTLP, tlp)
	}
	ns := m.Case.UUID
	identity := stixID(ns, "identity", "identity:custodia")
	report := stixID(ns, "report", "report:"+ns.String())
	marks := []string{mark.id}
	objects := []stixObject{{
		"type": "identity", "spec_version": "2.1", "id": identity,
		"created": stixTime(m.Case.Created), "modified": stixTime(m.Case.Created),
		"name": "Custodia", "identity_class": "system",
	}}
	var refs, rels []string
	var relObjs []stixObject
	for _, x := range m.Indicators {
		pat, ok := stixPattern(x)
		if !ok {
			skipped++
			continue
		}
		id := stixID(ns, "indicator", "indicator:"+x.ID.String())
		o := stixObject{"type": "indicator", "spec_version": "2.1", "id": id, "created_by_ref": identity,
			"created": stixTime(x.At), "modified": stixTime(x.At), "valid_from": stixTime(x.At),
			"name": string(x.Type) + " " + x.Value, "pattern": pat, "pattern_type": "stix",
			"indicator_types": []string{"malicious-activity"}, "object_marking_refs": marks}
		if x.Note != "" {
			o["description"] = x.Note
		}
		objects = append(objects, o)
		refs = append(refs, id)
		rel := stixID(ns, "relationship", "relationship:indicator:"+x.ID.String())
		relObjs = append(relObjs, stixObject{"type": "relationship", "spec_version": "2.1", "id": rel, "created_by_ref": identity,
			"created": stixTime(x.At), "modified": stixTime(x.At), "relationship_type": "related-to",
			"source_ref": id, "target_ref": report, "object_marking_refs": marks})
		rels = append(rels, rel)
	}
	objects = append(objects, relObjs...)
	desc := "Case " + m.Case.Number + " (" + m.Case.UUID.String() + "), as of custody entry " + seqText(m.AsOfSeq) + " " + m.Head
	objRefs := append(append([]string{identity}, refs...), rels...)
	objects = append(objects, stixObject{"type": "report", "spec_version": "2.1", "id": report, "created_by_ref": identity,
		"created": stixTime(m.Case.Created), "modified": stixTime(m.AsOf), "published": stixTime(m.AsOf),
		"name": m.Case.Title, "description": desc, "report_types": []string{"threat-report"},
		"labels": []string{"tlp:" + tlp}, "object_refs": objRefs, "object_marking_refs": marks})
	bundle := map[string]any{"type": "bundle", "id": stixID(ns, "bundle", "bundle:"+seqText(m.AsOfSeq)), "objects": objects}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	if err := enc.Encode(bundle); err != nil {
		return 0, fmt.Errorf("write STIX bundle: %w", err)
	}
	mdJSON := stixMarkingJSON[mark.name]
	// The marking definition goes first, as the specification writes it.
	out := bytes.Replace(b.Bytes(), []byte(`"objects": [`), []byte(`"objects": [`+"\n    "+mdJSON+","), 1)
	_, err = w.Write(out)
	return skipped, err
}

// stixMarkingJSON are the TLP marking-definition objects of STIX 2.1.
var stixMarkingJSON = map[string]string{
	"white": `{"type": "marking-definition", "spec_version": "2.1", "id": "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9", "created": "2017-01-20T00:00:00.000Z", "definition_type": "tlp", "name": "TLP:WHITE", "definition": {"tlp": "white"}}`,
	"green": `{"type": "marking-definition", "spec_version": "2.1", "id": "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da", "created": "2017-01-20T00:00:00.000Z", "definition_type": "tlp", "name": "TLP:GREEN", "definition": {"tlp": "green"}}`,
	"amber": `{"type": "marking-definition", "spec_version": "2.1", "id": "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82", "created": "2017-01-20T00:00:00.000Z", "definition_type": "tlp", "name": "TLP:AMBER", "definition": {"tlp": "amber"}}`,
	"red":   `{"type": "marking-definition", "spec_version": "2.1", "id": "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed", "created": "2017-01-20T00:00:00.000Z", "definition_type": "tlp", "name": "TLP:RED", "definition": {"tlp": "red"}}`,
}

// ExportSTIX writes the STIX bundle of c (as of entry asOf, 0 for the
// head) to path, a new file, and records it as report.generated (kind
// stix, format stix-2.1) with its SHA-256.
func ExportSTIX(c *casefile.Case, asOf int64, tlp string, tool Tool, path, reason string) (Generated, int, error) {
	const doing = "export STIX bundle"
	if tlp == "" {
		tlp = "amber"
	}
	if err := casefile.CheckReason(reason); err != nil {
		return Generated{}, 0, fmt.Errorf("%s: %w", doing, err)
	}
	if _, ok := stixTLP[tlp]; !ok {
		return Generated{}, 0, fmt.Errorf("%s: %w", doing, casefile.Invalidf(errTLP, tlp))
	}
	m, err := ReadModel(c, asOf, tool)
	if err != nil {
		return Generated{}, 0, err
	}
	var b bytes.Buffer
	skipped, err := STIXBundle(&b, m, tlp)
	if err != nil {
		return Generated{}, 0, err
	}
	g := Generated{Kind: "stix", Format: "stix-2.1", TLP: tlp, HeadSeq: m.AsOfSeq, Head: m.Head}
	g.Path, g.SHA256, g.Entry, err = exportFile(c, doing, path, func(w io.Writer) error { _, err := w.Write(b.Bytes()); return err },
		func(abs, sum string) casefile.Event {
			return casefile.Event{Action: ActionReportGenerated,
				Target: casefile.Target{Type: casefile.TargetCase, ID: m.Case.UUID.String()},
				Reason: reason, Hashes: map[string]string{"sha256": sum},
				Details: map[string]string{"kind": "stix", "format": "stix-2.1", "tlp": tlp, "path": abs,
					"head": fmt.Sprintf("%d:%s", m.AsOfSeq, m.Head), "as_of": seqText(m.AsOfSeq)}}
		})
	if err != nil {
		return Generated{}, 0, err
	}
	return g, skipped, nil
}
