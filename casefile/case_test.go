package casefile

import (
	"bytes"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const testPass = "correct horse battery staple"

var testCase = NewCase{
	Title:       "Exfiltration via VPN concentrator",
	CaseNumber:  "IR-2026-0042",
	Examiner:    "Dana Quartermain",
	Description: "Suspicious outbound transfer noticed by SOC analyst Zephyrine",
}

func createTestCase(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "case"+Extension)
	c, err := Create(path, []byte(testPass), testCase, TestOptions())
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	if err := c.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	return path
}

func fileSum(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

// dirNames lists the files in dir, to catch leftovers such as -wal files.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	return out
}

// rawDB opens a case file with plain SQLite, as an attacker with a hex
// editor would, without Custodia's pragmas or keys.
func rawDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	return db
}

func rawExec(t *testing.T, path, query string, args ...any) {
	t.Helper()
	db := rawDB(t, path)
	defer db.Close()
	if _, err := db.Exec(query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	if _, err := db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		t.Fatal(err)
	}
}

func TestCreateOpenRoundTrip(t *testing.T) {
	path := createTestCase(t)
	if got := dirNames(t, filepath.Dir(path)); len(got) != 1 || got[0] != "case.custodia" {
		t.Fatalf("after Close the folder holds %v, want only case.custodia", got)
	}
	c, err := Open(path, []byte(testPass), TestOptions())
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer c.Close()
	info := c.Info()
	want := Info{Title: testCase.Title, CaseNumber: testCase.CaseNumber, Examiner: testCase.Examiner,
		Description: testCase.Description, Created: TestTime, CaseUUID: info.CaseUUID, FormatVersion: FormatVersion}
	if info != want {
		t.Fatalf("Info = %+v\nwant %+v", info, want)
	}
	if info.CaseUUID.String() == "00000000-0000-0000-0000-000000000000" {
		t.Fatal("case UUID is zero")
	}
	if c.UnlockedSlot() != 1 {
		t.Fatalf("UnlockedSlot = %d, want 1", c.UnlockedSlot())
	}
	slots, err := c.KeySlots()
	if err != nil || len(slots) != 1 || slots[0].Label != testCase.Examiner || slots[0].Kind != SlotPassphrase ||
		slots[0].KDF != TestKDF || !slots[0].Created.Equal(TestTime) {
		t.Fatalf("KeySlots = %+v, %v", slots, err)
	}
}

func TestHeaderAndPragmas(t *testing.T) {
	path := createTestCase(t)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := binary.BigEndian.Uint16(b[16:18]); got != 1 { // 1 means 65536
		t.Errorf("page size field = %d, want 1 (65536)", got)
	}
	if got := binary.BigEndian.Uint32(b[68:72]); got != ApplicationID {
		t.Errorf("application_id = %#x, want %#x", got, ApplicationID)
	}
	if b[18] != 2 || b[19] != 2 {
		t.Errorf("file format bytes = %d,%d, want 2,2 (WAL)", b[18], b[19])
	}
	if got := binary.BigEndian.Uint32(b[60:64]); got != FormatVersion {
		t.Errorf("user_version = %d, want %d", got, FormatVersion)
	}
	c, err := Open(path, []byte(testPass), TestOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for pragma, want := range map[string]string{
		"journal_mode": "wal", "locking_mode": "exclusive", "secure_delete": "1", "foreign_keys": "1",
		"temp_store": "2", "synchronous": "1", "page_size": "65536",
	} {
		var got string
		if err := c.db.QueryRow("PRAGMA " + pragma).Scan(&got); err != nil || got != want {
			t.Errorf("PRAGMA %s = %q (%v), want %q", pragma, got, err, want)
		}
	}
}

func TestNoPlaintextOnDisk(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "case.custodia")
	c, err := Create(path, []byte(testPass), testCase, TestOptions())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.AddKeySlot("Second Examiner Ulrike", []byte("another passphrase"), ""); err != nil {
		t.Fatal(err)
	}
	secrets := []string{testCase.Title, testCase.CaseNumber, testCase.Examiner, "Zephyrine", "Ulrike", testPass, "another passphrase"}
	check := func(when string) {
		for _, name := range dirNames(t, dir) {
			b, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range secrets {
				if bytes.Contains(b, []byte(s)) || bytes.Contains(bytes.ToLower(b), bytes.ToLower([]byte(s))) {
					t.Errorf("%s: %s contains %q in clear", when, name, s)
				}
			}
		}
	}
	check("while open")
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	check("after close")
}

func TestWrongAndEmptyPassphrase(t *testing.T) {
	path := createTestCase(t)
	before := fileSum(t, path)
	_, err := Open(path, []byte("wrong"), TestOptions())
	if !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("Open with wrong passphrase: %v, want ErrWrongPassphrase", err)
	}
	if !strings.Contains(err.Error(), "case.custodia") {
		t.Errorf("error %q does not name the file", err)
	}
	if _, err := Open(path, nil, TestOptions()); !errors.Is(err, ErrEmptyPassphrase) {
		t.Fatalf("Open with empty passphrase: %v", err)
	}
	if fileSum(t, path) != before {
		t.Fatal("a failed open changed the case file")
	}
	if got := dirNames(t, filepath.Dir(path)); len(got) != 1 {
		t.Fatalf("a failed open left files behind: %v", got)
	}
	p2 := filepath.Join(t.TempDir(), "x.custodia")
	if _, err := Create(p2, []byte(""), testCase, TestOptions()); !errors.Is(err, ErrEmptyPassphrase) {
		t.Fatalf("Create with empty passphrase: %v", err)
	}
	if _, err := os.Stat(p2); !errors.Is(err, fs.ErrNotExist) {
		t.Fatal("failed Create left a file")
	}
}

func TestCreateRefusesBadInput(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name string
		nc   NewCase
		want string
	}{
		{"empty title", NewCase{Title: "  ", Examiner: "x"}, "title is required"},
		{"empty examiner", NewCase{Title: "t"}, "examiner is required"},
		{"long title", NewCase{Title: strings.Repeat("a", MaxTitleLen+1), Examiner: "x"}, "title is too long (501 bytes, at most 500)"},
		{"bad utf8", NewCase{Title: "t\xff", Examiner: "x"}, "title is not valid UTF-8"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, tc.name+".custodia")
			_, err := Create(p, []byte(testPass), tc.nc, TestOptions())
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want ErrInvalid with %q", err, tc.want)
			}
			if _, err := os.Stat(p); !errors.Is(err, fs.ErrNotExist) {
				t.Fatal("failed Create left a file")
			}
		})
	}
	existing := createTestCase(t)
	before := fileSum(t, existing)
	if _, err := Create(existing, []byte(testPass), testCase, TestOptions()); !errors.Is(err, ErrExists) {
		t.Fatalf("Create over existing file: %v, want ErrExists", err)
	}
	if fileSum(t, existing) != before {
		t.Fatal("Create over an existing file changed it")
	}
}

func TestOpenNotACase(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	other := filepath.Join(dir, "other.db")
	db := rawDB(t, other)
	if _, err := db.Exec(`CREATE TABLE t (x); INSERT INTO t VALUES (1)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	cases := map[string]struct {
		path string
		want error
		msg  string
	}{
		"text":      {write("notes.txt", []byte("just some notes, not a case\n")), ErrNotACase, "no SQLite header"},
		"empty":     {write("empty.custodia", nil), ErrNotACase, "the file is empty"},
		"random":    {write("random.bin", bytes.Repeat([]byte{0x5a, 0xa5, 0x01}, 40000)), ErrNotACase, "no SQLite header"},
		"sqlite":    {other, ErrNotACase, "application id is 0x0"},
		"directory": {dir, ErrNotACase, "is a directory"},
		"missing":   {filepath.Join(dir, "nope.custodia"), fs.ErrNotExist, "nope.custodia: file does not exist"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var before [32]byte
			if name != "missing" && name != "directory" {
				before = fileSum(t, tc.path)
			}
			_, err := Open(tc.path, []byte(testPass), TestOptions())
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("err = %v, want %v containing %q", err, tc.want, tc.msg)
			}
			if name == "missing" {
				if _, err := os.Stat(tc.path); !errors.Is(err, fs.ErrNotExist) {
					t.Fatal("Open created the missing file")
				}
			} else if name != "directory" && fileSum(t, tc.path) != before {
				t.Fatal("Open changed the file")
			}
		})
	}
}

func TestOpenTruncated(t *testing.T) {
	path := createTestCase(t)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{50, 4096, pageSize, len(b) - pageSize, len(b) - 1} {
		if err := os.WriteFile(path, b[:n], 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := Open(path, []byte(testPass), TestOptions()); !errors.Is(err, ErrTruncated) {
			t.Errorf("truncated to %d of %d bytes: err = %v, want ErrTruncated", n, len(b), err)
		}
	}
}

// sealedTitle returns the raw sealed bytes of the case title.
func sealedColumn(t *testing.T, path, column string) []byte {
	t.Helper()
	db := rawDB(t, path)
	defer db.Close()
	var b []byte
	if err := db.QueryRow(`SELECT ` + column + ` FROM case_info`).Scan(&b); err != nil {
		t.Fatal(err)
	}
	return b
}

func TestFlippedByteInSealedRecord(t *testing.T) {
	for _, col := range []string{"title", "case_number", "examiner", "description", "created"} {
		t.Run(col, func(t *testing.T) {
			path := createTestCase(t)
			sealed := sealedColumn(t, path, col)
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			off := bytes.Index(raw, sealed)
			if off < 0 || bytes.LastIndex(raw, sealed) != off {
				t.Fatalf("sealed %s not found exactly once in the file", col)
			}
			raw[off+len(sealed)/2] ^= 0x01 // one bit in the middle of the ciphertext
			if err := os.WriteFile(path, raw, 0o600); err != nil {
				t.Fatal(err)
			}
			_, err = Open(path, []byte(testPass), TestOptions())
			var ae *AuthError
			if !errors.As(err, &ae) || ae.Table != "case_info" || ae.Column != col || !errors.Is(err, ErrAuthFailed) {
				t.Fatalf("err = %v, want AuthError naming case_info column %s", err, col)
			}
			if !strings.Contains(err.Error(), "case_info/"+ae.Row+" column "+col) {
				t.Errorf("message %q does not name the record", err)
			}
		})
	}
}

func TestSealedValueMovedIsDetected(t *testing.T) {
	t.Run("to another column", func(t *testing.T) {
		path := createTestCase(t)
		rawExec(t, path, `UPDATE case_info SET description = title`)
		_, err := Open(path, []byte(testPass), TestOptions())
		var ae *AuthError
		if !errors.As(err, &ae) || ae.Column != "description" {
			t.Fatalf("err = %v, want AuthError on description", err)
		}
	})
	t.Run("from another case", func(t *testing.T) {
		a, b := createTestCase(t), createTestCase(t)
		rawExec(t, a, `UPDATE case_info SET title = ?`, sealedColumn(t, b, "title"))
		_, err := Open(a, []byte(testPass), TestOptions())
		var ae *AuthError
		if !errors.As(err, &ae) || ae.Column != "title" {
			t.Fatalf("err = %v, want AuthError on title", err)
		}
	})
	t.Run("to another row", func(t *testing.T) {
		path := createTestCase(t)
		rawExec(t, path, `UPDATE case_info SET row_uuid = '11111111-2222-4333-8444-555555555555'`)
		_, err := Open(path, []byte(testPass), TestOptions())
		var ae *AuthError
		if !errors.As(err, &ae) || ae.Row != "11111111-2222-4333-8444-555555555555" {
			t.Fatalf("err = %v, want AuthError on the moved row", err)
		}
	})
	t.Run("examiner name between examiners", func(t *testing.T) {
		path := createTestCase(t)
		c, err := Open(path, []byte(testPass), TestOptions())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.AddKeySlot("second", []byte("p2"), ""); err != nil {
			t.Fatal(err)
		}
		c.Close()
		rawExec(t, path, `UPDATE examiners SET name = (SELECT e.name FROM examiners e JOIN key_slots k USING (examiner_uuid) WHERE k.slot_id = 1)
			WHERE examiner_uuid = (SELECT examiner_uuid FROM key_slots WHERE slot_id = 2)`)
		_, err = Open(path, []byte(testPass), TestOptions())
		var ae *AuthError
		if !errors.As(err, &ae) || ae.Table != "examiners" || ae.Column != "name" {
			t.Fatalf("err = %v, want AuthError on examiners name", err)
		}
	})
	t.Run("wrapped key swapped between slots", func(t *testing.T) {
		path := createTestCase(t)
		c, err := Open(path, []byte(testPass), TestOptions())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.AddKeySlot("second", []byte("p2"), ""); err != nil {
			t.Fatal(err)
		}
		c.Close()
		// Give slot 2 slot 1's salt and wrapped key: the slot AAD binds the
		// slot UUID, so testPass must not open slot 2.
		rawExec(t, path, `UPDATE key_slots SET (salt, wrapped_key) = (SELECT salt, wrapped_key FROM key_slots WHERE slot_id = 1) WHERE slot_id = 2`)
		rawExec(t, path, `DELETE FROM key_slots WHERE slot_id = 1`)
		if _, err := Open(path, []byte(testPass), TestOptions()); !errors.Is(err, ErrWrongPassphrase) {
			t.Fatalf("err = %v, want ErrWrongPassphrase", err)
		}
	})
}

func TestNewerFormatRefused(t *testing.T) {
	path := createTestCase(t)
	rawExec(t, path, `INSERT INTO schema_migrations (version, name) VALUES (?, 'future')`, FormatVersion+1)
	before := fileSum(t, path)
	_, err := Open(path, []byte(testPass), TestOptions())
	if !errors.Is(err, ErrNewerFormat) || !strings.Contains(err.Error(), fmt.Sprintf("format version %d, this Custodia reads up to %d", FormatVersion+1, FormatVersion)) {
		t.Fatalf("err = %v, want ErrNewerFormat", err)
	}
	if fileSum(t, path) != before {
		t.Fatal("refused open changed the file")
	}
}

func TestSecondOpenIsLocked(t *testing.T) {
	path := createTestCase(t)
	c, err := Open(path, []byte(testPass), TestOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := Open(path, []byte(testPass), TestOptions()); !errors.Is(err, ErrCaseLocked) {
		t.Fatalf("second open in this process: %v, want ErrCaseLocked", err)
	}
	// Reading the file in this process (hashing it, checking its header)
	// must not drop the lock: POSIX locks would be lost at this Close.
	fileSum(t, path)
	if !ofdLocking {
		t.Log("OFD locks unavailable: POSIX locks in use")
	}
	// And from another process, which is what a second Custodia window is.
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperOpen$")
	cmd.Env = append(os.Environ(), "CUSTODIA_HELPER_OPEN="+path)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("helper: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "RESULT: "+ErrCaseLocked.Error()) {
		t.Fatalf("second process got:\n%s\nwant %q", out, ErrCaseLocked)
	}
	// The first handle still works after the refused opens.
	if _, err := c.KeySlots(); err != nil {
		t.Fatalf("first handle after refused open: %v", err)
	}
}

// TestHelperOpen is run in a subprocess by TestSecondOpenIsLocked.
func TestHelperOpen(t *testing.T) {
	path := os.Getenv("CUSTODIA_HELPER_OPEN")
	if path == "" {
		t.Skip("subprocess helper")
	}
	_, err := Open(path, []byte(testPass), TestOptions())
	if errors.Is(err, ErrCaseLocked) {
		os.Stdout.WriteString("RESULT: " + ErrCaseLocked.Error() + "\n")
		return
	}
	os.Stdout.WriteString("RESULT: unexpected " + errString(err) + "\n")
}

func errString(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}
