package vhdx

import (
	"io"
	"testing"

	"github.com/custodia-dfir/custodia/evidence/vdisk/internal/vdtest"
)

// FuzzOpen opens damaged VHDX images made from a small qemu-img image
// (dynamic, 1 MiB blocks). The seeds hit the headers, the region tables,
// the log, the metadata and the BAT.
func FuzzOpen(f *testing.F) {
	raw := vdtest.Content(2<<20+512, 7)
	bases := vdtest.Bases(f, raw, []string{"-O", "vhdx", "-o", "subformat=dynamic,block_size=1M"})
	seeds := map[uint32][]byte{
		header1At + 48: {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}, // log GUID
		header1At + 8:  {0xff, 0xff, 0xff},
		region1At + 8:  {0xff, 0xff},
		region1At + 24: {0, 0, 0, 0, 0, 0, 0, 0x10},
		2 * mib:        {6, 0, 0, 0, 0, 0, 0, 0x10}, // BAT entry 0 (qemu places the BAT at 2 MiB)
		3 * mib:        []byte("metadata\x00\x00\xff\xff"),
		1 * mib:        []byte("loge"),
	}
	vdtest.Fuzz(f, bases, seeds, func(p string) (io.ReaderAt, int64, func() error, error) {
		d, err := Open(p, Options{AcceptBadChecksums: true})
		if err != nil {
			return nil, 0, nil, err
		}
		return d, d.Size(), d.Close, nil
	})
}

// FuzzLog parses log entries from arbitrary bytes.
func FuzzLog(f *testing.F) {
	guid := mustGUID("11111111-2222-3333-4444-555555555555")
	f.Add(append([]byte("loge"), make([]byte, 8188)...))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) < sector4k {
			return
		}
		log := circular(b[:len(b)/sector4k*sector4k])
		for pos := int64(0); pos < int64(len(log)); pos += sector4k {
			parseEntry(log, pos, guid)
		}
	})
}
