package casefile

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
)

// Case is an open, unlocked case file. It holds the exclusive lock on the
// file until Close. Its methods are safe for concurrent use.
type Case struct {
	mu sync.Mutex
	// exception is, during a change, whether the actor may manage
	// examiners by the exception to the matrix as the case stood before
	// the change (exceptionBefore); nil outside a change.
	exception *bool
	path      string
	db        *sql.DB
	id        uuid.UUID
	mk        []byte
	rec       *sealer // records subkey
	led       *sealer // ledger subkey
	clock     func() time.Time
	kdf       KDFParams
	slot      int
	info      Info
	closed    bool

	bulk       int                // evidence writers in progress (rollback journal while > 0)
	bulkCache  pageCache          // recycles the page cache of bulk writes (Linux)
	cleanupErr error              // why discarding an interrupted ingest failed at open, if it did
	suspect    error              // set when the ledger failed verification: every change is refused
	upgrading  bool               // upgradeBeforeWrite is running
	actor      Examiner           // who acts through this handle
	role       Role               // the role recorded in entries
	signer     ed25519.PrivateKey // actor's signing key
	headSeq    int64
	headHash   Digest
	entries    []CustodyEntry // decrypted ledger, loaded on first use
}

// now returns the clock's time in UTC, truncated to milliseconds: the
// precision every stored time has.
func (o Options) now() time.Time {
	t := time.Now()
	if o.Clock != nil {
		t = o.Clock()
	}
	return t.UTC().Truncate(time.Millisecond)
}

// Create makes a new case file at path, protected by passphrase in key slot
// 1. It never overwrites an existing file. On failure nothing is left at path.
func Create(path string, passphrase []byte, nc NewCase, opts Options) (c *Case, err error) {
	defer func() {
		if err != nil {
			err = fmt.Errorf("create case %s: %w", path, err)
		}
	}()
	if err := nc.Validate(); err != nil {
		return nil, err
	}
	if len(passphrase) == 0 {
		return nil, ErrEmptyPassphrase
	}
	kdf := opts.KDF.orDefault()
	if err := kdf.checkWrite(); err != nil {
		return nil, err
	}
	// Claim the name atomically; 0600 because the file is nobody else's business.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		switch {
		case errors.Is(err, fs.ErrExist):
			return nil, fmt.Errorf("%w: %s", ErrExists, path)
		case errors.Is(err, fs.ErrPermission):
			return nil, fmt.Errorf("%w: %v", ErrReadOnly, err)
		}
		return nil, err
	}
	f.Close()
	defer func() {
		if err != nil {
			removeCaseFiles(path)
		}
	}()

	ctx := context.Background()
	db, err := openDB(ctx, path, true)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			db.Close()
		}
	}()
	if err := migrate(ctx, db); err != nil {
		return nil, mapSQLiteError(err)
	}
	c = &Case{path: path, db: db, id: uuid.New(), clock: opts.Clock, kdf: kdf}
	creator := NewExaminer{Name: nc.Examiner, Roles: nc.ExaminerRoles, Contact: nc.ExaminerContact}
	if len(creator.Roles) == 0 {
		creator.Roles = slices.Clone(DefaultCreatorRoles)
	}
	if err := creator.Validate(); err != nil {
		return nil, err
	}
	c.mk = make([]byte, masterKeyLen)
	if _, err := rand.Read(c.mk); err != nil {
		return nil, err
	}
	if err := c.deriveKeys(); err != nil {
		return nil, err
	}
	now := c.now()
	c.info = Info{
		Title: nc.Title, CaseNumber: nc.CaseNumber, Examiner: nc.Examiner, Description: nc.Description,
		Created: now, CaseUUID: c.id, FormatVersion: FormatVersion,
	}
	err = c.durable(func() error {
		return c.update(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA application_id = %d`, ApplicationID)); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO case_header (id, case_uuid, format_tag) VALUES (1, ?, ?)`, c.id.String(), FormatTag); err != nil {
				return err
			}
			ex, slot, seed, err := c.insertExaminer(ctx, tx, creator, SlotPassphrase, passphrase, now)
			if err != nil {
				return err
			}
			defer clear(seed)
			c.slot = slot
			if err := c.setActor(ex, opts.Role, seed); err != nil {
				return err
			}
			if err := c.insertInfo(ctx, tx); err != nil {
				return err
			}
			// Entry 1 of the custody ledger, in the same transaction.
			_, err = c.appendEntry(ctx, tx, Event{Action: ActionCaseCreated, Target: Target{Type: TargetCase, ID: c.id.String()},
				Reason: nc.Reason, Details: map[string]string{"title": nc.Title, "case_number": nc.CaseNumber, "format_version": fmt.Sprint(FormatVersion)}}, now)
			return err
		})
	})
	if err != nil {
		return nil, mapSQLiteError(err)
	}
	if err := c.loadHead(ctx); err != nil {
		return nil, err
	}
	// Checkpoint at once so the main file carries the Custodia header even
	// if the process dies before Close.
	if err := checkpoint(ctx, db); err != nil {
		return nil, err
	}
	return c, nil
}

func removeCaseFiles(path string) {
	for _, p := range []string{path, path + "-wal", path + "-shm", path + "-journal"} {
		os.Remove(p)
	}
}

func (c *Case) insertInfo(ctx context.Context, tx *sql.Tx) error {
	row := uuid.New().String()
	cols := []struct{ name, value string }{
		{"title", c.info.Title},
		{"case_number", c.info.CaseNumber},
		{"examiner", c.info.Examiner},
		{"description", c.info.Description},
		{"created", formatTime(c.info.Created)},
	}
	vals := make([]any, 0, len(cols)+1)
	vals = append(vals, row)
	for _, col := range cols {
		s, err := c.rec.sealString("case_info", row, col.name, col.value)
		if err != nil {
			return err
		}
		vals = append(vals, s)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO case_info (row_uuid, title, case_number, examiner, description, created)
		VALUES (?, ?, ?, ?, ?, ?)`, vals...)
	return err
}

// Open unlocks the case file at path with passphrase (or a recovery key).
// A failed Open leaves the file's bytes unchanged.
func Open(path string, passphrase []byte, opts Options) (c *Case, err error) {
	defer func() {
		if err != nil {
			err = fmt.Errorf("open case %s: %w", path, err)
		}
	}()
	if len(passphrase) == 0 {
		return nil, ErrEmptyPassphrase
	}
	if err := inspectFile(path); err != nil {
		return nil, err
	}
	if err := checkWritable(path); err != nil {
		return nil, err
	}
	ctx := context.Background()
	db, err := openDB(ctx, path, false)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			db.Close()
		}
	}()
	c = &Case{path: path, db: db, clock: opts.Clock, kdf: opts.KDF.orDefault()}
	if err := c.load(ctx, passphrase, opts); err != nil {
		return nil, mapSQLiteError(err)
	}
	return c, nil
}

func (c *Case) load(ctx context.Context, passphrase []byte, opts Options) error {
	ver, err := schemaVersion(ctx, c.db)
	if err != nil {
		return fmt.Errorf("read format version: %w", err)
	}
	if ver == 0 {
		return fmt.Errorf("%w: no schema", ErrNotACase)
	}
	if ver > FormatVersion {
		return fmt.Errorf("%w: the case is format version %d, this Custodia reads up to %d", ErrNewerFormat, ver, FormatVersion)
	}
	var userVersion int
	if err := c.db.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&userVersion); err != nil {
		return err
	}
	if userVersion != ver {
		return fmt.Errorf("%w: the header says format version %d, the migration record %d", ErrCorrupt, userVersion, ver)
	}
	var id, tag string
	if err := c.db.QueryRowContext(ctx, `SELECT case_uuid, format_tag FROM case_header WHERE id = 1`).Scan(&id, &tag); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w: the case header is missing", ErrCorrupt)
		}
		return fmt.Errorf("read case header: %w", err)
	}
	if tag != FormatTag {
		return fmt.Errorf("%w: format tag %q, want %q", ErrNotACase, tag, FormatTag)
	}
	// The stored text must be the canonical form, or a header edited into
	// another spelling of the same UUID would open with the same AAD
	// (docs/FORMAT.md 4.3).
	if c.id, err = parseStoredUUID(id); err != nil {
		return fmt.Errorf("%w: case header: %v", ErrCorrupt, err)
	}
	payload, slot, err := unlock(ctx, c.db, c.id, passphrase)
	if err != nil {
		return err
	}
	defer clear(payload.seed)
	c.mk, c.slot = payload.mk, slot.id
	if err := c.deriveKeys(); err != nil {
		return err
	}
	if err := c.loadInfo(ctx, ver); err != nil {
		return err
	}
	// Examiners and key slots are unsealed at open, so tampering there is
	// reported now rather than on first listing.
	exs, err := c.readExaminers(ctx, c.db)
	if err != nil {
		return err
	}
	if _, err := c.keySlots(ctx); err != nil {
		return err
	}
	var actor *Examiner
	for i := range exs {
		if exs[i].ID == slot.examiner {
			actor = &exs[i]
		}
	}
	if actor == nil {
		return fmt.Errorf("%w: key slot %d belongs to no examiner", ErrCorrupt, slot.id)
	}
	if opts.Examiner != "" && !strings.EqualFold(strings.TrimSpace(opts.Examiner), strings.TrimSpace(actor.Name)) {
		return ErrNotThisExaminer.Errorf("it opens the key slot of %q, not of %q", actor.Name, opts.Examiner)
	}
	if err := c.setActor(*actor, opts.Role, payload.seed); err != nil {
		return err
	}
	if err := c.loadHead(ctx); err != nil {
		return err
	}
	// An older format is upgraded only when something is written (see
	// upgradeBeforeWrite): opening, reading and verifying leave the file
	// exactly as it was. The tables of later formats read as empty until then.
	//
	// A killed ingest left a half item behind: delete it, on the record. If
	// that fails (a full disk), the case still opens — the half item is
	// invisible — and the next open tries again.
	c.cleanupErr = c.discardIncomplete(ctx)
	return nil
}

func (c *Case) deriveKeys() error {
	k, err := deriveSubkey(c.mk, c.id, purposeRecords)
	if err != nil {
		return err
	}
	if c.rec, err = newSealer(k, c.id); err != nil {
		return err
	}
	if k, err = deriveSubkey(c.mk, c.id, purposeLedger); err != nil {
		return err
	}
	c.led, err = newSealer(k, c.id)
	return err
}

// setActor makes ex the acting examiner with the signing key from seed,
// after checking the key is the one on record, and picks the acting role.
func (c *Case) setActor(ex Examiner, role Role, seed []byte) error {
	if len(seed) != ed25519.SeedSize {
		return fmt.Errorf("%w: no signing key for %q", ErrCorrupt, ex.Name)
	}
	key := ed25519.NewKeyFromSeed(seed)
	if !bytes.Equal(key.Public().(ed25519.PublicKey), ex.PublicKey) {
		return &AuthError{Table: "examiners", Row: ex.ID.String(), Column: "public_key"}
	}
	switch {
	case role != "" && !ex.HasRole(role):
		return invalidf("examiner %q does not hold the role %s", ex.Name, role.Title())
	case role == "" && len(ex.Roles) > 0:
		role = ex.Roles[0]
	}
	c.actor, c.role, c.signer = ex, role, key
	return nil
}

func (c *Case) loadInfo(ctx context.Context, ver int) error {
	var n int
	if err := c.db.QueryRowContext(ctx, `SELECT count(*) FROM case_info`).Scan(&n); err != nil {
		return err
	}
	if n != 1 {
		return fmt.Errorf("%w: %d case records, want exactly one", ErrCorrupt, n)
	}
	var row string
	var sealed [5][]byte
	err := c.db.QueryRowContext(ctx, `SELECT row_uuid, title, case_number, examiner, description, created FROM case_info`).
		Scan(&row, &sealed[0], &sealed[1], &sealed[2], &sealed[3], &sealed[4])
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w: the case record is missing", ErrCorrupt)
		}
		return fmt.Errorf("read case record: %w", err)
	}
	if _, err := parseStoredUUID(row); err != nil {
		return fmt.Errorf("%w: case_info row UUID: %v", ErrCorrupt, err)
	}
	names := [5]string{"title", "case_number", "examiner", "description", "created"}
	var plain [5]string
	for i, name := range names {
		if plain[i], err = c.rec.openString("case_info", row, name, sealed[i]); err != nil {
			return err
		}
	}
	created, err := parseStoredTime(plain[4])
	if err != nil {
		return fmt.Errorf("%w: case_info/%s created: %v", ErrCorrupt, row, err)
	}
	c.info = Info{Title: plain[0], CaseNumber: plain[1], Examiner: plain[2], Description: plain[3],
		Created: created, CaseUUID: c.id, FormatVersion: ver}
	return nil
}

func (c *Case) openTime(table, row, column string, sealed []byte) (time.Time, error) {
	s, err := c.rec.openString(table, row, column, sealed)
	if err != nil {
		return time.Time{}, err
	}
	t, err := parseStoredTime(s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: %s/%s %s: %v", ErrCorrupt, table, row, column, err)
	}
	return t, nil
}

func (c *Case) now() time.Time { return Options{Clock: c.clock}.now() }

// usable reports ErrClosed after Close. The caller holds c.mu.
func (c *Case) usable() error {
	if c.closed {
		return ErrClosed
	}
	return nil
}

// Suspect returns why this case is no longer written to — its custody
// ledger failed verification through this handle (an error wrapping
// ErrSuspect) — or nil. Reads still work.
func (c *Case) Suspect() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.suspect
}

// Inspect makes the checks of a case file that need no key (docs/FORMAT.md
// 1.3): a missing file is fs.ErrNotExist, a file that is not a Custodia case
// ErrNotACase, a cut-short one ErrTruncated, a damaged header ErrCorrupt.
// It only reads. Programs call it before asking for a passphrase, so that a
// person is not asked for the key of a file that is no case.
func Inspect(path string) error {
	if err := inspectFile(path); err != nil {
		return fmt.Errorf("open case %s: %w", path, err)
	}
	return nil
}

// update runs fn in one transaction; both the change and (later) its
// custody entry commit, or neither does.
func (c *Case) update(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := c.db.BeginTx(ctx, nil)
	if err != nil {
		return mapSQLiteError(err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return mapSQLiteError(err)
	}
	return mapSQLiteError(tx.Commit())
}

// checkpoint copies the WAL into the main file and truncates the WAL.
func checkpoint(ctx context.Context, db *sql.DB) error {
	var busy, logFrames, done int
	if err := db.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &logFrames, &done); err != nil {
		return fmt.Errorf("checkpoint: %w", mapSQLiteError(err))
	}
	if busy != 0 {
		return fmt.Errorf("checkpoint: %w", ErrCaseLocked)
	}
	return nil
}

// Close checkpoints the journal into the case file, so one file remains at
// rest, releases the lock and forgets the keys. Close is idempotent.
func (c *Case) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil
	}
	c.closed = true
	var err error
	if c.bulk > 0 {
		c.bulk = 1
		err = c.leaveBulk()
	}
	if err == nil {
		err = checkpoint(context.Background(), c.db)
	}
	if cerr := c.db.Close(); err == nil {
		err = cerr
	}
	clear(c.mk)
	clear(c.signer)
	c.rec, c.led, c.signer, c.entries = nil, nil, nil, nil
	if err != nil {
		return fmt.Errorf("close case %s: %w", c.path, err)
	}
	return nil
}

// Path returns the file the case was opened from.
func (c *Case) Path() string { return c.path }

// Info returns the case record.
func (c *Case) Info() Info {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.info
}

// CleanupProblem returns why an interrupted ingest found at open could
// not be discarded (for example a full disk), or nil. The half item is
// invisible either way; the next open tries again.
func (c *Case) CleanupProblem() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cleanupErr
}

// durable runs fn with synchronous=FULL, for commits that must survive a
// power loss (case creation, an evidence item's final commit); the rest
// of the time NORMAL keeps WAL commits fast and the file consistent.
// The caller holds c.mu and is outside any transaction.
func (c *Case) durable(fn func() error) error {
	if _, err := c.db.Exec(`PRAGMA synchronous=FULL`); err != nil {
		return mapSQLiteError(err)
	}
	err := fn()
	if c.bulk > 0 {
		return err // bulk writing keeps FULL until it ends
	}
	if _, serr := c.db.Exec(`PRAGMA synchronous=NORMAL`); err == nil && serr != nil {
		err = mapSQLiteError(serr)
	}
	return err
}

// UnlockedSlot returns the id of the key slot whose secret opened the case.
func (c *Case) UnlockedSlot() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.slot
}
