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
	"unicode"
	"unicode/utf8"

	"github.com/custodia-dfir/custodia/casefile"
)

// This file holds the flag values and input checks of the incident
// commands. Each checks what it is given as casefile would, so that a bad
// value is a usage error found before any passphrase is asked for.

// choiceValue is a flag holding one of a fixed set of ids, e.g. a
// classification or a confidence, matched case-insensitively; aliases map
// other accepted spellings to ids.
type choiceValue[T ~string] struct {
	p       *T
	what    string // names the value in errors: "classification"
	choices []T
	aliases map[string]T
}

func newChoice[T ~string](p *T, what string, choices []T, aliases map[string]T) *choiceValue[T] {
	return &choiceValue[T]{p: p, what: what, choices: choices, aliases: aliases}
}

func (c *choiceValue[T]) String() string {
	if c == nil || c.p == nil {
		return ""
	}
	return string(*c.p)
}

func (c *choiceValue[T]) Set(s string) error {
	v, err := parseChoice(s, c.what, c.choices, c.aliases)
	if err != nil {
		return err
	}
	*c.p = v
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
		*o.p = o.bare
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
	n    *int
	what string // "severity" or "priority"
}

var levelNames = []string{"critical", "high", "medium", "low"}

func (l *levelValue) String() string {
	if l == nil || l.n == nil || *l.n == 0 {
		return ""
	}
	return strconv.Itoa(*l.n)
}

func (l *levelValue) Set(s string) error {
	v := strings.ToLower(strings.TrimSpace(s))
	for i, name := range levelNames {
		if v == name {
			*l.n = i + 1
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
	*l.n = n
	return nil
}

// tenantsValue is --tenants: a count of affected tenants, or "unknown".
type tenantsValue struct{ n *int }

func (t *tenantsValue) String() string {
	if t == nil || t.n == nil {
		return ""
	}
	if *t.n == casefile.TenantsUnknown {
		return "unknown"
	}
	return strconv.Itoa(*t.n)
}

func (t *tenantsValue) Set(s string) error {
	v := strings.ToLower(strings.TrimSpace(s))
	if v == "unknown" {
		*t.n = casefile.TenantsUnknown
		return nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return errors.New(`give the number of affected tenants (0 or more), or "unknown"`)
	}
	*t.n = n
	return nil
}

// timeValue is a flag holding an RFC 3339 time, kept in UTC.
type timeValue struct{ t *time.Time }

func (v *timeValue) String() string {
	if v == nil || v.t == nil || v.t.IsZero() {
		return ""
	}
	return formatTime(*v.t)
}

func (v *timeValue) Set(s string) error {
	t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(s))
	if err != nil {
		return errors.New("not an RFC 3339 time: give e.g. 2026-11-26T08:15:00Z or 2026-11-26T09:15:00+01:00")
	}
	*v.t = t.UTC()
	return nil
}

// dateValue is a flag holding a calendar day, YYYY-MM-DD.
type dateValue struct{ t *time.Time }

func (v *dateValue) String() string {
	if v == nil || v.t == nil || v.t.IsZero() {
		return ""
	}
	return v.t.Format(time.DateOnly)
}

func (v *dateValue) Set(s string) error {
	t, err := time.Parse(time.DateOnly, strings.TrimSpace(s))
	if err != nil {
		return errors.New("not a date: give the day as YYYY-MM-DD, e.g. 2026-12-15")
	}
	*v.t = t
	return nil
}

// stringList is a flag that may be repeated; each use adds one value.
type stringList []string

func (l *stringList) String() string {
	if l == nil {
		return ""
	}
	return strings.Join(*l, ", ")
}

func (l *stringList) Set(s string) error {
	*l = append(*l, s)
	return nil
}

// flagsSet returns the names of the flags given on the command line.
func flagsSet(fs *flag.FlagSet) map[string]bool {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	return set
}

// inputProblem is the message of a casefile validation error without the
// "casefile: invalid input: " prefix, for a usage error about a value typed
// on the command line.
func inputProblem(err error) string {
	return strings.TrimPrefix(err.Error(), casefile.ErrInvalid.Error()+": ")
}

// checkText checks the value of a text flag as casefile will, so that text
// that cannot be recorded is a usage error: valid UTF-8, at most max bytes,
// not blank when required, and one line when oneLine is set. The message
// names the flag, not the value, which may be long.
func (inv *invocation) checkText(flagName, v string, max int, required, oneLine bool) error {
	switch {
	case !utf8.ValidString(v):
		return inv.usagef("%s is not valid UTF-8 text", flagName)
	case required && strings.TrimSpace(v) == "":
		return inv.usagef("%s is required and must not be empty", flagName)
	case len(v) > max:
		return inv.usagef("%s is too long (%d bytes, at most %d)", flagName, len(v), max)
	}
	if oneLine {
		if i := strings.IndexFunc(v, unicode.IsControl); i >= 0 {
			return inv.usagef("%s must be one line of text; it holds a control character (%U) at byte %d", flagName, []rune(v[i:])[0], i)
		}
	}
	return nil
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
