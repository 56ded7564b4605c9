-- Format version 3: the incident (issue 4): classification, severity and
-- priority with their history, lifecycle stage, role assignments,
-- indicators, actions taken, emergency mitigations, findings with every
-- revision, the post-mortem and its repair items, the customer-notification
-- decision.
--
-- Every table has the same append-only shape:
--   seq         position in the table, 1, 2, 3…
--   row_uuid    the row's id (AAD row of body)
--   parent_uuid '' or, for revisioned records, the record's id
--   body        sealed JSON {"seq": n, "parent": "…", "rev": k, "data": {…}},
--               AAD = (table, row_uuid, "body"); seq, parent and rev repeat the
--               clear columns so that reordered or re-parented rows fail
--               authentication (docs/FORMAT.md, "Incident tables").
-- Nothing is updated or deleted: a change is a new row, and the current view
-- of a record is its last row. Only structure is in clear.

-- The incident record (summary, exercise flag, detection, awareness, related incidents, next
-- steps): one row per revision; the current record is the row with the highest seq.
CREATE TABLE incident_revisions (
	seq         INTEGER PRIMARY KEY CHECK (seq >= 1),
	row_uuid    TEXT NOT NULL UNIQUE,
	parent_uuid TEXT NOT NULL DEFAULT '',
	body        BLOB NOT NULL -- sealed JSON
) STRICT;
CREATE TRIGGER incident_revisions_no_update BEFORE UPDATE ON incident_revisions
BEGIN SELECT RAISE(ABORT, 'incident_revisions is append-only'); END;
CREATE TRIGGER incident_revisions_no_delete BEFORE DELETE ON incident_revisions
BEGIN SELECT RAISE(ABORT, 'incident_revisions is append-only'); END;

-- Classification decisions, in order; the last one is current.
CREATE TABLE incident_classifications (
	seq         INTEGER PRIMARY KEY CHECK (seq >= 1),
	row_uuid    TEXT NOT NULL UNIQUE,
	parent_uuid TEXT NOT NULL DEFAULT '',
	body        BLOB NOT NULL -- sealed JSON
) STRICT;
CREATE TRIGGER incident_classifications_no_update BEFORE UPDATE ON incident_classifications
BEGIN SELECT RAISE(ABORT, 'incident_classifications is append-only'); END;
CREATE TRIGGER incident_classifications_no_delete BEFORE DELETE ON incident_classifications
BEGIN SELECT RAISE(ABORT, 'incident_classifications is append-only'); END;

-- Severity ratings with their criteria and rationale, in order; the last one is current.
CREATE TABLE incident_severity (
	seq         INTEGER PRIMARY KEY CHECK (seq >= 1),
	row_uuid    TEXT NOT NULL UNIQUE,
	parent_uuid TEXT NOT NULL DEFAULT '',
	body        BLOB NOT NULL -- sealed JSON
) STRICT;
CREATE TRIGGER incident_severity_no_update BEFORE UPDATE ON incident_severity
BEGIN SELECT RAISE(ABORT, 'incident_severity is append-only'); END;
CREATE TRIGGER incident_severity_no_delete BEFORE DELETE ON incident_severity
BEGIN SELECT RAISE(ABORT, 'incident_severity is append-only'); END;

-- Priority ratings with their impact factors and rationale, in order; the last one is current.
CREATE TABLE incident_priority (
	seq         INTEGER PRIMARY KEY CHECK (seq >= 1),
	row_uuid    TEXT NOT NULL UNIQUE,
	parent_uuid TEXT NOT NULL DEFAULT '',
	body        BLOB NOT NULL -- sealed JSON
) STRICT;
CREATE TRIGGER incident_priority_no_update BEFORE UPDATE ON incident_priority
BEGIN SELECT RAISE(ABORT, 'incident_priority is append-only'); END;
CREATE TRIGGER incident_priority_no_delete BEFORE DELETE ON incident_priority
BEGIN SELECT RAISE(ABORT, 'incident_priority is append-only'); END;

-- Lifecycle moves (from, to, kind, rationale); no row means the incident is in Detect.
CREATE TABLE incident_stages (
	seq         INTEGER PRIMARY KEY CHECK (seq >= 1),
	row_uuid    TEXT NOT NULL UNIQUE,
	parent_uuid TEXT NOT NULL DEFAULT '',
	body        BLOB NOT NULL -- sealed JSON
) STRICT;
CREATE TRIGGER incident_stages_no_update BEFORE UPDATE ON incident_stages
BEGIN SELECT RAISE(ABORT, 'incident_stages is append-only'); END;
CREATE TRIGGER incident_stages_no_delete BEFORE DELETE ON incident_stages
BEGIN SELECT RAISE(ABORT, 'incident_stages is append-only'); END;

-- Role assignments and releases, in order; folding them gives who holds which role.
CREATE TABLE incident_roles (
	seq         INTEGER PRIMARY KEY CHECK (seq >= 1),
	row_uuid    TEXT NOT NULL UNIQUE,
	parent_uuid TEXT NOT NULL DEFAULT '',
	body        BLOB NOT NULL -- sealed JSON
) STRICT;
CREATE TRIGGER incident_roles_no_update BEFORE UPDATE ON incident_roles
BEGIN SELECT RAISE(ABORT, 'incident_roles is append-only'); END;
CREATE TRIGGER incident_roles_no_delete BEFORE DELETE ON incident_roles
BEGIN SELECT RAISE(ABORT, 'incident_roles is append-only'); END;

-- Indicators (typed, validated values); row_uuid is the indicator's id.
CREATE TABLE incident_indicators (
	seq         INTEGER PRIMARY KEY CHECK (seq >= 1),
	row_uuid    TEXT NOT NULL UNIQUE,
	parent_uuid TEXT NOT NULL DEFAULT '',
	body        BLOB NOT NULL -- sealed JSON
) STRICT;
CREATE TRIGGER incident_indicators_no_update BEFORE UPDATE ON incident_indicators
BEGIN SELECT RAISE(ABORT, 'incident_indicators is append-only'); END;
CREATE TRIGGER incident_indicators_no_delete BEFORE DELETE ON incident_indicators
BEGIN SELECT RAISE(ABORT, 'incident_indicators is append-only'); END;

-- Actions taken by the response team; row_uuid is the action's id.
CREATE TABLE incident_actions (
	seq         INTEGER PRIMARY KEY CHECK (seq >= 1),
	row_uuid    TEXT NOT NULL UNIQUE,
	parent_uuid TEXT NOT NULL DEFAULT '',
	body        BLOB NOT NULL -- sealed JSON
) STRICT;
CREATE TRIGGER incident_actions_no_update BEFORE UPDATE ON incident_actions
BEGIN SELECT RAISE(ABORT, 'incident_actions is append-only'); END;
CREATE TRIGGER incident_actions_no_delete BEFORE DELETE ON incident_actions
BEGIN SELECT RAISE(ABORT, 'incident_actions is append-only'); END;

-- Emergency mitigations with their approvals; row_uuid is the mitigation's id.
CREATE TABLE incident_mitigations (
	seq         INTEGER PRIMARY KEY CHECK (seq >= 1),
	row_uuid    TEXT NOT NULL UNIQUE,
	parent_uuid TEXT NOT NULL DEFAULT '',
	body        BLOB NOT NULL -- sealed JSON
) STRICT;
CREATE TRIGGER incident_mitigations_no_update BEFORE UPDATE ON incident_mitigations
BEGIN SELECT RAISE(ABORT, 'incident_mitigations is append-only'); END;
CREATE TRIGGER incident_mitigations_no_delete BEFORE DELETE ON incident_mitigations
BEGIN SELECT RAISE(ABORT, 'incident_mitigations is append-only'); END;

-- Customer-notification decisions, in order; the last one is current.
CREATE TABLE incident_notifications (
	seq         INTEGER PRIMARY KEY CHECK (seq >= 1),
	row_uuid    TEXT NOT NULL UNIQUE,
	parent_uuid TEXT NOT NULL DEFAULT '',
	body        BLOB NOT NULL -- sealed JSON
) STRICT;
CREATE TRIGGER incident_notifications_no_update BEFORE UPDATE ON incident_notifications
BEGIN SELECT RAISE(ABORT, 'incident_notifications is append-only'); END;
CREATE TRIGGER incident_notifications_no_delete BEFORE DELETE ON incident_notifications
BEGIN SELECT RAISE(ABORT, 'incident_notifications is append-only'); END;

-- Finding revisions; parent_uuid is the finding's id, the first revision creates it, the last is
-- current.
CREATE TABLE finding_revisions (
	seq         INTEGER PRIMARY KEY CHECK (seq >= 1),
	row_uuid    TEXT NOT NULL UNIQUE,
	parent_uuid TEXT NOT NULL DEFAULT '',
	body        BLOB NOT NULL -- sealed JSON
) STRICT;
CREATE INDEX finding_revisions_parent ON finding_revisions (parent_uuid, seq);
CREATE TRIGGER finding_revisions_no_update BEFORE UPDATE ON finding_revisions
BEGIN SELECT RAISE(ABORT, 'finding_revisions is append-only'); END;
CREATE TRIGGER finding_revisions_no_delete BEFORE DELETE ON finding_revisions
BEGIN SELECT RAISE(ABORT, 'finding_revisions is append-only'); END;

-- Post-mortem revisions; the last one is current.
CREATE TABLE postmortem_revisions (
	seq         INTEGER PRIMARY KEY CHECK (seq >= 1),
	row_uuid    TEXT NOT NULL UNIQUE,
	parent_uuid TEXT NOT NULL DEFAULT '',
	body        BLOB NOT NULL -- sealed JSON
) STRICT;
CREATE TRIGGER postmortem_revisions_no_update BEFORE UPDATE ON postmortem_revisions
BEGIN SELECT RAISE(ABORT, 'postmortem_revisions is append-only'); END;
CREATE TRIGGER postmortem_revisions_no_delete BEFORE DELETE ON postmortem_revisions
BEGIN SELECT RAISE(ABORT, 'postmortem_revisions is append-only'); END;

-- Repair item revisions; parent_uuid is the item's id, the first revision creates it, the last is
-- current.
CREATE TABLE repair_item_revisions (
	seq         INTEGER PRIMARY KEY CHECK (seq >= 1),
	row_uuid    TEXT NOT NULL UNIQUE,
	parent_uuid TEXT NOT NULL DEFAULT '',
	body        BLOB NOT NULL -- sealed JSON
) STRICT;
CREATE INDEX repair_item_revisions_parent ON repair_item_revisions (parent_uuid, seq);
CREATE TRIGGER repair_item_revisions_no_update BEFORE UPDATE ON repair_item_revisions
BEGIN SELECT RAISE(ABORT, 'repair_item_revisions is append-only'); END;
CREATE TRIGGER repair_item_revisions_no_delete BEFORE DELETE ON repair_item_revisions
BEGIN SELECT RAISE(ABORT, 'repair_item_revisions is append-only'); END;
