package notify

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/incident"
	"github.com/custodia-dfir/custodia/casefile/notify/regime"
)

// Clocks computes the legal clocks of the case's chosen regimes as of at
// (zero: now) with package regime, from what the track recorded: the
// current trigger of each kind (awareness is the track's start when no
// awareness trigger was recorded), the law-enforcement delays, and the
// notices marked sent that name a regime and obligation (the first
// sending meets it). No regime chosen: no clocks. A clock not met shows
// not-required when its obligation was decided not to apply, or when the
// Executive Incident Manager recorded that no breach is declared.
func (s *Store) Clocks(at time.Time) ([]regime.Clock, error) {
	if at.IsZero() {
		at = time.Now().UTC()
	}
	t, err := s.Track()
	if err != nil {
		return nil, err
	}
	notices, err := s.Notices()
	if err != nil {
		return nil, err
	}
	return ClocksOf(t, notices, at)
}

// ClocksOf is Clocks over facts already read: a report computes the clocks
// as its case stood at one ledger entry by passing the track and notices
// as they were then; the GUI reads the facts once, off its UI goroutine,
// and counts the clocks down from them every minute.
func ClocksOf(t Track, notices []Notice, at time.Time) ([]regime.Clock, error) {
	triggers := map[regime.Trigger]time.Time{}
	if t.Start != nil {
		triggers[regime.Trigger(TriggerAwareness)] = t.Start.AwareAt
	}
	for _, k := range TriggerKinds {
		if tr := t.Current(k); tr != nil {
			triggers[regime.Trigger(k)] = tr.At
		}
	}
	delays := make([]regime.Delay, len(t.Delays))
	for i, d := range t.Delays {
		delays[i] = regime.Delay{From: d.From, Until: d.Until, Oral: !d.Written}
	}
	met := map[string]regime.Met{}
	for _, n := range notices {
		for _, sd := range n.Sendings {
			if sd.Regime == "" || sd.Obligation == "" {
				continue
			}
			k := regime.Key(sd.Regime, sd.Obligation)
			if m, ok := met[k]; !ok || sd.At.Before(m.At) {
				met[k] = regime.Met{Notice: n.ID.String(), At: sd.At}
			}
		}
	}
	cs, err := regime.Clocks(t.Regimes, triggers, delays, met, at)
	if err != nil {
		return nil, fmt.Errorf("notification clocks: %w", err)
	}
	noBreach := t.Declaration != nil && !t.Declaration.Breach
	for i, c := range cs {
		if c.Status == regime.MetStatus {
			continue
		}
		if noBreach || slices.Contains(t.NotRequired, ObligationRef{Regime: c.Regime, Obligation: c.Obligation}) {
			cs[i].Status = regime.NotRequired
		}
	}
	return cs, nil
}

// GuardNotices is the guard this package adds to the incident's move into
// Close (incident.RegisterCloseGuard): once the notification track is
// started, the Executive Incident Manager has decided whether a breach is
// declared; once one is declared, every legal clock that has started is
// met by a notice sent, paused by a law-enforcement delay, or decided not
// to apply ('notification regimes --not-required').
const GuardNotices incident.Guard = "notifications-complete"

var _ = incident.RegisterCloseGuard(GuardNotices, closeGuard)

// closeGuard is GuardNotices: "" when it passes, else what is missing.
func closeGuard(r casefile.Reader) (string, error) {
	t, err := readTrack(r)
	if err != nil || t.Start == nil {
		return "", err
	}
	if t.Declaration == nil {
		return "the notification track is started but the Executive Incident Manager has not decided whether a breach is declared; " +
			"record the decision ('custodiactl declare CASE --reason TEXT', or with --no-breach)", nil
	}
	if !t.Declared() {
		return "", nil
	}
	if t.RegimeChoice == nil {
		return "a breach is declared but no notification regime is chosen; choose those that apply " +
			"('notification regimes CASE --set gdpr,... --reason TEXT', or --set '' with the reason none applies)", nil
	}
	notices, err := readNotices(r)
	if err != nil {
		return "", err
	}
	cs, err := ClocksOf(t, notices, r.Now())
	if err != nil {
		return "", err
	}
	var open []string
	for _, c := range cs {
		if c.Status != regime.Running && c.Status != regime.Overdue {
			continue
		}
		due := "no fixed deadline"
		if !c.Due.IsZero() {
			due = "due " + casefile.FormatTime(c.Due)
		}
		open = append(open, fmt.Sprintf("%s %s (%s, %s)", c.Key(), c.Name, c.Status, due))
	}
	if len(open) == 0 {
		return "", nil
	}
	return fmt.Sprintf("a breach is declared and %d notification obligation(s) are not met: %s; send each notice and record it "+
		"with the obligation it meets ('notice sent --obligation'), record a law-enforcement delay where the regime allows one, "+
		"or record that the obligation does not apply ('notification regimes --not-required')", len(open), strings.Join(open, "; ")), nil
}

// checkObligation says whether obligation is one of regime id's (both
// named as package regime names them); "" is no obligation.
func checkObligation(id, obligation string) error {
	if obligation == "" {
		return nil
	}
	r, ok := regime.Lookup(id)
	if !ok {
		return casefile.Invalidf("the notice serves no regime, so it meets no obligation; draft it with --regime to meet one")
	}
	var names []string
	for _, o := range r.Obligations {
		if o.ID == obligation {
			return nil
		}
		names = append(names, o.ID)
	}
	return casefile.Invalidf("%s (%s) has no obligation %q; its obligations are %s", r.Name, r.ID, obligation, strings.Join(names, ", "))
}
