package app

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	_ "modernc.org/sqlite" // to tamper with a closed case file

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/evidence"
)

// firstRow is what every generated test item starts with: printable text,
// control bytes and high bytes, so the ASCII column's rules show.
var firstRow = []byte("Custodia\x00\x01\x7f\x80\xffhex")

// testBytes returns n deterministic, incompressible bytes starting with
// firstRow.
func testBytes(n int, seed uint64) []byte {
	b := make([]byte, n)
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	for i := 0; i < n; i += 8 {
		v := r.Uint64()
		for j := 0; j < 8 && i+j < n; j++ {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	copy(b, firstRow)
	return b
}

func writeTestFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// openCaseUI opens the case at path (passphrase "pass") in a new test UI
// and shows the Evidence area.
func openCaseUI(t *testing.T, dir, path string) (*UI, *evidenceView) {
	t.Helper()
	u := newTestUI(t, dir)
	u.OpenWithPassphrase(path, []byte("pass"))
	waitJobs(t, u)
	if u.Screen() != ScreenCase {
		t.Fatalf("case did not open: %v", u.LastError())
	}
	return u, viewOf[*evidenceView](t, u, "Evidence")
}

// rowHex is how the hex view should write b (up to 16 bytes), worked out
// independently of formatHexRow: xxd-style pairs with a wider gap after the
// eighth, then the ASCII column.
func rowHex(off int64, b []byte) string {
	pairs := make([]string, 16)
	ascii := ""
	for i := range pairs {
		pairs[i] = "  "
		if i < len(b) {
			pairs[i] = fmt.Sprintf("%02x", b[i])
			if b[i] >= ' ' && b[i] <= '~' {
				ascii += string(rune(b[i]))
			} else {
				ascii += "."
			}
		}
	}
	return strings.TrimRight(fmt.Sprintf("%012x  %s  %s  %s", off,
		strings.Join(pairs[:8], " "), strings.Join(pairs[8:], " "), ascii), " ")
}

// viewedEntries returns the evidence.viewed entries of the open case.
func viewedEntries(t *testing.T, u *UI) []casefile.CustodyEntry {
	t.Helper()
	all, err := u.Case().Entries()
	if err != nil {
		t.Fatal(err)
	}
	var out []casefile.CustodyEntry
	for _, e := range all {
		if e.Action == casefile.ActionEvidenceViewed {
			out = append(out, e)
		}
	}
	return out
}

func TestEvidenceAddListVerifyExtractAndHexView(t *testing.T) {
	dir := t.TempDir()
	path, _ := makeCase(t, dir, "pass")
	u, v := openCaseUI(t, dir, path)
	data := testBytes(3<<20, 1)
	src := writeTestFile(t, dir, "disk.raw", data)
	sum := sha256.Sum256(data)
	wantSHA256 := hex.EncodeToString(sum[:])
	m5, s1 := md5.Sum(data), sha1.Sum(data)

	// The form refuses what cannot be ingested, each under its field.
	test.Tap(v.add)
	f := u.addEvidence
	if f == nil {
		t.Fatal("Add evidence… opened no form")
	}
	test.Tap(f.add)
	if !f.sourceProblem.Visible() || !strings.HasPrefix(f.sourceProblem.Text, "Source is required") {
		t.Errorf("empty source: problem %q", f.sourceProblem.Text)
	}
	f.source.SetText(path)
	if !strings.HasPrefix(f.sourceProblem.Text, "That is this case's own file") {
		t.Errorf("the case itself as source: problem %q", f.sourceProblem.Text)
	}
	f.source.SetText(filepath.Join(dir, "missing.raw"))
	if !strings.HasPrefix(f.sourceProblem.Text, "Nothing is at ") {
		t.Errorf("missing source: problem %q", f.sourceProblem.Text)
	}
	f.source.SetText(src)
	f.timeZone.SetText("Mars/Olympus_Mons")
	if !f.tzProblem.Visible() || !strings.HasPrefix(f.tzProblem.Text, `Unknown time zone "Mars/Olympus_Mons": use an IANA name`) {
		t.Errorf("bad time zone: problem %q", f.tzProblem.Text)
	}
	if f.sourceProblem.Visible() {
		t.Errorf("a good source shows a problem: %q", f.sourceProblem.Text)
	}
	f.timeZone.SetText("Europe/Berlin")
	f.kind.SetSelected("Disk image")
	test.Type(f.description, "System disk of FS01")
	test.Type(f.reason, "Ticket SEC-4471")
	test.Tap(f.add)
	if u.addEvidence != nil {
		t.Fatal("the form stayed open with valid input")
	}
	waitJobs(t, u)
	if err := u.LastError(); err != nil {
		t.Fatalf("ingest failed: %v", err)
	}
	if u.progress != nil || u.notice != nil {
		t.Errorf("a dialog is left after a clean ingest (progress %v, notice %v)", u.progress != nil, u.notice != nil)
	}

	// The list shows the item; it is chosen, with everything in the details.
	if len(v.items) != 1 {
		t.Fatalf("%d items listed, want 1", len(v.items))
	}
	row := tableRows(v.table)[0]
	if want := "disk.raw|In force|Disk image|3.0 MiB|" + wantSHA256[:16] + "…|Never|" + createdText; row != want {
		t.Errorf("table row = %q, want %q", row, want)
	}
	if v.count.Text != "1 item · 3.0 MiB" {
		t.Errorf("count = %q", v.count.Text)
	}
	d := v.details
	for _, c := range []struct{ name, got, want string }{
		{"name", d.name.Text, "disk.raw"},
		{"MD5", d.md5.Text, hex.EncodeToString(m5[:])},
		{"SHA-1", d.sha1.Text, hex.EncodeToString(s1[:])},
		{"SHA-256", d.sha256.Text, wantSHA256},
		{"kind", d.kind.Text, "Disk image"},
		{"format", d.format.Text, "File"},
		{"description", d.description.Text, "System disk of FS01"},
		{"size", d.size.Text, "3,145,728 bytes (3.0 MiB)"},
		{"source", d.source.Text, src},
		{"time zone", d.timeZone.Text, "Europe/Berlin"},
		{"ingested", d.ingestedAt.Text, createdText},
		{"ingested by", d.ingestedBy.Text, "Sam Okafor"},
		{"stored as", d.chunks.Text, "3 chunks of 1.0 MiB, sealed (compressed and encrypted) in the case file"},
		{"verdict", d.verdictTitle.Text, "Never verified"},
	} {
		if c.got != c.want {
			t.Errorf("details %s = %q, want %q", c.name, c.got, c.want)
		}
	}
	if d.warnings.Visible() {
		t.Error("warnings shown for an item without any")
	}
	if texts := canvasTexts(u.win.Canvas()); !strings.Contains(texts, wantSHA256) || !strings.Contains(texts, hex.EncodeToString(m5[:])) {
		t.Errorf("hashes not on screen; visible labels:\n%s", texts)
	}
	test.Tap(d.copySHA256)
	if got := u.app.Clipboard().Content(); got != wantSHA256 {
		t.Errorf("clipboard after Copy = %q, want the SHA-256 %q", got, wantSHA256)
	}
	test.Tap(d.copyMD5)
	if got := u.app.Clipboard().Content(); got != hex.EncodeToString(m5[:]) {
		t.Errorf("clipboard after Copy MD5 = %q", got)
	}

	// Verify: a match, shown in green in the details and in the list.
	gate := make(chan struct{})
	u.jobGate = gate
	test.Tap(v.verify)
	if u.progress == nil || u.progress.title != "Verifying evidence" || u.progress.item.Text != "disk.raw" {
		t.Error("no progress dialog while verifying")
	}
	u.jobGate = nil
	close(gate)
	waitJobs(t, u)
	if err := u.LastError(); err != nil {
		t.Fatalf("verify failed: %v", err)
	}
	if vr := v.items[0].Verification; vr == nil || !vr.OK {
		t.Fatalf("verification = %+v, want a match", vr)
	}
	if d.verdictColour != theme.ColorNameSuccess || d.verdictTitle.Text != "Verified — SHA-256 matches" {
		t.Errorf("verdict = %q (colour %q)", d.verdictTitle.Text, d.verdictColour)
	}
	if got := cellText(v.table, 0, 5); got != createdText {
		t.Errorf("Verified cell = %q, want the verification time", got)
	}
	if u.notice != nil {
		t.Errorf("a matching verification of one item opened a dialog: %q", u.notice.title)
	}

	// Extract: an existing file is refused in the form; a new one gets the
	// exact bytes.
	test.Tap(v.extract)
	x := u.extract
	if x == nil {
		t.Fatal("Extract… opened no form")
	}
	if x.fileName.Text != "disk.raw" || x.folder.Text != dir {
		t.Errorf("extract proposes %q in %q", x.fileName.Text, x.folder.Text)
	}
	if !x.locationProblem.Visible() || !strings.HasPrefix(x.locationProblem.Text, "A file named disk.raw already exists") {
		t.Errorf("an existing file is not refused: problem %q", x.locationProblem.Text)
	}
	test.Tap(x.extract)
	if u.extract != x || u.progress != nil {
		t.Fatal("Extract started with an existing file as destination")
	}
	x.fileName.SetText("disk-copy.raw")
	if x.locationProblem.Visible() {
		t.Errorf("a new file name is refused: %q", x.locationProblem.Text)
	}
	test.Type(x.reason, "hand-over to legal")
	test.Tap(x.extract)
	waitJobs(t, u)
	if err := u.LastError(); err != nil {
		t.Fatalf("extract failed: %v", err)
	}
	out := filepath.Join(dir, "disk-copy.raw")
	got, err := os.ReadFile(out)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("extracted file differs from the source (err %v, %d bytes)", err, len(got))
	}
	if u.notice == nil || u.notice.title != "Evidence extracted" {
		t.Fatal("no dialog reports the extraction")
	}
	if texts := canvasTexts(u.win.Canvas()); !strings.Contains(texts, out) || !strings.Contains(texts, wantSHA256) {
		t.Errorf("the extraction dialog does not show the path and SHA-256; visible labels:\n%s", texts)
	}
	u.notice.dlg.Hide()

	// The hex view: one row per 16 bytes, exact rows, go-to-offset.
	test.Tap(v.bytes)
	waitJobs(t, u)
	if len(u.hexViews) != 1 {
		t.Fatalf("%d hex views open, want 1", len(u.hexViews))
	}
	h := u.hexViews[0]
	waitJobs(t, u) // the pages on screen
	if h.Rows() != 196608 {
		t.Errorf("rows = %d, want 196608", h.Rows())
	}
	if got, want := h.RowText(0), rowHex(0, data[:16]); got != want {
		t.Errorf("row 0 = %q, want %q", got, want)
	}
	if got := h.RowText(0); !strings.HasSuffix(got, "Custodia.....hex") {
		t.Errorf("row 0's ASCII column = %q", got)
	}
	if texts := canvasTextsAll(h.win.Canvas()); !strings.Contains(texts, "000000000000\n"+rowHex(0, data[:16])[14:14+48]+"\nCustodia.....hex\n") {
		t.Errorf("row 0 not drawn; texts:\n%s", texts)
	}
	h.gotoEntry.SetText("0x100010")
	act(u, func() { test.Tap(h.gotoBtn) })
	waitJobs(t, u)
	g := h.grid
	if got := g.HighlightedRow(); got != 0x10001 {
		t.Errorf("go to 0x100010 highlights row %#x, want 0x10001", got)
	}
	if r := g.HighlightedRow(); r < g.top || r >= g.top+int64(g.visible) {
		t.Errorf("row %#x is not on screen (rows %#x..%#x)", r, g.top, g.top+int64(g.visible))
	}
	if got, want := h.RowText(0x10001), rowHex(0x100010, data[0x100010:0x100020]); got != want {
		t.Errorf("row 0x10001 = %q, want %q", got, want)
	}
	if texts := canvasTextsAll(h.win.Canvas()); !strings.Contains(texts, "000000100010") {
		t.Errorf("row 0x10001 not drawn; texts:\n%s", texts)
	}
	if s, e, ok := h.Selection(); !ok || s != 0x100010 || e != 0x100011 {
		t.Errorf("Selection = %d, %d, %v", s, e, ok)
	}
	for in, want := range map[string]string{
		"0x300000": "Offset 0x300000 (3,145,728) is past the end of the item: the last byte is at 0x2fffff (3,145,727).",
		"12ab":     `"12ab" is not an offset`,
	} {
		h.gotoEntry.SetText(in)
		act(u, func() { test.Tap(h.gotoBtn) })
		if !h.gotoProblem.Visible() || !strings.HasPrefix(h.gotoProblem.Text, want) {
			t.Errorf("go to %q: problem %q, want %q", in, h.gotoProblem.Text, want)
		}
	}
	if g.HighlightedRow() != 0x10001 {
		t.Error("a refused offset moved the cursor")
	}
	h.gotoEntry.SetText("1048576")
	act(u, func() { test.Tap(h.gotoBtn) })
	if g.HighlightedRow() != 0x10000 || h.gotoProblem.Visible() {
		t.Errorf("decimal offset: row %#x, problem %q", g.HighlightedRow(), h.gotoProblem.Text)
	}

	// Opening it again brings the window forward; one view, one entry.
	test.Tap(v.bytes)
	waitJobs(t, u)
	views := viewedEntries(t, u)
	if len(views) != 1 || views[0].Details["via"] != "hex view" || views[0].Target.ID != v.items[0].ID.String() {
		t.Errorf("evidence.viewed entries = %+v, want one via hex view", views)
	}

	// The dashboard sums the evidence up.
	dash := dashboard(t, u)
	if dash.evItems.Text != "1 item (1 disk image)" || dash.evSize.Text != "3,145,728 bytes (3.0 MiB)" ||
		dash.evVerified.Text != "1 verified · 0 mismatched · 0 never verified" {
		t.Errorf("dashboard evidence = %q, %q, %q", dash.evItems.Text, dash.evSize.Text, dash.evVerified.Text)
	}

	// Closing the case closes the hex view first.
	u.CloseCase()
	waitJobs(t, u)
	if len(u.hexViews) != 0 || !h.closed.Load() {
		t.Error("the hex view stayed open after the case closed")
	}
}

// canvasTextsAll returns every visible text on c: labels and the texts
// that custom widgets such as the hex grid draw.
func canvasTextsAll(c fyne.Canvas) string {
	var b strings.Builder
	for _, o := range test.LaidOutObjects(c.Content()) {
		if !o.Visible() {
			continue
		}
		switch o := o.(type) {
		case *widget.Label:
			b.WriteString(o.Text + "\n")
		case *canvas.Text:
			b.WriteString(o.Text + "\n")
		}
	}
	return b.String()
}

func TestEvidenceIngestCancelRollsBack(t *testing.T) {
	dir := t.TempDir()
	path, _ := makeCase(t, dir, "pass")
	u, v := openCaseUI(t, dir, path)
	src := writeTestFile(t, dir, "big.raw", testBytes(12<<20, 2))

	// Hold the ingest at its first progress update until the test lets go.
	seen, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	u.progressHook = func(ctx context.Context, s evidence.Status) {
		once.Do(func() { close(seen) })
		<-release
	}
	test.Tap(v.add)
	f := u.addEvidence
	f.source.SetText(src)
	test.Tap(f.add)
	select {
	case <-seen:
	case <-time.After(time.Minute):
		t.Fatal("no progress within a minute")
	}
	p := u.progress
	if p == nil || p.title != "Adding evidence" {
		t.Fatal("no progress dialog during the ingest")
	}
	test.Tap(p.cancel)
	if p.cancel.Text != "Cancelling…" || !p.cancel.Disabled() || !strings.Contains(p.note.Text, "rolled back") {
		t.Errorf("after Cancel: button %q (disabled %v), note %q", p.cancel.Text, p.cancel.Disabled(), p.note.Text)
	}
	close(release)
	waitJobs(t, u)

	if !errors.Is(u.LastError(), context.Canceled) {
		t.Errorf("last error = %v, want cancelled", u.LastError())
	}
	if len(v.items) != 0 {
		t.Errorf("%d items listed after a cancelled ingest", len(v.items))
	}
	if items, err := u.Case().ListEvidence(); err != nil || len(items) != 0 {
		t.Errorf("case holds %d items after a cancelled ingest (err %v)", len(items), err)
	}
	if u.notice == nil || u.notice.title != "Adding evidence cancelled" ||
		!strings.Contains(u.notice.message, "big.raw, was rolled back: nothing of it was kept in the case") {
		t.Fatalf("notice after cancel = %+v", u.notice)
	}
	if u.progress != nil {
		t.Error("the progress dialog stayed after the ingest stopped")
	}
	// The rolled-back ingest left the case usable: the same file goes in.
	u.progressHook = nil
	u.notice.dlg.Hide()
	test.Tap(v.add)
	u.addEvidence.source.SetText(src)
	test.Tap(u.addEvidence.add)
	waitJobs(t, u)
	if len(v.items) != 1 {
		t.Errorf("after a second ingest: %d items (err %v)", len(v.items), u.LastError())
	}
}

// ingestClosed adds data as an item to the closed case at path with the
// evidence package and returns the item.
func ingestClosed(t *testing.T, path string, name string, data []byte) casefile.Evidence {
	t.Helper()
	src := writeTestFile(t, filepath.Dir(path), name, data)
	c, err := casefile.Open(path, []byte("pass"), testOptions())
	if err != nil {
		t.Fatal(err)
	}
	items, err := evidence.Ingest(context.Background(), c, src, evidence.Options{})
	if err != nil || len(items) != 1 {
		t.Fatalf("Ingest: %v (%d items)", err, len(items))
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	return items[0]
}

// tamperChunk changes one byte of sealed chunk idx in the closed case at
// path, as someone editing the file with sqlite3 would.
func tamperChunk(t *testing.T, path string, idx int) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	res, err := db.Exec(fmt.Sprintf(`UPDATE evidence_chunks SET data = CAST(substr(data,1,50) || `+
		`(CASE WHEN substr(data,51,1) = x'ff' THEN x'00' ELSE x'ff' END) || substr(data,52) AS BLOB) WHERE idx = %d`, idx))
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("tampered %d chunks, want 1", n)
	}
	if _, err := db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		t.Fatal(err)
	}
}

func TestEvidenceTamperedChunkShowsMismatch(t *testing.T) {
	dir := t.TempDir()
	path, _ := makeCase(t, dir, "pass")
	data := testBytes(3<<20, 3)
	ingestClosed(t, path, "memory.lime", data)
	tamperChunk(t, path, 1)

	u, v := openCaseUI(t, dir, path)
	if len(v.items) != 1 {
		t.Fatalf("%d items", len(v.items))
	}
	d := v.details
	test.Tap(v.verify)
	waitJobs(t, u)
	if vr := v.items[0].Verification; vr == nil || vr.OK || !strings.Contains(vr.Detail, "chunk 1") {
		t.Fatalf("verification = %+v, want a mismatch naming chunk 1", vr)
	}
	if d.verdictColour != theme.ColorNameError || !strings.HasPrefix(d.verdictTitle.Text, "MISMATCH") ||
		!strings.Contains(d.verdictNote.Text, "by Sam Okafor. Chunk 1 (bytes 1048576 to 2097151): failed authentication (changed, moved or from another item).") {
		t.Errorf("verdict = %q / %q (colour %q)", d.verdictTitle.Text, d.verdictNote.Text, d.verdictColour)
	}
	if got := cellText(v.table, 0, 5); got != "MISMATCH" {
		t.Errorf("Verified cell = %q", got)
	}
	if u.notice == nil || u.notice.title != "Evidence MISMATCH" || !strings.Contains(u.notice.message, "memory.lime — Chunk 1 (bytes 1048576 to 2097151): failed authentication") {
		t.Fatalf("mismatch dialog = %+v", u.notice)
	}
	u.notice.dlg.Hide()

	// The hex view reads the good chunks and names the bad one.
	test.Tap(v.bytes)
	waitJobs(t, u)
	h := u.hexViews[0]
	waitJobs(t, u)
	if got, want := h.RowText(0), rowHex(0, data[:16]); got != want {
		t.Errorf("row 0 = %q, want %q", got, want)
	}
	act(u, func() { h.GoTo(0x100020) })
	waitJobs(t, u)
	if got := h.RowText(0x10002); !strings.Contains(got, "read error: chunk 1 failed authentication") {
		t.Errorf("row in the tampered chunk = %q", got)
	}
	if !h.errBanner.Visible() || !strings.HasPrefix(h.errText.Text, "Chunk 1 (offsets 0x100000–0x1fffff) could not be read") {
		t.Errorf("error banner (visible %v): %q", h.errBanner.Visible(), h.errText.Text)
	}
	act(u, func() { h.GoTo(0x200000) })
	waitJobs(t, u)
	if got, want := h.RowText(0x20000), rowHex(0x200000, data[0x200000:0x200010]); got != want {
		t.Errorf("row after the tampered chunk = %q, want %q", got, want)
	}

	// The dashboard counts the mismatch.
	u.SelectArea("Dashboard")
	if got := dashboard(t, u).evVerified.Text; got != "0 verified · 1 mismatched · 0 never verified" ||
		dashboard(t, u).evVerified.Importance != widget.DangerImportance {
		t.Errorf("dashboard verification = %q", got)
	}
}

// tapButton taps the visible button labelled text on c or its dialogs.
func tapButton(t *testing.T, c fyne.Canvas, text string) {
	t.Helper()
	objs := test.LaidOutObjects(c.Content())
	for _, o := range c.Overlays().List() {
		objs = append(objs, test.LaidOutObjects(o)...)
	}
	for _, o := range objs {
		switch b := o.(type) {
		case *widget.Button:
			if b.Visible() && b.Text == text {
				test.Tap(b)
				return
			}
		case *formButton:
			if b.Visible() && b.Text == text {
				test.Tap(b)
				return
			}
		case *actionButton:
			if b.Visible() && b.Text == text {
				test.Tap(b)
				return
			}
		}
	}
	t.Fatalf("no button %q on screen", text)
}

func TestEvidenceWarningsAndVerifyAll(t *testing.T) {
	dir := t.TempDir()
	path, _ := makeCase(t, dir, "pass")
	u, v := openCaseUI(t, dir, path)
	add := func(src string) {
		t.Helper()
		test.Tap(v.add)
		u.addEvidence.source.SetText(src)
		test.Tap(u.addEvidence.add)
		waitJobs(t, u)
		if err := u.LastError(); err != nil {
			t.Fatalf("ingest %s: %v", src, err)
		}
	}

	// An empty source goes in with a warning, shown at once and with the item.
	add(writeTestFile(t, dir, "empty.log", nil))
	if u.notice == nil || u.notice.title != "Evidence added with warnings" ||
		!strings.Contains(u.notice.message, "• empty.log: the source is empty (0 bytes)") {
		t.Fatalf("warnings dialog = %+v", u.notice)
	}
	u.notice.dlg.Hide()
	d := v.details
	if !d.warnings.Visible() || d.warningsText.Text != "• The source is empty (0 bytes)" {
		t.Errorf("details warnings (visible %v) = %q", d.warnings.Visible(), d.warningsText.Text)
	}
	if cell := evidenceColumns[0].cell(&v.items[0]); cell.icon == nil {
		t.Error("the Name cell of an item with warnings has no warning icon")
	}

	// A folder adds one item per file; the last is chosen.
	logs := filepath.Join(dir, "logs")
	os.Mkdir(logs, 0o755)
	writeTestFile(t, logs, "a.log", []byte("Mar  9 22:14:01 gw sshd[1]: Failed password for root\n"))
	writeTestFile(t, logs, "b.log", []byte("Mar  9 22:14:02 gw sshd[2]: Accepted password for svc\n"))
	add(logs)
	if len(v.items) != 3 || v.Selected() == nil || v.Selected().ID != v.items[2].ID {
		t.Fatalf("after adding a folder: %d items, chosen %v", len(v.items), v.Selected())
	}
	if got := cellText(v.table, 1, 2); got != "Log" {
		t.Errorf("kind of a.log = %q, want Log (detected)", got)
	}
	// Choosing a row shows that item.
	v.table.table.Select(widget.TableCellID{Row: 1, Col: 2})
	if v.Selected().ID != v.items[1].ID || d.name.Text != v.items[1].Meta.Name {
		t.Errorf("choosing row 1 shows %q", d.name.Text)
	}

	test.Tap(v.verifyAll)
	waitJobs(t, u)
	if u.notice == nil || u.notice.title != "Evidence verified" || !strings.HasPrefix(u.notice.message, "3 items verified") {
		t.Fatalf("Verify all summary = %+v", u.notice)
	}
	for i := range v.items {
		if vr := v.items[i].Verification; vr == nil || !vr.OK {
			t.Errorf("item %d: verification %+v", i, vr)
		}
	}
	n := 0
	entries, _ := u.Case().Entries()
	for _, e := range entries {
		if e.Action == casefile.ActionEvidenceVerified {
			n++
		}
	}
	if n != 3 {
		t.Errorf("%d evidence.verified entries, want 3", n)
	}
	// By default SHA-256 alone is recomputed, and the summary says so.
	if !strings.Contains(u.notice.message, "SHA-256 recomputed and matches the value recorded at ingest (MD5 and SHA-1 not recomputed)") {
		t.Errorf("Verify all summary %q does not say what was recomputed", u.notice.message)
	}
	if vr := v.items[2].Verification; vr.Hashes.MD5 != "" || vr.Hashes.SHA256 != v.items[2].Meta.Hashes.SHA256 {
		t.Errorf("default verification hashes %+v", vr.Hashes)
	}
	u.notice.dlg.Hide()

	// Ticked, Verify recomputes all three, shown in the banner.
	v.allHashes.SetChecked(true)
	test.Tap(v.verify)
	waitJobs(t, u)
	vr := v.Selected().Verification
	if vr == nil || !vr.OK || vr.Hashes != v.Selected().Meta.Hashes || vr.RecomputedText() != "MD5, SHA-1, SHA-256" {
		t.Fatalf("verification with all hashes = %+v", vr)
	}
	if d.verdictTitle.Text != "Verified — MD5, SHA-1 and SHA-256 match" ||
		!strings.Contains(d.verdictNote.Text, "MD5, SHA-1 and SHA-256 recomputed and match the values recorded at ingest.") {
		t.Errorf("banner note %q", d.verdictNote.Text)
	}
	entries, _ = u.Case().Entries()
	if last := entries[len(entries)-1]; last.Details["recomputed"] != "md5,sha1,sha256" {
		t.Errorf("last entry %+v", last)
	}
}

func TestClosingWindowDuringIngestAsksAndRollsBack(t *testing.T) {
	dir := t.TempDir()
	path, _ := makeCase(t, dir, "pass")
	u, v := openCaseUI(t, dir, path)
	src := writeTestFile(t, dir, "big.raw", testBytes(12<<20, 4))
	seen := make(chan struct{})
	var once sync.Once
	u.progressHook = func(ctx context.Context, s evidence.Status) {
		once.Do(func() { close(seen) })
		<-ctx.Done()
	}
	closed := false
	u.win.SetOnClosed(func() { closed = true })
	test.Tap(v.add)
	u.addEvidence.source.SetText(src)
	test.Tap(u.addEvidence.add)
	<-seen

	u.RequestClose()
	if closed || u.Case() == nil {
		t.Fatal("the window closed during an ingest without asking")
	}
	act(u, func() { tapButton(t, u.win.Canvas(), "Stop and close") })
	waitJobs(t, u)
	if !closed || u.Case() != nil {
		t.Fatalf("after Stop and close: window closed %v, case open %v", closed, u.Case() != nil)
	}
	c, err := casefile.Open(path, []byte("pass"), testOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if items, err := c.ListEvidence(); err != nil || len(items) != 0 {
		t.Errorf("the case holds %d items after stopping the ingest (err %v)", len(items), err)
	}
}

// Check source… re-hashes the original where it is still attached: the
// recorded path is proposed, a missing one is refused in the form, a match
// and a difference are each reported and recorded.
func TestEvidenceCheckSource(t *testing.T) {
	dir := t.TempDir()
	path, _ := makeCase(t, dir, "pass")
	u, v := openCaseUI(t, dir, path)
	src := writeTestFile(t, dir, "usb.raw", testBytes(300_000, 7))
	test.Tap(v.add)
	u.addEvidence.source.SetText(src)
	test.Tap(u.addEvidence.add)
	waitJobs(t, u)
	if err := u.LastError(); err != nil {
		t.Fatal(err)
	}

	test.Tap(v.checkSource)
	f := u.sourceCheck
	if f == nil || f.path.Text != src || f.problem.Visible() {
		t.Fatalf("Check source form: %+v", f)
	}
	f.path.SetText(filepath.Join(dir, "gone.raw"))
	if !f.problem.Visible() || !strings.HasPrefix(f.problem.Text, "Nothing is at ") {
		t.Errorf("a missing source is not refused: %q", f.problem.Text)
	}
	f.path.SetText(src)
	test.Tap(f.check)
	waitJobs(t, u)
	if u.notice == nil || u.notice.title != "Source matches" {
		t.Fatalf("after checking the unchanged source: %+v (error %v)", u.notice, u.LastError())
	}
	u.notice.dlg.Hide()

	// The source changes after ingest: the difference is named.
	changed := testBytes(300_000, 7)
	changed[1000] ^= 1
	if err := os.WriteFile(src, changed, 0o600); err != nil {
		t.Fatal(err)
	}
	test.Tap(v.checkSource)
	test.Tap(u.sourceCheck.check)
	waitJobs(t, u)
	want := "MD5 recorded " + v.items[0].Meta.Hashes.MD5 + ", now " + fmt.Sprintf("%x", md5.Sum(changed))
	if u.notice == nil || u.notice.title != "Source differs from ingest" || !strings.Contains(u.notice.message, want) {
		t.Fatalf("after checking a changed source: %+v", u.notice)
	}
	entries, _ := u.Case().Entries()
	var results []string
	for _, e := range entries {
		if e.Action == casefile.ActionSourceVerified {
			results = append(results, e.Details["result"])
		}
	}
	if strings.Join(results, " ") != "match MISMATCH" {
		t.Errorf("source checks recorded %v, want match then MISMATCH", results)
	}
}
