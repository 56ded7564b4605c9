package casefile

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// pageSize is 64 KiB: evidence chunks of about 1 MiB span few overflow pages.
const pageSize = 65536

// mmapSize is how much of the file SQLite maps for reading (SQLite caps it
// at its compile-time maximum, 2 GiB by default).
const mmapSize = 1 << 40

// openDB opens the SQLite file at path on a single connection with the case
// file's pragmas applied and checked, and takes the exclusive lock that
// keeps other processes out until Close. With create the file may be empty.
func openDB(ctx context.Context, path string, create bool) (*sql.DB, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	// mode=rw: never create a missing file when opening (a typo must not
	// leave an empty database behind).
	dsn := (&url.URL{Scheme: "file", Path: abs, RawQuery: "mode=rw"}).String()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	// Pragmas are per connection and the exclusive lock belongs to one
	// connection: keep exactly one, forever.
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	if err := applyPragmas(ctx, db, create); err != nil {
		db.Close()
		return nil, mapSQLiteError(err)
	}
	return db, nil
}

func applyPragmas(ctx context.Context, db *sql.DB, create bool) error {
	check := func(pragma, want string) error {
		var got string
		if err := db.QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got); err != nil {
			return fmt.Errorf("PRAGMA %s: %w", pragma, err)
		}
		if want != "" && got != want {
			return fmt.Errorf("PRAGMA %s returned %q, want %q", pragma, got, want)
		}
		return nil
	}
	exec := func(pragma string) error {
		if _, err := db.ExecContext(ctx, "PRAGMA "+pragma); err != nil {
			return fmt.Errorf("PRAGMA %s: %w", pragma, err)
		}
		return nil
	}
	// Fail at once instead of waiting when another process holds the lock.
	if err := exec("busy_timeout=0"); err != nil {
		return err
	}
	// Exclusive before the first read: the lock is held until Close, a
	// second process gets SQLITE_BUSY, and WAL keeps its index in heap
	// memory (no -shm file).
	if err := check("locking_mode=EXCLUSIVE", "exclusive"); err != nil {
		return err
	}
	if create {
		// Must run before journal_mode=WAL: a WAL database cannot change its
		// page size, and modernc applies DSN pragmas alphabetically, so this
		// is an Exec, not a DSN parameter.
		if err := exec(fmt.Sprintf("page_size=%d", pageSize)); err != nil {
			return err
		}
		// Free pages can be given back to the file system (an aborted
		// multi-GiB ingest must not leave the file that large). Only
		// settable before the first table exists.
		if err := exec("auto_vacuum=INCREMENTAL"); err != nil {
			return err
		}
		if err := check("auto_vacuum", "2"); err != nil {
			return err
		}
	}
	// WAL: readers never block the writer and a crash never leaves a
	// half-written page in the main file.
	if err := check("journal_mode=WAL", "wal"); err != nil {
		return err
	}
	if create {
		if err := check("page_size", fmt.Sprint(pageSize)); err != nil {
			return err
		}
	}
	// NORMAL is corruption-safe in WAL mode; commits that must survive power
	// loss (case creation, an evidence item's final commit, the bulk writes
	// in rollback-journal mode) run with FULL (see Case.durable, enterBulk).
	if err := exec("synchronous=NORMAL"); err != nil {
		return err
	}
	if err := check("synchronous", "1"); err != nil {
		return err
	}
	// Read the file through a memory map: an evidence chunk is 16 overflow
	// pages, and one pread each was a third of fs cat's time. Only sealed
	// (encrypted) pages are mapped; writes still go through the WAL.
	if err := exec(fmt.Sprintf("mmap_size=%d", mmapSize)); err != nil {
		return err
	}
	// Temporary tables and sort spills stay in memory: nothing decrypted
	// may reach a temp file.
	if err := exec("temp_store=MEMORY"); err != nil {
		return err
	}
	if err := check("temp_store", "2"); err != nil {
		return err
	}
	// Deleted content is overwritten with zeros, not left in free pages.
	if err := check("secure_delete=ON", "1"); err != nil {
		return err
	}
	if err := exec("foreign_keys=ON"); err != nil {
		return err
	}
	if err := check("foreign_keys", "1"); err != nil {
		return err
	}
	// Take the exclusive lock now, so "open elsewhere" is reported at open
	// and not at the first write. An empty write transaction changes nothing.
	if _, err := db.ExecContext(ctx, "BEGIN IMMEDIATE; COMMIT"); err != nil {
		return fmt.Errorf("lock: %w", err)
	}
	return nil
}

// openImmutable opens a case that cannot be written (read-only media) for
// reading only, with SQLite's immutable flag: no locking and no journal.
// Only valid for a file nothing changes meanwhile, and only for keyless
// verification, which writes nothing.
func openImmutable(ctx context.Context, path string) (*sql.DB, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	dsn := (&url.URL{Scheme: "file", Path: abs, RawQuery: "mode=ro&immutable=1"}).String()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, "PRAGMA temp_store=MEMORY"); err != nil {
		db.Close()
		return nil, mapSQLiteError(err)
	}
	return db, nil
}

// mapSQLiteError turns SQLite result codes a person can act on into this
// package's sentinels, keeping the original error in the chain.
func mapSQLiteError(err error) error {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return err
	}
	switch se.Code() & 0xff {
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
		return fmt.Errorf("%w (%v)", ErrCaseLocked, err)
	case sqlite3.SQLITE_NOTADB:
		return fmt.Errorf("%w (%v)", ErrNotACase, err)
	case sqlite3.SQLITE_CORRUPT:
		return fmt.Errorf("%w (%v)", ErrCorrupt, err)
	case sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PERM:
		return fmt.Errorf("%w (%v)", ErrReadOnly, err)
	case sqlite3.SQLITE_FULL:
		return fmt.Errorf("%w (%v)", ErrDiskFull, err)
	}
	return err
}
