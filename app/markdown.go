package app

import (
	"regexp"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// Finding descriptions and post-mortem texts are Markdown, and they quote
// hostile material: URLs of phishing sites, payloads, paths on the
// examiner's own disk. Fyne's Markdown parser (goldmark underneath) turns
// them into RichText segments; it never interprets HTML (raw HTML blocks
// and inline tags produce no segment at all, so <script> and <img
// onerror=…> are dropped, not run), but it does make two kinds of segment
// that act on their own: a link, which opens its URL in the system's
// handler when tapped (javascript:, file: or a phishing site alike), and an
// image, which loads its URL as soon as it is drawn (a remote image is a
// tracking request; a file: image reads the examiner's disk). safeMarkdown
// replaces both with plain text that shows the destination, so the reader
// sees exactly where it points and nothing happens without them copying it.
// Every text is also passed through shown, so control and bidirectional
// formatting characters cannot disguise what is written.

// previewNote says under every rendered description what the rendering
// leaves out.
const previewNote = "Links are shown as text and never opened; images are not loaded; raw HTML is not rendered. " +
	"Put payloads in `code` or a fenced block to show them verbatim."

// defangedNote says under a rendered text that its links, images or HTML
// were made inert.
const defangedNote = "This text holds links, images or HTML: links are shown as text and never opened, images are not " +
	"loaded, HTML is not rendered."

// htmlTagRE finds what looks like an HTML tag, comment or declaration.
var htmlTagRE = regexp.MustCompile(`<[A-Za-z!/?]`)

// safeMarkdown parses src as Markdown and returns inert segments: no
// hyperlink and no image segment, and no text with control characters.
// It touches no widget on screen and may run off the UI goroutine.
func safeMarkdown(src string) []widget.RichTextSegment {
	segs, _ := safeMarkdownReport(src)
	return segs
}

// safeMarkdownReport is safeMarkdown, and says whether src held links,
// images or what looks like HTML, which the rendering shows as text or
// leaves out.
func safeMarkdownReport(src string) ([]widget.RichTextSegment, bool) {
	changed := false
	segs := defang(widget.NewRichTextFromMarkdown(src).Segments, &changed)
	return segs, changed || htmlTagRE.MatchString(src)
}

// defang returns segs made inert (see safeMarkdown), setting *changed when
// it replaced a link or an image; nested lists and paragraphs are changed
// in place.
func defang(segs []widget.RichTextSegment, changed *bool) []widget.RichTextSegment {
	out := make([]widget.RichTextSegment, 0, len(segs))
	for _, s := range segs {
		switch t := s.(type) {
		case *widget.HyperlinkSegment:
			*changed = true
			out = append(out, &widget.TextSegment{Style: widget.RichTextStyleInline, Text: shown(t.Text) + " "})
			if t.URL != nil {
				out = append(out, &widget.TextSegment{Style: widget.RichTextStyleCodeInline, Text: "<" + shownLine(t.URL.String()) + ">"})
			}
		case *widget.ImageSegment:
			*changed = true
			text := "[image not loaded"
			if t.Source != nil {
				text += ": " + shownLine(t.Source.String())
			}
			if t.Title != "" {
				text += " — " + shownLine(t.Title)
			}
			out = append(out, &widget.TextSegment{Style: widget.RichTextStyleCodeInline, Text: text + "]"})
		case *widget.TextSegment:
			t.Text = shown(t.Text)
			out = append(out, t)
		case *widget.ListSegment:
			t.Items = defang(t.Items, changed)
			out = append(out, t)
		case *widget.ParagraphSegment:
			t.Texts = defang(t.Texts, changed)
			out = append(out, t)
		case *widget.SeparatorSegment:
			out = append(out, t)
		default:
			// A segment kind this code does not know is not shown: it
			// might act on its own.
			out = append(out, &widget.TextSegment{Style: widget.RichTextStyleInline, Text: shown(s.Textual())})
		}
	}
	return out
}

// newMarkdownView returns a RichText showing src rendered safely.
func newMarkdownView(src string) *widget.RichText {
	rt := widget.NewRichText(safeMarkdown(src)...)
	rt.Wrapping = fyne.TextWrapWord
	return rt
}
