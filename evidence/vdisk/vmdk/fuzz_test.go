package vmdk

import (
	"io"
	"testing"

	"github.com/custodia-dfir/custodia/evidence/vdisk/internal/vdtest"
)

// FuzzOpen opens damaged monolithic VMDKs made from small qemu-img
// images: monolithicSparse and streamOptimized. The seeds hit the header,
// the embedded descriptor, the grain directory and tables and a grain
// marker.
func FuzzOpen(f *testing.F) {
	raw := vdtest.Content(64<<10*3+512, 8)
	bases := vdtest.Bases(f, raw,
		[]string{"-O", "vmdk", "-o", "subformat=monolithicSparse"},
		[]string{"-O", "vmdk", "-o", "subformat=streamOptimized"})
	seeds := map[uint32][]byte{
		20:        {0, 0, 0, 0, 0, 0, 0, 0x80}, // grain size
		44:        {0xff, 0xff, 0xff, 0xff},    // GTEs per GT
		56:        {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
		512:       []byte("# Disk DescriptorFile\nparentCID=12345678\n"),
		512 + 100: []byte("RW 99999999999 SPARSE \"x\"\n"),
		21 * 512:  {0xff, 0xff, 0xff, 0x00},       // redundant GD entry
		64 * 1024: {0xff, 0xff, 0, 0, 0, 0, 0, 0}, // a grain marker
	}
	vdtest.Fuzz(f, bases, seeds, func(p string) (io.ReaderAt, int64, func() error, error) {
		d, err := Open(p)
		if err != nil {
			return nil, 0, nil, err
		}
		return d, d.Size(), d.Close, nil
	})
}

// FuzzDescriptor parses arbitrary descriptor text.
func FuzzDescriptor(f *testing.F) {
	f.Add("# Disk DescriptorFile\nversion=1\nCID=19f81403\nparentCID=ffffffff\ncreateType=\"monolithicFlat\"\nRW 8195 FLAT \"d-flat.vmdk\" 0\nRW 10 ZERO\n")
	f.Fuzz(func(t *testing.T, s string) {
		d, err := parseDescriptor(s)
		if err == nil && (d.CreateType == "" || len(d.Extents) == 0) {
			t.Fatalf("accepted a descriptor without createType or extents: %+v", d)
		}
	})
}
