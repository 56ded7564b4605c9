package parsers

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/custodia-dfir/custodia/evidence/logs"
	"github.com/custodia-dfir/custodia/evidence/logs/logstest"
)

type collected struct {
	events   []logs.Event
	warnings []logs.Warning
}

func (c *collected) sink() logs.Sink {
	return logs.Funcs{
		OnEvent:   func(e logs.Event) error { c.events = append(c.events, e); return nil },
		OnWarning: func(w logs.Warning) error { c.warnings = append(c.warnings, w); return nil },
	}
}

func parse(t *testing.T, data []byte, opts logs.Options) (logs.Result, *collected, error) {
	t.Helper()
	c := &collected{}
	if opts.Size == 0 {
		opts.Size = int64(len(data))
	}
	res, err := Parse(context.Background(), bytes.NewReader(data), opts, c.sink())
	return res, c, err
}

func TestNamesUniqueAndDescribed(t *testing.T) {
	seen := map[string]bool{}
	for _, p := range All() {
		if p.Name == "" || p.Reads == "" || p.Parse == nil || p.Sniff == nil || seen[p.Name] {
			t.Errorf("parser %q: name, description, Parse and Sniff are required, names unique", p.Name)
		}
		seen[p.Name] = true
	}
	if len(seen) != 16 {
		t.Errorf("%d parsers", len(seen))
	}
	if _, err := Lookup("nope"); !errors.Is(err, ErrUnknownParser) || !strings.Contains(err.Error(), "access, auditd, azure-activity") {
		t.Errorf("Lookup error %v", err)
	}
}

// Every sample is detected by content, whatever its name.
func TestDetectSamples(t *testing.T) {
	local := map[string]string{
		"../syslog/testdata/beats_system_auth_test.log":             "syslog",
		"../evtx/testdata/pyevtx_issue_38.evtx":                     "evtx",
		"../cloud/testdata/otel_aws_cloudtrail_log.json":            "cloudtrail",
		"../cloud/testdata/otel_azure_activity_administrative.json": "azure-activity",
		"../cloud/testdata/otel_gcp_auditlog_activity.json":         "gcp-audit",
	}
	for path, want := range local {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		res, c, err := parse(t, data, logs.Options{Name: "item.bin", Year: 2018})
		if err != nil || res.Parser != want || res.Detected != "content" || len(c.events) == 0 {
			t.Errorf("%s: parser %q (%s), %d events, err %v; want %s", filepath.Base(path), res.Parser, res.Detected, len(c.events), err, want)
		}
	}
	dir := logstest.SamplesDir(t)
	for rel, want := range map[string]string{"logs/vr_access.log": "access", "logs/vr_wtmp.1": "utmp", "evtx/vr_EID4769_Kerberoasting.evtx": "evtx"} {
		data, err := os.ReadFile(filepath.Join(dir, rel))
		if err != nil {
			t.Fatal(err)
		}
		res, _, err := parse(t, data, logs.Options{Name: "x"})
		if err != nil || res.Parser != want {
			t.Errorf("%s: parser %q err %v, want %s", rel, res.Parser, err, want)
		}
	}
}

func TestDetectSynthetic(t *testing.T) {
	for want, text := range map[string]string{
		"zeek":          "#separator \\x09\n#fields\tts\tuid\n1.0\tC1\n",
		"iis":           "#Software: Microsoft Internet Information Services 10.0\n#Fields: date time c-ip\n2024-01-01 00:00:00 1.2.3.4\n",
		"auditd":        "type=LOGIN msg=audit(1700000000.1:2): pid=1 uid=0\n",
		"dpkg":          "2024-01-15 10:22:34 install a:amd64 <none> 1\n2024-01-15 10:22:35 status installed a:amd64 1\n",
		"shell_history": "#1700000000\nls\n#1700000001\nid\n",
		"timesketch":    "message,datetime,timestamp_desc\nx,2015-07-24T19:01:01Z,y\n",
		"m365-ual":      `{"CreationTime":"2024-02-01T09:15:00","Operation":"X","Workload":"Exchange"}` + "\n",
		"jsonl":         `{"time":"2024-02-01T09:15:00Z","msg":"x"}` + "\n",
		"setupapi":      "[Device Install Log]\n>>>  [Device Install - X]\n>>>  Section start 2023/05/02 14:11:42.153\n<<<  [Exit status: SUCCESS]\n",
		"syslog":        "<13>1 2024-01-01T00:00:00Z h a - - - m\n",
	} {
		res, _, err := parse(t, []byte(text), logs.Options{Name: "noname"})
		if err != nil || res.Parser != want {
			t.Errorf("%s: detected %q (%v)", want, res.Parser, err)
		}
	}
}

func TestOverrideNameAndUnknown(t *testing.T) {
	// Content first: a syslog file named access.log is syslog.
	res, _, _ := parse(t, []byte("Feb 21 21:54:44 h sshd[1]: x\n"), logs.Options{Name: "access.log", Year: 2024})
	if res.Parser != "syslog" || res.Detected != "content" {
		t.Errorf("content did not win: %+v", res)
	}
	// The name decides when the content says nothing: binary garbage named
	// auth.log gives warnings from the syslog parser, never silence.
	garbage := make([]byte, 20000)
	rand.New(rand.NewSource(7)).Read(garbage)
	res, c, err := parse(t, garbage, logs.Options{Name: "/var/log/auth.log", Year: 2024})
	if err != nil || res.Parser != "syslog" || res.Detected != "name" || len(c.events) != 0 || res.Warnings == 0 {
		t.Errorf("garbage named auth.log: %+v err %v", res, err)
	}
	// Garbage with no telling name: an error that says what to do.
	_, _, err = parse(t, garbage, logs.Options{Name: "thing.log"})
	if !errors.Is(err, ErrUnknownFormat) || !strings.Contains(err.Error(), "binary data") || !strings.Contains(err.Error(), "--parser") {
		t.Errorf("unknown garbage: %v", err)
	}
	// --parser overrides.
	res, c, err = parse(t, []byte(`{"time":"2024-02-01T09:15:00Z"}`+"\n"), logs.Options{Parser: "jsonl"})
	if err != nil || res.Parser != "jsonl" || res.Detected != "override" || len(c.events) != 1 {
		t.Errorf("override: %+v %v", res, err)
	}
	if _, _, err := parse(t, []byte("x"), logs.Options{Parser: "evtxx"}); !errors.Is(err, ErrUnknownParser) {
		t.Errorf("bad override: %v", err)
	}
	res, c, err = parse(t, nil, logs.Options{Name: "empty.log"})
	if err != nil || len(c.warnings) != 1 || c.warnings[0].Why != "the item is empty: there is nothing to parse" {
		t.Errorf("empty: %+v %v %v", res, c.warnings, err)
	}
}

func gz(t *testing.T, data []byte) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write(data)
	w.Close()
	return b.Bytes()
}

func TestGzip(t *testing.T) {
	plain, err := os.ReadFile("../syslog/testdata/beats_system_auth_test.log")
	if err != nil {
		t.Fatal(err)
	}
	res, c, err := parse(t, gz(t, plain), logs.Options{Name: "auth.log.2.gz", Year: 2018})
	if err != nil || res.Parser != "syslog" || res.Stream != "gzip" || len(c.events) != 10 || res.Bytes != int64(len(plain)) {
		t.Fatalf("gzip: %+v %d events %v", res, len(c.events), err)
	}
	for _, e := range c.events {
		if e.Stream != "gzip" || !bytes.HasPrefix(plain[e.Offset:], []byte(e.TimeText)) {
			t.Fatalf("event offset %d does not index the decompressed stream (%q)", e.Offset, e.TimeText)
		}
	}
	// Truncated: the events before the cut, and a warning.
	z := gz(t, bytes.Repeat(plain, 50))
	res, c, err = parse(t, z[:len(z)/2], logs.Options{Name: "auth.log.gz", Year: 2018})
	if err != nil || !res.Truncated || len(c.events) == 0 || len(c.events) >= 500 {
		t.Fatalf("truncated gzip: %+v %d events %v", res, len(c.events), err)
	}
	last := c.warnings[len(c.warnings)-1]
	if !strings.Contains(last.Why, "the gzip stream is damaged after") || !strings.Contains(last.Why, "unexpected EOF") {
		t.Errorf("last warning %q", last.Why)
	}
	// A bomb: 64 MiB of zeros in about 64 KiB, bounded to 8 MiB here.
	var bomb bytes.Buffer
	w, _ := gzip.NewWriterLevel(&bomb, gzip.BestCompression)
	zero := make([]byte, 1<<20)
	for range 64 {
		w.Write(zero)
	}
	w.Close()
	res, c, err = parse(t, bomb.Bytes(), logs.Options{Parser: "syslog", MaxDecompressed: 8 << 20, Year: 2024})
	if err != nil || !res.Truncated || res.Bytes != 8<<20 {
		t.Fatalf("bomb: %+v %v", res, err)
	}
	last = c.warnings[len(c.warnings)-1]
	if !strings.HasPrefix(last.Why, "decompression stopped at 8388608 bytes, the bound for this item") {
		t.Errorf("bomb warning %q", last.Why)
	}
	if got := logs.DefaultMaxDecompressed(1 << 20); got != 256<<20 {
		t.Errorf("default bound for 1 MiB: %d", got)
	}
}

func TestWarningsBounded(t *testing.T) {
	var b strings.Builder
	for range 5000 {
		b.WriteString("not syslog at all\n")
	}
	res, c, err := parse(t, []byte(b.String()), logs.Options{Parser: "syslog", MaxWarnings: 100})
	if err != nil || res.Warnings != 5001 || len(c.warnings) != 101 {
		t.Fatalf("%+v: %d warnings listed, err %v", res, len(c.warnings), err)
	}
	if got := c.warnings[100].Why; got != "4900 more warnings were counted but not listed one by one (only the first 100 are)" {
		t.Errorf("summary %q", got)
	}
}

func TestCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Parse(ctx, strings.NewReader(strings.Repeat("Feb 21 21:54:44 h a: x\n", 100000)), logs.Options{Parser: "syslog", Year: 2024}, logs.Funcs{})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err %v", err)
	}
}

func TestUTF16Log(t *testing.T) {
	// A UTF-16LE setupapi-style log with a BOM: offsets index the raw bytes.
	text := "[Device Install Log]\r\n>>>  [Device Install - USB\\VID_0781]\r\n>>>  Section start 2023/05/02 14:11:42.153\r\n<<<  [Exit status: SUCCESS]\r\n"
	raw := []byte{0xFF, 0xFE}
	for _, r := range text {
		raw = append(raw, byte(r), byte(r>>8))
	}
	res, c, err := parse(t, raw, logs.Options{Name: "setupapi.dev.log"})
	if err != nil || res.Parser != "setupapi" || len(c.events) != 1 {
		t.Fatalf("%+v %d events %v", res, len(c.events), err)
	}
	e := c.events[0]
	start := 2 + 2*len("[Device Install Log]\r\n")
	if e.Offset != int64(start) || e.Length != int64(2*len(">>>  [Device Install - USB\\VID_0781]\r\n>>>  Section start 2023/05/02 14:11:42.153\r\n<<<  [Exit status: SUCCESS]")) {
		t.Errorf("offset %d length %d", e.Offset, e.Length)
	}
	if v, _ := e.Get("device"); v != `USB\VID_0781` {
		t.Errorf("device %q", v)
	}
}

// TestCancelledBeforeDetection: a parse cancelled before it starts is
// cancelled, never "an empty item" or a detection failure.
func TestCancelledBeforeDetection(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, in := range []string{"", "Feb 21 21:54:44 h a: x\n"} {
		res, err := Parse(ctx, strings.NewReader(in), logs.Options{Year: 2024}, logs.Funcs{})
		if !errors.Is(err, context.Canceled) || res.Warnings != 0 {
			t.Errorf("%q: result %+v, err %v; want context.Canceled and nothing counted", in, res, err)
		}
	}
}
