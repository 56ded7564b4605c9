package regime

import (
	"strings"
	"testing"
	"time"
)

func ts(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// clock computes the clocks of one regime and returns the named obligation's.
func clock(t *testing.T, regime, obligation string, triggers map[Trigger]time.Time, delays []Delay,
	met map[string]Met, at time.Time) Clock {
	t.Helper()
	cs, err := Clocks([]string{regime}, triggers, delays, met, at)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		if c.Obligation == obligation {
			return c
		}
	}
	t.Fatalf("no clock %s/%s in %v", regime, obligation, cs)
	return Clock{}
}

type dueCase struct {
	name       string
	regime, ob string
	trigger    Trigger
	at         string // trigger time
	due        string // RFC 3339 UTC
	local      string
}

func checkDue(t *testing.T, cases []dueCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			trig := ts(t, tc.at)
			c := clock(t, tc.regime, tc.ob, map[Trigger]time.Time{tc.trigger: trig}, nil, nil, trig)
			if got := c.Due.Format(time.RFC3339); got != tc.due {
				t.Errorf("due %s, want %s (%s)", got, tc.due, c.DueLocal)
			}
			if c.DueLocal != tc.local {
				t.Errorf("due local %q, want %q", c.DueLocal, tc.local)
			}
			if c.Status != Running {
				t.Errorf("status %s at the trigger, want running", c.Status)
			}
			if c.Due.Location() != time.UTC || c.TriggerAt.Location() != time.UTC {
				t.Errorf("times not UTC: %v %v", c.TriggerAt, c.Due)
			}
		})
	}
}

// SEC Form 8-K: four business days, U.S. federal holidays, New York days, filed by EDGAR's 5:30 p.m. cutoff.
func TestSEC8KBusinessDays(t *testing.T) {
	checkDue(t, []dueCase{
		{"monday: due friday", "sec-8k", "item-1.05", Materiality, "2026-11-30T15:00:00Z",
			"2026-12-04T22:30:00Z", "Fri 2026-12-04 17:30:00 -05:00 America/New_York"},
		{"saturday counts from monday (day 1): due thursday", "sec-8k", "item-1.05", Materiality, "2026-12-05T14:00:00Z",
			"2026-12-10T22:30:00Z", "Thu 2026-12-10 17:30:00 -05:00 America/New_York"},
		{"friday evening: due thursday", "sec-8k", "item-1.05", Materiality, "2026-12-05T01:00:00Z",
			"2026-12-10T22:30:00Z", "Thu 2026-12-10 17:30:00 -05:00 America/New_York"},
		{"thanksgiving skipped, the day after is a business day", "sec-8k", "item-1.05", Materiality,
			"2026-11-23T15:00:00Z", "2026-11-30T22:30:00Z", "Mon 2026-11-30 17:30:00 -05:00 America/New_York"},
		{"july 4 on a saturday, observed friday july 3", "sec-8k", "item-1.05", Materiality, "2026-06-30T14:00:00Z",
			"2026-07-07T21:30:00Z", "Tue 2026-07-07 17:30:00 -04:00 America/New_York"},
		{"july 4 on a sunday, observed monday july 5", "sec-8k", "item-1.05", Materiality, "2027-07-01T14:00:00Z",
			"2027-07-08T21:30:00Z", "Thu 2027-07-08 17:30:00 -04:00 America/New_York"},
		{"new year's day on a friday", "sec-8k", "item-1.05", Materiality, "2026-12-30T15:00:00Z",
			"2027-01-06T22:30:00Z", "Wed 2027-01-06 17:30:00 -05:00 America/New_York"},
		{"new year's day on a saturday, observed friday dec 31", "sec-8k", "item-1.05", Materiality,
			"2021-12-29T15:00:00Z", "2022-01-05T22:30:00Z", "Wed 2022-01-05 17:30:00 -05:00 America/New_York"},
		{"christmas on a friday", "sec-8k", "item-1.05", Materiality, "2026-12-22T15:00:00Z",
			"2026-12-29T22:30:00Z", "Tue 2026-12-29 17:30:00 -05:00 America/New_York"},
		{"across the march DST change: 17:30 EDT", "sec-8k", "item-1.05", Materiality, "2026-03-04T15:00:00Z",
			"2026-03-10T21:30:00Z", "Tue 2026-03-10 17:30:00 -04:00 America/New_York"},
		{"across the november DST change: 17:30 EST", "sec-8k", "item-1.05", Materiality, "2026-10-28T14:00:00Z",
			"2026-11-03T22:30:00Z", "Tue 2026-11-03 17:30:00 -05:00 America/New_York"},
		{"the day is New York's: thursday 03:00 UTC is wednesday evening", "sec-8k", "item-1.05", Materiality,
			"2026-03-05T03:00:00Z", "2026-03-10T21:30:00Z", "Tue 2026-03-10 17:30:00 -04:00 America/New_York"},
		{"veterans day on a wednesday", "sec-8k", "item-1.05", Materiality, "2026-11-09T15:00:00Z",
			"2026-11-16T22:30:00Z", "Mon 2026-11-16 17:30:00 -05:00 America/New_York"},
	})
}

// Hour periods are elapsed time: across a DST change the wall clock moves, the instant does not.
func TestHourPeriodsAcrossDST(t *testing.T) {
	checkDue(t, []dueCase{
		{"gdpr 72h across the march change in Brussels", "gdpr", "authority", Awareness, "2026-03-27T09:00:00Z",
			"2026-03-30T09:00:00Z", "Mon 2026-03-30 11:00:00 +02:00 Europe/Brussels"},
		{"gdpr 72h across the october change in Brussels", "gdpr", "authority", Awareness, "2026-10-23T08:00:00Z",
			"2026-10-26T08:00:00Z", "Mon 2026-10-26 09:00:00 +01:00 Europe/Brussels"},
		{"nis2 early warning 24h across the march change", "nis2", "early-warning", Awareness, "2026-03-28T12:00:00Z",
			"2026-03-29T12:00:00Z", "Sun 2026-03-29 14:00:00 +02:00 Europe/Brussels"},
		{"nis2 notification 72h", "nis2", "notification", Awareness, "2026-03-28T12:00:00Z",
			"2026-03-31T12:00:00Z", "Tue 2026-03-31 14:00:00 +02:00 Europe/Brussels"},
		{"nydfs 72h across the november change in New York", "nydfs", "incident", IncidentDetermination,
			"2026-10-31T16:00:00Z", "2026-11-03T16:00:00Z", "Tue 2026-11-03 11:00:00 -05:00 America/New_York"},
		{"nydfs extortion payment 24h", "nydfs", "extortion-payment", RansomPayment, "2026-03-07T20:00:00Z",
			"2026-03-08T20:00:00Z", "Sun 2026-03-08 16:00:00 -04:00 America/New_York"},
		{"cert-in 6h", "cert-in", "report", Awareness, "2026-12-05T10:00:00Z",
			"2026-12-05T16:00:00Z", "Sat 2026-12-05 21:30:00 +05:30 Asia/Kolkata"},
		{"in-dpdp 72h", "in-dpdp", "board-report", Awareness, "2026-12-05T10:00:00Z",
			"2026-12-08T10:00:00Z", "Tue 2026-12-08 15:30:00 +05:30 Asia/Kolkata"},
	})
}

// Day and month periods end at the end of the last day in the regime's zone; the trigger's day does not count.
func TestDayAndMonthPeriods(t *testing.T) {
	checkDue(t, []dueCase{
		{"hipaa 60 calendar days, due after the march DST change", "hipaa", "individuals", Discovery,
			"2026-01-15T20:00:00Z", "2026-03-17T03:59:59Z", "Mon 2026-03-16 23:59:59 -04:00 America/New_York"},
		{"hipaa media 60 days", "hipaa", "media", Discovery, "2026-01-15T20:00:00Z",
			"2026-03-17T03:59:59Z", "Mon 2026-03-16 23:59:59 -04:00 America/New_York"},
		{"hipaa under 500: 60 days after the year's end", "hipaa", "hhs-annual", Discovery, "2026-01-15T20:00:00Z",
			"2027-03-02T04:59:59Z", "Mon 2027-03-01 23:59:59 -05:00 America/New_York"},
		{"hipaa: the day is New York's (01:00 UTC is the evening before)", "hipaa", "individuals", Discovery,
			"2026-01-16T01:00:00Z", "2026-03-17T03:59:59Z", "Mon 2026-03-16 23:59:59 -04:00 America/New_York"},
		{"nydfs 30 days for the payment's justification", "nydfs", "payment-justification", RansomPayment,
			"2026-03-07T20:00:00Z", "2026-04-07T03:59:59Z", "Mon 2026-04-06 23:59:59 -04:00 America/New_York"},
		{"au-ndb 30-day assessment, due in AEDT", "au-ndb", "assessment", Awareness, "2026-09-20T02:00:00Z",
			"2026-10-20T12:59:59Z", "Tue 2026-10-20 23:59:59 +11:00 Australia/Sydney"},
		{"sg-pdpa 3 calendar days after the assessment's day", "sg-pdpa", "pdpc", Assessment, "2026-12-07T02:00:00Z",
			"2026-12-10T15:59:59Z", "Thu 2026-12-10 23:59:59 +08:00 Asia/Singapore"},
		{"sg-pdpa counts weekends", "sg-pdpa", "pdpc", Assessment, "2026-12-04T02:00:00Z",
			"2026-12-07T15:59:59Z", "Mon 2026-12-07 23:59:59 +08:00 Asia/Singapore"},
		{"nis2 final report: 29 January + 1 month is clamped to 28 February", "nis2", "final-report", Awareness,
			"2026-01-29T09:00:00Z", "2026-02-28T22:59:59Z", "Sat 2026-02-28 23:59:59 +01:00 Europe/Brussels"},
		{"nis2 final report: 31 January + 1 month in a leap year is 29 February", "nis2", "final-report", Awareness,
			"2028-01-31T09:00:00Z", "2028-02-29T22:59:59Z", "Tue 2028-02-29 23:59:59 +01:00 Europe/Brussels"},
		{"nis2 final report across the march DST change", "nis2", "final-report", Awareness,
			"2026-03-15T09:00:00Z", "2026-04-15T21:59:59Z", "Wed 2026-04-15 23:59:59 +02:00 Europe/Brussels"},
	})
}

// LGPD: three working days in Brazil (national holidays; Carnival is a ponto facultativo, not a holiday).
func TestLGPDWorkingDays(t *testing.T) {
	checkDue(t, []dueCase{
		{"friday: due wednesday", "lgpd", "anpd", Awareness, "2026-11-13T18:00:00Z",
			"2026-11-19T02:59:59Z", "Wed 2026-11-18 23:59:59 -03:00 America/Sao_Paulo"},
		{"consciência negra (20 november) skipped", "lgpd", "anpd", Awareness, "2026-11-18T18:00:00Z",
			"2026-11-25T02:59:59Z", "Tue 2026-11-24 23:59:59 -03:00 America/Sao_Paulo"},
		{"good friday skipped", "lgpd", "data-subjects", Awareness, "2026-04-01T18:00:00Z",
			"2026-04-08T02:59:59Z", "Tue 2026-04-07 23:59:59 -03:00 America/Sao_Paulo"},
		{"tiradentes (21 april) skipped", "lgpd", "anpd", Awareness, "2026-04-20T18:00:00Z",
			"2026-04-25T02:59:59Z", "Fri 2026-04-24 23:59:59 -03:00 America/Sao_Paulo"},
		{"carnival tuesday counts", "lgpd", "anpd", Awareness, "2026-02-13T18:00:00Z",
			"2026-02-19T02:59:59Z", "Wed 2026-02-18 23:59:59 -03:00 America/Sao_Paulo"},
		{"the day is São Paulo's: 01:00 UTC saturday is friday evening", "lgpd", "anpd", Awareness,
			"2026-11-14T01:00:00Z", "2026-11-19T02:59:59Z", "Wed 2026-11-18 23:59:59 -03:00 America/Sao_Paulo"},
	})
}

func TestBusinessDayCalendars(t *testing.T) {
	for _, tc := range []struct {
		regime, day string
		want        bool
	}{
		{"sec-8k", "2026-11-26T17:00:00Z", false}, // Thanksgiving
		{"sec-8k", "2026-11-27T17:00:00Z", true},  // the day after
		{"sec-8k", "2026-07-03T17:00:00Z", false}, // Independence Day observed
		{"sec-8k", "2021-12-31T17:00:00Z", false}, // New Year's Day 2022 observed
		{"sec-8k", "2026-06-19T17:00:00Z", false}, // Juneteenth
		{"sec-8k", "2026-12-05T17:00:00Z", false}, // Saturday
		{"lgpd", "2026-11-20T17:00:00Z", false},   // Consciência Negra
		{"lgpd", "2023-11-20T17:00:00Z", true},    // before Lei 14.759/2023 applied
		{"lgpd", "2026-09-07T17:00:00Z", false},   // Independência
		{"gdpr", "2026-11-20T17:00:00Z", false},   // no calendar
	} {
		if got := IsBusinessDay(tc.regime, ts(t, tc.day)); got != tc.want {
			t.Errorf("IsBusinessDay(%s, %s) = %v, want %v", tc.regime, tc.day, got, tc.want)
		}
	}
}

func TestDORAInitialCap(t *testing.T) {
	aware := ts(t, "2026-06-01T08:00:00Z")
	for _, tc := range []struct {
		name, major, due string
		at               string
		status           Status
	}{
		{"4h after classification", "2026-06-01T10:00:00Z", "2026-06-01T14:00:00Z", "2026-06-01T13:00:00Z", Running},
		{"24h after awareness comes first", "2026-06-02T06:00:00Z", "2026-06-02T08:00:00Z", "2026-06-02T07:00:00Z", Running},
		{"classified after 24h: due at once", "2026-06-02T14:00:00Z", "2026-06-02T14:00:00Z", "2026-06-02T14:01:00Z", Overdue},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := clock(t, "dora", "initial", map[Trigger]time.Time{Awareness: aware, MajorClassification: ts(t, tc.major)},
				nil, nil, ts(t, tc.at))
			if c.Due.Format(time.RFC3339) != tc.due || c.Status != tc.status {
				t.Errorf("due %s %s, want %s %s", c.Due.Format(time.RFC3339), c.Status, tc.due, tc.status)
			}
		})
	}
	// Without the classification there is no DORA clock yet, whatever the awareness.
	c := clock(t, "dora", "initial", map[Trigger]time.Time{Awareness: aware}, nil, nil, aware.Add(48*time.Hour))
	if c.Status != NotStarted || !c.Due.IsZero() {
		t.Errorf("unclassified: %s %v, want not-started with no due", c.Status, c.Due)
	}
}

// A report due after a previous notice counts from that notice once it is sent.
func TestChainedObligations(t *testing.T) {
	major := ts(t, "2026-01-20T09:00:00Z")
	trig := map[Trigger]time.Time{Awareness: major, MajorClassification: major}
	at := ts(t, "2026-01-21T09:00:00Z")
	c := clock(t, "dora", "intermediate", trig, nil, nil, at)
	if !c.Provisional || c.Due.Format(time.RFC3339) != "2026-01-23T09:00:00Z" {
		t.Errorf("before the initial notice: provisional %v due %s, want true 2026-01-23T09:00:00Z", c.Provisional,
			c.Due.Format(time.RFC3339))
	}
	met := map[string]Met{
		"dora/initial":      {Notice: "N-1", At: ts(t, "2026-01-20T12:30:00Z")},
		"dora/intermediate": {Notice: "N-2", At: ts(t, "2026-01-31T13:00:00Z")},
	}
	c = clock(t, "dora", "intermediate", trig, nil, met, at)
	if c.Provisional || c.Due.Format(time.RFC3339) != "2026-01-23T12:30:00Z" || c.Status != Running {
		t.Errorf("after the initial notice: %+v, want due 2026-01-23T12:30:00Z running", c)
	}
	c = clock(t, "dora", "final", trig, nil, met, ts(t, "2026-02-01T00:00:00Z"))
	if c.Provisional || c.Due.Format(time.RFC3339) != "2026-02-28T22:59:59Z" ||
		c.DueLocal != "Sat 2026-02-28 23:59:59 +01:00 Europe/Brussels" {
		t.Errorf("final after the intermediate of 31 January: %+v, want 28 February 23:59:59 Brussels", c)
	}
	// NIS2: the final report is one month after the incident notification.
	c = clock(t, "nis2", "final-report", map[Trigger]time.Time{Awareness: major},
		nil, map[string]Met{"nis2/notification": {Notice: "N-3", At: ts(t, "2026-01-22T16:00:00Z")}},
		ts(t, "2026-02-01T00:00:00Z"))
	if c.Due.Format(time.RFC3339) != "2026-02-22T22:59:59Z" {
		t.Errorf("nis2 final report due %s, want 2026-02-22T22:59:59Z", c.Due.Format(time.RFC3339))
	}
}

// A law-enforcement delay pauses hipaa and sec-8k, never gdpr, and moves their due by the paused time.
func TestDelayPausesOnlyRegimesThatAllowIt(t *testing.T) {
	trig := ts(t, "2026-11-02T15:00:00Z") // Monday 10:00 in New York
	triggers := map[Trigger]time.Time{Awareness: trig, Discovery: trig, Materiality: trig}
	tenDays := []Delay{{From: ts(t, "2026-11-04T00:00:00Z"), Until: ts(t, "2026-11-14T00:00:00Z")}}
	overlapping := []Delay{ // merged into the same ten days, not counted twice
		{From: ts(t, "2026-11-08T00:00:00Z"), Until: ts(t, "2026-11-14T00:00:00Z")},
		{From: ts(t, "2026-11-04T00:00:00Z"), Until: ts(t, "2026-11-10T00:00:00Z")},
	}
	inside := []Delay{ // the second lies inside the first
		{From: ts(t, "2026-11-04T00:00:00Z"), Until: ts(t, "2026-11-14T00:00:00Z")},
		{From: ts(t, "2026-11-05T00:00:00Z"), Until: ts(t, "2026-11-06T00:00:00Z")},
	}
	at := ts(t, "2026-11-06T12:00:00Z")
	for name, delays := range map[string][]Delay{"one": tenDays, "overlapping": overlapping, "inside": inside} {
		t.Run(name, func(t *testing.T) {
			cs, err := Clocks([]string{"sec-8k", "hipaa", "gdpr"}, triggers, delays, nil, at)
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]struct {
				due    string
				status Status
				paused time.Duration
			}{
				"gdpr/authority":    {"2026-11-05T15:00:00Z", Overdue, 0},
				"sec-8k/item-1.05":  {"2026-11-16T22:30:00Z", Paused, 240 * time.Hour},
				"hipaa/individuals": {"2027-01-12T04:59:59Z", Paused, 240 * time.Hour},
			}
			if cs[0].Regime != "gdpr" || cs[2].Regime != "sec-8k" || cs[3].Regime != "hipaa" {
				t.Errorf("clocks not in table order: %s %s %s", cs[0].Regime, cs[2].Regime, cs[3].Regime)
			}
			for _, c := range cs {
				w, ok := want[c.Key()]
				if !ok {
					continue
				}
				if c.Due.Format(time.RFC3339) != w.due || c.Status != w.status || c.PausedFor != w.paused {
					t.Errorf("%s: due %s %s paused %v, want %s %s %v", c.Key(), c.Due.Format(time.RFC3339), c.Status,
						c.PausedFor, w.due, w.status, w.paused)
				}
			}
		})
	}
	// After the delay the clock runs again.
	c := clock(t, "sec-8k", "item-1.05", triggers, tenDays, nil, ts(t, "2026-11-15T00:00:00Z"))
	if c.Status != Running {
		t.Errorf("after the delay: %s, want running", c.Status)
	}
	// Only the part of a delay after the trigger pauses; one starting after the deadline revives nothing.
	c = clock(t, "sec-8k", "item-1.05", triggers, []Delay{
		{From: ts(t, "2026-10-01T00:00:00Z"), Until: ts(t, "2026-11-03T15:00:00Z")},
		{From: ts(t, "2026-12-01T00:00:00Z"), Until: ts(t, "2026-12-20T00:00:00Z")},
	}, nil, ts(t, "2026-12-02T00:00:00Z"))
	if c.Due.Format(time.RFC3339) != "2026-11-07T22:30:00Z" || c.PausedFor != 24*time.Hour || c.Status != Overdue {
		t.Errorf("partial delays: due %s paused %v %s, want 2026-11-07T22:30:00Z 24h0m0s overdue",
			c.Due.Format(time.RFC3339), c.PausedFor, c.Status)
	}
}

// HIPAA 164.412(b): an oral statement delays at most 30 days; the SEC's delay is not capped so.
func TestOralDelayCappedForHIPAA(t *testing.T) {
	trig := ts(t, "2026-11-02T15:00:00Z")
	triggers := map[Trigger]time.Time{Discovery: trig, Materiality: trig}
	oral := []Delay{{From: ts(t, "2026-11-04T00:00:00Z"), Until: ts(t, "2027-01-03T00:00:00Z"), Oral: true}}
	at := ts(t, "2026-12-10T00:00:00Z")
	h := clock(t, "hipaa", "individuals", triggers, oral, nil, at)
	if h.PausedFor != 30*24*time.Hour || h.Due.Format(time.RFC3339) != "2027-02-01T04:59:59Z" || h.Status != Running {
		t.Errorf("hipaa oral delay: paused %v due %s %s, want 720h0m0s 2027-02-01T04:59:59Z running", h.PausedFor,
			h.Due.Format(time.RFC3339), h.Status)
	}
	s := clock(t, "sec-8k", "item-1.05", triggers, oral, nil, at)
	if s.PausedFor != 60*24*time.Hour || s.Status != Paused {
		t.Errorf("sec oral delay: paused %v %s, want 1440h0m0s paused", s.PausedFor, s.Status)
	}
}

func TestStatuses(t *testing.T) {
	aware := ts(t, "2026-05-04T08:00:00Z") // gdpr due 2026-05-07T08:00:00Z
	trig := map[Trigger]time.Time{Awareness: aware}
	for _, tc := range []struct {
		name     string
		triggers map[Trigger]time.Time
		met      map[string]Met
		at       string
		status   Status
		late     bool
		metBy    string
	}{
		{"no trigger", nil, nil, "2026-05-05T00:00:00Z", NotStarted, false, ""},
		{"before the trigger", trig, nil, "2026-05-04T07:59:59Z", NotStarted, false, ""},
		{"running", trig, nil, "2026-05-05T00:00:00Z", Running, false, ""},
		{"at the due instant", trig, nil, "2026-05-07T08:00:00Z", Running, false, ""},
		{"a second after due", trig, nil, "2026-05-07T08:00:01Z", Overdue, false, ""},
		{"met before due", trig, map[string]Met{"gdpr/authority": {"N-7", ts(t, "2026-05-06T10:00:00Z")}},
			"2026-05-09T00:00:00Z", MetStatus, false, "N-7"},
		{"met after due: met, late", trig, map[string]Met{"gdpr/authority": {"N-8", ts(t, "2026-05-08T10:00:00Z")}},
			"2026-05-09T00:00:00Z", MetStatus, true, "N-8"},
		{"sent after at: not met yet", trig, map[string]Met{"gdpr/authority": {"N-9", ts(t, "2026-05-08T10:00:00Z")}},
			"2026-05-08T00:00:00Z", Overdue, false, ""},
		{"other regime's notice does not count", trig, map[string]Met{"nis2/notification": {"N-1", aware}},
			"2026-05-08T00:00:00Z", Overdue, false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := clock(t, "gdpr", "authority", tc.triggers, nil, tc.met, ts(t, tc.at))
			if c.Status != tc.status || c.Late != tc.late || c.MetBy != tc.metBy {
				t.Errorf("%s late=%v by %q, want %s late=%v by %q", c.Status, c.Late, c.MetBy, tc.status, tc.late, tc.metBy)
			}
			if tc.triggers == nil && (!c.Due.IsZero() || c.DueLocal != "") {
				t.Errorf("not started but due %v %q", c.Due, c.DueLocal)
			}
		})
	}
	// Art. 34: no fixed clock — running with no due, never overdue.
	c := clock(t, "gdpr", "data-subjects", trig, nil, nil, ts(t, "2027-01-01T00:00:00Z"))
	if c.Status != Running || !c.Due.IsZero() || c.Condition == "" {
		t.Errorf("art. 34: %+v, want running with no due and its condition", c)
	}
}

func TestClocksBadInput(t *testing.T) {
	now := ts(t, "2026-05-04T08:00:00Z")
	for _, tc := range []struct {
		name     string
		ids      []string
		triggers map[Trigger]time.Time
		delays   []Delay
		want     string
	}{
		{"unknown regime", []string{"gdpr", "ccpa"}, nil, nil,
			`regime: unknown regime "ccpa" (known: gdpr, nis2, dora, sec-8k, hipaa, nydfs, cert-in, au-ndb, lgpd, sg-pdpa, in-dpdp)`},
		{"unknown trigger", []string{"gdpr"}, map[Trigger]time.Time{"aware": now}, nil,
			`regime: unknown trigger "aware" (known: awareness, discovery, major-classification, materiality, incident-determination, ransom-payment, assessment)`},
		{"delay ends before it starts", []string{"hipaa"}, nil, []Delay{{From: now, Until: now.Add(-time.Hour)}},
			"regime: law-enforcement delay 1 ends (2026-05-04T07:00:00Z) before it starts (2026-05-04T08:00:00Z)"},
		{"delay with no end", []string{"hipaa"}, nil, []Delay{{From: now, Until: now.Add(time.Hour)}, {From: now}},
			"regime: law-enforcement delay 2 has no end time: record until when it runs"},
		{"delay with no start", []string{"hipaa"}, nil, []Delay{{Until: now}},
			"regime: law-enforcement delay 1 has no start time"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cs, err := Clocks(tc.ids, tc.triggers, tc.delays, nil, now)
			if err == nil || err.Error() != tc.want || cs != nil {
				t.Errorf("got %v, %v; want error %s", cs, err, tc.want)
			}
		})
	}
	// Duplicates are computed once; no ids, no clocks.
	cs, err := Clocks([]string{"cert-in", "cert-in"}, nil, nil, nil, now)
	if err != nil || len(cs) != 1 {
		t.Errorf("duplicate ids: %d clocks, %v", len(cs), err)
	}
	if cs, err := Clocks(nil, nil, nil, nil, now); err != nil || len(cs) != 0 {
		t.Errorf("no ids: %v %v", cs, err)
	}
}

func TestSuggest(t *testing.T) {
	for _, tc := range []struct {
		in   []string
		want string
	}{
		{[]string{"de", " US-NY ", "BR", "XX", ""}, "gdpr,nis2,hipaa,nydfs,lgpd"},
		{[]string{"IN"}, "cert-in,in-dpdp"},
		{[]string{"NO"}, "gdpr"}, // EEA: GDPR, not NIS2
		{[]string{"EL", "GR"}, "gdpr,nis2"},
		{[]string{"US-CA"}, "hipaa"},
		{[]string{"AU", "SG", "EU"}, "gdpr,nis2,au-ndb,sg-pdpa"},
		{nil, ""},
	} {
		if got := strings.Join(Suggest(tc.in), ","); got != tc.want {
			t.Errorf("Suggest(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestTable(t *testing.T) {
	if got := strings.Join(IDs(), ","); got != "gdpr,nis2,dora,sec-8k,hipaa,nydfs,cert-in,au-ndb,lgpd,sg-pdpa,in-dpdp" {
		t.Errorf("ids %s", got)
	}
	for _, r := range Regimes() {
		if r.Source == "" || r.Zone == "" || len(r.Obligations) == 0 {
			t.Errorf("%s: missing source, zone or obligations", r.ID)
		}
		ids := map[string]bool{}
		for _, o := range r.Obligations {
			if o.Source == "" || o.Name == "" || ids[o.ID] {
				t.Errorf("%s/%s: missing source or name, or duplicate id", r.ID, o.ID)
			}
			ids[o.ID] = true
			if o.After != "" && !ids[o.After] {
				t.Errorf("%s/%s: After %q is not an earlier obligation", r.ID, o.ID, o.After)
			}
			if (o.Unit == NoFixedClock) != (o.Period == 0) {
				t.Errorf("%s/%s: period %d with unit %s", r.ID, o.ID, o.Period, o.Unit)
			}
			if o.Unit == BusinessDays && r.Calendar == "" {
				t.Errorf("%s/%s: business days with no calendar", r.ID, o.ID)
			}
		}
	}
	// Regimes returns copies.
	rs := Regimes()
	rs[0].Obligations[0].Period = 1
	if r, _ := Lookup("gdpr"); r.Obligations[0].Period != 72 {
		t.Error("Regimes exposes the table")
	}
}

func TestParseTrigger(t *testing.T) {
	if tr, err := ParseTrigger("ransom-payment"); tr != RansomPayment || err != nil {
		t.Errorf("ransom-payment: %q %v", tr, err)
	}
	_, err := ParseTrigger("Awareness")
	want := `regime: unknown trigger "Awareness" (known: awareness, discovery, major-classification, materiality, incident-determination, ransom-payment, assessment)`
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
}

// The store and the GUI compute clocks from several goroutines: the calendars are read-only.
func TestClocksConcurrently(t *testing.T) {
	trig := ts(t, "2026-11-23T15:00:00Z")
	triggers := map[Trigger]time.Time{Materiality: trig, Awareness: trig}
	done := make(chan string)
	for i := 0; i < 8; i++ {
		go func() {
			cs, err := Clocks([]string{"sec-8k", "lgpd"}, triggers, nil, nil, trig)
			if err != nil {
				done <- err.Error()
				return
			}
			done <- cs[0].Due.Format(time.RFC3339) + " " + cs[0].Name
		}()
	}
	for i := 0; i < 8; i++ {
		if got := <-done; got != "2026-11-30T22:30:00Z File Form 8-K Item 1.05" {
			t.Errorf("got %s", got)
		}
	}
}

// A delay pauses every obligation of a regime that allows it, the conditional ones too.
func TestDelayPausesEveryHIPAAObligation(t *testing.T) {
	trig := ts(t, "2026-11-02T15:00:00Z")
	delays := []Delay{{From: ts(t, "2026-11-04T00:00:00Z"), Until: ts(t, "2026-11-14T00:00:00Z")}}
	cs, err := Clocks([]string{"hipaa"}, map[Trigger]time.Time{Discovery: trig}, delays, nil, ts(t, "2026-11-05T00:00:00Z"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"individuals": "2027-01-12T04:59:59Z", "hhs": "2027-01-12T04:59:59Z", "media": "2027-01-12T04:59:59Z",
		"hhs-annual": "2027-03-12T04:59:59Z", // 1 March 2027 23:59:59 EST + 10 days
	}
	for _, c := range cs {
		if c.Status != Paused || c.Due.Format(time.RFC3339) != want[c.Obligation] {
			t.Errorf("%s: %s due %s, want paused %s", c.Obligation, c.Status, c.Due.Format(time.RFC3339), want[c.Obligation])
		}
	}
	if r, _ := Lookup("hipaa"); r.Location().String() != "America/New_York" {
		t.Errorf("location %v", r.Location())
	}
}
