package app

import (
	"os"
	"path/filepath"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// recentKey is the preference holding the recent-cases list.
//
// Only file paths are stored there — never a title, case number, examiner or
// anything else read from inside a case — because preferences are plain text
// on disk and a case's contents are confidential.
const recentKey = "recentCases"

// maxRecent is how many recent cases the start screen lists.
const maxRecent = 10

// recentCases is the list of recently opened case files, newest first.
type recentCases struct {
	prefs fyne.Preferences
}

// List returns the recent case paths, newest first.
func (r recentCases) List() []string {
	return r.prefs.StringListWithFallback(recentKey, nil)
}

// Add puts path first in the list, removing an older entry for the same file
// and keeping at most maxRecent entries.
// The list is written only when it changes: every write of the
// preferences file is one more chance for another Custodia window to read
// it half-written.
func (r recentCases) Add(path string) {
	path = cleanPath(path)
	old := r.List()
	list := slices.DeleteFunc(slices.Clone(old), func(p string) bool { return cleanPath(p) == path })
	list = append([]string{path}, list...)
	if len(list) > maxRecent {
		list = list[:maxRecent]
	}
	if !slices.Equal(list, old) {
		r.prefs.SetStringList(recentKey, list)
	}
}

// Remove deletes path from the list; the file itself is not touched.
func (r recentCases) Remove(path string) {
	path = cleanPath(path)
	r.prefs.SetStringList(recentKey, slices.DeleteFunc(r.List(), func(p string) bool { return cleanPath(p) == path }))
}

// cleanPath makes path absolute and clean so the same file is listed once.
func cleanPath(path string) string {
	if abs, err := filepath.Abs(path); err == nil {
		return abs
	}
	return filepath.Clean(path)
}

// recentRow is one entry of the recent-cases list on the start screen.
type recentRow struct {
	path    string
	missing bool           // the file no longer exists at path
	open    *widget.Button // opens the case; disabled when missing
	remove  *widget.Button // removes the entry from the list
	root    fyne.CanvasObject
}

// newRecentRow builds the row for path. It checks whether the file exists;
// a missing one is shown greyed out and can only be removed.
func newRecentRow(u *UI, path string) *recentRow {
	r := &recentRow{path: path}
	if _, err := os.Stat(path); err != nil {
		r.missing = true
	}
	r.open = widget.NewButtonWithIcon(filepath.Base(path), theme.DocumentIcon(), func() { u.PromptOpen(path) })
	r.open.Alignment = widget.ButtonAlignLeading
	r.open.Importance = widget.LowImportance
	where := widget.NewLabel(filepath.Dir(path))
	where.Truncation = fyne.TextTruncateEllipsis
	if r.missing {
		r.open.Disable()
		where.SetText("Missing — not found at " + path)
		where.Importance = widget.WarningImportance
	}
	r.remove = widget.NewButtonWithIcon("", theme.DeleteIcon(), func() {
		u.recent.Remove(path)
		u.start.refreshRecent()
	})
	r.remove.Importance = widget.LowImportance
	r.root = container.NewBorder(nil, nil, r.open, r.remove, where)
	return r
}

// recentList builds the recent-cases section of the start screen.
func recentList(u *UI) ([]*recentRow, fyne.CanvasObject) {
	paths := u.recent.List()
	if len(paths) == 0 {
		empty := widget.NewLabel("Cases you create or open are listed here. Only their file paths are remembered.")
		empty.Wrapping = fyne.TextWrapWord
		empty.TextStyle = fyne.TextStyle{Italic: true}
		return nil, empty
	}
	rows := make([]*recentRow, 0, len(paths))
	box := container.NewVBox()
	for i, p := range paths {
		if i > 0 {
			box.Add(widget.NewSeparator())
		}
		r := newRecentRow(u, p)
		rows = append(rows, r)
		box.Add(r.root)
	}
	return rows, container.New(layout.NewVBoxLayout(), box)
}
