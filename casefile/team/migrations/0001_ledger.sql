-- Team schema 1: shared cases and their custody ledger (docs/TEAM.md).
-- The rows are the case file's rows (docs/FORMAT.md section 2) with the
-- case UUID in front: the same sealed entries, hashes and signatures.

-- One row per shared case: its identity, in clear as in the file's case_header.
CREATE TABLE cases (
	case_uuid  uuid PRIMARY KEY,
	format_tag text NOT NULL
);

-- The examiners' public keys, in clear as in the file's examiners table:
-- what the signatures are checked against. (Their sealed identity columns
-- come with case push.)
CREATE TABLE examiners (
	case_uuid     uuid NOT NULL REFERENCES cases,
	examiner_uuid text NOT NULL,
	public_key    bytea NOT NULL CHECK (octet_length(public_key) = 32),
	PRIMARY KEY (case_uuid, examiner_uuid),
	UNIQUE (case_uuid, public_key)
);

-- The chain of custody. No sequence: seq is the head's seq + 1, taken
-- under the head's row lock. Two entries can never hold the same place
-- (primary key) nor claim the same predecessor (unique prev_hash).
-- signer is deliberately not a foreign key, as in the file.
CREATE TABLE custody_ledger (
	case_uuid  uuid NOT NULL REFERENCES cases,
	seq        bigint NOT NULL CHECK (seq >= 1),
	signer     text NOT NULL,
	entry      bytea NOT NULL,
	prev_hash  bytea NOT NULL CHECK (octet_length(prev_hash) = 32),
	entry_hash bytea NOT NULL CHECK (octet_length(entry_hash) = 32),
	signature  bytea NOT NULL CHECK (octet_length(signature) = 64),
	PRIMARY KEY (case_uuid, seq),
	UNIQUE (case_uuid, prev_hash)
);

-- The head of each case's chain: the row every append locks (SELECT … FOR
-- UPDATE) and advances in the same transaction. seq 0 and the genesis
-- hash before entry 1; sealed is the file's ledger_head.sealed.
CREATE TABLE ledger_head (
	case_uuid uuid PRIMARY KEY REFERENCES cases,
	seq       bigint NOT NULL CHECK (seq >= 0),
	head_hash bytea NOT NULL CHECK (octet_length(head_hash) = 32),
	sealed    bytea CHECK ((seq = 0) = (sealed IS NULL))
);

-- Append-only, against mistakes and against a client that is not
-- Custodia; not against the database's owner, who can drop triggers (the
-- hash chain, the signatures and the head printed in reports are for that).
CREATE FUNCTION custody_ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'custody ledger is append-only' USING ERRCODE = 'raise_exception';
END $$;
CREATE TRIGGER custody_ledger_no_change BEFORE UPDATE OR DELETE ON custody_ledger
	FOR EACH ROW EXECUTE FUNCTION custody_ledger_append_only();
CREATE TRIGGER custody_ledger_no_truncate BEFORE TRUNCATE ON custody_ledger
	FOR EACH STATEMENT EXECUTE FUNCTION custody_ledger_append_only();

-- An entry is stored only where it links: its hash is SHA-256(prev_hash ‖
-- u64be(seq) ‖ entry) and its prev_hash is the genesis hash (entry 1) or
-- the hash of entry seq − 1 (docs/FORMAT.md 6.2). The signature needs the
-- examiner's key and is checked by ledger verify.
CREATE FUNCTION custody_ledger_links() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.entry_hash <> sha256(NEW.prev_hash || int8send(NEW.seq) || NEW.entry) THEN
		RAISE EXCEPTION 'custody entry % of case %: its hash is not SHA-256 of prev_hash, seq and entry', NEW.seq, NEW.case_uuid
			USING ERRCODE = 'check_violation';
	END IF;
	IF NEW.seq = 1 THEN
		IF NEW.prev_hash <> sha256(convert_to('custodia/1 custody-genesis', 'UTF8') || '\x00'::bytea || uuid_send(NEW.case_uuid)) THEN
			RAISE EXCEPTION 'custody entry 1 of case %: prev_hash is not the genesis hash', NEW.case_uuid
				USING ERRCODE = 'check_violation';
		END IF;
	ELSIF NOT EXISTS (SELECT 1 FROM custody_ledger l
			WHERE l.case_uuid = NEW.case_uuid AND l.seq = NEW.seq - 1 AND l.entry_hash = NEW.prev_hash) THEN
		RAISE EXCEPTION 'custody entry % of case %: prev_hash is not the hash of entry %', NEW.seq, NEW.case_uuid, NEW.seq - 1
			USING ERRCODE = 'check_violation';
	END IF;
	RETURN NEW;
END $$;
CREATE TRIGGER custody_ledger_chain BEFORE INSERT ON custody_ledger
	FOR EACH ROW EXECUTE FUNCTION custody_ledger_links();

-- The head only moves forward, to an entry that is there.
CREATE FUNCTION ledger_head_forward() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'DELETE' THEN
		RAISE EXCEPTION 'ledger head is never removed' USING ERRCODE = 'raise_exception';
	END IF;
	IF NEW.case_uuid <> OLD.case_uuid OR NEW.seq <= OLD.seq OR NOT EXISTS (SELECT 1 FROM custody_ledger l
			WHERE l.case_uuid = NEW.case_uuid AND l.seq = NEW.seq AND l.entry_hash = NEW.head_hash) THEN
		RAISE EXCEPTION 'ledger head of case % may only move forward to an entry of its ledger', OLD.case_uuid
			USING ERRCODE = 'check_violation';
	END IF;
	RETURN NEW;
END $$;
CREATE TRIGGER ledger_head_only_forward BEFORE UPDATE OR DELETE ON ledger_head
	FOR EACH ROW EXECUTE FUNCTION ledger_head_forward();
CREATE TRIGGER ledger_head_no_truncate BEFORE TRUNCATE ON ledger_head
	FOR EACH STATEMENT EXECUTE FUNCTION custody_ledger_append_only();
