package app

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/incident"
	"github.com/custodia-dfir/custodia/casefile/timeline"
)

// The event pane's annotations: Star, Tag…, Comment… and New finding from
// event…. Each annotation is a custody entry naming the examiner and role;
// after one, the search index learns it (starred:true, tag:NAME find it)
// and the pane shows it.

// annotationTools are the event pane's annotation controls.
type annotationTools struct {
	star, tag, comment, finding *actionButton
	marks                       *widget.Label   // "Starred · tags: a, b"
	comments                    *fyne.Container // one line per comment
	orphans                     *widget.Label   // annotations of an earlier parse at the same bytes
}

func (p *eventPane) newAnnotationTools() fyne.CanvasObject {
	a := &p.ann
	cv := p.v.cv
	a.star = cv.action("Star", theme.ConfirmIcon(), p.toggleStar)
	a.tag = cv.action("Tag…", theme.ContentAddIcon(), p.showTagForm)
	a.comment = cv.action("Comment…", theme.DocumentCreateIcon(), p.showCommentForm)
	a.finding = cv.action("New finding from event…", theme.SearchReplaceIcon(), p.newFinding)
	a.marks = valueLabel()
	a.comments = container.NewVBox()
	a.orphans = mutedLabel("")
	a.orphans.Wrapping = fyne.TextWrapWord
	a.orphans.Hide()
	return container.NewHBox(a.star, a.tag, a.comment, a.finding)
}

// marksText says how the event is marked: "Starred · tags: brute-force,
// vpn", or "Not starred, no tags".
func marksText(an timeline.Annotations) string {
	var parts []string
	if an.Starred {
		parts = append(parts, "★ Starred")
	} else {
		parts = append(parts, "Not starred")
	}
	if len(an.Tags) > 0 {
		parts = append(parts, "tags: "+shownLine(strings.Join(an.Tags, ", ")))
	} else {
		parts = append(parts, "no tags")
	}
	return strings.Join(parts, " · ")
}

// showAnnotations shows the chosen event's marks and comments.
func (p *eventPane) showAnnotations(an timeline.Annotations, orphans []timeline.Annotated) {
	a := &p.ann
	a.marks.SetText(marksText(an))
	if an.Starred {
		a.star.SetText("Unstar")
	} else {
		a.star.SetText("Star")
	}
	var rows []fyne.CanvasObject
	for _, c := range an.Comments {
		l := widget.NewLabel(shown(c.Text) + "\n— " + attribution(c.Recorded))
		l.Wrapping = fyne.TextWrapWord
		rows = append(rows, l)
	}
	if len(rows) == 0 {
		rows = append(rows, mutedLabel("No comments."))
	}
	a.comments.Objects = rows
	a.comments.Refresh()
	if len(orphans) > 0 {
		n := 0
		for _, o := range orphans {
			n += len(o.Changes)
		}
		a.orphans.SetText(fmt.Sprintf("%s made on an earlier parse of this item, on a record at these same bytes, stay with that parse: "+
			"more than one event of the current parse has them, so they were not moved. custodiactl event show lists them.",
			plural(n, "annotation was", "annotations were")))
		a.orphans.Show()
	} else {
		a.orphans.Hide()
	}
}

// loadAnnotations reads the chosen event's annotations off the UI
// goroutine and shows them, unless another event was chosen meanwhile.
func (p *eventPane) loadAnnotations() {
	ev := p.ev
	if ev == nil {
		return
	}
	id, c := ev.ID, p.v.cv.oc.c
	p.v.u.runJob(func() func() {
		an, orphans, err := timeline.Of(c).EventAnnotations(id)
		return func() {
			if p.ev == nil || p.ev.ID != id {
				return
			}
			if err != nil {
				p.v.u.showError("The event's annotations could not be read", err, nil)
				return
			}
			p.ev.Annotations = an.Annotations
			p.showAnnotations(an.Annotations, orphans)
		}
	})
}

// enableAnnotations says why the annotation controls are disabled, when
// they are.
func (p *eventPane) enableAnnotations() {
	why := p.v.cv.whyNot(casefile.PermInvestigate)
	if why == "" && p.ev == nil {
		why = "choose an event first."
	}
	for _, b := range []*actionButton{p.ann.star, p.ann.tag, p.ann.comment} {
		b.allow(why)
	}
	if why == "" {
		why = p.v.cv.whyNoIncidentChange()
	}
	p.ann.finding.allow(why)
}

// annotate runs one annotation change of the chosen event, then teaches
// the index and shows the result.
func (p *eventPane) annotate(what string, change func(s *timeline.Store, id string) error, done func(err error)) {
	ev := p.ev
	if ev == nil {
		return
	}
	v, id := p.v, ev.ID
	v.u.changeFacts(factsCustody, func(c *casefile.Case) error {
		if err := change(timeline.Of(c), id); err != nil {
			return err
		}
		if ix := v.ti.index(); ix != nil {
			if err := ix.ReloadAnnotations(context.Background(), timeline.Of(c)); err != nil {
				return fmt.Errorf("the %s is recorded, but the search index could not learn it: %w", what, err)
			}
		}
		return nil
	}, func(err error) {
		if done != nil {
			done(err)
		} else if err != nil {
			v.u.showError("The event could not be marked", err, nil)
		}
		if err == nil {
			v.src.forget(id)
			v.table.reload()
			p.loadAnnotations()
		}
	})
}

// toggleStar stars the chosen event, or takes its star away.
func (p *eventPane) toggleStar() {
	if p.ann.star.whyNot() != "" || p.ev == nil {
		return
	}
	if p.ev.Annotations.Starred {
		p.annotate("star", func(s *timeline.Store, id string) error { _, err := s.Unstar(id, ""); return err }, nil)
		return
	}
	p.annotate("star", func(s *timeline.Store, id string) error { _, err := s.Star(id, ""); return err }, nil)
}

// showTagForm asks for tags (comma-separated) and a reason.
func (p *eventPane) showTagForm() {
	if p.ann.tag.whyNot() != "" {
		return
	}
	form := p.v.u.newRecordForm("Tag the event", "Tag",
		"Tags group events across items: search them with tag:NAME. A tag is one word of letters, digits, - _ . or :, "+
			"kept in lower case. Tagging is recorded in the custody record.")
	tags := form.entry("Tags *", "e.g. brute-force, lateral-movement")
	remove := form.checkBox("", "Remove these tags instead", nil)
	reason := form.entry("Reason", "Why, for the custody record (optional)")
	list := func() []string {
		var out []string
		for _, t := range strings.Split(tags.Text, ",") {
			if t = strings.TrimSpace(t); t != "" {
				out = append(out, t)
			}
		}
		return out
	}
	form.check = func() bool {
		ts := list()
		if len(ts) == 0 {
			form.setProblem("Tags", "Give at least one tag.")
			return false
		}
		for _, t := range ts {
			if _, err := timeline.NormalizeTag(t); err != nil {
				form.setProblem("Tags", userMessage(err))
				return false
			}
		}
		form.setProblem("Tags", "")
		return true
	}
	form.changes = factsCustody
	form.build = func() func(*casefile.Case) error {
		ts, why, rm := list(), strings.TrimSpace(reason.Text), remove.Checked
		id, v := p.ev.ID, p.v
		return func(c *casefile.Case) error {
			s := timeline.Of(c)
			var err error
			if rm {
				for _, t := range ts {
					if _, err = s.Untag(id, t, why); err != nil {
						break
					}
				}
			} else {
				_, err = s.Tag(id, ts, why)
			}
			if err == nil {
				if ix := v.ti.index(); ix != nil {
					err = ix.ReloadAnnotations(context.Background(), s)
				}
			}
			return err
		}
	}
	form.saved = p.afterForm
	form.show(tags)
}

// showCommentForm asks for a comment and a reason.
func (p *eventPane) showCommentForm() {
	if p.ann.comment.whyNot() != "" {
		return
	}
	form := p.v.u.newRecordForm("Comment on the event", "Add comment",
		"A comment stays with the event, with your name and role; search comments with comment:WORD. "+
			"Comments are never edited or removed, and each is recorded in the custody record.")
	text := form.text("Comment *", "What this event shows, or what to check next", 4)
	reason := form.entry("Reason", "Why, for the custody record (optional)")
	form.check = func() bool {
		if !form.require("Comment", text.Text, "Write the comment.") {
			return false
		}
		if err := casefile.CheckText("the comment", text.Text, true, casefile.MaxTextLen); err != nil {
			form.setProblem("Comment", userMessage(err))
			return false
		}
		return true
	}
	form.changes = factsCustody
	form.build = func() func(*casefile.Case) error {
		body, why := strings.TrimSpace(text.Text), strings.TrimSpace(reason.Text)
		id, v := p.ev.ID, p.v
		return func(c *casefile.Case) error {
			s := timeline.Of(c)
			_, err := s.Comment(id, body, why)
			if err == nil {
				if ix := v.ti.index(); ix != nil {
					err = ix.ReloadAnnotations(context.Background(), s)
				}
			}
			return err
		}
	}
	form.saved = p.afterForm
	form.show(text)
}

// afterForm shows the chosen event's annotations after a form saved them.
func (p *eventPane) afterForm() {
	if p.ev != nil {
		p.v.src.forget(p.ev.ID)
		p.v.table.reload()
	}
	p.loadAnnotations()
}

// newFinding opens the finding editor anchored to the chosen event, with
// its record's bytes as the evidence location (unless the record is in a
// decompressed stream) and the event quoted in the description.
func (p *eventPane) newFinding() {
	if p.ann.finding.whyNot() != "" || p.ev == nil {
		return
	}
	ev := p.ev
	d := &findingDraft{
		location: incident.EvidenceLocation{Evidence: ev.Item, Start: ev.Offset, End: ev.Offset + ev.Length},
		events:   []incident.EventAnchor{{Event: ev.ID}},
		description: fmt.Sprintf("Timeline event `%s` (%s, %s):\n\n> %s\n", ev.ID, ev.Parser, eventTime(ev),
			strings.ReplaceAll(shownLine(ev.Message), "\n", " ")),
	}
	if ev.Stream != "" || ev.Length <= 0 {
		d.noLocation = true
	}
	p.v.u.showFindingEditor(nil, d)
}
