package evidence

import (
	"sync"
	"sync/atomic"
	"time"
)

// Status is a snapshot of long work: what is being done, how far, how fast.
type Status struct {
	Item      string        // the item being processed
	Index     int           // its number, from 1, among Count items (0 when not counted)
	Count     int           // items in this run (a folder ingest has several)
	Done      int64         // bytes done
	Total     int64         // bytes in all, -1 when unknown
	Rate      float64       // bytes per second, averaged over the work so far
	Remaining time.Duration // estimate, -1 when unknown

	// The whole run when it has several items (VerifyItems): bytes done
	// and in all, and the estimated time left; JobTotal is 0 otherwise.
	JobDone      int64
	JobTotal     int64
	JobRemaining time.Duration // -1 when unknown
}

// Progress receives status updates. It is the small interface through
// which the core reports long work; the GUI adapts it with fyne.Do, the CLI
// prints a line. Implementations must be quick and safe for concurrent use.
type Progress interface {
	Update(Status)
}

// ProgressFunc adapts a function to Progress.
type ProgressFunc func(Status)

// Update calls f.
func (f ProgressFunc) Update(s Status) { f(s) }

// tracker throttles updates to about 10 per second.
type tracker struct {
	p     Progress
	item  string
	index int
	count int
	total int64
	start time.Time
	now   func() time.Time

	job *jobProgress // the run this item is part of, nil when alone

	mu   sync.Mutex
	done int64
	last time.Time
}

// jobProgress is the progress of a run of several items, shared by their
// trackers.
type jobProgress struct {
	total  int64        // bytes of every item of the run
	before atomic.Int64 // bytes of the items finished
	start  time.Time
}

func (j *jobProgress) now() time.Time { return time.Now() }

// finish counts an item of n bytes as done.
func (j *jobProgress) finish(n int64) { j.before.Add(n) }

func newTracker(p Progress, item string, total int64) *tracker {
	t := &tracker{p: p, item: item, total: total, now: time.Now}
	t.start = t.now()
	return t
}

// of sets the item's number among count items.
func (t *tracker) of(index, count int) *tracker {
	t.index, t.count = index, count
	return t
}

// in makes the item part of the run j, whose progress each update carries.
func (t *tracker) in(j *jobProgress) *tracker {
	t.job = j
	return t
}

func (t *tracker) add(n int64) {
	if t == nil || t.p == nil {
		return
	}
	t.mu.Lock()
	t.done += n
	now := t.now()
	if now.Sub(t.last) < 100*time.Millisecond && t.done != t.total {
		t.mu.Unlock()
		return
	}
	t.last = now
	s := t.status(now)
	t.mu.Unlock()
	t.p.Update(s)
}

func (t *tracker) status(now time.Time) Status {
	s := Status{Item: t.item, Index: t.index, Count: t.count, Done: t.done, Total: t.total, Remaining: -1}
	if el := now.Sub(t.start).Seconds(); el > 0 {
		s.Rate = float64(t.done) / el
	}
	if t.total >= 0 && s.Rate > 0 {
		s.Remaining = time.Duration(float64(t.total-t.done) / s.Rate * float64(time.Second))
	}
	if j := t.job; j != nil {
		s.JobDone, s.JobTotal, s.JobRemaining = j.before.Load()+t.done, j.total, -1
		if el := now.Sub(j.start).Seconds(); el > 0 && s.JobDone > 0 {
			s.JobRemaining = time.Duration(float64(s.JobTotal-s.JobDone) / (float64(s.JobDone) / el) * float64(time.Second))
		}
	}
	return s
}
