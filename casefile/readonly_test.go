package casefile

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestReadOnly checks that a case the user cannot write, or in a folder the
// user cannot write, gets ErrReadOnly for open (and create, in the folder),
// and stays unchanged. Root ignores permissions, so as root the checks run
// in a subprocess as "nobody".
func TestReadOnly(t *testing.T) {
	t.Run("folder", func(t *testing.T) { testReadOnly(t, false) })
	t.Run("file", func(t *testing.T) { testReadOnly(t, true) })
}

func testReadOnly(t *testing.T, fileReadOnly bool) {
	src := createTestCase(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "case.custodia")
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	before := fileSum(t, path)
	if os.Geteuid() != 0 {
		target := dir
		if fileReadOnly {
			target = path
		}
		if err := os.Chmod(target, 0o555); err != nil {
			t.Fatal(err)
		}
		defer os.Chmod(target, 0o755)
		if got := checkReadOnly(path); got != "ok" {
			t.Fatal(got)
		}
	} else {
		// The test binary and the folder must be reachable by nobody; the
		// case file readable but the folder not writable.
		if !fileReadOnly {
			if err := os.Chown(path, 65534, 65534); err != nil {
				t.Fatal(err)
			}
		}
		runAsNobody(t, "TestHelperReadOnly", "CUSTODIA_HELPER_READONLY", path)
	}
	if fileSum(t, path) != before {
		t.Fatal("the refused open changed the case file")
	}
	if got := dirNames(t, dir); len(got) != 1 {
		t.Fatalf("files left in the read-only folder: %v", got)
	}
}

func TestHelperReadOnly(t *testing.T) {
	path := os.Getenv("CUSTODIA_HELPER_READONLY")
	if path == "" {
		t.Skip("subprocess helper")
	}
	os.Stdout.WriteString("RESULT: " + checkReadOnly(path) + "\n")
}

func checkReadOnly(path string) string {
	if _, err := Open(path, []byte(testPass), TestOptions()); !errors.Is(err, ErrReadOnly) {
		return "open: got " + errString(err) + ", want ErrReadOnly"
	}
	p2 := filepath.Join(filepath.Dir(path), "new.custodia")
	if _, err := Create(p2, []byte(testPass), testCase, TestOptions()); !errors.Is(err, ErrReadOnly) {
		return "create: got " + errString(err) + ", want ErrReadOnly"
	}
	return "ok"
}

// runAsNobody runs the helper test of this binary as the user nobody, with
// env set to path, and fails unless it prints "RESULT: ok". Root ignores
// permissions, so read-only conditions are tested this way when root. The
// test binary, and the folders on the way to path, are made reachable.
func runAsNobody(t *testing.T, helper, env, path string) {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "casefile.test")
	copyFile(t, os.Args[0], bin, 0o755)
	dir := filepath.Dir(path)
	for _, d := range []string{filepath.Dir(bin), filepath.Dir(filepath.Dir(bin)), dir, filepath.Dir(dir)} {
		os.Chmod(d, 0o755)
	}
	cmd := exec.Command(bin, "-test.run=^"+helper+"$")
	cmd.Env = append(os.Environ(), env+"="+path)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "RESULT: ok") {
		t.Fatalf("as nobody: %v\n%s", err, out)
	}
}

func copyFile(t *testing.T, from, to string, mode os.FileMode) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestVerifyLedgerWithoutKeyOnReadOnlyMedia: a legal advisor's copy on
// read-only media verifies without the key, and nothing is written.
func TestVerifyLedgerWithoutKeyOnReadOnlyMedia(t *testing.T) {
	src := ledgerCase(t, 4)
	dir := t.TempDir()
	path := filepath.Join(dir, "case.custodia")
	copyFile(t, src, path, 0o444)
	before := fileSum(t, path)
	if os.Geteuid() != 0 {
		os.Chmod(dir, 0o555)
		defer os.Chmod(dir, 0o755)
		if got := checkKeylessReadOnly(path); got != "ok" {
			t.Fatal(got)
		}
	} else {
		runAsNobody(t, "TestHelperKeylessReadOnly", "CUSTODIA_HELPER_KEYLESS", path)
	}
	if fileSum(t, path) != before {
		t.Fatal("verification changed the read-only copy")
	}
	if got := dirNames(t, dir); len(got) != 1 {
		t.Fatalf("files left beside the read-only copy: %v", got)
	}
}

func TestHelperKeylessReadOnly(t *testing.T) {
	path := os.Getenv("CUSTODIA_HELPER_KEYLESS")
	if path == "" {
		t.Skip("subprocess helper")
	}
	os.Stdout.WriteString("RESULT: " + checkKeylessReadOnly(path) + "\n")
}

func checkKeylessReadOnly(path string) string {
	r, err := VerifyLedgerWithoutKey(path)
	if err != nil {
		return "verify: " + err.Error()
	}
	if !r.OK() || r.Entries != 4 || r.HeadSeq != 4 {
		return fmt.Sprintf("report %+v", r)
	}
	return "ok"
}
