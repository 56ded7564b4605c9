package logs

import (
	"fmt"
	"time"
)

// An Event is one timeline entry parsed from one record of an item.
type Event struct {
	// Time is the moment the event happened, in UTC. It is the zero Time
	// when the record carries no usable time; TimeText then says what was
	// there and a Warning says why.
	Time time.Time
	// TimeText is the record's original time text, exactly as written
	// (for binary formats: the raw value in a conventional notation, e.g.
	// "132142823072258889 (FILETIME)").
	TimeText string
	// TimeZone is the zone TimeText was read in: an offset such as "+10:00"
	// or "UTC" when the record states it, or the IANA name of the item's
	// source time zone ("Europe/Berlin") when the format carries none and
	// that zone was applied. TimeZoneAssumed tells the two apart.
	TimeZone        string
	TimeZoneAssumed bool
	// TimestampDesc says what the time means (see the Desc constants); it
	// is Timesketch's timestamp_desc.
	TimestampDesc string
	// Offset and Length locate the record in the item's bytes, or in its
	// decompressed stream when Stream is not empty.
	Offset, Length int64
	// Stream is "" when Offset and Length index the item's own bytes, and
	// "gzip" when they index the stream that gunzipping the item gives.
	Stream string
	// Message is a one-line human summary of the event.
	Message string
	// Fields are the event's named values in a stable order, names unique
	// within the event. Names shared across parsers are the Field constants.
	Fields []Field
	// Parser is the name of the parser that read the record.
	Parser string
}

// A Field is one named value of an event.
type Field struct {
	Name  string
	Value string
}

// Get returns the value of the field called name and whether it exists.
func (e *Event) Get(name string) (string, bool) {
	for _, f := range e.Fields {
		if f.Name == name {
			return f.Value, true
		}
	}
	return "", false
}

// Add appends a field unless its value is empty or the event already has a
// field of that name (the first value stays).
func (e *Event) Add(name, value string) {
	if value == "" {
		return
	}
	if _, ok := e.Get(name); ok {
		return
	}
	e.Fields = append(e.Fields, Field{Name: name, Value: value})
}

// Set replaces the value of the field called name, or appends it.
func (e *Event) Set(name, value string) {
	for i := range e.Fields {
		if e.Fields[i].Name == name {
			e.Fields[i].Value = value
			return
		}
	}
	e.Fields = append(e.Fields, Field{Name: name, Value: value})
}

// A Warning is a record, or a stretch of the item's bytes, that could not be
// turned into an event (or only partly), with where it is and why.
type Warning struct {
	// Line is the 1-based line number for line-oriented formats, else 0.
	Line int64
	// Offset and Length locate the bytes concerned, as Event's do.
	Offset, Length int64
	// Why says what is wrong, in words an examiner can act on.
	Why string
}

func (w Warning) String() string {
	if w.Line > 0 {
		return fmt.Sprintf("line %d (offset %d): %s", w.Line, w.Offset, w.Why)
	}
	return fmt.Sprintf("offset %d: %s", w.Offset, w.Why)
}

// Timestamp descriptions (Event.TimestampDesc). They follow what the time
// means in the source, in Timesketch's wording where it has one.
const (
	DescLogged    = "Event Logged"     // a text log wrote the line
	DescCreated   = "Event Created"    // EVTX TimeCreated
	DescEventTime = "Event Time"       // a cloud audit record's event time
	DescRequest   = "Request Received" // a web server got the request
	DescConnStart = "Connection Start" // Zeek: ts of the first packet
	DescCommand   = "Command Entered"  // shell history
	DescLogin     = "Login"            // wtmp/utmp USER_PROCESS
	DescLogout    = "Logout"           // wtmp/utmp DEAD_PROCESS
	DescBoot      = "System Boot"      // wtmp/utmp BOOT_TIME
	DescRecorded  = "Record Written"   // any other record's own time
)

// Field names that several parsers share, so that one query (user:admin,
// src_ip:10.0.0.5) and one facet (host, user) work across formats. A parser
// adds its own names beside these.
const (
	FieldHost     = "host"     // the machine that logged the record
	FieldProgram  = "program"  // the process or service name
	FieldPID      = "pid"      // its process id
	FieldUser     = "user"     // the account acted for or logged on
	FieldSrcIP    = "src_ip"   // the remote (client) address
	FieldSrcPort  = "src_port" // its port
	FieldDstIP    = "dst_ip"   // the server address
	FieldDstPort  = "dst_port" // its port
	FieldAction   = "action"   // typed event kind, e.g. "login_accepted"
	FieldOutcome  = "outcome"  // "success" or "failure" where known
	FieldEventID  = "event_id" // a numeric event identifier (EVTX, audit)
	FieldSeverity = "severity" // the record's severity or level name
	FieldSource   = "log_source"
)
