package export

import (
	"encoding/hex"
	"fmt"
	"path"
	"regexp"
	"strings"
	"time"
	"unicode"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/google/uuid"
)

// The files of a bundle (docs/EXPORT.md, "The bundle").
const (
	FileReadme    = "README.txt"
	FileSums      = "SHA256SUMS"
	FileSignature = "SHA256SUMS.minisig"
	FileSignerPub = "signer.pub"
	FileCaseTar   = "case.tar.age"
	DirEvidence   = "evidence"
	// FileKey is where README.txt tells a recipient to put their identity
	// file; Verify does not count it as a file added to the bundle.
	FileKey = "key.txt"

	// Inside case.tar.age, every entry is below case/.
	DirCase          = "case"
	FileManifest     = "case/manifest.json"
	FileCaseSHA256   = "case/SHA256SUMS"
	FileCaseSHA1     = "case/SHA1SUMS"
	FileCaseMD5      = "case/MD5SUMS"
	FileCustodyLD    = "case/custody.jsonld"
	FileDFXML        = "case/evidence.dfxml"
	FileLedger       = "case/ledger.jsonl"
	DirReports       = "case/reports"
	ManifestFormat   = "custodia-export/1"
	trustedCommentID = "custodia-export"
)

// Actions recorded in the custody ledger.
const (
	ActionExportCreated  casefile.Action = "export.created"
	ActionExportImported casefile.Action = "export.imported"
)

var _ = casefile.RegisterActions(map[casefile.Action]casefile.Permission{
	ActionExportCreated: casefile.PermExportEvidence, ActionExportImported: casefile.PermHandleEvidence,
})

// Record tables (format version 6, docs/FORMAT.md section 12).
const (
	tblExports    = "evidence_exports"
	tblProvenance = "evidence_provenance"
)

// Errors, each with what to do.
var (
	// ErrRecipient: a recipient that is not an age X25519 public key, or
	// none given.
	ErrRecipient = casefile.NewKind("export", "not an age recipient",
		"give age X25519 public keys (age1…, from age-keygen or Custodia's --new-identity), a file of them, or --passphrase")
	// ErrDestination: the bundle cannot be written where asked.
	ErrDestination = casefile.NewKind("export", "destination problem",
		"name a new folder (or .tar file) on a disk with room for the evidence; Custodia never writes into an existing one")
	// ErrMismatch: an item's bytes read out of the case differ from its record.
	ErrMismatch = casefile.NewKind("export", "item differs from its record",
		"run `custodiactl evidence verify` on the item; the export was not made")
	// ErrNotVerified: the bundle did not verify; the problems are listed.
	ErrNotVerified = casefile.NewKind("export", "the bundle does not verify",
		"ask the sender for a new copy and compare the SHA256SUMS fingerprint and signer key id with what they sent you separately")
	// ErrIdentity: the identity file cannot be read.
	ErrIdentity = casefile.NewKind("export", "not an age identity",
		"give the age identity file (AGE-SECRET-KEY-1…) the bundle was encrypted to, or --passphrase for a passphrase bundle")
)

// Manifest is case/manifest.json: what was exported, from where, by whom,
// to whom. It travels only inside case.tar.age.
type Manifest struct {
	Format     string         `json:"format"` // ManifestFormat
	ExportID   uuid.UUID      `json:"export_id"`
	Created    string         `json:"created"` // RFC 3339 UTC, milliseconds
	Case       ManifestCase   `json:"case"`
	Examiner   ManifestSigner `json:"examiner"`
	Recipients []string       `json:"recipients"`
	Reason     string         `json:"reason"`
	Tool       string         `json:"tool"`
	Items      []Item         `json:"items"`
	Reports    []Report       `json:"reports"`
}

// ManifestCase is the exported case and its custody head at the export.
type ManifestCase struct {
	UUID       uuid.UUID `json:"uuid"`
	Title      string    `json:"title"`
	CaseNumber string    `json:"case_number"`
	HeadSeq    int64     `json:"head_seq"`
	HeadHash   string    `json:"head_hash"`
}

// ManifestSigner is the exporting examiner.
type ManifestSigner struct {
	ID         uuid.UUID `json:"id"`
	Name       string    `json:"name"`
	Role       string    `json:"role"`
	PublicKey  string    `json:"public_key"`   // Ed25519, hex
	MinisignID string    `json:"minisign_key"` // 16 hex digits
}

// Item is one exported evidence item.
type Item struct {
	ID            uuid.UUID         `json:"id"` // in the exporting case
	Name          string            `json:"name"`
	Kind          string            `json:"kind"`
	Format        string            `json:"format"`
	Description   string            `json:"description"`
	Size          int64             `json:"size"`
	MD5           string            `json:"md5"`
	SHA1          string            `json:"sha1"`
	SHA256        string            `json:"sha256"`
	IngestedAt    string            `json:"ingested_at"`
	IngestedBy    string            `json:"ingested_by"`
	SourcePath    string            `json:"source_path"`
	Host          string            `json:"host"`
	TimeZone      string            `json:"time_zone"`
	Acquisition   map[string]string `json:"acquisition"`
	File          string            `json:"file"`           // decrypted path, e.g. evidence/001-disk.img
	EncryptedFile string            `json:"encrypted_file"` // e.g. evidence/001-disk.img.age
}

// Report is one file the examiner added under case/reports/.
type Report struct {
	Name   string `json:"name"`
	File   string `json:"file"` // case/reports/NAME
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// trustedComment is the signed comment of SHA256SUMS.minisig: one line of
// key=value fields separated by a tab, as minisign's own default is.
func trustedComment(caseID, exportID uuid.UUID, headSeq int64, head string, at time.Time) string {
	return fmt.Sprintf("%s\tcase=%s\texport=%s\thead=%d:%s\ttime=%s", trustedCommentID, caseID, exportID, headSeq, head, rfc3339(at))
}

// TrustedFields parses a trusted comment written by Custodia into its
// fields (case, export, head, time); ok is false for another comment.
func TrustedFields(comment string) (map[string]string, bool) {
	parts := strings.Split(comment, "\t")
	if len(parts) == 0 || parts[0] != trustedCommentID {
		return nil, false
	}
	out := map[string]string{}
	for _, p := range parts[1:] {
		k, v, ok := strings.Cut(p, "=")
		if !ok {
			return nil, false
		}
		out[k] = v
	}
	for _, k := range []string{"case", "export", "head", "time"} {
		if out[k] == "" {
			return nil, false
		}
	}
	return out, true
}

func rfc3339(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z07:00") }

// maxSafeName bounds the length of a made-safe name (bytes), leaving room
// for "NNN-" and ".age" within the 255 bytes of common file systems.
const maxSafeName = 200

var unsafeRun = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// SafeName makes an item's name a file name valid on every common file
// system: ASCII letters, digits, '.', '_' and '-' only (other runs become
// one '_'), no leading dot, not a reserved Windows name, at most
// maxSafeName bytes, never empty. The original name is in the manifest.
func SafeName(name string) string {
	name = path.Base(strings.ReplaceAll(name, "\\", "/"))
	var b strings.Builder
	for _, r := range name {
		if r < unicode.MaxASCII && r >= 0x20 {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	s := unsafeRun.ReplaceAllString(b.String(), "_")
	s = strings.TrimLeft(s, ".")
	s = strings.TrimRight(s, ". ")
	if len(s) > maxSafeName {
		ext := path.Ext(s)
		if len(ext) > 16 {
			ext = ""
		}
		s = s[:maxSafeName-len(ext)] + ext
	}
	stem := strings.ToUpper(strings.SplitN(s, ".", 2)[0])
	switch stem {
	case "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
		"LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9":
		s = "_" + s
	}
	if strings.Trim(s, "_") == "" {
		s = "item"
	}
	return s
}

// ageChunk is the plaintext size of one chunk of age's STREAM payload.
const ageChunk = 64 << 10

// agePayloadSize is the size of an age file's payload after its header:
// the 16-byte nonce, then every 64 KiB chunk with its 16-byte tag (one
// empty chunk for an empty plaintext).
func agePayloadSize(n int64) int64 {
	chunks := (n + ageChunk - 1) / ageChunk
	if chunks == 0 {
		chunks = 1
	}
	return 16 + n + 16*chunks
}

// sumLine is one line of a sha256sum/sha1sum/md5sum file.
func sumLine(hexsum, name string) string { return hexsum + "  " + name + "\n" }

// parseSums parses a sum file of the given digest length (hex digits) as
// written by coreutils in text mode: "HEX  NAME" lines. Names must be safe
// relative paths; a malformed line is an error naming it.
func parseSums(data []byte, hexLen int) (map[string]string, []string, error) {
	sums := map[string]string{}
	var order []string
	lines := strings.Split(string(data), "\n")
	if len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	for i, l := range lines {
		if len(l) < hexLen+3 || l[hexLen:hexLen+2] != "  " {
			return nil, nil, fmt.Errorf("line %d is not \"HASH  FILE\"", i+1)
		}
		h, name := l[:hexLen], l[hexLen+2:]
		if _, err := hex.DecodeString(h); err != nil || strings.ToLower(h) != h {
			return nil, nil, fmt.Errorf("line %d: %q is not %d lower-case hex digits", i+1, h, hexLen)
		}
		if err := checkRelPath(name); err != nil {
			return nil, nil, fmt.Errorf("line %d: %v", i+1, err)
		}
		if _, dup := sums[name]; dup {
			return nil, nil, fmt.Errorf("line %d: %s is listed twice", i+1, name)
		}
		sums[name] = h
		order = append(order, name)
	}
	return sums, order, nil
}

// checkRelPath refuses a name that is not a clean relative slash path
// inside the bundle: absolute, "..", empty elements, backslashes, control
// characters.
func checkRelPath(name string) error {
	switch {
	case name == "" || strings.HasPrefix(name, "/") || strings.Contains(name, "\\"):
		return fmt.Errorf("%q is not a relative path", name)
	case path.Clean(name) != name || name == "." || name == ".." || strings.HasPrefix(name, "../"):
		return fmt.Errorf("%q leaves the bundle or is not a clean path", name)
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f {
			return fmt.Errorf("%q holds a control character", name)
		}
	}
	return nil
}
