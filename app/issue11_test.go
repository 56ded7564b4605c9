package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/evidence"
)

// press types key into what has the keyboard on u's window, as the
// keyboard would; nothing focused, the window's own handler gets it.
func press(t *testing.T, u *UI, key fyne.KeyName) {
	t.Helper()
	c := u.win.Canvas()
	if f := c.Focused(); f != nil {
		f.TypedKey(&fyne.KeyEvent{Name: key})
		return
	}
	if h := c.OnTypedKey(); h != nil {
		h(&fyne.KeyEvent{Name: key})
		return
	}
	t.Fatalf("nothing takes %s", key)
}

// ctrlEnter presses Ctrl+Enter in what has the keyboard.
func ctrlEnter(t *testing.T, u *UI) {
	t.Helper()
	f, ok := u.win.Canvas().Focused().(fyne.Shortcutable)
	if !ok {
		t.Fatal("nothing with the keyboard takes Ctrl+Enter")
	}
	f.TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyReturn, Modifier: fyne.KeyModifierControl})
}

// openIncident opens a new case at the Incident area.
func openIncident(t *testing.T) (*UI, *incidentView) {
	t.Helper()
	dir := t.TempDir()
	path, _ := makeCase(t, dir, "pass")
	u, _ := openCaseUI(t, dir, path)
	return u, viewOf[*incidentView](t, u, "Incident")
}

// TestFormKeyboard drives record forms with the keyboard alone: Tab moves
// on, also out of a multi-line field; Enter submits a one-line form and
// starts a new line in a multi-line field, where Ctrl+Enter submits;
// Escape cancels from any field and records nothing.
func TestFormKeyboard(t *testing.T) {
	u, p := openIncident(t)

	// A one-line form: the keyboard starts on its first field.
	test.Tap(p.linkIncident)
	f := openForm(t, u, "Link a related incident")
	number := f.fields["Case number"].(*formEntry)
	if u.win.Canvas().Focused() != number {
		t.Fatal("the form does not start with the keyboard on its first field")
	}
	test.Type(number, "IR-2026-0099")
	press(t, u, fyne.KeyTab)
	if u.win.Canvas().Focused() != fyne.Focusable(f.fields["Note"].(*formEntry)) {
		t.Fatalf("Tab moved the keyboard to %T, want the Note field", u.win.Canvas().Focused())
	}
	test.Type(f.fields["Note"].(*formEntry), "Same kit")
	press(t, u, fyne.KeyReturn)
	waitJobs(t, u)
	if u.record != nil {
		t.Fatalf("Enter in a one-line field did not save: %q", f.problem.Text)
	}
	if rel := u.cv.oc.incident.inc.Related; len(rel) != 1 || rel[0].CaseNumber != "IR-2026-0099" || rel[0].Note != "Same kit" {
		t.Fatalf("related incidents = %+v", rel)
	}

	// A multi-line form: Enter is a new line, Tab leaves the field,
	// Ctrl+Enter saves.
	test.Tap(p.editSummary)
	f = openForm(t, u, "Edit the summary")
	summary := f.fields["Summary"].(*formEntry)
	test.Type(summary, "First line")
	press(t, u, fyne.KeyReturn)
	test.Type(summary, "second line")
	if u.record != f || summary.Text != "First line\nsecond line" {
		t.Fatalf("Enter in a multi-line field: form open %v, text %q", u.record == f, summary.Text)
	}
	press(t, u, fyne.KeyTab)
	if u.win.Canvas().Focused() != fyne.Focusable(f.fields["Reason"].(*formEntry)) {
		t.Fatalf("Tab did not leave the multi-line field: the keyboard is on %T", u.win.Canvas().Focused())
	}
	if summary.Text != "First line\nsecond line" {
		t.Errorf("Tab was typed into the summary: %q", summary.Text)
	}
	// Shift+Tab goes back.
	reason := f.fields["Reason"].(*formEntry)
	reason.KeyDown(&fyne.KeyEvent{Name: desktop.KeyShiftLeft})
	press(t, u, fyne.KeyTab)
	reason.KeyUp(&fyne.KeyEvent{Name: desktop.KeyShiftLeft})
	if u.win.Canvas().Focused() != summary {
		t.Fatalf("Shift+Tab went to %T, want the summary", u.win.Canvas().Focused())
	}
	ctrlEnter(t, u)
	waitJobs(t, u)
	if u.record != nil || u.cv.oc.incident.inc.Summary != "First line\nsecond line" {
		t.Fatalf("Ctrl+Enter did not save: form open %v, summary %q", u.record != nil, u.cv.oc.incident.inc.Summary)
	}

	// Escape cancels, from a field or with nothing focused.
	entries := len(u.cv.oc.custody.entries)
	for _, unfocus := range []bool{false, true} {
		test.Tap(p.editNextSteps)
		f = openForm(t, u, "Edit the next steps")
		test.Type(f.fields["Next steps"].(*formEntry), "Image FS02")
		if unfocus {
			u.win.Canvas().Unfocus()
		}
		press(t, u, fyne.KeyEscape)
		if u.record != nil {
			t.Fatalf("Escape (nothing focused %v) did not close the form", unfocus)
		}
	}
	waitJobs(t, u)
	if got := len(u.cv.oc.custody.entries); got != entries || len(u.cv.oc.incident.inc.NextSteps) != 0 {
		t.Errorf("a cancelled form recorded something: %d entries, was %d", got, entries)
	}
}

// TestFormProblemsMoveNothing shows a problem under a required field and
// under a checked optional one: no field moves, and the dialog keeps its
// size, so nothing shifts under the pointer.
func TestFormProblemsMoveNothing(t *testing.T) {
	u, p := openIncident(t)
	test.Tap(p.setDetection)
	f := openForm(t, u, "Set the detection")
	positions := func() map[string]fyne.Position {
		relayout(f.inner) // as the next frame would: what moves, moves now
		out := map[string]fyne.Position{}
		for name, obj := range f.fields {
			out[name] = fyne.CurrentApp().Driver().AbsolutePositionForObject(obj)
		}
		return out
	}
	size := f.dlg.MinSize()
	before := positions()
	setField(t, f, "Detected at", "yesterday")
	test.Tap(f.save)
	if msg := f.problemText("Detected at"); !strings.Contains(msg, "is not a time") {
		t.Fatalf("no problem shown: %q", msg)
	}
	if after := positions(); !mapsEqual(before, after) {
		t.Errorf("fields moved when the problem appeared:\n before %v\n after  %v", before, after)
	}
	// Wider than its field, the message is cut there and whole in the band.
	if slot := f.problems["Detected at"]; !slot.cut || !strings.HasSuffix(slot.text.Text, "…") ||
		f.cutText.Text != "Detected at: "+f.problemText("Detected at") || !f.cutText.Visible() {
		t.Errorf("a long problem: cut %v, drawn %q, band %q", slot.cut, slot.text.Text, f.cutText.Text)
	}
	setField(t, f, "Detected at", "2026-03-14 08:10")
	if f.problemText("Detected at") != "" {
		t.Fatal("the problem stayed after the fix")
	}
	if after := positions(); !mapsEqual(before, after) {
		t.Errorf("fields moved when the problem went:\n before %v\n after  %v", before, after)
	}
	if got := f.dlg.MinSize(); got != size {
		t.Errorf("the dialog changed size from %v to %v on a validation", size, got)
	}
	f.close()

	// A required field: its slot is there before any problem.
	test.Tap(p.linkIncident)
	f = openForm(t, u, "Link a related incident")
	before = positions()
	test.Tap(f.save)
	if msg := f.problemText("Case number"); msg != "Type the case number of the related incident." {
		t.Fatalf("problem = %q", msg)
	}
	if after := positions(); !mapsEqual(before, after) {
		t.Errorf("fields moved under a required field's problem:\n before %v\n after  %v", before, after)
	}
}

func mapsEqual(a, b map[string]fyne.Position) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestDisabledButtonsSayWhy: a button that cannot act names why, in the
// status line under the pointer and under the button when tapped.
func TestDisabledButtonsSayWhy(t *testing.T) {
	u, p := openIncident(t)
	if !p.unlinkIncident.Disabled() || p.unlinkIncident.whyNot() != "choose a related incident in the table first." {
		t.Fatalf("Unlink… with nothing chosen: disabled %v, why %q", p.unlinkIncident.Disabled(), p.unlinkIncident.whyNot())
	}
	p.unlinkIncident.MouseIn(&desktop.MouseEvent{})
	if got := u.cv.status.Text; got != "Unlink… is not available: choose a related incident in the table first." {
		t.Errorf("status line = %q", got)
	}
	if !strings.Contains(canvasTexts(u.win.Canvas()), u.cv.status.Text) {
		t.Error("the status line is not on screen")
	}
	p.unlinkIncident.MouseOut()
	if u.cv.status.Text != "" {
		t.Errorf("status line after the pointer left = %q", u.cv.status.Text)
	}
	test.Tap(p.unlinkIncident)
	if u.record != nil {
		t.Fatal("a disabled button opened its form")
	}
	if p.unlinkIncident.tip == nil || !strings.Contains(canvasTexts(u.win.Canvas()), "choose a related incident in the table first.") {
		t.Error("tapping the disabled button does not say why")
	}

	// Enabled, it says nothing and acts.
	test.Tap(p.linkIncident)
	f := openForm(t, u, "Link a related incident")
	setField(t, f, "Case number", "IR-1")
	saveForm(t, u, f)
	p.related.chooseRow(0)
	if p.unlinkIncident.Disabled() || p.unlinkIncident.whyNot() != "" {
		t.Errorf("Unlink… with a row chosen: disabled %v, why %q", p.unlinkIncident.Disabled(), p.unlinkIncident.whyNot())
	}
	test.Tap(p.unlinkIncident)
	openForm(t, u, "Unlink IR-1")
}

// TestErrorsShowMessageHintAndDetails: an error dialog says what happened
// for a person (never a library's or SQLite's text), what to do, and Copy
// details puts the full text on the clipboard for a bug report.
func TestErrorsShowMessageHintAndDetails(t *testing.T) {
	internal := fmt.Errorf("read incident: %w", errors.New(`SQL logic error: no such column: "sealed_body" (1)`))
	if got := userMessage(internal); got != "Custodia could not complete this because of an internal error." {
		t.Errorf("an internal error reads %q", got)
	}
	if got := hint(internal); !strings.Contains(got, "Copy details") {
		t.Errorf("an internal error's hint = %q", got)
	}
	u := newTestUI(t, t.TempDir())
	u.showError("The incident record could not be read", internal, nil)
	texts := canvasTexts(u.win.Canvas())
	if strings.Contains(texts, "SQL") || strings.Contains(texts, "sealed_body") {
		t.Errorf("SQL text on screen:\n%s", texts)
	}
	if !strings.Contains(texts, "Custodia could not complete this because of an internal error.") || !strings.Contains(texts, "What to do") {
		t.Errorf("dialog texts:\n%s", texts)
	}
	tapButton(t, u.win.Canvas(), "Copy details")
	if got := u.app.Clipboard().Content(); got != internal.Error() {
		t.Errorf("Copy details put %q on the clipboard", got)
	}
	press(t, u, fyne.KeyEscape)
	if u.alert != nil {
		t.Error("Escape did not close the error dialog")
	}

	// A refusal of the core reads as the core words it, with its hint.
	err := fmt.Errorf("open case x: %w", casefile.ErrCaseLocked)
	if got := userMessage(err); got != "Case is open elsewhere." {
		t.Errorf("userMessage = %q", got)
	}
	if got := hint(err); got != sentence(casefile.Hint(casefile.ErrCaseLocked))+"." {
		t.Errorf("hint = %q", got)
	}
}

// TestWithdrawAndReinstateEvidence withdraws an item with its reason: it
// stays listed with the Withdrawn badge, its details say by whom and why,
// the custody record has the entry, and Reinstate… undoes it, again with a
// reason.
func TestWithdrawAndReinstateEvidence(t *testing.T) {
	dir := t.TempDir()
	path, _ := makeCase(t, dir, "pass")
	ingestClosed(t, path, "ws042.lime", testBytes(50_000, 5))
	u, v := openCaseUI(t, dir, path)
	if got := cellText(v.table, 0, 1); got != "In force" {
		t.Fatalf("status cell = %q", got)
	}
	if !v.withdraw.Visible() || v.reinstate.Visible() {
		t.Fatal("an item in force offers Reinstate…")
	}
	test.Tap(v.withdraw)
	f := openForm(t, u, "Withdraw ws042.lime")
	press(t, u, fyne.KeyReturn) // a new line in the reason
	ctrlEnter(t, u)
	if msg := f.problemText("Reason"); msg != "Give the reason: an item is withdrawn only with one." || u.record != f {
		t.Fatalf("a withdrawal without a reason: problem %q", msg)
	}
	setField(t, f, "Reason", "Acquired from the wrong host")
	saveForm(t, u, f)

	ev := v.Selected()
	if ev == nil || ev.InForce() || ev.Withdrawal.Reason != "Acquired from the wrong host" {
		t.Fatalf("item after withdrawing: %+v", ev)
	}
	if got := cellText(v.table, 0, 1); got != "Withdrawn" {
		t.Errorf("status cell = %q, want the Withdrawn badge", got)
	}
	if v.count.Text != "1 item · 48.8 KiB · 1 withdrawn" {
		t.Errorf("count = %q", v.count.Text)
	}
	d := v.details
	if !d.withdrawal.Visible() || !strings.HasPrefix(d.withdrawalText.Text, "Sam Okafor (Forensic Engineer), "+createdText+": Acquired from the wrong host. It stays sealed") {
		t.Errorf("withdrawal banner (visible %v): %q", d.withdrawal.Visible(), d.withdrawalText.Text)
	}
	if v.withdraw.Visible() || !v.reinstate.Visible() {
		t.Error("a withdrawn item does not offer Reinstate…")
	}
	test.Tap(v.reinstate)
	f = openForm(t, u, "Reinstate ws042.lime")
	setField(t, f, "Reason", "The host was right after all: see SEC-4471")
	saveForm(t, u, f)
	if ev := v.Selected(); ev == nil || !ev.InForce() || d.withdrawal.Visible() || cellText(v.table, 0, 1) != "In force" {
		t.Fatalf("after reinstating: %+v", ev)
	}
	entries, _ := u.Case().Entries()
	var got []string
	for _, e := range entries {
		if e.Action == casefile.ActionEvidenceWithdrawn || e.Action == casefile.ActionEvidenceReinstated {
			got = append(got, string(e.Action)+": "+e.Reason)
		}
	}
	want := []string{"evidence.withdrawn: Acquired from the wrong host", "evidence.reinstated: The host was right after all: see SEC-4471"}
	if !slices.Equal(got, want) {
		t.Errorf("custody entries %q, want %q", got, want)
	}
}

// waitFor polls cond under the UI lock until it holds.
func waitFor(t *testing.T, u *UI, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		ok := false
		act(u, func() { ok = cond() })
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not happen within a minute", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestIngestAsksAboutDuplicates adds a file whose bytes are already in the
// case: the ingest stops to ask, naming the item that holds them; Drop
// (Escape) keeps nothing, Keep needs a reason and records the copy as a
// duplicate with a warning.
func TestIngestAsksAboutDuplicates(t *testing.T) {
	dir := t.TempDir()
	path, _ := makeCase(t, dir, "pass")
	first := ingestClosed(t, path, "usb.raw", testBytes(60_000, 8))
	again := writeTestFile(t, t.TempDir(), "usb-again.raw", testBytes(60_000, 8))
	u, v := openCaseUI(t, dir, path)

	addAgain := func() *duplicateForm {
		t.Helper()
		test.Tap(v.add)
		u.addEvidence.source.SetText(again)
		test.Tap(u.addEvidence.add)
		var d *duplicateForm
		waitFor(t, u, "the duplicate question", func() bool { d = u.duplicate; return d != nil })
		return d
	}
	d := addAgain()
	var intro string
	act(u, func() { intro = d.form.intro.Text })
	for _, want := range []string{"usb-again.raw has the SHA-256 of an item already in the case:", "• usb.raw — item " + first.ID.String(),
		"ingested " + createdText + " by Sam Okafor"} {
		if !strings.Contains(intro, want) {
			t.Errorf("the question %q lacks %q", intro, want)
		}
	}
	act(u, func() { d.reason.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape}) }) // Drop
	waitJobs(t, u)
	if len(v.items) != 1 {
		t.Fatalf("a dropped duplicate was kept: %d items", len(v.items))
	}
	if u.notice == nil || u.notice.title != "No evidence added" || !strings.HasPrefix(u.notice.message, "No item was added.") ||
		!strings.Contains(u.notice.message, "• usb-again.raw — dropped") {
		t.Fatalf("notice after dropping = %+v", u.notice)
	}
	act(u, func() { u.notice.dlg.Hide() })

	d = addAgain()
	act(u, func() { test.Tap(d.keep) })
	var problem string
	act(u, func() { problem = d.form.problemText("Reason") })
	if problem != "Give the reason the copy is kept: it is recorded with the item." {
		t.Fatalf("Keep without a reason: problem %q", problem)
	}
	act(u, func() {
		d.reason.SetText("Acquired again from the original stick for the court copy")
		test.Tap(d.keep)
	})
	waitJobs(t, u)
	if len(v.items) != 2 {
		t.Fatalf("a kept duplicate is not listed: %d items (error %v)", len(v.items), u.LastError())
	}
	kept := v.items[1]
	if kept.Meta.Duplicate == nil || !slices.Contains(kept.Meta.Duplicate.Of, first.ID) ||
		kept.Meta.Duplicate.Reason != "Acquired again from the original stick for the court copy" {
		t.Errorf("kept item's duplicate record = %+v", kept.Meta.Duplicate)
	}
	if u.notice == nil || u.notice.title != "Evidence added with warnings" ||
		!strings.Contains(u.notice.message, "• usb-again.raw — kept as a duplicate: Acquired again from the original stick for the court copy") {
		t.Fatalf("notice after keeping = %+v", u.notice)
	}
}

// TestFolderIngestListsSkippedEntries adds a folder holding a symbolic
// link and a named pipe besides a log: the log is an item, and the dialog
// and the custody record list the other two with what they are.
func TestFolderIngestListsSkippedEntries(t *testing.T) {
	dir := t.TempDir()
	path, _ := makeCase(t, dir, "pass")
	u, v := openCaseUI(t, dir, path)
	logs := filepath.Join(t.TempDir(), "logs")
	os.Mkdir(logs, 0o755)
	writeTestFile(t, logs, "auth.log", []byte("Mar  9 22:14:01 gw sshd[1]: Failed password for root\n"))
	if err := os.Symlink("/etc/hostname", filepath.Join(logs, "hostname")); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(logs, "pipe"), 0o600); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
	test.Tap(v.add)
	u.addEvidence.source.SetText(logs)
	test.Tap(u.addEvidence.add)
	waitJobs(t, u)
	if err := u.LastError(); err != nil {
		t.Fatal(err)
	}
	if len(v.items) != 1 || v.items[0].Meta.Name != "logs/auth.log" {
		t.Fatalf("items = %d (%q)", len(v.items), v.items[0].Meta.Name)
	}
	if u.notice == nil {
		t.Fatal("no dialog lists the skipped entries")
	}
	for _, want := range []string{"2 entries of the folder were not read", "• " + filepath.Join(logs, "hostname") + " — symbolic link",
		"(→ /etc/hostname)", "• " + filepath.Join(logs, "pipe") + " — named pipe"} {
		if !strings.Contains(u.notice.message, want) {
			t.Errorf("dialog %q lacks %q", u.notice.message, want)
		}
	}
	entries, _ := u.Case().Entries()
	if !slices.ContainsFunc(entries, func(e casefile.CustodyEntry) bool { return e.Action == casefile.ActionIngestSkipped }) {
		t.Error("the custody record does not list the skipped entries")
	}
}

// TestVerifyAllShowsTheWholeJob holds Verify all on its second item: the
// dialog shows that item and, for the whole job, which item of how many,
// the bytes of all and the time left.
func TestVerifyAllShowsTheWholeJob(t *testing.T) {
	dir := t.TempDir()
	path, _ := makeCase(t, dir, "pass")
	for i, name := range []string{"a.raw", "b.raw", "c.raw"} {
		ingestClosed(t, path, name, testBytes(3<<20, uint64(30+i)))
	}
	u, v := openCaseUI(t, dir, path)
	held, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	u.progressHook = func(ctx context.Context, s evidence.Status) {
		if s.Index == 3 {
			once.Do(func() { close(held); <-release })
		}
	}
	test.Tap(v.verifyAll)
	select {
	case <-held:
	case <-time.After(time.Minute):
		t.Fatal("Verify all did not reach the second item")
	}
	var item, job string
	var shown bool
	act(u, func() {
		p := u.progress
		item, job, shown = p.item.Text, p.jobAmount.Text, p.job.Visible()
	})
	close(release)
	waitJobs(t, u)
	if item != "2 of 3 · b.raw" {
		t.Errorf("item line = %q", item)
	}
	if !shown || !strings.HasPrefix(job, "item 2 of 3 · ") || !strings.Contains(job, " of 9.0 MiB") || !strings.HasSuffix(job, " left") {
		t.Errorf("whole-job line (shown %v) = %q, want item 2 of 3, bytes of 9.0 MiB and the time left", shown, job)
	}
	if u.notice == nil || u.notice.title != "Evidence verified" {
		t.Errorf("after Verify all: %+v (error %v)", u.notice, u.LastError())
	}
}

// TestTableCellReadableWhole: a cell cut short in its column opens whole
// in a popup (Enter on the cell the keyboard is on), with Copy cell and
// Copy row; Ctrl+C copies the cell.
func TestTableCellReadableWhole(t *testing.T) {
	u, p := openIncident(t)
	note := strings.Repeat("The same phishing kit, the same TOR exits. ", 8)
	test.Tap(p.linkIncident)
	f := openForm(t, u, "Link a related incident")
	setField(t, f, "Case number", "IR-2026-0099")
	setField(t, f, "Note", note)
	saveForm(t, u, f)
	tbl := p.related
	if got := cellText(tbl, 0, 1); got != strings.TrimSpace(note) {
		t.Fatalf("note cell = %q", got)
	}
	tbl.table.Select(widget.TableCellID{Row: 0, Col: 1})
	tbl.table.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if tbl.popup == nil || !tbl.popup.Visible() {
		t.Fatal("Enter on a cell opens no popup")
	}
	if texts := canvasTexts(u.win.Canvas()); !strings.Contains(texts, strings.TrimSpace(note)) {
		t.Errorf("the whole note is not in the popup:\n%s", texts)
	}
	tapButton(t, u.win.Canvas(), "Copy row")
	if got := u.app.Clipboard().Content(); got != "IR-2026-0099\t"+strings.TrimSpace(note) {
		t.Errorf("Copy row = %q", got)
	}
	tbl.table.TypedShortcut(&fyne.ShortcutCopy{})
	if got := u.app.Clipboard().Content(); got != strings.TrimSpace(note) {
		t.Errorf("Ctrl+C = %q", got)
	}
}

// TestPassphrasePromptKeyboard: the prompt starts on the passphrase, Enter
// with nothing typed says what is missing, Enter with the passphrase
// unlocks, and Escape cancels without opening anything.
func TestPassphrasePromptKeyboard(t *testing.T) {
	dir := t.TempDir()
	path, _ := makeCase(t, dir, "pass")
	u := newTestUI(t, dir)
	u.PromptOpen(path)
	waitJobs(t, u)
	p := u.prompt
	if p == nil || u.win.Canvas().Focused() != fyne.Focusable(p.entry) {
		t.Fatal("the prompt does not start on the passphrase")
	}
	press(t, u, fyne.KeyReturn)
	if msg := p.form.problemText("Passphrase"); msg != "Enter the passphrase." || u.Busy() {
		t.Fatalf("Enter with no passphrase: problem %q, busy %v", msg, u.Busy())
	}
	press(t, u, fyne.KeyEscape)
	if u.prompt != nil || u.Screen() != ScreenStart {
		t.Fatal("Escape did not cancel the prompt")
	}
	u.PromptOpen(path)
	waitJobs(t, u)
	test.Type(u.prompt.entry, "pass")
	press(t, u, fyne.KeyReturn)
	waitJobs(t, u)
	if u.Screen() != ScreenCase {
		t.Fatalf("Enter with the passphrase did not open the case: %v", u.LastError())
	}
}
