package disk

import (
	"errors"
	"testing"

	"github.com/custodia-dfir/custodia/casefile/casetest"
	"github.com/custodia-dfir/custodia/evidence/fs"
)

// FuzzOpen seals arbitrary bytes as an item and reads it the way the fs
// commands do: its volumes, each volume's file system, every entry and the
// first bytes of every file. It must end, without a panic, whatever the
// bytes are; errors are fine. The parsers underneath have fuzz targets of
// their own (evidence/volume, evidence/fs); this one covers the adapter
// over the sealed item.
func FuzzOpen(f *testing.F) {
	f.Add([]byte{})
	mbr := make([]byte, 1024)
	mbr[510], mbr[511] = 0x55, 0xaa
	mbr[446+4], mbr[446+8], mbr[446+12] = 0x83, 1, 1 // one partition of one sector
	f.Add(mbr)
	c := casetest.Open(f, casetest.Create(f), casetest.Passphrase)
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<20 {
			return
		}
		item := casetest.StoreBytes(t, c, data, "fuzz.img")
		im, err := Open(c, item.ID)
		if err != nil {
			return
		}
		for _, v := range im.Table.Volumes {
			fsys, _, err := im.FS(v.Index)
			if err != nil {
				continue
			}
			n := 0
			_ = fs.Walk(fsys, fsys.Root(), true, true, func(e *fs.Entry) error {
				if n++; n > 10_000 {
					return errors.New("enough")
				}
				if r, err := OpenFile(fsys, e, ""); err == nil {
					buf := make([]byte, 512)
					r.ReadAt(buf, 0)
				}
				return nil
			}, func(string) {})
		}
	})
}
