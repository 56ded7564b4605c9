package main

import (
	"flag"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"
	"text/tabwriter"

	"github.com/custodia-dfir/custodia/casefile"
)

// version is the release version, set at link time with
// -ldflags "-X main.version=v1.2.3". When empty, the module version recorded
// by the Go toolchain is used ("(devel)" for a build from a source tree).
var version = ""

const overviewFooter = `Flags may come before or after the arguments; "--" ends the flags.
Commands that open a case read its passphrase from --passphrase-file FILE, else
from $CUSTODIA_PASSPHRASE, else they ask on the terminal. New passphrases come
from --new-passphrase-file FILE, else $CUSTODIA_NEW_PASSPHRASE, else they are
asked twice on the terminal.

Each examiner has a key slot of their own: the passphrase decides who acts and
signs the custody entries. Commands that open a case take --examiner NAME, to
fail unless the passphrase is NAME's, and --role ROLE, the role to act in.
Commands that change a case take --reason TEXT, recorded in the custody ledger.

Run 'custodiactl help COMMAND' for the details of one command.
`

func printOverview(w io.Writer, cmds []*command) {
	fmt.Fprint(w, "custodiactl works with Custodia case files from the command line.\n\n")
	fmt.Fprint(w, "usage: custodiactl COMMAND [ARGUMENTS] [FLAGS]\n\ncommands:\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	var list func(cs []*command)
	list = func(cs []*command) {
		for _, c := range cs {
			if c.sub != nil {
				list(c.sub)
				continue
			}
			fmt.Fprintf(tw, "  %s\t%s\n", c.path, c.summary)
		}
	}
	list(cmds)
	tw.Flush()
	fmt.Fprint(w, "\n"+overviewFooter)
}

func printGroupHelp(w io.Writer, c *command) {
	fmt.Fprintf(w, "usage: custodiactl %s SUBCOMMAND [ARGUMENTS] [FLAGS]\n\n", c.path)
	if c.about != "" {
		fmt.Fprintf(w, "%s\n\n", strings.TrimSpace(c.about))
	}
	fmt.Fprint(w, "subcommands:\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, s := range c.sub {
		fmt.Fprintf(tw, "  %s\t%s\n", synopsis(s), s.summary)
	}
	tw.Flush()
	fmt.Fprintf(w, "\nRun 'custodiactl help %s SUBCOMMAND' for the details of one.\n", c.path)
}

// synopsis is the command's name followed by its argument synopsis.
func synopsis(c *command) string {
	return strings.TrimSpace(c.path + " " + c.args)
}

// printCommandHelp prints the full help of a runnable command, including
// the flags defined on fs.
func printCommandHelp(w io.Writer, c *command, fs *flag.FlagSet) {
	fmt.Fprintf(w, "usage: custodiactl %s\n\n", synopsis(c))
	about := c.about
	if about == "" {
		about = c.summary
	}
	fmt.Fprintf(w, "%s\n", strings.TrimSpace(about))
	first := true
	fs.VisitAll(func(f *flag.Flag) {
		if first {
			fmt.Fprint(w, "\nflags:\n")
			first = false
		}
		name, usage := flag.UnquoteUsage(f)
		fmt.Fprintf(w, "  %s", dashes(f.Name))
		if name != "" {
			fmt.Fprintf(w, " %s", name)
		}
		fmt.Fprintf(w, "\n        %s\n", usage)
	})
}

// dashes is a flag's name as custodiactl's help spells it: -o for a
// one-letter flag, --name for the others. The flag package accepts both
// spellings of either.
func dashes(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

// runHelp prints the overview, or the help of the command named by args.
func runHelp(inv *invocation, args []string) error {
	fs := newFlagSet(inv.cmd)
	words, err := inv.parse(fs, args)
	if err != nil {
		return err
	}
	if len(words) == 0 {
		printOverview(inv.stdout, commandTable())
		return nil
	}
	cmds := commandTable()
	var c *command
	for i, w := range words {
		c = findCommand(cmds, w)
		if c == nil {
			return inv.usagef("no help for %q: unknown command", strings.Join(words[:i+1], " "))
		}
		if c.sub == nil && i < len(words)-1 {
			return inv.usagef("%s has no subcommand %q", c.path, words[i+1])
		}
		cmds = c.sub
	}
	if c.sub != nil {
		printGroupHelp(inv.stdout, c)
		return nil
	}
	// A command's help is whatever its -h prints; see command.run.
	return c.run(&invocation{env: inv.env, cmd: c}, []string{"-h"})
}

func runVersion(inv *invocation, args []string) error {
	fs := newFlagSet(inv.cmd)
	if _, err := inv.parseN(fs, args); err != nil {
		return err
	}
	fmt.Fprintf(inv.stdout, "custodiactl %s (case format %d, %s %s/%s)\n",
		versionString(), casefile.FormatVersion, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return nil
}

// versionString is custodiactl's version, as printed by 'custodiactl
// version' and written into exports.
func versionString() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}
