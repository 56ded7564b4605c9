package notify

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/incident"
	"github.com/custodia-dfir/custodia/casefile/notify/regime"
	"github.com/google/uuid"
)

// TriggerKind names a decision that starts legal clocks. The names are the
// ones package casefile/notify/regime reads.
type TriggerKind string

// Trigger kinds.
const (
	TriggerAwareness             TriggerKind = "awareness"              // GDPR, NIS2, DORA's 24 h, CERT-In, DPDP…
	TriggerDiscovery             TriggerKind = "discovery"              // HIPAA
	TriggerMajorClassification   TriggerKind = "major-classification"   // DORA
	TriggerMateriality           TriggerKind = "materiality"            // SEC 8-K Item 1.05
	TriggerIncidentDetermination TriggerKind = "incident-determination" // NYDFS 500.17
	TriggerRansomPayment         TriggerKind = "ransom-payment"         // NYDFS 500.17(c)
	TriggerAssessment            TriggerKind = "assessment"             // Australia NDB, Singapore PDPA
)

// TriggerKinds lists the trigger kinds.
var TriggerKinds = []TriggerKind{TriggerAwareness, TriggerDiscovery, TriggerMajorClassification, TriggerMateriality,
	TriggerIncidentDetermination, TriggerRansomPayment, TriggerAssessment}

// Regimes lists the ids of the regimes a case may choose (the regime table
// of package casefile/notify/regime, in its order).
var Regimes = regime.IDs()

// TrackStart is the start of the notification track.
type TrackStart struct {
	AwareAt time.Time `json:"aware_at"` // when the organisation became aware (UTC)
	Reason  string    `json:"reason"`
	casefile.Attribution
}

// Trigger is one recorded decision that starts legal clocks. A kind may be
// recorded again (a correction): the last one of each kind is current.
type Trigger struct {
	Kind   TriggerKind `json:"kind"`
	At     time.Time   `json:"at"` // when the decision was taken (UTC)
	Reason string      `json:"reason"`
	casefile.Attribution
}

// RegimeChoice is one choice of the applicable regimes, and of the
// obligations of those regimes that do not apply to this case (their
// condition is not met). The reason covers both.
type RegimeChoice struct {
	Regimes     []string        `json:"regimes"`
	NotRequired []ObligationRef `json:"not_required,omitempty"`
	Reason      string          `json:"reason"`
	casefile.Attribution
}

// Delay is a law-enforcement delay of notification (HIPAA §164.412; the
// SEC's Attorney General delay). It pauses only the clocks whose regime
// allows it; package regime decides which.
type Delay struct {
	ID        uuid.UUID `json:"-"`
	Agency    string    `json:"agency"`
	Reference string    `json:"reference"`
	Written   bool      `json:"written"` // written, or oral (HIPAA: an oral one lasts 30 days at most)
	From      time.Time `json:"from"`
	Until     time.Time `json:"until"`
	Reason    string    `json:"reason"`
	casefile.Attribution
}

// NewDelay is what a person enters to record a delay.
type NewDelay struct {
	Agency, Reference string
	Written           bool
	From              time.Time // zero means now
	Until             time.Time
	Reason            string
}

// Declaration is the executive incident manager's decision: a breach is
// declared (Breach true), or none is.
type Declaration struct {
	Breach bool   `json:"breach"`
	Reason string `json:"reason"`
	casefile.Attribution
}

// ObligationRef names one obligation of one regime, as package regime
// names them; people write it "regime/obligation" (regime.Key), e.g.
// "hipaa/media".
type ObligationRef struct {
	Regime     string `json:"regime"`
	Obligation string `json:"obligation"`
}

// String is the reference as people write it: "hipaa/media".
func (o ObligationRef) String() string { return regime.Key(o.Regime, o.Obligation) }

// ParseObligationRef reads "regime/obligation" and checks that the regime
// has that obligation.
func ParseObligationRef(s string) (ObligationRef, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	r, o, ok := strings.Cut(s, "/")
	if !ok || r == "" || o == "" {
		return ObligationRef{}, casefile.Invalidf("obligation %q: write it regime/obligation, e.g. hipaa/media ('notification clocks' lists them)", s)
	}
	if _, known := regime.Lookup(r); !known {
		return ObligationRef{}, casefile.Invalidf("obligation %q: unknown regime %q; use %s", s, r, strings.Join(Regimes, ", "))
	}
	if err := checkObligation(r, o); err != nil {
		return ObligationRef{}, err
	}
	return ObligationRef{Regime: r, Obligation: o}, nil
}

// Track is the current state of the notification track.
type Track struct {
	Start        *TrackStart     // nil until started
	Triggers     []Trigger       // every recorded trigger, oldest first
	Regimes      []string        // the current choice; empty when none was made
	NotRequired  []ObligationRef // obligations of those regimes decided not to apply
	RegimeChoice *RegimeChoice
	Delays       []Delay
	Declaration  *Declaration  // the current one; nil when none
	Declarations []Declaration // all, oldest first
}

// Current returns the last recorded trigger of kind k, or nil.
func (t Track) Current(k TriggerKind) *Trigger {
	for i := len(t.Triggers) - 1; i >= 0; i-- {
		if t.Triggers[i].Kind == k {
			return &t.Triggers[i]
		}
	}
	return nil
}

// Declared reports whether a breach is declared now.
func (t Track) Declared() bool { return t.Declaration != nil && t.Declaration.Breach }

// RegimeChoices returns every choice of the regimes, oldest first (the
// last is Track's RegimeChoice).
func (s *Store) RegimeChoices() ([]RegimeChoice, error) {
	var out []RegimeChoice
	err := s.c.Read("read regime choices", func(r casefile.Reader) error {
		rs, err := r.Records(tblRegimes)
		if err != nil {
			return err
		}
		out, err = casefile.DecodeRecords[RegimeChoice](rs)
		return err
	})
	return out, err
}

// Track returns the notification track.
func (s *Store) Track() (Track, error) {
	var t Track
	err := s.c.Read("read notification track", func(r casefile.Reader) (err error) {
		t, err = readTrack(r)
		return err
	})
	return t, err
}

func readTrack(r casefile.Reader) (Track, error) {
	var t Track
	var err error
	if t.Start, err = casefile.LastOf[TrackStart](r, tblTracks); err != nil {
		return t, err
	}
	rs, err := r.Records(tblTriggers)
	if err != nil {
		return t, err
	}
	if t.Triggers, err = casefile.DecodeRecords[Trigger](rs); err != nil {
		return t, err
	}
	if t.RegimeChoice, err = casefile.LastOf[RegimeChoice](r, tblRegimes); err != nil {
		return t, err
	}
	t.Regimes = []string{}
	if t.RegimeChoice != nil {
		t.Regimes = t.RegimeChoice.Regimes
		t.NotRequired = t.RegimeChoice.NotRequired
	}
	rs, err = r.Records(tblDelays)
	if err != nil {
		return t, err
	}
	if t.Delays, err = casefile.DecodeRecords[Delay](rs); err != nil {
		return t, err
	}
	for i := range t.Delays {
		t.Delays[i].ID = rs[i].ID
	}
	rs, err = r.Records(tblDeclarations)
	if err != nil {
		return t, err
	}
	if t.Declarations, err = casefile.DecodeRecords[Declaration](rs); err != nil {
		return t, err
	}
	if n := len(t.Declarations); n > 0 {
		t.Declaration = &t.Declarations[n-1]
	}
	return t, nil
}

// requireStarted returns the track's start, or ErrNotStarted.
func requireStarted(r casefile.Reader) (*TrackStart, error) {
	st, err := casefile.LastOf[TrackStart](r, tblTracks)
	if err == nil && st == nil {
		err = ErrNotStarted.Errorf("nothing of the track can be recorded before it is started")
	}
	return st, err
}

// Start starts the notification track: the organisation became aware at
// awareAt (an awareness trigger is recorded with it). An awareness time in
// the future is refused; one before the incident's detection time is
// allowed (people become aware in many ways) and returned as a warning.
func (s *Store) Start(awareAt time.Time, reason string) (TrackStart, string, error) {
	const what = "start notification track"
	if err := casefile.CheckText("reason", reason, true, casefile.MaxTextLen); err != nil {
		return TrackStart{}, "", fmt.Errorf("%s: %w", what, err)
	}
	if awareAt.IsZero() {
		return TrackStart{}, "", fmt.Errorf("%s: %w", what, casefile.Invalidf("the awareness time is required: when did the organisation become aware?"))
	}
	if err := s.require(what, casefile.PermNotificationTrack); err != nil {
		return TrackStart{}, "", err
	}
	inc, err := incident.Of(s.c).Incident()
	if err != nil {
		return TrackStart{}, "", fmt.Errorf("%s: %w", what, err)
	}
	var st TrackStart
	var warning string
	err = s.write(what, func(tx *casefile.Tx) (casefile.Event, error) {
		at, err := casefile.CheckPast("awareness time", awareAt, tx.Now())
		if err != nil {
			return casefile.Event{}, err
		}
		if prev, err := casefile.LastOf[TrackStart](tx, tblTracks); err != nil {
			return casefile.Event{}, err
		} else if prev != nil {
			return casefile.Event{}, casefile.Invalidf("the notification track was already started on %s by %s; record a corrected awareness time with 'notification trigger awareness'",
				casefile.FormatTime(prev.At), prev.Examiner)
		}
		if d := inc.Detection.DetectedAt; !d.IsZero() && at.Before(d) {
			warning = fmt.Sprintf("the awareness time %s is before the incident's detection time %s; recorded as given",
				casefile.FormatTime(at), casefile.FormatTime(d))
		}
		st = TrackStart{AwareAt: at, Reason: reason, Attribution: stamp(tx, casefile.PermNotificationTrack)}
		if _, err := tx.Append(tblTracks, uuid.New(), st); err != nil {
			return casefile.Event{}, err
		}
		if _, err := tx.Append(tblTriggers, uuid.New(), Trigger{Kind: TriggerAwareness, At: at, Reason: reason, Attribution: st.Attribution}); err != nil {
			return casefile.Event{}, err
		}
		details := map[string]string{"aware_at": casefile.FormatTime(at)}
		if warning != "" {
			details["warning"] = "awareness before detection"
		}
		return casefile.Event{Action: ActionTrackStarted, Target: trackTarget(tx), Reason: reason, Details: details}, nil
	})
	if err != nil {
		return TrackStart{}, "", err
	}
	return st, warning, nil
}

// ParseTriggerKind checks a trigger kind as a person typed it.
func ParseTriggerKind(s string) (TriggerKind, error) {
	k := TriggerKind(strings.TrimSpace(s))
	if !slices.Contains(TriggerKinds, k) {
		names := make([]string, len(TriggerKinds))
		for i, k := range TriggerKinds {
			names[i] = string(k)
		}
		return "", casefile.Invalidf("unknown trigger %q; use %s", s, strings.Join(names, ", "))
	}
	return k, nil
}

// Trigger records a decision that starts legal clocks, taken at at. A time
// in the future is refused; one before the case was opened is normal.
func (s *Store) Trigger(kind TriggerKind, at time.Time, reason string) (Trigger, error) {
	const what = "record trigger"
	if _, err := ParseTriggerKind(string(kind)); err != nil {
		return Trigger{}, fmt.Errorf("%s: %w", what, err)
	}
	if err := casefile.CheckText("reason", reason, true, casefile.MaxTextLen); err != nil {
		return Trigger{}, fmt.Errorf("%s: %w", what, err)
	}
	if at.IsZero() {
		return Trigger{}, fmt.Errorf("%s: %w", what, casefile.Invalidf("the time of the %s decision is required", kind))
	}
	if err := s.require(what, casefile.PermNotificationTrack); err != nil {
		return Trigger{}, err
	}
	var tr Trigger
	err := s.write(what, func(tx *casefile.Tx) (casefile.Event, error) {
		t, err := casefile.CheckPast(string(kind)+" time", at, tx.Now())
		if err != nil {
			return casefile.Event{}, err
		}
		if _, err := requireStarted(tx); err != nil {
			return casefile.Event{}, err
		}
		tr = Trigger{Kind: kind, At: t, Reason: reason, Attribution: stamp(tx, casefile.PermNotificationTrack)}
		if _, err := tx.Append(tblTriggers, uuid.New(), tr); err != nil {
			return casefile.Event{}, err
		}
		return casefile.Event{Action: ActionTriggerRecorded, Target: trackTarget(tx), Reason: reason,
			Details: map[string]string{"trigger": string(kind), "at": casefile.FormatTime(t)}}, nil
	})
	return tr, err
}

// SetRegimes chooses the applicable regimes (ids of Regimes; repeats are
// dropped, the order kept). An empty list clears the choice. Obligations
// decided not to apply (SetApplicability) stay so while their regime stays
// chosen.
func (s *Store) SetRegimes(ids []string, reason string) (RegimeChoice, error) {
	return s.setApplicability(ids, nil, true, reason)
}

// SetApplicability chooses the applicable regimes and, of their
// obligations, those that do not apply to this case (notRequired: their
// condition is not met, e.g. "hipaa/media" when no state has more than 500
// affected residents). A clock of an obligation that does not apply shows
// not-required and does not hold up closing the incident. Each obligation
// must belong to a chosen regime. It replaces the whole previous choice.
func (s *Store) SetApplicability(ids []string, notRequired []ObligationRef, reason string) (RegimeChoice, error) {
	return s.setApplicability(ids, notRequired, false, reason)
}

func (s *Store) setApplicability(ids []string, notRequired []ObligationRef, keep bool, reason string) (RegimeChoice, error) {
	const what = "set regimes"
	clean := []string{}
	for _, id := range ids {
		id = strings.ToLower(strings.TrimSpace(id))
		if !slices.Contains(Regimes, id) {
			return RegimeChoice{}, fmt.Errorf("%s: %w", what, casefile.Invalidf("unknown regime %q; use %s", id, strings.Join(Regimes, ", ")))
		}
		if !slices.Contains(clean, id) {
			clean = append(clean, id)
		}
	}
	var nr []ObligationRef
	for _, o := range notRequired {
		o, err := ParseObligationRef(o.String())
		if err != nil {
			return RegimeChoice{}, fmt.Errorf("%s: %w", what, err)
		}
		if !slices.Contains(clean, o.Regime) {
			return RegimeChoice{}, fmt.Errorf("%s: %w", what, casefile.Invalidf("obligation %s: the regime %s is not among those chosen (%s); choose it too, or leave the obligation out", o, o.Regime, chosenList(clean)))
		}
		if !slices.Contains(nr, o) {
			nr = append(nr, o)
		}
	}
	if err := casefile.CheckText("reason", reason, true, casefile.MaxTextLen); err != nil {
		return RegimeChoice{}, fmt.Errorf("%s: %w", what, err)
	}
	if err := s.require(what, casefile.PermNotificationTrack); err != nil {
		return RegimeChoice{}, err
	}
	var rc RegimeChoice
	err := s.write(what, func(tx *casefile.Tx) (casefile.Event, error) {
		if _, err := requireStarted(tx); err != nil {
			return casefile.Event{}, err
		}
		prev, err := casefile.LastOf[RegimeChoice](tx, tblRegimes)
		if err != nil {
			return casefile.Event{}, err
		}
		if keep && prev != nil {
			for _, o := range prev.NotRequired {
				if slices.Contains(clean, o.Regime) {
					nr = append(nr, o)
				}
			}
		}
		rc = RegimeChoice{Regimes: clean, NotRequired: nr, Reason: reason, Attribution: stamp(tx, casefile.PermNotificationTrack)}
		if _, err := tx.Append(tblRegimes, uuid.New(), rc); err != nil {
			return casefile.Event{}, err
		}
		details := map[string]string{"regimes": strings.Join(clean, ",")}
		if len(nr) > 0 {
			details["not_required"] = refList(nr)
		}
		if prev != nil {
			details["previous"] = strings.Join(prev.Regimes, ",")
			if len(prev.NotRequired) > 0 {
				details["previous_not_required"] = refList(prev.NotRequired)
			}
		}
		return casefile.Event{Action: ActionRegimesSet, Target: trackTarget(tx), Reason: reason, Details: details}, nil
	})
	return rc, err
}

// chosenList names the regimes chosen, or says there are none.
func chosenList(ids []string) string {
	if len(ids) == 0 {
		return "none"
	}
	return strings.Join(ids, ",")
}

// refList writes obligations as a comma-separated list.
func refList(os []ObligationRef) string {
	t := make([]string, len(os))
	for i, o := range os {
		t[i] = o.String()
	}
	return strings.Join(t, ",")
}

// RecordDelay records a law-enforcement delay from nd.From (now when zero)
// until nd.Until. A delay overlapping a recorded one is refused, naming it.
func (s *Store) RecordDelay(nd NewDelay) (Delay, error) {
	const what = "record law-enforcement delay"
	for _, f := range []struct{ name, v string }{{"agency", nd.Agency}, {"reference", nd.Reference}} {
		if err := casefile.CheckLine(f.name, f.v, true, 500); err != nil {
			return Delay{}, fmt.Errorf("%s: %w", what, err)
		}
	}
	if err := casefile.CheckText("reason", nd.Reason, true, casefile.MaxTextLen); err != nil {
		return Delay{}, fmt.Errorf("%s: %w", what, err)
	}
	if nd.Until.IsZero() {
		return Delay{}, fmt.Errorf("%s: %w", what, casefile.Invalidf("the end of the delay (--until) is required: until when did the agency ask to delay notification?"))
	}
	if err := s.require(what, casefile.PermLawEnforcementDelay); err != nil {
		return Delay{}, err
	}
	var d Delay
	err := s.write(what, func(tx *casefile.Tx) (casefile.Event, error) {
		from := nd.From
		if from.IsZero() {
			from = tx.Now()
		}
		from = from.UTC().Truncate(time.Millisecond) // a delay may be recorded ahead (an extension)
		until := nd.Until.UTC().Truncate(time.Millisecond)
		if !until.After(from) {
			return casefile.Event{}, casefile.Invalidf("the delay ends (%s) before it starts (%s)", casefile.FormatTime(until), casefile.FormatTime(from))
		}
		if _, err := requireStarted(tx); err != nil {
			return casefile.Event{}, err
		}
		t, err := readTrack(tx)
		if err != nil {
			return casefile.Event{}, err
		}
		for _, o := range t.Delays {
			if from.Before(o.Until) && o.From.Before(until) {
				return casefile.Event{}, casefile.Invalidf("the delay %s to %s overlaps the delay requested by %s (reference %s) from %s to %s; one delay at a time: record the new one from %s",
					casefile.FormatTime(from), casefile.FormatTime(until), o.Agency, o.Reference, casefile.FormatTime(o.From), casefile.FormatTime(o.Until), casefile.FormatTime(o.Until))
			}
		}
		d = Delay{ID: uuid.New(), Agency: nd.Agency, Reference: nd.Reference, Written: nd.Written, From: from, Until: until, Reason: nd.Reason, Attribution: stamp(tx, casefile.PermLawEnforcementDelay)}
		if _, err := tx.Append(tblDelays, d.ID, d); err != nil {
			return casefile.Event{}, err
		}
		return casefile.Event{Action: ActionDelayRecorded, Target: casefile.Target{Type: TargetTrack, ID: tx.CaseID().String()}, Reason: nd.Reason,
			Details: map[string]string{"agency": casefile.Brief(nd.Agency), "reference": casefile.Brief(nd.Reference), "written": fmt.Sprint(nd.Written),
				"from": casefile.FormatTime(from), "until": casefile.FormatTime(until)}}, nil
	})
	return d, err
}

// Declare records that a security breach is declared: what allows official
// notices to customers, regulators and data subjects to be sent. Only the
// executive incident manager may.
func (s *Store) Declare(reason string) (Declaration, error) { return s.declare(true, reason) }

// DeclareNoBreach records that no breach is declared, with the rationale.
func (s *Store) DeclareNoBreach(reason string) (Declaration, error) { return s.declare(false, reason) }

func (s *Store) declare(breach bool, reason string) (Declaration, error) {
	what, action := "declare breach", ActionBreachDeclared
	if !breach {
		what, action = "declare no breach", ActionNoBreachDeclared
	}
	if err := casefile.CheckText("reason", reason, true, casefile.MaxTextLen); err != nil {
		return Declaration{}, fmt.Errorf("%s: %w (a declaration must give its rationale)", what, err)
	}
	if err := s.c.Require(casefile.PermDeclareBreach); err != nil {
		if errors.Is(err, casefile.ErrNotPermitted) {
			err = casefile.ErrNotPermitted.Errorf("only %s may declare a breach, or that none is declared; %s holds %s",
				casefile.WhoMay(casefile.PermDeclareBreach), s.c.Actor().Name, heldRoles(s.c.Actor()))
		}
		return Declaration{}, fmt.Errorf("%s: %w", what, err)
	}
	var d Declaration
	err := s.write(what, func(tx *casefile.Tx) (casefile.Event, error) {
		if _, err := requireStarted(tx); err != nil {
			return casefile.Event{}, err
		}
		prev, err := casefile.LastOf[Declaration](tx, tblDeclarations)
		if err != nil {
			return casefile.Event{}, err
		}
		d = Declaration{Breach: breach, Reason: reason, Attribution: stamp(tx, casefile.PermDeclareBreach)}
		if _, err := tx.Append(tblDeclarations, uuid.New(), d); err != nil {
			return casefile.Event{}, err
		}
		details := map[string]string{"breach": fmt.Sprint(breach)}
		if prev != nil {
			details["previous"] = fmt.Sprint(prev.Breach)
		}
		return casefile.Event{Action: action, Target: trackTarget(tx), Reason: reason, Details: details}, nil
	})
	return d, err
}
