package reports_test

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/TcM1911/stix2"

	"github.com/custodia-dfir/custodia/casefile/incident"
	"github.com/custodia-dfir/custodia/reports"
)

func TestSTIXBundle(t *testing.T) {
	c := scenario(t, false)
	s := incident.Of(c)
	for _, x := range []struct {
		typ incident.IndicatorType
		val string
	}{
		{incident.IndicatorDomain, "c2.example.net"}, {incident.IndicatorURL, "https://c2.example.net/a?b='c'"},
		{incident.IndicatorEmail, "eve@example.org"}, {incident.IndicatorHash, strings.Repeat("ab", 32)},
		{incident.IndicatorIP, "2001:db8::1"},
	} {
		if _, err := s.AddIndicator(x.typ, x.val, "", ""); err != nil {
			t.Fatal(err)
		}
	}
	m, err := reports.ReadModel(c, 0, testTool)
	if err != nil {
		t.Fatal(err)
	}
	var a, b bytes.Buffer
	skipped, err := reports.STIXBundle(&a, m, "red")
	if err != nil || skipped != 1 {
		t.Fatalf("bundle: %v, %d skipped (want the one of type other)", err, skipped)
	}
	reports.STIXBundle(&b, m, "red")
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("two exports of the same case state differ")
	}
	col, err := stix2.FromJSON(a.Bytes())
	if err != nil {
		t.Fatalf("stix2 does not read the bundle: %v", err)
	}
	var pats []string
	for _, x := range col.Indicators() {
		pats = append(pats, x.Pattern)
		if !stix2.IsValidIdentifier(x.ID) || len(x.ObjectMarking) != 1 || x.ObjectMarking[0] != stix2.TLPRed.ID {
			t.Errorf("indicator %s: marking %v", x.ID, x.ObjectMarking)
		}
	}
	slices.Sort(pats)
	want := []string{
		"[domain-name:value = 'c2.example.net']", "[email-addr:value = 'eve@example.org']",
		"[file:hashes.'SHA-256' = '" + strings.Repeat("ab", 32) + "']", "[ipv4-addr:value = '203.0.113.9']",
		"[ipv6-addr:value = '2001:db8::1']", `[url:value = 'https://c2.example.net/a?b=\'c\'']`,
	}
	if !slices.Equal(pats, want) {
		t.Errorf("patterns\n%q\nwant\n%q", pats, want)
	}
	if n := len(col.Reports()); n != 1 || len(col.Identities()) != 1 || len(col.Relationships()) != 6 || len(col.MarkingDefinitions()) != 1 {
		t.Errorf("reports %d identities %d relationships %d markings %d", n, len(col.Identities()), len(col.Relationships()), len(col.MarkingDefinitions()))
	}
	r := col.Reports()[0]
	if len(r.Objects) != 1+6+6 || !strings.Contains(r.Description, m.Head) {
		t.Errorf("report %+v", r)
	}
	for tlp, md := range map[string]*stix2.MarkingDefinition{"clear": stix2.TLPWhite, "green": stix2.TLPGreen, "amber": stix2.TLPAmber, "red": stix2.TLPRed} {
		var out bytes.Buffer
		reports.STIXBundle(&out, m, tlp)
		col, err := stix2.FromJSON(out.Bytes())
		if err != nil || len(col.MarkingDefinitions()) != 1 || col.MarkingDefinitions()[0].ID != md.ID {
			t.Errorf("%s: %v", tlp, err)
		}
	}

	// Exported through the ledger, and verified like a report.
	path := filepath.Join(t.TempDir(), "iocs.json")
	g, _, err := reports.ExportSTIX(c, 0, "amber", testTool, path, "for the ISAC")
	if err != nil {
		t.Fatal(err)
	}
	if r, _, err := reports.VerifyReport(c, path); err != nil || r.Kind != "stix" || r.Entry.Seq != g.Entry.Seq {
		t.Fatalf("verify the bundle: %+v %v", r, err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatal(err)
	}
}
