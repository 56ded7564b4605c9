package hunt

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/casetest"
	"github.com/custodia-dfir/custodia/casefile/incident"
	"github.com/custodia-dfir/custodia/casefile/timeline"
	"github.com/google/uuid"
)

// TestStreamFindsOnceAcrossPieces feeds the same bytes split at every
// position: each match is found exactly once, at the same offset.
func TestStreamFindsOnceAcrossPieces(t *testing.T) {
	data := []byte("x 10.0.0.5 y 110.0.0.55 1.10.0.0.5 a.EVIL.com notevil.com evil.com.au evil.com-x " +
		string(encodeUTF16LE("see Evil.Com here")) + " 10.0.0.5")
	inds := []SweptIndicator{{Type: incident.IndicatorIP, Value: "10.0.0.5"}, {Type: incident.IndicatorDomain, Value: "evil.com"}}
	m := newMatcher(sweepPatterns(inds))
	want := []hit{{0, 2, 8}, {2, 37, 8}, {3, 89, 16}, {0, 116, 8}} // pattern index: 0 ip ascii, 2 domain ascii, 3 domain utf-16
	var whole []hit
	s := m.newStream(func(h hit) { whole = append(whole, h) })
	s.write(data)
	s.close()
	if !slices.Equal(whole, want) {
		t.Fatalf("one piece: %v, want %v", whole, want)
	}
	for cut := 1; cut < len(data); cut++ {
		var got []hit
		s := m.newStream(func(h hit) { got = append(got, h) })
		s.write(data[:cut])
		s.write(data[cut:])
		s.close()
		if !slices.Equal(got, want) {
			t.Fatalf("cut at %d: %v, want %v", cut, got, want)
		}
	}
	// Byte by byte, with the sparse automaton.
	for _, a := range m.auto {
		a.dense = nil
	}
	var got []hit
	s = m.newStream(func(h hit) { got = append(got, h) })
	for i := range data {
		s.write(data[i : i+1])
	}
	s.close()
	if !slices.Equal(got, want) {
		t.Fatalf("sparse, byte by byte: %v, want %v", got, want)
	}
}

func TestExtractText(t *testing.T) {
	text := `Accepted password for admin from 203.0.113.7 port 22; GET https://evil.example.com/x.php?a=1). ` +
		`mail bob@corp.example.org; version 1.2.3.4.5 and 10.0.0.256 and 01.2.3.4; setup.exe install.sh ` +
		`fe80::1 12:30:45 00:11:22:33:44:55 md5 D41D8CD98F00B204E9800998ECF8427E sid S-1-5-21-1004336348-1177238915-682003330-512 ` +
		`00000000000000000000000000000000 deadbeefdeadbeefdeadbeefdeadbeefdeadbeefg a.b.local 0.0.0.0 cdn.example.co.uk`
	got := ExtractText(text, "")
	want := []Found{
		{KindURL, incident.IndicatorURL, "https://evil.example.com/x.php?a=1"},
		{KindEmail, incident.IndicatorEmail, "bob@corp.example.org"},
		{KindIPv4, incident.IndicatorIP, "203.0.113.7"},
		{KindDomain, incident.IndicatorDomain, "evil.example.com"},
		{KindDomain, incident.IndicatorDomain, "cdn.example.co.uk"},
		{KindIPv6, incident.IndicatorIP, "fe80::1"},
		{KindMD5, incident.IndicatorHash, "d41d8cd98f00b204e9800998ecf8427e"},
		{KindSID, incident.IndicatorOther, "S-1-5-21-1004336348-1177238915-682003330-512"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("ExtractText =\n%v\nwant\n%v", got, want)
	}
	if got := ExtractText("root", "user"); !slices.Equal(got, []Found{{KindUser, incident.IndicatorOther, "root"}}) {
		t.Errorf("user field: %v", got)
	}
	if got := ExtractText("-", "TargetUserName"); len(got) != 0 {
		t.Errorf(`user "-": %v, want none`, got)
	}
}

func newCase(t *testing.T) *casefile.Case {
	t.Helper()
	return casetest.Open(t, casetest.Create(t), casetest.Passphrase)
}

func parse(t *testing.T, c *casefile.Case, item uuid.UUID, evs []timeline.Event) timeline.Parse {
	t.Helper()
	w, err := timeline.Of(c).NewWriter(item)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range evs {
		if err := w.Add(e); err != nil {
			t.Fatal(err)
		}
	}
	p, err := w.Commit(timeline.Summary{Parser: "test"}, "test parse")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestExtractProposesUnrecorded(t *testing.T) {
	c := newCase(t)
	item := casetest.StoreBytes(t, c, []byte("log"), "auth.log").ID
	gone := casetest.StoreBytes(t, c, []byte("log"), "other.log").ID
	parse(t, c, item, []timeline.Event{
		{Message: "Failed password for root from 198.51.100.9 port 4242", Fields: []timeline.Field{{Name: "user", Value: "root"}, {Name: "src_ip", Value: "198.51.100.9"}}},
		{Message: "Accepted password for root from 198.51.100.9", Fields: []timeline.Field{{Name: "user", Value: "root"}}},
		{Message: "download of payload.exe from http://bad.example.net/p", Fields: []timeline.Field{{Name: "host", Value: "web01"}}},
	})
	parse(t, c, gone, []timeline.Event{{Message: "from 192.0.2.99"}})
	if _, err := c.WithdrawEvidence(gone, "wrong host"); err != nil {
		t.Fatal(err)
	}
	if _, err := incident.Of(c).AddIndicator(incident.IndicatorDomain, "bad.example.net", "", ""); err != nil {
		t.Fatal(err)
	}
	x, err := Extract(context.Background(), c, uuid.Nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range x.Proposals {
		got = append(got, fmt.Sprintf("%s %s %d/%d %s", p.Kind, p.Value, p.Count, p.Events, p.First))
	}
	want := []string{
		"ipv4 198.51.100.9 3/2 " + timeline.EventID(item, 1),
		"user root 2/2 " + timeline.EventID(item, 1),
		"url http://bad.example.net/p 1/1 " + timeline.EventID(item, 3),
	}
	if !slices.Equal(got, want) || x.Events != 3 || x.Recorded != 1 || x.Dropped != 0 {
		t.Errorf("proposals %q (events %d, recorded %d), want %q, 3 events, 1 recorded", got, x.Events, x.Recorded, want)
	}
	if _, err := Extract(context.Background(), c, gone, nil); !errors.Is(err, timeline.ErrWithdrawnItem) {
		t.Errorf("extract from a withdrawn item: %v", err)
	}
}

// TestSweepExactHits: a generated item with indicators at known offsets,
// one across a chunk boundary (chunks of 4 KiB) and one in UTF-16LE, and
// events that hold some of them.
func TestSweepExactHits(t *testing.T) {
	c := newCase(t)
	data := bytes.Repeat([]byte("."), 3*4096+100)
	put := func(off int, b []byte) { copy(data[off:], b) }
	put(10, []byte(" 203.0.113.7 "))                                         // ip at 11
	put(4096-5, []byte(" EVIL.example.com "))                                // domain at 4092, across the boundary at 4096
	put(6000, append([]byte{' ', 0}, encodeUTF16LE("evil.example.com ")...)) // utf-16 domain at 6002
	put(8000, []byte(" 1203.0.113.77 notevil.example.com "))                 // neither
	put(9000, []byte(" d41d8cd98f00b204e9800998ecf8427e "))                  // hash at 9001
	ev := casetest.StoreBytes(t, c, data, "disk.bin")
	gone := casetest.StoreBytes(t, c, []byte(" 203.0.113.7 "), "withdrawn.bin")
	if _, err := c.WithdrawEvidence(gone.ID, "duplicate"); err != nil {
		t.Fatal(err)
	}
	// Events: the first covers bytes 0-99 of the item.
	parse(t, c, ev.ID, []timeline.Event{
		{Offset: 0, Length: 100, Message: "connection from 203.0.113.7", Fields: []timeline.Field{{Name: "dst", Value: "203.0.113.7"}, {Name: "q", Value: "www.evil.example.com"}}},
		{Offset: 100, Length: 100, Message: "nothing here 203.0.113.70"},
	})
	inc := incident.Of(c)
	ip, _ := inc.AddIndicator(incident.IndicatorIP, "203.0.113.7", "", "")
	dom, _ := inc.AddIndicator(incident.IndicatorDomain, "evil.example.com", "", "")
	hash, _ := inc.AddIndicator(incident.IndicatorHash, "D41D8CD98F00B204E9800998ECF8427E", "", "")
	net, _ := inc.AddIndicator(incident.IndicatorIP, "203.0.113.0/24", "", "")
	before, _ := c.Entries()
	sw, err := RunSweep(context.Background(), c, "first sweep", nil)
	if err != nil {
		t.Fatal(err)
	}
	e1 := timeline.EventID(ev.ID, 1)
	want := []SweepHit{
		{Indicator: ip.ID, In: InEvent, Item: ev.ID, Offset: 0, Length: 100, Event: e1, Field: "message"},
		{Indicator: ip.ID, In: InEvent, Item: ev.ID, Offset: 0, Length: 100, Event: e1, Field: "dst"},
		{Indicator: dom.ID, In: InEvent, Item: ev.ID, Offset: 0, Length: 100, Event: e1, Field: "q"},
		{Indicator: ip.ID, In: InBytes, Item: ev.ID, Offset: 11, Length: 11, Encoding: EncodingASCII, Event: e1},
		{Indicator: dom.ID, In: InBytes, Item: ev.ID, Offset: 4092, Length: 16, Encoding: EncodingASCII},
		{Indicator: dom.ID, In: InBytes, Item: ev.ID, Offset: 6002, Length: 32, Encoding: EncodingUTF16LE},
		{Indicator: hash.ID, In: InBytes, Item: ev.ID, Offset: 9001, Length: 32, Encoding: EncodingASCII},
	}
	if !slices.Equal(sw.Hits, want) {
		t.Fatalf("hits:\n%+v\nwant\n%+v", sw.Hits, want)
	}
	if sw.EventHits != 3 || sw.ByteHits != 4 || sw.Events != 2 || sw.Bytes != int64(len(data)) || !sw.Listed() {
		t.Errorf("counts: %d event hits, %d byte hits, %d events, %d bytes", sw.EventHits, sw.ByteHits, sw.Events, sw.Bytes)
	}
	if len(sw.Items) != 2 || sw.Items[1].Skipped != "withdrawn" || sw.Items[0].Hits != 4 {
		t.Errorf("items %+v", sw.Items)
	}
	if s := sw.Indicators[3]; s.ID != net.ID || s.Skipped == "" {
		t.Errorf("CIDR indicator %+v, want skipped", s)
	}
	after, _ := c.Entries()
	if len(after) != len(before)+1 {
		t.Fatalf("%d custody entries, want 1", len(after)-len(before))
	}
	e := after[len(after)-1]
	if e.Action != ActionIndicatorSwept || e.Actor != casetest.NewCase.Examiner || e.Role != c.ActingRole() || e.Reason != "first sweep" ||
		e.Details["byte_hits"] != "4" || e.Details["event_hits"] != "3" || e.Details["indicators"] != "4" || e.Target.ID != sw.ID.String() {
		t.Errorf("custody entry %+v", e)
	}
	stored, err := Sweeps(c)
	if err != nil || len(stored) != 1 || !slices.Equal(stored[0].Hits, want) || stored[0].Recorded.Examiner != casetest.NewCase.Examiner {
		t.Errorf("stored sweeps %+v, %v", stored, err)
	}
}

func TestSweepWithoutIndicators(t *testing.T) {
	c := newCase(t)
	if _, err := RunSweep(context.Background(), c, "", nil); !errors.Is(err, ErrNoIndicators) {
		t.Errorf("sweep without indicators: %v", err)
	}
}

// TestSweepMatchesGrep: on generated text the sweep's ASCII byte hits are
// exactly what GNU grep -F -i -o -b reports for the same values (the text
// holds no occurrence the boundary rules would refuse).
func TestSweepMatchesGrep(t *testing.T) {
	grep, err := exec.LookPath("grep")
	if err != nil {
		t.Skip("grep is not installed (Debian package grep): no reference to compare with")
	}
	values := []string{"203.0.113.7", "198.51.100.23", "c2.evil.example.com", "d41d8cd98f00b204e9800998ecf8427e"}
	r := rand.New(rand.NewPCG(7, 7))
	var sb strings.Builder
	for sb.Len() < 300_000 {
		fmt.Fprintf(&sb, "line %d ok user%d", r.IntN(1_000_000), r.IntN(100))
		if r.IntN(20) == 0 {
			v := values[r.IntN(len(values))]
			if r.IntN(2) == 0 {
				v = strings.ToUpper(v)
			}
			sb.WriteString(" " + v + " ")
		}
		sb.WriteByte('\n')
	}
	data := []byte(sb.String())
	c := newCase(t)
	ev := casetest.StoreBytes(t, c, data, "gen.log")
	for i, typ := range []incident.IndicatorType{incident.IndicatorIP, incident.IndicatorIP, incident.IndicatorDomain, incident.IndicatorHash} {
		if _, err := incident.Of(c).AddIndicator(typ, values[i], "", ""); err != nil {
			t.Fatal(err)
		}
	}
	sw, err := RunSweep(context.Background(), c, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, h := range sw.Hits {
		if h.In == InBytes && h.Item == ev.ID {
			got = append(got, fmt.Sprintf("%d:%s", h.Offset, strings.ToLower(string(data[h.Offset:h.Offset+h.Length]))))
		}
	}
	dir := t.TempDir()
	file, pats := filepath.Join(dir, "gen.log"), filepath.Join(dir, "patterns")
	if err := os.WriteFile(file, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pats, []byte(strings.Join(values, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(grep, "-F", "-i", "-o", "-b", "-a", "-f", pats, file).Output()
	if err != nil {
		t.Fatalf("grep: %v", err)
	}
	var want []string
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		want = append(want, strings.ToLower(l))
	}
	if len(got) < 100 || !slices.Equal(got, want) {
		t.Fatalf("sweep: %d hits, grep: %d; first differences:\n%v\n%v", len(got), len(want), got[:min(5, len(got))], want[:min(5, len(want))])
	}
}

// TestExtractBoundsLongText: only the first MaxTextScan bytes of a value
// are read, and the cut is counted.
func TestExtractBoundsLongText(t *testing.T) {
	c := newCase(t)
	item := casetest.StoreBytes(t, c, []byte("log"), "big.log").ID
	long := "from 192.0.2.10 " + strings.Repeat("x", MaxTextScan) + " and 192.0.2.11"
	parse(t, c, item, []timeline.Event{{Message: long}})
	x, err := Extract(context.Background(), c, uuid.Nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(x.Proposals) != 1 || x.Proposals[0].Value != "192.0.2.10" || x.LongTexts != 1 {
		t.Errorf("proposals %+v, %d long texts; want only 192.0.2.10 and 1", x.Proposals, x.LongTexts)
	}
}
