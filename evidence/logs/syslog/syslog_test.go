package syslog

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/custodia-dfir/custodia/evidence/logs"
	"github.com/custodia-dfir/custodia/evidence/logs/logstest"
)

// The beats auth test log, with the year filebeat's test supplied (2018):
// the 10 events its expected JSON lists, at the offsets measured on this
// version of the file.
func TestBeatsAuthLog(t *testing.T) {
	data, err := os.ReadFile("testdata/beats_system_auth_test.log")
	if err != nil {
		t.Fatal(err)
	}
	out := logstest.MustRun(t, Parser, data, logs.Options{Year: 2018})
	if len(out.Warnings) != 0 {
		t.Fatalf("warnings: %v", out.Warnings)
	}
	want := []struct {
		off  int64
		time string
		f    map[string]string
	}{
		{0, "2018-02-21T21:54:44Z", map[string]string{"host": "localhost", "program": "sshd", "pid": "3402", "action": "login_accepted", "outcome": "success",
			"auth_method": "publickey", "user": "vagrant", "src_ip": "10.0.2.2", "src_port": "63673", "ssh_signature": "RSA 39:33:99:e9:a0:dc:f2:33:a3:e5:72:3b:7c:3a:56:84"}},
		{152, "2018-02-23T00:13:35Z", map[string]string{"action": "login_accepted", "auth_method": "password", "user": "vagrant", "src_ip": "192.168.33.1", "src_port": "58803"}},
		{254, "2018-02-21T21:56:12Z", map[string]string{"action": "invalid_user", "user": "test", "src_ip": "10.0.2.2", "outcome": "failure"}},
		{324, "2018-02-20T08:35:22Z", map[string]string{"host": "slave22", "action": "login_failed", "user": "root", "src_ip": "216.160.83.57", "src_port": "29160"}},
		{420, "2018-02-21T23:35:33Z", map[string]string{"program": "sudo", "user": "vagrant", "tty": "pts/0", "pwd": "/home/vagrant", "target_user": "root", "command": "/bin/ls", "outcome": "success"}},
		{522, "2018-02-19T15:30:04Z", map[string]string{"pid": "18406", "action": "no_identification", "src_ip": "2.125.160.217"}},
		{616, "2018-02-23T00:08:48Z", map[string]string{"command": "/bin/cat /var/log/secure", "tty": "pts/1"}},
		{735, "2018-02-24T00:13:02Z", map[string]string{"host": "precise32", "user": "tsg", "sudo_error": "user NOT in sudoers", "outcome": "failure", "command": "/bin/ls"}},
		{860, "2018-02-22T11:47:05Z", map[string]string{"program": "groupadd", "pid": "6991", "action": "group_added", "group": "apache", "gid": "48"}},
		{933, "2018-02-22T11:47:05Z", map[string]string{"program": "useradd", "action": "user_added", "user": "apache", "uid": "48", "gid": "48", "home": "/usr/share/httpd", "shell": "/sbin/nologin"}},
	}
	if len(out.Events) != len(want) {
		t.Fatalf("%d events, want %d", len(out.Events), len(want))
	}
	lines := strings.SplitAfter(string(data), "\n")
	for i, w := range want {
		e := out.Events[i]
		if e.Offset != w.off {
			t.Errorf("event %d offset %d, want %d", i, e.Offset, w.off)
		}
		if got := string(logstest.Record(data, e)); got != strings.TrimSuffix(lines[i], "\n") {
			t.Errorf("event %d slices back to %q, want line %d", i, got, i+1)
		}
		if got := e.Time.Format(time.RFC3339Nano); got != w.time {
			t.Errorf("event %d time %s, want %s", i, got, w.time)
		}
		if e.TimeZone != "UTC" || !e.TimeZoneAssumed || e.TimestampDesc != logs.DescLogged || e.Parser != "syslog" {
			t.Errorf("event %d zone %q assumed %v desc %q parser %q", i, e.TimeZone, e.TimeZoneAssumed, e.TimestampDesc, e.Parser)
		}
		got := logstest.Fields(e)
		for k, v := range w.f {
			if got[k] != v {
				t.Errorf("event %d field %s = %q, want %q (all: %v)", i, k, got[k], v, got)
			}
		}
	}
	if e := out.Events[0]; e.TimeText != "Feb 21 21:54:44" || !strings.HasPrefix(e.Message, "sshd[3402]: Accepted publickey for vagrant") {
		t.Errorf("first event text %q message %q", e.TimeText, e.Message)
	}
}

func TestYearInference(t *testing.T) {
	log := "Dec 30 23:59:58 h a: one\nDec 31 23:59:59 h a: two\nJan  1 00:00:01 h a: three\nDec 31 23:59:59 h a: late\nFeb 29 10:00:00 h a: leap\n"
	// The reference (modification time) is in January 2024: the first line,
	// in December, is from 2023, and the year rolls over at January.
	out := logstest.MustRun(t, Parser, []byte(log), logs.Options{Reference: time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)})
	wantTimes := []string{"2023-12-30T23:59:58Z", "2023-12-31T23:59:59Z", "2024-01-01T00:00:01Z", "2023-12-31T23:59:59Z", "2024-02-29T10:00:00Z"}
	if len(out.Events) != len(wantTimes) || len(out.Warnings) != 0 {
		t.Fatalf("%d events, warnings %v", len(out.Events), out.Warnings)
	}
	for i, w := range wantTimes {
		if got := out.Events[i].Time.Format(time.RFC3339); got != w {
			t.Errorf("line %d: %s, want %s", i+1, got, w)
		}
	}
	// --year names the first line's year; Feb 29 of 2023 does not exist.
	out = logstest.MustRun(t, Parser, []byte(log), logs.Options{Year: 2022})
	if got := out.Events[2].Time.Year(); got != 2023 {
		t.Errorf("with --year 2022 January is in %d, want 2023", got)
	}
	if len(out.Warnings) != 1 || !strings.Contains(out.Warnings[0].Why, "Feb 29 10:00:00 is not a date in 2023") || out.Warnings[0].Line != 5 {
		t.Fatalf("warnings %v", out.Warnings)
	}
	if !out.Events[4].Time.IsZero() || out.Events[4].TimeText != "Feb 29 10:00:00" {
		t.Errorf("impossible date kept time %v text %q", out.Events[4].Time, out.Events[4].TimeText)
	}
	// A reference earlier than the inferred times: one warning.
	out = logstest.MustRun(t, Parser, []byte("Jan  5 10:00:00 h a: x\nMar  1 10:00:00 h a: y\nMar  2 10:00:00 h a: z\n"),
		logs.Options{Reference: time.Date(2024, 1, 6, 0, 0, 0, 0, time.UTC)})
	if len(out.Warnings) != 1 || !strings.Contains(out.Warnings[0].Why, "may span more than a year") || out.Warnings[0].Line != 2 {
		t.Fatalf("warnings %v", out.Warnings)
	}
}

func TestSourceTimeZone(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip(err)
	}
	out := logstest.MustRun(t, Parser, []byte("Jul  1 12:00:00 web01 sshd[1]: Connection from 10.0.0.5 port 50000 on 10.0.0.1 port 22\n"),
		logs.Options{Year: 2024, Location: berlin})
	e := out.Events[0]
	if e.Time.Format(time.RFC3339) != "2024-07-01T10:00:00Z" || e.TimeZone != "Europe/Berlin" || !e.TimeZoneAssumed {
		t.Fatalf("time %v zone %q assumed %v", e.Time, e.TimeZone, e.TimeZoneAssumed)
	}
	f := logstest.Fields(e)
	if f["action"] != "connection_opened" || f["src_ip"] != "10.0.0.5" || f["src_port"] != "50000" || f["dst_ip"] != "10.0.0.1" || f["dst_port"] != "22" {
		t.Fatalf("fields %v", f)
	}
}

func TestRsyslogRFC3339(t *testing.T) {
	log := "2024-03-10T14:02:03.123456+01:00 web01 sshd[811]: Connection closed by authenticating user root 203.0.113.9 port 41234 [preauth]\n" +
		"2024-03-10T14:05:00Z web01 CRON[900]: (root) CMD (/usr/lib/php/sessionclean)\n" +
		"2024-03-10T14:06:00 web01 sshd[812]: pam_unix(sshd:session): session opened for user alice(uid=1000) by (uid=0)\n"
	out := logstest.MustRun(t, Parser, []byte(log), logs.Options{})
	if len(out.Events) != 3 || len(out.Warnings) != 0 {
		t.Fatalf("events %d warnings %v", len(out.Events), out.Warnings)
	}
	e := out.Events[0]
	if e.Time.Format(time.RFC3339Nano) != "2024-03-10T13:02:03.123456Z" || e.TimeZone != "+01:00" || e.TimeZoneAssumed || e.TimeText != "2024-03-10T14:02:03.123456+01:00" {
		t.Errorf("time %v zone %q text %q", e.Time, e.TimeZone, e.TimeText)
	}
	f := logstest.Fields(e)
	if f["action"] != "connection_closed" || f["user"] != "root" || f["src_ip"] != "203.0.113.9" || f["src_port"] != "41234" || f["preauth"] != "true" {
		t.Errorf("fields %v", f)
	}
	f = logstest.Fields(out.Events[1])
	if f["action"] != "cron_command" || f["user"] != "root" || f["command"] != "/usr/lib/php/sessionclean" || out.Events[1].TimeZone != "UTC" {
		t.Errorf("cron fields %v", f)
	}
	e = out.Events[2]
	if f := logstest.Fields(e); f["action"] != "session_opened" || f["user"] != "alice" || !e.TimeZoneAssumed {
		t.Errorf("pam fields %v assumed %v", f, e.TimeZoneAssumed)
	}
}

func TestRFC5424(t *testing.T) {
	// The examples of RFC 5424 section 6.5, and a multi-line message.
	log := "<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - \uFEFF'su root' failed for lonvick on /dev/pts/8\n" +
		"<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It's time to make the do-nuts.\n" +
		`<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"][examplePriority@32473 class="high" note="a \"quoted\" \]"] An application event log entry...` + "\n" +
		"<14>1 - host app - - - no time\n" +
		"<11>1 2024-01-01T00:00:00Z host java 77 - - Exception in thread main\n\tat Foo.bar(Foo.java:1)\n\tat Foo.main(Foo.java:2)\n"
	out := logstest.MustRun(t, Parser, []byte(log), logs.Options{})
	if len(out.Events) != 5 {
		t.Fatalf("%d events", len(out.Events))
	}
	e := out.Events[0]
	f := logstest.Fields(e)
	if e.Time.Format(time.RFC3339Nano) != "2003-10-11T22:14:15.003Z" || f["facility"] != "auth" || f["severity"] != "crit" || f["host"] != "mymachine.example.com" ||
		f["program"] != "su" || f["msgid"] != "ID47" || e.Message != "su: 'su root' failed for lonvick on /dev/pts/8" {
		t.Errorf("event 1: %v %v %q", e.Time, f, e.Message)
	}
	e = out.Events[1]
	if e.Time.Format(time.RFC3339Nano) != "2003-08-24T12:14:15.000003Z" || e.TimeZone != "-07:00" || logstest.Fields(e)["pid"] != "8710" {
		t.Errorf("event 2: %v %q %v", e.Time, e.TimeZone, e.Fields)
	}
	f = logstest.Fields(out.Events[2])
	if f["exampleSDID@32473.iut"] != "3" || f["exampleSDID@32473.eventID"] != "1011" || f["examplePriority@32473.note"] != `a "quoted" ]` ||
		out.Events[2].Message != "evntslog: An application event log entry..." {
		t.Errorf("event 3: %v %q", f, out.Events[2].Message)
	}
	if !out.Events[3].Time.IsZero() || out.Events[3].TimeText != "-" {
		t.Errorf("event 4 time %v", out.Events[3].Time)
	}
	e = out.Events[4]
	if got := string(logstest.Record([]byte(log), e)); !strings.HasSuffix(got, "\tat Foo.main(Foo.java:2)") || !strings.HasPrefix(got, "<11>1") {
		t.Errorf("multi-line record slices to %q", got)
	}
	if strings.Count(e.Message, "\n") != 2 {
		t.Errorf("multi-line message %q", e.Message)
	}
	if len(out.Warnings) != 1 || out.Warnings[0].Line != 4 || !strings.Contains(out.Warnings[0].Why, "NILVALUE") {
		t.Errorf("warnings %v", out.Warnings)
	}
}

func TestBadInput(t *testing.T) {
	log := "Mar  1 10:00:00 h a: fine\n" +
		"\x00\x00\x00\x00Mar  1 10:00:01 h a: after zeros\n" +
		"garbage \xff\xfe line\n" +
		strings.Repeat("y", 5000) + "\n" +
		"Mar  1 10:00:02 h a: bad \xff utf8\n"
	out := logstest.MustRun(t, Parser, []byte(log), logs.Options{Year: 2024, MaxRecord: 1000})
	if len(out.Events) != 3 {
		t.Fatalf("%d events: %v", len(out.Events), out.Events)
	}
	if out.Events[1].Offset != 30 || out.Events[1].Message != "a: after zeros" {
		t.Errorf("event after NULs at %d: %q", out.Events[1].Offset, out.Events[1].Message)
	}
	if out.Events[2].Message != "a: bad \uFFFD utf8" {
		t.Errorf("invalid UTF-8 shown as %q", out.Events[2].Message)
	}
	var whys []string
	for _, w := range out.Warnings {
		whys = append(whys, w.String())
	}
	want := []string{
		"line 2 (offset 26): 4 NUL bytes (a zeroed stretch, as a crash or a pre-allocated file leaves): no record here",
		`line 3 (offset 63): not a syslog line: it starts "garbage \xff\xfe line" (expected a "Mmm dd hh:mm:ss" or RFC 3339 time, or "<PRI>")`,
		"line 4 (offset 79): line of 5000 bytes is longer than the 1000-byte bound for one record: skipped",
		"offset 5080: 1 events held bytes that are not valid UTF-8 text or NUL characters (the first at offset 5080): they are shown with U+FFFD; the item's bytes are unchanged",
	}
	if strings.Join(whys, "\n") != strings.Join(want, "\n") {
		t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(whys, "\n"), strings.Join(want, "\n"))
	}
	if out.Result.Warnings != 4 || out.Result.Events != 3 {
		t.Errorf("result %+v", out.Result)
	}
}

func FuzzSyslog(f *testing.F) {
	if b, err := os.ReadFile("testdata/beats_system_auth_test.log"); err == nil {
		f.Add(b)
	}
	f.Add([]byte("<165>1 2003-10-11T22:14:15.003Z host app - ID47 [a b=\"c\"] msg\n\tmore\n"))
	f.Add([]byte("2024-03-10T14:02:03.123456+01:00 web01 sshd[811]: Accepted password for a from 1.2.3.4 port 5 ssh2\n"))
	f.Add([]byte("Feb 29 10:00:00 h sudo: u : TTY=x ; COMMAND=y\n\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) { logstest.Fuzz(t, Parser, data) })
}
