package casefile

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"
)

// BenchmarkUnlockDefaultKDF measures one Argon2id derivation at the
// production parameters: the floor of every open and of every wrong guess.
func BenchmarkUnlockDefaultKDF(b *testing.B) {
	salt := make([]byte, saltLen)
	for b.Loop() {
		deriveKEK([]byte(testPass), salt, DefaultKDF)
	}
}

// BenchmarkCreate measures creating a case at the production KDF cost.
func BenchmarkCreate(b *testing.B) {
	dir := b.TempDir()
	i := 0
	for b.Loop() {
		i++
		c, err := Create(filepath.Join(dir, fmt.Sprintf("c%d.custodia", i)), []byte(testPass), testCase, Options{})
		if err != nil {
			b.Fatal(err)
		}
		c.Close()
	}
}

// BenchmarkOpen measures opening a case at the production KDF cost.
func BenchmarkOpen(b *testing.B) {
	path := filepath.Join(b.TempDir(), "c.custodia")
	c, err := Create(path, []byte(testPass), testCase, Options{})
	if err != nil {
		b.Fatal(err)
	}
	c.Close()
	for b.Loop() {
		c, err := Open(path, []byte(testPass), Options{})
		if err != nil {
			b.Fatal(err)
		}
		c.Close()
	}
}

// BenchmarkOpenBeyondKDF measures everything Open does except the key
// derivation (header checks, pragmas, lock, unsealing, close): the bar is
// well under one second.
func BenchmarkOpenBeyondKDF(b *testing.B) {
	path := filepath.Join(b.TempDir(), "c.custodia")
	c, err := Create(path, []byte(testPass), testCase, TestOptions())
	if err != nil {
		b.Fatal(err)
	}
	c.Close()
	for b.Loop() {
		c, err := Open(path, []byte(testPass), TestOptions())
		if err != nil {
			b.Fatal(err)
		}
		c.Close()
	}
}

// benchRecords writes n sealed 512-byte records into a scratch table in
// transactions of 1000 and returns the handle.
func benchCase(b *testing.B) *Case {
	path := filepath.Join(b.TempDir(), "c.custodia")
	c, err := Create(path, []byte(testPass), testCase, TestOptions())
	if err != nil {
		b.Fatal(err)
	}
	if _, err := c.db.Exec(`CREATE TABLE bench (row_uuid TEXT PRIMARY KEY, body BLOB NOT NULL) STRICT`); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Close() })
	return c
}

const benchRecordSize = 512

func writeRecords(b *testing.B, c *Case, n int) {
	ctx := context.Background()
	body := make([]byte, benchRecordSize)
	rand.Read(body)
	for done := 0; done < n; {
		batch := min(1000, n-done)
		err := c.update(ctx, func(tx *sql.Tx) error {
			stmt, err := tx.PrepareContext(ctx, `INSERT INTO bench (row_uuid, body) VALUES (?, ?)`)
			if err != nil {
				return err
			}
			defer stmt.Close()
			for range batch {
				row := uuid.New().String()
				s, err := c.rec.seal("bench", row, "body", body)
				if err != nil {
					return err
				}
				if _, err := stmt.ExecContext(ctx, row, s); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		done += batch
	}
}

// BenchmarkSealedRecordWrite measures sealing and storing 512-byte records.
func BenchmarkSealedRecordWrite(b *testing.B) {
	c := benchCase(b)
	b.SetBytes(benchRecordSize)
	b.ResetTimer()
	writeRecords(b, c, b.N)
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkSealedRecordRead measures reading and unsealing 512-byte records.
func BenchmarkSealedRecordRead(b *testing.B) {
	c := benchCase(b)
	const n = 20000
	writeRecords(b, c, n)
	b.SetBytes(benchRecordSize)
	b.ResetTimer()
	start := time.Now()
	read := 0
	for read < b.N {
		rows, err := c.db.Query(`SELECT row_uuid, body FROM bench`)
		if err != nil {
			b.Fatal(err)
		}
		for rows.Next() && read < b.N {
			var row string
			var body []byte
			if err := rows.Scan(&row, &body); err != nil {
				b.Fatal(err)
			}
			if _, err := c.rec.open("bench", row, "body", body); err != nil {
				b.Fatal(err)
			}
			read++
		}
		rows.Close()
	}
	b.ReportMetric(float64(read)/time.Since(start).Seconds(), "records/s")
}
