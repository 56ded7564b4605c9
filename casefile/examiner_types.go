package casefile

import (
	"strings"
	"time"

	"github.com/google/uuid"
)

// Role is an incident-response role, from Table 2 of the Microsoft Azure
// security incident response document, plus Legal Advisor.
type Role string

// The roles.
const (
	RoleOnCallResponder          Role = "on-call-responder"
	RoleSecurityIncidentManager  Role = "security-incident-manager"
	RoleForensicEngineer         Role = "forensic-engineer"
	RoleCommunicationsManager    Role = "communications-manager"
	RoleServiceTeamExpert        Role = "service-team-expert"
	RoleCustomerSupportEngineer  Role = "customer-support-engineer"
	RoleExecutiveIncidentManager Role = "executive-incident-manager"
	RoleLegalAdvisor             Role = "legal-advisor"
)

// Roles lists every role in the order of the process document.
var Roles = []Role{
	RoleOnCallResponder, RoleSecurityIncidentManager, RoleForensicEngineer, RoleCommunicationsManager,
	RoleServiceTeamExpert, RoleCustomerSupportEngineer, RoleExecutiveIncidentManager, RoleLegalAdvisor,
}

var roleTitles = map[Role]string{
	RoleOnCallResponder:          "On-call Responder",
	RoleSecurityIncidentManager:  "Security Incident Manager",
	RoleForensicEngineer:         "Forensic Engineer",
	RoleCommunicationsManager:    "Communications Manager",
	RoleServiceTeamExpert:        "Service Team Expert",
	RoleCustomerSupportEngineer:  "Customer Support Engineer",
	RoleExecutiveIncidentManager: "Executive Incident Manager",
	RoleLegalAdvisor:             "Legal Advisor",
}

// Title returns the role's name as people write it.
func (r Role) Title() string {
	if t, ok := roleTitles[r]; ok {
		return t
	}
	return string(r)
}

// ParseRole accepts a role id ("forensic-engineer") or its title
// ("Forensic Engineer"), case-insensitively.
func ParseRole(s string) (Role, error) {
	norm := strings.ToLower(strings.Join(strings.Fields(strings.ReplaceAll(s, "_", "-")), "-"))
	for _, r := range Roles {
		if string(r) == norm || strings.EqualFold(r.Title(), strings.TrimSpace(s)) {
			return r, nil
		}
	}
	ids := make([]string, len(Roles))
	for i, r := range Roles {
		ids[i] = string(r)
	}
	return "", invalidf("unknown role %q; roles are %s", s, strings.Join(ids, ", "))
}

// Examiner is a person who acts on the case. Each has an Ed25519 key pair;
// the private key is wrapped in the examiner's own key slot, so only their
// passphrase can sign in their name.
type Examiner struct {
	ID        uuid.UUID
	Name      string
	Roles     []Role
	Contact   string
	Created   time.Time
	PublicKey []byte // Ed25519
	Kind      SlotKind
	SlotID    int  // 0 once the key slot was removed
	Active    bool // has a key slot: can still open the case and sign
}

// HasRole reports whether e holds r.
func (e Examiner) HasRole(r Role) bool {
	for _, x := range e.Roles {
		if x == r {
			return true
		}
	}
	return false
}

// Fingerprint is the first 16 hex digits of SHA-256 of the public key.
func (e Examiner) Fingerprint() string { return fingerprint(e.PublicKey) }

// NewExaminer is what a person enters to add an examiner.
type NewExaminer struct {
	Name    string
	Roles   []Role
	Contact string
}

// Validate reports missing or malformed fields.
func (ne NewExaminer) Validate() error {
	if err := checkText("examiner name", ne.Name, true, MaxShortFieldLen); err != nil {
		return err
	}
	if err := checkText("contact", ne.Contact, false, MaxShortFieldLen); err != nil {
		return err
	}
	seen := map[Role]bool{}
	for _, r := range ne.Roles {
		if _, err := ParseRole(string(r)); err != nil {
			return err
		}
		if seen[r] {
			return invalidf("role %s given twice", r)
		}
		seen[r] = true
	}
	return nil
}
