// Package casefile implements the Custodia case file: one SQLite database in
// which every domain record is sealed with XChaCha20-Poly1305 under keys that
// only a passphrase (or recovery key) unlocks.
//
// Terms used throughout the package:
//
//   - Case: an open, unlocked case file (type Case).
//   - Master key (MK): 32 random bytes per case, never stored in clear.
//   - Key slot: the master key wrapped under a key derived with Argon2id from
//     one passphrase or recovery key, with the derivation parameters stored
//     beside it. Several slots let several people, or a recovery key, open
//     the same case; changing a passphrase rewraps the master key only.
//   - Subkey: a key derived from the master key with HKDF-SHA256 for one
//     purpose (records, ledger, search index, evidence key wrapping).
//   - Sealed value: a column value encrypted and authenticated with the
//     records subkey (the ledger subkey for custody_ledger and ledger_head); its additional data binds the format tag, the case
//     UUID, the table, the row UUID and the column, so a value cannot be
//     edited or moved to another row, column, table or case unnoticed.
//   - Migration: an embedded, numbered SQL script; the highest applied number
//     is the case's format version.
//
// docs/FORMAT.md specifies the on-disk format for other implementations.
package casefile
