package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// placeholderView stands in for an area that is not built yet and says
// plainly what will appear there.
type placeholderView struct {
	sentence *widget.Label
}

// placeholder returns a builder for an area that is not built yet.
func placeholder(sentence string) func(*caseView, area) fyne.CanvasObject {
	return func(cv *caseView, a area) fyne.CanvasObject {
		p := &placeholderView{sentence: widget.NewLabel(sentence)}
		p.sentence.Wrapping = fyne.TextWrapWord
		cv.placeholder = p
		note := widget.NewLabel("This area is not built yet.")
		note.TextStyle = fyne.TextStyle{Italic: true}
		return container.NewVBox(heading(a.name), p.sentence, note)
	}
}
