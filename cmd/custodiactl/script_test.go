package main

import (
	"bytes"
	"database/sql"
	"errors"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
	_ "modernc.org/sqlite"

	"github.com/custodia-dfir/custodia/casefile"
)

// testNow is the fixed time of every case and key slot made by the scripts.
var testNow = time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)

// testEnv is main's environment with the test settings: a fixed clock and the
// low-cost KDF, which casefile accepts only inside a test binary.
func testEnv() *env {
	e := productionEnv()
	e.caseOpts = casefile.Options{Clock: func() time.Time { return testNow }, KDF: casefile.TestKDF}
	e.openTerminal = testTerminal
	return e
}

// testTerminal is openTerminal for script commands run under testscript's
// ttyin, which starts them in a session of their own on a pseudo-terminal.
// Every other script command is in the session 'go test' was started from
// and may share a developer's terminal; it must behave as if it had none,
// as in CI, rather than wait for someone to type.
func testTerminal(e *env) (terminal, error) {
	if !ownSession() {
		return nil, errNoTerminal
	}
	return openTerminal(e)
}

func TestMain(m *testing.M) {
	// The scripts run custodiactl as a command: this test binary, started
	// again under that name, runs it in-process with the test environment.
	testscript.Main(m, map[string]func(){
		"custodiactl": func() { os.Exit(run(os.Args[1:], testEnv())) },
	})
}

func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Cmds: map[string]func(*testscript.TestScript, bool, []string){
			"exits":    cmdExits,
			"contains": cmdContains,
			"capture":  cmdCapture,
			"truncate": cmdTruncate,
			"sqlexec":  cmdSQLExec,
		},
		Setup: func(e *testscript.Env) error {
			// The format version this build writes, for golden files.
			e.Setenv("FORMAT_VERSION", strconv.Itoa(casefile.FormatVersion))
			return nil
		},
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
	})
}

// cmdExits runs a command like exec and checks its exit status:
//
//	exits CODE program [args...]
func cmdExits(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exits CODE program [args...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exits: bad exit code %q", args[0])
	}
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("exits: %v", err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("%s exited with status %d, want %d", args[1], got, want)
	}
}

// cmdContains checks whether the raw bytes of a case file, or of the
// SQLite journal files beside it, contain a text:
//
//	[!] contains FILE TEXT
func cmdContains(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: [!] contains FILE TEXT")
	}
	path, text := ts.MkAbs(args[0]), []byte(args[1])
	var found []string
	for i, p := range []string{path, path + "-wal", path + "-journal", path + "-shm"} {
		b, err := os.ReadFile(p)
		if i > 0 && errors.Is(err, os.ErrNotExist) {
			continue
		}
		ts.Check(err)
		if bytes.Contains(b, text) {
			found = append(found, p)
		}
	}
	switch {
	case neg && len(found) > 0:
		ts.Fatalf("%q found in %v", text, found)
	case !neg && len(found) == 0:
		ts.Fatalf("%q not found in %s or its journal files", text, args[0])
	}
}

// cmdCapture sets an environment variable to the first submatch of a
// regular expression in the last command's standard output:
//
//	capture NAME REGEXP
func cmdCapture(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: capture NAME REGEXP")
	}
	re, err := regexp.Compile(args[1])
	ts.Check(err)
	m := re.FindStringSubmatch(ts.ReadFile("stdout"))
	if len(m) != 2 {
		ts.Fatalf("capture: %q does not match stdout with one group", args[1])
	}
	ts.Setenv(args[0], m[1])
}

// cmdTruncate cuts a file to a size in bytes, as an interrupted copy would:
//
//	truncate FILE SIZE
func cmdTruncate(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: truncate FILE SIZE")
	}
	size, err := strconv.ParseInt(args[1], 10, 64)
	ts.Check(err)
	ts.Check(os.Truncate(ts.MkAbs(args[0]), size))
}

// cmdSQLExec changes a case file behind Custodia's back, as someone with the
// file and the sqlite3 shell could: it drops the triggers that keep the
// custody ledger append-only (a guard against programming mistakes, not
// against an attacker), then runs the SQL statement given, failing if it
// changed no row, so that a tampering test cannot pass by tampering with
// nothing:
//
//	sqlexec FILE SQL
func cmdSQLExec(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: sqlexec FILE SQL")
	}
	db, err := sql.Open("sqlite", ts.MkAbs(args[0]))
	ts.Check(err)
	defer db.Close()
	db.SetMaxOpenConns(1)
	_, err = db.Exec(`DROP TRIGGER IF EXISTS custody_ledger_no_update; DROP TRIGGER IF EXISTS custody_ledger_no_delete`)
	ts.Check(err)
	res, err := db.Exec(args[1])
	if err != nil {
		ts.Fatalf("sqlexec: %v", err)
	}
	n, err := res.RowsAffected()
	ts.Check(err)
	if n == 0 {
		ts.Fatalf("sqlexec: no row changed")
	}
	ts.Logf("sqlexec: %d rows changed", n)
	ts.Check(db.Close())
}
