package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// newFlagSet returns an empty flag set for c that reports errors to its
// caller instead of printing them or exiting.
func newFlagSet(c *command) *flag.FlagSet {
	fs := flag.NewFlagSet(c.path, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// splitArgs separates args into flag arguments (each flag with its value)
// and positional arguments, so that flags may appear before, between or
// after positionals, as in "init CASE --title T". "--" ends the flags: every
// later argument is positional, even one starting with "-". A lone "-" is
// positional. A flag that takes a value consumes the next argument unless
// written as --name=value, the same rule the flag package applies.
func splitArgs(fs *flag.FlagSet, args []string) (flagArgs, positional []string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return flagArgs, append(positional, args[i+1:]...)
		}
		if a == "-" || !strings.HasPrefix(a, "-") {
			positional = append(positional, a)
			continue
		}
		flagArgs = append(flagArgs, a)
		name := strings.TrimPrefix(strings.TrimPrefix(a, "-"), "-")
		if strings.Contains(name, "=") {
			continue
		}
		if f := fs.Lookup(name); f != nil && !isBoolFlag(f) && i+1 < len(args) {
			i++
			flagArgs = append(flagArgs, args[i])
		}
	}
	return flagArgs, positional
}

func isBoolFlag(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// errHelpShown means a command printed its help because it was asked to;
// run exits 0 without printing anything else.
var errHelpShown = errors.New("help shown")

// parse parses args with fs and returns the positional arguments. On -h or
// --help it prints the command's help and returns errHelpShown; a flag error
// is returned as a usage error.
func (inv *invocation) parse(fs *flag.FlagSet, args []string) ([]string, error) {
	flagArgs, positional := splitArgs(fs, args)
	if err := fs.Parse(flagArgs); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printCommandHelp(inv.stdout, inv.cmd, fs)
			return nil, errHelpShown
		}
		return nil, inv.usagef("%s", dashDash(err.Error()))
	}
	if fs.NArg() > 0 { // splitArgs passes only flags; this is a malformed one such as "---x"
		return nil, inv.usagef("unexpected argument %q", fs.Arg(0))
	}
	return positional, nil
}

// parseN is parse for a command that takes exactly the positional arguments
// named by names, e.g. "CASE", "ID".
func (inv *invocation) parseN(fs *flag.FlagSet, args []string, names ...string) ([]string, error) {
	positional, err := inv.parse(fs, args)
	if err != nil {
		return nil, err
	}
	if len(positional) < len(names) {
		return nil, inv.usagef("missing %s", strings.Join(names[len(positional):], " and "))
	}
	if len(positional) > len(names) {
		return nil, inv.usagef("unexpected argument %q", positional[len(names)])
	}
	return positional, nil
}

// dashDash rewrites the flag package's "-name" in an error message to the
// "--name" spelling that custodiactl's help uses (see dashes); a one-letter
// flag keeps its single dash.
func dashDash(msg string) string {
	for _, p := range []string{"not defined: ", "for flag ", "for ", "argument: "} {
		i := strings.Index(msg, p+"-")
		if i < 0 || strings.HasPrefix(msg[i+len(p):], "--") {
			continue
		}
		j := i + len(p)
		name, _, _ := strings.Cut(msg[j+1:], ":")
		if len(name) == 1 {
			continue
		}
		msg = msg[:j] + "-" + msg[j:]
	}
	return msg
}

// usagef returns a usage error for the running command.
func (inv *invocation) usagef(format string, args ...any) error {
	return &usageError{cmd: inv.cmd, msg: fmt.Sprintf(format, args...)}
}
