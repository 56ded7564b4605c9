package casefile

import (
	"crypto/ed25519"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"time"
)

// ledgerCase makes a case with entries 1 (created) and 2..n (recorded views).
func ledgerCase(t testing.TB, n int) string {
	t.Helper()
	path := createTestCaseTB(t)
	c := openTestTB(t, path, testPass)
	defer c.Close()
	for i := 2; i <= n; i++ {
		if _, err := c.Record(Event{Action: "evidence.viewed", Target: Target{Type: TargetEvidence, ID: fmt.Sprintf("item-%d", i)},
			Reason: "review", Hashes: map[string]string{"sha256": strings.Repeat("ab", 32)}}); err != nil {
			t.Fatal(err)
		}
	}
	return path
}

func createTestCaseTB(t testing.TB) string {
	t.Helper()
	path := t.TempDir() + "/case.custodia"
	c, err := Create(path, []byte(testPass), testCase, TestOptions())
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	return path
}

func openTestTB(t testing.TB, path, pass string) *Case {
	t.Helper()
	c, err := Open(path, []byte(pass), TestOptions())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// tamper edits the ledger as an attacker with SQLite would: dropping the
// append-only triggers first.
func tamper(t *testing.T, path string, stmts ...string) {
	t.Helper()
	db := rawDB(t, path)
	defer db.Close()
	for _, s := range append([]string{`DROP TRIGGER IF EXISTS custody_ledger_no_update`, `DROP TRIGGER IF EXISTS custody_ledger_no_delete`}, stmts...) {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`)
}

type problemKey struct {
	seq  int64
	kind ProblemKind
}

func problemSet(r *LedgerReport) map[problemKey]bool {
	m := map[problemKey]bool{}
	for _, p := range r.Problems {
		m[problemKey{p.Seq, p.Kind}] = true
	}
	return m
}

func verifyBoth(t *testing.T, path string) (keyless, keyed *LedgerReport) {
	t.Helper()
	return verifyBothWith(t, path, testPass)
}

func verifyBothWith(t *testing.T, path, pass string) (keyless, keyed *LedgerReport) {
	t.Helper()
	var err error
	if keyless, err = VerifyLedgerWithoutKey(path); err != nil {
		t.Fatalf("keyless verify: %v", err)
	}
	c := openTest(t, path, pass)
	defer c.Close()
	if keyed, err = c.VerifyLedger(); err != nil {
		t.Fatalf("verify: %v", err)
	}
	return keyless, keyed
}

func TestLedgerIntact(t *testing.T) {
	path := ledgerCase(t, 5)
	c := openTest(t, path, testPass)
	entries, err := c.Entries()
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 5 {
		t.Fatalf("%d entries, want 5", len(entries))
	}
	first := entries[0]
	if first.Seq != 1 || first.Action != ActionCaseCreated || first.Actor != testCase.Examiner || first.Role != RoleForensicEngineer ||
		!first.Time.Equal(TestTime) || first.Target != (Target{Type: TargetCase, ID: c.Info().CaseUUID.String()}) ||
		first.PrevHash != GenesisHash(c.Info().CaseUUID) {
		t.Fatalf("entry 1 = %+v", first)
	}
	if !ed25519.Verify(first.ActorKey, SignedMessage(c.Info().CaseUUID, first.Hash), first.Signature) {
		t.Fatal("entry 1 signature does not verify with the stdlib")
	}
	seq, head := c.Head()
	if seq != 5 || head != entries[4].Hash {
		t.Fatalf("Head = %d %s, want 5 %s", seq, head, entries[4].Hash)
	}
	c.Close()
	keyless, keyed := verifyBoth(t, path)
	if !keyless.OK() || !keyed.OK() || keyless.Entries != 5 || keyed.Entries != 5 || keyless.Head != head {
		t.Fatalf("intact ledger: keyless %+v keyed %+v", keyless, keyed)
	}
	// The verification was recorded as entry 6.
	c = openTest(t, path, testPass)
	defer c.Close()
	entries, _ = c.Entries()
	last := entries[len(entries)-1]
	if last.Seq != 6 || last.Action != ActionLedgerVerified || last.Details["result"] != "intact" || last.Hashes["head_sha256"] != head.String() {
		t.Fatalf("verification entry = %+v", last)
	}
}

func TestLedgerTamperDetected(t *testing.T) {
	other := ledgerCase(t, 3)
	cases := []struct {
		name  string
		edit  func(t *testing.T, path string)
		want  []problemKey // keyless and keyed
		keyed []problemKey // keyed only
	}{
		{"byte of sealed entry", func(t *testing.T, path string) {
			tamper(t, path, `UPDATE custody_ledger SET entry = CAST(substr(entry, 1, 40) || (CASE substr(entry, 41, 1) WHEN x'00' THEN x'01' ELSE x'00' END) || substr(entry, 42) AS BLOB) WHERE seq = 3`)
		}, []problemKey{{3, ProblemHashMismatch}}, []problemKey{{3, ProblemUnreadable}}},
		{"byte of prev_hash", func(t *testing.T, path string) {
			tamper(t, path, `UPDATE custody_ledger SET prev_hash = CAST((CASE substr(prev_hash, 1, 1) WHEN x'00' THEN x'01' ELSE x'00' END) || substr(prev_hash, 2) AS BLOB) WHERE seq = 4`)
		}, []problemKey{{4, ProblemHashMismatch}, {4, ProblemBrokenLink}}, nil},
		{"byte of entry_hash", func(t *testing.T, path string) {
			tamper(t, path, `UPDATE custody_ledger SET entry_hash = CAST((CASE substr(entry_hash, 1, 1) WHEN x'00' THEN x'01' ELSE x'00' END) || substr(entry_hash, 2) AS BLOB) WHERE seq = 2`)
		}, []problemKey{{2, ProblemHashMismatch}, {3, ProblemBrokenLink}, {2, ProblemBadSignature}}, nil},
		{"byte of signature", func(t *testing.T, path string) {
			tamper(t, path, `UPDATE custody_ledger SET signature = CAST(substr(signature, 1, 10) || (CASE substr(signature, 11, 1) WHEN x'00' THEN x'01' ELSE x'00' END) || substr(signature, 12) AS BLOB) WHERE seq = 5`)
		}, []problemKey{{5, ProblemBadSignature}}, nil},
		{"row deleted", func(t *testing.T, path string) {
			tamper(t, path, `DELETE FROM custody_ledger WHERE seq = 3`)
		}, []problemKey{{4, ProblemSequenceGap}, {4, ProblemBrokenLink}}, nil},
		{"last row deleted", func(t *testing.T, path string) {
			tamper(t, path, `DELETE FROM custody_ledger WHERE seq = 6`)
		}, []problemKey{{5, ProblemHeadMismatch}}, nil},
		{"rows reordered", func(t *testing.T, path string) {
			tamper(t, path, `UPDATE custody_ledger SET seq = 1000 WHERE seq = 2`, `UPDATE custody_ledger SET seq = 2 WHERE seq = 3`,
				`UPDATE custody_ledger SET seq = 3 WHERE seq = 1000`)
		}, []problemKey{{2, ProblemHashMismatch}, {2, ProblemBrokenLink}, {3, ProblemHashMismatch}, {3, ProblemBrokenLink}, {4, ProblemBrokenLink}},
			[]problemKey{{2, ProblemUnreadable}, {3, ProblemUnreadable}}},
		{"forged row by unknown key", func(t *testing.T, path string) {
			_, priv, _ := ed25519.GenerateKey(nil)
			db := rawDB(t, path)
			var prev []byte
			var caseID string
			db.QueryRow(`SELECT entry_hash FROM custody_ledger WHERE seq = 6`).Scan(&prev)
			db.QueryRow(`SELECT case_uuid FROM case_header`).Scan(&caseID)
			db.Close()
			entry := []byte("forged entry")
			h := EntryHash(mustDigest(prev), 7, entry)
			sig := ed25519.Sign(priv, SignedMessage(mustUUID(caseID), h))
			tamper(t, path, fmt.Sprintf(`INSERT INTO custody_ledger VALUES (7, 'eeeeeeee-eeee-4eee-8eee-eeeeeeeeeeee', x'%x', x'%x', x'%x', x'%x')`, entry, prev, h[:], sig),
				fmt.Sprintf(`UPDATE ledger_head SET seq = 7, head_hash = x'%x'`, h[:]))
		}, []problemKey{{7, ProblemUnknownSigner}}, []problemKey{{7, ProblemUnreadable}, {7, ProblemHeadMismatch}}},
		{"entry replayed from another case", func(t *testing.T, path string) {
			tamper(t, path, `ATTACH '`+other+`' AS o`, `DELETE FROM custody_ledger WHERE seq = 3`,
				`INSERT INTO custody_ledger SELECT * FROM o.custody_ledger WHERE seq = 3`)
		}, []problemKey{{3, ProblemUnknownSigner}, {3, ProblemBrokenLink}, {4, ProblemBrokenLink}},
			[]problemKey{{3, ProblemUnreadable}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := ledgerCase(t, 6)
			tc.edit(t, path)
			keyless, keyed := verifyBoth(t, path)
			gotKeyless, gotKeyed := problemSet(keyless), problemSet(keyed)
			for _, w := range tc.want {
				if !gotKeyless[w] {
					t.Errorf("keyless verify misses %v; got %v", w, keyless.Problems)
				}
				if !gotKeyed[w] {
					t.Errorf("keyed verify misses %v; got %v", w, keyed.Problems)
				}
			}
			for _, w := range tc.keyed {
				if !gotKeyed[w] {
					t.Errorf("keyed verify misses %v; got %v", w, keyed.Problems)
				}
			}
			for _, p := range keyed.Problems {
				if !strings.HasPrefix(p.Error(), fmt.Sprintf("custody entry %d: %s: ", p.Seq, p.Kind)) {
					t.Errorf("problem message %q does not name the entry", p.Error())
				}
			}
		})
	}
}

func mustUUID(s string) [16]byte {
	var u [16]byte
	b, _ := hex.DecodeString(strings.ReplaceAll(s, "-", ""))
	copy(u[:], b)
	return u
}

func TestLedgerTimeBackwards(t *testing.T) {
	path := createTestCase(t)
	opts := TestOptions()
	opts.Clock = func() time.Time { return TestTime.Add(-time.Hour) } // the host clock jumped back
	c, err := Open(path, []byte(testPass), opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Record(Event{Action: "evidence.viewed", Target: Target{Type: TargetEvidence, ID: "x"}}); err != nil {
		t.Fatal(err)
	}
	r, err := c.VerifyLedger()
	c.Close()
	if err != nil {
		t.Fatal(err)
	}
	if !problemSet(r)[problemKey{2, ProblemTimeBackwards}] {
		t.Fatalf("problems %v, want time-backwards at entry 2", r.Problems)
	}
}

func TestLedgerRecordsKeySlotChanges(t *testing.T) {
	path := createTestCase(t)
	c := openTest(t, path, testPass)
	if _, err := c.AddKeySlot("Ravi", []byte("p2"), "second examiner joins"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.AddRecoveryKey("safe", "escrow"); err != nil {
		t.Fatal(err)
	}
	if err := c.RemoveKeySlot(3, "escrow withdrawn"); err != nil {
		t.Fatal(err)
	}
	if err := c.ChangePassphrase([]byte("new"), "rotation"); err != nil {
		t.Fatal(err)
	}
	c.Close()
	c = openTest(t, path, "p2") // Ravi acts now, and signs as Ravi
	if _, err := c.Record(Event{Action: "evidence.viewed", Target: Target{Type: TargetEvidence, ID: "x"}, Reason: "triage"}); err != nil {
		t.Fatal(err)
	}
	entries, err := c.Entries()
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	var got []string
	for _, e := range entries {
		got = append(got, fmt.Sprintf("%d %s %s %s %q", e.Seq, e.Actor, e.Action, e.Target.Type, e.Reason))
	}
	want := []string{
		`1 Dana Quartermain case.created case ""`,
		`2 Dana Quartermain keyslot.added examiner "second examiner joins"`,
		`3 Dana Quartermain keyslot.recovery-added examiner "escrow"`,
		`4 Dana Quartermain keyslot.removed keyslot "escrow withdrawn"`,
		`5 Dana Quartermain keyslot.passphrase-changed keyslot "rotation"`,
		`6 Ravi evidence.viewed evidence "triage"`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("ledger:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// The removed recovery examiner's signature on nothing, and everyone
	// else's, still verify: removed identities keep their public keys.
	keyless, keyed := verifyBothWith(t, path, "new")
	if !keyless.OK() || !keyed.OK() {
		t.Fatalf("problems: %v %v", keyless.Problems, keyed.Problems)
	}
}

func TestOpenAsExaminer(t *testing.T) {
	path := createTestCase(t)
	c := openTest(t, path, testPass)
	if _, err := c.AddExaminer(NewExaminer{Name: "Mo", Roles: []Role{RoleSecurityIncidentManager, RoleLegalAdvisor}}, []byte("mo-pass"), ""); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AddExaminer(NewExaminer{Name: "mo", Roles: nil}, []byte("x"), ""); err == nil || !strings.Contains(err.Error(), "exists already") {
		t.Fatalf("duplicate examiner name: %v", err)
	}
	if _, err := c.AddExaminer(NewExaminer{Name: "Zed", Roles: []Role{"chef"}}, []byte("x"), ""); err == nil || !strings.Contains(err.Error(), `unknown role "chef"`) {
		t.Fatalf("unknown role: %v", err)
	}
	c.Close()
	opts := TestOptions()
	opts.Examiner = "Mo"
	if _, err := Open(path, []byte(testPass), opts); err == nil || !strings.Contains(err.Error(), `opens the key slot of "Dana Quartermain", not of "Mo"`) {
		t.Fatalf("Dana's passphrase as Mo: %v", err)
	}
	opts.Role = RoleLegalAdvisor
	c, err := Open(path, []byte("mo-pass"), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.Actor().Name != "Mo" || c.ActingRole() != RoleLegalAdvisor {
		t.Fatalf("actor %q role %q", c.Actor().Name, c.ActingRole())
	}
	opts.Role = RoleForensicEngineer
	c.Close()
	if _, err := Open(path, []byte("mo-pass"), opts); err == nil || !strings.Contains(err.Error(), "does not hold the role Forensic Engineer") {
		t.Fatalf("role Mo lacks: %v", err)
	}
}

func TestBatchVerifyNamesBadSignatures(t *testing.T) {
	var items []sigItem
	pubs := make([]ed25519.PublicKey, 3)
	privs := make([]ed25519.PrivateKey, 3)
	for i := range pubs {
		pubs[i], privs[i], _ = ed25519.GenerateKey(nil)
	}
	for i := range 300 {
		msg := []byte(fmt.Sprintf("message %d", i))
		k := i % 3
		items = append(items, sigItem{seq: int64(i), pub: pubs[k], msg: msg, sig: ed25519.Sign(privs[k], msg)})
	}
	if bad := verifySignatures(items); len(bad) != 0 {
		t.Fatalf("valid signatures reported bad: %v", bad)
	}
	items[7].sig[40] ^= 1                              // S changed
	items[150].msg = []byte("other")                   // message changed
	items[299].pub = pubs[(299%3+1)%3]                 // wrong key
	items[64].sig = append([]byte{}, items[65].sig...) // another entry's signature
	bad := verifySignatures(items)
	got := map[int64]bool{}
	for _, s := range bad {
		got[s] = true
	}
	if len(bad) != 4 || !got[7] || !got[150] || !got[299] || !got[64] {
		t.Fatalf("bad = %v, want 7, 64, 150, 299", bad)
	}
}

// TestEntriesMarkEditedHashes: an edited hash column or entry is never
// listed as if it were the record. Entries recomputes the chain from the entries'
// content and lists an entry whose stored previous hash or entry hash
// differs as unreadable, saying why; the entries around it read normally.
// (Found by FuzzOpenFixture: a flipped byte of prev_hash was shown as the
// entry's previous hash.)
func TestEntriesMarkEditedHashes(t *testing.T) {
	flip := func(col string, seq int) string {
		return fmt.Sprintf(`UPDATE custody_ledger SET %[1]s = CAST((CASE substr(%[1]s, 1, 1) WHEN x'00' THEN x'01' ELSE x'00' END) || substr(%[1]s, 2) AS BLOB) WHERE seq = %[2]d`, col, seq)
	}
	for _, tc := range []struct {
		name, stmt, why string // why "" : any reason
	}{
		{"prev_hash", flip("prev_hash", 3), "casefile: custody ledger does not verify: custody entry 3: its previous hash is not the hash of the entry before it"},
		{"entry_hash", flip("entry_hash", 3), "casefile: custody ledger does not verify: custody entry 3: its hash does not match its content"},
		{"entry", `UPDATE custody_ledger SET entry = CAST(substr(entry, 1, 40) || (CASE substr(entry, 41, 1) WHEN x'00' THEN x'01' ELSE x'00' END) || substr(entry, 42) AS BLOB) WHERE seq = 3`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := ledgerCase(t, 5)
			tamper(t, path, tc.stmt)
			c := openTestTB(t, path, testPass)
			defer c.Close()
			entries, err := c.Entries()
			if err != nil {
				t.Fatal(err)
			}
			if len(entries) != 5 {
				t.Fatalf("%d entries, want 5", len(entries))
			}
			// Only entry 3 is marked: its neighbours link to it by the hash
			// its row stores or the one its content gives.
			for _, e := range entries {
				switch {
				case e.Seq != 3 && e.Unreadable != "":
					t.Errorf("entry %d: Unreadable %q, want it readable", e.Seq, e.Unreadable)
				case e.Seq == 3 && (e.Unreadable == "" || tc.why != "" && e.Unreadable != tc.why):
					t.Errorf("entry 3: Unreadable %q, want %q", e.Unreadable, tc.why)
				}
			}
		})
	}
}
