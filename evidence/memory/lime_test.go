package memory

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// limeImage writes a LiME image by the LiME format specification (LiME's
// doc/README.md, "LiME Memory Range Header Version 1"): for each range a
// 32-byte header (magic 0x4C694D45, version 1, first and last address,
// 8 reserved bytes) and its bytes.
func limeImage(ranges ...[2]uint64) []byte {
	var b bytes.Buffer
	for i, r := range ranges {
		var h [32]byte
		binary.LittleEndian.PutUint32(h[0:], 0x4C694D45)
		binary.LittleEndian.PutUint32(h[4:], 1)
		binary.LittleEndian.PutUint64(h[8:], r[0])
		binary.LittleEndian.PutUint64(h[16:], r[1])
		b.Write(h[:])
		b.Write(bytes.Repeat([]byte{byte('a' + i)}, int(r[1]-r[0]+1)))
	}
	return b.Bytes()
}

// TestLiMERanges reads a hand-built LiME image of three ranges (the
// layout of a real one: low memory, then the ranges above the holes)
// and checks each range's start, end and file offset, and that the bytes
// there are the range's.
func TestLiMERanges(t *testing.T) {
	img := limeImage([2]uint64{0x1000, 0x9efff}, [2]uint64{0x100000, 0x17ffff}, [2]uint64{0x100000000, 0x100000fff})
	info := describeBytes(t, img)
	if info.Format != FormatLiME || info.Description != "LiME memory image, version 1" || len(info.Warnings) != 0 {
		t.Fatalf("%q %q, warnings %q", info.Format, info.Description, info.Warnings)
	}
	want := []Range{
		{Start: 0x1000, End: 0x9efff, Offset: 32, Size: 0x9e000},
		{Start: 0x100000, End: 0x17ffff, Offset: 32 + 0x9e000 + 32, Size: 0x80000},
		{Start: 0x100000000, End: 0x100000fff, Offset: 32 + 0x9e000 + 32 + 0x80000 + 32, Size: 0x1000},
	}
	if !slices.Equal(info.Ranges, want) {
		t.Fatalf("ranges\n%+v\nwant\n%+v", info.Ranges, want)
	}
	for i, r := range info.Ranges {
		if img[r.Offset] != byte('a'+i) || img[r.Offset+int64(r.Size)-1] != byte('a'+i) {
			t.Errorf("range %d: the bytes at its offset are not its own", i)
		}
	}
}

// TestLiMEBadInput: a truncated image, a range that ends before it
// starts, a bad magic after the first range, and a version 2 header are
// each described up to the damage, with a warning naming the offset.
func TestLiMEBadInput(t *testing.T) {
	good := limeImage([2]uint64{0, 0xfff}, [2]uint64{0x2000, 0x2fff})
	second := int64(32 + 0x1000)
	for _, c := range []struct {
		name   string
		img    []byte
		ranges int
		want   string
	}{
		{"truncated", good[:len(good)-1], 2, fmt.Sprintf("range 0x2000-0x2fff at offset %d runs past the end of the file (4095 bytes after its header)", second)},
		{"end before start", patched(good, second+16, 0x1000), 1, fmt.Sprintf("range header at offset %d ends (0x1000) before it starts (0x2000)", second)},
		{"bad magic", patched32(good, second, 0x12345678), 1, fmt.Sprintf("no range header at offset %d (magic 78 56 34 12", second)},
		{"version 2", patched32(good, second+4, 2), 1, fmt.Sprintf("range header at offset %d has version 2", second)},
		{"whole address space", patched(patched(good, 8, 0), 16, ^uint64(0)), 1, "range 0x0-0xffffffffffffffff at offset 0 runs past the end of the file"},
		{"trailing bytes", append(slices.Clone(good), 1, 2, 3), 2, fmt.Sprintf("3 bytes at offset %d after the last range", len(good))},
	} {
		t.Run(c.name, func(t *testing.T) {
			info := describeBytes(t, c.img)
			if len(info.Ranges) != c.ranges || len(info.Warnings) != 1 || !strings.HasPrefix(info.Warnings[0], c.want) {
				t.Errorf("%d ranges, warnings %q; want %d ranges and a warning starting %q", len(info.Ranges), info.Warnings, c.ranges, c.want)
			}
		})
	}
}

// TestLiMEManyRanges: an image of more ranges than MaxRanges lists
// MaxRanges and says so.
func TestLiMEManyRanges(t *testing.T) {
	rs := make([][2]uint64, MaxRanges+1)
	for i := range rs {
		rs[i] = [2]uint64{uint64(i) * 0x1000, uint64(i)*0x1000 + 0}
	}
	info := describeBytes(t, limeImage(rs...))
	if len(info.Ranges) != MaxRanges || len(info.Warnings) != 1 || info.Warnings[0] != "more than 65536 ranges: the first 65536 are listed" {
		t.Errorf("%d ranges, warnings %q", len(info.Ranges), info.Warnings)
	}
}

func patched(b []byte, at int64, v uint64) []byte {
	b = slices.Clone(b)
	binary.LittleEndian.PutUint64(b[at:], v)
	return b
}

func patched32(b []byte, at int64, v uint32) []byte {
	b = slices.Clone(b)
	binary.LittleEndian.PutUint32(b[at:], v)
	return b
}

// crashDump64 writes a 64-bit Windows full memory dump header (the DUMP_HEADER64
// of the Windows DDK, 8192 bytes filled with "PAGE" first, as Windows does)
// with two physical memory runs, and their pages.
func crashDump64(dumpType uint32) []byte {
	h := bytes.Repeat([]byte("PAGE"), 0x2000/4)
	copy(h, "PAGEDU64")
	le := binary.LittleEndian
	le.PutUint32(h[0x08:], 0xF)
	le.PutUint32(h[0x0C:], 19041)
	le.PutUint32(h[0x30:], 0x8664)
	le.PutUint32(h[0x34:], 4)
	le.PutUint32(h[0x38:], 0x1E) // KMODE_EXCEPTION_NOT_HANDLED
	le.PutUint64(h[0x40:], 0xFFFFFFFFC0000005)
	le.PutUint64(h[0x48:], 0xFFFFF80312345678)
	le.PutUint64(h[0x50:], 0)
	le.PutUint64(h[0x58:], 0x10)
	le.PutUint32(h[0x88:], 2)     // NumberOfRuns
	le.PutUint64(h[0x90:], 3)     // NumberOfPages
	le.PutUint64(h[0x98:], 0x1)   // run 0: page 1
	le.PutUint64(h[0xA0:], 1)     //        1 page
	le.PutUint64(h[0xA8:], 0x100) // run 1: page 0x100
	le.PutUint64(h[0xB0:], 2)     //        2 pages
	le.PutUint32(h[0xF98:], dumpType)
	// 2024-12-04T14:10:00Z as a FILETIME.
	le.PutUint64(h[0xFA8:], uint64(time.Date(2024, 12, 4, 14, 10, 0, 0, time.UTC).Unix())*1e7+116444736000000000)
	copy(h[0xFB0:], "Custodia test dump\x00")
	return append(h, bytes.Repeat([]byte{0xAB}, 3*4096)...)
}

// TestCrashDump64 reads a 64-bit full crash dump header built per the
// DDK layout: machine, build, processors, bug check code and parameters,
// the physical memory runs with their offsets in the file, the time.
func TestCrashDump64(t *testing.T) {
	info := describeBytes(t, crashDump64(1))
	if info.Format != FormatCrashDump || info.Description != "Windows crash dump (64-bit header), full dump" || len(info.Warnings) != 0 {
		t.Fatalf("%q %q, warnings %q", info.Format, info.Description, info.Warnings)
	}
	cr := info.Crash
	if got := fmt.Sprintf("%+v | %s %#x %#x %q %d", *info.System, cr.DumpType, cr.BugCheckCode, cr.BugCheckParams, cr.Comment, cr.PhysicalPages); got != "{Machine:x86-64 Processors:4 OSVersion:build 19041 (free) Build:19041 Platform: ServicePack:} | "+
		"full 0x1e [0xffffffffc0000005 0xfffff80312345678 0x0 0x10] \"Custodia test dump\" 3" {
		t.Errorf("facts %s", got)
	}
	want := []Range{{Start: 0x1000, End: 0x1fff, Offset: 0x2000, Size: 0x1000}, {Start: 0x100000, End: 0x101fff, Offset: 0x3000, Size: 0x2000}}
	if !slices.Equal(info.Ranges, want) {
		t.Errorf("ranges %+v, want %+v", info.Ranges, want)
	}
	if !info.Timestamp.Equal(time.Date(2024, 12, 4, 14, 10, 0, 0, time.UTC)) {
		t.Errorf("timestamp %v", info.Timestamp)
	}
	// A bitmap dump places pages by its bitmap: the runs have no offsets.
	info = describeBytes(t, crashDump64(5))
	if info.Crash.DumpType != "bitmap full" || len(info.Ranges) != 2 || info.Ranges[0].Offset != -1 {
		t.Errorf("bitmap dump: %+v, ranges %+v", info.Crash, info.Ranges)
	}
	// Counts that overflow: at most the 43 runs the header has room for;
	// the third still reads "PAGE", an address past 2^64.
	b := crashDump64(1)
	binary.LittleEndian.PutUint32(b[0x88:], 0xffffffff)
	info = describeBytes(t, b)
	if len(info.Ranges) != 2 || len(info.Warnings) != 2 || info.Warnings[0] != "the header claims 4294967295 physical memory runs, more than the 43 it has room for: 43 are listed" ||
		!strings.HasPrefix(info.Warnings[1], "physical memory run 2 (page 0x4547415045474150, 4992030524978970960 pages) overflows") {
		t.Errorf("%d ranges, warnings %q", len(info.Ranges), info.Warnings)
	}
	// Truncated.
	info = describeBytes(t, crashDump64(1)[:0x1fff])
	if info.Crash != nil || len(info.Warnings) != 1 || info.Warnings[0] != "the file has 8191 bytes, fewer than the 8192 of a 64-bit crash-dump header: it is truncated" {
		t.Errorf("truncated: %+v, warnings %q", info.Crash, info.Warnings)
	}
}

// TestCrashDump32 reads a 32-bit (PAGEDUMP) header whose unset fields
// still read "PAGE": they are reported as not set.
func TestCrashDump32(t *testing.T) {
	h := bytes.Repeat([]byte("PAGE"), 0x1000/4)
	copy(h, "PAGEDUMP")
	le := binary.LittleEndian
	le.PutUint32(h[0x0C:], 2600)
	le.PutUint32(h[0x20:], 0x14c)
	le.PutUint32(h[0x28:], 0xD1) // DRIVER_IRQL_NOT_LESS_OR_EQUAL
	le.PutUint32(h[0x2C:], 0x1234)
	le.PutUint32(h[0x64:], 1)
	le.PutUint32(h[0x68:], 2)
	le.PutUint32(h[0x6C:], 0x10)
	le.PutUint32(h[0x70:], 2)
	le.PutUint32(h[0xF88:], 1)
	h = append(h, make([]byte, 2*4096)...)
	info := describeBytes(t, h)
	if got := fmt.Sprintf("%s|%+v|%+v|%+v|%v", info.Description, *info.System, *info.Crash, info.Ranges, info.Timestamp.IsZero()); got !=
		"Windows crash dump (32-bit header), full dump|{Machine:x86 Processors:0 OSVersion:build 2600 () Build:2600 Platform: ServicePack:}|"+
			"{DumpType:full BugCheckCode:209 BugCheckParams:[4660 0 0 0] Comment: PhysicalPages:2}|[{Start:65536 End:73727 Offset:4096 Size:8192}]|true" {
		t.Errorf("got %s", got)
	}
}

// TestHiberfilAndRaw: hibernation files are recognised by each of their
// signatures; anything else is raw memory of one range.
func TestHiberfilAndRaw(t *testing.T) {
	for _, sig := range []string{"hibr", "HIBR", "wake", "WAKE", "RSTR"} {
		info := describeBytes(t, append([]byte(sig), make([]byte, 4092)...))
		if info.Format != FormatHiberfil || !strings.Contains(info.Description, fmt.Sprintf("%q", sig)) {
			t.Errorf("%s: %q %q", sig, info.Format, info.Description)
		}
	}
	info := describeBytes(t, make([]byte, 8192))
	if info.Format != FormatRaw || !slices.Equal(info.Ranges, []Range{{Start: 0, End: 8191, Offset: 0, Size: 8192}}) {
		t.Errorf("raw: %q %+v", info.Format, info.Ranges)
	}
	if info := describeBytes(t, nil); info.Format != FormatRaw || len(info.Ranges) != 0 {
		t.Errorf("empty: %q %+v", info.Format, info.Ranges)
	}
}
