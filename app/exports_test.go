package app

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/evidence"
	"github.com/custodia-dfir/custodia/evidence/export"
)

// caseWithItem makes a case in dir holding one ingested item.
func caseWithItem(t *testing.T, dir string, data []byte) (string, casefile.Evidence) {
	t.Helper()
	path, _ := makeCase(t, dir, "pass")
	c, err := casefile.Open(path, []byte("pass"), testOptions())
	if err != nil {
		t.Fatal(err)
	}
	evs, err := evidence.Ingest(context.Background(), c, writeTestFile(t, dir, "disk.raw", data), evidence.Options{Reason: "test"})
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	return path, evs[0]
}

// TestExportWizardAndReceive drives the Export wizard with the keyboard —
// a bad recipient is named under its field, Escape closes without
// exporting, Ctrl+Enter exports to a key pair Custodia creates — checks
// the result page shows the fingerprint and the recipient's commands and
// that the bundle verifies, then opens the bundle in another case:
// imported with the same hashes; a tampered copy is refused and nothing
// is written.
func TestExportWizardAndReceive(t *testing.T) {
	dir := t.TempDir()
	data := testBytes(300<<10, 7)
	path, ev := caseWithItem(t, dir, data)
	u, _ := openCaseUI(t, dir, path)
	v := viewOf[*exportsView](t, u, "Exports")
	if v.create.Disabled() {
		t.Fatalf("New export… is disabled: %s", v.create.whyNot())
	}

	test.Tap(v.create)
	w := v.wizard
	if w == nil {
		t.Fatal("New export… opened no wizard")
	}
	if u.win.Canvas().Focused() != fyne.Focusable(w.keys) {
		t.Fatal("the wizard does not start with the keyboard on the keys")
	}
	test.Type(w.keys, "age1notakey")
	ctrlEnter(t, u)
	if v.wizard != w || !strings.Contains(w.form.problemText("Encrypt to"), `Not an age recipient: "age1notakey"`) {
		t.Fatalf("a bad recipient: problem %q", w.form.problemText("Encrypt to"))
	}
	press(t, u, fyne.KeyEscape)
	if v.wizard != nil || v.lastExport != nil {
		t.Fatal("Escape did not close the wizard")
	}

	test.Tap(v.create)
	w = v.wizard
	key := filepath.Join(dir, "counsel-key.txt")
	w.kind.SetSelected(rcptNewKey)
	if !w.keys.Disabled() || w.newKey.Disabled() {
		t.Fatal("choosing a key pair does not switch the fields")
	}
	w.newKey.SetText(key)
	w.name.SetText("for-counsel")
	test.Type(w.reason, "for counsel")
	u.win.Canvas().Focus(w.reason)
	ctrlEnter(t, u)
	waitJobs(t, u)
	if err := u.LastError(); err != nil {
		t.Fatal(err)
	}
	res := v.lastExport
	if res == nil || u.notice == nil || u.notice.title != "Sealed export made" {
		t.Fatal("no result page")
	}
	texts := canvasTexts(u.win.Canvas())
	for _, want := range []string{res.SumsSHA256, res.SignerKey, "minisign -Vm SHA256SUMS -p signer.pub", "sha256sum -c --strict case/SHA256SUMS"} {
		if !strings.Contains(texts, want) {
			t.Errorf("the result page does not show %q", want)
		}
	}
	u.notice.dlg.Hide()
	ids, _ := export.IdentityFile(key)
	if vr, err := export.Verify(context.Background(), res.Path, export.VerifyOptions{Identities: ids}); err != nil || !vr.OK() {
		t.Fatal(err, vr.Problems)
	}
	if n := len(u.cv.oc.custody.entries); u.cv.oc.custody.entries[n-1].Action != export.ActionExportCreated {
		t.Fatal("the export is not the last custody entry on screen")
	}

	// The receiving side, in a case of its own.
	dir2 := t.TempDir()
	path2, _ := makeCase(t, dir2, "pass")
	u2, _ := openCaseUI(t, dir2, path2)
	v2 := viewOf[*exportsView](t, u2, "Exports")

	// A tampered copy: refused, nothing written.
	bad := filepath.Join(dir, "tampered")
	os.CopyFS(bad, os.DirFS(res.Path))
	os.WriteFile(filepath.Join(bad, export.FileReadme), []byte("changed"), 0o600)
	before := len(u2.cv.oc.custody.entries)
	test.Tap(v2.receive)
	r := v2.receiving
	test.Type(r.folder, bad)
	press(t, u2, fyne.KeyTab)
	test.Type(r.identity, key)
	press(t, u2, fyne.KeyReturn)
	waitJobs(t, u2)
	if u2.notice == nil || u2.notice.title != "The export does not verify" || len(u2.cv.oc.evidence.items) != 0 ||
		len(u2.cv.oc.custody.entries) != before {
		t.Fatalf("a tampered bundle: notice %v, %d items", u2.notice, len(u2.cv.oc.evidence.items))
	}
	if !strings.Contains(canvasTexts(u2.win.Canvas()), "README.txt: modified file") {
		t.Error("the problem is not named")
	}
	u2.notice.dlg.Hide()

	test.Tap(v2.receive)
	r = v2.receiving
	r.folder.SetText(res.Path)
	r.identity.SetText(key)
	r.signer.SetText(res.SignerKey)
	u2.win.Canvas().Focus(r.signer)
	press(t, u2, fyne.KeyReturn)
	waitJobs(t, u2)
	if im := v2.lastImport; im == nil || !im.Verification.OK() {
		t.Fatalf("import: %v", u2.LastError())
	}
	items := u2.cv.oc.evidence.items
	if len(items) != 1 || items[0].Meta.Hashes != ev.Meta.Hashes || u2.notice == nil || u2.notice.title != "Export imported" {
		t.Fatalf("import: %d items, notice %v", len(items), u2.notice)
	}
}
