package casefile

import (
	"errors"
	"fmt"
)

// Sentinel errors returned (wrapped) by this package. Test with errors.Is.
var (
	// ErrWrongPassphrase means no key slot of the case opens with the given passphrase.
	ErrWrongPassphrase = NewKind("casefile", "wrong passphrase",
		"check the passphrase (it is case-sensitive), or use another key slot's passphrase or the recovery key")
	// ErrEmptyPassphrase means an empty passphrase was given; case files never accept one.
	ErrEmptyPassphrase = NewKind("casefile", "passphrase is empty",
		"choose a non-empty passphrase; a long sentence is easier to remember and harder to guess")
	// ErrNotACase means the file is not a Custodia case file.
	ErrNotACase = NewKind("casefile", "not a Custodia case file",
		"choose a file created by Custodia (extension .custodia)")
	// ErrTruncated means the case file is shorter than its own header says.
	ErrTruncated = NewKind("casefile", "case file is truncated",
		"the file was cut short or damaged, e.g. by an interrupted copy; restore it from a backup and keep this copy for examination")
	// ErrCorrupt means SQLite found the case file's structure damaged.
	ErrCorrupt = NewKind("casefile", "case file is damaged",
		"the file was cut short or damaged, e.g. by an interrupted copy; restore it from a backup and keep this copy for examination")
	// ErrCaseLocked means another process has the case open.
	ErrCaseLocked = NewKind("casefile", "case is open elsewhere",
		"close the case in the other Custodia window or process, then try again")
	// ErrNewerFormat means the case was written by a newer Custodia with a format this build cannot read.
	ErrNewerFormat = NewKind("casefile", "case format is newer than this Custodia",
		"open the case with a newer version of Custodia")
	// ErrExists means Create was asked to write over an existing file.
	ErrExists = NewKind("casefile", "file already exists",
		"choose a new file name; Custodia never overwrites an existing file")
	// ErrInvalid means a required field is missing or a value is out of range.
	ErrInvalid = &Kind{pkg: "casefile", text: "invalid input", input: true,
		hint: "correct the value the message names, then try again"}
	// ErrLastKeySlot means the caller tried to remove the only key slot of a case.
	ErrLastKeySlot = NewKind("casefile", "cannot remove the last key slot",
		"add another key slot first; a case always keeps at least one")
	// ErrNoSuchKeySlot means the key slot id does not exist in the case.
	ErrNoSuchKeySlot = NewKind("casefile", "no such key slot",
		"list the key slots with 'custodiactl keyslot list' and use one of those ids")
	// ErrAuthFailed is matched by every *AuthError.
	ErrAuthFailed = NewKind("casefile", "sealed record failed authentication",
		"the case file was modified outside Custodia; preserve this copy, restore from a backup and compare with the last report's custody head hash")
	// ErrSuspect means a change was refused because the case's custody
	// ledger failed verification: nothing more is written into it.
	ErrSuspect = NewKind("casefile", "the case failed verification",
		"preserve this file as it is for examination; work on a copy restored from a backup, and compare its head with the one printed in the last report or export")
	// ErrClosed means the case was used after Close.
	ErrClosed = NewKind("casefile", "case is closed",
		"")
	// ErrWeakKDF means KDF parameters below the production minimum were used outside tests.
	ErrWeakKDF = NewKind("casefile", "key derivation parameters are below the minimum",
		"the low-cost key derivation exists for tests only")
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
// nothing useful can be said: the hint of the first error in err's chain
// that has one (a *Kind, an *Error of a kind, or a typed error such as
// *AuthError).
func Hint(err error) string {
	if h, ok := errors.AsType[interface {
		error
		Hint() string
	}](err); ok {
		return h.Hint()
	}
	return ""
}

// Hint says what to do about a sealed value that failed authentication.
func (e *AuthError) Hint() string { return ErrAuthFailed.Hint() }

// PersonMessage says which record failed authentication.
func (e *AuthError) PersonMessage() string {
	return fmt.Sprintf("sealed record %s/%s column %s failed authentication (tampered, damaged or moved from another record)", e.Table, e.Row, e.Column)
}

// More sentinels for conditions of the file system.
var (
	// ErrReadOnly means the case file or its folder cannot be written.
	ErrReadOnly = NewKind("casefile", "case file or its folder is not writable",
		"Custodia writes a journal beside the case file: copy the case into a folder you can write to, or fix the permissions")
	// ErrDiskFull means the disk holding the case filled up.
	ErrDiskFull = NewKind("casefile", "disk full",
		"free space on the disk holding the case, then retry; nothing was half-written")
)

// Hint says what to do about a damaged evidence chunk.
func (e *ChunkError) Hint() string { return ErrAuthFailed.Hint() }

// Hint says what to do about a ledger that does not verify.
func (p *LedgerProblem) Hint() string { return ErrLedgerBroken.Hint() }
