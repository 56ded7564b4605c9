package evtx

import (
	"encoding/binary"
	"fmt"
	"math"
	"strings"
	"time"
)

// The decoder gives HexInt32 and UInt32 (HexInt64 and UInt64) values alike,
// but Event Viewer shows the hex types as 0x…. recordArgs reads the types
// of a record's template substitutions from its bytes, so that each integer
// value of the decoded tree can be matched to its typed substitution.

type intArg struct {
	width int // 32 or 64; 0 for a FILETIME; -1 for a GUID
	value uint64
	hex   bool
	guid  string
}

const (
	tUInt32   = 0x08
	tUInt64   = 0x0a
	tHexInt32 = 0x14
	tHexInt64 = 0x15
	tGUID     = 0x0f
	tFileTime = 0x11
	tSysTime  = 0x12
	tBinXML   = 0x21
)

// recordArgs lists the integer substitutions of the record at chunk offset
// off, in substitution order, nested binary XML included.
func recordArgs(chunk []byte, off int) []intArg {
	var out []intArg
	instanceArgs(chunk, off+24, &out, 0)
	return out
}

// instanceArgs reads binary XML at pos: an optional fragment header and a
// template instance, whose arguments it appends. It stops quietly at anything else.
func instanceArgs(chunk []byte, pos int, out *[]intArg, depth int) {
	if depth > 4 {
		return
	}
	u32 := func(p int) (uint32, bool) {
		if p < 0 || p+4 > len(chunk) {
			return 0, false
		}
		return binary.LittleEndian.Uint32(chunk[p:]), true
	}
	if pos+4 <= len(chunk) && chunk[pos] == 0x0f {
		pos += 4 // fragment header (absent in nested binary XML values)
	}
	if pos+10 > len(chunk) || chunk[pos] != 0x0c {
		return
	}
	pos += 2 // token, unknown byte
	pos += 4 // template id
	def, ok := u32(pos)
	if !ok {
		return
	}
	pos += 4
	if int(def) == pos {
		// The definition follows inline: next offset, GUID, size, body.
		size, ok := u32(pos + 20)
		if !ok || int(size) > len(chunk) {
			return
		}
		pos += 24 + int(size)
	}
	n, ok := u32(pos)
	if !ok || n > 10240 {
		return
	}
	pos += 4
	type desc struct{ size, typ int }
	descs := make([]desc, 0, n)
	for i := 0; i < int(n); i++ {
		if pos+4 > len(chunk) {
			return
		}
		descs = append(descs, desc{int(binary.LittleEndian.Uint16(chunk[pos:])), int(chunk[pos+2])})
		pos += 4
	}
	for _, d := range descs {
		if pos+d.size > len(chunk) {
			return
		}
		v := chunk[pos : pos+d.size]
		switch {
		case (d.typ == tUInt32 || d.typ == tHexInt32) && d.size == 4:
			*out = append(*out, intArg{width: 32, value: uint64(binary.LittleEndian.Uint32(v)), hex: d.typ == tHexInt32})
		case (d.typ == tUInt64 || d.typ == tHexInt64) && d.size == 8:
			*out = append(*out, intArg{width: 64, value: binary.LittleEndian.Uint64(v), hex: d.typ == tHexInt64})
		case d.typ == tFileTime && d.size == 8:
			*out = append(*out, intArg{width: 0, value: binary.LittleEndian.Uint64(v)})
		case d.typ == tSysTime && d.size == 16:
			*out = append(*out, intArg{width: -2, guid: sysTime(v)})
		case d.typ == tGUID && d.size == 16:
			*out = append(*out, intArg{width: -1, guid: fmt.Sprintf("%08X-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X",
				binary.LittleEndian.Uint32(v), binary.LittleEndian.Uint16(v[4:]), binary.LittleEndian.Uint16(v[6:]),
				v[8], v[9], v[10], v[11], v[12], v[13], v[14], v[15])})
		case d.typ == tBinXML:
			instanceArgs(chunk, pos, out, depth+1)
		}
		pos += d.size
	}
}

// A hexQueue answers, for each integer met in the decoded tree in document
// order, whether its substitution was typed hexadecimal.
// It also knows the record's FILETIME and GUID substitutions, which the
// decoder gives as float seconds and as GUIDs without braces.
type hexQueue struct {
	q        map[[2]uint64][]bool
	times    []uint64
	guids    map[string]bool
	sysTimes map[string]string // the decoder's text → ISO 8601
}

func newHexQueue(args []intArg) *hexQueue {
	h := &hexQueue{q: map[[2]uint64][]bool{}, guids: map[string]bool{}, sysTimes: map[string]string{}}
	for _, a := range args {
		switch a.width {
		case 0:
			h.times = append(h.times, a.value)
			continue
		case -1:
			h.guids[a.guid] = true
			continue
		case -2:
			lib, iso, _ := strings.Cut(a.guid, "|")
			h.sysTimes[lib] = iso
			continue
		}
		k := [2]uint64{uint64(a.width), a.value}
		h.q[k] = append(h.q[k], a.hex)
	}
	return h
}

// pop consumes the next substitution of this width and value.
func (h *hexQueue) pop(width int, v uint64) bool {
	if h == nil {
		return false
	}
	k := [2]uint64{uint64(width), v}
	l := h.q[k]
	if len(l) == 0 {
		return false
	}
	h.q[k] = l[1:]
	return l[0]
}

// fileTime returns the FILETIME substitution that the float seconds sec
// came from.
func (h *hexQueue) fileTime(sec float64) (uint64, bool) {
	if h == nil || math.IsNaN(sec) || math.IsInf(sec, 0) || sec < -11644473600 || sec > 1e12 {
		return 0, false
	}
	approx := uint64(math.Round(sec*1e7) + 116444736000000000)
	for _, ft := range h.times {
		if ft+64 >= approx && ft <= approx+64 {
			return ft, true
		}
	}
	return 0, false
}

// isGUID reports whether s is a GUID substitution of the record.
func (h *hexQueue) isGUID(s string) bool { return h != nil && h.guids[s] }

// sysTime reads a SYSTEMTIME and returns the decoder's text for it (which
// takes the milliseconds for nanoseconds) and the exact ISO 8601 text,
// joined by "|".
func sysTime(v []byte) string {
	u := func(i int) int { return int(binary.LittleEndian.Uint16(v[2*i:])) }
	year, month, day, hour, min, sec, ms := u(0), u(1), u(3), u(4), u(5), u(6), u(7)
	lib := time.Date(year, time.Month(month), day, hour, min, sec, ms, time.UTC).String()
	iso := fmt.Sprintf("%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", year, month, day, hour, min, sec, ms)
	return lib + "|" + iso
}

// sysTimeText returns the exact text of a SYSTEMTIME the decoder wrote as s.
func (h *hexQueue) sysTimeText(s string) (string, bool) {
	if h == nil {
		return "", false
	}
	iso, ok := h.sysTimes[s]
	return iso, ok
}
