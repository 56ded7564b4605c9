// Package jsonl parses JSON logs: JSON lines (one object per line), a
// top-level array of records, or a wrapper object whose first member is the
// record array ({"Records": [...]}), into one event per record. Every leaf
// of a record becomes a field named by its path ("a.b", "list[0].c"), in
// document order; numbers keep their exact text.
//
// The time of a record is the first of these members that holds a time
// (names compared without regard to case, top level first): @timestamp,
// timestamp, time, datetime, date, eventTime, event_time, ts, TimeCreated,
// CreationTime, created_at, createdAt, created, logtime, log_time, _time.
// A value is an ISO 8601 / RFC 3339 text (without a zone it is read in the
// item's source zone), or a Unix time in seconds, milliseconds,
// microseconds or nanoseconds (told apart by size), as a number or text.
//
// The message is the first of message, msg, log, text, event, description;
// without one, the first fields as name=value.
//
// The cloud audit formats (CloudTrail, Azure, GCP, Microsoft 365) have their
// own parsers in package cloud, built on Records and Flatten.
package jsonl
