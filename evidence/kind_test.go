package evidence

import (
	"os"
	"path/filepath"
	"strings"
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
	// Content types from mimetype: structured text is a log whatever its
	// name; a recognised document is "other" and named; a weak signature
	// (MPEG audio is two bytes) does not override a forensic file name.
	for _, tc := range []struct {
		name string
		head string
		want casefile.EvidenceKind
		why  string
	}{
		{"export", "{\"EventID\": 4625, \"Computer\": \"dc1\"}\n{\"EventID\": 4624}\n", casefile.KindLog, "content type application/x-ndjson"},
		{"alerts.bin", `{"alerts": [{"id": 1}]}`, casefile.KindLog, "content type application/json"},
		{"flows", "ts,src,dst,bytes\n1,10.0.0.1,10.0.0.2,512\n2,10.0.0.2,10.0.0.1,40\n", casefile.KindLog, "content type text/csv"},
		{"events", `<?xml version="1.0"?><Events><Event/></Events>`, casefile.KindLog, "content type text/xml"},
		{"report", "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", casefile.KindOther, "content type application/pdf"},
		{"ram.mem", "\xff\xfb\x90\x00\x01\x02", casefile.KindMemory, "file name .mem"},
		{"crash.bin", "MDMP\x93\xa7\x00\x00\x05\x00\x00\x00\x20\x00\x00\x00", casefile.KindMemory, "Windows minidump"},
		{"unnamed", "\xff\xfb\x90\x00\x01\x02", casefile.KindOther, "content type audio/mpeg"},
	} {
		if k, why := DetectKind(tc.name, []byte(tc.head)); k != tc.want || why != tc.why {
			t.Errorf("%s: %s (%s), want %s (%s)", tc.name, k, why, tc.want, tc.why)
		}
	}
}

func TestDetectMIME(t *testing.T) {
	for head, want := range map[string]string{
		"":                            "application/x-empty",
		"\x00\x00\x00\x00":            "application/octet-stream",
		"Nov 26 09:58:01 web1 sshd\n": "text/plain",
		"PK\x03\x04\x14\x00\x00\x00":  "application/zip",
		"EVF\x09\x0d\x0a\xff\x00\x01": "application/octet-stream",
	} {
		if got := DetectMIME([]byte(head)); got != want {
			t.Errorf("DetectMIME(%q) = %q, want %q", head, got, want)
		}
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
	f.Add("events.json", []byte(`{"a": [1, 2]}`))
	f.Add("flows", []byte("a,b\n1,2\n"))
	f.Fuzz(func(t *testing.T, name string, head []byte) {
		if m := DetectMIME(head); m == "" || strings.ContainsAny(m, "; ") {
			t.Fatalf("DetectMIME = %q", m)
		}
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
