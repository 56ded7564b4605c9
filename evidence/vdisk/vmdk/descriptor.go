package vmdk

import (
	"fmt"
	"strconv"
	"strings"
)

// maxDescriptor bounds a descriptor's size; VMware's are under 2 KiB.
const maxDescriptor = 1 << 20

// maxExtents bounds the extents of a descriptor (a 64 TiB disk split in
// 2 GiB extents has 32768).
const maxExtents = 1 << 16

// Descriptor is a parsed descriptor.
type Descriptor struct {
	Text       string            // the text as stored, without NUL padding
	Fields     map[string]string // key = value lines outside the extents, quotes removed
	Extents    []ExtentLine
	CreateType string
	CID        string
	ParentCID  string
}

// ExtentLine is one line of the extent description.
type ExtentLine struct {
	Access  string // RW, RDONLY, NOACCESS
	Sectors int64
	Type    string // FLAT, SPARSE, ZERO, VMFS, VMFSSPARSE, SESPARSE, VMFSRDM, VMFSRAW
	File    string
	Offset  int64 // for FLAT/VMFS: the sector in the file where the extent starts
	Line    int   // line number in the descriptor
}

// String formats the line as a descriptor holds it.
func (e ExtentLine) String() string {
	s := fmt.Sprintf("%s %d %s", e.Access, e.Sectors, e.Type)
	if e.File != "" {
		s += fmt.Sprintf(" %q", e.File)
	}
	if e.Type == "FLAT" || e.Type == "VMFS" {
		s += fmt.Sprintf(" %d", e.Offset)
	}
	return s
}

// IsDescriptor reports whether head, the first bytes of a file, looks like
// a VMDK text descriptor: the comment line VMware writes, or text with a
// createType setting.
func IsDescriptor(head []byte) bool {
	s := string(head)
	if strings.HasPrefix(strings.TrimLeft(s, "\ufeff \t\r\n"), "# Disk DescriptorFile") {
		return true
	}
	// Some tools write no comment line: a text file with createType near the start.
	if i := strings.IndexByte(s, 0); i >= 0 {
		s = s[:i]
	}
	for _, c := range []byte(s) {
		if c < 0x09 || (c > 0x0d && c < 0x20) {
			return false
		}
	}
	return strings.Contains(s, "createType=") || strings.Contains(s, "createType =")
}

// parseDescriptor parses descriptor text; errors are plain sentences that
// the caller places.
func parseDescriptor(text string) (*Descriptor, error) {
	if i := strings.IndexByte(text, 0); i >= 0 {
		text = text[:i]
	}
	d := &Descriptor{Text: text, Fields: map[string]string{}}
	for n, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(strings.TrimSuffix(line, "\r"))
		if line == "" || line[0] == '#' {
			continue
		}
		switch f := strings.Fields(line); f[0] {
		case "RW", "RDONLY", "NOACCESS":
			e, err := parseExtent(line, n+1)
			if err != nil {
				return nil, err
			}
			if len(d.Extents) >= maxExtents {
				return nil, fmt.Errorf("the descriptor lists more than %d extents", maxExtents)
			}
			d.Extents = append(d.Extents, e)
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return nil, fmt.Errorf("line %d of the descriptor is neither a setting nor an extent: %q", n+1, cut(line))
		}
		d.Fields[strings.TrimSpace(k)] = strings.Trim(strings.TrimSpace(v), `"`)
	}
	d.CreateType = d.Fields["createType"]
	d.CID = d.Fields["CID"]
	d.ParentCID = d.Fields["parentCID"]
	if d.CreateType == "" {
		return nil, fmt.Errorf("the descriptor has no createType")
	}
	if len(d.Extents) == 0 {
		return nil, fmt.Errorf("the descriptor lists no extents")
	}
	return d, nil
}

// parseExtent parses `RW 8195 SPARSE "name.vmdk" [offset]`.
func parseExtent(line string, n int) (ExtentLine, error) {
	bad := func(why string) (ExtentLine, error) {
		return ExtentLine{}, fmt.Errorf("extent line %d of the descriptor (%q) %s", n, cut(line), why)
	}
	e := ExtentLine{Line: n}
	rest := line
	next := func() string {
		rest = strings.TrimLeft(rest, " \t")
		i := strings.IndexAny(rest, " \t")
		if i < 0 {
			i = len(rest)
		}
		w := rest[:i]
		rest = rest[i:]
		return w
	}
	e.Access = next()
	sectors, err := strconv.ParseInt(next(), 10, 64)
	if err != nil || sectors < 0 || sectors > 1<<47 {
		return bad("has no valid size in sectors")
	}
	e.Sectors = sectors
	e.Type = strings.ToUpper(next())
	rest = strings.TrimLeft(rest, " \t")
	if e.Type == "ZERO" && rest == "" {
		return e, nil
	}
	if !strings.HasPrefix(rest, `"`) {
		return bad("has no quoted file name")
	}
	end := strings.IndexByte(rest[1:], '"')
	if end < 0 {
		return bad("has an unterminated file name")
	}
	e.File = rest[1 : 1+end]
	rest = strings.TrimSpace(rest[2+end:])
	if rest != "" {
		off, err := strconv.ParseInt(strings.Fields(rest)[0], 10, 64)
		if err != nil || off < 0 || off > 1<<47 {
			return bad("has an invalid offset")
		}
		e.Offset = off
	}
	return e, nil
}

// cut shortens text quoted in a message.
func cut(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}
