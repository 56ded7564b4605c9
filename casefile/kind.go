package casefile

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
)

// Errors for people. Every failure a person can act on is of a Kind: a
// sentinel that errors.Is matches, with a short text and a hint saying what
// to do. An *Error is one occurrence of a kind with the detail of what went
// wrong, written for a person. Programs print Error() (the package prefix,
// the kind and the detail); the GUI shows Explain(err): the detail and the
// hint, never a cut-down error string and never SQLite's own text.

// Kind is a class of failure. Kinds are package-level sentinels created
// with NewKind; errors.Is(err, kind) reports whether err is of that kind.
type Kind struct {
	pkg, text, hint string
	// input marks the kind of invalid input, whose detail says all a person
	// needs ("title is required"): Explain leaves the kind's text out.
	input bool
}

// NewKind returns a new kind of failure of package pkg (e.g. "casefile"):
// text says what failed, in lower case without a final period ("wrong
// passphrase"); hint says what a person can do about it, or is "".
func NewKind(pkg, text, hint string) *Kind { return &Kind{pkg: pkg, text: text, hint: hint} }

// Error returns "pkg: text".
func (k *Kind) Error() string { return k.pkg + ": " + k.text }

// Text returns what failed, for a person.
func (k *Kind) Text() string { return k.text }

// Hint returns what a person can do about a failure of this kind, or "".
func (k *Kind) Hint() string { return k.hint }

// Errorf returns an *Error of kind k whose detail, for a person, is
// fmt.Sprintf(format, args...). A %w verb in format also wraps its
// argument (errors.Is and errors.As see it); its text is part of the detail.
func (k *Kind) Errorf(format string, args ...any) error {
	wrapped := fmt.Errorf(format, args...)
	e := &Error{Kind: k, Detail: wrapped.Error()}
	if errors.Unwrap(wrapped) != nil || len(unwrapAll(wrapped)) > 0 {
		e.cause = wrapped
	}
	return e
}

func unwrapAll(err error) []error {
	if u, ok := err.(interface{ Unwrap() []error }); ok {
		return u.Unwrap()
	}
	return nil
}

// Error is one failure of a Kind: Detail says, for a person, what was wrong
// ("title is required"; "awareness time 2026-11-26T10:00:00Z is before the
// detection time …").
type Error struct {
	Kind   *Kind
	Detail string
	cause  error // what Detail was formatted from, when it wrapped an error
}

// Error returns "pkg: kind text: detail".
func (e *Error) Error() string {
	if e.Detail == "" {
		return e.Kind.Error()
	}
	return e.Kind.Error() + ": " + e.Detail
}

// Unwrap returns, when the detail wrapped an error, that error, and the
// kind. The wrapped error comes first, so that errors.As (and Hint) find
// what it says — a reader's own hint is more precise than its kind's.
func (e *Error) Unwrap() []error {
	if e.cause != nil {
		return []error{e.cause, e.Kind}
	}
	return []error{e.Kind}
}

// Explain returns what a person should read about err: the message — the
// kind's text and the detail of the first *Error in err's chain ("the
// passphrase belongs to another examiner: it opens the key slot of …"), the
// text of its kind, or the message of a typed error — and the hint. A file
// system error (*fs.PathError) explains itself. known is false when err
// carries none of these: an internal failure, whose text is for a bug
// report, not for a person.
func Explain(err error) (message, hint string, known bool) {
	if err == nil {
		return "", "", false
	}
	if e, ok := errors.AsType[*Error](err); ok {
		msg := e.Kind.text
		switch {
		case e.Detail == "":
		case e.Kind.input:
			msg = e.Detail
		default:
			msg += ": " + e.Detail
		}
		return msg, Hint(err), true
	}
	if k, ok := errors.AsType[*Kind](err); ok {
		d := kindDetail(err, k)
		if d != "" && k.input {
			return d[2:], Hint(err), true
		}
		return k.text + d, Hint(err), true
	}
	if p, ok := errors.AsType[interface {
		error
		PersonMessage() string
	}](err); ok {
		return p.PersonMessage(), Hint(err), true
	}
	if h, ok := errors.AsType[interface {
		error
		Hint() string
	}](err); ok {
		return h.Error(), h.Hint(), true
	}
	if p, ok := errors.AsType[*fs.PathError](err); ok {
		return p.Error(), Hint(err), true
	}
	return "", "", false
}

// kindDetail is the detail an error wrapping k with fmt.Errorf("%w: detail",
// k) adds after the kind's text, as ": detail", or "" when it adds none. A
// detail in parentheses ("%w (%v)") is the text of a lower layer, such as
// SQLite's, and is not for a person: it is left out.
func kindDetail(err error, k *Kind) string {
	full, prefix := err.Error(), k.Error()
	i := strings.Index(full, prefix)
	if i < 0 {
		return ""
	}
	rest := full[i+len(prefix):]
	if !strings.HasPrefix(rest, ": ") || len(rest) == 2 {
		return ""
	}
	return rest
}
