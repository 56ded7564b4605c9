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
//   - Job: work that runs off the UI goroutine, such as key derivation when a
//     case is created or unlocked. A job's result reaches the UI only through
//     fyne.Do (UI.do).
//
// Only cmd/custodia creates the fyne.App; this package receives it.
package app
