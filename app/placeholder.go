package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// placeholderArea stands in for an area that is not built yet and says
// plainly what will appear there.
type placeholderArea struct {
	name     string
	iconName fyne.ThemeIconName
	sentence string
}

func (a placeholderArea) title() string            { return a.name }
func (a placeholderArea) icon() fyne.ThemeIconName { return a.iconName }
func (a placeholderArea) fill() bool               { return false }

func (a placeholderArea) build(*caseView) areaView {
	p := &placeholderView{sentence: widget.NewLabel(a.sentence)}
	p.sentence.Wrapping = fyne.TextWrapWord
	note := widget.NewLabel("This area is not built yet.")
	note.TextStyle = fyne.TextStyle{Italic: true}
	p.root = container.NewVBox(heading(a.name), p.sentence, note)
	return p
}

// placeholderView is a placeholder area on screen.
type placeholderView struct {
	sentence *widget.Label
	root     *fyne.Container
}

func (p *placeholderView) content() fyne.CanvasObject { return p.root }
func (p *placeholderView) refresh(factSet)            {}
