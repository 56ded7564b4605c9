package main

import (
	"errors"
	"flag"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/custodia-dfir/custodia/casefile"
)

// caseFlags are the flags of every command that opens a case: where its
// passphrase comes from, who is expected to act and in which role, and,
// for a command that changes the case, why. Each command registers them on
// its own flag set with addOpenFlags (and addReasonFlag); withCase applies
// them.
type caseFlags struct {
	passphraseFlags
	examiner string        // --examiner: the name the passphrase must belong to
	role     casefile.Role // --role: the role recorded in custody entries
	reason   reasonValue   // --reason: recorded in the custody entry
	// roleFlag names the acting-role flag: "role", or "acting-role" for a
	// command whose --role gives the roles of a person being added.
	roleFlag string
}

// addOpenFlags defines --passphrase-file, --examiner and --role on fs.
func (cf *caseFlags) addOpenFlags(fs *flag.FlagSet) {
	cf.addPassphraseFlag(fs)
	fs.StringVar(&cf.examiner, "examiner", "",
		"the `NAME` of the examiner expected to act; fail unless the passphrase opens NAME's own key slot")
	fs.Var((*roleValue)(&cf.role), cf.roleFlagName(),
		"act in `ROLE` (an id such as forensic-engineer, or its title), one the examiner holds; default the examiner's first role")
}

// addReasonFlag defines --reason on fs, for a command that changes a case.
func (cf *caseFlags) addReasonFlag(fs *flag.FlagSet) {
	fs.Var(&cf.reason, "reason", "why this is done, as `TEXT` recorded in the custody ledger entry")
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

// roleValue is a flag holding one role, checked as it is parsed, so that a
// misspelt role is a usage error found before any passphrase is asked for.
type roleValue casefile.Role

func (r *roleValue) String() string { return string(*r) }

func (r *roleValue) Set(s string) error {
	role, err := casefile.ParseRole(s)
	if err != nil {
		return errors.New(strings.TrimPrefix(err.Error(), casefile.ErrInvalid.Error()+": "))
	}
	*r = roleValue(role)
	return nil
}

// roleList is a flag holding roles, given by repeating the flag or as a
// comma-separated list: --role forensic-engineer --role "Legal Advisor",
// or --role forensic-engineer,legal-advisor.
type roleList []casefile.Role

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
// checked as casefile would check it, before any passphrase is asked for.
type reasonValue string

func (r *reasonValue) String() string { return string(*r) }

func (r *reasonValue) Set(s string) error {
	if !utf8.ValidString(s) {
		return errors.New("reason is not valid UTF-8 text")
	}
	if len(s) > casefile.MaxReasonLen {
		return fmt.Errorf("reason is too long (%d bytes, at most %d)", len(s), casefile.MaxReasonLen)
	}
	*r = reasonValue(s)
	return nil
}
