package cloud

import (
	"context"
	"io"
	"strings"

	"github.com/custodia-dfir/custodia/evidence/logs"
	"github.com/custodia-dfir/custodia/evidence/logs/jsonl"
)

// M365 is the Microsoft 365 Unified Audit Log parser's registry entry.
var M365 = logs.Parser{
	Name:  "m365-ual",
	Reads: "Microsoft 365 Unified Audit Log: AuditData JSON records, or the audit search CSV export",
	Names: []string{"*auditlog*.csv", "*audit_log*.csv", "*ual*.csv", "*ual*.json", "*unifiedaudit*"},
	Sniff: func(h *logs.Head) int {
		switch {
		case has(h, "AuditData") && (has(h, "CreationDate") || has(h, "RecordType")):
			return 95
		case has(h, `"CreationTime"`, `"Operation"`, `"Workload"`), has(h, `"CreationTime"`, `"Operation"`, `"RecordType"`):
			return 93
		}
		return 0
	},
	Parse: parseM365,
}

func parseM365(ctx context.Context, r io.Reader, opts logs.Options, sink logs.Sink) error {
	head, br := logs.PeekText(r)
	if len(head) > 0 && (head[0] == '{' || head[0] == '[') {
		return parseWith("m365-ual", buildM365)(ctx, br, opts, sink)
	}
	// The CSV export: a header, then one record per audit entry whose
	// AuditData column holds the JSON record.
	var cols map[string]int
	return logs.CSVRecords(br, opts.RecordLimit(), func(rec logs.CSVRecord) error {
		warn := func(why string) error {
			return sink.Warning(logs.Warning{Line: rec.Line, Offset: rec.Offset, Length: rec.Length, Why: why})
		}
		if cols == nil {
			cols = map[string]int{}
			for i, c := range rec.Fields {
				cols[strings.TrimPrefix(strings.TrimSpace(c), "\uFEFF")] = i
			}
			if _, ok := cols["AuditData"]; !ok {
				return warn("the CSV header has no AuditData column: this is not an audit log export")
			}
			return nil
		}
		col := func(name string) string {
			if i, ok := cols[name]; ok && i < len(rec.Fields) {
				return rec.Fields[i]
			}
			return ""
		}
		data := col("AuditData")
		fields, why := jsonl.Fields([]byte(data))
		if fields == nil {
			return warn("the AuditData column is " + why)
		}
		if why != "" {
			if err := warn(why); err != nil {
				return err
			}
		}
		// The export's own columns come after AuditData's values.
		for _, c := range []string{"RecordId", "CreationDate", "RecordType", "Operation", "Operations", "UserId", "UserIds"} {
			if v := col(c); v != "" {
				fields = append(fields, logs.Field{Name: "csv." + c, Value: v})
			}
		}
		e, w := event(fields, rec.Offset, rec.Length, buildM365, opts)
		if w != "" {
			if err := warn(w); err != nil {
				return err
			}
		}
		return sink.Event(e)
	}, sink.Warning)
}

func buildM365(r *record, e *logs.Event) string {
	actor := r.get("UserId", "UserKey", "csv.UserId", "csv.UserIds")
	ip, port := splitHostPort(r.get("ClientIP", "ClientIPAddress", "ActorIpAddress"))
	op := r.get("Operation", "csv.Operation", "csv.Operations")
	result := r.get("ResultStatus")
	e.Add(FieldActor, actor)
	e.Add(logs.FieldUser, actor)
	e.Add(logs.FieldSrcIP, ip)
	e.Add(logs.FieldSrcPort, port)
	e.Add(FieldOperation, op)
	e.Add(FieldService, r.get("Workload"))
	e.Add(FieldResource, r.get("ObjectId", "SiteUrl", "ItemName", "SourceFileName"))
	e.Add(FieldResult, result)
	e.Add(logs.FieldOutcome, outcomeOf(result))
	e.Message = message(op, with("by ", actor), with("from ", ip), with("on ", r.get("ObjectId")), with("→ ", result))
	return "CreationTime!" // UTC by Microsoft's definition, though written without a zone
}
