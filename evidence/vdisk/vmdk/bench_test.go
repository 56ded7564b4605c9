package vmdk

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/custodia-dfir/custodia/evidence/vdisk/internal/vdtest"
)

// BenchmarkRead reads 64 MiB VMDKs sequentially in every sub-format.
func BenchmarkRead(b *testing.B) {
	for _, sub := range []string{"monolithicSparse", "streamOptimized", "monolithicFlat"} {
		b.Run(sub, func(b *testing.B) {
			vdtest.NeedQemu(b)
			dir := b.TempDir()
			src := vdtest.WriteRaw(b, dir, "bench.raw", vdtest.Content(vdtest.BenchSize, 64))
			p := filepath.Join(dir, "bench.vmdk")
			vdtest.Qemu(b, "convert", "-f", "raw", "-O", "vmdk", "-o", "subformat="+sub, src, p)
			os.Remove(src)
			d, err := Open(p)
			if err != nil {
				b.Fatal(err)
			}
			defer d.Close()
			vdtest.BenchRead(b, d, d.Size())
		})
	}
}
