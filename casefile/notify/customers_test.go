package notify

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/casetest"
	"github.com/custodia-dfir/custodia/casefile/incident"
	"github.com/google/uuid"
)

func TestImportCustomers(t *testing.T) {
	path := newCase(t)
	cora := open(t, path, coraPass)
	data := must(os.ReadFile("testdata/customers.csv"))(t)
	res := must(cora.ImportCSV(bytes.NewReader(data), "scope from the CRM export"))(t)
	if res.Customers != 3 || res.SHA256 != casefile.ContentHash(data) {
		t.Fatalf("import %+v", res)
	}
	cs := must(cora.Customers())(t)
	if len(cs) != 3 || cs[1].Name != "Globex, Inc." || cs[0].AdminContacts[1] != "ciso@acme.example" ||
		cs[0].DataCategories[1] != "payment data" || cs[0].DataSubjects != 1200 || cs[2].Jurisdiction != "AU" || len(cs[2].DataCategories) != 0 {
		t.Fatalf("customers %+v", cs)
	}
	es := must(cora.Case().Entries())(t)
	if e := es[len(es)-1]; e.Action != ActionCustomersImport || e.Actor != "Cora" || e.Details["customers"] != "3" || e.Hashes["sha256"] != res.SHA256 {
		t.Fatalf("entry %+v", e)
	}
	// Importing a file again repeats ids already in the case.
	before := head(t, cora)
	if _, err := cora.ImportCSV(bytes.NewReader(data), ""); message(err) != `the customer file is malformed: line 2, column 1 (id): customer "C-1001" is already in the case; edit it ('custodiactl customer edit') or leave it out of the file` {
		t.Fatalf("reimport: %q", message(err))
	}
	// Edit: linked to a finding and an evidence item.
	dana := reopen(t, cora, path, danaPass)
	ev := casetest.StoreBytes(t, dana.Case(), []byte("crm access log"), "crm.log")
	f := must(incident.Of(dana.Case()).AddFinding(incident.FindingContent{Title: "CRM export by the actor", Description: "rows of Acme", Confidence: incident.ConfidenceHigh}, ""))(t)
	cora = reopen(t, dana, path, coraPass)
	before = head(t, cora)
	ci := cs[0].CustomerInfo
	ci.Findings, ci.Evidence = []uuid.UUID{f.ID, f.ID}, []uuid.UUID{ev.ID}
	c := must(cora.EditCustomer("C-1001", ci, "in scope by the CRM finding"))(t)
	if c.Rev != 2 || len(c.Findings) != 1 || head(t, cora) != before+1 {
		t.Fatalf("edit %+v", c)
	}
	if got := must(cora.Customer("C-1001"))(t); got.Rev != 2 || got.Evidence[0] != ev.ID || got.Reason != "in scope by the CRM finding" {
		t.Fatalf("after edit %+v", got)
	}
	ci.Findings = []uuid.UUID{uuid.New()}
	if _, err := cora.EditCustomer("C-1001", ci, ""); !errors.Is(err, incident.ErrNoSuchFinding) {
		t.Fatalf("unknown finding: %v", err)
	}
	if _, err := cora.EditCustomer("C-9", CustomerInfo{Name: "x", AdminContacts: []string{"a@b.example"}}, ""); !errors.Is(err, ErrNoSuchCustomer) {
		t.Fatalf("unknown customer: %v", err)
	}
	if _, err := cora.AddCustomer(CustomerInfo{ID: "C-1004", Name: "Hooli", AdminContacts: []string{"ops@hooli.example\r\nBcc: all@evil.example"}}, ""); !errors.Is(err, casefile.ErrInvalid) {
		t.Fatalf("header injection: %v", err)
	}
	must(cora.AddCustomer(CustomerInfo{ID: "C-1004", Name: "Hooli", AdminContacts: []string{"ops@hooli.example"}, Jurisdiction: "SG"}, "called in"))(t)
	if n := len(must(cora.Customers())(t)); n != 4 {
		t.Fatalf("%d customers", n)
	}
	// Fern (forensic engineer) may not scope customers.
	fern := reopen(t, cora, path, fernPass)
	if _, err := fern.AddCustomer(CustomerInfo{ID: "C-1005", Name: "X", AdminContacts: []string{"a@b.example"}}, ""); !errors.Is(err, casefile.ErrNotPermitted) {
		t.Fatalf("FE scopes: %v", err)
	}
}

// TestImportCustomersBadFiles: each malformed file is refused naming the
// line and column, and nothing is stored.
func TestImportCustomersBadFiles(t *testing.T) {
	const h = "id,name,admin_contacts,jurisdiction,data_categories,data_subjects\n"
	big := strings.Repeat("x", MaxCSVBytes)
	var many strings.Builder
	many.WriteString(h)
	for i := range MaxCSVRows + 1 {
		fmt.Fprintf(&many, "C%d,N,a@b.example,,,0\n", i)
	}
	for _, tc := range []struct{ name, file, want string }{
		{"empty", "", "the file is empty; its first line must be the header id,name,admin_contacts,jurisdiction,data_categories,data_subjects"},
		{"wrong header", "id,name,contacts,jurisdiction,data_categories,data_subjects\n", `line 1, column 3: the header names "contacts" where "admin_contacts" belongs; the header must be id,name,admin_contacts,jurisdiction,data_categories,data_subjects`},
		{"missing column", h + "C-1,Acme,a@acme.example,DE,,\nC-2,Globex,b@globex.example\n", "line 3: the line has a different number of fields than the 6 columns id,name,admin_contacts,jurisdiction,data_categories,data_subjects"},
		{"bad e-mail", h + "C-1,Acme,a@acme.example;bob(at)acme,DE,,1\n", `line 2, column 3 (admin_contacts): admin_contacts "bob(at)acme" is not an e-mail address (give it as name@example.com)`},
		{"display name", h + "C-1,Acme,Bob <bob@acme.example>,DE,,1\n", `line 2, column 3 (admin_contacts): admin_contacts "Bob <bob@acme.example>" is not an e-mail address (give it as name@example.com)`},
		{"no contact", h + "C-1,Acme,,DE,,1\n", "line 2, column 3 (admin_contacts): admin_contacts is required: at least one administrator's e-mail address"},
		{"duplicate", h + "C-1,Acme,a@acme.example,DE,,1\nC-2,Globex,b@globex.example,US,,2\nC-1,Acme again,a@acme.example,DE,,1\n", `line 4, column 1 (id): customer id "C-1" is repeated (first on line 2)`},
		{"line break", h + "C-1,\"Acme\r\nBcc: x@evil.example\",a@acme.example,DE,,1\n", "line 2, column 2 (name): the field holds a line break; each field must be one line"},
		{"subjects", h + "C-1,Acme,a@acme.example,DE,,many\n", `line 2, column 6 (data_subjects): "many" is not a number of data subjects (a whole number, 0 when none or unknown)`},
		{"negative", h + "C-1,Acme,a@acme.example,DE,,-3\n", `line 2, column 6 (data_subjects): "-3" is not a number of data subjects (a whole number, 0 when none or unknown)`},
		{"quote", h + "C-1,Ac\"me,a@acme.example,DE,,1\n", `line 2, character 7: bare " in non-quoted-field (a field with a quote must be quoted whole, its quotes doubled)`},
		{"header only", h, "the file holds the header but no customer"},
		{"too big", h + big, "the file is larger than 10 MiB; split it and import each part"},
		{"too many", many.String(), "line 100002: the file holds more than 100000 customers; split it and import each part"},
		{"not utf-8", h + "C-1,Acme\xff,a@acme.example,DE,,1\n", "the file is not UTF-8 text; save it as UTF-8 CSV"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := ParseCSV(strings.NewReader(tc.file))
			if !errors.Is(err, ErrCSV) || message(err) != "the customer file is malformed: "+tc.want {
				t.Fatalf("got %q\nwant %q", message(err), tc.want)
			}
		})
	}
	path := newCase(t)
	cora := open(t, path, coraPass)
	before := head(t, cora)
	if _, err := cora.ImportCSV(strings.NewReader(h+"C-1,Acme,a@acme.example,DE,,1\nC-1,Acme,a@acme.example,DE,,1\n"), ""); !errors.Is(err, ErrCSV) {
		t.Fatalf("duplicate imported: %v", err)
	}
	if n := len(must(cora.Customers())(t)); n != 0 || head(t, cora) != before {
		t.Fatalf("a refused file stored %d customers", n)
	}
}

// FuzzParseCSV: any file is parsed or refused as malformed, never a panic,
// and every customer parsed passes the checks a hand-entered one does.
func FuzzParseCSV(f *testing.F) {
	if b, err := os.ReadFile("testdata/customers.csv"); err == nil {
		f.Add(b)
	}
	f.Add([]byte("id,name,admin_contacts,jurisdiction,data_categories,data_subjects\nC-1,\"A\nB\",a@b.example,,,1\n"))
	f.Add([]byte("\xef\xbb\xbfid,name,admin_contacts,jurisdiction,data_categories,data_subjects\r\nC-1,A,a@b.example;c@d.example,DE,x;y,0\r\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		cis, _, err := ParseCSV(bytes.NewReader(b))
		if err != nil {
			if !errors.Is(err, ErrCSV) {
				t.Fatalf("error not ErrCSV: %v", err)
			}
			return
		}
		for _, ci := range cis {
			if err := ci.check(); err != nil {
				t.Fatalf("parsed customer fails its check: %v", err)
			}
		}
	})
}
