-- Team schema 3: the record tables and the evidence of a case, moved byte
-- for byte from its file by case push (docs/TEAM.md sections 4, 5 and 8).

-- Every record table of the file (FORMAT.md 10.1) in one table, named by tbl.
CREATE TABLE records (
	case_uuid   uuid NOT NULL REFERENCES cases,
	tbl         text NOT NULL,
	seq         bigint NOT NULL CHECK (seq >= 1),
	row_uuid    text NOT NULL,
	parent_uuid text NOT NULL DEFAULT '',
	body        bytea NOT NULL, -- sealed, records key, AAD table = tbl
	PRIMARY KEY (case_uuid, tbl, seq),
	UNIQUE (case_uuid, tbl, row_uuid)
);
CREATE INDEX records_by_parent ON records (case_uuid, tbl, parent_uuid, seq);

CREATE FUNCTION team_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'raise_exception';
END $$;
CREATE TRIGGER records_no_change BEFORE UPDATE OR DELETE ON records
	FOR EACH ROW EXECUTE FUNCTION team_append_only();
CREATE TRIGGER records_no_truncate BEFORE TRUNCATE ON records
	FOR EACH STATEMENT EXECUTE FUNCTION team_append_only();

-- Evidence items as in the file (FORMAT.md 7); ord keeps the ingest order
-- (the file's evidence_id).
CREATE TABLE evidence (
	case_uuid     uuid NOT NULL REFERENCES cases,
	evidence_uuid text NOT NULL,
	ord           bigint NOT NULL,
	state         text NOT NULL CHECK (state IN ('ingesting', 'sealed')),
	chunk_size    bigint NOT NULL CHECK (chunk_size > 0),
	size          bigint NOT NULL,
	chunk_count   bigint NOT NULL,
	data_key      bytea NOT NULL,
	meta          bytea,
	verification  bytea,
	PRIMARY KEY (case_uuid, evidence_uuid),
	UNIQUE (case_uuid, ord)
);

-- The chunk store's PostgreSQL packs: up to 64 sealed chunks of one item
-- (FORMAT.md 7.3, unchanged) concatenated in data, with each chunk's
-- flags, plain length and stored length in clear (as the file shows
-- them). EXTERNAL storage: no compression of ciphertext, and substring()
-- reads only the TOAST pages of one chunk.
CREATE TABLE evidence_packs (
	case_uuid     uuid NOT NULL,
	evidence_uuid text NOT NULL,
	pack_no       integer NOT NULL CHECK (pack_no >= 0),
	first_idx     bigint NOT NULL CHECK (first_idx >= 0),
	flags         smallint[] NOT NULL,
	plain_lens    integer[] NOT NULL,
	lens          integer[] NOT NULL,
	data          bytea NOT NULL,
	PRIMARY KEY (case_uuid, evidence_uuid, pack_no),
	FOREIGN KEY (case_uuid, evidence_uuid) REFERENCES evidence ON DELETE CASCADE,
	CHECK (cardinality(flags) = cardinality(lens) AND cardinality(lens) = cardinality(plain_lens) AND cardinality(lens) BETWEEN 1 AND 64)
);
ALTER TABLE evidence_packs ALTER COLUMN data SET STORAGE EXTERNAL;
