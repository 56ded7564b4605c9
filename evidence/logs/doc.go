// Package logs holds what every Custodia log parser shares: the Event a
// parser emits, the Warning it gives for a record it cannot read, the Parser
// descriptor the registry lists, the Options of one parse, a line reader
// that keeps exact byte offsets, time helpers, and Run, which feeds an
// item's bytes to a parser through transparent gzip, cancellation and the
// checks every event must pass.
//
// Terms:
//   - An item is one piece of evidence: the bytes a parser reads.
//   - A record is the unit of a log format that an event comes from: a line
//     of a text log, one element of a JSON "Records" array, one EVTX event
//     record, one utmp entry. Event.Offset and Event.Length slice the item's
//     bytes back to exactly that record (for a text line: without its line
//     terminator). When the item is gzip-compressed, they slice the
//     decompressed stream instead, and Event.Stream says so.
//   - A warning is a record (or a stretch of bytes) that gave no event, or
//     gave one with something missing, with the line, offset and reason.
//     Nothing is dropped without one.
//
// Parsers stream: they read their input once, front to back, and hold at
// most one record (bounded by Options.MaxRecord) in memory, so an item of
// any size parses in bounded memory. They never panic on bad input.
//
// For the timeline store and search (what they can rely on):
//   - Events arrive in item order, one record at a time; a parse never holds
//     the item. Offsets only grow, so a batch of events spans one byte range.
//   - Time is UTC or zero (no usable time: TimeText says what was there).
//     Every non-zero Time is within Earliest..Latest, so UnixNano is safe.
//   - Fields are ordered, their names non-empty and unique within an event
//     (Run enforces it); all text is valid UTF-8 without NUL.
//   - Field names shared across formats are the Field constants (host, user,
//     src_ip, event_id, …); index and facet those. Parser-specific names are
//     kept as the format writes them (TargetUserName, eventName, c-ip).
//   - Stream "gzip" means the byte range is in the decompressed stream; to
//     show the bytes, gunzip the item and skip Offset bytes.
//   - Warnings are stored beside the events with the item; Result counts
//     both, including warnings beyond MaxWarnings that were only counted.
//
// The parsers themselves live in sub-packages, one per family (syslog,
// evtx, jsonl, cloud, web, zeek, linux, windows, timesketch); package
// evidence/logs/parsers lists them, detects an item's format and runs the
// right one. Like the rest of evidence/, this imports no Fyne package and
// builds with CGO_ENABLED=0.
package logs
