// Package evtx parses Windows XML Event Log (EVTX) files into events, with
// www.velocidex.com/golang/evtx decoding the binary XML of each chunk.
//
// Every record of every chunk is read, whatever the file header says: dirty
// files (the header's counters behind the chunks), files whose CRC32s are
// absent or wrong (no checksum is required), truncated files (the last,
// partial chunk is read as far as it goes, and a record cut by the end is a
// warning), and chunks with a bad magic (read anyway when a record starts
// where the first one should; otherwise skipped with a warning). A record
// the decoder cannot read becomes an event with its header facts (record
// id, written time) and a warning, and the records after it are still read.
//
// Fields: record_id, event_id, provider, channel, computer (and host),
// level, severity (the level's name), task, opcode, keywords, user_sid,
// process_id, thread_id, activity_id; then every EventData and UserData
// value by its name. Values typed as hexadecimal in the record (HexInt32,
// HexInt64, e.g. Status, SubjectLogonId) are written 0x… as Event Viewer
// shows them. For the examiner's common queries, src_ip, src_port and user
// repeat IpAddress, IpPort and TargetUserName (or SubjectUserName) where an
// event has them.
//
// Time: System/TimeCreated, exact to the 100 ns of its FILETIME (the
// decoder gives it as a float; the exact value is taken from the record's
// bytes), in UTC. Offset and Length are the record's bytes in the file,
// from its "**\0\0" magic to its trailing size copy.
//
// Not read: records in the free space of a chunk (deleted or overwritten
// records that carving tools such as evtxexport -m recovered list). A
// warning counts the record signatures found there.
package evtx
