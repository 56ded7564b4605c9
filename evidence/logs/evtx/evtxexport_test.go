package evtx

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/custodia-dfir/custodia/evidence/logs"
	"github.com/custodia-dfir/custodia/evidence/logs/logstest"
)

// refRecord is what evtxexport -f xml says about one record.
type refRecord struct {
	recordID, eventID, channel, computer, provider, userSID string
	time                                                    time.Time
	data                                                    map[string]string
}

// evtxexport runs libevtx's evtxexport over a file (skipping the test when
// the tool is missing) and reads its XML.
func evtxexport(t *testing.T, path string) []refRecord {
	t.Helper()
	bin, err := exec.LookPath("evtxexport")
	if err != nil {
		t.Skip("evtxexport (Debian libevtx-utils) is not installed: scripts/setup.sh installs it")
	}
	out, err := exec.Command(bin, "-f", "xml", path).Output()
	if err != nil {
		t.Fatalf("evtxexport %s: %v", path, err)
	}
	// libevtx writes control characters of damaged strings into its XML.
	out = bytes.Map(func(r rune) rune {
		if r < 0x20 && r != '\t' && r != '\n' && r != '\r' {
			return '\uFFFD'
		}
		return r
	}, out)
	var recs []refRecord
	dec := xml.NewDecoder(bytes.NewReader(out))
	dec.Strict = false
	var cur *refRecord
	var stack []string
	var text strings.Builder
	var dataName string
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("evtxexport XML: %v", err)
		}
		switch tk := tok.(type) {
		case xml.StartElement:
			stack = append(stack, tk.Name.Local)
			depth := len(stack)
			if depth > 3 && stack[1] == "EventData" {
				// libevtx writes XML inside a value unescaped: such a value
				// cannot be read back, so it is not compared.
				if dataName != "" {
					cur.data[dataName] = "\uFFFD"
					dataName = ""
				}
				continue
			}
			text.Reset()
			attr := func(n string) string {
				for _, a := range tk.Attr {
					if a.Name.Local == n {
						return a.Value
					}
				}
				return ""
			}
			switch tk.Name.Local {
			case "Event":
				if len(stack) == 1 {
					recs = append(recs, refRecord{data: map[string]string{}})
					cur = &recs[len(recs)-1]
				}
			case "Provider":
				if depth == 3 {
					cur.provider = attr("Name")
				}
			case "TimeCreated":
				if depth == 3 {
					cur.time, _ = time.Parse(time.RFC3339Nano, attr("SystemTime"))
				}
			case "Security":
				if depth == 3 {
					cur.userSID = attr("UserID")
				}
			case "Data":
				if depth == 3 {
					dataName = attr("Name")
				}
			}
		case xml.CharData:
			text.Write(tk)
		case xml.EndElement:
			name := tk.Name.Local
			v := text.String()
			in := func(s string) bool {
				for _, x := range stack {
					if x == s {
						return true
					}
				}
				return false
			}
			switch {
			case name == "EventRecordID" && len(stack) == 3:
				cur.recordID = v
			case name == "EventID" && len(stack) == 3:
				cur.eventID = v
			case name == "Channel" && len(stack) == 3:
				cur.channel = v
			case name == "Computer" && len(stack) == 3:
				cur.computer = v
			case name == "Data" && dataName != "" && len(stack) == 3:
				cur.data[dataName] = v
				dataName = ""
			case in("UserData") && len(stack) == 4:
				cur.data[name] = v
			}
			stack = stack[:len(stack)-1]
			text.Reset()
		}
	}
	return recs
}

// sameValue compares a value as this parser writes it with libevtx's:
// integers by value (libevtx pads hex), text exactly.
func sameValue(ours, ref string) bool {
	// XML parsing turns CR LF into LF.
	ours = strings.ReplaceAll(ours, "\r\n", "\n")
	if ours == ref || strings.ContainsRune(ref, '\uFFFD') {
		return true
	}
	if a, err := time.Parse(time.RFC3339Nano, ours); err == nil {
		b, err := time.Parse(time.RFC3339Nano, ref)
		return err == nil && a.Equal(b)
	}
	// libevtx 20181227 writes a negative Int32 as minus its low 31 bits
	// (0x8004805F as -295007); the decoder's -2147188641 is right.
	if a, err := strconv.ParseInt(ours, 10, 32); err == nil && a < 0 {
		if b, err := strconv.ParseInt(ref, 10, 64); err == nil && b < 0 && uint32(a)&0x7fffffff == uint32(-b) {
			return true
		}
	}
	num := func(s string) (uint64, bool) {
		if h, ok := strings.CutPrefix(s, "0x"); ok {
			n, err := strconv.ParseUint(h, 16, 64)
			return n, err == nil
		}
		n, err := strconv.ParseUint(s, 10, 64)
		return n, err == nil
	}
	a, ok1 := num(ours)
	b, ok2 := num(ref)
	if ok1 && ok2 && a == b && strings.HasPrefix(ours, "0x") == strings.HasPrefix(ref, "0x") {
		return true
	}
	return false
}

// Every shared sample gives exactly the records evtxexport lists, with the
// same ids, event ids, channel, computer, provider, time and data values.
func TestAgainstEvtxexport(t *testing.T) {
	dir := logstest.SamplesDir(t)
	files, _ := filepath.Glob(filepath.Join(dir, "evtx", "*.evtx"))
	if len(files) == 0 {
		t.Skip("no EVTX samples")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			ref := evtxexport(t, f)
			out := logstest.MustRun(t, Parser, data, logs.Options{})
			if len(out.Events) != len(ref) {
				t.Fatalf("%d events, evtxexport lists %d records", len(out.Events), len(ref))
			}
			mismatches := 0
			for i, e := range out.Events {
				r := ref[i]
				f := logstest.Fields(e)
				check := func(what, ours, theirs string) {
					if ours != theirs && mismatches < 10 {
						mismatches++
						t.Errorf("record %s: %s %q, evtxexport %q", r.recordID, what, ours, theirs)
					}
				}
				check("record_id", f["record_id"], r.recordID)
				check("event_id", f["event_id"], r.eventID)
				check("channel", f["channel"], r.channel)
				check("computer", f["computer"], r.computer)
				check("provider", f["provider"], r.provider)
				check("user_sid", f["user_sid"], r.userSID)
				check("time", e.Time.Format(time.RFC3339Nano), r.time.Format(time.RFC3339Nano))
				for name, v := range r.data {
					ours, ok := f[name]
					if !ok {
						ours, ok = f["EventData."+name]
					}
					if !ok && v == "" {
						continue
					}
					if !sameValue(ours, v) && mismatches < 10 {
						mismatches++
						t.Errorf("record %s: %s = %q, evtxexport %q", r.recordID, name, ours, v)
					}
				}
			}
		})
	}
}
