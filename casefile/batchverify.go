package casefile

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha512"
	"runtime"
	"sync"

	"filippo.io/edwards25519"
)

// sigItem is one signature to check.
type sigItem struct {
	seq int64
	pub ed25519.PublicKey
	msg []byte
	sig []byte
}

// batchSize is the number of signatures checked in one multiscalar
// multiplication; a failing batch is re-checked one by one.
const batchSize = 64

// verifySignatures checks every item on all cores and returns the
// sequence numbers whose signature does not verify. Batches use the
// randomized cofactored batch equation
//
//	[8]( (Σ zᵢsᵢ)B − Σ zᵢRᵢ − Σ (zᵢkᵢ)Aᵢ ) = 0,   zᵢ random 128-bit,
//
// about four times faster than one-by-one checks; a batch that fails is
// re-checked entry by entry with the same cofactored equation (a batch of
// one), so both paths apply one rule and name the exact entries. The rule
// is that of ZIP 215: honest RFC 8032 signatures always pass it; it differs
// from a strict cofactorless verifier only on signatures a key holder
// crafts with small-order components. Because kᵢ = SHA-512(Rᵢ ‖ Aᵢ ‖ M)
// covers the signature's R bytes and the key, any change to a signature,
// key or message fails.
func verifySignatures(items []sigItem) []int64 {
	var (
		mu  sync.Mutex
		bad []int64
		wg  sync.WaitGroup
	)
	jobs := make(chan []sigItem)
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for batch := range jobs {
				if batchVerify(batch) {
					continue
				}
				for _, it := range batch {
					if !batchVerify([]sigItem{it}) {
						mu.Lock()
						bad = append(bad, it.seq)
						mu.Unlock()
					}
				}
			}
		}()
	}
	for i := 0; i < len(items); i += batchSize {
		jobs <- items[i:min(i+batchSize, len(items))]
	}
	close(jobs)
	wg.Wait()
	return bad
}

// batchVerify reports whether every signature in items is valid.
func batchVerify(items []sigItem) bool {
	scalars := make([]*edwards25519.Scalar, 0, len(items)+2)
	points := make([]*edwards25519.Point, 0, len(items)+2)
	sumS := edwards25519.NewScalar()
	scalars = append(scalars, sumS)
	points = append(points, edwards25519.NewGeneratorPoint())
	type keyAcc struct {
		point  *edwards25519.Point
		scalar *edwards25519.Scalar
	}
	keys := map[string]*keyAcc{}
	var zbuf [32]byte
	var h [64]byte
	for _, it := range items {
		if len(it.sig) != ed25519.SignatureSize || len(it.pub) != ed25519.PublicKeySize {
			return false
		}
		R, err := new(edwards25519.Point).SetBytes(it.sig[:32])
		if err != nil {
			return false
		}
		S, err := edwards25519.NewScalar().SetCanonicalBytes(it.sig[32:])
		if err != nil {
			return false
		}
		acc, ok := keys[string(it.pub)]
		if !ok {
			A, err := new(edwards25519.Point).SetBytes(it.pub)
			if err != nil {
				return false
			}
			acc = &keyAcc{point: A, scalar: edwards25519.NewScalar()}
			keys[string(it.pub)] = acc
		}
		d := sha512.New()
		d.Write(it.sig[:32])
		d.Write(it.pub)
		d.Write(it.msg)
		d.Sum(h[:0])
		k, err := edwards25519.NewScalar().SetUniformBytes(h[:])
		if err != nil {
			return false
		}
		clear(zbuf[:])
		if _, err := rand.Read(zbuf[:16]); err != nil {
			return false
		}
		z, err := edwards25519.NewScalar().SetCanonicalBytes(zbuf[:])
		if err != nil {
			return false
		}
		sumS.MultiplyAdd(z, S, sumS)                                  // Σ zᵢsᵢ
		scalars = append(scalars, edwards25519.NewScalar().Negate(z)) // −zᵢ for Rᵢ
		points = append(points, R)
		acc.scalar.Subtract(acc.scalar, edwards25519.NewScalar().Multiply(z, k)) // −Σ zᵢkᵢ for A
	}
	for _, acc := range keys {
		scalars = append(scalars, acc.scalar)
		points = append(points, acc.point)
	}
	sum := new(edwards25519.Point).VarTimeMultiScalarMult(scalars, points)
	return sum.MultByCofactor(sum).Equal(edwards25519.NewIdentityPoint()) == 1
}
