package notify

import (
	"time"

	"github.com/custodia-dfir/custodia/casefile/notify/regime"
)

// ClocksOf is Clocks over a track and notices already read (Track,
// Notices) as of at: the GUI reads the facts once, off its UI goroutine,
// and counts the clocks down from them every minute without reading the
// case again.
func ClocksOf(t Track, notices []Notice, at time.Time) ([]regime.Clock, error) {
	return clocksOf(t, notices, at)
}
