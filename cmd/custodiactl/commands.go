package main

import (
	"fmt"
	"strings"
)

// command is one entry of the command table: a runnable command such as
// "init", or a group such as "keyslot" whose subcommands do the work.
type command struct {
	name    string // the word typed on the command line, e.g. "add"
	path    string // the full name, e.g. "keyslot add"; set by commandTable
	args    string // synopsis of the arguments after the name
	summary string // one line for the command list
	about   string // paragraphs for 'custodiactl help COMMAND'
	// run executes the command with the arguments after its name. It must
	// parse its flags (see invocation.parse) before doing anything else, so
	// that "COMMAND -h" never has side effects; 'help COMMAND' relies on it.
	run func(inv *invocation, args []string) error
	sub []*command // subcommands of a group; run is nil for a group
}

// commandTable returns the commands custodiactl understands. A new command
// or group adds an entry here and a file of handlers.
func commandTable() []*command {
	cmds := []*command{
		initCommand,
		infoCommand,
		examinerCommand,
		keyslotCommand,
		passwdCommand,
		ingestCommand,
		evidenceCommand,
		ledgerCommand,
		incidentCommand,
		stageCommand,
		roleCommand,
		indicatorCommand,
		findingCommand,
		actionCommand,
		mitigationCommand,
		notificationCommand,
		postmortemCommand,
		repairCommand,
		{
			name:    "help",
			args:    "[COMMAND [SUBCOMMAND]]",
			summary: "show help for custodiactl or one command",
			run:     runHelp,
		},
		{
			name:    "version",
			summary: "print the version of custodiactl and the case format it writes",
			run:     runVersion,
		},
	}
	for _, c := range cmds {
		setPaths(c, "")
	}
	return cmds
}

func setPaths(c *command, parent string) {
	c.path = strings.TrimSpace(parent + " " + c.name)
	for _, s := range c.sub {
		setPaths(s, c.path)
	}
}

func findCommand(cmds []*command, name string) *command {
	for _, c := range cmds {
		if c.name == name {
			return c
		}
	}
	return nil
}

// isHelpFlag reports whether arg asks for help in any of the usual spellings.
func isHelpFlag(arg string) bool {
	switch arg {
	case "-h", "--h", "-help", "--help":
		return true
	}
	return false
}

// dispatch finds the command named by the first words of args and runs it.
func dispatch(e *env, cmds []*command, args []string) error {
	if len(args) == 0 {
		return &usageError{msg: "no command given"}
	}
	if isHelpFlag(args[0]) {
		printOverview(e.stdout, cmds)
		return nil
	}
	if strings.HasPrefix(args[0], "-") && args[0] != "-" {
		return &usageError{msg: fmt.Sprintf("unknown flag %s before the command; flags go after the command name", args[0])}
	}
	c := findCommand(cmds, args[0])
	if c == nil {
		return &usageError{msg: fmt.Sprintf("unknown command %q", args[0])}
	}
	args = args[1:]
	for c.sub != nil {
		if len(args) == 0 {
			return &usageError{cmd: c, msg: "missing subcommand"}
		}
		if isHelpFlag(args[0]) {
			printGroupHelp(e.stdout, c)
			return nil
		}
		s := findCommand(c.sub, args[0])
		if s == nil {
			return &usageError{cmd: c, msg: fmt.Sprintf("unknown subcommand %q", args[0])}
		}
		c, args = s, args[1:]
	}
	return c.run(&invocation{env: e, cmd: c}, args)
}
