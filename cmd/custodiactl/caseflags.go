package main

import (
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/custodia-dfir/custodia/casefile"
)

// caseFlags are the flags of every command that opens a case: where its
// passphrase comes from, who is expected to act and in which role, and,
// for a command that changes the case, why. A command gets them from its
// entry (command.opens, command.changes); withCase applies them.
type caseFlags struct {
	passphraseFlags
	examiner string        // --examiner: the name the passphrase must belong to
	role     casefile.Role // --role: the role recorded in custody entries
	// roleFlag names the acting-role flag: "role", or "acting-role" for a
	// command whose --role gives the roles of a person being added.
	roleFlag string
}

// The case flags of declared commands: command.allFlags adds them.
var (
	passphraseFileFlag = flagDef{name: "passphrase-file", shared: true,
		usage: "read the passphrase that opens the case from `FILE` (one trailing newline is ignored); default $" + envPassphrase + ", else ask on the terminal"}
	examinerFlag = flagDef{name: "examiner", shared: true,
		usage: "the `NAME` of the examiner expected to act; fail unless the passphrase opens NAME's own key slot"}
	reasonFlag = flagDef{name: "reason", shared: true, value: func() flag.Value { return new(reasonValue) },
		usage: "why this is done, as `TEXT` recorded in the custody ledger entry"}
	// newPassphraseFlag is for a command that sets a passphrase.
	newPassphraseFlag = flagDef{name: "new-passphrase-file", shared: true,
		usage: "read the new passphrase from `FILE` (one trailing newline is ignored); default $" + envNewPassphrase + ", else ask twice on the terminal"}
)

// roleFlag is the flag of the role to act in, named name.
func roleFlag(name string) flagDef {
	return flagDef{name: name, shared: true, value: func() flag.Value { return new(roleValue) },
		usage: "act in `ROLE` (an id such as forensic-engineer, or its title), one the examiner holds; default the examiner's first role"}
}

// setCaseFlags takes the case flags of the command line into in.caseFlags
// and in.reason, and checks them together.
func (in *call) setCaseFlags() error {
	c := in.cmd
	if c.changes {
		in.reason = valueOf[string](in, "reason")
		if c.reasonNeeded != "" && strings.TrimSpace(in.reason) == "" {
			return in.usagef("--reason is required: %s", c.reasonNeeded)
		}
	}
	if !c.opens {
		return nil
	}
	cf := &in.caseFlags
	cf.file, cf.examiner, cf.roleFlag = in.text("passphrase-file"), in.text("examiner"), c.actingRole
	cf.role = valueOf[casefile.Role](in, c.roleFlagName())
	if _, ok := in.values["new-passphrase-file"]; ok {
		cf.newFile = in.text("new-passphrase-file")
	}
	if c.keyless != "" && in.on(c.keyless) && in.anyGiven("passphrase-file", "examiner", c.roleFlagName()) {
		return in.usagef("--%s opens no key slot; do not give --passphrase-file, --examiner or --%s with it", c.keyless, c.roleFlagName())
	}
	return nil
}

// options returns env's case options with the acting examiner and role.
func (cf *caseFlags) options(e *env) casefile.Options {
	opts := e.caseOpts
	opts.Examiner = cf.examiner
	opts.Role = cf.role
	return opts
}

// openHint adds what a person can do when opening a case failed because of
// --examiner or --role.
func (cf *caseFlags) openHint(err error) error {
	switch {
	case cf.examiner != "" && errors.Is(err, casefile.ErrNotThisExaminer):
		return withHint(err, fmt.Sprintf("use %s's own passphrase; each examiner has a key slot", printable(cf.examiner, false)))
	case cf.role != "" && errors.Is(err, casefile.ErrInvalid):
		// Open's only invalid input is a role the examiner does not hold.
		return withHint(err, "list each examiner's roles with 'custodiactl examiner list'; without --"+cf.roleFlagName()+" the examiner's first role is used")
	}
	return err
}

func (cf *caseFlags) roleFlagName() string {
	if cf.roleFlag == "" {
		return "role"
	}
	return cf.roleFlag
}

// withCase opens the case at path with the passphrase from cf's sources, as
// the examiner and in the role cf names, calls f and closes the case,
// reporting the first error. A file that is no case is refused before a
// passphrase is asked for.
func (inv *invocation) withCase(path string, cf *caseFlags, f func(*casefile.Case) error) (err error) {
	// casefile's errors already name the operation and the path.
	if err := casefile.Inspect(path); err != nil {
		return err
	}
	pass, err := inv.currentPassphrase(&cf.passphraseFlags, path)
	if err != nil {
		return err
	}
	defer clear(pass)
	c, err := casefile.Open(path, pass, cf.options(inv.env))
	if err != nil {
		return cf.openHint(err)
	}
	defer func() {
		if cerr := c.Close(); cerr != nil && err == nil {
			err = cerr
		}
	}()
	return f(c)
}

// roleValue is a flag holding one role, checked as it is parsed, so that a
// misspelt role is a usage error found before any passphrase is asked for.
type roleValue casefile.Role

func (r *roleValue) String() string     { return string(*r) }
func (r *roleValue) get() casefile.Role { return casefile.Role(*r) }

func (r *roleValue) Set(s string) error {
	role, err := casefile.ParseRole(s)
	if err != nil {
		return errors.New(problem(err))
	}
	*r = roleValue(role)
	return nil
}

// roleList is a flag holding roles, given by repeating the flag or as a
// comma-separated list: --role forensic-engineer --role "Legal Advisor",
// or --role forensic-engineer,legal-advisor.
type roleList []casefile.Role

func (l *roleList) get() []casefile.Role { return *l }

func (l *roleList) String() string {
	if l == nil {
		return ""
	}
	s := make([]string, len(*l))
	for i, r := range *l {
		s[i] = string(r)
	}
	return strings.Join(s, ",")
}

func (l *roleList) Set(s string) error {
	for part := range strings.SplitSeq(s, ",") {
		var r roleValue
		if err := r.Set(part); err != nil {
			return err
		}
		for _, have := range *l {
			if have == casefile.Role(r) {
				return fmt.Errorf("role %s given twice", have)
			}
		}
		*l = append(*l, casefile.Role(r))
	}
	return nil
}

// reasonValue is a flag holding the reason recorded in a custody entry,
// checked as casefile checks it, before any passphrase is asked for.
type reasonValue string

func (r *reasonValue) String() string { return string(*r) }
func (r *reasonValue) get() string    { return string(*r) }

func (r *reasonValue) Set(s string) error {
	if err := casefile.CheckReason(s); err != nil {
		return errors.New(problem(err))
	}
	*r = reasonValue(s)
	return nil
}
