package export

import (
	"crypto/md5"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"sync"

	sha256 "github.com/minio/sha256-simd"
)

// The stages of a bundle's streams, each on its own goroutine so that
// decrypting the case's chunks, hashing the plaintext, age-encrypting and
// hashing the ciphertext share the cores (docs/PERFORMANCE.md).

// asyncHash hashes the buffers given to it on its own goroutine, in order;
// done (when not nil) is called once a buffer was hashed.
type asyncHash struct {
	ch  chan hashJob
	h   hash.Hash
	out chan string
}

type hashJob struct {
	b    []byte
	done func()
}

func newAsyncHash(h hash.Hash) *asyncHash {
	a := &asyncHash{ch: make(chan hashJob, 8), h: h, out: make(chan string, 1)}
	go func() {
		for j := range a.ch {
			a.h.Write(j.b)
			if j.done != nil {
				j.done()
			}
		}
		a.out <- hex.EncodeToString(a.h.Sum(nil))
	}()
	return a
}

func newAsyncSHA256() *asyncHash { return newAsyncHash(sha256.New()) }

func (a *asyncHash) write(b []byte, done func()) { a.ch <- hashJob{b, done} }

// sum waits for every buffer and returns the hex digest; call once.
func (a *asyncHash) sum() string {
	close(a.ch)
	return <-a.out
}

// hashSet hashes plaintext with SHA-256, and with MD5 and SHA-1 when all,
// each on its own goroutine.
type hashSet struct {
	s256, s1, m5 *asyncHash
}

func newHashSet(all bool) *hashSet {
	h := &hashSet{s256: newAsyncSHA256()}
	if all {
		h.s1, h.m5 = newAsyncHash(sha1.New()), newAsyncHash(md5.New())
	}
	return h
}

// write hands b to every hash; done is called once all are done with it.
func (h *hashSet) write(b []byte, done func()) {
	n := int32(1)
	if h.s1 != nil {
		n = 3
	}
	release := refCount(n, done)
	h.s256.write(b, release)
	if h.s1 != nil {
		h.s1.write(b, release)
		h.m5.write(b, release)
	}
}

// sums returns SHA-256, SHA-1 and MD5 ("" for those not computed).
func (h *hashSet) sums() (s256, s1, m5 string) {
	s256 = h.s256.sum()
	if h.s1 != nil {
		s1, m5 = h.s1.sum(), h.m5.sum()
	}
	return
}

// refCount returns a func that calls fn (when not nil) on its n-th call.
func refCount(n int32, fn func()) func() {
	var mu sync.Mutex
	return func() {
		mu.Lock()
		n--
		last := n == 0
		mu.Unlock()
		if last && fn != nil {
			fn()
		}
	}
}

// bufPool holds the 1 MiB buffers of the streams; a stream has a few in
// flight at a time, so memory is bounded whatever the item's size.
const streamBuf = 1 << 20

var bufPool = sync.Pool{New: func() any { b := make([]byte, streamBuf); return &b }}

func getBuf() *[]byte  { return bufPool.Get().(*[]byte) }
func putBuf(b *[]byte) { bufPool.Put(b) }

// hashingWriter collects what is written to it into 1 MiB buffers and
// hands each full buffer to a goroutine that hashes it with SHA-256 and
// writes it to w, so the writer's caller (age's encryption) never waits
// for hashing or for the disk, except when four buffers are in flight.
type hashingWriter struct {
	w    io.Writer
	cur  *[]byte
	n    int
	jobs chan wjob
	done chan struct{}
	err  error // of the writing goroutine, read after done
	sum  string
	mu   sync.Mutex
	werr error // first write error, seen by Write early
}

type wjob struct {
	b *[]byte
	n int
}

func newHashingWriter(w io.Writer) *hashingWriter {
	hw := &hashingWriter{w: w, jobs: make(chan wjob, 4), done: make(chan struct{})}
	ct := newAsyncSHA256()
	go func() {
		defer close(hw.done)
		var err error
		for j := range hw.jobs {
			if err == nil {
				if _, err = w.Write((*j.b)[:j.n]); err != nil {
					err = fmt.Errorf("%w: %v", ErrDestination, err)
					hw.mu.Lock()
					hw.werr = err
					hw.mu.Unlock()
				}
			}
			if err == nil {
				b := j.b
				ct.write((*b)[:j.n], func() { putBuf(b) })
			} else {
				putBuf(j.b)
			}
		}
		hw.sum = ct.sum()
		hw.err = err
	}()
	return hw
}

func (hw *hashingWriter) Write(p []byte) (int, error) {
	hw.mu.Lock()
	err := hw.werr
	hw.mu.Unlock()
	if err != nil {
		return 0, err
	}
	total := len(p)
	for len(p) > 0 {
		if hw.cur == nil {
			hw.cur, hw.n = getBuf(), 0
		}
		c := copy((*hw.cur)[hw.n:], p)
		hw.n += c
		p = p[c:]
		if hw.n == len(*hw.cur) {
			hw.jobs <- wjob{hw.cur, hw.n}
			hw.cur = nil
		}
	}
	return total, nil
}

// close flushes, waits for the writing goroutine and returns the SHA-256
// of everything written and the first write error.
func (hw *hashingWriter) close() (string, error) {
	if hw.cur != nil && hw.n > 0 {
		hw.jobs <- wjob{hw.cur, hw.n}
		hw.cur = nil
	}
	close(hw.jobs)
	<-hw.done
	return hw.sum, hw.err
}

// switchWriter writes to a buffer until set points it elsewhere: age
// writes its header when encryption starts, before a tar entry (which
// needs the whole size, header included) can be opened.
type switchWriter struct{ w io.Writer }

func (s *switchWriter) Write(p []byte) (int, error) { return s.w.Write(p) }
