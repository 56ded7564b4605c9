-- Format version 2: evidence items and their content chunks.

-- One row per evidence item. While an ingest runs the row is 'ingesting'
-- and invisible; Open deletes such rows left by a killed ingest.
CREATE TABLE evidence (
	evidence_id   INTEGER PRIMARY KEY,
	evidence_uuid TEXT NOT NULL UNIQUE,
	state         TEXT NOT NULL CHECK (state IN ('ingesting', 'sealed')),
	chunk_size    INTEGER NOT NULL CHECK (chunk_size > 0),
	size          INTEGER NOT NULL DEFAULT 0,  -- bytes of original content
	chunk_count   INTEGER NOT NULL DEFAULT 0,
	data_key      BLOB NOT NULL,               -- nonce ‖ XChaCha20-Poly1305(evidence-key-wrap subkey, item key)
	meta          BLOB,                        -- sealed JSON, NULL while ingesting
	verification  BLOB                         -- sealed JSON of the last verification, NULL before one
) STRICT;

-- Content in fixed-size chunks, each compressed with zstd (or stored raw
-- when that does not shrink it) and sealed with the item's own key. flags:
-- bit 0 compressed, bit 1 last chunk. plain_len is the chunk's original length.
CREATE TABLE evidence_chunks (
	evidence_id INTEGER NOT NULL REFERENCES evidence (evidence_id) ON DELETE CASCADE,
	idx         INTEGER NOT NULL CHECK (idx >= 0),
	flags       INTEGER NOT NULL,
	plain_len   INTEGER NOT NULL,
	data        BLOB NOT NULL, -- nonce ‖ ciphertext
	PRIMARY KEY (evidence_id, idx)
) STRICT;
