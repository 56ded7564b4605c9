package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/custodia-dfir/custodia/casefile/incident"
)

// This file holds the flag values of the incident commands. Each checks
// what it is given as it is parsed, so that a bad value is a usage error
// found before any passphrase is asked for, and hands the parsed value to
// the command through valueOf.

// choiceValue is a flag holding one of a fixed set of ids, e.g. a
// classification or a confidence, matched case-insensitively; aliases map
// other accepted spellings to ids.
type choiceValue[T ~string] struct {
	v       T
	what    string // names the value in errors: "classification"
	choices []T
	aliases map[string]T
}

// choice returns a maker of choiceValues, for flagDef.value.
func choice[T ~string](what string, choices []T, aliases map[string]T) func() flag.Value {
	return func() flag.Value { return &choiceValue[T]{what: what, choices: choices, aliases: aliases} }
}

func (c *choiceValue[T]) String() string { return string(c.v) }
func (c *choiceValue[T]) get() T         { return c.v }

func (c *choiceValue[T]) Set(s string) error {
	v, err := parseChoice(s, c.what, c.choices, c.aliases)
	if err != nil {
		return err
	}
	c.v = v
	return nil
}

// optionalChoice is a choiceValue that may also be given bare, as a
// boolean flag ("--exercise" rather than "--exercise=tabletop"): then it
// takes the value bare. A value must then be joined with "=".
type optionalChoice[T ~string] struct {
	*choiceValue[T]
	bare T
}

// IsBoolFlag lets the flag package accept the flag without a value.
func (o optionalChoice[T]) IsBoolFlag() bool { return true }

func (o optionalChoice[T]) Set(s string) error {
	if s == "true" {
		o.v = o.bare
		return nil
	}
	return o.choiceValue.Set(s)
}

// parseChoice returns the id among choices (or aliases) that s names,
// ignoring case and surrounding space.
func parseChoice[T ~string](s, what string, choices []T, aliases map[string]T) (T, error) {
	v := strings.ToLower(strings.TrimSpace(s))
	if a, ok := aliases[v]; ok {
		return a, nil
	}
	for _, ch := range choices {
		if string(ch) == v && v != "" {
			return ch, nil
		}
	}
	return "", fmt.Errorf("unknown %s %q; use %s", what, s, orList(choices))
}

// orBar is "a|b|c", as a usage line shows the choices of a flag.
func orBar[T ~string](items []T) string {
	s := make([]string, 0, len(items))
	for _, it := range items {
		if it != "" {
			s = append(s, string(it))
		}
	}
	return strings.Join(s, "|")
}

// orList is "a, b or c".
func orList[T ~string](items []T) string {
	s := make([]string, 0, len(items))
	for _, it := range items {
		if it != "" {
			s = append(s, string(it))
		}
	}
	if len(s) < 2 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}

// levelValue is --severity or --priority: 1 (most serious) to 4, or the
// level's name ("critical", "high", "medium", "low").
type levelValue struct {
	n    int
	what string // "severity" or "priority"
}

var levelNames = []string{"critical", "high", "medium", "low"}

// level returns a maker of levelValues for the scale what.
func level(what string) func() flag.Value {
	return func() flag.Value { return &levelValue{what: what} }
}

func (l *levelValue) get() int { return l.n }

func (l *levelValue) String() string {
	if l == nil || l.n == 0 {
		return ""
	}
	return strconv.Itoa(l.n)
}

func (l *levelValue) Set(s string) error {
	v := strings.ToLower(strings.TrimSpace(s))
	for i, name := range levelNames {
		if v == name {
			l.n = i + 1
			return nil
		}
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return fmt.Errorf("%s %q is not a level: give 1 (Critical), 2 (High), 3 (Medium) or 4 (Low)", l.what, s)
	}
	if n < 1 || n > 4 {
		return fmt.Errorf("%s %d is outside 1 (Critical) to 4 (Low)", l.what, n)
	}
	l.n = n
	return nil
}

// tenantsValue is --tenants: a count of affected tenants, or "unknown".
type tenantsValue struct{ n int }

func (t *tenantsValue) get() int { return t.n }

func (t *tenantsValue) String() string {
	if t == nil {
		return ""
	}
	if t.n == incident.TenantsUnknown {
		return "unknown"
	}
	return strconv.Itoa(t.n)
}

func (t *tenantsValue) Set(s string) error {
	v := strings.ToLower(strings.TrimSpace(s))
	if v == "unknown" {
		t.n = incident.TenantsUnknown
		return nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return errors.New(`give the number of affected tenants (0 or more), or "unknown"`)
	}
	t.n = n
	return nil
}

// timeValue is a flag holding an RFC 3339 time, kept in UTC.
type timeValue struct{ t time.Time }

func (v *timeValue) get() time.Time { return v.t }

func (v *timeValue) String() string {
	if v == nil || v.t.IsZero() {
		return ""
	}
	return formatTime(v.t)
}

func (v *timeValue) Set(s string) error {
	t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(s))
	if err != nil {
		return errors.New("not an RFC 3339 time: give e.g. 2026-11-26T08:15:00Z or 2026-11-26T09:15:00+01:00")
	}
	v.t = t.UTC()
	return nil
}

// dateValue is a flag holding a calendar day, YYYY-MM-DD.
type dateValue struct{ t time.Time }

func (v *dateValue) get() time.Time { return v.t }

func (v *dateValue) String() string {
	if v == nil || v.t.IsZero() {
		return ""
	}
	return v.t.Format(time.DateOnly)
}

func (v *dateValue) Set(s string) error {
	t, err := time.Parse(time.DateOnly, strings.TrimSpace(s))
	if err != nil {
		return errors.New("not a date: give the day as YYYY-MM-DD, e.g. 2026-12-15")
	}
	v.t = t
	return nil
}

// newValue returns a maker of values of type V, for flagDef.value.
func newValue[V any, P interface {
	*V
	flag.Value
}]() func() flag.Value {
	return func() flag.Value { return P(new(V)) }
}

// readTextFile reads the text in the file at path for flagName (a finding
// description, a post-mortem summary), refusing more than max bytes or
// bytes that are not UTF-8 text before any passphrase is asked for.
func (inv *invocation) readTextFile(flagName, path string, max int) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", withHint(fmt.Errorf("read %s: %w", flagName, err), "check the path given to "+flagName)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, int64(max)+1))
	if err != nil {
		return "", fmt.Errorf("read %s %s: %w", flagName, path, err)
	}
	if len(b) > max {
		return "", inv.usagef("%s: %s is too long (more than %d bytes)", flagName, path, max)
	}
	s := string(b)
	if !utf8.ValidString(s) {
		return "", inv.usagef("%s: %s is not UTF-8 text", flagName, path)
	}
	return s, nil
}
