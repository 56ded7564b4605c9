-- Format version 1: case header, examiners, key slots, case record and the
-- custody ledger. Every BLOB column marked "sealed" holds
-- version ‖ nonce ‖ XChaCha20-Poly1305 ciphertext (docs/FORMAT.md, "Sealed values").

-- One row: the case's identity. Structure only, never domain data.
CREATE TABLE case_header (
	id         INTEGER PRIMARY KEY CHECK (id = 1),
	case_uuid  TEXT NOT NULL,
	format_tag TEXT NOT NULL
) STRICT;

-- People who act on the case. The public key is in clear so that anyone can
-- check the ledger's signatures without the case key; public_key_sealed
-- binds it to the sealed identity so a substituted key is detected.
CREATE TABLE examiners (
	examiner_uuid     TEXT PRIMARY KEY,
	kind              TEXT NOT NULL CHECK (kind IN ('passphrase', 'recovery')),
	public_key        BLOB NOT NULL UNIQUE CHECK (length(public_key) = 32),
	public_key_sealed BLOB NOT NULL, -- sealed copy of public_key
	name              BLOB NOT NULL, -- sealed
	roles             BLOB NOT NULL, -- sealed, JSON array of role ids
	contact           BLOB NOT NULL, -- sealed
	created           BLOB NOT NULL  -- sealed, RFC 3339 UTC
) STRICT;

-- The master key and one examiner's signing key, wrapped under a key derived
-- from that examiner's passphrase (or a recovery key).
CREATE TABLE key_slots (
	slot_id        INTEGER PRIMARY KEY AUTOINCREMENT,
	slot_uuid      TEXT NOT NULL UNIQUE,
	examiner_uuid  TEXT NOT NULL UNIQUE REFERENCES examiners (examiner_uuid),
	kind           TEXT NOT NULL CHECK (kind IN ('passphrase', 'recovery')),
	kdf            TEXT NOT NULL CHECK (kdf = 'argon2id'),
	kdf_time       INTEGER NOT NULL,
	kdf_memory_kib INTEGER NOT NULL,
	kdf_threads    INTEGER NOT NULL,
	salt           BLOB NOT NULL,
	wrapped_key    BLOB NOT NULL, -- nonce ‖ XChaCha20-Poly1305(KEK, MK ‖ Ed25519 seed)
	created        BLOB NOT NULL  -- sealed, RFC 3339 UTC
) STRICT;

-- One row: the case record entered at creation.
CREATE TABLE case_info (
	row_uuid    TEXT PRIMARY KEY,
	title       BLOB NOT NULL, -- sealed
	case_number BLOB NOT NULL, -- sealed
	examiner    BLOB NOT NULL, -- sealed
	description BLOB NOT NULL, -- sealed
	created     BLOB NOT NULL  -- sealed, RFC 3339 UTC
) STRICT;

-- The chain of custody: append-only, hash-chained over ciphertext, signed.
-- signer is deliberately not a foreign key: a forged row naming an unknown
-- signer must reach the verifier, which reports it.
CREATE TABLE custody_ledger (
	seq        INTEGER PRIMARY KEY CHECK (seq >= 1),
	signer     TEXT NOT NULL, -- examiner UUID
	entry      BLOB NOT NULL, -- sealed with the ledger subkey, JSON
	prev_hash  BLOB NOT NULL, -- entry_hash of seq-1, or the genesis hash
	entry_hash BLOB NOT NULL, -- SHA-256(prev_hash ‖ seq as 8 bytes BE ‖ entry)
	signature  BLOB NOT NULL  -- Ed25519 over "custodia/1 custody-entry" ‖ 0x00 ‖ case UUID ‖ entry_hash
) STRICT;

-- The last entry, kept in the same transaction as every append, so deleting
-- entries at the tail is detected.
CREATE TABLE ledger_head (
	id        INTEGER PRIMARY KEY CHECK (id = 1),
	seq       INTEGER NOT NULL,
	head_hash BLOB NOT NULL,
	sealed    BLOB NOT NULL -- sealed "seq:hex(head_hash)"
) STRICT;

-- Guards against programming mistakes (not against an attacker with the
-- file, which the hash chain, signatures and ledger_head are for).
CREATE TRIGGER custody_ledger_no_update BEFORE UPDATE ON custody_ledger
BEGIN SELECT RAISE(ABORT, 'custody ledger is append-only'); END;
CREATE TRIGGER custody_ledger_no_delete BEFORE DELETE ON custody_ledger
BEGIN SELECT RAISE(ABORT, 'custody ledger is append-only'); END;
