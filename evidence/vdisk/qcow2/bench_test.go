package qcow2

import (
	"testing"

	"github.com/custodia-dfir/custodia/evidence/vdisk/internal/vdtest"
)

// BenchmarkRead reads 64 MiB QCOW2 images sequentially: plain, and
// compressed with zlib and with zstd.
func BenchmarkRead(b *testing.B) {
	for _, v := range []struct {
		name string
		args []string
	}{
		{"plain", []string{"-O", "qcow2"}},
		{"zlib", []string{"-O", "qcow2", "-c"}},
		{"zstd", []string{"-O", "qcow2", "-c", "-o", "compression_type=zstd"}},
	} {
		b.Run(v.name, func(b *testing.B) {
			p := vdtest.BenchImage(b, v.args...)
			d, err := Open(p)
			if err != nil {
				b.Fatal(err)
			}
			defer d.Close()
			vdtest.BenchRead(b, d, d.Size())
		})
	}
}
