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
//     Evidence, Timeline, …). Areas are listed in one table (areas.go) so
//     later work adds a row and a file.
//   - Acting examiner: the person whose passphrase opened the case. They
//     sign every custody entry written through the window, in the role
//     chosen in the header (Case.SetRole).
//   - Custody area: the ledger table with filters, entry details and chain
//     verification, and the Examiners tab. Its data (openCase.custody) is
//     read off the UI goroutine and read again after every change.
//   - Evidence area: the case's items in a table, the details of the chosen
//     one (every recorded field, the three hashes with Copy buttons,
//     warnings, the last verification), and Add evidence…, Verify, Verify
//     all, Extract… and View bytes. Its data (openCase.evidence) is read off
//     the UI goroutine and read again after every change.
//   - Evidence work: an ingest, verification or extraction. It runs as a job
//     behind a progress dialog (progressView, the GUI's evidence.Progress)
//     whose Cancel cancels the work's context; an ingest then rolls back the
//     item in progress.
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
//   - Lifecycle area: tabs for the stage (a card per move the lifecycle
//     allows, each listing the guards that fail now; Reopen; the stage
//     history), the assessment, the case record, indicators, role
//     assignments, the response and the post-mortem with its repair items.
//   - Record form: the dialog that records one decision or fact with its
//     rationale or reason (recordform.go). Problems of its fields show
//     under them as they are typed; a refusal by casefile (a failed guard,
//     an invalid value) shows in the form with the hint, keeping what was
//     typed; any other failure goes to an error dialog.
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
