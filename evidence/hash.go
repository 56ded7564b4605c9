package evidence

import (
	"crypto/md5"
	"crypto/sha1"
	"encoding/hex"
	"hash"
	"sync"

	"github.com/custodia-dfir/custodia/casefile"
	sha256 "github.com/minio/sha256-simd"
)

// multiHash computes MD5, SHA-1 and SHA-256 of one stream, each on its own
// goroutine so the three run on all cores; MD5 alone cannot be split.
// Write hands a block to all three and returns at once; done is called
// when all three have consumed it, so the caller can reuse the block.
type multiHash struct {
	hs  [3]hash.Hash
	chs [3]chan hashJob
	wg  sync.WaitGroup
}

type hashJob struct {
	b    []byte
	done func()
}

func newMultiHash(depth int) *multiHash {
	m := &multiHash{hs: [3]hash.Hash{md5.New(), sha1.New(), sha256.New()}}
	for i := range m.hs {
		m.chs[i] = make(chan hashJob, depth)
		m.wg.Add(1)
		go func(h hash.Hash, ch chan hashJob) {
			defer m.wg.Done()
			for j := range ch {
				h.Write(j.b)
				j.done()
			}
		}(m.hs[i], m.chs[i])
	}
	return m
}

// write queues b for all three hashes; done runs three times, once per hash.
func (m *multiHash) write(b []byte, done func()) {
	for _, ch := range m.chs {
		ch <- hashJob{b: b, done: done}
	}
}

// sum waits for the queued blocks and returns the digests.
func (m *multiHash) sum() casefile.Hashes {
	m.close()
	return casefile.Hashes{
		MD5:    hex.EncodeToString(m.hs[0].Sum(nil)),
		SHA1:   hex.EncodeToString(m.hs[1].Sum(nil)),
		SHA256: hex.EncodeToString(m.hs[2].Sum(nil)),
	}
}

func (m *multiHash) close() {
	for i, ch := range m.chs {
		if ch != nil {
			close(ch)
			m.chs[i] = nil
		}
	}
	m.wg.Wait()
}
