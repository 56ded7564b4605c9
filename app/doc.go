// Package app is Custodia's graphical user interface: views and the
// view-models behind them, built with Fyne. It holds no business rules; every
// decision about cases, evidence and custody is made by casefile and the other
// core packages, and this package only presents them.
//
// Terms used here:
//
//   - Screen: what the main window shows — the start screen, the new-case
//     form, or an open case.
//   - Area: one section of an open case, chosen in the sidebar (Dashboard,
//     Evidence, Timeline, Incident, Assessment, Lifecycle, Indicators,
//     Findings, Response, Post-mortem, …, Custody, Examiners). An area is
//     one file: a type implementing area (title, icon, build) whose build
//     returns its areaView (content, refresh), plus one line in
//     areaRegistry (areas.go). After a change the facts read again
//     (factSet) are handed to the area on screen; nothing else lists areas.
//   - Data table: the one table of the GUI (datatable.go), over a
//     tableSource (listSource for a slice): paged, sortable by a column's
//     title, the chosen row kept by key across reloads, every cell
//     readable whole in a popup (right-click, or Enter) with Copy cell and
//     Copy row.
//   - Action button: a button that changes the case. Disabled, it says
//     why (tapped: under it; hovered: in the status line at the bottom of
//     the window): the incident is closed, the case failed verification,
//     nothing is chosen, a guard fails.
//   - Suspect case: one whose custody ledger failed verification in this
//     window (casefile.Case.Suspect). A banner says so and every action
//     button is disabled, saying why.
//   - Acting examiner: the person whose passphrase opened the case. They
//     sign every custody entry written through the window, in the role
//     chosen in the header (Case.SetRole).
//   - Custody area: the ledger table with filters, entry details and chain
//     verification. Its data (openCase.custody) is read off the UI
//     goroutine, at one instant (the entry count and the head agree), and
//     read again after every change. The Examiners area lists the people
//     of the case and who holds which role in the incident.
//   - Evidence area: the case's items in a table (a withdrawn item with its
//     badge), the actions on the chosen one (Verify, Check source…,
//     Extract…, View bytes, Withdraw… or Reinstate…) above its details
//     (every recorded field, the three hashes with Copy buttons, warnings,
//     the last verification, a withdrawal), and Add evidence… and Verify
//     all. An ingest asks what to do with content already in the case
//     (keep with a reason, or drop) and lists the folder entries it
//     skipped. Its data (openCase.evidence) is read off the UI goroutine and
//     read again after every change.
//   - Evidence work: an ingest, verification or extraction. It runs as a job
//     behind a progress dialog (progressView, the GUI's evidence.Progress)
//     whose Cancel (or Escape) cancels the work's context; an ingest then
//     rolls back the item in progress. Work on several items shows the
//     whole job too: which item of how many, the bytes of all, time left.
//   - Hex view: a window showing an item's bytes, 16 to a row, drawing only
//     the rows on screen and reading them through a small page cache, so an
//     item of any size opens at once. Opening it is recorded in the custody
//     record (evidence.viewed).
//   - Incident facts: the incident record (stage, classification, ratings,
//     roles, indicators, actions, mitigations, notification, findings,
//     post-mortem, repair items) as the views show it (openCase.incident),
//     read off the UI goroutine when the case opens and again after every
//     change made through the window (UI.change).
//   - Stepper: the five stages of the lifecycle in a row, passed ones
//     checked and the current one filled (stepper.go); the dashboard and
//     the Lifecycle area show it.
//   - Lifecycle area: the stepper, a card per move the lifecycle allows
//     (each listing the guards that fail now), Reopen, and the stage
//     history. The incident's other parts have their own areas.
//   - Record form: the one form of the GUI (recordform.go): every dialog
//     that asks for values, the passphrase prompt and the new-case screen.
//     Problems of its fields show under them in room kept for them, so
//     nothing moves; a refusal by the core (a failed guard, an invalid
//     value) shows in the form with the hint, keeping what was typed; any
//     other failure goes to an error dialog. Its fields (formkeys.go) take
//     Tab and Shift+Tab (also out of a multi-line field), Escape (cancel),
//     Enter (submit a one-line field) and Ctrl+Enter (submit from any
//     field); the message dialogs take Enter and Escape.
//   - Error dialog: what happened as casefile.Explain words it (an
//     internal failure is said to be one, its text never shown), what to
//     do, and Copy details with the full text for a bug report.
//   - Findings area: the findings in a table and the chosen one in full,
//     its Markdown description rendered inert (markdown.go: links shown as
//     text, images not loaded, raw HTML not rendered), its evidence
//     locations (each opens the hex view on those bytes, selected) and
//     History. The finding editor has a live preview and checks each
//     location against its item's size with casefile's own rule.
//   - Selection: a byte range in the hex view, made by shift-click,
//     shift-arrows, or Mark start and Mark end at the cursor; New finding
//     from selection opens the finding editor on it.
//   - Job: work that runs off the UI goroutine, such as key derivation when a
//     case is created or unlocked. A job's result reaches the UI only through
//     fyne.Do (UI.do).
//
// Only cmd/custodia creates the fyne.App; this package receives it.
package app
