-- Team schema 2: a case's identity, moved byte for byte from its file by
-- case push (docs/TEAM.md section 8): the examiners' sealed columns, the key
-- slots and the case record, as in the file (docs/FORMAT.md section 2).

ALTER TABLE cases
	ADD COLUMN format_version integer CHECK (format_version >= 1),
	ADD COLUMN key_slot_seq bigint NOT NULL DEFAULT 0; -- the highest slot id ever given

-- NULL for examiners added with their public key only (AddCase).
ALTER TABLE examiners
	ADD COLUMN kind text CHECK (kind IN ('passphrase', 'recovery')),
	ADD COLUMN public_key_sealed bytea,
	ADD COLUMN name bytea,
	ADD COLUMN roles bytea,
	ADD COLUMN contact bytea,
	ADD COLUMN created bytea;

CREATE TABLE key_slots (
	case_uuid      uuid NOT NULL REFERENCES cases,
	slot_id        bigint NOT NULL,
	slot_uuid      text NOT NULL,
	examiner_uuid  text NOT NULL,
	kind           text NOT NULL CHECK (kind IN ('passphrase', 'recovery')),
	kdf            text NOT NULL CHECK (kdf = 'argon2id'),
	kdf_time       bigint NOT NULL,
	kdf_memory_kib bigint NOT NULL,
	kdf_threads    bigint NOT NULL,
	salt           bytea NOT NULL,
	wrapped_key    bytea NOT NULL,
	created        bytea NOT NULL,
	PRIMARY KEY (case_uuid, slot_id),
	UNIQUE (case_uuid, slot_uuid),
	UNIQUE (case_uuid, examiner_uuid),
	FOREIGN KEY (case_uuid, examiner_uuid) REFERENCES examiners
);

CREATE TABLE case_info (
	case_uuid   uuid NOT NULL REFERENCES cases,
	row_uuid    text NOT NULL,
	title       bytea NOT NULL,
	case_number bytea NOT NULL,
	examiner    bytea NOT NULL,
	description bytea NOT NULL,
	created     bytea NOT NULL,
	PRIMARY KEY (case_uuid, row_uuid)
);
