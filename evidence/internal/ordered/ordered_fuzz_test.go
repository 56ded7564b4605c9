package ordered

import (
	"context"
	"runtime"
	"testing"
)

// FuzzMap: whatever the values, the number of workers, the window and the
// order in which workers finish (some yield, some do not), the results
// come out once each, in the order the values went in.
func FuzzMap(f *testing.F) {
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9}, uint8(2), uint8(3))
	f.Add([]byte{}, uint8(1), uint8(1))
	f.Add([]byte{9, 0, 9, 0, 9, 0}, uint8(8), uint8(1))
	f.Fuzz(func(t *testing.T, vals []byte, workers, window uint8) {
		in := make(chan int)
		go func() {
			defer close(in)
			for i := range vals {
				in <- i
			}
		}()
		out := Map(context.Background(), in, int(workers%9), int(window%9), func(i int) int {
			for range int(vals[i] % 4) {
				runtime.Gosched()
			}
			return i
		})
		next := 0
		for i := range out {
			if i != next {
				t.Fatalf("result %d came out at position %d", i, next)
			}
			next++
		}
		if next != len(vals) {
			t.Fatalf("%d results for %d values", next, len(vals))
		}
	})
}
