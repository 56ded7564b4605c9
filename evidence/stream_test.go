package evidence

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// TestStreamItem streams an item of three chunks and a bit: the bytes
// come back exactly, in order, each at its offset; the progress ends at
// the item's size; an error from fn stops the stream and is returned.
func TestStreamItem(t *testing.T) {
	c := testCase(t)
	data := make([]byte, 3<<20+12345)
	rand.NewChaCha8([32]byte{5, 6}).Read(data)
	src := filepath.Join(t.TempDir(), "mem.raw")
	if err := os.WriteFile(src, data, 0o600); err != nil {
		t.Fatal(err)
	}
	evs, err := Ingest(context.Background(), c, src, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	var mu sync.Mutex
	var last Status
	prog := ProgressFunc(func(s Status) { mu.Lock(); last = s; mu.Unlock() })
	err = StreamItem(context.Background(), c, evs[0].ID, prog, func(off int64, b []byte) error {
		if off != int64(got.Len()) {
			t.Errorf("a chunk at offset %d after %d bytes", off, got.Len())
		}
		got.Write(b)
		return nil
	})
	if err != nil || !bytes.Equal(got.Bytes(), data) {
		t.Fatalf("streamed %d bytes (err %v), want the item's %d exactly", got.Len(), err, len(data))
	}
	if last.Done != int64(len(data)) || last.Total != int64(len(data)) || last.Item != "mem.raw" {
		t.Errorf("last progress %+v", last)
	}
	stop := errors.New("enough")
	n := 0
	err = StreamItem(context.Background(), c, evs[0].ID, nil, func(int64, []byte) error { n++; return stop })
	if !errors.Is(err, stop) || n != 1 {
		t.Errorf("after fn's error: %v, %d calls", err, n)
	}
}
