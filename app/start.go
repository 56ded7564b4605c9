package app

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/custodia-dfir/custodia/casefile"
)

// startView is the start screen: create a case, open one, or pick a recent one.
type startView struct {
	u       *UI
	newCase *widget.Button
	open    *widget.Button
	recent  []*recentRow
	card    *widget.Card
	root    fyne.CanvasObject
}

func newStartView(u *UI) *startView {
	s := &startView{u: u}
	s.newCase = widget.NewButtonWithIcon("New case…", theme.ContentAddIcon(), u.ShowNewCase)
	s.newCase.Importance = widget.HighImportance
	s.open = widget.NewButtonWithIcon("Open case…", theme.FolderOpenIcon(), u.ChooseAndOpen)

	name := widget.NewLabel("Custodia")
	name.SizeName = theme.SizeNameHeadingText
	name.TextStyle = fyne.TextStyle{Bold: true}
	tagline := widget.NewLabel("Security incident investigation workstation")
	header := container.NewVBox(name, tagline)
	if icon := u.app.Icon(); icon != nil {
		img := canvas.NewImageFromResource(icon)
		img.FillMode = canvas.ImageFillContain
		img.SetMinSize(fyne.NewSquareSize(64))
		header = container.NewVBox(container.NewBorder(nil, nil, img, nil, header))
	}

	s.card = widget.NewCard("", "", nil)
	s.refreshRecent()

	actions := container.NewHBox(s.newCase, s.open)
	column := container.NewBorder(container.NewVBox(header, widget.NewSeparator(), actions), nil, nil, nil,
		container.NewVScroll(container.NewVBox(subheading("Recent cases"), s.card)))
	s.root = container.NewPadded(newMaxWidth(640, column))
	return s
}

// refreshRecent rebuilds the recent-cases list from the preferences.
func (s *startView) refreshRecent() {
	var list fyne.CanvasObject
	s.recent, list = recentList(s.u)
	s.card.SetContent(list)
}

// caseFilter lets the open dialog show case files only.
var caseFilter = storage.NewExtensionFileFilter([]string{casefile.Extension})

// ChooseAndOpen asks for a case file with the file dialog, then for its
// passphrase.
func (u *UI) ChooseAndOpen() {
	d := dialog.NewFileOpen(func(rc fyne.URIReadCloser, err error) {
		if err != nil {
			u.showError("The file could not be chosen", err, nil)
			return
		}
		if rc == nil {
			return // cancelled
		}
		// Only the path is needed; casefile opens the file itself.
		path := rc.URI().Path()
		rc.Close()
		u.PromptOpen(path)
	}, u.win)
	d.SetFilter(caseFilter)
	d.SetConfirmText("Open")
	d.Resize(dialogSize(u.win, 860, 600))
	d.Show()
}

// hasCaseExtension reports whether name ends in the case file extension,
// ignoring case.
func hasCaseExtension(name string) bool {
	return strings.HasSuffix(strings.ToLower(name), casefile.Extension)
}
