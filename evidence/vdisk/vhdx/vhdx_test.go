package vhdx

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/custodia-dfir/custodia/evidence/vdisk/internal/container"
	"github.com/custodia-dfir/custodia/evidence/vdisk/internal/vdtest"
)

func convert(t *testing.T, raw, name string, opts string) string {
	t.Helper()
	out := filepath.Join(filepath.Dir(raw), name+".vhdx")
	vdtest.Qemu(t, "convert", "-f", "raw", "-O", "vhdx", "-o", opts, raw, out)
	return out
}

func open(t *testing.T, path string) *Disk {
	t.Helper()
	d, err := Open(path, Options{})
	if err != nil {
		t.Fatalf("Open(%s): %v", filepath.Base(path), err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func wantErr(t *testing.T, err, kind error, text ...string) *container.Error {
	t.Helper()
	var e *container.Error
	if !errors.Is(err, kind) || !errors.As(err, &e) {
		t.Fatalf("error %v, want a *container.Error wrapping %v", err, kind)
	}
	for _, s := range text {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not say %q", err, s)
		}
	}
	return e
}

func TestQemuImages(t *testing.T) {
	vdtest.NeedQemu(t)
	dir := t.TempDir()
	sources := map[string][]byte{"odd": vdtest.Content(vdtest.OddSize, 1)}
	if ext2 := vdtest.Ext2(t, dir); ext2 != nil {
		sources["ext2"] = ext2
	}
	variants := []struct{ name, opts, sub, block string }{
		{"dynamic", "subformat=dynamic", "dynamic", "8388608"},
		{"dynamic-1M", "subformat=dynamic,block_size=1M", "dynamic", "1048576"},
		{"dynamic-32M", "subformat=dynamic,block_size=32M", "dynamic", "33554432"},
		{"fixed", "subformat=fixed", "fixed", "8388608"},
		{"fixed-1M-4k-log", "subformat=fixed,block_size=1M,log_size=4M", "fixed", "1048576"},
	}
	for name, content := range sources {
		raw := vdtest.WriteRaw(t, dir, name+".raw", content)
		for _, v := range variants {
			t.Run(name+"/"+v.name, func(t *testing.T) {
				p := convert(t, raw, name+"-"+v.name, v.opts)
				d := open(t, p)
				if qemu := vdtest.QemuRaw(t, p, "vhdx"); !bytes.Equal(qemu, content) {
					t.Fatalf("qemu-img convert -O raw gives %d bytes (SHA-256 %s), not the raw image", len(qemu), vdtest.SHA256(qemu))
				}
				vdtest.Check(t, d, d.Size(), content)
				if d.SubFormat() != v.sub || len(d.Warnings()) != 0 {
					t.Errorf("sub-format %s, warnings %q", d.SubFormat(), d.Warnings())
				}
				m := d.Metadata()
				if m["vhdx_block_size"] != v.block || m["vhdx_log"] != "clean" || m["vhdx_logical_sector_size"] != "512" || m["vhdx_creator"] != "QEMU v7.2.22" ||
					!strings.HasSuffix(m["vhdx_header1_crc"], "(valid)") || !strings.HasSuffix(m["vhdx_region_table2_crc"], "(valid)") {
					t.Errorf("metadata %v", m)
				}
			})
		}
	}
}

// current returns the offset of the current header.
func current(t *testing.T, p string) int64 {
	s1 := binary.LittleEndian.Uint64(vdtest.ReadBytes(t, p, header1At+8, 8))
	s2 := binary.LittleEndian.Uint64(vdtest.ReadBytes(t, p, header2At+8, 8))
	if s2 > s1 {
		return header2At
	}
	return header1At
}

func fixCRC(t *testing.T, p string, off int64, size int) {
	b := vdtest.ReadBytes(t, p, off, size)
	binary.LittleEndian.PutUint32(b[4:], crc(b, 4))
	vdtest.Patch(t, p, off, b)
}

// batEntry returns BAT entry i's file offset, and the BAT's.
func batEntry(t *testing.T, p string, i int64) (entry, bat int64) {
	rt := parseRegions(vdtest.ReadBytes(t, p, region1At, regionSize))
	for _, r := range rt.entries {
		if r.GUID == guidBAT {
			bat = int64(r.Offset)
		}
	}
	e := binary.LittleEndian.Uint64(vdtest.ReadBytes(t, p, bat+8*i, 8))
	return int64(e>>20) * mib, bat
}

func metaRegion(t *testing.T, p string) int64 {
	for _, r := range parseRegions(vdtest.ReadBytes(t, p, region1At, regionSize)).entries {
		if r.GUID == guidMetadata {
			return int64(r.Offset)
		}
	}
	t.Fatal("no metadata region")
	return 0
}

// metaItem returns the file offset of a metadata item.
func metaItem(t *testing.T, p string, g GUID) int64 {
	m := metaRegion(t, p)
	tbl := vdtest.ReadBytes(t, p, m, metaTableLen)
	for i := range int(binary.LittleEndian.Uint16(tbl[10:])) {
		e := tbl[32+32*i:]
		if guidAt(e) == g {
			return m + int64(binary.LittleEndian.Uint32(e[16:]))
		}
	}
	t.Fatal("no such metadata item")
	return 0
}

func TestDirtyLogReplayed(t *testing.T) {
	vdtest.NeedQemu(t)
	dir := t.TempDir()
	content := vdtest.Content(vdtest.OddSize, 7)
	raw := vdtest.WriteRaw(t, dir, "r.raw", content)
	p := convert(t, raw, "dirty", "subformat=dynamic,block_size=1M")
	hdr := current(t, p)
	h := parseHeader(vdtest.ReadBytes(t, p, hdr, headerSize))
	block0, _ := batEntry(t, p, 0)

	// One log entry: a 4 KiB sector of 0xAB (with its leading and
	// trailing bytes in the descriptor) at 64 KiB into block 0, and 8 KiB
	// of zeros at 128 KiB.
	const seq = 0x0000000500000007
	guid := mustGUID("11111111-2222-3333-4444-555555555555")
	entry := make([]byte, 2*sector4k)
	le := binary.LittleEndian
	copy(entry, "loge")
	le.PutUint32(entry[8:], 2*sector4k)
	le.PutUint32(entry[12:], 0)
	le.PutUint64(entry[16:], seq)
	le.PutUint32(entry[24:], 2)
	copy(entry[32:], guid[:])
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	fileSize := fi.Size()
	le.PutUint64(entry[48:], uint64(fileSize))
	le.PutUint64(entry[56:], uint64(fileSize))
	d0 := entry[64:]
	copy(d0, "desc")
	copy(d0[4:8], "TAIL")
	copy(d0[8:16], "LEADING!")
	le.PutUint64(d0[16:], uint64(block0+64*kib))
	le.PutUint64(d0[24:], seq)
	d1 := entry[96:]
	copy(d1, "zero")
	le.PutUint64(d1[8:], 8*kib)
	le.PutUint64(d1[16:], uint64(block0+128*kib))
	le.PutUint64(d1[24:], seq)
	s := entry[sector4k:]
	copy(s, "data")
	le.PutUint32(s[4:], uint32(seq>>32))
	copy(s[8:4092], bytes.Repeat([]byte{0xAB}, 4084))
	le.PutUint32(s[4092:], uint32(seq&0xFFFFFFFF))
	le.PutUint32(entry[4:], crc(entry, 4))
	vdtest.Patch(t, p, int64(h.LogOffset), entry)
	vdtest.Patch(t, p, hdr+48, guid[:])
	fixCRC(t, p, hdr, headerSize)

	want := bytes.Clone(content)
	copy(want[64*kib:], "LEADING!")
	copy(want[64*kib+8:], bytes.Repeat([]byte{0xAB}, 4084))
	copy(want[64*kib+4092:], "TAIL")
	clear(want[128*kib : 136*kib])

	d := open(t, p)
	vdtest.Check(t, d, d.Size(), want)
	if w := d.Warnings(); len(w) != 1 || !strings.Contains(w[0], "log was dirty") || !strings.Contains(w[0], "1 log entries (sequence 21474836487 to 21474836487), 2 writes") {
		t.Errorf("warnings %q", w)
	}
	if before := vdtest.ReadBytes(t, p, block0+64*kib, 8); !bytes.Equal(before, content[64*kib:64*kib+8]) {
		t.Error("the log was replayed into the file")
	}
	// qemu replays the log when it may write: on a copy.
	replayed := vdtest.Copy(t, p, filepath.Join(dir, "replayed.vhdx"))
	vdtest.Qemu(t, "check", "-q", "-r", "all", replayed)
	if qemu := vdtest.QemuRaw(t, replayed, "vhdx"); !bytes.Equal(qemu, want) {
		t.Fatalf("qemu-img after replaying the log gives other bytes (SHA-256 %s) than expected %s", vdtest.SHA256(qemu), vdtest.SHA256(want))
	}

	// A damaged entry is not part of the log: nothing is replayed.
	vdtest.Patch(t, p, int64(h.LogOffset)+sector4k+100, []byte{0})
	d = open(t, p)
	vdtest.Check(t, d, d.Size(), content)
	if w := d.Warnings(); len(w) != 1 || !strings.Contains(w[0], "holds no complete sequence of entries: nothing was replayed") {
		t.Errorf("warnings %q", w)
	}
}

func TestDamage(t *testing.T) {
	vdtest.NeedQemu(t)
	dir := t.TempDir()
	content := vdtest.Content(vdtest.OddSize, 9)
	raw := vdtest.WriteRaw(t, dir, "r.raw", content)
	dyn := convert(t, raw, "dyn", "subformat=dynamic,block_size=1M")
	n := 0
	damaged := func() string {
		n++
		return vdtest.Copy(t, dyn, filepath.Join(dir, "damaged-"+string(rune('a'+n))+".vhdx"))
	}
	t.Run("one header flipped", func(t *testing.T) {
		p := damaged()
		vdtest.Patch(t, p, current(t, p)+200, []byte{1})
		d := open(t, p)
		if w := d.Warnings(); len(w) != 1 || !strings.Contains(w[0], "is not valid (signature or CRC-32C)") {
			t.Errorf("warnings %q", w)
		}
		if !strings.Contains(d.Metadata()["vhdx_header1_crc"]+d.Metadata()["vhdx_header2_crc"], "MISMATCH") {
			t.Errorf("metadata %v", d.Metadata())
		}
		vdtest.Check(t, d, d.Size(), content)
	})
	t.Run("both headers flipped", func(t *testing.T) {
		p := damaged()
		vdtest.Patch(t, p, header1At+200, []byte{1})
		vdtest.Patch(t, p, header2At+200, []byte{1})
		_, err := Open(p, Options{})
		wantErr(t, err, container.ErrChecksum, "neither VHDX header")
		d, err := Open(p, Options{AcceptBadChecksums: true})
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		vdtest.Check(t, d, d.Size(), content)
	})
	t.Run("region table 1 flipped", func(t *testing.T) {
		p := damaged()
		vdtest.Patch(t, p, region1At+40, []byte{1})
		d := open(t, p)
		if w := d.Warnings(); len(w) != 1 || !strings.Contains(w[0], "region table 1 (at 192 KiB) fails") {
			t.Errorf("warnings %q", w)
		}
		vdtest.Check(t, d, d.Size(), content)
	})
	t.Run("both region tables flipped", func(t *testing.T) {
		p := damaged()
		vdtest.Patch(t, p, region1At+1000, []byte{1})
		vdtest.Patch(t, p, region2At+1000, []byte{1})
		_, err := Open(p, Options{})
		wantErr(t, err, container.ErrChecksum, "neither VHDX region table")
	})
	t.Run("BAT entry past the end", func(t *testing.T) {
		p := damaged()
		_, bat := batEntry(t, p, 0)
		vdtest.Patch(t, p, bat+8*2, []byte{6, 0, 0xf0, 0, 0, 0, 0, 0}) // block 2 at 15 MiB... and more
		d := open(t, p)
		wantErr(t, vdtest.ReadAll(d, d.Size()), container.ErrCorrupt, "BAT entry 2 (payload block 2) points to file offset 15728640")
	})
	t.Run("BAT entry state", func(t *testing.T) {
		p := damaged()
		_, bat := batEntry(t, p, 0)
		vdtest.Patch(t, p, bat+8, []byte{7})
		d := open(t, p)
		wantErr(t, vdtest.ReadAll(d, d.Size()), container.ErrCorrupt, "BAT entry 1 (payload block 1) says the block is partially present")
	})
	t.Run("truncated", func(t *testing.T) {
		p := damaged()
		vdtest.Truncate(t, p, 6*mib+512*kib)
		d := open(t, p)
		wantErr(t, vdtest.ReadAll(d, d.Size()), container.ErrCorrupt, "points to file offset", "run past the end of the file (6815744 bytes)")
	})
	t.Run("truncated in the metadata", func(t *testing.T) {
		p := damaged()
		vdtest.Truncate(t, p, 3*mib+512*kib)
		_, err := Open(p, Options{})
		wantErr(t, err, container.ErrCorrupt, "the metadata region (1048576 bytes at offset 3145728) is not 1 MiB-aligned or does not lie inside the file (3670016 bytes)")
	})
	t.Run("truncated in the header", func(t *testing.T) {
		p := damaged()
		vdtest.Truncate(t, p, 200*kib)
		_, err := Open(p, Options{})
		wantErr(t, err, container.ErrNotDisk, "shorter than the 1 MiB header section")
	})
	t.Run("block size", func(t *testing.T) {
		p := damaged()
		vdtest.Patch(t, p, metaItem(t, p, guidFileParams), []byte{0, 0, 0x30, 0})
		_, err := Open(p, Options{})
		wantErr(t, err, container.ErrCorrupt, "block size of 3145728 bytes")
	})
	t.Run("differencing", func(t *testing.T) {
		p := damaged()
		vdtest.Patch(t, p, metaItem(t, p, guidFileParams)+4, []byte{2})
		// Add a parent locator item to the metadata table.
		m := metaRegion(t, p)
		tbl := vdtest.ReadBytes(t, p, m, 32)
		count := binary.LittleEndian.Uint16(tbl[10:])
		var loc []byte
		loc = append(loc, make([]byte, 20)...)
		binary.LittleEndian.PutUint16(loc[18:], 2)
		kv := [][2]string{{"parent_linkage", "{83ad2b8f-0000-0000-0000-000000000000}"}, {"relative_path", `..\base\parent.vhdx`}}
		strs := []byte{}
		enc := func(s string) []byte {
			var b []byte
			for _, c := range utf16.Encode([]rune(s)) {
				b = binary.LittleEndian.AppendUint16(b, c)
			}
			return b
		}
		base := 20 + 12*len(kv)
		for _, p := range kv {
			k, v := enc(p[0]), enc(p[1])
			e := make([]byte, 12)
			binary.LittleEndian.PutUint32(e, uint32(base+len(strs)))
			binary.LittleEndian.PutUint16(e[8:], uint16(len(k)))
			strs = append(strs, k...)
			binary.LittleEndian.PutUint32(e[4:], uint32(base+len(strs)))
			binary.LittleEndian.PutUint16(e[10:], uint16(len(v)))
			strs = append(strs, v...)
			loc = append(loc, e...)
		}
		loc = append(loc, strs...)
		item := make([]byte, 32)
		copy(item, guidParent[:])
		binary.LittleEndian.PutUint32(item[16:], 512*kib)
		binary.LittleEndian.PutUint32(item[20:], uint32(len(loc)))
		binary.LittleEndian.PutUint32(item[24:], 4|2)
		vdtest.Patch(t, p, m+32+32*int64(count), item)
		vdtest.Patch(t, p, m+10, []byte{byte(count + 1), 0})
		vdtest.Patch(t, p, m+512*kib, loc)
		_, err := Open(p, Options{})
		e := wantErr(t, err, container.ErrNeedsParent, `differencing VHDX`, `parent "..\\base\\parent.vhdx"`, `parent_linkage="{83ad2b8f-`)
		if e.Parent != `..\base\parent.vhdx` {
			t.Errorf("Parent %q", e.Parent)
		}
	})
	t.Run("not a VHDX", func(t *testing.T) {
		big := vdtest.WriteRaw(t, dir, "big.raw", make([]byte, 2*mib))
		_, err := Open(big, Options{})
		wantErr(t, err, container.ErrNotDisk, `no VHDX file type identifier`)
	})
}
