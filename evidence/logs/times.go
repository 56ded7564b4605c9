package logs

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Earliest and Latest bound the times a timeline holds: a time is stored as
// int64 nanoseconds since 1970 in UTC, which spans these years.
var (
	Earliest = time.Date(1678, 1, 1, 0, 0, 0, 0, time.UTC)
	Latest   = time.Date(2262, 4, 11, 0, 0, 0, 0, time.UTC)
)

// InRange reports whether t can be stored as a timeline time.
func InRange(t time.Time) bool {
	return !t.Before(Earliest) && t.Before(Latest)
}

// ZoneText writes the zone of a time read with an explicit zone: "UTC" for
// Z or +00:00, else the offset as ±hh:mm.
func ZoneText(t time.Time) string {
	_, off := t.Zone()
	if off == 0 {
		return "UTC"
	}
	sign := '+'
	if off < 0 {
		sign, off = '-', -off
	}
	return fmt.Sprintf("%c%02d:%02d", sign, off/3600, off/60%60)
}

// SetTime fills an event's time fields from a time read with an explicit
// zone (assumed false) or in the item's source zone (assumed true).
func (e *Event) SetTime(t time.Time, text string, opts Options, assumed bool) {
	e.TimeText = text
	e.Time = t.UTC()
	e.TimeZoneAssumed = assumed
	if assumed {
		e.TimeZone = opts.Loc().String()
	} else {
		e.TimeZone = ZoneText(t)
	}
}

// ParseISO reads an ISO 8601 / RFC 3339 date-time leniently: "T" or a space
// between date and time, any number of fraction digits (after "." or ","),
// and a zone of Z, ±hh:mm, ±hhmm, ±hh, or none. Without a zone the time is
// read in loc (nil means UTC) and hasZone is false.
func ParseISO(s string, loc *time.Location) (t time.Time, hasZone bool, err error) {
	if loc == nil {
		loc = time.UTC
	}
	bad := func() (time.Time, bool, error) {
		return time.Time{}, false, fmt.Errorf("%q is not an ISO 8601 date and time", clip(s, 40))
	}
	if len(s) < 19 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || s[13] != ':' || s[16] != ':' {
		return bad()
	}
	year, ok1 := digits(s[0:4])
	mon, ok2 := digits(s[5:7])
	day, ok3 := digits(s[8:10])
	hh, ok4 := digits(s[11:13])
	mm, ok5 := digits(s[14:16])
	ss, ok6 := digits(s[17:19])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) {
		return bad()
	}
	rest := s[19:]
	nsec := 0
	if len(rest) > 0 && (rest[0] == '.' || rest[0] == ',') {
		i := 1
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			i++
		}
		frac := rest[1:i]
		if len(frac) == 0 {
			return bad()
		}
		if len(frac) > 9 {
			frac = frac[:9]
		}
		n, _ := strconv.Atoi(frac)
		for k := len(frac); k < 9; k++ {
			n *= 10
		}
		nsec = n
		rest = rest[i:]
	}
	var zone *time.Location
	switch {
	case rest == "":
		zone = loc
	case rest == "Z" || rest == "z":
		zone = time.UTC
		hasZone = true
	case rest[0] == '+' || rest[0] == '-':
		z := strings.ReplaceAll(rest[1:], ":", "")
		var zh, zm int
		var ok bool
		switch len(z) {
		case 2:
			zh, ok = digits(z)
		case 4:
			var okm bool
			zh, ok = digits(z[:2])
			zm, okm = digits(z[2:])
			ok = ok && okm
		}
		if !ok || zh > 23 || zm > 59 {
			return bad()
		}
		off := zh*3600 + zm*60
		if rest[0] == '-' {
			off = -off
		}
		if off == 0 {
			zone = time.UTC
		} else {
			zone = time.FixedZone("", off)
		}
		hasZone = true
	default:
		return bad()
	}
	if mon < 1 || mon > 12 || day < 1 || day > 31 || hh > 24 || mm > 59 || ss > 60 {
		return bad()
	}
	t = time.Date(year, time.Month(mon), day, hh, mm, ss, nsec, zone)
	if t.Day() != day && hh != 24 && ss != 60 {
		return time.Time{}, false, fmt.Errorf("%q is not a date that exists", clip(s, 40))
	}
	return t, hasZone, nil
}

func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, len(s) > 0
}

// Digits parses a string of ASCII digits; ok is false for anything else.
func Digits(s string) (int, bool) { return digits(s) }

// FromUnix converts seconds since 1970 with an optional fraction, as text
// ("1569808707.225889", "1569808707"), to a time without float rounding.
func FromUnix(s string) (time.Time, error) {
	sec, frac, _ := strings.Cut(s, ".")
	neg := strings.HasPrefix(sec, "-")
	n, err := strconv.ParseInt(sec, 10, 64)
	if err != nil || len(frac) > 0 && !allDigits(frac) {
		return time.Time{}, fmt.Errorf("%q is not a Unix time", clip(s, 40))
	}
	if n > 1<<40 || n < -(1<<40) {
		return time.Time{}, fmt.Errorf("Unix time %s is out of range", clip(s, 40))
	}
	if len(frac) > 9 {
		frac = frac[:9]
	}
	ns := 0
	if frac != "" {
		ns, _ = strconv.Atoi(frac)
		for k := len(frac); k < 9; k++ {
			ns *= 10
		}
	}
	if neg {
		ns = -ns
	}
	return time.Unix(n, int64(ns)).UTC(), nil
}

func allDigits(s string) bool {
	_, ok := digits(s)
	return ok
}

// clip shortens s for a message, marking the cut.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// Clip shortens s to at most n bytes for a warning, marking the cut.
func Clip(s string, n int) string { return clip(s, n) }
