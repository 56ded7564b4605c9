package app

import (
	"image/png"
	"net/mail"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/notify"
)

// The passphrases of the examiners of makeNotifyCase.
const (
	simPass   = "maltese falcon" // Sam Spade, Security Incident Manager (the creator)
	eimPass   = "corner office"  // Eve Exec, Executive Incident Manager
	cmPass    = "press release"  // Cora Comms, Communications Manager
	laPass    = "habeas corpus"  // Lee Legal, Legal Advisor
	fePass    = "bits and bytes" // Fern Forensic, Forensic Engineer
	customers = "id,name,admin_contacts,jurisdiction,data_categories,data_subjects\n" +
		"C-1001,Acme GmbH,it-admin@acme.example;ciso@acme.example,DE,contact data;payment data,1200\n" +
		"C-1002,\"Globex, Inc.\",secops@globex.example,US-CA,health records,640\n"
)

// makeNotifyCase creates a closed case with the team of the notification
// track, one examiner per role.
func makeNotifyCase(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "nightfall"+casefile.Extension)
	c, err := casefile.Create(path, []byte(simPass), casefile.NewCase{Title: "Operation Nightfall", CaseNumber: "IR-2026-0042",
		Examiner: "Sam Spade", ExaminerRoles: []casefile.Role{casefile.RoleSecurityIncidentManager}}, testOptions())
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	for _, e := range []struct {
		name, pass string
		role       casefile.Role
	}{{"Eve Exec", eimPass, casefile.RoleExecutiveIncidentManager}, {"Cora Comms", cmPass, casefile.RoleCommunicationsManager},
		{"Lee Legal", laPass, casefile.RoleLegalAdvisor}, {"Fern Forensic", fePass, casefile.RoleForensicEngineer}} {
		if _, err := c.AddExaminer(casefile.NewExaminer{Name: e.name, Roles: []casefile.Role{e.role}}, []byte(e.pass), "the team"); err != nil {
			t.Fatalf("AddExaminer %s: %v", e.name, err)
		}
	}
	if err := c.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	return path
}

// testClock is a clock a test moves.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// newNotifyUI is newTestUI with clk as the case's and the GUI's clock.
func newNotifyUI(t *testing.T, dir string, clk *testClock) *UI {
	t.Helper()
	a := test.NewTempApp(t)
	w := a.NewWindow("Custodia")
	w.Resize(fyne.NewSize(1280, 900))
	u := New(a, w, Config{CaseOptions: casefile.Options{KDF: casefile.TestKDF, Clock: clk.now}, DefaultFolder: dir})
	u.copiedFor = -1
	t.Cleanup(func() {
		if err := u.Shutdown(); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		w.Close()
	})
	return u
}

// openAs closes the case on screen, if any, opens path as the examiner
// whose passphrase pass is, and shows the Notifications area.
func openAs(t *testing.T, u *UI, path, pass string) *notificationsView {
	t.Helper()
	if u.cv != nil {
		u.CloseCase()
		waitJobs(t, u)
	}
	u.OpenWithPassphrase(path, []byte(pass))
	waitJobs(t, u)
	if u.Screen() != ScreenCase {
		t.Fatalf("open with %q: %v", pass, u.LastError())
	}
	return viewOf[*notificationsView](t, u, "Notifications")
}

// fillAndSave opens the form of button b, fills fields and saves it.
func fillAndSave(t *testing.T, u *UI, b *actionButton, title string, fields map[string]any) {
	t.Helper()
	if b.Disabled() {
		t.Fatalf("%s is disabled: %s", b.Text, b.reason)
	}
	test.Tap(b)
	f := openForm(t, u, title)
	for name, value := range fields {
		setField(t, f, name, value)
	}
	saveForm(t, u, f)
}

// clockRow returns the clocks table's row of regime/obligation, or fails.
func clockRow(t *testing.T, v *notificationsView, key string) []string {
	t.Helper()
	r := v.clockSrc.rowOf(key)
	if r < 0 {
		t.Fatalf("no clock %s; clocks %q", key, tableRows(v.clocks))
	}
	return strings.Split(tableRows(v.clocks)[r], "|")
}

// clockImportance is the colour of a clock's time left.
func clockImportance(v *notificationsView, key string) widget.Importance {
	return v.clockSrc.rows(v.clockSrc.rowOf(key), v.clockSrc.rowOf(key)+1)[0].cells[2].imp
}

// startTrack starts the track as Sam, records the corrected awareness and
// chooses the regimes, through the GUI.
func startTrack(t *testing.T, u *UI, path string, regimes []string) *notificationsView {
	t.Helper()
	v := openAs(t, u, path, simPass)
	fillAndSave(t, u, v.start, "Start the notification track", map[string]any{
		"Aware since": "2026-03-13T09:00:00Z", "Reason": "a customer reported a phishing mail quoting their contract"})
	fillAndSave(t, u, v.trigger, "Record a trigger decision", map[string]any{
		"Decision": triggerTitles[notify.TriggerAwareness], "Taken at": "2026-03-13 10:00", "Reason": "the call log shows 10:00"})
	fillAndSave(t, u, v.regimes, "Choose the applicable regimes", map[string]any{"Regimes": regimes, "Reason": "EU customers"})
	return v
}

// dismissNotice closes the result dialog on screen, if any.
func dismissNotice(u *UI) {
	if u.notice != nil {
		u.notice.dlg.Hide()
	}
}

func regimeLabel(id string) string { return id + " — " + regimeName(id) }

// TestNotificationsDeclare: a forensic engineer sees Declare disabled,
// naming the Executive Incident Manager, and a tap records nothing; the
// executive incident manager declares and the area shows it.
func TestNotificationsDeclare(t *testing.T) {
	dir := t.TempDir()
	path := makeNotifyCase(t, dir)
	u := newNotifyUI(t, dir, &testClock{t: created})

	v := openAs(t, u, path, fePass)
	const want = "only the Executive Incident Manager may declare a security breach, or that none is declared; " +
		"you hold Forensic Engineer (a security incident manager assigns roles in Examiners)."
	for _, b := range []*actionButton{v.declare, v.noBreach} {
		if !b.Disabled() || b.reason != want {
			t.Errorf("%s for a forensic engineer: disabled %v, %q; want %q", b.Text, b.Disabled(), b.reason, want)
		}
		test.Tap(b)
	}
	if u.record != nil {
		t.Fatalf("a tap on a disabled Declare opened %q", u.record.title)
	}

	startTrack(t, u, path, []string{regimeLabel("gdpr")})
	v = openAs(t, u, path, eimPass)
	if v.steps[3].count.Text != "pending" {
		t.Errorf("declaration step before declaring: %q", v.steps[3].count.Text)
	}
	fillAndSave(t, u, v.declare, "Declare a security breach", map[string]any{"Rationale": "records of two tenants left the network"})
	v = areaViewOf[*notificationsView](u)
	wantDecl := "Breach declared — Eve Exec (Executive Incident Manager), " + createdText + "\nrecords of two tenants left the network"
	if v.declaration.Text != wantDecl {
		t.Errorf("declaration shows %q, want %q", v.declaration.Text, wantDecl)
	}
	if v.steps[3].count.Text != "declared" || v.steps[3].state.Text != "by Eve Exec, "+createdText {
		t.Errorf("declaration step: %q, %q", v.steps[3].count.Text, v.steps[3].state.Text)
	}
	last := u.cv.oc.custody.entries[len(u.cv.oc.custody.entries)-1]
	if last.Action != notify.ActionBreachDeclared || last.Actor != "Eve Exec" {
		t.Errorf("last ledger entry: %s by %s", last.Action, last.Actor)
	}
}

// TestNotificationsClocks: starting the track and recording a trigger
// makes the clocks table show GDPR's 72 hours from awareness, in UTC and
// in Brussels; the time left counts down on the clock, turns to a warning
// under 24 h and to overdue in red.
func TestNotificationsClocks(t *testing.T) {
	dir := t.TempDir()
	path := makeNotifyCase(t, dir)
	clk := &testClock{t: created}
	u := newNotifyUI(t, dir, clk)

	v := openAs(t, u, path, simPass)
	if got := v.asOf.Text; !strings.Contains(got, "The track is not started") {
		t.Errorf("before the start the clocks say %q", got)
	}
	if v.trigger.Disabled() == false || !strings.HasPrefix(v.trigger.reason, "the notification track is not started") {
		t.Errorf("Record trigger before the start: disabled %v, %q", v.trigger.Disabled(), v.trigger.reason)
	}
	v = startTrack(t, u, path, []string{regimeLabel("gdpr")})
	v = areaViewOf[*notificationsView](u)
	row := clockRow(t, v, "gdpr/authority")
	want := []string{"EU GDPR", "Notify the supervisory authority", "2 d 0 h left", "2026-03-16T10:00:00Z",
		"Mon 2026-03-16 11:00:00 +01:00 Europe/Brussels", "awareness 2026-03-13T10:00:00Z"}
	if strings.Join(row, "|") != strings.Join(want, "|") {
		t.Errorf("GDPR clock\n got %q\nwant %q", row, want)
	}
	if imp := clockImportance(v, "gdpr/authority"); imp != widget.MediumImportance {
		t.Errorf("2 days left is coloured %v", imp)
	}
	if !v.start.Disabled() || !strings.HasPrefix(v.start.reason, "the track was started on "+createdText+" by Sam Spade") {
		t.Errorf("Start after the start: %v %q", v.start.Disabled(), v.start.reason)
	}

	clk.set(time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC))
	v.tick()
	if got := clockRow(t, v, "gdpr/authority")[2]; got != "22 h 0 min left" {
		t.Errorf("22 hours before: %q", got)
	}
	if imp := clockImportance(v, "gdpr/authority"); imp != widget.WarningImportance {
		t.Errorf("under 24 h left is coloured %v, want warning", imp)
	}
	clk.set(time.Date(2026, 3, 16, 13, 0, 0, 0, time.UTC))
	v.tick()
	if got := clockRow(t, v, "gdpr/authority")[2]; got != "overdue by 3 h 0 min" {
		t.Errorf("3 hours after: %q", got)
	}
	if imp := clockImportance(v, "gdpr/authority"); imp != widget.DangerImportance {
		t.Errorf("overdue is coloured %v, want danger", imp)
	}
	if v.asOf.Text != "As of 2026-03-16T13:00:00Z; the time left counts down every minute." {
		t.Errorf("as of: %q", v.asOf.Text)
	}
}

// TestNotificationsPausedClock: a law-enforcement delay pauses the SEC's
// clock, shown with its end and agency, and never GDPR's.
func TestNotificationsPausedClock(t *testing.T) {
	dir := t.TempDir()
	path := makeNotifyCase(t, dir)
	u := newNotifyUI(t, dir, &testClock{t: created})
	v := startTrack(t, u, path, []string{regimeLabel("gdpr"), regimeLabel("sec-8k")})
	fillAndSave(t, u, v.trigger, "Record a trigger decision", map[string]any{
		"Decision": triggerTitles[notify.TriggerMateriality], "Taken at": "2026-03-14T08:00:00Z", "Reason": "disclosure committee"})
	fillAndSave(t, u, v.delay, "Record a law-enforcement delay", map[string]any{"Agency": "FBI Cyber Division", "Reference": "CY-2026-118",
		"From": "2026-03-14T08:30:00Z", "Until": "2026-03-30T00:00:00Z", "Reason": "written request"})
	v = areaViewOf[*notificationsView](u)
	if got := clockRow(t, v, "sec-8k/item-1.05")[2]; got != "paused until 2026-03-30T00:00:00Z (law enforcement: FBI Cyber Division)" {
		t.Errorf("SEC clock: %q", got)
	}
	if imp := clockImportance(v, "sec-8k/item-1.05"); imp != widget.HighImportance {
		t.Errorf("a paused clock is coloured %v", imp)
	}
	if got := clockRow(t, v, "gdpr/authority")[2]; got != "2 d 0 h left" {
		t.Errorf("GDPR is never paused: %q", got)
	}
}

// completeBody fills every placeholder section of a drafted body.
func completeBody(body string) string {
	return regexp.MustCompile(`\[to be completed: [^\]]*\]`).ReplaceAllString(body, "Written by counsel.")
}

// TestNotificationsNoticeFourEyesExport walks a notice from import to
// sent: the customers imported from CSV, a GDPR notice drafted with its
// checklist flagging the missing items and a preview of its .eml; its
// author cannot approve it (disabled, saying why) while another examiner
// can; the export writes .eml files that parse; sent with its obligation,
// the GDPR clock is met.
func TestNotificationsNoticeFourEyesExport(t *testing.T) {
	dir := t.TempDir()
	path := makeNotifyCase(t, dir)
	u := newNotifyUI(t, dir, &testClock{t: created})
	startTrack(t, u, path, []string{regimeLabel("gdpr")})

	csv := filepath.Join(dir, "customers.csv")
	if err := os.WriteFile(csv, []byte(customers), 0o600); err != nil {
		t.Fatal(err)
	}
	v := openAs(t, u, path, cmPass)
	fillAndSave(t, u, v.importCustomers, "Import customers", map[string]any{"File": csv, "Reason": "CRM export"})
	if u.notice == nil || !strings.HasPrefix(u.notice.message, "2 customers imported (file SHA-256 ") {
		t.Fatalf("after the import: %+v", u.notice)
	}
	dismissNotice(u)
	v = areaViewOf[*notificationsView](u)
	rows := tableRows(v.customers)
	if len(rows) != 2 || rows[0] != "C-1001|Acme GmbH|DE|1200|contact data, payment data|it-admin@acme.example, ciso@acme.example" {
		t.Fatalf("customers: %q", rows)
	}
	if v.steps[0].count.Text != "2 customers" {
		t.Errorf("scope step: %q", v.steps[0].count.Text)
	}
	fillAndSave(t, u, v.newNotice, "New notice", map[string]any{"Audience": "customer", "Regime": "gdpr", "Customer": "C-1001",
		"From": "incident-response@nightfall.example"})
	n := v.chosenNotice()
	if n == nil {
		t.Fatal("the drafted notice is not chosen")
	}
	if !strings.Contains(v.checklist.Text, "✓ GDPR Art. 33(3)(a) — Nature of the personal data breach") ||
		!strings.Contains(v.checklist.Text, "✗ MISSING GDPR Art. 33(3)(b) — Contact point") ||
		!strings.Contains(v.checklist.Text, "3 items missing") {
		t.Errorf("checklist:\n%s", v.checklist.Text)
	}
	for _, w := range []string{"From: <incident-response@nightfall.example>", "To: <it-admin@acme.example>",
		"Subject: Security incident notification: Operation Nightfall (IR-2026-0042)", "== Nature of the personal data breach =="} {
		if !strings.Contains(v.preview.Text, w) {
			t.Errorf("preview lacks %q:\n%s", w, v.preview.Text)
		}
	}

	// Lee completes it in the editor: the checklist follows the body.
	v = openAs(t, u, path, laPass)
	v.choose(n.ID)
	test.Tap(v.editNotice)
	f := openForm(t, u, "Edit notice "+n.ID.String()[:8])
	check := f.fields["Checklist"].(*widget.Label)
	if check.Text != "✓ GDPR Art. 33(3)(a) — Nature of the personal data breach\n✗ MISSING GDPR Art. 33(3)(b) — Contact point\n"+
		"✗ MISSING GDPR Art. 33(3)(c) — Likely consequences\n✗ MISSING GDPR Art. 33(3)(d) — Measures taken or proposed\n"+
		"3 items missing: complete those sections before the notice is approved." {
		t.Errorf("the editor's checklist at first: %q", check.Text)
	}
	body := f.fields["Body"].(*formEntry)
	body.SetText(completeBody(body.Text))
	if !strings.Contains(check.Text, "Every required item is there.") {
		t.Errorf("the editor's checklist after completing: %q", check.Text)
	}
	saveForm(t, u, f)
	v = areaViewOf[*notificationsView](u)
	wantWhy := "Lee Legal wrote revision 2 of this notice, and a notice is approved by someone other than its authors (four eyes): " +
		"ask a Security Incident Manager, Executive Incident Manager or Legal Advisor who did not write it."
	if !v.approve.Disabled() || v.approve.reason != wantWhy {
		t.Errorf("Approve for its author: disabled %v, %q", v.approve.Disabled(), v.approve.reason)
	}

	// Eve approves it with the keyboard (Enter in the one-line form) and
	// declares; Escape first closes a form and records nothing.
	v = openAs(t, u, path, eimPass)
	v.choose(n.ID)
	if v.approve.Disabled() {
		t.Fatalf("Approve for a second examiner: %q", v.approve.reason)
	}
	entries := len(u.cv.oc.custody.entries)
	test.Tap(v.approve)
	openForm(t, u, "Approve notice "+n.ID.String()[:8])
	press(t, u, fyne.KeyEscape)
	waitJobs(t, u)
	if u.record != nil || len(u.cv.oc.custody.entries) != entries {
		t.Fatalf("Escape: form %v, %d entries (was %d)", u.record != nil, len(u.cv.oc.custody.entries), entries)
	}
	test.Tap(v.approve)
	f = openForm(t, u, "Approve notice "+n.ID.String()[:8])
	test.Type(f.fields["Reason"].(*formEntry), "checked against the finding")
	press(t, u, fyne.KeyReturn)
	waitJobs(t, u)
	if u.record != nil {
		t.Fatalf("Enter did not approve: %q", f.problem.Text)
	}
	v = areaViewOf[*notificationsView](u)
	if got := v.chosenNotice().Status(); got != "approved" {
		t.Fatalf("after approval the notice is %s", got)
	}
	test.Tap(v.declare)
	f = openForm(t, u, "Declare a security breach")
	test.Type(f.fields["Rationale"].(*formEntry), "records left the network")
	ctrlEnter(t, u)
	waitJobs(t, u)
	if u.record != nil {
		t.Fatalf("Ctrl+Enter did not declare: %q", f.problem.Text)
	}

	// Cora exports the .eml files and marks it sent.
	v = openAs(t, u, path, cmPass)
	v.choose(n.ID)
	out := filepath.Join(dir, "out")
	if err := os.Mkdir(out, 0o700); err != nil {
		t.Fatal(err)
	}
	fillAndSave(t, u, v.export, "Export notice "+n.ID.String()[:8], map[string]any{"Folder": out})
	if u.notice == nil || u.notice.title != "Notice exported" || u.notice.message != "2 messages were written and the export recorded." {
		t.Fatalf("after the export: %+v", u.notice)
	}
	dismissNotice(u)
	files, _ := filepath.Glob(filepath.Join(out, "*.eml"))
	if len(files) != 2 {
		t.Fatalf("exported %q", files)
	}
	for i, to := range []string{"it-admin@acme.example", "ciso@acme.example"} {
		fh, err := os.Open(files[i])
		if err != nil {
			t.Fatal(err)
		}
		m, err := mail.ReadMessage(fh)
		fh.Close()
		if err != nil {
			t.Fatalf("%s does not parse: %v", files[i], err)
		}
		got, err := m.Header.AddressList("To")
		if err != nil || len(got) != 1 || got[0].Address != to {
			t.Errorf("%s: To %v %v", filepath.Base(files[i]), got, err)
		}
		if s := m.Header.Get("Subject"); s != "Security incident notification: Operation Nightfall (IR-2026-0042)" {
			t.Errorf("%s: Subject %q", filepath.Base(files[i]), s)
		}
	}
	v = areaViewOf[*notificationsView](u)
	fillAndSave(t, u, v.markSent, "Mark notice "+n.ID.String()[:8]+" sent", map[string]any{"Obligation met": "authority",
		"Reason": "sent from the IR mailbox"})
	v = areaViewOf[*notificationsView](u)
	if got := clockRow(t, v, "gdpr/authority")[2]; got != "met by notice "+n.ID.String()[:8] {
		t.Errorf("GDPR clock after sending: %q", got)
	}
	if v.steps[4].count.Text != "1 of 1 sent" {
		t.Errorf("sent step: %q", v.steps[4].count.Text)
	}
	if !v.editNotice.Disabled() || !strings.HasPrefix(v.editNotice.reason, "the notice was sent") {
		t.Errorf("Edit after sending: %v %q", v.editNotice.Disabled(), v.editNotice.reason)
	}
}

// TestNotificationsTickerStops: the clock ticker counts the clocks down
// while the area is on screen, and its goroutine ends when another area
// replaces it or the case is closed.
func TestNotificationsTickerStops(t *testing.T) {
	dir := t.TempDir()
	path := makeNotifyCase(t, dir)
	clk := &testClock{t: created}
	u := newNotifyUI(t, dir, clk)
	startTrack(t, u, path, []string{regimeLabel("gdpr")})

	// The test driver runs the ticker's work on the ticker's goroutine;
	// what the test does to the widgets meanwhile holds the same lock.
	onUI := func(f func()) {
		u.applying.Lock()
		defer u.applying.Unlock()
		f()
	}
	defer func(d time.Duration) { clockTick = d }(clockTick)
	clockTick = 10 * time.Millisecond
	var v *notificationsView
	onUI(func() {
		u.SelectArea("Dashboard")
		v = viewOf[*notificationsView](t, u, "Notifications")
	})
	if v.ticker == nil {
		t.Fatal("no ticker while the area is on screen")
	}
	select {
	case <-v.ticker.done:
		t.Fatal("the ticker stopped while the area is on screen")
	default:
	}
	// The ticker counts down on its own: the clock moves, the area follows.
	clk.set(created.Add(90 * time.Minute))
	want := "As of 2026-03-14T10:56:53Z; the time left counts down every minute."
	deadline := time.Now().Add(5 * time.Second)
	for {
		var got string
		onUI(func() { got = v.asOf.Text })
		if got == want {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the ticker did not count down: %q", got)
		}
		time.Sleep(10 * time.Millisecond)
	}
	onUI(func() { u.SelectArea("Dashboard") })
	select {
	case <-v.ticker.done:
	case <-time.After(5 * time.Second):
		t.Fatal("the ticker goroutine still runs after the area was left")
	}
	var v2 *notificationsView
	onUI(func() {
		v2 = viewOf[*notificationsView](t, u, "Notifications")
		u.CloseCase()
	})
	waitJobs(t, u)
	select {
	case <-v2.ticker.done:
	case <-time.After(5 * time.Second):
		t.Fatal("the ticker goroutine still runs after the case was closed")
	}
}

// TestNotificationsPNG renders the area with a track under way to
// /tmp/ngui-area.png, and the notice editor to /tmp/ngui-editor.png.
func TestNotificationsPNG(t *testing.T) {
	dir := t.TempDir()
	path := makeNotifyCase(t, dir)
	u := newNotifyUI(t, dir, &testClock{t: created})
	v := startTrack(t, u, path, []string{regimeLabel("gdpr"), regimeLabel("nis2")})
	csv := filepath.Join(dir, "customers.csv")
	os.WriteFile(csv, []byte(customers), 0o600)
	fillAndSave(t, u, v.importCustomers, "Import customers", map[string]any{"File": csv})
	dismissNotice(u)
	fillAndSave(t, u, v.newNotice, "New notice", map[string]any{"Audience": "customer", "Regime": "gdpr", "Customer": "C-1001",
		"From": "incident-response@nightfall.example"})
	capture := func(name string) {
		img := u.win.Canvas().Capture()
		fh, err := os.Create(filepath.Join(os.TempDir(), name))
		if err != nil {
			t.Fatal(err)
		}
		defer fh.Close()
		if err := png.Encode(fh, img); err != nil {
			t.Fatal(err)
		}
	}
	capture("ngui-area.png")
	v = areaViewOf[*notificationsView](u)
	test.Tap(v.editNotice)
	capture("ngui-editor.png")
	openForm(t, u, "Edit notice "+v.chosenNotice().ID.String()[:8]).userCancel()
	if err := u.SelectArea("Dashboard"); err != nil {
		t.Fatal(err)
	}
	v = viewOf[*notificationsView](t, u, "Notifications")
	v.choose(u.cv.oc.notify.notices[0].ID)
	u.win.Resize(fyne.NewSize(1280, 2000))
	capture("ngui-full.png")
	u.win.Resize(fyne.NewSize(800, 1500))
	relayout(v.root)
	capture("ngui-narrow.png")
	u.win.Resize(fyne.NewSize(1280, 900))
	test.Tap(v.regimes)
	capture("ngui-regimes.png")
	openForm(t, u, "Choose the applicable regimes").userCancel()
	v.showSend() // the form as it looks; the notice is not approved, so Send would refuse
	capture("ngui-send.png")
	openForm(t, u, "Send notice "+v.chosenNotice().ID.String()[:8]+" by e-mail").userCancel()
}

// TestNotificationsBadInput: a malformed customer file, a trigger time in
// the future and an overlapping delay are refused in the form, which
// stays open with what was typed, naming what is wrong; nothing is
// recorded.
func TestNotificationsBadInput(t *testing.T) {
	dir := t.TempDir()
	path := makeNotifyCase(t, dir)
	u := newNotifyUI(t, dir, &testClock{t: created})
	v := startTrack(t, u, path, []string{regimeLabel("gdpr")})
	entries := len(u.cv.oc.custody.entries)

	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte(strings.Replace(customers, "secops@globex.example", "secops at globex", 1)), 0o600)
	test.Tap(v.importCustomers)
	f := openForm(t, u, "Import customers")
	setField(t, f, "File", bad)
	test.Tap(f.save)
	waitJobs(t, u)
	if u.record != f || f.problem.Text != `The customer file is malformed: line 3, column 3 (admin_contacts): admin_contacts "secops at globex" is not `+
		`an e-mail address (give it as name@example.com). Fix the line and column named (columns: id,name,admin_contacts,jurisdiction,`+
		`data_categories,data_subjects) and import the whole file again; nothing of it was stored.` {
		t.Errorf("a bad address in the file: form open %v, band %q", u.record == f, f.problem.Text)
	}
	if strings.Contains(strings.ToLower(f.problem.Text), "sql") {
		t.Errorf("the refusal shows SQL: %q", f.problem.Text)
	}
	f.userCancel()

	test.Tap(v.trigger)
	f = openForm(t, u, "Record a trigger decision")
	setField(t, f, "Decision", triggerTitles[notify.TriggerMateriality])
	setField(t, f, "Taken at", "2026-03-15T00:00:00Z")
	setField(t, f, "Reason", "committee")
	test.Tap(f.save)
	waitJobs(t, u)
	if u.record != f || !strings.Contains(f.problem.Text, "in the future") {
		t.Errorf("a trigger in the future: form open %v, band %q", u.record == f, f.problem.Text)
	}
	f.userCancel()

	test.Tap(v.trigger)
	f = openForm(t, u, "Record a trigger decision")
	setField(t, f, "Taken at", "yesterday")
	test.Tap(f.save)
	if got := f.problemText("Taken at"); got != `"yesterday" is not a time: type it as 2026-03-14T08:10:00Z (RFC 3339, any zone) or 2026-03-14 08:10 (UTC).` {
		t.Errorf("a time that is not one: %q", got)
	}
	if got := f.problemText("Decision"); got != "Choose the decision." {
		t.Errorf("no decision: %q", got)
	}
	f.userCancel()
	waitJobs(t, u)
	if got := len(u.cv.oc.custody.entries); got != entries {
		t.Errorf("refused input recorded %d entries", got-entries)
	}
}

// TestNotificationsRegimeSuggestions: the customers' jurisdictions
// suggest regimes (DE: GDPR; US-CA: none of the table's by itself), and
// Tick suggested ticks them.
func TestNotificationsRegimeSuggestions(t *testing.T) {
	dir := t.TempDir()
	path := makeNotifyCase(t, dir)
	u := newNotifyUI(t, dir, &testClock{t: created})
	v := startTrack(t, u, path, nil)
	if got := v.asOf.Text; got != "No regime is chosen: choose the applicable regimes to see their clocks." {
		t.Errorf("with no regime: %q", got)
	}
	fillAndSave(t, u, v.addCustomer, "Add a customer", map[string]any{"ID": "C-1001", "Name": "Acme GmbH",
		"Admin contacts": "it-admin@acme.example; ciso@acme.example", "Jurisdiction": "DE", "Data subjects": "1200"})
	test.Tap(v.regimes)
	f := openForm(t, u, "Choose the applicable regimes")
	note := labelTexts(f.fields["Suggested"])
	if note != "From the customers' jurisdictions (DE): gdpr, nis2." {
		t.Errorf("suggestion: %q", note)
	}
	var tick *formButton
	for _, o := range test.LaidOutObjects(f.fields["Suggested"]) {
		if b, ok := o.(*formButton); ok {
			tick = b
		}
	}
	test.Tap(tick)
	if got := f.lists["Regimes"].Selected(); strings.Join(got, "|") != regimeLabel("gdpr")+"|"+regimeLabel("nis2") {
		t.Errorf("Tick suggested ticked %q", got)
	}
	setField(t, f, "Reason", "EU customer")
	saveForm(t, u, f)
	if got := u.cv.oc.notify.track.Regimes; strings.Join(got, ",") != "gdpr,nis2" {
		t.Errorf("regimes chosen: %q", got)
	}
}
