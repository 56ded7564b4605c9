package casefile

import (
	"errors"
	"regexp"
	"strings"
	"testing"
)

func openTest(t *testing.T, path, pass string) *Case {
	t.Helper()
	c, err := Open(path, []byte(pass), TestOptions())
	if err != nil {
		t.Fatalf("Open with %q: %v", pass, err)
	}
	return c
}

func TestKeySlotsAddListRemove(t *testing.T) {
	path := createTestCase(t)
	c := openTest(t, path, testPass)
	s2, err := c.AddKeySlot("Ravi (forensic engineer)", []byte("ravi's own passphrase"), "")
	if err != nil {
		t.Fatal(err)
	}
	if s2.ID != 2 || s2.Kind != SlotPassphrase || s2.Label != "Ravi (forensic engineer)" || !s2.Created.Equal(TestTime) {
		t.Fatalf("AddKeySlot = %+v", s2)
	}
	rec, key, err := c.AddRecoveryKey("", "")
	if err != nil {
		t.Fatal(err)
	}
	if rec.ID != 3 || rec.Kind != SlotRecovery || rec.Label != "Recovery key: recovery key" {
		t.Fatalf("AddRecoveryKey slot = %+v", rec)
	}
	if !regexp.MustCompile(`^[A-Z2-7]{4}(-[A-Z2-7]{4}){7}$`).MatchString(key) {
		t.Fatalf("recovery key %q is not 8 groups of 4 base32 characters", key)
	}
	c.Close()

	// Each secret opens the case and reports its own slot.
	for pass, slot := range map[string]int{
		testPass: 1, "ravi's own passphrase": 2, key: 3,
		strings.ToLower(strings.ReplaceAll(key, "-", " ")): 3, // as a person might type it
	} {
		c := openTest(t, path, pass)
		if c.UnlockedSlot() != slot {
			t.Errorf("%q opened slot %d, want %d", pass, c.UnlockedSlot(), slot)
		}
		if c.Info().Title != testCase.Title {
			t.Errorf("%q: title %q", pass, c.Info().Title)
		}
		c.Close()
	}

	c = openTest(t, path, testPass)
	slots, err := c.KeySlots()
	if err != nil || len(slots) != 3 {
		t.Fatalf("KeySlots = %+v, %v", slots, err)
	}
	if err := c.RemoveKeySlot(2, ""); err != nil {
		t.Fatal(err)
	}
	if err := c.RemoveKeySlot(2, ""); !errors.Is(err, ErrNoSuchKeySlot) {
		t.Fatalf("removing a removed slot: %v", err)
	}
	if err := c.RemoveKeySlot(3, ""); err != nil {
		t.Fatal(err)
	}
	if err := c.RemoveKeySlot(1, ""); !errors.Is(err, ErrLastKeySlot) {
		t.Fatalf("removing the last slot: %v, want ErrLastKeySlot", err)
	}
	c.Close()
	for _, gone := range []string{"ravi's own passphrase", key} {
		if _, err := Open(path, []byte(gone), TestOptions()); !errors.Is(err, ErrWrongPassphrase) {
			t.Errorf("removed secret %q: %v, want ErrWrongPassphrase", gone, err)
		}
	}
	// A new slot after removals gets a fresh id; ids are never reused.
	c = openTest(t, path, testPass)
	defer c.Close()
	if _, err := c.AddKeySlot("", []byte("x"), ""); !errors.Is(err, ErrInvalid) {
		t.Fatalf("slot without a label: %v, want ErrInvalid", err)
	}
	s4, err := c.AddKeySlot("Fourth", []byte("x"), "")
	if err != nil || s4.ID != 4 {
		t.Fatalf("slot after removals = %+v, %v; want id 4", s4, err)
	}
	if _, err := c.AddKeySlot("x", nil, ""); !errors.Is(err, ErrEmptyPassphrase) {
		t.Fatalf("empty passphrase slot: %v", err)
	}
}

func TestChangePassphraseRewrapsOnlyItsSlot(t *testing.T) {
	path := createTestCase(t)
	c := openTest(t, path, testPass)
	if _, err := c.AddKeySlot("second", []byte("second passphrase"), ""); err != nil {
		t.Fatal(err)
	}
	c.Close()
	before := map[string][]byte{}
	for _, col := range []string{"title", "case_number", "examiner", "description", "created"} {
		before[col] = sealedColumn(t, path, col)
	}

	c = openTest(t, path, testPass)
	if err := c.ChangePassphrase([]byte("a brand new passphrase"), ""); err != nil {
		t.Fatal(err)
	}
	if err := c.ChangePassphrase(nil, ""); !errors.Is(err, ErrEmptyPassphrase) {
		t.Fatalf("empty new passphrase: %v", err)
	}
	c.Close()

	if _, err := Open(path, []byte(testPass), TestOptions()); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("old passphrase after change: %v", err)
	}
	c = openTest(t, path, "a brand new passphrase")
	if c.UnlockedSlot() != 1 {
		t.Errorf("new passphrase opened slot %d, want 1", c.UnlockedSlot())
	}
	c.Close()
	c = openTest(t, path, "second passphrase")
	if c.UnlockedSlot() != 2 {
		t.Errorf("second passphrase opened slot %d, want 2", c.UnlockedSlot())
	}
	c.Close()
	for col, b := range before {
		if string(sealedColumn(t, path, col)) != string(b) {
			t.Errorf("changing the passphrase rewrote case_info.%s", col)
		}
	}
}

func TestPassphraseUnicodeNormalization(t *testing.T) {
	path := createTestCase(t)
	c := openTest(t, path, testPass)
	composed := "pass\u00e9phrase"    // é as one code point (Linux, Windows)
	decomposed := "passe\u0301phrase" // e + combining acute (macOS)
	if _, err := c.AddKeySlot("accented", []byte(composed), ""); err != nil {
		t.Fatal(err)
	}
	c.Close()
	c = openTest(t, path, decomposed)
	defer c.Close()
	if c.UnlockedSlot() != 2 {
		t.Fatalf("decomposed passphrase opened slot %d, want 2", c.UnlockedSlot())
	}
}

func TestRecoverySlotCannotTakeChosenPassphrase(t *testing.T) {
	path := createTestCase(t)
	c := openTest(t, path, testPass)
	_, key, err := c.AddRecoveryKey("offline safe", "")
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	c = openTest(t, path, key)
	defer c.Close()
	if err := c.ChangePassphrase([]byte("chosen"), ""); !errors.Is(err, ErrInvalid) {
		t.Fatalf("ChangePassphrase on recovery slot: %v, want ErrInvalid", err)
	}
}

func TestUseAfterClose(t *testing.T) {
	path := createTestCase(t)
	c := openTest(t, path, testPass)
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := c.KeySlots(); !errors.Is(err, ErrClosed) {
		t.Fatalf("KeySlots after Close: %v", err)
	}
	if _, err := c.AddKeySlot("x", []byte("y"), ""); !errors.Is(err, ErrClosed) {
		t.Fatalf("AddKeySlot after Close: %v", err)
	}
}

func TestTamperedKDFParametersRefused(t *testing.T) {
	path := createTestCase(t)
	// A slot claiming 1 TiB of memory must not make Open try to allocate it.
	rawExec(t, path, `UPDATE key_slots SET kdf_memory_kib = ?`, int64(1)<<30)
	if _, err := Open(path, []byte(testPass), TestOptions()); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "implausible Argon2id parameters") {
		t.Fatalf("err = %v, want ErrCorrupt naming the parameters", err)
	}
	path = createTestCase(t)
	// Lowering the cost changes the slot AAD: the slot no longer opens.
	rawExec(t, path, `UPDATE key_slots SET kdf_time = 2`)
	if _, err := Open(path, []byte(testPass), TestOptions()); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("err = %v, want ErrWrongPassphrase", err)
	}
}
