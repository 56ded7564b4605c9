package export

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"aead.dev/minisign"
	"filippo.io/age"
	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/evidence"
)

// What a problem of a bundle is (Problem.What): each tamper of
// docs/EXPORT.md is named by one of these.
const (
	ProblemMissing    = "missing file"
	ProblemExtra      = "extra file"
	ProblemSignature  = "bad signature"
	ProblemOtherKey   = "signed by another key"
	ProblemModified   = "modified file"
	ProblemAge        = "truncated or modified .age"
	ProblemIdentity   = "wrong identity"
	ProblemInnerHash  = "inner hash mismatch"
	ProblemUnsafeTar  = "unsafe tar entry"
	ProblemMalformed  = "malformed file"
	ProblemUnexpected = "does not match the manifest"
)

// Problem is one thing wrong with a bundle.
type Problem struct {
	File   string // relative to the bundle, "" for the bundle
	What   string // one of the Problem* names
	Detail string
}

func (p Problem) String() string {
	s := p.What
	if p.File != "" {
		s = p.File + ": " + s
	}
	if p.Detail != "" {
		s += ": " + p.Detail
	}
	return s
}

// VerifyOptions tune Verify.
type VerifyOptions struct {
	// Identities decrypt the bundle in memory to check every inner hash;
	// without them only the signature and the outer sums are checked.
	Identities Identities
	// SignerKey, when not empty, is the minisign key id (16 hex digits)
	// the recipient was told separately; signer.pub must be that key.
	SignerKey string
	// AllHashes also recomputes each item's MD5 and SHA-1 (SHA-256 always).
	AllHashes bool
	Progress  evidence.Progress
}

// Verification is what Verify found.
type Verification struct {
	Dir            string
	Problems       []Problem
	SignerKey      string // signer.pub's key id
	TrustedComment string
	Fields         map[string]string // of the trusted comment: case, export, head, time
	SumsSHA256     string
	Files          int // files listed in SHA256SUMS
	Decrypted      bool
	Manifest       *Manifest // with identities and a readable case.tar.age
	// caseFiles holds the decrypted files of case/ (for import).
	caseFiles map[string][]byte
}

// OK reports whether the bundle verified without a problem.
func (v *Verification) OK() bool { return len(v.Problems) == 0 }

// Err is nil for a bundle that verified, else ErrNotVerified listing every
// problem.
func (v *Verification) Err() error {
	if v.OK() {
		return nil
	}
	list := make([]string, len(v.Problems))
	for i, p := range v.Problems {
		list[i] = p.String()
	}
	return fmt.Errorf("%w: %s", ErrNotVerified, strings.Join(list, "; "))
}

func (v *Verification) add(file, what, detail string, args ...any) {
	v.Problems = append(v.Problems, Problem{File: file, What: what, Detail: fmt.Sprintf(detail, args...)})
}

// maxSmall bounds the small files of a bundle read into memory (README,
// sums, signature, key) and the decrypted case.tar.
const (
	maxSmall   = 16 << 20
	maxCaseTar = 1 << 30
)

// Verify checks the bundle in folder dir (docs/EXPORT.md, "Checking a
// bundle"): the signature of SHA256SUMS by signer.pub, every file against
// SHA256SUMS, no file missing and none added; with identities, it decrypts
// case.tar.age and every item in memory and checks each against the
// manifest and case/SHA256SUMS. Every problem is listed; the error is for
// a bundle that cannot be checked at all.
func Verify(ctx context.Context, dir string, opts VerifyOptions) (*Verification, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotVerified, err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("%w: %s is not a folder; unpack a .tar bundle with tar xf first", ErrNotVerified, abs)
	}
	v := &Verification{Dir: abs}
	root, err := os.OpenRoot(abs)
	if err != nil {
		return nil, err
	}
	defer root.Close()

	sums, sumsErr := readRoot(root, FileSums)
	sig, sigErr := readRoot(root, FileSignature)
	pubText, pubErr := readRoot(root, FileSignerPub)
	for _, x := range []struct {
		name string
		err  error
	}{{FileSums, sumsErr}, {FileSignature, sigErr}, {FileSignerPub, pubErr}} {
		if x.err != nil {
			v.add(x.name, ProblemMissing, "%v", x.err)
		}
	}
	if sumsErr == nil {
		v.SumsSHA256 = sha256Hex(sums)
	}
	if sumsErr == nil && sigErr == nil && pubErr == nil {
		v.checkSignature(sums, sig, pubText, opts.SignerKey)
	}
	if sumsErr != nil {
		return v, nil
	}
	listed, order, err := parseSums(sums, 64)
	if err != nil {
		v.add(FileSums, ProblemMalformed, "%v", err)
		return v, nil
	}
	v.Files = len(order)
	for _, n := range []string{FileSums, FileSignature} {
		if _, ok := listed[n]; ok {
			v.add(FileSums, ProblemMalformed, "lists %s, which it cannot cover", n)
		}
	}
	// Every file present, against the list.
	present := map[string]bool{}
	err = filepath.WalkDir(abs, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(abs, p)
		rel = filepath.ToSlash(rel)
		if rel == "." {
			return nil
		}
		switch {
		case d.IsDir():
			return nil
		case !d.Type().IsRegular():
			v.add(rel, ProblemExtra, "not a regular file (%s)", d.Type())
		case rel == FileSums || rel == FileSignature:
		case rel == FileKey:
			if _, listedKey := listed[FileKey]; listedKey {
				present[rel] = true
			}
		default:
			present[rel] = true
			if _, ok := listed[rel]; !ok && !decryptedOutput(rel, listed) {
				v.add(rel, ProblemExtra, "not listed in %s", FileSums)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, n := range order {
		if !present[n] {
			v.add(n, ProblemMissing, "listed in %s but not in the bundle", FileSums)
		}
	}
	var total int64
	for _, n := range order {
		if fi, err := root.Stat(n); err == nil && present[n] {
			total += fi.Size()
		}
	}
	prog := newProgress(opts.Progress, total, len(order))

	// Outer sums. With identities each evidence .age is hashed in the same
	// read that decrypts it (below).
	deferred := map[string]bool{}
	if !opts.Identities.IsZero() {
		for _, n := range order {
			if strings.HasPrefix(n, DirEvidence+"/") && strings.HasSuffix(n, ".age") && present[n] {
				deferred[n] = true
			}
		}
	}
	for i, n := range order {
		if !present[n] || deferred[n] {
			continue
		}
		prog.item(n, i+1)
		got, err := hashFile(ctx, root, n, prog)
		if err != nil {
			return nil, err
		}
		if got != listed[n] {
			v.add(n, ProblemModified, "SHA-256 %s, %s lists %s", got, FileSums, listed[n])
		}
	}
	if opts.Identities.IsZero() {
		return v, nil
	}
	v.verifyInner(ctx, root, listed, present, deferred, opts, prog)
	return v, nil
}

// decryptedOutput: a decrypted item (evidence/NNN-x next to its .age) or
// the case/ folder a recipient unpacked with the standard tools are not
// additions to the bundle.
func decryptedOutput(rel string, listed map[string]string) bool {
	if strings.HasPrefix(rel, DirCase+"/") {
		_, ok := listed[FileCaseTar]
		return ok
	}
	if strings.HasPrefix(rel, DirEvidence+"/") {
		_, ok := listed[rel+".age"]
		return ok
	}
	return false
}

func readRoot(root *os.Root, name string) ([]byte, error) {
	f, err := root.Open(name)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, errors.New("not in the bundle")
		}
		return nil, err
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return nil, errors.New("not a regular file")
	}
	b, err := io.ReadAll(io.LimitReader(f, maxSmall+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxSmall {
		return nil, fmt.Errorf("larger than %d bytes", maxSmall)
	}
	return b, nil
}

func (v *Verification) checkSignature(sums, sig, pubText []byte, want string) {
	var pub minisign.PublicKey
	if err := pub.UnmarshalText(bytes.TrimSpace(pubText)); err != nil {
		v.add(FileSignerPub, ProblemMalformed, "not a minisign public key: %v", err)
		return
	}
	v.SignerKey = casefile.MinisignKeyIDText(pub.ID())
	var s minisign.Signature
	if err := s.UnmarshalText(sig); err != nil {
		v.add(FileSignature, ProblemMalformed, "not a minisign signature: %v", err)
		return
	}
	v.TrustedComment = s.TrustedComment
	if f, ok := TrustedFields(s.TrustedComment); ok {
		v.Fields = f
	}
	if want != "" && !strings.EqualFold(strings.TrimSpace(want), v.SignerKey) {
		v.add(FileSignerPub, ProblemOtherKey, "signer.pub is key %s, not the key %s you were given", v.SignerKey, strings.ToUpper(want))
	}
	if s.KeyID != pub.ID() {
		v.add(FileSignature, ProblemOtherKey, "signed by key %s, signer.pub is key %s", casefile.MinisignKeyIDText(s.KeyID), v.SignerKey)
		return
	}
	if !minisign.Verify(pub, sums, sig) {
		v.add(FileSignature, ProblemSignature, "the signature of %s (or of its trusted comment) does not verify with signer.pub", FileSums)
		return
	}
	if v.Fields == nil {
		v.add(FileSignature, ProblemMalformed, "the trusted comment %q is not Custodia's", s.TrustedComment)
	}
}

func hashFile(ctx context.Context, root *os.Root, name string, prog *progress) (string, error) {
	f, err := root.Open(name)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := newAsyncSHA256()
	for {
		if err := ctx.Err(); err != nil {
			h.sum()
			return "", err
		}
		b := getBuf()
		n, err := io.ReadFull(f, *b)
		if n > 0 {
			h.write((*b)[:n], func() { putBuf(b) })
			prog.add(int64(n))
		} else {
			putBuf(b)
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return h.sum(), nil
		}
		if err != nil {
			h.sum()
			return "", err
		}
	}
}

// verifyInner decrypts case.tar.age and every item, in memory.
func (v *Verification) verifyInner(ctx context.Context, root *os.Root, listed map[string]string, present, deferred map[string]bool,
	opts VerifyOptions, prog *progress) {
	v.Decrypted = true
	if !present[FileCaseTar] {
		if _, ok := listed[FileCaseTar]; !ok {
			v.add(FileCaseTar, ProblemMissing, "not in the bundle")
		}
		return
	}
	files, ok := v.openCaseTar(root, opts.Identities)
	if !ok {
		return
	}
	v.caseFiles = files
	man, ok := files[FileManifest]
	if !ok {
		v.add(FileCaseTar, ProblemMissing, "%s is not in it", FileManifest)
		return
	}
	var m Manifest
	dec := json.NewDecoder(bytes.NewReader(man))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil || m.Format != ManifestFormat {
		v.add(FileManifest, ProblemMalformed, "not a %s manifest: %v", ManifestFormat, err)
		return
	}
	v.Manifest = &m
	if v.Fields != nil && v.Fields["export"] != m.ExportID.String() {
		v.add(FileManifest, ProblemUnexpected, "export id %s, the signature names %s", m.ExportID, v.Fields["export"])
	}
	if v.Fields != nil && v.Fields["case"] != m.Case.UUID.String() {
		v.add(FileManifest, ProblemUnexpected, "case %s, the signature names %s", m.Case.UUID, v.Fields["case"])
	}
	inner := map[string]map[string]string{}
	for _, x := range []struct {
		name string
		n    int
	}{{FileCaseSHA256, 64}, {FileCaseSHA1, 40}, {FileCaseMD5, 32}} {
		b, ok := files[x.name]
		if !ok {
			v.add(FileCaseTar, ProblemMissing, "%s is not in it", x.name)
			continue
		}
		s, _, err := parseSums(b, x.n)
		if err != nil {
			v.add(x.name, ProblemMalformed, "%v", err)
			continue
		}
		inner[x.name] = s
	}
	for _, r := range m.Reports {
		b, ok := files[r.File]
		switch {
		case !ok:
			v.add(r.File, ProblemMissing, "in the manifest but not in %s", FileCaseTar)
		case sha256Hex(b) != r.SHA256 || int64(len(b)) != r.Size:
			v.add(r.File, ProblemInnerHash, "SHA-256 %s, the manifest says %s", sha256Hex(b), r.SHA256)
		case inner[FileCaseSHA256] != nil && inner[FileCaseSHA256][r.File] != r.SHA256:
			v.add(FileCaseSHA256, ProblemInnerHash, "%s: %q, the manifest says %s", r.File, inner[FileCaseSHA256][r.File], r.SHA256)
		}
	}
	seen := map[string]bool{}
	for i, it := range m.Items {
		if err := checkRelPath(it.EncryptedFile); err != nil || !strings.HasPrefix(it.EncryptedFile, DirEvidence+"/") || it.EncryptedFile != it.File+".age" {
			v.add(FileManifest, ProblemMalformed, "item %d: file %q is not evidence/NAME.age", i+1, it.EncryptedFile)
			continue
		}
		seen[it.EncryptedFile] = true
		for name, want := range map[string]string{FileCaseSHA256: it.SHA256, FileCaseSHA1: it.SHA1, FileCaseMD5: it.MD5} {
			if s := inner[name]; s != nil && s[it.File] != want {
				v.add(name, ProblemInnerHash, "%s: %q, the manifest says %s", it.File, s[it.File], want)
			}
		}
		if _, ok := listed[it.EncryptedFile]; !ok {
			v.add(it.EncryptedFile, ProblemMissing, "in the manifest but not in %s", FileSums)
			continue
		}
		if !present[it.EncryptedFile] {
			continue // named already
		}
		prog.item(it.EncryptedFile, i+1)
		ct, pt, n, err := decryptItem(ctx, root, it.EncryptedFile, opts, prog)
		if deferred[it.EncryptedFile] && ct != "" && ct != listed[it.EncryptedFile] {
			v.add(it.EncryptedFile, ProblemModified, "SHA-256 %s, %s lists %s", ct, FileSums, listed[it.EncryptedFile])
		}
		if err != nil {
			if short := truncation(root, it); short != "" {
				v.add(it.EncryptedFile, ProblemAge, "truncated: %s", short)
			} else {
				v.ageProblem(it.EncryptedFile, err)
			}
			continue
		}
		if n != it.Size {
			v.add(it.EncryptedFile, ProblemInnerHash, "decrypts to %d bytes, the manifest says %d", n, it.Size)
		}
		if pt.SHA256 != it.SHA256 {
			v.add(it.EncryptedFile, ProblemInnerHash, "decrypts to SHA-256 %s, the manifest says %s", pt.SHA256, it.SHA256)
		}
		if opts.AllHashes && (pt.SHA1 != it.SHA1 || pt.MD5 != it.MD5) {
			v.add(it.EncryptedFile, ProblemInnerHash, "decrypts to SHA-1 %s and MD5 %s, the manifest says %s and %s", pt.SHA1, pt.MD5, it.SHA1, it.MD5)
		}
	}
	// Every evidence file the outer sums list must be an item.
	var extra []string
	for n := range listed {
		if strings.HasPrefix(n, DirEvidence+"/") && !seen[n] {
			extra = append(extra, n)
		}
	}
	sort.Strings(extra)
	for _, n := range extra {
		v.add(n, ProblemUnexpected, "listed in %s but not an item of the manifest", FileSums)
		if deferred[n] {
			if got, err := hashFile(ctx, root, n, prog); err == nil && got != listed[n] {
				v.add(n, ProblemModified, "SHA-256 %s, %s lists %s", got, FileSums, listed[n])
			}
		}
	}
}

func (v *Verification) ageProblem(file string, err error) {
	var nm *age.NoIdentityMatchError
	switch {
	case errors.As(err, &nm):
		v.add(file, ProblemIdentity, "none of the given identities opens it (%v)", err)
	case errors.Is(err, io.ErrUnexpectedEOF):
		v.add(file, ProblemAge, "truncated: %v", err)
	default:
		v.add(file, ProblemAge, "%v", err)
	}
}

// openCaseTar decrypts case.tar.age in memory and reads its entries:
// regular files below case/ only, each bounded.
func (v *Verification) openCaseTar(root *os.Root, ids Identities) (map[string][]byte, bool) {
	f, err := root.Open(FileCaseTar)
	if err != nil {
		v.add(FileCaseTar, ProblemMissing, "%v", err)
		return nil, false
	}
	defer f.Close()
	r, err := age.Decrypt(f, ids.list...)
	if err != nil {
		v.ageProblem(FileCaseTar, err)
		return nil, false
	}
	files, err := readCaseTar(io.LimitReader(r, maxCaseTar+1))
	if err != nil {
		var u *unsafeEntry
		if errors.As(err, &u) {
			v.add(FileCaseTar, ProblemUnsafeTar, "%v", u)
		} else {
			v.ageProblem(FileCaseTar, err)
		}
		return nil, false
	}
	return files, true
}

type unsafeEntry struct{ name, why string }

func (u *unsafeEntry) Error() string { return fmt.Sprintf("%q: %s", u.name, u.why) }

// readCaseTar reads the tar of case/: entries named case/… with a clean
// relative path, regular files and folders only; links, devices, "..",
// absolute paths and duplicates are refused (*unsafeEntry).
func readCaseTar(r io.Reader) (map[string][]byte, error) {
	tr := tar.NewReader(r)
	files := map[string][]byte{}
	var total int64
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return files, nil
		}
		if err != nil {
			return nil, err
		}
		name := strings.TrimSuffix(h.Name, "/")
		if err := checkRelPath(name); err != nil {
			return nil, &unsafeEntry{h.Name, err.Error()}
		}
		if name != DirCase && !strings.HasPrefix(name, DirCase+"/") {
			return nil, &unsafeEntry{h.Name, "outside case/"}
		}
		switch h.Typeflag {
		case tar.TypeDir:
			continue
		case tar.TypeReg:
		default:
			return nil, &unsafeEntry{h.Name, fmt.Sprintf("not a regular file (tar type %q): links and devices are refused", h.Typeflag)}
		}
		if _, dup := files[name]; dup {
			return nil, &unsafeEntry{h.Name, "appears twice"}
		}
		total += h.Size
		if h.Size < 0 || total > maxCaseTar {
			return nil, &unsafeEntry{h.Name, "case/ larger than 1 GiB"}
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			return nil, err
		}
		files[name] = b
	}
}

// decryptItem reads an item's .age file once: its bytes hashed with SHA-256
// (the outer sum) on one goroutine, decrypted on this one, the plaintext
// hashed on others. ct is "" when the file could not be read.
func decryptItem(ctx context.Context, root *os.Root, name string, opts VerifyOptions, prog *progress) (ct string, pt casefile.Hashes, n int64, err error) {
	f, err := root.Open(name)
	if err != nil {
		return "", pt, 0, err
	}
	defer f.Close()
	ctHash := newAsyncSHA256()
	tee := &hashReader{r: f, h: ctHash, prog: prog}
	ph := newHashSet(opts.AllHashes)
	r, err := age.Decrypt(tee, opts.Identities.list...)
	if err == nil {
		for {
			if err = ctx.Err(); err != nil {
				break
			}
			b := getBuf()
			k, rerr := io.ReadFull(r, *b)
			if k > 0 {
				ph.write((*b)[:k], func() { putBuf(b) })
				n += int64(k)
			} else {
				putBuf(b)
			}
			if rerr == io.EOF || rerr == io.ErrUnexpectedEOF {
				break
			}
			if rerr != nil {
				err = rerr
				break
			}
		}
	}
	// Hash the rest of the file too (age stops at an error): the outer sum
	// covers every byte.
	if _, cerr := io.Copy(io.Discard, tee); cerr != nil && err == nil {
		err = cerr
	}
	ct = ctHash.sum()
	pt.SHA256, pt.SHA1, pt.MD5 = ph.sums()
	return ct, pt, n, err
}

// hashReader hands a copy of everything read through it to a hash.
type hashReader struct {
	r    io.Reader
	h    *asyncHash
	prog *progress
}

func (t *hashReader) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if n > 0 {
		b := getBuf()
		for off := 0; off < n; {
			c := copy(*b, p[off:n])
			bb := b
			t.h.write((*bb)[:c], func() { putBuf(bb) })
			off += c
			if off < n {
				b = getBuf()
			}
		}
		t.prog.add(int64(n))
	}
	return n, err
}

// truncation says how much shorter an item's .age file is than the age
// file of its recorded size ("" when it is not shorter).
func truncation(root *os.Root, it Item) string {
	f, err := root.Open(it.EncryptedFile)
	if err != nil {
		return ""
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return ""
	}
	hdr, err := age.ExtractHeader(f)
	if err != nil {
		return ""
	}
	want := int64(len(hdr)) + agePayloadSize(it.Size)
	if fi.Size() >= want {
		return ""
	}
	return fmt.Sprintf("%d bytes, an age file of the item's %d bytes has %d", fi.Size(), it.Size, want)
}
