package container

import (
	"bytes"
	"compress/zlib"
	"testing"

	"github.com/klauspost/compress/zstd"
)

// FuzzDecompress feeds arbitrary bytes to the block decompressor of every
// kind, as a damaged or hostile image's grains and clusters would: it must
// never panic, never write past the block, and a stream that holds more
// than the block must be refused, not cut silently.
func FuzzDecompress(f *testing.F) {
	block := bytes.Repeat([]byte("custodia block "), 300) // 4500 bytes
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(block)
	zw.Close()
	zs, _ := zstd.NewWriter(nil)
	f.Add(uint8(Zlib-Deflate), z.Bytes(), uint16(len(block)))
	f.Add(uint8(0), z.Bytes()[2:z.Len()-4], uint16(len(block)))
	f.Add(uint8(Zstd-Deflate), zs.EncodeAll(block, nil), uint16(len(block)))
	f.Add(uint8(Zlib-Deflate), z.Bytes(), uint16(100)) // more than the block
	f.Add(uint8(Zstd-Deflate), []byte{0x28, 0xb5, 0x2f, 0xfd}, uint16(512))
	d := newDecoders()
	f.Fuzz(func(t *testing.T, kind uint8, src []byte, n uint16) {
		out := make([]byte, int(n)+8)
		guard := out[n:]
		for i := range guard {
			guard[i] = 0xa5
		}
		k := Deflate + Kind(kind%3) // Deflate, Zlib or Zstd
		got, err := d.decompress(k, src, out[:n])
		if got < 0 || got > int(n) {
			t.Fatalf("wrote %d bytes into a %d-byte block", got, n)
		}
		for i, b := range guard {
			if b != 0xa5 {
				t.Fatalf("byte %d past the block was written", i)
			}
		}
		if k != Zstd && err == nil && bytes.Equal(src, z.Bytes()) && int(n) < len(block) {
			t.Fatalf("a stream of %d bytes was cut to a %d-byte block without an error", len(block), n)
		}
		// What a valid stream holds must come back exactly.
		if err == nil && bytes.Equal(src, z.Bytes()) && k == Zlib && int(n) >= len(block) {
			if got != len(block) || !bytes.Equal(out[:got], block) {
				t.Fatalf("the seed stream read back %d bytes, not its %d", got, len(block))
			}
		}
	})
}
