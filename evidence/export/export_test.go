package export

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"aead.dev/minisign"
	"filippo.io/age"
	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/casetest"
	"github.com/custodia-dfir/custodia/evidence"
	"github.com/custodia-dfir/custodia/reports"
	"github.com/google/uuid"
)

var (
	testTool = reports.Tool{Name: "Custodia", Version: "test"}
	testNow  = func() time.Time { return time.Date(2026, 12, 4, 18, 0, 0, 0, time.UTC) }
)

// fixture is a case with two ingested items (one exactly two age chunks
// long, one crossing a chunk boundary, with a name no file system likes)
// and a report file.
type fixture struct {
	c       *casefile.Case
	path    string
	dir     string
	items   []casefile.Evidence
	data    [][]byte
	report  string
	keyFile string
	rcpt    Recipients
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{dir: t.TempDir()}
	f.path = casetest.Create(t)
	f.c = casetest.Open(t, f.path, casetest.Passphrase)
	t.Cleanup(func() { f.c.Close() })
	src := t.TempDir()
	for i, spec := range []struct {
		name string
		size int
	}{{"disk.img", 2 * ageChunk}, {"évidence: logs/*?.txt", 3*ageChunk + 1234}} {
		b := make([]byte, spec.size)
		rand.Read(b)
		p := filepath.Join(src, strings.NewReplacer("/", "_", "*", "_", "?", "_", ":", "_").Replace(spec.name))
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		evs, err := evidence.Ingest(context.Background(), f.c, p, evidence.Options{Reason: "test", Kind: casefile.KindOther})
		if err != nil {
			t.Fatal(err)
		}
		f.items = append(f.items, evs[0])
		f.data = append(f.data, b)
		_ = i
	}
	f.report = filepath.Join(src, "report.pdf")
	os.WriteFile(f.report, []byte("%PDF-1.4 a report\n"), 0o600)
	f.keyFile = filepath.Join(f.dir, "key.txt")
	var err error
	if f.rcpt, _, err = NewIdentity(f.keyFile, "2026-12-04T18:00:00Z"); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) create(t *testing.T, name string, tarred bool) Result {
	t.Helper()
	res, err := Create(context.Background(), f.c, Options{Dest: filepath.Join(f.dir, name), Tar: tarred, Recipients: f.rcpt,
		Reports: []string{f.report}, Reason: "for counsel", Tool: testTool, Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func (f *fixture) ids(t *testing.T) Identities {
	t.Helper()
	ids, err := IdentityFile(f.keyFile)
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func needTools(t *testing.T, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed (scripts/setup.sh installs age and minisign): the bundle cannot be checked with the standard tools here", tool)
		}
	}
}

func run(t *testing.T, dir, script string) string {
	t.Helper()
	cmd := exec.Command("bash", "-c", "set -euo pipefail; "+script)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", script, err, out)
	}
	return string(out)
}

// TestStandardToolsVerifyBundle runs exactly the five commands of
// README.txt (VerifyCommands) with Debian's age, minisign, sha256sum and
// tar, on a folder bundle and on a --tar one, and checks the decrypted
// items are the exact original bytes.
func TestStandardToolsVerifyBundle(t *testing.T) {
	needTools(t, "age", "minisign", "sha256sum", "sha1sum", "md5sum", "tar")
	f := newFixture(t)
	for _, tarred := range []bool{false, true} {
		name := "bundle"
		if tarred {
			name = "bundle.tar"
		}
		res := f.create(t, name, tarred)
		dir := res.Path
		if tarred {
			out := t.TempDir()
			run(t, out, "tar xf "+res.Path)
			dir = filepath.Join(out, "bundle")
		}
		key, _ := os.ReadFile(f.keyFile)
		os.WriteFile(filepath.Join(dir, "key.txt"), key, 0o600)
		readme, _ := os.ReadFile(filepath.Join(dir, FileReadme))
		for i, c := range VerifyCommands {
			if !strings.Contains(string(readme), "  "+string(rune('1'+i))+". "+c+"\n") {
				t.Fatalf("README.txt does not give command %d %q:\n%s", i+1, c, readme)
			}
			out := run(t, dir, c)
			if i == 0 && !strings.Contains(out, "Trusted comment: custodia-export\tcase="+f.c.Info().CaseUUID.String()+"\texport="+res.ExportID.String()) {
				t.Fatalf("minisign output: %s", out)
			}
		}
		run(t, dir, "sha1sum -c --strict case/SHA1SUMS && md5sum -c --strict case/MD5SUMS")
		if got := strings.Fields(run(t, dir, "sha256sum SHA256SUMS"))[0]; got != res.SumsSHA256 {
			t.Fatalf("SHA256SUMS fingerprint %s, Create said %s", got, res.SumsSHA256)
		}
		for i, it := range res.Items {
			b, err := os.ReadFile(filepath.Join(dir, it.File))
			if err != nil || !bytes.Equal(b, f.data[i]) {
				t.Fatalf("%s: not the original bytes (%v)", it.File, err)
			}
		}
		if res.Items[1].File != "evidence/002-_vidence__logs___.txt" {
			t.Fatalf("safe name %q", res.Items[1].File)
		}
		// Custodia agrees, ignoring what the standard tools decrypted.
		v, err := Verify(context.Background(), dir, VerifyOptions{Identities: f.ids(t), AllHashes: true, SignerKey: res.SignerKey})
		if err != nil || !v.OK() {
			t.Fatalf("verify: %v %v", err, v.Problems)
		}
	}
}

// TestCreateRecordsTheExport checks the ledger entry, the evidence_exports
// row, the manifest and the files of a bundle.
func TestCreateRecordsTheExport(t *testing.T) {
	f := newFixture(t)
	res := f.create(t, "b", false)
	sums, _ := os.ReadFile(filepath.Join(res.Path, FileSums))
	if sha256Hex(sums) != res.SumsSHA256 {
		t.Fatal("fingerprint")
	}
	lines := strings.Split(strings.TrimSpace(string(sums)), "\n")
	want := []string{FileReadme, FileCaseTar, "evidence/001-disk.img.age", "evidence/002-_vidence__logs___.txt.age", FileSignerPub}
	if len(lines) != len(want) {
		t.Fatalf("SHA256SUMS:\n%s", sums)
	}
	for i, l := range lines {
		if l[64:] != "  "+want[i] {
			t.Fatalf("line %d %q, want %s", i+1, l, want[i])
		}
	}
	e := res.Entry
	if e.Action != ActionExportCreated || e.Hashes["sha256sums"] != res.SumsSHA256 || e.Details["export_id"] != res.ExportID.String() ||
		e.Details["items"] != f.items[0].ID.String()+" "+f.items[1].ID.String() || e.Details["recipients"] != f.rcpt.Names()[0] ||
		e.Reason != "for counsel" || e.Role == "" || e.Actor == "" {
		t.Fatalf("entry %+v", e)
	}
	recs, err := casefile.ReadAll[ExportRecord](f.c, "read exports", tblExports)
	if err != nil || len(recs) != 1 {
		t.Fatal(err, len(recs))
	}
	r := recs[0]
	if r.ExportID != res.ExportID || r.SumsSHA256 != res.SumsSHA256 || len(r.Items) != 2 || r.Items[0].SHA256 != f.items[0].Meta.Hashes.SHA256 ||
		r.Recorded.At != e.Time || len(r.Reports) != 1 || r.SignerKey != res.SignerKey {
		t.Fatalf("record %+v", r)
	}
	v, err := Verify(context.Background(), res.Path, VerifyOptions{Identities: f.ids(t)})
	if err != nil || !v.OK() {
		t.Fatal(err, v.Problems)
	}
	m := v.Manifest
	it := m.Items[1]
	if it.Name != "évidence: logs/*?.txt" && !strings.HasSuffix(it.Name, ".txt") || it.SHA256 != f.items[1].Meta.Hashes.SHA256 ||
		it.Size != int64(len(f.data[1])) || m.Case.HeadSeq != e.Seq-1 || m.Examiner.MinisignID != res.SignerKey || len(m.Reports) != 1 {
		t.Fatalf("manifest %+v", m)
	}
	m5, s1 := md5.Sum(f.data[1]), sha1.Sum(f.data[1])
	if it.MD5 != hex.EncodeToString(m5[:]) || it.SHA1 != hex.EncodeToString(s1[:]) {
		t.Fatal("manifest hashes")
	}
	for _, name := range []string{FileManifest, FileCaseSHA256, FileCaseSHA1, FileCaseMD5, FileCustodyLD, FileDFXML, FileLedger, "case/reports/report.pdf"} {
		if len(v.caseFiles[name]) == 0 {
			t.Fatalf("%s is missing or empty in case.tar.age", name)
		}
	}
	if !bytes.Contains(v.caseFiles[FileDFXML], []byte(`<hashdigest type="sha256">`+f.items[0].Meta.Hashes.SHA256+`</hashdigest>`)) {
		t.Fatalf("dfxml:\n%s", v.caseFiles[FileDFXML])
	}
	// Case metadata never leaves in clear (the made-safe item names are
	// the evidence files' names, as the layout says).
	for _, name := range []string{FileReadme, FileSums, FileSignature, FileSignerPub} {
		b, _ := os.ReadFile(filepath.Join(res.Path, name))
		for _, secret := range []string{f.c.Info().Title, f.items[0].Meta.Hashes.SHA256, f.items[1].Meta.Hashes.MD5} {
			if bytes.Contains(b, []byte(secret)) {
				t.Fatalf("%s holds %q in clear", name, secret)
			}
		}
	}
	// An existing destination is never written into.
	if _, err := Create(context.Background(), f.c, Options{Dest: res.Path, Recipients: f.rcpt, Tool: testTool}); !errors.Is(err, ErrDestination) {
		t.Fatalf("export over a bundle: %v", err)
	}
}

// TestAgePayloadSize checks the tar entry sizes against age itself.
func TestAgePayloadSize(t *testing.T) {
	for _, n := range []int{0, 1, ageChunk - 1, ageChunk, ageChunk + 1, 3 * ageChunk} {
		var buf, hdr bytes.Buffer
		w, _ := age.Encrypt(&buf, f0rcpt(t))
		hdr.Write(buf.Bytes())
		w.Write(make([]byte, n))
		w.Close()
		if got, want := int64(buf.Len()), int64(hdr.Len())-16+agePayloadSize(int64(n)); got != want {
			t.Fatalf("%d bytes: age wrote %d, computed %d", n, got, want)
		}
	}
}

func f0rcpt(t *testing.T) age.Recipient {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	return id.Recipient()
}

func TestParseRecipients(t *testing.T) {
	id, _ := age.GenerateX25519Identity()
	good := id.Recipient().String()
	dir := t.TempDir()
	file := filepath.Join(dir, "r.txt")
	os.WriteFile(file, []byte("# counsel\n\n"+good+"\nage1notakey\n"), 0o600)
	for _, c := range []struct {
		inline []string
		files  []string
		want   string
	}{
		{[]string{"age1qqqq"}, nil, `not an age recipient: "age1qqqq"`},
		{[]string{"ssh-ed25519 AAAA"}, nil, `not an age recipient: "ssh-ed25519 AAAA"`},
		{[]string{id.String()}, nil, "a secret identity"},
		{nil, []string{file}, `not an age recipient: ` + file + ` line 4: "age1notakey"`},
		{nil, nil, "no recipient given"},
	} {
		_, err := ParseRecipients(c.inline, c.files)
		if !errors.Is(err, ErrRecipient) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v %v: %v, want %q", c.inline, c.files, err, c.want)
		}
	}
	r, err := ParseRecipients([]string{good, good}, nil)
	if err != nil || r.Len() != 1 {
		t.Fatal(err, r.Len())
	}
}

// TestVerifyNamesEveryTamper changes a copy of a bundle in each way of
// docs/EXPORT.md "Bad input" and checks export verify names the problem.
func TestVerifyNamesEveryTamper(t *testing.T) {
	f := newFixture(t)
	res := f.create(t, "orig", false)
	ids := f.ids(t)
	other, _ := age.GenerateX25519Identity()
	otherIDs := Identities{list: []age.Identity{other}}
	_, otherKey, _ := minisign.GenerateKey(rand.Reader)
	ev := "evidence/001-disk.img.age"

	flip := func(name string, at int) func(t *testing.T, dir string) {
		return func(t *testing.T, dir string) {
			p := filepath.Join(dir, name)
			b, _ := os.ReadFile(p)
			if at < 0 {
				at = len(b) + at
			}
			b[at] ^= 0x01
			os.WriteFile(p, b, 0o600)
		}
	}
	resign := func(t *testing.T, dir string) { // SHA256SUMS rewritten for the files as they are, signed by the examiner
		outer := map[string]string{}
		for _, n := range []string{FileReadme, FileCaseTar, ev, "evidence/002-_vidence__logs___.txt.age", FileSignerPub} {
			b, _ := os.ReadFile(filepath.Join(dir, n))
			outer[n] = sha256Hex(b)
		}
		sums := sumsFile(outer)
		sig, _, err := f.c.SignMinisign(bytes.NewReader(sums), trustedComment(f.c.Info().CaseUUID, res.ExportID, 1, "x", testNow()), "")
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, FileSums), sums, 0o600)
		os.WriteFile(filepath.Join(dir, FileSignature), sig, 0o600)
	}
	cases := []struct {
		name   string
		tamper func(t *testing.T, dir string)
		opts   VerifyOptions
		want   []string // each must appear among the problems
	}{
		{"README byte", flip(FileReadme, 10), VerifyOptions{}, []string{FileReadme + ": " + ProblemModified}},
		{"signer.pub byte", flip(FileSignerPub, -5), VerifyOptions{}, []string{FileSignerPub + ": "}},
		{"SHA256SUMS byte", flip(FileSums, 3), VerifyOptions{}, []string{FileSignature + ": " + ProblemSignature}},
		{"signature byte", flip(FileSignature, -10), VerifyOptions{}, []string{FileSignature + ": "}},
		{"case.tar.age byte", flip(FileCaseTar, -40), VerifyOptions{Identities: ids}, []string{FileCaseTar + ": " + ProblemModified, FileCaseTar + ": " + ProblemAge}},
		{"evidence byte", flip(ev, -100), VerifyOptions{Identities: ids}, []string{ev + ": " + ProblemModified, ev + ": " + ProblemAge}},
		{"evidence byte, keyless", flip(ev, 300), VerifyOptions{}, []string{ev + ": " + ProblemModified}},
		{"file removed", func(t *testing.T, dir string) { os.Remove(filepath.Join(dir, ev)) }, VerifyOptions{}, []string{ev + ": " + ProblemMissing}},
		{"file added", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, "evidence", "003-x.age"), []byte("x"), 0o600)
		},
			VerifyOptions{}, []string{"evidence/003-x.age: " + ProblemExtra}},
		{"truncated .age", func(t *testing.T, dir string) {
			p := filepath.Join(dir, ev)
			b, _ := os.ReadFile(p)
			os.WriteFile(p, b[:len(b)-1000], 0o600)
			resign(t, dir) // even with sums that match, the .age is found short
		}, VerifyOptions{Identities: ids}, []string{ev + ": " + ProblemAge + ": truncated"}},
		{"signature of another key", func(t *testing.T, dir string) {
			sums, _ := os.ReadFile(filepath.Join(dir, FileSums))
			os.WriteFile(filepath.Join(dir, FileSignature), minisign.SignWithComments(otherKey, sums, "custodia-export", ""), 0o600)
		}, VerifyOptions{}, []string{FileSignature + ": " + ProblemOtherKey}},
		{"signer.pub replaced with the forger's key", func(t *testing.T, dir string) {
			sums, _ := os.ReadFile(filepath.Join(dir, FileSums))
			os.WriteFile(filepath.Join(dir, FileSignature), minisign.SignWithComments(otherKey, sums, "custodia-export", ""), 0o600)
			pub, _ := otherKey.Public().(minisign.PublicKey).MarshalText()
			os.WriteFile(filepath.Join(dir, FileSignerPub), pub, 0o600)
			resignWith(t, dir, otherKey)
		}, VerifyOptions{SignerKey: res.SignerKey}, []string{FileSignerPub + ": " + ProblemOtherKey}},
		{"wrong identity", func(*testing.T, string) {}, VerifyOptions{Identities: otherIDs}, []string{FileCaseTar + ": " + ProblemIdentity}},
		{"tar with ..", func(t *testing.T, dir string) {
			var tb bytes.Buffer
			tw := tar.NewWriter(&tb)
			tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: "case/../../etc/evil", Size: 1, Mode: 0o644})
			tw.Write([]byte("x"))
			tw.Close()
			sealed, _ := encryptSmall(tb.Bytes(), f.rcpt)
			os.WriteFile(filepath.Join(dir, FileCaseTar), sealed, 0o600)
			resign(t, dir)
		}, VerifyOptions{Identities: ids}, []string{FileCaseTar + ": " + ProblemUnsafeTar + `: "case/../../etc/evil"`}},
		{"tar with a link", func(t *testing.T, dir string) {
			var tb bytes.Buffer
			tw := tar.NewWriter(&tb)
			tw.WriteHeader(&tar.Header{Typeflag: tar.TypeSymlink, Name: "case/manifest.json", Linkname: "/etc/passwd"})
			tw.Close()
			sealed, _ := encryptSmall(tb.Bytes(), f.rcpt)
			os.WriteFile(filepath.Join(dir, FileCaseTar), sealed, 0o600)
			resign(t, dir)
		}, VerifyOptions{Identities: ids}, []string{FileCaseTar + ": " + ProblemUnsafeTar}},
		{"tar with an absolute path", func(t *testing.T, dir string) {
			var tb bytes.Buffer
			tw := tar.NewWriter(&tb)
			tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: "/case/manifest.json", Size: 0, Mode: 0o644})
			tw.Close()
			sealed, _ := encryptSmall(tb.Bytes(), f.rcpt)
			os.WriteFile(filepath.Join(dir, FileCaseTar), sealed, 0o600)
			resign(t, dir)
		}, VerifyOptions{Identities: ids}, []string{FileCaseTar + ": " + ProblemUnsafeTar}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "b")
			run(t, f.dir, "cp -a orig "+dir)
			c.tamper(t, dir)
			v, err := Verify(context.Background(), dir, c.opts)
			if err != nil {
				t.Fatal(err)
			}
			if v.OK() {
				t.Fatal("the tampered bundle verified")
			}
			got := v.Err().Error()
			for _, w := range c.want {
				if !strings.Contains(got, w) {
					t.Errorf("problems %q do not name %q", got, w)
				}
			}
			if !errors.Is(v.Err(), ErrNotVerified) {
				t.Fatal(v.Err())
			}
			// And nothing is imported from it.
			dst := casetest.Open(t, casetest.Create(t), casetest.Passphrase)
			defer dst.Close()
			seq, _ := dst.Head()
			imIDs := ids
			if !c.opts.Identities.IsZero() {
				imIDs = c.opts.Identities
			}
			if _, err := Import(context.Background(), dir, dst, ImportOptions{Identities: imIDs, SignerKey: c.opts.SignerKey, Reason: "received"}); err == nil {
				t.Fatal("a tampered bundle was imported")
			}
			if n, _ := dst.Head(); n != seq {
				t.Fatalf("the case changed: head %d → %d", seq, n)
			}
			if l, _ := dst.ListEvidence(); len(l) != 0 {
				t.Fatal("items were imported")
			}
		})
	}
}

func resignWith(t *testing.T, dir string, key minisign.PrivateKey) {
	sums, _ := os.ReadFile(filepath.Join(dir, FileSums))
	// SHA256SUMS lists the old signer.pub: rewrite its line, then sign.
	b, _ := os.ReadFile(filepath.Join(dir, FileSignerPub))
	lines := strings.Split(string(sums), "\n")
	for i, l := range lines {
		if strings.HasSuffix(l, "  "+FileSignerPub) {
			lines[i] = sumLine(sha256Hex(b), FileSignerPub)[:len(l)]
		}
	}
	sums = []byte(strings.Join(lines, "\n"))
	os.WriteFile(filepath.Join(dir, FileSums), sums, 0o600)
	os.WriteFile(filepath.Join(dir, FileSignature), minisign.SignWithComments(key, sums, "custodia-export\tcase=x\texport=y\thead=1:z\ttime=t", ""), 0o600)
}

// TestImportReproducesHashes imports a bundle into another case: the
// items have the exact hashes, their provenance names the export and the
// sender's key, and one export.imported entry records it.
func TestImportReproducesHashes(t *testing.T) {
	f := newFixture(t)
	res := f.create(t, "b", false)
	dst := casetest.Open(t, casetest.Create(t), casetest.Passphrase)
	defer dst.Close()
	im, err := Import(context.Background(), res.Path, dst, ImportOptions{Identities: f.ids(t), SignerKey: res.SignerKey, Reason: "received from counsel"})
	if err != nil {
		t.Fatal(err)
	}
	if len(im.Items) != 2 {
		t.Fatal(len(im.Items))
	}
	for i, ev := range im.Items {
		src := f.items[i]
		if ev.Meta.Hashes != src.Meta.Hashes || ev.Meta.Size != src.Meta.Size || ev.Meta.Name != src.Meta.Name || ev.Meta.Kind != src.Meta.Kind ||
			ev.Meta.Acquisition["imported_from_export"] != res.ExportID.String() || ev.Meta.Acquisition["source_item"] != src.ID.String() {
			t.Fatalf("item %d: %+v, was %+v", i, ev.Meta, src.Meta)
		}
		r, _ := dst.OpenEvidence(ev.ID)
		b := make([]byte, r.Size())
		r.ReadAt(b, 0)
		if s := sha256.Sum256(b); !bytes.Equal(b, f.data[i]) || hex.EncodeToString(s[:]) != src.Meta.Hashes.SHA256 {
			t.Fatalf("item %d: not the exact bytes", i)
		}
	}
	if e := im.Entry; e.Action != ActionExportImported || e.Details["export_id"] != res.ExportID.String() || e.Details["sender_key"] != res.SignerKey ||
		e.Hashes["sha256sums"] != res.SumsSHA256 || e.Reason != "received from counsel" {
		t.Fatalf("entry %+v", e)
	}
	var provs []Provenance
	err = dst.Read("provenance", func(r casefile.Reader) error {
		recs, err := r.Revisions(tblProvenance, im.Items[1].ID)
		if err != nil {
			return err
		}
		provs, err = casefile.DecodeRecords[Provenance](recs)
		return err
	})
	if err != nil || len(provs) != 1 {
		t.Fatal(err, len(provs))
	}
	p := provs[0]
	if p.Kind != "imported" || p.ExportID != res.ExportID || p.SourceItem != f.items[1].ID || p.SenderKey != res.SignerKey ||
		p.SumsSHA256 != res.SumsSHA256 || !strings.HasPrefix(p.Signature, "untrusted comment:") || p.File != res.Items[1].File {
		t.Fatalf("provenance %+v", p)
	}
	// evidence.ProvenanceOf reads derived rows only: an imported item has
	// none, and its imported row is not reported as damage.
	if d, err := evidence.ProvenanceOf(dst, im.Items[1].ID); err != nil || len(d) != 0 {
		t.Fatalf("ProvenanceOf an imported item = %+v, %v", d, err)
	}
	// The same bundle again: its content is already in the case.
	if _, err := Import(context.Background(), res.Path, dst, ImportOptions{Identities: f.ids(t), Reason: "again"}); !errors.Is(err, evidence.ErrDuplicate) {
		t.Fatalf("second import: %v", err)
	}
}

// TestPassphraseBundle: one passphrase instead of keys.
func TestPassphraseBundle(t *testing.T) {
	f := newFixture(t)
	rc, err := PassphraseRecipient("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	res, err := Create(context.Background(), f.c, Options{Dest: filepath.Join(f.dir, "p"), Items: []uuid.UUID{f.items[0].ID}, Recipients: rc, Tool: testTool})
	if err != nil {
		t.Fatal(err)
	}
	if readme, _ := os.ReadFile(filepath.Join(res.Path, FileReadme)); !strings.Contains(string(readme), "age -d case.tar.age | tar x") {
		t.Fatalf("README:\n%s", readme)
	}
	good, _ := PassphraseIdentity("correct horse battery")
	bad, _ := PassphraseIdentity("wrong horse battery")
	if v, err := Verify(context.Background(), res.Path, VerifyOptions{Identities: good}); err != nil || !v.OK() || len(v.Manifest.Items) != 1 {
		t.Fatal(err, v.Problems)
	}
	if v, _ := Verify(context.Background(), res.Path, VerifyOptions{Identities: bad}); v.OK() || !strings.Contains(v.Err().Error(), ProblemIdentity) {
		t.Fatalf("wrong passphrase: %v", v.Err())
	}
	if _, err := PassphraseRecipient("short"); !errors.Is(err, ErrRecipient) {
		t.Fatal(err)
	}
}

// TestCreateRefusesMismatch: an item whose sealed bytes no longer match its
// record (here: the record says another SHA-256) is not exported, and
// nothing is left at the destination.
func TestCreateRefusesMismatch(t *testing.T) {
	f := newFixture(t)
	data := []byte("the bytes")
	w, _ := f.c.BeginEvidence(4096)
	sc, _ := w.SealChunk(0, data, true)
	w.Store([]casefile.SealedChunk{sc})
	ev, err := w.Commit(casefile.EvidenceMeta{Name: "liar", Kind: casefile.KindOther, Format: "file", Size: int64(len(data)),
		Hashes: casefile.Hashes{MD5: strings.Repeat("0", 32), SHA1: strings.Repeat("0", 40), SHA256: strings.Repeat("0", 64)}}, "test")
	if err != nil {
		t.Fatal(err)
	}
	seq, _ := f.c.Head()
	dest := filepath.Join(f.dir, "x")
	_, err = Create(context.Background(), f.c, Options{Dest: dest, Items: []uuid.UUID{ev.ID}, Recipients: f.rcpt, Tool: testTool})
	if !errors.Is(err, ErrMismatch) || !strings.Contains(err.Error(), "is not the recorded "+strings.Repeat("0", 64)) {
		t.Fatalf("export of a mismatching item: %v", err)
	}
	for _, p := range []string{dest, dest + ".partial"} {
		if _, err := os.Lstat(p); err == nil {
			t.Fatalf("%s was left behind", p)
		}
	}
	if n, _ := f.c.Head(); n != seq {
		t.Fatal("a failed export was recorded")
	}
}

func TestSafeName(t *testing.T) {
	for in, want := range map[string]string{
		"disk.img": "disk.img", "../../etc/passwd": "passwd", `C:\evidence\mem.raw`: "mem.raw", "CON.txt": "_CON.txt",
		".hidden": "hidden", "a b\x00c": "a_b_c", "": "item", "日本": "item", strings.Repeat("a", 300) + ".dd": strings.Repeat("a", 197) + ".dd",
	} {
		if got := SafeName(in); got != want {
			t.Errorf("SafeName(%q) = %q, want %q", in, got, want)
		}
	}
}
