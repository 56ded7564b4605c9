package evidence

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/custodia-dfir/custodia/casefile"
)

func TestDetectKind(t *testing.T) {
	cases := []struct {
		file string
		want casefile.EvidenceKind
		why  string
	}{
		{"auth.log", casefile.KindLog, "file name .log"},
		{"mbr.img", casefile.KindDisk, "MBR partition table"},
		{"lime.head", casefile.KindMemory, "LiME memory image"},
		{"core.head", casefile.KindMemory, "ELF core dump"},
		{"crash.dmp.head", casefile.KindMemory, "Windows crash dump"},
	}
	for _, tc := range cases {
		head, err := os.ReadFile(filepath.Join("..", "testdata", "evidence", tc.file))
		if err != nil {
			t.Fatal(err)
		}
		if k, why := DetectKind(tc.file, head); k != tc.want || why != tc.why {
			t.Errorf("%s: %s (%s), want %s (%s)", tc.file, k, why, tc.want, tc.why)
		}
	}
	if k, _ := DetectKind("notes", []byte("plain text without a known name\n")); k != casefile.KindLog {
		t.Errorf("text content: %s, want log", k)
	}
	if k, _ := DetectKind("blob", []byte{0, 1, 2, 3, 0xff}); k != casefile.KindOther {
		t.Errorf("binary: %s, want other", k)
	}
	if k, _ := DetectKind("IMAGE.E01", nil); k != casefile.KindDisk {
		t.Errorf("E01 name: %s", k)
	}
}

func TestParseKind(t *testing.T) {
	if _, auto, err := ParseKind("auto"); !auto || err != nil {
		t.Fatal("auto")
	}
	if k, _, err := ParseKind("Memory"); k != casefile.KindMemory || err != nil {
		t.Fatal("memory")
	}
	if _, _, err := ParseKind("tape"); err == nil {
		t.Fatal("tape accepted")
	}
}

// FuzzDetectKind: any bytes and name classify without panicking, into one
// of the four kinds, with a reason.
func FuzzDetectKind(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "evidence", "*"))
	for _, p := range files {
		b, _ := os.ReadFile(p)
		f.Add(filepath.Base(p), b)
	}
	f.Add("x.E01", []byte("EVF\x09\x0d\x0a\xff\x00"))
	f.Fuzz(func(t *testing.T, name string, head []byte) {
		k, why := DetectKind(name, head)
		switch k {
		case casefile.KindDisk, casefile.KindLog, casefile.KindMemory, casefile.KindOther:
		default:
			t.Fatalf("kind %q", k)
		}
		if why == "" {
			t.Fatal("no reason")
		}
	})
}
