package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/evidence/export"
	"github.com/custodia-dfir/custodia/reports"
	"github.com/google/uuid"
)

// exportsArea is the Exports area: sealed evidence exports for recipients
// outside the team (docs/EXPORT.md). "New export…" opens the Export wizard
// (items, reports, recipients, destination); the result page gives the
// verification commands and the SHA256SUMS fingerprint to send separately.
// "Open a received export…" verifies a bundle and imports it into this
// case.
type exportsArea struct{}

func (exportsArea) title() string            { return "Exports" }
func (exportsArea) icon() fyne.ThemeIconName { return theme.IconNameUpload }
func (exportsArea) fill() bool               { return false }

type exportsView struct {
	u       *UI
	cv      *caseView
	create  *actionButton
	receive *actionButton
	list    *fyne.Container
	root    *fyne.Container

	// The dialogs on screen and the last results, for tests.
	wizard     *exportWizard
	receiving  *receiveForm
	lastExport *export.Result
	lastImport *export.Imported
}

func (exportsArea) build(cv *caseView) areaView {
	v := &exportsView{u: cv.u, cv: cv}
	intro := widget.NewLabel("A sealed export gives chosen evidence items to a legal advisor or another team: each item's exact " +
		"bytes encrypted with age to the recipients, the case's facts about them in an encrypted case.tar.age, and " +
		"SHA256SUMS signed with your own custody key. The recipient checks and opens it offline with age, minisign " +
		"and coreutils alone, or with Custodia.")
	intro.Wrapping = fyne.TextWrapWord
	v.create = cv.action("New export…", theme.UploadIcon(), v.showExportWizard)
	v.receive = cv.action("Open a received export…", theme.FolderOpenIcon(), v.showReceive)
	v.list = container.NewVBox()
	v.root = container.NewVBox(heading("Exports"), intro, container.NewHBox(v.create, v.receive),
		widget.NewSeparator(), widget.NewLabelWithStyle("Exports made from this case", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), v.list)
	v.refresh(factsAll)
	return v
}

func (v *exportsView) content() fyne.CanvasObject { return v.root }

func (v *exportsView) refresh(what factSet) {
	if !what.has(factsCustody | factsEvidence | factsActor) {
		return
	}
	why := v.cv.whyNot(casefile.PermExportEvidence)
	switch {
	case why != "":
	case len(inForce(v.cv.oc.evidence.items)) == 0:
		why = "the case holds no evidence item in force to export."
	}
	v.create.allow(why)
	v.receive.allow(v.cv.whyNot(casefile.PermHandleEvidence))
	v.list.RemoveAll()
	n := 0
	for _, e := range v.cv.oc.custody.entries {
		if e.Action != export.ActionExportCreated {
			continue
		}
		n++
		l := widget.NewLabel(fmt.Sprintf("%s · %s · %d items · SHA256SUMS %s · %s", e.Time.UTC().Format(timeLayout),
			shownLine(e.Actor), len(strings.Fields(e.Details["items"])), e.Hashes["sha256sums"], shownLine(e.Details["destination"])))
		l.Wrapping = fyne.TextWrapBreak
		v.list.Add(l)
	}
	if n == 0 {
		v.list.Add(mutedLabel("None yet."))
	}
}

func inForce(items []casefile.Evidence) []casefile.Evidence {
	var out []casefile.Evidence
	for _, ev := range items {
		if ev.InForce() {
			out = append(out, ev)
		}
	}
	return out
}

// Recipient choices of the wizard.
const (
	rcptPaste      = "Paste keys"
	rcptFile       = "Load a file"
	rcptNewKey     = "Create a key pair"
	rcptPassphrase = "Passphrase"
)

// exportWizard is the Export form, kept for tests.
type exportWizard struct {
	form                          *recordForm
	items                         func() []casefile.Evidence
	reports                       *formEntry
	kind                          *choiceGroup
	keys, keysFile, newKey        *formEntry
	pass, pass2                   *formEntry
	folder, name, reason          *formEntry
	recipientsProblem, destreason string
}

// showExportWizard opens the Export form: items (every item in force
// ticked), report files, recipients (pasted age keys, a file of them, a
// key pair Custodia creates, or a passphrase), the new bundle's folder
// and name, and the reason.
func (v *exportsView) showExportWizard() {
	u, cv := v.u, v.cv
	items := inForce(cv.oc.evidence.items)
	form := u.newRecordForm("New sealed export", "Export",
		"Choose what to export and to whom. Custodia streams each item out of the case, re-hashes it, encrypts it "+
			"to the recipients and signs the bundle; nothing decrypted is written to disk.")
	form.width = 760
	w := &exportWizard{form: form}
	form.section("Items")
	labels := make([]string, len(items))
	for i, ev := range items {
		labels[i] = shownLine(ev.Meta.Name) + " — " + humanSize(ev.Meta.Size) + " — " + shortHash(ev.Meta.Hashes.SHA256)
	}
	list := form.checks("Items *", labels, labels, 1)
	w.items = func() []casefile.Evidence {
		var out []casefile.Evidence
		for i, c := range list.checks {
			if c.Checked {
				out = append(out, items[i])
			}
		}
		return out
	}
	form.section("Reports")
	w.reports = form.text("Report files", "One path a line: files added under case/reports/ (optional)", 2)
	form.section("Recipients")
	w.kind = form.radio("Encrypt to", []string{rcptPaste, rcptFile, rcptNewKey, rcptPassphrase}, rcptPaste)
	w.keys = form.text("Age public keys", "age1… one a line", 2)
	w.keysFile = form.entry("Recipients file", "A file of age1… keys, one a line")
	w.newKey = form.entry("New identity file", "Where to write the recipient's new identity (a new file); hand it over separately")
	w.pass = form.password("Passphrase", "At least 8 characters; give it to the recipient separately")
	w.pass2 = form.password("Repeat passphrase", "")
	form.section("Destination")
	w.folder = form.entry("Folder *", "An existing folder")
	w.folder.SetText(defaultFolder(u.cfg.DefaultFolder))
	w.name = form.entry("Bundle name *", "A new folder's name")
	w.name.SetText("export-" + time.Now().UTC().Format("20060102-150405"))
	w.reason = form.entry("Reason", "Why the evidence leaves the case, e.g. for counsel (recorded)")
	enable := func(string) {
		set := func(e *formEntry, on bool) {
			if on {
				e.Enable()
			} else {
				e.Disable()
			}
		}
		k := w.kind.Selected
		set(w.keys, k == rcptPaste)
		set(w.keysFile, k == rcptFile)
		set(w.newKey, k == rcptNewKey)
		set(w.pass, k == rcptPassphrase)
		set(w.pass2, k == rcptPassphrase)
		form.recheck()
	}
	w.kind.OnChanged = enable
	enable("")
	form.check = func() bool {
		ok := true
		if len(w.items()) == 0 {
			form.setProblem("Items", "Tick at least one item.")
			ok = false
		} else {
			form.setProblem("Items", "")
		}
		if _, _, err := w.recipients(false); err != nil {
			form.setProblem("Encrypt to", userMessage(err))
			ok = false
		} else {
			form.setProblem("Encrypt to", "")
		}
		msg := extractLocationMessage(strings.TrimSpace(w.folder.Text), strings.TrimSpace(w.name.Text))
		if msg == "" && fileExistsApp(w.dest()+".partial") {
			msg = "A partial export " + w.dest() + ".partial is in the way: remove it or choose another name."
		}
		form.setProblem("Bundle name", strings.Replace(msg, "File name", "Bundle name", 1))
		return ok && msg == ""
	}
	form.hand = func() {
		rc, pub, err := w.recipients(true)
		if err != nil {
			u.showError("The export was not made", err, nil)
			return
		}
		var ids []uuid.UUID
		for _, ev := range w.items() {
			ids = append(ids, ev.ID)
		}
		var reps []string
		for _, l := range strings.Split(w.reports.Text, "\n") {
			if l = strings.TrimSpace(l); l != "" {
				reps = append(reps, l)
			}
		}
		v.runExport(export.Options{Dest: w.dest(), Items: ids, Recipients: rc, Reports: reps,
			Reason: strings.TrimSpace(w.reason.Text)}, w.kind.Selected == rcptPassphrase, pub)
	}
	v.wizard = w
	form.onClosed = func() {
		if v.wizard == w {
			v.wizard = nil
		}
	}
	form.show(w.keys)
}

func (w *exportWizard) dest() string {
	return filepath.Join(strings.TrimSpace(w.folder.Text), strings.TrimSpace(w.name.Text))
}

// recipients parses the chosen recipients; with create it writes the new
// identity file (only when the export starts). pub is the new key's
// recipient, or "".
func (w *exportWizard) recipients(create bool) (export.Recipients, string, error) {
	switch w.kind.Selected {
	case rcptPaste:
		var keys []string
		for _, l := range strings.Split(w.keys.Text, "\n") {
			if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
				keys = append(keys, l)
			}
		}
		rc, err := export.ParseRecipients(keys, nil)
		return rc, "", err
	case rcptFile:
		p := strings.TrimSpace(w.keysFile.Text)
		if p == "" {
			return export.Recipients{}, "", fmt.Errorf("%w: name the recipients file", export.ErrRecipient)
		}
		rc, err := export.ParseRecipients(nil, []string{p})
		return rc, "", err
	case rcptNewKey:
		p := strings.TrimSpace(w.newKey.Text)
		switch {
		case p == "":
			return export.Recipients{}, "", fmt.Errorf("%w: name the new identity file", export.ErrRecipient)
		case fileExistsApp(p):
			return export.Recipients{}, "", fmt.Errorf("%w: %s exists; Custodia never overwrites a file", export.ErrDestination, p)
		case !isDir(filepath.Dir(p)):
			return export.Recipients{}, "", fmt.Errorf("%w: the folder of %s does not exist", export.ErrDestination, p)
		}
		if !create {
			return export.Recipients{}, "", nil
		}
		rc, pub, err := export.NewIdentity(p, time.Now().UTC().Format(time.RFC3339))
		return rc, pub, err
	case rcptPassphrase:
		if w.pass.Text != w.pass2.Text {
			return export.Recipients{}, "", fmt.Errorf("%w: the two passphrases differ", export.ErrRecipient)
		}
		rc, err := export.PassphraseRecipient(w.pass.Text)
		return rc, "", err
	}
	return export.Recipients{}, "", fmt.Errorf("%w: choose how to encrypt", export.ErrRecipient)
}

func fileExistsApp(p string) bool {
	_, err := os.Lstat(p)
	return err == nil
}

// runExport makes the bundle off the UI goroutine behind a progress dialog
// with time left and Cancel, then shows the result page.
func (v *exportsView) runExport(opts export.Options, passphrase bool, newPub string) {
	u, cv := v.u, v.u.cv
	if cv == nil {
		return
	}
	oc := cv.oc
	p := u.newProgress("Making a sealed export", "Streaming each item out of the case, re-hashing and encrypting it.",
		"Stopping. The partial bundle is being removed.")
	opts.Progress = p
	opts.Tool = reports.Tool{Name: "Custodia", Version: toolVersion()}
	u.runWork(p, func(ctx context.Context) func() {
		res, err := export.Create(ctx, oc.c, opts)
		return u.afterChange(cv, factsCustody, func() {
			switch {
			case errors.Is(err, context.Canceled):
				u.setLastError(err)
				u.showNotice("Export cancelled", "The export was stopped; the partial bundle was removed and nothing was recorded.", theme.InfoIcon(), nil)
			case err != nil:
				u.showError("The export was not made", err, nil)
			default:
				v.lastExport = &res
				u.showExported(res, passphrase, newPub)
			}
		})
	})
}

// showExported is the wizard's result page: where the bundle is, the
// fingerprint and key id to send separately, and the recipient's commands.
func (u *UI) showExported(res export.Result, passphrase bool, newPub string) {
	mono := func(s string) *widget.Label {
		l := widget.NewLabel(s)
		l.Selectable = true
		l.TextStyle = fyne.TextStyle{Monospace: true}
		l.Wrapping = fyne.TextWrapBreak
		return l
	}
	cmds := strings.Join(export.Commands(passphrase), "\n")
	facts := []fact{
		{"Bundle", mono(res.Path)},
		{"SHA256SUMS", container.NewBorder(nil, nil, nil, copyButton(u, "Copy", func() string { return res.SumsSHA256 }), mono(res.SumsSHA256))},
		{"Signer key", mono(res.SignerKey)},
	}
	if newPub != "" {
		facts = append(facts, fact{"New recipient", mono(newPub)})
	}
	facts = append(facts, fact{"Commands", container.NewBorder(nil, nil, nil, copyButton(u, "Copy", func() string { return cmds }), mono(cmds))})
	u.showNotice("Sealed export made",
		fmt.Sprintf("%d item(s) exported and recorded in the custody record. Send the SHA256SUMS fingerprint and the signer key id "+
			"to the recipients by another channel; they check and open the bundle with these commands, in its folder.", len(res.Items)),
		theme.NewSuccessThemedResource(theme.ConfirmIcon()), factGrids(facts)[0])
}

// receiveForm is the "Open a received export" form, kept for tests.
type receiveForm struct {
	form                   *recordForm
	folder, identity, pass *formEntry
	signer, reason         *formEntry
	usePass                *formCheck
}

// showReceive opens the form that verifies a received bundle and imports
// it into this case: nothing is written from a bundle that does not verify.
func (v *exportsView) showReceive() {
	u := v.u
	form := u.newRecordForm("Open a received export", "Verify and import",
		"Custodia checks the sender's signature and every file, decrypts the bundle in memory and checks every hash; "+
			"only a bundle that verifies completely is imported, each item with its hashes and its provenance.")
	form.width = 700
	r := &receiveForm{form: form}
	r.folder = form.entry("Bundle folder *", "The received export's folder")
	r.identity = form.entry("Identity file", "Your age identity (AGE-SECRET-KEY-1…) the bundle was encrypted to")
	r.usePass = form.checkBox("Passphrase", "The bundle is encrypted to a passphrase", func(on bool) {
		if on {
			r.pass.Enable()
			r.identity.Disable()
		} else {
			r.pass.Disable()
			r.identity.Enable()
		}
	})
	r.pass = form.password("Bundle passphrase", "")
	r.pass.Disable()
	r.signer = form.entry("Signer key id", "The 16 hex digits the sender gave you separately (recommended)")
	r.reason = form.entry("Reason", "Why it is imported (recorded)")
	form.check = func() bool {
		ok := form.require("Bundle folder", r.folder.Text, "Name the bundle's folder.")
		if ok && !isDir(strings.TrimSpace(r.folder.Text)) {
			form.setProblem("Bundle folder", "Not a folder: unpack a .tar bundle first.")
			ok = false
		}
		if r.usePass.Checked {
			return form.require("Bundle passphrase", r.pass.Text, "Type the bundle's passphrase.") && ok
		}
		return form.require("Identity file", r.identity.Text, "Name your identity file.") && ok
	}
	form.hand = func() {
		var ids export.Identities
		var err error
		if r.usePass.Checked {
			ids, err = export.PassphraseIdentity(r.pass.Text)
		} else {
			ids, err = export.IdentityFile(strings.TrimSpace(r.identity.Text))
		}
		if err != nil {
			u.showError("The export was not imported", err, nil)
			return
		}
		v.runImport(strings.TrimSpace(r.folder.Text), export.ImportOptions{Identities: ids, SignerKey: strings.TrimSpace(r.signer.Text),
			Reason: strings.TrimSpace(r.reason.Text)})
	}
	v.receiving = r
	form.onClosed = func() {
		if v.receiving == r {
			v.receiving = nil
		}
	}
	form.show(r.folder)
}

// runImport verifies and imports a bundle off the UI goroutine.
func (v *exportsView) runImport(dir string, opts export.ImportOptions) {
	u, cv := v.u, v.u.cv
	if cv == nil {
		return
	}
	oc := cv.oc
	p := u.newProgress("Opening a received export", "Verifying the signature and every hash, then importing the items.",
		"Stopping. Nothing is imported.")
	opts.Progress = p
	opts.Tool = "custodia " + toolVersion()
	u.runWork(p, func(ctx context.Context) func() {
		im, err := export.Import(ctx, dir, oc.c, opts)
		return u.afterChange(cv, factsCustody|factsEvidence, func() {
			v.lastImport = im
			switch {
			case im != nil && im.Verification != nil && !im.Verification.OK():
				var lines []string
				for _, pr := range im.Verification.Problems {
					lines = append(lines, shownLine(pr.String()))
				}
				l := widget.NewLabel(strings.Join(lines, "\n"))
				l.Wrapping = fyne.TextWrapWord
				u.setLastError(err)
				u.showNotice("The export does not verify", "Nothing was written into the case. Do not rely on this bundle: "+
					"ask the sender for a new copy.", theme.NewErrorThemedResource(theme.ErrorIcon()), l)
			case err != nil:
				u.showError("The export was not imported", err, nil)
			default:
				var lines []string
				for _, ev := range im.Items {
					lines = append(lines, shownLine(ev.Meta.Name)+" — SHA-256 "+ev.Meta.Hashes.SHA256)
				}
				l := widget.NewLabel(strings.Join(lines, "\n"))
				l.Wrapping = fyne.TextWrapBreak
				u.showNotice("Export imported", fmt.Sprintf("The bundle verified; %d item(s) were imported from %s (signer key %s), "+
					"with their provenance.", len(im.Items), shownLine(im.Verification.Manifest.Examiner.Name), im.Verification.SignerKey),
					theme.NewSuccessThemedResource(theme.ConfirmIcon()), l)
			}
		})
	})
}
