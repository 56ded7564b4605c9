package assets

import (
	"bytes"
	"image/png"
	"testing"
)

func TestIconIs512PNG(t *testing.T) {
	img, err := png.Decode(bytes.NewReader(Icon))
	if err != nil {
		t.Fatalf("icon.png does not decode as PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 512 || b.Dy() != 512 {
		t.Fatalf("icon.png is %dx%d, want 512x512", b.Dx(), b.Dy())
	}
}
