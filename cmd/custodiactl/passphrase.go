package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

	"golang.org/x/term"

	"github.com/custodia-dfir/custodia/casefile"
)

// Environment variables that hold passphrases for unattended use.
const (
	envPassphrase    = "CUSTODIA_PASSPHRASE"     // opens a case
	envNewPassphrase = "CUSTODIA_NEW_PASSPHRASE" // becomes a new passphrase
)

// maxPassphraseFile bounds what is read from a passphrase file, so that
// pointing --passphrase-file at an evidence image fails fast.
const maxPassphraseFile = 64 << 10

// passphraseFlags are the flags naming passphrase files.
type passphraseFlags struct {
	file    string // --passphrase-file: the passphrase that opens the case
	newFile string // --new-passphrase-file: a passphrase to set
}

// readPassphraseFile reads a passphrase from the file at path, without one
// trailing "\n" or "\r\n", so that files written by echo or an editor work.
func readPassphraseFile(flagName, path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, withHint(fmt.Errorf("read passphrase: %w", err),
			"check the path given to "+flagName)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxPassphraseFile+1))
	if err != nil {
		return nil, fmt.Errorf("read passphrase from %s: %w", path, err)
	}
	if len(b) > maxPassphraseFile {
		clear(b)
		return nil, withHint(fmt.Errorf("read passphrase from %s: file is larger than %d KiB", path, maxPassphraseFile>>10),
			"check that "+flagName+" names the file holding only the passphrase")
	}
	b = bytes.TrimSuffix(b, []byte("\n"))
	b = bytes.TrimSuffix(b, []byte("\r"))
	return nonEmpty(b, path)
}

// nonEmpty returns p, or an error wrapping casefile.ErrEmptyPassphrase that
// names the source when p is empty.
func nonEmpty(p []byte, source string) ([]byte, error) {
	if len(p) == 0 {
		return nil, fmt.Errorf("passphrase from %s: %w", source, casefile.ErrEmptyPassphrase)
	}
	return p, nil
}

// fromEnv returns the passphrase in the environment variable name, if it
// is set and not empty. An empty variable counts as not given, as an unset
// one would, so that "CUSTODIA_PASSPHRASE= custodiactl …" asks on the
// terminal; emptyVars names such variables in the error when nothing else
// gives a passphrase, since in CI they usually mean a missing secret.
func (e *env) fromEnv(name string) ([]byte, bool) {
	v, _ := e.lookupEnv(name)
	return []byte(v), v != ""
}

// emptyVars describes which of the variables names are set but empty, for
// an error message: "" or " ($CUSTODIA_PASSPHRASE is set but empty)".
func (e *env) emptyVars(names ...string) string {
	var empty []string
	for _, n := range names {
		if v, ok := e.lookupEnv(n); ok && v == "" {
			empty = append(empty, "$"+n)
		}
	}
	switch len(empty) {
	case 0:
		return ""
	case 1:
		return " (" + empty[0] + " is set but empty)"
	}
	return " (" + strings.Join(empty, " and ") + " are set but empty)"
}

// currentPassphrase returns the passphrase that opens the case at path:
// from --passphrase-file, else $CUSTODIA_PASSPHRASE, else typed on the
// terminal. With none of them it fails at once; it never waits on a
// stdin that is not a terminal.
func (inv *invocation) currentPassphrase(pf *passphraseFlags, path string) ([]byte, error) {
	if pf.file != "" {
		return readPassphraseFile("--passphrase-file", pf.file)
	}
	if p, ok := inv.fromEnv(envPassphrase); ok {
		return p, nil
	}
	t, err := inv.openTerminal(inv.env)
	if err != nil {
		return nil, withHint(fmt.Errorf("no passphrase given for %s%s and %w", path, inv.emptyVars(envPassphrase), err),
			"put the passphrase in a file and add --passphrase-file FILE, or set "+envPassphrase+", or run the command in a terminal to type it")
	}
	defer t.Close()
	p, err := t.readSecret(fmt.Sprintf("Passphrase for %s: ", path))
	if err != nil {
		return nil, err
	}
	return nonEmpty(p, "the terminal")
}

// newPassphrase reads a new passphrase for the case at path from the
// source newPassphraseSource picks. The caller clears it after use.
func (inv *invocation) newPassphrase(pf *passphraseFlags, path string, alsoCurrent bool) ([]byte, error) {
	readNew, err := inv.newPassphraseSource(pf, path, alsoCurrent)
	if err != nil {
		return nil, err
	}
	return readNew()
}

// newPassphraseSource decides where a new passphrase for the case at path
// will come from, failing now if there is no source, and returns a function
// that reads it. Sources, first match wins: --new-passphrase-file, then
// (with alsoCurrent, for init, where there is no current passphrase)
// --passphrase-file, then $CUSTODIA_NEW_PASSPHRASE, then (with alsoCurrent)
// $CUSTODIA_PASSPHRASE, then the terminal, where it is typed twice.
func (inv *invocation) newPassphraseSource(pf *passphraseFlags, path string, alsoCurrent bool) (func() ([]byte, error), error) {
	if pf.newFile != "" {
		return func() ([]byte, error) { return readPassphraseFile("--new-passphrase-file", pf.newFile) }, nil
	}
	if alsoCurrent && pf.file != "" {
		return func() ([]byte, error) { return readPassphraseFile("--passphrase-file", pf.file) }, nil
	}
	names := []string{envNewPassphrase}
	if alsoCurrent {
		names = append(names, envPassphrase)
	}
	for _, name := range names {
		if p, ok := inv.fromEnv(name); ok {
			return func() ([]byte, error) { return p, nil }, nil
		}
	}
	t, err := inv.openTerminal(inv.env)
	if err != nil {
		hint := "put the new passphrase in a file and add --new-passphrase-file FILE, or set " + envNewPassphrase + ", or run the command in a terminal to type it"
		return nil, withHint(fmt.Errorf("no new passphrase given for %s%s and %w", path, inv.emptyVars(names...), err), hint)
	}
	return func() ([]byte, error) {
		defer t.Close()
		p, err := t.readSecret(fmt.Sprintf("New passphrase for %s: ", path))
		if err != nil {
			return nil, err
		}
		if _, err := nonEmpty(p, "the terminal"); err != nil {
			return nil, err
		}
		again, err := t.readSecret("Repeat the new passphrase: ")
		if err != nil {
			clear(p)
			return nil, err
		}
		defer clear(again)
		if !bytes.Equal(p, again) {
			clear(p)
			return nil, withHint(errors.New("the two passphrases typed do not match"),
				"type the same new passphrase twice; nothing was changed")
		}
		return p, nil
	}, nil
}

// terminal is where a person types secrets.
type terminal interface {
	// readSecret shows prompt and reads one line without echoing it.
	readSecret(prompt string) ([]byte, error)
	Close() error
}

// errNoTerminal means there is no terminal to ask a person on.
var errNoTerminal = errors.New("no terminal to ask on")

// openTerminal opens the process's controlling terminal (/dev/tty), as ssh
// and age do, so that prompts work even when stdin or stdout is redirected;
// failing that it uses stdin, but only when stdin is itself a terminal. It
// returns errNoTerminal otherwise, so a CI job fails instead of hanging.
func openTerminal(e *env) (terminal, error) {
	if f, err := os.OpenFile("/dev/tty", os.O_RDWR, 0); err == nil {
		if term.IsTerminal(int(f.Fd())) {
			return &ttyFile{in: f, out: f, closer: f}, nil
		}
		f.Close()
	}
	if f, ok := e.stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return &ttyFile{in: f, out: e.stderr}, nil
	}
	return nil, errNoTerminal
}

// ttyFile is a terminal on an open file.
type ttyFile struct {
	in     *os.File
	out    io.Writer
	closer io.Closer // nil when in is stdin, which is not ours to close
}

func (t *ttyFile) readSecret(prompt string) ([]byte, error) {
	fmt.Fprint(t.out, prompt)
	fd := int(t.in.Fd())
	// term.ReadPassword turns echo off and back on, but an interrupt
	// in between would leave the person's shell without echo: restore
	// the terminal before the process dies.
	if state, err := term.GetState(fd); err == nil {
		sig := make(chan os.Signal, 1)
		done := make(chan struct{})
		signal.Notify(sig, os.Interrupt)
		go func() {
			select {
			case <-sig:
				term.Restore(fd, state)
				fmt.Fprintln(t.out)
				os.Exit(130) // the shell convention for "ended by SIGINT"
			case <-done:
			}
		}()
		defer func() {
			signal.Stop(sig)
			close(done)
		}()
	}
	p, err := term.ReadPassword(fd)
	fmt.Fprintln(t.out) // the newline typed was not echoed
	if errors.Is(err, io.EOF) {
		return nil, errors.New("no passphrase typed (end of input)")
	}
	if err != nil {
		return nil, fmt.Errorf("read passphrase from terminal: %w", err)
	}
	return p, nil
}

func (t *ttyFile) Close() error {
	if t.closer == nil {
		return nil
	}
	return t.closer.Close()
}
