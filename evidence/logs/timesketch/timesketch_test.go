package timesketch

import (
	"testing"
	"time"

	"github.com/custodia-dfir/custodia/evidence/logs"
	"github.com/custodia-dfir/custodia/evidence/logs/logstest"
)

func TestCSVAndJSONL(t *testing.T) {
	csv := "message,timestamp,datetime,timestamp_desc,extra_field_1\n" +
		"A message,1331698658276340,2015-07-24T19:01:01+00:00,Write time,foo\n" +
		"\"Multi\nline, quoted\",,2015-07-24 19:01:02.5,Last Login,\n" +
		"short,row\n"
	for name, data := range map[string]string{
		"csv": csv,
		"jsonl": `{"message": "A message","timestamp": 1331698658276340,"datetime": "2015-07-24T19:01:01+00:00","timestamp_desc": "Write time","extra_field_1": "foo"}` + "\n" +
			`{"message": "Multi\nline, quoted","datetime": "2015-07-24 19:01:02.5","timestamp_desc": "Last Login"}` + "\n" + "short,row\n",
	} {
		t.Run(name, func(t *testing.T) {
			out := logstest.MustRun(t, Parser, []byte(data), logs.Options{})
			if len(out.Events) != 2 || len(out.Warnings) != 1 {
				t.Fatalf("%d events, warnings %v", len(out.Events), out.Warnings)
			}
			a, b := out.Events[0], out.Events[1]
			if a.Message != "A message" || a.TimestampDesc != "Write time" || a.Time.Format(time.RFC3339) != "2015-07-24T19:01:01Z" || logstest.Fields(a)["extra_field_1"] != "foo" {
				t.Errorf("first %+v", a)
			}
			if b.Message != "Multi\nline, quoted" || b.TimestampDesc != "Last Login" || b.Time.Format(time.RFC3339Nano) != "2015-07-24T19:01:02.5Z" {
				t.Errorf("second %+v", b)
			}
			if len(a.Fields) != 1 {
				t.Errorf("core columns kept as fields: %v", a.Fields)
			}
		})
	}
}

func FuzzTimesketch(f *testing.F) {
	f.Add([]byte("message,datetime,timestamp_desc\nx,2015-07-24T19:01:01Z,y\n"))
	f.Fuzz(func(t *testing.T, data []byte) { logstest.Fuzz(t, Parser, data) })
}
