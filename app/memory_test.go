package app

import (
	"bytes"
	"context"
	"encoding/binary"
	"strings"
	"testing"
	"unicode/utf16"

	"fyne.io/fyne/v2/test"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/evidence/memory"
)

// limeWith is a LiME image (per the LiME format specification) of one
// range per content.
func limeWith(contents ...[]byte) []byte {
	var b bytes.Buffer
	addr := uint64(0x1000)
	for _, c := range contents {
		var h [32]byte
		binary.LittleEndian.PutUint32(h[0:], 0x4C694D45)
		binary.LittleEndian.PutUint32(h[4:], 1)
		binary.LittleEndian.PutUint64(h[8:], addr)
		binary.LittleEndian.PutUint64(h[16:], addr+uint64(len(c))-1)
		b.Write(h[:])
		b.Write(c)
		addr += 0x100000
	}
	return b.Bytes()
}

func utf16Bytes(s string) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = binary.LittleEndian.AppendUint16(b, u)
	}
	return b
}

// minidumpWith is a minidump (by the documented MINIDUMP_HEADER,
// MINIDUMP_DIRECTORY, MINIDUMP_MODULE_LIST and MINIDUMP_STRING layouts) of
// one ModuleList stream.
func minidumpWith(names ...string) []byte {
	le := binary.LittleEndian
	b := make([]byte, 32+12)
	copy(b, "MDMP")
	le.PutUint32(b[4:], 0xA793)
	le.PutUint32(b[8:], 1)
	le.PutUint32(b[12:], 32)
	listAt := len(b)
	list := make([]byte, 4+108*len(names))
	le.PutUint32(list, uint32(len(names)))
	b = append(b, list...)
	le.PutUint32(b[32:], 4)
	le.PutUint32(b[36:], uint32(len(list)))
	le.PutUint32(b[40:], uint32(listAt))
	for i, n := range names {
		e := listAt + 4 + 108*i
		le.PutUint64(b[e:], 0x7ff000000000+uint64(i)<<24)
		le.PutUint32(b[e+8:], 0x10000*uint32(i+1))
		le.PutUint32(b[e+20:], uint32(len(b)))
		s := utf16Bytes(n)
		b = le.AppendUint32(b, uint32(len(s)))
		b = append(b, s...)
		b = append(b, 0, 0)
	}
	return b
}

// TestMemoryView: a memory item's details show the Memory view; Read
// memory facts shows the format, ranges and modules; Find strings lists
// the item's strings, those the filter names, as memory.ItemStrings finds
// them; each reading is a custody entry. Another kind of item has no
// Memory view.
func TestMemoryView(t *testing.T) {
	dir := t.TempDir()
	path, _ := makeCase(t, dir, "pass")
	page := append(append([]byte("password=hunter2\x00\x01"), utf16Bytes("Administrator")...), bytes.Repeat([]byte{0xff}, 4000)...)
	lime := ingestClosed(t, path, "ram.lime", limeWith(page, []byte("kernel32.dll\x00GetProcAddress\x00")))
	md := ingestClosed(t, path, "proc.dmp", minidumpWith(`C:\Windows\System32\notepad.exe`, `C:\Users\Zoë\evil.dll`))
	logItem := ingestClosed(t, path, "auth.log", []byte("Nov 26 10:00:00 host sshd[1]: Accepted password for root\n"))
	if lime.Meta.Kind != casefile.KindMemory || md.Meta.Kind != casefile.KindMemory {
		t.Fatalf("kinds %s and %s, want memory", lime.Meta.Kind, md.Meta.Kind)
	}
	u, v := openCaseUI(t, dir, path)
	p := v.details.memory

	act(u, func() { v.selectItem(logItem.ID) })
	if p.root.Visible() {
		t.Fatal("a log item shows the Memory view")
	}

	act(u, func() { v.selectItem(lime.ID) })
	if !p.root.Visible() {
		t.Fatal("a memory item does not show the Memory view")
	}
	act(u, func() { test.Tap(p.readFact) })
	waitJobs(t, u)
	if err := u.LastError(); err != nil {
		t.Fatal(err)
	}
	if got := p.facts.Text; !strings.Contains(got, "Format: lime — LiME memory image, version 1") ||
		!strings.Contains(got, "Memory: 2 ranges, 4.0 KiB in the file, from 0x1000 to 0x10101b") {
		t.Errorf("facts:\n%s", got)
	}

	// Every string, then those the filter names.
	var want []memory.Hit
	if err := memory.ItemStrings(context.Background(), u.Case(), lime.ID, memory.StringsOptions{}, nil, func(h memory.Hit) error {
		want = append(want, h)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	act(u, func() { test.Tap(p.find) })
	waitJobs(t, u)
	if got := p.hitSrc.hits; len(got) != len(want) || len(got) < 5 {
		t.Fatalf("%d strings shown, ItemStrings finds %d", len(got), len(want))
	}
	if p.count.Text != "6 strings found in 4,136 bytes (4.0 KiB)" {
		t.Errorf("count line %q", p.count.Text)
	}
	act(u, func() {
		p.filter.SetText("ADMIN")
		test.Tap(p.find)
	})
	waitJobs(t, u)
	if got := p.hitSrc.hits; len(got) != 1 || got[0].Text != "Administrator" || got[0].Encoding != memory.UTF16LE || got[0].Offset != 32+18 {
		t.Errorf("filter ADMIN shows %+v", got)
	}
	if rows := p.hitSrc.rows(0, 1); rows[0].cells[0].text != "50" || rows[0].cells[2].text != "Administrator" {
		t.Errorf("row %+v", rows[0])
	}
	// Show bytes: the hex view at the string, its 26 bytes selected.
	if p.showBytes.reason != "choose a string in the list first." {
		t.Errorf("Show bytes without a string chosen: %q", p.showBytes.reason)
	}
	act(u, func() { p.hits.choose(hitKey{50, memory.UTF16LE}) })
	act(u, func() { test.Tap(p.showBytes) })
	waitJobs(t, u)
	if len(u.hexViews) != 1 {
		t.Fatalf("%d hex views", len(u.hexViews))
	}
	if s, e, ok := u.hexViews[0].grid.selection(); !ok || s != 50 || e != 76 {
		t.Errorf("hex view selection %d-%d, want 50-76", s, e)
	}
	u.hexViews[0].Close()

	// The minidump's modules.
	act(u, func() { v.selectItem(md.ID) })
	if p.facts.Text == "" || strings.Contains(p.facts.Text, "lime") {
		t.Errorf("another item still shows the facts of the first: %q", p.facts.Text)
	}
	act(u, func() { test.Tap(p.readFact) })
	waitJobs(t, u)
	if p.modSrc.count() != 2 || !p.modBox.Visible() {
		t.Fatalf("%d modules shown", p.modSrc.count())
	}
	if rows := p.modSrc.rows(0, 2); rows[1].cells[0].text != "0x7ff001000000" || rows[1].cells[1].text != "131072" || rows[1].cells[3].text != `C:\Users\Zoë\evil.dll` {
		t.Errorf("module row %+v", rows[1].cells)
	}

	var vias []string
	for _, e := range viewedEntries(t, u) {
		vias = append(vias, e.Details["via"]+" "+e.Details["read"]+" "+e.Details["filter"])
	}
	if strings.Join(vias, "|") != "memory view header |memory view strings |memory view strings admin|hex view  |memory view header " {
		t.Errorf("custody entries: %q", vias)
	}
}

// TestMemoryViewScanCancels: while a scan runs the view shows its progress
// and Find strings says why it is disabled; Cancel stops it, keeping what
// was found.
func TestMemoryViewScanCancels(t *testing.T) {
	dir := t.TempDir()
	path, _ := makeCase(t, dir, "pass")
	lime := ingestClosed(t, path, "ram.lime", limeWith(bytes.Repeat([]byte("abcdefgh\x00"), 1<<20)))
	u, v := openCaseUI(t, dir, path)
	p := v.details.memory
	act(u, func() { v.selectItem(lime.ID) })
	gate := make(chan struct{})
	u.jobGate = gate
	act(u, func() { test.Tap(p.find) })
	if !p.scanning.Visible() || p.find.reason == "" {
		t.Errorf("scanning shown %v, Find strings disabled because %q", p.scanning.Visible(), p.find.reason)
	}
	act(u, func() { test.Tap(p.cancel) })
	u.jobGate = nil
	close(gate)
	waitJobs(t, u)
	if p.scanning.Visible() || !strings.HasPrefix(p.count.Text, "Cancelled: ") || p.find.reason != "" {
		t.Errorf("after Cancel: scanning %v, count %q, find disabled %q", p.scanning.Visible(), p.count.Text, p.find.reason)
	}
}
