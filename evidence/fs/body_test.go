package fs

import (
	"bytes"
	"sort"
	"strings"
	"testing"
)

// The body file of an ext4 image is fls -r -m / line for line (TSK's
// virtual $OrphanFiles aside).
func TestBodyFileIsFls(t *testing.T) {
	img := makeExt(t, "ext4")
	f := openImage(t, img, 0)
	var buf bytes.Buffer
	n, err := WriteBody(&buf, f, "/", nil)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Split(strings.TrimSpace(buf.String()), "\n")
	var want []string
	for _, l := range strings.Split(strings.TrimSpace(run(t, "fls", "-r", "-m", "/", img)), "\n") {
		if !strings.Contains(l, "|/$OrphanFiles") {
			want = append(want, l)
		}
	}
	sort.Strings(got)
	sort.Strings(want)
	if n != len(got) || strings.Join(got, "\n") != strings.Join(want, "\n") {
		for i := 0; i < len(got) && i < len(want); i++ {
			if got[i] != want[i] {
				t.Fatalf("%d lines, fls %d; first difference:\n ours %s\n fls  %s", len(got), len(want), got[i], want[i])
			}
		}
		t.Fatalf("%d lines, fls %d", len(got), len(want))
	}
}

func TestBodyEscape(t *testing.T) {
	if got := bodyEscape("/a|b\nc"); got != `/a\x7cb\x0ac` {
		t.Errorf("%q", got)
	}
}
