package jsonl

import (
	"strings"
	"testing"
	"time"

	"github.com/custodia-dfir/custodia/evidence/logs"
	"github.com/custodia-dfir/custodia/evidence/logs/logstest"
)

func TestLayouts(t *testing.T) {
	rec1 := `{"ts": 1700000000123, "msg": "one", "user": {"name": "alice"}}`
	rec2 := `{"time": "2023-11-14T22:13:20.5+01:00", "message": "two", "list": [1, "x", {"k": true}], "n": null}`
	for _, tc := range []struct {
		name, doc string
	}{
		{"lines", rec1 + "\n" + rec2 + "\n"},
		{"array", "[\n  " + rec1 + ",\n  " + rec2 + "\n]\n"},
		{"wrapped", `{"Records": [` + rec1 + ", " + rec2 + "]}"},
		{"stream", strings.ReplaceAll(rec1, ", ", ",\n ") + "\n" + strings.ReplaceAll(rec2, ", ", ",\n ") + "\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := []byte(tc.doc)
			out := logstest.MustRun(t, Parser, data, logs.Options{})
			if len(out.Events) != 2 || len(out.Warnings) != 0 {
				t.Fatalf("%d events, warnings %v", len(out.Events), out.Warnings)
			}
			a, b := out.Events[0], out.Events[1]
			if a.Time.Format(time.RFC3339Nano) != "2023-11-14T22:13:20.123Z" || a.Message != "one" || logstest.Fields(a)["user.name"] != "alice" {
				t.Errorf("first: %v %q %v", a.Time, a.Message, a.Fields)
			}
			if b.Time.Format(time.RFC3339Nano) != "2023-11-14T21:13:20.5Z" || b.TimeZone != "+01:00" || b.Message != "two" {
				t.Errorf("second: %v %q %q", b.Time, b.TimeZone, b.Message)
			}
			f := logstest.Fields(b)
			if f["list[0]"] != "1" || f["list[1]"] != "x" || f["list[2].k"] != "true" {
				t.Errorf("second fields %v", b.Fields)
			}
			if _, ok := f["n"]; ok {
				t.Errorf("null kept as a field")
			}
			for _, e := range out.Events {
				r := string(logstest.Record(data, e))
				if !strings.HasPrefix(r, "{") || !strings.HasSuffix(r, "}") {
					t.Errorf("record slices to %q", r)
				}
			}
		})
	}
}

func TestTimesAndWarnings(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	in := `{"@timestamp":"2024-07-01 12:00:00","message":"zone-less"}
{"Date":"1719835200","message":"epoch seconds as text"}
{"event":{"created":"2024-07-01T10:00:00.123456789Z"},"message":"nested, ns"}
{"message":"no time"}
{"time":"yesterday","message":"bad time"}
{"message": "cut
` + strings.Repeat("x", 2000) + "\n"
	out := logstest.MustRun(t, Parser, []byte(in), logs.Options{Location: berlin, MaxRecord: 1000})
	if len(out.Events) != 5 {
		t.Fatalf("%d events", len(out.Events))
	}
	want := []string{"2024-07-01T10:00:00Z", "2024-07-01T12:00:00Z", "2024-07-01T10:00:00.123456789Z", "", ""}
	for i, w := range want {
		got := ""
		if !out.Events[i].Time.IsZero() {
			got = out.Events[i].Time.Format(time.RFC3339Nano)
		}
		if got != w {
			t.Errorf("event %d time %q, want %q", i, got, w)
		}
	}
	if !out.Events[0].TimeZoneAssumed || out.Events[0].TimeZone != "Europe/Berlin" {
		t.Errorf("zone-less time: zone %q assumed %v", out.Events[0].TimeZone, out.Events[0].TimeZoneAssumed)
	}
	var whys []string
	for _, w := range out.Warnings {
		whys = append(whys, w.String())
	}
	wantW := []string{
		"line 4 (offset 193): the record has no time member (@timestamp, timestamp, time, datetime, date, eventtime, …): the event is kept without a time",
		`line 5 (offset 215): time "yesterday" is not a time this parser reads: the event is kept without one`,
		"line 6 (offset 257): not a JSON record: invalid JSON at byte 16: the string is not closed",
		"line 7 (offset 274): line of 2000 bytes is longer than the 1000-byte bound for one record: skipped",
	}
	if strings.Join(whys, "\n") != strings.Join(wantW, "\n") {
		t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(whys, "\n"), strings.Join(wantW, "\n"))
	}
}

func TestFlattenDeepAndHuge(t *testing.T) {
	deep := strings.Repeat("[", 100000) + strings.Repeat("]", 100000)
	var got []string
	if err := Flatten([]byte(`{"a":`+deep+`,"b":1e999999,"c":"\u00e9\ud83d\ude00"}`), func(p, v string) { got = append(got, p+"="+logs.Clip(v, 8)) }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || !strings.HasPrefix(got[0], "a"+strings.Repeat("[0]", MaxDepth-1)+"=[[[[") || got[1] != "b=1e999999" || got[2] != "c=é😀" {
		t.Fatalf("got %q", got)
	}
}

func FuzzJSONL(f *testing.F) {
	f.Add([]byte(`{"ts":1,"a":[1,{"b":"c"}]}` + "\n" + `{"time":"2024-01-01T00:00:00Z"}`))
	f.Add([]byte(`{"Records":[{"eventTime":"2024-01-01T00:00:00Z"},{"x":"\"]"}]}`))
	f.Add([]byte("[1, \"two\", {\"three\": 3}]"))
	f.Fuzz(func(t *testing.T, data []byte) { logstest.Fuzz(t, Parser, data) })
}
