-- Format version 5: the timeline (issue 12): events parsed from log items,
-- sealed in batches, with the warnings of each parse (package
-- casefile/timeline, docs/FORMAT.md "Timeline tables").
--
-- Record tables (docs/FORMAT.md section 10.1), append-only like 0003's:
--   timeline_parses    parent_uuid is the evidence item's UUID; each row is
--                      one parse of the item (parser, counts, its batches,
--                      the parse it replaces), the last one current. row_uuid
--                      is the parse's id.
--   timeline_batches   parent_uuid is the parse's id; each row holds up to a
--                      few thousand events (about 1 MiB) of that parse, in
--                      item order.
--   timeline_warnings  parent_uuid is the parse's id; each row holds a batch
--                      of the parse's extraction warnings.
-- A re-parse appends a new parse row that names the one it replaces; the old
-- batches stay, unread. Only structure is in clear.
CREATE TABLE timeline_parses (
	seq         INTEGER PRIMARY KEY CHECK (seq >= 1),
	row_uuid    TEXT NOT NULL UNIQUE,
	parent_uuid TEXT NOT NULL DEFAULT '',
	body        BLOB NOT NULL -- sealed JSON
) STRICT;
CREATE INDEX timeline_parses_parent ON timeline_parses (parent_uuid, seq);
CREATE TRIGGER timeline_parses_no_update BEFORE UPDATE ON timeline_parses
BEGIN SELECT RAISE(ABORT, 'timeline_parses is append-only'); END;
CREATE TRIGGER timeline_parses_no_delete BEFORE DELETE ON timeline_parses
BEGIN SELECT RAISE(ABORT, 'timeline_parses is append-only'); END;

CREATE TABLE timeline_batches (
	seq         INTEGER PRIMARY KEY CHECK (seq >= 1),
	row_uuid    TEXT NOT NULL UNIQUE,
	parent_uuid TEXT NOT NULL DEFAULT '',
	body        BLOB NOT NULL -- sealed JSON
) STRICT;
CREATE INDEX timeline_batches_parent ON timeline_batches (parent_uuid, seq);
CREATE TRIGGER timeline_batches_no_update BEFORE UPDATE ON timeline_batches
BEGIN SELECT RAISE(ABORT, 'timeline_batches is append-only'); END;
CREATE TRIGGER timeline_batches_no_delete BEFORE DELETE ON timeline_batches
BEGIN SELECT RAISE(ABORT, 'timeline_batches is append-only'); END;

CREATE TABLE timeline_warnings (
	seq         INTEGER PRIMARY KEY CHECK (seq >= 1),
	row_uuid    TEXT NOT NULL UNIQUE,
	parent_uuid TEXT NOT NULL DEFAULT '',
	body        BLOB NOT NULL -- sealed JSON
) STRICT;
CREATE INDEX timeline_warnings_parent ON timeline_warnings (parent_uuid, seq);
CREATE TRIGGER timeline_warnings_no_update BEFORE UPDATE ON timeline_warnings
BEGIN SELECT RAISE(ABORT, 'timeline_warnings is append-only'); END;
CREATE TRIGGER timeline_warnings_no_delete BEFORE DELETE ON timeline_warnings
BEGIN SELECT RAISE(ABORT, 'timeline_warnings is append-only'); END;
