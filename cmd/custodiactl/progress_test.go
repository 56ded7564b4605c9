package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/custodia-dfir/custodia/evidence"
)

func TestProgressLine(t *testing.T) {
	var buf bytes.Buffer
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	p := &progressLine{w: &buf, verb: "ingesting", cols: 80, now: func() time.Time { return now }}
	const gib = 1 << 30
	p.Update(evidence.Status{Item: "disk.img", Done: gib + gib/5, Total: 2 * gib, Rate: 310 << 20, Remaining: 3 * time.Second})
	first := "\ringesting disk.img  1.2 GiB / 2.0 GiB  310.0 MiB/s  0:03 left"
	if got := buf.String(); got != first {
		t.Fatalf("first line = %q, want %q", got, first)
	}

	// Updates come about ten times a second; the line is redrawn less often.
	now = now.Add(100 * time.Millisecond)
	p.Update(evidence.Status{Item: "disk.img", Done: gib + gib/4, Total: 2 * gib, Rate: 310 << 20, Remaining: 2 * time.Second})
	if got := buf.String(); got != first {
		t.Errorf("an update 100ms later was drawn: %q", strings.TrimPrefix(got, first))
	}

	// Completion is always drawn; a shorter line blanks what is left of
	// the longer one.
	buf.Reset()
	p.Update(evidence.Status{Item: "disk.img", Done: 2 * gib, Total: 2 * gib, Rate: 9 << 20, Remaining: 0})
	done := "\ringesting disk.img  2.0 GiB / 2.0 GiB  9.0 MiB/s  0:00 left"
	if got, want := buf.String(), done+strings.Repeat(" ", len(first)-len(done)); got != want {
		t.Errorf("final line = %q, want %q", got, want)
	}

	// clear leaves the cursor at the start of a blank line.
	buf.Reset()
	p.clear()
	if got, want := buf.String(), "\r"+strings.Repeat(" ", len(done)-1)+"\r"; got != want {
		t.Errorf("clear wrote %q, want %q", got, want)
	}
	buf.Reset()
	p.clear()
	if buf.Len() != 0 {
		t.Errorf("clearing a clear line wrote %q", buf.String())
	}

	// Unknown totals and rates are left out; control characters in a name
	// (evidence names are hostile input) are escaped; a long name is cut
	// from the front so that the line never wraps.
	buf.Reset()
	p.Update(evidence.Status{Item: "evil\x1b[2J.log", Done: 512, Total: -1, Remaining: -1})
	if got, want := buf.String(), "\ringesting evil\\x1b[2J.log  512 B"; !strings.HasPrefix(got, want) || strings.TrimRight(got, " ") != want {
		t.Errorf("line = %q, want %q and padding", got, want)
	}
	buf.Reset()
	p.clear()
	buf.Reset()
	long := strings.Repeat("deep/", 30) + "auth.log"
	p.Update(evidence.Status{Item: long, Done: 1, Total: 1, Remaining: 0})
	got := strings.TrimPrefix(buf.String(), "\r")
	if n := len([]rune(got)); n != p.cols-1 {
		t.Errorf("long line is %d characters wide, want %d: %q", n, p.cols-1, got)
	}
	if !strings.HasPrefix(got, "ingesting …") || !strings.Contains(got, "/auth.log  1 B / 1 B") {
		t.Errorf("long line = %q, want the end of the name kept", got)
	}

	// A nil line, for output that is not a terminal, shows nothing.
	var none *progressLine
	none.Update(evidence.Status{Item: "x", Done: 1, Total: 1})
	none.clear()
	if none.sink() != nil {
		t.Error("a nil progress line is a non-nil evidence.Progress")
	}
}

func TestHumanSize(t *testing.T) {
	for _, tc := range []struct {
		n    int64
		want string
	}{
		{0, "0 B"}, {1023, "1023 B"}, {1024, "1.0 KiB"}, {1536, "1.5 KiB"},
		{1<<20 - 1, "1.0 MiB"}, {3145851, "3.0 MiB"}, {5 << 30, "5.0 GiB"}, {1 << 62, "4.0 EiB"},
	} {
		if got := humanSize(tc.n); got != tc.want {
			t.Errorf("humanSize(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
	if got, want := byteSize(1), "1 byte"; got != want {
		t.Errorf("byteSize(1) = %q, want %q", got, want)
	}
	if got, want := byteSize(2048), "2048 bytes (2.0 KiB)"; got != want {
		t.Errorf("byteSize(2048) = %q, want %q", got, want)
	}
}

func TestClock(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{0, "0:00"}, {1400 * time.Millisecond, "0:01"}, {3 * time.Second, "0:03"},
		{12*time.Minute + 40*time.Second, "12:40"}, {time.Hour + 2*time.Minute + 3*time.Second, "1:02:03"},
	} {
		if got := clock(tc.d); got != tc.want {
			t.Errorf("clock(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
}
