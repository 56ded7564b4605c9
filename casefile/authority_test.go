package casefile

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

// Test actions of this package's tests.
var _ = RegisterActions(map[Action]Permission{
	"test.filled": PermInvestigate, "test.odd": PermInvestigate, "test.granted": PermManageExaminers,
})

// TestCreatorBringsInTheFirstLead: a creator who holds only Forensic
// Engineer may add examiners while no one else could (the exception is
// decided on the case as it stood before the change, so the examiner who
// becomes its first Security Incident Manager may be added), and may not
// once someone else leads; the refusal changes nothing.
func TestCreatorBringsInTheFirstLead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "case"+Extension)
	nc := testCase
	nc.ExaminerRoles = []Role{RoleForensicEngineer}
	c, err := Create(path, []byte(testPass), nc, TestOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.AddExaminer(NewExaminer{Name: "Sam Spade", Roles: []Role{RoleSecurityIncidentManager}}, []byte("sam's passphrase"), "the lead"); err != nil {
		t.Fatalf("the creator could not bring in the first Security Incident Manager: %v", err)
	}
	seq, _ := c.Head()
	_, err = c.AddExaminer(NewExaminer{Name: "Eve Exec", Roles: []Role{RoleExecutiveIncidentManager}}, []byte("eve's passphrase"), "executive")
	if !errors.Is(err, ErrNotPermitted) || !strings.Contains(err.Error(),
		"examiner.added (add examiners, manage key slots, assign and release roles) may be done by the Security Incident Manager or Executive Incident Manager; you hold Forensic Engineer") {
		t.Fatalf("second lead added by the creator: %v", err)
	}
	exs, err := c.Examiners()
	if err != nil || len(exs) != 2 {
		t.Fatalf("examiners = %d, %v; want 2", len(exs), err)
	}
	if now, _ := c.Head(); now != seq {
		t.Errorf("the refusal moved the head from %d to %d", seq, now)
	}
}
