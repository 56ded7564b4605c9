package reports

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/timeline"
)

// ActionTimelineExported records a timeline export: the file's SHA-256,
// its format, path, query and number of events.
const ActionTimelineExported casefile.Action = "timeline.exported"

var _ = casefile.RegisterAction(ActionTimelineExported, casefile.PermGenerateReports)

// TimelineFormats are the formats of a timeline export: Timesketch's import
// formats, JSON lines and CSV.
var TimelineFormats = []string{"jsonl", "csv"}

// ExportedTimeline is what ExportTimeline wrote and recorded.
type ExportedTimeline struct {
	Path   string // the file, absolute
	Format string
	SHA256 string // of the file as stored
	Events int64
	Entry  casefile.CustodyEntry // the timeline.exported entry recording it
}

// timesketchReserved are the columns Timesketch gives a meaning; a field
// of the same name is written as "field_NAME".
var timesketchReserved = []string{"message", "datetime", "timestamp_desc", "timestamp",
	"custodia_event", "custodia_item", "custodia_item_name", "custodia_parser", "custodia_offset", "custodia_length", "custodia_stream", "custodia_withdrawn"}

// ExportTimeline writes the events of ix that f selects (its page is
// ignored: every event it selects), in time order, to path, a new file,
// in Timesketch's import format — format "jsonl" (one JSON object per line)
// or "csv" — and records the export as timeline.exported. Each event has
// Timesketch's message, datetime (RFC 3339, UTC, with the fraction the
// record had) and timestamp_desc, its fields as columns of their own, and
// where it came from: custodia_event, custodia_item (and its name),
// custodia_parser, custodia_offset and custodia_length (custodia_stream
// "gzip" when the offset is into the decompressed item). Events without a
// time are left out: Timesketch needs one; the count says how many were
// written. names maps items to their names. The events of withdrawn items
// are written only if f does not exclude them (see timeline.Filter.Exclude),
// and then marked custodia_withdrawn "true" (in CSV a column of its own,
// present only when the export holds such an event).
func ExportTimeline(ctx context.Context, c *casefile.Case, ix *timeline.Index, f timeline.Filter, names map[uuid.UUID]string,
	format, path, reason string) (ExportedTimeline, error) {
	const doing = "export timeline"
	if !slices.Contains(TimelineFormats, format) {
		return ExportedTimeline{}, fmt.Errorf("%s: %w", doing, casefile.Invalidf("unknown format %q: use jsonl or csv", format))
	}
	if err := casefile.CheckReason(reason); err != nil {
		return ExportedTimeline{}, fmt.Errorf("%s: %w", doing, err)
	}
	if f.From.IsZero() {
		// The earliest time a timeline holds (1678): leaves out only the
		// events without a time.
		f.From = time.Date(1678, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	// For CSV the columns are every field name of the selection: a first
	// pass collects them.
	withdrawn, err := timeline.Of(c).Withdrawn()
	if err != nil {
		return ExportedTimeline{}, fmt.Errorf("%s: %w", doing, err)
	}
	gone := map[uuid.UUID]bool{}
	for _, id := range withdrawn {
		gone[id] = true
	}
	var cols []string
	anyWithdrawn := false
	if format == "csv" {
		seen := map[string]bool{}
		if err := eachEvent(ctx, ix, f, func(e *timeline.Event) error {
			anyWithdrawn = anyWithdrawn || gone[e.Item]
			for _, fl := range e.Fields {
				if n := columnName(fl.Name); !seen[n] {
					seen[n] = true
					cols = append(cols, n)
				}
			}
			return nil
		}); err != nil {
			return ExportedTimeline{}, fmt.Errorf("%s: %w", doing, err)
		}
		slices.Sort(cols)
	}
	var n int64
	write := func(w io.Writer) error {
		n = 0
		if format == "jsonl" {
			enc := json.NewEncoder(w)
			enc.SetEscapeHTML(false)
			return eachEvent(ctx, ix, f, func(e *timeline.Event) error {
				row := map[string]any{}
				for k, v := range provenance(e, names, gone) {
					row[k] = v
				}
				for _, fl := range e.Fields {
					row[columnName(fl.Name)] = fl.Value
				}
				n++
				return enc.Encode(row)
			})
		}
		cw := csv.NewWriter(w)
		head := append(slices.Clone(timesketchReserved[:3]), timesketchReserved[4:len(timesketchReserved)-1]...)
		if anyWithdrawn {
			head = append(head, "custodia_withdrawn")
		}
		if err := cw.Write(append(head, cols...)); err != nil {
			return err
		}
		err := eachEvent(ctx, ix, f, func(e *timeline.Event) error {
			p := provenance(e, names, gone)
			rec := make([]string, 0, len(head)+len(cols))
			for _, h := range head {
				rec = append(rec, p[h])
			}
			vals := map[string]string{}
			for _, fl := range e.Fields {
				vals[columnName(fl.Name)] = fl.Value
			}
			for _, col := range cols {
				rec = append(rec, vals[col])
			}
			n++
			return cw.Write(rec)
		})
		if err != nil {
			return err
		}
		cw.Flush()
		return cw.Error()
	}
	out := ExportedTimeline{Format: format}
	out.Path, out.SHA256, out.Entry, err = exportFile(c, doing, path, write, func(abs, sum string) casefile.Event {
		d := map[string]string{"format": format, "path": abs, "events": strconv.FormatInt(n, 10)}
		if f.Query != "" {
			d["query"] = f.Query
		}
		return casefile.Event{Action: ActionTimelineExported,
			Target: casefile.Target{Type: casefile.TargetCase, ID: c.Info().CaseUUID.String()},
			Reason: reason, Hashes: map[string]string{"sha256": sum}, Details: d}
	})
	if err != nil {
		return ExportedTimeline{}, err
	}
	out.Events = n
	return out, nil
}

// provenance is an event's Timesketch columns and where it came from.
func provenance(e *timeline.Event, names map[uuid.UUID]string, gone map[uuid.UUID]bool) map[string]string {
	p := map[string]string{
		"message":            e.Message,
		"datetime":           e.Time.UTC().Format(time.RFC3339Nano),
		"timestamp_desc":     e.TimestampDesc,
		"custodia_event":     e.ID,
		"custodia_item":      e.Item.String(),
		"custodia_item_name": names[e.Item],
		"custodia_parser":    e.Parser,
		"custodia_offset":    strconv.FormatInt(e.Offset, 10),
		"custodia_length":    strconv.FormatInt(e.Length, 10),
	}
	if e.Stream != "" {
		p["custodia_stream"] = e.Stream
	}
	if gone[e.Item] {
		// Shown only when asked (f without the withdrawn items in Exclude).
		p["custodia_withdrawn"] = "true"
	}
	return p
}

// columnName is the column of a field: its name, or field_NAME when
// Timesketch or the provenance columns use that name.
func columnName(name string) string {
	if slices.Contains(timesketchReserved, strings.ToLower(name)) {
		return "field_" + name
	}
	return name
}

// eachEvent calls fn on every event f selects, a page at a time.
func eachEvent(ctx context.Context, ix *timeline.Index, f timeline.Filter, fn func(*timeline.Event) error) error {
	f.Limit, f.Offset, f.After = timeline.MaxLimit, 0, ""
	for {
		evs, err := ix.Search(ctx, f)
		if err != nil {
			return err
		}
		for i := range evs {
			if err := fn(&evs[i]); err != nil {
				return err
			}
		}
		if len(evs) < f.Limit {
			return nil
		}
		f.After = evs[len(evs)-1].ID
	}
}
