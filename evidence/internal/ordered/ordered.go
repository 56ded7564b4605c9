// Package ordered is the one reorder step of Custodia's chunk pipelines:
// it runs a function over a stream of values on several goroutines and
// hands the results on in the order the values came in. Ingest seals
// chunks with it, verification and extraction open them with it, and the
// E01 reader decodes chunks with it.
package ordered

import "context"

// Map calls fn on every value received from in, on workers goroutines at
// once, and sends the results to the returned channel in the order the
// values were received. At most window results wait for an earlier one
// (or for the receiver), which bounds the memory in flight; a full window
// stops Map from receiving more (back-pressure).
//
// The returned channel is closed once in is closed and every result was
// sent. When ctx ends, Map stops calling fn, drops the results not yet sent
// and discards what is still received from in, closing the channel once in
// is closed: a sender must select on ctx.Done() as well or close in, and
// the receiver must either read the channel to its end or end ctx.
func Map[In, Out any](ctx context.Context, in <-chan In, workers, window int, fn func(In) Out) <-chan Out {
	workers, window = max(workers, 1), max(window, 1)
	type job struct {
		v   In
		res chan Out
	}
	// futures holds one result channel per value, in input order: the
	// collector waits on them in turn, so order costs no map and no sort.
	futures := make(chan chan Out, window)
	jobs := make(chan job)
	out := make(chan Out)
	go func() {
		defer close(jobs)
		defer close(futures)
		for v := range in {
			if ctx.Err() != nil {
				continue // discard until in is closed
			}
			res := make(chan Out, 1) // a worker never waits to hand in a result
			select {
			case futures <- res:
			case <-ctx.Done():
				continue
			}
			jobs <- job{v, res} // workers never block, so this returns
		}
	}()
	for range workers {
		go func() {
			for j := range jobs {
				if ctx.Err() != nil {
					var zero Out
					j.res <- zero
					continue
				}
				j.res <- fn(j.v)
			}
		}()
	}
	go func() {
		defer close(out)
		for res := range futures {
			r := <-res // always comes: every future has its job
			if ctx.Err() != nil {
				continue
			}
			select {
			case out <- r:
			case <-ctx.Done():
			}
		}
	}()
	return out
}
