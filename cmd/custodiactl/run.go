package main

import (
	"context"
	"io"
	"time"

	"github.com/custodia-dfir/custodia/casefile"
)

// env is everything a run of custodiactl reads from or writes to the outside
// world. main fills it with the process's own streams and production settings;
// tests fill it with a fixed clock and the low-cost test KDF. Nothing on the
// command line or in the environment variables can change caseOpts, so the
// cheap KDF is unreachable for a user.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	lookupEnv      func(name string) (string, bool)
	caseOpts       casefile.Options
	// openTerminal opens the terminal a person can type a passphrase on, or
	// returns errNoTerminal when there is none (CI jobs, pipes, cron).
	openTerminal func(e *env) (terminal, error)
	// isTerminal reports whether w is a terminal a person watches, where
	// long work shows a progress line and raw evidence bytes are refused.
	isTerminal func(w io.Writer) bool
	// interruptible returns a context that is cancelled when the person
	// interrupts the command (Ctrl-C), for work that stops cleanly.
	interruptible func() (context.Context, context.CancelFunc)
}

// Exit codes.
const (
	exitOK      = 0 // success, including help that was asked for
	exitFailure = 1 // the command was well formed but failed
	exitUsage   = 2 // the command line was malformed
)

// run executes the command line args (without the program name) and returns
// the process exit code. Every error is reported here, in one place.
func run(args []string, e *env) int {
	return report(e, dispatch(e, commandTable(), args))
}

// invocation is one command being run: the environment and the command's
// entry in the table, so that usage errors and help can name it.
type invocation struct {
	*env
	cmd   *command
	table []*command // the whole command table, for help
}

// now is the current time in UTC, from the case options' clock when one is
// set (tests fix it), so that exports carry the same time as their entry.
func (e *env) now() time.Time {
	if e.caseOpts.Clock != nil {
		return e.caseOpts.Clock().UTC()
	}
	return time.Now().UTC()
}
