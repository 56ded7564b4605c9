package main

import (
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/timeline"
)

// The event commands: show one timeline event in full with its
// annotations; star, tag and comment events (issue 12). Each change is one
// custody entry naming the event.

const eventRefHelp = `EVENT is an event id as 'custodiactl search' shows it, ITEM:N: the item by
its id or at least its first 4 characters, and N the event's number in the
item's current parse.`

// eventParam is the argument naming an event, checked for its form before
// any passphrase is asked for.
var eventParam = param{name: "EVENT", check: func(in *call, s string) (string, error) {
	item, n, ok := strings.Cut(strings.TrimSpace(s), ":")
	if !ok {
		return "", in.usagef("event %q: give ITEM:N, the item's id (or its first 4 characters or more) and the event's number, e.g. 5bb5:12", s)
	}
	if v, err := strconv.ParseInt(n, 10, 64); err != nil || v < 1 {
		return "", in.usagef("event %q: %q is not an event number: give a whole number from 1", s, n)
	}
	if _, err := parseIDRef("evidence", item); err != nil {
		return "", in.usagef("event %q: %v", s, err)
	}
	return strings.ToLower(strings.TrimSpace(s)), nil
}}

// tagParam is a tag, checked by the core's rule before any passphrase is
// asked for.
func tagParam(many bool) param {
	return param{name: "TAG", many: many, check: func(in *call, s string) (string, error) {
		t, err := timeline.NormalizeTag(s)
		if err != nil {
			return "", in.usagef("%s", problem(err))
		}
		return t, nil
	}}
}

// eventID resolves ITEM:N, checked by eventParam, to the full event id.
func eventID(c *casefile.Case, ref string) (string, error) {
	item, n, ok := strings.Cut(strings.TrimSpace(ref), ":")
	ord, err := strconv.ParseInt(n, 10, 64)
	if !ok || err != nil || ord < 1 {
		return "", withHint(timeline.ErrNoSuchEvent.Errorf("%q is not an event id", ref), eventRefHelp)
	}
	ev, err := findEvidence(c, item)
	if err != nil {
		return "", err
	}
	return timeline.EventID(ev.ID, ord), nil
}

var eventCommand = &command{
	name:    "event",
	summary: "show timeline events; star, tag and comment them",
	about: `An event of the timeline is shown in full, with its star, tags and comments.
Starring, tagging and commenting are each recorded in the custody ledger,
naming the event (its item, parse, number, offset and length), who did it,
in which role, and --reason. Search annotated events with starred:true,
tag:NAME and comment:TEXT.

An annotation stays with the bytes of its event's record: after a re-parse
of the item it belongs to the one event of the new parse with the same offset
and length, or, when there is none or more than one, it is listed by 'event
list' as belonging to the earlier parse, never moved to another event.

` + eventRefHelp,
	sub: []*command{
		{
			name:    "show",
			summary: "show an event with every field and its annotations",
			about: `Open CASE and show the event EVENT: time (UTC, with the original text and
zone), what the time means, item, parser, offset and length of its record,
message, every field, and its star, tags and comments; annotations made on
the same bytes in an earlier parse that no longer attach are listed too.

` + eventRefHelp,
			params: []param{caseParam, eventParam},
			flags:  []flagDef{jsonFlag},
			opens:  true,
			do:     runEventShow,
		},
		{
			name:    "list",
			summary: "list the annotated events, and annotations of earlier parses",
			about: `Open CASE and list every event that is starred, tagged or commented, by item
and number, and then the annotations that belong to an earlier parse of their
item (no single event of the current parse has their offset and length).`,
			params: []param{caseParam},
			flags:  []flagDef{jsonFlag},
			opens:  true,
			do:     runEventList,
		},
		{
			name: "star", summary: "star an event",
			about:  "Open CASE and star the event EVENT. Recorded as event.starred, with --reason.\n\n" + eventRefHelp,
			params: []param{caseParam, eventParam}, opens: true, changes: true,
			records: timeline.ActionEventStarred, do: runEventAnnotate(timeline.OpStar),
		},
		{
			name: "unstar", summary: "remove an event's star",
			about:  "Open CASE and remove the star of the event EVENT. Recorded as event.unstarred, with --reason.\n\n" + eventRefHelp,
			params: []param{caseParam, eventParam}, opens: true, changes: true,
			records: timeline.ActionEventUnstarred, do: runEventAnnotate(timeline.OpUnstar),
		},
		{
			name: "tag", summary: "tag an event",
			about: `Open CASE and add the tags TAG... to the event EVENT. A tag is 1 to 64 letters,
digits and - _ . : / + (no spaces); tags compare without case and are kept in
lower case. Tags the event has already are left out. Recorded as
event.tagged, with --reason.

` + eventRefHelp,
			params: []param{caseParam, eventParam, tagParam(true)}, opens: true, changes: true,
			records: timeline.ActionEventTagged, do: runEventAnnotate(timeline.OpTag),
		},
		{
			name: "untag", summary: "remove a tag from an event",
			about:  "Open CASE and remove the tag TAG from the event EVENT. Recorded as event.untagged, with --reason.\n\n" + eventRefHelp,
			params: []param{caseParam, eventParam, tagParam(false)}, opens: true, changes: true,
			records: timeline.ActionEventUntagged, do: runEventAnnotate(timeline.OpUntag),
		},
		{
			name: "comment", summary: "comment on an event",
			about: `Open CASE and add the comment TEXT to the event EVENT (at most 10000 bytes).
Recorded as event.commented, with --reason.

` + eventRefHelp,
			params: []param{caseParam, eventParam, {name: "TEXT", check: func(in *call, s string) (string, error) {
				if err := casefile.CheckText("comment", s, true, casefile.MaxTextLen); err != nil {
					return "", in.usagef("%s", problem(err))
				}
				return s, nil
			}}}, opens: true, changes: true,
			records: timeline.ActionEventCommented, do: runEventAnnotate(timeline.OpComment),
		},
	},
}

func runEventAnnotate(op timeline.AnnotationOp) func(in *call, c *casefile.Case) error {
	return func(in *call, c *casefile.Case) error {
		id, err := eventID(c, in.args[1])
		if err != nil {
			return err
		}
		s := timeline.Of(c)
		var a timeline.Annotated
		switch op {
		case timeline.OpStar:
			a, err = s.Star(id, in.reason)
		case timeline.OpUnstar:
			a, err = s.Unstar(id, in.reason)
		case timeline.OpTag:
			a, err = s.Tag(id, in.args[2:], in.reason)
		case timeline.OpUntag:
			a, err = s.Untag(id, in.args[2], in.reason)
		case timeline.OpComment:
			a, err = s.Comment(id, in.args[2], in.reason)
		}
		if err != nil {
			return err
		}
		done := map[timeline.AnnotationOp]string{timeline.OpStar: "starred", timeline.OpUnstar: "unstarred",
			timeline.OpTag: "tagged", timeline.OpUntag: "untagged", timeline.OpComment: "commented"}[op]
		fmt.Fprintf(in.stdout, "%s: %s\n", done, a.Event)
		writeAnnotations(in, a.Annotations, false)
		return nil
	}
}

// writeAnnotations writes the star, tags and comments of an event.
func writeAnnotations(in *call, a timeline.Annotations, full bool) {
	w := in.stdout
	writeField(w, 10, "starred", map[bool]string{true: "yes", false: "no"}[a.Starred])
	writeField(w, 10, "tags", orNone(strings.Join(a.Tags, ", ")))
	writeField(w, 10, "comments", strconv.Itoa(len(a.Comments)))
	if full {
		for _, cm := range a.Comments {
			fmt.Fprintf(w, "  %s:\n", byText(cm.Recorded))
			writeIndented(w, "    ", cm.Text)
		}
	}
}

// annotationsJSON is an event's annotations in JSON; the names are a stable
// interface for scripts (search --json prints them too).
type annotationsJSON struct {
	Starred  bool          `json:"starred"`
	Tags     []string      `json:"tags"`
	Comments []commentJSON `json:"comments"`
}

type commentJSON struct {
	Text     string          `json:"text"`
	Event    string          `json:"event"`
	Reason   string          `json:"reason"`
	Recorded attributionJSON `json:"recorded"`
}

func toAnnotationsJSON(a timeline.Annotations) annotationsJSON {
	j := annotationsJSON{Starred: a.Starred, Tags: nonNil(a.Tags), Comments: []commentJSON{}}
	for _, c := range a.Comments {
		j.Comments = append(j.Comments, commentJSON{Text: c.Text, Event: c.Event, Reason: c.Reason, Recorded: toAttributionJSON(c.Recorded)})
	}
	return j
}

// annotatedJSON is one entry of 'event list --json' and of the earlier
// parses 'event show --json' lists.
type annotatedJSON struct {
	Event   string `json:"event"` // "" for an annotation of an earlier parse
	Item    string `json:"item"`
	Orphan  bool   `json:"earlier_parse"`
	Parse   string `json:"parse"`
	Ordinal int64  `json:"ordinal"`
	Offset  int64  `json:"offset"`
	Length  int64  `json:"length"`
	Stream  string `json:"stream,omitempty"`
	annotationsJSON
	Changes int `json:"changes"`
}

func toAnnotatedJSON(a timeline.Annotated) annotatedJSON {
	return annotatedJSON{Event: a.Event, Item: a.Item.String(), Orphan: a.Orphan, Parse: a.Parse.String(), Ordinal: a.Ordinal,
		Offset: a.Offset, Length: a.Length, Stream: a.Stream, annotationsJSON: toAnnotationsJSON(a.Annotations), Changes: len(a.Changes)}
}

// toJSONEvent is an event as search --json and event show --json print it.
func toJSONEvent(e timeline.Event) jsonEvent {
	je := jsonEvent{ID: e.ID, TimeText: e.TimeText, TimeZone: e.TimeZone, TimestampDesc: e.TimestampDesc,
		Message: e.Message, Item: e.Item.String(), Parser: e.Parser, Offset: e.Offset, Length: e.Length,
		Stream: e.Stream, Fields: map[string]string{}, annotationsJSON: toAnnotationsJSON(e.Annotations)}
	if !e.Time.IsZero() {
		s := e.Time.UTC().Format(time.RFC3339Nano)
		je.Datetime = &s
	}
	for _, fl := range e.Fields {
		je.Fields[fl.Name] = fl.Value
	}
	return je
}

func runEventShow(in *call, c *casefile.Case) error {
	id, err := eventID(c, in.args[1])
	if err != nil {
		return err
	}
	s := timeline.Of(c)
	e, err := s.Event(id)
	if err != nil {
		return withHint(err, "search the timeline ('custodiactl search') and use one of the event ids shown")
	}
	a, orphans, err := s.EventAnnotations(id)
	if err != nil {
		return err
	}
	e.Annotations = a.Annotations
	if in.wantsJSON() {
		out := struct {
			jsonEvent
			Parse        string          `json:"parse"`
			ZoneAssumed  bool            `json:"time_zone_assumed"`
			EarlierParse []annotatedJSON `json:"earlier_parses"`
		}{jsonEvent: toJSONEvent(e), Parse: a.Parse.String(), ZoneAssumed: e.TimeZoneAssumed, EarlierParse: []annotatedJSON{}}
		for _, o := range orphans {
			out.EarlierParse = append(out.EarlierParse, toAnnotatedJSON(o))
		}
		return writeJSON(in.stdout, out)
	}
	names, err := evidenceNames(c)
	if err != nil {
		return err
	}
	w := in.stdout
	field := func(name, value string) { writeField(w, 10, name, value) }
	field("event", e.ID)
	field("item", evidenceText(e.Item, names))
	field("parser", e.Parser+", parse "+shortUUID(a.Parse))
	when := "(no time)"
	if !e.Time.IsZero() {
		when = e.Time.UTC().Format(time.RFC3339Nano)
	}
	field("time", when)
	zone := e.TimeZone
	if e.TimeZoneAssumed {
		zone += " (assumed: the record has no zone)"
	}
	field("original", orNone(printable(e.TimeText, false))+"  "+zone)
	field("means", orNone(printable(e.TimestampDesc, false)))
	where := fmt.Sprintf("offset %d, length %d", e.Offset, e.Length)
	if e.Stream != "" {
		where += " in the decompressed " + e.Stream + " stream"
	}
	field("record", where)
	field("message", printable(e.Message, false))
	fmt.Fprintln(w, "fields:")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, f := range e.Fields {
		fmt.Fprintf(tw, "  %s\t%s\n", printable(f.Name, false), printable(f.Value, false))
	}
	tw.Flush()
	writeAnnotations(in, a.Annotations, true)
	for _, o := range orphans {
		fmt.Fprintf(w, "earlier parse %s, event %d at the same bytes:\n", shortUUID(o.Parse), o.Ordinal)
		writeAnnotations(in, o.Annotations, true)
	}
	return nil
}

func runEventList(in *call, c *casefile.Case) error {
	all, err := timeline.Of(c).Annotations()
	if err != nil {
		return err
	}
	var shown []timeline.Annotated
	for _, a := range all {
		if !a.Empty() {
			shown = append(shown, a)
		}
	}
	if in.wantsJSON() {
		out := make([]annotatedJSON, 0, len(shown))
		for _, a := range shown {
			out = append(out, toAnnotatedJSON(a))
		}
		return writeJSON(in.stdout, out)
	}
	names, err := evidenceNames(c)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(in.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprint(tw, "EVENT\tITEM\tOFFSET\tSTARRED\tTAGS\tCOMMENTS\n")
	orphans := 0
	for _, a := range shown {
		ev := a.Event
		if a.Orphan {
			orphans++
			ev = fmt.Sprintf("(earlier parse %s, event %d)", shortUUID(a.Parse), a.Ordinal)
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%d\n", ev, printable(names[a.Item], false), a.Offset,
			map[bool]string{true: "yes", false: "no"}[a.Starred], orDash(strings.Join(a.Tags, ",")), len(a.Comments))
	}
	tw.Flush()
	fmt.Fprintf(in.stdout, "annotated: %d events", len(shown)-orphans)
	if orphans > 0 {
		fmt.Fprintf(in.stdout, ", %d of earlier parses", orphans)
	}
	fmt.Fprintln(in.stdout)
	return nil
}
