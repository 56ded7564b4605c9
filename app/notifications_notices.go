package app

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/google/uuid"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/notify"
	"github.com/custodia-dfir/custodia/casefile/notify/regime"
)

// The dialogs of the Notifications area for the impacted customers and
// the notices: import and add customers, draft, edit (with the checklist
// live), approve, export and mark sent; the checklist and the in-memory
// .eml preview of a notice. The track's own are in
// notifications_forms.go.

// showImport opens the form that imports the impacted customers from a
// CSV file.
func (v *notificationsView) showImport() {
	u := v.cv.u
	form := v.newNotifyForm("Import customers", "Import",
		"A CSV file with the header "+strings.Join(notify.CSVColumns, ",")+" (admin contacts and data categories separated by ';'). "+
			"Every customer is imported, or, on any error, none.")
	file := newFormEntry(form.keys, 0)
	file.SetPlaceHolder("The customer file (.csv)")
	file.OnChanged = func(string) { form.recheck() }
	choose := form.button("Choose…", theme.FileIcon(), func() { u.choosePath(file, false) })
	form.add("File *", container.NewBorder(nil, nil, nil, choose, file))
	form.fields["File"] = file
	reason := form.entry("Reason", "Where the list comes from (recorded)")
	form.check = func() bool {
		p := strings.TrimSpace(file.Text)
		if !form.require("File", p, "Choose the customer file.") {
			return false
		}
		if st, err := os.Stat(p); err != nil || st.IsDir() {
			form.setProblem("File", "No such file: "+p)
			return false
		}
		return true
	}
	var res notify.ImportResult
	form.build = func() func(*casefile.Case) error {
		p, r := strings.TrimSpace(file.Text), strings.TrimSpace(reason.Text)
		return func(c *casefile.Case) error {
			fh, err := os.Open(p)
			if err != nil {
				return err
			}
			defer fh.Close()
			res, err = notify.Of(c).ImportCSV(fh, r)
			return err
		}
	}
	form.saved = func() {
		u.showNotice("Customers imported", fmt.Sprintf("%s imported (file SHA-256 %s).", plural(res.Customers, "customer", "customers"), res.SHA256),
			theme.NewSuccessThemedResource(theme.ConfirmIcon()), nil)
	}
	form.show(file)
}

// showCustomer opens the form that adds an impacted customer (c nil) or
// records a new revision of c: the same fields, c's id fixed.
func (v *notificationsView) showCustomer(c *notify.Customer) {
	oc := v.cv.oc
	title, save, intro := "Add a customer", "Add", "An impacted customer, linked to the findings and evidence that put it in scope."
	if c != nil {
		title, save, intro = "Edit customer "+shownLine(c.ID), "Save", "A new revision of the customer; the earlier ones stay in the case."
	}
	form := v.newNotifyForm(title, save, intro)
	form.width = 700
	id := form.entry("ID *", "The customer's id in your systems")
	name := form.entry("Name *", "The customer's name")
	admins := form.entry("Admin contacts *", "E-mail addresses, separated by ';' or ','")
	juris := form.entry("Jurisdiction", "ISO 3166 code such as DE or US-CA")
	cats := form.entry("Data categories", "Separated by ';' or ','")
	subjects := form.entry("Data subjects", "The number of data subjects (0 when none or unknown)")
	var linkedEvidence []uuid.UUID
	if c != nil {
		id.SetText(c.ID)
		id.Disable()
		name.SetText(c.Name)
		admins.SetText(strings.Join(c.AdminContacts, "; "))
		juris.SetText(c.Jurisdiction)
		cats.SetText(strings.Join(c.DataCategories, "; "))
		subjects.SetText(fmt.Sprint(c.DataSubjects))
		linkedEvidence = c.Evidence
	}
	var findingIDs []uuid.UUID
	var findingLabels []string
	for _, fd := range oc.incident.findings {
		findingIDs = append(findingIDs, fd.ID)
		findingLabels = append(findingLabels, shownLine(fd.Title))
	}
	var findings *checkList
	if len(findingLabels) > 0 {
		findings = form.checks("Linked findings", findingLabels, nil, 1)
		for i, fid := range findingIDs { // by id: two findings may have one title
			if c != nil && slices.Contains(c.Findings, fid) {
				findings.checks[i].SetChecked(true)
			}
		}
	}
	evidence := evidenceChecks(form, "Linked evidence", oc.evidence.items, linkedEvidence...)
	reason := form.entry("Reason", "Why it is in scope, or what changed (recorded)")
	form.check = func() bool {
		ok := form.require("ID", id.Text, "Give the customer's id.")
		ok = form.require("Name", name.Text, "Give the customer's name.") && ok
		ok = form.require("Admin contacts", admins.Text, "Give at least one administrator's e-mail address.") && ok
		if s := strings.TrimSpace(subjects.Text); s != "" {
			if n, err := strconv.ParseInt(s, 10, 64); err != nil || n < 0 {
				form.setProblem("Data subjects", "Type a whole number (0 when none or unknown).")
				ok = false
			} else {
				form.setProblem("Data subjects", "")
			}
		}
		return ok
	}
	form.build = func() func(*casefile.Case) error {
		n, _ := strconv.ParseInt(strings.TrimSpace(subjects.Text), 10, 64)
		ci := notify.CustomerInfo{ID: strings.TrimSpace(id.Text), Name: strings.TrimSpace(name.Text), AdminContacts: listField(admins.Text),
			Jurisdiction: strings.TrimSpace(juris.Text), DataCategories: listField(cats.Text), DataSubjects: n, Evidence: evidence()}
		if findings != nil {
			for i, c := range findings.checks {
				if c.Checked {
					ci.Findings = append(ci.Findings, findingIDs[i])
				}
			}
		}
		r := strings.TrimSpace(reason.Text)
		if c != nil {
			cid := c.ID
			return func(cs *casefile.Case) error {
				_, err := notify.Of(cs).EditCustomer(cid, ci, r)
				return err
			}
		}
		return func(cs *casefile.Case) error {
			_, err := notify.Of(cs).AddCustomer(ci, r)
			return err
		}
	}
	if c != nil {
		form.show(name)
		return
	}
	form.show(id)
}

// listField splits a field of addresses or categories at ';', ',' and
// line breaks.
func listField(s string) []string {
	var out []string
	for _, p := range strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == ',' || r == '\n' }) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// noRegime is the regime choice of a notice that serves none.
const noRegime = "(none)"

// showNewNotice opens the form that drafts a notice from the case's facts.
func (v *notificationsView) showNewNotice() {
	f := v.cv.oc.notify
	form := v.newNotifyForm("New notice", "Draft",
		"The notice is drafted from the case's facts by its audience's template; the sections a regime requires form its checklist. "+
			"A customer notice goes to the customer's administrators.")
	form.width = 700
	audiences := make([]string, len(notify.Audiences))
	for i, a := range notify.Audiences {
		audiences[i] = string(a)
	}
	audience := form.radio("Audience *", audiences, "")
	regimes := append([]string{noRegime}, notify.Regimes...)
	sel := noRegime
	if len(f.track.Regimes) > 0 {
		sel = f.track.Regimes[0]
	}
	reg := form.choice("Regime", regimes, sel)
	var custIDs []string
	for _, c := range f.customers {
		custIDs = append(custIDs, c.ID)
	}
	cust := form.choice("Customer", custIDs, "")
	from := form.entry("From", "The sender's address, e.g. incident-response@example.com")
	cc := form.entry("Cc", "Addresses, separated by ';' or ','")
	reason := form.entry("Reason", "Why it is drafted (recorded)")
	form.check = func() bool {
		ok := form.require("Audience", audience.Selected, "Choose whom the notice is for.")
		switch {
		case audience.Selected == string(notify.AudienceCustomer) && cust.Selected == "":
			msg := "A notice to a customer needs the customer."
			if len(custIDs) == 0 {
				msg = "No customer is in scope yet: import or add them first."
			}
			form.setProblem("Customer", msg)
			ok = false
		default:
			form.setProblem("Customer", "")
		}
		if audience.Selected == string(notify.AudienceRegulator) && reg.Selected == noRegime {
			form.setProblem("Regime", "A notice to a regulator needs its regime.")
			ok = false
		} else {
			form.setProblem("Regime", "")
		}
		return ok
	}
	var drafted notify.Notice
	form.build = func() func(*casefile.Case) error {
		nn := notify.NewNotice{Audience: notify.Audience(audience.Selected), From: strings.TrimSpace(from.Text), Cc: listField(cc.Text),
			Reason: strings.TrimSpace(reason.Text)}
		if reg.Selected != noRegime {
			nn.Regime = reg.Selected
		}
		if nn.Audience == notify.AudienceCustomer {
			nn.Customer = cust.Selected
		}
		return func(c *casefile.Case) error {
			var err error
			drafted, err = notify.Of(c).DraftNotice(nn)
			return err
		}
	}
	form.saved = func() { v.choose(drafted.ID) }
	form.show(nil)
}

// choose chooses notice id in the table.
func (v *notificationsView) choose(id uuid.UUID) {
	v.notices.selected = id
	v.notices.reload()
	v.showChosen()
	v.enable()
}

// showEditNotice opens the notice editor: addresses, subject and body,
// with the checklist live as the body is typed.
func (v *notificationsView) showEditNotice() {
	n := v.chosenNotice()
	if n == nil {
		return
	}
	cur := *n
	form := v.newNotifyForm("Edit notice "+cur.ID.String()[:8], "Save revision",
		fmt.Sprintf("You write revision %d of this notice (%s). Each required item is a section \"== Heading ==\" with text that is "+
			"not a placeholder (\"[to be completed: …]\"). An approval of an earlier revision does not carry over.", cur.Revision+1, noticeWhat(cur)))
	form.width = 820
	from := form.entry("From", "The sender's address")
	from.SetText(cur.From)
	to := form.entry("To", "Addresses, separated by ';' or ','")
	to.SetText(strings.Join(cur.To, "; "))
	cc := form.entry("Cc", "Addresses, separated by ';' or ','")
	cc.SetText(strings.Join(cur.Cc, "; "))
	subject := form.entry("Subject *", "One line")
	subject.SetText(cur.Subject)
	// The checklist stands above the body, one truncated line an item, so
	// typing never changes its height and nothing moves.
	checklist := widget.NewLabel(checklistLines(cur.Checklist, false))
	checklist.Truncation = fyne.TextTruncateEllipsis
	form.note("Checklist", checklist)
	body := form.text("Body *", "Plain text; sections \"== Heading ==\"", 10)
	body.SetText(cur.Body)
	reason := form.entry("Reason", "What changed (recorded)")
	form.live = true
	form.check = func() bool {
		checklist.SetText(checklistLines(notify.Checklist(cur.Regime, body.Text), false))
		ok := form.require("Subject", subject.Text, "Give the subject.")
		if strings.ContainsAny(subject.Text, "\r\n") {
			form.setProblem("Subject", "The subject is one line.")
			ok = false
		}
		return form.require("Body", body.Text, "Write the notice.") && ok
	}
	form.build = func() func(*casefile.Case) error {
		nc := cur.NoticeContent
		nc.From, nc.To, nc.Cc = strings.TrimSpace(from.Text), listField(to.Text), listField(cc.Text)
		nc.Subject, nc.Body = strings.TrimSpace(subject.Text), body.Text
		r := strings.TrimSpace(reason.Text)
		return func(c *casefile.Case) error {
			_, err := notify.Of(c).EditNotice(cur.ID, nc, r)
			return err
		}
	}
	form.show(body)
}

// noticeWhat says whom a notice is for: "to customer C-1001, gdpr".
func noticeWhat(n notify.Notice) string {
	s := "to " + string(n.Audience)
	if n.Customer != "" {
		s += " " + shownLine(n.Customer)
	}
	if n.Regime != "" {
		s += ", " + n.Regime
	}
	return s
}

// showApprove opens the form in which the acting examiner approves the
// chosen notice under their own name.
func (v *notificationsView) showApprove() {
	n := v.chosenNotice()
	if n == nil {
		return
	}
	id, rev := n.ID, n.Revision
	form := v.newNotifyForm("Approve notice "+id.String()[:8], "Approve",
		fmt.Sprintf("You approve revision %d of the notice \"%s\". Your approval is recorded in the custody ledger under your name, "+
			"signed with your key, and pins the revision's content.", rev, shownLine(n.Subject)))
	reason := form.entry("Reason", "What you checked (recorded)")
	form.build = func() func(*casefile.Case) error {
		r := strings.TrimSpace(reason.Text)
		return func(c *casefile.Case) error {
			_, err := notify.Of(c).ApproveNotice(id, r)
			return err
		}
	}
	form.show(reason)
}

// showExport opens the form that exports the chosen notice as one .eml
// file per recipient into a folder.
func (v *notificationsView) showExport() {
	n := v.chosenNotice()
	if n == nil {
		return
	}
	u := v.cv.u
	id := n.ID
	form := v.newNotifyForm("Export notice "+id.String()[:8], "Export",
		fmt.Sprintf("One RFC 5322 .eml file per recipient (%s), with text and HTML alternatives, written into the folder; "+
			"no file is overwritten. The export is recorded with each file's SHA-256.", shownLine(strings.Join(n.To, ", "))))
	folder := newFormEntry(form.keys, 0)
	folder.SetText(defaultFolder(u.cfg.DefaultFolder))
	folder.OnChanged = func(string) { form.recheck() }
	choose := form.button("Choose…", theme.FolderOpenIcon(), func() { u.choosePath(folder, true) })
	form.add("Folder *", container.NewBorder(nil, nil, nil, choose, folder))
	form.fields["Folder"] = folder
	attach := v.attachmentsField(form)
	form.check = func() bool {
		p := strings.TrimSpace(folder.Text)
		if !form.require("Folder", p, "Choose the folder.") {
			return false
		}
		if !isDir(p) {
			form.setProblem("Folder", "Not a folder: "+p)
			return false
		}
		return true
	}
	var out []notify.EML
	form.build = func() func(*casefile.Case) error {
		dir := strings.TrimSpace(folder.Text)
		paths := listPaths(attach.Text)
		return func(c *casefile.Case) error {
			atts, err := notify.ReadAttachments(paths)
			if err != nil {
				return err
			}
			out, err = notify.Of(c).Export(id, dir, atts...)
			return err
		}
	}
	form.saved = func() {
		v.lastExport = out
		var ls []string
		for _, e := range out {
			ls = append(ls, filepath.Base(e.Path)+"  SHA-256 "+e.SHA256)
		}
		l := wrapped(strings.Join(ls, "\n"))
		u.showNotice("Notice exported", plural(len(out), "message was", "messages were")+" written and the export recorded.",
			theme.NewSuccessThemedResource(theme.ConfirmIcon()), l)
	}
	form.show(folder)
}

// attachmentsField adds the Attachments field to form: files separated
// by ';', "Add file…" appends one.
func (v *notificationsView) attachmentsField(form *recordForm) *formEntry {
	attach := form.entry("Attachments", "Files to attach, e.g. a report PDF, separated by ';' (at most 10 files, 18 MiB)")
	add := form.button("Add file…", theme.FileIcon(), func() {
		pick := newFormEntry(form.keys, 0)
		pick.OnChanged = func(p string) {
			if p = strings.TrimSpace(p); p != "" {
				attach.SetText(strings.Join(append(listPaths(attach.Text), p), "; "))
			}
		}
		v.cv.u.choosePath(pick, false)
	})
	form.note("", container.NewHBox(add))
	return attach
}

// listPaths splits a field of paths at ';'.
func listPaths(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ";") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// showSend opens the form that sends the chosen notice through a mail
// server. The server's settings and password are kept only while the form
// is open; nothing of them is stored in the case.
func (v *notificationsView) showSend() {
	n := v.chosenNotice()
	if n == nil {
		return
	}
	u := v.cv.u
	id := n.ID
	form := v.newNotifyForm("Send notice "+id.String()[:8]+" by e-mail", "Send",
		fmt.Sprintf("One message per recipient (%s), byte for byte what Export writes; the first also goes to the Cc recipients. "+
			"The recipients the server accepts are recorded as sent with each message's SHA-256; those it refuses are named.",
			shownLine(strings.Join(n.To, ", "))))
	form.width = 720
	server := form.entry("Mail server *", "smtp.example.org or smtp.example.org:587")
	security := form.radio("Security *", notify.Securities, notify.SecuritySTARTTLS)
	user := form.entry("Account", "Empty when the server takes mail without a login")
	pass := form.password("Password", "The account's password (kept only while this form is open)")
	ca := newFormEntry(form.keys, 0)
	ca.SetPlaceHolder("Empty for the system's certificates")
	chooseCA := form.button("Choose…", theme.FolderOpenIcon(), func() { u.choosePath(ca, false) })
	form.add("Trusted certificates", container.NewBorder(nil, nil, nil, chooseCA, ca))
	form.fields["Trusted certificates"] = ca
	attach := v.attachmentsField(form)
	obligations := []string{noRegime}
	if r, ok := regime.Lookup(n.Regime); ok {
		for _, o := range r.Obligations {
			obligations = append(obligations, o.ID)
		}
	}
	obl := form.choice("Obligation met", obligations, noRegime)
	only := form.entry("Only to", "Empty for every recipient; after a server refused some, those addresses")
	reason := form.entry("Reason *", "Why and to whom it is sent now (recorded)")
	form.check = func() bool {
		ok := form.require("Mail server", server.Text, "Give the mail server, e.g. smtp.example.org:587.")
		if _, p, err := net.SplitHostPort(strings.TrimSpace(server.Text)); ok && err == nil {
			if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
				form.setProblem("Mail server", "The port after ':' is a number from 1 to 65535, e.g. smtp.example.org:587.")
				ok = false
			}
		}
		if strings.TrimSpace(user.Text) != "" && pass.Text == "" {
			form.setProblem("Password", "Give the account's password, or leave Account empty.")
			ok = false
		} else {
			form.setProblem("Password", "")
		}
		return form.require("Reason", reason.Text, "Say why it is sent now.") && ok
	}
	var sent notify.Sent
	form.build = func() func(*casefile.Case) error {
		srv := notify.SMTPServer{Host: strings.TrimSpace(server.Text), Security: security.Selected,
			Username: strings.TrimSpace(user.Text), Password: pass.Text}
		if h, p, err := net.SplitHostPort(srv.Host); err == nil {
			srv.Host = h
			srv.Port, _ = strconv.Atoi(p) // checked in form.check
		}
		caPath, paths, r, onlyTo := strings.TrimSpace(ca.Text), listPaths(attach.Text), strings.TrimSpace(reason.Text), listField(only.Text)
		o := ""
		if obl.Selected != noRegime {
			o = obl.Selected
		}
		return func(c *casefile.Case) error {
			if caPath != "" {
				pool, err := notify.ReadCertPool(caPath)
				if err != nil {
					return err
				}
				srv.RootCAs = pool
			}
			atts, err := notify.ReadAttachments(paths)
			if err != nil {
				return err
			}
			sent, err = notify.Of(c).Send(context.Background(), id, srv, notify.SendOptions{Obligation: o, Reason: r, Attachments: atts, Only: onlyTo})
			if err != nil && len(sent.Accepted) > 0 && len(sent.Refused) > 0 {
				// The accepted ones are recorded: offer the refused ones
				// for the next try.
				var refused []string
				for a := range sent.Refused {
					refused = append(refused, a)
				}
				slices.Sort(refused)
				u.do(func() { only.SetText(strings.Join(refused, ", ")) })
			}
			return err
		}
	}
	form.saved = func() {
		var ls []string
		for _, e := range sent.Accepted {
			ls = append(ls, shownLine(e.To)+"  SHA-256 "+e.SHA256)
		}
		u.showNotice("Notice sent", plural(len(sent.Accepted), "message was", "messages were")+" accepted by the server and recorded as sent.",
			theme.NewSuccessThemedResource(theme.ConfirmIcon()), wrapped(strings.Join(ls, "\n")))
	}
	form.show(server)
}

// showMarkSent opens the form that records that the chosen notice was
// sent: when, through which channel, to whom, and the obligation it met.
func (v *notificationsView) showMarkSent() {
	n := v.chosenNotice()
	if n == nil {
		return
	}
	id := n.ID
	form := v.newNotifyForm("Mark notice "+id.String()[:8]+" sent", "Record",
		"Record that the notice was sent. Naming the obligation it meets stops that clock (\"met by notice\").")
	form.width = 700
	at := form.entry("Sent at", "Empty for now; "+timeHint)
	channel := form.radio("Channel *", notify.Channels, "email")
	rcpts := form.entry("Recipients", "Empty for the notice's To and Cc: "+shownLine(strings.Join(append(slices.Clone(n.To), n.Cc...), ", ")))
	obligations := []string{noRegime}
	if r, ok := regime.Lookup(n.Regime); ok {
		for _, o := range r.Obligations {
			obligations = append(obligations, o.ID)
		}
	}
	obl := form.choice("Obligation met", obligations, noRegime)
	reason := form.entry("Reason", "How it was sent (recorded)")
	form.check = func() bool {
		_, ok := optionalTime(form, "Sent at", at.Text)
		return ok
	}
	form.build = func() func(*casefile.Case) error {
		t, _ := optionalTime(form, "Sent at", at.Text)
		ns := notify.NewSending{At: t, Channel: channel.Selected, Recipients: listField(rcpts.Text), Reason: strings.TrimSpace(reason.Text)}
		if obl.Selected != noRegime {
			ns.Obligation = obl.Selected
		}
		return func(c *casefile.Case) error {
			_, err := notify.Of(c).MarkSent(id, ns)
			return err
		}
	}
	form.show(nil)
}

// checklistText lists a notice's checklist, the missing items flagged
// with what the provision asks for.
func checklistText(items []notify.CheckItem) string { return checklistLines(items, true) }

// checklistLines lists a checklist one item a line and a summary line;
// without needs, every line is short, so the list is as high for any body
// (the editor's, which must not move the fields under the pointer).
func checklistLines(items []notify.CheckItem, needs bool) string {
	if len(items) == 0 {
		return "The notice's regime has no checklist of required content here."
	}
	var b strings.Builder
	missing := 0
	for _, c := range items {
		if c.Met {
			fmt.Fprintf(&b, "✓ %s — %s\n", c.Ref, c.Heading)
		} else {
			missing++
			if needs {
				fmt.Fprintf(&b, "✗ MISSING %s — %s: %s\n", c.Ref, c.Heading, c.Need)
			} else {
				fmt.Fprintf(&b, "✗ MISSING %s — %s\n", c.Ref, c.Heading)
			}
		}
	}
	if missing == 0 {
		b.WriteString("Every required item is there.")
	} else {
		fmt.Fprintf(&b, "%s missing: complete those sections before the notice is approved.", plural(missing, "item", "items"))
	}
	return b.String()
}

// emlPreview renders notice n to its first recipient as Export would, in
// memory, and shows its headers and text body.
func emlPreview(n notify.Notice, at time.Time) string {
	if len(n.To) == 0 {
		return "No preview: the notice has no recipient yet; set To (Edit notice)."
	}
	raw, err := notify.Message(n, n.To[0], 1, at)
	if err != nil {
		return "No preview: " + userMessage(err)
	}
	head, text, err := splitMessage(raw)
	if err != nil {
		return "No preview: the message could not be read back (" + err.Error() + ")."
	}
	return shown(head + "\n\n" + text)
}

// splitMessage returns a message's header block and its text/plain body,
// decoded, as a mail client would show them.
func splitMessage(raw []byte) (string, string, error) {
	i := bytes.Index(raw, []byte("\r\n\r\n"))
	if i < 0 {
		return "", "", fmt.Errorf("no end of headers")
	}
	// Folded header lines are shown unfolded, one header a line.
	head := strings.ReplaceAll(strings.ReplaceAll(string(raw[:i]), "\r\n ", " "), "\r\n", "\n")
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return "", "", err
	}
	text, err := textPart(m.Header.Get("Content-Type"), m.Body)
	return head, text, err
}

// textPart finds the first text/plain part of a body of content type ct.
func textPart(ct string, body io.Reader) (string, error) {
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return "", err
	}
	if strings.HasPrefix(mt, "multipart/") {
		r := multipart.NewReader(body, params["boundary"])
		for {
			p, err := r.NextPart()
			if err == io.EOF {
				return "", fmt.Errorf("no text part")
			}
			if err != nil {
				return "", err
			}
			if t, err := textPart(p.Header.Get("Content-Type"), p); err == nil {
				return t, nil
			}
		}
	}
	if mt != "text/plain" {
		return "", fmt.Errorf("not text")
	}
	b, err := io.ReadAll(io.LimitReader(body, notify.MaxBodyLen+1))
	return strings.ReplaceAll(string(b), "\r\n", "\n"), err
}
