package memory

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/casetest"
)

// TestItemStringsThroughTheCase seals bytes in 4 KiB chunks with strings
// planted across chunk boundaries (ASCII at an even offset, UTF-16LE at an
// odd one) and scans the sealed item: each planted string is found once,
// whole, and every hit is GNU strings's on the same bytes.
func TestItemStringsThroughTheCase(t *testing.T) {
	data := stringsSample(64*1024+77, 3)
	plant := func(at int, b []byte) { copy(data[at:], b); data[at-1], data[at+len(b)] = 0x01, 0x01 }
	plant(4096-3, []byte("BOUNDARY-ascii"))
	plant(2*4096-7, utf16le("Straddling-UTF16"))
	plant(3*4096-1, utf16le("Odd"+strings.Repeat("x", 5000))) // longer than a chunk
	path := filepath.Join(t.TempDir(), "mem.bin")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	c := casetest.Open(t, casetest.Create(t), casetest.Passphrase)
	ev := casetest.StoreBytes(t, c, data, "mem.bin")
	for _, enc := range []Encoding{ASCII, UTF16LE} {
		var hits []Hit
		if err := ItemStrings(context.Background(), c, ev.ID, StringsOptions{Encoding: enc}, nil, func(h Hit) error { hits = append(hits, h); return nil }); err != nil {
			t.Fatal(err)
		}
		args := []string{"-n", "4"}
		if enc == UTF16LE {
			args = append(args, "-e", "l")
		}
		if got, want := hitLines(hits), gnuStrings(t, path, args...); !slices.Equal(got, want) {
			t.Errorf("%v: %d hits, strings finds %d", enc, len(got), len(want))
		}
		for _, p := range []struct {
			enc  Encoding
			off  int64
			text string
		}{{ASCII, 4093, "BOUNDARY-ascii"}, {UTF16LE, 8185, "Straddling-UTF16"}, {UTF16LE, 12287, "Odd" + strings.Repeat("x", 5000)}} {
			if p.enc != enc {
				continue
			}
			n := 0
			for _, h := range hits {
				if h.Offset == p.off && h.Text == p.text {
					n++
				}
			}
			if n != 1 {
				t.Errorf("%q at %d found %d times", p.text[:min(len(p.text), 20)], p.off, n)
			}
		}
	}
	// Reading is recorded when asked, with how.
	if err := RecordRead(c, ev.ID, "memory strings", "look for credentials", map[string]string{"min": "4"}); err != nil {
		t.Fatal(err)
	}
	entries, err := c.Entries()
	if err != nil {
		t.Fatal(err)
	}
	last := entries[len(entries)-1]
	if last.Action != casefile.ActionEvidenceViewed || last.Target.ID != ev.ID.String() || last.Reason != "look for credentials" ||
		last.Details["via"] != "memory strings" || last.Details["min"] != "4" {
		t.Errorf("last entry %+v", last)
	}
}

// TestDescribeItemThroughTheCase: a LiME image sealed in the case is
// described as from its own bytes.
func TestDescribeItemThroughTheCase(t *testing.T) {
	img := limeImage([2]uint64{0x1000, 0x2fff}, [2]uint64{0x100000, 0x100fff})
	c := casetest.Open(t, casetest.Create(t), casetest.Passphrase)
	ev := casetest.StoreBytes(t, c, img, "mem.lime")
	info, err := DescribeItem(c, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	if want := describeBytes(t, img); info.Format != FormatLiME || !slices.Equal(info.Ranges, want.Ranges) || len(info.Ranges) != 2 {
		t.Errorf("through the case %+v, from the bytes %+v", info.Ranges, want.Ranges)
	}
}
