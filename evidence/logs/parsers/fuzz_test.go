package parsers

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"testing"

	"github.com/custodia-dfir/custodia/evidence/logs"
	"github.com/custodia-dfir/custodia/evidence/logs/logstest"
)

// FuzzDetectAndParse runs detection and the parser it picks over any
// bytes, as `timeline parse` does on an item: no panic, no hang, and either
// a clear refusal (no parser recognises it, or it is not that format after
// all) or events that keep every parser's promises (offsets inside the
// stream and in order, unique field names, UTC times, counts that match).
func FuzzDetectAndParse(f *testing.F) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte("Feb 21 21:54:44 web01 sshd[1]: Accepted password for root from 10.0.0.5 port 22 ssh2\n"))
	zw.Close()
	for _, seed := range [][]byte{
		[]byte("Feb 21 21:54:44 web01 sshd[1]: Failed password for root from 10.0.0.5 port 22 ssh2\n"),
		[]byte("<34>1 2026-02-21T21:54:44.003Z web01 su - ID47 [exampleSDID@32473 iut=\"3\"] 'su root' failed\n"),
		[]byte(`{"Records":[{"eventTime":"2026-02-21T21:54:44Z","eventName":"ConsoleLogin","sourceIPAddress":"10.0.0.5"}]}`),
		[]byte(`{"time":"2026-02-21T21:54:44Z","msg":"x","user":"a"}` + "\n"),
		[]byte(`10.0.0.5 - - [21/Feb/2026:21:54:44 +0100] "GET / HTTP/1.1" 200 12 "-" "curl/8"` + "\n"),
		[]byte("#separator \\x09\n#fields\tts\tuid\tid.orig_h\n1771710884.0\tC1\t10.0.0.5\n"),
		[]byte("type=USER_LOGIN msg=audit(1771710884.003:42): pid=1 uid=0 res=success\n"),
		[]byte("#1771710884\nls -la\n"),
		[]byte("ElfFile\x00"),
		gz.Bytes(),
		{},
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var out logstest.Output
		sink := logs.Funcs{
			OnEvent:   func(e logs.Event) error { out.Events = append(out.Events, e); return nil },
			OnWarning: func(w logs.Warning) error { out.Warnings = append(out.Warnings, w); return nil },
		}
		out.Result, out.Err = Parse(context.Background(), bytes.NewReader(data),
			logs.Options{Year: 2024, MaxRecord: 4096, Size: int64(len(data)), MaxDecompressed: 1 << 20}, sink)
		switch {
		case out.Err == nil:
			logstest.CheckEvents(t, data, out)
		case errors.Is(out.Err, ErrUnknownFormat), errors.Is(out.Err, logs.ErrNotFormat):
		default:
			t.Fatalf("unexpected error %v", out.Err)
		}
	})
}
