package app

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
)

// TestBigIngestThroughTheGUI ingests a large image through the Add evidence
// form and checks its hashes against md5sum, sha1sum and sha256sum, then
// verifies it. It is the GUI half of issue 5's acceptance run, too slow
// for every `make test`: set CUSTODIA_BIG_GUI=/path/to/image to run it
// (docs/PERFORMANCE.md records the 2 GiB run).
func TestBigIngestThroughTheGUI(t *testing.T) {
	src := os.Getenv("CUSTODIA_BIG_GUI")
	if src == "" {
		t.Skip("set CUSTODIA_BIG_GUI=/path/to/image to run the large GUI ingest")
	}
	want := map[string]string{}
	for _, tool := range []string{"md5sum", "sha1sum", "sha256sum"} {
		out, err := exec.Command(tool, src).Output()
		if err != nil {
			t.Fatalf("%s: %v", tool, err)
		}
		want[tool] = strings.Fields(string(out))[0]
	}
	dir := t.TempDir()
	path, _ := makeCase(t, dir, "pass")
	u, v := openCaseUI(t, dir, path)
	test.Tap(v.add)
	f := u.addEvidence
	f.source.SetText(src)
	test.Tap(f.add)
	waitJobs(t, u)
	if err := u.LastError(); err != nil {
		t.Fatalf("ingest: %v", err)
	}
	if len(v.items) != 1 {
		t.Fatalf("%d items", len(v.items))
	}
	h := v.items[0].Meta.Hashes
	if h.MD5 != want["md5sum"] || h.SHA1 != want["sha1sum"] || h.SHA256 != want["sha256sum"] {
		t.Fatalf("hashes %+v, want %v", h, want)
	}
	test.Tap(v.verify)
	waitJobs(t, u)
	if vr := v.items[0].Verification; vr == nil || !vr.OK || vr.Hashes.SHA256 != want["sha256sum"] {
		t.Fatalf("verification %+v", vr)
	}
	v.allHashes.SetChecked(true)
	test.Tap(v.verify)
	waitJobs(t, u)
	if vr := v.items[0].Verification; vr == nil || !vr.OK || vr.Hashes != h {
		t.Fatalf("verification with all hashes %+v", vr)
	}
	// Extract through the form, and compare with the source byte for byte.
	test.Tap(v.extract)
	x := u.extract
	x.folder.SetText(dir)
	x.fileName.SetText("extracted.img")
	test.Tap(x.extract)
	waitJobs(t, u)
	if err := u.LastError(); err != nil {
		t.Fatalf("extract: %v", err)
	}
	if out, err := exec.Command("cmp", src, filepath.Join(dir, "extracted.img")).CombinedOutput(); err != nil {
		t.Fatalf("the extracted file differs from the source: %v %s", err, out)
	}
	t.Logf("%s (%d bytes) ingested through the GUI: md5 %s sha1 %s sha256 %s; verified (SHA-256, then all three); extracted byte-identical",
		filepath.Base(src), v.items[0].Meta.Size, h.MD5, h.SHA1, h.SHA256)
}
