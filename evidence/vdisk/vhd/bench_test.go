package vhd

import (
	"testing"

	"github.com/custodia-dfir/custodia/evidence/vdisk/internal/vdtest"
)

// BenchmarkRead reads a 64 MiB dynamic and a fixed VHD sequentially.
func BenchmarkRead(b *testing.B) {
	for _, sub := range []string{"dynamic", "fixed"} {
		b.Run(sub, func(b *testing.B) {
			p := vdtest.BenchImage(b, "-O", "vpc", "-o", "subformat="+sub+",force_size=on")
			d, err := Open(p, Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer d.Close()
			vdtest.BenchRead(b, d, d.Size())
		})
	}
}
