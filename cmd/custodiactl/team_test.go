package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/custodia-dfir/custodia/casefile/team/pgtest"
)

// runWith runs custodiactl in-process with the test environment and the
// passphrase in $CUSTODIA_PASSPHRASE; it returns the exit code and output.
func runWith(args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	e := testEnv()
	e.stdin, e.stdout, e.stderr = strings.NewReader(""), &stdout, &stderr
	e.lookupEnv = func(k string) (string, bool) {
		if k == "CUSTODIA_PASSPHRASE" {
			return "team passphrase", true
		}
		return "", false
	}
	e.openTerminal = func(*env) (terminal, error) { return nil, errNoTerminal }
	code := run(args, e)
	return code, stdout.String(), stderr.String()
}

// case push then case pull: the pulled file holds the file's entries and
// the signed case.pushed entry, and ledger verify accepts it.
func TestCasePushAndPull(t *testing.T) {
	srv := pgtest.Start(t)
	url := srv.NewDatabase(t)
	dir := t.TempDir()
	path, out := filepath.Join(dir, "c.custodia"), filepath.Join(dir, "pulled.custodia")
	mustRun := func(args ...string) string {
		t.Helper()
		code, stdout, stderr := runWith(args...)
		if code != 0 {
			t.Fatalf("custodiactl %s: exit %d\n%s%s", strings.Join(args, " "), code, stdout, stderr)
		}
		return stdout
	}
	mustRun("init", path, "--title", "Shared", "--examiner", "Dana")
	img := filepath.Join(dir, "disk.img")
	if err := os.WriteFile(img, bytes.Repeat([]byte("sector 0123456789abcdef "), 200_000), 0o600); err != nil {
		t.Fatal(err)
	}
	mustRun("ingest", path, img, "--no-parse", "--reason", "seized disk")
	got := mustRun("case", "push", path, url, "--reason", "the team takes over")
	want := regexp.MustCompile(`^pushed case [0-9a-f-]{36} to custodia@/tmp/custodia-pg-[^:]+:5432/case1: entries 1 to 2 as they are, then entry 3 case\.pushed after the file's head [0-9a-f]{64}\n` +
		`the file .*c\.custodia is unchanged at entry 2; work on the shared case from now on\n$`)
	if !want.MatchString(got) {
		t.Fatalf("push printed:\n%s", got)
	}
	code, _, stderr := runWith("case", "push", path, url)
	if code != exitFailure || !strings.Contains(stderr, "the case is already on the team server") {
		t.Fatalf("second push: exit %d, %s", code, stderr)
	}
	got = mustRun("case", "pull", url, out)
	if !regexp.MustCompile(`^pulled case [0-9a-f-]{36} from custodia@\S+ into \S+pulled\.custodia: 3 entries, head 3 [0-9a-f]{64}; chain, signatures and head verify\n` +
		`recorded on the server: entry 4 case\.pulled\n$`).MatchString(got) {
		t.Fatalf("pull printed:\n%s", got)
	}
	if got := mustRun("evidence", "verify", out); !strings.Contains(got, "match") {
		t.Fatalf("evidence verify of the pulled file:\n%s", got)
	}
	if got := mustRun("ledger", "verify", out); !strings.Contains(got, "entries: 4\n") {
		t.Fatalf("ledger verify of the pulled file:\n%s", got)
	}
	if got := mustRun("ledger", "show", out); !strings.Contains(got, "case.pushed") {
		t.Fatalf("ledger show of the pulled file:\n%s", got)
	}
	// A pull that cannot be recorded leaves no copy.
	other := filepath.Join(dir, "other.custodia")
	wrong := filepath.Join(dir, "wrong")
	if err := os.WriteFile(wrong, []byte("not the passphrase\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = runWith("case", "pull", url, other, "--passphrase-file", wrong)
	if code != exitFailure || !strings.Contains(stderr, "the pull could not be recorded on the server, so the copy was removed again") || !strings.Contains(stderr, "wrong passphrase") {
		t.Fatalf("pull with a wrong passphrase: exit %d, %s", code, stderr)
	}
	if _, err := os.Stat(other); !os.IsNotExist(err) {
		t.Fatalf("the copy of a failed pull is still there: %v", err)
	}
	got = mustRun("case", "pull", url, other)
	if !strings.Contains(got, ": 4 entries, head 4 ") || !strings.Contains(got, "recorded on the server: entry 5 case.pulled\n") {
		t.Fatalf("second pull printed:\n%s", got)
	}
	code, _, stderr = runWith("case", "pull", url, out)
	if code != exitUsage || !strings.Contains(stderr, "pulled.custodia exists: name a new file; Custodia never overwrites one") {
		t.Fatalf("pull onto an existing file: exit %d, %s", code, stderr)
	}
	code, _, stderr = runWith("case", "push", path, "mysql://x/y")
	if code != exitUsage || !strings.Contains(stderr, `"mysql://x/y" is not a team server URL: write postgres://user@host:port/database`) {
		t.Fatalf("push to a non-URL: exit %d, %s", code, stderr)
	}
}
