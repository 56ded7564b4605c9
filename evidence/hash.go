package evidence

import (
	"crypto/md5"
	"crypto/sha1"
	"encoding"
	"encoding/hex"
	"fmt"
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
	set  hashSet
	hs   []hash.Hash // in hashKinds order, those of set only
	chs  []chan hashJob
	cuts [][]string // per hash: the digest at each cut, in order
	wg   sync.WaitGroup
}

// hashJob is one piece of the stream for one hash, or a cut: the end of
// one file of a multi-file stream, where the digest so far is kept and the
// hash starts again.
type hashJob struct {
	b    []byte
	done func()
	cut  bool
}

func newMultiHash(depth int, set hashSet) *multiHash {
	m := &multiHash{set: set, cuts: make([][]string, 0, len(hashKinds))}
	for _, k := range hashKinds {
		if set&k.bit == 0 {
			continue
		}
		h, ch := k.new(), make(chan hashJob, depth)
		m.hs, m.chs = append(m.hs, h), append(m.chs, ch)
		m.cuts = append(m.cuts, nil) // within capacity: cuts stays valid
		cuts := &m.cuts[len(m.cuts)-1]
		m.wg.Add(1)
		go func() {
			defer m.wg.Done()
			for j := range ch {
				if j.cut {
					*cuts = append(*cuts, hex.EncodeToString(h.Sum(nil)))
					h.Reset()
					continue
				}
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

// cut ends a file of a multi-file stream: each hash keeps its digest of
// what was written since the previous cut and starts again (see cutSums).
func (m *multiHash) cut() {
	for _, ch := range m.chs {
		ch <- hashJob{cut: true}
	}
}

// cutSums waits for the queued blocks and returns the digests at each cut,
// in order; hashes outside the set are "". What was written after the last
// cut is not in it.
func (m *multiHash) cutSums() []casefile.Hashes {
	m.close()
	if len(m.cuts) == 0 {
		return nil
	}
	out := make([]casefile.Hashes, len(m.cuts[0]))
	j := 0
	for _, k := range hashKinds {
		if m.set&k.bit == 0 {
			continue
		}
		for n, d := range m.cuts[j] {
			*k.field(&out[n]) = d
		}
		j++
	}
	return out
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

// sumWith waits for the queued blocks and returns the digests of the
// stream, and those of the stream followed by tail, from a copy of each
// hash's state: the bytes of the stream are hashed once for both.
func (m *multiHash) sumWith(tail []byte) (stream, withTail casefile.Hashes, err error) {
	m.close()
	hs := m.hs
	for _, k := range hashKinds {
		if m.set&k.bit == 0 {
			continue
		}
		h := hs[0]
		hs = hs[1:]
		state, err := h.(encoding.BinaryMarshaler).MarshalBinary()
		if err != nil {
			return stream, withTail, fmt.Errorf("evidence: copy the %s state: %w", k.name, err)
		}
		c := k.new()
		if err := c.(encoding.BinaryUnmarshaler).UnmarshalBinary(state); err != nil {
			return stream, withTail, fmt.Errorf("evidence: copy the %s state: %w", k.name, err)
		}
		c.Write(tail)
		*k.field(&stream) = hex.EncodeToString(h.Sum(nil))
		*k.field(&withTail) = hex.EncodeToString(c.Sum(nil))
	}
	return stream, withTail, nil
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

// segmentHashes hashes the files of a multi-file source — split raw
// segments, E01 segment files — each on its own, from the pieces of them
// the one read of the source passes by, so that no file is read twice.
// Pieces come in file order; a file is known to end when a piece of a later
// file comes, or at sums. It computes all three hashes, each on its own
// goroutine, beside the item's own.
type segmentHashes struct {
	mu     sync.Mutex
	mh     *multiHash
	files  int     // how many files the source has
	cur    int     // the file being hashed; pieces of earlier ones are refused
	sizes  []int64 // bytes hashed per file
	closed bool    // stopped: write only calls done
}

func newSegmentHashes(files, depth int) *segmentHashes {
	return &segmentHashes{mh: newMultiHash(depth, allHashes), files: files, sizes: make([]int64, files)}
}

// n is how many times write calls done for each piece; 0 for nil.
func (s *segmentHashes) n() int {
	if s == nil {
		return 0
	}
	return s.mh.n()
}

// write hashes p, the next bytes of file f (0-based); done runs n() times,
// once per hash, when p is no longer needed. It panics when f goes
// backwards, a bug in the caller.
func (s *segmentHashes) write(f int, p []byte, done func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		for range s.mh.n() {
			done()
		}
		return
	}
	if f < s.cur || f >= s.files {
		panic(fmt.Sprintf("evidence: segment %d hashed after segment %d (of %d)", f, s.cur, s.files))
	}
	for ; s.cur < f; s.cur++ {
		s.mh.cut()
	}
	s.sizes[f] += int64(len(p))
	s.mh.write(p, done)
}

// sums waits for the hashing and returns each file's hashes and the bytes
// hashed of it; a file no piece came for has the hashes of no bytes.
func (s *segmentHashes) sums() ([]casefile.Hashes, []int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for ; s.cur < s.files; s.cur++ {
		s.mh.cut()
	}
	s.closed = true
	return s.mh.cutSums(), s.sizes
}

// close stops the hashing when the source was not read to its end; pieces
// written afterwards are not hashed (their done runs at once).
func (s *segmentHashes) close() {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed {
		s.closed = true
		s.mh.close()
	}
}
