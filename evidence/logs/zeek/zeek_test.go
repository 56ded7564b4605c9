package zeek

import (
	"strings"
	"testing"
	"time"

	"github.com/custodia-dfir/custodia/evidence/logs"
	"github.com/custodia-dfir/custodia/evidence/logs/logstest"
)

// Columns and two records as in Zeek's own btest baselines
// (testing/btest/Baseline/scripts.base.protocols.ssh.basic/conn.log), with
// the masked times filled in.
const connLog = "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tconn\n#open\t2024-01-01-00-00-00\n" +
	"#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\torig_bytes\tresp_bytes\tconn_state\tlocal_orig\tlocal_resp\tmissed_bytes\thistory\torig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\ttunnel_parents\n" +
	"#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\tstring\tbool\tbool\tcount\tstring\tcount\tcount\tcount\tcount\tset[string]\n" +
	"1320279566.452687\tCHhAvVGS1DHFjwGM9\t192.168.1.79\t51880\t131.159.21.1\t22\ttcp\tssh\t6.159326\t2669\t2501\tSF\tT\tF\t0\tShAdDaFf\t25\t3981\t20\t3549\t-\n" +
	"1320279600.000001\tCykQaM33ztNt0csB9a\t192.168.1.31\t57621\t192.168.1.255\t57621\tudp\t-\t-\t-\t-\tS0\tT\tT\t0\tD\t1\t72\t0\t0\t(empty)\n" +
	"1320279601.0\tbroken\n" +
	"#close\t2024-01-01-00-00-01\n"

func TestConnLog(t *testing.T) {
	data := []byte(connLog)
	out := logstest.MustRun(t, Parser, data, logs.Options{})
	if len(out.Events) != 2 {
		t.Fatalf("%d events", len(out.Events))
	}
	e := out.Events[0]
	if e.Time.Format(time.RFC3339Nano) != "2011-11-03T00:19:26.452687Z" || e.TimestampDesc != logs.DescConnStart || e.TimeText != "1320279566.452687" {
		t.Errorf("time %v desc %q", e.Time, e.TimestampDesc)
	}
	f := logstest.Fields(e)
	for k, v := range map[string]string{"src_ip": "192.168.1.79", "src_port": "51880", "dst_ip": "131.159.21.1", "dst_port": "22", "uid": "CHhAvVGS1DHFjwGM9",
		"service": "ssh", "conn_state": "SF", "history": "ShAdDaFf", "log_source": "zeek:conn"} {
		if f[k] != v {
			t.Errorf("%s = %q, want %q", k, f[k], v)
		}
	}
	if _, ok := f["tunnel_parents"]; ok {
		t.Error("unset value kept")
	}
	if e.Message != "conn tcp 192.168.1.79:51880 → 131.159.21.1:22 ssh SF" {
		t.Errorf("message %q", e.Message)
	}
	if v, ok := out.Events[1].Get("tunnel_parents"); !ok || v != "" {
		t.Errorf("(empty) gave %q %v", v, ok)
	}
	if !strings.HasPrefix(string(logstest.Record(data, e)), "1320279566.452687\tCHhAv") {
		t.Errorf("record %q", logstest.Record(data, e))
	}
	if len(out.Warnings) != 1 || out.Warnings[0].Line != 11 || out.Warnings[0].Why != "the line has 2 values but #fields names 21 columns: skipped" {
		t.Errorf("warnings %v", out.Warnings)
	}
}

func FuzzZeek(f *testing.F) {
	f.Add([]byte(connLog))
	f.Fuzz(func(t *testing.T, data []byte) { logstest.Fuzz(t, Parser, data) })
}
