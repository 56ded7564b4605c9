package timeline

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/custodia-dfir/custodia/casefile/casetest"
)

// BenchmarkSealAndIndex seals 100k short events in one parse, builds the
// search index from the sealed batches and runs a term, a field and a
// term + range query: events/s for each step.
func BenchmarkSealAndIndex(b *testing.B) {
	const n = 100_000
	evs := synthetic(n)
	for b.Loop() {
		path := casetest.Create(b)
		c := casetest.Open(b, path, casetest.Passphrase)
		item := casetest.StoreBytes(b, c, []byte("x"), "bench.log").ID
		st := time.Now()
		w, err := Of(c).NewWriter(item)
		if err != nil {
			b.Fatal(err)
		}
		for _, e := range evs {
			if err := w.Add(e); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := w.Commit(Summary{Parser: "syslog"}, "benchmark"); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(n/time.Since(st).Seconds(), "sealed-events/s")
		st = time.Now()
		ix, err := Build(context.Background(), Of(c), nil)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(n/time.Since(st).Seconds(), "indexed-events/s")
		for _, q := range []Filter{{Query: "line"}, {Query: "n:4242"}, {Query: "log", From: t0, To: t0.Add(time.Hour)}} {
			if _, err := ix.Count(context.Background(), q); err != nil {
				b.Fatal(err)
			}
		}
		ix.Close()
		c.Close()
	}
}

// FuzzParseQuery: any text is either a query, turned into SQL without a
// panic, or a QueryError that points inside it (or just past its end).
func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{`a AND (b OR NOT "c d")`, `user:adm* event_id:>=4624`, `time:>2026-01-01`, `"unclosed`, `a) (`,
		`path:"C:\x"`, `NOT NOT NOT x`, `x:"" y:`, strings.Repeat("(", 70) + "a"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		n, err := parseQuery(q)
		if err != nil {
			var qe *QueryError
			if !errors.As(err, &qe) {
				t.Fatalf("%q: %v is not a QueryError", q, err)
			}
			if qe.Pos < 1 || (len(q) <= MaxQueryLen && utf8.ValidString(q) && qe.Pos > utf8.RuneCountInString(q)+1) {
				t.Fatalf("%q: position %d outside the query", q, qe.Pos)
			}
			return
		}
		if n != nil {
			var b strings.Builder
			var args []any
			n.sql(&b, &args)
			if strings.Count(b.String(), "?") != len(args) {
				t.Fatalf("%q: %d placeholders for %d values", q, strings.Count(b.String(), "?"), len(args))
			}
		}
	})
}
