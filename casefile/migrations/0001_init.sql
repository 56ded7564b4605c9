-- Format version 1: the case header, key slots and the case record.
-- Every BLOB column marked "sealed" holds version ‖ nonce ‖ XChaCha20-Poly1305
-- ciphertext under the records subkey (docs/FORMAT.md, "Sealed values").

-- One row: the case's identity. Structure only, never domain data.
CREATE TABLE case_header (
	id         INTEGER PRIMARY KEY CHECK (id = 1),
	case_uuid  TEXT NOT NULL,
	format_tag TEXT NOT NULL
) STRICT;

-- The master key wrapped once per passphrase or recovery key.
CREATE TABLE key_slots (
	slot_id        INTEGER PRIMARY KEY AUTOINCREMENT,
	slot_uuid      TEXT NOT NULL UNIQUE,
	kind           TEXT NOT NULL CHECK (kind IN ('passphrase', 'recovery')),
	kdf            TEXT NOT NULL CHECK (kdf = 'argon2id'),
	kdf_time       INTEGER NOT NULL,
	kdf_memory_kib INTEGER NOT NULL,
	kdf_threads    INTEGER NOT NULL,
	salt           BLOB NOT NULL,
	wrapped_key    BLOB NOT NULL, -- nonce ‖ XChaCha20-Poly1305(KEK, MK)
	label          BLOB NOT NULL, -- sealed
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
