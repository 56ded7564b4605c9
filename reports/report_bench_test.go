package reports_test

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/custodia-dfir/custodia/casefile/casetest"
	"github.com/custodia-dfir/custodia/casefile/incident"
	"github.com/custodia-dfir/custodia/casefile/timeline"
	"github.com/custodia-dfir/custodia/reports"
)

// BenchmarkIntelligencePDF renders the intelligence PDF of a case with 50
// evidence items, 300 indicators, 500 findings (each anchored in an item
// and linked to an indicator) and 2,000 starred timeline events (40 of
// each item's 400 events), the size issue 14 sets the bar at (≤ 5 s on 2
// cores), charts included, and checks every render gives the same bytes.
func BenchmarkIntelligencePDF(b *testing.B) {
	start := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	c := casetest.Open(b, casetest.Create(b), casetest.Passphrase, casetest.Ticking(&start))
	s := incident.Of(c)
	var items []uuid.UUID
	for i := range 50 {
		items = append(items, casetest.StoreBytes(b, c, bytes.Repeat([]byte{byte(i)}, 8192), fmt.Sprintf("host-%02d.img", i)).ID)
	}
	var inds []uuid.UUID
	for i := range 300 {
		x, err := s.AddIndicator(incident.IndicatorIP, fmt.Sprintf("198.51.%d.%d", i/250, i%250+1), "seen in the proxy log", "")
		if err != nil {
			b.Fatal(err)
		}
		inds = append(inds, x.ID)
	}
	for i := range 500 {
		_, err := s.AddFinding(incident.FindingContent{Title: fmt.Sprintf("Finding %d: beacon to a known C2 address", i),
			Description: "The host contacted the address every *60 s* over HTTPS; the certificate matches the actor's infrastructure.",
			Confidence:  incident.ConfidenceMedium, Locations: []incident.EvidenceLocation{{Evidence: items[i%50], Start: int64(i), End: int64(i + 64)}},
			Indicators: []uuid.UUID{inds[i%300]}, Techniques: []string{"T1071.001"}}, "")
		if err != nil {
			b.Fatal(err)
		}
	}
	base := time.Date(2026, 11, 19, 0, 0, 0, 0, time.UTC)
	tl := timeline.Of(c)
	for i, it := range items {
		w, err := tl.NewWriter(it)
		if err != nil {
			b.Fatal(err)
		}
		for n := range 400 {
			at := base.Add(time.Duration(n*50+i) * time.Minute / 10)
			if err := w.Add(timeline.Event{Time: at, TimeText: at.Format(time.RFC3339), TimeZone: "UTC", TimestampDesc: "Event Logged",
				Offset: int64(n) * 20, Length: 20, Message: fmt.Sprintf("host-%02d: outbound TLS to 198.51.0.%d, 4.2 kB", i, n%250+1)}); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := w.Commit(timeline.Summary{Parser: "jsonl", Detected: "content", Bytes: 8192}, "parsed for the benchmark"); err != nil {
			b.Fatal(err)
		}
		for n := int64(1); n <= 400; n += 10 {
			if _, err := tl.Star(timeline.EventID(it, n), "beacon"); err != nil {
				b.Fatal(err)
			}
		}
	}
	o := reports.Options{Kind: reports.KindIntelligence, Format: reports.FormatPDF, Tool: testTool}
	first, _, m, err := reports.RenderReport(c, o)
	if err != nil {
		b.Fatal(err)
	}
	if len(m.Starred) != 2000 || len(m.Findings) != 500 || len(m.Indicators) != 300 || len(m.Evidence) != 50 {
		b.Fatalf("model: %d starred, %d findings, %d indicators, %d items", len(m.Starred), len(m.Findings), len(m.Indicators), len(m.Evidence))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		out, _, _, err := reports.RenderReport(c, o)
		if err != nil {
			b.Fatal(err)
		}
		if !bytes.Equal(out, first) {
			b.Fatal("two renders of the same case state differ")
		}
		b.ReportMetric(float64(len(out)), "bytes")
	}
}
