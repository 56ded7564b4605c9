package regime

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/rickar/cal/v2"
	"github.com/rickar/cal/v2/br"
	"github.com/rickar/cal/v2/us"
)

// Delay is a law-enforcement delay: the clocks of the regimes that allow it are paused from From until Until.
type Delay struct {
	From, Until time.Time
	// Oral: the delay was stated orally. HIPAA (45 CFR 164.412(b)) then pauses at most 30 days from From unless
	// a written statement follows (record that as a new, written delay).
	Oral bool
}

// Status of a clock.
type Status string

const (
	NotStarted Status = "not-started"
	Running    Status = "running"
	Paused     Status = "paused"
	MetStatus  Status = "met"
	Overdue    Status = "overdue"
	// NotRequired is never computed here: the caller (casefile/notify)
	// sets it on a clock whose obligation the case decided does not apply
	// (its condition is not met, e.g. HIPAA's media notice for fewer than
	// 500 residents of a state).
	NotRequired Status = "not-required"
)

// Met is the notice that satisfied an obligation and when it was sent.
type Met struct {
	Notice string
	At     time.Time
}

// Clock is one obligation's clock.
type Clock struct {
	Regime, Obligation string
	Name               string // the obligation's name, e.g. "Notify the supervisory authority"
	Audience           string // the obligation's audience ("regulator", "data-subjects", …)
	Trigger            Trigger
	// TriggerAt and Due are UTC; Due is zero when the trigger is not recorded or the obligation has no fixed
	// clock ("without undue delay").
	TriggerAt, Due time.Time
	// DueLocal is Due in the regime's zone, e.g. "Fri 2026-12-04 17:30:00 -05:00 America/New_York".
	DueLocal string
	Status   Status
	MetBy    string    // the notice id when met
	MetAt    time.Time // when that notice was sent (UTC)
	Late     bool      // met, but after Due
	// PausedFor is how far law-enforcement delays moved Due.
	PausedFor time.Duration
	// Provisional: the obligation counts from a previous notice (After) not yet sent; Due is the earliest the
	// deadline can be and moves once that notice is sent.
	Provisional bool
	Condition   string // when the obligation applies, "" if always
}

// Key of the clock in the met map.
func (c Clock) Key() string { return Key(c.Regime, c.Obligation) }

var (
	usFederal  = newCalendar(us.Holidays...)
	brNational = newCalendar(br.AnoNovo, br.SextaFeiraSanta, br.Tiradentes, br.Trabalhador, br.Independencia,
		br.NossaSenhoraAparecida, br.Finados, br.Republica, consciencaNegra, br.Natal)
	// consciencaNegra: Dia Nacional de Zumbi e da Consciência Negra, a national holiday since Lei 14.759/2023.
	consciencaNegra = &cal.Holiday{Name: "Consciência Negra", Type: cal.ObservancePublic, Month: time.November,
		Day: 20, Func: cal.CalcDayOfMonth, StartYear: 2024}
)

func newCalendar(h ...*cal.Holiday) *cal.BusinessCalendar {
	c := cal.NewBusinessCalendar() // Monday to Friday; not Cacheable, so concurrent reads are safe
	c.AddHoliday(h...)
	return c
}

func calendarOf(name string) *cal.BusinessCalendar {
	switch name {
	case calUS:
		return usFederal
	case calBR:
		return brNational
	}
	return nil
}

// IsBusinessDay reports whether the date of t in the regime's zone is a business day of its calendar
// (Monday to Friday less its holidays); false for a regime with no calendar.
func IsBusinessDay(regimeID string, t time.Time) bool {
	r, ok := Lookup(regimeID)
	c := calendarOf(r.Calendar)
	if !ok || c == nil {
		return false
	}
	return c.IsWorkday(t.In(zones[r.ID]))
}

// Clocks computes every obligation's clock of the regimes ids at time at, from the recorded trigger times, the
// law-enforcement delays (which pause only regimes with DelayAllowed; the due time moves by the paused
// duration) and the obligations met (obligation key "regime/obligation" -> the notice id and time).
//
// Clocks are returned in table order whatever the order of ids. Everything is as of at: a trigger recorded
// after at leaves its clocks not started (with Due shown), a notice sent after at has not met its obligation
// yet. Overlapping delays are merged, so no time is paused twice.
func Clocks(ids []string, triggers map[Trigger]time.Time, delays []Delay, met map[string]Met,
	at time.Time) ([]Clock, error) {
	seen := map[string]bool{}
	var want []string
	for _, id := range ids {
		if _, ok := Lookup(id); !ok {
			return nil, fmt.Errorf("regime: unknown regime %q (known: %s)", id, strings.Join(IDs(), ", "))
		}
		if !seen[id] {
			seen[id] = true
			want = append(want, id)
		}
	}
	names := make([]string, 0, len(triggers))
	for t := range triggers {
		names = append(names, string(t))
	}
	sort.Strings(names) // the same error whatever the map's order
	for _, name := range names {
		if _, err := ParseTrigger(name); err != nil {
			return nil, err
		}
	}
	for i, d := range delays {
		switch {
		case d.From.IsZero():
			return nil, fmt.Errorf("regime: law-enforcement delay %d has no start time", i+1)
		case d.Until.IsZero():
			return nil, fmt.Errorf("regime: law-enforcement delay %d has no end time: record until when it runs", i+1)
		case !d.Until.After(d.From):
			return nil, fmt.Errorf("regime: law-enforcement delay %d ends (%s) before it starts (%s)", i+1,
				d.Until.UTC().Format(time.RFC3339), d.From.UTC().Format(time.RFC3339))
		}
	}
	var out []Clock
	for _, id := range sortedIDs(want) {
		r, _ := Lookup(id)
		var merged []span
		if r.DelayAllowed {
			merged = mergeDelays(delays, r.OralDelayDays)
		}
		for _, o := range r.Obligations {
			out = append(out, clockOf(r, o, triggers, merged, met, at))
		}
	}
	return out, nil
}

// ParseTrigger checks a trigger name as a user typed it (the CLI's `notification trigger CASE NAME`).
func ParseTrigger(s string) (Trigger, error) {
	for _, t := range Triggers() {
		if string(t) == s {
			return t, nil
		}
	}
	return "", fmt.Errorf("regime: unknown trigger %q (known: %s)", s, joinTriggers())
}

func joinTriggers() string {
	var s []string
	for _, t := range Triggers() {
		s = append(s, string(t))
	}
	return strings.Join(s, ", ")
}

type span struct{ from, until time.Time }

// mergeDelays sorts the delays and merges the overlapping or touching ones; oralDays > 0 limits an oral delay
// to that many days from its start.
func mergeDelays(delays []Delay, oralDays int) []span {
	var s []span
	for _, d := range delays {
		u := d.Until
		if oralDays > 0 && d.Oral {
			if limit := d.From.Add(time.Duration(oralDays) * 24 * time.Hour); u.After(limit) {
				u = limit
			}
		}
		s = append(s, span{d.From, u})
	}
	sort.Slice(s, func(a, b int) bool { return s[a].from.Before(s[b].from) })
	var out []span
	for _, d := range s {
		if n := len(out); n > 0 && !d.from.After(out[n-1].until) {
			if d.until.After(out[n-1].until) {
				out[n-1].until = d.until
			}
			continue
		}
		out = append(out, d)
	}
	return out
}

func metAsOf(met map[string]Met, key string, at time.Time) (Met, bool) {
	m, ok := met[key]
	if !ok || m.At.After(at) {
		return Met{}, false
	}
	return m, true
}

func clockOf(r Regime, o Obligation, triggers map[Trigger]time.Time, delays []span, met map[string]Met,
	at time.Time) Clock {
	loc := zones[r.ID]
	c := Clock{Regime: r.ID, Obligation: o.ID, Name: o.Name, Audience: o.Audience, Trigger: o.Trigger,
		Condition: o.Condition}
	m, isMet := metAsOf(met, Key(r.ID, o.ID), at)
	if isMet {
		c.MetBy, c.MetAt = m.Notice, m.At.UTC()
	}
	t, ok := triggers[o.Trigger]
	if !ok || t.IsZero() {
		c.Status = NotStarted
		if isMet {
			c.Status = MetStatus
		}
		return c
	}
	c.TriggerAt = t.UTC()
	base := t
	if o.After != "" {
		if pm, ok := metAsOf(met, Key(r.ID, o.After), at); ok {
			if pm.At.After(t) {
				base = pm.At
			}
		} else {
			c.Provisional = true
		}
	}
	due := dueFrom(base, o, loc, calendarOf(r.Calendar))
	if !due.IsZero() && o.CapTrigger != "" {
		if ct, ok := triggers[o.CapTrigger]; ok && !ct.IsZero() {
			if limit := ct.Add(time.Duration(o.CapHours) * time.Hour); limit.Before(due) {
				due = limit
			}
			if due.Before(t) {
				due = t // the cap passed before the trigger was recorded: due at once
			}
		}
	}
	paused := false
	for _, d := range delays {
		s := d.from
		if s.Before(base) {
			s = base // a chained clock starts at the earlier notice: a delay before it paused that one
		}
		if !d.until.After(s) || (!due.IsZero() && s.After(due)) {
			continue // before the clock started, or after it ran out: a delay does not revive a deadline
		}
		if !due.IsZero() {
			due = due.Add(d.until.Sub(s))
			c.PausedFor += d.until.Sub(s)
		}
		if !at.Before(s) && at.Before(d.until) {
			paused = true
		}
	}
	if !due.IsZero() {
		c.Due = due.UTC()
		c.DueLocal = due.In(loc).Format("Mon 2006-01-02 15:04:05 -07:00") + " " + r.Zone
	}
	switch {
	case isMet:
		c.Status = MetStatus
		c.Late = !c.Due.IsZero() && m.At.After(c.Due)
	case at.Before(t):
		c.Status = NotStarted
	case paused:
		c.Status = Paused
	case !c.Due.IsZero() && at.After(c.Due):
		c.Status = Overdue
	default:
		c.Status = Running
	}
	return c
}

// dueFrom computes the due time of o counted from base, before caps and delays; zero for NoFixedClock.
func dueFrom(base time.Time, o Obligation, loc *time.Location, bc *cal.BusinessCalendar) time.Time {
	l := base.In(loc)
	y, mo, d := l.Date()
	endOfDay := func(y int, mo time.Month, d int) time.Time { return time.Date(y, mo, d, 23, 59, 59, 0, loc) }
	switch o.Unit {
	case Hours:
		return base.Add(time.Duration(o.Period) * time.Hour)
	case CalendarDays:
		return endOfDay(y, mo, d+o.Period)
	case DaysAfterYearEnd:
		return endOfDay(y, time.December, 31+o.Period)
	case Months:
		last := time.Date(y, mo+time.Month(o.Period)+1, 0, 12, 0, 0, 0, loc).Day()
		return endOfDay(y, mo+time.Month(o.Period), min(d, last))
	case BusinessDays:
		day := bc.WorkdaysFrom(time.Date(y, mo, d, 12, 0, 0, 0, loc), o.Period)
		hh, mm, ss := 23, 59, 59
		if o.Cutoff != "" {
			fmt.Sscanf(o.Cutoff, "%d:%d", &hh, &mm)
			ss = 0
		}
		y, mo, d = day.Date()
		return time.Date(y, mo, d, hh, mm, ss, 0, loc)
	}
	return time.Time{}
}
