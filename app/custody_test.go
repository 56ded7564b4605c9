package app

import (
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	_ "modernc.org/sqlite" // to tamper with a closed case file

	"github.com/custodia-dfir/custodia/casefile"
)

// The passphrases of the examiners of makeTeamCase.
const (
	samPass   = "sam's own passphrase"
	priyaPass = "priya's own passphrase"
	leePass   = "lee's own passphrase"
)

// makeTeamCase creates a closed case whose creator is Sam Okafor (Forensic
// Engineer) and who added Priya Raman (Legal Advisor) and Lee Chen (no role).
func makeTeamCase(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "team"+casefile.Extension)
	c, err := casefile.Create(path, []byte(samPass), casefile.NewCase{
		Title: "Phishing wave at Contoso", CaseNumber: "IR-2026-0007", Examiner: "Sam Okafor",
	}, testOptions())
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	if _, err := c.AddExaminer(casefile.NewExaminer{Name: "Priya Raman", Roles: []casefile.Role{casefile.RoleLegalAdvisor}},
		[]byte(priyaPass), "legal review"); err != nil {
		t.Fatalf("AddExaminer: %v", err)
	}
	if _, err := c.AddExaminer(casefile.NewExaminer{Name: "Lee Chen"}, []byte(leePass), "observer"); err != nil {
		t.Fatalf("AddExaminer: %v", err)
	}
	if err := c.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	return path
}

// cellText returns what table t's cell shows at row, col: the table's own
// functions fill a fresh cell, as they do for the rows on screen.
func cellText(t *dataTable, row, col int) string {
	o := t.table.CreateCell()
	t.table.UpdateCell(widget.TableCellID{Row: row, Col: col}, o)
	var text string
	for _, obj := range test.LaidOutObjects(o) {
		if l, ok := obj.(*widget.Label); ok {
			text = l.Text
		}
	}
	return text
}

// tableRows returns the data of table t, one string per row with the cells
// separated by "|".
func tableRows(t *dataTable) []string {
	rows, cols := t.table.Length()
	out := make([]string, rows)
	for r := range rows {
		cells := make([]string, cols)
		for c := range cols {
			cells[c] = cellText(t, r, c)
		}
		out[r] = strings.Join(cells, "|")
	}
	return out
}

// ledgerRows returns the ledger table's data: "seq|time|actor|role|action|target|reason".
func ledgerRows(v *custodyView) []string { return tableRows(v.table) }

// rowSeqs returns the sequence numbers of the rows on show.
func rowSeqs(v *custodyView) []int64 {
	var out []int64
	for r := range v.src.count() {
		out = append(out, v.src.item(r).Seq)
	}
	return out
}

func openCustody(t *testing.T, u *UI) *custodyView {
	t.Helper()
	return viewOf[*custodyView](t, u, "Custody")
}

func openExaminers(t *testing.T, u *UI) *examinersView {
	t.Helper()
	return viewOf[*examinersView](t, u, "Examiners")
}

func TestCustodyLedgerExaminersFiltersVerify(t *testing.T) {
	dir := t.TempDir()
	u := newTestUI(t, dir)
	u.ShowNewCase()
	f := u.form
	fillNewCase(f, "custody", "jane's passphrase")
	if got := f.roles.Selected(); !slices.Equal(got, []casefile.Role{casefile.RoleSecurityIncidentManager, casefile.RoleForensicEngineer}) {
		t.Fatalf("new-case roles default to %v, want Security Incident Manager and Forensic Engineer", got)
	}
	test.Type(f.contact, "jane.doe@contoso.example")
	test.Tap(f.create)
	waitJobs(t, u)
	if u.Screen() != ScreenCase {
		t.Fatalf("case not created: %v", u.LastError())
	}
	c := u.Case()
	actor := c.Actor()
	if actor.Name != "Jane Doe" || actor.Contact != "jane.doe@contoso.example" ||
		!slices.Equal(actor.Roles, []casefile.Role{casefile.RoleSecurityIncidentManager, casefile.RoleForensicEngineer}) {
		t.Fatalf("creator recorded as %+v", actor)
	}

	// The header names who acts, in which role.
	if got := u.cv.acting.Text + " " + u.cv.rolePicker.Selected; got != "Acting as: Jane Doe · Security Incident Manager" {
		t.Errorf("header says %q", got)
	}
	if got := u.cv.rolePicker.Options; !slices.Equal(got, []string{"Security Incident Manager", "Forensic Engineer"}) {
		t.Errorf("role picker offers %q, want the actor's roles", got)
	}

	// Entry 1 is the creation, by the creator.
	v := openCustody(t, u)
	if got := v.count.Text; got != "1 of 1 entry" {
		t.Errorf("count = %q", got)
	}
	info := c.Info()
	want1 := fmt.Sprintf("1|%s|Jane Doe|Security Incident Manager|case.created|case %s…|", createdText, info.CaseUUID.String()[:8])
	if got := ledgerRows(v); !slices.Equal(got, []string{want1}) {
		t.Fatalf("ledger rows = %q, want [%q]", got, want1)
	}
	if texts := canvasTexts(u.win.Canvas()); !strings.Contains(texts, "Time (UTC)") || !strings.Contains(texts, "1 of 1 entry") {
		t.Errorf("the ledger table is not on screen; visible labels:\n%s", texts)
	}
	_, head := c.Head()
	if got := v.head.Text; got != "Entry 1 · "+head.Short() {
		t.Errorf("head = %q", got)
	}
	test.Tap(v.copyHead)
	if got := u.app.Clipboard().Content(); got != "entry 1 "+head.String() {
		t.Errorf("clipboard = %q, want the entry number and the full head %s", got, head)
	}

	// Add an examiner through the form; a name taken is refused in the form.
	ev := openExaminers(t, u)
	test.Tap(ev.add)
	form := ev.form
	if form == nil {
		t.Fatal("no add-examiner form")
	}
	test.Tap(form.add)
	if !form.nameProblem.Visible() || !form.passphraseProblem.Visible() {
		t.Errorf("an empty form shows no problems: name %q, passphrase %q", form.nameProblem.Text, form.passphraseProblem.Text)
	}
	test.Type(form.name, "jane doe")
	test.Type(form.passphrase, "sam's passphrase")
	test.Type(form.confirm, "sam's passphrase")
	test.Tap(form.add)
	waitJobs(t, u)
	if !errors.Is(u.LastError(), casefile.ErrInvalid) || !form.formProblem.Visible() ||
		!strings.Contains(form.formProblem.Text, "exists already") || ev.form != form {
		t.Fatalf("a taken name: last error %v, form problem %q (visible %v)", u.LastError(), form.formProblem.Text, form.formProblem.Visible())
	}
	form.name.SetText("Sam Okafor")
	test.Tap(form.roles.check(casefile.RoleLegalAdvisor))
	test.Type(form.contact, "+44 20 7946 0018")
	test.Type(form.reason, "Legal review of the evidence export")
	gate := make(chan struct{})
	u.jobGate = gate
	test.Tap(form.add)
	if !u.Busy() || !form.activity.Visible() || !form.add.Disabled() || !form.name.Disabled() {
		t.Error("the form shows no busy state while the key is derived")
	}
	close(gate)
	waitJobs(t, u)
	if ev.form != nil {
		t.Fatalf("the form is still open; last error %v, problem %q", u.LastError(), form.formProblem.Text)
	}
	sam, err := c.Examiner("Sam Okafor")
	if err != nil {
		t.Fatalf("examiner not added: %v", err)
	}
	if len(ev.list) != 2 {
		t.Fatalf("examiners area lists %d, want 2", len(ev.list))
	}
	wantExaminers := []string{
		"Jane Doe (acting)|Security Incident Manager, Forensic Engineer|jane.doe@contoso.example|Slot 1|" + actor.Fingerprint(),
		fmt.Sprintf("Sam Okafor|Legal Advisor|+44 20 7946 0018|Slot %d|%s", sam.SlotID, sam.Fingerprint()),
	}
	if got := tableRows(ev.table); !slices.Equal(got, wantExaminers) {
		t.Errorf("examiners table = %q, want %q", got, wantExaminers)
	}
	v = openCustody(t, u)
	if got := v.count.Text; got != "2 of 2 entries" {
		t.Errorf("count after adding = %q", got)
	}
	want2 := fmt.Sprintf("2|%s|Jane Doe|Security Incident Manager|examiner.added|examiner %s…|Legal review of the evidence export",
		createdText, sam.ID.String()[:8])
	if got := ledgerRows(v); len(got) != 2 || got[1] != want2 {
		t.Fatalf("ledger rows = %q, want entry 2 %q", got, want2)
	}

	// Filters narrow the rows and the count says so.
	if got := v.actorFilter.Options; !slices.Equal(got, []string{"All", "Jane Doe", "Sam Okafor"}) {
		t.Errorf("actor filter offers %q", got)
	}
	if got := v.actionFilter.Options; !slices.Equal(got, []string{"All", "case.created", "examiner.added"}) {
		t.Errorf("action filter offers %q", got)
	}
	for _, c := range []struct {
		actor, action, target string
		count                 string
		seqs                  []int64
	}{
		{"Sam Okafor", "All", "", "0 of 2 entries", nil},
		{"Jane Doe", "All", "", "2 of 2 entries", []int64{1, 2}},
		{"Jane Doe", "examiner.added", "", "1 of 2 entries", []int64{2}},
		{"All", "All", "EXAMINER", "1 of 2 entries", []int64{2}},
		{"All", "All", info.CaseUUID.String()[:13], "1 of 2 entries", []int64{1}},
		{"All", "All", "nothing like this", "0 of 2 entries", nil},
		{"All", "All", "", "2 of 2 entries", []int64{1, 2}},
	} {
		v.actorFilter.SetSelected(c.actor)
		v.actionFilter.SetSelected(c.action)
		v.targetFilter.SetText(c.target)
		if v.count.Text != c.count || !slices.Equal(rowSeqs(v), c.seqs) {
			t.Errorf("filters %q/%q/%q: count %q rows %v, want %q %v", c.actor, c.action, c.target, v.count.Text, rowSeqs(v), c.count, c.seqs)
		}
		if rows, _ := v.table.table.Length(); rows != len(c.seqs) {
			t.Errorf("filters %q/%q/%q: the table has %d rows", c.actor, c.action, c.target, rows)
		}
	}

	// Choosing a row shows the entry in full.
	v.table.table.Select(widget.TableCellID{Row: 1, Col: 2})
	e2 := v.entries[1]
	d := v.details
	if d.action.Text != "examiner.added" || d.hash.Text != e2.Hash.String() || d.prevHash.Text != v.entries[0].Hash.String() ||
		d.signature.Text != fmt.Sprintf("%x", e2.Signature) || len(d.signature.Text) != 128 ||
		!strings.Contains(d.details.Text, "name = Sam Okafor") || !strings.Contains(d.hashes.Text, "ed25519_public_key: ") ||
		d.target.Text != "examiner "+sam.ID.String() {
		t.Errorf("details of entry 2: action %q target %q hash %q prev %q signature %q details %q hashes %q",
			d.action.Text, d.target.Text, d.hash.Text, d.prevHash.Text, d.signature.Text, d.details.Text, d.hashes.Text)
	}
	if texts := canvasTexts(u.win.Canvas()); !strings.Contains(texts, e2.Hash.String()) {
		t.Errorf("entry hash not on screen; visible labels:\n%s", texts)
	}

	// Verify chain: busy, then the verdict, and the verification is entry 3.
	u.setLastError(nil)
	gate = make(chan struct{})
	u.jobGate = gate
	test.Tap(v.verify)
	if !u.Busy() || !v.verify.Disabled() || v.verify.Text != "Verifying…" || !v.verifying.Visible() {
		t.Error("Verify chain shows no busy state")
	}
	close(gate)
	waitJobs(t, u)
	if u.LastError() != nil {
		t.Fatalf("verify failed: %v", u.LastError())
	}
	if got, want := v.verdictTitle.Text, "Chain intact — 2 entries, head "+e2.Hash.Short(); got != want {
		t.Errorf("verdict = %q, want %q", got, want)
	}
	if v.verdictColour != theme.ColorNameSuccess || v.verify.Disabled() || v.verifying.Visible() {
		t.Error("verdict not green, or Verify chain still busy")
	}
	if got := v.count.Text; got != "3 of 3 entries" {
		t.Errorf("count after verifying = %q (the verification is an entry)", got)
	}
	if got := ledgerRows(v)[2]; !strings.Contains(got, "|ledger.verified|") {
		t.Errorf("entry 3 = %q", got)
	}
	if d.action.Text != "examiner.added" {
		t.Errorf("the chosen entry changed on reload: details show %q", d.action.Text)
	}
	if texts := canvasTexts(u.win.Canvas()); !strings.Contains(texts, v.verdictTitle.Text) {
		t.Errorf("verdict not on screen; visible labels:\n%s", texts)
	}
	_, head = c.Head()
	if got := v.head.Text; got != "Entry 3 · "+head.Short() {
		t.Errorf("head after verifying = %q", got)
	}

	// The dashboard shows the head and the last verification.
	dash := dashboard(t, u)
	if got := dash.verified.Text; got != createdText+" by Jane Doe — intact" {
		t.Errorf("last verification = %q", got)
	}
	if got := dash.head.Text; got != "Entry 3 · "+head.Short() {
		t.Errorf("dashboard head = %q", got)
	}
	if got := dash.acting.Text; got != "Jane Doe · Security Incident Manager" {
		t.Errorf("dashboard acting = %q", got)
	}

	// The role picker changes the role later entries record.
	u.cv.rolePicker.SetSelected("Forensic Engineer")
	waitJobs(t, u)
	if got := c.ActingRole(); got != casefile.RoleForensicEngineer {
		t.Fatalf("acting role = %q after choosing Forensic Engineer", got)
	}
	if got := dash.acting.Text; got != "Jane Doe · Forensic Engineer" {
		t.Errorf("dashboard acting after the change = %q", got)
	}
	v = openCustody(t, u)
	if len(v.verdict.Objects) == 0 || v.verdictTitle.Text == "" {
		t.Error("the verdict is lost when the area is shown again")
	}
	test.Tap(v.verify)
	waitJobs(t, u)
	if got := v.entries[len(v.entries)-1]; got.Role != casefile.RoleForensicEngineer {
		t.Errorf("entry %d recorded role %q, want forensic-engineer", got.Seq, got.Role)
	}
}

// tamperSignature flips a byte of entry seq's signature in the closed case
// at path, as someone editing the file with sqlite3 would.
func tamperSignature(t *testing.T, path string, seq int) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{
		`DROP TRIGGER IF EXISTS custody_ledger_no_update`,
		fmt.Sprintf(`UPDATE custody_ledger SET signature = CAST(substr(signature, 1, 10) || (CASE substr(signature, 11, 1) WHEN x'00' THEN x'01' ELSE x'00' END) || substr(signature, 12) AS BLOB) WHERE seq = %d`, seq),
		`PRAGMA wal_checkpoint(TRUNCATE)`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

func TestCustodyVerifyNamesTamperedEntry(t *testing.T) {
	dir := t.TempDir()
	path := makeTeamCase(t, dir)
	tamperSignature(t, path, 2)

	u := newTestUI(t, dir)
	u.OpenWithPassphrase(path, []byte(samPass))
	waitJobs(t, u)
	if u.Screen() != ScreenCase {
		t.Fatalf("tampered case did not open: %v", u.LastError())
	}
	v := openCustody(t, u)
	if got := v.count.Text; got != "3 of 3 entries" {
		t.Fatalf("count = %q", got)
	}
	test.Tap(v.verify)
	waitJobs(t, u)

	ps := v.problemList()
	if len(ps) != 1 || ps[0].Seq != 2 || ps[0].Kind != casefile.ProblemBadSignature {
		t.Fatalf("problems = %v, want one bad-signature in entry 2", ps)
	}
	if got := v.verdictTitle.Text; !strings.HasPrefix(got, "1 problem — 3 entries checked") || v.verdictColour != theme.ColorNameError {
		t.Errorf("verdict = %q (colour %v)", got, v.verdictColour)
	}
	// Nothing was written: the count is still three, and the case is now
	// suspect — the banner says so and every change says why it is off.
	if got := v.count.Text; got != "3 of 3 entries" {
		t.Errorf("count after a failed verification = %q: something was recorded", got)
	}
	if !u.cv.banner.Visible() || !strings.HasPrefix(u.cv.bannerText.Text, "The case failed verification") ||
		!strings.Contains(u.cv.bannerText.Text, "Every change is disabled") {
		t.Errorf("suspect banner: visible %v, %q", u.cv.banner.Visible(), u.cv.bannerText.Text)
	}
	line := "Entry 2 — bad-signature — " + ps[0].Detail
	if texts := canvasTexts(u.win.Canvas()); !strings.Contains(texts, line) {
		t.Errorf("problem %q not on screen; visible labels:\n%s", line, texts)
	}

	// Choosing the problem shows its entry, even when a filter hid it.
	v.actionFilter.SetSelected(string(casefile.ActionCaseCreated))
	if slices.Contains(rowSeqs(v), 2) {
		t.Fatal("filter did not hide entry 2")
	}
	v.problems.Select(0)
	if v.chosenSeq() != 2 || v.details.seq.Text != "2" || !slices.Contains(rowSeqs(v), 2) {
		t.Fatalf("choosing the problem shows entry %d (details %q), rows %v", v.chosenSeq(), v.details.seq.Text, rowSeqs(v))
	}
	if !v.details.problems.Visible() || !strings.HasPrefix(v.details.problems.Text, "bad-signature — ") {
		t.Errorf("entry details do not name the problem: %q", v.details.problems.Text)
	}

	if got := dashboard(t, u).verified.Text; got != createdText+" by Sam Okafor — 1 problem (not recorded: the case takes no more entries)" {
		t.Errorf("last verification = %q", got)
	}

	// The Examiners area cannot add anyone, and says why.
	ex := openExaminers(t, u)
	if !ex.add.Disabled() || !strings.Contains(ex.add.whyNot(), "failed verification") {
		t.Errorf("Add examiner… on a suspect case: disabled %v, why %q", ex.add.Disabled(), ex.add.whyNot())
	}
	test.Tap(ex.add)
	if ex.form != nil || ex.add.tip == nil {
		t.Error("tapping the disabled Add examiner… opened the form, or did not say why")
	}
}

func TestOpenAsNamedExaminer(t *testing.T) {
	dir := t.TempDir()
	path := makeTeamCase(t, dir)
	u := newTestUI(t, dir)
	u.PromptOpen(path)
	waitJobs(t, u)
	p := u.prompt
	if texts := canvasTexts(u.win.Canvas()); !strings.Contains(texts, "Each examiner has their own passphrase; it decides who signs the custody record.") {
		t.Errorf("the prompt does not explain examiner passphrases; visible labels:\n%s", texts)
	}

	// Sam's passphrase, but Priya named: refused in the prompt.
	test.Type(p.examiner, "Priya Raman")
	test.Type(p.entry, samPass)
	test.Tap(p.unlock)
	waitJobs(t, u)
	if !errors.Is(u.LastError(), casefile.ErrNotThisExaminer) {
		t.Fatalf("last error = %v, want ErrNotThisExaminer", u.LastError())
	}
	if u.prompt != p || u.Screen() != ScreenStart || u.alert != nil {
		t.Fatal("the prompt closed, or an error dialog opened; the prompt must say it and allow a retry")
	}
	if !p.problem.Visible() || !strings.Contains(p.problem.Text, "another examiner") || !strings.Contains(p.problem.Text, "use your own passphrase") {
		t.Errorf("prompt says %q (visible %v)", p.problem.Text, p.problem.Visible())
	}
	if p.entry.Disabled() || p.entry.Text != "" || p.examiner.Text != "Priya Raman" {
		t.Errorf("prompt not ready for a retry: disabled %v, passphrase %q, examiner %q", p.entry.Disabled(), p.entry.Text, p.examiner.Text)
	}

	// Priya's own passphrase opens it as Priya, in her role.
	test.Type(p.entry, priyaPass)
	test.Tap(p.unlock)
	waitJobs(t, u)
	if u.Screen() != ScreenCase {
		t.Fatalf("retry failed: %v", u.LastError())
	}
	if got := u.Case().Actor().Name; got != "Priya Raman" {
		t.Errorf("acting examiner = %q", got)
	}
	if got := u.cv.acting.Text + " " + u.cv.rolePicker.Selected; got != "Acting as: Priya Raman · Legal Advisor" {
		t.Errorf("header = %q", got)
	}
	// The header names who acts now, not who created the case.
	if got := u.cv.subtitle.Text; got != "Case IR-2026-0007  ·  Examiner Priya Raman" {
		t.Errorf("header subtitle = %q", got)
	}
	u.CloseCase()
	waitJobs(t, u)

	// Lee holds no role: the header says so and offers no picker.
	u.OpenWithPassphrase(path, []byte(leePass))
	waitJobs(t, u)
	if u.Screen() != ScreenCase {
		t.Fatalf("open as Lee: %v", u.LastError())
	}
	if got := u.cv.acting.Text; got != "Acting as: Lee Chen · holds no role" || u.cv.rolePicker.Visible() {
		t.Errorf("header = %q, picker visible %v", got, u.cv.rolePicker.Visible())
	}
	if got := dashboard(t, u).verified.Text; got != "Never verified" {
		t.Errorf("last verification = %q", got)
	}
}

func TestNewCaseNeedsARole(t *testing.T) {
	u := newTestUI(t, t.TempDir())
	u.ShowNewCase()
	f := u.form
	fillNewCase(f, "no-role", "a passphrase")
	test.Tap(f.roles.check(casefile.RoleForensicEngineer)) // untick the defaults
	test.Tap(f.roles.check(casefile.RoleSecurityIncidentManager))
	f.contact.SetText(strings.Repeat("x", casefile.MaxShortFieldLen+1))
	test.Tap(f.create)
	if u.Busy() || u.Screen() != ScreenNewCase {
		t.Fatal("a case without a role is being created")
	}
	if !f.rolesProblem.Visible() || !strings.HasPrefix(f.rolesProblem.Text, "Choose at least one role") {
		t.Errorf("roles problem = %q (visible %v)", f.rolesProblem.Text, f.rolesProblem.Visible())
	}
	if !f.contactProblem.Visible() || !strings.HasPrefix(f.contactProblem.Text, "Contact is too long") {
		t.Errorf("contact problem = %q (visible %v)", f.contactProblem.Text, f.contactProblem.Visible())
	}
	test.Tap(f.roles.check(casefile.RoleLegalAdvisor))
	f.contact.SetText("")
	if f.rolesProblem.Visible() || f.contactProblem.Visible() {
		t.Error("problems still shown after fixing them")
	}
}

func TestCustodyUnreadableEntryStillVerifies(t *testing.T) {
	dir := t.TempDir()
	path := makeTeamCase(t, dir)
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`DROP TRIGGER IF EXISTS custody_ledger_no_update`,
		`UPDATE custody_ledger SET entry = CAST(substr(entry, 1, 40) || (CASE substr(entry, 41, 1) WHEN x'00' THEN x'01' ELSE x'00' END) || substr(entry, 42) AS BLOB) WHERE seq = 2`,
		`PRAGMA wal_checkpoint(TRUNCATE)`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()

	u := newTestUI(t, dir)
	u.OpenWithPassphrase(path, []byte(samPass))
	waitJobs(t, u)
	if u.Screen() != ScreenCase {
		t.Fatalf("case did not open: %v", u.LastError())
	}
	// A damaged entry does not hide the others: the ledger lists it marked,
	// the area says so, and verification names it.
	if u.alert != nil {
		t.Fatalf("unexpected error dialog %q", u.alert.title)
	}
	v := openCustody(t, u)
	if !v.loadProblem.Visible() || !strings.HasPrefix(v.loadProblem.Text, "Entry 2 could not be read: it was changed or damaged outside Custodia.") {
		t.Errorf("load problem = %q (visible %v)", v.loadProblem.Text, v.loadProblem.Visible())
	}
	test.Tap(v.verify)
	waitJobs(t, u)
	var kinds []casefile.ProblemKind
	for _, p := range v.problemList() {
		if p.Seq != 2 {
			t.Errorf("problem in entry %d: %v", p.Seq, p)
		}
		kinds = append(kinds, p.Kind)
	}
	if !slices.Contains(kinds, casefile.ProblemUnreadable) || v.verdictColour != theme.ColorNameError {
		t.Errorf("verdict %q, problems %v; want entry 2 unreadable", v.verdictTitle.Text, v.problemList())
	}
}

// TestHeaderNamesTheExaminerActingNow: the header under the case title
// names whoever opened the case, not its creator (the dashboard names the
// creator).
func TestHeaderNamesTheExaminerActingNow(t *testing.T) {
	dir := t.TempDir()
	path := makeTeamCase(t, dir)
	u := newTestUI(t, dir)
	u.OpenWithPassphrase(path, []byte(priyaPass))
	waitJobs(t, u)
	if u.Screen() != ScreenCase {
		t.Fatalf("case did not open: %v", u.LastError())
	}
	if got, want := u.cv.subtitle.Text, "Case IR-2026-0007  ·  Examiner Priya Raman"; got != want {
		t.Errorf("header = %q, want %q", got, want)
	}
}
