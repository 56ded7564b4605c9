package evtx

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/custodia-dfir/custodia/evidence/logs"
	"github.com/custodia-dfir/custodia/evidence/logs/logstest"
)

func read(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func ids(out logstest.Output) []string {
	var s []string
	for _, e := range out.Events {
		v, _ := e.Get("record_id")
		s = append(s, v)
	}
	return s
}

func TestIssue38HexLogonID(t *testing.T) {
	out := logstest.MustRun(t, Parser, read(t, "pyevtx_issue_38.evtx"), logs.Options{})
	if len(out.Events) != 1 {
		t.Fatalf("%d events, want 1", len(out.Events))
	}
	f := logstest.Fields(out.Events[0])
	// python-evtx asserts 0x000000000019d3af; Event Viewer writes 0x19d3af.
	want := map[string]string{"record_id": "17845", "event_id": "4672", "channel": "Security", "computer": "foobar-PC", "host": "foobar-PC",
		"SubjectLogonId": "0x19d3af", "provider": "Microsoft-Windows-Security-Auditing", "user": f["SubjectUserName"]}
	for k, v := range want {
		if f[k] != v {
			t.Errorf("%s = %q, want %q", k, f[k], v)
		}
	}
	e := out.Events[0]
	if e.TimeText != "2017-06-23T05:31:19.7872632Z" || e.TimestampDesc != logs.DescCreated || e.TimeZone != "UTC" || e.Parser != "evtx" {
		t.Errorf("time %q desc %q zone %q", e.TimeText, e.TimestampDesc, e.TimeZone)
	}
	if len(out.Warnings) != 1 || !strings.Contains(out.Warnings[0].Why, "38 record signatures in its free space") {
		t.Errorf("warnings %v", out.Warnings)
	}
}

func TestIssue39Record129(t *testing.T) {
	data := read(t, "pyevtx_issue_39.evtx")
	out := logstest.MustRun(t, Parser, data, logs.Options{})
	if len(out.Events) != 394 {
		t.Fatalf("%d events, want 394", len(out.Events))
	}
	counts := map[string]int{}
	for _, e := range out.Events {
		id, _ := e.Get("event_id")
		counts[id]++
		// The offset slices back to the record: magic, and the trailing
		// copy of the size.
		rec := logstest.Record(data, e)
		if string(rec[:4]) != "**\x00\x00" || binary.LittleEndian.Uint32(rec[len(rec)-4:]) != uint32(len(rec)) {
			t.Fatalf("event at %d does not slice to a record", e.Offset)
		}
	}
	want := map[string]int{"2024": 29, "2028": 23, "6113": 63, "6114": 2, "6115": 163, "6116": 59, "6117": 55}
	for k, v := range want {
		if counts[k] != v {
			t.Errorf("event id %s: %d events, want %d", k, counts[k], v)
		}
	}
	for _, e := range out.Events {
		if id, _ := e.Get("record_id"); id == "129" {
			if got := e.Time.Format(time.RFC3339Nano); got != "2017-04-21T07:41:17.0033934Z" {
				t.Errorf("record 129 time %s, want 2017-04-21T07:41:17.0033934Z", got)
			}
			return
		}
	}
	t.Error("no record 129")
}

func TestDNSLogMalformed(t *testing.T) {
	out := logstest.MustRun(t, Parser, read(t, "pyevtx_dns_log_malformed.evtx"), logs.Options{})
	if got := strings.Join(ids(out), ","); got != "101982,101983,101984,101985,101986" {
		t.Fatalf("record ids %s", got)
	}
	var evs []string
	for _, e := range out.Events {
		v, _ := e.Get("event_id")
		evs = append(evs, v)
	}
	if strings.Join(evs, ",") != "256,256,260,260,260" && strings.Count(strings.Join(evs, ","), "260") != 3 {
		t.Errorf("event ids %v", evs)
	}
	if f := logstest.Fields(out.Events[0]); f["computer"] != "ITBDNS03.itb.ie" || out.Events[0].TimeText != "2016-11-09T10:17:08.9960883Z" {
		t.Errorf("first record %v %q", f, out.Events[0].TimeText)
	}
	if len(out.Warnings) != 1 || !strings.HasPrefix(out.Warnings[0].Why, "4 events held bytes that are not valid UTF-8") {
		t.Errorf("warnings %v", out.Warnings)
	}
}

// Damaged files: the records that are there are read, the rest reported.
func TestTruncated(t *testing.T) {
	full := read(t, "pyevtx_issue_39.evtx")
	whole := logstest.MustRun(t, Parser, full, logs.Options{})
	cut := headerSize + 3*chunkSize + 30000
	out := logstest.MustRun(t, Parser, full[:cut], logs.Options{})
	var want []string
	var cutRecord *logs.Event
	for i, e := range whole.Events {
		if e.Offset+e.Length <= int64(cut) {
			v, _ := e.Get("record_id")
			want = append(want, v)
		} else if e.Offset < int64(cut) {
			cutRecord = &whole.Events[i]
		}
	}
	if got := strings.Join(ids(out), ","); got != strings.Join(want, ",") {
		t.Fatalf("truncated file gave records %s, want %s", got, strings.Join(want, ","))
	}
	var whys []string
	for _, w := range out.Warnings {
		whys = append(whys, w.Why)
	}
	joined := strings.Join(whys, "\n")
	if !strings.Contains(joined, "the file ends inside chunk 3 (30000 of 65536 bytes)") {
		t.Errorf("no truncation warning in %q", joined)
	}
	if cutRecord != nil {
		if !strings.Contains(joined, "is cut off by the end of the file") {
			t.Errorf("no warning for the cut record at %d: %q", cutRecord.Offset, joined)
		}
	}
}

func TestBadChunkMagicDirtyAndNoCRC(t *testing.T) {
	data := append([]byte(nil), read(t, "pyevtx_issue_39.evtx")...)
	whole := logstest.MustRun(t, Parser, data, logs.Options{})
	// Dirty flag set, every CRC zeroed, chunk 2's magic destroyed.
	binary.LittleEndian.PutUint32(data[120:], 1)
	binary.LittleEndian.PutUint32(data[124:], 0)
	for off := headerSize; off+chunkSize <= len(data); off += chunkSize {
		binary.LittleEndian.PutUint32(data[off+0x34:], 0)
		binary.LittleEndian.PutUint32(data[off+0x7c:], 0)
	}
	copy(data[headerSize+2*chunkSize:], "XXXXXXXX")
	out := logstest.MustRun(t, Parser, data, logs.Options{})
	if got, want := strings.Join(ids(out), ","), strings.Join(ids(whole), ","); got != want {
		t.Fatalf("records differ after damage:\n%s\nwant\n%s", got, want)
	}
	found := false
	for _, w := range out.Warnings {
		if w.Why == "chunk 2 has a bad magic: its records are read anyway, its header's counters ignored" && w.Offset == headerSize+2*chunkSize {
			found = true
		}
	}
	if !found {
		t.Errorf("no bad-magic warning: %v", out.Warnings)
	}
}

func TestEveryChunkCorrupt(t *testing.T) {
	data := append([]byte(nil), read(t, "pyevtx_issue_39.evtx")...)
	chunks := 0
	for off := headerSize; off+chunkSize <= len(data); off += chunkSize {
		chunks++
		copy(data[off:], "XXXXXXXX")
		copy(data[off+chunkHeader:], "YYYY")
	}
	out := logstest.MustRun(t, Parser, data, logs.Options{})
	if len(out.Events) != 0 {
		t.Fatalf("%d events from a file with every chunk corrupt", len(out.Events))
	}
	skipped := 0
	for _, w := range out.Warnings {
		if strings.Contains(w.Why, "has a bad magic and no record where the first belongs: its 65536 bytes were skipped") {
			skipped++
		}
	}
	if skipped != chunks || chunks == 0 {
		t.Fatalf("%d chunks reported skipped, %d were corrupted: %v", skipped, chunks, out.Warnings)
	}
}

func TestDamagedFileHeaderAndRecords(t *testing.T) {
	data := append([]byte(nil), read(t, "mitre_ID4720-Local_user_created.evtx")...)
	copy(data, "NOTEVTX!")
	out := logstest.MustRun(t, Parser, data, logs.Options{})
	if len(out.Events) != 2 || out.Warnings[0].Why != "the file header is damaged (no ElfFile magic): its chunks are read anyway" {
		t.Fatalf("%d events, warnings %v", len(out.Events), out.Warnings)
	}
	// Scribble over the binary XML of the second record: the decoder must
	// neither panic nor lose the first record.
	data = append([]byte(nil), read(t, "mitre_ID4720-Local_user_created.evtx")...)
	whole := logstest.MustRun(t, Parser, data, logs.Options{})
	second := whole.Events[1]
	for i := second.Offset + 24; i < second.Offset+second.Length-4; i++ {
		data[i] = byte(i*7 + 3)
	}
	out = logstest.MustRun(t, Parser, data, logs.Options{})
	if len(out.Events) != 2 {
		t.Fatalf("%d events after damaging record 2", len(out.Events))
	}
	if a, b := logstest.Fields(out.Events[0])["TargetUserName"], logstest.Fields(whole.Events[0])["TargetUserName"]; a != b || a == "" {
		t.Errorf("first record's TargetUserName %q, want %q", a, b)
	}
}

func TestNotEVTX(t *testing.T) {
	out := logstest.Run(Parser, []byte("Feb 21 21:54:44 localhost sshd[3402]: hello\n"), logs.Options{})
	if !errors.Is(out.Err, logs.ErrNotFormat) {
		t.Fatalf("error %v, want ErrNotFormat", out.Err)
	}
}

func FuzzEVTX(f *testing.F) {
	for _, n := range []string{"pyevtx_issue_38.evtx", "mitre_ID4720-Local_user_created.evtx"} {
		b, err := os.ReadFile("testdata/" + n)
		if err != nil {
			continue
		}
		// The header and the first chunk's first records: enough to reach
		// the decoder, small enough to mutate.
		f.Add(b[:min(len(b), headerSize+chunkHeader+4096)])
	}
	f.Add(append(bytes.Repeat([]byte{0}, headerSize), []byte(chunkMagic)...))
	f.Fuzz(func(t *testing.T, data []byte) { logstest.Fuzz(t, Parser, data) })
}
