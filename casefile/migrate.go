package casefile

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// migration is one embedded SQL script, named NNNN_name.sql.
type migration struct {
	version int
	name    string
	sql     string
}

// migrations returns the embedded scripts in order. Their numbers must run
// 1, 2, 3… without gaps, and the last one must be FormatVersion.
func migrations() ([]migration, error) {
	entries, err := migrationFS.ReadDir("migrations")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, e := range entries {
		num, name, ok := strings.Cut(strings.TrimSuffix(e.Name(), ".sql"), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: name must be NNNN_name.sql", e.Name())
		}
		b, err := migrationFS.ReadFile(path.Join("migrations", e.Name()))
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: name, sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %d (%s): numbers must run 1, 2, 3… without gaps", m.version, m.name)
		}
	}
	if len(ms) != FormatVersion {
		return nil, fmt.Errorf("last migration is %d but FormatVersion is %d", len(ms), FormatVersion)
	}
	return ms, nil
}

// schemaVersion returns the highest applied migration, 0 for an empty database.
func schemaVersion(ctx context.Context, db *sql.DB) (int, error) {
	var n int
	err := db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'`).Scan(&n)
	if err != nil || n == 0 {
		return 0, err
	}
	var v sql.NullInt64
	if err := db.QueryRowContext(ctx, `SELECT max(version) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, err
	}
	return int(v.Int64), nil
}

// migrate applies every embedded migration above the current version, each
// in its own transaction together with its record in schema_migrations and
// PRAGMA user_version.
func migrate(ctx context.Context, db *sql.DB) error { return migrateTo(ctx, db, FormatVersion) }

// migrateTo is migrate up to format version to (at most FormatVersion).
func migrateTo(ctx context.Context, db *sql.DB, to int) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	cur, err := schemaVersion(ctx, db)
	if err != nil {
		return fmt.Errorf("read format version: %w", err)
	}
	if cur > FormatVersion {
		return fmt.Errorf("%w: the case is format version %d, this Custodia reads up to %d", ErrNewerFormat, cur, FormatVersion)
	}
	for _, m := range ms[cur:max(cur, min(to, FormatVersion))] {
		if err := applyMigration(ctx, db, m); err != nil {
			return fmt.Errorf("migration %d (%s): %w", m.version, m.name, err)
		}
	}
	return nil
}

func applyMigration(ctx context.Context, db *sql.DB, m migration) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := applyMigrationTx(ctx, tx, m); err != nil {
		return err
	}
	return tx.Commit()
}

// applyMigrationTx applies m inside tx, with its record and user_version.
func applyMigrationTx(ctx context.Context, tx *sql.Tx, m migration) error {
	stmts := []string{
		`CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL) STRICT`,
		m.sql,
		fmt.Sprintf(`PRAGMA user_version = %d`, m.version),
	}
	for _, s := range stmts {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			return err
		}
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name) VALUES (?, ?)`, m.version, m.name)
	return err
}

// hasTablesOf reports whether the file holds the tables of format version
// v: an older file is upgraded only when it is first written to, so until
// then the tables of later versions do not exist and read as empty.
func (c *Case) hasTablesOf(v int) bool { return c.info.FormatVersion >= v }

// upgradeBeforeWrite upgrades a file of an older format before the first
// write through this handle: a case is migrated only when a person changes
// it, never by opening, reading or verifying it. The caller holds c.mu and
// is outside any transaction.
func (c *Case) upgradeBeforeWrite(ctx context.Context) error {
	from := c.info.FormatVersion
	if from >= FormatVersion || c.upgrading {
		return nil
	}
	c.upgrading = true
	defer func() { c.upgrading = false }()
	if err := c.upgrade(ctx, from); err != nil {
		return fmt.Errorf("upgrade the case from format version %d to %d: %w", from, FormatVersion, err)
	}
	c.info.FormatVersion = FormatVersion
	return nil
}

// upgrade applies the pending migrations of an opened case. All but the
// last run in their own transactions; the last commits together with the
// case.format-upgraded custody entry, so an upgraded file always has its
// entry (a crash before the last one leaves an intermediate version that the
// next open continues from).
func (c *Case) upgrade(ctx context.Context, from int) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	pending := ms[from:]
	for _, m := range pending[:len(pending)-1] {
		if err := applyMigration(ctx, c.db, m); err != nil {
			return fmt.Errorf("migration %d (%s): %w", m.version, m.name, err)
		}
	}
	last := pending[len(pending)-1]
	return c.change(ctx, c.now(), func(tx *sql.Tx) (Event, error) {
		if err := applyMigrationTx(ctx, tx, last); err != nil {
			return Event{}, fmt.Errorf("migration %d (%s): %w", last.version, last.name, err)
		}
		return Event{Action: ActionFormatUpgraded, Target: Target{Type: TargetCase, ID: c.id.String()},
			Reason:  "first change by a newer Custodia",
			Details: map[string]string{"from": fmt.Sprint(from), "to": fmt.Sprint(last.version)}}, nil
	})
}
