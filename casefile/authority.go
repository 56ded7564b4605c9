package casefile

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// Authority. Every custody entry is an action, every action needs one
// permission, and each permission is held by the roles of the matrix below
// (docs/AUTHORITY.md prints it as one table). The check sits in the one
// place every entry passes through (appendEntry): an action the acting
// examiner's roles do not allow is refused there, before anything of its
// change is committed, and the refusal names the action and the roles that
// may take it. Domain packages register each action they write with
// RegisterAction; an entry with an unregistered action is a programming
// error and is refused too.
//
// An examiner acts in one role (chosen when the case is opened, --role) but
// may hold several (a small team): an action the acting role does not allow
// and another role they hold does is taken in that other role, and the
// entry records the role whose authority was used — the first of the
// examiner's roles, in the process document's order, that allows it.

// Permission is a kind of decision or work on a case that the matrix gives
// to some roles.
type Permission string

// The permissions. Roles are abbreviated in comments: OCR on-call responder,
// SIM security incident manager, FE forensic engineer, CM communications
// manager, STE service team expert, CSE customer support engineer, EIM
// executive incident manager, LA legal advisor.
const (
	// PermOpenCase: create, open, upgrade and verify the case and its
	// evidence, record that evidence was viewed. Any examiner of the case.
	PermOpenCase Permission = "open-and-verify"
	// PermOwnKey: change one's own passphrase. Any examiner.
	PermOwnKey Permission = "own-key"
	// PermManageExaminers: add examiners, add and remove key slots, assign
	// and release roles. SIM, EIM ("determine if, when, and who to bring
	// in", Table 2).
	PermManageExaminers Permission = "manage-examiners"
	// PermHandleEvidence: ingest evidence, parse it into the timeline, add
	// derived items, import sealed exports. OCR, SIM, FE, STE, CSE ("data
	// collection").
	PermHandleEvidence Permission = "handle-evidence"
	// PermWithdrawEvidence: withdraw or reinstate an item. SIM, FE.
	PermWithdrawEvidence Permission = "withdraw-evidence"
	// PermInvestigate: findings, indicators, event annotations, saved
	// searches, sweeps, response actions. OCR, SIM, FE, STE, CSE.
	PermInvestigate Permission = "investigate"
	// PermRateClassify: classify the event, set severity, priority and the
	// exercise mark. OCR ("evaluate an incoming event for
	// security-relevance"), SIM ("determines whether the event ... presents
	// security or privacy risk").
	PermRateClassify Permission = "rate-and-classify"
	// PermEditIncident: the incident record's summary, next steps,
	// detection and awareness times, related incidents. OCR, SIM.
	PermEditIncident Permission = "edit-incident"
	// PermMoveStage: move the incident through the lifecycle, close and
	// reopen it. SIM ("lead the incident team through to closure").
	PermMoveStage Permission = "move-stage"
	// PermRecordMitigation: record an emergency mitigation step. OCR, SIM,
	// FE, STE, CSE.
	PermRecordMitigation Permission = "record-mitigation"
	// PermApproveMitigation: approve an emergency mitigation, in the
	// capacity of the role (2.2.4: "the executive incident manager, service
	// owner, and security incident manager may jointly choose"). SIM, EIM,
	// STE (the service owner's team).
	PermApproveMitigation Permission = "approve-mitigation"
	// PermPostMortem: the post-mortem and its repair items. OCR, SIM, FE,
	// STE, CSE.
	PermPostMortem Permission = "post-mortem"
	// PermGenerateReports: reports, ledger and timeline exports. SIM, FE
	// ("creates finished intelligence reports"), CM, EIM, LA.
	PermGenerateReports Permission = "generate-reports"
	// PermExportEvidence: sealed evidence exports, files extracted to disk.
	// SIM, FE ("preserves evidence ... in a legal forensically sound
	// manner").
	PermExportEvidence Permission = "export-evidence"
	// PermNotificationTrack: start the notification track, record the
	// decisions that start legal clocks, choose the regimes. SIM, EIM, LA.
	PermNotificationTrack Permission = "notification-track"
	// PermCustomerScope: scope the impacted customers. SIM, CM, CSE, LA.
	PermCustomerScope Permission = "customer-scope"
	// PermNoticeDraft: draft and revise notices. SIM, CM ("develops
	// communication content"), CSE, LA.
	PermNoticeDraft Permission = "notice-draft"
	// PermNoticeApprove: review and approve a notice (never its own
	// author's: four eyes). SIM, EIM, LA.
	PermNoticeApprove Permission = "notice-approve"
	// PermDeclareBreach: declare a security breach, or record that none is
	// declared. EIM only ("individual with the authority to officially
	// declare a security breach").
	PermDeclareBreach Permission = "declare-breach"
	// PermNoticeSend: export, send and mark notices sent. SIM, CM
	// ("provide notification updates to customers").
	PermNoticeSend Permission = "notice-send"
	// PermLawEnforcementDelay: record a law-enforcement delay of
	// notification. LA, EIM, SIM.
	PermLawEnforcementDelay Permission = "law-enforcement-delay"
)

const (
	ocr = RoleOnCallResponder
	sim = RoleSecurityIncidentManager
	fe  = RoleForensicEngineer
	cm  = RoleCommunicationsManager
	ste = RoleServiceTeamExpert
	cse = RoleCustomerSupportEngineer
	eim = RoleExecutiveIncidentManager
	la  = RoleLegalAdvisor
)

// permInfo is one row of the matrix.
type permInfo struct {
	what  string // what it allows, for people ("move the incident's stage")
	roles []Role // nil: any examiner of the case, whatever their roles
}

// matrix is the permission matrix. docs/AUTHORITY.md is generated from it
// (TestAuthorityDoc).
var matrix = map[Permission]permInfo{
	PermOpenCase:            {what: "create, open, upgrade and verify the case and its evidence"},
	PermOwnKey:              {what: "change one's own passphrase"},
	PermManageExaminers:     {"add examiners, manage key slots, assign and release roles", []Role{sim, eim}},
	PermHandleEvidence:      {"ingest evidence, parse it into the timeline, add derived items, import exports", []Role{ocr, sim, fe, ste, cse}},
	PermWithdrawEvidence:    {"withdraw or reinstate an evidence item", []Role{sim, fe}},
	PermInvestigate:         {"record findings, indicators, event annotations, searches, sweeps and actions", []Role{ocr, sim, fe, ste, cse}},
	PermRateClassify:        {"classify the event, set severity, priority and the exercise mark", []Role{ocr, sim}},
	PermEditIncident:        {"edit the incident's summary, next steps, detection, awareness and related incidents", []Role{ocr, sim}},
	PermMoveStage:           {"move the incident's stage, close and reopen it", []Role{sim}},
	PermRecordMitigation:    {"record an emergency mitigation", []Role{ocr, sim, fe, ste, cse}},
	PermApproveMitigation:   {"approve an emergency mitigation", []Role{sim, ste, eim}},
	PermPostMortem:          {"write the post-mortem and its repair items", []Role{ocr, sim, fe, ste, cse}},
	PermGenerateReports:     {"generate reports and export the ledger or timeline", []Role{sim, fe, cm, eim, la}},
	PermExportEvidence:      {"create sealed evidence exports and extract files", []Role{sim, fe}},
	PermNotificationTrack:   {"start the notification track and record the decisions that start legal clocks", []Role{sim, eim, la}},
	PermCustomerScope:       {"scope the impacted customers", []Role{sim, cm, cse, la}},
	PermNoticeDraft:         {"draft and revise notices", []Role{sim, cm, cse, la}},
	PermNoticeApprove:       {"review and approve a notice (not one's own)", []Role{sim, eim, la}},
	PermDeclareBreach:       {"declare a security breach, or that none is declared", []Role{eim}},
	PermNoticeSend:          {"export, send and mark notices sent", []Role{sim, cm}},
	PermLawEnforcementDelay: {"record a law-enforcement delay of notification", []Role{sim, eim, la}},
}

// DefaultCreatorRoles are the roles of a case's creator who names none: the
// person who opens a case investigates it (Forensic Engineer, the role they
// act in) and leads it until they hand the lead on (Security Incident
// Manager: they can bring in examiners and assign roles).
var DefaultCreatorRoles = []Role{RoleForensicEngineer, RoleSecurityIncidentManager}

// Permissions lists every permission in the matrix's documented order.
var Permissions = []Permission{
	PermOpenCase, PermOwnKey, PermManageExaminers, PermHandleEvidence, PermWithdrawEvidence, PermInvestigate,
	PermRateClassify, PermEditIncident, PermMoveStage, PermRecordMitigation, PermApproveMitigation, PermPostMortem,
	PermGenerateReports, PermExportEvidence, PermNotificationTrack, PermCustomerScope, PermNoticeDraft,
	PermNoticeApprove, PermDeclareBreach, PermNoticeSend, PermLawEnforcementDelay,
}

// What says what p allows, for people.
func (p Permission) What() string {
	if info, ok := matrix[p]; ok {
		return info.what
	}
	return string(p)
}

// ErrNotPermitted means the acting examiner holds no role that may take
// the action.
var ErrNotPermitted = NewKind("casefile", "not permitted in your role",
	"open the case as an examiner who holds one of the roles named (--examiner NAME --role ROLE), or ask a security incident manager to assign you one ('custodiactl role assign')")

var actions = struct {
	sync.RWMutex
	perm map[Action]Permission
}{perm: map[Action]Permission{}}

// RegisterAction declares that entries of action a need permission p. Each
// package that writes an action registers it once, at initialisation
// (`var _ = casefile.RegisterAction(...)`); it returns a for that use. It
// panics on a permission not in the matrix or an action registered twice
// with different permissions: both are programming errors.
func RegisterAction(a Action, p Permission) Action {
	if _, ok := matrix[p]; !ok {
		panic(fmt.Sprintf("casefile: RegisterAction(%q): unknown permission %q", a, p))
	}
	actions.Lock()
	defer actions.Unlock()
	if old, ok := actions.perm[a]; ok && old != p {
		panic(fmt.Sprintf("casefile: action %q registered with %q and %q", a, old, p))
	}
	actions.perm[a] = p
	return a
}

// PermissionOf returns the permission action a needs, and false when a was
// never registered.
func PermissionOf(a Action) (Permission, bool) {
	actions.RLock()
	defer actions.RUnlock()
	p, ok := actions.perm[a]
	return p, ok
}

// RegisteredActions returns every registered action, sorted.
func RegisteredActions() []Action {
	actions.RLock()
	defer actions.RUnlock()
	out := make([]Action, 0, len(actions.perm))
	for a := range actions.perm {
		out = append(out, a)
	}
	slices.Sort(out)
	return out
}

// RolesFor returns the roles that hold p, in the process document's order,
// and nil when any examiner may (PermOpenCase, PermOwnKey).
func RolesFor(p Permission) []Role {
	return slices.Clone(matrix[p].roles)
}

// May reports whether role r holds permission p.
func May(r Role, p Permission) bool {
	info, ok := matrix[p]
	return ok && (info.roles == nil || slices.Contains(info.roles, r))
}

// authorise returns the role in which ex, acting as role, takes a
// permission p action: role itself when it may, else the first role ex
// holds that may; an *Error of kind ErrNotPermitted when none may.
func authorise(ex Examiner, role Role, p Permission, doing string) (Role, error) {
	info, ok := matrix[p]
	if !ok {
		return "", fmt.Errorf("casefile: unknown permission %q", p)
	}
	if info.roles == nil || slices.Contains(info.roles, role) {
		return role, nil
	}
	for _, r := range Roles {
		if ex.HasRole(r) && slices.Contains(info.roles, r) {
			return r, nil
		}
	}
	return "", refusal(ex, role, info, doing)
}

func refusal(ex Examiner, role Role, info permInfo, doing string) error {
	may := make([]string, len(info.roles))
	for i, r := range info.roles {
		may[i] = r.Title()
	}
	who := "you hold no role"
	if len(ex.Roles) > 0 {
		held := make([]string, len(ex.Roles))
		for i, r := range ex.Roles {
			held[i] = r.Title()
		}
		who = "you hold " + strings.Join(held, ", ")
	}
	if role != "" && len(ex.Roles) > 1 {
		who += " and act as " + role.Title()
	}
	return ErrNotPermitted.Errorf("%s (%s) may be done by the %s; %s", doing, info.what, joinOr(may), who)
}

// joinOr joins ["a","b","c"] as "a, b or c".
func joinOr(s []string) string {
	switch len(s) {
	case 0:
		return ""
	case 1:
		return s[0]
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}

// authoriseEntry returns the role recorded in an entry of action a taken
// through c, or the refusal. q reads the examiners for the one exception
// to the matrix: a case in which no examiner with a key slot holds a role
// that may manage examiners (a case created before roles were enforced,
// or whose leads were all removed) would be locked for good, so its
// creator — the first examiner — may then manage examiners and assign
// roles, acting in their own role; the entries show it. A recovery key's
// examiner may always manage examiners and key slots (break-glass).
func (c *Case) authoriseEntry(ctx context.Context, q querier, a Action) (Role, error) {
	p, ok := PermissionOf(a)
	if !ok {
		return "", fmt.Errorf("casefile: action %q is not registered with a permission (casefile.RegisterAction): refused", a)
	}
	return c.authorise(ctx, q, p, string(a))
}

func (c *Case) authorise(ctx context.Context, q querier, p Permission, doing string) (Role, error) {
	role, err := authorise(c.actor, c.role, p, doing)
	if err == nil || !needsExaminers(c.actor, p) {
		return role, err
	}
	may := false
	if c.exception != nil { // within a change: as the examiners stood before it
		may = *c.exception
	} else {
		exs, rerr := c.readExaminers(ctx, q)
		if rerr != nil {
			return "", rerr
		}
		may = mayByException(c.actor, exs, p)
	}
	if may {
		return c.role, nil
	}
	return "", err
}

// exceptionBefore decides, at the start of a change, whether the acting
// examiner may manage examiners by the exception (mayByException); it
// reads the examiners only when the matrix alone refuses.
func (c *Case) exceptionBefore(ctx context.Context, q querier) (bool, error) {
	if _, err := authorise(c.actor, c.role, PermManageExaminers, ""); err == nil {
		return false, nil // not needed: the matrix allows it
	}
	if !needsExaminers(c.actor, PermManageExaminers) {
		return false, nil
	}
	exs, err := c.readExaminers(ctx, q)
	if err != nil {
		return false, err
	}
	return mayByException(c.actor, exs, PermManageExaminers), nil
}

// needsExaminers reports whether deciding p for ex may take the exception
// of mayByException, which needs the case's examiners.
func needsExaminers(ex Examiner, p Permission) bool { return p == PermManageExaminers }

// mayByException reports whether ex may take p by an exception to the
// matrix (authoriseEntry): the recovery key, or the creator of a case in
// which no one else could manage examiners. exs are the case's examiners
// in order of addition, the creator first.
func mayByException(ex Examiner, exs []Examiner, p Permission) bool {
	if p != PermManageExaminers {
		return false
	}
	if ex.Kind == SlotRecovery {
		// The recovery key is the case's break-glass: it exists to give
		// access back (a new passphrase slot, a new examiner) when
		// passphrases are lost. Its entries name the recovery key.
		return true
	}
	if len(exs) == 0 || exs[0].ID != ex.ID {
		return false
	}
	for _, o := range exs[1:] { // the creator's own roles are ex's: a grant in this change does not count
		if o.Active && slices.ContainsFunc(matrix[p].roles, o.HasRole) {
			return false
		}
	}
	return true
}

// ExaminerMay reports whether ex may take p in this case, whose examiners
// are exs (as Case.Examiners returns them): the same rule as the ledger's,
// as a pure function for the GUI, which must not wait for the case's lock
// to enable a button.
func ExaminerMay(ex Examiner, exs []Examiner, p Permission) bool {
	if _, err := authorise(ex, "", p, ""); err == nil {
		return true
	}
	return mayByException(ex, exs, p)
}

// Require returns nil when the acting examiner holds a role with
// permission p, else the refusal (kind ErrNotPermitted) naming the roles
// that may. Domain functions call it first, so that nothing heavy runs
// before a refusal; the ledger checks again for every entry.
func (c *Case) Require(p Permission) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.usable(); err != nil {
		return err
	}
	_, err := c.authorise(context.Background(), c.db, p, "this")
	return err
}

// RequireAction is Require for the permission action a needs.
func (c *Case) RequireAction(a Action) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.usable(); err != nil {
		return err
	}
	_, err := c.authoriseEntry(context.Background(), c.db, a)
	return err
}

// Allowed reports whether the acting examiner holds a role with
// permission p (for the GUI: a control is disabled, and says which role
// may, when it is false).
func (c *Case) Allowed(p Permission) bool {
	return c.Require(p) == nil
}

// WhoMay says, for a disabled control, which roles may use it: "the
// security incident manager" or "the security incident manager or
// executive incident manager".
func WhoMay(p Permission) string {
	info := matrix[p]
	if info.roles == nil {
		return "any examiner of the case"
	}
	may := make([]string, len(info.roles))
	for i, r := range info.roles {
		may[i] = r.Title()
	}
	return "the " + joinOr(may)
}

// The actions of this package.
var _ = RegisterActions(map[Action]Permission{
	ActionCaseCreated: PermOpenCase, ActionFormatUpgraded: PermOpenCase, ActionLedgerVerified: PermOpenCase,
	ActionEvidenceVerified: PermOpenCase, ActionEvidenceViewed: PermOpenCase, ActionSourceVerified: PermOpenCase,
	ActionPassphraseChanged: PermOwnKey, ActionOwnSlotRemoved: PermOwnKey,
	ActionExaminerAdded: PermManageExaminers, ActionKeySlotAdded: PermManageExaminers,
	ActionRecoveryKeyAdded: PermManageExaminers, ActionKeySlotRemoved: PermManageExaminers,
	ActionEvidenceIngested: PermHandleEvidence, ActionIngestDiscarded: PermHandleEvidence,
	ActionIngestAborted: PermHandleEvidence, ActionIngestSkipped: PermHandleEvidence,
	ActionEvidenceWithdrawn: PermWithdrawEvidence, ActionEvidenceReinstated: PermWithdrawEvidence,
	ActionLedgerExported:    PermGenerateReports,
	ActionEvidenceExtracted: PermExportEvidence,
})

// RegisterActions registers each action of m with its permission: the
// table form of RegisterAction for a package's actions.
func RegisterActions(m map[Action]Permission) bool {
	for a, p := range m {
		RegisterAction(a, p)
	}
	return true
}

// RequireAction is the Case's RequireAction inside a change: for each part
// of a change recorded under one combined action (incident.updated).
func (t *Tx) RequireAction(a Action) error {
	_, err := t.c.authoriseEntry(t.ctx, t.tx, a)
	return err
}
