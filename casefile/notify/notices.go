package notify

import (
	"bytes"
	"embed"
	"fmt"
	"slices"
	"strings"
	"text/template"
	"time"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/incident"
	"github.com/google/uuid"
)

// Audience is whom a notice is for.
type Audience string

// Audiences.
const (
	AudienceCustomer     Audience = "customer"      // the customer's administrators
	AudienceRegulator    Audience = "regulator"     // an applicable regulator
	AudienceDataSubjects Audience = "data-subjects" // the people whose data is concerned
	AudienceInternal     Audience = "internal"      // internal / executive
)

// Audiences lists the audiences.
var Audiences = []Audience{AudienceCustomer, AudienceRegulator, AudienceDataSubjects, AudienceInternal}

// Official reports whether notices to a is official notification, which
// only a declared breach allows to be sent.
func (a Audience) Official() bool { return a != AudienceInternal }

// Channels a notice is sent through.
var Channels = []string{"email", "portal", "phone", "letter"}

// MaxBodyLen bounds a notice's body, in bytes.
const MaxBodyLen = casefile.MaxMarkdownLen

// NoticeContent is one revision of a notice.
type NoticeContent struct {
	Audience Audience `json:"audience"`
	Regime   string   `json:"regime"`   // a regime id of Regimes, or ""
	Customer string   `json:"customer"` // the customer's id, for audience customer
	From     string   `json:"from"`     // the sender's e-mail address; "" until set
	To       []string `json:"to"`
	Cc       []string `json:"cc"`
	Subject  string   `json:"subject"`
	Body     string   `json:"body"` // plain text; sections "== Heading ==" carry the checklist
}

type noticeRow struct {
	NoticeContent
	Reason string `json:"reason"`
	casefile.Attribution
}

// NoticeApproval is an approval of one revision of a notice, given by the
// approver themselves: its custody entry (notice.approved) is signed with
// their key and pins the revision's content hash.
type NoticeApproval struct {
	Revision      int    `json:"revision"`
	ContentSHA256 string `json:"content_sha256"`
	Reason        string `json:"reason"`
	casefile.Attribution
}

// Sending records that a notice was sent.
type Sending struct {
	Revision   int       `json:"revision"`
	At         time.Time `json:"sent_at"`
	Channel    string    `json:"channel"`
	Recipients []string  `json:"recipients"`
	Regime     string    `json:"regime"`     // the regime whose obligation it meets ("" none)
	Obligation string    `json:"obligation"` // the obligation met, as package regime names it ("" unnamed)
	Reason     string    `json:"reason"`
	casefile.Attribution
}

// Notice is the current view of a notice.
type Notice struct {
	ID uuid.UUID
	NoticeContent
	Revision  int                    // the current revision: 1, 2…
	Created   casefile.Attribution   // who drafted it
	Revised   casefile.Attribution   // who wrote the current revision
	Authors   []casefile.Attribution // every revision's, oldest first
	Approvals []NoticeApproval
	Sendings  []Sending
	Checklist []CheckItem
}

// Approved returns the approval of the current revision, or nil: an edit
// after an approval needs a new one.
func (n Notice) Approved() *NoticeApproval {
	for i := len(n.Approvals) - 1; i >= 0; i-- {
		if n.Approvals[i].Revision == n.Revision {
			return &n.Approvals[i]
		}
	}
	return nil
}

// Missing lists the checklist items the notice does not meet.
func (n Notice) Missing() []CheckItem {
	var out []CheckItem
	for _, c := range n.Checklist {
		if !c.Met {
			out = append(out, c)
		}
	}
	return out
}

// Status is one word for the notice's state: draft, approved or sent.
func (n Notice) Status() string {
	switch {
	case len(n.Sendings) > 0:
		return "sent"
	case n.Approved() != nil:
		return "approved"
	}
	return "draft"
}

//go:embed templates/*.tmpl
var templateFS embed.FS

// templates holds each audience's template set: its file with the shared
// sections.
var templates = func() map[Audience]*template.Template {
	m := map[Audience]*template.Template{}
	for _, a := range Audiences {
		m[a] = template.Must(template.New("").ParseFS(templateFS, "templates/"+string(a)+".tmpl", "templates/sections.tmpl"))
	}
	return m
}()

// regimeTitles are the regimes' names in notices.
var regimeTitles = map[string]string{
	"gdpr": "GDPR Art. 33", "nis2": "NIS2 Art. 23", "dora": "DORA Art. 19", "sec-8k": "SEC Form 8-K Item 1.05",
	"hipaa": "HIPAA §164.404", "nydfs": "23 NYCRR 500.17", "cert-in": "CERT-In Directions of 28 April 2022",
	"au-ndb": "Australia's Notifiable Data Breaches scheme", "lgpd": "LGPD Art. 48", "sg-pdpa": "Singapore PDPA s. 26D",
	"in-dpdp": "India DPDP Act s. 8(6)",
}

// NewNotice is what a person gives to draft a notice; the subject and body
// are filled from the case's facts by the audience's template.
type NewNotice struct {
	Audience Audience
	Regime   string
	Customer string // required for audience customer
	From     string
	To, Cc   []string // default for a customer notice: its administrators
	Reason   string
}

type section2 struct{ Heading, Text string }

type facts struct {
	Case         casefile.Info
	CustomerName string
	RegimeTitle  string
	Sections     []section2
}

func checkAddresses(field string, as []string) error {
	if err := casefile.CheckList(field, len(as)); err != nil {
		return err
	}
	for _, a := range as {
		if err := checkEmail(field, a); err != nil {
			return err
		}
	}
	return nil
}

// check validates a revision of a notice: no line break in the subject or
// an address (header injection), known audience and regime.
func (nc *NoticeContent) check() error {
	if !slices.Contains(Audiences, nc.Audience) {
		return casefile.Invalidf("unknown audience %q; use customer, regulator, data-subjects or internal", nc.Audience)
	}
	if nc.Regime != "" && !slices.Contains(Regimes, nc.Regime) {
		return casefile.Invalidf("unknown regime %q; use %s", nc.Regime, strings.Join(Regimes, ", "))
	}
	if nc.Audience == AudienceRegulator && nc.Regime == "" {
		return casefile.Invalidf("a notice to a regulator needs its regime (--regime)")
	}
	if nc.Audience == AudienceCustomer && nc.Customer == "" {
		return casefile.Invalidf("a notice to a customer needs the customer (--customer ID)")
	}
	if nc.From != "" {
		if err := checkEmail("from", nc.From); err != nil {
			return err
		}
	}
	if err := checkAddresses("to", nc.To); err != nil {
		return err
	}
	if err := checkAddresses("cc", nc.Cc); err != nil {
		return err
	}
	if err := casefile.CheckLine("subject", nc.Subject, true, 998); err != nil {
		return err
	}
	if nc.To == nil {
		nc.To = []string{}
	}
	if nc.Cc == nil {
		nc.Cc = []string{}
	}
	return casefile.CheckText("body", nc.Body, true, MaxBodyLen)
}

// caseFacts gathers what the templates fill in.
func (s *Store) caseFacts(nn NewNotice, cust *Customer) (facts, error) {
	f := facts{Case: s.c.Info(), RegimeTitle: regimeTitles[nn.Regime]}
	inc, err := incident.Of(s.c).Incident()
	if err != nil {
		return f, err
	}
	tr, err := s.Track()
	if err != nil {
		return f, err
	}
	actions, err := incident.Of(s.c).ResponseActions()
	if err != nil {
		return f, err
	}
	mits, err := incident.Of(s.c).Mitigations()
	if err != nil {
		return f, err
	}
	customers := []Customer{}
	if cust != nil {
		f.CustomerName = cust.Name
		customers = append(customers, *cust)
	} else if customers, err = s.Customers(); err != nil {
		return f, err
	}
	placeholder := func(need string) string { return placeholderPrefix + need + "]" }
	fill := func(d checkDef) string {
		var b strings.Builder
		switch d.fill {
		case "nature":
			if strings.TrimSpace(inc.Summary) == "" {
				return placeholder(d.Need)
			}
			b.WriteString(strings.TrimSpace(inc.Summary))
		case "timing":
			if tr.Start == nil {
				return placeholder(d.Need)
			}
			if strings.TrimSpace(inc.Summary) != "" && d.Heading == "What happened" {
				b.WriteString(strings.TrimSpace(inc.Summary) + "\n")
			}
			if !inc.Detection.DetectedAt.IsZero() {
				fmt.Fprintf(&b, "The incident was detected on %s.\n", inc.Detection.DetectedAt.UTC().Format("2 January 2006 15:04 MST"))
			}
			fmt.Fprintf(&b, "We became aware of it on %s.", tr.Start.AwareAt.UTC().Format("2 January 2006 15:04 MST"))
			if dis := tr.Current(TriggerDiscovery); dis != nil {
				fmt.Fprintf(&b, "\nThe breach was discovered on %s.", dis.At.UTC().Format("2 January 2006 15:04 MST"))
			}
		case "data":
			if len(customers) == 0 {
				return placeholder(d.Need)
			}
			var cats []string
			var subjects int64
			for _, c := range customers {
				subjects += c.DataSubjects
				for _, cat := range c.DataCategories {
					if !slices.Contains(cats, cat) {
						cats = append(cats, cat)
					}
				}
			}
			if len(cats) == 0 {
				return placeholder(d.Need)
			}
			if cust == nil {
				fmt.Fprintf(&b, "Customers concerned: %d.\n", len(customers))
			}
			fmt.Fprintf(&b, "Categories of data concerned: %s.\nApproximate number of data subjects: %d.", strings.Join(cats, ", "), subjects)
		case "measures":
			if len(actions) == 0 && len(mits) == 0 {
				return placeholder(d.Need)
			}
			for _, m := range mits {
				fmt.Fprintf(&b, "- %s\n", casefile.Brief(m.Description))
			}
			for _, a := range actions {
				fmt.Fprintf(&b, "- %s\n", casefile.Brief(a.Description))
			}
			return strings.TrimRight(b.String(), "\n")
		default:
			return placeholder(d.Need)
		}
		return b.String()
	}
	defs, ok := checklists[nn.Regime]
	if !ok {
		defs = generic
	}
	for _, d := range defs {
		f.Sections = append(f.Sections, section2{Heading: d.Heading, Text: fill(d)})
	}
	return f, nil
}

func render(a Audience, f facts) (subject, body string, err error) {
	var sb, bb bytes.Buffer
	t := templates[a]
	if t == nil {
		return "", "", fmt.Errorf("notify: no template for audience %q", a)
	}
	if err := t.ExecuteTemplate(&sb, "subject", f); err != nil {
		return "", "", err
	}
	if err := t.ExecuteTemplate(&bb, "body", f); err != nil {
		return "", "", err
	}
	// A case title is one line (the case refuses control characters in
	// it), but the subject is checked again as a header.
	return strings.TrimSpace(sb.String()), bb.String(), nil
}

// DraftNotice drafts a notice from the case's facts by its audience's
// template. A customer notice goes, unless To is given, to the customer's
// administrators.
func (s *Store) DraftNotice(nn NewNotice) (Notice, error) {
	const what = "draft notice"
	if err := casefile.CheckReason(nn.Reason); err != nil {
		return Notice{}, fmt.Errorf("%s: %w", what, err)
	}
	nn.Regime = strings.ToLower(strings.TrimSpace(nn.Regime))
	probe := NoticeContent{Audience: nn.Audience, Regime: nn.Regime, Customer: nn.Customer, From: nn.From, To: nn.To, Cc: nn.Cc, Subject: "x", Body: "x"}
	if err := probe.check(); err != nil {
		return Notice{}, fmt.Errorf("%s: %w", what, err)
	}
	if err := s.require(what, casefile.PermNoticeDraft); err != nil {
		return Notice{}, err
	}
	var cust *Customer
	if nn.Customer != "" {
		c, err := s.Customer(nn.Customer)
		if err != nil {
			return Notice{}, fmt.Errorf("%s: %w", what, err)
		}
		cust = &c
		if len(nn.To) == 0 && nn.Audience == AudienceCustomer {
			nn.To = c.AdminContacts
		}
	}
	f, err := s.caseFacts(nn, cust)
	if err != nil {
		return Notice{}, fmt.Errorf("%s: %w", what, err)
	}
	subject, body, err := render(nn.Audience, f)
	if err != nil {
		return Notice{}, fmt.Errorf("%s: %w", what, err)
	}
	nc := NoticeContent{Audience: nn.Audience, Regime: nn.Regime, Customer: nn.Customer, From: nn.From, To: nn.To, Cc: nn.Cc, Subject: subject, Body: body}
	if err := nc.check(); err != nil {
		return Notice{}, fmt.Errorf("%s: %w", what, err)
	}
	id := uuid.New()
	return s.saveNotice(what, id, true, nc, nn.Reason)
}

// EditNotice records a new revision of notice id. Its audience, regime and
// customer do not change (draft another notice instead). An approval of an
// earlier revision does not carry over.
func (s *Store) EditNotice(id uuid.UUID, nc NoticeContent, reason string) (Notice, error) {
	const what = "edit notice"
	if err := casefile.CheckReason(reason); err != nil {
		return Notice{}, fmt.Errorf("%s: %w", what, err)
	}
	if err := nc.check(); err != nil {
		return Notice{}, fmt.Errorf("%s: %w", what, err)
	}
	if err := s.require(what, casefile.PermNoticeDraft); err != nil {
		return Notice{}, err
	}
	return s.saveNotice(what, id, false, nc, reason)
}

func (s *Store) saveNotice(what string, id uuid.UUID, isNew bool, nc NoticeContent, reason string) (Notice, error) {
	var n Notice
	err := s.write(what, func(tx *casefile.Tx) (casefile.Event, error) {
		action := ActionNoticeDrafted
		if !isNew {
			action = ActionNoticeEdited
			cur, err := readNotice(tx, id)
			if err != nil {
				return casefile.Event{}, err
			}
			if cur.Audience != nc.Audience || cur.Regime != nc.Regime || cur.Customer != nc.Customer {
				return casefile.Event{}, casefile.Invalidf("a notice's audience, regime and customer do not change (%s, %q, %q); draft another notice", cur.Audience, cur.Regime, cur.Customer)
			}
			if len(cur.Sendings) > 0 {
				return casefile.Event{}, casefile.Invalidf("notice %s was sent on %s; it is not edited after that: draft a follow-up notice", id, casefile.FormatTime(cur.Sendings[0].At))
			}
		}
		rec, err := tx.AppendRevision(tblNotices, id, noticeRow{NoticeContent: nc, Reason: reason, Attribution: stamp(tx, casefile.PermNoticeDraft)})
		if err != nil {
			return casefile.Event{}, err
		}
		if n, err = readNotice(tx, id); err != nil {
			return casefile.Event{}, err
		}
		missing := []string{}
		for _, m := range n.Missing() {
			missing = append(missing, m.Ref)
		}
		return casefile.Event{Action: action, Target: casefile.Target{Type: TargetNotice, ID: id.String()}, Reason: reason,
			Hashes: map[string]string{"content": rec.ContentHash()},
			Details: map[string]string{"audience": string(nc.Audience), "regime": nc.Regime, "customer": casefile.Brief(nc.Customer),
				"revision": fmt.Sprint(rec.Rev), "subject": casefile.Brief(nc.Subject), "missing": strings.Join(missing, "; ")}}, nil
	})
	return n, err
}

// ApproveNotice records the acting examiner's approval of the current
// revision of notice id. Refused to anyone who wrote a revision of it
// (four eyes), and while a checklist item is missing.
func (s *Store) ApproveNotice(id uuid.UUID, reason string) (Notice, error) {
	const what = "approve notice"
	if err := casefile.CheckReason(reason); err != nil {
		return Notice{}, fmt.Errorf("%s: %w", what, err)
	}
	if err := s.require(what, casefile.PermNoticeApprove); err != nil {
		return Notice{}, err
	}
	actor := s.c.Actor()
	var n Notice
	err := s.write(what, func(tx *casefile.Tx) (casefile.Event, error) {
		var err error
		if n, err = readNotice(tx, id); err != nil {
			return casefile.Event{}, err
		}
		for i, a := range n.Authors {
			if a.ExaminerID == actor.ID {
				return casefile.Event{}, ErrFourEyes.Errorf("%s wrote revision %d of it", actor.Name, i+1)
			}
		}
		if a := n.Approved(); a != nil {
			return casefile.Event{}, casefile.Invalidf("revision %d of the notice is already approved, by %s on %s", n.Revision, a.Examiner, casefile.FormatTime(a.At))
		}
		if m := n.Missing(); len(m) > 0 {
			refs := make([]string, len(m))
			for i, c := range m {
				refs[i] = c.Ref + " (" + c.Heading + ")"
			}
			return casefile.Event{}, casefile.Invalidf("the notice misses %s; complete the sections named (notice edit) and approve it then", strings.Join(refs, ", "))
		}
		revs, err := tx.Revisions(tblNotices, id)
		if err != nil {
			return casefile.Event{}, err
		}
		hash := revs[len(revs)-1].ContentHash()
		ap := NoticeApproval{Revision: n.Revision, ContentSHA256: hash, Reason: reason, Attribution: stamp(tx, casefile.PermNoticeApprove)}
		if _, err := tx.AppendRevision(tblApprovals, id, ap); err != nil {
			return casefile.Event{}, err
		}
		n.Approvals = append(n.Approvals, ap)
		return casefile.Event{Action: ActionNoticeApproved, Target: casefile.Target{Type: TargetNotice, ID: id.String()}, Reason: reason,
			Hashes:  map[string]string{"content": hash},
			Details: map[string]string{"revision": fmt.Sprint(n.Revision), "audience": string(n.Audience), "regime": n.Regime}}, nil
	})
	return n, err
}

// NewSending is what a person enters when a notice was sent.
type NewSending struct {
	At         time.Time // zero means now
	Channel    string    // email, portal, phone or letter
	Recipients []string  // default: the notice's To and Cc
	Obligation string    // the regime obligation it meets, as package regime names it; optional
	Reason     string
}

// MarkSent records that notice id was sent. Only an approved notice is;
// an official one (not internal) only once a breach is declared.
func (s *Store) MarkSent(id uuid.UUID, ns NewSending) (Notice, error) {
	const what = "mark notice sent"
	if !slices.Contains(Channels, ns.Channel) {
		return Notice{}, fmt.Errorf("%s: %w", what, casefile.Invalidf("unknown channel %q; use email, portal, phone or letter", ns.Channel))
	}
	if err := casefile.CheckList("recipients", len(ns.Recipients)); err != nil {
		return Notice{}, fmt.Errorf("%s: %w", what, err)
	}
	for _, r := range ns.Recipients {
		var err error
		if ns.Channel == "email" {
			err = checkEmail("recipient", r)
		} else {
			err = casefile.CheckLine("recipient", r, true, maxField)
		}
		if err != nil {
			return Notice{}, fmt.Errorf("%s: %w", what, err)
		}
	}
	if err := casefile.CheckLine("obligation", ns.Obligation, false, 200); err != nil {
		return Notice{}, fmt.Errorf("%s: %w", what, err)
	}
	if err := casefile.CheckReason(ns.Reason); err != nil {
		return Notice{}, fmt.Errorf("%s: %w", what, err)
	}
	if err := s.require(what, casefile.PermNoticeSend); err != nil {
		return Notice{}, err
	}
	var n Notice
	err := s.write(what, func(tx *casefile.Tx) (casefile.Event, error) {
		var err error
		if n, err = readNotice(tx, id); err != nil {
			return casefile.Event{}, err
		}
		ap, err := checkSendable(tx, n)
		if err != nil {
			return casefile.Event{}, err
		}
		at := ns.At
		if at.IsZero() {
			at = tx.Now()
		}
		if at, err = casefile.CheckPast("sending time", at, tx.Now()); err != nil {
			return casefile.Event{}, err
		}
		if at.Before(ap.At) {
			return casefile.Event{}, casefile.Invalidf("sending time %s is before the approval (%s); give when it was sent", casefile.FormatTime(at), casefile.FormatTime(ap.At))
		}
		if err := checkObligation(n.Regime, ns.Obligation); err != nil {
			return casefile.Event{}, err
		}
		rcpts := ns.Recipients
		if len(rcpts) == 0 {
			rcpts = append(slices.Clone(n.To), n.Cc...)
		}
		if len(rcpts) == 0 {
			return casefile.Event{}, casefile.Invalidf("the notice names no recipient; give them (--to)")
		}
		sd := Sending{Revision: n.Revision, At: at, Channel: ns.Channel, Recipients: rcpts, Regime: n.Regime, Obligation: ns.Obligation,
			Reason: ns.Reason, Attribution: stamp(tx, casefile.PermNoticeSend)}
		return recordSending(tx, &n, sd, nil, nil)
	})
	return n, err
}

// checkSendable returns the approval of notice n's current revision, or
// why it may not be sent yet: not approved, or official (not internal)
// while no breach is declared.
func checkSendable(r casefile.Reader, n Notice) (*NoticeApproval, error) {
	ap := n.Approved()
	if ap == nil {
		return nil, casefile.Invalidf("revision %d of the notice is not approved; a notice is sent only once someone other than its authors approved it ('notice approve')", n.Revision)
	}
	if n.Audience.Official() {
		tr, err := readTrack(r)
		if err != nil {
			return nil, err
		}
		if !tr.Declared() {
			return nil, casefile.Invalidf("no breach is declared: an official notice (to a %s) is sent only after the Executive Incident Manager declares the breach ('custodiactl declare')", n.Audience)
		}
	}
	return ap, nil
}

// recordSending appends sd to notice n (and to n.Sendings) and returns its
// custody entry, with the extra hashes and details given.
func recordSending(tx *casefile.Tx, n *Notice, sd Sending, hashes, extra map[string]string) (casefile.Event, error) {
	if _, err := tx.AppendRevision(tblSendings, n.ID, sd); err != nil {
		return casefile.Event{}, err
	}
	n.Sendings = append(n.Sendings, sd)
	details := map[string]string{"revision": fmt.Sprint(n.Revision), "sent_at": casefile.FormatTime(sd.At), "channel": sd.Channel,
		"recipients": casefile.Brief(strings.Join(sd.Recipients, ",")), "regime": n.Regime, "obligation": sd.Obligation}
	for k, v := range extra {
		details[k] = v
	}
	return casefile.Event{Action: ActionNoticeSent, Target: casefile.Target{Type: TargetNotice, ID: n.ID.String()}, Reason: sd.Reason,
		Hashes: hashes, Details: details}, nil
}

// Notice returns notice id.
func (s *Store) Notice(id uuid.UUID) (Notice, error) {
	var n Notice
	err := s.c.Read("read notice", func(r casefile.Reader) (err error) {
		n, err = readNotice(r, id)
		return err
	})
	return n, err
}

// Notices returns every notice, in the order they were drafted.
func (s *Store) Notices() ([]Notice, error) {
	var out []Notice
	err := s.c.Read("read notices", func(r casefile.Reader) (err error) {
		out, err = readNotices(r)
		return err
	})
	return out, err
}

// readNotices reads every notice, in the order they were drafted.
func readNotices(r casefile.Reader) ([]Notice, error) {
	rows, err := r.Records(tblNotices)
	if err != nil {
		return nil, err
	}
	var ids []uuid.UUID
	for _, row := range rows {
		if !slices.Contains(ids, row.Parent) {
			ids = append(ids, row.Parent)
		}
	}
	var out []Notice
	for _, id := range ids {
		n, err := readNotice(r, id)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}

// FindNotice resolves ref, a notice's id or a unique prefix of it (as the
// CLI shows 8 hex digits).
func (s *Store) FindNotice(ref string) (uuid.UUID, error) {
	ref = strings.ToLower(strings.TrimSpace(ref))
	if id, err := uuid.Parse(ref); err == nil {
		return id, nil
	}
	ns, err := s.Notices()
	if err != nil {
		return uuid.Nil, err
	}
	var found []uuid.UUID
	for _, n := range ns {
		if ref != "" && strings.HasPrefix(n.ID.String(), ref) {
			found = append(found, n.ID)
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return uuid.Nil, ErrNoSuchNotice.Errorf("%q", ref)
	}
	return uuid.Nil, casefile.Invalidf("%q names %d notices; give more of the id", ref, len(found))
}

func readNotice(r casefile.Reader, id uuid.UUID) (Notice, error) {
	revs, err := r.Revisions(tblNotices, id)
	if err != nil {
		return Notice{}, err
	}
	if len(revs) == 0 {
		return Notice{}, ErrNoSuchNotice.Errorf("%s", id)
	}
	n := Notice{ID: id, Revision: len(revs)}
	for i, rec := range revs {
		var row noticeRow
		if err := rec.Decode(&row); err != nil {
			return Notice{}, err
		}
		if i == 0 {
			n.Created = row.Attribution
		}
		n.Authors = append(n.Authors, row.Attribution)
		n.NoticeContent, n.Revised = row.NoticeContent, row.Attribution
	}
	aps, err := r.Revisions(tblApprovals, id)
	if err != nil {
		return Notice{}, err
	}
	if n.Approvals, err = casefile.DecodeRecords[NoticeApproval](aps); err != nil {
		return Notice{}, err
	}
	sds, err := r.Revisions(tblSendings, id)
	if err != nil {
		return Notice{}, err
	}
	if n.Sendings, err = casefile.DecodeRecords[Sending](sds); err != nil {
		return Notice{}, err
	}
	n.Checklist = Checklist(n.Regime, n.Body)
	return n, nil
}
