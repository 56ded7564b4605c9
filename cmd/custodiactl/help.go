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

var helpCommand = &command{
	name:     "help",
	synopsis: "[COMMAND [SUBCOMMAND]]",
	params:   []param{{name: "COMMAND", optional: true, many: true}},
	summary:  "show help for custodiactl or one command",
	do:       runHelp,
}

var versionCommand = &command{
	name:    "version",
	summary: "print the version of custodiactl and the case format it writes",
	do:      runVersion,
}

// runnables returns the runnable commands of cmds and their groups, in
// the table's order.
func runnables(cmds []*command) []*command {
	var out []*command
	for _, c := range cmds {
		if c.sub != nil {
			out = append(out, runnables(c.sub)...)
			continue
		}
		out = append(out, c)
	}
	return out
}

func printOverview(w io.Writer, cmds []*command) {
	fmt.Fprint(w, "custodiactl works with Custodia case files from the command line.\n\n")
	fmt.Fprint(w, "usage: custodiactl COMMAND [ARGUMENTS] [FLAGS]\n\ncommands:\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, c := range runnables(cmds) {
		fmt.Fprintf(tw, "  %s\t%s\n", c.path, c.summary)
	}
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

// synopsis is the command's name followed by its arguments and flags, as
// its usage line shows them: CASE, an optional [ID], PATH... taking several;
// then each of its own flags, in brackets unless required, with "..."
// when it may be repeated.
func synopsis(c *command) string {
	if c.synopsis != "" {
		return c.path + " " + c.synopsis
	}
	parts := []string{c.path}
	for _, p := range c.params {
		s := p.name
		if p.many {
			s += "..."
		}
		if p.optional {
			s = "[" + s + "]"
		}
		parts = append(parts, s)
	}
	for _, d := range c.flags {
		if d.shared {
			continue
		}
		s := dashes(d.name)
		if v := d.shown(); v != "" {
			s += " " + v
		}
		if !d.required {
			s = "[" + s + "]"
		}
		if d.repeat {
			s += "..."
		}
		parts = append(parts, s)
	}
	if c.reasonNeeded != "" {
		parts = append(parts, "--reason TEXT")
	}
	return strings.Join(parts, " ")
}

// placeholder is the name of d's value, from the back quotes in its
// usage, as package flag finds it; "" for a boolean flag.
func (d flagDef) placeholder() string {
	name, _ := flag.UnquoteUsage(&flag.Flag{Name: d.name, Usage: d.usage, Value: d.newValue()})
	return name
}

// shown is d's value as the usage line writes it.
func (d flagDef) shown() string {
	if d.show != "" {
		return d.show
	}
	return d.placeholder()
}

// printCommandHelp prints the full help of the declared command c: its
// usage line, what it does and each flag it takes.
func printCommandHelp(w io.Writer, c *command) {
	printHelpHead(w, c)
	for i, d := range c.allFlags() {
		if i == 0 {
			fmt.Fprint(w, "\nflags:\n")
		}
		_, usage := flag.UnquoteUsage(&flag.Flag{Name: d.name, Usage: d.usage, Value: d.newValue()})
		switch {
		case d.required:
			usage += " (required)"
		case d.repeat:
			usage += "; repeat the flag for several"
		}
		writeFlagHelp(w, d.name, d.placeholder(), usage)
	}
}

func printHelpHead(w io.Writer, c *command) {
	fmt.Fprintf(w, "usage: custodiactl %s\n\n", synopsis(c))
	about := c.about
	if about == "" {
		about = c.summary
	}
	fmt.Fprintf(w, "%s\n", strings.TrimSpace(about))
}

func writeFlagHelp(w io.Writer, name, placeholder, usage string) {
	fmt.Fprintf(w, "  %s", dashes(name))
	if placeholder != "" {
		fmt.Fprintf(w, " %s", placeholder)
	}
	fmt.Fprintf(w, "\n        %s\n", usage)
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

// commandList is the list of every command with its usage line and
// summary, one a line, as README.md shows it in its custodiactl section
// (TestREADMECommandList keeps the two the same). A usage line longer
// than briefWidth is shortened to the arguments and required flags.
func commandList(cmds []*command) string {
	var b strings.Builder
	for _, c := range runnables(cmds) {
		line := "custodiactl " + synopsis(c)
		if len(line) > briefWidth {
			line = "custodiactl " + briefSynopsis(c)
		}
		fmt.Fprintf(&b, "%-*s  # %s\n", max(50, len(line)), line, c.summary)
	}
	return b.String()
}

// briefWidth is the longest usage line commandList shows in full.
const briefWidth = 100

// briefSynopsis is c's usage line with its arguments and required flags
// only, and [FLAGS] for the others: "incident set CASE [FLAGS]".
func briefSynopsis(c *command) string {
	parts := []string{c.path}
	for _, p := range c.params {
		s := p.name
		if p.many {
			s += "..."
		}
		if p.optional {
			s = "[" + s + "]"
		}
		parts = append(parts, s)
	}
	optional := false
	for _, d := range c.flags {
		switch {
		case d.shared:
		case d.required:
			s := dashes(d.name)
			if v := d.shown(); v != "" {
				s += " " + v
			}
			if d.repeat {
				s += "..."
			}
			parts = append(parts, s)
		default:
			optional = true
		}
	}
	if optional {
		parts = append(parts, "[FLAGS]")
	}
	return strings.Join(parts, " ")
}

// runHelp prints the overview, or the help of the command named by the
// arguments.
func runHelp(in *call, _ *casefile.Case) error {
	words := in.args
	cmds := in.table
	if len(words) == 0 {
		printOverview(in.stdout, cmds)
		return nil
	}
	var c *command
	for i, w := range words {
		c = findCommand(cmds, w)
		if c == nil {
			return in.usagef("no help for %q: unknown command", strings.Join(words[:i+1], " "))
		}
		if c.sub == nil && i < len(words)-1 {
			return in.usagef("%s has no subcommand %q", c.path, words[i+1])
		}
		cmds = c.sub
	}
	if c.sub != nil {
		printGroupHelp(in.stdout, c)
		return nil
	}
	printCommandHelp(in.stdout, c)
	return nil
}

func runVersion(in *call, _ *casefile.Case) error {
	fmt.Fprintf(in.stdout, "custodiactl %s (case format %d, %s %s/%s)\n",
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
