package main

import (
	"flag"
	"fmt"
	"strings"

	"github.com/custodia-dfir/custodia/casefile"
)

// command is one entry of the command table: a runnable command such as
// "init", or a group such as "keyslot" whose subcommands do the work.
//
// A runnable command is declared, not programmed: its arguments, its flags,
// whether it opens the case named by its first argument and whether it
// changes it. From that entry come its help and usage line, the parsing and
// checking of its command line (every usage error, before any passphrase is
// asked for), the case flags (--passphrase-file, --examiner, --role, and
// --reason for a change), opening and unlocking the case, and the line that
// names the custody entry a change appended. Its do function gets the
// checked command line and the open case and does only its own work.
type command struct {
	name    string // the word typed on the command line, e.g. "add"
	path    string // the full name, e.g. "keyslot add"; set by commandTable
	summary string // one line for the command list
	about   string // paragraphs for 'custodiactl help COMMAND'

	// synopsis is what the usage line shows after the command's name, for
	// the few commands whose flags do not read well one by one ("CASE
	// --label NAME | CASE --recovery [--label LABEL]"). By default the
	// usage line is made from params and flags.
	synopsis string
	params   []param   // the positional arguments, in order
	flags    []flagDef // the command's own flags; opens and changes add the case flags

	// opens: the first argument, CASE, names a case that is opened before
	// do runs and closed after it — unlocked with the passphrase from
	// --passphrase-file, $CUSTODIA_PASSPHRASE or the terminal, for the
	// examiner --examiner names, acting in the role --role names.
	opens bool
	// changes: the command changes the case, so it takes --reason, which
	// do records in the custody entry (call.reason).
	changes bool
	// reasonNeeded, when not "", makes --reason required and says why:
	// "it is recorded as the rationale of the move".
	reasonNeeded string
	// records is the action of the custody entry the change appends; after
	// do succeeds, the entries it appended are named ("recorded: entry 7
	// stage.changed"), unless --json was asked for.
	records casefile.Action
	// actingRole names the flag of the role to act in when --role is one
	// of the command's own flags ("acting-role" for examiner add, whose
	// --role gives the new examiner's roles).
	actingRole string
	// keyless names a boolean flag with which the case is not opened and
	// do gets nil (ledger verify --no-key); the case flags cannot be given
	// with it.
	keyless string
	// caseFlag, with opens, names the flag that names the case to open,
	// instead of the first argument (export import DIR --into CASE).
	caseFlag string
	// check checks the command line as a whole, after each argument and
	// flag was checked on its own and before the case is opened or a
	// passphrase asked for: flags that contradict each other, a file that
	// must not exist yet. It changes nothing.
	check func(in *call) error
	// do does the command's work, with the open case when opens is set
	// (else nil). Its errors are reported by report.
	do func(in *call, c *casefile.Case) error

	sub []*command // subcommands of a group; do is nil for a group
	// dflt names the subcommand a group runs when the word after the
	// group's name is not one of its subcommands: "report CASE …" is
	// "report generate CASE …".
	dflt string
}

// param is a positional argument of a command.
type param struct {
	name     string // as the usage line shows it: CASE, ID, STAGE|reopen
	optional bool   // may be left out; only the last params are
	many     bool   // takes every argument left; only the last param does
	why      string // said when it is the one argument missing: "missing PATH: name the evidence to ingest"
	// check checks one argument typed for the param and returns it as do
	// gets it (an id in lower case, a value normalized); an error is a
	// usage error. The arguments before it are checked already (in.args).
	check func(in *call, s string) (string, error)
}

// flagDef is a flag of a command. A flag without value and not boolean is
// a text flag: call.text and call.texts return what was given, checked
// with the core's casefile.CheckText (or CheckLine) when max, line,
// nonBlank or required say so.
type flagDef struct {
	name  string // without dashes: "title", "o"
	usage string // for help; the value's name in back quotes, as package flag reads it: "the case `TITLE`"
	// value makes the flag's value, which checks what is given as it is
	// set (a choice, a level, a time) and hands it to do through valueOf.
	value  func() flag.Value
	isBool bool // a switch: --json, --no-key

	required bool   // must be given; a text flag must not be blank either
	why      string // with required: what is missing, said after "--format is required: "
	repeat   bool   // may be given several times; a text flag keeps each value (call.texts)
	max      int    // a text flag: at most this many bytes
	line     bool   // a text flag: one line of text, no control characters
	nonBlank bool   // a text flag: when given, not blank

	// show is the value as the usage line writes it, when that is not the
	// name in usage: "jsonl|case-uco" for --format FORMAT.
	show string
	// shared marks a flag many commands take (the passphrase files): help
	// lists it after the command's own flags and the usage line leaves it out.
	shared bool
}

// commandTable returns the commands custodiactl understands. A new command
// adds an entry to a group here, or a group of its own, and a file of
// handlers.
func commandTable() []*command {
	cmds := []*command{
		initCommand,
		infoCommand,
		examinerCommand,
		keyslotCommand,
		passwdCommand,
		ingestCommand,
		evidenceCommand,
		fsCommand,
		ledgerCommand,
		caseCommand,
		exportCommand,
		timelineCommand,
		memoryCommand,
		searchCommand,
		eventCommand,
		incidentCommand,
		stageCommand,
		roleCommand,
		indicatorCommand,
		findingCommand,
		actionCommand,
		mitigationCommand,
		notificationCommand,
		reportCommand,
		declareCommand,
		customerCommand,
		noticeCommand,
		postmortemCommand,
		repairCommand,
		helpCommand,
		versionCommand,
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
		if s == nil && c.dflt != "" {
			c = findCommand(c.sub, c.dflt)
			continue
		}
		if s == nil {
			return &usageError{cmd: c, msg: fmt.Sprintf("unknown subcommand %q", args[0])}
		}
		c, args = s, args[1:]
	}
	return c.invoke(e, cmds, args)
}

// invoke runs the runnable command c with the arguments after its name:
// it checks the whole command line, then opens the case if c does, then
// runs c's work.
func (c *command) invoke(e *env, table []*command, args []string) error {
	inv := &invocation{env: e, cmd: c, table: table}
	in, err := c.parseCall(inv, args)
	if err != nil {
		return err
	}
	return in.execute()
}

// execute opens the case if the command does and runs its work; after a
// change it names the custody entries the change appended.
func (in *call) execute() error {
	c := in.cmd
	if !c.opens || (c.keyless != "" && in.on(c.keyless)) {
		return c.do(in, nil)
	}
	path := in.args[0]
	if c.caseFlag != "" {
		path = in.text(c.caseFlag)
	}
	return in.withCase(path, &in.caseFlags, func(cs *casefile.Case) error {
		before, _ := cs.Head()
		if err := c.do(in, cs); err != nil {
			return err
		}
		if c.records != "" && !in.wantsJSON() {
			after, _ := cs.Head()
			writeRecorded(in.stdout, before, after, c.records)
		}
		return nil
	})
}
