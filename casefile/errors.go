package casefile

import (
	"errors"
	"fmt"
)

// Sentinel errors returned (wrapped) by this package. Test with errors.Is.
var (
	// ErrWrongPassphrase means no key slot of the case opens with the given passphrase.
	ErrWrongPassphrase = errors.New("casefile: wrong passphrase")
	// ErrEmptyPassphrase means an empty passphrase was given; case files never accept one.
	ErrEmptyPassphrase = errors.New("casefile: passphrase is empty")
	// ErrNotACase means the file is not a Custodia case file.
	ErrNotACase = errors.New("casefile: not a Custodia case file")
	// ErrTruncated means the case file is shorter than its own header says.
	ErrTruncated = errors.New("casefile: case file is truncated")
	// ErrCorrupt means SQLite found the case file's structure damaged.
	ErrCorrupt = errors.New("casefile: case file is damaged")
	// ErrCaseLocked means another process has the case open.
	ErrCaseLocked = errors.New("casefile: case is open elsewhere")
	// ErrNewerFormat means the case was written by a newer Custodia with a format this build cannot read.
	ErrNewerFormat = errors.New("casefile: case format is newer than this Custodia")
	// ErrExists means Create was asked to write over an existing file.
	ErrExists = errors.New("casefile: file already exists")
	// ErrInvalid means a required field is missing or a value is out of range.
	ErrInvalid = errors.New("casefile: invalid input")
	// ErrLastKeySlot means the caller tried to remove the only key slot of a case.
	ErrLastKeySlot = errors.New("casefile: cannot remove the last key slot")
	// ErrNoSuchKeySlot means the key slot id does not exist in the case.
	ErrNoSuchKeySlot = errors.New("casefile: no such key slot")
	// ErrAuthFailed is matched by every *AuthError.
	ErrAuthFailed = errors.New("casefile: sealed record failed authentication")
	// ErrClosed means the case was used after Close.
	ErrClosed = errors.New("casefile: case is closed")
	// ErrWeakKDF means KDF parameters below the production minimum were used outside tests.
	ErrWeakKDF = errors.New("casefile: key derivation parameters are below the minimum")
)

// AuthError reports a sealed value that failed authentication: it was
// changed on disk, copied from another row, column, table or case, or is
// damaged. It names the exact record so an examiner can say which one.
type AuthError struct {
	Table  string // SQL table holding the value
	Row    string // row UUID; decimal sequence number for custody_ledger; "1" for ledger_head
	Column string // column holding the sealed value
}

func (e *AuthError) Error() string {
	return fmt.Sprintf("casefile: sealed record %s/%s column %s failed authentication (tampered, damaged or moved from another record)", e.Table, e.Row, e.Column)
}

// Is makes errors.Is(err, ErrAuthFailed) true for every *AuthError.
func (e *AuthError) Is(target error) bool { return target == ErrAuthFailed }

// Hint returns a sentence telling a person what to do about err, or "" when
// the package has nothing useful to add.
func Hint(err error) string {
	switch {
	case errors.Is(err, ErrWrongPassphrase):
		return "check the passphrase (it is case-sensitive), or use another key slot's passphrase or the recovery key"
	case errors.Is(err, ErrEmptyPassphrase):
		return "choose a non-empty passphrase; a long sentence is easier to remember and harder to guess"
	case errors.Is(err, ErrNotACase):
		return "choose a file created by Custodia (extension .custodia)"
	case errors.Is(err, ErrTruncated), errors.Is(err, ErrCorrupt):
		return "the file was cut short or damaged, e.g. by an interrupted copy; restore it from a backup and keep this copy for examination"
	case errors.Is(err, ErrCaseLocked):
		return "close the case in the other Custodia window or process, then try again"
	case errors.Is(err, ErrNewerFormat):
		return "open the case with a newer version of Custodia"
	case errors.Is(err, ErrExists):
		return "choose a new file name; Custodia never overwrites an existing file"
	case errors.Is(err, ErrLastKeySlot):
		return "add another key slot first; a case always keeps at least one"
	case errors.Is(err, ErrNoSuchKeySlot):
		return "list the key slots with 'custodiactl keyslot list' and use one of those ids"
	case errors.Is(err, ErrReadOnly):
		return "Custodia writes a journal beside the case file: copy the case into a folder you can write to, or fix the permissions"
	case errors.Is(err, ErrDiskFull):
		return "free space on the disk holding the case, then retry; nothing was half-written"
	case errors.Is(err, ErrWeakKDF):
		return "the low-cost key derivation exists for tests only"
	case errors.Is(err, ErrNotThisExaminer):
		return "each examiner has their own passphrase, and it decides who signs the custody record: use your own passphrase, or leave the examiner name empty"
	case errors.Is(err, ErrUnknownExaminer):
		return "list the examiners with 'custodiactl examiner list', or add one with 'custodiactl examiner add'"
	case errors.Is(err, ErrLedgerBroken):
		return "the case file was changed outside Custodia: preserve this copy, compare its head with the one printed in the last report or export, and restore from a backup"
	case errors.Is(err, ErrNoSuchEvidence):
		return "list the items with 'custodiactl evidence list' and use one of those ids (a unique prefix of 4 or more characters is enough)"
	case errors.Is(err, ErrChunkMismatch):
		return "a chunk did not read back identical right after it was written: check the disk and memory of this machine, then ingest again"
	case errors.Is(err, ErrGuard):
		return "do what each failed guard names, then move the incident again"
	case errors.Is(err, ErrIncidentClosed):
		return "reopen the incident with a reason first; the post-mortem, repair items and notification stay editable after closing"
	case errors.Is(err, ErrExerciseIncident):
		return "an exercise (red team, tabletop) is not a security incident: clear the exercise mark with a reason, or open a separate case for the real incident"
	case errors.Is(err, ErrNoSuchFinding), errors.Is(err, ErrNoSuchIndicator), errors.Is(err, ErrNoSuchRepairItem):
		return "list them first and use one of the ids shown"
	case errors.Is(err, ErrInvalid):
		return "correct the value the message names, then try again"
	case errors.Is(err, ErrAuthFailed):
		return "the case file was modified outside Custodia; preserve this copy, restore from a backup and compare with the last report's custody head hash"
	}
	return ""
}

// More sentinels for conditions of the file system.
var (
	// ErrReadOnly means the case file or its folder cannot be written.
	ErrReadOnly = errors.New("casefile: case file or its folder is not writable")
	// ErrDiskFull means the disk holding the case filled up.
	ErrDiskFull = errors.New("casefile: disk full")
)
