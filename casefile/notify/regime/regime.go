// Package regime is the table of regulatory notification regimes and the pure computation of their clocks.
//
// It has no case access: the notification track store (casefile/notify) records the trigger decisions, the
// law-enforcement delays and the notices sent, and asks Clocks what is due when. docs/REGULATORY.md is the
// table with its sources and the counting rules; TestRegulatoryDoc keeps it true.
package regime

import (
	"sort"
	"strings"
	"time"
	_ "time/tzdata" // the regimes' zones must resolve on a desktop with no zoneinfo (Windows) too
)

// Trigger names the recorded decision a clock starts from.
type Trigger string

// The triggers, as the notification track records them.
const (
	Awareness             Trigger = "awareness"
	Discovery             Trigger = "discovery"
	MajorClassification   Trigger = "major-classification"
	Materiality           Trigger = "materiality"
	IncidentDetermination Trigger = "incident-determination"
	RansomPayment         Trigger = "ransom-payment"
	Assessment            Trigger = "assessment"
)

// Triggers lists every trigger in documented order.
func Triggers() []Trigger {
	return []Trigger{Awareness, Discovery, MajorClassification, Materiality, IncidentDetermination, RansomPayment,
		Assessment}
}

// Unit says how an obligation's Period counts.
type Unit string

const (
	// Hours is elapsed time from the trigger instant (DST changes do not stretch it: 72 h are 72 h).
	Hours Unit = "hours"
	// CalendarDays ends at 23:59:59 in the regime's zone on the Period-th calendar day after the trigger's day
	// (the day of the trigger does not count).
	CalendarDays Unit = "calendar-days"
	// BusinessDays ends at the obligation's Cutoff (default 23:59:59) in the regime's zone on the Period-th
	// business day after the trigger's day; a trigger on a non-business day counts from the next business day,
	// which is day 1.
	BusinessDays Unit = "business-days"
	// Months ends at 23:59:59 in the regime's zone on the same date Period calendar months later; a date the
	// month does not have is clamped to its last day (31 January + 1 month = 28 or 29 February).
	Months Unit = "months"
	// DaysAfterYearEnd ends at 23:59:59 on the Period-th day after 31 December of the trigger's year.
	DaysAfterYearEnd Unit = "days-after-year-end"
	// NoFixedClock is "without undue delay" / "as soon as practicable": the clock runs with no due time.
	NoFixedClock Unit = "none"
)

// Regime is one row group of the regulatory table.
type Regime struct {
	ID, Name string
	// Zone is the IANA zone in which the regime's days, business days and months are counted and its due
	// times shown.
	Zone string
	// Source cites the provisions the obligations come from.
	Source      string
	Obligations []Obligation
	// DelayAllowed: a law-enforcement delay pauses this regime's clocks.
	DelayAllowed bool
	// OralDelayDays > 0: a delay stated orally pauses at most that many days from its start (HIPAA: 30).
	OralDelayDays int
	// Calendar names the business-day calendar ("us-federal", "br-national"), "" if none is needed.
	Calendar string
	// Jurisdictions are the ISO 3166 codes (and "US-NY"-style subdivisions) whose customers make Suggest
	// propose the regime; empty for regimes that follow from what the organisation is (an SEC registrant, an
	// EU financial entity), which are chosen per case.
	Jurisdictions []string
}

// Obligation is one notice a regime requires and how its due time is computed.
type Obligation struct {
	ID, Name string
	// Audience of the notice: "regulator", "data-subjects", "media", "investors".
	Audience string
	Trigger  Trigger
	Period   int
	Unit     Unit
	// Cutoff is the local time of day ("17:30") at which a business day ends for this obligation;
	// "" is 23:59:59.
	Cutoff string
	// CapTrigger/CapHours: "and no later than CapHours after CapTrigger" (DORA's initial notification). The
	// earlier of the two is due; if the cap has passed when the trigger is recorded, the notice is due at once.
	CapTrigger Trigger
	CapHours   int
	// After names the obligation of the same regime whose submission starts this one (a final report one month
	// after the notification). Until that one is met, the period counts from Trigger — the earliest the
	// deadline can be — and the clock is Provisional.
	After string
	// Condition, when not empty, says when the obligation applies (e.g. "more than 500 residents of one
	// state"); its clock is computed all the same and the user records it as not required where it does not.
	Condition string
	// Source is the provision of this obligation.
	Source string
}

// Key is the obligation key "regime/obligation" used in the met map.
func Key(regime, obligation string) string { return regime + "/" + obligation }

const calUS, calBR = "us-federal", "br-national"

var eu = []string{"EU", "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "EL", "HU", "IE", "IT",
	"LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE"}

var eea = append(append([]string{}, eu...), "EEA", "IS", "LI", "NO")

// table is the regime table in documented order.
var table = []Regime{
	{ID: "gdpr", Name: "EU GDPR", Zone: "Europe/Brussels", Jurisdictions: eea,
		Source: "Regulation (EU) 2016/679 (GDPR) Art. 33(1) and Art. 34(1)",
		Obligations: []Obligation{
			{ID: "authority", Name: "Notify the supervisory authority", Audience: "regulator", Trigger: Awareness,
				Period: 72, Unit: Hours, Source: "GDPR Art. 33(1)"},
			{ID: "data-subjects", Name: "Communicate to the data subjects without undue delay", Audience: "data-subjects",
				Trigger: Awareness, Unit: NoFixedClock, Condition: "likely to result in a high risk to their rights and freedoms",
				Source: "GDPR Art. 34(1)"},
		}},
	{ID: "nis2", Name: "EU NIS2", Zone: "Europe/Brussels", Jurisdictions: eu,
		Source: "Directive (EU) 2022/2555 (NIS2) Art. 23(4)(a), (b) and (d)",
		Obligations: []Obligation{
			{ID: "early-warning", Name: "Early warning to the CSIRT or competent authority", Audience: "regulator",
				Trigger: Awareness, Period: 24, Unit: Hours, Condition: "significant incident", Source: "NIS2 Art. 23(4)(a)"},
			{ID: "notification", Name: "Incident notification", Audience: "regulator", Trigger: Awareness, Period: 72,
				Unit: Hours, Condition: "significant incident", Source: "NIS2 Art. 23(4)(b)"},
			{ID: "final-report", Name: "Final report", Audience: "regulator", Trigger: Awareness, Period: 1, Unit: Months,
				After: "notification", Condition: "significant incident", Source: "NIS2 Art. 23(4)(d)"},
		}},
	{ID: "dora", Name: "EU DORA", Zone: "Europe/Brussels",
		Source: "Regulation (EU) 2022/2554 (DORA) Art. 19(4); Commission Delegated Regulation (EU) 2025/301 Art. 5",
		Obligations: []Obligation{
			{ID: "initial", Name: "Initial notification", Audience: "regulator", Trigger: MajorClassification, Period: 4,
				Unit: Hours, CapTrigger: Awareness, CapHours: 24, Source: "Delegated Regulation (EU) 2025/301 Art. 5(1)"},
			{ID: "intermediate", Name: "Intermediate report", Audience: "regulator", Trigger: MajorClassification,
				Period: 72, Unit: Hours, After: "initial", Source: "Delegated Regulation (EU) 2025/301 Art. 5(2)"},
			{ID: "final", Name: "Final report", Audience: "regulator", Trigger: MajorClassification, Period: 1,
				Unit: Months, After: "intermediate", Source: "Delegated Regulation (EU) 2025/301 Art. 5(3)"},
		}},
	{ID: "sec-8k", Name: "U.S. SEC Form 8-K Item 1.05", Zone: "America/New_York", DelayAllowed: true, Calendar: calUS,
		Source: "17 CFR 229.106 / Form 8-K Item 1.05(a) and (c), General Instruction B.1; 17 CFR 232.13(a)(2) (EDGAR 5:30 p.m. cutoff)",
		Obligations: []Obligation{
			{ID: "item-1.05", Name: "File Form 8-K Item 1.05", Audience: "investors", Trigger: Materiality, Period: 4,
				Unit: BusinessDays, Cutoff: "17:30", Source: "Form 8-K Item 1.05(a), General Instruction B.1"},
		}},
	{ID: "hipaa", Name: "U.S. HIPAA Breach Notification Rule", Zone: "America/New_York", DelayAllowed: true, OralDelayDays: 30,
		Jurisdictions: []string{"US"},
		Source:        "45 CFR 164.404(b), 164.406(b), 164.408(b) and (c), 164.412",
		Obligations: []Obligation{
			{ID: "individuals", Name: "Notify the individuals", Audience: "data-subjects", Trigger: Discovery, Period: 60,
				Unit: CalendarDays, Source: "45 CFR 164.404(b)"},
			{ID: "hhs", Name: "Notify the Secretary (HHS)", Audience: "regulator", Trigger: Discovery, Period: 60,
				Unit: CalendarDays, Condition: "500 or more individuals", Source: "45 CFR 164.408(b)"},
			{ID: "hhs-annual", Name: "Notify the Secretary (HHS) in the annual log", Audience: "regulator",
				Trigger: Discovery, Period: 60, Unit: DaysAfterYearEnd, Condition: "fewer than 500 individuals",
				Source: "45 CFR 164.408(c)"},
			{ID: "media", Name: "Notify prominent media outlets", Audience: "media", Trigger: Discovery, Period: 60,
				Unit: CalendarDays, Condition: "more than 500 residents of one state or jurisdiction",
				Source: "45 CFR 164.406(b)"},
		}},
	{ID: "nydfs", Name: "New York DFS 23 NYCRR 500.17", Zone: "America/New_York", Jurisdictions: []string{"US-NY"},
		Source: "23 NYCRR 500.17(a)(1) and (c)",
		Obligations: []Obligation{
			{ID: "incident", Name: "Notify the superintendent", Audience: "regulator", Trigger: IncidentDetermination,
				Period: 72, Unit: Hours, Source: "23 NYCRR 500.17(a)(1)"},
			{ID: "extortion-payment", Name: "Notice of an extortion payment", Audience: "regulator", Trigger: RansomPayment,
				Period: 24, Unit: Hours, Source: "23 NYCRR 500.17(c)(1)"},
			{ID: "payment-justification", Name: "Reasons the extortion payment was necessary", Audience: "regulator",
				Trigger: RansomPayment, Period: 30, Unit: CalendarDays, Source: "23 NYCRR 500.17(c)(2)"},
		}},
	{ID: "cert-in", Name: "India CERT-In Directions", Zone: "Asia/Kolkata", Jurisdictions: []string{"IN"},
		Source: "CERT-In Directions No. 20(3)/2022-CERT-In of 28 April 2022 under s. 70B(6) IT Act 2000, direction (ii)",
		Obligations: []Obligation{
			{ID: "report", Name: "Report the incident to CERT-In", Audience: "regulator", Trigger: Awareness, Period: 6,
				Unit: Hours, Source: "CERT-In Directions of 28 April 2022, (ii)"},
		}},
	{ID: "au-ndb", Name: "Australia Notifiable Data Breaches", Zone: "Australia/Sydney", Jurisdictions: []string{"AU"},
		Source: "Privacy Act 1988 (Cth) s. 26WH(2), 26WK(2) and 26WL(3)",
		Obligations: []Obligation{
			{ID: "assessment", Name: "Complete the assessment", Audience: "internal", Trigger: Awareness, Period: 30,
				Unit: CalendarDays, Source: "Privacy Act 1988 s. 26WH(2)(b)"},
			{ID: "notification", Name: "Notify the Commissioner and the individuals as soon as practicable",
				Audience: "regulator", Trigger: Assessment, Unit: NoFixedClock, Condition: "eligible data breach",
				Source: "Privacy Act 1988 s. 26WK(2), 26WL(3)"},
		}},
	{ID: "lgpd", Name: "Brazil LGPD", Zone: "America/Sao_Paulo", Calendar: calBR, Jurisdictions: []string{"BR"},
		Source: "Lei 13.709/2018 (LGPD) Art. 48; ANPD Resolução CD/ANPD n.º 15/2024 Arts. 6 and 9",
		Obligations: []Obligation{
			{ID: "anpd", Name: "Communicate to the ANPD", Audience: "regulator", Trigger: Awareness, Period: 3,
				Unit: BusinessDays, Condition: "relevant risk or damage to the data subjects", Source: "Resolução CD/ANPD 15/2024 Art. 6"},
			{ID: "data-subjects", Name: "Communicate to the data subjects", Audience: "data-subjects", Trigger: Awareness,
				Period: 3, Unit: BusinessDays, Condition: "relevant risk or damage to the data subjects",
				Source: "Resolução CD/ANPD 15/2024 Art. 9"},
		}},
	{ID: "sg-pdpa", Name: "Singapore PDPA", Zone: "Asia/Singapore", Jurisdictions: []string{"SG"},
		Source: "Personal Data Protection Act 2012 s. 26D(1) and (2)",
		Obligations: []Obligation{
			{ID: "pdpc", Name: "Notify the Commission (PDPC)", Audience: "regulator", Trigger: Assessment, Period: 3,
				Unit: CalendarDays, Source: "PDPA s. 26D(1)"},
			{ID: "individuals", Name: "Notify the affected individuals", Audience: "data-subjects", Trigger: Assessment,
				Unit: NoFixedClock, Condition: "likely to result in significant harm to them", Source: "PDPA s. 26D(2)"},
		}},
	{ID: "in-dpdp", Name: "India DPDP", Zone: "Asia/Kolkata", Jurisdictions: []string{"IN"},
		Source: "Digital Personal Data Protection Act 2023 s. 8(6); DPDP Rules 2025 Rule 7(1) and (2)",
		Obligations: []Obligation{
			{ID: "board-intimation", Name: "Intimate the Board without delay", Audience: "regulator", Trigger: Awareness,
				Unit: NoFixedClock, Source: "DPDP Rules 2025 Rule 7(2)(a)"},
			{ID: "data-principals", Name: "Intimate each affected Data Principal without delay", Audience: "data-subjects",
				Trigger: Awareness, Unit: NoFixedClock, Source: "DPDP Rules 2025 Rule 7(1)"},
			{ID: "board-report", Name: "Detailed report to the Board", Audience: "regulator", Trigger: Awareness,
				Period: 72, Unit: Hours, Source: "DPDP Rules 2025 Rule 7(2)(b)"},
		}},
}

// Regimes returns the table in documented order (a copy: callers may not change the table).
func Regimes() []Regime {
	out := make([]Regime, len(table))
	for i, r := range table {
		out[i] = clone(r)
	}
	return out
}

func clone(r Regime) Regime {
	r.Obligations = append([]Obligation(nil), r.Obligations...)
	r.Jurisdictions = append([]string(nil), r.Jurisdictions...)
	return r
}

// Location is the regime's zone (Zone) loaded; nil for a Regime not from the table.
func (r Regime) Location() *time.Location { return zones[r.ID] }

// Lookup finds a regime by id.
func Lookup(id string) (Regime, bool) {
	for _, r := range table {
		if r.ID == id {
			return clone(r), true
		}
	}
	return Regime{}, false
}

// IDs lists the regime ids in documented order.
func IDs() []string {
	out := make([]string, len(table))
	for i, r := range table {
		out[i] = r.ID
	}
	return out
}

// Suggest proposes, in documented order, the regimes whose territory covers one of the customers'
// jurisdictions: ISO 3166-1 alpha-2 codes ("DE", "BR"; "EL" or "GR" for Greece), "EU" or "EEA" for any member,
// and subdivisions such as "US-NY" (which also count as their country). Case and surrounding spaces do not
// matter; unknown codes are ignored. Regimes that follow from what the organisation is rather than where its
// customers are (sec-8k, dora) are never suggested, and sectoral ones (hipaa, nydfs, nis2) are proposed for the
// user to confirm.
func Suggest(jurisdictions []string) []string {
	have := map[string]bool{}
	for _, j := range jurisdictions {
		j = strings.ToUpper(strings.TrimSpace(j))
		if j == "" {
			continue
		}
		have[j] = true
		if country, _, ok := strings.Cut(j, "-"); ok {
			have[country] = true
		}
	}
	var out []string
	for _, r := range table {
		for _, j := range r.Jurisdictions {
			if have[j] {
				out = append(out, r.ID)
				break
			}
		}
	}
	return out
}

// sortedIDs returns ids in the table's order (unknown ones are reported by the caller before).
func sortedIDs(ids []string) []string {
	pos := map[string]int{}
	for i, r := range table {
		pos[r.ID] = i
	}
	out := append([]string(nil), ids...)
	sort.SliceStable(out, func(a, b int) bool { return pos[out[a]] < pos[out[b]] })
	return out
}

var zones = map[string]*time.Location{}

func init() {
	for _, r := range table {
		loc, err := time.LoadLocation(r.Zone)
		if err != nil {
			panic("regime: zone of " + r.ID + ": " + err.Error()) // the embedded tzdata has every zone
		}
		zones[r.ID] = loc
	}
}
