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

// hashSet names which of the three hashes a pass computes. Ingest always
// computes all three; verify recomputes SHA-256 unless asked for all.
type hashSet uint8

const (
	hashMD5 hashSet = 1 << iota
	hashSHA1
	hashSHA256
	allHashes = hashMD5 | hashSHA1 | hashSHA256
)

// hashKinds are the three hashes in their order everywhere: the name the
// ledger and the verification record use, the constructor, and the field
// of casefile.Hashes.
var hashKinds = [...]struct {
	bit   hashSet
	name  string
	new   func() hash.Hash
	field func(*casefile.Hashes) *string
}{
	{hashMD5, "md5", md5.New, func(h *casefile.Hashes) *string { return &h.MD5 }},
	{hashSHA1, "sha1", sha1.New, func(h *casefile.Hashes) *string { return &h.SHA1 }},
	{hashSHA256, "sha256", sha256.New, func(h *casefile.Hashes) *string { return &h.SHA256 }},
}

// names is the set as the custody ledger and the verification record
// spell it: "md5", "sha1", "sha256", in that order.
func (s hashSet) names() []string {
	var out []string
	for _, k := range hashKinds {
		if s&k.bit != 0 {
			out = append(out, k.name)
		}
	}
	return out
}

// only keeps the hashes of the set, clearing the others.
func (s hashSet) only(h casefile.Hashes) casefile.Hashes {
	for _, k := range hashKinds {
		if s&k.bit == 0 {
			*k.field(&h) = ""
		}
	}
	return h
}

// multiHash computes MD5, SHA-1 and SHA-256 (or the chosen ones) of one
// stream, each on its own goroutine so they run on all cores; MD5 alone
// cannot be split. Write hands a block to every hash and returns at once;
// done is called once per hash as it consumes the block, so the caller can
// reuse the block after n() calls.
type multiHash struct {
	set hashSet
	hs  []hash.Hash // in hashKinds order, those of set only
	chs []chan hashJob
	wg  sync.WaitGroup
}

type hashJob struct {
	b    []byte
	done func()
}

func newMultiHash(depth int, set hashSet) *multiHash {
	m := &multiHash{set: set}
	for _, k := range hashKinds {
		if set&k.bit == 0 {
			continue
		}
		h, ch := k.new(), make(chan hashJob, depth)
		m.hs, m.chs = append(m.hs, h), append(m.chs, ch)
		m.wg.Add(1)
		go func() {
			defer m.wg.Done()
			for j := range ch {
				h.Write(j.b)
				j.done()
			}
		}()
	}
	return m
}

// n is how many hashes consume each block (and so how often done runs).
func (m *multiHash) n() int { return len(m.hs) }

// write queues b for every hash; done runs n() times, once per hash.
func (m *multiHash) write(b []byte, done func()) {
	for _, ch := range m.chs {
		ch <- hashJob{b: b, done: done}
	}
}

// sum waits for the queued blocks and returns the digests; hashes outside
// the set are "".
func (m *multiHash) sum() casefile.Hashes {
	m.close()
	var out casefile.Hashes
	hs := m.hs
	for _, k := range hashKinds {
		if m.set&k.bit != 0 {
			*k.field(&out) = hex.EncodeToString(hs[0].Sum(nil))
			hs = hs[1:]
		}
	}
	return out
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
