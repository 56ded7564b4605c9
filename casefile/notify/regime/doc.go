package regime

import (
	"fmt"
	"strings"
)

// PeriodText describes how o's due time is computed, as docs/REGULATORY.md and the GUI show it.
func (o Obligation) PeriodText() string {
	var s string
	switch o.Unit {
	case Hours:
		s = fmt.Sprintf("%d h", o.Period)
	case CalendarDays:
		s = fmt.Sprintf("%d calendar days", o.Period)
	case BusinessDays:
		s = fmt.Sprintf("%d business days", o.Period)
		if o.Cutoff != "" {
			s += ", by " + o.Cutoff + " on the last"
		}
	case Months:
		s = fmt.Sprintf("%d month", o.Period)
		if o.Period != 1 {
			s += "s"
		}
	case DaysAfterYearEnd:
		s = fmt.Sprintf("%d days after 31 December of the trigger's year", o.Period)
	default:
		return "no fixed clock (without undue delay / as soon as practicable)"
	}
	if o.After != "" {
		s += " after the " + o.After + " is sent"
	}
	if o.CapTrigger != "" {
		s += fmt.Sprintf(", and at most %d h after %s", o.CapHours, o.CapTrigger)
	}
	return s
}

// CalendarText describes the regime's business-day rule.
func (r Regime) CalendarText() string {
	switch r.Calendar {
	case calUS:
		return "Mon–Fri less U.S. federal holidays (observed days; rickar/cal `us`)"
	case calBR:
		return "Mon–Fri less Brazilian national holidays (rickar/cal `br` less Carnival and Corpus Christi, plus 20 Nov from 2024)"
	}
	return "calendar time"
}

// DocRegimes renders the regimes' own table of docs/REGULATORY.md (one row a regime, with its sources).
func DocRegimes() string {
	var b strings.Builder
	b.WriteString("| Regime | Name | Zone | Business days | Delay allowed | Suggested for | Sources |\n")
	b.WriteString("|---|---|---|---|:-:|---|---|\n")
	for _, r := range table {
		delay := "no"
		if r.DelayAllowed {
			delay = "yes"
		}
		sug := "chosen per case"
		if len(r.Jurisdictions) > 0 {
			sug = strings.Join(r.Jurisdictions, ", ")
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s | %s | %s |\n", r.ID, r.Name, r.Zone, r.CalendarText(), delay, sug,
			r.Source)
	}
	return b.String()
}

// DocTable renders the regime table as the Markdown table of docs/REGULATORY.md.
func DocTable() string {
	var b strings.Builder
	b.WriteString("| Regime | Obligation | Trigger | Period | Business-day rule | Zone | Delay allowed | Applies when | Source |\n")
	b.WriteString("|---|---|---|---|---|---|:-:|---|---|\n")
	for _, r := range table {
		delay := "no"
		if r.DelayAllowed {
			delay = "yes"
		}
		for _, o := range r.Obligations {
			cond := o.Condition
			if cond == "" {
				cond = "always"
			}
			fmt.Fprintf(&b, "| `%s` %s | `%s` %s | `%s` | %s | %s | %s | %s | %s | %s |\n", r.ID, r.Name, o.ID, o.Name,
				o.Trigger, o.PeriodText(), r.CalendarText(), r.Zone, delay, cond, o.Source)
		}
	}
	return b.String()
}
