package app

import (
	"context"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/evidence"
)

// Screen names what the main window shows.
type Screen string

// The screens of the main window.
const (
	ScreenStart   Screen = "start"    // new case, open case, recent cases
	ScreenNewCase Screen = "new case" // the new-case form
	ScreenCase    Screen = "case"     // an open case with its sidebar of areas
)

// Config holds what the command passes to the user interface.
type Config struct {
	// CaseOptions are passed to casefile.Create and casefile.Open. The zero
	// value is the production setting; only tests pass casefile.TestKDF.
	CaseOptions casefile.Options
	// Prefs stores the recent-cases list; nil means the app's preferences.
	Prefs fyne.Preferences
	// DefaultFolder is where the new-case form saves a case unless the
	// examiner chooses another folder; "" means the home directory.
	DefaultFolder string
	// OnCaseShown, if not nil, is called on the UI goroutine each time an
	// open case has been put on screen, with the case file's path. The
	// command uses it to tell scripts that the dashboard is up.
	OnCaseShown func(path string)
	// StartArea names the area an opened case shows first; "" (or a name
	// that is not an area) means the dashboard. Scripts that take
	// screenshots of other areas set it.
	StartArea string
	// StartHex, when not "", opens the hex view of the case's first
	// evidence item once the case is on screen, with the cursor on this
	// offset (decimal, or hexadecimal with 0x), or with the range
	// "START-END" (END exclusive) selected and the cursor on START.
	// Opening it records a view in the custody record, as any opening
	// does. Scripts that take screenshots set it.
	StartHex string
}

// UI is the view-model of Custodia's main window: it switches between the
// start screen, the new-case form and an open case, runs key derivation off
// the UI goroutine and reports failures in dialogs. Tests inspect it through
// Screen, Case, Area and LastError.
type UI struct {
	app    fyne.App
	win    fyne.Window
	cfg    Config
	recent recentCases

	// jobs counts background work whose result has not yet been applied on
	// the UI goroutine, so tests can wait for it without sleeping. working
	// counts only the part that runs off the UI goroutine, so Shutdown can
	// wait for a case being written after the event loop has ended.
	jobs, working sync.WaitGroup

	// applying serialises the functions jobs apply through fyne.Do (see do).
	applying sync.Mutex

	mu       sync.Mutex // guards the fields below; tests read them from their own goroutine
	screen   Screen
	open     *openCase
	lastErr  error
	running  int  // jobs in flight
	quitting bool // the window was asked to close while a job was running
	shutdown bool // Shutdown was called; no case may be opened any more

	// Views; touched only on the UI goroutine.
	start  *startView
	form   *newCaseForm
	prompt *passphrasePrompt
	cv     *caseView
	alert  *errorView

	// Evidence work (ingest, verify, extract) in flight, each with its
	// progress dialog and the cancel function of its context. Guarded by mu:
	// Shutdown cancels it from another goroutine.
	works map[*progressView]struct{}

	// Open hex views of evidence items; touched only on the UI goroutine.
	// They are closed before the case is.
	hexViews []*hexView

	// Dialogs on screen, for tests; nil when none.
	notice      *noticeView         // an information or result dialog
	addEvidence *addEvidenceForm    // the Add evidence form
	duplicate   *duplicateForm      // the question about content already in the case
	extract     *extractForm        // the Extract form
	sourceCheck *sourceForm         // the Check source form
	progress    *progressView       // the newest progress dialog
	record      *recordForm         // the record form on screen as a dialog
	editor      *findingEditor      // the finding editor
	history     *findingHistoryView // the history of a finding

	// copiedFor is how long a Copy button says "Copied"; 0 means two
	// seconds. Tests make it negative (keep saying it), so that no timer
	// touches a widget while the test drives the UI.
	copiedFor time.Duration

	// previewDelay is how long the finding editor waits after a keystroke
	// before it renders the Markdown preview; 0 means 150 ms. Tests make it
	// negative: render at once, on the UI goroutine.
	previewDelay time.Duration

	// jobGate, when set by a test, holds every job until it is closed, so the
	// busy state can be observed.
	jobGate chan struct{}
	// progressHook, when set by a test, is called with every progress
	// update of evidence work, off the UI goroutine, before it is shown. A
	// test blocks in it (until ctx is cancelled) to hold the work midway.
	progressHook func(ctx context.Context, s evidence.Status)
}

// openCase is an unlocked case and the facts the views show, read off the UI
// goroutine when the case is opened and again after each change to its
// custody record (see UI.change). The fields are touched on the UI
// goroutine only once the case is on screen.
type openCase struct {
	c        *casefile.Case
	info     casefile.Info
	path     string
	unlocked int
	slots    []casefile.KeySlot
	slotsErr error

	// Who acts through this case handle, and in which role.
	actor casefile.Examiner
	role  casefile.Role

	// suspect says why the case takes no more changes (its ledger failed
	// verification in this window), or nil.
	suspect error

	custody  custodyFacts
	verdict  *verdict // the last chain verification in this window, or nil
	evidence evidenceFacts
	incident incidentFacts
	notify   notifyFacts // notifications.go

	// timeline is the timeline's search index, built when the Timeline
	// area is first shown (timeline.go) and closed with the case; nil
	// until then.
	timeline *timelineIndex
}

// custodyFacts is what the Custody area, the dashboard and the header show
// of the custody record: its entries, the examiners and the head.
type custodyFacts struct {
	entries      []casefile.CustodyEntry
	entriesErr   error
	examiners    []casefile.Examiner
	examinersErr error
	headSeq      int64
	head         casefile.Digest
}

// readCustody reads the custody facts of c at one instant, so the entry
// count and the head always agree. It runs off the UI goroutine; the
// entries come from casefile's in-memory cache after the first call.
func readCustody(c *casefile.Case) custodyFacts {
	var f custodyFacts
	var err error
	f.entries, f.examiners, f.headSeq, f.head, err = c.LedgerSnapshot()
	if err != nil {
		// Show what can be read, each part with its own failure.
		f.entries, f.entriesErr = c.Entries()
		f.examiners, f.examinersErr = c.Examiners()
		f.headSeq, f.head = c.Head()
		if f.entriesErr == nil && f.examinersErr == nil {
			f.entriesErr = err
		}
	}
	return f
}

// loadCase reads the facts of an unlocked case. It runs off the UI goroutine.
func loadCase(c *casefile.Case) *openCase {
	oc := &openCase{c: c, info: c.Info(), path: c.Path(), unlocked: c.UnlockedSlot()}
	oc.slots, oc.slotsErr = c.KeySlots()
	oc.actor, oc.role = c.Actor(), c.ActingRole()
	oc.suspect = c.Suspect()
	oc.custody = readCustody(c)
	oc.evidence = readEvidence(c)
	oc.incident = readIncident(c)
	oc.notify = readNotify(c)
	return oc
}

// New builds the user interface in w, shows the start screen and makes
// closing the window close the open case first.
func New(a fyne.App, w fyne.Window, cfg Config) *UI {
	if cfg.Prefs == nil {
		cfg.Prefs = a.Preferences()
	}
	u := &UI{app: a, win: w, cfg: cfg, recent: recentCases{prefs: cfg.Prefs}}
	w.SetCloseIntercept(u.RequestClose)
	u.ShowStart()
	return u
}

// Screen returns what the main window shows.
func (u *UI) Screen() Screen {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.screen
}

// Case returns the open case, or nil.
func (u *UI) Case() *casefile.Case {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.open == nil {
		return nil
	}
	return u.open.c
}

// LastError returns the last failure shown to the user, or nil.
func (u *UI) LastError() error {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.lastErr
}

// Busy reports whether key derivation or another job is running.
func (u *UI) Busy() bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.running > 0
}

func (u *UI) setScreen(s Screen) {
	u.mu.Lock()
	u.screen = s
	u.mu.Unlock()
}

func (u *UI) setLastError(err error) {
	u.mu.Lock()
	u.lastErr = err
	u.mu.Unlock()
}

// runJob runs work off the UI goroutine, then applies the function it returns
// on the UI goroutine through fyne.Do.
func (u *UI) runJob(work func() (apply func())) {
	u.jobs.Add(1)
	u.working.Add(1)
	u.mu.Lock()
	u.running++
	u.mu.Unlock()
	gate := u.jobGate
	go func() {
		if gate != nil {
			<-gate
		}
		apply := work()
		u.working.Done()
		u.do(func() {
			defer u.jobs.Done()
			u.mu.Lock()
			u.running--
			quit := u.quitting && u.running == 0
			if quit {
				u.quitting = false
			}
			u.mu.Unlock()
			apply()
			if quit {
				u.RequestClose()
			}
		})
	}()
}

// do runs f on the UI goroutine through fyne.Do, one at a time. With the
// real driver fyne.Do already runs everything on the UI goroutine and the
// lock is never contended; but the test driver, and the real one while the
// app shuts down, run f on the calling goroutine, where two jobs finishing
// together (a hex view opening and reading its first page) would otherwise
// touch the same widgets at once.
func (u *UI) do(f func()) {
	fyne.Do(func() {
		u.applying.Lock()
		defer u.applying.Unlock()
		f()
	})
}

// ShowStart shows the start screen.
func (u *UI) ShowStart() {
	u.form = nil
	u.cv = nil
	u.start = newStartView(u)
	u.win.SetTitle("Custodia")
	u.win.SetContent(u.start.root)
	u.setScreen(ScreenStart)
}

// ShowNewCase shows the new-case form.
func (u *UI) ShowNewCase() {
	u.start = nil
	u.win.SetTitle("New case — Custodia")
	u.form = newNewCaseForm(u) // on screen, the keyboard on its first field
	u.setScreen(ScreenNewCase)
}

// adopt makes oc the open case. Jobs call it off the UI goroutine as soon as
// a case is unlocked, so Shutdown closes it even when the event loop has
// ended before the job's result reached the screen. It reports false, having
// closed the case, when Shutdown has already run.
func (u *UI) adopt(oc *openCase) bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.shutdown {
		oc.c.Close()
		return false
	}
	u.open = oc
	return true
}

// showCase shows the open case and remembers its path as a recent case.
func (u *UI) showCase(oc *openCase) {
	u.recent.Add(oc.path)
	u.start, u.form = nil, nil
	u.cv = newCaseView(u, oc)
	if i := areaIndex(u.cfg.StartArea); i > 0 {
		u.cv.sidebar.Select(i)
	}
	u.win.SetTitle(oc.info.Title + " — Custodia")
	u.win.SetContent(u.cv.root)
	u.cv.sidebar.ScrollTo(u.cv.current) // laid out now: the chosen area is in view
	u.setScreen(ScreenCase)
	if u.cfg.OnCaseShown != nil {
		u.cfg.OnCaseShown(oc.path)
	}
	if oc.slotsErr != nil {
		u.showError("The key slots could not be read", oc.slotsErr, nil)
	}
	if err := oc.custody.entriesErr; err != nil {
		u.showError("The custody record could not be read", err, nil)
	}
	if err := oc.evidence.err; err != nil {
		u.showError("The evidence list could not be read", err, nil)
	}
	if err := oc.incident.err; err != nil {
		u.showError("The incident record could not be read", err, nil)
	}
	if u.cfg.StartHex != "" && len(oc.evidence.items) > 0 {
		ev := oc.evidence.items[0]
		first, last, _ := strings.Cut(u.cfg.StartHex, "-")
		off, problem := parseOffset(first, ev.Meta.Size)
		if problem != "" {
			off = -1
		}
		end := int64(-1)
		if e, ok := parseByteOffset(last); ok && e <= ev.Meta.Size {
			end = e
		}
		u.openHexViewRange(ev, off, end)
	}
}

// CloseCase closes the open case and returns to the start screen.
func (u *UI) CloseCase() {
	u.closeCase(u.ShowStart)
}

// closeCase closes the open case off the UI goroutine (closing checkpoints
// the case file), then calls then on the UI goroutine.
func (u *UI) closeCase(then func()) {
	u.closeHexViews()
	if u.cv != nil {
		u.cv.hideView()
	}
	u.mu.Lock()
	oc := u.open
	u.open = nil
	u.mu.Unlock()
	if oc == nil {
		then()
		return
	}
	u.runJob(func() func() {
		oc.timeline.close()
		err := oc.c.Close()
		return func() {
			if err != nil {
				u.showError("The case was not closed cleanly", err, then)
				return
			}
			then()
		}
	})
}

// RequestClose is what closing the main window does: it closes the open case
// and then the window. While a case is being created or unlocked, it waits for
// that to finish, so a case is never left open or half written.
func (u *UI) RequestClose() {
	u.mu.Lock()
	if u.running > 0 {
		if len(u.works) > 0 && !u.quitting {
			// Evidence work can take hours; ask before stopping it.
			u.mu.Unlock()
			u.confirmStopWork()
			return
		}
		u.quitting = true
		u.mu.Unlock()
		return
	}
	u.mu.Unlock()
	u.closeCase(u.win.Close)
}

// confirmStopWork asks whether to stop the evidence work in progress so the
// window can close. Stopping rolls back an ingest's item in progress and
// removes a partial extraction; the window closes once the work has ended.
func (u *UI) confirmStopWork() {
	u.confirmDialog("Stop and close?",
		"Evidence work is still running. Closing stops it: an item being added is rolled back, "+
			"a partial extraction is removed, and a verification records nothing. The window closes when it has stopped.",
		"Stop and close", "Keep working", func() {
			u.mu.Lock()
			u.quitting = true
			works := u.activeWorks()
			u.mu.Unlock()
			for _, p := range works {
				p.requestCancel()
			}
		})
}

// activeWorks lists the evidence work in flight; u.mu must be held.
func (u *UI) activeWorks() []*progressView {
	out := make([]*progressView, 0, len(u.works))
	for p := range u.works {
		out = append(out, p)
	}
	return out
}

// Shutdown closes the open case, if any, without touching the window. The
// command calls it after the app's event loop has ended, for the cases where
// the app quit without closing the window (a signal, the system menu).
// A case still being created or unlocked is waited for (up to a minute) and
// closed too; evidence work in progress is cancelled first (an item being
// ingested is rolled back).
func (u *UI) Shutdown() error {
	u.mu.Lock()
	u.shutdown = true
	works := u.activeWorks()
	u.mu.Unlock()
	for _, p := range works {
		p.stop() // roll back an ingest in progress rather than wait for it
	}
	done := make(chan struct{})
	go func() { u.working.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(time.Minute):
	}
	u.mu.Lock()
	oc := u.open
	u.open = nil
	u.mu.Unlock()
	if oc == nil {
		return nil
	}
	oc.timeline.close()
	return oc.c.Close()
}
