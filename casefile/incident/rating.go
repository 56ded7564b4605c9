package incident

import (
	"fmt"
	"slices"
	"strings"

	"github.com/custodia-dfir/custodia/casefile"
)

// Severity rates how much harm the incident does or threatens, on a scale of
// 1 (most severe) to 4. The service team sets it "based on defined criteria
// such as privacy, impact, scope, number of affected tenants, region,
// service, details of the incident, specific customer industry or market
// regulations" (Detection and analysis); the criteria are recorded with
// every rating (SeverityCriteria), and SeverityCriteria.Suggest applies the
// rule below, which a person may override with a rationale:
//
//	1 Critical  customer data is confirmed or imminently at risk — "treated as
//	            high severity and worked around the clock until resolution"
//	2 High      customer data may be at risk, or several tenants are
//	            affected, or a regulated industry or market is affected
//	3 Medium    a security risk to a service, one tenant or an unknown
//	            number affected, no sign of risk to customer data
//	4 Low       no tenant affected and no risk to customer data (for
//	            instance an alert still being triaged)
type Severity int

// The severities.
const (
	SeverityCritical Severity = 1
	SeverityHigh     Severity = 2
	SeverityMedium   Severity = 3
	SeverityLow      Severity = 4
)

// Title returns "Sev 1 (Critical)" and so on.
func (s Severity) Title() string {
	if !s.valid() {
		return fmt.Sprintf("Sev %d (invalid)", int(s))
	}
	return fmt.Sprintf("Sev %d (%s)", int(s), levelNames[s-1])
}

func (s Severity) valid() bool { return s >= 1 && s <= 4 }

var levelNames = [4]string{"Critical", "High", "Medium", "Low"}

// PrivacyRisk is the severity criterion "privacy": the risk to customer
// (personal or customer-owned) data.
type PrivacyRisk string

// Privacy risks, from none to confirmed.
const (
	PrivacyNone      PrivacyRisk = "none"      // no customer data involved
	PrivacyPossible  PrivacyRisk = "possible"  // customer data may be involved; not yet known
	PrivacyImminent  PrivacyRisk = "imminent"  // customer data is about to be exposed or altered
	PrivacyConfirmed PrivacyRisk = "confirmed" // customer data was accessed, disclosed or altered
)

// PrivacyRisks lists the privacy risks from none to confirmed.
var PrivacyRisks = []PrivacyRisk{PrivacyNone, PrivacyPossible, PrivacyImminent, PrivacyConfirmed}

// TenantsUnknown is SeverityCriteria.AffectedTenants while the number is not known.
const TenantsUnknown = -1

// SeverityCriteria are the inputs of a severity rating, one field per
// criterion of the Detection and analysis article.
type SeverityCriteria struct {
	Privacy         PrivacyRisk `json:"privacy"`
	Impact          string      `json:"impact"`           // what the incident does or threatens
	Scope           string      `json:"scope"`            // e.g. "one storage cluster", "all EU tenants"
	AffectedTenants int         `json:"affected_tenants"` // TenantsUnknown when not known
	Regions         []string    `json:"regions"`
	Services        []string    `json:"services"`
	Details         string      `json:"details"`     // details of the incident that bear on severity
	Regulations     []string    `json:"regulations"` // customer industry or market regulations: "HIPAA", "PCI DSS", "GDPR"…
}

// Suggest returns the severity the documented rule (see Severity) gives the criteria.
func (sc SeverityCriteria) Suggest() Severity {
	switch {
	case sc.Privacy == PrivacyConfirmed || sc.Privacy == PrivacyImminent:
		return SeverityCritical
	case sc.Privacy == PrivacyPossible || sc.AffectedTenants > 1 || (len(sc.Regulations) > 0 && sc.AffectedTenants != 0):
		return SeverityHigh
	case sc.AffectedTenants != 0:
		return SeverityMedium
	}
	return SeverityLow
}

func (sc SeverityCriteria) validate() error {
	if !slices.Contains(PrivacyRisks, sc.Privacy) {
		return casefile.Invalidf("unknown privacy risk %q; use none, possible, imminent or confirmed", sc.Privacy)
	}
	if sc.AffectedTenants < TenantsUnknown {
		return casefile.Invalidf("affected tenants %d: give a count, or TenantsUnknown (-1)", sc.AffectedTenants)
	}
	for _, f := range []struct{ name, v string }{{"impact", sc.Impact}, {"scope", sc.Scope}, {"details", sc.Details}} {
		if err := casefile.CheckText(f.name, f.v, false, casefile.MaxTextLen); err != nil {
			return err
		}
	}
	for _, l := range []struct {
		name string
		v    []string
	}{{"region", sc.Regions}, {"service", sc.Services}, {"regulation", sc.Regulations}} {
		if err := casefile.CheckList(l.name+"s", len(l.v)); err != nil {
			return err
		}
		for _, s := range l.v {
			if err := casefile.CheckLine(l.name, s, true, casefile.MaxShortFieldLen); err != nil {
				return err
			}
		}
	}
	return nil
}

// SeverityRating is one severity decision with its criteria.
type SeverityRating struct {
	Severity  Severity         `json:"severity"`
	Suggested Severity         `json:"suggested"` // what Suggest gave the criteria
	Criteria  SeverityCriteria `json:"criteria"`
	Rationale string           `json:"rationale"`
	casefile.Attribution
}

// Priority orders the response, on a scale of 1 (most urgent) to 4, from
// three factors (Detection and analysis: "the functional impact of the
// incident, the informational impact of the incident, and the
// recoverability from the incident"), with the categories of NIST SP
// 800-61r2 section 3.2.6. Each factor rates an urgency on its own and the
// most urgent factor decides (PriorityFactors.Suggest):
//
//	factor          1 Critical                      2 High              3 Medium      4 Low
//	functional      high                            medium              low           none
//	informational   privacy breach, integrity loss  proprietary breach  –             none
//	recoverability  not recoverable                 extended            supplemented  regular
type Priority int

// The priorities.
const (
	PriorityCritical Priority = 1
	PriorityHigh     Priority = 2
	PriorityMedium   Priority = 3
	PriorityLow      Priority = 4
)

// Title returns "P1 (Critical)" and so on.
func (p Priority) Title() string {
	if !p.valid() {
		return fmt.Sprintf("P%d (invalid)", int(p))
	}
	return fmt.Sprintf("P%d (%s)", int(p), levelNames[p-1])
}

func (p Priority) valid() bool { return p >= 1 && p <= 4 }

// FunctionalImpact is the incident's effect on the business functionality
// of the affected systems (NIST SP 800-61r2, table 3-2).
type FunctionalImpact string

// Functional impact categories.
const (
	// FunctionalNone: no effect on the ability to provide all services to all users.
	FunctionalNone FunctionalImpact = "none"
	// FunctionalLow: minimal effect; all critical services still provided to all users, with lost efficiency.
	FunctionalLow FunctionalImpact = "low"
	// FunctionalMedium: a critical service can no longer be provided to a subset of users.
	FunctionalMedium FunctionalImpact = "medium"
	// FunctionalHigh: some critical services can no longer be provided to any user.
	FunctionalHigh FunctionalImpact = "high"
)

// InformationalImpact is the effect on the confidentiality, integrity and
// availability of information (NIST SP 800-61r2, table 3-3).
type InformationalImpact string

// Informational impact categories.
const (
	// InformationalNone: no information was exfiltrated, changed, deleted or otherwise compromised.
	InformationalNone InformationalImpact = "none"
	// InformationalPrivacy: sensitive personally identifiable information (customer data) was accessed or exfiltrated.
	InformationalPrivacy InformationalImpact = "privacy-breach"
	// InformationalProprietary: unclassified proprietary information was accessed or exfiltrated.
	InformationalProprietary InformationalImpact = "proprietary-breach"
	// InformationalIntegrity: sensitive or proprietary information was changed or deleted.
	InformationalIntegrity InformationalImpact = "integrity-loss"
)

// Recoverability is the effort recovery takes (NIST SP 800-61r2, table 3-4).
type Recoverability string

// Recoverability categories.
const (
	// RecoveryRegular: time to recovery is predictable with existing resources.
	RecoveryRegular Recoverability = "regular"
	// RecoverySupplemented: time to recovery is predictable with additional resources.
	RecoverySupplemented Recoverability = "supplemented"
	// RecoveryExtended: time to recovery is unpredictable; additional resources and outside help are needed.
	RecoveryExtended Recoverability = "extended"
	// RecoveryNotRecoverable: recovery is not possible (e.g. sensitive data exfiltrated and posted publicly).
	RecoveryNotRecoverable Recoverability = "not-recoverable"
)

// The categories of each factor, least to most urgent.
var (
	FunctionalImpacts    = []FunctionalImpact{FunctionalNone, FunctionalLow, FunctionalMedium, FunctionalHigh}
	InformationalImpacts = []InformationalImpact{InformationalNone, InformationalProprietary, InformationalPrivacy, InformationalIntegrity}
	Recoverabilities     = []Recoverability{RecoveryRegular, RecoverySupplemented, RecoveryExtended, RecoveryNotRecoverable}
)

// PriorityFactors are the inputs of a priority rating.
type PriorityFactors struct {
	Functional     FunctionalImpact    `json:"functional"`
	Informational  InformationalImpact `json:"informational"`
	Recoverability Recoverability      `json:"recoverability"`
}

// Suggest returns the priority of the most urgent factor (see Priority).
func (pf PriorityFactors) Suggest() Priority {
	p := PriorityLow
	consider := func(q Priority) { p = min(p, q) }
	switch pf.Functional {
	case FunctionalHigh:
		consider(PriorityCritical)
	case FunctionalMedium:
		consider(PriorityHigh)
	case FunctionalLow:
		consider(PriorityMedium)
	}
	switch pf.Informational {
	case InformationalPrivacy, InformationalIntegrity:
		consider(PriorityCritical)
	case InformationalProprietary:
		consider(PriorityHigh)
	}
	switch pf.Recoverability {
	case RecoveryNotRecoverable:
		consider(PriorityCritical)
	case RecoveryExtended:
		consider(PriorityHigh)
	case RecoverySupplemented:
		consider(PriorityMedium)
	}
	return p
}

func (pf PriorityFactors) validate() error {
	var bad []string
	if !slices.Contains(FunctionalImpacts, pf.Functional) {
		bad = append(bad, fmt.Sprintf("functional impact %q (none, low, medium, high)", pf.Functional))
	}
	if !slices.Contains(InformationalImpacts, pf.Informational) {
		bad = append(bad, fmt.Sprintf("informational impact %q (none, privacy-breach, proprietary-breach, integrity-loss)", pf.Informational))
	}
	if !slices.Contains(Recoverabilities, pf.Recoverability) {
		bad = append(bad, fmt.Sprintf("recoverability %q (regular, supplemented, extended, not-recoverable)", pf.Recoverability))
	}
	if len(bad) > 0 {
		return casefile.Invalidf("unknown %s", strings.Join(bad, "; "))
	}
	return nil
}

// PriorityRating is one priority decision with its factors.
type PriorityRating struct {
	Priority  Priority        `json:"priority"`
	Suggested Priority        `json:"suggested"` // what Suggest gave the factors
	Factors   PriorityFactors `json:"factors"`
	Rationale string          `json:"rationale"`
	casefile.Attribution
}

// SeverityHistory returns every severity rating, oldest first.
func (s *Store) SeverityHistory() ([]SeverityRating, error) {
	return casefile.ReadAll[SeverityRating](s.c, "read severity history", tblSeverity)
}

// PriorityHistory returns every priority rating, oldest first.
func (s *Store) PriorityHistory() ([]PriorityRating, error) {
	return casefile.ReadAll[PriorityRating](s.c, "read priority history", tblPriority)
}
