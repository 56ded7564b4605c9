package timeline

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/custodia-dfir/custodia/casefile/casetest"
)

// syslogLike returns n events as the syslog parser makes them of the
// auth.log lines of evidence's BenchmarkTimelineSyslog1M (sshd accepted,
// failed, invalid user and closed, cron, kernel lines; 40 hosts, 50 users,
// 1000 addresses), one second apart from t0.
func syslogLike(n int) []Event {
	out := make([]Event, n)
	for i := range out {
		user := fmt.Sprintf("user%02d", i%50)
		if i%50 == 7 {
			user = "admin"
		}
		ip := fmt.Sprintf("10.%d.%d.%d", i%7, (i/7)%11, i%1000/11+1)
		port := strconv.Itoa(1024 + i%60000)
		pid := strconv.Itoa(1000 + i%30000)
		host := fmt.Sprintf("web%02d", i%40)
		t := t0.Add(time.Duration(i) * time.Second)
		var msg string
		var fs []Field
		switch i % 8 {
		case 0, 1:
			msg = "sshd[" + pid + "]: Accepted password for " + user + " from " + ip + " port " + port + " ssh2"
			fs = []Field{{"action", "login_accepted"}, {"outcome", "success"}, {"auth_method", "password"}, {"user", user}, {"src_ip", ip}, {"src_port", port}}
		case 2, 3:
			msg = "sshd[" + pid + "]: Failed password for " + user + " from " + ip + " port " + port + " ssh2"
			fs = []Field{{"action", "login_failed"}, {"outcome", "failure"}, {"auth_method", "password"}, {"user", user}, {"src_ip", ip}, {"src_port", port}}
		case 4:
			msg = "sshd[" + pid + "]: Invalid user " + user + " from " + ip + " port " + port
			fs = []Field{{"action", "invalid_user"}, {"outcome", "failure"}, {"user", user}, {"src_ip", ip}, {"src_port", port}}
		case 5:
			msg = "sshd[" + pid + "]: Connection closed by " + ip + " port " + port + " [preauth]"
			fs = []Field{{"action", "connection_closed"}, {"src_ip", ip}, {"src_port", port}, {"preauth", "true"}}
		case 6:
			msg = "CRON[" + pid + "]: pam_unix(cron:session): session opened for user " + user + " by (uid=0)"
			fs = []Field{{"action", "session_opened"}, {"user", user}}
		default:
			msg = fmt.Sprintf("kernel: [%d.%06d] UFW BLOCK IN=eth0 OUT= SRC=%s DST=10.9.9.9 PROTO=TCP SPT=%s DPT=22", i/10, i%1000000, ip, port)
		}
		prog := "sshd"
		switch i % 8 {
		case 6:
			prog = "CRON"
		case 7:
			prog = "kernel"
		}
		fields := []Field{{"host", host}, {"program", prog}}
		if prog != "kernel" {
			fields = append(fields, Field{"pid", pid})
		}
		out[i] = Event{Time: t, TimeText: t.Format(time.Stamp), TimeZone: "UTC", TimeZoneAssumed: true, TimestampDesc: "Event Logged",
			Offset: int64(i) * 90, Length: 89, Message: msg, Fields: append(fields, fs...)}
	}
	return out
}

// BenchmarkIngestIndex is the parse path of a log item without the
// parser: events added to a Writer that indexes them into the case's
// (empty) index as they come, the commit, and the snapshot saved.
// CUSTODIA_BENCH_EVENTS sets the size (default 100k).
func BenchmarkIngestIndex(b *testing.B) {
	n := 100_000
	if v, err := strconv.Atoi(os.Getenv("CUSTODIA_BENCH_EVENTS")); err == nil && v > 0 {
		n = v
	}
	evs := syslogLike(n)
	ctx := context.Background()
	for b.Loop() {
		path := casetest.Create(b)
		c := casetest.Open(b, path, casetest.Passphrase)
		item := casetest.StoreBytes(b, c, []byte("x"), "bench.log").ID
		ix, err := Open(ctx, Of(c), OpenOptions{})
		if err != nil {
			b.Fatal(err)
		}
		st := time.Now()
		w, err := Of(c).NewWriter(item)
		if err != nil {
			b.Fatal(err)
		}
		if err := w.IndexInto(ctx, ix); err != nil {
			b.Fatal(err)
		}
		for _, e := range evs {
			if err := w.Add(e); err != nil {
				b.Fatal(err)
			}
		}
		added := time.Since(st)
		if _, err := w.Commit(Summary{Parser: "syslog"}, "benchmark"); err != nil {
			b.Fatal(err)
		}
		if err := w.IndexErr(); err != nil {
			b.Fatal(err)
		}
		committed := time.Since(st)
		if _, err := ix.Save(ctx, Of(c)); err != nil {
			b.Fatal(err)
		}
		all := time.Since(st)
		b.ReportMetric(added.Seconds()*1000, "add-ms")
		b.ReportMetric((committed-added).Seconds()*1000, "commit-ms")
		b.ReportMetric((all-committed).Seconds()*1000, "save-ms")
		b.ReportMetric(float64(n)/all.Seconds(), "events/s")
		ix.Close()
		c.Close()
	}
}

// BenchmarkQueries builds the index of CUSTODIA_BENCH_EVENTS syslog-like
// events (default 200k) as a parse does, then times the queries of
// evidence's BenchmarkTimelineSyslog1M (a term, a field, a term + hour,
// the hourly histogram, a 64-event page in the middle) and logs their
// query plans.
func BenchmarkQueries(b *testing.B) {
	n := 200_000
	if v, err := strconv.Atoi(os.Getenv("CUSTODIA_BENCH_EVENTS")); err == nil && v > 0 {
		n = v
	}
	ctx := context.Background()
	path := casetest.Create(b)
	c := casetest.Open(b, path, casetest.Passphrase)
	defer c.Close()
	item := casetest.StoreBytes(b, c, []byte("x"), "bench.log").ID
	ix, err := Open(ctx, Of(c), OpenOptions{})
	if err != nil {
		b.Fatal(err)
	}
	defer ix.Close()
	w, err := Of(c).NewWriter(item)
	if err != nil {
		b.Fatal(err)
	}
	if err := w.IndexInto(ctx, ix); err != nil {
		b.Fatal(err)
	}
	for _, e := range syslogLike(n) {
		if err := w.Add(e); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := w.Commit(Summary{Parser: "syslog"}, "benchmark"); err != nil {
		b.Fatal(err)
	}
	var pages, size int64
	ix.db.QueryRow(`SELECT page_count, page_size FROM pragma_page_count, pragma_page_size`).Scan(&pages, &size)
	b.ReportMetric(float64(pages*size)/float64(n), "db-bytes/event")
	for _, t := range []string{"events", "vals", "fields", "fts_data", "fts_idx", "fts_docsize", "events_time", "events_item"} {
		var bytes int64
		if err := ix.db.QueryRow(`SELECT sum(pgsize) FROM dbstat WHERE name = ?`, t).Scan(&bytes); err == nil {
			b.Logf("%s: %.1f bytes/event", t, float64(bytes)/float64(n))
		}
	}
	mid := t0.Add(time.Duration(n/2) * time.Second).Truncate(time.Hour)
	counts := []struct {
		name string
		f    Filter
	}{
		{"term", Filter{Query: "invalid"}},
		{"field", Filter{Query: "user:admin"}},
		{"term+range", Filter{Query: "failed", From: mid, To: mid.Add(time.Hour)}},
		{"phrase", Filter{Query: `"failed password"`}},
		{"term-and-field", Filter{Query: "failed user:admin"}},
		{"or", Filter{Query: "invalid OR user:admin"}},
	}
	for b.Loop() {
		for _, q := range counts {
			st := time.Now()
			got, err := ix.Count(ctx, q.f)
			if err != nil || got == 0 {
				b.Fatalf("%s: %d, %v", q.name, got, err)
			}
			b.ReportMetric(time.Since(st).Seconds()*1000, q.name+"-ms")
		}
		st := time.Now()
		if _, err := ix.Histogram(ctx, Filter{}, time.Hour); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(time.Since(st).Seconds()*1000, "histogram-ms")
		st = time.Now()
		if _, err := ix.Histogram(ctx, Filter{Query: "failed"}, time.Hour); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(time.Since(st).Seconds()*1000, "histogram-term-ms")
		for _, q := range []struct{ name, query string }{{"page-all", ""}, {"page-term", "failed"}} {
			m, err := ix.Search(ctx, Filter{Query: q.query, From: t0.Add(time.Duration(n/2) * time.Second), Limit: 1})
			if err != nil || len(m) != 1 {
				b.Fatalf("%s: %d, %v", q.name, len(m), err)
			}
			st := time.Now()
			page, err := ix.Search(ctx, Filter{Query: q.query, After: m[0].ID, Limit: 64})
			if err != nil || len(page) != 64 {
				b.Fatalf("%s: %d, %v", q.name, len(page), err)
			}
			b.ReportMetric(time.Since(st).Seconds()*1000, q.name+"-ms")
		}
	}
	for _, q := range counts {
		cq, args, _ := q.f.countSQL()
		b.Logf("%s: %s", q.name, queryPlan(b, ix, cq, args...))
	}
}

func queryPlan(tb testing.TB, ix *Index, q string, args ...any) string {
	rows, err := ix.db.Query(`EXPLAIN QUERY PLAN `+q, args...)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id, parent, nu int
		var d string
		rows.Scan(&id, &parent, &nu, &d)
		out = append(out, d)
	}
	return strings.Join(out, " | ")
}
