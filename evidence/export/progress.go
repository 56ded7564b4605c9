package export

import (
	"sync"
	"time"

	"github.com/custodia-dfir/custodia/evidence"
)

// progress reports bytes done over all items, with the rate and the time
// left, at most ten times a second.
type progress struct {
	p            evidence.Progress
	mu           sync.Mutex
	start, last  time.Time
	done, total  int64
	index, count int
	name         string
}

func newProgress(p evidence.Progress, total int64, count int) *progress {
	return &progress{p: p, start: time.Now(), total: total, count: count}
}

func (g *progress) item(name string, index int) {
	if g == nil {
		return
	}
	g.mu.Lock()
	g.name, g.index = name, index
	g.mu.Unlock()
	g.report(true)
}

func (g *progress) add(n int64) {
	if g == nil {
		return
	}
	g.mu.Lock()
	g.done += n
	g.mu.Unlock()
	g.report(false)
}

func (g *progress) report(force bool) {
	if g.p == nil {
		return
	}
	g.mu.Lock()
	now := time.Now()
	if !force && now.Sub(g.last) < 100*time.Millisecond && g.done < g.total {
		g.mu.Unlock()
		return
	}
	g.last = now
	st := evidence.Status{Item: g.name, Index: g.index, Count: g.count, Done: g.done, Total: g.total, Remaining: -1,
		JobDone: g.done, JobTotal: g.total, JobRemaining: -1}
	if el := now.Sub(g.start).Seconds(); el > 0.2 && g.done > 0 {
		st.Rate = float64(g.done) / el
		st.Remaining = time.Duration(float64(g.total-g.done) / st.Rate * float64(time.Second))
		st.JobRemaining = st.Remaining
	}
	g.mu.Unlock()
	g.p.Update(st)
}
