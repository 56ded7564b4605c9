package main

import (
	"bytes"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
	_ "modernc.org/sqlite"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/casetest"
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
			"exits":        cmdExits,
			"contains":     cmdContains,
			"capture":      cmdCapture,
			"truncate":     cmdTruncate,
			"sqlexec":      cmdSQLExec,
			"genfile":      cmdGenfile,
			"hashfile":     cmdHashfile,
			"slice":        cmdSlice,
			"gentext":      cmdGentext,
			"genenv":       cmdGenenv,
			"unescape":     cmdUnescape,
			"gencustomers": cmdGencustomers,
			"smtpsink":     cmdSMTPSink,
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

// cmdGenfile writes a file of SIZE pseudo-random bytes, the same for the
// same SEED on every run and platform, so that evidence of any size need
// not be committed:
//
//	genfile FILE SIZE SEED
func cmdGenfile(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: genfile FILE SIZE SEED")
	}
	size, err := strconv.ParseInt(args[1], 10, 64)
	if err != nil || size < 0 {
		ts.Fatalf("genfile: bad size %q", args[1])
	}
	f, err := os.Create(ts.MkAbs(args[0]))
	ts.Check(err)
	rng := rand.NewChaCha8(sha256.Sum256([]byte(args[2])))
	_, err = io.CopyN(f, rng, size)
	ts.Check(err)
	ts.Check(f.Close())
}

// cmdHashfile hashes a file with the standard library's MD5, SHA-1 and
// SHA-256, independently of Custodia, and sets NAME_MD5, NAME_SHA1 and
// NAME_SHA256 to the hex values, for comparing with custodiactl's output:
//
//	hashfile FILE NAME
func cmdHashfile(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: hashfile FILE NAME")
	}
	f, err := os.Open(ts.MkAbs(args[0]))
	ts.Check(err)
	defer f.Close()
	m, s1, s256 := md5.New(), sha1.New(), sha256.New()
	_, err = io.Copy(io.MultiWriter(m, s1, s256), f)
	ts.Check(err)
	for _, h := range []struct {
		suffix string
		sum    []byte
	}{{"_MD5", m.Sum(nil)}, {"_SHA1", s1.Sum(nil)}, {"_SHA256", s256.Sum(nil)}} {
		v := hex.EncodeToString(h.sum)
		ts.Setenv(args[1]+h.suffix, v)
		ts.Logf("%s%s=%s", args[1], h.suffix, v)
	}
}

// cmdSlice copies LENGTH bytes from OFFSET of a file to a new file, for
// comparing with what 'evidence cat' prints; numbers are decimal or 0x hex:
//
//	slice FILE OFFSET LENGTH OUT
func cmdSlice(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 4 {
		ts.Fatalf("usage: slice FILE OFFSET LENGTH OUT")
	}
	num := func(s string) int64 {
		digits, base := s, 10
		if h, ok := strings.CutPrefix(s, "0x"); ok {
			digits, base = h, 16
		}
		n, err := strconv.ParseInt(digits, base, 64)
		if err != nil || n < 0 {
			ts.Fatalf("slice: bad number %q", s)
		}
		return n
	}
	offset, length := num(args[1]), num(args[2])
	b, err := os.ReadFile(ts.MkAbs(args[0]))
	ts.Check(err)
	if offset+length > int64(len(b)) {
		ts.Fatalf("slice: %d bytes from %d run past the end of %s (%d bytes)", length, offset, args[0], len(b))
	}
	ts.Check(os.WriteFile(ts.MkAbs(args[3]), b[offset:offset+length], 0o644))
}

// loremText returns size bytes of plain ASCII text, for input that is too
// long but otherwise valid.
func loremText(size int) string {
	const words = "lorem ipsum dolor sit amet "
	return strings.Repeat(words, size/len(words)+1)[:size]
}

// cmdGentext writes a file of SIZE bytes of plain text:
//
//	gentext FILE SIZE
func cmdGentext(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: gentext FILE SIZE")
	}
	size, err := strconv.Atoi(args[1])
	if err != nil || size < 0 {
		ts.Fatalf("gentext: bad size %q", args[1])
	}
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), []byte(loremText(size)), 0o644))
}

// cmdGenenv sets an environment variable to SIZE bytes of plain text, for
// a command-line argument that is too long:
//
//	genenv NAME SIZE
func cmdGenenv(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: genenv NAME SIZE")
	}
	size, err := strconv.Atoi(args[1])
	if err != nil || size < 0 {
		ts.Fatalf("genenv: bad size %q", args[1])
	}
	ts.Setenv(args[0], loremText(size))
}

// cmdUnescape writes OUT with the text of IN read as the body of a Go
// string literal, so that a script can hold control characters and other
// hostile bytes as escapes (\x1b, \u202e); a line break in IN stays one:
//
//	unescape IN OUT
func cmdUnescape(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: unescape IN OUT")
	}
	body := strings.ReplaceAll(ts.ReadFile(args[0]), "\n", `\n`)
	s, err := strconv.Unquote(`"` + body + `"`)
	if err != nil {
		ts.Fatalf("unescape %s: %v", args[0], err)
	}
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), []byte(s), 0o644))
}

// cmdGencustomers writes a customer CSV file (casefile/notify's columns)
// with N customers, for the bounds of customer import:
//
//	gencustomers FILE N
func cmdGencustomers(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: gencustomers FILE N")
	}
	n, err := strconv.Atoi(args[1])
	if err != nil || n < 0 {
		ts.Fatalf("gencustomers: bad count %q", args[1])
	}
	var b strings.Builder
	b.WriteString("id,name,admin_contacts,jurisdiction,data_categories,data_subjects\n")
	for i := range n {
		fmt.Fprintf(&b, "C-%d,Customer %d,admin@c%d.example,DE,contact data,1\n", i, i, i)
	}
	if err := os.WriteFile(ts.MkAbs(args[0]), []byte(b.String()), 0o644); err != nil {
		ts.Fatalf("gencustomers: %v", err)
	}
}

// cmdSMTPSink starts a local SMTP server for the script (STARTTLS with a
// certificate of its own, written to FILE.pem, and the account ir-mailer /
// s3cret), stopped when the script ends, and sets SMTP_PORT; "dump DIR"
// writes what it received as DIR/N.eml and DIR/N.rcpt (the envelope
// recipients, one per line):
//
//	smtpsink start CERT.pem [REFUSED-ADDRESS...]
//	smtpsink dump DIR
func cmdSMTPSink(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: smtpsink start CERT.pem [REFUSED] | smtpsink dump DIR")
	}
	switch args[0] {
	case "start":
		b, err := casetest.NewSMTPSink(true, args[2:]...)
		if err != nil {
			ts.Fatalf("smtpsink: %v", err)
		}
		ts.Defer(func() { b.Close() })
		ts.Check(os.WriteFile(ts.MkAbs(args[1]), b.CertPEM, 0o644))
		ts.Setenv("SMTP_PORT", strconv.Itoa(b.Port))
		sinksMu.Lock()
		sinks[ts] = b
		sinksMu.Unlock()
	case "dump":
		sinksMu.Lock()
		b := sinks[ts]
		sinksMu.Unlock()
		if b == nil {
			ts.Fatalf("smtpsink dump: no server started")
		}
		dir := ts.MkAbs(args[1])
		ts.Check(os.MkdirAll(dir, 0o755))
		for i, m := range b.Messages() {
			ts.Check(os.WriteFile(filepath.Join(dir, fmt.Sprintf("%d.eml", i+1)), m.Data, 0o644))
			ts.Check(os.WriteFile(filepath.Join(dir, fmt.Sprintf("%d.rcpt", i+1)), []byte(strings.Join(m.Rcpts, "\n")+"\n"), 0o644))
		}
	default:
		ts.Fatalf("smtpsink: unknown %q", args[0])
	}
}

// sinks are the SMTP servers the scripts started; scripts run in
// parallel.
var (
	sinksMu sync.Mutex
	sinks   = map[*testscript.TestScript]*casetest.SMTPSink{}
)
