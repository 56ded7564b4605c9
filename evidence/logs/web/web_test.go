package web

import (
	"strings"
	"testing"
	"time"

	"github.com/custodia-dfir/custodia/evidence/logs"
	"github.com/custodia-dfir/custodia/evidence/logs/logstest"
)

// Velociraptor's access.log (AGPL: read from the shared samples): Apache
// combined format; its grok test asserts the first line. It holds 28 lines,
// the last without a line feed (so wc -l, as in PROVENANCE.md, says 27).
func TestVelociraptorAccessLog(t *testing.T) {
	data := logstest.Sample(t, "logs/vr_access.log")
	out := logstest.MustRun(t, Access, data, logs.Options{})
	if len(out.Events) != 28 || len(out.Warnings) != 0 {
		t.Fatalf("%d events, warnings %v", len(out.Events), out.Warnings)
	}
	first := out.Events[0]
	if got := string(logstest.Record(data, first)); got != `170.238.36.21 - - [29/Dec/2019:00:09:47 +1000] "GET / HTTP/1.0" 401 691 "-" "masscan/1.0 (https://github.com/robertdavidgraham/masscan)"` {
		t.Errorf("first record %q", got)
	}
	if first.Time.Format(time.RFC3339) != "2019-12-28T14:09:47Z" || first.TimeZone != "+10:00" || first.TimeText != "29/Dec/2019:00:09:47 +1000" {
		t.Errorf("time %v zone %q text %q", first.Time, first.TimeZone, first.TimeText)
	}
	f := logstest.Fields(first)
	for k, v := range map[string]string{"src_ip": "170.238.36.21", "method": "GET", "path": "/", "protocol": "HTTP/1.0", "status": "401", "bytes": "691",
		"user_agent": "masscan/1.0 (https://github.com/robertdavidgraham/masscan)", "outcome": "failure"} {
		if f[k] != v {
			t.Errorf("%s = %q, want %q", k, f[k], v)
		}
	}
	if _, ok := f["referer"]; ok {
		t.Errorf("referer \"-\" kept")
	}
}

func TestAccessVariants(t *testing.T) {
	log := `www.example.com:443 203.0.113.5 - alice [10/Oct/2023:13:55:36 -0700] "POST /login?next=%2F HTTP/1.1" 302 - "https://www.example.com/" "Mozilla/5.0 (X11)"` + "\n" +
		`shop.example.com 198.51.100.2 - - [10/Oct/2023:13:55:37 -0700] "GET /a\"b HTTP/1.1" 200 512` + "\n" +
		`192.0.2.9 - - [10/Oct/2023:20:55:38 +0000] "\x16\x03\x01\x00" 400 157 "-" "-" "10.1.1.1" 0.001` + "\n" +
		`this is not an access log line` + "\n"
	out := logstest.MustRun(t, Access, []byte(log), logs.Options{})
	if len(out.Events) != 3 {
		t.Fatalf("%d events", len(out.Events))
	}
	want := []map[string]string{
		{"vhost": "www.example.com", "dst_port": "443", "src_ip": "203.0.113.5", "user": "alice", "method": "POST", "path": "/login", "query": "next=%2F", "status": "302", "referer": "https://www.example.com/", "outcome": "success"},
		{"vhost": "shop.example.com", "src_ip": "198.51.100.2", "path": `/a"b`, "bytes": "512"},
		{"src_ip": "192.0.2.9", "request": "\\x16\\x03\\x01\\x00", "status": "400", "extra[0]": "10.1.1.1", "extra[1]": "0.001"},
	}
	for i, w := range want {
		f := logstest.Fields(out.Events[i])
		for k, v := range w {
			if f[k] != v {
				t.Errorf("line %d: %s = %q, want %q", i+1, k, f[k], v)
			}
		}
	}
	if out.Events[0].Time.Format(time.RFC3339) != "2023-10-10T20:55:36Z" {
		t.Errorf("time %v", out.Events[0].Time)
	}
	if len(out.Warnings) != 1 || out.Warnings[0].Line != 4 || !strings.HasPrefix(out.Warnings[0].Why, "not an access log line") {
		t.Errorf("warnings %v", out.Warnings)
	}
}

const iisLog = "#Software: Microsoft Internet Information Services 10.0\r\n" +
	"#Version: 1.0\r\n" +
	"#Date: 2024-03-01 08:00:00\r\n" +
	"#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken\r\n" +
	"2024-03-01 08:00:01 10.0.0.10 GET /owa/auth/logon.aspx url=%2fowa 443 - 203.0.113.77 Mozilla/5.0+(Windows+NT+10.0) - 200 0 0 15\r\n" +
	"2024-03-01 08:00:02 10.0.0.10 POST /ecp/y.js - 443 CONTOSO\\admin 203.0.113.77 python-requests/2.31 - 500 0 0 3\r\n" +
	"#Fields: date time c-ip sc-status\r\n" +
	"2024-03-01 08:05:00 198.51.100.1 404\r\n" +
	"2024-03-01 08:05:01 198.51.100.1\r\n"

func TestIIS(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	data := []byte(iisLog)
	out := logstest.MustRun(t, IIS, data, logs.Options{Location: berlin})
	if len(out.Events) != 3 {
		t.Fatalf("%d events", len(out.Events))
	}
	e := out.Events[0]
	// IIS writes UTC: the source zone does not apply.
	if e.Time.Format(time.RFC3339) != "2024-03-01T08:00:01Z" || e.TimeZone != "UTC" || e.TimeZoneAssumed {
		t.Errorf("time %v zone %q assumed %v", e.Time, e.TimeZone, e.TimeZoneAssumed)
	}
	f := logstest.Fields(e)
	for k, v := range map[string]string{"src_ip": "203.0.113.77", "dst_ip": "10.0.0.10", "dst_port": "443", "method": "GET", "path": "/owa/auth/logon.aspx",
		"query": "url=%2fowa", "user_agent": "Mozilla/5.0 (Windows NT 10.0)", "cs(User-Agent)": "Mozilla/5.0+(Windows+NT+10.0)", "status": "200", "time-taken": "15"} {
		if f[k] != v {
			t.Errorf("%s = %q, want %q", k, f[k], v)
		}
	}
	if got := logstest.Fields(out.Events[1])["user"]; got != `CONTOSO\admin` {
		t.Errorf("user %q", got)
	}
	if f := logstest.Fields(out.Events[2]); f["status"] != "404" || f["src_ip"] != "198.51.100.1" {
		t.Errorf("after a second #Fields: %v", f)
	}
	if got := string(logstest.Record(data, out.Events[2])); got != "2024-03-01 08:05:00 198.51.100.1 404" {
		t.Errorf("record %q", got)
	}
	if len(out.Warnings) != 1 || out.Warnings[0].Line != 9 || out.Warnings[0].Why != "the line has 3 values but #Fields names 4 columns: skipped" {
		t.Errorf("warnings %v", out.Warnings)
	}
}

func TestFirewallLocalTime(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	log := "#Version: 1.5\n#Software: Microsoft Windows Firewall\n#Time Format: Local\n#Fields: date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn tcpack tcpwin icmptype icmpcode info path\n" +
		"2024-03-01 09:00:00 DROP TCP 203.0.113.9 10.0.0.5 51515 3389 52 S 12345 0 64240 - - - RECEIVE\n"
	out := logstest.MustRun(t, IIS, []byte(log), logs.Options{Location: berlin})
	e := out.Events[0]
	if e.Time.Format(time.RFC3339) != "2024-03-01T08:00:00Z" || e.TimeZone != "Europe/Berlin" || !e.TimeZoneAssumed {
		t.Errorf("time %v zone %q", e.Time, e.TimeZone)
	}
	if f := logstest.Fields(e); f["action"] != "DROP" || f["dst_port"] != "3389" || f["src_ip"] != "203.0.113.9" {
		t.Errorf("fields %v", f)
	}
}

func FuzzWeb(f *testing.F) {
	f.Add([]byte(iisLog))
	f.Add([]byte(`1.2.3.4 - - [29/Dec/2019:00:09:47 +1000] "GET / HTTP/1.0" 401 691 "-" "x"` + "\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		logstest.Fuzz(t, Access, data)
		logstest.Fuzz(t, IIS, data)
	})
}
