package app

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/google/uuid"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/incident"
	"github.com/custodia-dfir/custodia/evidence"
	"github.com/custodia-dfir/custodia/evidence/disk"
	efs "github.com/custodia-dfir/custodia/evidence/fs"
	"github.com/custodia-dfir/custodia/evidence/volume"
)

// filesArea is the Files area: the volumes and folders of a disk item in a
// tree beside a virtualized list of the chosen folder's entries (name,
// size, MACB times, deleted ones marked), a preview of the chosen file
// (text or hex), and the actions on it: Show in image (the hex view of the
// item at the file's first byte), Export…, Add as evidence, New finding
// here. Everything is read from the case (package evidence/disk) off the UI
// goroutine; opening an item's file systems is recorded once
// (evidence.viewed via files), exports and derived items as they are made.
type filesArea struct{}

func (filesArea) title() string            { return "Files" }
func (filesArea) icon() fyne.ThemeIconName { return theme.IconNameFolderOpen }
func (filesArea) fill() bool               { return true }

// filesMaxListed bounds the entries one folder's list holds in memory; a
// folder with more says how many were left out.
const filesMaxListed = 200_000

// filesPreviewBytes is how much of a file the preview reads.
const filesPreviewBytes = 4096

type filesView struct {
	u  *UI
	cv *caseView

	items   []casefile.Evidence // the disk items offered
	itemSel *widget.Select
	volSel  *widget.Select
	status  *widget.Label

	// The open item and volume; set on the UI goroutine.
	im  *disk.Image
	fs  efs.FS
	vol volume.Volume

	// The folder tree: children of each folder path, loaded on demand.
	tree     *widget.Tree
	children map[string][]string
	dirs     map[string]*efs.Entry
	loading  map[string]bool

	// The chosen folder's entries.
	src     *listSource[efs.Entry]
	table   *dataTable
	dirPath string
	note    *widget.Label

	// The chosen file.
	chosen                     *efs.Entry
	preview                    *widget.Label
	show, export, add, finding *actionButton

	root *fyne.Container
}

var filesColumns = []listColumn[efs.Entry]{
	{dataColumn{title: "Name", width: 280}, func(e *efs.Entry) dataCell {
		c := dataCell{text: shownLine(e.Name)}
		switch {
		case e.Deleted:
			c.text += " (deleted)"
			c.icon = theme.NewErrorThemedResource(theme.DeleteIcon())
			c.imp = widget.DangerImportance
		case e.Type == efs.TypeDir:
			c.icon = theme.FolderIcon()
		default:
			c.icon = theme.FileIcon()
		}
		return c
	}, nil},
	{dataColumn{title: "Size", width: 110}, func(e *efs.Entry) dataCell {
		return dataCell{text: humanSize(e.Size), full: byteCount(e.Size), end: true}
	}, func(a, b *efs.Entry) int { return cmp.Compare(a.Size, b.Size) }},
	{dataColumn{title: "Modified (UTC)", width: 190}, func(e *efs.Entry) dataCell { return timeCell(e.M) }, func(a, b *efs.Entry) int { return cmpTime(a.M, b.M) }},
	{dataColumn{title: "Accessed (UTC)", width: 190}, func(e *efs.Entry) dataCell { return timeCell(e.A) }, func(a, b *efs.Entry) int { return cmpTime(a.A, b.A) }},
	{dataColumn{title: "Changed (UTC)", width: 190}, func(e *efs.Entry) dataCell { return timeCell(e.C) }, func(a, b *efs.Entry) int { return cmpTime(a.C, b.C) }},
	{dataColumn{title: "Created (UTC)", width: 190}, func(e *efs.Entry) dataCell { return timeCell(e.B) }, func(a, b *efs.Entry) int { return cmpTime(a.B, b.B) }},
	{dataColumn{title: "Inode", width: 90}, func(e *efs.Entry) dataCell {
		return dataCell{text: fmt.Sprint(e.Inode), end: true}
	}, func(a, b *efs.Entry) int { return cmp.Compare(a.Inode, b.Inode) }},
}

func timeCell(t *time.Time) dataCell {
	if t == nil {
		return cell("—")
	}
	return cell(t.UTC().Format(timeLayout))
}

func cmpTime(a, b *time.Time) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	return a.Compare(*b)
}

func (filesArea) build(cv *caseView) areaView {
	v := &filesView{u: cv.u, cv: cv, children: map[string][]string{}, dirs: map[string]*efs.Entry{}, loading: map[string]bool{}}
	v.status = widget.NewLabel("Choose a disk item.")
	v.status.Wrapping = fyne.TextWrapWord
	v.itemSel = widget.NewSelect(nil, func(string) { v.openItem() })
	v.itemSel.PlaceHolder = "Disk item…"
	v.volSel = widget.NewSelect(nil, func(string) { v.openVolume() })
	v.volSel.PlaceHolder = "Volume…"
	v.volSel.Disable()

	v.tree = widget.NewTree(v.childUIDs, v.isBranch,
		func(bool) fyne.CanvasObject { return widget.NewLabel("folder name") },
		func(id widget.TreeNodeID, _ bool, o fyne.CanvasObject) {
			name := "/"
			if id != "/" {
				name = filepath.Base(id)
			}
			o.(*widget.Label).SetText(shownLine(name))
		})
	v.tree.Root = ""
	v.tree.OnSelected = func(id widget.TreeNodeID) { v.showFolder(id) }

	v.src = newListSource(filesColumns, func(e *efs.Entry) any { return fmt.Sprintf("%d\x00%s\x00%v", e.Inode, e.Name, e.Deleted) })
	v.table = v.src.table(v.u, 4, 0)
	v.table.reload() // sizes the columns to their titles before any folder is shown
	v.table.onSelect = func(key any) { v.choose(v.src.find(key)) }
	v.note = widget.NewLabel("")
	v.note.Wrapping = fyne.TextWrapWord

	v.preview = widget.NewLabel("")
	v.preview.TextStyle = fyne.TextStyle{Monospace: true}
	v.preview.Wrapping = fyne.TextWrapBreak
	v.show = cv.action("Show in image", theme.VisibilityIcon(), v.showInImage)
	v.export = cv.action("Export…", theme.DownloadIcon(), v.showExportForm)
	v.add = cv.action("Add as evidence", theme.ContentAddIcon(), v.addAsEvidence)
	v.finding = cv.action("New finding here", theme.DocumentCreateIcon(), v.newFinding)
	v.updateActions()

	top := container.NewBorder(nil, nil, nil, nil,
		container.NewGridWithColumns(2, v.itemSel, v.volSel))
	actions := container.NewGridWithColumns(2, v.show, v.export, v.add, v.finding) // two by two: fits 800 px beside the tree
	right := container.NewBorder(v.note, container.NewVBox(actions, container.NewVScroll(v.preview)), nil, nil, v.table.box)
	split := container.NewHSplit(v.tree, right)
	split.Offset = 0.25
	v.root = container.NewBorder(container.NewVBox(top, v.status), nil, nil, nil, split)
	v.refresh(factsEvidence)
	return v
}

func (v *filesView) content() fyne.CanvasObject { return v.root }

// refresh offers the case's disk items (in force or not: a withdrawn item
// can still be looked into).
func (v *filesView) refresh(what factSet) {
	if !what.has(factsEvidence | factsCustody) {
		return
	}
	v.items = v.items[:0]
	var names []string
	for _, ev := range v.cv.oc.evidence.items {
		if ev.Meta.Kind == casefile.KindDisk || ev.Meta.Format == evidence.FormatDerived {
			v.items = append(v.items, ev)
			names = append(names, itemLabel(ev))
		}
	}
	v.itemSel.SetOptions(names)
	if len(names) == 0 {
		v.status.SetText("The case holds no disk item yet: add a disk image in Evidence.")
	}
	v.updateActions()
}

func itemLabel(ev casefile.Evidence) string {
	return fmt.Sprintf("%s  (%s, %s)", shownLine(ev.Meta.Name), ev.ID.String()[:8], humanSize(ev.Meta.Size))
}

// openItem reads the chosen item's partition table off the UI goroutine,
// recording the view first.
func (v *filesView) openItem() {
	i := v.itemSel.SelectedIndex()
	if i < 0 || i >= len(v.items) {
		return
	}
	ev := v.items[i]
	cv, oc := v.cv, v.cv.oc
	v.status.SetText("Reading the partition table of " + shownLine(ev.Meta.Name) + "…")
	v.reset()
	v.u.runJob(func() func() {
		im, err := disk.Open(oc.c, ev.ID)
		if err == nil {
			err = im.RecordView("files", "", nil)
		}
		return v.u.afterChange(cv, factsCustody, func() {
			if err != nil {
				v.status.SetText("")
				v.u.showError("The item could not be opened", err, nil)
				return
			}
			v.im = im
			var opts []string
			for _, vol := range im.Table.Volumes {
				opts = append(opts, volumeLabel(vol))
			}
			v.volSel.SetOptions(opts)
			v.volSel.Enable()
			msg := fmt.Sprintf("Partition table: %s, %d volume(s).", im.Table.Scheme, len(im.Table.Volumes))
			if len(im.Table.Warnings) > 0 {
				msg += " Warning: " + strings.Join(im.Table.Warnings, "; ")
			}
			v.status.SetText(msg)
			if vol, err := im.Volume(0); err == nil {
				for i, o := range im.Table.Volumes {
					if o.Index == vol.Index {
						v.volSel.SetSelectedIndex(i)
					}
				}
			}
		})
	})
}

func volumeLabel(vol volume.Volume) string {
	fsName := vol.FileSystem
	switch {
	case vol.Container:
		fsName = "extended partition"
	case fsName == "":
		fsName = "no known file system"
	}
	s := fmt.Sprintf("%d: %s at %s, %s — %s", vol.Index, fsName, byteCount(vol.Start), humanSize(vol.Size), vol.Type)
	if vol.Name != "" {
		s += " " + shownLine(vol.Name)
	}
	if vol.Problem != "" {
		s += " (" + vol.Problem + ")"
	}
	return s
}

func (v *filesView) reset() {
	v.fs, v.chosen = nil, nil
	v.children, v.dirs, v.loading = map[string][]string{}, map[string]*efs.Entry{}, map[string]bool{}
	v.src.set(nil)
	v.table.reload()
	v.tree.Refresh()
	v.note.SetText("")
	v.preview.SetText("")
	v.updateActions()
}

// openVolume opens the chosen volume's file system off the UI goroutine.
func (v *filesView) openVolume() {
	im := v.im
	i := v.volSel.SelectedIndex()
	if im == nil || i < 0 || i >= len(im.Table.Volumes) {
		return
	}
	vol := im.Table.Volumes[i]
	v.reset()
	v.u.runJob(func() func() {
		f, vol, err := im.FS(vol.Index)
		return func() {
			if err != nil {
				v.status.SetText(userMessage(err))
				return
			}
			v.fs, v.vol = f, vol
			v.dirs["/"] = f.Root()
			v.status.SetText(fmt.Sprintf("Volume %d: %s.", vol.Index, f.Type()))
			v.tree.Refresh()
			v.tree.OpenBranch("/")
			v.tree.Select("/")
		}
	})
}

func (v *filesView) childUIDs(id widget.TreeNodeID) []widget.TreeNodeID {
	if v.fs == nil {
		return nil
	}
	if id == "" {
		return []string{"/"}
	}
	if c, ok := v.children[id]; ok {
		return c
	}
	v.loadFolder(id, nil)
	return nil
}

func (v *filesView) isBranch(id widget.TreeNodeID) bool {
	if id == "" || id == "/" {
		return true
	}
	d := v.dirs[id]
	return d != nil && d.Type == efs.TypeDir
}

// loadFolder lists folder id off the UI goroutine (once), keeps its
// subfolders for the tree, and then calls then with its entries.
func (v *filesView) loadFolder(id string, then func([]efs.Entry, bool, error)) {
	dir := v.dirs[id]
	f := v.fs
	if dir == nil || f == nil || (v.loading[id] && then == nil) {
		return
	}
	v.loading[id] = true
	v.u.runJob(func() func() {
		var entries []efs.Entry
		more := false
		err := f.List(dir, true, func(e *efs.Entry) error {
			if len(entries) >= filesMaxListed {
				more = true
				return nil
			}
			entries = append(entries, *e)
			return nil
		})
		return func() {
			if v.fs != f {
				return
			}
			delete(v.loading, id)
			var sub []string
			for i := range entries {
				e := &entries[i]
				if e.Type == efs.TypeDir && !e.Deleted {
					v.dirs[e.Path] = e
					sub = append(sub, e.Path)
				}
			}
			if _, ok := v.children[id]; !ok {
				v.children[id] = sub
				v.tree.Refresh()
			}
			if then != nil {
				then(entries, more, err)
			}
		}
	})
}

// showFolder lists folder id in the table.
func (v *filesView) showFolder(id string) {
	v.dirPath = id
	v.note.SetText("Reading " + shownLine(id) + "…")
	v.loadFolder(id, func(entries []efs.Entry, more bool, err error) {
		if v.dirPath != id {
			return
		}
		v.src.set(entries)
		v.table.reload()
		note := fmt.Sprintf("%s: %d entries", shownLine(id), len(entries))
		if more {
			note += fmt.Sprintf(" (the first %d are listed; 'custodiactl fs ls' lists all)", filesMaxListed)
		}
		if err != nil {
			note += ". Part of the folder could not be read: " + userMessage(err)
		}
		v.note.SetText(note)
		v.choose(nil)
	})
}

// choose shows entry e (nil: none) and reads its preview off the UI
// goroutine.
func (v *filesView) choose(e *efs.Entry) {
	v.chosen = e
	v.preview.SetText("")
	v.updateActions()
	if e == nil || e.Type != efs.TypeFile || v.fs == nil {
		return
	}
	f := v.fs
	entry := *e
	v.u.runJob(func() func() {
		text := previewOf(f, &entry)
		return func() {
			if v.chosen != nil && v.chosen.Inode == entry.Inode && v.chosen.Path == entry.Path {
				v.preview.SetText(text)
			}
		}
	})
}

// previewOf reads the start of a file: as text when it is valid UTF-8
// without control characters (but tabs and line ends), else a hex dump.
func previewOf(f efs.FS, e *efs.Entry) string {
	file, err := f.Open(e, "")
	if err != nil {
		return "The file cannot be read: " + userMessage(err)
	}
	b := make([]byte, min(file.Size(), filesPreviewBytes))
	n, err := file.ReadAt(b, 0)
	b = b[:n]
	if n == 0 && err != nil {
		return "The file cannot be read: " + userMessage(err)
	}
	if isText(b) {
		return string(b)
	}
	var sb strings.Builder
	for off := 0; off < len(b) && off < 1024; off += hexRowBytes {
		hx, ascii := formatHexRow(b[off:min(off+hexRowBytes, len(b))])
		fmt.Fprintf(&sb, "%08x  %-48s %s\n", off, hx, ascii)
	}
	return sb.String()
}

func isText(b []byte) bool {
	if !utf8.Valid(b) && !utf8.Valid(b[:max(0, len(b)-3)]) {
		return false
	}
	for _, c := range b {
		if c < 0x20 && c != '\n' && c != '\r' && c != '\t' {
			return false
		}
	}
	return true
}

// firstRun is where the chosen file's data starts in the item, and its
// length there.
func (v *filesView) firstRun() (start, n int64, why string) {
	e := v.chosen
	if e == nil || v.fs == nil {
		return 0, 0, "choose a file first."
	}
	if e.Type != efs.TypeFile {
		return 0, 0, "only a file's data has a place in the image."
	}
	file, err := v.fs.Open(e, "")
	if err != nil {
		return 0, 0, "the file cannot be read: " + userMessage(err)
	}
	for _, r := range efs.Clip(file.Runs(), file.Size()) {
		if !r.Sparse {
			return v.vol.Start + r.Disk, r.Length, ""
		}
	}
	return 0, 0, "the file's data is kept inside file-system metadata (or it is empty), not in runs of its own."
}

func (v *filesView) updateActions() {
	noFile := ""
	switch {
	case v.chosen == nil:
		noFile = "choose a file in the list first."
	case v.chosen.Type != efs.TypeFile:
		noFile = "choose a file, not a folder."
	}
	v.export.allow(orWhy(noFile, v.cv.notPermitted(casefile.PermExportEvidence)))
	v.add.allow(orWhy(noFile, v.cv.whyNot(casefile.PermHandleEvidence)))
	if noFile == "" {
		_, _, noFile = v.firstRun()
	}
	v.show.allow(noFile)
	v.finding.allow(orWhy(noFile, v.cv.whyNotIncident(casefile.PermInvestigate)))
}

// showInImage opens the hex view of the item at the file's first byte,
// its first run selected.
func (v *filesView) showInImage() {
	start, n, why := v.firstRun()
	if why != "" || v.im == nil {
		return
	}
	v.u.openHexViewRange(v.im.Item, start, start+n)
}

// newFinding opens the finding editor on the file's first run in the item.
func (v *filesView) newFinding() {
	start, n, why := v.firstRun()
	if why != "" || v.im == nil {
		return
	}
	e := v.chosen
	desc := fmt.Sprintf("File %s (volume %d, %s, inode %d, %s), at bytes 0x%x–0x%x of %s.",
		"`"+strings.ReplaceAll(shownLine(e.Path), "`", "'")+"`", v.vol.Index, v.fs.Type(), e.Inode, byteCount(e.Size), start, start+n-1,
		"`"+strings.ReplaceAll(shownLine(v.im.Item.Meta.Name), "`", "'")+"`")
	v.u.showFindingEditor(nil, &findingDraft{location: incident.EvidenceLocation{Evidence: v.im.Item.ID, Start: start, End: start + n}, description: desc})
}

// addAsEvidence seals the chosen file as a derived item, behind a progress
// dialog with time left.
func (v *filesView) addAsEvidence() {
	e, im, f, vol := v.chosen, v.im, v.fs, v.vol
	if e == nil || im == nil || f == nil {
		return
	}
	entry := *e
	cv := v.cv
	u := v.u
	p := u.newProgress("Adding as evidence", "Hashing and sealing "+shownLine(entry.Path)+" as an item of its own, with where it came from.",
		"Stopping. Nothing of the new item is kept.")
	p.setStep(entry.Name)
	u.runWork(p, func(ctx context.Context) func() {
		ev, err := im.Add(ctx, f, vol, &entry, "", evidence.Options{Progress: p, Tool: "Custodia"})
		return u.afterChange(cv, factsEvidence|factsCustody, func() {
			switch {
			case errors.Is(err, context.Canceled):
				u.showNotice("Not added", "Adding "+shownLine(entry.Path)+" was cancelled; nothing was kept.", theme.InfoIcon(), nil)
			case err != nil:
				u.showError("The file was not added", err, nil)
			default:
				u.showNotice("Added as evidence", fmt.Sprintf("%s is now the item %s (%s), SHA-256 %s. Its provenance (item %s, volume %d, inode %d) is recorded with it.",
					shownLine(entry.Path), ev.ID.String()[:8], byteCount(ev.Meta.Size), ev.Meta.Hashes.SHA256, im.Item.ID.String()[:8], vol.Index, entry.Inode),
					theme.NewSuccessThemedResource(theme.ConfirmIcon()), nil)
			}
		})
	})
}

// showExportForm asks where to write the chosen file (folder, name,
// reason), as Extract… does for an item.
func (v *filesView) showExportForm() {
	e, im, f, vol := v.chosen, v.im, v.fs, v.vol
	if e == nil || im == nil || f == nil {
		return
	}
	entry := *e
	u := v.u
	form := u.newRecordForm("Export file", "Export",
		"Writes "+shownLine(entry.Path)+" ("+humanSize(entry.Size)+") from inside "+shownLine(im.Item.Meta.Name)+
			" to a new file. The export is recorded in the custody record with the file's path and hashes. Custodia never overwrites a file.")
	form.width = 680
	form.live = true
	folder := newFormEntry(form.keys, 0)
	folder.SetText(defaultFolder(u.cfg.DefaultFolder))
	folder.OnChanged = func(string) { form.recheck() }
	choose := form.button("Choose…", theme.FolderOpenIcon(), func() { u.choosePath(folder, true) })
	form.add("Folder *", container.NewBorder(nil, nil, nil, choose, folder))
	form.fields["Folder"] = folder
	name := form.entry("File name *", "A new file's name")
	name.SetText(extractName(entry.Name))
	reason := form.entry("Reason", "Why the file leaves the case (recorded)")
	form.check = func() bool {
		msg := extractLocationMessage(strings.TrimSpace(folder.Text), strings.TrimSpace(name.Text))
		form.setProblem("File name", msg)
		return msg == ""
	}
	form.hand = func() {
		dest := filepath.Join(strings.TrimSpace(folder.Text), strings.TrimSpace(name.Text))
		v.exportTo(im, f, vol, entry, dest, strings.TrimSpace(reason.Text))
	}
	form.show(name)
}

func (v *filesView) exportTo(im *disk.Image, f efs.FS, vol volume.Volume, entry efs.Entry, dest, reason string) {
	u, cv := v.u, v.cv
	p := u.newProgress("Exporting file", "Writing "+shownLine(entry.Path)+" to "+dest+" and hashing it.", "Stopping. The partial file is being removed.")
	p.setStep(entry.Name)
	u.runWork(p, func(ctx context.Context) func() {
		hs, err := im.Export(ctx, f, vol, &entry, "", dest, reason, p)
		return u.afterChange(cv, factsCustody, func() {
			switch {
			case errors.Is(err, context.Canceled):
				u.showNotice("Export cancelled", "The partial file "+dest+" was removed.", theme.InfoIcon(), nil)
			case err != nil:
				u.showError("The file was not exported", err, nil)
			default:
				u.showNotice("File exported", fmt.Sprintf("%s was written to %s. SHA-256 %s; the export is recorded in the custody record.",
					shownLine(entry.Path), dest, hs.SHA256), theme.NewSuccessThemedResource(theme.ConfirmIcon()), nil)
			}
		})
	})
}

// selectedItem is for tests: the item open in the area.
func (v *filesView) selectedItem() uuid.UUID {
	if v.im == nil {
		return uuid.Nil
	}
	return v.im.Item.ID
}
