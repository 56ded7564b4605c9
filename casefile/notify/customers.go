package notify

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/incident"
	"github.com/custodia-dfir/custodia/casefile/notify/regime"
	"github.com/google/uuid"
)

// Bounds of a customer import.
const (
	// MaxCSVBytes bounds the size of an imported customer file.
	MaxCSVBytes = 10 << 20
	// MaxCSVRows bounds the customers of one file.
	MaxCSVRows = 100_000
	// maxField bounds one single-line field of a customer, in bytes.
	maxField = 1_000
)

// CSVColumns are the columns of a customer file, in order, as its header
// must name them (docs/user-guide.md, "Impacted customers"):
//
//	id               the customer's id in your systems (unique)
//	name             the customer's name
//	admin_contacts   the e-mail addresses of its administrators, separated by ';'
//	jurisdiction     where it is (ISO 3166 code such as DE, US-CA); may be empty
//	data_categories  the categories of data concerned, separated by ';'; may be empty
//	data_subjects    the number of data subjects concerned (0 when none or unknown)
var CSVColumns = []string{"id", "name", "admin_contacts", "jurisdiction", "data_categories", "data_subjects"}

// CustomerInfo is what a person enters, or a file gives, about an impacted
// customer.
type CustomerInfo struct {
	ID             string      `json:"id"`
	Name           string      `json:"name"`
	AdminContacts  []string    `json:"admin_contacts"`
	Jurisdiction   string      `json:"jurisdiction"`
	DataCategories []string    `json:"data_categories"`
	DataSubjects   int64       `json:"data_subjects"`
	Findings       []uuid.UUID `json:"findings"` // the findings that put it in scope
	Evidence       []uuid.UUID `json:"evidence"` // the evidence items that put it in scope
}

// Customer is one revision of an impacted customer.
type Customer struct {
	CustomerInfo
	Reason string `json:"reason"`
	casefile.Attribution
	RecordID uuid.UUID `json:"-"` // the record of the customer
	Rev      int       `json:"-"` // 1 for the first revision
}

// checkEmail refuses anything but one plain e-mail address (no display
// name, no line break: it goes into mail headers).
func checkEmail(field, v string) error {
	if err := casefile.CheckLine(field, v, true, 320); err != nil {
		return err
	}
	a, err := mail.ParseAddress(v)
	if err != nil || a.Address != v || a.Name != "" {
		return casefile.Invalidf("%s %q is not an e-mail address (give it as name@example.com)", field, v)
	}
	return nil
}

// check validates the customer's own fields (not its links). The error
// names the field with the column names of the file.
func (ci *CustomerInfo) check() error {
	if err := casefile.CheckLine("id", ci.ID, true, maxField); err != nil {
		return err
	}
	if err := casefile.CheckLine("name", ci.Name, true, maxField); err != nil {
		return err
	}
	if len(ci.AdminContacts) == 0 {
		return casefile.Invalidf("admin_contacts is required: at least one administrator's e-mail address")
	}
	if err := casefile.CheckList("admin_contacts", len(ci.AdminContacts)); err != nil {
		return err
	}
	for _, a := range ci.AdminContacts {
		if err := checkEmail("admin_contacts", a); err != nil {
			return err
		}
	}
	if err := casefile.CheckLine("jurisdiction", ci.Jurisdiction, false, 64); err != nil {
		return err
	}
	if err := casefile.CheckList("data_categories", len(ci.DataCategories)); err != nil {
		return err
	}
	for _, d := range ci.DataCategories {
		if err := casefile.CheckLine("data_categories", d, true, maxField); err != nil {
			return err
		}
	}
	if ci.DataSubjects < 0 {
		return casefile.Invalidf("data_subjects is %d; give the number of data subjects (0 when none or unknown)", ci.DataSubjects)
	}
	if err := casefile.CheckList("linked findings", len(ci.Findings)); err != nil {
		return err
	}
	if ci.AdminContacts == nil {
		ci.AdminContacts = []string{}
	}
	if ci.DataCategories == nil {
		ci.DataCategories = []string{}
	}
	ci.Findings = uniqueIDs(ci.Findings)
	ci.Evidence = uniqueIDs(ci.Evidence)
	return casefile.CheckList("linked evidence", len(ci.Evidence))
}

// splitList splits a ';'-separated field, trimming each part and dropping
// empty ones.
func splitList(s string) []string {
	out := []string{}
	for _, p := range strings.Split(s, ";") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// ParseCSV reads a customer file: the header CSVColumns, then one customer
// a line. It refuses, naming the line and column, a wrong header, a
// malformed line, a bad e-mail address, a repeated id and a line break
// inside a field, and refuses a file over MaxCSVBytes or MaxCSVRows. It
// reads at most MaxCSVBytes+1 bytes of r.
func ParseCSV(r io.Reader) ([]CustomerInfo, []byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxCSVBytes+1))
	if err != nil {
		return nil, nil, err
	}
	if len(data) > MaxCSVBytes {
		return nil, nil, ErrCSV.Errorf("the file is larger than %d MiB; split it and import each part", MaxCSVBytes>>20)
	}
	if !utf8.Valid(data) {
		return nil, nil, ErrCSV.Errorf("the file is not UTF-8 text; save it as UTF-8 CSV")
	}
	body := bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	cr := csv.NewReader(bytes.NewReader(body))
	cr.FieldsPerRecord = len(CSVColumns)
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return nil, nil, ErrCSV.Errorf("the file is empty; its first line must be the header %s", strings.Join(CSVColumns, ","))
	}
	if err != nil {
		return nil, nil, csvError(err)
	}
	for i, h := range header {
		if strings.TrimSpace(h) != CSVColumns[i] {
			return nil, nil, ErrCSV.Errorf("line 1, column %d: the header names %q where %q belongs; the header must be %s",
				i+1, h, CSVColumns[i], strings.Join(CSVColumns, ","))
		}
	}
	var out []CustomerInfo
	first := map[string]int{}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, csvError(err)
		}
		line, _ := cr.FieldPos(0)
		if len(out) == MaxCSVRows {
			return nil, nil, ErrCSV.Errorf("line %d: the file holds more than %d customers; split it and import each part", line, MaxCSVRows)
		}
		at := func(col int, err error) error {
			l, _ := cr.FieldPos(col)
			msg, _, _ := casefile.Explain(err)
			return ErrCSV.Errorf("line %d, column %d (%s): %s", l, col+1, CSVColumns[col], msg)
		}
		for i, f := range rec {
			if strings.ContainsAny(f, "\r\n") {
				return nil, nil, at(i, casefile.Invalidf("the field holds a line break; each field must be one line"))
			}
		}
		ci := CustomerInfo{ID: strings.TrimSpace(rec[0]), Name: strings.TrimSpace(rec[1]), AdminContacts: splitList(rec[2]),
			Jurisdiction: strings.TrimSpace(rec[3]), DataCategories: splitList(rec[4])}
		if n := strings.TrimSpace(rec[5]); n != "" {
			v, err := strconv.ParseInt(n, 10, 64)
			if err != nil || v < 0 {
				return nil, nil, at(5, casefile.Invalidf("%q is not a number of data subjects (a whole number, 0 when none or unknown)", n))
			}
			ci.DataSubjects = v
		}
		if err := ci.check(); err != nil {
			msg, _, _ := casefile.Explain(err)
			col := slices.IndexFunc(CSVColumns, func(c string) bool { return strings.HasPrefix(msg, c+" ") })
			if col < 0 {
				col = 0
			}
			return nil, nil, at(col, err)
		}
		if l, dup := first[ci.ID]; dup {
			return nil, nil, at(0, casefile.Invalidf("customer id %q is repeated (first on line %d)", ci.ID, l))
		}
		first[ci.ID] = line
		out = append(out, ci)
	}
	if len(out) == 0 {
		return nil, nil, ErrCSV.Errorf("the file holds the header but no customer")
	}
	return out, data, nil
}

func csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		if errors.Is(pe.Err, csv.ErrFieldCount) {
			return ErrCSV.Errorf("line %d: the line has a different number of fields than the %d columns %s", pe.StartLine, len(CSVColumns), strings.Join(CSVColumns, ","))
		}
		return ErrCSV.Errorf("line %d, character %d: %v (a field with a quote must be quoted whole, its quotes doubled)", pe.Line, pe.Column, pe.Err)
	}
	return ErrCSV.Errorf("%v", err)
}

// ImportResult says what an import stored.
type ImportResult struct {
	Customers int
	SHA256    string // of the file as read
}

// ImportCSV imports the impacted customers of a customer file (ParseCSV)
// in one change: every customer, or, on any error, none. An id already in
// the case is refused (edit that customer instead).
func (s *Store) ImportCSV(r io.Reader, reason string) (ImportResult, error) {
	const what = "import customers"
	if err := casefile.CheckReason(reason); err != nil {
		return ImportResult{}, fmt.Errorf("%s: %w", what, err)
	}
	if err := s.require(what, casefile.PermCustomerScope); err != nil {
		return ImportResult{}, err
	}
	cis, data, err := ParseCSV(r)
	if err != nil {
		return ImportResult{}, fmt.Errorf("%s: %w", what, err)
	}
	res := ImportResult{Customers: len(cis), SHA256: casefile.ContentHash(data)}
	err = s.write(what, func(tx *casefile.Tx) (casefile.Event, error) {
		have, err := readCustomers(tx)
		if err != nil {
			return casefile.Event{}, err
		}
		ids := map[string]bool{}
		for _, c := range have {
			ids[c.ID] = true
		}
		a := stamp(tx, casefile.PermCustomerScope)
		for i, ci := range cis {
			if ids[ci.ID] {
				return casefile.Event{}, ErrCSV.Errorf("line %d, column 1 (id): customer %q is already in the case; edit it ('custodiactl customer edit') or leave it out of the file", i+2, ci.ID)
			}
			if _, err := tx.AppendRevision(tblCustomers, uuid.New(), Customer{CustomerInfo: ci, Reason: reason, Attribution: a}); err != nil {
				return casefile.Event{}, err
			}
		}
		return casefile.Event{Action: ActionCustomersImport, Target: trackTarget(tx), Reason: reason,
			Hashes:  map[string]string{"sha256": res.SHA256},
			Details: map[string]string{"customers": fmt.Sprint(len(cis))}}, nil
	})
	if err != nil {
		return ImportResult{}, err
	}
	return res, nil
}

// checkFindings checks every linked finding exists (findings are never
// removed, so checking before the change is sound).
func (s *Store) checkFindings(ids []uuid.UUID) error {
	for _, id := range ids {
		if _, err := incident.Of(s.c).Finding(id); err != nil {
			return err
		}
	}
	return nil
}

func checkEvidence(r casefile.Reader, ids []uuid.UUID) error {
	for _, id := range ids {
		if _, err := r.Evidence(id); err != nil {
			return err
		}
	}
	return nil
}

// AddCustomer adds an impacted customer by hand.
func (s *Store) AddCustomer(ci CustomerInfo, reason string) (Customer, error) {
	return s.saveCustomer("add customer", "", ci, reason)
}

// EditCustomer records a new revision of customer id (its id in ci may
// not change).
func (s *Store) EditCustomer(id string, ci CustomerInfo, reason string) (Customer, error) {
	if ci.ID == "" {
		ci.ID = id
	}
	if ci.ID != id {
		return Customer{}, fmt.Errorf("edit customer: %w", casefile.Invalidf("a customer's id does not change (%q, not %q)", id, ci.ID))
	}
	return s.saveCustomer("edit customer", id, ci, reason)
}

func (s *Store) saveCustomer(what, editing string, ci CustomerInfo, reason string) (Customer, error) {
	if err := ci.check(); err != nil {
		return Customer{}, fmt.Errorf("%s: %w", what, err)
	}
	if err := casefile.CheckReason(reason); err != nil {
		return Customer{}, fmt.Errorf("%s: %w", what, err)
	}
	if err := s.require(what, casefile.PermCustomerScope); err != nil {
		return Customer{}, err
	}
	if err := s.checkFindings(ci.Findings); err != nil {
		return Customer{}, fmt.Errorf("%s: %w", what, err)
	}
	var c Customer
	err := s.write(what, func(tx *casefile.Tx) (casefile.Event, error) {
		if err := checkEvidence(tx, ci.Evidence); err != nil {
			return casefile.Event{}, err
		}
		have, err := readCustomers(tx)
		if err != nil {
			return casefile.Event{}, err
		}
		i := slices.IndexFunc(have, func(c Customer) bool { return c.ID == ci.ID })
		record, action := uuid.New(), ActionCustomerAdded
		switch {
		case editing == "" && i >= 0:
			return casefile.Event{}, casefile.Invalidf("customer %q is already in the case; edit it instead", ci.ID)
		case editing != "" && i < 0:
			return casefile.Event{}, ErrNoSuchCustomer.Errorf("%q", editing)
		case editing != "":
			record, action = have[i].RecordID, ActionCustomerEdited
		}
		c = Customer{CustomerInfo: ci, Reason: reason, Attribution: stamp(tx, casefile.PermCustomerScope)}
		rec, err := tx.AppendRevision(tblCustomers, record, c)
		if err != nil {
			return casefile.Event{}, err
		}
		c.RecordID, c.Rev = record, rec.Rev
		return casefile.Event{Action: action, Target: casefile.Target{Type: TargetCustomer, ID: record.String()}, Reason: reason,
			Hashes: map[string]string{"content": rec.ContentHash()},
			Details: map[string]string{"customer": casefile.Brief(ci.ID), "name": casefile.Brief(ci.Name), "revision": fmt.Sprint(rec.Rev),
				"findings": joinIDs(ci.Findings), "evidence": joinIDs(ci.Evidence)}}, nil
	})
	return c, err
}

// SuggestFor proposes regimes from the jurisdictions of customers
// (regime.Suggest): it returns those jurisdictions, each once in the
// customers' order, and the regimes suggested.
func SuggestFor(customers []Customer) (jurisdictions, regimes []string) {
	for _, c := range customers {
		if c.Jurisdiction != "" && !slices.Contains(jurisdictions, c.Jurisdiction) {
			jurisdictions = append(jurisdictions, c.Jurisdiction)
		}
	}
	return jurisdictions, regime.Suggest(jurisdictions)
}

// Customers returns the impacted customers, each as last revised, in the
// order they were added.
func (s *Store) Customers() ([]Customer, error) {
	var out []Customer
	err := s.c.Read("read customers", func(r casefile.Reader) (err error) {
		out, err = readCustomers(r)
		return err
	})
	return out, err
}

// Customer returns customer id as last revised.
func (s *Store) Customer(id string) (Customer, error) {
	cs, err := s.Customers()
	if err != nil {
		return Customer{}, err
	}
	for _, c := range cs {
		if c.ID == id {
			return c, nil
		}
	}
	return Customer{}, ErrNoSuchCustomer.Errorf("%q", id)
}

func readCustomers(r casefile.Reader) ([]Customer, error) {
	return readCustomersAsOf(r, time.Time{})
}

// CustomersAt returns the impacted customers as they stood at cut: those
// added by then, each at its last revision by then (a report as of a
// ledger entry).
func (s *Store) CustomersAt(cut time.Time) ([]Customer, error) {
	var out []Customer
	err := s.c.Read("read customers", func(r casefile.Reader) (err error) {
		out, err = readCustomersAsOf(r, cut)
		return err
	})
	return out, err
}

// readCustomersAsOf reads each customer at its last revision written at
// or before cut (zero: the last one), in the order they were added.
func readCustomersAsOf(r casefile.Reader, cut time.Time) ([]Customer, error) {
	rows, err := r.Records(tblCustomers)
	if err != nil {
		return nil, err
	}
	var out []Customer
	at := map[uuid.UUID]int{}
	for _, row := range rows {
		var c Customer
		if err := row.Decode(&c); err != nil {
			return nil, err
		}
		c.RecordID, c.Rev = row.Parent, row.Rev
		if !cut.IsZero() && c.At.After(cut) {
			continue
		}
		if i, ok := at[row.Parent]; ok {
			out[i] = c
			continue
		}
		at[row.Parent] = len(out)
		out = append(out, c)
	}
	return out, nil
}
