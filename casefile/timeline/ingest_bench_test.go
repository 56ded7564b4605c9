package timeline

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/custodia-dfir/custodia/casefile/casetest"
)

// syslogLike returns n events shaped like the sshd lines of a syslog
// parse: a message and seven fields (host, program, pid, user, src_ip,
// src_port, action), one second apart.
func syslogLike(n int) []Event {
	out := make([]Event, n)
	for i := range out {
		user := fmt.Sprintf("user%02d", i%50)
		ip := fmt.Sprintf("10.%d.%d.%d", i%7, (i/7)%11, i%1000/11+1)
		port := strconv.Itoa(1024 + i%60000)
		pid := strconv.Itoa(1000 + i%30000)
		host := fmt.Sprintf("web%02d", i%40)
		t := t0.Add(time.Duration(i) * time.Second)
		out[i] = Event{Time: t, TimeText: t.Format(time.Stamp), TimeZone: "UTC", TimeZoneAssumed: true, TimestampDesc: "Event Logged",
			Offset: int64(i) * 90, Length: 89, Message: "sshd[" + pid + "]: Failed password for " + user + " from " + ip + " port " + port + " ssh2",
			Fields: []Field{{"host", host}, {"program", "sshd"}, {"pid", pid}, {"action", "failed password"}, {"user", user}, {"src_ip", ip}, {"src_port", port}}}
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
