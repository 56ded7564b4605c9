package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/google/uuid"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/timeline"
	"github.com/custodia-dfir/custodia/evidence"
	"github.com/custodia-dfir/custodia/reports"
)

// The timeline commands: parse a log item into events, list the parsers,
// search and count the events (issue 12; export, histogram, warnings and
// the GUI's Timeline area are still to come).

var timelineCommand = &command{
	name:    "timeline",
	summary: "parse log items into events; list the parsers; count events",
	about: `A log item's records become events: each with its time in UTC (the original
text and its zone kept), what the time means, a message and named fields, and
the offset and length of the record in the item, so 'custodiactl evidence cat
--offset --length' gives back its exact bytes. Events are sealed in the case;
every parse is recorded in the custody ledger (timeline.parsed). Search them
with 'custodiactl search'.`,
	sub: []*command{
		{
			name:    "parsers",
			summary: "list the log parsers and what each reads",
			about:   `List the parsers 'timeline parse --parser' takes, with what each reads.`,
			do:      runTimelineParsers,
		},
		{
			name:    "parse",
			summary: "parse a log item into the timeline (replacing an earlier parse)",
			about: `Open CASE and parse the item ID into the timeline. The parser is detected from
the content, then the item's name; --parser NAME chooses one ('custodiactl
timeline parsers' lists them). Times written without a zone are read in the
item's recorded source time zone, or --timezone ZONE; syslog lines without a
year take the year of the item's acquisition, or --year. A gzip-compressed log
is read decompressed (offsets are then into the decompressed stream). A record
that does not parse is a warning, counted and stored, never dropped silently.
An item parsed before is parsed again: the new events replace the old ones,
which stay on record. --parser filesystem reads a disk item's file systems
instead: one event per entry and time (M, A, C, B, named as plaso names them),
deleted entries included, each pointing at the file's first byte run.`,
			params: []param{caseParam, evidenceParam},
			flags: []flagDef{
				{name: "parser", line: true, usage: "use the parser `NAME` instead of detecting one"},
				{name: "year", line: true, usage: "the `YEAR` of the first record, for syslog lines without one"},
				{name: "timezone", line: true, usage: "read times without a zone in `ZONE` (an IANA name) instead of the item's"},
			},
			opens: true, changes: true,
			records: timeline.ActionParsed,
			check:   checkTimelineParse,
			do:      runTimelineParse,
		},
		searchesCommand, saveSearchCommand, removeSearchCommand, // searches.go
		{
			name:    "histogram",
			summary: "count the events a query selects per hour, day or other bucket",
			about: `Open CASE and count the events QUERY selects (every event without one) per
bucket of time: --bucket 1h, 15m, 1d, 7d, … Buckets start on whole UTC hours
and days; empty buckets between the first and the last are listed with 0.
Events without a time are not counted. --json prints a list of {"start",
"count"}.`,
			params: []param{caseParam, {name: "QUERY", optional: true, many: true}},
			flags: []flagDef{
				{name: "bucket", required: true, line: true, why: "say how long a bucket is, e.g. 1h or 1d", usage: "the `LENGTH` of a bucket: 1h, 15m, 1d"},
				includeWithdrawnFlag, jsonFlag,
			},
			opens: true,
			check: checkHistogram,
			do:    runTimelineHistogram,
		},
		{
			name:    "warnings",
			summary: "list the records that did not parse",
			about: `Open CASE and list the warnings of the items' current parses (of the item
--item ID only): the records, or stretches of bytes, that could not be turned
into events, with their line, offset and length and why. --json prints one
JSON object per line.`,
			params: []param{caseParam},
			flags:  []flagDef{{name: "item", line: true, usage: "the warnings of the item `ID` only"}, jsonFlag},
			opens:  true,
			do:     runTimelineWarnings,
		},
		{
			name:    "export",
			summary: "write the events a query selects to a file Timesketch imports",
			about: `Open CASE and write the events QUERY selects (every event without one), oldest
first, to FILE, a new file, in Timesketch's import format: --format jsonl (one
JSON object per line) or csv. Each event has message, datetime (RFC 3339, UTC)
and timestamp_desc, its fields as columns of their own (a field named like one
of these is written as field_NAME), and where it came from: custodia_event,
custodia_item, custodia_item_name, custodia_parser, custodia_offset and
custodia_length. Events without a time are left out (Timesketch needs one). The
export is recorded in the custody ledger (timeline.exported) with the file's
SHA-256; an existing file is never replaced.`,
			params: []param{caseParam, {name: "QUERY", optional: true, many: true}},
			flags: []flagDef{
				{name: "format", required: true, line: true, why: "choose jsonl or csv", show: "jsonl|csv", usage: "jsonl or csv"},
				{name: "o", required: true, why: "name the new file to write the events to", usage: "write the events to `FILE`, a new file"},
				includeWithdrawnFlag,
			},
			opens: true, changes: true,
			records: reports.ActionTimelineExported,
			check:   checkTimelineExport,
			do:      runTimelineExport,
		},
		{
			name:    "count",
			summary: "count the events a query selects",
			about: `Open CASE and count the events that QUERY selects (every event without one).
The query language is that of 'custodiactl search'.`,
			params: []param{caseParam, {name: "QUERY", optional: true, many: true}},
			flags:  []flagDef{includeWithdrawnFlag, jsonFlag},
			opens:  true,
			do:     runTimelineCount,
		},
	},
}

// includeWithdrawnFlag shows the events of withdrawn items, which search,
// count, histogram and export leave out by default.
var includeWithdrawnFlag = flagDef{name: "include-withdrawn", isBool: true,
	usage: "take in the events of withdrawn items too (marked withdrawn)"}

var searchCommand = &command{
	name:    "search",
	summary: "search the timeline's events",
	about: `Open CASE and list the events QUERY selects, oldest first. QUERY is made of
terms (words of the message and fields), "phrases", field:value (user:admin,
event_id:4624, src_ip:10.0.0.5), field:prefix*, field:>N (also >=, <, <=), and
AND, OR, NOT with parentheses; terms side by side must all match. --from and
--to bound the time (RFC 3339 or a date, UTC; --to excluded), --item one item.
Annotations are searched with starred:true (or false), tag:NAME (tag:prefix*)
and comment:TEXT (comments holding TEXT). --json prints one JSON object per
line: id, datetime, timestamp_desc, message, item, parser, offset, length,
stream, fields, starred, tags and comments.

--queries FILE runs a hunting pack instead of QUERY: one query per line
(blank lines and lines starting with # are skipped), all in one open case
with one index, each bounded by --from, --to and --item. For each it prints
its line, the number of events it selects and elapsed_ms, the time the count
and the first page of the result took. A line that cannot be read is
reported with its line number and the character where it goes wrong, and the
others still run; the exit status is then 1.`,
	params: []param{caseParam, {name: "QUERY", optional: true, many: true}},
	flags: []flagDef{
		{name: "from", line: true, usage: "events at or after `TIME`"},
		{name: "to", line: true, usage: "events before `TIME`"},
		{name: "item", line: true, usage: "events of the item `ID` only"},
		{name: "limit", line: true, usage: "at most `N` events (default 100)"},
		{name: "queries", usage: "run the queries of `FILE`, one per line, instead of QUERY"},
		includeWithdrawnFlag, jsonFlag,
	},
	opens: true,
	check: checkSearch,
	do:    runSearch,
}

func runTimelineParsers(in *call, _ *casefile.Case) error {
	tw := tabwriter.NewWriter(in.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tREADS")
	for _, p := range evidence.Parsers() {
		fmt.Fprintf(tw, "%s\t%s\n", p.Name, p.Reads)
	}
	return tw.Flush()
}

func checkTimelineParse(in *call) error {
	if y := in.text("year"); y != "" {
		if n, err := strconv.Atoi(y); err != nil || n < 1 || n > 9999 {
			return in.usagef("--year %q is not a year: give four digits, e.g. 2026", y)
		}
	}
	if p := in.text("parser"); p != "" {
		if _, err := evidence.LookupParser(p); err != nil {
			return in.usagef("%v", err)
		}
	}
	if z := in.text("timezone"); z != "" {
		if _, err := time.LoadLocation(z); err != nil || z == "Local" {
			return in.usagef("--timezone %q is not a time zone: give an IANA name such as Europe/Berlin or UTC", z)
		}
	}
	return nil
}

func runTimelineParse(in *call, c *casefile.Case) error {
	ev, err := findEvidence(c, in.args[1])
	if err != nil {
		return err
	}
	year, _ := strconv.Atoi(in.text("year"))
	opts := evidence.ParseOptions{Parser: in.text("parser"), Year: year, TimeZone: in.text("timezone"), Reason: in.reason}
	prog := in.progress("parsing")
	opts.Progress = prog.sink()
	var p timeline.Parse
	err = in.interruptible(func(ctx context.Context) (err error) {
		p, err = evidence.ParseItem(ctx, c, ev.ID, opts)
		return err
	})
	prog.clear()
	if errors.Is(err, context.Canceled) {
		return withHint(errors.New("parse cancelled"), "nothing was stored; the item's earlier events, if any, stay current")
	}
	if err != nil {
		return err
	}
	w := in.stdout
	fmt.Fprintf(w, "parsed: %s (%s) with %s (%s)\n", printable(ev.Meta.Name, false), shortID(ev), p.Parser, p.Detected)
	writeField(w, 10, "events", strconv.FormatInt(p.Events, 10))
	writeField(w, 10, "warnings", strconv.FormatInt(p.Warnings, 10))
	if p.Stream != "" {
		writeField(w, 10, "stream", p.Stream+" (offsets are into the decompressed stream)")
	}
	if p.Truncated {
		writeField(w, 10, "truncated", "the parse stopped before the end of the item; a warning says why")
	}
	if p.Replaces != uuid.Nil {
		writeField(w, 10, "replaces", "the item's earlier parse "+p.Replaces.String()[:8])
	}
	return nil
}

// searchFilter is the filter the search flags give; the item is resolved
// against the open case. The events of withdrawn items are left out unless
// --include-withdrawn.
func searchFilter(in *call, c *casefile.Case) (timeline.Filter, error) {
	f := timeline.Filter{Query: strings.Join(in.args[1:], " ")}
	if !in.on("include-withdrawn") {
		var err error
		if f.Exclude, err = timeline.Of(c).Withdrawn(); err != nil {
			return f, err
		}
	}
	if in.cmd.path != "search" {
		return f, nil
	}
	f.From, _ = timeline.ParseTime(in.text("from"))
	f.To, _ = timeline.ParseTime(in.text("to"))
	f.Limit, _ = strconv.Atoi(in.text("limit"))
	var err error
	f.Item, err = itemFlag(in, c)
	return f, err
}

// itemFlag resolves --item ID to an item of c; uuid.Nil when it was not
// given.
func itemFlag(in *call, c *casefile.Case) (uuid.UUID, error) {
	ref := in.text("item")
	if ref == "" {
		return uuid.Nil, nil
	}
	ev, err := findEvidence(c, ref)
	return ev.ID, err
}

func checkSearch(in *call) error {
	if err := checkRange(in); err != nil {
		return err
	}
	if s := in.text("limit"); s != "" {
		if n, err := strconv.Atoi(s); err != nil || n < 1 || n > timeline.MaxLimit {
			return in.usagef("--limit %q: give a number from 1 to %d", s, timeline.MaxLimit)
		}
	}
	if in.given("queries") {
		if in.cmd.path == "search" && len(in.args) > 1 {
			return in.usagef("give QUERY or --queries FILE, not both")
		}
		if _, err := readPack(in); err != nil {
			return err
		}
	}
	return nil
}

// checkRange checks the times of --from and --to.
func checkRange(in *call) error {
	for _, name := range []string{"from", "to"} {
		if s := in.text(name); s != "" {
			if _, err := timeline.ParseTime(s); err != nil {
				return in.usagef("--%s %q: %v", name, s, err)
			}
		}
	}
	return nil
}

// readPack reads and checks the hunting pack --queries names.
func readPack(in *call) ([]timeline.PackQuery, error) {
	name := in.text("queries")
	text, err := in.readTextFile("--queries", name, timeline.MaxPackBytes)
	if err != nil {
		return nil, err
	}
	qs, err := timeline.ParsePack([]byte(text))
	if err != nil {
		return nil, in.usagef("--queries: %s: %s", name, problem(err))
	}
	return qs, nil
}

// runSearchPack runs every query of --queries with one index.
func runSearchPack(in *call, c *casefile.Case, f timeline.Filter) error {
	qs, err := readPack(in)
	if err != nil {
		return err
	}
	name := in.text("queries")
	bad := 0
	err = withIndex(in, c, func(ctx context.Context, ix *timeline.Index) error {
		enc := json.NewEncoder(in.stdout) // one object per line
		enc.SetEscapeHTML(false)
		tw := tabwriter.NewWriter(in.stdout, 0, 4, 2, ' ', 0)
		if !in.wantsJSON() {
			fmt.Fprintln(tw, "LINE\tCOUNT\tMS\tQUERY")
		}
		for _, q := range qs {
			type result struct {
				Line      int      `json:"line"`
				Query     string   `json:"query"`
				Count     *int64   `json:"count,omitempty"`
				ElapsedMS *float64 `json:"elapsed_ms,omitempty"`
				Error     string   `json:"error,omitempty"`
				Position  int      `json:"position,omitempty"`
			}
			r := result{Line: q.Line, Query: q.Query}
			qerr := q.Err
			if qerr == nil {
				qf := f
				qf.Query = q.Query
				start := time.Now()
				n, err := ix.Count(ctx, qf)
				if err == nil {
					_, err = ix.Search(ctx, qf)
				}
				ms := float64(time.Since(start).Microseconds()) / 1000
				if err != nil && !errors.Is(err, timeline.ErrBadQuery) {
					return err
				}
				qerr = err
				if err == nil {
					r.Count, r.ElapsedMS = &n, &ms
				}
			}
			if qerr != nil {
				bad++
				r.Error = problem(qerr)
				if qe, ok := errors.AsType[*timeline.QueryError](qerr); ok {
					r.Position = qe.Pos
					r.Error = qe.Msg
				}
				fmt.Fprintf(in.stderr, "error: %s line %d: %s\n", name, q.Line, problem(qerr))
			}
			if in.wantsJSON() {
				if err := enc.Encode(r); err != nil {
					return err
				}
				continue
			}
			if r.Count == nil {
				fmt.Fprintf(tw, "%d\t-\t-\t%s\n", r.Line, printable(r.Query, false))
				continue
			}
			fmt.Fprintf(tw, "%d\t%d\t%.3f\t%s\n", r.Line, *r.Count, *r.ElapsedMS, printable(r.Query, false))
		}
		return tw.Flush()
	})
	if err != nil {
		return err
	}
	if bad > 0 {
		return withHint(fmt.Errorf("%d of the %d queries of %s could not be read; the others ran", bad, len(qs), name),
			"correct the lines named above at the character given")
	}
	return nil
}

// withIndex opens the case's search index (restored from its sealed
// snapshot when that covers the timeline, else built from the events) and
// runs f with it.
func withIndex(in *call, c *casefile.Case, f func(ctx context.Context, ix *timeline.Index) error) error {
	return in.interruptible(func(ctx context.Context) error {
		ix, err := timeline.Open(ctx, timeline.Of(c), timeline.OpenOptions{Warn: func(err error) {
			fmt.Fprintf(in.stderr, "warning: %s\n", printable(problem(err), false))
		}})
		if err != nil {
			return err
		}
		defer ix.Close()
		return f(ctx, ix)
	})
}

func runTimelineCount(in *call, c *casefile.Case) error {
	f, err := searchFilter(in, c)
	if err != nil {
		return err
	}
	return withIndex(in, c, func(ctx context.Context, ix *timeline.Index) error {
		n, err := ix.Count(ctx, f)
		if err != nil {
			return err
		}
		if in.wantsJSON() {
			return writeJSON(in.stdout, map[string]int64{"count": n})
		}
		fmt.Fprintf(in.stdout, "count: %d\n", n)
		return nil
	})
}

// jsonEvent is an event as search --json prints it (Timesketch's names
// where it has them).
type jsonEvent struct {
	ID            string            `json:"id"`
	Datetime      *string           `json:"datetime"`
	TimeText      string            `json:"time_text"`
	TimeZone      string            `json:"time_zone,omitempty"`
	TimestampDesc string            `json:"timestamp_desc"`
	Message       string            `json:"message"`
	Item          string            `json:"item"`
	Parser        string            `json:"parser"`
	Offset        int64             `json:"offset"`
	Length        int64             `json:"length"`
	Stream        string            `json:"stream,omitempty"`
	Fields        map[string]string `json:"fields"`
	// Withdrawn marks an event of a withdrawn item (--include-withdrawn).
	Withdrawn bool `json:"withdrawn,omitempty"`
	annotationsJSON
}

func runSearch(in *call, c *casefile.Case) error {
	f, err := searchFilter(in, c)
	if err != nil {
		return err
	}
	if in.given("queries") {
		return runSearchPack(in, c, f)
	}
	names, err := evidenceNames(c)
	if err != nil {
		return err
	}
	gone := map[uuid.UUID]bool{}
	if in.on("include-withdrawn") {
		ids, err := timeline.Of(c).Withdrawn()
		if err != nil {
			return err
		}
		for _, id := range ids {
			gone[id] = true
			names[id] += " (withdrawn)"
		}
	}
	return withIndex(in, c, func(ctx context.Context, ix *timeline.Index) error {
		evs, err := ix.Search(ctx, f)
		if err != nil {
			return err
		}
		if in.wantsJSON() {
			enc := json.NewEncoder(in.stdout) // one object per line
			enc.SetEscapeHTML(false)
			for _, e := range evs {
				je := toJSONEvent(e)
				je.Withdrawn = gone[e.Item]
				if err := enc.Encode(je); err != nil {
					return err
				}
			}
			return nil
		}
		tw := tabwriter.NewWriter(in.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "TIME (UTC)\tITEM\tOFFSET\tPARSER\tMESSAGE")
		for _, e := range evs {
			when := "(no time)"
			if !e.Time.IsZero() {
				when = e.Time.UTC().Format(time.RFC3339Nano)
			}
			fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\n", when, printable(names[e.Item], false), e.Offset, e.Parser, printable(e.Message, false))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		fmt.Fprintf(in.stdout, "events: %d shown\n", len(evs))
		return nil
	})
}

// parseBucket reads a bucket length: a Go duration (15m, 1h) or a number of
// days (1d, 7d).
func parseBucket(s string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		d, err := strconv.Atoi(n)
		if err != nil || d < 1 || d > 3660 {
			return 0, fmt.Errorf("--bucket %q: give a number of days from 1 to 3660, e.g. 1d", s)
		}
		return time.Duration(d) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < time.Second {
		return 0, fmt.Errorf("--bucket %q: give a length such as 1s, 15m, 1h or 1d", s)
	}
	return d, nil
}

func checkHistogram(in *call) error {
	if _, err := parseBucket(in.text("bucket")); err != nil {
		return in.usagef("%v", err)
	}
	return nil
}

func runTimelineHistogram(in *call, c *casefile.Case) error {
	f, err := searchFilter(in, c)
	if err != nil {
		return err
	}
	bucket, _ := parseBucket(in.text("bucket"))
	return withIndex(in, c, func(ctx context.Context, ix *timeline.Index) error {
		bs, err := ix.Histogram(ctx, f, bucket)
		if err != nil {
			return err
		}
		if in.wantsJSON() {
			type jsonBucket struct {
				Start string `json:"start"`
				Count int64  `json:"count"`
			}
			out := make([]jsonBucket, len(bs))
			for i, b := range bs {
				out[i] = jsonBucket{b.Start.UTC().Format(time.RFC3339), b.Count}
			}
			return writeJSON(in.stdout, out)
		}
		for _, b := range bs {
			fmt.Fprintf(in.stdout, "%s  %d\n", b.Start.UTC().Format(time.RFC3339), b.Count)
		}
		return nil
	})
}

func runTimelineWarnings(in *call, c *casefile.Case) error {
	item, err := itemFlag(in, c)
	if err != nil {
		return err
	}
	names, err := evidenceNames(c)
	if err != nil {
		return err
	}
	ws, err := timeline.Of(c).Warnings(item)
	if err != nil {
		return err
	}
	if in.wantsJSON() {
		enc := json.NewEncoder(in.stdout)
		enc.SetEscapeHTML(false)
		for _, w := range ws {
			if err := enc.Encode(map[string]any{"item": w.Item.String(), "line": w.Line, "offset": w.Offset,
				"length": w.Length, "why": w.Why}); err != nil {
				return err
			}
		}
		return nil
	}
	for _, w := range ws {
		fmt.Fprintf(in.stdout, "%s: %s\n", printable(names[w.Item], false), printable(w.String(), false))
	}
	fmt.Fprintf(in.stdout, "warnings: %d\n", len(ws))
	return nil
}

func checkTimelineExport(in *call) error {
	if f := in.text("format"); !slices.Contains(reports.TimelineFormats, f) {
		return in.usagef("--format %q: use jsonl or csv", f)
	}
	if fileExists(in.text("o")) {
		return existingFile("export timeline to", in.text("o"))
	}
	return nil
}

func runTimelineExport(in *call, c *casefile.Case) error {
	f, err := searchFilter(in, c)
	if err != nil {
		return err
	}
	names, err := evidenceNames(c)
	if err != nil {
		return err
	}
	out := in.text("o")
	return withIndex(in, c, func(ctx context.Context, ix *timeline.Index) error {
		x, err := reports.ExportTimeline(ctx, c, ix, f, names, in.text("format"), out, in.reason)
		if errors.Is(err, casefile.ErrExists) {
			return existingFile("export timeline to", out)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(in.stdout, "exported: %d events to %s (%s)\n", x.Events, out, x.Format)
		fmt.Fprintf(in.stdout, "sha256: %s\n", x.SHA256)
		return nil
	})
}
