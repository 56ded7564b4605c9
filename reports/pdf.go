package reports

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"

	"codeberg.org/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
)

// PDF layout, in millimetres on A4 portrait.
const (
	pdfMargin = 15.0
	pdfTop    = 22.0 // below the header
	pdfBottom = 15.0 // above the footer
	pdfLine   = 4.6  // body line height
	pdfCell   = 3.8  // table line height
)

// renderPDF lays d out twice: the first pass finds the page each section
// starts on, the second prints them in the table of contents (which takes
// the same room both times, so nothing moves).
func renderPDF(w io.Writer, d *Document) error {
	_, pages, err := layoutPDF(d, nil)
	if err != nil {
		return err
	}
	f, _, err := layoutPDF(d, pages)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if err := f.Output(&b); err != nil {
		return fmt.Errorf("render PDF: %w", err)
	}
	_, err = w.Write(b.Bytes())
	return err
}

type pdfDoc struct {
	*fpdf.Fpdf
	pageW, pageH, width float64
}

func (p *pdfDoc) ensure(h float64) {
	if p.GetY()+h > p.pageH-pdfBottom {
		p.AddPage()
	}
}

// lines writes text wrapped to width w at the left margin plus indent,
// breaking pages between lines.
func (p *pdfDoc) lines(text string, indent, w, lh float64) {
	for _, para := range strings.Split(text, "\n") {
		ls := p.SplitText(para, w)
		if len(ls) == 0 {
			ls = []string{""}
		}
		for _, l := range ls {
			p.ensure(lh)
			p.SetX(pdfMargin + indent)
			p.CellFormat(w, lh, l, "", 2, "L", false, 0, "")
		}
	}
}

func layoutPDF(d *Document, tocPages []int) (*pdfDoc, []int, error) {
	f := fpdf.New("P", "mm", "A4", "")
	pw, ph := f.GetPageSize()
	p := &pdfDoc{Fpdf: f, pageW: pw, pageH: ph, width: pw - 2*pdfMargin}
	f.SetCompression(true)
	f.SetCatalogSort(true)
	f.SetCreationDate(d.Date)
	f.SetModificationDate(d.Date)
	f.SetProducer("Custodia", true)
	f.SetCreator("Custodia", true)
	f.SetTitle(d.Title, true)
	f.SetSubject(d.Marking+" "+d.Case, true)
	f.AddUTF8FontFromBytes("go", "", goregular.TTF)
	f.AddUTF8FontFromBytes("go", "B", gobold.TTF)
	f.SetMargins(pdfMargin, pdfTop, pdfMargin)
	f.SetAutoPageBreak(false, pdfBottom)
	f.AliasNbPages("{nb}")
	fg := map[string][3]int{"clear": {255, 255, 255}, "green": {51, 255, 0}, "amber": {255, 192, 0}, "amber+strict": {255, 192, 0}, "red": {255, 43, 43}}[d.TLP]
	marking := func() {
		f.SetFont("go", "B", 9)
		f.SetFillColor(0, 0, 0)
		f.SetTextColor(fg[0], fg[1], fg[2])
		mw := f.GetStringWidth(d.Marking) + 4
		f.CellFormat(mw, 5, d.Marking, "", 0, "C", true, 0, "")
		if d.Exercise {
			f.SetFillColor(176, 0, 0)
			f.SetTextColor(255, 255, 255)
			f.CellFormat(2, 5, "", "", 0, "C", false, 0, "")
			f.CellFormat(f.GetStringWidth("EXERCISE")+4, 5, "EXERCISE", "", 0, "C", true, 0, "")
		}
		f.SetTextColor(0, 0, 0)
	}
	f.SetHeaderFuncMode(func() {
		f.SetXY(pdfMargin, 8)
		marking()
		f.SetFont("go", "", 9)
		f.SetXY(pdfMargin, 8)
		f.CellFormat(p.width, 5, "Case "+d.Case, "", 0, "R", false, 0, "")
		f.SetDrawColor(150, 150, 150)
		f.Line(pdfMargin, 15, pw-pdfMargin, 15)
		f.SetXY(pdfMargin, pdfTop)
	}, true)
	f.SetFooterFunc(func() {
		f.SetXY(pdfMargin, ph-11)
		marking()
		f.SetFont("go", "", 8)
		f.SetXY(pdfMargin, ph-11)
		f.CellFormat(p.width, 5, "Page "+strconv.Itoa(f.PageNo())+" of {nb}", "", 0, "R", false, 0, "")
	})
	f.AddPage()

	// Title and trust block.
	f.SetFont("go", "B", 15)
	p.lines(d.Title, 0, p.width, 7)
	f.Ln(2)
	for _, t := range d.Trust {
		f.SetFont("go", "B", 9)
		f.SetX(pdfMargin)
		y := f.GetY()
		f.CellFormat(32, pdfLine, t.Key, "", 0, "L", false, 0, "")
		f.SetXY(pdfMargin+32, y)
		f.SetFont("go", "", 9)
		p.lines(t.Value, 32, p.width-32, pdfLine)
	}

	// Contents.
	if !d.OnePage {
		f.Ln(3)
		f.SetFont("go", "B", 12)
		p.lines("Contents", 0, p.width, 6)
		f.SetFont("go", "", 10)
		for i, s := range d.Sections {
			page := ""
			if tocPages != nil {
				page = strconv.Itoa(tocPages[i])
			}
			p.ensure(pdfLine)
			f.SetX(pdfMargin)
			f.CellFormat(p.width-15, pdfLine, fmt.Sprintf("%d. %s", i+1, s.Title), "", 0, "L", false, 0, "")
			f.CellFormat(15, pdfLine, page, "", 1, "R", false, 0, "")
		}
	}

	pages := make([]int, len(d.Sections))
	for i, s := range d.Sections {
		if d.OnePage {
			f.Ln(2)
		} else {
			f.Ln(4)
		}
		p.ensure(14)
		pages[i] = f.PageNo()
		f.Bookmark(fmt.Sprintf("%d. %s", i+1, s.Title), 0, -1)
		f.SetFont("go", "B", 12)
		p.lines(fmt.Sprintf("%d. %s", i+1, s.Title), 0, p.width, 6.5)
		f.Ln(1)
		for _, b := range s.Blocks {
			switch {
			case b.Table != nil:
				p.table(b.Table)
			case b.KV != nil:
				for _, x := range b.KV {
					f.SetFont("go", "B", 9)
					p.ensure(pdfLine)
					y := f.GetY()
					f.SetX(pdfMargin)
					f.CellFormat(45, pdfLine, x.Key, "", 0, "L", false, 0, "")
					f.SetXY(pdfMargin+45, y)
					f.SetFont("go", "", 9)
					p.lines(x.Value, 45, p.width-45, pdfLine)
				}
			case b.Chart != nil:
				p.chart(b.Chart)
			case b.Heading:
				f.Ln(1)
				p.ensure(12)
				f.SetFont("go", "B", 10.5)
				p.lines(b.Text, 0, p.width, 5.5)
			default:
				f.SetFont("go", "", 9.5)
				p.lines(b.Text, 0, p.width, pdfLine)
			}
			f.Ln(1.5)
		}
	}
	if err := f.Error(); err != nil {
		return nil, nil, fmt.Errorf("render PDF: %w", err)
	}
	return p, pages, nil
}

// table draws t with wrapped cells; a row taller than what is left of a
// page continues on the next one, under the repeated head.
func (p *pdfDoc) table(t *Table) {
	n := len(t.Head)
	ws := make([]float64, n)
	total := 0.0
	for i := range ws {
		ws[i] = 1
		if i < len(t.Widths) {
			ws[i] = t.Widths[i]
		}
		total += ws[i]
	}
	for i := range ws {
		ws[i] = ws[i] / total * p.width
	}
	split := func(cells []string) [][]string {
		out := make([][]string, n)
		for i := 0; i < n && i < len(cells); i++ {
			for _, para := range strings.Split(cells[i], "\n") {
				out[i] = append(out[i], p.SplitText(para, ws[i])...)
			}
		}
		return out
	}
	draw := func(cells [][]string, k int, fill bool) {
		x, y := pdfMargin, p.GetY()
		h := float64(k)*pdfCell + 1
		for i := range n {
			p.Rect(x, y, ws[i], h, map[bool]string{true: "FD", false: "D"}[fill])
			for j := 0; j < k && j < len(cells[i]); j++ {
				p.SetXY(x, y+0.5+float64(j)*pdfCell)
				p.CellFormat(ws[i], pdfCell, cells[i][j], "", 0, "L", false, 0, "")
			}
			x += ws[i]
		}
		p.SetXY(pdfMargin, y+h)
	}
	p.SetDrawColor(180, 180, 180)
	p.SetFillColor(235, 235, 235)
	head := func() {
		p.SetFont("go", "B", 8)
		hc := split(t.Head)
		draw(hc, maxLen(hc), true)
		p.SetFont("go", "", 7.5)
	}
	p.ensure(3 * pdfCell)
	head()
	for _, r := range t.Rows {
		cells := split(r)
		for {
			rows := maxLen(cells)
			if rows == 0 {
				rows = 1
			}
			room := int((p.pageH - pdfBottom - p.GetY() - 1) / pdfCell)
			if room < 1 {
				p.AddPage()
				head()
				continue
			}
			k := min(rows, room)
			draw(cells, k, false)
			if k == rows {
				break
			}
			for i := range cells {
				cells[i] = cells[i][min(k, len(cells[i])):]
			}
			p.AddPage()
			head()
		}
	}
}

func maxLen(xs [][]string) int {
	m := 0
	for _, x := range xs {
		m = max(m, len(x))
	}
	return m
}

// chart draws c at its printed width, on the next page when it does not
// fit on this one.
func (p *pdfDoc) chart(c *Chart) {
	name := "chart-" + c.Name
	w := min(c.WidthMM, p.width)
	h := w * float64(c.Height) / float64(c.Width)
	opts := fpdf.ImageOptions{ImageType: "PNG"}
	if p.GetImageInfo(name) == nil {
		p.RegisterImageOptionsReader(name, opts, bytes.NewReader(c.PNG))
	}
	p.ensure(h + 1)
	y := p.GetY()
	p.ImageOptions(name, pdfMargin, y, w, h, false, opts, 0, "")
	p.SetXY(pdfMargin, y+h+1)
}
