package main

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/custodia-dfir/custodia/casefile"
)

// usageError is a malformed command line: an unknown command or flag, a
// missing or extra argument, or a bad flag value. It exits with exitUsage.
type usageError struct {
	cmd *command // the command being run; nil before one was found
	msg string
}

func (e *usageError) Error() string { return e.msg }

// hintedError attaches a CLI-specific hint to an error.
type hintedError struct {
	err  error
	hint string
}

func (e *hintedError) Error() string { return e.err.Error() }
func (e *hintedError) Unwrap() error { return e.err }
func (e *hintedError) Hint() string  { return e.hint }

// withHint returns err with a sentence telling a person what to do about it.
func withHint(err error, hint string) error {
	return &hintedError{err: err, hint: hint}
}

// hintFor returns what a person can do about err, or "".
func hintFor(err error) string {
	if h, ok := errors.AsType[*hintedError](err); ok {
		return h.hint
	}
	if h := casefile.Hint(err); h != "" {
		return h
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "check the path; create a case with 'custodiactl init'"
	case errors.Is(err, fs.ErrPermission):
		return "check the file's permissions and that you may read and write its directory"
	}
	return ""
}

// report prints err for a person and returns the exit code for it. Every
// command's error reaches the user through here: "error: " and the message,
// then, where a person can act, "hint: " and what to do.
func report(e *env, err error) int {
	if err == nil || errors.Is(err, errHelpShown) {
		return exitOK
	}
	if u, ok := errors.AsType[*usageError](err); ok {
		fmt.Fprintf(e.stderr, "error: %s\n", u.msg)
		switch {
		case u.cmd == nil:
			fmt.Fprint(e.stderr, "hint: run 'custodiactl help' to list the commands\n")
		case u.cmd.sub != nil:
			var names []string
			for _, s := range u.cmd.sub {
				names = append(names, s.name)
			}
			fmt.Fprintf(e.stderr, "usage: custodiactl %s {%s} ...\n", u.cmd.path, strings.Join(names, "|"))
			fmt.Fprintf(e.stderr, "hint: run 'custodiactl help %s' for details\n", u.cmd.path)
		default:
			fmt.Fprintf(e.stderr, "usage: custodiactl %s\n", synopsis(u.cmd))
			fmt.Fprintf(e.stderr, "hint: run 'custodiactl help %s' for details\n", u.cmd.path)
		}
		return exitUsage
	}
	fmt.Fprintf(e.stderr, "error: %s\n", err)
	if h := hintFor(err); h != "" {
		fmt.Fprintf(e.stderr, "hint: %s\n", h)
	}
	return exitFailure
}
