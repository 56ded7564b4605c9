package cloud

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/custodia-dfir/custodia/evidence/logs"
	"github.com/custodia-dfir/custodia/evidence/logs/jsonl"
	"github.com/custodia-dfir/custodia/evidence/logs/logstest"
)

func read(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func expect(t *testing.T, e logs.Event, want map[string]string) {
	t.Helper()
	f := logstest.Fields(e)
	for k, v := range want {
		if f[k] != v {
			t.Errorf("%s = %q, want %q", k, f[k], v)
		}
	}
}

// The seven records of the OpenTelemetry CloudTrail sample, in file order,
// with the values its expected YAML asserts.
func TestCloudTrailRecordsFile(t *testing.T) {
	data := read(t, "otel_aws_cloudtrail_log.json")
	out := logstest.MustRun(t, CloudTrail, data, logs.Options{})
	if len(out.Warnings) != 0 {
		t.Fatalf("warnings %v", out.Warnings)
	}
	wantOps := []string{"StartInstances", "CreateUser", "Publish", "UpdateInstanceInformation", "UpdateTrail", "ConsoleLogin", "RotateKey"}
	wantTimes := []string{"2023-07-19T21:17:28Z", "2023-07-19T21:25:09Z", "2023-08-21T16:48:37Z", "2023-01-02T02:51:00Z", "2023-07-19T21:35:03Z", "2025-06-15T14:30:00Z", "2021-01-14T01:41:59Z"}
	if len(out.Events) != len(wantOps) {
		t.Fatalf("%d events, want %d", len(out.Events), len(wantOps))
	}
	for i, e := range out.Events {
		if got, _ := e.Get("operation"); got != wantOps[i] {
			t.Errorf("record %d operation %q, want %q", i+1, got, wantOps[i])
		}
		if got := e.Time.Format(time.RFC3339); got != wantTimes[i] {
			t.Errorf("record %d time %s, want %s", i+1, got, wantTimes[i])
		}
		// Each event's bytes are exactly one record object.
		rec := logstest.Record(data, e)
		if rec[0] != '{' || rec[len(rec)-1] != '}' {
			t.Errorf("record %d slices to %q…", i+1, logs.Clip(string(rec), 20))
		}
		if f, _ := jsonl.Fields(rec); len(f) == 0 {
			t.Errorf("record %d bytes are not a JSON object", i+1)
		}
	}
	expect(t, out.Events[0], map[string]string{"eventID": "e755e09c-42f9-4c5c-9064-EXAMPLE228c7", "operation": "StartInstances", "service": "ec2.amazonaws.com",
		"user": "Mateo", "actor": "arn:aws:iam::123456789012:user/Mateo", "userIdentity.type": "IAMUser", "src_ip": "192.0.2.0",
		"tlsDetails.tlsVersion": "TLSv1.2", "result": "Success", "outcome": "success"})
	if e := out.Events[0]; e.TimeZone != "UTC" || e.TimeZoneAssumed || e.TimestampDesc != logs.DescEventTime || e.TimeText != "2023-07-19T21:17:28Z" {
		t.Errorf("time fields %q %v %q %q", e.TimeZone, e.TimeZoneAssumed, e.TimestampDesc, e.TimeText)
	}
	expect(t, out.Events[1], map[string]string{"eventID": "ba0801a1-87ec-4d26-be87-EXAMPLE75bbb", "user": "Mary", "service": "iam.amazonaws.com"})
	expect(t, out.Events[2], map[string]string{"eventCategory": "Data", "managementEvent": "false", "userIdentity.type": "AssumedRole",
		"userIdentity.sessionContext.sessionIssuer.type": "Role", "userIdentity.sessionContext.sessionIssuer.arn": "arn:aws:iam::123456789012:role/Admin"})
	expect(t, out.Events[4], map[string]string{"result": "TrailNotFoundException", "outcome": "failure"})
}

// The same records, one per line, as CloudWatch and Athena exports write.
func TestCloudTrailOnePerLine(t *testing.T) {
	out := logstest.MustRun(t, CloudTrail, read(t, "otel_aws_cloudtrail_log.json"), logs.Options{})
	var lines bytes.Buffer
	for _, e := range out.Events {
		var compact bytes.Buffer
		for _, l := range strings.Split(string(logstest.Record(read(t, "otel_aws_cloudtrail_log.json"), e)), "\n") {
			compact.WriteString(strings.TrimSpace(l))
		}
		lines.Write(compact.Bytes())
		lines.WriteByte('\n')
	}
	data := lines.Bytes()
	got := logstest.MustRun(t, CloudTrail, data, logs.Options{})
	if len(got.Events) != 7 || len(got.Warnings) != 0 {
		t.Fatalf("%d events, warnings %v", len(got.Events), got.Warnings)
	}
	for i, e := range got.Events {
		if a, b := logstest.Fields(e)["eventID"], logstest.Fields(out.Events[i])["eventID"]; a != b {
			t.Errorf("line %d eventID %q, want %q", i+1, a, b)
		}
		if e.Offset == 0 && i > 0 || bytes.Contains(logstest.Record(data, e), []byte("\n")) {
			t.Errorf("line %d offset %d", i+1, e.Offset)
		}
	}
}

func TestAzureActivity(t *testing.T) {
	out := logstest.MustRun(t, AzureActivity, read(t, "otel_azure_activity_administrative.json"), logs.Options{})
	if len(out.Events) != 1 || len(out.Warnings) != 0 {
		t.Fatalf("%d events, warnings %v", len(out.Events), out.Warnings)
	}
	e := out.Events[0]
	if got := e.Time.Format(time.RFC3339Nano); got != "2025-04-15T10:16:32.9873441Z" {
		t.Errorf("time %s", got)
	}
	expect(t, e, map[string]string{
		"resource":  "/SUBSCRIPTIONS/11111111-1111-1111-1111-111111111111/PROVIDERS/MICROSOFT.INSIGHTS/DIAGNOSTICSETTINGS/EXAMPLE-COLLECT-SAMPLE-LOGS",
		"operation": "MICROSOFT.INSIGHTS/DIAGNOSTICSETTINGS/WRITE", "service": "Administrative", "result": "Start", "resultSignature": "Started.",
		"identity.authorization.evidence.role": "Owner", "actor": "user@example.com", "user": "user@example.com", "src_ip": "203.0.113.10",
		"severity": "Informational", "tenantId": "22222222-2222-2222-2222-222222222222"})
}

func TestGCPAudit(t *testing.T) {
	out := logstest.MustRun(t, GCPAudit, read(t, "otel_gcp_auditlog_activity.json"), logs.Options{})
	if len(out.Events) != 1 || len(out.Warnings) != 0 {
		t.Fatalf("%d events, warnings %v", len(out.Events), out.Warnings)
	}
	e := out.Events[0]
	if got := e.Time.Format(time.RFC3339Nano); got != "2025-08-15T12:54:34.966334Z" {
		t.Errorf("time %s", got)
	}
	expect(t, e, map[string]string{"resource.labels.project_id": "elastic-observability", "resource.type": "k8s_cluster",
		"insertId": "91515bc0-f1e8-4365-9bf5-e24ce587b653", "service": "k8s.io", "operation": "io.k8s.coordination.v1.leases.update",
		"actor": "system:gcp-controller-manager", "src_ip": "172.16.0.3", "protoPayload.status.code": "0", "result": "Success",
		"log_source": "projects/elastic-observability/logs/cloudaudit.googleapis.com%2Factivity", "receiveTimestamp": "2025-08-15T12:54:37.402958638Z"})
	if e.Offset != 0 || e.Length != int64(len(bytes.TrimRight(read(t, "otel_gcp_auditlog_activity.json"), "\n"))) {
		t.Errorf("offset %d length %d", e.Offset, e.Length)
	}
}

const ualJSON = `{"CreationTime":"2024-02-01T09:15:00","Id":"aa1","Operation":"MailItemsAccessed","OrganizationId":"org","RecordType":50,"ResultStatus":"Succeeded","UserKey":"1003","UserType":0,"Workload":"Exchange","ClientIP":"[2001:db8::5]:51234","ObjectId":"mailbox/alice","UserId":"alice@contoso.com"}
{"CreationTime":"2024-02-01T09:16:00","Id":"aa2","Operation":"UserLoginFailed","RecordType":15,"ResultStatus":"Failed","Workload":"AzureActiveDirectory","ClientIP":"198.51.100.7","ObjectId":"00000002-0000-0ff1-ce00-000000000000","UserId":"bob@contoso.com"}
`

func TestM365JSON(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	out := logstest.MustRun(t, M365, []byte(ualJSON), logs.Options{Location: berlin})
	if len(out.Events) != 2 || len(out.Warnings) != 0 {
		t.Fatalf("%d events, warnings %v", len(out.Events), out.Warnings)
	}
	e := out.Events[0]
	// UTC by definition: the source zone does not apply.
	if e.Time.Format(time.RFC3339) != "2024-02-01T09:15:00Z" || e.TimeZone != "UTC" || e.TimeZoneAssumed {
		t.Errorf("time %v zone %q assumed %v", e.Time, e.TimeZone, e.TimeZoneAssumed)
	}
	expect(t, e, map[string]string{"actor": "alice@contoso.com", "src_ip": "2001:db8::5", "src_port": "51234", "operation": "MailItemsAccessed",
		"resource": "mailbox/alice", "result": "Succeeded", "outcome": "success", "service": "Exchange", "RecordType": "50"})
	expect(t, out.Events[1], map[string]string{"src_ip": "198.51.100.7", "outcome": "failure", "user": "bob@contoso.com"})
}

func TestM365CSV(t *testing.T) {
	csv := "CreationDate,UserIds,Operations,AuditData\r\n" +
		`2024-02-01T09:15:00.0000000Z,alice@contoso.com,FileDownloaded,"{""CreationTime"":""2024-02-01T09:15:00"",""Operation"":""FileDownloaded"",""Workload"":""SharePoint"",""UserId"":""alice@contoso.com"",""ClientIP"":""203.0.113.4"",""ObjectId"":""https://contoso.sharepoint.com/a.docx""}"` + "\r\n" +
		"2024-02-01T09:16:00.0000000Z,bob@contoso.com,Broken,\"{not json}\"\r\n"
	out := logstest.MustRun(t, M365, []byte(csv), logs.Options{})
	if len(out.Events) != 1 {
		t.Fatalf("%d events", len(out.Events))
	}
	expect(t, out.Events[0], map[string]string{"actor": "alice@contoso.com", "operation": "FileDownloaded", "src_ip": "203.0.113.4",
		"resource": "https://contoso.sharepoint.com/a.docx", "csv.CreationDate": "2024-02-01T09:15:00.0000000Z"})
	if got := string(logstest.Record([]byte(csv), out.Events[0])); !strings.HasPrefix(got, "2024-02-01T09:15:00.0000000Z,alice") || strings.HasSuffix(got, "\r") {
		t.Errorf("record slices to %q", got)
	}
	if len(out.Warnings) != 1 || out.Warnings[0].Line != 3 || !strings.HasPrefix(out.Warnings[0].Why, "the AuditData column is not a JSON record") {
		t.Errorf("warnings %v", out.Warnings)
	}
}

func TestBadJSON(t *testing.T) {
	deep := strings.Repeat(`{"a":`, 5000) + "1" + strings.Repeat("}", 5000)
	in := `{"eventVersion":"1.08","eventTime":"2024-01-01T00:00:00Z","eventName":"X","eventSource":"s","n":123456789012345678901234567890}` + "\n" +
		`{"eventTime":"9999-12-31T23:59:59Z","eventName":"Future"}` + "\n" +
		deep + "\n" + "not json\n"
	out := logstest.MustRun(t, CloudTrail, []byte(in), logs.Options{})
	if len(out.Events) != 3 {
		t.Fatalf("%d events", len(out.Events))
	}
	if f := logstest.Fields(out.Events[0]); f["n"] != "123456789012345678901234567890" {
		t.Errorf("huge number kept as %q", f["n"])
	}
	if !out.Events[1].Time.IsZero() || out.Events[1].TimeText != "9999-12-31T23:59:59Z" {
		t.Errorf("year 9999: time %v text %q", out.Events[1].Time, out.Events[1].TimeText)
	}
	var whys []string
	for _, w := range out.Warnings {
		whys = append(whys, w.String())
	}
	j := strings.Join(whys, "\n")
	for _, want := range []string{
		`time "9999-12-31T23:59:59Z" is outside the years a timeline holds (1678 to 2262): the event is kept without a time`,
		"line 3 (offset 186): the record has no eventTime: the event is kept without a time",
		"line 4 (offset 30188): not a JSON record: invalid JSON at byte 0: unknown literal",
	} {
		if !strings.Contains(j, want) {
			t.Errorf("no warning %q in\n%s", want, j)
		}
	}
	if f := logstest.Fields(out.Events[2]); len(f["a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a"]) < 10 {
		t.Errorf("deep value not kept raw: %d fields", len(f))
	}
}

func FuzzCloud(f *testing.F) {
	for _, n := range []string{"otel_aws_cloudtrail_log.json", "otel_azure_activity_administrative.json", "otel_gcp_auditlog_activity.json"} {
		if b, err := os.ReadFile("testdata/" + n); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(ualJSON))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, p := range []logs.Parser{CloudTrail, AzureActivity, GCPAudit, M365, jsonl.Parser} {
			logstest.Fuzz(t, p, data)
		}
	})
}
