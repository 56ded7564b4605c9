package casefile

import (
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"

	"github.com/google/uuid"
	"golang.org/x/crypto/chacha20poly1305"
	"golang.org/x/crypto/hkdf"
)

// FormatTag starts every piece of additional authenticated data and names
// the format generation. It changes only with an incompatible format.
const FormatTag = "custodia/1"

// sealedVersion is the first byte of every sealed value.
const sealedVersion byte = 1

// Subkey purposes, the HKDF info strings (prefixed with FormatTag and a space).
const (
	purposeRecords  = "records"
	purposeLedger   = "ledger"
	purposeIndex    = "search-index"
	purposeEvidence = "evidence-key-wrap"
)

// deriveSubkey derives the 32-byte subkey for purpose from the master key
// with HKDF-SHA256, salted with the case UUID.
func deriveSubkey(mk []byte, caseUUID uuid.UUID, purpose string) ([]byte, error) {
	key := make([]byte, chacha20poly1305.KeySize)
	r := hkdf.New(sha256.New, mk, caseUUID[:], []byte(FormatTag+" "+purpose))
	if _, err := io.ReadFull(r, key); err != nil {
		return nil, fmt.Errorf("derive %s subkey: %w", purpose, err)
	}
	return key, nil
}

// appendField appends a 2-byte big-endian length and s to b.
func appendField(b []byte, s string) []byte {
	b = binary.BigEndian.AppendUint16(b, uint16(len(s)))
	return append(b, s...)
}

// recordAAD is the additional data of a sealed column value:
// FormatTag ‖ 0x00 ‖ case UUID (16 bytes) ‖ field(table) ‖ field(row) ‖ field(column),
// where field(s) is a 2-byte big-endian length followed by s.
func recordAAD(caseUUID uuid.UUID, table, row, column string) []byte {
	b := make([]byte, 0, len(FormatTag)+1+16+6+len(table)+len(row)+len(column))
	b = append(b, FormatTag...)
	b = append(b, 0)
	b = append(b, caseUUID[:]...)
	b = appendField(b, table)
	b = appendField(b, row)
	return appendField(b, column)
}

// sealer seals and opens column values of one case with one subkey.
type sealer struct {
	aead     cipher.AEAD
	caseUUID uuid.UUID
}

func newSealer(key []byte, caseUUID uuid.UUID) (*sealer, error) {
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return nil, fmt.Errorf("new sealer: %w", err)
	}
	return &sealer{aead: aead, caseUUID: caseUUID}, nil
}

// seal returns version ‖ 24-byte random nonce ‖ ciphertext+tag.
func (s *sealer) seal(table, row, column string, plaintext []byte) ([]byte, error) {
	nonce := make([]byte, chacha20poly1305.NonceSizeX)
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("seal %s.%s: nonce: %w", table, column, err)
	}
	return s.sealWithNonce(nonce, table, row, column, plaintext), nil
}

// sealWithNonce is seal with the nonce given: random in seal, fixed in the
// test vectors of docs/FORMAT.md Appendix A.
func (s *sealer) sealWithNonce(nonce []byte, table, row, column string, plaintext []byte) []byte {
	out := make([]byte, 1, 1+len(nonce)+len(plaintext)+s.aead.Overhead())
	out[0] = sealedVersion
	out = append(out, nonce...)
	return s.aead.Seal(out, nonce, plaintext, recordAAD(s.caseUUID, table, row, column))
}

// open authenticates and decrypts a sealed value. Any failure is an
// *AuthError naming the record.
func (s *sealer) open(table, row, column string, sealed []byte) ([]byte, error) {
	const hdr = 1 + chacha20poly1305.NonceSizeX
	if len(sealed) < hdr+s.aead.Overhead() || sealed[0] != sealedVersion {
		return nil, &AuthError{Table: table, Row: row, Column: column}
	}
	pt, err := s.aead.Open(nil, sealed[1:hdr], sealed[hdr:], recordAAD(s.caseUUID, table, row, column))
	if err != nil {
		return nil, &AuthError{Table: table, Row: row, Column: column}
	}
	return pt, nil
}

func (s *sealer) sealString(table, row, column, v string) ([]byte, error) {
	return s.seal(table, row, column, []byte(v))
}

func (s *sealer) openString(table, row, column string, sealed []byte) (string, error) {
	pt, err := s.open(table, row, column, sealed)
	return string(pt), err
}
