-- Format version 6: what the second half records about events, exports and
-- where an item came from (issues 12, 13 and 16; docs/FORMAT.md section 12).
--
-- Record tables (docs/FORMAT.md section 10.1), append-only like 0003's:
--   timeline_annotations  parent_uuid is the evidence item whose event is
--                         annotated; each row is one change of one event's
--                         annotations (star, unstar, tag, untag, comment),
--                         naming the event by parse, ordinal, offset and
--                         length so that it never moves to another event.
--   indicator_sweeps      parent_uuid is empty; each row is one sweep of the
--                         recorded indicators over events and item bytes,
--                         with its hits.
--   evidence_provenance   parent_uuid is the evidence item; a row says where
--                         the item came from when it was not acquired from a
--                         source: a file taken out of another item's file
--                         system, or an item imported from a sealed export.
--   evidence_exports      parent_uuid is empty; each row is one sealed export
--                         (its id, recipients, items, SHA-256 of SHA256SUMS).
--   timeline_searches     parent_uuid is empty; each row saves a search of the
--                         timeline under a name, or removes one.
-- Only structure is in clear.
CREATE TABLE timeline_annotations (
	seq         INTEGER PRIMARY KEY CHECK (seq >= 1),
	row_uuid    TEXT NOT NULL UNIQUE,
	parent_uuid TEXT NOT NULL DEFAULT '',
	body        BLOB NOT NULL -- sealed JSON
) STRICT;
CREATE INDEX timeline_annotations_parent ON timeline_annotations (parent_uuid, seq);
CREATE TRIGGER timeline_annotations_no_update BEFORE UPDATE ON timeline_annotations
BEGIN SELECT RAISE(ABORT, 'timeline_annotations is append-only'); END;
CREATE TRIGGER timeline_annotations_no_delete BEFORE DELETE ON timeline_annotations
BEGIN SELECT RAISE(ABORT, 'timeline_annotations is append-only'); END;

CREATE TABLE indicator_sweeps (
	seq         INTEGER PRIMARY KEY CHECK (seq >= 1),
	row_uuid    TEXT NOT NULL UNIQUE,
	parent_uuid TEXT NOT NULL DEFAULT '',
	body        BLOB NOT NULL -- sealed JSON
) STRICT;
CREATE INDEX indicator_sweeps_parent ON indicator_sweeps (parent_uuid, seq);
CREATE TRIGGER indicator_sweeps_no_update BEFORE UPDATE ON indicator_sweeps
BEGIN SELECT RAISE(ABORT, 'indicator_sweeps is append-only'); END;
CREATE TRIGGER indicator_sweeps_no_delete BEFORE DELETE ON indicator_sweeps
BEGIN SELECT RAISE(ABORT, 'indicator_sweeps is append-only'); END;

CREATE TABLE evidence_provenance (
	seq         INTEGER PRIMARY KEY CHECK (seq >= 1),
	row_uuid    TEXT NOT NULL UNIQUE,
	parent_uuid TEXT NOT NULL DEFAULT '',
	body        BLOB NOT NULL -- sealed JSON
) STRICT;
CREATE INDEX evidence_provenance_parent ON evidence_provenance (parent_uuid, seq);
CREATE TRIGGER evidence_provenance_no_update BEFORE UPDATE ON evidence_provenance
BEGIN SELECT RAISE(ABORT, 'evidence_provenance is append-only'); END;
CREATE TRIGGER evidence_provenance_no_delete BEFORE DELETE ON evidence_provenance
BEGIN SELECT RAISE(ABORT, 'evidence_provenance is append-only'); END;

CREATE TABLE evidence_exports (
	seq         INTEGER PRIMARY KEY CHECK (seq >= 1),
	row_uuid    TEXT NOT NULL UNIQUE,
	parent_uuid TEXT NOT NULL DEFAULT '',
	body        BLOB NOT NULL -- sealed JSON
) STRICT;
CREATE INDEX evidence_exports_parent ON evidence_exports (parent_uuid, seq);
CREATE TRIGGER evidence_exports_no_update BEFORE UPDATE ON evidence_exports
BEGIN SELECT RAISE(ABORT, 'evidence_exports is append-only'); END;
CREATE TRIGGER evidence_exports_no_delete BEFORE DELETE ON evidence_exports
BEGIN SELECT RAISE(ABORT, 'evidence_exports is append-only'); END;

CREATE TABLE timeline_searches (
	seq         INTEGER PRIMARY KEY CHECK (seq >= 1),
	row_uuid    TEXT NOT NULL UNIQUE,
	parent_uuid TEXT NOT NULL DEFAULT '',
	body        BLOB NOT NULL -- sealed JSON
) STRICT;
CREATE INDEX timeline_searches_parent ON timeline_searches (parent_uuid, seq);
CREATE TRIGGER timeline_searches_no_update BEFORE UPDATE ON timeline_searches
BEGIN SELECT RAISE(ABORT, 'timeline_searches is append-only'); END;
CREATE TRIGGER timeline_searches_no_delete BEFORE DELETE ON timeline_searches
BEGIN SELECT RAISE(ABORT, 'timeline_searches is append-only'); END;

-- Derived data, not a record table (docs/FORMAT.md section 12.1): the sealed
-- snapshot of the timeline's in-memory search index, so that a case with a
-- large timeline is searchable seconds after it is unlocked. Part 0 of a
-- snapshot is its sealed manifest, parts 1..n its zstd-compressed, sealed
-- parts. A new snapshot replaces the old one (DELETE, then INSERT, in one
-- transaction): no append-only trigger, no custody entry; a reader that
-- ignores this table loses nothing but the time to rebuild the index.
CREATE TABLE derived_snapshots (
	name          TEXT NOT NULL,
	part          INTEGER NOT NULL CHECK (part >= 0),
	snapshot_uuid TEXT NOT NULL,
	sealed        BLOB NOT NULL,
	PRIMARY KEY (name, part)
) STRICT;
