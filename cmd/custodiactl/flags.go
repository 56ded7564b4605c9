package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/custodia-dfir/custodia/casefile"
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
		if f := fs.Lookup(name); f != nil && !isBoolFlag(f.Value) && i+1 < len(args) {
			i++
			flagArgs = append(flagArgs, args[i])
		}
	}
	return flagArgs, positional
}

func isBoolFlag(v flag.Value) bool {
	b, ok := v.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// errHelpShown means a command printed its help because it was asked to;
// run exits 0 without printing anything else.
var errHelpShown = errors.New("help shown")

// call is one run of a declared command: its checked command line. The
// command's do function reads its arguments from args and its flags
// through text, texts, on, given and valueOf.
type call struct {
	*invocation
	args   []string // the positional arguments, each checked by its param
	reason string   // --reason, for a command that changes the case
	// caseFlags are the flags of opening the case, for a command that opens one.
	caseFlags caseFlags

	values map[string]flag.Value // each flag's value, by name
	seen   map[string]bool       // the flags given on the command line
	uses   []flagUse             // each flag given, in the order given
}

// flagUse is one flag given on the command line, as typed.
type flagUse struct {
	name, value string
}

// parseCall parses and checks the command line args of the declared
// command c, before anything else is done: on -h or --help it prints c's
// help and returns errHelpShown; a malformed command line is a usage error.
func (c *command) parseCall(inv *invocation, args []string) (*call, error) {
	in := &call{invocation: inv, values: map[string]flag.Value{}, seen: map[string]bool{}}
	defs := c.allFlags()
	fs := newFlagSet(c)
	for _, d := range defs {
		v := d.newValue()
		in.values[d.name] = v
		fs.Var(&useRecorder{Value: v, name: d.name, in: in}, d.name, d.usage)
	}
	flagArgs, positional := splitArgs(fs, args)
	if err := fs.Parse(flagArgs); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printCommandHelp(inv.stdout, c)
			return nil, errHelpShown
		}
		return nil, inv.usagef("%s", dashDash(err.Error()))
	}
	if fs.NArg() > 0 { // splitArgs passes only flags; this is a malformed one such as "---x"
		return nil, inv.usagef("unexpected argument %q", fs.Arg(0))
	}
	if err := in.setArgs(c.params, positional); err != nil {
		return nil, err
	}
	for _, d := range defs {
		if err := in.checkFlag(d); err != nil {
			return nil, err
		}
	}
	if err := in.setCaseFlags(); err != nil {
		return nil, err
	}
	if c.check != nil {
		if err := c.check(in); err != nil {
			return nil, err
		}
	}
	return in, nil
}

// allFlags returns every flag c takes, in the order help lists them: its
// own, the shared ones it declares, then the case flags that opening and
// changing the case bring.
func (c *command) allFlags() []flagDef {
	var own, shared []flagDef
	for _, d := range c.flags {
		if d.shared {
			shared = append(shared, d)
		} else {
			own = append(own, d)
		}
	}
	all := append(own, shared...)
	if c.opens {
		all = append(all, passphraseFileFlag, examinerFlag, roleFlag(c.roleFlagName()))
	}
	if c.changes {
		all = append(all, reasonFlag)
	}
	return all
}

func (c *command) roleFlagName() string {
	if c.actingRole != "" {
		return c.actingRole
	}
	return "role"
}

// newValue makes the value d's flag parses into.
func (d flagDef) newValue() flag.Value {
	switch {
	case d.value != nil:
		return d.value()
	case d.isBool:
		return new(boolValue)
	}
	return new(textValue)
}

// isText reports whether d is a text flag.
func (d flagDef) isText() bool { return d.value == nil && !d.isBool }

// useRecorder notes each flag given, in the order given, around the
// flag's own value.
type useRecorder struct {
	flag.Value
	name string
	in   *call
}

func (r *useRecorder) Set(s string) error {
	if err := r.Value.Set(s); err != nil {
		return err
	}
	r.in.seen[r.name] = true
	r.in.uses = append(r.in.uses, flagUse{r.name, s})
	return nil
}

// IsBoolFlag lets a boolean value keep being given without a value.
func (r *useRecorder) IsBoolFlag() bool { return isBoolFlag(r.Value) }

// setArgs checks the positional arguments against ps: their number, then
// each with its param's check.
func (in *call) setArgs(ps []param, args []string) error {
	var missing []string
	for i, p := range ps {
		if i >= len(args) && !p.optional {
			missing = append(missing, p.name)
		}
	}
	switch {
	case len(missing) == 1 && ps[len(args)].why != "":
		return in.usagef("missing %s: %s", missing[0], ps[len(args)].why)
	case len(missing) > 0:
		return in.usagef("missing %s", strings.Join(missing, " and "))
	}
	for i, a := range args {
		var p param
		switch {
		case i < len(ps):
			p = ps[i]
		case len(ps) > 0 && ps[len(ps)-1].many:
			p = ps[len(ps)-1]
		default:
			return in.usagef("unexpected argument %q", a)
		}
		if p.check != nil {
			v, err := p.check(in, a)
			if err != nil {
				return in.usagef("%s", problem(err))
			}
			a = v
		}
		in.args = append(in.args, a)
	}
	return nil
}

// checkFlag checks d's value as given: present when required, and a text
// flag's values with the core's own checks.
func (in *call) checkFlag(d flagDef) error {
	name := dashes(d.name)
	// A required text flag given blank is as good as missing.
	missing := d.required && (!in.seen[d.name] || (d.isText() && strings.TrimSpace(in.text(d.name)) == ""))
	switch {
	case missing && d.why != "":
		return in.usagef("%s is required: %s", name, d.why)
	case missing && d.isText():
		return in.usagef("%s is required and must not be empty", name)
	case missing:
		return in.usagef("%s is required", name)
	}
	if !d.isText() || (d.max == 0 && !d.line && !d.nonBlank && !d.required) {
		return nil
	}
	max := d.max
	if max == 0 {
		max = math.MaxInt
	}
	check := casefile.CheckText
	if d.line {
		check = casefile.CheckLine
	}
	for _, v := range in.texts(d.name) {
		if err := check(name, v, d.required || d.nonBlank, max); err != nil {
			return in.usagef("%s", problem(err))
		}
	}
	return nil
}

// text returns the value of the text flag name: the last one given, or "".
func (in *call) text(name string) string {
	v := in.texts(name)
	if len(v) == 0 {
		return ""
	}
	return v[len(v)-1]
}

// texts returns every value given to the text flag name, in order.
func (in *call) texts(name string) []string {
	v, ok := in.values[name].(*textValue)
	if !ok {
		panic(fmt.Sprintf("custodiactl: %s has no text flag --%s", in.cmd.path, name))
	}
	return []string(*v)
}

// on reports whether the boolean flag name was given (and not as =false).
func (in *call) on(name string) bool {
	v, ok := in.values[name].(*boolValue)
	if !ok {
		panic(fmt.Sprintf("custodiactl: %s has no boolean flag --%s", in.cmd.path, name))
	}
	return bool(*v)
}

// given reports whether the flag name was given on the command line.
func (in *call) given(name string) bool { return in.seen[name] }

// setText sets the text flag name to v as if it had been given so, for a
// flag that stands for another: --description-file gives --description.
func (in *call) setText(name, v string) {
	*in.values[name].(*textValue) = textValue{v}
	in.seen[name] = true
}

// exclusive refuses flags that cannot be given together: each pair names
// two flags of which at most one may be given.
func (in *call) exclusive(pairs ...[2]string) error {
	for _, p := range pairs {
		if in.seen[p[0]] && in.seen[p[1]] {
			return in.usagef("give %s or %s, not both", dashes(p[0]), dashes(p[1]))
		}
	}
	return nil
}

// textFromFile reads the file the text flag fileFlag names into the text
// flag textFlag, which it stands for (--description-file for
// --description), before any passphrase is asked for: at most max bytes
// of UTF-8 text. Without fileFlag it does nothing.
func (in *call) textFromFile(fileFlag, textFlag string, max int) error {
	if !in.seen[fileFlag] {
		return nil
	}
	s, err := in.readTextFile(dashes(fileFlag), in.text(fileFlag), max)
	if err != nil {
		return err
	}
	in.setText(textFlag, s)
	return nil
}

// anyGiven reports whether any of the flags names was given.
func (in *call) anyGiven(names ...string) bool {
	for _, n := range names {
		if in.seen[n] {
			return true
		}
	}
	return false
}

// wantsJSON reports whether the command prints JSON this time.
func (in *call) wantsJSON() bool {
	_, ok := in.values["json"].(*boolValue)
	return ok && in.on("json")
}

// getter is a flag value that hands what was parsed to the command.
type getter[T any] interface{ get() T }

// valueOf returns what the flag name, declared with a value that is a
// getter[T], parsed: a choice, a level, a time, a list.
func valueOf[T any](in *call, name string) T {
	v, ok := in.values[name].(getter[T])
	if !ok {
		var zero T
		panic(fmt.Sprintf("custodiactl: %s has no flag --%s of type %T", in.cmd.path, name, zero))
	}
	return v.get()
}

// textValue is the value of a text flag: every value given, in order.
type textValue []string

func (t *textValue) String() string {
	if t == nil || len(*t) == 0 {
		return ""
	}
	return (*t)[len(*t)-1]
}

func (t *textValue) Set(s string) error {
	*t = append(*t, s)
	return nil
}

// boolValue is the value of a boolean flag.
type boolValue bool

func (b *boolValue) String() string {
	if b == nil || !*b {
		return "false"
	}
	return "true"
}

func (b *boolValue) Set(s string) error {
	v, err := strconv.ParseBool(s)
	if err != nil {
		return errors.New("parse error") // as the flag package says it
	}
	*b = boolValue(v)
	return nil
}

// IsBoolFlag lets the flag be given without a value.
func (b *boolValue) IsBoolFlag() bool { return true }

// problem is what a person reads about bad input: the core's message for
// an error it explains (casefile.Explain), else the error's own text.
func problem(err error) string {
	if msg, _, ok := casefile.Explain(err); ok && msg != "" {
		return msg
	}
	return err.Error()
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
