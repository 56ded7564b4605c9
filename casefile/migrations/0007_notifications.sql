-- Format version 7: the notification track, impacted customers, notices and
-- signed mitigation approvals (issue 15; docs/FORMAT.md section 13).
--
-- Record tables (docs/FORMAT.md section 10.1), append-only like 0006's:
--   notification_tracks       parent_uuid is empty; each row is the start of the
--                             notification track (when the organisation became
--                             aware, the reason)
--   notification_triggers     parent_uuid is empty; each row is one decision
--                             that starts legal clocks (awareness, discovery,
--                             major-classification, materiality, incident-
--                             determination, ransom-payment, assessment) with
--                             its time
--   notification_regimes      parent_uuid is empty; each row is one choice of
--                             the applicable regimes (ids as strings); the last
--                             row is the current choice
--   notification_delays       parent_uuid is empty; each row is one law-
--                             enforcement delay (agency, reference, written or
--                             oral, from, until)
--   notification_declarations parent_uuid is empty; each row is the executive
--                             incident manager's declaration of a breach, or
--                             that none is declared, with the rationale; the
--                             last row is current
--   notification_customers    parent_uuid is the customer's record id; each row
--                             is one revision of an impacted customer (contacts,
--                             jurisdiction, data categories, subjects, linked
--                             findings and evidence)
--   notice_revisions          parent_uuid is the notice's id; each row is one
--                             revision of a notice draft (audience, regime,
--                             customer, subject, bodies)
--   notice_approvals          parent_uuid is the notice's id; each row is one
--                             approval of a notice revision, signed by the
--                             approver's own custody entry
--   notice_sendings           parent_uuid is the notice's id; each row records
--                             that the notice was sent (time, channel,
--                             recipients)
--
-- No new table for signed mitigation approvals: since format version 7 an
-- approval of an emergency mitigation is a revision row of its mitigation in
-- incident_mitigations (parent_uuid = the mitigation's row UUID), appended
-- with the approver's own custody entry (mitigation.approved). A file of
-- format 6 or older holds no such rows; a reader older than 7 refuses the
-- file, so none misreads an approval as a mitigation.
-- Only structure is in clear.
CREATE TABLE notification_tracks (
	seq         INTEGER PRIMARY KEY CHECK (seq >= 1),
	row_uuid    TEXT NOT NULL UNIQUE,
	parent_uuid TEXT NOT NULL DEFAULT '',
	body        BLOB NOT NULL -- sealed JSON
) STRICT;
CREATE INDEX notification_tracks_parent ON notification_tracks (parent_uuid, seq);
CREATE TRIGGER notification_tracks_no_update BEFORE UPDATE ON notification_tracks
BEGIN SELECT RAISE(ABORT, 'notification_tracks is append-only'); END;
CREATE TRIGGER notification_tracks_no_delete BEFORE DELETE ON notification_tracks
BEGIN SELECT RAISE(ABORT, 'notification_tracks is append-only'); END;

CREATE TABLE notification_triggers (
	seq         INTEGER PRIMARY KEY CHECK (seq >= 1),
	row_uuid    TEXT NOT NULL UNIQUE,
	parent_uuid TEXT NOT NULL DEFAULT '',
	body        BLOB NOT NULL -- sealed JSON
) STRICT;
CREATE INDEX notification_triggers_parent ON notification_triggers (parent_uuid, seq);
CREATE TRIGGER notification_triggers_no_update BEFORE UPDATE ON notification_triggers
BEGIN SELECT RAISE(ABORT, 'notification_triggers is append-only'); END;
CREATE TRIGGER notification_triggers_no_delete BEFORE DELETE ON notification_triggers
BEGIN SELECT RAISE(ABORT, 'notification_triggers is append-only'); END;

CREATE TABLE notification_regimes (
	seq         INTEGER PRIMARY KEY CHECK (seq >= 1),
	row_uuid    TEXT NOT NULL UNIQUE,
	parent_uuid TEXT NOT NULL DEFAULT '',
	body        BLOB NOT NULL -- sealed JSON
) STRICT;
CREATE INDEX notification_regimes_parent ON notification_regimes (parent_uuid, seq);
CREATE TRIGGER notification_regimes_no_update BEFORE UPDATE ON notification_regimes
BEGIN SELECT RAISE(ABORT, 'notification_regimes is append-only'); END;
CREATE TRIGGER notification_regimes_no_delete BEFORE DELETE ON notification_regimes
BEGIN SELECT RAISE(ABORT, 'notification_regimes is append-only'); END;

CREATE TABLE notification_delays (
	seq         INTEGER PRIMARY KEY CHECK (seq >= 1),
	row_uuid    TEXT NOT NULL UNIQUE,
	parent_uuid TEXT NOT NULL DEFAULT '',
	body        BLOB NOT NULL -- sealed JSON
) STRICT;
CREATE INDEX notification_delays_parent ON notification_delays (parent_uuid, seq);
CREATE TRIGGER notification_delays_no_update BEFORE UPDATE ON notification_delays
BEGIN SELECT RAISE(ABORT, 'notification_delays is append-only'); END;
CREATE TRIGGER notification_delays_no_delete BEFORE DELETE ON notification_delays
BEGIN SELECT RAISE(ABORT, 'notification_delays is append-only'); END;

CREATE TABLE notification_declarations (
	seq         INTEGER PRIMARY KEY CHECK (seq >= 1),
	row_uuid    TEXT NOT NULL UNIQUE,
	parent_uuid TEXT NOT NULL DEFAULT '',
	body        BLOB NOT NULL -- sealed JSON
) STRICT;
CREATE INDEX notification_declarations_parent ON notification_declarations (parent_uuid, seq);
CREATE TRIGGER notification_declarations_no_update BEFORE UPDATE ON notification_declarations
BEGIN SELECT RAISE(ABORT, 'notification_declarations is append-only'); END;
CREATE TRIGGER notification_declarations_no_delete BEFORE DELETE ON notification_declarations
BEGIN SELECT RAISE(ABORT, 'notification_declarations is append-only'); END;

CREATE TABLE notification_customers (
	seq         INTEGER PRIMARY KEY CHECK (seq >= 1),
	row_uuid    TEXT NOT NULL UNIQUE,
	parent_uuid TEXT NOT NULL DEFAULT '',
	body        BLOB NOT NULL -- sealed JSON
) STRICT;
CREATE INDEX notification_customers_parent ON notification_customers (parent_uuid, seq);
CREATE TRIGGER notification_customers_no_update BEFORE UPDATE ON notification_customers
BEGIN SELECT RAISE(ABORT, 'notification_customers is append-only'); END;
CREATE TRIGGER notification_customers_no_delete BEFORE DELETE ON notification_customers
BEGIN SELECT RAISE(ABORT, 'notification_customers is append-only'); END;

CREATE TABLE notice_revisions (
	seq         INTEGER PRIMARY KEY CHECK (seq >= 1),
	row_uuid    TEXT NOT NULL UNIQUE,
	parent_uuid TEXT NOT NULL DEFAULT '',
	body        BLOB NOT NULL -- sealed JSON
) STRICT;
CREATE INDEX notice_revisions_parent ON notice_revisions (parent_uuid, seq);
CREATE TRIGGER notice_revisions_no_update BEFORE UPDATE ON notice_revisions
BEGIN SELECT RAISE(ABORT, 'notice_revisions is append-only'); END;
CREATE TRIGGER notice_revisions_no_delete BEFORE DELETE ON notice_revisions
BEGIN SELECT RAISE(ABORT, 'notice_revisions is append-only'); END;

CREATE TABLE notice_approvals (
	seq         INTEGER PRIMARY KEY CHECK (seq >= 1),
	row_uuid    TEXT NOT NULL UNIQUE,
	parent_uuid TEXT NOT NULL DEFAULT '',
	body        BLOB NOT NULL -- sealed JSON
) STRICT;
CREATE INDEX notice_approvals_parent ON notice_approvals (parent_uuid, seq);
CREATE TRIGGER notice_approvals_no_update BEFORE UPDATE ON notice_approvals
BEGIN SELECT RAISE(ABORT, 'notice_approvals is append-only'); END;
CREATE TRIGGER notice_approvals_no_delete BEFORE DELETE ON notice_approvals
BEGIN SELECT RAISE(ABORT, 'notice_approvals is append-only'); END;

CREATE TABLE notice_sendings (
	seq         INTEGER PRIMARY KEY CHECK (seq >= 1),
	row_uuid    TEXT NOT NULL UNIQUE,
	parent_uuid TEXT NOT NULL DEFAULT '',
	body        BLOB NOT NULL -- sealed JSON
) STRICT;
CREATE INDEX notice_sendings_parent ON notice_sendings (parent_uuid, seq);
CREATE TRIGGER notice_sendings_no_update BEFORE UPDATE ON notice_sendings
BEGIN SELECT RAISE(ABORT, 'notice_sendings is append-only'); END;
CREATE TRIGGER notice_sendings_no_delete BEFORE DELETE ON notice_sendings
BEGIN SELECT RAISE(ABORT, 'notice_sendings is append-only'); END;
