-- Format version 4: the status of evidence items (withdrawn, reinstated).
--
-- A record table (docs/FORMAT.md section 10.1): parent_uuid is the evidence
-- item's UUID, each row one decision about it, the last one current. An item
-- with no row is in force. Withdrawing keeps the item sealed and listed; it
-- leaves it out of reports and exports until it is reinstated.
CREATE TABLE evidence_status (
	seq         INTEGER PRIMARY KEY CHECK (seq >= 1),
	row_uuid    TEXT NOT NULL UNIQUE,
	parent_uuid TEXT NOT NULL DEFAULT '',
	body        BLOB NOT NULL -- sealed JSON
) STRICT;
CREATE INDEX evidence_status_parent ON evidence_status (parent_uuid, seq);
CREATE TRIGGER evidence_status_no_update BEFORE UPDATE ON evidence_status
BEGIN SELECT RAISE(ABORT, 'evidence_status is append-only'); END;
CREATE TRIGGER evidence_status_no_delete BEFORE DELETE ON evidence_status
BEGIN SELECT RAISE(ABORT, 'evidence_status is append-only'); END;
