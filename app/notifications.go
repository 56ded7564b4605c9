package app

import (
	"fmt"
	"strings"
	"sync"
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

// notificationsArea is the Notifications area (issue 15): the
// notification track as a pipeline (scope → drafts → review → declaration
// → sent), the legal clocks of the chosen regimes counting down, the
// impacted customers, the notices with the chosen one's checklist and a
// preview of its .eml, and the actions of the track, each enabled only
// for a role that may take it. The track's dialogs and the rules that
// enable the actions are in notifications_forms.go; those of customers and
// notices, the checklist and the .eml preview in notifications_notices.go.
type notificationsArea struct{}

func (notificationsArea) title() string            { return "Notifications" }
func (notificationsArea) icon() fyne.ThemeIconName { return theme.IconNameMailSend }
func (notificationsArea) fill() bool               { return false }

// notifyFacts is what the Notifications area shows of the notification
// track. It is read off the UI goroutine with the other facts (readFacts).
type notifyFacts struct {
	track     notify.Track
	customers []notify.Customer
	notices   []notify.Notice
	err       error // the first read that failed; the rest may be partial
}

// readNotify reads the notification track of c. It runs off the UI
// goroutine.
func readNotify(c *casefile.Case) notifyFacts {
	var f notifyFacts
	keep := func(err error) {
		if err != nil && f.err == nil {
			f.err = err
		}
	}
	s := notify.Of(c)
	var err error
	f.track, err = s.Track()
	keep(err)
	f.customers, err = s.Customers()
	keep(err)
	f.notices, err = s.Notices()
	keep(err)
	return f
}

// notice returns the notice with id, or nil.
func (f notifyFacts) notice(id uuid.UUID) *notify.Notice {
	return find(f.notices, func(n *notify.Notice) bool { return n.ID == id })
}

// wrapRow lays buttons out in a row that wraps onto more rows when the
// width is short. It is as narrow as its widest button, and as high as
// its rows at the width it was last laid out at (a second layout pass
// settles it, as for a wrapped label: relayout).
type wrapRow struct{ width float32 }

func (l *wrapRow) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	l.width = size.Width
	l.place(objs, size.Width, true)
}

func (l *wrapRow) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var w float32
	for _, o := range objs {
		if o.Visible() {
			w = max(w, o.MinSize().Width)
		}
	}
	width := l.width
	if width <= 0 {
		width = 1 << 20 // not laid out yet: one row
	}
	return fyne.NewSize(w, l.place(objs, width, false))
}

// place puts objs in rows within width (moving them when move) and
// returns the height of the rows.
func (l *wrapRow) place(objs []fyne.CanvasObject, width float32, move bool) float32 {
	pad := theme.Padding()
	var x, y, rowH float32
	first := true
	for _, o := range objs {
		if !o.Visible() {
			continue
		}
		s := o.MinSize()
		if !first && x+s.Width > width {
			x, y, rowH = 0, y+rowH+pad, 0
		}
		first = false
		if move {
			o.Resize(s)
			o.Move(fyne.NewPos(x, y))
		}
		x += s.Width + pad
		rowH = max(rowH, s.Height)
	}
	return y + rowH
}

// clockTick is how often the clocks count down on screen.
var clockTick = time.Minute

// notificationsView is the Notifications area on screen.
type notificationsView struct {
	cv *caseView

	steps       [5]*pipelineStep
	asOf        *widget.Label
	clockSrc    *listSource[regime.Clock]
	clocks      *dataTable
	customerSrc *listSource[notify.Customer]
	customers   *dataTable
	noticeSrc   *listSource[notify.Notice]
	notices     *dataTable
	checklist   *widget.Label
	preview     *widget.Label
	declaration *widget.Label
	loadProblem *widget.Label

	start, trigger, regimes, delay         *actionButton
	declare, noBreach                      *actionButton
	importCustomers, addCustomer           *actionButton
	editCustomer                           *actionButton
	newNotice, editNotice, approve, export *actionButton
	markSent, send                         *actionButton

	ticker *clockTicker
	root   *fyne.Container

	lastExport []notify.EML // the files of the last export, for tests
}

// pipelineStep is one step of the pipeline strip: its name, a count and
// its state.
type pipelineStep struct {
	name, count, state *widget.Label
	icon               *widget.Icon
	box                fyne.CanvasObject
}

func newPipelineStep(name string) *pipelineStep {
	s := &pipelineStep{name: widget.NewLabelWithStyle(name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		count: widget.NewLabel(""), state: mutedLabel(""), icon: widget.NewIcon(nil)}
	s.count.Truncation = fyne.TextTruncateEllipsis
	s.name.Truncation = fyne.TextTruncateEllipsis // five steps fit a narrow window
	s.box = widget.NewCard("", "", container.NewVBox(container.NewBorder(nil, nil, s.icon, nil, s.name), s.count, s.state))
	return s
}

// set shows the step's count and state; done marks a step that is
// complete, started one under way.
func (s *pipelineStep) set(count, state string, done, started bool) {
	s.count.SetText(count)
	s.state.SetText(state)
	switch {
	case done:
		s.icon.SetResource(theme.NewSuccessThemedResource(theme.ConfirmIcon()))
	case started:
		s.icon.SetResource(theme.NewWarningThemedResource(theme.MediaPlayIcon()))
	default:
		s.icon.SetResource(theme.NewDisabledResource(theme.RadioButtonIcon()))
	}
}

func (a notificationsArea) build(cv *caseView) areaView {
	v := &notificationsView{cv: cv}
	for i, name := range []string{"Scope", "Drafts", "Review", "Declaration", "Sent"} {
		v.steps[i] = newPipelineStep(name)
	}
	v.loadProblem = problemLabel()
	v.asOf = mutedLabel("")
	v.declaration = valueLabel()
	v.checklist = valueLabel()
	v.preview = valueLabel()
	v.preview.TextStyle = fyne.TextStyle{Monospace: true}
	v.preview.Wrapping = fyne.TextWrapBreak

	v.start = cv.action("Start track…", theme.MediaPlayIcon(), v.showStart)
	v.trigger = cv.action("Record trigger…", theme.HistoryIcon(), v.showTrigger)
	v.regimes = cv.action("Choose regimes…", theme.ListIcon(), v.showRegimes)
	v.delay = cv.action("Law-enforcement delay…", theme.MediaPauseIcon(), v.showDelay)
	v.declare = cv.action("Declare breach…", theme.WarningIcon(), func() { v.showDeclare(true) })
	v.noBreach = cv.action("No breach…", theme.CancelIcon(), func() { v.showDeclare(false) })
	v.importCustomers = cv.action("Import customers…", theme.FolderOpenIcon(), v.showImport)
	v.addCustomer = cv.action("Add customer…", theme.ContentAddIcon(), func() { v.showCustomer(nil) })
	v.editCustomer = cv.action("Edit customer…", theme.DocumentCreateIcon(), func() {
		if c := v.chosenCustomer(); c != nil {
			v.showCustomer(c)
		}
	})
	v.newNotice = cv.action("New notice…", theme.DocumentCreateIcon(), v.showNewNotice)
	v.editNotice = cv.action("Edit notice…", theme.DocumentCreateIcon(), v.showEditNotice)
	v.approve = cv.action("Approve notice…", theme.ConfirmIcon(), v.showApprove)
	v.export = cv.action("Export .eml…", theme.DownloadIcon(), v.showExport)
	v.markSent = cv.action("Mark sent…", theme.MailSendIcon(), v.showMarkSent)
	v.send = cv.action("Send by e-mail…", theme.MailSendIcon(), v.showSend)

	v.clockSrc = newListSource([]listColumn[regime.Clock]{
		{dataColumn{title: "Regime", width: 110}, func(c *regime.Clock) dataCell { return cell(regimeName(c.Regime)) }, nil},
		{dataColumn{title: "Obligation", width: 230}, func(c *regime.Clock) dataCell {
			return dataCell{text: c.Name, full: c.Name + " (" + c.Obligation + ")"}
		}, nil},
		{dataColumn{title: "Time left", width: 300}, func(c *regime.Clock) dataCell { return v.countdownCell(*c) }, nil},
		{dataColumn{title: "Due (UTC)", width: 180}, func(c *regime.Clock) dataCell {
			if c.Due.IsZero() {
				return cell(notSet)
			}
			return cell(c.Due.Format(timeLayout))
		}, func(a, b *regime.Clock) int { return a.Due.Compare(b.Due) }},
		{dataColumn{title: "Due (regime zone)", width: 330}, func(c *regime.Clock) dataCell { return cell(orNotSet(c.DueLocal)) }, nil},
		{dataColumn{title: "Trigger", width: 260}, func(c *regime.Clock) dataCell {
			if c.TriggerAt.IsZero() {
				return cell(string(c.Trigger) + " — not recorded")
			}
			return cell(string(c.Trigger) + " " + c.TriggerAt.Format(timeLayout))
		}, nil},
	}, func(c *regime.Clock) any { return c.Key() })
	v.clocks = v.clockSrc.table(cv.u, 1, 14)

	v.customerSrc = newListSource([]listColumn[notify.Customer]{
		{dataColumn{title: "ID", width: 120}, func(c *notify.Customer) dataCell { return cell(shownLine(c.ID)) }, nil},
		{dataColumn{title: "Name", width: 220}, func(c *notify.Customer) dataCell { return cell(shownLine(c.Name)) }, nil},
		{dataColumn{title: "Jurisdiction", width: 110}, func(c *notify.Customer) dataCell { return cell(orNotSet(shownLine(c.Jurisdiction))) }, nil},
		{dataColumn{title: "Data subjects", width: 120}, func(c *notify.Customer) dataCell {
			return dataCell{text: fmt.Sprint(c.DataSubjects), end: true}
		}, nil},
		{dataColumn{title: "Data categories", width: 220}, func(c *notify.Customer) dataCell {
			return cell(orNotSet(shownLine(strings.Join(c.DataCategories, ", "))))
		}, nil},
		{dataColumn{title: "Admin contacts", width: 320}, func(c *notify.Customer) dataCell {
			return cell(shownLine(strings.Join(c.AdminContacts, ", ")))
		}, nil},
	}, func(c *notify.Customer) any { return c.ID })
	v.customers = v.customerSrc.table(cv.u, 1, 8)
	v.customers.onSelect = func(any) { v.enable() }

	v.noticeSrc = newListSource([]listColumn[notify.Notice]{
		{dataColumn{title: "Notice", width: 90}, func(n *notify.Notice) dataCell {
			return dataCell{text: n.ID.String()[:8], full: n.ID.String(), mono: true}
		}, nil},
		{dataColumn{title: "Audience", width: 120}, func(n *notify.Notice) dataCell { return cell(string(n.Audience)) }, nil},
		{dataColumn{title: "Regime", width: 90}, func(n *notify.Notice) dataCell { return cell(orNotSet(n.Regime)) }, nil},
		{dataColumn{title: "Customer", width: 100}, func(n *notify.Notice) dataCell { return cell(orNotSet(shownLine(n.Customer))) }, nil},
		{dataColumn{title: "Rev.", width: 50}, func(n *notify.Notice) dataCell { return dataCell{text: fmt.Sprint(n.Revision), end: true} }, nil},
		{dataColumn{title: "Status", width: 100}, func(n *notify.Notice) dataCell { return noticeStatusCell(*n) }, nil},
		{dataColumn{title: "Missing", width: 80}, func(n *notify.Notice) dataCell {
			m := len(n.Missing())
			if m == 0 {
				return dataCell{text: "0", end: true}
			}
			return dataCell{text: fmt.Sprint(m), end: true, imp: widget.WarningImportance}
		}, nil},
		{dataColumn{title: "Subject", width: 420}, func(n *notify.Notice) dataCell { return cell(shownLine(n.Subject)) }, nil},
	}, func(n *notify.Notice) any { return n.ID })
	v.notices = v.noticeSrc.table(cv.u, 1, 8)
	v.notices.onSelect = func(any) { v.showChosen(); v.enable() }

	strip := container.NewGridWithColumns(5)
	for _, s := range v.steps {
		strip.Add(s.box)
	}
	// The rows of buttons wrap in a narrow window rather than widen it.
	trackButtons := container.New(&wrapRow{}, v.start, v.trigger, v.regimes, v.delay)
	declButtons := container.New(&wrapRow{}, v.declare, v.noBreach)
	customerButtons := container.New(&wrapRow{}, v.importCustomers, v.addCustomer, v.editCustomer)
	noticeButtons := container.New(&wrapRow{}, v.newNotice, v.editNotice, v.approve, v.export, v.send, v.markSent)
	chosen := container.NewGridWithColumns(2,
		container.NewVBox(widget.NewLabelWithStyle("Checklist", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), v.checklist),
		container.NewVBox(widget.NewLabelWithStyle("Preview of the .eml (first recipient)", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), v.preview))
	v.root = container.NewVBox(
		heading(a.title()),
		v.loadProblem,
		strip,
		sectionWith("Clocks", container.NewVBox(v.asOf, v.clocks.box, trackButtons)),
		sectionWith("Declaration", container.NewVBox(v.declaration, declButtons)),
		sectionWith("Impacted customers", container.NewVBox(v.customers.box, customerButtons)),
		sectionWith("Notices", container.NewVBox(v.notices.box, noticeButtons, widget.NewSeparator(), chosen)),
	)
	v.load()
	return v
}

func (v *notificationsView) content() fyne.CanvasObject { return v.root }

func (v *notificationsView) refresh(what factSet) {
	if what.has(factsNotify | factsCustody) {
		v.load()
	} else {
		v.enable()
	}
}

// shown starts the ticker that counts the clocks down once the area is on
// screen; hidden stops it when the area is replaced or the case closed.
func (v *notificationsView) shown() {
	if v.ticker == nil {
		v.ticker = startClockTicker(v.cv.u, clockTick, func() {
			if v.cv.u.cv != v.cv || v.cv.view != v {
				v.hidden()
				return
			}
			v.tick()
		})
	}
}

func (v *notificationsView) hidden() {
	if v.ticker != nil {
		v.ticker.stop()
	}
}

// clockTicker calls f on the UI goroutine every interval until stopped or
// until the UI shuts down; its goroutine then ends (done is closed).
type clockTicker struct {
	quit chan struct{}
	done chan struct{}
	once sync.Once
}

func startClockTicker(u *UI, interval time.Duration, f func()) *clockTicker {
	t := &clockTicker{quit: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(t.done)
		tk := time.NewTicker(interval)
		defer tk.Stop()
		for {
			select {
			case <-t.quit:
				return
			case <-tk.C:
				u.mu.Lock()
				down := u.shutdown
				u.mu.Unlock()
				if down {
					return
				}
				u.do(func() {
					select {
					case <-t.quit:
					default:
						f()
					}
				})
			}
		}
	}()
	return t
}

// stop ends the ticker; safe to call more than once, from any goroutine.
func (t *clockTicker) stop() { t.once.Do(func() { close(t.quit) }) }

// load shows the facts of the track.
func (v *notificationsView) load() {
	f := v.cv.oc.notify
	if f.err != nil {
		setProblem(v.loadProblem, "Part of the notification track could not be read: "+userMessage(f.err)+" "+hint(f.err))
	} else {
		setProblem(v.loadProblem, "")
	}
	v.customerSrc.set(f.customers)
	v.customers.reload()
	v.noticeSrc.set(f.notices)
	v.notices.reload()
	v.showPipeline()
	v.showDeclaration()
	v.tick()
	v.showChosen()
	v.enable()
	relayout(v.root)
}

// tick computes the clocks again as of now and shows them.
func (v *notificationsView) tick() {
	f := v.cv.oc.notify
	now := v.cv.u.now()
	v.asOf.SetText("As of " + now.Format(timeLayout) + "; the time left counts down every minute.")
	cs, err := notify.ClocksOf(f.track, f.notices, now)
	switch {
	case err != nil:
		v.asOf.SetText("The clocks could not be computed: " + userMessage(err))
	case f.track.Start == nil:
		v.asOf.SetText("The track is not started: no clock runs yet. Start it with the time the organisation became aware.")
	case len(f.track.Regimes) == 0:
		v.asOf.SetText("No regime is chosen: choose the applicable regimes to see their clocks.")
	}
	v.clockSrc.set(cs)
	v.clocks.reload()
}

// countdownCell is a clock's time left as a person reads it, coloured: a
// warning under 25 % of its period or 24 h, red when overdue, the
// primary colour while paused, green once met.
func (v *notificationsView) countdownCell(c regime.Clock) dataCell {
	now := v.cv.u.now()
	switch c.Status {
	case regime.MetStatus:
		t := "met by notice " + shortID(c.MetBy)
		if c.Late {
			return dataCell{text: t + ", late", imp: widget.WarningImportance, icon: theme.ConfirmIcon()}
		}
		return dataCell{text: t, imp: widget.SuccessImportance, icon: theme.ConfirmIcon()}
	case regime.NotStarted:
		if c.TriggerAt.IsZero() {
			return cell("not started: record the " + string(c.Trigger) + " decision")
		}
		return cell("not started")
	case regime.Paused:
		t := "paused"
		if d := v.activeDelay(c.Regime, now); d != nil {
			t = "paused until " + d.Until.UTC().Format(timeLayout) + " (law enforcement: " + shownLine(d.Agency) + ")"
		}
		return dataCell{text: t, imp: widget.HighImportance, icon: theme.MediaPauseIcon()}
	case regime.Overdue:
		return dataCell{text: "overdue by " + spanText(now.Sub(c.Due)), imp: widget.DangerImportance, icon: theme.ErrorIcon()}
	case regime.NotRequired:
		if d := v.cv.oc.notify.track.Declaration; d != nil && !d.Breach {
			return cell("not required: no breach is declared")
		}
		return cell("does not apply to this case (Choose regimes…)")
	}
	if c.Due.IsZero() {
		return cell("running: without undue delay")
	}
	left := c.Due.Sub(now)
	t := spanText(left) + " left"
	if c.Provisional {
		t += " (provisional)"
	}
	period := c.Due.Sub(c.TriggerAt)
	if left < 24*time.Hour || (period > 0 && left*4 < period) {
		return dataCell{text: t, imp: widget.WarningImportance, icon: theme.WarningIcon()}
	}
	return cell(t)
}

// activeDelay is the recorded law-enforcement delay in force at now when
// regime id allows one, or nil.
func (v *notificationsView) activeDelay(id string, now time.Time) *notify.Delay {
	if r, ok := regime.Lookup(id); !ok || !r.DelayAllowed {
		return nil
	}
	r, _ := regime.Lookup(id)
	ds := v.cv.oc.notify.track.Delays
	for i := range ds {
		d := ds[i]
		if limit := d.From.Add(time.Duration(r.OralDelayDays) * 24 * time.Hour); !d.Written && r.OralDelayDays > 0 && limit.Before(d.Until) {
			d.Until = limit // an oral direction pauses this regime's clocks only so long (HIPAA: 30 days)
		}
		if !now.Before(d.From) && now.Before(d.Until) {
			return &d
		}
	}
	return nil
}

// spanText writes a duration for a countdown: "2 d 4 h", "5 h 12 min",
// "12 min", "less than a minute".
func spanText(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	mins := int64(d / time.Minute)
	switch {
	case mins < 1:
		return "less than a minute"
	case mins < 60:
		return fmt.Sprintf("%d min", mins)
	case mins < 24*60:
		return fmt.Sprintf("%d h %d min", mins/60, mins%60)
	}
	return fmt.Sprintf("%d d %d h", mins/(24*60), mins/60%24)
}

// shortID is the first 8 digits of a notice id, as the CLI shows it.
func shortID(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}

// regimeName names regime id as the regime table does: "EU GDPR".
func regimeName(id string) string {
	if r, ok := regime.Lookup(id); ok {
		return r.Name
	}
	return id
}

func noticeStatusCell(n notify.Notice) dataCell {
	switch n.Status() {
	case "sent":
		return dataCell{text: "sent", imp: widget.SuccessImportance}
	case "approved":
		return dataCell{text: "approved", imp: widget.HighImportance}
	}
	return cell("draft")
}

// showPipeline fills the pipeline strip.
func (v *notificationsView) showPipeline() {
	f := v.cv.oc.notify
	var drafts, approved, sent int
	for _, n := range f.notices {
		switch n.Status() {
		case "draft":
			drafts++
		case "approved":
			approved++
		case "sent":
			sent++
		}
	}
	total := len(f.notices)
	started := f.track.Start != nil
	scope := "not started"
	if started {
		scope = "since " + f.track.Start.AwareAt.Format(timeLayout)
	}
	v.steps[0].set(plural(len(f.customers), "customer", "customers"), scope, len(f.customers) > 0, started)
	v.steps[1].set(plural(total, "notice", "notices"), fmt.Sprintf("%d draft", drafts), total > 0 && drafts == 0, total > 0)
	v.steps[2].set(fmt.Sprintf("%d of %d approved", approved+sent, total), "four eyes: not by an author", total > 0 && approved+sent == total, approved+sent > 0)
	decl, state := "pending", "the Executive Incident Manager declares"
	if d := f.track.Declaration; d != nil {
		state = "by " + shownLine(d.Examiner) + ", " + d.At.UTC().Format(timeLayout)
		decl = "no breach"
		if d.Breach {
			decl = "declared"
		}
	}
	v.steps[3].set(decl, state, f.track.Declaration != nil, false)
	v.steps[4].set(fmt.Sprintf("%d of %d sent", sent, total), "after approval and declaration", total > 0 && sent == total, sent > 0)
}

// showDeclaration says whether a breach is declared.
func (v *notificationsView) showDeclaration() {
	tr := v.cv.oc.notify.track
	d := tr.Declaration
	switch {
	case d == nil:
		v.declaration.SetText("No declaration yet. The Executive Incident Manager reviews the evidence and the drafts and declares " +
			"the breach, or records that none is declared, with the rationale. Official notices are sent only after a declaration.")
	case d.Breach:
		v.declaration.SetText("Breach declared — " + attribution(d.Attribution) + "\n" + shown(d.Reason))
	default:
		v.declaration.SetText("No breach declared — " + attribution(d.Attribution) + "\n" + shown(d.Reason))
	}
}

// chosenCustomer is the customer chosen in the table, or nil.
func (v *notificationsView) chosenCustomer() *notify.Customer {
	id, ok := v.customers.selected.(string)
	if !ok {
		return nil
	}
	return find(v.cv.oc.notify.customers, func(c *notify.Customer) bool { return c.ID == id })
}

// chosenNotice is the notice chosen in the table, or nil.
func (v *notificationsView) chosenNotice() *notify.Notice {
	id, ok := v.notices.selected.(uuid.UUID)
	if !ok {
		return nil
	}
	return v.cv.oc.notify.notice(id)
}

// showChosen shows the chosen notice's checklist and .eml preview.
func (v *notificationsView) showChosen() {
	n := v.chosenNotice()
	if n == nil {
		v.checklist.SetText("Choose a notice in the table to see its checklist.")
		v.preview.SetText("Choose a notice in the table to see the message it exports as.")
		return
	}
	v.checklist.SetText(checklistText(n.Checklist))
	v.preview.SetText(emlPreview(*n, v.cv.u.now()))
}
