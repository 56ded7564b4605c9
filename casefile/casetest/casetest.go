// Package casetest helps tests of packages built on casefile: it creates
// and opens cases with the cheap test key derivation and a fixed clock,
// seals test content, and edits a case file with plain SQLite the way an
// attacker with the file would. It is imported by tests only.
package casetest

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"path/filepath"
	"testing"
	"time"

	"github.com/custodia-dfir/custodia/casefile"
	_ "modernc.org/sqlite" // the "sqlite" driver for Exec
)

// Passphrase opens the cases Create makes.
const Passphrase = "correct horse battery staple"

// NewCase is the case record Create writes.
var NewCase = casefile.NewCase{
	Title:       "Exfiltration via VPN concentrator",
	CaseNumber:  "IR-2026-0042",
	Examiner:    "Dana Quartermain",
	Description: "Suspicious outbound transfer noticed by SOC analyst Zephyrine",
}

// Create makes a closed case in a temporary folder of t, opened by
// Passphrase, and returns its path.
func Create(t testing.TB) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "case"+casefile.Extension)
	c, err := casefile.Create(path, []byte(Passphrase), NewCase, casefile.TestOptions())
	if err != nil {
		t.Fatalf("create test case: %v", err)
	}
	if err := c.Close(); err != nil {
		t.Fatalf("close test case: %v", err)
	}
	return path
}

// Ticking returns test options whose clock starts at *start and advances a
// minute per reading, so the times of a scenario are distinct and ordered.
func Ticking(start *time.Time) casefile.Options {
	o := casefile.TestOptions()
	o.Clock = func() time.Time { *start = start.Add(time.Minute); return *start }
	return o
}

// Open opens the case at path with pass and opts (default
// casefile.TestOptions) and closes it when the test ends.
func Open(t testing.TB, path, pass string, opts ...casefile.Options) *casefile.Case {
	t.Helper()
	o := casefile.TestOptions()
	if len(opts) > 0 {
		o = opts[0]
	}
	c, err := casefile.Open(path, []byte(pass), o)
	if err != nil {
		t.Fatalf("open test case with %q: %v", pass, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// DB opens the case file at path with plain SQLite, as an attacker with
// the file would, without Custodia's pragmas or keys; it is closed when the
// test ends. The case must be closed.
func DB(t testing.TB, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	return db
}

// Exec runs query on the case file at path with plain SQLite (see DB) and
// checkpoints, so the edit is in the main file: a tamper test's edit.
func Exec(t testing.TB, path, query string, args ...any) {
	t.Helper()
	db := DB(t, path)
	defer db.Close()
	if _, err := db.Exec(query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	if _, err := db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		t.Fatal(err)
	}
}

// StoreBytes seals data into c as an evidence item called name (kind
// other, format file), in chunks of 4 KiB, with its real MD5, SHA-1 and
// SHA-256, and returns it.
func StoreBytes(t testing.TB, c *casefile.Case, data []byte, name string) casefile.Evidence {
	t.Helper()
	const chunk = 4096
	w, err := c.BeginEvidence(chunk)
	if err != nil {
		t.Fatal(err)
	}
	var chunks []casefile.SealedChunk
	for off := 0; off < len(data); off += chunk {
		end := min(off+chunk, len(data))
		sc, err := w.SealChunk(int64(off/chunk), data[off:end], end == len(data))
		if err != nil {
			t.Fatal(err)
		}
		chunks = append(chunks, sc)
	}
	if err := w.Store(chunks); err != nil {
		t.Fatal(err)
	}
	m, s1, s256 := md5.Sum(data), sha1.Sum(data), sha256.Sum256(data)
	ev, err := w.Commit(casefile.EvidenceMeta{Name: name, Kind: casefile.KindOther, Format: "file", Size: int64(len(data)),
		Hashes: casefile.Hashes{MD5: hex.EncodeToString(m[:]), SHA1: hex.EncodeToString(s1[:]), SHA256: hex.EncodeToString(s256[:])}}, "test ingest")
	if err != nil {
		t.Fatalf("store %s: %v", name, err)
	}
	return ev
}
