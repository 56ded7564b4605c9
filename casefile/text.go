package casefile

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
)

// Input checks shared by every domain, the CLI and the GUI, so that a value
// is refused for the same reason, in the same words, wherever it is typed.
// Each refusal wraps ErrInvalid and names the field; nothing is silently
// cut or replaced.

// Length limits of record fields, in bytes of UTF-8.
const (
	// MaxMarkdownLen bounds Markdown documents: finding descriptions and the
	// sections of the post-mortem.
	MaxMarkdownLen = 100_000
	// MaxTextLen bounds other free text: summaries, rationales, reasons,
	// descriptions of actions, mitigations and repair items.
	MaxTextLen = 10_000
	// MaxListLen bounds the entries of one list field (linked evidence,
	// indicators, techniques, related incidents, next steps, lapses…).
	MaxListLen = 1_000
)

// Invalidf returns an error wrapping ErrInvalid with a message for a
// person: what is wrong with the input and, where it helps, what to give.
func Invalidf(format string, args ...any) error { return invalidf(format, args...) }

func invalidf(format string, args ...any) error { return ErrInvalid.Errorf(format, args...) }

// CheckText refuses v unless it is valid UTF-8, non-blank when required,
// and at most max bytes long. field names the value in the message.
func CheckText(field, v string, required bool, max int) error {
	return checkText(field, v, required, max)
}

func checkText(field, v string, required bool, max int) error {
	if !utf8.ValidString(v) {
		return invalidf("%s is not valid UTF-8 text", field)
	}
	if required && strings.TrimSpace(v) == "" {
		return invalidf("%s is required", field)
	}
	if len(v) > max {
		return invalidf("%s is too long (%d bytes, at most %d)", field, len(v), max)
	}
	return nil
}

// CheckLine is CheckText for single-line values: control characters
// (newlines included) are refused as well.
func CheckLine(field, v string, required bool, max int) error {
	if err := checkText(field, v, required, max); err != nil {
		return err
	}
	if i := strings.IndexFunc(v, unicode.IsControl); i >= 0 {
		return invalidf("%s contains a control character (%U) at byte %d; it must be one line of text", field, []rune(v[i:])[0], i)
	}
	return nil
}

// CheckList bounds the number of entries of a list field.
func CheckList(field string, n int) error {
	if n > MaxListLen {
		return invalidf("%s has %d entries, at most %d", field, n, MaxListLen)
	}
	return nil
}

// CheckReason checks the reason recorded in a custody entry.
func CheckReason(reason string) error { return checkText("reason", reason, false, MaxReasonLen) }

// Brief returns s on one line, cut to at most 120 bytes on a rune boundary
// with an ellipsis when cut: custody details name things, they do not hold
// them.
func Brief(s string) string {
	const max = 120
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// ClockSkew is how far in the future a given time may lie before it is
// refused: clocks of different machines disagree a little.
const ClockSkew = 5 * time.Minute

// CheckPast refuses a time after now (plus ClockSkew) and returns it in UTC
// at the stored precision (milliseconds).
func CheckPast(field string, t, now time.Time) (time.Time, error) {
	t = t.UTC().Truncate(time.Millisecond)
	if t.After(now.Add(ClockSkew)) {
		return t, invalidf("%s %s is in the future (now is %s)", field, FormatTime(t), FormatTime(now))
	}
	return t, nil
}

// FormatTime writes t as every stored time is written: RFC 3339 in UTC
// with Z, fractional seconds without trailing zeros.
func FormatTime(t time.Time) string { return formatTime(t) }

func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// ResolveExaminer finds the examiner ref names among exs: a UUID or a name
// (case-insensitive, surrounding space ignored). An unknown one is
// ErrUnknownExaminer.
func ResolveExaminer(exs []Examiner, ref string) (Examiner, error) {
	ref = strings.TrimSpace(ref)
	if id, err := uuid.Parse(ref); err == nil {
		for _, ex := range exs {
			if ex.ID == id {
				return ex, nil
			}
		}
	}
	for _, ex := range exs {
		if strings.EqualFold(strings.TrimSpace(ex.Name), ref) {
			return ex, nil
		}
	}
	return Examiner{}, fmt.Errorf("%w: %q", ErrUnknownExaminer, ref)
}

// SourceTimeZone checks name, the time zone a source's clocks used, as the
// examiner gives it, and returns its location. An empty name means the zone
// is unknown (nil location). "Local" is refused: it is the zone of the
// computer running Custodia, which says nothing about the source. Otherwise
// the name must be an IANA time zone name (Europe/Berlin, UTC), exactly as
// the time zone database spells it.
func SourceTimeZone(name string) (*time.Location, error) {
	switch {
	case name == "":
		return nil, nil
	case strings.EqualFold(strings.TrimSpace(name), "local"):
		return nil, invalidf(`give the time zone of the source by its IANA name, e.g. Europe/Berlin: "Local" is this computer's zone, not the source's`)
	case strings.TrimSpace(name) != name:
		return nil, invalidf("time zone %q has spaces around it", name)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, invalidf("unknown time zone %q: use an IANA name such as UTC, Europe/Berlin or America/New_York", name)
	}
	return loc, nil
}
