package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/evidence/memory"
)

// The memory commands (issue 13): what a memory dump's headers say, and
// the strings of any item.

var memoryCommand = &command{
	name:    "memory",
	summary: "describe memory dumps; find the strings of an item",
	about: `A memory dump is read straight from the case, every chunk authenticated;
nothing is extracted to disk. Reading an item's content is recorded in the
custody ledger (evidence.viewed, with how it was read).`,
	sub: []*command{
		{
			name:    "info",
			summary: "recognise a memory dump and show what its headers say",
			about: `Open CASE and recognise the memory dump ID by its header: format lime (LiME),
elf-core (an ELF core file, from gcore or the kernel), minidump (Windows
MDMP), crashdump (a Windows full or kernel crash dump, PAGEDUMP or PAGEDU64),
hiberfil (a Windows hibernation file, recognised by its signature only), or
raw (no known header: raw memory, or no memory dump at all). Then show what
the format tells: the memory ranges (first and last address and where the
bytes are in the item), the process, its threads, its modules (name, base,
size), the mapped files, the minidump streams or ELF notes, the system, the
crash (bug check code and parameters) and when the dump was written.

An item of another kind is described too, as what it is found to be.
Counts read from the dump are bounded; a damaged or truncated dump is
described as far as it can be read, with a warning for each part left out.
--json prints one object; addresses in it are hexadecimal strings ("0x1000"),
sizes and offsets numbers. Recorded as evidence.viewed (via "memory info").`,
			params: []param{caseParam, evidenceParam},
			flags:  []flagDef{jsonFlag},
			opens:  true, changes: true,
			records: casefile.ActionEvidenceViewed,
			do:      runMemoryInfo,
		},
		{
			name:    "strings",
			summary: "list the ASCII and UTF-16LE strings of an item, with their offsets",
			about: `Open CASE and list the strings of the item ID: runs of at least --min
characters (default 4) that are printable ASCII or tab, as GNU strings finds
them — in ASCII (strings -a), in UTF-16 little-endian (strings -a -e l), or
both (the default), in the order of their offsets. Each line is the decimal
offset of the string's first byte in the item, its encoding and its text.
The item is read once, streamed, whatever its size; a string that straddles
two chunks of the item is found once. --json prints a list of {"offset",
"length" (in bytes), "encoding", "text", "truncated"}; a string over 65536
characters keeps its first 65536 in text, with truncated true.

Any item can be scanned, not only memory. Recorded as evidence.viewed (via
"memory strings") before the first byte is read.`,
			params: []param{caseParam, evidenceParam},
			flags: []flagDef{
				{name: "min", value: newValue[minLength](), usage: "report strings of at least `N` characters (1 to 1024); default 4"},
				{name: "encoding", value: choice("encoding", []stringsEncoding{"ascii", "utf16le", "both"}, map[string]stringsEncoding{"utf-16le": "utf16le"}),
					show: "ascii|utf16le|both", usage: "the `ENCODING` of the strings: ascii, utf16le or both; default both"},
				jsonFlag,
			},
			opens: true, changes: true,
			do: runMemoryStrings,
		},
	},
}

type stringsEncoding string

// minLength is --min: the fewest characters of a string.
type minLength struct{ n int }

func (m *minLength) get() int { return m.n }

func (m *minLength) String() string {
	if m == nil || m.n == 0 {
		return ""
	}
	return strconv.Itoa(m.n)
}

func (m *minLength) Set(s string) error {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 1 || n > 1024 {
		return errors.New("not a string length: give a whole number of characters from 1 to 1024")
	}
	m.n = n
	return nil
}

func runMemoryInfo(in *call, c *casefile.Case) error {
	ev, err := findEvidence(c, in.args[1])
	if err != nil {
		return err
	}
	if err := memory.RecordRead(c, ev.ID, "memory info", in.reason, nil); err != nil {
		return err
	}
	info, err := memory.DescribeItem(c, ev.ID)
	if err != nil {
		return err
	}
	if in.on("json") {
		return writeJSON(in.stdout, memoryInfoToJSON(ev, info))
	}
	writeMemoryInfo(in.stdout, ev, info)
	return nil
}

func runMemoryStrings(in *call, c *casefile.Case) error {
	ev, err := findEvidence(c, in.args[1])
	if err != nil {
		return err
	}
	opt := memory.StringsOptions{Min: valueOf[int](in, "min")}
	if e := valueOf[stringsEncoding](in, "encoding"); e != "" {
		if opt.Encoding, err = memory.ParseEncoding(string(e)); err != nil {
			return err
		}
	}
	if opt.Min == 0 {
		opt.Min = memory.DefaultMinLength
	}
	if opt.Encoding == 0 {
		opt.Encoding = memory.Both
	}
	if err := memory.RecordRead(c, ev.ID, "memory strings", in.reason, map[string]string{
		"min": strconv.Itoa(opt.Min), "encoding": opt.Encoding.String()}); err != nil {
		return err
	}
	w := bufio.NewWriterSize(in.stdout, 1<<16)
	asJSON := in.on("json")
	n := 0
	emit := func(h memory.Hit) error {
		if asJSON {
			sep := ",\n  "
			if n == 0 {
				sep = "[\n  "
			}
			b, err := json.Marshal(stringsHitJSON{Offset: h.Offset, Length: h.Length, Encoding: h.Encoding.String(), Text: h.Text, Truncated: h.Truncated})
			if err != nil {
				return err
			}
			w.WriteString(sep)
			w.Write(b)
		} else {
			fmt.Fprintf(w, "%10d %-7s %s\n", h.Offset, h.Encoding, printable(h.Text, false))
		}
		n++
		return nil
	}
	prog := in.progress("scanning")
	err = in.interruptible(func(ctx context.Context) error {
		return memory.ItemStrings(ctx, c, ev.ID, opt, prog.sink(), emit)
	})
	prog.clear()
	if asJSON {
		if n == 0 {
			w.WriteString("[")
		}
		w.WriteString("\n]\n")
	}
	if ferr := w.Flush(); err == nil {
		err = ferr
	}
	if errors.Is(err, context.Canceled) {
		return withHint(errors.New("strings scan cancelled"), "the strings printed so far are those before the point reached")
	}
	return err
}

type stringsHitJSON struct {
	Offset    int64  `json:"offset"`
	Length    int64  `json:"length"`
	Encoding  string `json:"encoding"`
	Text      string `json:"text"`
	Truncated bool   `json:"truncated"`
}

// hexAddr is an address as JSON shows it: a hexadecimal string, since
// 64-bit addresses do not fit a JSON number exactly.
type hexAddr uint64

func (a hexAddr) MarshalJSON() ([]byte, error) { return []byte(fmt.Sprintf(`"%#x"`, uint64(a))), nil }

type memoryInfoJSON struct {
	Item        string          `json:"item"`
	Name        string          `json:"name"`
	Kind        string          `json:"kind"`
	Size        int64           `json:"size"`
	Format      memory.Format   `json:"format"`
	Description string          `json:"description"`
	Timestamp   *time.Time      `json:"timestamp"`
	System      *memSystemJSON  `json:"system"`
	Process     *memProcessJSON `json:"process"`
	Crash       *memCrashJSON   `json:"crash"`
	Ranges      []memRangeJSON  `json:"ranges"`
	Threads     []memThreadJSON `json:"threads"`
	Modules     []memModuleJSON `json:"modules"`
	MappedFiles []memMappedJSON `json:"mapped_files"`
	Streams     []memStreamJSON `json:"streams"`
	Notes       []memNoteJSON   `json:"notes"`
	Warnings    []string        `json:"warnings"`
}

type memRangeJSON struct {
	Start  hexAddr `json:"start"`
	End    hexAddr `json:"end"`
	Offset *int64  `json:"offset"` // null where the format does not place it
	Size   uint64  `json:"size"`
}

type memSystemJSON struct {
	Machine     string `json:"machine,omitempty"`
	Processors  int    `json:"processors,omitempty"`
	OSVersion   string `json:"os_version,omitempty"`
	Build       uint32 `json:"build,omitempty"`
	Platform    string `json:"platform,omitempty"`
	ServicePack string `json:"service_pack,omitempty"`
}

type memProcessJSON struct {
	PID        int64      `json:"pid"`
	PPID       int64      `json:"ppid"`
	PGRP       int64      `json:"pgrp"`
	SID        int64      `json:"sid"`
	UID        int64      `json:"uid"`
	GID        int64      `json:"gid"`
	Name       string     `json:"name"`
	Args       string     `json:"args"`
	State      string     `json:"state"`
	CreateTime *time.Time `json:"create_time,omitempty"`
}

type memCrashJSON struct {
	DumpType       string     `json:"dump_type"`
	BugCheckCode   string     `json:"bugcheck_code"`
	BugCheckParams [4]hexAddr `json:"bugcheck_parameters"`
	Comment        string     `json:"comment"`
	PhysicalPages  uint64     `json:"physical_pages"`
}

type memThreadJSON struct {
	ID         int64    `json:"id"`
	Signal     int      `json:"signal"`
	PC         *hexAddr `json:"pc,omitempty"`
	StackStart *hexAddr `json:"stack_start,omitempty"`
	StackSize  uint64   `json:"stack_size,omitempty"`
	TEB        *hexAddr `json:"teb,omitempty"`
}

type memModuleJSON struct {
	Name      string     `json:"name"`
	Base      hexAddr    `json:"base"`
	Size      uint64     `json:"size"`
	Timestamp *time.Time `json:"timestamp"`
}

type memMappedJSON struct {
	Start  hexAddr `json:"start"`
	End    hexAddr `json:"end"`
	Offset uint64  `json:"offset"`
	Path   string  `json:"path"`
}

type memStreamJSON struct {
	Type   uint32 `json:"type"`
	Name   string `json:"name"`
	Size   uint32 `json:"size"`
	Offset int64  `json:"offset"`
}

type memNoteJSON struct {
	Owner  string `json:"owner"`
	Type   uint32 `json:"type"`
	Name   string `json:"name"`
	Size   uint32 `json:"size"`
	Offset int64  `json:"offset"`
}

func timeOrNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func addrOrNil(a uint64) *hexAddr {
	if a == 0 {
		return nil
	}
	h := hexAddr(a)
	return &h
}

func memoryInfoToJSON(ev casefile.Evidence, in *memory.Info) memoryInfoJSON {
	j := memoryInfoJSON{Item: ev.ID.String(), Name: ev.Meta.Name, Kind: string(ev.Meta.Kind), Size: ev.Meta.Size,
		Format: in.Format, Description: in.Description, Timestamp: timeOrNil(in.Timestamp),
		Ranges: []memRangeJSON{}, Threads: []memThreadJSON{}, Modules: []memModuleJSON{}, MappedFiles: []memMappedJSON{},
		Streams: []memStreamJSON{}, Notes: []memNoteJSON{}, Warnings: append([]string{}, in.Warnings...)}
	if s := in.System; s != nil {
		j.System = &memSystemJSON{Machine: s.Machine, Processors: s.Processors, OSVersion: s.OSVersion, Build: s.Build, Platform: s.Platform, ServicePack: s.ServicePack}
	}
	if p := in.Process; p != nil {
		j.Process = &memProcessJSON{PID: p.PID, PPID: p.PPID, PGRP: p.PGRP, SID: p.SID, UID: p.UID, GID: p.GID, Name: p.Name, Args: p.Args, State: p.State, CreateTime: timeOrNil(p.CreateTime)}
	}
	if c := in.Crash; c != nil {
		j.Crash = &memCrashJSON{DumpType: c.DumpType, BugCheckCode: fmt.Sprintf("%#08x", c.BugCheckCode), Comment: c.Comment, PhysicalPages: c.PhysicalPages}
		for i, p := range c.BugCheckParams {
			j.Crash.BugCheckParams[i] = hexAddr(p)
		}
	}
	for _, r := range in.Ranges {
		rj := memRangeJSON{Start: hexAddr(r.Start), End: hexAddr(r.End), Size: r.Size}
		if r.Offset >= 0 {
			rj.Offset = &r.Offset
		}
		j.Ranges = append(j.Ranges, rj)
	}
	for _, t := range in.Threads {
		j.Threads = append(j.Threads, memThreadJSON{ID: t.ID, Signal: t.Signal, PC: addrOrNil(t.PC), StackStart: addrOrNil(t.StackStart), StackSize: t.StackSize, TEB: addrOrNil(t.TEB)})
	}
	for _, m := range in.Modules {
		j.Modules = append(j.Modules, memModuleJSON{Name: m.Name, Base: hexAddr(m.Base), Size: m.Size, Timestamp: timeOrNil(m.Timestamp)})
	}
	for _, m := range in.MappedFiles {
		j.MappedFiles = append(j.MappedFiles, memMappedJSON{Start: hexAddr(m.Start), End: hexAddr(m.End), Offset: m.Offset, Path: m.Path})
	}
	for _, s := range in.Streams {
		j.Streams = append(j.Streams, memStreamJSON{Type: s.Type, Name: s.Name, Size: s.Size, Offset: s.Offset})
	}
	for _, n := range in.Notes {
		j.Notes = append(j.Notes, memNoteJSON{Owner: n.Owner, Type: n.Type, Name: n.Name, Size: n.Size, Offset: n.Offset})
	}
	return j
}

// writeMemoryInfo writes what memory info found as text: the facts, then
// a table for each list the format has. Every text from the dump is
// printed escaped: it is evidence, and hostile.
func writeMemoryInfo(w io.Writer, ev casefile.Evidence, in *memory.Info) {
	field := func(name, value string) { writeField(w, 13, name, value) }
	field("item", fmt.Sprintf("%s %s (kind %s, %s)", shortID(ev), printable(ev.Meta.Name, false), printable(string(ev.Meta.Kind), false), humanSize(ev.Meta.Size)))
	field("format", string(in.Format))
	field("description", in.Description)
	if in.Format == memory.FormatRaw && ev.Meta.Kind != casefile.KindMemory {
		field("note", fmt.Sprintf("the item is of kind %s, not memory: its bytes are shown as raw memory", printable(string(ev.Meta.Kind), false)))
	}
	if !in.Timestamp.IsZero() {
		field("timestamp", textTime(in.Timestamp))
	}
	if s := in.System; s != nil {
		var parts []string
		cpus := ""
		if s.Processors > 0 {
			cpus = plural(s.Processors, "processor", "processors")
		}
		for _, p := range []string{s.Machine, cpus, s.Platform, s.OSVersion, printable(s.ServicePack, false)} {
			if p != "" {
				parts = append(parts, p)
			}
		}
		field("system", orNone(strings.Join(parts, ", ")))
	}
	if p := in.Process; p != nil {
		text := fmt.Sprintf("pid %d", p.PID)
		if p.Name != "" || p.PPID != 0 {
			text += fmt.Sprintf(", ppid %d, pgrp %d, sid %d, uid %d, gid %d, state %s, name %s, arguments %s",
				p.PPID, p.PGRP, p.SID, p.UID, p.GID, orDash(p.State), printable(p.Name, false), printable(p.Args, false))
		}
		if !p.CreateTime.IsZero() {
			text += ", started " + textTime(p.CreateTime)
		}
		field("process", text)
	}
	if c := in.Crash; c != nil {
		field("dump type", orDash(c.DumpType))
		field("bug check", fmt.Sprintf("%#08x (%#x, %#x, %#x, %#x)", c.BugCheckCode, c.BugCheckParams[0], c.BugCheckParams[1], c.BugCheckParams[2], c.BugCheckParams[3]))
		if c.Comment != "" {
			field("comment", printable(c.Comment, false))
		}
	}
	for _, warn := range in.Warnings {
		field("warning", printable(warn, false))
	}
	table := func(title string, n int, head string, rows func(tw io.Writer)) {
		if n == 0 {
			return
		}
		fmt.Fprintf(w, "\n%s (%d):\n", title, n)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  "+head)
		rows(tw)
		tw.Flush()
	}
	table("ranges", len(in.Ranges), "START\tEND\tOFFSET\tSIZE", func(tw io.Writer) {
		for _, r := range in.Ranges {
			off := "-"
			if r.Offset >= 0 {
				off = strconv.FormatInt(r.Offset, 10)
			}
			fmt.Fprintf(tw, "  %#x\t%#x\t%s\t%d\n", r.Start, r.End, off, r.Size)
		}
	})
	table("threads", len(in.Threads), "ID\tSIGNAL\tPC\tSTACK\tTEB", func(tw io.Writer) {
		for _, t := range in.Threads {
			stack := "-"
			if t.StackStart != 0 {
				stack = fmt.Sprintf("%#x+%d", t.StackStart, t.StackSize)
			}
			fmt.Fprintf(tw, "  %d\t%d\t%s\t%s\t%s\n", t.ID, t.Signal, hexOrDash(t.PC), stack, hexOrDash(t.TEB))
		}
	})
	table("modules", len(in.Modules), "BASE\tSIZE\tTIMESTAMP\tNAME", func(tw io.Writer) {
		for _, m := range in.Modules {
			ts := "-"
			if !m.Timestamp.IsZero() {
				ts = textTime(m.Timestamp)
			}
			fmt.Fprintf(tw, "  %#x\t%d\t%s\t%s\n", m.Base, m.Size, ts, printable(m.Name, false))
		}
	})
	table("mapped files", len(in.MappedFiles), "START\tEND\tOFFSET\tPATH", func(tw io.Writer) {
		for _, m := range in.MappedFiles {
			fmt.Fprintf(tw, "  %#x\t%#x\t%d\t%s\n", m.Start, m.End, m.Offset, printable(m.Path, false))
		}
	})
	table("streams", len(in.Streams), "TYPE\tNAME\tOFFSET\tSIZE", func(tw io.Writer) {
		for _, s := range in.Streams {
			fmt.Fprintf(tw, "  %d\t%s\t%d\t%d\n", s.Type, s.Name, s.Offset, s.Size)
		}
	})
	table("notes", len(in.Notes), "OWNER\tTYPE\tOFFSET\tSIZE", func(tw io.Writer) {
		for _, n := range in.Notes {
			fmt.Fprintf(tw, "  %s\t%s\t%d\t%d\n", printable(n.Owner, false), n.Name, n.Offset, n.Size)
		}
	})
}

func hexOrDash(v uint64) string {
	if v == 0 {
		return "-"
	}
	return fmt.Sprintf("%#x", v)
}
