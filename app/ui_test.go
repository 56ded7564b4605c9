package app

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/incident"
)

// created is the fixed time the test clock returns; whole seconds, so the
// dashboard's RFC 3339 text is exact.
var created = time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)

const createdText = "2026-03-14T09:26:53Z"

func testOptions() casefile.Options {
	return casefile.Options{KDF: casefile.TestKDF, Clock: func() time.Time { return created }}
}

// newTestUI builds the UI on a headless test app with cheap key derivation,
// a fixed clock and dir as the default folder for new cases.
func newTestUI(t *testing.T, dir string) *UI {
	t.Helper()
	a := test.NewTempApp(t)
	w := a.NewWindow("Custodia")
	w.Resize(fyne.NewSize(1100, 720))
	u := New(a, w, Config{CaseOptions: testOptions(), DefaultFolder: dir})
	u.copiedFor = -1
	t.Cleanup(func() {
		if err := u.Shutdown(); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		for _, open := range a.Driver().AllWindows() {
			if open == w {
				w.Close()
			}
		}
	})
	return u
}

// waitJobs waits until every background job has applied its result on the
// UI, failing the test after a deadline.
func waitJobs(t *testing.T, u *UI) {
	t.Helper()
	done := make(chan struct{})
	go func() { u.jobs.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Fatal("background job did not finish within a minute")
	}
}

// makeCase creates a closed case file in dir with the casefile package.
func makeCase(t *testing.T, dir, pass string) (string, casefile.Info) {
	t.Helper()
	path := filepath.Join(dir, "existing"+casefile.Extension)
	c, err := casefile.Create(path, []byte(pass), casefile.NewCase{
		Title: "Phishing wave at Contoso", CaseNumber: "IR-2026-0007", Examiner: "Sam Okafor",
	}, testOptions())
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	info := c.Info()
	if err := c.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	return path, info
}

// fillNewCase types a complete new case into the form.
func fillNewCase(f *newCaseForm, fileName, pass string) {
	test.Type(f.title, "Ransomware on finance file server")
	test.Type(f.number, "IR-2026-0042")
	test.Type(f.examiner, "Jane Doe")
	test.Type(f.description, "Files encrypted on FS01.")
	f.fileName.SetText(fileName)
	test.Type(f.passphrase, pass)
	test.Type(f.confirm, pass)
}

// viewOf shows the area called name and returns its view, failing the
// test when the area is not a T.
func viewOf[T areaView](t *testing.T, u *UI, name string) T {
	t.Helper()
	if err := u.SelectArea(name); err != nil {
		t.Fatal(err)
	}
	v := areaViewOf[T](u)
	var zero T
	if any(v) == any(zero) {
		t.Fatalf("the %s area is not built", name)
	}
	return v
}

// dashboard shows the dashboard and returns it.
func dashboard(t *testing.T, u *UI) *dashboardView {
	t.Helper()
	return viewOf[*dashboardView](t, u, "Dashboard")
}

// canvasTexts returns the text of every visible label, for asserting what a
// person would see.
func canvasTexts(c fyne.Canvas) string {
	var b strings.Builder
	objs := test.LaidOutObjects(c.Content())
	for _, o := range c.Overlays().List() {
		objs = append(objs, test.LaidOutObjects(o)...)
	}
	for _, o := range objs {
		if l, ok := o.(*widget.Label); ok && l.Visible() {
			b.WriteString(l.Text)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

func TestCreateCaseShowsDashboard(t *testing.T) {
	dir := t.TempDir()
	u := newTestUI(t, dir)
	if u.Screen() != ScreenStart {
		t.Fatalf("first screen = %q, want start", u.Screen())
	}
	test.Tap(u.start.newCase)
	if u.Screen() != ScreenNewCase {
		t.Fatalf("after New case: screen = %q", u.Screen())
	}
	f := u.form
	fillNewCase(f, "acme-ransomware", "correct horse battery staple")
	test.Type(f.reason, "Ticket SEC-4471: finance shares encrypted")
	if got := f.strength.Text; !strings.HasPrefix(got, "28 characters") {
		t.Errorf("strength hint = %q", got)
	}

	// Hold the job so the busy state can be observed.
	gate := make(chan struct{})
	u.jobGate = gate
	test.Tap(f.create)
	if !u.Busy() || !f.form.activity.Visible() || !strings.HasPrefix(f.form.status.Text, "Deriving the encryption key") ||
		!f.create.Disabled() || !f.title.Disabled() {
		t.Fatalf("the form shows no busy state while the case is created (busy=%v, status %q)", u.Busy(), f.form.status.Text)
	}
	close(gate)
	waitJobs(t, u)

	if err := u.LastError(); err != nil {
		t.Fatalf("create failed: %v", err)
	}
	if u.Screen() != ScreenCase || u.Area() != "Dashboard" {
		t.Fatalf("screen %q area %q, want the case dashboard", u.Screen(), u.Area())
	}
	path := filepath.Join(dir, "acme-ransomware"+casefile.Extension)
	if got := u.Case().Path(); got != path {
		t.Errorf("case path = %q, want %q (extension appended)", got, path)
	}
	d := dashboard(t, u)
	info := u.Case().Info()
	for _, c := range []struct{ name, got, want string }{
		{"title", d.title.Text, "Ransomware on finance file server"},
		{"number", d.number.Text, "IR-2026-0042"},
		{"examiner", d.examiner.Text, "Jane Doe"},
		{"created", d.created.Text, createdText},
		{"description", d.description.Text, "Files encrypted on FS01."},
		{"case UUID", d.caseUUID.Text, info.CaseUUID.String()},
		{"format", d.format.Text, strconv.Itoa(casefile.FormatVersion)},
		{"key slots", d.keySlots.Text, "1 (1 passphrase)"},
		{"file", d.path.Text, path},
		{"window title", u.win.Title(), "Ransomware on finance file server — Custodia"},
	} {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	if texts := canvasTexts(u.win.Canvas()); !strings.Contains(texts, createdText) || !strings.Contains(texts, "Jane Doe") {
		t.Errorf("dashboard does not render its facts; visible labels:\n%s", texts)
	}
	if got := u.recent.List(); len(got) != 1 || got[0] != path {
		t.Errorf("recent cases = %q, want [%q]", got, path)
	}
	if entries, err := u.Case().Entries(); err != nil || entries[0].Reason != "Ticket SEC-4471: finance shares encrypted" {
		t.Errorf("custody entry 1 reason: %v %+v", err, entries)
	}
	// The software painter renders the dashboard without trouble.
	if img := u.win.Canvas().Capture(); img.Bounds().Dx() == 0 {
		t.Error("dashboard captured as an empty image")
	}
}

func TestNewCaseValidation(t *testing.T) {
	dir := t.TempDir()
	u := newTestUI(t, dir)
	u.ShowNewCase()
	f := u.form
	f.fileName.SetText("x")
	test.Type(f.passphrase, "one passphrase")
	test.Type(f.confirm, "another")
	test.Tap(f.create)

	if u.Screen() != ScreenNewCase || u.Busy() {
		t.Fatalf("invalid form started creating: screen %q busy %v", u.Screen(), u.Busy())
	}
	for _, c := range []struct {
		name  string
		label *widget.Label
		want  string
	}{
		// casefile words the message; the form shows it as a sentence.
		{"title", f.titleProblem, sentence(strings.TrimPrefix(casefile.NewCase{Examiner: "e"}.Validate().Error(), "casefile: invalid input: ")) + "."},
		{"examiner", f.examinerProblem, sentence(strings.TrimPrefix(casefile.NewCase{Title: "t"}.Validate().Error(), "casefile: invalid input: ")) + "."},
		{"confirm", f.confirmProblem, "The passphrases differ: type the same passphrase in both fields."},
	} {
		if !c.label.Visible() || c.label.Text != c.want {
			t.Errorf("%s problem = %q (visible %v), want %q", c.name, c.label.Text, c.label.Visible(), c.want)
		}
	}
	if !strings.HasPrefix(f.titleProblem.Text, "Title is required") || !strings.HasPrefix(f.examinerProblem.Text, "Examiner is required") {
		t.Errorf("problems do not name their field: %q, %q", f.titleProblem.Text, f.examinerProblem.Text)
	}
	if f.numberProblem.Visible() || f.locationProblem.Visible() || f.passphraseProblem.Visible() {
		t.Error("a valid field shows a problem")
	}
	if _, err := os.Stat(filepath.Join(dir, "x"+casefile.Extension)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a case file was written for an invalid form: %v", err)
	}

	// Fixing a field clears its message at once.
	test.Type(f.title, "T")
	if f.titleProblem.Visible() {
		t.Errorf("title problem still shown after typing a title: %q", f.titleProblem.Text)
	}

	// An existing file is refused before any key derivation.
	if err := os.WriteFile(filepath.Join(dir, "taken"+casefile.Extension), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	f.fileName.SetText("taken")
	if !strings.HasPrefix(f.locationProblem.Text, "A file named taken.custodia already exists") {
		t.Errorf("location problem = %q", f.locationProblem.Text)
	}

	test.Tap(f.cancel)
	if u.Screen() != ScreenStart {
		t.Errorf("Cancel leads to %q, want start", u.Screen())
	}
}

func TestOpenWrongPassphraseThenRetry(t *testing.T) {
	dir := t.TempDir()
	path, info := makeCase(t, dir, "the right passphrase")
	u := newTestUI(t, dir)

	u.PromptOpen(path)
	waitJobs(t, u)
	p := u.prompt
	if p == nil {
		t.Fatal("no passphrase prompt")
	}
	test.Type(p.entry, "a wrong passphrase")
	test.Tap(p.unlock)
	waitJobs(t, u)

	if !errors.Is(u.LastError(), casefile.ErrWrongPassphrase) {
		t.Fatalf("last error = %v, want wrong passphrase", u.LastError())
	}
	if u.prompt != p || u.Screen() != ScreenStart {
		t.Fatal("the prompt closed after a wrong passphrase; it must stay for a retry")
	}
	if !p.problem.Visible() || !strings.HasPrefix(p.problem.Text, "Wrong passphrase.") {
		t.Errorf("prompt says %q (visible %v), want it to start with \"Wrong passphrase.\"", p.problem.Text, p.problem.Visible())
	}
	if p.entry.Disabled() || p.unlock.Disabled() || p.entry.Text != "" {
		t.Errorf("prompt not ready for a retry: entry disabled %v, unlock disabled %v, entry text %q",
			p.entry.Disabled(), p.unlock.Disabled(), p.entry.Text)
	}
	if u.alert != nil {
		t.Errorf("a wrong passphrase opened an error dialog %q; the prompt should say it", u.alert.title)
	}

	test.Type(p.entry, "the right passphrase")
	test.Tap(p.unlock)
	waitJobs(t, u)

	if u.Screen() != ScreenCase || u.prompt != nil {
		t.Fatalf("retry with the right passphrase: screen %q, prompt open %v", u.Screen(), u.prompt != nil)
	}
	if got := dashboard(t, u).title.Text; got != info.Title {
		t.Errorf("dashboard title = %q, want %q", got, info.Title)
	}
	if got := dashboard(t, u).created.Text; got != createdText {
		t.Errorf("dashboard created = %q, want %q", got, createdText)
	}
	if got := u.recent.List(); len(got) != 1 || got[0] != path {
		t.Errorf("recent cases = %q, want [%q]", got, path)
	}
}

func TestOpenShowsBusyState(t *testing.T) {
	dir := t.TempDir()
	path, _ := makeCase(t, dir, "pass")
	u := newTestUI(t, dir)
	u.PromptOpen(path)
	waitJobs(t, u)
	p := u.prompt
	gate := make(chan struct{})
	u.jobGate = gate
	test.Type(p.entry, "pass")
	test.Tap(p.unlock)
	if !p.activity.Visible() || !p.status.Visible() || !p.entry.Disabled() || !p.unlock.Disabled() || !p.cancel.Disabled() {
		t.Error("the prompt shows no busy state while the key is derived")
	}
	close(gate)
	waitJobs(t, u)
	if u.Screen() != ScreenCase {
		t.Fatalf("screen %q, want case", u.Screen())
	}
}

func TestOpenFailuresShowErrorDialogWithHint(t *testing.T) {
	dir := t.TempDir()
	notACase := filepath.Join(dir, "notes"+casefile.Extension)
	if err := os.WriteFile(notACase, []byte(strings.Repeat("not a case file\n", 300)), 0o600); err != nil {
		t.Fatal(err)
	}
	locked, _ := makeCase(t, t.TempDir(), "whatever")
	holder, err := casefile.Open(locked, []byte("whatever"), testOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	truncated, _ := makeCase(t, t.TempDir(), "whatever")
	fi, err := os.Stat(truncated)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(truncated, fi.Size()/2); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		path   string
		want   error
		prompt bool // the file passes casefile.Inspect: the passphrase is asked for first
	}{
		{"not a case", notACase, casefile.ErrNotACase, false},
		{"missing", filepath.Join(dir, "gone"+casefile.Extension), os.ErrNotExist, false},
		{"truncated", truncated, casefile.ErrTruncated, false},
		{"locked elsewhere", locked, casefile.ErrCaseLocked, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			u := newTestUI(t, dir)
			u.PromptOpen(c.path)
			waitJobs(t, u)
			if c.prompt {
				if u.prompt == nil {
					t.Fatal("no passphrase prompt for a file that is a case")
				}
				test.Type(u.prompt.entry, "whatever")
				test.Tap(u.prompt.unlock)
				waitJobs(t, u)
			} else if u.LastError() != nil && u.prompt != nil {
				t.Fatal("a file that is no case asked for a passphrase")
			}
			if !errors.Is(u.LastError(), c.want) {
				t.Fatalf("last error = %v, want %v", u.LastError(), c.want)
			}
			if u.prompt != nil {
				t.Error("the prompt stays open after a failure a retry cannot fix")
			}
			if u.alert == nil {
				t.Fatal("no error dialog")
			}
			if u.alert.hint == "" || u.alert.message == "" || strings.Contains(u.alert.message, "casefile:") ||
				strings.Contains(u.alert.message, c.path) {
				t.Errorf("dialog message %q hint %q", u.alert.message, u.alert.hint)
			}
			if h := casefile.Hint(c.want); h != "" && u.alert.hint != sentence(h)+"." {
				t.Errorf("hint = %q, want casefile's %q", u.alert.hint, h)
			}
			if texts := canvasTexts(u.win.Canvas()); !strings.Contains(texts, u.alert.hint) {
				t.Errorf("hint not on screen; visible labels:\n%s", texts)
			}
			if u.alert.details == "" || !strings.Contains(u.alert.details, c.path) {
				t.Errorf("Copy details holds %q, want the error's full text", u.alert.details)
			}
			if u.Screen() != ScreenStart {
				t.Errorf("screen %q, want start", u.Screen())
			}
		})
	}
}

// TestNotACaseSaysSoBeforeAskingPassphrase opens a file that is no case:
// the window says so, names what to do, and never shows the passphrase
// prompt.
func TestNotACaseSaysSoBeforeAskingPassphrase(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "report.custodia")
	if err := os.WriteFile(path, []byte("%PDF-1.7 not a case at all"), 0o600); err != nil {
		t.Fatal(err)
	}
	u := newTestUI(t, dir)
	u.PromptOpen(path)
	waitJobs(t, u)
	if u.prompt != nil || u.record != nil {
		t.Fatal("the passphrase was asked for a file that is no case")
	}
	if u.alert == nil || u.alert.message != "Not a Custodia case file: no SQLite header." ||
		u.alert.hint != sentence(casefile.Hint(casefile.ErrNotACase))+"." {
		t.Fatalf("dialog: %+v", u.alert)
	}
	// Enter closes the dialog, as its OK button has the keyboard.
	focused := u.win.Canvas().Focused()
	if focused == nil {
		t.Fatal("nothing has the keyboard in the error dialog")
	}
	focused.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if u.alert != nil {
		t.Error("Enter did not close the error dialog")
	}
}

func TestOpenWithPassphraseSkipsPrompt(t *testing.T) {
	dir := t.TempDir()
	path, _ := makeCase(t, dir, "pass")
	u := newTestUI(t, dir)
	pass := []byte("pass")
	u.OpenWithPassphrase(path, pass)
	waitJobs(t, u)
	if u.Screen() != ScreenCase || u.prompt != nil {
		t.Fatalf("screen %q, prompt %v", u.Screen(), u.prompt != nil)
	}
	if string(pass) == "pass" {
		t.Error("the passphrase bytes were not wiped")
	}
	u.CloseCase()
	waitJobs(t, u)

	// A wrong one leaves the prompt up, saying so.
	u2 := newTestUI(t, dir)
	u2.OpenWithPassphrase(path, []byte("nope"))
	waitJobs(t, u2)
	if u2.prompt == nil || !strings.HasPrefix(u2.prompt.problem.Text, "Wrong passphrase.") {
		t.Fatal("a wrong passphrase from a file does not leave the prompt open for the right one")
	}
}

func TestAreasSelectable(t *testing.T) {
	dir := t.TempDir()
	path, _ := makeCase(t, dir, "pass")
	u := newTestUI(t, dir)
	u.OpenWithPassphrase(path, []byte("pass"))
	waitJobs(t, u)

	want := []string{"Dashboard", "Evidence", "Files", "Timeline", "Incident", "Assessment", "Lifecycle", "Indicators", "Findings",
		"Response", "Post-mortem", "Notifications", "Reports", "Exports", "Custody", "Examiners"}
	if len(areaRegistry) != len(want) {
		t.Fatalf("%d areas, want %d", len(areaRegistry), len(want))
	}
	for i, name := range want {
		u.cv.sidebar.Select(i)
		if u.Area() != name {
			t.Fatalf("selected row %d, area = %q, want %q", i, u.Area(), name)
		}
		texts := canvasTexts(u.win.Canvas())
		if !strings.Contains(texts, name+"\n") {
			t.Errorf("%s: the area's heading is not on screen", name)
		}
		switch v := u.cv.view.(type) {
		case *evidenceView:
			if !strings.Contains(texts, "No evidence in this case yet.") {
				t.Errorf("empty evidence area does not say how to add evidence; visible labels:\n%s", texts)
			}
		case *findingsView:
			if !strings.Contains(texts, "No findings yet.") {
				t.Errorf("empty findings area does not say how to add a finding; visible labels:\n%s", texts)
			}
		case *lifecycleView:
			if got := v.stepper.State(incident.StageDetect); got != stepCurrent {
				t.Errorf("a new case's stepper shows Detect as %v, want current", got)
			}
			if !strings.Contains(texts, "In Detect since the case was created.") {
				t.Errorf("lifecycle area does not show the stage; visible labels:\n%s", texts)
			}
		case *notificationsView:
			if !strings.Contains(texts, "The track is not started: no clock runs yet.") {
				t.Errorf("a new case's Notifications area does not say the track is not started; visible labels:\n%s", texts)
			}
		case nil:
			t.Errorf("%s: no view", name)
		}
	}
	if err := u.SelectArea("Dashboard"); err != nil || u.Area() != "Dashboard" {
		t.Errorf("SelectArea(Dashboard): %v, area %q", err, u.Area())
	}
	if err := u.SelectArea("Nowhere"); err == nil {
		t.Error("SelectArea of an unknown area did not fail")
	}
}

func TestCloseCaseReturnsToStart(t *testing.T) {
	dir := t.TempDir()
	path, _ := makeCase(t, dir, "pass")
	u := newTestUI(t, dir)
	u.OpenWithPassphrase(path, []byte("pass"))
	waitJobs(t, u)
	test.Tap(u.cv.closeBtn)
	waitJobs(t, u)
	if u.Screen() != ScreenStart || u.Case() != nil || u.win.Title() != "Custodia" {
		t.Fatalf("after Close case: screen %q, case %v, title %q", u.Screen(), u.Case(), u.win.Title())
	}
	// The case was really closed: the lock is gone and it opens again.
	c, err := casefile.Open(path, []byte("pass"), testOptions())
	if err != nil {
		t.Fatalf("reopen after Close case: %v", err)
	}
	c.Close()
	if len(u.start.recent) != 1 || u.start.recent[0].path != path {
		t.Errorf("start screen lists %d recent cases, want the one just closed", len(u.start.recent))
	}
}

func TestClosingWindowClosesCase(t *testing.T) {
	dir := t.TempDir()
	path, _ := makeCase(t, dir, "pass")
	u := newTestUI(t, dir)
	u.OpenWithPassphrase(path, []byte("pass"))
	waitJobs(t, u)

	closed := false
	u.win.SetOnClosed(func() { closed = true })
	u.RequestClose() // what the window manager's close button does
	waitJobs(t, u)
	if !closed || u.Case() != nil {
		t.Fatalf("window closed %v, case still open %v", closed, u.Case() != nil)
	}
	c, err := casefile.Open(path, []byte("pass"), testOptions())
	if err != nil {
		t.Fatalf("reopen after closing the window: %v", err)
	}
	c.Close()
}

func TestClosingWindowWhileUnlockingWaits(t *testing.T) {
	dir := t.TempDir()
	path, _ := makeCase(t, dir, "pass")
	u := newTestUI(t, dir)
	closed := false
	u.win.SetOnClosed(func() { closed = true })
	gate := make(chan struct{})
	u.jobGate = gate
	u.OpenWithPassphrase(path, []byte("pass"))
	u.RequestClose()
	if closed {
		t.Fatal("window closed while the case was being unlocked")
	}
	close(gate)
	waitJobs(t, u)
	if !closed || u.Case() != nil {
		t.Fatalf("after unlocking: window closed %v, case open %v", closed, u.Case() != nil)
	}
}

func TestRecentCases(t *testing.T) {
	dir := t.TempDir()
	u := newTestUI(t, dir)
	existing, _ := makeCase(t, dir, "pass")
	missing := filepath.Join(dir, "moved-away"+casefile.Extension)

	for i := range 12 {
		u.recent.Add(filepath.Join(dir, "old", string(rune('a'+i))+casefile.Extension))
	}
	u.recent.Add(missing)
	u.recent.Add(existing)
	u.recent.Add(filepath.Join(dir, ".", "existing"+casefile.Extension)) // same file, other spelling
	got := u.recent.List()
	if len(got) != maxRecent {
		t.Fatalf("%d recent cases kept, want %d", len(got), maxRecent)
	}
	if got[0] != existing || got[1] != missing {
		t.Fatalf("recent list starts %q, want newest first without duplicates", got[:2])
	}

	u.ShowStart()
	rows := u.start.recent
	if len(rows) != maxRecent {
		t.Fatalf("start screen shows %d rows", len(rows))
	}
	if rows[0].missing || rows[0].open.Disabled() {
		t.Error("an existing case is shown as missing")
	}
	if !rows[1].missing || !rows[1].open.Disabled() {
		t.Error("a missing case is not shown as missing")
	}
	if texts := canvasTexts(u.win.Canvas()); !strings.Contains(texts, "Missing — not found at "+missing) {
		t.Errorf("missing file not marked on screen; visible labels:\n%s", texts)
	}

	test.Tap(rows[1].remove)
	if l := u.recent.List(); len(l) != maxRecent-1 || l[1] == missing {
		t.Errorf("after removing the missing case the list is %q", l)
	}
	if len(u.start.recent) != maxRecent-1 {
		t.Errorf("start screen not refreshed after removal: %d rows", len(u.start.recent))
	}

	test.Tap(u.start.recent[0].open)
	waitJobs(t, u)
	if u.prompt == nil || u.prompt.path != existing {
		t.Fatal("tapping a recent case does not ask for its passphrase")
	}
}
