package qcow2

import (
	"io"
	"testing"

	"github.com/custodia-dfir/custodia/evidence/vdisk/internal/vdtest"
)

// FuzzOpen opens damaged QCOW2 images made from small qemu-img images:
// version 2 and 3, plain, zlib- and zstd-compressed, with 512-byte and
// 4 KiB clusters so that every table is in the first few KiB.
func FuzzOpen(f *testing.F) {
	raw := vdtest.Content(64<<10+512, 6)
	bases := vdtest.Bases(f, raw,
		[]string{"-O", "qcow2", "-o", "compat=0.10,cluster_size=512"},
		[]string{"-O", "qcow2", "-o", "compat=1.1,cluster_size=4k"},
		[]string{"-O", "qcow2", "-c", "-o", "cluster_size=4k"},
		[]string{"-O", "qcow2", "-c", "-o", "cluster_size=4k,compression_type=zstd"},
	)
	seeds := map[uint32][]byte{
		20:  {0, 0, 0, 21},                              // cluster bits
		24:  {0x7f, 0xff, 0, 0, 0, 0, 0, 0},             // size
		36:  {0, 0, 0, 0},                               // L1 size
		40:  {0, 0, 0, 0, 0, 0, 0x10, 0},                // L1 offset
		72:  {0, 0, 0, 0, 0, 0, 0, 0x1f},                // incompatible features
		104: {2},                                        // compression type
		8:   {0, 0, 0, 0, 0, 0, 0, 0x70, 0, 0, 0, 0x10}, // backing file
	}
	vdtest.Fuzz(f, bases, seeds, func(p string) (io.ReaderAt, int64, func() error, error) {
		d, err := Open(p)
		if err != nil {
			return nil, 0, nil, err
		}
		return d, d.Size(), d.Close, nil
	})
}
