package reports

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/notify"
	"github.com/custodia-dfir/custodia/casefile/notify/regime"
	"github.com/google/uuid"
)

// NotificationModel is the notification track (casefile/notify) as the
// case stood at the report's entry: the affected customers, the notices
// and the legal clocks as of that time.
type NotificationModel struct {
	AwareAt     time.Time
	Regimes     []string
	NotRequired []string // obligations decided not to apply, "regime/obligation"
	// Declaration is the Executive Incident Manager's decision in force;
	// nil while none is recorded.
	Declaration *notify.Declaration
	Customers   []notify.Customer
	Notices     []NoticeRow
	Clocks      []regime.Clock
}

// NoticeRow is one notice as of the report: its current content, and its
// status then (draft, approved or sent).
type NoticeRow struct {
	ID       uuid.UUID
	Audience string
	Regime   string
	Customer string
	Subject  string
	Revision int
	Status   string
	Sendings []notify.Sending
}

// readNotification reads the notification track as of cut (nil when it
// was not started by then): customers at their revision then, notices at
// their revision, approvals and sendings then (a notice's subject is its
// current one, said in m.Gaps when it was revised since).
func readNotification(c *casefile.Case, m *Model, cut time.Time) (*NotificationModel, error) {
	s := notify.Of(c)
	tr, err := s.Track()
	if err != nil {
		return nil, err
	}
	if tr.Start == nil || tr.Start.At.After(cut) {
		return nil, nil
	}
	in := func(a casefile.Attribution) bool { return !a.At.After(cut) }
	asOf := tr
	asOf.Triggers = slices.DeleteFunc(slices.Clone(tr.Triggers), func(x notify.Trigger) bool { return !in(x.Attribution) })
	asOf.Delays = slices.DeleteFunc(slices.Clone(tr.Delays), func(x notify.Delay) bool { return !in(x.Attribution) })
	asOf.Declaration = nil
	if d, ok := lastIn(tr.Declarations, func(d notify.Declaration) casefile.Attribution { return d.Attribution }, cut); ok {
		asOf.Declaration = &d
	}
	choices, err := s.RegimeChoices()
	if err != nil {
		return nil, err
	}
	asOf.Regimes, asOf.NotRequired, asOf.RegimeChoice = []string{}, nil, nil
	if rc, ok := lastIn(choices, func(r notify.RegimeChoice) casefile.Attribution { return r.Attribution }, cut); ok {
		asOf.Regimes, asOf.NotRequired, asOf.RegimeChoice = rc.Regimes, rc.NotRequired, &rc
	}
	nm := &NotificationModel{AwareAt: asOf.Start.AwareAt, Regimes: asOf.Regimes, NotRequired: []string{}, Declaration: asOf.Declaration,
		Customers: []notify.Customer{}, Notices: []NoticeRow{}}
	for _, o := range asOf.NotRequired {
		nm.NotRequired = append(nm.NotRequired, o.String())
	}

	if nm.Customers, err = s.CustomersAt(cut); err != nil {
		return nil, err
	}
	if nm.Customers == nil {
		nm.Customers = []notify.Customer{}
	}

	ns, err := s.Notices()
	if err != nil {
		return nil, err
	}
	var then []notify.Notice
	revised := 0
	for _, n := range ns {
		if !in(n.Created) {
			continue
		}
		// The revision in force at the cut: the authors' attributions are
		// one per revision, oldest first.
		rev := 0
		for _, a := range n.Authors {
			if in(a) {
				rev++
			}
		}
		if rev < n.Revision {
			revised++
		}
		n.Approvals = slices.DeleteFunc(slices.Clone(n.Approvals), func(a notify.NoticeApproval) bool { return !in(a.Attribution) })
		n.Sendings = slices.DeleteFunc(slices.Clone(n.Sendings), func(x notify.Sending) bool { return !in(x.Attribution) })
		then = append(then, n)
		status := "draft"
		switch {
		case len(n.Sendings) > 0:
			status = "sent"
		case slices.ContainsFunc(n.Approvals, func(a notify.NoticeApproval) bool { return a.Revision == rev }):
			status = "approved"
		}
		nm.Notices = append(nm.Notices, NoticeRow{ID: n.ID, Audience: string(n.Audience), Regime: n.Regime, Customer: n.Customer,
			Subject: n.Subject, Revision: rev, Status: status, Sendings: n.Sendings})
	}
	if revised > 0 {
		m.Gaps = append(m.Gaps, fmt.Sprintf("%d notice(s) were revised after entry %d; their status and revision are as of that entry, their subject is the current one.", revised, m.AsOfSeq))
	}
	if nm.Clocks, err = notify.ClocksOf(asOf, then, cut); err != nil {
		return nil, err
	}
	if nm.Clocks == nil {
		nm.Clocks = []regime.Clock{}
	}
	return nm, nil
}

// declarationText is the declaration in force, in words.
func declarationText(d *notify.Declaration) string {
	if d == nil {
		return "not decided: the Executive Incident Manager has not declared a breach, nor that none is declared"
	}
	what := "no breach declared"
	if d.Breach {
		what = "breach declared"
	}
	return fmt.Sprintf("%s %s by %s: %s", what, timeText(d.At), who(d.Attribution), d.Reason)
}

// notification is the intelligence report's section on the affected
// customers and the notification track.
func notification(m *Model) []Block {
	nm := m.Notification
	if nm == nil {
		return []Block{{Text: "The notification track was not started."}}
	}
	bs := []Block{kv("Aware since", timeText(nm.AwareAt), "Regimes", join(nm.Regimes), "Obligations not applying", join(nm.NotRequired),
		"Declaration", declarationText(nm.Declaration))}
	if len(nm.Customers) == 0 {
		bs = append(bs, Block{Text: "No impacted customers scoped."})
	} else {
		var rows [][]string
		for _, cu := range nm.Customers {
			rows = append(rows, []string{cu.ID, cu.Name, orNone(cu.Jurisdiction), fmt.Sprint(cu.DataSubjects), join(cu.DataCategories)})
		}
		bs = append(bs, table([]string{"Customer", "Name", "Jurisdiction", "Data subjects", "Data concerned"}, []float64{1.5, 3, 1.5, 1.5, 3}, rows))
	}
	if len(nm.Notices) == 0 {
		bs = append(bs, Block{Text: "No notices drafted."})
	} else {
		var rows [][]string
		for _, n := range nm.Notices {
			var sent []string
			for _, sd := range n.Sendings {
				sent = append(sent, timeText(sd.At)+" by "+sd.Channel)
			}
			to := n.Audience
			if n.Customer != "" {
				to += " " + n.Customer
			}
			rows = append(rows, []string{n.ID.String()[:8], to, orNone(n.Regime), n.Subject, fmt.Sprintf("%s (revision %d)", n.Status, n.Revision), join(sent)})
		}
		bs = append(bs, table([]string{"Notice", "To", "Regime", "Subject", "Status", "Sent"}, []float64{1.2, 1.8, 1, 3.5, 1.6, 2}, rows))
	}
	if len(nm.Clocks) == 0 {
		bs = append(bs, Block{Text: "No legal clocks: no regime chosen."})
		return bs
	}
	var rows [][]string
	for _, k := range nm.Clocks {
		trig := string(k.Trigger)
		if !k.TriggerAt.IsZero() {
			trig += " " + timeText(k.TriggerAt)
		}
		due := "no fixed deadline"
		if !k.Due.IsZero() {
			due = timeText(k.Due)
		}
		st := string(k.Status)
		switch {
		case k.Status == regime.MetStatus && k.Late:
			st += " late, by notice " + short(k.MetBy)
		case k.Status == regime.MetStatus:
			st += " by notice " + short(k.MetBy)
		case k.PausedFor > 0:
			st += ", moved " + k.PausedFor.String() + " by law-enforcement delays"
		}
		rows = append(rows, []string{k.Regime + " " + k.Obligation, k.Name, trig, due, st})
	}
	bs = append(bs, table([]string{"Clock", "Obligation", "Started by", "Due (UTC)", "Status as of the report"}, []float64{1.6, 3, 2.2, 1.8, 2.2}, rows))
	return bs
}

// notificationDecisions are the executive brief's decisions the track
// needs: the declaration, and the clocks running or overdue.
func notificationDecisions(m *Model) []string {
	nm := m.Notification
	if nm == nil {
		return nil
	}
	var out []string
	if nm.Declaration == nil {
		out = append(out, "declare the breach, or record that none is declared (Executive Incident Manager)")
	}
	for _, k := range nm.Clocks {
		if k.Status != regime.Running && k.Status != regime.Overdue {
			continue
		}
		due := "no fixed deadline"
		if !k.Due.IsZero() {
			due = "due " + timeText(k.Due)
		}
		out = append(out, fmt.Sprintf("notify: %s (%s/%s), %s, %s", k.Name, k.Regime, k.Obligation, k.Status, due))
	}
	return out
}

// short is the first 8 characters of an id, as the CLI shows it.
func short(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return strings.TrimSpace(id)
}
