package casefile

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"io"
	"strings"

	"aead.dev/minisign"
	"golang.org/x/crypto/blake2b"
)

// The examiner's Ed25519 custody key, written as a minisign key: the key
// that signs their ledger entries also signs what they export
// (docs/EXPORT.md), so a recipient checks a bundle with the Debian package
// minisign alone. The signing key never leaves this package.

// MinisignKeyID is the minisign key id of an Ed25519 public key: the first
// eight bytes (little-endian) of its BLAKE2b-256 digest, the derivation
// minisign's own key generation (aead.dev/minisign.GenerateKey) uses. It is
// shown as 16 upper-case hex digits (MinisignKeyIDText).
func MinisignKeyID(pub ed25519.PublicKey) uint64 {
	d := blake2b.Sum256(pub)
	return binary.LittleEndian.Uint64(d[:8])
}

// MinisignKeyIDText is the key id as minisign prints it: upper-case hex.
func MinisignKeyIDText(id uint64) string { return fmt.Sprintf("%016X", id) }

// MinisignPublicKey is pub as a minisign public key.
func MinisignPublicKey(pub ed25519.PublicKey) (minisign.PublicKey, error) {
	if len(pub) != ed25519.PublicKeySize {
		return minisign.PublicKey{}, fmt.Errorf("%w: an Ed25519 public key has %d bytes, not %d", ErrInvalid, ed25519.PublicKeySize, len(pub))
	}
	var b [2 + 8 + ed25519.PublicKeySize]byte
	binary.LittleEndian.PutUint16(b[:], minisign.EdDSA)
	binary.LittleEndian.PutUint64(b[2:], MinisignKeyID(pub))
	copy(b[10:], pub)
	var pk minisign.PublicKey
	err := pk.UnmarshalText([]byte(base64.StdEncoding.EncodeToString(b[:])))
	return pk, err
}

// SignMinisign signs message with the acting examiner's custody key in
// minisign's format (prehashed "ED", BLAKE2b-512; one trusted comment
// signed with it) and returns the signature file's text and the minisign
// public key it verifies with. Comments are one line each.
func (c *Case) SignMinisign(message io.Reader, trustedComment, untrustedComment string) (sig []byte, pub minisign.PublicKey, err error) {
	if strings.ContainsAny(trustedComment+untrustedComment, "\r\n") {
		return nil, pub, invalidf("a minisign comment is one line")
	}
	c.mu.Lock()
	key := ed25519.PrivateKey(bytes.Clone(c.signer))
	c.mu.Unlock()
	defer clear(key)
	if len(key) != ed25519.PrivateKeySize {
		return nil, pub, fmt.Errorf("%w: the case is closed or has no signing key", ErrInvalid)
	}
	edPub := key.Public().(ed25519.PublicKey)
	if pub, err = MinisignPublicKey(edPub); err != nil {
		return nil, pub, err
	}
	// aead.dev/minisign builds a private key only from its text form: an
	// unencrypted secret key (KDF none, all-zero salt and checksum).
	var b [158]byte
	binary.LittleEndian.PutUint16(b[0:], minisign.EdDSA)
	binary.LittleEndian.PutUint16(b[2:], 0x0000) // no KDF
	binary.LittleEndian.PutUint16(b[4:], 0x3242) // "B2"
	binary.LittleEndian.PutUint64(b[54:], pub.ID())
	copy(b[62:], key)
	defer clear(b[:])
	text := []byte(base64.StdEncoding.EncodeToString(b[:]))
	defer clear(text)
	var priv minisign.PrivateKey
	if err := priv.UnmarshalText(text); err != nil {
		return nil, pub, fmt.Errorf("minisign key: %w", err)
	}
	r := minisign.NewReader(message)
	if _, err := io.Copy(io.Discard, r); err != nil {
		return nil, pub, err
	}
	return r.SignWithComments(priv, trustedComment, untrustedComment), pub, nil
}
