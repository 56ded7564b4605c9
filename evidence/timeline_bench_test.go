package evidence

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/timeline"
	"github.com/custodia-dfir/custodia/evidence/logs/logstest"
)

// benchEvents is the size of the timeline benchmarks: CUSTODIA_BENCH_EVENTS
// (e.g. 1000000 for the bars), else def.
func benchEvents(def int) int {
	if v, err := strconv.Atoi(os.Getenv("CUSTODIA_BENCH_EVENTS")); err == nil && v > 0 {
		return v
	}
	return def
}

// velocidexSecurity is the Velocidex evtx module's own Security.evtx from
// the module cache, or "" when the module is not there.
func velocidexSecurity(tb testing.TB) string {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "www.velocidex.com/golang/evtx").Output()
	if err != nil {
		return ""
	}
	p := filepath.Join(strings.TrimSpace(string(out)), "testdata", "Security.evtx")
	if _, err := os.Stat(p); err != nil {
		return ""
	}
	return p
}

// BenchmarkTimelineEVTXVsEvtxexport is the EVTX bar end to end:
// real EVTX files (two of the shared samples and the Velocidex module's
// Security.evtx), each one's chunks repeated to a third of
// CUSTODIA_BENCH_EVENTS (default 100k records in all), ingested as items;
// Custodia parses, seals and indexes each (ParseItem, with the snapshot
// saved, as `custodiactl ingest` does) and, in the same run, libevtx's
// evtxexport reads the same files from the page cache. The benchmark fails
// unless both read the same number of records.
func BenchmarkTimelineEVTXVsEvtxexport(b *testing.B) {
	bin, err := exec.LookPath("evtxexport")
	if err != nil {
		b.Skip("evtxexport not installed (Debian: apt-get install libevtx-utils)")
	}
	dir := logstest.SamplesDir(b)
	srcs := []string{filepath.Join(dir, "evtx", "mitre_ID104-1102-Event_log_cleared.evtx"),
		filepath.Join(dir, "evtx", "mitre_ID7000-7009-7045-Payload_deployed_via_service.evtx")}
	if p := velocidexSecurity(b); p != "" {
		srcs = append(srcs, p)
	}
	total := benchEvents(100_000)
	tmp := b.TempDir()
	var files []string
	want := 0
	for i, src := range srcs {
		sample, err := os.ReadFile(src)
		if err != nil {
			b.Fatal(err)
		}
		data, n := logstest.RepeatEVTX(b, sample, (total+len(srcs)-1)/len(srcs))
		p := filepath.Join(tmp, fmt.Sprintf("%d-%s", i, filepath.Base(src)))
		if err := os.WriteFile(p, data, 0o600); err != nil {
			b.Fatal(err)
		}
		files = append(files, p)
		want += n
	}
	for b.Loop() {
		warm(b, files...)
		t0 := time.Now()
		peerCPU0 := childCPUSeconds()
		peerRecords := 0
		for _, f := range files {
			out, err := exec.Command(bin, f).Output()
			if err != nil {
				b.Fatalf("evtxexport %s: %v", f, err)
			}
			peerRecords += strings.Count(string(out), "Event number")
		}
		peerSec := time.Since(t0).Seconds()
		peerCPU := childCPUSeconds() - peerCPU0

		c, err := casefile.Create(filepath.Join(b.TempDir(), "bench.custodia"), []byte(testPass),
			casefile.NewCase{Title: "bench", Examiner: "bench"}, casefile.TestOptions())
		if err != nil {
			b.Fatal(err)
		}
		warm(b, files...)
		var ingestSec, parseSec float64
		var ours int64
		cpu0 := cpuSeconds()
		for _, f := range files {
			t1 := time.Now()
			evs, err := Ingest(context.Background(), c, f, Options{Reason: "benchmark"})
			if err != nil {
				b.Fatal(err)
			}
			t2 := time.Now()
			p, err := ParseItem(context.Background(), c, evs[0].ID, ParseOptions{Reason: "benchmark"})
			if err != nil {
				b.Fatal(err)
			}
			ingestSec += t2.Sub(t1).Seconds()
			parseSec += time.Since(t2).Seconds()
			ours += p.Events
		}
		cpu := cpuSeconds() - cpu0
		c.Close()
		if int(ours) != peerRecords {
			b.Fatalf("Custodia read %d records, evtxexport %d (repeated: %d)", ours, peerRecords, want)
		}
		peer := float64(peerRecords) / peerSec
		b.ReportMetric(float64(ours), "records")
		b.ReportMetric(float64(ours)/parseSec, "parse+seal+index-records/s")
		b.ReportMetric(float64(ours)/(ingestSec+parseSec), "ingest+parse+seal+index-records/s")
		b.ReportMetric(peer, "evtxexport-records/s")
		b.ReportMetric(float64(ours)/parseSec/peer, "x-evtxexport")
		b.ReportMetric(cpu/float64(ours)*1e6, "cpu-us/record")
		b.ReportMetric(peerCPU/float64(peerRecords)*1e6, "evtxexport-cpu-us/record")
	}
}

// writeSyslog writes n auth.log-like RFC 3164 lines (sshd logins accepted
// and failed, invalid users, connections closed, cron sessions, kernel
// lines) from 40 hosts, 50 users and 1000 source addresses, one second
// apart from 2026-03-01 00:00:00.
func writeSyslog(tb testing.TB, path string, n int) {
	t0 := start(0)
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	for i := 0; i < n; i++ {
		t := t0.Add(time.Duration(i) * time.Second)
		host := fmt.Sprintf("web%02d", i%40)
		user := fmt.Sprintf("user%02d", i%50)
		if i%50 == 7 {
			user = "admin"
		}
		ip := fmt.Sprintf("10.%d.%d.%d", i%7, (i/7)%11, i%1000/11+1)
		port := 1024 + i%60000
		pid := 1000 + i%30000
		var msg string
		switch i % 8 {
		case 0, 1:
			msg = fmt.Sprintf("sshd[%d]: Accepted password for %s from %s port %d ssh2", pid, user, ip, port)
		case 2, 3:
			msg = fmt.Sprintf("sshd[%d]: Failed password for %s from %s port %d ssh2", pid, user, ip, port)
		case 4:
			msg = fmt.Sprintf("sshd[%d]: Invalid user %s from %s port %d", pid, user, ip, port)
		case 5:
			msg = fmt.Sprintf("sshd[%d]: Connection closed by %s port %d [preauth]", pid, ip, port)
		case 6:
			msg = fmt.Sprintf("CRON[%d]: pam_unix(cron:session): session opened for user %s by (uid=0)", pid, user)
		default:
			msg = fmt.Sprintf("kernel: [%d.%06d] UFW BLOCK IN=eth0 OUT= SRC=%s DST=10.9.9.9 PROTO=TCP SPT=%d DPT=22", i/10, i%1000000, ip, port)
		}
		fmt.Fprintf(w, "%s %s %s\n", t.Format(time.Stamp), host, msg)
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
}

// start is the time of line i of writeSyslog.
func start(i int) time.Time {
	return time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Second)
}

// BenchmarkTimelineSyslog1M is the syslog and 1M-event bars, in
// one run over CUSTODIA_BENCH_EVENTS generated auth.log lines (default
// 200k; 1000000 for the bars): ingest + parse + seal + index end to end
// (events/s, what `custodiactl ingest` of a log does), the process's peak
// RSS per million events during it (VmHWM), then, with the case closed and
// opened again, the time from unlock to a usable index (the snapshot
// restored), a term query, a field query, a term + time-range query (each
// a count, as `search --queries` times them) and an hourly histogram.
func BenchmarkTimelineSyslog1M(b *testing.B) {
	n := benchEvents(200_000)
	dir := b.TempDir()
	src := filepath.Join(dir, "auth.log")
	writeSyslog(b, src, n)
	mega := float64(n) / 1e6
	for b.Loop() {
		casePath := filepath.Join(b.TempDir(), "bench.custodia")
		c, err := casefile.Create(casePath, []byte(testPass), casefile.NewCase{Title: "bench", Examiner: "bench"}, casefile.TestOptions())
		if err != nil {
			b.Fatal(err)
		}
		warm(b, src)
		debug.FreeOSMemory()
		resetPeakRSS()
		t0 := time.Now()
		cpu0 := cpuSeconds()
		evs, err := Ingest(context.Background(), c, src, Options{Reason: "benchmark", TimeZone: "UTC"})
		if err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		p, err := ParseItem(context.Background(), c, evs[0].ID, ParseOptions{Reason: "benchmark", Year: 2026})
		if err != nil {
			b.Fatal(err)
		}
		end := time.Since(t0).Seconds()
		parse := time.Since(t1).Seconds()
		cpu := cpuSeconds() - cpu0
		ingestRSS := peakRSSMiB()
		if p.Events != int64(n) || p.Warnings != 0 {
			b.Fatalf("%d events, %d warnings; want %d, 0", p.Events, p.Warnings, n)
		}
		c.Close()
		b.ReportMetric(float64(n)/end, "ingest+parse+index-events/s")
		b.ReportMetric(float64(n)/parse, "parse+index-events/s")
		b.ReportMetric(ingestRSS/mega, "peak-MiB/M-events-ingest")
		b.ReportMetric(cpu/float64(n)*1e6, "cpu-us/event")

		debug.FreeOSMemory()
		resetPeakRSS()
		t2 := time.Now()
		c, err = casefile.Open(casePath, []byte(testPass), casefile.TestOptions())
		if err != nil {
			b.Fatal(err)
		}
		t3 := time.Now()
		ix, err := timeline.Open(context.Background(), timeline.Of(c), timeline.OpenOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if !ix.Restored() || ix.Len() != int64(n) {
			b.Fatalf("index restored %v with %d events, want a restored index of %d", ix.Restored(), ix.Len(), n)
		}
		b.ReportMetric(time.Since(t3).Seconds()*1000, "restore-ms")
		b.ReportMetric(time.Since(t2).Seconds()*1000, "unlock-to-index-ms")
		day := start(n / 2).Truncate(time.Hour) // an hour in the middle
		for _, q := range []struct {
			name string
			f    timeline.Filter
			want int64
		}{
			{"term", timeline.Filter{Query: "invalid"}, -1},
			{"field", timeline.Filter{Query: "user:admin"}, -1},
			{"term+range", timeline.Filter{Query: "failed", From: day, To: day.Add(time.Hour)}, -1},
		} {
			t := time.Now()
			got, err := ix.Count(context.Background(), q.f)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(time.Since(t).Seconds()*1000, q.name+"-ms")
			if got == 0 {
				b.Fatalf("%s query %q selected nothing", q.name, q.f.Query)
			}
		}
		t := time.Now()
		hs, err := ix.Histogram(context.Background(), timeline.Filter{}, time.Hour)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(time.Since(t).Seconds()*1000, "histogram-ms")
		var sum int64
		for _, h := range hs {
			sum += h.Count
		}
		if sum != int64(n) {
			b.Fatalf("histogram counts %d events, want %d", sum, n)
		}
		// A page of the Timeline area's table (64 events) in the middle of
		// the result, as it pages: After the last event of the page before.
		for _, q := range []struct{ name, query string }{{"page-all", ""}, {"page-term", "failed"}} {
			mid, err := ix.Search(context.Background(), timeline.Filter{Query: q.query, From: start(n / 2), Limit: 1})
			if err != nil || len(mid) != 1 {
				b.Fatalf("%s: %d events, %v", q.name, len(mid), err)
			}
			t := time.Now()
			page, err := ix.Search(context.Background(), timeline.Filter{Query: q.query, After: mid[0].ID, Limit: 64})
			if err != nil || len(page) != 64 {
				b.Fatalf("%s: %d events, %v", q.name, len(page), err)
			}
			b.ReportMetric(time.Since(t).Seconds()*1000, q.name+"-ms")
		}
		b.ReportMetric(peakRSSMiB()/mega, "peak-MiB/M-events-open")
		ix.Close()
		c.Close()
	}
}
