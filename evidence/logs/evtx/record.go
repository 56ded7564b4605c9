package evtx

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/Velocidex/ordereddict"
	"github.com/custodia-dfir/custodia/evidence/logs"
)

var levelNames = map[string]string{"0": "LogAlways", "1": "Critical", "2": "Error", "3": "Warning", "4": "Information", "5": "Verbose"}

// reserved are the field names the System part uses; an EventData value of
// the same name is written "EventData.<name>".
var reserved = map[string]bool{}

func init() {
	for _, n := range []string{"record_id", "header_record_id", "event_id", "event_qualifiers", "provider", "provider_guid", "event_source", "channel", "computer",
		logs.FieldHost, "level", logs.FieldSeverity, "task", "opcode", "keywords", "version", "user_sid", "process_id", "thread_id",
		"activity_id", "related_activity_id", logs.FieldUser, logs.FieldSrcIP, logs.FieldSrcPort} {
		reserved[n] = true
	}
}

// headerEvent is the event of a record the decoder could not read: what its
// 24-byte header says.
func headerEvent(s span, at int64) logs.Event {
	e := logs.Event{Offset: at, Length: int64(s.size), TimestampDesc: logs.DescRecorded}
	setFileTime(&e, s.ft)
	e.Add("record_id", strconv.FormatUint(s.id, 10))
	e.Message = fmt.Sprintf("record %d (not decodable)", s.id)
	return e
}

// fileTime converts a FILETIME (100 ns ticks since 1601) without overflow.
func fileTime(ft uint64) time.Time {
	const epochDiff = 11644473600 // seconds from 1601 to 1970
	sec := int64(ft/10_000_000) - epochDiff
	return time.Unix(sec, int64(ft%10_000_000)*100).UTC()
}

func setFileTime(e *logs.Event, ft uint64) {
	t := fileTime(ft)
	e.Time = t
	e.TimeText = t.Format("2006-01-02T15:04:05.0000000Z")
	e.TimeZone = "UTC"
	if t.Year() < 1601 || t.Year() > 9999 {
		e.TimeText = fmt.Sprintf("%d (FILETIME)", ft)
	}
}

// exactFileTime finds the FILETIME behind the decoder's float seconds (which
// keeps only about 2 µs): the FILETIME substitution closest to it, else
// the record header's written time when it agrees, else the 8-byte value in
// the record closest to it. ok is false when nothing in the record agrees.
func exactFileTime(sec float64, args []intArg, header uint64, raw []byte) (uint64, bool) {
	if math.IsNaN(sec) || math.IsInf(sec, 0) || sec < -11644473600 || sec > 1e12 {
		return 0, false
	}
	approx := uint64(math.Round(sec*1e7) + 116444736000000000)
	const window = 64
	near := func(v uint64) bool { return v+window >= approx && v <= approx+window }
	best, found := uint64(0), false
	for _, a := range args {
		if a.width == 0 && near(a.value) && (!found || absDiff(a.value, approx) < absDiff(best, approx)) {
			best, found = a.value, true
		}
	}
	if found {
		return best, true
	}
	if near(header) {
		return header, true
	}
	for i := 24; i+8 <= len(raw); i++ {
		v := binary.LittleEndian.Uint64(raw[i:])
		if near(v) && (!found || absDiff(v, approx) < absDiff(best, approx)) {
			best, found = v, true
		}
	}
	return best, found
}

func absDiff(a, b uint64) uint64 {
	if a > b {
		return a - b
	}
	return b - a
}

// toEvent builds the event of a decoded record.
func toEvent(tree any, s span, at int64, raw, chunk []byte) logs.Event {
	e := logs.Event{Offset: at, Length: int64(s.size), TimestampDesc: logs.DescCreated}
	args := recordArgs(chunk, s.off)
	hexes := newHexQueue(args)
	root, _ := tree.(*ordereddict.Dict)
	var event *ordereddict.Dict
	if root != nil {
		if v, ok := root.Get("Event"); ok {
			event, _ = v.(*ordereddict.Dict)
		}
	}
	sys := dict(event, "System")
	// Consume the System values from the hex queue in document order, so the
	// data values after them meet their own entries.
	var sysFlat []logs.Field
	flatten(&sysFlat, "", sys, hexes, 0)

	header := strconv.FormatUint(s.id, 10)
	if id := scalar(get(sys, "EventRecordID")); id != "" {
		e.Add("record_id", id)
		if id != header {
			e.Add("header_record_id", header) // renumbered by an export
		}
	} else {
		e.Add("record_id", header)
	}
	eventID := ""
	if v, ok := getAny(sys, "EventID"); ok {
		if d, ok := v.(*ordereddict.Dict); ok {
			eventID = scalar(get(d, "Value"))
			e.Add(logs.FieldEventID, eventID)
			e.Add("event_qualifiers", scalar(get(d, "Qualifiers")))
		} else {
			eventID = scalar(v)
			e.Add(logs.FieldEventID, eventID)
		}
	}
	prov := dict(sys, "Provider")
	provider := scalar(get(prov, "Name"))
	e.Add("provider", provider)
	e.Add("provider_guid", braces(scalar(get(prov, "Guid"))))
	e.Add("event_source", scalar(get(prov, "EventSourceName")))
	channel := scalar(get(sys, "Channel"))
	e.Add("channel", channel)
	computer := scalar(get(sys, "Computer"))
	e.Add("computer", computer)
	e.Add(logs.FieldHost, computer)
	if lv := scalar(get(sys, "Level")); lv != "" {
		e.Add("level", lv)
		e.Add(logs.FieldSeverity, levelNames[lv])
	}
	e.Add("task", scalar(get(sys, "Task")))
	e.Add("opcode", scalar(get(sys, "Opcode")))
	if kw, ok := get(sys, "Keywords").(uint64); ok {
		e.Add("keywords", fmt.Sprintf("0x%x", kw))
	} else {
		e.Add("keywords", scalar(get(sys, "Keywords")))
	}
	e.Add("version", scalar(get(sys, "Version")))
	e.Add("user_sid", scalar(get(dict(sys, "Security"), "UserID")))
	exec := dict(sys, "Execution")
	e.Add("process_id", scalar(get(exec, "ProcessID")))
	e.Add("thread_id", scalar(get(exec, "ThreadID")))
	corr := dict(sys, "Correlation")
	e.Add("activity_id", braces(scalar(get(corr, "ActivityID"))))
	e.Add("related_activity_id", braces(scalar(get(corr, "RelatedActivityID"))))

	// Time created, exact.
	created := dict(sys, "TimeCreated")
	switch st := get(created, "SystemTime").(type) {
	case float64:
		if ft, ok := exactFileTime(st, args, s.ft, raw); ok {
			setFileTime(&e, ft)
		} else {
			t := time.Unix(0, 0).Add(time.Duration(math.Round(st*1e6)) * time.Microsecond).UTC()
			e.Time, e.TimeZone = t, "UTC"
			e.TimeText = t.Format("2006-01-02T15:04:05.000000Z") + " (to the microsecond)"
		}
	case string:
		if t, _, err := logs.ParseISO(st, time.UTC); err == nil {
			e.Time, e.TimeZone = t.UTC(), "UTC"
		}
		e.TimeText = st
	default:
		setFileTime(&e, s.ft)
		e.TimestampDesc = logs.DescRecorded
	}

	// EventData and UserData, by name.
	var data []logs.Field
	if ed := dictOrAny(event, "EventData"); ed != nil {
		flatten(&data, "", ed, hexes, 0)
	}
	if ud := dict(event, "UserData"); ud != nil {
		// UserData holds one element named by the provider; its children
		// are the values.
		keys := ud.Keys()
		if len(keys) == 1 {
			flatten(&data, "", get(ud, keys[0]), hexes, 0)
		} else {
			flatten(&data, "", ud, hexes, 0)
		}
	}
	for _, f := range data {
		name := f.Name
		if reserved[name] {
			name = "EventData." + name
		}
		if _, dup := e.Get(name); dup {
			continue
		}
		e.Fields = append(e.Fields, logs.Field{Name: name, Value: f.Value})
	}
	normalise(&e)

	// Message: "4769 Microsoft-Windows-Security-Auditing: Name=value …".
	var b strings.Builder
	b.WriteString(eventID)
	if provider != "" {
		b.WriteString(" " + provider)
	}
	if len(data) > 0 {
		b.WriteString(":")
	}
	for _, f := range data {
		if b.Len() > 480 {
			b.WriteString(" …")
			break
		}
		v := f.Value
		if len(v) > 80 {
			v = v[:80] + "…"
		}
		b.WriteString(" " + f.Name + "=" + strings.ReplaceAll(v, "\n", " "))
	}
	e.Message = b.String()
	return e
}

// normalise copies the values examiners query across formats.
func normalise(e *logs.Event) {
	pick := func(names ...string) string {
		for _, n := range names {
			if v, ok := e.Get(n); ok && v != "-" && v != "" {
				return v
			}
		}
		return ""
	}
	e.Add(logs.FieldUser, pick("TargetUserName", "SubjectUserName", "User", "UserName", "AccountName"))
	e.Add(logs.FieldSrcIP, pick("IpAddress", "SourceNetworkAddress", "ClientAddress", "SourceAddress", "Address"))
	if p := pick("IpPort", "SourcePort"); p != "0" {
		e.Add(logs.FieldSrcPort, p)
	}
}

// braces writes a GUID as Event Viewer does, in braces.
func braces(g string) string {
	if len(g) == 36 && g[8] == '-' {
		return "{" + g + "}"
	}
	return g
}

func dict(d *ordereddict.Dict, key string) *ordereddict.Dict {
	v, _ := get(d, key).(*ordereddict.Dict)
	return v
}

func dictOrAny(d *ordereddict.Dict, key string) any {
	v := get(d, key)
	if v == nil {
		return nil
	}
	return v
}

func get(d *ordereddict.Dict, key string) any {
	if d == nil {
		return nil
	}
	v, _ := d.Get(key)
	return v
}

func getAny(d *ordereddict.Dict, key string) (any, bool) {
	if d == nil {
		return nil, false
	}
	return d.Get(key)
}

// scalar writes a leaf value (no hex typing: used for System fields).
func scalar(v any) string {
	s, _ := leaf(v, nil)
	return s
}

// leaf writes a decoded value as text; hexes, when given, decides whether
// an integer was typed hexadecimal in the record.
func leaf(v any, hexes *hexQueue) (string, bool) {
	switch x := v.(type) {
	case nil:
		return "", true
	case string:
		if hexes.isGUID(x) {
			return braces(x), true
		}
		if iso, ok := hexes.sysTimeText(x); ok {
			return iso, true
		}
		return x, true
	case uint8:
		return strconv.FormatUint(uint64(x), 10), true
	case uint16:
		return strconv.FormatUint(uint64(x), 10), true
	case uint32:
		if hexes.pop(32, uint64(x)) {
			return fmt.Sprintf("0x%x", x), true
		}
		return strconv.FormatUint(uint64(x), 10), true
	case uint64:
		if hexes.pop(64, x) {
			return fmt.Sprintf("0x%x", x), true
		}
		return strconv.FormatUint(x, 10), true
	case int32:
		return strconv.FormatInt(int64(x), 10), true
	case int64:
		return strconv.FormatInt(x, 10), true
	case float32:
		return strconv.FormatFloat(float64(x), 'g', -1, 32), true
	case float64:
		if ft, ok := hexes.fileTime(x); ok {
			return fileTime(ft).Format("2006-01-02T15:04:05.0000000Z"), true
		}
		return strconv.FormatFloat(x, 'f', -1, 64), true
	case bool:
		return strconv.FormatBool(x), true
	case []byte:
		return strings.ToUpper(hex.EncodeToString(x)), true
	case []string:
		return strings.Join(x, "\n"), true
	case []uint16:
		return joinInts(x), true
	case []uint64:
		return joinInts(x), true
	}
	return "", false
}

func joinInts[T uint16 | uint64](xs []T) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = strconv.FormatUint(uint64(x), 10)
	}
	return strings.Join(parts, ", ")
}

// flatten writes a decoded tree as fields: nested names joined with ".",
// list items numbered "[i]".
func flatten(out *[]logs.Field, prefix string, v any, hexes *hexQueue, depth int) {
	if depth > 16 {
		*out = append(*out, logs.Field{Name: nonEmpty(prefix), Value: fmt.Sprint(v)})
		return
	}
	switch x := v.(type) {
	case *ordereddict.Dict:
		if x == nil {
			return
		}
		for _, k := range x.Keys() {
			child, _ := x.Get(k)
			name := k
			if prefix != "" {
				name = prefix + "." + k
			}
			flatten(out, name, child, hexes, depth+1)
		}
	case []any:
		for i, child := range x {
			flatten(out, fmt.Sprintf("%s[%d]", nonEmpty(prefix), i), child, hexes, depth+1)
		}
	default:
		s, ok := leaf(v, hexes)
		if !ok {
			s = fmt.Sprint(v)
		}
		if s != "" || prefix != "" {
			*out = append(*out, logs.Field{Name: nonEmpty(prefix), Value: s})
		}
	}
}

func nonEmpty(name string) string {
	if name == "" {
		return "Data"
	}
	return name
}
