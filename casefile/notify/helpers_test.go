package notify

import (
	"testing"
	"time"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/casetest"
)

// The examiners of the test case: Dana created it (Forensic Engineer and
// Security Incident Manager), Eve is the Executive Incident Manager, Cora
// the Communications Manager, Fern a Forensic Engineer only, Lee a Legal
// Advisor.
const (
	danaPass = casetest.Passphrase
	evePass  = "eve-pass"
	coraPass = "cora-pass"
	fernPass = "fern-pass"
	leePass  = "lee-pass"
)

// newCase creates the test case with its examiners and returns its path.
func newCase(t *testing.T) string {
	t.Helper()
	path := casetest.Create(t)
	c, err := casefile.Open(path, []byte(danaPass), casefile.TestOptions())
	if err != nil {
		t.Fatal(err)
	}
	for _, ne := range []struct {
		name, pass string
		role       casefile.Role
	}{{"Eve", evePass, casefile.RoleExecutiveIncidentManager}, {"Cora", coraPass, casefile.RoleCommunicationsManager},
		{"Fern", fernPass, casefile.RoleForensicEngineer}, {"Lee", leePass, casefile.RoleLegalAdvisor}} {
		if _, err := c.AddExaminer(casefile.NewExaminer{Name: ne.name, Roles: []casefile.Role{ne.role}}, []byte(ne.pass), "joins"); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// open opens the case as the examiner of pass, with a clock fixed at
// casefile.TestTime; it is closed when the test ends.
func open(t *testing.T, path, pass string) *Store {
	t.Helper()
	return Of(casetest.Open(t, path, pass))
}

// reopen closes s and opens the case as another examiner.
func reopen(t *testing.T, s *Store, path, pass string) *Store {
	t.Helper()
	if err := s.Case().Close(); err != nil {
		t.Fatal(err)
	}
	return open(t, path, pass)
}

func must[T any](v T, err error) func(t *testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func check(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// message is what a person reads of err.
func message(err error) string {
	msg, _, _ := casefile.Explain(err)
	return msg
}

func head(t *testing.T, s *Store) int64 {
	t.Helper()
	n, _ := s.Case().Head()
	return n
}

var now = casefile.TestTime

func ago(d time.Duration) time.Time { return now.Add(-d) }
